"""The side that runs student code: import the submission, call its functions, return plain data.

The Executor runs in two places. In the grader's own process, `InProcessSubmission` drives it
directly (fast self-checks, no isolation). In official grading the worker process's main
program (worker_main) drives it, where this package is the only grader code present: it
imports nothing but the standard library, numpy and its siblings, which hold no reference code
(autograder.execution.sandbox copies exactly this package into the sandbox). Both places share
this code, so both give the same results, output and errors.

Nothing here decides a grade. In the worker, the student's code shares the process with this
module and can rewrite it; the grader therefore treats every reply as untrusted data.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import itertools
import linecache
import sys
import traceback
import warnings
from pathlib import Path

import numpy as np

from . import probes
from .language import _
from .plain import Handle, Probe, any_plain, map_plain, same_plain, to_plain

OUTPUT_LIMIT = 10_000  # characters of a call's captured stdout/stderr (or an error message) kept


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


FRAME_LIMIT = 20  # frames of the student's own shown in a traceback: the first and last ten


def _own_frames(error: BaseException, root: Path) -> list[tuple[str, int, str]]:
    """(relative file, line, function) of the traceback's frames inside root, a run of the same
    frame (recursion) kept once with ("", repeats, "") after it."""
    relative_of: dict[str, str | None] = {}
    frames: list[tuple[str, int, str]] = []
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if filename not in relative_of:
            try:
                if filename.startswith("<"):  # <frozen importlib._bootstrap>, <string>: no file of theirs
                    raise ValueError(filename)
                relative_of[filename] = Path(filename).resolve().relative_to(root).as_posix()
            except (ValueError, OSError):
                relative_of[filename] = None
        relative = relative_of[filename]
        if relative is None:
            continue
        entry = (relative, lineno, frame.f_code.co_name)
        if frames and frames[-1][0] == "" and frames[-2] == entry:
            frames[-1] = ("", frames[-1][1] + 1, "")
        elif frames and frames[-1] == entry:
            frames.append(("", 1, ""))
        else:
            frames.append(entry)
    return frames


def trim_traceback(error: BaseException, root: Path) -> str:
    """The traceback's frames inside the submission only, with paths relative to it."""
    root = root.resolve()
    frames = _own_frames(error, root)
    if len(frames) > FRAME_LIMIT:
        hidden = len(frames) - FRAME_LIMIT
        frames = frames[: FRAME_LIMIT // 2] + [("...", hidden, "")] + frames[-FRAME_LIMIT // 2 :]
    lines = []
    for relative, lineno, name in frames:
        if relative == "":
            repeated = (
                _("[the line above repeated {count} more times]")
                if lineno > 1
                else _("[the line above repeated {count} more time]")
            )
            lines.append("  " + repeated.format(count=lineno))
        elif relative == "...":
            lines.append("  " + _("... ({count} more frames) ...").format(count=lineno))
        else:
            lines.append(f'  File "{relative}", line {lineno}, in {name}')
            source = linecache.getline(str(root / relative), lineno).strip()
            if source:
                lines.append(f"    {source}")
    if isinstance(error, SyntaxError) and error.filename:
        try:
            relative = Path(error.filename).resolve().relative_to(root).as_posix()
        except ValueError:
            relative = Path(error.filename).name
        lines.append(f'  File "{relative}", line {error.lineno}')
        if error.text:
            lines.append(f"    {error.text.strip()}")
    try:
        message = "".join(traceback.format_exception_only(type(error), error)).strip().splitlines()[-1]
    except Exception:  # noqa: BLE001 - a student exception whose __str__ raises
        message = type(error).__name__
    message = message[:OUTPUT_LIMIT]
    return "\n".join([_("Traceback (your code only):"), *lines, message] if lines else [message])


_package_counter = itertools.count()


def load_package(root: Path, prefix: str = "_course_submission") -> str:
    """Register the package tree at root under a fresh module name and return that name."""
    name = f"{prefix}_{next(_package_counter)}"
    spec = importlib.util.spec_from_file_location(name, root / "__init__.py", submodule_search_locations=[str(root)])
    if spec is None or spec.loader is None:
        raise ImportError(f"{root}: not a package folder")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return name


class BoundedText(io.TextIOBase):
    """A text sink keeping only the first `limit` characters written to it."""

    def __init__(self, limit: int = OUTPUT_LIMIT):
        super().__init__()
        self._parts: list[str] = []
        self._room = limit

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        if self._room > 0:
            self._parts.append(text[: self._room])
            self._room -= len(self._parts[-1])
        return len(text)

    def getvalue(self) -> str:
        return "".join(self._parts)


class Executor:
    """Calls the functions of a staged submission package on private copies of the arguments.

    Modules are named by their key ("a0_foundations.foundations") and file ("foundations.py");
    objects a call returns at `opaque` positions stay here behind handles until `release`.
    """

    def __init__(self, root: Path, package: str):
        self.root = Path(root)
        self.package = package
        self._modules: dict[str, object] = {}
        self._handles: dict[int, object] = {}
        self._next_handle = itertools.count()

    def module(self, task: str, module_key: str, file: str):
        """The imported student module; import errors are remembered and raised again."""
        if module_key not in self._modules:
            try:
                with _quiet():
                    self._modules[module_key] = importlib.import_module(f"{self.package}.{module_key}")
            except NotImplementedError:
                raise NotStarted(task) from None
            except BaseException as error:  # noqa: BLE001 - anything a student module does on import
                if isinstance(error, KeyboardInterrupt):
                    raise
                self._modules[module_key] = StudentError(
                    task, _("{file} could not be imported:").format(file=file) + "\n" + trim_traceback(error, self.root)
                )
        module = self._modules[module_key]
        if isinstance(module, StudentError):
            raise StudentError(task, module.report)
        return module

    def function(self, task: str, module_key: str, file: str):
        """The student's function (or class) named task, from its module."""
        found = getattr(self.module(task, module_key, file), task, None)
        if not callable(found):
            raise StudentError(task, _("{file} defines no function or class named {task}").format(file=file, task=task))
        return found

    def _private(self, task: str, value):
        """What the callee gets for an argument: a private plain copy of it, with the objects
        behind its handles and the callables its probes name (also inside lists, tuples and
        dicts, such as a list of parameters)."""

        if type(value) is np.ndarray:  # most arguments: the copy to_plain makes
            return to_plain(value)

        def leaf(item):
            if isinstance(item, Handle):
                if item.key not in self._handles:
                    raise StudentError(task, _("an object this call needs is gone (released or lost)"))
                return self._handles[item.key]
            if isinstance(item, Probe):
                return probes.build(item)
            return to_plain(item)

        return map_plain(value, leaf)

    def _keep(self, value) -> Handle:
        handle = Handle(next(self._next_handle))
        self._handles[handle.key] = value
        return handle

    def call(
        self,
        task: str,
        module_key: str,
        file: str,
        args: tuple,
        kwargs: dict,
        opaque: tuple[int, ...] = (),
        method: str | None = None,
    ):
        """(value, warnings, changed, output) of task(*args, **kwargs), or of the method of the
        object behind the Handle args[0] (see Submission.call); changed names the arguments the
        call changed in place (see changed_arguments)."""
        if method is None:
            function = self.function(task, module_key, file)
        else:
            target, args = self._private(task, args[0]), args[1:]
            function = None
        passed_args = [self._private(task, a) for a in args]
        passed_kwargs = {k: self._private(task, v) for k, v in kwargs.items()}
        captured = BoundedText()
        numpy_errors = np.geterr()
        # sys.stdout and sys.stderr are swapped by hand, not with contextlib.redirect_*: the same,
        # at a fifth of the cost, on every call of student code
        stdout, stderr = sys.stdout, sys.stderr
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sys.stdout = sys.stderr = captured
            try:
                if function is None:  # looked up here: a student's __getattr__ may raise
                    function = getattr(target, str(method))
                result = function(*passed_args, **passed_kwargs)
            except NotImplementedError:
                raise NotStarted(task) from None
            except (Exception, SystemExit) as error:  # noqa: BLE001 - student code may raise anything, or exit
                raise StudentError(task, trim_traceback(error, self.root), type(error).__name__) from None
            finally:
                sys.stdout, sys.stderr = stdout, stderr
                if np.geterr() != numpy_errors:  # numpy's error state (np.seterr) as it was, whatever student code set
                    np.seterr(**numpy_errors)
        if opaque:
            parts = list(result) if type(result) is tuple else [result]
            if len(parts) <= max(opaque):
                value = to_plain(result)
            else:
                value = tuple(self._keep(p) if i in opaque else to_plain(p) for i, p in enumerate(parts))
        else:
            value = to_plain(result)
        changed = changed_arguments(args, kwargs, [*passed_args, *passed_kwargs.values()])
        messages = tuple(sorted({f"{w.category.__name__}: {w.message}" for w in caught}))
        return value, messages, changed, captured.getvalue()

    def release(self) -> None:
        """Forget every object kept behind a handle."""
        self._handles.clear()


def argument_names(args, kwargs) -> list[str]:
    """How feedback names the arguments of a call: "argument 1", ..., then keyword names."""
    return [f"argument {i + 1}" for i in range(len(args))] + list(kwargs)


def changed_arguments(args, kwargs, now: list) -> tuple[str, ...]:
    """The names of the arguments whose value after the call (`now`: the private copies the
    callee got, in order) differs from the value given; handles and probes are not compared."""
    changed = [i for i, pair in enumerate(zip([*args, *kwargs.values()], now)) if not _unchanged(*pair)]
    if not changed:  # most calls: no names made
        return ()
    names = argument_names(args, kwargs)
    return tuple(names[i] for i in changed)


def _unchanged(original, value) -> bool:
    """Whether the callee's copy `value` of an argument still equals it (true of one that is or
    holds a handle or probe: those are not compared)."""
    if type(original) is np.ndarray and type(value) is np.ndarray:
        # the callee's own array, changed in place at most (its dtype and shape too): compared
        # as is, it compares as its plain copy would (to_plain makes an ndarray of a kind it
        # lets through, or a Foreign, which same_plain finds unequal anyway)
        return same_plain(original, value)
    return _holds_objects(original) or same_plain(to_plain(original), to_plain(value))


def _holds_objects(argument) -> bool:
    """Whether an argument is or contains a handle or probe (objects the callee may change)."""
    return any_plain(argument, lambda item: isinstance(item, (Handle, Probe)))


@contextlib.contextmanager
def _quiet():
    """Output while importing a student module is dropped."""
    with contextlib.redirect_stdout(BoundedText(0)), contextlib.redirect_stderr(BoundedText(0)):
        yield
