"""Correct submissions written differently from the reference get full marks, fed float64 and float32."""

from pathlib import Path

import pytest
from conftest import RecordingSubmission, grade_path

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
