"""Official grading: student code runs in a separate, sandboxed worker process.

The grader stages the submission, starts a worker (autograder.execution.sandbox says how) and sends it
one request at a time: import a module, or call a task (or a method of an object it keeps).
Each reply must arrive within the wall-clock limit; a timeout, a crash, an exit or a malformed
reply costs that call only: the worker is killed, and the next call starts a fresh one.

Protocol (autograder.runtime.wire frames). Requests: {"id", "op": "import", "task", "module", "file",
"release"} and {"id", "op": "call", "task", "module", "file", "method", "args", "kwargs",
"opaque", "release"}, where "release" forgets the worker's handles first; both carry "random",
the grader's global random states, which the call starts from (None when the worker has them
already). Replies: {"id", "status": "ok", "value", "warnings", "after", "output"} (just {"id",
"status": "ok"} for an import), {"id", "status": "not_started"}, or {"id", "status": "error",
"kind", "report"}, each with "random", the states as the call left them (None: unchanged), which
the grader takes over. The worker announces itself with
{"status": "ready"}. Every reply is validated here, and whether a
call changed its arguments is decided here, from the values it sent and the "after" values.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from autograder.course.config import Course
from autograder.execution import sandbox
from autograder.execution.submission import CallAborted, OutOfTime, Reply, Submission, stage
from autograder.runtime import wire
from autograder.runtime.executor import OUTPUT_LIMIT, NotStarted, StudentError, changed_arguments
from autograder.runtime.language import _
from autograder.runtime.plain import Handle, any_plain, map_plain
from autograder.runtime.random_states import RandomStates

REPORT_LIMIT = 50_000  # characters of an error report accepted from the worker
KIND_LIMIT = 200


class _Unreadable(Exception):
    """The worker's reply broke the protocol."""


class _Ended(Exception):
    """The worker process ended, or did not answer in time, during a request."""

    def __init__(self, reason: str, timed_out: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out


_libc = None


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL it when the grader dies, so no worker outlives it."""
    global _libc
    try:
        _libc = _libc or ctypes.CDLL(None, use_errno=True)
        _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _exit_reason(returncode: int, bwrap: bool) -> str:
    """Why the worker ended, from its exit status (inside bubblewrap, a process killed by
    signal N ends bubblewrap with status 128 + N)."""
    number = -returncode if returncode < 0 else returncode - 128 if bwrap and 128 < returncode < 160 else 0
    if number:
        name = signal.Signals(number).name if number in signal.valid_signals() else f"signal {number}"
        why = {
            "SIGSEGV": _(": a crash inside the interpreter, such as a stack overflow"),
            "SIGXCPU": _(": over the CPU-time limit"),
        }.get(name, "")
        return _("crashed the worker process (killed by {signal}{why})").format(signal=name, why=why)
    return _("ended the worker process (exit code {code}: os._exit() or an exit outside the call)").format(
        code=returncode
    )


def _failed_to_start(error) -> str:
    return _("could not be run: the worker process failed to start ({error})").format(error=error)


class WorkerSubmission(Submission):
    """Runs student code in a sandboxed worker process, restarted after any failure."""

    def __init__(self, course: Course, path: Path, *, limits: sandbox.Limits | None = None, mode: str = "auto"):
        self.course = course
        self.path = Path(path)
        self.limits = limits or sandbox.Limits()
        self.bwrap = sandbox.choose_bwrap(mode)
        self._folder = Path(tempfile.mkdtemp(prefix="course-worker-"))
        sandbox.open_to_worker(self._folder, course.root.resolve(), self.bwrap)
        staged = self._folder / "staged"
        staged.mkdir()
        self.files = stage(course, self.path, staged)
        self._runtime = sandbox.runtime_folder(self._folder / "runtime")
        self._process: subprocess.Popen | None = None
        self._requests = self._replies = -1  # the running worker's pipe descriptors (ours)
        self._generation = 0  # how many workers were started
        self._starts = itertools.count(1)
        self._ids = itertools.count()
        self._imported: set[str] = set()  # modules imported by the current worker
        self._import_failures: dict[str, str] = {}  # module -> report, for the whole submission
        self._stuck: dict[str, str] = {}  # task -> why its calls are not made any more
        self._handles: dict[int, tuple[int, int]] = {}  # handle key -> (worker generation, its key)
        self._next_handle = itertools.count()
        self._release = False
        self._random = RandomStates()  # the global random states, kept in step with the worker's

    # ---- the Submission interface ----------------------------------------------------------

    def import_problem(self, task):
        module, file = self.submitted_module(task, None)
        if module in self._import_failures:
            return self._import_failures[module]
        try:
            self._ensure_started(task)
            if module not in self._imported:
                self._import(task, module, file)
        except StudentError as error:
            return error.report
        except (NotStarted, CallAborted):  # not started, or a worker that failed: the checks say so
            return None
        return None

    def call(self, task, args, kwargs, opaque=(), method=None):
        module, file = self.submitted_module(task, method)
        if task in self._stuck:
            raise CallAborted(task, self._stuck[task])
        if module in self._import_failures:
            raise StudentError(task, self._import_failures[module])
        self._check_deadline(task)
        sent_args = tuple(self._to_worker(task, a) for a in args)
        sent_kwargs = {k: self._to_worker(task, v) for k, v in kwargs.items()}
        self._ensure_started(task)
        if module not in self._imported:
            self._import(task, module, file)
        reply = self._request(
            task,
            {
                "op": "call",
                "task": task,
                "module": module,
                "file": file,
                "method": method,
                "args": sent_args,
                "kwargs": sent_kwargs,
                "opaque": list(opaque),
            },
        )
        return self._reply(task, reply, opaque, args[1:] if method else args, kwargs)

    def release_handles(self):
        self._handles.clear()
        self._release = True

    def close(self):
        self._stop(graceful=True)
        shutil.rmtree(self._folder, ignore_errors=True)

    # ---- the worker process ----------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """The running worker's process id (bwrap's, inside bubblewrap), or None."""
        return self._process.pid if self._process and self._process.poll() is None else None

    def _ensure_started(self, task: str) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        self._stop()
        number = next(self._starts)
        work = self._folder / f"work-{number}"
        work.mkdir()
        command = sandbox.worker_command(
            self._runtime,
            self._folder / "staged",
            work,
            self.limits,
            bwrap=self.bwrap,
            hide=[self.course.root.resolve()],
        )
        try:
            self._process = sandbox.start(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=None if self.bwrap else _die_with_parent,
            )
        except OSError as error:
            raise CallAborted(task, _failed_to_start(error)) from None
        self._generation = number
        self._imported = set()
        self._release = False
        self._random = RandomStates()  # a new worker's random states are its own: send the grader's
        assert self._process.stdin is not None and self._process.stdout is not None  # both were asked for
        self._requests, self._replies = self._process.stdin.fileno(), self._process.stdout.fileno()
        os.set_blocking(self._requests, False)  # writes wait in wire.send, by a deadline
        try:
            timeout = self.limits.startup_timeout
            ready = self._read(
                time.monotonic() + timeout, _("did not start within {seconds} s").format(seconds=f"{timeout:g}")
            )
        except (_Ended, _Unreadable) as error:
            self._stop()
            raise CallAborted(task, _failed_to_start(error)) from None
        if ready != {"status": "ready"}:
            self._stop()
            raise CallAborted(task, _("could not be run: the worker process failed to start"))

    def _stop(self, graceful: bool = False) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if graceful and process.poll() is None:
            if process.stdin is not None:
                process.stdin.close()  # the worker ends at the end of its input
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait()
        for stream in (process.stdin, process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

    def _ended(self) -> str:
        """Why the worker stopped talking: its exit status, once it has exited (it is killed if
        it does not within a second, having closed its end of the pipe)."""
        if self._process is None:
            return _("ended the worker process")
        try:
            return _exit_reason(self._process.wait(timeout=1), self.bwrap is not None)
        except subprocess.TimeoutExpired:
            return _("closed the worker's connection to the grader")

    def _read(self, deadline: float, late: str):
        """The next message from the worker by the time.monotonic() deadline (else _Ended(late ...))."""
        try:
            body = wire.receive(self._replies, deadline, self.limits.reply_mb * 2**20)
            return wire.parse(body, allow=wire.VALUE_TAGS | {"handle"})
        except TimeoutError:
            raise _Ended(late, True) from None
        except EOFError:
            raise _Ended(self._ended()) from None
        except wire.WireError as error:
            raise _Unreadable(str(error)) from None

    def _request(self, task: str, message: dict) -> dict:
        """Send a request and return the worker's reply, or abort the call (and the worker).

        The request is written and the reply read within one deadline, the limit per call: a
        worker that does not take the request (student code may shrink its pipe and sleep) costs
        that call as a timeout. Anything the worker sends before the request, and a reply that
        answers another request, costs this call as malformed."""
        number = next(self._ids)
        message = {"id": number, **message, "release": self._release, "random": self._random.outgoing()}
        self._release = False
        timeout, cut = self._reply_wait()
        deadline = time.monotonic() + timeout
        late = _("did not finish within {seconds} s").format(seconds=f"{timeout:g}")
        try:
            if select.select([self._replies], [], [], 0)[0]:
                raise _Unreadable(_("data sent before the request"))
            try:
                wire.send(self._requests, wire.frame(message), deadline)
            except TimeoutError:
                raise _Ended(late, True) from None
            reply = self._read(deadline, late)
            if (
                type(reply) is not dict
                or reply.get("id") != number
                or reply.get("status") not in ("ok", "not_started", "error")
            ):
                raise _Unreadable(_("not a reply to this call"))
            try:
                self._random.incoming(reply.pop("random", None))
            except (TypeError, ValueError, KeyError, IndexError, OverflowError):
                raise _Unreadable(_("a malformed random state")) from None
        except (BrokenPipeError, _Ended) as error:
            reason = error.reason if isinstance(error, _Ended) else self._ended()
            self._stop()
            if isinstance(error, _Ended) and error.timed_out and cut:  # the deadline's, not the student's fault
                raise OutOfTime(task) from None
            if isinstance(error, _Ended) and error.timed_out:  # one timeout per task, not one per check
                reason = _("{reason} (the limit per call): an endless loop?").format(reason=reason)
                self._stuck[task] = _("was not called again: an earlier call {reason}").format(reason=reason)
            raise CallAborted(task, reason) from None
        except _Unreadable as error:
            self._malformed(task, str(error))
        return reply

    def _reply_wait(self) -> tuple[float, bool]:
        """How long to wait for a reply: the limit per call, or what is left before the deadline
        when that comes first (then True: a call cut off there is out of time, not stuck)."""
        remaining = float("inf") if self.deadline is None else self.deadline - time.monotonic()
        return (remaining, True) if remaining < self.limits.timeout else (self.limits.timeout, False)

    def _import(self, task: str, module: str, file: str) -> None:
        try:
            reply = self._request(task, {"op": "import", "task": task, "module": module, "file": file})
        except CallAborted as aborted:  # remembered like any import error, so later calls fail at once
            self._import_failures[module] = _("{file} could not be imported: it {reason}").format(
                file=file, reason=aborted.reason
            )
            self._stuck.pop(task, None)
            raise StudentError(task, self._import_failures[module]) from None
        if reply["status"] == "ok":
            self._expect_fields(task, reply, {"id", "status"})
            self._imported.add(module)
        else:
            self._raise(task, reply)

    def _raise(self, task: str, reply: dict):
        if reply["status"] == "not_started":
            self._expect_fields(task, reply, {"id", "status"})
            raise NotStarted(task)
        self._expect_fields(task, reply, {"id", "status", "kind", "report"})
        kind, report = reply["kind"], reply["report"]
        if type(kind) is not str or type(report) is not str or len(kind) > KIND_LIMIT or len(report) > REPORT_LIMIT:
            self._malformed(task, _("a malformed error report"))
        raise StudentError(task, report, kind)

    # ---- translating values ----------------------------------------------------------------

    def _to_worker(self, task: str, value):
        """value with this side's handles replaced by the worker's own keys."""

        def translate(item):
            if not isinstance(item, Handle):
                return item
            generation, key = self._handles.get(item.key, (None, None))
            if generation != self._generation or self._process is None or self._process.poll() is not None:
                raise CallAborted(
                    task,
                    _(
                        "could not be called: an object it needs was lost when the worker "
                        "process ended after an earlier failure"
                    ),
                )
            return Handle(key)

        return map_plain(value, translate)

    def _keep(self, key: int) -> Handle:
        handle = Handle(next(self._next_handle))
        self._handles[handle.key] = (self._generation, key)
        return handle

    def _reply(self, task: str, reply: dict, opaque, args: tuple, kwargs: dict) -> Reply:
        if reply["status"] != "ok":
            self._raise(task, reply)
        self._expect_fields(task, reply, {"id", "status", "value", "warnings", "after", "output"})
        value, messages, after, output = (reply[k] for k in ("value", "warnings", "after", "output"))
        if (
            type(messages) is not list
            or not all(type(m) is str for m in messages)
            or type(after) is not list
            or len(after) != len(args) + len(kwargs)
            or _holds_handle(after)
            or type(output) is not str
            or len(output) > OUTPUT_LIMIT
        ):
            self._malformed(task, _("malformed call details"))
        # the worker's handles may stand only at the opaque positions of a returned tuple
        items = list(value) if type(value) is tuple and opaque else [value]
        for i, item in enumerate(items):
            kept = type(value) is tuple and i in opaque and type(item) is Handle
            if not kept and _holds_handle(item):
                self._malformed(task, _("a handle where none was asked for"))
            if kept:
                items[i] = self._keep(item.key)
        if type(value) is tuple and opaque:
            value = tuple(items)
        return Reply(value, tuple(messages), changed_arguments(args, kwargs, after), output)

    def _expect_fields(self, task: str, reply: dict, fields: set[str]) -> None:
        if set(reply) != fields:
            self._malformed(task, _("unexpected fields in a reply"))

    def _malformed(self, task: str, what: str):
        self._stop()
        raise CallAborted(task, _("sent data the grader cannot read ({what})").format(what=what))


def _holds_handle(value) -> bool:
    return any_plain(value, lambda item: type(item) is Handle)
