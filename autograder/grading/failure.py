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
        self.fallback = False  # the hint is a generic diagnosis, which any other hint replaces


@contextlib.contextmanager
def hint_on_failure(hint: str | Callable[[], str | None] | None, *, fallback: bool = False) -> Iterator[None]:
    """Give a CheckFailure raised inside the block this hint, unless it has one already.

    hint may be a function, called only after a failure: recognising a mistake runs the
    mistake library, which is too slow to do for every passing case. A fallback hint (a generic
    diagnosis) fills in where no hint is known, and a hint given around it replaces it."""
    try:
        yield
    except CheckFailure as failure:
        if failure.hint is None or (failure.fallback and not fallback):
            given = hint() if callable(hint) else hint
            if given is not None:
                failure.hint, failure.fallback = given, fallback
        raise
