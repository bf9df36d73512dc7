"""`course release --bundle student`: what students get, and nothing of the reference.

The bundle is a course tree without solutions/: course.yml, assignments/ (stubs, handouts in
English and Korean, and one notebook per assignment), the public grader (autograder/, with the
mistake library reduced to its names and hints: a mistake's code is the reference with one bug),
the reference outputs recorded for every check on the public practice inputs (recorded/),
pyproject.toml to install the `course` command, the student guide as README.md and the glossary
of the Korean terms. Everything is generated from course.yml and the registered checks, so a new
assignment is in the next bundle without any change here. Nothing of the offering's grading
secret goes in: the bundle is built without reading it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

from autograder.course.config import MANIFEST, Course
from autograder.grading.failure import MistakeHint
from autograder.grading.mistake_registry import load_mistakes, mistakes_for
from autograder.grading.replay import FOLDER
from autograder.publishing.notebooks import write_notebooks
from autograder.publishing.record import record
from autograder.publishing.release import IGNORED, PublishError, expected_tree
from autograder.runtime.language import N_

STUDENT_GUIDE = Path("docs") / "student.md"
GLOSSARY = Path("docs") / "glossary.md"  # beside the guide in the bundle, as in docs/
# pytest in the bundle: `pytest --course a0_foundations` works without installing the course
BUNDLE_PYTEST = """[tool.pytest.ini_options]
addopts = "-p autograder.publishing.pytest_plugin -p no:cacheprovider"
pythonpath = ["."]
testpaths = ["assignments"]
"""


class BundleError(PublishError):
    """The bundle cannot be written where asked."""


def prepare_target(out: Path) -> None:
    """out must be a new or empty folder: a bundle is never mixed with older files."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BundleError(f"{out} exists and is not an empty folder; remove it or choose another --out")
    out.mkdir(parents=True, exist_ok=True)


def chosen_assignments(course: Course, only) -> list[str]:
    """The assignment ids named in only (ids or short names; all when empty), in course order."""
    named = set()
    for name in only or ():
        assignment = course.find_assignment(name)
        if assignment is None:
            raise BundleError(str(course.unknown(name, N_("assignment"))))
        named.add(assignment.id)
    return [a.id for a in course.assignments if not only or a.id in named]


def write_manifest(course: Course, assignment_ids, target: Path) -> None:
    """course.yml as it is, or without the assignments left out of the bundle."""
    source = course.root / MANIFEST
    if len(assignment_ids) == len(course.assignments):
        shutil.copyfile(source, target / MANIFEST)
        return
    data = {
        **course.manifest,
        "assignments": {key: value for key, value in course.manifest["assignments"].items() if key in assignment_ids},
    }
    text = "# The course manifest of this bundle (its assignments so far).\n" + yaml.safe_dump(data, sort_keys=False)
    (target / MANIFEST).write_text(text, encoding="utf-8")


def bundle_pyproject(course: Course) -> str:
    """The course's pyproject.toml with the bundle's own pytest settings."""
    text = (course.root / "pyproject.toml").read_text(encoding="utf-8")
    start = text.find("[tool.pytest.ini_options]")
    if start < 0:
        return text.rstrip() + "\n\n" + BUNDLE_PYTEST
    end = text.find("\n[", start + 1)
    return text[:start] + BUNDLE_PYTEST + (text[end:] if end >= 0 else "")


def copy_grader(course: Course, assignment_ids, target: Path) -> None:
    """autograder/ without the code of known mistakes, and mistakes only of the bundled assignments
    (every checks module comes: one may build on another's, as a6's Dropout check on a3's); the
    compiled message catalogs come along (the feedback's languages)."""
    source = Path(__file__).resolve().parents[1]  # the grader that records is the grader bundled
    left_out = {a.id for a in course.assignments} - set(assignment_ids)
    for path in sorted([*source.rglob("*.py"), *source.glob("locale/*/LC_MESSAGES/*.mo")]):
        relative = path.relative_to(source)
        if IGNORED.intersection(relative.parts):
            continue
        if relative.parent.name == "mistakes" and relative.stem in left_out:
            continue
        destination = target / "autograder" / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if relative.parent.name == "mistakes" and relative.stem != "__init__":
            destination.write_text(catalogue_module(course, relative.stem), encoding="utf-8")
        else:
            shutil.copyfile(path, destination)


def catalogue_module(course: Course, assignment_id: str) -> str:
    """A mistakes module for the bundle: each known mistake of the assignment by name and hint,
    without its code (the bundle recognises a mistake by its recorded outputs)."""
    load_mistakes([assignment_id])
    rows = [
        f"    ({m.task!r}, {m.name!r}, {hint.template!r}, {hint.fields!r}, {m.by_output!r}),"
        for task in course.assignment(assignment_id).tasks
        for m in mistakes_for(task.name)
        for hint in [MistakeHint(m.hint)]
    ]
    # a hint as its template and fields (a MistakeHint is a Message), so that the bundle's grader
    # translates it as the course's does
    return (
        f'"""Known mistakes of {assignment_id}, by name and hint; their code stays with the course staff."""\n'
        "from autograder.grading.mistake_registry import MISTAKES, Mistake\n"
        "from autograder.runtime.language import Message\n\n"
        "for _task, _name, _template, _fields, _by_output in [\n" + "\n".join(rows) + "\n]:\n"
        "    MISTAKES.setdefault(_task, []).append(\n"
        '        Mistake(_task, _name, Message(_template, **_fields), "", _by_output)\n'
        "    )\n"
    )


def write_assignments(course: Course, assignment_ids, target: Path) -> None:
    """assignments/: the stubs and handouts of the bundled assignments, as `course release` makes them."""
    for relative, content in expected_tree(course.root).items():
        if len(relative.parts) > 1 and relative.parts[0] not in assignment_ids:
            continue
        path = target / "assignments" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def build_student_bundle(course: Course, out: Path, only=None, report=print, lang: str = "en") -> list[str]:
    """Write the student bundle into out (a new or empty folder), its notebooks in lang; returns
    the assignments in it. Every handout, in every language, goes in either way."""
    assignment_ids = chosen_assignments(course, only)
    prepare_target(out)
    staging = Path(tempfile.mkdtemp(prefix="course-bundle-", dir=out.parent))
    try:
        write_manifest(course, assignment_ids, staging)
        (staging / "pyproject.toml").write_text(bundle_pyproject(course), encoding="utf-8")
        shutil.copyfile(course.root / STUDENT_GUIDE, staging / "README.md")
        shutil.copyfile(course.root / GLOSSARY, staging / GLOSSARY.name)
        write_assignments(course, assignment_ids, staging)
        write_notebooks(course, assignment_ids, staging / "assignments", lang)
        copy_grader(course, assignment_ids, staging)
        record(course, assignment_ids, staging / FOLDER, report=report)
        for item in staging.iterdir():
            shutil.move(str(item), out / item.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return assignment_ids
