"""Render a grading result (docs/results.md): the terminal table and JSON."""

from __future__ import annotations

import json
import unicodedata

from autograder.runtime.language import N_, _, translate

from . import sanitize

STATUS_MARKS = {"passed": N_("ok"), "failed": N_("FAIL"), "not_started": N_("not started"), "error": N_("ERROR")}


def points(value: float) -> str:
    return f"{value:g}"


def _shown_check(checked: dict) -> dict:
    cleaned = {**checked, "feedback": sanitize.text(checked["feedback"])}
    for field in ("case", "hint"):  # schema version 2 (docs/results.md)
        if checked.get(field) is not None:
            cleaned[field] = sanitize.text(checked[field])
    return cleaned


def shown(result: dict) -> dict:
    """result as it may be shown: every feedback, case and hint (and the student's name, when
    given) bounded and escaped, whether the result is fresh, read back from a gradebook or from
    a file."""
    cleaned = {
        **result,
        "tasks": [{**task, "checks": [_shown_check(c) for c in task["checks"]]} for task in result["tasks"]],
    }
    if "student" in result:
        cleaned["student"] = sanitize.line(result["student"])
    return cleaned


def width(text: str) -> int:
    """The columns text takes on a terminal: two for a wide or full-width character (Hangul,
    CJK: East Asian Width W or F), none for a combining mark, one for the rest."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def columns(rows: list[tuple[str, ...]]) -> list[str]:
    """The rows as lines of left-aligned columns two spaces apart, measured by width()."""
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell + " " * (w - width(cell)) for cell, w in zip(row, widths)).rstrip() for row in rows]


def table(result: dict, *, verbose: bool = True) -> str:
    """One line per task, then the feedback of every failed check."""
    result = shown(result)
    header = (_("assignment"), _("task"), _("points"), _("status"))
    rows = [
        (
            t["assignment"],
            t["task"],
            f"{points(t['score'])}/{points(t['max_score'])}",
            translate(STATUS_MARKS[t["status"]]),
        )
        for t in result["tasks"]
    ]
    rule = tuple("-" * max(width(row[i]) for row in [header, *rows]) for i in range(len(header)))
    out = columns([header, rule, *rows])
    out.append(_("total {score}").format(score=f"{points(result['score'])}/{points(result['max_score'])}"))
    if verbose:
        for task, failed in feedback(result):
            out.append("")
            out.append(f"{task['task']} ({task['assignment']}):")
            for checked in failed:
                out.append(f"  x {checked['name']}")
                out.extend(f"      {text}" for text in checked["feedback"].splitlines())
    return "\n".join(out)


def feedback(result: dict) -> list[tuple[dict, list[dict]]]:
    """(task, its failed checks) for each task whose feedback is shown: every task with a
    failed check, but those not started (their checks all say so)."""
    shown_tasks = []
    for task in result["tasks"]:
        failed = [c for c in task["checks"] if not c["passed"]]
        if failed and task["status"] != "not_started":
            shown_tasks.append((task, failed))
    return shown_tasks


def to_json(result: dict) -> str:
    return json.dumps(shown(result), indent=2, sort_keys=False)


def render(result: dict, fmt: str) -> str:
    """The result as the terminal table or JSON (Gradescope's form: publishing/gradescope.py)."""
    if fmt == "table":
        return table(result)
    if fmt == "json":
        return to_json(result)
    raise ValueError(f"unknown format {fmt!r}")
