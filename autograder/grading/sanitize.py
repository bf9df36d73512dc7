"""Student-controlled text made safe to show: bounded in size, escape sequences made visible.

Feedback, error reports, values formatted into failure messages, student names and file names
all come, in part, from the student. Before any of it reaches a terminal, a notebook, a page
or a file, it goes through here: cut to a documented number of characters (docs/results.md)
and with control characters shown as visible escapes (ESC as the four characters ``\\x1b``),
so that no submission can redraw a terminal, retitle a window, reorder a line with bidi
overrides, or flood a gradebook. Pure functions on strings; nothing here imports the grader.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from autograder.runtime.language import _

FEEDBACK_LIMIT = 5_000  # characters of one check's feedback
VALUE_LIMIT = 1_000  # characters of one student value formatted into a failure message
NAME_LIMIT = 200  # characters of a student's name or a submission's path
PROBLEM_LIMIT = 1_000  # characters of the reason a submission could not be graded
FILE_NAME_BYTES = 120  # UTF-8 bytes of an export's file name before its suffix (255 is the usual ceiling)

# C0 controls but newline and tab, DEL, C1 controls, bidi embeddings, overrides and isolates,
# and lone surrogates (undecodable bytes of a file name), which no encoder accepts
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_IN_TEXT = re.compile(f"[{_UNSAFE}]")
_IN_LINE = re.compile(f"[\n\t{_UNSAFE}]")
# what common file systems refuse or treat specially in a file name (Windows is the strictest)
_IN_FILE_NAME = re.compile(f'[<>:"/\\\\|?*\n\t{_UNSAFE}]+')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # first characters a spreadsheet evaluates


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _bounded(text: str, limit: int, pattern: re.Pattern, mark: str = "") -> str:
    # escaping never shortens text, so nothing past `limit` characters could be shown: it is
    # dropped before any work is done on it
    shown = pattern.sub(_visible, text[:limit])
    if len(text) <= limit and len(shown) <= limit:
        return shown
    mark = mark or _(" ... [cut to {limit} characters of {count}]").format(limit=limit, count=len(text))
    return shown[: max(0, limit - len(mark))] + mark


def text(value: str, limit: int = FEEDBACK_LIMIT) -> str:
    """value (several lines) cut to at most limit characters, control characters but newline
    and tab shown as escapes."""
    return _bounded(value, limit, _IN_TEXT)


def line(value: str, limit: int = NAME_LIMIT) -> str:
    """value as one line of at most limit characters: every control character (newline and
    tab too) shown as an escape."""
    return _bounded(value, limit, _IN_LINE)


def short_repr(value, limit: int = VALUE_LIMIT, leaf=repr) -> str:
    """repr(value) in at most limit characters, strings, lists, tuples and dicts cut before
    their repr is built (an 8 MiB string costs `limit` characters of work, not 8 MiB); leaf
    gives the repr of anything else."""
    return _bounded(_repr(value, limit, leaf), limit, _IN_TEXT, " ... [cut]")


def _repr(value, budget: int, leaf) -> str:
    kind = type(value)
    if kind in (str, bytes):
        if len(value) <= budget:
            return repr(value)
        return f"{value[: max(0, budget - 40)]!r}... [{len(value)} characters]"
    if kind not in (list, tuple, dict):
        return leaf(value)
    items = iter(value.items()) if kind is dict else iter(value)
    parts: list[str] = []
    used = 0
    for item in items:
        if used > budget:
            parts.append(f"... [{len(value)} items]")
            break
        part = (
            f"{_repr(item[0], budget - used, leaf)}: {_repr(item[1], budget - used, leaf)}"
            if kind is dict
            else _repr(item, budget - used, leaf)
        )
        parts.append(part)
        used += len(part) + 2
    inner = ", ".join(parts)
    if kind is dict:
        return "{" + inner + "}"
    return "[" + inner + "]" if kind is list else "(" + inner + ("," if len(value) == 1 else "") + ")"


def file_name(name: str) -> str:
    """A file name (without suffix) for name that every common file system accepts: names in
    any script kept (NFC), path separators, control and reserved characters replaced by "_",
    cut to FILE_NAME_BYTES UTF-8 bytes; a name with nothing usable left gets "student-" and a
    hash of name, the same on every run."""
    safe = _IN_FILE_NAME.sub("_", unicodedata.normalize("NFC", name)).strip(" .")
    safe = safe.encode("utf-8")[:FILE_NAME_BYTES].decode("utf-8", "ignore").rstrip(" .")
    if not safe.strip("_"):
        return f"student-{digest(name)}"
    return f"_{safe}" if safe.split(".")[0].upper() in _RESERVED else safe


def digest(name: str) -> str:
    """Eight hex digits that tell names apart, the same on every run and machine."""
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def spreadsheet_cell(value):
    """A CSV cell a spreadsheet shows as written: text that would start a formula gets a
    leading single quote (OWASP's advice on CSV injection); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(SPREADSHEET_FORMULA):
        return "'" + value
    return value
