"""A check's verdict against a submission, and the one way to attach a hint to it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator


class CheckFailure(Exception):
    """A check's verdict against the submission: `message` says what was wrong, `hint` (if
    any) names the likely mistake."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


@contextlib.contextmanager
def hint_on_failure(hint: str | Callable[[], str | None] | None) -> Iterator[None]:
    """Give a CheckFailure raised inside the block this hint, unless it has one already.

    hint may be a function, called only after a failure: recognising a mistake runs the
    mistake library, which is too slow to do for every passing case."""
    try:
        yield
    except CheckFailure as failure:
        if failure.hint is None:
            failure.hint = hint() if callable(hint) else hint
        raise
