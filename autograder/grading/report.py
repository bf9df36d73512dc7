"""Render a grading result (docs/results.md): terminal table, JSON, Gradescope's results.json."""
from __future__ import annotations

import json

from . import sanitize

STATUS_MARKS = {"passed": "ok", "failed": "FAIL", "not_started": "not started", "error": "ERROR"}
GRADESCOPE_OUTPUT_LIMIT = 8_000  # characters of feedback per test kept in results.json


def _points(value: float) -> str:
    return f"{value:g}"


def shown(result: dict) -> dict:
    """result as it may be shown: every feedback (and the student's name, when given) bounded
    and escaped, whether the result is fresh, read back from a gradebook or from a file."""
    cleaned = {**result, "tasks": [{**task, "checks": [{**c, "feedback": sanitize.text(c["feedback"])}
                                                        for c in task["checks"]]} for task in result["tasks"]]}
    if "student" in result:
        cleaned["student"] = sanitize.line(result["student"])
    return cleaned


def table(result: dict, *, verbose: bool = True) -> str:
    """One line per task, then the feedback of every failed check."""
    result = shown(result)
    rows = [(t["assignment"], t["task"], f"{_points(t['score'])}/{_points(t['max_score'])}",
             STATUS_MARKS[t["status"]]) for t in result["tasks"]]
    widths = [max(len(r[i]) for r in rows + [("assignment", "task", "points", "status")]) for i in range(4)]
    line = "  ".join("{:<%d}" % w for w in widths)
    out = [line.format("assignment", "task", "points", "status").rstrip(), line.format(*("-" * w for w in widths))]
    out += [line.format(*row).rstrip() for row in rows]
    out.append(f"total {_points(result['score'])}/{_points(result['max_score'])}")
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


def gradescope(result: dict, visibility: str = "visible") -> dict:
    """Gradescope's results.json: one test per task, its checks' feedback as output."""
    result = shown(result)
    tests = []
    for task in result["tasks"]:
        lines = [f"{'PASS' if c['passed'] else 'FAIL'} {c['name']}" + (f"\n{c['feedback']}" if c["feedback"] else "")
                 for c in task["checks"]]
        output = "\n".join(lines)
        if len(output) > GRADESCOPE_OUTPUT_LIMIT:
            output = output[:GRADESCOPE_OUTPUT_LIMIT] + "\n... (output truncated)"
        tests.append({
            "name": f"{task['assignment']}: {task['task']}",
            "score": task["score"],
            "max_score": task["max_score"],
            "status": "passed" if task["status"] == "passed" else "failed",
            "output": output,
            "visibility": visibility,
        })
    return {
        "score": result["score"],
        "execution_time": result.get("timing", {}).get("seconds", 0),
        "output": f"Total {_points(result['score'])}/{_points(result['max_score'])}",
        "visibility": visibility,
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def render(result: dict, fmt: str) -> str:
    if fmt == "table":
        return table(result)
    if fmt == "json":
        return to_json(result)
    if fmt == "gradescope":
        return json.dumps(gradescope(result), indent=2)
    raise ValueError(f"unknown format {fmt!r}")
