"""The global random states student code may draw from, kept in step between the grader and a
worker process, so that code drawing from `np.random` or `random` in the worker draws what it
would in the grader's process."""

from __future__ import annotations

import ctypes
import random
import sys
from typing import cast

import numpy as np

MT_STATE_BYTES = 624 * 4 + 4  # numpy's MT19937 state in memory: 624 key words, then the position
PYTHON_STATE_WORDS = 625  # random.getstate()[1]: 624 key words, then the position
# CPython's random.Random in memory: the object header (reference count, type), then the
# position (a C int) and the 624 key words
PYTHON_STATE_OFFSET = 2 * ctypes.sizeof(ctypes.c_void_p)
PYTHON_STATE_BYTES = 4 + 624 * 4


def _numpy_state() -> tuple:
    """np.random's state in its legacy tuple form (what np.random.set_state takes back)."""
    return cast(tuple, np.random.get_state(legacy=True))


def _memory_fingerprint() -> tuple:
    """np.random's MT19937 key and position and Python's random state (key, position and
    cached normal), as read from their memory: a cheap exact image of both for noticing a
    change (np.random.get_state takes 30 us, random.getstate 10 us; this, 1 us)."""
    address = np.random.get_bit_generator().ctypes.state_address  # type: ignore[attr-defined]  # not in numpy's stubs
    python = random._inst  # the instance behind random's functions
    if type(python) is not random.Random:  # replaced (by student code): read it the slow way
        return ctypes.string_at(address, MT_STATE_BYTES), random.getstate()
    return (
        ctypes.string_at(address, MT_STATE_BYTES),
        ctypes.string_at(id(python) + PYTHON_STATE_OFFSET, PYTHON_STATE_BYTES),
        python.gauss_next,  # type: ignore[attr-defined]  # set by Random.__init__, not in the stubs
    )


def _slow_fingerprint() -> tuple:
    numpy_state = _numpy_state()
    version, words, gauss = random.getstate()
    position = words[-1].to_bytes(4, sys.byteorder, signed=True)
    python = position + b"".join(word.to_bytes(4, sys.byteorder) for word in words[:-1])
    return numpy_state[1].tobytes() + numpy_state[2].to_bytes(4, "little", signed=True), python, gauss


def _memory_layout_holds() -> bool:
    """Whether numpy and CPython lay out their generators' states as _memory_fingerprint reads them."""
    try:
        return _memory_fingerprint() == _slow_fingerprint()
    except (AttributeError, TypeError, ValueError, OverflowError):
        return False


_fingerprint = _memory_fingerprint if _memory_layout_holds() else _slow_fingerprint


def _portable(numpy_state: tuple, python_state: tuple) -> dict:
    """Both states as plain data that is quick to send (Python's 625 state words as an array)."""
    version, words, gauss = python_state
    return {"numpy": numpy_state, "python": (version, np.array(words, dtype=np.int64), gauss)}


def _install(state) -> tuple:
    """Install states given by _portable (ValueError, TypeError... if they are not such states);
    returns the numpy part."""
    if type(state) is not dict or set(state) != {"numpy", "python"} or type(state["python"]) is not tuple:
        raise ValueError("not a random state")
    version, words, gauss = state["python"]
    # the length is checked before tolist(): a sender's array of millions of words costs nothing
    if type(words) is not np.ndarray or words.dtype != np.int64 or words.shape != (PYTHON_STATE_WORDS,):
        raise ValueError("not a random state")
    np.random.set_state(state["numpy"])
    random.setstate((version, tuple(words.tolist()), gauss))
    return state["numpy"]


class RandomStates:
    """The global random states student code may draw from (np.random's and Python's random's),
    kept in step between the grader and a worker, so that code drawing from them in the worker
    draws what it would in the grader's process (where Hypothesis seeds them for every example).

    Each side sends `outgoing()` with every message (None when the other side has the states
    already) and passes what it receives to `incoming`."""

    def __init__(self):
        self._agreed = None  # the fingerprint of the states both sides last had, or None
        self._gauss = 0  # np.random holds a cached normal (which the fingerprint does not show)

    def outgoing(self) -> dict | None:
        """This side's states as plain data if they changed since both sides agreed, else None."""
        now = _fingerprint()
        if now == self._agreed and not self._gauss:
            return None
        numpy_state = _numpy_state()
        self._agreed, self._gauss = now, numpy_state[3]
        return _portable(numpy_state, random.getstate())

    def incoming(self, state) -> None:
        """Install the other side's states (None: it has not changed them); ValueError, TypeError
        and the like when state is not states."""
        if state is not None:
            self._gauss = _install(state)[3]
            self._agreed = _fingerprint()
