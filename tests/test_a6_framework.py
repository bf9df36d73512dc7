"""a6_framework beyond the generic tests: the Dropout layer's statistics, the training demos and
the `course train` command."""
import shutil
import subprocess
import sys

import numpy as np
import pytest

from autograder import bundle, demo
from autograder.checks.a3_regularization import check_mask_statistics
from autograder.mistakes import load_mistakes, mistakes_for
from autograder.registry import CheckFailure

from conftest import ADVERSARIAL, ROOT, grade_path, load_attack


def test_the_mistake_library_covers_the_framework(course):
    load_mistakes(["a6_framework"])
    tasks = [t.name for t in course.assignment("a6_framework").tasks]
    assert sum(len(mistakes_for(task)) for task in tasks) >= 8


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_a_dropout_layer_that_drops_one_unit_fails_the_mask_statistics(p):
    layer = load_attack("fixed_count_dropout_layer", "nn.py").Dropout
    for seed in range(20):
        dropout = layer(p, rng=np.random.default_rng(seed))
        first, second = (dropout(np.ones((200, 50))) != 0 for _ in range(2))
        assert first.sum() == second.sum() == 200 * 50 - 1
        with pytest.raises(CheckFailure):
            check_mask_statistics(second, p, previous=first)


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_the_dropout_layer_is_graded_by_its_masks(course, profile):
    """The reference keeps its point; the layer that drops exactly one unit loses it."""
    assert grade_path(course, ROOT / "solutions", ["Dropout"], profile=profile)["score"] == 1
    task = grade_path(course, ADVERSARIAL / "fixed_count_dropout_layer", ["Dropout"], profile=profile)["tasks"][0]
    assert task["score"] == 0 and "not drawn independently" in task["checks"][0]["feedback"]


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
        demo.train_module(course, tmp_path)


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
