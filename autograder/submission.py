"""Find and load a submission, and call its functions through a handle.

A submission is a course tree (a folder holding assignments/), an assignments/ folder itself,
or a folder of loose student files matched by file name (file names are unique across the
course). It is staged into a fresh folder laid out as the course's assignments package, so
relative imports between student files work whatever shape the upload had.

Checks only ever see the `Submission` interface: `call` returns plain data (see plain.py),
opaque results stay behind handles. `InProcessSubmission` runs student code in this process.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import itertools
import shutil
import sys
import tempfile
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import probes
from .config import Course, Task
from .plain import Handle, Probe, same_plain, to_plain

OUTPUT_LIMIT = 10_000  # characters of a call's captured stdout/stderr kept for feedback


class SubmissionError(Exception):
    """The submission cannot be read at all (missing folder, nothing recognisable in it)."""


class NotStarted(BaseException):
    """Student code raised NotImplementedError.

    A BaseException so that Hypothesis stops at once instead of shrinking a stub.
    """

    def __init__(self, function: str):
        super().__init__(function)
        self.function = function


class StudentError(Exception):
    """Student code raised, or could not be imported; `report` is the trimmed traceback."""

    def __init__(self, function: str, report: str, kind: str = ""):
        super().__init__(report)
        self.function = function
        self.report = report
        self.kind = kind  # the exception's class name


@dataclass(frozen=True)
class Reply:
    value: object
    warnings: tuple[str, ...] = ()
    mutated: tuple[str, ...] = ()  # arguments the call changed in place ("x", "state")
    output: str = ""


def locate_files(course: Course, path: Path) -> dict[tuple[str, str], Path]:
    """(assignment, file name) -> the submitted file, for every course file found under path."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"{path}: no such file or folder")
    if not path.is_dir():
        raise SubmissionError(f"{path}: expected a folder (a course tree or a folder of student files)")
    wanted = {(a.id, f) for a in course.assignments for f in a.files}
    found: dict[tuple[str, str], Path] = {}
    for base in (path / "assignments", path):
        for assignment_id, file_name in wanted:
            candidate = base / assignment_id / file_name
            if (assignment_id, file_name) not in found and candidate.is_file():
                found[(assignment_id, file_name)] = candidate
    if not found:
        # loose files, possibly in sub-folders (an LMS export): match by unique file name
        by_name = {f: a for a, f in wanted}
        for candidate in sorted(path.rglob("*.py")):
            key = (by_name.get(candidate.name), candidate.name)
            if key[0] is not None and key not in found and "__pycache__" not in candidate.parts:
                found[key] = candidate
    return found


def stage(course: Course, path: Path, into: Path) -> set[tuple[str, str]]:
    """Copy the submission's course files into a package tree at `into`; returns what was found."""
    found = locate_files(course, path)
    (into / "__init__.py").write_text("")
    for assignment in course.assignments:
        folder = into / assignment.id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text("")
    for (assignment_id, file_name), source in found.items():
        shutil.copyfile(source, into / assignment_id / file_name)
    return set(found)


_package_counter = itertools.count()


def load_package(root: Path, prefix: str = "_course_submission") -> str:
    """Register the package tree at root under a fresh module name and return that name."""
    name = f"{prefix}_{next(_package_counter)}"
    spec = importlib.util.spec_from_file_location(
        name, root / "__init__.py", submodule_search_locations=[str(root)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return name


def trim_traceback(error: BaseException, root: Path) -> str:
    """The traceback's frames inside the submission only, with paths relative to it."""
    lines = []
    for frame in traceback.extract_tb(error.__traceback__):
        try:
            relative = Path(frame.filename).resolve().relative_to(root.resolve())
        except ValueError:
            continue
        lines.append(f'  File "{relative.as_posix()}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    if isinstance(error, SyntaxError) and error.filename:
        try:
            relative = Path(error.filename).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            relative = Path(error.filename).name
        lines.append(f'  File "{relative}", line {error.lineno}')
        if error.text:
            lines.append(f"    {error.text.strip()}")
    message = "".join(traceback.format_exception_only(type(error), error)).strip().splitlines()[-1]
    return "\n".join(["Traceback (your code only):", *lines, message] if lines else [message])


class Submission:
    """The interface checks use to reach student code."""

    def call(self, task: str, args: tuple, kwargs: dict, opaque: tuple[int, ...] = (),
             method: str | None = None) -> Reply:
        """Run the student's task(*args, **kwargs) on private copies; the result as plain data,
        with the items at `opaque` positions of a returned tuple kept behind handles.

        With `method`, args[0] is a Handle to an object that task returned (an instance of the
        student's class task) and its method is called with the rest: `method="step"` runs
        obj.step(*args[1:]), `method="__getattribute__"` reads an attribute."""
        raise NotImplementedError

    def present(self, task: str) -> bool:
        """Whether the file that should hold task was submitted."""
        raise NotImplementedError

    def release_handles(self) -> None:
        """Forget every object kept behind a handle (called after each checked case)."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class InProcessSubmission(Submission):
    """Runs student code in this process (fast self-checks; no isolation)."""

    def __init__(self, course: Course, path: Path, *, prefix: str = "_course_submission"):
        self.course = course
        self.path = Path(path)
        self._staging = Path(tempfile.mkdtemp(prefix="course-submission-"))
        self.files = stage(course, self.path, self._staging)
        self._package = load_package(self._staging, prefix)
        self._modules: dict[str, object] = {}
        self._handles: dict[int, object] = {}
        self._next_handle = itertools.count()

    def present(self, task: str) -> bool:
        spec = self.course.task(task)
        return (spec.assignment, spec.file) in self.files

    def _module(self, spec: Task):
        key = f"{spec.assignment}.{Path(spec.file).stem}"
        if key not in self._modules:
            try:
                with _quiet():
                    self._modules[key] = importlib.import_module(f"{self._package}.{key}")
            except NotImplementedError:
                raise NotStarted(spec.name) from None
            except BaseException as error:  # noqa: BLE001 - anything a student module does on import
                if isinstance(error, KeyboardInterrupt):
                    raise
                self._modules[key] = StudentError(spec.name, f"{spec.file} could not be imported:\n"
                                                  + trim_traceback(error, self._staging))
        module = self._modules[key]
        if isinstance(module, StudentError):
            raise StudentError(spec.name, module.report)
        return module

    def function(self, task: str):
        spec = self.course.task(task)
        if not self.present(task):
            raise StudentError(task, f"{spec.assignment}/{spec.file} was not submitted")
        module = self._module(spec)
        found = getattr(module, task, None)
        if not callable(found):
            raise StudentError(task, f"{spec.file} defines no function or class named {task}")
        return found

    def _resolve(self, value):
        if isinstance(value, Handle):
            return self._handles[value.key]
        if type(value) in (tuple, list):
            return type(value)(self._resolve(item) for item in value)
        if type(value) is dict:
            return {key: self._resolve(item) for key, item in value.items()}
        return probes.materialize(value)

    def _keep(self, value) -> Handle:
        handle = Handle(next(self._next_handle))
        self._handles[handle.key] = value
        return handle

    def call(self, task, args, kwargs, opaque=(), method=None):
        if method is None:
            function = self.function(task)
        else:
            target, args = self._resolve(args[0]), args[1:]
            function = None
        given = {**{f"argument {i + 1}": a for i, a in enumerate(args)}, **kwargs}
        passed_args = [self._resolve(_prepare(a)) for a in args]
        passed_kwargs = {k: self._resolve(_prepare(v)) for k, v in kwargs.items()}
        captured = io.StringIO()
        with warnings.catch_warnings(record=True) as caught, _guard_numpy(), \
                contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            warnings.simplefilter("always")
            try:
                if function is None:  # looked up here: a student's __getattr__ may raise
                    function = getattr(target, method)
                result = function(*passed_args, **passed_kwargs)
            except NotImplementedError:
                raise NotStarted(task) from None
            except (Exception, SystemExit) as error:  # noqa: BLE001 - student code may raise anything, or exit
                raise StudentError(task, trim_traceback(error, self._staging), type(error).__name__) from None
        if opaque:
            parts = list(result) if type(result) is tuple else [result]
            if len(parts) <= max(opaque):
                value = to_plain(result)
            else:
                value = tuple(self._keep(p) if i in opaque else to_plain(p) for i, p in enumerate(parts))
        else:
            value = to_plain(result)
        names = list(given)
        mutated = tuple(
            name for name, original, now in zip(names, [*args, *kwargs.values()], [*passed_args, *passed_kwargs.values()])
            if not _holds_objects(original) and not same_plain(to_plain(original), to_plain(now))
        )
        messages = tuple(sorted({f"{w.category.__name__}: {w.message}" for w in caught}))
        return Reply(value, messages, mutated, captured.getvalue()[:OUTPUT_LIMIT])

    def release_handles(self):
        self._handles.clear()

    def close(self):
        self._handles.clear()
        for name in [n for n in sys.modules if n == self._package or n.startswith(self._package + ".")]:
            del sys.modules[name]
        shutil.rmtree(self._staging, ignore_errors=True)


def _prepare(argument):
    """A private plain copy of an argument; handles and probes (also inside lists, tuples and
    dicts, such as a list of parameters) are kept, to be resolved on this side."""
    if isinstance(argument, (Handle, Probe)):
        return argument
    if type(argument) in (tuple, list):
        return type(argument)(_prepare(item) for item in argument)
    if type(argument) is dict and all(type(key) is str for key in argument):
        return {key: _prepare(item) for key, item in argument.items()}
    return to_plain(argument)


def _holds_objects(argument) -> bool:
    """Whether an argument is or contains a handle or probe (objects the callee may change)."""
    if isinstance(argument, (Handle, Probe)):
        return True
    if type(argument) in (tuple, list):
        return any(_holds_objects(item) for item in argument)
    if type(argument) is dict:
        return any(_holds_objects(item) for item in argument.values())
    return False


@contextlib.contextmanager
def _guard_numpy():
    """numpy's error state (np.seterr) is restored after student code, whatever it set."""
    state = np.geterr()
    try:
        yield
    finally:
        np.seterr(**state)


@contextlib.contextmanager
def _quiet():
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def open_submission(course: Course, path: Path) -> Submission:
    submission = InProcessSubmission(course, path)
    if not submission.files:
        submission.close()
        raise SubmissionError(f"{path}: none of the course's files ({', '.join(sorted({f for a in course.assignments for f in a.files}))}) found")
    return submission


