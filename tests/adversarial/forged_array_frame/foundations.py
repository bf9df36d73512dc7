"""Attack: answer the grader's request first with a reply holding an array of negative shape,
whose data length matches the product of that shape, then return the right values."""
import fcntl
import json
import os
import stat
import struct
import sys
import termios
import time

import numpy as np


def _pipes():
    for name in os.listdir("/proc/self/fd"):
        try:
            if stat.S_ISFIFO(os.fstat(int(name)).st_mode):
                yield int(name)
        except OSError:
            pass


def _taken(fd) -> None:
    """Wait (at most two seconds) until the grader has read everything written to the pipe, so
    that it reads the forged reply alone, not together with the worker's own."""
    for _ in range(200):
        if struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0] == 0:
            return
        time.sleep(0.01)


def _request_id():
    frame = sys._getframe()
    while frame is not None:
        request = frame.f_locals.get("request")
        if isinstance(request, dict) and "id" in request:
            return request["id"]
        frame = frame.f_back
    return 0


def sigmoid_forward(x):
    # shape (-2, -3): the product, 6, matches the 48 bytes of float64 data after the JSON
    array = {"$": "array", "dtype": "<f8", "shape": [-2, -3], "fortran": False}
    value = {"$": "tuple", "items": [array, None]}
    reply = {"id": _request_id(), "status": "ok", "value": value, "warnings": [], "changed": [], "output": "",
             "random": None}
    text = json.dumps(reply).encode()
    body = struct.pack(">I", len(text)) + text + np.ones(6).tobytes()
    for fd in _pipes():
        try:
            os.write(fd, struct.pack(">Q", len(body)) + body)
            _taken(fd)
        except OSError:
            pass
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)
    return out, out


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
