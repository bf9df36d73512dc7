"""Render a grading result (docs/results.md): the terminal table and JSON."""

from __future__ import annotations

import json

from . import sanitize

STATUS_MARKS = {"passed": "ok", "failed": "FAIL", "not_started": "not started", "error": "ERROR"}


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


def table(result: dict, *, verbose: bool = True) -> str:
    """One line per task, then the feedback of every failed check."""
    result = shown(result)
    rows = [
        (t["assignment"], t["task"], f"{points(t['score'])}/{points(t['max_score'])}", STATUS_MARKS[t["status"]])
        for t in result["tasks"]
    ]
    widths = [max(len(r[i]) for r in rows + [("assignment", "task", "points", "status")]) for i in range(4)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [line.format("assignment", "task", "points", "status").rstrip(), line.format(*("-" * w for w in widths))]
    out += [line.format(*row).rstrip() for row in rows]
    out.append(f"total {points(result['score'])}/{points(result['max_score'])}")
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
