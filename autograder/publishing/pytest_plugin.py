"""`pytest --course NAME...`: the course's checks as pytest items, one item per check.

Installed with the course (`pip install -e .` registers it with pytest); without installing,
`python -m pytest -p autograder.publishing.pytest_plugin --course ...` from the course folder does the same.

    pytest --course a0_foundations        every check of an assignment (quick profile)
    pytest --course sigmoid_forward adam  the checks of some tasks
    pytest --course                       everything
    --course-full                         the full profile of official grading
    --course-submission DIR               whose files (default: the course's assignments/)
    --course-lang en|ko                   the feedback's language (default: the environment's,
                                          else course.yml's)

Each task is graded once, exactly as `course check` grades it, and its items report the task's
checks: a failed item shows the check's feedback; a check of a task not started yet (its function still
raises NotImplementedError) is skipped with the reason, since it has nothing to fail yet.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("course", "the course's checks (autograder)")
    group.addoption(
        "--course",
        nargs="*",
        metavar="ASSIGNMENT|TASK",
        default=None,
        help="run the course's checks of these assignments or tasks (all when none is named), "
        "one test item per check, instead of collecting test files",
    )
    group.addoption("--course-full", action="store_true", help="use the full profile of official grading")
    group.addoption(
        "--course-submission", metavar="DIR", help="the files to check (default: assignments/ of the course folder)"
    )
    group.addoption(
        "--course-root", metavar="DIR", help="the course folder (default: the one around the working directory)"
    )
    group.addoption(
        "--course-lang",
        choices=["en", "ko"],
        help="the language of the feedback (default: the environment's, else course.yml's)",
    )


def _active(config) -> bool:
    return config.getoption("course") is not None


def pytest_ignore_collect(collection_path, config):
    """With --course, the course's checks are the only items: no test file is collected."""
    if _active(config):
        return True
    return None


class CheckFailed(Exception):
    """A check of the course failed; its feedback is the report."""


class _Grades:
    """Grades each task once (on first use) and keeps its result for the task's items."""

    def __init__(self, course, submission: Path, profile: str):
        self.course = course
        self.submission = submission
        self.profile = profile
        self._tasks: dict[str, dict] = {}

    def task(self, name: str) -> dict:
        from autograder.grading.runner import grade_folder

        if name not in self._tasks:
            self._tasks[name] = grade_folder(self.course, self.submission, [name], profile=self.profile)["tasks"][0]
        return self._tasks[name]


class CheckItem(pytest.Item):
    """One check of one task."""

    def __init__(self, *, grades: _Grades, task, check_name: str, index: int, **kwargs):
        super().__init__(**kwargs)
        self.grades = grades
        self.task = task
        self.check_name = check_name  # as registered (English): the item's id
        self.index = index  # of the check in its task's result, whose name is in the feedback's language
        self.shown_name = check_name

    def runtest(self):
        checked = self.grades.task(self.task.name)["checks"][self.index]
        self.shown_name = checked["name"]
        if checked["outcome"] == "not_started":
            pytest.skip(checked["feedback"])
        if not checked["passed"]:
            raise CheckFailed(checked["feedback"])

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailed):
            return f"{self.task.name}: {self.shown_name}\n{excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{self.task.assignment}::{self.task.name}::{self.check_name}"


def pytest_collection_modifyitems(session, config, items):
    if not _active(config):
        return
    from autograder.course import config as course_config
    from autograder.grading.registry import checks_for, load_checks
    from autograder.runtime import language

    root = Path(config.getoption("course_root") or course_config.find_root(Path.cwd()))
    course = course_config.load(root)
    language.use(language.choose(config.getoption("course_lang"), course.language))
    tasks = course.select(config.getoption("course"))
    load_checks(list(dict.fromkeys(task.assignment for task in tasks)))
    submission = Path(config.getoption("course_submission") or course.root / "assignments")
    grades = _Grades(course, submission, "full" if config.getoption("course_full") else "quick")
    items[:] = [
        CheckItem.from_parent(
            session,
            name=f"{task.name}::{check.name}",
            nodeid=f"{task.assignment}::{task.name}::{check.name}",
            grades=grades,
            task=task,
            check_name=check.name,
            index=index,
        )
        for task in tasks
        for index, check in enumerate(checks_for(task.name))
    ]
