"""Time budgets: a check out of time fails and the next goes on, a submission out of time scores
0 on the checks left, a call in progress is cut off; caps on lengths a student object reports.

Every duration here is a budget the grader enforces: the sleeping functions need far more time
than they are given, so each outcome is the same on a fast or a slow machine."""

import dataclasses
import json

import pytest
import yaml
from conftest import attack_submission, course_command

from autograder.course import config
from autograder.course.config import Budgets, ConfigError
from autograder.execution import sandbox
from autograder.execution.in_process import InProcessSubmission
from autograder.execution.worker_client import WorkerSubmission
from autograder.grading.runner import grade

pytestmark = pytest.mark.slow  # gradings under budgets: seconds a test
LIMITS = sandbox.Limits(timeout=2, memory_mb=512)
PAUSE = 1.0  # seconds each sleeping call takes: under LIMITS' limit per call, so that limit never cuts it
SLEEPING = f"""
import time

import numpy as np

def sigmoid_forward(x):
    time.sleep({PAUSE})
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False), None


def relu_forward(x):
    {{relu}}
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
"""
CHECK_STOPPED = "stopped after {seconds:g} s: the check's time budget ran out"
NOT_GRADED = "not graded: the submission's time budget of {seconds:g} s ran out before this check"


def student(tmp_path, relu_sleeps: bool):
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "foundations.py").write_text(SLEEPING.format(relu=f"time.sleep({PAUSE})" if relu_sleeps else "pass"))
    return folder


def graded(course, folder, names, *, isolated: bool, budgets: Budgets, limits=LIMITS, profile="quick"):
    course = dataclasses.replace(course, budgets=budgets)
    submission = WorkerSubmission(course, folder, limits=limits) if isolated else InProcessSubmission(course, folder)
    try:
        result = grade(course, submission, course.select(names), profile=profile)
    finally:
        submission.close()
    result.pop("timing")
    return result


def feedback(result, task):
    return [c["feedback"] for t in result["tasks"] if t["task"] == task for c in t["checks"]]


def test_a_sleeping_submission_is_cut_off_by_its_budget_and_the_rest_scores_zero(course, tmp_path):
    """Every call sleeps just under the limit per call: each check stops at its budget, and once
    the submission's is spent the checks left score 0 unrun; twice, the same words."""
    folder = student(tmp_path, relu_sleeps=True)
    budgets = Budgets(check_seconds=3, submission_seconds=8)
    runs = [
        graded(course, folder, ["sigmoid_forward", "relu_forward"], isolated=True, budgets=budgets) for _ in range(2)
    ]
    assert json.dumps(runs[0], sort_keys=True) == json.dumps(runs[1], sort_keys=True)
    result = runs[0]
    assert result["score"] == 0
    sigmoid = feedback(result, "sigmoid_forward")
    assert sigmoid[0].startswith(CHECK_STOPPED.format(seconds=3))
    assert any("the submission's time budget of 8 s ran out" in text for text in sigmoid)
    assert feedback(result, "relu_forward") == [NOT_GRADED.format(seconds=8)] * len(feedback(result, "relu_forward"))
    assert {t["status"] for t in result["tasks"]} == {"error"}


@pytest.mark.parametrize("isolated", [True, False], ids=["worker", "in-process"])
def test_a_check_out_of_time_fails_and_the_other_tasks_are_graded_as_usual(course, tmp_path, isolated):
    """In process the budget is checked between calls, in a worker also during one: both stop."""
    folder = student(tmp_path, relu_sleeps=False)
    result = graded(
        course,
        folder,
        ["sigmoid_forward", "relu_forward"],
        isolated=isolated,
        budgets=Budgets(check_seconds=2.5, submission_seconds=600),
    )
    sigmoid, relu = result["tasks"]
    assert sigmoid["score"] == 0 and sigmoid["status"] == "error"
    assert all(text.startswith(CHECK_STOPPED.format(seconds=2.5)) for text in feedback(result, "sigmoid_forward"))
    assert relu["score"] == relu["max_score"] and relu["status"] == "passed"


def test_the_budget_cuts_off_a_call_in_progress_without_blaming_the_task(course, tmp_path):
    """A call longer than the check's budget but within the limit per call is cut off at the
    budget (not at the limit), and the task's next check calls it again rather than giving up."""
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "foundations.py").write_text("import time\n\ndef relu_forward(x):\n    time.sleep(600)\n")
    result = graded(
        course,
        folder,
        ["relu_forward"],
        isolated=True,
        limits=dataclasses.replace(LIMITS, timeout=60),
        budgets=Budgets(check_seconds=1, submission_seconds=600),
    )
    texts = feedback(result, "relu_forward")
    assert len(texts) >= 2
    assert all(text.startswith(CHECK_STOPPED.format(seconds=1)) for text in texts)


def test_a_task_may_have_its_own_check_budget(course_copy, tmp_path):
    manifest = course_copy / "course.yml"
    data = yaml.safe_load(manifest.read_text())
    data["assignments"]["a0_foundations"]["files"]["foundations.py"]["sigmoid_forward"] = {
        "points": 2,
        "check_seconds": 2.5,
    }
    data["grading"]["budgets"] = {"check_seconds": 600, "submission_seconds": 900}
    manifest.write_text(yaml.safe_dump(data))
    course = config.load(course_copy)
    assert course.check_seconds(course.task("sigmoid_forward")) == 2.5
    assert course.check_seconds(course.task("relu_forward")) == 600
    result = graded(
        course, student(tmp_path, relu_sleeps=False), ["sigmoid_forward"], isolated=True, budgets=course.budgets
    )
    assert all(text.startswith(CHECK_STOPPED.format(seconds=2.5)) for text in feedback(result, "sigmoid_forward"))


@pytest.mark.parametrize(
    "budgets, words",
    [
        ({"check_seconds": 0}, "grading.budgets.check_seconds must be a positive number"),
        ({"submission_seconds": "long"}, "grading.budgets.submission_seconds must be a positive number"),
        ({"seconds": 5}, "grading.budgets takes check_seconds and submission_seconds"),
    ],
)
def test_a_malformed_budget_is_named(course_copy, budgets, words):
    manifest = course_copy / "course.yml"
    data = yaml.safe_load(manifest.read_text())
    data["grading"]["budgets"] = budgets
    manifest.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=words):
        config.load(course_copy)


def test_the_course_sets_its_budgets_and_a_course_without_them_gets_the_defaults(course, course_copy):
    assert course.budgets == Budgets(check_seconds=120, submission_seconds=1500)
    manifest = course_copy / "course.yml"
    data = yaml.safe_load(manifest.read_text())
    del data["grading"]["budgets"]
    manifest.write_text(yaml.safe_dump(data))
    assert config.load(course_copy).budgets == Budgets()


@pytest.mark.parametrize("name", ["ada", "ben"])
def test_correct_loop_based_students_keep_full_marks_within_the_default_budgets(name):
    """Official grading (full profile, in a worker) of a4, where ada convolves with loops."""
    run = course_command("grade", f"examples/class/{name}", "--only", "a4_cnn", "--format", "json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["score"] == result["max_score"] > 0, [c["feedback"] for t in result["tasks"] for c in t["checks"]]


def test_a_length_of_ten_to_the_twelve_is_refused_in_process_too(course, tmp_path):
    result = graded(
        course, attack_submission("endless_parameters", tmp_path), ["Module"], isolated=False, budgets=course.budgets
    )
    assert result["tasks"][0]["score"] == 0
    assert all(
        text.startswith("parameters() returned a list of length 1000000000000; the grader reads at most 10,000")
        for text in feedback(result, "Module")
    )


def test_a_parameter_too_large_to_differentiate_entry_by_entry_is_refused(course, tmp_path):
    folder = attack_submission("endless_parameters", tmp_path)
    framework = folder / "nn.py"
    framework.write_text(
        framework.read_text().replace("return Endless(Parameter(np.zeros(1)))", "return [Parameter(np.zeros(10_001))]")
    )
    result = graded(course, folder, ["Sequential"], isolated=False, budgets=course.budgets)
    texts = feedback(result, "Sequential")
    assert any(
        text.startswith("parameter 0's data has 10,001 entries; the grader reads at most 10,000") for text in texts
    ), texts
