"""`course validate`: the reference earns full marks, the stubs earn zero as "not started",
and every known mistake loses points on its task with its hint in the feedback."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from autograder.course.config import Course
from autograder.grading import environment
from autograder.grading.mistake_registry import Mistake, all_mistakes, load_mistakes, write_mutant
from autograder.grading.registry import checks_for
from autograder.grading.runner import grade_folder
from autograder.runtime.language import _, translate


def grade_mistake(course: Course, mistake: Mistake, *, profile: str, isolated: bool = False) -> dict:
    """The task result of a submission made of the reference with this one mistake (graded in
    a sandboxed worker process when isolated)."""
    folder = Path(tempfile.mkdtemp(prefix="course-mistake-"))
    try:
        write_mutant(course, mistake, folder)
        return grade_folder(course, folder, [mistake.task], profile=profile, isolated=isolated)["tasks"][0]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def mistake_problem(mistake: Mistake, task_result: dict) -> str | None:
    """Why this mistake was not caught as it should be, or None."""
    feedback = "\n".join(c["feedback"] for c in task_result["checks"])
    if task_result["score"] >= task_result["max_score"]:
        return _("mistake {name} ({task}) earns full marks").format(name=mistake.name, task=mistake.task)
    if _("Hint: {hint}").format(hint=translate(mistake.hint)) not in feedback:  # as the feedback says it
        told = _("mistake {name} ({task}) loses points but its hint is not in the feedback")
        return told.format(name=mistake.name, task=mistake.task)
    return None


def ungradable_tasks(course: Course) -> set[str]:
    """The tasks with a check that needs an optional module the grader's environment lacks."""
    return {
        task.name
        for task in course.select(None)
        if environment.missing(dict.fromkeys(m for c in checks_for(task.name) for m in c.needs))
    }


def _graded_by_assignment(course: Course, path: Path, label: str, report, **grading) -> dict:
    """path graded one assignment at a time, each reported as it is done (validate runs for
    minutes: the lines show it at work); one result of every task, as grade_folder gives it."""
    tasks: list[dict] = []
    environment_messages: list[str] = []
    for assignment in course.assignments:
        start = time.perf_counter()
        result = grade_folder(course, path, [assignment.id], **grading)
        tasks += result["tasks"]
        environment_messages += [m for m in result.get("environment", []) if m not in environment_messages]
        seconds = time.perf_counter() - start
        report(
            f"  {label} {assignment.id}: {result['score']:g}/{result['max_score']:g} "
            + _("({seconds} s)").format(seconds=f"{seconds:.0f}")
        )
    merged = {
        "score": sum(t["score"] for t in tasks),
        "max_score": sum(t["max_score"] for t in tasks),
        "tasks": tasks,
    }
    return {**merged, "environment": environment_messages} if environment_messages else merged


def validate(course: Course, *, profile: str, report=print, isolated: bool = False) -> list[str]:
    """Problems with the course's grading (empty when all is well); with isolated, every
    submission is graded in a sandboxed worker process, as official grading does. What the
    grader's environment lacks is one problem, said once; the tasks it keeps from being graded
    are left out of the rest. Progress goes to report as each assignment, and every tenth
    mistake, is done."""
    problems = []
    load_mistakes([a.id for a in course.assignments])
    mistakes_total = len(all_mistakes())
    told = _(
        "validate ({profile} profile): the reference, the stubs, then {mistakes} known mistakes, "
        "over {assignments} assignments"
    )
    report(told.format(profile=profile, mistakes=mistakes_total, assignments=len(course.assignments)))
    grading = {"profile": profile, "isolated": isolated}
    reference = _graded_by_assignment(course, course.root / "solutions", _("reference"), report, **grading)
    ungradable = ungradable_tasks(course)
    for message in reference.get("environment", []):
        told = _("environment: {message} (not validated: {tasks})")
        problems.append(told.format(message=message, tasks=", ".join(sorted(ungradable))))
    for task in reference["tasks"]:
        if task["task"] in ungradable:
            continue
        if task["score"] != task["max_score"]:
            told = _("reference: {task} scores {score}/{max_score}")
            problems.append(told.format(task=task["task"], score=task["score"], max_score=task["max_score"]))
    told = _("reference: {score}/{max_score}")
    report(told.format(score=f"{reference['score']:g}", max_score=f"{reference['max_score']:g}"))
    stubs = _graded_by_assignment(course, course.root / "assignments", _("stubs"), report, **grading)
    for task in stubs["tasks"]:
        if task["task"] in ungradable:
            continue
        if task["score"] != 0 or task["status"] != "not_started":
            told = _("stubs: {task} is {status} with {score} points")
            problems.append(told.format(task=task["task"], status=task["status"], score=task["score"]))
    told = _("stubs: {score}/{max_score}, {not_started}/{tasks} tasks not started")
    report(
        told.format(
            score=f"{stubs['score']:g}",
            max_score=f"{stubs['max_score']:g}",
            not_started=sum(t["status"] == "not_started" for t in stubs["tasks"]),
            tasks=len(stubs["tasks"]),
        )
    )
    mistakes = [m for m in all_mistakes() if m.task not in ungradable]
    caught = 0
    for number, mistake in enumerate(mistakes, start=1):
        problem = mistake_problem(mistake, grade_mistake(course, mistake, profile=profile, isolated=isolated))
        if problem:
            problems.append(problem)
        else:
            caught += 1
        if number % 10 == 0 and number < len(mistakes):
            report(_("  mistakes: {number}/{total} graded").format(number=number, total=len(mistakes)))
    report(_("mistakes: {caught}/{total} caught with their hint").format(caught=caught, total=len(mistakes)))
    return problems
