"""An optional package the grader itself needs (scikit-learn for its digits, matplotlib for the
curves) missing from the environment is reported as the grader's problem, never the student's."""

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

NEEDS_SKLEARN = "the grader needs scikit-learn: pip install -e '.[framework]'"


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


def test_without_scikit_learn_the_digits_check_is_the_grader_s_error_said_once(course, without):
    without("sklearn")
    result = grade_path(course, ROOT / "solutions", ["train_digits_cnn"])
    (checked,) = result["tasks"][0]["checks"]
    assert checked["outcome"] == "error" and NEEDS_SKLEARN in checked["feedback"]
    assert "not of your code" in checked["feedback"] and "your train_digits_cnn" not in checked["feedback"]
    assert result["environment"] == [NEEDS_SKLEARN]
    assert report.table(result).count(NEEDS_SKLEARN) == 1


def test_with_everything_installed_no_environment_is_reported(course):
    pytest.importorskip("sklearn", reason="the framework extra is not installed")
    result = grade_path(course, ROOT / "solutions", ["train_digits_cnn"])
    assert "environment" not in result and result["score"] == result["max_score"]


def test_a_student_s_own_import_error_stays_the_student_s(course, tmp_path):
    pytest.importorskip("sklearn", reason="the framework extra is not installed")
    folder = tmp_path / "student"
    shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    source = folder / "a6_framework" / "train.py"
    source.write_text(source.read_text() + "\n\ndef train_digits_cnn(**kwargs):\n    import a_module_not_installed\n")
    result = grade_path(course, folder, ["train_digits_cnn"])
    (checked,) = result["tasks"][0]["checks"]
    assert checked["outcome"] == "error" and "environment" not in result
    assert "your train_digits_cnn raised an error" in checked["feedback"]
    assert "a_module_not_installed" in checked["feedback"]


def test_validate_reports_the_missing_package_once_and_blames_no_task(course, without, monkeypatch):
    without("sklearn")
    graded = validate_module.grade_folder
    tasks = ["train_digits_cnn", "Dropout"]
    load_mistakes(["a6_framework"])
    monkeypatch.setattr(
        validate_module, "grade_folder", lambda c, path, names=None, **kw: graded(c, path, names or tasks, **kw)
    )
    monkeypatch.setattr(validate_module, "all_mistakes", lambda: [m for t in tasks for m in mistakes_for(t)])
    lines = []
    problems = validate_module.validate(course, profile="quick", report=lines.append)
    assert problems == [f"environment: {NEEDS_SKLEARN} (not validated: train_digits_cnn)"]
    assert "mistakes: 1/1 caught with their hint" in lines


@pytest.mark.parametrize(
    ("demo", "plot", "hidden", "message"),
    [
        ("digits", None, "sklearn", NEEDS_SKLEARN),
        ("adding", "curves.png", "matplotlib", "the grader needs matplotlib: pip install -e '.[framework]'"),
    ],
)
def test_course_train_says_what_to_install_before_training(course, without, demo, plot, hidden, message):
    without(hidden)
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        train.run(course, demo, folder="solutions", seed=0, cell="gru", budget=1, plot=plot)
