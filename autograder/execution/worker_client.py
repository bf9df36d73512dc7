"""Official grading: student code runs in a separate, sandboxed worker process.

The grader stages the submission, starts a worker (autograder.execution.sandbox says how) and sends it
one request at a time: import a module, or make calls of tasks (or of methods of objects it
keeps), one after another. Each reply must arrive within the wall-clock limit per call; a
timeout, a crash, an exit or a malformed reply costs that call only: the worker is killed, and
the next call starts a fresh one.

Protocol (autograder.runtime.wire frames). Requests: {"id", "op": "import", "task", "module",
"file"} and {"op": "calls", "calls": [{"id", "task", "module", "file", "method", "args",
"kwargs", "opaque"}, ...]}, both with "release", which forgets the worker's handles first, and
"random", the grader's global random states, which the first call starts from (None when the
worker has them already). The worker answers an import, and each call in turn until one fails
(the calls after it are not made; it may write the replies of a run of calls of one task
together, see _exchange_calls): {"id", "status": "ok", "value", "warnings", "changed",
"output"} (just {"id", "status": "ok"} for an import), {"id", "status": "not_started"}, or
{"id", "status": "error", "kind", "report"}, each with "random": on the last reply made for a
message, the states as its call left them (None: unchanged), which the grader takes over once
it has read every reply of the message; None on the others. The worker announces itself with
{"status": "ready"}. Every reply is validated here. "changed" names the arguments the call
changed in place, as autograder.runtime.executor.changed_arguments decides in the worker: a
worker could as well send back the values it was given, so the grader trusts no more by not
comparing them itself, and keeps the arrays off the wire.
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
from collections.abc import Iterator
from pathlib import Path

from autograder.course.config import Course
from autograder.execution import sandbox
from autograder.execution.submission import FAILURES, Call, CallAborted, OutOfTime, Reply, Submission, stage
from autograder.runtime import wire
from autograder.runtime.executor import OUTPUT_LIMIT, NotStarted, StudentError, argument_names
from autograder.runtime.language import _
from autograder.runtime.plain import Handle, any_plain, map_plain
from autograder.runtime.random_states import RandomStates

REPORT_LIMIT = 50_000  # characters of an error report accepted from the worker
KIND_LIMIT = 200
CALLS_PER_MESSAGE = 100  # calls sent in one message (wire.MAX_VALUES bounds a message's size)


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
        self._rest = bytearray()  # what the worker sent beyond the reply read last
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
        return next(self.call_many([Call(task, args, kwargs, opaque, method)]))

    def _outcomes(self, calls):
        outcomes: list[Reply | BaseException] = []
        for start in range(0, len(calls), CALLS_PER_MESSAGE):
            sent: list[tuple[Call, dict]] = []
            failure = None
            for call in calls[start : start + CALLS_PER_MESSAGE]:
                try:
                    sent.append((call, self._entry(call)))
                except FAILURES as error:  # raised where the call stands, after the calls before it
                    failure = error
                    break
            if sent and not self._exchange_calls(sent, outcomes):
                return outcomes
            if failure is not None:
                outcomes.append(failure)
                return outcomes
        return outcomes

    def _entry(self, call: Call) -> dict:
        """The call as the worker takes it, once the worker is running and has imported the
        module; the failures a call meets before it is made raise here."""
        module, file = self.submitted_module(call.task, call.method)
        if call.task in self._stuck:
            raise CallAborted(call.task, self._stuck[call.task])
        if module in self._import_failures:
            raise StudentError(call.task, self._import_failures[module])
        self._check_deadline(call.task)
        sent_args = tuple(self._to_worker(call.task, a) for a in call.args)
        sent_kwargs = {k: self._to_worker(call.task, v) for k, v in call.kwargs.items()}
        self._ensure_started(call.task)
        if module not in self._imported:
            self._import(call.task, module, file)
        return {
            "id": next(self._ids),
            "task": call.task,
            "module": module,
            "file": file,
            "method": call.method,
            "args": sent_args,
            "kwargs": sent_kwargs,
            "opaque": list(call.opaque),
        }

    def _exchange_calls(self, sent: list[tuple[Call, dict]], outcomes: list) -> bool:
        """Send the calls in one message and add an outcome per reply to outcomes; False when
        one failed (the worker makes no call after it).

        The worker may write the replies of a run of calls of one task together
        (worker_main.HOLD): a call that hangs or crashes the worker then takes the run's
        unwritten replies with it. So the outcome of a call whose reply never came (a timeout, a
        crash, data the grader cannot read) stands for the whole run of calls of its task
        before it in the message, whichever of their replies were read: the same outcome
        however the worker's writes fell."""
        entries = [entry for _call, entry in sent]
        replies = self._exchange({"op": "calls", "calls": entries}, [(e["task"], e["id"]) for e in entries])
        run = len(outcomes)  # where the run of calls of one task the next call belongs to began
        for i, (call, _entry) in enumerate(sent):
            if i and call.task != sent[i - 1][0].task:
                run = len(outcomes)
            try:
                reply = next(replies)
            except (CallAborted, OutOfTime) as aborted:
                del outcomes[run:]
                outcomes.append(aborted)
                return False
            try:
                args = call.args[1:] if call.method else call.args
                outcomes.append(self._reply(call.task, reply, call.opaque, args, call.kwargs))
            except FAILURES as failure:
                outcomes.append(failure)
                return False
        return True

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
        self._rest = bytearray()
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
            body = wire.receive(self._replies, deadline, self.limits.reply_mb * 2**20, self._rest)
            return wire.parse(body, allow=wire.VALUE_TAGS | {"handle"})
        except TimeoutError:
            raise _Ended(late, True) from None
        except EOFError:
            raise _Ended(self._ended()) from None
        except wire.WireError as error:
            raise _Unreadable(str(error)) from None

    def _request(self, task: str, message: dict) -> dict:
        """Send a request and return the worker's reply (see _exchange)."""
        number = next(self._ids)
        return next(self._exchange({"id": number, **message}, [(task, number)]))

    def _exchange(self, message: dict, expected: list[tuple[str, int]]) -> Iterator[dict]:
        """Send a request, then yield the worker's replies to it, one per (task, id) expected in
        turn, or abort the call awaited (and the worker).

        Each reply is read within the limit per call, the first also covering the writing of the
        request: a worker that does not take the request (student code may shrink its pipe and
        sleep) costs that call as a timeout. Anything the worker sends before the request, a
        reply that answers another call, and bytes after the last reply (or after one that
        ends the calls) cost the call awaited as malformed."""
        message = {**message, "release": self._release, "random": self._random.outgoing()}
        self._release = False
        task = expected[0][0]
        try:
            deadline, late, cut = self._reply_deadline()
            if self._rest or select.select([self._replies], [], [], 0)[0]:
                raise _Unreadable(_("data sent before the request"))
            try:
                wire.send(self._requests, wire.frame(message), deadline)
            except TimeoutError:
                raise _Ended(late, True) from None
            for i, (awaited, number) in enumerate(expected):
                task = awaited  # the call a failure from here on is charged to
                if i:
                    deadline, late, cut = self._reply_deadline()
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
                if self._rest and (reply["status"] != "ok" or i == len(expected) - 1):
                    raise _Unreadable("bytes after the reply")
                yield reply
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

    def _reply_deadline(self) -> tuple[float, str, bool]:
        """(time.monotonic() deadline, what a reply later than it is told, whether the
        submission's deadline sets it) for the next reply."""
        timeout, cut = self._reply_wait()
        return time.monotonic() + timeout, _("did not finish within {seconds} s").format(seconds=f"{timeout:g}"), cut

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
        self._expect_fields(task, reply, {"id", "status", "value", "warnings", "changed", "output"})
        value, messages, changed, output = reply["value"], reply["warnings"], reply["changed"], reply["output"]
        names = argument_names(args, kwargs) if changed else []  # most calls change no argument
        if (
            type(messages) is not list
            or not all(type(m) is str for m in messages)
            or type(changed) is not list
            or not all(type(name) is str for name in changed)
            or not set(changed) <= set(names)
            or len(set(changed)) != len(changed)
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
        return Reply(value, tuple(messages), tuple(name for name in names if name in changed), output)

    def _expect_fields(self, task: str, reply: dict, fields: set[str]) -> None:
        if set(reply) != fields:
            self._malformed(task, _("unexpected fields in a reply"))

    def _malformed(self, task: str, what: str):
        self._stop()
        raise CallAborted(task, _("sent data the grader cannot read ({what})").format(what=what))


def _holds_handle(value) -> bool:
    return any_plain(value, lambda item: type(item) is Handle)
