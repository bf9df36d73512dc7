"""An optional package the grader itself needs (matplotlib for `course train`'s curves, or any
package a check names with `needs=`) missing from the environment is reported as the grader's
problem, never the student's. The digits of a6 ship with the course: no check needs one today,
so the tests make the digits check need matplotlib."""

import dataclasses
import re
import shutil
import sys

import pytest
from conftest import ROOT, grade_path

from autograder.cli import train
from autograder.cli import validate as validate_module
from autograder.course.config import ConfigError
from autograder.grading import report
from autograder.grading.mistake_registry import load_mistakes, mistakes_for
from autograder.grading.registry import REGISTRY, load_checks

NEEDS = "the grader needs matplotlib: pip install -e '.[framework]'"


@pytest.fixture
def without(monkeypatch):
    """Make these top-level modules (and their submodules) unimportable, as if not installed."""

    def hide(*modules):
        for name in list(sys.modules):
            if name.split(".")[0] in modules:
                monkeypatch.setitem(sys.modules, name, None)
        for name in modules:
            monkeypatch.setitem(sys.modules, name, None)

    return hide


@pytest.fixture
def digits_need_matplotlib(monkeypatch):
    """The digits check, as if it used matplotlib for its own work."""
    load_checks(["a6_framework"])
    needing = [dataclasses.replace(c, needs=("matplotlib",)) for c in REGISTRY["train_digits_cnn"]]
    monkeypatch.setitem(REGISTRY, "train_digits_cnn", needing)


def test_without_the_package_the_check_is_the_grader_s_error_said_once(course, without, digits_need_matplotlib):
    without("matplotlib")
    result = grade_path(course, ROOT / "solutions", ["train_digits_cnn"])
    (checked,) = result["tasks"][0]["checks"]
    assert checked["outcome"] == "error" and NEEDS in checked["feedback"]
    assert "not of your code" in checked["feedback"] and "your train_digits_cnn" not in checked["feedback"]
    assert result["environment"] == [NEEDS]
    assert report.table(result).count(NEEDS) == 1


def test_the_digits_check_needs_nothing_beyond_the_core_install(course, without):
    """The digits ship with the course: without scikit-learn and matplotlib the reference scores."""
    without("sklearn", "matplotlib")
    result = grade_path(course, ROOT / "solutions", ["train_digits_cnn"])
    assert "environment" not in result and result["score"] == result["max_score"]


def test_a_student_s_own_import_error_stays_the_student_s(course, tmp_path):
    folder = tmp_path / "student"
    shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    source = folder / "a6_framework" / "train.py"
    source.write_text(source.read_text() + "\n\ndef train_digits_cnn(**kwargs):\n    import a_module_not_installed\n")
    result = grade_path(course, folder, ["train_digits_cnn"])
    (checked,) = result["tasks"][0]["checks"]
    assert checked["outcome"] == "error" and "environment" not in result
    assert "your train_digits_cnn raised an error" in checked["feedback"]
    assert "a_module_not_installed" in checked["feedback"]


def test_validate_reports_the_missing_package_once_and_blames_no_task(
    course, without, monkeypatch, digits_need_matplotlib
):
    without("matplotlib")
    graded = validate_module.grade_folder
    tasks = ["train_digits_cnn", "Dropout"]
    load_mistakes(["a6_framework"])

    def these_tasks_only(c, path, names=None, **kwargs):
        chosen = [t for t in tasks if not names or {t, c.task(t).assignment} & set(names)]
        return graded(c, path, chosen, **kwargs) if chosen else {"score": 0, "max_score": 0, "tasks": []}

    monkeypatch.setattr(validate_module, "grade_folder", these_tasks_only)
    monkeypatch.setattr(validate_module, "all_mistakes", lambda: [m for t in tasks for m in mistakes_for(t)])
    lines = []
    problems = validate_module.validate(course, profile="quick", report=lines.append)
    assert problems == [f"environment: {NEEDS} (not validated: train_digits_cnn)"]
    assert "mistakes: 1/1 caught with their hint" in lines
    assert lines[0].startswith("validate (quick profile): the reference, the stubs, then 2 known mistakes")


def test_course_train_says_what_to_install_before_training(course, without):
    without("matplotlib")
    with pytest.raises(ConfigError, match=f"^{re.escape(NEEDS)}$"):
        train.run(course, "adding", folder="solutions", seed=0, cell="gru", budget=1, plot="curves.png")
