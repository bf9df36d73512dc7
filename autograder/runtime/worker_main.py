"""The main program of the sandboxed worker process: serve the grader's requests, one at a time.

It runs only inside the worker (`python -I -S`), where this package is the only grader code
present (autograder.execution.sandbox copies it as `course_runtime`). The protocol is described
in autograder.execution.worker_client.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from . import language, wire
from .executor import Executor, NotStarted, StudentError, load_package
from .random_states import RandomStates

# How long the replies of a run of calls of one task may wait to be written together: each
# write wakes the grader, which then reads one reply and waits again, and a message's calls
# mostly take microseconds. A reply is held only while the next call is of the same task and
# less than this has passed since the last write, so a call still has all but this of its
# limit (the grader times each reply from the one before), and a call that hangs or crashes
# after held replies is charged to the same task; the grader counts such a run's calls as
# aborted from its first (WorkerSubmission._exchange_calls), whichever replies got out.
HOLD = 0.002


def serve(executor: Executor, request: dict, states: RandomStates, *, more: bool = False) -> dict:
    """The reply to one request of the grader (see autograder.execution.worker_client for the
    protocol). more: whether another call of the same message follows, should this one succeed;
    the grader reads every reply of a message before it goes on, so only the last reply made
    carries the random states (the others None: the grader keeps what it has until then)."""
    states.incoming(request["random"])
    reply = _outcome(executor, request)
    reply["random"] = None if more and reply["status"] == "ok" else states.outgoing()
    return reply


def _outcome(executor: Executor, request: dict) -> dict:
    try:
        if request.get("release"):
            executor.release()
        if request["op"] == "import":
            executor.module(request["task"], request["module"], request["file"])
            return {"status": "ok"}
        value, messages, changed, output = executor.call(
            request["task"],
            request["module"],
            request["file"],
            request["args"],
            request["kwargs"],
            tuple(request["opaque"]),
            request["method"],
        )
        return {"status": "ok", "value": value, "warnings": list(messages), "changed": list(changed), "output": output}
    except NotStarted:
        return {"status": "not_started"}
    except StudentError as error:
        return {"status": "error", "kind": error.kind, "report": error.report}


def _apply_limits(limits: dict, drop_to: int | None, root: Path) -> None:
    """Resource limits, then (when started as root) an unprivileged user, so they hold."""
    import resource

    for name, value in limits.items():
        kind = getattr(resource, name)
        hard = resource.getrlimit(kind)[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, value))
    if drop_to is not None and os.getuid() == 0:
        os.chown(root, drop_to, drop_to)  # the student's working folder stays writable
        _imports_through_descriptors()
        parent = os.getppid()
        os.setgroups([])
        os.setgid(drop_to)
        os.setuid(drop_to)
        _die_with_parent(parent)


def _imports_through_descriptors() -> None:
    """Reach the folders imports come from (sys.path and the __path__ of loaded packages)
    through descriptors opened now, as /proc/self/fd/N: the unprivileged user may not pass
    through their parents (a Python installed under /root), and a process may always follow
    its own descriptors. Through them it reaches what lies below those folders, as anyone may."""
    moved = {}
    for folder in sys.path:
        if folder and folder not in moved and os.path.isdir(folder):
            moved[folder] = f"/proc/self/fd/{os.open(folder, os.O_PATH | os.O_DIRECTORY)}"

    def move(path: str) -> str:
        for old, new in moved.items():
            if path == old or path.startswith(old + os.sep):
                return new + path[len(old) :]
        return path

    sys.path[:] = [move(path) for path in sys.path]
    for module in list(sys.modules.values()):
        search = getattr(module, "__path__", None)
        if type(search) is list:
            search[:] = [move(path) for path in search]
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()


def _die_with_parent(parent: int) -> None:
    """Be killed when the grader's side ends (a change of user clears the parent-death signal
    that bubblewrap or the grader set); exit now if it already has."""
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def main(config: dict) -> None:
    """Serve requests on stdin/stdout until the grader closes stdin.

    config: staged (the submission's package tree, read-only), root (an empty folder the
    student's files are copied to and run from), limits (RLIMIT_* name -> value), drop_to (an
    unprivileged uid to switch to when started as root, or None).
    """
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # nothing but the two pipes reaches student code
    language.use(config.get("language", language.SOURCE))  # read its catalog before the limits apply
    requests = os.fdopen(os.dup(0), "rb", buffering=0)
    replies = os.fdopen(os.dup(1), "wb", buffering=0)
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # student output that bypasses sys.stdout goes nowhere
        os.dup2(quiet, fd)
    sys.dont_write_bytecode = True
    root = Path(config["root"])
    shutil.copytree(config["staged"], root, dirs_exist_ok=True)
    os.chdir(root)
    _apply_limits(config["limits"], config["drop_to"], root)
    executor = Executor(root, load_package(root))
    states = RandomStates()
    wire.write_frame(replies, {"status": "ready"})
    while True:
        message = wire.read_frame(requests, allow=wire.REQUEST_TAGS)
        if message is None:
            return
        requests_in_message = _one_by_one(message)
        held: list[bytes] = []  # replies not yet written (see HOLD)
        written = time.monotonic()  # the grader's clock for the next reply started before this
        for i, request in enumerate(requests_in_message):
            reply = {"id": request["id"], **serve(executor, request, states, more=i < len(requests_in_message) - 1)}
            try:
                data = wire.frame(reply)
            except (TypeError, ValueError) as error:  # a value this side cannot encode
                reply = {
                    "id": request["id"],
                    "status": "error",
                    "kind": type(error).__name__,
                    "report": f"the result could not be sent to the grader: {error}",
                    "random": states.outgoing() if reply["random"] is None else reply["random"],
                }
                data = wire.frame(reply)
            held.append(data)
            if (
                reply["status"] == "ok"
                and i + 1 < len(requests_in_message)
                and requests_in_message[i + 1].get("task") == request.get("task")
                and time.monotonic() - written < HOLD
            ):
                continue
            replies.write(b"".join(held))
            held.clear()
            written = time.monotonic()
            if reply["status"] != "ok":  # the calls after a failure are not made
                break


def _one_by_one(message: dict) -> list[dict]:
    """The requests in a message: itself, or each call of a "calls" message as a request of its
    own (the first with the message's release and random states)."""
    if message["op"] != "calls":
        return [message]
    shared = {"op": "call", "release": False, "random": None}
    first = {"release": message["release"], "random": message["random"]}
    return [{**call, **shared, **(first if i == 0 else {})} for i, call in enumerate(message["calls"])]
