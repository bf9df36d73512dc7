"""Correct submissions written differently from the reference get full marks, fed float64 and float32."""

import shutil
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, RecordingSubmission, grade_path

from autograder.grading.runner import grade

# two correct students of the example class, written differently from the reference and each other
SUBMISSIONS = [Path(__file__).resolve().parents[1] / "examples" / "class" / name for name in ("ada", "ben")]


def test_there_are_two_alternatives():
    assert len(SUBMISSIONS) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["full", "quick"])
@pytest.mark.parametrize("folder", SUBMISSIONS, ids=[p.name for p in SUBMISSIONS])
def test_alternative_gets_full_marks(course, folder, profile):
    submitted = [a.id for a in course.assignments if (folder / a.id).is_dir()]
    result = grade_path(course, folder, submitted, profile=profile)
    failed = {
        t["task"]: [c["feedback"] for c in t["checks"] if not c["passed"]]
        for t in result["tasks"]
        if t["status"] != "passed"
    }
    assert failed == {}
    assert result["score"] == result["max_score"]


def test_array_tasks_are_fed_both_float64_and_float32(course):
    submission = RecordingSubmission(course, SUBMISSIONS[0])
    try:
        grade(course, submission, course.select(["a0_foundations", "a1_optimizers"]), profile="quick")
    finally:
        submission.close()
    scalar_tasks = {
        "numerical_gradient",
        "minibatch_indices",
        "step_lr",
        "exponential_lr",
        "cosine_annealing_lr",
        "linear_warmup_lr",
    }
    for task in course.select(["a0_foundations", "a1_optimizers"]):
        fed = [line for line in submission.fed if line.startswith(f"('{task.name}',")]
        if task.name in scalar_tasks:
            continue
        assert any("dtype=float32" in line for line in fed), task.name
        assert any("dtype=float32" not in line and "array(" in line for line in fed), task.name


def reference_with(folder: Path, assignment: str, file_name: str, source: str) -> Path:
    """folder: the reference's assignments, with source appended to <assignment>/<file_name> (its
    definitions replace the reference's of the same name)."""
    shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    target = folder / assignment / file_name
    target.write_text(f"{target.read_text()}\n\n{textwrap.dedent(source)}")
    return folder


# correct implementations that the spec allows and the reference does not write
SPEC_ALLOWS = {
    "float64 losses from float32 data (losses are scalars)": (
        "a1_optimizers",
        "descent.py",
        "fit_linear_regression",
        """
        _fit = fit_linear_regression

        def fit_linear_regression(X, y, **kwargs):
            theta, losses = _fit(X, y, **kwargs)
            return theta, np.array([float(loss) for loss in losses])
        """,
    ),
    "calculate_gain that also accepts names in upper case": (
        "a2_initializers",
        "initializers.py",
        "calculate_gain",
        """
        _gain = calculate_gain

        def calculate_gain(nonlinearity, param=None):
            return _gain(nonlinearity.lower() if isinstance(nonlinearity, str) else nonlinearity, param)
        """,
    ),
}


@pytest.mark.parametrize("allowed", SPEC_ALLOWS, ids=list(SPEC_ALLOWS))
@pytest.mark.parametrize("profile", ["full", "quick"])
def test_what_the_spec_allows_keeps_full_marks(course, tmp_path, allowed, profile):
    assignment, file_name, task, source = SPEC_ALLOWS[allowed]
    folder = reference_with(tmp_path, assignment, file_name, source)
    (result,) = grade_path(course, folder, [task], profile=profile)["tasks"]
    assert [c["feedback"] for c in result["checks"] if not c["passed"]] == []
    assert result["score"] == result["max_score"]
