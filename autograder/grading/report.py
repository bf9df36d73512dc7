"""Render a grading result (docs/results.md): the terminal table and JSON."""

from __future__ import annotations

import json

from . import sanitize

STATUS_MARKS = {"passed": "ok", "failed": "FAIL", "not_started": "not started", "error": "ERROR"}


def points(value: float) -> str:
    return f"{value:g}"


def shown(result: dict) -> dict:
    """result as it may be shown: every feedback (and the student's name, when given) bounded
    and escaped, whether the result is fresh, read back from a gradebook or from a file."""
    cleaned = {
        **result,
        "tasks": [
            {**task, "checks": [{**c, "feedback": sanitize.text(c["feedback"])} for c in task["checks"]]}
            for task in result["tasks"]
        ],
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
        for task in result["tasks"]:
            failed = [c for c in task["checks"] if not c["passed"]]
            if not failed or task["status"] == "not_started":
                continue
            out.append("")
            out.append(f"{task['task']} ({task['assignment']}):")
            for checked in failed:
                out.append(f"  x {checked['name']}")
                out.extend(f"      {text}" for text in checked["feedback"].splitlines())
    return "\n".join(out)


def to_json(result: dict) -> str:
    return json.dumps(shown(result), indent=2, sort_keys=False)


def render(result: dict, fmt: str) -> str:
    """The result as the terminal table or JSON (Gradescope's form: publishing/gradescope.py)."""
    if fmt == "table":
        return table(result)
    if fmt == "json":
        return to_json(result)
    raise ValueError(f"unknown format {fmt!r}")
