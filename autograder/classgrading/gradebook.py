"""The gradebook: results in SQLite, written as each submission finishes, and its exports.

A result is stored under a key made of the submission's files, the course version, the
profile, the tasks and the isolation settings (autograder.classgrading.batch computes it), so running the
same batch again skips what is already graded and regrades what changed. Students point at
results through `submissions`, one row per graded hand-in in the order graded (a student's
latest is the one exported); two students who hand in identical files share one result.
Submissions that could not be read are listed in `problems`. The views `latest` and `checks`
make the latest results and every check's outcome, case and recognised mistake queryable in SQL
(docs/results.md, "The gradebook").
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
CREATE TABLE IF NOT EXISTS submissions (  -- one row per graded hand-in; rowid gives their order
    student TEXT NOT NULL,         -- the folder's name, or the zip's without .zip
    source TEXT NOT NULL,          -- the path as given
    key TEXT NOT NULL REFERENCES results (key),
    recorded_at TEXT NOT NULL      -- UTC, ISO 8601
);
CREATE INDEX IF NOT EXISTS submissions_by_student ON submissions (student);
CREATE TABLE IF NOT EXISTS problems (
    student TEXT NOT NULL,
    source TEXT NOT NULL,
    message TEXT NOT NULL,         -- why the submission could not be graded
    recorded_at TEXT NOT NULL
);
CREATE VIEW IF NOT EXISTS latest AS  -- each student's latest graded hand-in
    SELECT s.student, s.source, s.key, s.recorded_at, r.files, r.score, r.max_score, r.result
    FROM submissions s JOIN results r USING (key)
    WHERE s.rowid = (SELECT max(rowid) FROM submissions WHERE student = s.student);
CREATE VIEW IF NOT EXISTS checks AS  -- every check of every stored result
    SELECT r.key,
        json_extract(t.value, '$.assignment') AS assignment,
        json_extract(t.value, '$.task') AS task,
        json_extract(c.value, '$.name') AS name,
        json_extract(c.value, '$.outcome') AS outcome,
        json_extract(c.value, '$.case') AS failing_case,
        json_extract(c.value, '$.hint') AS hint,
        json_extract(c.value, '$.mistake') AS mistake
    FROM results r, json_each(r.result, '$.tasks') t, json_each(t.value, '$.checks') c;
"""
VERSION = 1  # PRAGMA user_version; 0: a submissions row per (student, key), so a return to earlier files was lost

# version 0 to 1: the same rows, in the order they were recorded, without the (student, key) key
_UNIQUE_SUBMISSIONS_DROPPED = """
CREATE TABLE submissions_1 (student TEXT NOT NULL, source TEXT NOT NULL, key TEXT NOT NULL REFERENCES results (key),
    recorded_at TEXT NOT NULL);
INSERT INTO submissions_1 SELECT student, source, key, recorded_at FROM submissions ORDER BY recorded_at, rowid;
DROP TABLE submissions;
ALTER TABLE submissions_1 RENAME TO submissions;
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Gradebook:
    """A SQLite gradebook file; every write is committed at once (a kill loses nothing done)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._upgrade()

    def _upgrade(self) -> None:
        """Bring a gradebook of an earlier version to this one, keeping every row."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version >= VERSION:
            return
        existing = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        script = _UNIQUE_SUBMISSIONS_DROPPED if "submissions" in existing else ""
        self._db.executescript(f"BEGIN; {script} {SCHEMA} PRAGMA user_version = {VERSION}; COMMIT;")

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
        """Note that student handed in (at source) the submission whose result is under key,
        unless that is already the student's latest (the same batch run again)."""
        with self._db:
            self._db.execute(
                "INSERT INTO submissions SELECT ?, ?, ?, ? WHERE ? IS NOT (SELECT key FROM submissions "
                "WHERE student = ? ORDER BY rowid DESC LIMIT 1)",
                (student, source, key, _now(), key, student),
            )

    def latest(self) -> list[tuple[str, dict]]:
        """(student, result) of every student's latest graded hand-in, in the order first graded."""
        rows = self._db.execute(
            "SELECT l.student, l.result FROM latest l "
            "ORDER BY (SELECT min(rowid) FROM submissions WHERE student = l.student)"
        )
        return [(student, json.loads(result)) for student, result in rows]

    def history(self) -> dict[str, list[tuple[str, str]]]:
        """Every student's graded hand-ins, oldest first: (recorded_at, files hash) each."""
        found: dict[str, list[tuple[str, str]]] = {}
        rows = self._db.execute(
            "SELECT s.student, s.recorded_at, r.files FROM submissions s JOIN results r USING (key) ORDER BY s.rowid"
        )
        for student, recorded_at, files in rows:
            found.setdefault(student, []).append((recorded_at, files))
        return found

    def problems(self) -> list[tuple[str, str, str]]:
        """(student, source, message) of each distinct submission that could not be graded, in
        the order first recorded."""
        rows = self._db.execute(
            "SELECT student, source, message FROM problems GROUP BY student, source, message ORDER BY min(rowid)"
        )
        return [tuple(row) for row in rows]

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


def assignment_scores(result: dict) -> dict[str, tuple[float, float]]:
    """Each graded assignment's (points, maximum) in a result, in the order graded."""
    scores: dict[str, tuple[float, float]] = {}
    for task in result["tasks"]:
        earned, available = scores.get(task["assignment"], (0.0, 0.0))
        scores[task["assignment"]] = (round(earned + task["score"], 2), round(available + task["max_score"], 2))
    return scores


def export(
    graded: list[tuple[str, dict]],
    dest: Path,
    problems: Sequence[tuple[str, str]] = (),
    settings: gradescope.Settings | None = None,
) -> list[Path]:
    """Write dest/grades.csv (one row per student: total, then each assignment's subtotal, then
    each task's points, then why a submission could not be graded), and per student
    dest/results/<student>.json (docs/results.md, with a "student" field) and
    dest/gradescope/<student>.json (Gradescope's results.json). graded: (student, result) pairs;
    problems: (student, reason) pairs for submissions that could not be graded, exported with 0
    points; settings: course.yml's `gradescope:` section (the defaults when None). Returns the
    files written."""
    dest = Path(dest)
    (dest / "results").mkdir(parents=True, exist_ok=True)
    (dest / "gradescope").mkdir(parents=True, exist_ok=True)
    columns = list(dict.fromkeys(f"{t['assignment']}/{t['task']}" for _, r in graded for t in r["tasks"]))
    assignments = list(dict.fromkeys(column.split("/")[0] for column in columns))
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
        writer.writerow(["student", "score", "max_score", *assignments, *columns, "problem"])
        for student, result, problem in rows:
            points = {f"{t['assignment']}/{t['task']}": t["score"] for t in result["tasks"]}
            subtotals = assignment_scores(result)
            cells = [
                student,
                result["score"],
                result["max_score"],
                *(subtotals[a][0] if a in subtotals else (0.0 if problem else "") for a in assignments),
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
