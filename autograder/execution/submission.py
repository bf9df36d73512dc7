"""Find and load a submission, and call its functions through a handle.

A submission is a course tree (a folder holding assignments/), an assignments/ folder itself,
or a folder of loose student files matched by file name (file names are unique across the
course). It is staged into a fresh folder laid out as the course's assignments package, so
relative imports between student files work whatever shape the upload had.

Checks only ever see the `Submission` interface: `call` returns plain data (see autograder/runtime/plain.py),
opaque results stay behind handles. `InProcessSubmission` (in_process.py) runs student code in this process;
`WorkerSubmission` (worker_client.py) runs it in a sandboxed worker process. Both call it
through `autograder.runtime.executor.Executor`, so both give the same results.
"""

from __future__ import annotations

import functools
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.config import Course
from autograder.runtime.executor import OUTPUT_LIMIT, NotStarted, StudentError
from autograder.runtime.language import _

__all__ = [
    "FILE_LIMIT",
    "OUTPUT_LIMIT",
    "Call",
    "CallAborted",
    "NotStarted",
    "OutOfTime",
    "Reply",
    "StudentError",
    "Submission",
    "SubmissionError",
    "course_data",
    "locate_files",
    "stage",
]


FILE_LIMIT = 2 * 2**20  # bytes: a student file larger than this makes the submission unreadable
DATA_SUFFIXES = (".npz",)  # data files of an assignment folder, staged beside the student's files


class SubmissionError(Exception):
    """The submission cannot be read at all (missing folder, nothing recognisable in it)."""


@dataclass(frozen=True)
class Reply:
    value: object
    warnings: tuple[str, ...] = ()
    mutated: tuple[str, ...] = ()  # arguments the call changed in place ("x", "state")
    output: str = ""


@dataclass(frozen=True)
class Call:
    """One call of student code, as Submission.call takes it."""

    task: str
    args: tuple
    kwargs: dict = field(default_factory=dict)
    opaque: tuple[int, ...] = ()
    method: str | None = None


def locate_files(course: Course, path: Path) -> dict[tuple[str, str], Path]:
    """(assignment, file name) -> the submitted file, for every course file found under path.

    Only regular files inside the submission count: a symbolic link (to the reference, say, at a
    path guessed on the grading machine), or a file reached through one, is ignored."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(_("{path}: no such file or folder").format(path=path))
    if not path.is_dir():
        raise SubmissionError(
            _("{path}: expected a folder (a course tree or a folder of student files)").format(path=path)
        )
    root = path.resolve()

    def genuine(candidate: Path) -> bool:
        return candidate.is_file() and not candidate.is_symlink() and candidate.resolve().is_relative_to(root)

    wanted = {(a.id, f) for a in course.assignments for f in a.files}
    found: dict[tuple[str, str], Path] = {}
    for base in (path / "assignments", path):
        for assignment_id, file_name in wanted:
            candidate = base / assignment_id / file_name
            if (assignment_id, file_name) not in found and genuine(candidate):
                found[(assignment_id, file_name)] = candidate
    if not found:
        # loose files, possibly in sub-folders (an LMS export): match by unique file name
        by_name = {f: a for a, f in wanted}
        for candidate in sorted(path.rglob("*.py")):
            owner = by_name.get(candidate.name)
            if owner is None or "__pycache__" in candidate.parts or not genuine(candidate):
                continue
            found.setdefault((owner, candidate.name), candidate)
    for candidate in found.values():
        if candidate.stat().st_size > FILE_LIMIT:
            raise SubmissionError(_("{path}: larger than {size} MiB").format(path=candidate, size=FILE_LIMIT // 2**20))
    return found


def course_data(course: Course, assignment_id: str) -> list[Path]:
    """The data files the course ships with an assignment (a6's digits.npz), which the given code
    of its files reads from beside itself: the course's own copy (solutions/, else the released
    assignments/ of a student bundle), never a submitted one."""
    for base in (course.root / "solutions", course.root / "assignments"):
        if (base / assignment_id).is_dir():
            return sorted(p for p in (base / assignment_id).iterdir() if p.suffix in DATA_SUFFIXES and p.is_file())
    return []


def stage(course: Course, path: Path, into: Path) -> set[tuple[str, str]]:
    """Copy the submission's course files, and the course's data files beside them, into a
    package tree at `into`; returns the files found."""
    found = locate_files(course, path)
    (into / "__init__.py").write_text("")
    for assignment in course.assignments:
        folder = into / assignment.id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text("")
        for data in course_data(course, assignment.id):
            shutil.copyfile(data, folder / data.name)
    for (assignment_id, file_name), source in found.items():
        shutil.copyfile(source, into / assignment_id / file_name)
    return set(found)


class CallAborted(BaseException):
    """A call that did not complete: timeout, crash, exit, malformed reply, lost object.

    A BaseException so that Hypothesis stops at once: the case is not shrunk, which would
    repeat the timeout or crash again and again."""

    def __init__(self, function: str, reason: str):
        super().__init__(reason)
        self.function = function
        self.reason = reason


class OutOfTime(BaseException):
    """The deadline set with Submission.set_deadline passed: before a call, or during one (which
    is then cut off). A BaseException for the reason CallAborted is one; not a CallAborted, so that
    nothing takes it for a fault of the student's code (a failed import, a stuck task)."""

    def __init__(self, function: str):
        super().__init__(function)
        self.function = function


FAILURES = (Exception, NotStarted, CallAborted, OutOfTime)  # what a call of student code may raise


class Submission:
    """The interface checks use to reach student code."""

    deadline: float | None = None  # time.monotonic() past which calls raise OutOfTime

    def set_deadline(self, deadline: float | None) -> None:
        """Make calls raise OutOfTime from time.monotonic() = deadline on (None: no deadline).
        In a worker a call in progress is cut off at the deadline; in process, where a call cannot
        be interrupted, the deadline is checked before each call."""
        self.deadline = deadline

    def _check_deadline(self, task: str) -> None:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise OutOfTime(task)

    def call(
        self, task: str, args: tuple, kwargs: dict, opaque: tuple[int, ...] = (), method: str | None = None
    ) -> Reply:
        """Run the student's task(*args, **kwargs) on private copies; the result as plain data,
        with the items at `opaque` positions of a returned tuple kept behind handles.

        With `method`, args[0] is a Handle to an object that task returned (an instance of the
        student's class task) and its method is called with the rest: `method="step"` runs
        obj.step(*args[1:]), `method="__getattribute__"` reads an attribute."""
        raise NotImplementedError

    course: Course
    files: set[tuple[str, str]]  # (assignment, file name) of every course file submitted

    def present(self, task: str) -> bool:
        """Whether the file that should hold task was submitted."""
        spec = self.course.task(task)
        return (spec.assignment, spec.file) in self.files

    def submitted_module(self, task: str, method: str | None) -> tuple[str, str]:
        """(module key, file name) of task ("a0_foundations.foundations", "foundations.py");
        StudentError when a function, not a method of an object already made, is asked of a
        file that was not submitted."""
        spec = self.course.task(task)
        if method is None and not self.present(task):
            raise StudentError(task, _("{file} was not submitted").format(file=f"{spec.assignment}/{spec.file}"))
        return _module_key(spec.assignment, spec.file), spec.file

    def import_problem(self, task: str) -> str | None:
        """Why the submitted file that holds task cannot be imported (its trimmed traceback), or
        None when it imports (or raises NotImplementedError at import: not started)."""
        raise NotImplementedError

    def call_many(self, calls: Sequence[Call]) -> Iterator[Reply]:
        """The replies of the calls, made one after another before the first reply is read (a
        worker gets them in one message), stopping at the first that fails, which raises when
        its reply is reached; the calls after it are not made.

        Every call of the list is made whatever the caller reads of the replies, so that the same
        student code runs in every kind of submission."""
        return _replies(self._outcomes(calls))

    def _outcomes(self, calls: Sequence[Call]) -> list[Reply | BaseException]:
        """The reply of each call made, up to and including the failure that ends them."""
        outcomes: list[Reply | BaseException] = []
        for call in calls:
            try:
                outcomes.append(self.call(call.task, call.args, call.kwargs, call.opaque, call.method))
            except FAILURES as failure:
                outcomes.append(failure)
                break
        return outcomes

    def release_handles(self) -> None:
        """Forget every object kept behind a handle (called after each checked case)."""
        raise NotImplementedError

    def close(self) -> None:
        pass


@functools.cache
def _module_key(assignment: str, file: str) -> str:
    """The key of an assignment's module ("a0_foundations.foundations"): made once, asked of
    every call."""
    return f"{assignment}.{Path(file).stem}"


def _replies(outcomes: list) -> Iterator[Reply]:
    """The replies in order, raising the failure that ends them where it stands."""
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
        yield outcome
