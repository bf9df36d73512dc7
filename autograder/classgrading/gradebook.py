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
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from autograder.grading import report

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

    def record(self, key: str, *, files: str, course_version: str, profile: str, tasks: list[str],
               result: dict) -> None:
        """Store a result under its key (replacing any earlier one)."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, files, course_version, profile, " ".join(tasks), result["score"], result["max_score"],
                 json.dumps(result), _now()))

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


def safe_name(student: str) -> str:
    """A file name for a student's exports."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._") or "student"


def export(graded: list[tuple[str, dict]], dest: Path) -> list[Path]:
    """Write dest/grades.csv (one row per student: total, then each task's points), and per
    student dest/results/<student>.json (docs/results.md) and dest/gradescope/<student>.json
    (Gradescope's results.json). graded: (student, result) pairs. Returns the files written."""
    dest = Path(dest)
    (dest / "results").mkdir(parents=True, exist_ok=True)
    (dest / "gradescope").mkdir(parents=True, exist_ok=True)
    columns = list(dict.fromkeys(f"{t['assignment']}/{t['task']}" for _, r in graded for t in r["tasks"]))
    written = [dest / "grades.csv"]
    with open(written[0], "w", newline="", encoding="utf-8") as table:
        writer = csv.writer(table)
        writer.writerow(["student", "score", "max_score", *columns])
        for student, result in graded:
            points = {f"{t['assignment']}/{t['task']}": t["score"] for t in result["tasks"]}
            writer.writerow([student, result["score"], result["max_score"], *(points.get(c, "") for c in columns)])
    used: set[str] = set()
    for student, result in graded:
        name = safe_name(student)
        name = next(n for n in (name, *(f"{name}-{i}" for i in range(2, len(graded) + 2))) if n not in used)
        used.add(name)
        for folder, text in (("results", report.to_json(result)),
                             ("gradescope", json.dumps(report.gradescope(result), indent=2))):
            path = dest / folder / f"{name}.json"
            path.write_text(text + "\n", encoding="utf-8")
            written.append(path)
    return written
