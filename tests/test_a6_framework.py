"""a6_framework beyond the generic tests: the Dropout layer's statistics, the training demos and
the `course train` command."""

import importlib
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import ADVERSARIAL, ROOT, attack_note, attack_submission, grade_path, load_attack

from autograder.checks import a6_framework as checks
from autograder.checks.a3_regularization import check_mask_statistics
from autograder.cli import train
from autograder.execution.submission import stage
from autograder.grading.failure import CheckFailure
from autograder.grading.mistake_registry import load_mistakes, mistakes_for
from autograder.runtime.executor import load_package

pytestmark = pytest.mark.slow  # the training demos: seconds a test

# the curves of the training demos need the framework extra (matplotlib)
pytest.importorskip("matplotlib", reason="the framework extra is not installed")

TRAINING = ["train_digits_cnn", "train_sequence_model"]
FAKES = ["fake_training_history", "memorised_training_score"]


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
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "train",
            "digits",
            "--from",
            "solutions",
            "--budget",
            "1",
            "--plot",
            str(plot),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
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
    assert result["score"] == 0 and len(feedback) == 1
    assert all("training would take far longer than the grader allows" in f for f in feedback)


def test_the_shipped_digits_are_scikit_learn_s_copy_of_the_uci_digits(course):
    """digits.npz holds what tools/digits_data.py wrote: scikit-learn's load_digits(), the same
    images and labels in the same order, and train.py's split of them is the handout's."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    with np.load(ROOT / "solutions" / "a6_framework" / "digits.npz", allow_pickle=False) as shipped:
        assert np.array_equal(shipped["images"], digits.images) and np.array_equal(shipped["labels"], digits.target)
    x_train, y_train, x_test, y_test = train.train_module(course, "solutions").load_digits_split()
    assert x_train.shape == (1437, 1, 8, 8) and x_test.shape == (360, 1, 8, 8)
    assert np.array_equal(x_test[:, 0], digits.images[::5] / 16.0) and np.array_equal(y_test, digits.target[::5])


def _trained_by(course, folder, tmp_path):
    """The train.py module of a submission folder, staged and imported as the grader would."""
    staged = tmp_path / "staged"
    staged.mkdir()
    stage(course, folder, staged)
    return importlib.import_module(f"{load_package(staged, '_course_fake')}.a6_framework.train")


@pytest.mark.parametrize("fake", FAKES)
def test_a_run_that_trains_nothing_earns_nothing(course, fake, tmp_path):
    """A made-up history and score with an untrained model, with no model, with a model that is
    not a Module and looks the answers up, or one that computes them from the markers: nothing,
    in the full profile of official grading, and the words say why."""
    note = attack_note(fake)
    result = grade_path(course, attack_submission(fake, tmp_path), TRAINING, profile="full")
    tasks = {t["task"]: t for t in result["tasks"]}
    for task in TRAINING:
        assert tasks[task]["score"] == 0, tasks[task]
        feedback = "\n".join(c["feedback"] for c in tasks[task]["checks"])
        assert re.search(note["feedback"][task], feedback), feedback


def test_the_memorising_models_do_know_the_grader_s_answers(course, tmp_path):
    """Only the check that the predictions are the network's stops them: on the grader's own
    data, in the grader's order, their forwards are right."""
    fake = _trained_by(course, attack_submission("memorised_training_score", tmp_path), tmp_path)
    reference = train.train_module(course, "solutions")
    rng = np.random.default_rng([checks.GRADER_DATA, 0])
    _, _, x_test, y_test = reference.load_digits_split()
    order = rng.permutation(len(y_test))
    _, _, digits = fake.train_digits_cnn(rng=np.random.default_rng(0), epochs=checks.DIGITS_EPOCHS)
    assert np.mean(digits(x_test[order]).argmax(axis=1) == y_test[order]) == 1.0
    x, y = reference.adding_problem(rng, checks.ADDING_SEQUENCES, checks.ADDING["length"])
    _, _, adding = fake.train_sequence_model("gru", rng=np.random.default_rng(0), **checks.ADDING)
    assert np.mean((adding(x) - y) ** 2) < 1e-20


def test_a_run_that_returns_no_model_is_told_the_tuple(course, tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    train_file = folder / "a6_framework" / "train.py"
    train_file.write_text(train_file.read_text().replace("[-1], model\n", "[-1]\n"))
    result = grade_path(course, folder, TRAINING)
    tasks = {t["task"]: t for t in result["tasks"]}
    for task, score in (("train_digits_cnn", "test_accuracy"), ("train_sequence_model", "test_loss")):
        assert tasks[task]["score"] == 0
        assert f"{task} must return the tuple (history, {score}, model)" in tasks[task]["checks"][0]["feedback"]


def test_the_reference_s_models_pass_as_the_grader_measures_them(course):
    result = grade_path(course, ROOT / "solutions", TRAINING, profile="full")
    assert result["score"] == result["max_score"] > 0
