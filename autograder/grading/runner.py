"""Run a task's checks on a submission and score them into the result schema (docs/results.md)."""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from hypothesis.errors import HypothesisException

from autograder.course.config import Course, Task
from autograder.execution.opening import open_submission
from autograder.execution.submission import CallAborted, NotStarted, StudentError, Submission
from autograder.grading import numeric, sanitize
from autograder.grading.context import Context
from autograder.grading.determinism import PRACTICE, Inputs, deterministic
from autograder.grading.mistake_registry import load_mistakes
from autograder.grading.reference import reference
from autograder.grading.registry import CheckFailure, checks_for, load_checks


@dataclass
class CheckResult:
    name: str
    passed: bool
    feedback: str
    outcome: str = "passed"  # passed / failed / not_started / error

    def __post_init__(self):
        # feedback quotes the student's messages and values: bounded and escaped before it is stored
        self.feedback = sanitize.text(self.feedback)


@dataclass
class TaskResult:
    assignment: str
    task: str
    score: float
    max_score: float
    status: str  # passed / failed / not_started / error
    checks: list[CheckResult] = field(default_factory=list)


def describe_case(case: dict) -> str:
    return ", ".join(f"{key}={numeric.fmt(value)}" for key, value in case.items())


def _first_failure(error: BaseException):
    """The CheckFailure or StudentError inside a (possibly grouped) exception."""
    if isinstance(error, (CheckFailure, StudentError)):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = _first_failure(inner)
        if found is not None:
            return found
    return None


def _failure_feedback(failure: CheckFailure, case: dict | None) -> str:
    lines = [failure.message]
    if case:
        lines.append(f"Smallest failing case: {describe_case(case)}")
    if failure.hint:
        lines.append(f"Hint: {failure.hint}")
    return "\n".join(lines)


def run_check(check, ctx: Context, max_examples: int, *, inputs: Inputs = PRACTICE,
              profile: str = "full") -> CheckResult:
    """One check over the cases the inputs draw for it in this profile, scored."""
    seen: dict = {"case": None}

    def body(case):
        seen["case"] = case
        try:
            check.body(ctx, case)
        finally:
            ctx.student.release_handles()

    try:
        if check.cases is None:
            body({})
        else:
            deterministic(body, check.cases, check_id=check.id, max_examples=max_examples, inputs=inputs,
                          profile=profile)()
    except NotStarted as stop:
        if stop.function == check.task:
            return CheckResult(check.name, False, f"not started: {check.task} raises NotImplementedError", "not_started")
        return CheckResult(check.name, False,
                           f"not started: this check calls your {stop.function}, which raises NotImplementedError",
                           "not_started")
    except CallAborted as stop:  # a timeout, crash or exit in the worker: this check only
        where = f"\nFailing case: {describe_case(seen['case'])}" if seen["case"] else ""
        return CheckResult(check.name, False, f"your {stop.function} {stop.reason}{where}", "error")
    except Exception as error:  # noqa: BLE001 - sorted out below
        failure = _first_failure(error)
        if isinstance(failure, CheckFailure):
            feedback = _failure_feedback(failure, seen["case"])
            if failure is not error:  # Hypothesis saw different outcomes on the same case
                feedback += "\nNote: the result changed between runs on the same input (global random state?)."
            return CheckResult(check.name, False, feedback, "failed")
        if isinstance(failure, StudentError):
            where = f"\nSmallest failing case: {describe_case(seen['case'])}" if seen["case"] else ""
            return CheckResult(check.name, False, f"your {failure.function} raised an error{where}\n{failure.report}", "error")
        if isinstance(error, HypothesisException):
            return CheckResult(check.name, False, f"grader error: {type(error).__name__}: {error}", "error")
        raise
    return CheckResult(check.name, True, "")


def task_status(checks: list[CheckResult]) -> str:
    outcomes = {c.outcome for c in checks}
    if outcomes == {"passed"}:
        return "passed"
    if outcomes == {"not_started"}:
        return "not_started"
    if "error" in outcomes:
        return "error"
    return "failed"


def grade_task(course: Course, task: Task, student: Submission, profile: str, ctx: Context,
               inputs: Inputs = PRACTICE) -> TaskResult:
    checks = checks_for(task.name)
    if not checks:
        raise LookupError(f"no checks are registered for task {task.name}")
    if not student.present(task.name):
        results = [CheckResult(c.name, False, f"not started: {task.assignment}/{task.file} was not submitted",
                               "not_started") for c in checks]
    else:
        examples = course.max_examples(task, profile)
        results = [run_check(c, ctx, examples, inputs=inputs, profile=profile) for c in checks]
    passed = sum(r.passed for r in results)
    score = round(task.points * passed / len(results), 2)
    return TaskResult(task.assignment, task.name, score, task.points, task_status(results), results)


def grade(course: Course, student: Submission, tasks, *, profile: str = "full", inputs: Inputs = PRACTICE) -> dict:
    """Grade the given tasks of a submission on the practice or the official inputs; the result
    as plain JSON-ready data."""
    assignment_ids = list(dict.fromkeys(t.assignment for t in tasks))
    load_checks(assignment_ids)
    load_mistakes(assignment_ids)
    ctx = Context(course, student, reference(course))
    started = time.perf_counter()
    results = [grade_task(course, task, student, profile, ctx, inputs) for task in tasks]
    return {
        "score": round(sum(r.score for r in results), 2),
        "max_score": round(sum(r.max_score for r in results), 2),
        "profile": profile,
        "inputs": inputs.kind,
        "tasks": [asdict(r) for r in results],
        "timing": {"seconds": round(time.perf_counter() - started, 3)},
    }


def grade_folder(course: Course, path, names=None, *, profile: str = "full", isolated: bool = False,
                 limits=None, sandbox: str = "auto", inputs: Inputs = PRACTICE) -> dict:
    """Grade the submission at path (tasks or assignments named, all when None) on these inputs:
    in this process, or (isolated) in a sandboxed worker process (see open_submission)."""
    submission = open_submission(course, path, isolated=isolated, limits=limits, sandbox=sandbox)
    try:
        return grade(course, submission, course.select(names), profile=profile, inputs=inputs)
    finally:
        submission.close()
