"""How long the class report takes for a large class: `course report` on a generated gradebook,
against the exports of the same class (grades.csv and two JSON files a student) as the baseline.

    python benchmarks/report_speed.py [--students 300] [--seed 0]

The class is generated, not graded: every student has every task and check of the course, each
check passed with a chance that depends on the student's skill and the task, failed checks
carry a case and, where the library knows mistakes of the task, one of them; some students
handed in twice, and a few hand-ins could not be read.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from autograder.classgrading import class_report
from autograder.classgrading.gradebook import Gradebook, export
from autograder.course import config
from autograder.grading.mistake_registry import load_mistakes, mistakes_for
from autograder.grading.registry import checks_for, load_checks
from autograder.grading.runner import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]


def generated_result(course, rng: random.Random) -> dict:
    """A result object (docs/results.md) of a student of random skill."""
    skill = rng.random()
    tasks = []
    for task in course.select(None):
        started = rng.random() < 0.3 + 0.7 * skill
        checks = []
        for check in checks_for(task.name):
            passed = started and rng.random() < 0.5 + 0.5 * skill
            known = [m for m in mistakes_for(task.name) if m.by_output]
            mistake = rng.choice(known) if known and not passed and started and rng.random() < 0.5 else None
            case = None if passed or not started else f"shape=({rng.randint(1, 4)},), seed={rng.randint(0, 3)}"
            outcome = "passed" if passed else "failed" if started else "not_started"
            feedback = "" if passed else "not started" if not started else "differs from the reference"
            if case:
                feedback += f"\nSmallest failing case: {case}"
            if mistake:
                feedback += f"\nHint: {mistake.hint}"
            checks.append(
                {
                    "name": check.name,
                    "passed": passed,
                    "feedback": feedback,
                    "outcome": outcome,
                    "case": case,
                    "hint": mistake.hint if mistake else None,
                    "mistake": mistake.name if mistake else None,
                }
            )
        score = round(task.points * sum(c["passed"] for c in checks) / len(checks), 2)
        status = "passed" if all(c["passed"] for c in checks) else "failed" if started else "not_started"
        tasks.append(
            {
                "assignment": task.assignment,
                "task": task.name,
                "score": score,
                "max_score": task.points,
                "status": status,
                "checks": checks,
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "score": round(sum(t["score"] for t in tasks), 2),
        "max_score": round(sum(t["max_score"] for t in tasks), 2),
        "profile": "full",
        "inputs": "official",
        "tasks": tasks,
        "timing": {"seconds": 60.0},
    }


def generated_gradebook(path: Path, students: int, seed: int) -> list[tuple[str, dict]]:
    """A gradebook of a generated class; the (student, result) of each one's latest hand-in."""
    course = config.load(ROOT)
    ids = [a.id for a in course.assignments]
    load_checks(ids)
    load_mistakes(ids)
    rng = random.Random(seed)
    book = Gradebook(path)
    latest = {}
    for number in range(students):
        student = f"student{number:03d}"
        for attempt in range(2 if number % 5 == 0 else 1):  # one in five handed in twice
            key = f"{student}-{attempt}"
            result = generated_result(course, rng)
            book.record(key, files=key, course_version="v", profile="full", tasks=[], result=result)
            book.link(student, f"class/{student}", key)
            latest[student] = result
    for number in range(students // 50):
        book.problem(f"unreadable{number}", f"class/unreadable{number}.zip", "not a readable zip file")
    book.close()
    return list(latest.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="course-report-bench-") as scratch:
        folder = Path(scratch)
        latest = generated_gradebook(folder / "class.sqlite", args.students, args.seed)
        started = time.perf_counter()
        export(latest, folder / "export")
        exported = time.perf_counter() - started
        book = Gradebook(folder / "class.sqlite")
        started = time.perf_counter()
        written = class_report.build(book, folder / "report")
        built = time.perf_counter() - started
        book.close()
        size = sum(p.stat().st_size for p in written)
    checks = sum(len(t["checks"]) for t in latest[0][1]["tasks"])
    print(f"class of {args.students} students, {len(latest[0][1]['tasks'])} tasks, {checks} checks each")
    print(f"report: {built:.2f} s for index.html and {len(written) - 1} feedback pages ({size / 2**20:.1f} MiB)")
    print(f"exports of the same class (baseline): {exported:.2f} s; report / exports = {built / exported:.1f}")


if __name__ == "__main__":
    main()
