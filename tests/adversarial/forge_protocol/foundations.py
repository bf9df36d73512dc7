"""Attack: write fake replies straight onto the worker's pipe to the grader."""
import json
import os
import stat
import struct
import sys

import numpy as np


def _pipes():
    for name in os.listdir("/proc/self/fd"):
        try:
            if stat.S_ISFIFO(os.fstat(int(name)).st_mode):
                yield int(name)
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
    for fd in _pipes():
        try:
            os.write(fd, struct.pack(">Q", 2**40) + b"junk")
        except OSError:
            pass
    return np.full_like(x, 0.5), None


def tanh_forward(x):
    wrong = {"$": "array", "dtype": "<f8"}  # no shape: not even an array
    reply = {"id": _request_id(), "status": "ok", "value": wrong, "warnings": [], "changed": [], "output": ""}
    text = json.dumps(reply).encode()
    body = struct.pack(">I", len(text)) + text
    for fd in _pipes():
        try:
            os.write(fd, struct.pack(">Q", len(body)) + body)
        except OSError:
            pass
    return np.zeros_like(x), None


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
