"""The language of everything the grader writes, from one GNU gettext message catalog.

English is the source language: a message is written in English in the code, marked for
extraction (`_()` where it is made, `N_()` where it is defined at import time, like a known
mistake's hint or a check's name, and translated where it is shown), and its translations live
in autograder/locale/<language>/LC_MESSAGES/course.po, compiled to course.mo, which the standard
library's gettext reads (docs/languages.md). A template with {fields} is translated first, then
formatted, so a translation may put the fields where its grammar wants them.

The language is chosen once per process (`use`), before grading: `choose` orders the command's
--lang, then the environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, as gettext reads them), then
course.yml's default, then English. This module is part of the worker's runtime, which is copied
alone into the sandbox with the compiled catalogs (execution/sandbox.py), so it imports only the
standard library.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "course"
SOURCE = "en"  # the language the messages are written in
LANGUAGES = ("en", "ko")  # English and the languages of autograder/locale/
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # gettext's order
# the worker's copy holds its catalogs beside this file; the installed package one level up
LOCALE_DIRS = (Path(__file__).resolve().parent / "locale", Path(__file__).resolve().parents[1] / "locale")

_state: dict = {"language": SOURCE, "catalog": gettext.NullTranslations()}


def locale_dir() -> Path:
    """The folder of the compiled catalogs (<language>/LC_MESSAGES/course.mo)."""
    return next((d for d in LOCALE_DIRS if d.is_dir()), LOCALE_DIRS[-1])


def catalog(language: str) -> gettext.NullTranslations:
    """The translations of language (English: none, the messages as written)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: one of {', '.join(LANGUAGES)}")
    if language == SOURCE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, locale_dir(), languages=[language])


def use(language: str) -> None:
    """Write every message from now on in language (one of LANGUAGES)."""
    _state["catalog"] = catalog(language)
    _state["language"] = language


def current() -> str:
    """The language messages are written in now."""
    return _state["language"]


def from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the environment asks for, read as gettext reads it (the first of LANGUAGE,
    LC_ALL, LC_MESSAGES, LANG that is set): one of LANGUAGES, or None when it names none of them
    (unset, C, POSIX, or a language the grader does not speak)."""
    environ = os.environ if environ is None else environ
    for variable in ENVIRONMENT:
        value = environ.get(variable, "")
        if not value:
            continue
        for wanted in value.split(":") if variable == "LANGUAGE" else [value]:
            code = wanted.split(".")[0].split("@")[0].split("_")[0].lower()
            if code in LANGUAGES:
                return code
        if variable != "LANGUAGE":  # gettext stops at the first locale variable set
            return None
    return None


def choose(flag: str | None, default: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language of this run: the command's --lang, else the environment's, else the
    course's default (course.yml), else English."""
    return flag or from_environment(environ) or default or SOURCE


def _(message: str) -> str:
    """message in the current language (marks it for extraction)."""
    return _state["catalog"].gettext(message) if message else message  # gettext("") is the header


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for the marker
    """Mark message for extraction only: it is defined at import time, before the language is
    chosen, and translated where it is shown (`translate`)."""
    return message


class Message(str):
    """A message formatted where it is defined, at import time: the English text (it is a str,
    and reads as one wherever text goes) that remembers its template and fields, so that
    `translate` formats the template's translation instead."""

    template: str
    fields: dict

    def __new__(cls, template: str, **fields):
        text = super().__new__(cls, template.format(**fields) if fields else template)
        text.template, text.fields = template, fields
        return text

    def __reduce__(self):
        return _rebuilt, (type(self), self.template, self.fields, dict(self.__dict__))


def _rebuilt(kind: type, template: str, fields: dict, state: dict) -> Message:
    """A Message (or a subclass's instance) back from pickling, with its attributes."""
    text = Message.__new__(kind, template, **fields)
    text.__dict__.update(state)
    return text


def translate(text: str) -> str:
    """A message marked with N_ (or a Message, whose text fields are translated too), in the
    current language. Text that is no message of the catalog (a student's, a number, code) comes
    back as it is."""
    if isinstance(text, Message) and text.fields:
        fields = {key: translate(value) if isinstance(value, str) else value for key, value in text.fields.items()}
        return _(text.template).format(**fields)
    return _(text.template if isinstance(text, Message) else text)
