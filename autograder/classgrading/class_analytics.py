"""What a class got wrong, counted from the gradebook: the numbers behind the class report.

Pure functions of the students' latest results (docs/results.md), their hand-ins and the
submissions that could not be read; no page, no plot. A result from before schema version 2
has no `case` or `hint` of its own: they are read from its feedback lines, and it names no
mistake.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from autograder.classgrading.gradebook import assignment_scores, file_names

# how the grader words a call or check cut off by time (execution.worker_client, grading.runner),
# in English and in Korean (autograder/locale/ko: "... 안에 끝나지 않았습니다", "시간 예산"), since
# a gradebook holds feedback in the language it was graded in
TIMED_OUT = ("did not finish within", "time budget", "안에 끝나지 않았습니다", "시간 예산")
CASE_LINES = ("Smallest failing case: ", "Failing case: ")
HINT_LINE = "Hint: "


def _from_feedback(feedback: str, starts: tuple[str, ...]) -> str | None:
    return next((line.split(": ", 1)[1] for line in feedback.splitlines() if line.startswith(starts)), None)


def failing_case(checked: dict) -> str | None:
    """The failing case a check's feedback gives (its `case`, or its feedback's line before version 2)."""
    return checked["case"] if "case" in checked else _from_feedback(checked["feedback"], CASE_LINES)


def hint(checked: dict) -> str | None:
    """The hint a check's feedback gives (its `hint`, or its feedback's line before version 2)."""
    return checked["hint"] if "hint" in checked else _from_feedback(checked["feedback"], (HINT_LINE,))


def typical(counts: Counter) -> str | None:
    """The most frequent value; among as frequent ones, the shortest, then the first in order."""
    if not counts:
        return None
    return min(counts, key=lambda value: (-counts[value], len(value), value))


@dataclass
class CheckStats:
    """One check across the class."""

    assignment: str
    task: str
    name: str
    graded: int = 0  # students whose result holds it
    passed: int = 0
    wrong: int = 0  # outcome failed or error: the student's code ran and was wrong, or crashed
    not_started: int = 0
    cases: Counter = field(default_factory=Counter)
    hints: Counter = field(default_factory=Counter)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


@dataclass
class TaskStats:
    """One task across the class."""

    assignment: str
    task: str
    max_score: float
    graded: int = 0
    passed: int = 0  # every check passed
    not_started: int = 0
    points: float = 0.0  # summed over the students

    @property
    def pass_rate(self) -> float:
        return self.passed / self.graded if self.graded else 0.0

    @property
    def mean(self) -> float:
        return self.points / self.graded if self.graded else 0.0


@dataclass
class MistakeStats:
    """A known mistake recognised in the class: in how many students' results, and on which checks."""

    mistake: str
    task: str
    hint: str
    students: set[str] = field(default_factory=set)
    checks: Counter = field(default_factory=Counter)


@dataclass
class AssignmentStats:
    """The subtotals of an assignment, one per student graded on it."""

    assignment: str
    max_score: float
    scores: list[float] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.scores) if self.scores else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.scores) if self.scores else 0.0


@dataclass
class Student:
    """A student of the report: the latest result (None when no hand-in could be graded)."""

    name: str
    page: str  # the file name of the feedback page, without .html
    result: dict | None
    handins: int = 0  # graded hand-ins with files different from the one before
    problems: list[str] = field(default_factory=list)  # why hand-ins could not be read
    timed_out: list[str] = field(default_factory=list)  # "task: check" cut off by time


@dataclass
class ClassStats:
    students: list[Student]
    assignments: list[AssignmentStats]
    tasks: list[TaskStats]
    checks: list[CheckStats]
    mistakes: list[MistakeStats]  # most students first

    def failed_most(self, count: int) -> list[CheckStats]:
        """The checks the most students got wrong (not counting those not started), at most count."""
        wrong = [c for c in self.checks if c.wrong]
        return sorted(wrong, key=lambda c: (-c.wrong, c.pass_rate))[:count]

    @property
    def with_problems(self) -> list[Student]:
        return [s for s in self.students if s.problems or s.timed_out]


def handins(history: list[tuple[str, str]]) -> int:
    """How many hand-ins a student made: graded submissions whose files differ from the one
    before (a regrade of the same files is not one)."""
    files = [f for _, f in history]
    return sum(1 for i, f in enumerate(files) if i == 0 or f != files[i - 1])


def analyse(
    latest: list[tuple[str, dict]],
    history: dict[str, list[tuple[str, str]]] | None = None,
    problems: Sequence[tuple[str, str, str]] = (),
) -> ClassStats:
    """The class's numbers from each student's latest (student, result), their hand-ins
    (Gradebook.history) and the (student, source, message) of submissions not read."""
    history = history or {}
    results = dict(latest)
    names = list(results) + list(dict.fromkeys(s for s, _, _ in problems if s not in results))
    students = {
        name: Student(name, page, results.get(name), handins(history.get(name, [])))
        for name, page in zip(names, file_names(names))
    }
    for name, _, message in problems:
        students[name].problems.append(message)
    assignments: dict[str, AssignmentStats] = {}
    tasks: dict[tuple[str, str], TaskStats] = {}
    checks: dict[tuple[str, str, str], CheckStats] = {}
    mistakes: dict[str, MistakeStats] = {}
    for name, result in latest:
        for assignment, (points, available) in assignment_scores(result).items():
            assignments.setdefault(assignment, AssignmentStats(assignment, available)).scores.append(points)
        for task in result["tasks"]:
            where = (task["assignment"], task["task"])
            counted = tasks.setdefault(where, TaskStats(*where, task["max_score"]))
            counted.graded += 1
            counted.passed += task["status"] == "passed"
            counted.not_started += task["status"] == "not_started"
            counted.points += task["score"]
            for checked in task["checks"]:
                _count_check(checks.setdefault((*where, checked["name"]), CheckStats(*where, checked["name"])), checked)
                if checked["outcome"] == "error" and any(mark in checked["feedback"] for mark in TIMED_OUT):
                    students[name].timed_out.append(f"{task['task']}: {checked['name']}")
                if checked.get("mistake"):
                    known = mistakes.setdefault(
                        checked["mistake"], MistakeStats(checked["mistake"], task["task"], hint(checked) or "")
                    )
                    known.students.add(name)
                    known.checks[checked["name"]] += 1
    return ClassStats(
        list(students.values()),
        list(assignments.values()),
        list(tasks.values()),
        list(checks.values()),
        sorted(mistakes.values(), key=lambda m: (-len(m.students), m.mistake)),
    )


def _count_check(counted: CheckStats, checked: dict) -> None:
    counted.graded += 1
    if checked["passed"]:
        counted.passed += 1
    elif checked["outcome"] == "not_started":
        counted.not_started += 1
    else:
        counted.wrong += 1
        case, given = failing_case(checked), hint(checked)
        if case:
            counted.cases[case] += 1
        if given:
            counted.hints[given] += 1
