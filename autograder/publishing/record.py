"""Record what every check asks of the reference, and of each known mistake, for a bundle.

For each check of an assignment, in each profile asked for (both, for the student bundle's
practice inputs), the check runs exactly as grading runs it on the inputs asked for,
with the reference as the student (so every case runs to its end) and a `Recorder` around the
reference; the cases it drew are kept. Then, for hints, each output-recognisable mistake of the
check's task answers the same check on every one of those cases, as if it were the reference.
Every known mistake, and each of a forward's commonest wrong outputs (wrong_outputs.py), is also
graded as the student through the check in the first profile (the quick one of self-checks), and
every answer is recorded on the cases its failure shrinks through: in a bundle it shrinks to the
full course's smallest case, where its hint is found as in the full course.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

import numpy as np

from autograder.course.config import Course, Task
from autograder.execution.opening import open_submission
from autograder.grading.context import Context
from autograder.grading.determinism import PRACTICE, Inputs
from autograder.grading.mistake_registry import load_mistakes, mistakes_for, mutant_implementation, write_mutant
from autograder.grading.reference import reference
from autograder.grading.registry import Check, checks_for, load_checks
from autograder.grading.replay import (
    REFERENCE,
    Arrays,
    RecordedImplementation,
    RecordedObject,
    Recording,
    RecordingError,
    TaskFunction,
    decode,
    encode,
    fingerprint,
    question,
    raise_recorded,
)
from autograder.grading.runner import run_check
from autograder.publishing.wrong_outputs import wrong_outputs
from autograder.runtime.plain import same_plain

PROFILES = ("quick", "full")


def _unwrap(value):
    """value with every stand-in replaced by the live object it stands for (recording only)."""
    if isinstance(value, RecordedObject):
        return value._live
    if isinstance(value, TaskFunction):
        return value._source.live.function(value._task)
    if type(value) in (tuple, list):
        return type(value)(_unwrap(item) for item in value)
    if type(value) is dict:
        return {key: _unwrap(item) for key, item in value.items()}
    return value


def _same_answer(a: dict, b: dict, arrays: Arrays) -> bool:
    if a.keys() != b.keys():
        return False
    if "raised" in a:
        return a["raised"][0] == b["raised"][0]
    marker = ("object",)  # stand-ins compare by position
    return same_plain(
        decode(a["value"], arrays, lambda i: marker + (i,)), decode(b["value"], arrays, lambda i: marker + (i,))
    )


class Recorder(RecordedImplementation):
    """Answers from `live` (the reference, or a mistake's mutant) and records every answer in
    `recording`; what it returns is what a replay of the recording returns."""

    def __init__(self, live, recording: Recording, variant: str):
        super().__init__(live.course, variant)
        self.live = live
        self.recording = recording
        self.check = ""  # the check being recorded, for messages

    def answer(self, state, owner, event, args, kwargs, perform):
        key = question(self.variant, state, event, args, kwargs)
        try:
            value = perform(self.live if state == b"" else owner, _unwrap(args), _unwrap(kwargs))
        except Exception as error:  # noqa: BLE001 - recorded, then raised as a replay will raise it
            self._store(key, {"raised": [type(error).__name__, str(error)]}, event)
            raise_recorded([type(error).__name__, str(error)])
        objects: list = []
        stored = {"value": encode(value, self.recording.arrays, objects)}
        self._store(key, stored, event)
        return decode(stored["value"], self.recording.arrays, self._stand_in(key, objects))

    def _store(self, key: str, stored: dict, event) -> None:
        answers = self.recording.answers
        if (
            key in answers
            and "conflict" not in answers[key]
            and not _same_answer(answers[key], stored, self.recording.arrays)
        ):
            if self.variant == REFERENCE:
                raise RecordingError(
                    f"{self.check}: the reference answered {event} differently to the same question "
                    "(same inputs, same history); only answers that depend on nothing else can be recorded"
                )
            stored = {"conflict": True}  # a mistake that is not a function of its inputs gives no hint
        answers[key] = stored


class _ReferenceContext(Context):
    """The reference as the student: the questions a hint asks only after a failure are asked
    on every case, so that the bundle can answer them when a student fails there."""

    def hint_for(self, task, got, compute, *, name):
        compute(self.reference)
        return super().hint_for(task, got, compute, name=name)


class _VariantContext(Context):
    """A context in which expectations are only computed, never compared: the check runs to
    its end on every case, and the variant in place of the reference answers every question
    a comparison or a hint asks of it."""

    def _answer(self, compute) -> None:
        try:
            with np.errstate(all="ignore"):
                compute(self.reference)
        except Exception:  # noqa: BLE001 - a mistake may raise; that answer is recorded too
            pass

    def expect(self, task, got, compute, *, name, **tolerances):
        self._answer(compute)

    def expect_shape(self, task, got, shape, message, compute):
        self._answer(compute)

    def hint_for(self, task, got, compute, *, name):
        self._answer(compute)
        return super().hint_for(task, got, compute, name=name)


def _record_reference(course: Course, task: Task, check: Check, ctx: Context, inputs: Inputs, profiles) -> list:
    """Run check as grading does, on these inputs in these profiles; the cases it drew, first-drawn first."""
    drawn: dict[str, object] = {}

    def body(ctx, case):
        drawn.setdefault(fingerprint(case).hex(), case)
        check.body(ctx, case)

    for profile in profiles:
        result = run_check(
            dataclasses.replace(check, body=body),
            ctx,
            course.max_examples(task, profile),
            inputs=inputs,
            profile=profile,
        )
        if not result.passed:
            raise RecordingError(f"the reference fails {check.id} ({profile} profile): {result.feedback}")
    return list(drawn.values())


class _MistakeAsStudent(Context):
    """A known mistake as the student, with the reference and the task's known mistakes answering
    through recorders."""

    def __init__(self, course, student, recorder, variants):
        super().__init__(course, student, recorder)
        self.variants = variants

    def mistakes(self, task):
        return self.variants


def _record_shrinking(
    course: Course, task: Task, check: Check, mistake, recorder: Recorder, variants: list, inputs: Inputs, profiles
) -> list:
    """Grade the mistake as the student through check, as grading does, and return the cases it
    went through: its failure shrinks through cases nobody drew, where the answers it asks for
    are recorded too (never as recorded cases: a question nobody asked there stays unanswered,
    and a bundle skips such a case)."""
    visited: dict[str, object] = {}

    def body(ctx, case):
        visited.setdefault(fingerprint(case).hex(), case)
        check.body(ctx, case)

    folder = Path(tempfile.mkdtemp(prefix="course-record-"))
    try:
        write_mutant(course, mistake, folder)
        student = open_submission(course, folder)
        try:
            for profile in profiles:
                ctx = _MistakeAsStudent(course, student, recorder, variants)
                run_check(
                    dataclasses.replace(check, body=body),
                    ctx,
                    course.max_examples(task, profile),
                    inputs=inputs,
                    profile=profile,
                )
        finally:
            student.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return list(visited.values())


def _record_variant(check: Check, ctx: Context, cases: list) -> None:
    for case in cases:
        try:
            check.body(ctx, case)
        except Exception:  # noqa: BLE001 - the student (the reference) disagrees with the mistake
            pass
        finally:
            ctx.student.release_handles()


def record_assignment(course: Course, assignment_id: str, inputs: Inputs = PRACTICE, profiles=PROFILES) -> Recording:
    """The recording of one assignment's checks on these inputs (the course must hold its solutions/)."""
    load_checks([assignment_id])
    load_mistakes([assignment_id])
    recording = Recording(assignment_id)
    student = open_submission(course, course.root / "solutions")
    try:
        recorder = Recorder(reference(course), recording, REFERENCE)
        for task in course.assignment(assignment_id).tasks:
            for check in checks_for(task.name):
                recorder.check = check.id
                cases = _record_reference(
                    course, task, check, _ReferenceContext(course, student, recorder), inputs, profiles
                )
                recording.cases[check.id] = [fingerprint(case).hex() for case in cases]
                variants = []
                for mistake in mistakes_for(task.name):
                    if mistake.by_output:
                        variant = Recorder(mutant_implementation(course, mistake), recording, mistake.name)
                        variant.check = check.id
                        variants.append((mistake, variant))
                        _record_variant(check, _VariantContext(course, student, variant), cases)
                # on the cases each known mistake's failure, and each wrong output's, shrinks through,
                # every answer a student there may need (the reference's and each mistake's), so that
                # each case gives a hint or none alike; in the first profile only (the quick one of
                # self-checks), which costs half of both
                reached = [
                    case
                    for failing in (*mistakes_for(task.name), *wrong_outputs(task.name))
                    for case in _record_shrinking(
                        course, task, check, failing, recorder, variants, inputs, profiles[:1]
                    )
                ]
                _record_variant(check, _ReferenceContext(course, student, recorder), reached)
                for _, variant in variants:
                    _record_variant(check, _VariantContext(course, student, variant), reached)
    finally:
        student.close()
    return recording


def record(
    course: Course, assignment_ids, folder: Path, report=print, *, inputs: Inputs = PRACTICE, profiles=PROFILES
) -> None:
    """Write <assignment>.json and .npz into folder for each assignment: the reference's answers
    on these inputs (the practice ones unless told) in these profiles."""
    if not (course.root / "solutions").is_dir():
        raise RecordingError(f"{course.root}: recording needs the reference solutions (solutions/)")
    for assignment_id in assignment_ids:
        recording = record_assignment(course, assignment_id, inputs, profiles)
        recording.save(folder)
        report(
            f"recorded {assignment_id} ({inputs.kind} inputs): {len(recording.answers)} answers on "
            f"{sum(map(len, recording.cases.values()))} cases of {len(recording.cases)} checks"
        )
