"""One notebook per assignment, generated from its handout, its stubs and course.yml; and the
nbgrader course folder built around them (`course release --bundle nbgrader`).

A notebook explains the concept (the handout, section by section: in English, or in Korean when
made with `--lang ko`), shows each task's signature and docstring with a cell to try it on your
own inputs and a self-check, and ends in one nbgrader grade cell per task worth that task's points,
which grades the student's files with the full profile (autograder/publishing/notebook_api.py): on
the practice inputs where a student runs it, on the official inputs where nbgrader autogrades in
the course staff's folder, which alone holds the offering's secret and the reference's answers on
those inputs.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

from autograder.course.config import Assignment, Course
from autograder.grading.determinism import Inputs
from autograder.grading.replay import OFFICIAL_FOLDER
from autograder.publishing.offering import write_secret_file
from autograder.publishing.release import HANDOUTS, expected_tree

SETUP = """\
# Setup: run this cell first. It finds the course folder (the one holding course.yml, or
# $COURSE_ROOT) and loads the course's helpers; your files are read afresh by load_assignment().
import os, sys
from pathlib import Path
_here = Path.cwd().resolve()
_root = os.environ.get("COURSE_ROOT") or next(
    (str(p) for p in (_here, *_here.parents) if (p / "course.yml").is_file()), None)
if _root and _root not in sys.path:
    sys.path.insert(0, _root)
import numpy as np
from autograder.publishing.notebook_api import check, grade, load_assignment"""

# the words of a notebook besides its handout, in each language a notebook can be made in
NOTEBOOK_TEXT = {
    "en": {
        "intro": "Fill in {files} in this folder. This notebook explains the ideas, lets you try your functions "
        "and check them as you go, and ends with the grading cells, one per task. After editing a file, "
        "re-run a cell: `load_assignment()` reads your files afresh.",
        "try": "## Try your functions",
        "about": "### `{name}` ({file}, {points:g} points)",
        "try_it": "# try it on a small input of your own:",
        "self_check": "# the quick self-check of {name}",
        "grading": "## Grading\n\nEach cell below grades one task of your files with the full profile, the one "
        "official grading uses, and shows its points ({total:g} in all). Run them when you are done. Here they "
        "use the practice inputs; official grading runs the same cells on inputs you have not seen.",
    },
    "ko": {
        "intro": "이 폴더에서 {files} 파일을 채우세요. 이 노트북은 개념을 설명하고, 작성한 함수를 직접 실행해 보며 "
        "그때그때 점검하게 해 주고, 과제 항목마다 하나씩 있는 채점 셀로 끝납니다. 파일을 고친 뒤에는 셀을 다시 "
        "실행하세요. `load_assignment()`가 파일을 새로 읽습니다.",
        "try": "## 함수 실행해 보기",
        "about": "### `{name}` ({file}, {points:g}점)",
        "try_it": "# 직접 만든 작은 입력으로 실행해 보세요:",
        "self_check": "# {name}의 빠른 자가 점검",
        "grading": "## 채점\n\n아래의 각 셀은 여러분의 파일에서 과제 항목 하나를 공식 채점과 같은 "
        "전체 프로필로 채점하고 그 점수를 보여 줍니다 (모두 {total:g}점). 다 끝냈을 때 실행하세요. 여기서는 "
        "연습용 입력을 쓰고, 공식 채점은 같은 셀을 여러분이 본 적 없는 입력으로 실행합니다.",
    },
}

KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _nbformat():
    try:
        import nbformat
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise ImportError("generating notebooks needs nbformat: pip install 'dl-course[publish]'") from None
    return nbformat


def _locked(cell_id: str, *, points: float | None = None) -> dict:
    """nbgrader metadata of a read-only cell (a grade cell when points is given)."""
    meta = {
        "grade": points is not None,
        "grade_id": cell_id,
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def handout_sections(text: str) -> list[str]:
    """The handout split before each level-1 or level-2 heading (one markdown cell each)."""
    parts = re.split(r"(?m)^(?=#{1,2} )", text)
    return [part.strip() for part in parts if part.strip()]


def stub_definition(source: str, name: str) -> str:
    """The stub's definition of name (signature, docstring and stub body), as source text."""
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return ast.get_source_segment(source, node) or ""
    raise LookupError(f"no definition of {name}")


def assignment_notebook(course: Course, assignment: Assignment, stubs: dict[Path, bytes], lang: str = "en"):
    """The notebook of one assignment (an nbformat NotebookNode), in lang: its handout cells are
    the handout of that language (HANDOUTS), its own words NOTEBOOK_TEXT[lang]."""
    nbf = _nbformat().v4
    folder = Path(assignment.id)
    files = ", ".join(f"`{name}`" for name in assignment.files)
    text = NOTEBOOK_TEXT[lang]
    cells = [
        nbf.new_markdown_cell(
            f"# {assignment.id}: {assignment.title}\n\n" + text["intro"].format(files=files),
            metadata=_locked("title"),
        ),
        nbf.new_code_cell(SETUP, metadata=_locked("setup")),
    ]
    handout = stubs.get(folder / HANDOUTS[lang])
    if handout:
        for number, section in enumerate(handout_sections(handout.decode("utf-8"))):
            cells.append(nbf.new_markdown_cell(section, metadata=_locked(f"handout_{number}")))
    cells.append(nbf.new_markdown_cell(text["try"], metadata=_locked("try")))
    for file_name in assignment.files:
        source = stubs[folder / file_name].decode("utf-8")
        for task in (t for t in assignment.tasks if t.file == file_name):
            cells += [
                nbf.new_markdown_cell(
                    text["about"].format(name=task.name, file=file_name, points=task.points)
                    + f"\n\n```python\n{stub_definition(source, task.name)}\n```",
                    metadata=_locked(f"about_{task.name}"),
                ),
                nbf.new_code_cell(f"mine = load_assignment()\n{text['try_it']}\n# mine.{task.name}(...)"),
                nbf.new_code_cell(f'check("{task.name}")  ' + text["self_check"].format(name=task.name)),
            ]
    total = sum(task.points for task in assignment.tasks)
    cells.append(nbf.new_markdown_cell(text["grading"].format(total=total), metadata=_locked("grading")))
    for task in assignment.tasks:
        cells.append(
            nbf.new_code_cell(
                f'from autograder.publishing.notebook_api import grade\ngrade("{task.name}")',
                metadata=_locked(f"grade_{task.name}", points=task.points),
            )
        )
    notebook = nbf.new_notebook(cells=cells, metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})
    _nbformat().validate(notebook)
    return notebook


def write_notebooks(course: Course, assignment_ids, target: Path, lang: str = "en") -> list[Path]:
    """Write <target>/<assignment>/<assignment>.ipynb for each assignment, in lang; returns the paths."""
    stubs = expected_tree(course.root)
    written = []
    for assignment_id in assignment_ids:
        path = target / assignment_id / f"{assignment_id}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        notebook = assignment_notebook(course, course.assignment(assignment_id), stubs, lang)
        _nbformat().write(notebook, str(path))
        written.append(path)
    return written


NBGRADER_CONFIG = '''\
"""nbgrader's configuration of this course folder (generated by `course release --bundle nbgrader`)."""
c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = {course_id!r}
# the student's own .py files are what the grade cells grade: never replace them with the
# instructor's copies when autograding
c.Autograde.exclude_overwriting = {exclude!r}
# grading one assignment with the full profile takes a while: one grade cell runs it for all
c.Execute.timeout = {timeout}
'''


def write_nbgrader_folder(
    course: Course, assignment_ids, folder: Path, *, course_id: str, inputs: Inputs, report=print
) -> None:
    """Turn the student bundle in folder into the course staff's nbgrader course folder:
    source/<id>/ with the notebook, the student files and the handouts, nbgrader_config.py, the offering's
    secret and the reference's answers on its official inputs (full profile), where autograde
    grades. nbgrader releases source/<id>/ alone, so neither reaches students."""
    from autograder.publishing.notebook_api import GRADE_TIMEOUT
    from autograder.publishing.record import record

    exclude = {}
    for assignment_id in assignment_ids:
        assignment = course.assignment(assignment_id)
        source = folder / "source" / assignment_id
        source.mkdir(parents=True, exist_ok=True)
        stubs = folder / "assignments" / assignment_id
        for name in (f"{assignment_id}.ipynb", *assignment.files, *HANDOUTS.values()):
            shutil.copyfile(stubs / name, source / name)
        exclude[assignment_id] = list(assignment.files)
    (folder / "nbgrader_config.py").write_text(
        NBGRADER_CONFIG.format(course_id=course_id, exclude=exclude, timeout=GRADE_TIMEOUT), encoding="utf-8"
    )
    record(course, assignment_ids, folder / OFFICIAL_FOLDER, report, inputs=inputs, profiles=("full",))
    write_secret_file(inputs, folder / course.secret_file)
