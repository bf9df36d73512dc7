"""The number of threads numpy's OpenBLAS uses in this process, read and set after numpy loaded it.

A grader pinned to one CPU with its worker (batch._on_one_cpu) gains nothing from a second BLAS
thread: OpenBLAS sizes its pool from the CPUs it saw when it loaded, and a pool thread busy-waits
for work between calls, on the same CPU as the grader and its worker. Measured here over one
official grading of the reference, such threads took 5 % of the CPU samples. The environment
(OPENBLAS_NUM_THREADS) only acts before numpy is imported, and a pool process is forked from a
grader that has imported it, so this asks the library itself, through ctypes, as threadpoolctl
does, without the dependency.
"""

from __future__ import annotations

import ctypes
import functools
from pathlib import Path

# (get, set) of the thread count, by the prefixes numpy's wheels have given OpenBLAS's symbols
SYMBOLS = [
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
    ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
    ("openblas_get_num_threads", "openblas_set_num_threads"),
]


@functools.lru_cache(maxsize=1)
def _controls() -> tuple | None:
    """(get, set) of the OpenBLAS this process has loaded, or None (another BLAS, or none found)."""
    import numpy  # noqa: F401 - loads the BLAS this looks for

    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:  # not Linux: left alone
        return None
    for path in dict.fromkeys(line.split(maxsplit=5)[-1] for line in maps.splitlines() if "openblas" in line):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for get, set_ in SYMBOLS:
            if hasattr(library, get) and hasattr(library, set_):
                getter, setter = getattr(library, get), getattr(library, set_)
                getter.restype, setter.argtypes = ctypes.c_int, [ctypes.c_int]
                return getter, setter
    return None


def blas_threads() -> int | None:
    """How many threads numpy's OpenBLAS uses, or None where it cannot be told."""
    controls = _controls()
    return None if controls is None else int(controls[0]())


def set_blas_threads(count: int) -> int | None:
    """Let numpy's OpenBLAS use count threads; returns how many it used before (None, and
    nothing done, where it cannot be told)."""
    before = blas_threads()
    if before is not None:
        _controls()[1](count)  # type: ignore[index]  # found: before is not None
    return before
