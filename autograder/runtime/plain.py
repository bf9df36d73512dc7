"""Plain data: what may cross from student code to the grader.

Student results are turned into plain values (real ndarrays, numpy scalars, Python numbers,
str, None, and tuples/lists/dicts of these) before any check looks at them. Anything else
becomes a `Foreign` marker that every comparison rejects with a message, so an object with a
rigged ``__eq__`` or an ndarray subclass never reaches a comparison. Positions the caller marks
opaque (caches) stay with the submission behind a `Handle`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .language import _


@dataclass(frozen=True)
class Handle:
    """A reference to an object kept on the student's side (a forward's cache)."""

    key: int


@dataclass(frozen=True)
class Foreign:
    """A returned value that is not plain data; `description` says what it was."""

    description: str

    def __repr__(self):
        return f"<{self.description}>"


@dataclass(frozen=True)
class Probe:
    """A callable described by name, built on the student's side by autograder.runtime.probes."""

    name: str
    params: tuple = ()


def _module_name(module: str) -> str:
    """A module's name without the numbered package a submission is loaded under
    (_course_submission_3.a0_foundations.foundations -> a0_foundations.foundations), so the
    words do not depend on how many submissions this process loaded before."""
    head, _, rest = module.partition(".")
    return rest if rest and re.fullmatch(r"_course_[a-z]+_\d+", head) else module


def describe_type(value) -> str:
    kind = type(value)
    name = f"{_module_name(kind.__module__)}.{kind.__qualname__}"
    if isinstance(value, np.ndarray):
        return _("an instance of {name} (a subclass of numpy.ndarray)").format(name=name)
    return _("an object of type {name}").format(name=name)


_SCALARS = (bool, int, float, str, type(None))


def _is_container(value) -> bool:
    """Whether value is a container of plain data: exactly a tuple, a list, or a dict with
    string keys (to_plain turns any other dict into a Foreign)."""
    kind = type(value)
    return kind is tuple or kind is list or (kind is dict and all(type(key) is str for key in value))


def map_plain(value, leaf):
    """value with its containers (see _is_container) rebuilt and every other item x in them,
    or value itself if it is none, replaced by leaf(x)."""
    if not _is_container(value):
        return leaf(value)
    if type(value) is dict:
        return {key: map_plain(item, leaf) for key, item in value.items()}
    return type(value)(map_plain(item, leaf) for item in value)


def any_plain(value, predicate) -> bool:
    """Whether predicate holds for some item of value's containers (or for value, if it is none)."""
    if not _is_container(value):
        return bool(predicate(value))
    return any(any_plain(item, predicate) for item in (value.values() if type(value) is dict else value))


def to_plain(value, depth: int = 0):
    """A copy of value made of plain data only (Foreign where it is not)."""
    kind = type(value)
    if depth > 20:
        return Foreign(_("a value nested more than 20 levels deep"))
    if kind is np.ndarray:
        if value.dtype.hasobject or value.dtype.kind not in "biufcU":
            return Foreign(_("an ndarray of dtype {dtype}").format(dtype=value.dtype))
        return np.array(value, copy=True)
    if kind in _SCALARS:
        return value
    if isinstance(value, np.generic) and kind.__module__ == "numpy" and value.dtype.kind in "biufc":
        return value.copy()
    if kind in (tuple, list):
        return kind(to_plain(item, depth + 1) for item in value)
    if kind is dict:
        if not all(type(key) is str for key in value):
            return Foreign(_("a dict with non-string keys"))
        return {key: to_plain(item, depth + 1) for key, item in value.items()}
    return Foreign(describe_type(value))


def same_plain(a, b) -> bool:
    """Exact equality of two plain values (NaNs equal, dtypes and types compared)."""
    if type(a) is not type(b):
        return False
    if type(a) is np.ndarray:
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        # the same bytes are the same values; else -0.0 and 0.0, or NaNs of other bits, may still be
        return a.tobytes() == b.tobytes() or bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if type(a) in (tuple, list):
        return len(a) == len(b) and all(same_plain(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return a.keys() == b.keys() and all(same_plain(a[k], b[k]) for k in a)
    if isinstance(a, (float, np.floating)) and a != a:
        return b != b
    return bool(a == b)
