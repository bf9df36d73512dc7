"""What a check body works with: the student's functions (through the submission handle),
the reference, and the mistake library for hints."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from autograder.course.config import Course
from autograder.execution.submission import Call, Reply, Submission
from autograder.grading.diagnosis import diagnose
from autograder.grading.failure import CheckFailure, hint_on_failure
from autograder.grading.mistake_registry import mistake_implementation_pairs
from autograder.grading.numeric import assert_close
from autograder.grading.reference import TrustedImplementation


class Context:
    def __init__(self, course: Course, student: Submission, reference: TrustedImplementation):
        self.course = course
        self.student = student
        self.reference = reference
        self.last: Reply | None = None
        self.unimportable: dict[str, str] = {}  # "assignment/file" -> the first task that told so
        self._waiting: list[Call] = []  # calls made with the next one (call_later)

    def call(self, task: str, *args, opaque: tuple[int, ...] = (), **kwargs):
        """The student's task(*args, **kwargs) as plain data; caches at `opaque` positions stay
        behind handles. The full reply (warnings, mutated arguments, output) is in self.last."""
        return next(self.call_many([Call(task, args, kwargs, opaque)]))

    def call_method(self, task: str, handle, method: str, *args, opaque: tuple[int, ...] = (), **kwargs):
        """handle.method(*args, **kwargs) on an object the student's task returned (kept with
        `opaque`); `method="__getattribute__"` with the name reads an attribute."""
        return next(self.call_many([Call(task, (handle, *args), kwargs, opaque, method)]))

    def call_many(self, calls: Sequence[Call]) -> Iterator:
        """The values of the calls, made one after another before the first is read (see
        Submission.call_many), after the calls waiting (call_later), whose failure raises here;
        each reply is in self.last once its value is read."""
        waiting, self._waiting = self._waiting, []
        values = self._values(self.student.call_many([*waiting, *calls]))
        for _ in waiting:
            next(values)
        return values

    def call_later(self, call: Call) -> None:
        """Make a call whose value nobody reads (setting an attribute) with the next call made,
        in the same message, or when the check's body ends (settle); its failure raises there."""
        self._waiting.append(call)

    def settle(self) -> None:
        """Make the calls still waiting (at the end of a check's body)."""
        if self._waiting:
            for _ in self.call_many([]):
                pass

    def abandon_waiting(self) -> None:
        """Forget the calls still waiting (when a check's body failed before they were made)."""
        self._waiting = []

    def _values(self, replies: Iterator[Reply]) -> Iterator:
        for reply in replies:
            self.last = reply
            yield reply.value

    def expect(self, task: str, got, compute, *, name: str, **tolerances) -> None:
        """got must match compute(reference); on a mismatch, name a known mistake that gives got,
        else say how got relates to the expected value (diagnosis.diagnose), unless a hint given
        around this call says more.

        compute(impl) evaluates the expected value with an implementation of the course (the
        reference, or a mistake variant when looking for a hint)."""
        expected = compute(self.reference)
        with hint_on_failure(lambda: diagnose(got, expected, name=name, **tolerances), fallback=True):
            with hint_on_failure(lambda: self.recognise(task, got, expected, compute, name=name, **tolerances)):
                assert_close(got, expected, name=name, **tolerances)

    def expect_shape(self, task: str, got, shape: tuple, message: str, compute) -> None:
        """got must be an ndarray of shape, which the check computes from the task's formula (the
        reference is not asked: a question that depends on the student's answer could not be
        recorded for the student bundle); otherwise fail with message and the hint of a known
        mistake whose compute(impl) gives got."""
        if type(got) is np.ndarray and got.shape == shape:
            return
        hint = self.recognise(task, got, None, compute, name="out") if type(got) is np.ndarray else None
        raise CheckFailure(message, hint)

    def hint_for(self, task: str, got, compute, *, name: str):
        """For hint_on_failure: a function that names the known mistake whose compute(impl) gives
        got where compute(reference) does not; called only after a failure."""
        return lambda: self.recognise(task, got, compute(self.reference), compute, name=name)

    def mistakes(self, task: str):
        """(mistake, its implementation) for every known mistake of task recognised by its output."""
        return mistake_implementation_pairs(self.course, task)

    def recognise(self, task: str, got, expected, compute, *, name: str = "", **tolerances) -> str | None:
        """The hint of the first known mistake of task that gives got where the reference gives
        expected (a mistake that agrees with the reference on this case says nothing); expected
        None: got is known to differ from the reference's answer (it has the wrong shape)."""
        for mistake, implementation in self.mistakes(task):
            try:
                with np.errstate(all="ignore"):
                    wrong = compute(implementation)
                assert_close(got, wrong, name=name, **tolerances)
            except Exception:  # noqa: BLE001 - a mistake that raises or differs is not this one
                continue
            if expected is None or not _close(wrong, expected, name, tolerances):
                return mistake.hint
        return None


def _close(got, expected, name, tolerances) -> bool:
    try:
        assert_close(got, expected, name=name, **tolerances)
    except CheckFailure:
        return False
    return True
