"""A check's verdict against a submission, and the one way to attach a hint to it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from autograder.runtime.language import Message


class MistakeHint(Message):
    """The hint of a known mistake of the library: its text, which knows the mistake's id (its
    name in autograder/mistakes/), so that a result records which mistake it recognised, and its
    template, so that it is shown in the language of the run (runtime/language.py). Any edit of
    the text (formatting it into another, translating it) gives a plain str: a hint that says
    more than the mistake's own no longer names it alone."""

    mistake: str

    def __new__(cls, text: str, mistake: str = ""):
        hint = super().__new__(cls, getattr(text, "template", text), **getattr(text, "fields", {}))
        hint.mistake = mistake
        return hint


def mistake_of(hint: str | None) -> str | None:
    """The id of the known mistake a hint names, None for any other hint (or none)."""
    return hint.mistake if isinstance(hint, MistakeHint) and hint.mistake else None


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
