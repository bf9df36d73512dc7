"""a6_framework beyond the generic tests: the training demos and the `course train` command."""
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, grade_path

from autograder.cli import train
from autograder.grading.mistake_registry import load_mistakes, mistakes_for
from autograder.publishing import bundle


def test_the_mistake_library_covers_the_framework(course):
    load_mistakes(["a6_framework"])
    tasks = [t.name for t in course.assignment("a6_framework").tasks]
    assert sum(len(mistakes_for(task)) for task in tasks) >= 8


def test_course_train_runs_a_short_demo_and_saves_its_curves(tmp_path):
    plot = tmp_path / "digits.png"
    run = subprocess.run([sys.executable, "-m", "autograder", "train", "digits", "--from", "solutions",
                          "--budget", "1", "--plot", str(plot)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "digits CNN: test accuracy" in run.stdout
    assert "] 1/1 " in run.stderr  # the progress bar
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_course_train_names_a_folder_without_the_framework(course, tmp_path):
    with pytest.raises(FileNotFoundError, match="no a6_framework/train.py"):
        train.train_module(course, tmp_path)


def test_a_loop_convolution_is_told_it_is_too_slow_before_training(course, tmp_path):
    folder = tmp_path / "slow"
    shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("conv.py", "pool.py"):  # a correct convolution that loops over output pixels
        shutil.copy(ROOT / "examples/class/ada/a4_cnn" / name, folder / "a4_cnn" / name)
    result = grade_path(course, folder, ["train_digits_cnn"], profile="quick")
    feedback = [check["feedback"] for task in result["tasks"] for check in task["checks"]]
    assert result["score"] == 0 and len(feedback) == 2
    assert all("training would take far longer than the grader allows" in f for f in feedback)


def test_the_student_bundle_leaves_out_the_framework_it_cannot_replay(course):
    assert "a6_framework" not in bundle.chosen_assignments(course, None, recorded=True)
    assert "a6_framework" in bundle.chosen_assignments(course, None)  # Gradescope grades it live
    with pytest.raises(bundle.BundleError, match="cannot replay"):
        bundle.chosen_assignments(course, ["a6_framework"], recorded=True)
