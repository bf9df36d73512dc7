"""The nbgrader course folder, graded by the real nbgrader (an optional extra CI installs).

`course release --bundle nbgrader` writes the folder; nbgrader generates the student version of
the assignment, then autogrades three submissions (the reference's files, one known mistake, and
an answer key replayed from the practice recording) made of the released notebook and the
student's .py file, and its gradebook must hold the course's own scores on the official inputs,
task by task.
"""

import json
import os
import shutil
import stat
import subprocess
import sys

import pytest
from answer_key_replay import write_lookup_table
from conftest import ROOT, course_command

from autograder.course import config
from autograder.grading.determinism import Inputs
from autograder.grading.mistake_registry import load_mistakes, mistakes_for, write_mutant
from autograder.grading.replay import OFFICIAL_FOLDER
from autograder.grading.runner import grade_folder

Gradebook = pytest.importorskip("nbgrader.api", reason="the nbgrader extra is not installed").Gradebook

pytestmark = pytest.mark.publish
ASSIGNMENT = "a0_foundations"
SECRET = bytes.fromhex("4e" * 32)  # the offering's secret the folder is built with


def nbgrader(folder, *args):
    env = {k: v for k, v in os.environ.items() if k != config.SECRET_VARIABLE}  # the folder's own secret only
    ran = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=folder, capture_output=True, text=True, env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return ran


@pytest.fixture(scope="module")
def graded(tmp_path_factory, course):
    """The course folder after generate_assignment and autograde of three students."""
    folder = tmp_path_factory.mktemp("nbgrader") / "course"
    built = course_command(
        "release",
        "--bundle",
        "nbgrader",
        "--out",
        folder,
        "--only",
        ASSIGNMENT,
        env={**os.environ, config.SECRET_VARIABLE: SECRET.hex()},
    )
    assert built.returncode == 0, built.stderr
    nbgrader(folder, "generate_assignment", ASSIGNMENT)
    load_mistakes([ASSIGNMENT])
    mistake = next(m for m in mistakes_for("linear_forward") if m.by_output)
    mutant = tmp_path_factory.mktemp("mutant")
    write_mutant(course, mistake, mutant)
    answer_key = tmp_path_factory.mktemp("answer_key")
    write_lookup_table(folder, ASSIGNMENT, answer_key)  # what a student could build from the practice recording
    students = {"ada": ROOT / "solutions" / ASSIGNMENT, "mis": mutant / ASSIGNMENT, "key": answer_key}
    for student, files in students.items():
        submitted = folder / "submitted" / student / ASSIGNMENT
        shutil.copytree(folder / "release" / ASSIGNMENT, submitted)
        shutil.copy(files / "foundations.py", submitted / "foundations.py")
    nbgrader(folder, "autograde", ASSIGNMENT)
    return folder, students, mistake


def test_the_folder_is_an_nbgrader_course_with_the_student_files_protected(graded, course):
    folder, students, _ = graded
    assert sorted(p.name for p in (folder / "source" / ASSIGNMENT).iterdir()) == [
        "README.ko.md",
        "README.md",
        f"{ASSIGNMENT}.ipynb",
        "foundations.py",
    ]
    # nbgrader releases the handouts, in English and Korean, with the notebook
    for handout in ("README.md", "README.ko.md"):
        released = (folder / "release" / ASSIGNMENT / handout).read_bytes()
        assert released == (ROOT / "solutions" / ASSIGNMENT / handout).read_bytes()
    config_text = (folder / "nbgrader_config.py").read_text()
    assert "c.Autograde.exclude_overwriting = {'a0_foundations': ['foundations.py']}" in config_text
    # autograde kept each student's own file instead of the source copy (a stub)
    for student, files in students.items():
        autograded = folder / "autograded" / student / ASSIGNMENT / "foundations.py"
        assert autograded.read_text() == (files / "foundations.py").read_text()
    assert not (folder / "solutions").exists()


def secret_traces(folder) -> list[str]:
    needles = [SECRET, SECRET.hex().encode(), Inputs(SECRET).identity.encode()]
    return [str(p) for p in sorted(folder.rglob("*")) if p.is_file() and any(n in p.read_bytes() for n in needles)]


def test_the_secret_stays_where_autograde_runs_and_out_of_what_students_get(graded):
    folder, *_ = graded
    secret_file = folder / ".course-secret"
    assert secret_file.read_text().strip() == SECRET.hex()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert (folder / OFFICIAL_FOLDER / f"{ASSIGNMENT}.json").is_file()
    # what nbgrader releases to students, and what a student bundle is: no trace of the secret
    assert secret_traces(folder / "release") == []
    assert secret_traces(folder / "source") == []
    assert secret_traces(folder / "recorded") == []


def test_grade_cells_carry_the_task_points(graded, course):
    folder, *_ = graded
    notebook = json.loads((folder / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    cells = [c["metadata"]["nbgrader"] for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    assert {c["grade_id"]: c["points"] for c in cells} == {
        f"grade_{t.name}": t.points for t in course.assignment(ASSIGNMENT).tasks
    }


def test_the_gradebook_holds_the_course_scores_task_by_task(graded, course):
    folder, students, mistake = graded
    tasks = course.assignment(ASSIGNMENT).tasks
    official = Inputs(SECRET)
    expected = {
        "ada": {t.name: t.points for t in tasks},  # the reference: every point
        "mis": {
            t["task"]: t["score"]
            for t in grade_folder(course, students["mis"], [ASSIGNMENT], profile="full", inputs=official)["tasks"]
        },
        "key": {t.name: 0.0 for t in tasks},
    }  # the practice answers answer no official question
    assert sum(expected["mis"].values()) < sum(expected["ada"].values())
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        for student, scores in expected.items():
            submission = gradebook.find_submission(ASSIGNMENT, student)
            assert (submission.score, submission.max_score) == (sum(scores.values()), sum(t.points for t in tasks))
            grades = {grade.name: grade.score for grade in submission.notebooks[0].grades}
            assert grades == {f"grade_{task}": score for task, score in scores.items()}, student
    autograded = json.loads((folder / "autograded" / "mis" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    outputs = "".join(str(c.get("outputs")) for c in autograded["cells"] if c["cell_type"] == "code")
    assert f"Hint: {mistake.hint}" in outputs
