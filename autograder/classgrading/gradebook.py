"""The gradebook: results in SQLite, written as each submission finishes, and its exports.

A result is stored under a key made of the submission's files, the course version, the
profile, the tasks and the isolation settings (autograder.classgrading.batch computes it), so running the
same batch again skips what is already graded and regrades what changed. Students point at
results through `submissions`; two students who hand in identical files share one result.
Submissions that could not be read are listed in `problems`.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from autograder.grading import report, sanitize
from autograder.publishing import gradescope
from autograder.runtime.language import _

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    key TEXT PRIMARY KEY,          -- see autograder.classgrading.batch.result_key
    files TEXT NOT NULL,           -- hash of the submission's course files
    course_version TEXT NOT NULL,  -- hash of the grader, the reference and course.yml
    profile TEXT NOT NULL,         -- quick or full
    tasks TEXT NOT NULL,           -- the graded tasks, space-separated
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    result TEXT NOT NULL,          -- the result object of docs/results.md, as JSON
    graded_at TEXT NOT NULL        -- UTC, ISO 8601
);
CREATE TABLE IF NOT EXISTS submissions (
    student TEXT NOT NULL,         -- the folder's name, or the zip's without .zip
    source TEXT NOT NULL,          -- the path as given
    key TEXT NOT NULL REFERENCES results (key),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (student, key)
);
CREATE TABLE IF NOT EXISTS problems (
    student TEXT NOT NULL,
    source TEXT NOT NULL,
    message TEXT NOT NULL,         -- why the submission could not be graded
    recorded_at TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Gradebook:
    """A SQLite gradebook file; every write is committed at once (a kill loses nothing done)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.executescript(SCHEMA)

    def result(self, key: str) -> dict | None:
        """The stored result under key, or None."""
        row = self._db.execute("SELECT result FROM results WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def graded_at(self, key: str) -> str | None:
        """When the result under key was stored, or None."""
        row = self._db.execute("SELECT graded_at FROM results WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def record(
        self, key: str, *, files: str, course_version: str, profile: str, tasks: list[str], result: dict
    ) -> None:
        """Store a result under its key (replacing any earlier one)."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    files,
                    course_version,
                    profile,
                    " ".join(tasks),
                    result["score"],
                    result["max_score"],
                    json.dumps(result),
                    _now(),
                ),
            )

    def link(self, student: str, source: str, key: str) -> None:
        """Note that student handed in (at source) the submission whose result is under key."""
        with self._db:
            self._db.execute("INSERT OR IGNORE INTO submissions VALUES (?, ?, ?, ?)", (student, source, key, _now()))

    def problem(self, student: str, source: str, message: str) -> None:
        """Note that student's submission at source could not be graded, and why."""
        with self._db:
            self._db.execute("INSERT INTO problems VALUES (?, ?, ?, ?)", (student, source, message, _now()))

    def close(self) -> None:
        self._db.close()


def file_names(students: list[str]) -> list[str]:
    """A distinct file name (without suffix) for each student, from sanitize.file_name: names
    that come out alike (ignoring case, as macOS and Windows do) each get a hash of the
    student's own name, so the names do not depend on the order the students are listed in."""
    names = [sanitize.file_name(s) for s in students]
    clashes = Counter(n.casefold() for n in names)
    names = [f"{n}-{sanitize.digest(s)}" if clashes[n.casefold()] > 1 else n for n, s in zip(names, students)]
    used: set[str] = set()
    distinct = []
    for name in names:  # the same student listed twice: numbered in order
        candidate, number = name, 1
        while candidate.casefold() in used:
            number += 1
            candidate = f"{name}-{number}"
        used.add(candidate.casefold())
        distinct.append(candidate)
    return distinct


def export(
    graded: list[tuple[str, dict]],
    dest: Path,
    problems: Sequence[tuple[str, str]] = (),
    settings: gradescope.Settings | None = None,
) -> list[Path]:
    """Write dest/grades.csv (one row per student: total, then each task's points, then why a
    submission could not be graded), and per student dest/results/<student>.json (docs/results.md,
    with a "student" field) and dest/gradescope/<student>.json (Gradescope's results.json).
    graded: (student, result) pairs; problems: (student, reason) pairs for submissions that could
    not be graded, exported with 0 points; settings: course.yml's `gradescope:` section (the
    defaults when None). Returns the files written."""
    dest = Path(dest)
    (dest / "results").mkdir(parents=True, exist_ok=True)
    (dest / "gradescope").mkdir(parents=True, exist_ok=True)
    columns = list(dict.fromkeys(f"{t['assignment']}/{t['task']}" for _, r in graded for t in r["tasks"]))
    maxima = {r["max_score"] for _, r in graded}
    max_score = maxima.pop() if len(maxima) == 1 else None
    rows = [(sanitize.line(student), result, "") for student, result in graded]
    rows += [
        (
            sanitize.line(student),
            {"score": 0.0, "max_score": max_score, "tasks": []},
            sanitize.line(reason, sanitize.PROBLEM_LIMIT),
        )
        for student, reason in problems
    ]
    written = [dest / "grades.csv"]
    # utf-8-sig: the byte-order mark makes Excel read the names as UTF-8
    with open(written[0], "w", newline="", encoding="utf-8-sig") as table:
        writer = csv.writer(table)
        writer.writerow(["student", "score", "max_score", *columns, "problem"])
        for student, result, problem in rows:
            points = {f"{t['assignment']}/{t['task']}": t["score"] for t in result["tasks"]}
            cells = [
                student,
                result["score"],
                result["max_score"],
                *(points.get(c, 0.0 if problem else "") for c in columns),
                problem,
            ]
            writer.writerow([sanitize.spreadsheet_cell(cell) for cell in cells])
    for name, (student, result, problem) in zip(file_names([row[0] for row in rows]), rows):
        named = {"student": student, **result, **({"problem": problem} if problem else {})}
        scored = gradescope.results_json(result, settings)
        if problem:
            scored["output"] = _("Your submission could not be graded: {problem}").format(problem=problem)
        for folder, text in (("results", report.to_json(named)), ("gradescope", json.dumps(scored, indent=2))):
            path = dest / folder / f"{name}.json"
            path.write_text(text + "\n", encoding="utf-8")
            written.append(path)
    return written
