"""Run a task's checks on a submission and score them into the result schema (docs/results.md).

Grading runs on time budgets (course.yml grading.budgets; docs/isolation.md, "Budgets"): each
check has its own, and the submission one for all its checks. The submission is told the
deadline of the check in progress (Submission.set_deadline), so that a call still running then
is cut off. A check out of time fails and the next one goes on; once the submission's budget
is spent, every check left scores 0 unrun. The words name the budget, never the time measured
or the case reached, which depend on the machine."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from hypothesis.errors import HypothesisException

from autograder.course.config import Course, Task
from autograder.execution.opening import open_submission
from autograder.execution.submission import CallAborted, NotStarted, OutOfTime, StudentError, Submission
from autograder.grading import case_lists, environment, numeric, sanitize
from autograder.grading.context import Context
from autograder.grading.determinism import PRACTICE, Inputs, deterministic
from autograder.grading.failure import CheckFailure, mistake_of
from autograder.grading.mistake_registry import load_mistakes
from autograder.grading.reference import reference
from autograder.grading.registry import Check, checks_for, load_checks
from autograder.runtime.language import N_, _, translate
from autograder.runtime.plain import same_plain

SCHEMA_VERSION = 2  # of the result object (docs/results.md): 2 gave each check case, hint and mistake


@dataclass
class CheckResult:
    name: str
    passed: bool
    feedback: str
    outcome: str = "passed"  # passed / failed / not_started / error
    case: str | None = None  # the (smallest) failing case, as the feedback gives it
    hint: str | None = None  # the hint the feedback ends with
    mistake: str | None = None  # the id of the known mistake the hint names

    def __post_init__(self):
        # feedback quotes the student's messages and values: bounded and escaped before it is stored
        self.feedback = sanitize.text(self.feedback)
        self.case = None if self.case is None else sanitize.text(self.case)
        self.hint = None if self.hint is None else sanitize.text(self.hint)


@dataclass
class TaskResult:
    assignment: str
    task: str
    score: float
    max_score: float
    status: str  # passed / failed / not_started / error
    checks: list[CheckResult] = field(default_factory=list)


UNSTABLE = N_("Note: the result changed between runs on the same input (global random state?).")


def describe_case(case: dict) -> str:
    """The case as `name=value, ...`, each size under the name its task's docstring gives it; a
    field that is itself a dict of named sizes (a4's geometry) is spread into those names."""
    fields = [
        item for key, value in case.items() for item in (value.items() if type(value) is dict else [(key, value)])
    ]
    return ", ".join(f"{key}={numeric.fmt(value)}" for key, value in fields)


def _first_failure(error: BaseException):
    """The CheckFailure or StudentError inside a (possibly grouped) exception."""
    if isinstance(error, (CheckFailure, StudentError)):
        return error
    for inner in getattr(error, "exceptions", ()):
        found = _first_failure(inner)
        if found is not None:
            return found
    return None


def _failed(name: str, failure: CheckFailure, case: dict | None, note: str = "") -> CheckResult:
    """A failed check: the failure's message, the smallest failing case, the hint and a note as
    feedback (in the language of the run), and each of them on its own."""
    described = describe_case(case) if case else None
    hint = translate(failure.hint) if failure.hint else None
    lines = [translate(failure.message)]
    if described:
        lines.append(_("Smallest failing case: {case}").format(case=described))
    if hint:
        lines.append(_("Hint: {hint}").format(hint=hint))
    if note:
        lines.append(translate(note))
    return CheckResult(name, False, "\n".join(lines), "failed", described, hint, mistake_of(failure.hint))


def run_check(
    check, ctx: Context, max_examples: int, *, inputs: Inputs = PRACTICE, profile: str = "full"
) -> CheckResult:
    """One check over the cases the inputs draw for it in this profile, scored."""
    name = translate(check.name)
    seen: dict = {"case": None}

    def body(case):
        seen["case"] = case
        try:
            check.body(ctx, case)
            ctx.settle()
        finally:
            ctx.abandon_waiting()
            ctx.student.release_handles()

    try:
        if check.cases is None:
            body(inputs.fixed_case(check.id, profile))
        elif (engine_body := _over_stored_cases(body, ctx, check, max_examples, inputs, profile)) is not None:
            deterministic(
                engine_body, check.cases, check_id=check.id, max_examples=max_examples, inputs=inputs, profile=profile
            )()
    except NotStarted as stop:
        if stop.function == check.task:
            told = _("not started: {task} raises NotImplementedError").format(task=check.task)
        else:
            told = _("not started: this check calls your {function}, which raises NotImplementedError").format(
                function=stop.function
            )
        return CheckResult(name, False, told, "not_started")
    except CallAborted as stop:  # a timeout, crash or exit in the worker: this check only
        case = describe_case(seen["case"]) if seen["case"] else None
        where = "\n" + _("Failing case: {case}").format(case=case) if case else ""
        told = _("your {function} {reason}").format(function=stop.function, reason=stop.reason)
        return CheckResult(name, False, told + where, "error", case)
    except Exception as error:  # noqa: BLE001 - sorted out below
        failure = _first_failure(error)
        if isinstance(failure, CheckFailure):
            # failure is not error: Hypothesis saw different outcomes on the same case
            return _failed(name, failure, seen["case"], UNSTABLE if failure is not error else "")
        if isinstance(failure, StudentError):
            case = describe_case(seen["case"]) if seen["case"] else None
            where = "\n" + _("Smallest failing case: {case}").format(case=case) if case else ""
            told = _("your {function} raised an error").format(function=failure.function)
            return CheckResult(name, False, f"{told}{where}\n{failure.report}", "error", case)
        if isinstance(error, HypothesisException):
            told = _("grader error: {error}").format(error=f"{type(error).__name__}: {error}")
            return CheckResult(name, False, told, "error")
        raise
    return CheckResult(name, True, "")


def _over_stored_cases(body, ctx: Context, check, max_examples: int, inputs: Inputs, profile: str):
    """Run body over the cases the engine would draw for check (case_lists), in the engine's
    order: a call that stops a check (NotStarted, CallAborted, OutOfTime) stops it on the same
    case as under the engine. None when every case passed; else what the engine is to run to
    shrink the failure (body itself when the cases are not stored)."""
    if not case_lists.enabled():
        return body
    stored = case_lists.drawn_cases(ctx.course.root, check, max_examples, inputs, profile)
    if stored is None:
        return body
    failing = _first_failing(body, stored)
    if failing is None:
        return None
    index, failure = failing
    run = case_lists.drawn_cases(ctx.course.root, check, max_examples, inputs, profile)
    return _answering(body, (run or [])[: index + 1], failure)


def _first_failing(body, cases: list) -> tuple[int, Exception] | None:
    """(index, exception) of the first case body fails on, each run as under the engine."""
    with case_lists.seeded_cases() as seed:
        for index, case in enumerate(cases):
            try:
                seed()
                body(case)
            except Exception as failure:  # noqa: BLE001 - any failure is the engine's to shrink
                return index, failure
    return None


def _answering(body, run: list, failure: Exception):
    """body for the engine, its first calls answered as they went over the stored cases `run`
    (passed, then the failure, the same exception): the engine reaches the failure through the
    same outcomes, and shrinks it from there with body, so the student's code is called as
    often, and the words are the same, as under the engine alone. A case other than the one
    run (which no engine of the pinned version draws) goes to body, as does every later one."""
    answered = {"calls": 0}

    def engine_body(case):
        index = answered["calls"]
        answered["calls"] += 1
        if index < len(run) and same_plain(case, run[index]):
            if index == len(run) - 1:
                raise failure
            return
        answered["calls"] = len(run)
        body(case)

    return engine_body


def task_status(checks: list[CheckResult]) -> str:
    outcomes = {c.outcome for c in checks}
    if outcomes == {"passed"}:
        return "passed"
    if outcomes == {"not_started"}:
        return "not_started"
    if "error" in outcomes:
        return "error"
    return "failed"


@dataclass(frozen=True)
class Budget:
    """A wall-clock budget: its length in seconds and the time.monotonic() at which it ends."""

    seconds: float
    end: float

    @classmethod
    def from_now(cls, seconds: float) -> Budget:
        return cls(seconds, time.monotonic() + seconds)


def run_check_in_budget(
    check,
    ctx: Context,
    max_examples: int,
    seconds: float,
    submission: Budget,
    *,
    inputs: Inputs = PRACTICE,
    profile: str = "full",
) -> CheckResult:
    """run_check within `seconds` of wall clock and the submission's budget: past either, the
    check fails unfinished (before it starts, when the submission's budget is spent). A check whose
    optional modules the grader lacks is not run: the student is never called for it."""
    name = translate(check.name)
    lacking = environment.missing(check.needs)
    if lacking:
        return CheckResult(name, False, "\n".join(map(environment.not_graded, lacking)), "error")
    if time.monotonic() >= submission.end:
        told = _("not graded: the submission's time budget of {seconds} s ran out before this check")
        return CheckResult(name, False, told.format(seconds=f"{submission.seconds:g}"), "error")
    own = Budget.from_now(seconds)
    ctx.student.set_deadline(min(own.end, submission.end))
    try:
        return run_check(check, ctx, max_examples, inputs=inputs, profile=profile)
    except OutOfTime:
        if submission.end <= own.end:
            told = _("stopped: the submission's time budget of {seconds} s ran out during this check")
            return CheckResult(name, False, told.format(seconds=f"{submission.seconds:g}"), "error")
        told = _(
            "stopped after {seconds} s: the check's time budget ran out before its cases were done (a correct "
            "{task} needs a small part of it): look for a call that is far too slow or never returns"
        )
        return CheckResult(name, False, told.format(seconds=f"{seconds:g}", task=check.task), "error")
    finally:
        ctx.student.set_deadline(None)


def grade_task(
    course: Course,
    task: Task,
    student: Submission,
    profile: str,
    ctx: Context,
    submission: Budget,
    inputs: Inputs = PRACTICE,
) -> TaskResult:
    """The task's checks on the practice or official inputs, scored; submission is the deadline
    and budget of the whole submission."""
    checks = checks_for(task.name)
    if not checks:
        raise LookupError(f"no checks are registered for task {task.name}")
    where = f"{task.assignment}/{task.file}"
    if not student.present(task.name):
        found = ", ".join(sorted(f"{a}/{f}" for a, f in student.files)) or _("none")
        told = _("not started: {file} was not submitted (files found: {found})").format(file=where, found=found)
        results = [CheckResult(translate(c.name), False, told, "not_started") for c in checks]
    elif where in ctx.unimportable:
        told = _("{file} does not import: see {task}").format(file=where, task=ctx.unimportable[where])
        results = _not_imported(checks, told)
    elif (problem := student.import_problem(task.name)) is not None:
        ctx.unimportable[where] = task.name
        results = _not_imported(checks, import_feedback(where, problem))
    else:
        examples, seconds = course.max_examples(task, profile), course.check_seconds(task)
        results = [
            run_check_in_budget(c, ctx, examples, seconds, submission, inputs=inputs, profile=profile) for c in checks
        ]
    score = round(task.points * paying_checks(checks, results) / len(results), 2)
    return TaskResult(task.assignment, task.name, score, task.points, task_status(results), results)


def _not_imported(checks: list[Check], told: str) -> list[CheckResult]:
    """The checks of a task whose file does not import: the first says why, the rest are not run."""
    return [CheckResult(translate(checks[0].name), False, told, "error")] + [
        CheckResult(translate(c.name), False, "", "error") for c in checks[1:]
    ]


def import_feedback(where: str, report: str) -> str:
    """What a student needs when a file does not import: which file, where (the traceback of
    their own lines) and what to do, once per file."""
    last = report.strip().splitlines()[-1] if report.strip() else ""
    if "utf-8" in last.lower() or "unicode" in last.lower():
        advice = _("save the file as UTF-8 (your editor's encoding setting), then submit it again")
    elif last.startswith(("SyntaxError", "IndentationError", "TabError")):
        advice = _(
            "fix the line shown (`python -m py_compile {file}` shows the same error), then submit it again"
        ).format(file=where)
    elif last.startswith(("ModuleNotFoundError", "ImportError")):
        advice = _(
            "your files run with numpy and the standard library only: import nothing else, and import "
            "your own files relatively (from ..a0_foundations.foundations import ...)"
        )
    else:
        advice = _("the code at the top level of the file runs when it is imported: fix the error shown")
    told = _("does not import: {file} could not be loaded, so none of its tasks was graded.").format(file=where)
    return "\n".join([told, report, _("To do: {advice}").format(advice=advice)])


def paying_checks(checks: list[Check], results: list[CheckResult]) -> int:
    """How many checks earn their share of the task's points: every passed comparison, and the
    passed diagnoses (pays_alone=False) only when all the task's comparisons passed; a passed
    diagnosis that earns nothing says so in its feedback."""
    comparisons = [c.name for c, r in zip(checks, results) if c.pays_alone]
    verified = all(r.passed for c, r in zip(checks, results) if c.pays_alone)
    paying = 0
    for check, result in zip(checks, results):
        if result.passed and (check.pays_alone or verified):
            paying += 1
        elif result.passed:
            result.feedback = _(
                "passed, but earns its points only once the comparisons of {task} pass: {checks}"
            ).format(task=check.task, checks="; ".join(map(translate, comparisons)))
    return paying


def grade(course: Course, student: Submission, tasks, *, profile: str = "full", inputs: Inputs = PRACTICE) -> dict:
    """Grade the given tasks of a submission on the practice or the official inputs; the result
    as plain JSON-ready data."""
    assignment_ids = list(dict.fromkeys(t.assignment for t in tasks))
    load_checks(assignment_ids)
    load_mistakes(assignment_ids)
    ctx = Context(course, student, reference(course))
    started = time.perf_counter()
    submission = Budget.from_now(course.budgets.submission_seconds)
    results = [grade_task(course, task, student, profile, ctx, submission, inputs) for task in tasks]
    graded = {
        "schema_version": SCHEMA_VERSION,
        "score": round(sum(r.score for r in results), 2),
        "max_score": round(sum(r.max_score for r in results), 2),
        "profile": profile,
        "inputs": inputs.kind,
        "tasks": [asdict(r) for r in results],
        "timing": {"seconds": round(time.perf_counter() - started, 3)},
    }
    lacking = environment.missing(dict.fromkeys(m for t in tasks for c in checks_for(t.name) for m in c.needs))
    if lacking:
        graded["environment"] = lacking
    return graded


def grade_folder(
    course: Course,
    path,
    names=None,
    *,
    profile: str = "full",
    isolated: bool = False,
    limits=None,
    sandbox: str = "auto",
    inputs: Inputs = PRACTICE,
) -> dict:
    """Grade the submission at path (tasks or assignments named, all when None) on these inputs:
    in this process, or (isolated) in a sandboxed worker process (see open_submission)."""
    submission = open_submission(course, path, isolated=isolated, limits=limits, sandbox=sandbox)
    try:
        return grade(course, submission, course.select(names), profile=profile, inputs=inputs)
    finally:
        submission.close()
