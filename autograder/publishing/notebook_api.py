"""What the course's notebooks call: load your files, self-check a task, grade a task.

A notebook lives in an assignment folder beside the student's files (assignments/<id>/ of a
course tree, or the folder nbgrader releases). The course itself (course.yml, the grader, the
reference or its recorded outputs) is found from $COURSE_ROOT, else the nearest folder above the
notebook that holds course.yml, else the folder this grader was installed from.

`grade` is what nbgrader's grade cells call: it grades with the full profile in a separate
`course grade` process, so nothing a notebook cell changed in the kernel takes part in grading,
and returns the task's points (nbgrader reads a number as partial credit).

Both write in the language of `lang` (en or ko), else the environment's, else course.yml's.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import types
from pathlib import Path

from autograder.course import config
from autograder.course.config import MANIFEST, Course
from autograder.execution.submission import stage
from autograder.grading import report, sanitize
from autograder.runtime import language
from autograder.runtime.executor import load_package
from autograder.runtime.language import N_, _

GRADE_TIMEOUT = 1800  # seconds for grading one assignment in a grade cell
STATUS_WORDS = {"passed": N_("passed"), "failed": N_("failed"), "not_started": N_("not started"), "error": N_("error")}


def course_root(start: Path | None = None) -> Path:
    """The course folder for a notebook working in start (default: the working directory)."""
    if os.environ.get("COURSE_ROOT"):
        return Path(os.environ["COURSE_ROOT"]).resolve()
    start = Path(start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / MANIFEST).is_file():
            return folder
    installed = Path(__file__).resolve().parents[2]  # the course tree autograder/ was installed from
    if (installed / MANIFEST).is_file():
        return installed
    raise config.ConfigError(
        f"no {MANIFEST} above {start}: set COURSE_ROOT to the course folder "
        "(the student bundle), or open the notebook inside it"
    )


def _course(folder: Path) -> Course:
    return config.load(course_root(folder))


def _assignment_of(course: Course, folder: Path) -> str:
    """The assignment whose files are in folder (the notebook's own folder)."""
    present = {path.name for path in folder.glob("*.py")}
    for assignment in course.assignments:
        if present.intersection(assignment.files) or folder.name == assignment.id:
            return assignment.id
    raise config.ConfigError(f"{folder} holds none of the course's files")


def load_assignment(folder=None) -> types.SimpleNamespace:
    """Your files in folder (default: the working directory), imported afresh on every call so
    that edits show at once: `mine = load_assignment(); mine.sigmoid_forward(x)`."""
    folder = Path(folder or Path.cwd()).resolve()
    course = _course(folder)
    assignment = course.assignment(_assignment_of(course, folder))
    staging = Path(tempfile.mkdtemp(prefix="course-notebook-"))
    atexit.register(shutil.rmtree, staging, True)  # kept while the kernel runs: tracebacks read it
    stage(course, folder, staging)
    package = load_package(staging, "_course_notebook")
    namespace = types.SimpleNamespace()
    for file_name in assignment.files:
        if (staging / assignment.id / file_name).is_file():
            module = __import__(f"{package}.{assignment.id}.{Path(file_name).stem}", fromlist=["_"])
            for name, value in vars(module).items():
                if not name.startswith("_"):
                    setattr(namespace, name, value)
    return namespace


def check(*names: str, folder=None, lang: str | None = None) -> None:
    """Self-check tasks (or whole assignments) on your files in folder with the quick profile,
    in this process, and print the result with feedback (in lang: en or ko)."""
    from autograder.grading.runner import grade_folder

    folder = Path(folder or Path.cwd()).resolve()
    course = _course(folder)
    language.use(language.choose(lang, course.language))
    result = grade_folder(course, folder, list(names) or [_assignment_of(course, folder)], profile="quick")
    print(report.table(result))


_graded: dict[tuple, dict] = {}


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _grade_assignment(root: Path, folder: Path, assignment: str, lang: str) -> dict:
    """The full-profile result of `course grade` on folder for one assignment, in lang (run once
    per content of the folder's files, then reused by the assignment's other grade cells)."""
    key = (root, folder, assignment, lang, _digest(folder))
    if key not in _graded:
        with tempfile.TemporaryDirectory(prefix="course-grade-") as scratch:
            out = Path(scratch) / "result.json"
            run = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "autograder",
                    "--course",
                    str(root),
                    "grade",
                    str(folder),
                    "--only",
                    assignment,
                    "--format",
                    "json",
                    "--lang",
                    lang,
                    "--out",
                    str(out),
                ],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=GRADE_TIMEOUT,
            )
            if run.returncode != 0 or not out.is_file():
                raise RuntimeError(
                    _("grading failed ({code}): {log}").format(code=run.returncode, log=run.stderr.strip()[-2000:])
                )
            _graded[key] = json.loads(out.read_text(encoding="utf-8"))
    return _graded[key]


def grade(task: str, folder=None, lang: str | None = None) -> float:
    """Grade one task of your files in folder with the full profile (official grading); prints
    its checks (in lang: en or ko) and returns the points earned."""
    folder = Path(folder or Path.cwd()).resolve()
    root = course_root(folder)
    course = config.load(root)
    language.use(language.choose(lang, course.language))
    result = _grade_assignment(root, folder, course.task(task).assignment, language.current())
    found = next(t for t in result["tasks"] if t["task"] == task)
    print(f"{task}: {found['score']:g}/{found['max_score']:g} ({_(STATUS_WORDS[found['status']])})")
    for checked in found["checks"]:
        mark = _("ok") if checked["passed"] else _("FAIL")
        print(f"  {mark}{' ' * (4 - report.width(mark))} {checked['name']}")
        for line in sanitize.text(checked["feedback"]).splitlines():
            print(f"       {line}")
    return found["score"]
