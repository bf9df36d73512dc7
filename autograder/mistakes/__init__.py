"""The mistake library: realistic wrong versions of task functions.

Each mistake is the source of one wrong function, registered for its task with a hint that
names the mistake. The grader uses them twice: to recognise a student's wrong output and name
the mistake in the feedback, and (in the course's tests and `course validate`) to prove every
check catches what it is meant to catch. A mutant is the reference file with the mistake's
function appended under the task's name, so it runs exactly like a submitted file.
"""
from __future__ import annotations

import importlib
import inspect
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from ..config import Course


@dataclass(frozen=True)
class Mistake:
    task: str
    name: str
    hint: str
    source: str  # a definition of `task`
    by_output: bool = True  # False: caught by a property check, not recognised by its output


MISTAKES: dict[str, list[Mistake]] = {}


def mistake(task: str, hint: str, *, by_output: bool = True):
    """Register the decorated function, renamed to task, as a known mistake of task."""

    def register(function):
        lines = textwrap.dedent(inspect.getsource(function)).splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(("def ", "class ")))
        source = "\n".join(lines[start:]) + "\n"
        source = re.sub(rf"^(def|class) {function.__name__}\b", rf"\1 {task}", source, count=1)
        MISTAKES.setdefault(task, []).append(Mistake(task, function.__name__, hint, source, by_output))
        return function

    return register


def load_mistakes(assignment_ids) -> None:
    for assignment_id in assignment_ids:
        try:
            importlib.import_module(f"autograder.mistakes.{assignment_id}")
        except ModuleNotFoundError as error:
            if error.name != f"autograder.mistakes.{assignment_id}":
                raise


def mistakes_for(task: str) -> list[Mistake]:
    return MISTAKES.get(task, [])


def all_mistakes() -> list[Mistake]:
    return [m for group in MISTAKES.values() for m in group]


def mutant_source(course: Course, mistake: Mistake) -> str:
    """The reference file of mistake.task with the wrong function appended."""
    spec = course.task(mistake.task)
    original = (course.root / "solutions" / spec.assignment / spec.file).read_text(encoding="utf-8")
    return f"{original}\n\n# Known mistake {mistake.name}: {mistake.hint}\n{mistake.source}"


def write_mutant(course: Course, mistake: Mistake, dest: Path) -> Path:
    """Write the mistake's assignment into dest/<assignment>/: the reference files, with the
    mutant in place of the task's file (a submission that differs in this one function)."""
    spec = course.task(mistake.task)
    folder = dest / spec.assignment
    folder.mkdir(parents=True, exist_ok=True)
    for file_name in course.assignment(spec.assignment).files:
        source = course.root / "solutions" / spec.assignment / file_name
        (folder / file_name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    target = folder / spec.file
    target.write_text(mutant_source(course, mistake), encoding="utf-8")
    return target


_mutants: dict[tuple[Path, Mistake], object] = {}


def mutant_implementation(course: Course, mistake: Mistake):
    """The reference package with this one mistake in it, loaded once per process (in a bundle
    without solutions/, the mistake's recorded outputs)."""
    from ..implementations import Implementation, copy_solutions, scratch_folder
    from ..recorded import replay_for

    replayed = replay_for(course, mistake.name)
    if replayed is not None:
        return replayed
    key = (course.root, mistake)
    if key not in _mutants:
        root = copy_solutions(course, scratch_folder("course-mutant-") / "solutions")
        write_mutant(course, mistake, root)
        _mutants[key] = Implementation(course, root, "_course_mutant")
    return _mutants[key]


def mistake_implementation_pairs(course: Course, task: str):
    """(mistake, its implementation) for every output-recognisable mistake of task."""
    for known in mistakes_for(task):
        if known.by_output:
            yield known, mutant_implementation(course, known)
