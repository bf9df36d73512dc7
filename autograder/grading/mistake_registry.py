"""The mistake library: realistic wrong versions of task functions.

Each mistake is the source of one wrong function, registered for its task with a hint that
names the mistake. The grader uses them twice: to recognise a student's wrong output and name
the mistake in the feedback, and (in the course's tests and `course validate`) to prove every
check catches what it is meant to catch. A mutant is the reference file with the mistake's
function appended under the task's name, so it runs exactly like a submitted file.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from autograder.course.config import Course
from autograder.grading.failure import MistakeHint


@dataclass(frozen=True)
class Mistake:
    task: str
    name: str  # its id: unique across the library
    hint: str
    source: str  # a definition of `task`
    by_output: bool = True  # False: caught by a property check, not recognised by its output

    def __post_init__(self):
        # the hint carries the mistake's id into the failure it explains (docs/results.md)
        object.__setattr__(self, "hint", MistakeHint(self.hint, self.name))


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
    """The reference file of mistake.task with the wrong version in it: a wrong function is
    appended (it rebinds the name), a wrong class replaces the original where it stands, so
    that the classes built on it (a6's layers on Module) inherit the mistake."""
    spec = course.task(mistake.task)
    original = (course.root / "solutions" / spec.assignment / spec.file).read_text(encoding="utf-8")
    note = f"# Known mistake {mistake.name}: {mistake.hint}\n"
    if mistake.source.startswith("class "):
        node = next(
            (n for n in ast.parse(original).body if isinstance(n, ast.ClassDef) and n.name == mistake.task), None
        )
        if node is not None:
            lines = original.splitlines(keepends=True)
            start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
            return "".join(lines[:start]) + note + mistake.source + "".join(lines[node.end_lineno :])
    return f"{original}\n\n{note}{mistake.source}"


def write_mutant(course: Course, mistake: Mistake, dest: Path) -> Path:
    """Write the mistake's assignment into dest/<assignment>/: the reference files, with the
    mutant in place of the task's file (a submission that differs in this one function). The
    assignments it builds on (a6 imports a0-a5) come along as reference files."""
    spec = course.task(mistake.task)
    for assignment in course.assignments[: course.assignments.index(course.assignment(spec.assignment)) + 1]:
        folder = dest / assignment.id
        folder.mkdir(parents=True, exist_ok=True)
        for file_name in assignment.files:
            source = course.root / "solutions" / assignment.id / file_name
            (folder / file_name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    target = dest / spec.assignment / spec.file
    target.write_text(mutant_source(course, mistake), encoding="utf-8")
    return target


_mutants: dict[tuple[Path, Mistake], object] = {}


def mutant_implementation(course: Course, mistake: Mistake):
    """The reference package with this one mistake in it, loaded once per process (in a bundle
    without solutions/, the mistake's recorded outputs)."""
    from autograder.grading.reference import Implementation, copy_solutions, scratch_folder
    from autograder.grading.replay import replay_for

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
