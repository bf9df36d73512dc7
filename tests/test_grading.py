"""Grading end to end: scores, statuses, feedback, the result schema and determinism."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, RecordingSubmission, grade_path

from autograder.execution.in_process import InProcessSubmission
from autograder.execution.submission import StudentError
from autograder.grading import determinism, mistake_registry, registry
from autograder.grading.registry import Check, checks_for, load_checks
from autograder.grading.runner import CheckResult, describe_case, grade, grade_folder, paying_checks


@pytest.mark.slow
def test_reference_gets_full_marks_in_both_profiles(course):
    for profile in ("quick", "full"):
        result = grade_path(course, ROOT / "solutions", profile=profile)
        assert result["score"] == result["max_score"] > 0
        assert all(t["status"] == "passed" for t in result["tasks"])


def test_stubs_are_not_started_everywhere(course):
    result = grade_path(course, ROOT / "assignments")
    assert result["score"] == 0
    assert {t["status"] for t in result["tasks"]} == {"not_started"}
    assert all("not started" in c["feedback"] for t in result["tasks"] for c in t["checks"])


def test_result_schema_has_one_task_per_spec_function(course):
    result = grade_path(course, ROOT / "solutions", ["a1_optimizers"])
    assert {"score", "max_score", "tasks"} <= result.keys()
    assert [t["task"] for t in result["tasks"]] == [t.name for t in course.assignment("a1_optimizers").tasks]
    for task in result["tasks"]:
        assert {"assignment", "task", "score", "max_score", "status", "checks"} <= task.keys()
        assert task["status"] in {"passed", "failed", "not_started", "error"}
        for checked in task["checks"]:
            assert {"name", "passed", "feedback"} <= checked.keys()


def test_same_submission_same_json_apart_from_timing(course, tmp_path):
    broken = tmp_path / "broken"
    (broken / "a0_foundations").mkdir(parents=True)
    source = (ROOT / "solutions/a0_foundations/foundations.py").read_text()
    (broken / "a0_foundations/foundations.py").write_text(
        source.replace("return dout @ W, dout.T @ x", "return dout @ W, x.T @ dout")
    )
    runs = []
    for _ in range(2):
        result = grade_path(course, broken, ["a0_foundations"], profile="full")
        result.pop("timing")
        runs.append(json.dumps(result, sort_keys=True))
    assert runs[0] == runs[1]
    assert "linear_backward" in runs[0] and '"status": "failed"' in runs[0]


def _write(tmp_path, text, name="foundations.py"):
    folder = tmp_path / "student"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return folder


def _checks(result, task):
    return next(t for t in result["tasks"] if t["task"] == task)


def test_feedback_gives_the_shrunk_case_and_numbers(course, tmp_path):
    source = (ROOT / "solutions/a0_foundations/foundations.py").read_text()
    folder = _write(
        tmp_path,
        source.replace(
            "return dout @ W, dout.T @ x, dout.sum(axis=0)", "return dout @ W, dout.T @ x, dout.sum(axis=0) * 1.5"
        ),
    )
    task = _checks(grade_path(course, folder, ["linear_backward"]), "linear_backward")
    assert task["status"] == "failed" and 0 < task["score"] < task["max_score"] or task["score"] == 0
    feedback = task["checks"][0]["feedback"]
    assert "db: differs from the reference by a relative error of 0.5" in feedback
    assert "worst entry" in feedback and "yours" in feedback and "expected" in feedback
    # Hypothesis shrinks to the smallest sizes and the float64 dtype
    assert "Smallest failing case: N=1, in=1, out=1, dtype='float64'" in feedback


def test_the_failing_case_names_each_size_as_the_docstring_does(course, tmp_path):
    source = (ROOT / "solutions/a0_foundations/foundations.py").read_text()
    folder = _write(tmp_path, source.replace("return x @ W.T + b, (x.copy()", "return x @ W.T - b, (x.copy()"))
    task = _checks(grade_path(course, folder, ["linear_forward"]), "linear_forward")
    feedback = task["checks"][0]["feedback"]
    assert "Smallest failing case: N=1, in=1, out=1, dtype='float64', seed=" in feedback


def test_a_failing_conv_case_names_each_size_as_the_docstring_does(course, tmp_path):
    source = (ROOT / "solutions/a4_cnn/conv.py").read_text()
    wrong = source.replace(
        "+ b.reshape(1, -1, 1, 1)\n    return out, (xp", "- b.reshape(1, -1, 1, 1)\n    return out, (xp"
    )
    assert wrong != source
    folder = _write(tmp_path, wrong, "conv.py")
    task = _checks(grade_path(course, folder, ["conv2d_forward"]), "conv2d_forward")
    feedback = task["checks"][0]["feedback"]
    assert (
        "Smallest failing case: N=1, C=1, H=1, W=1, F=1, KH=1, KW=1, stride=1, padding=0, dtype='float64'" in feedback
    )


def test_a_case_field_of_named_sizes_is_spread_into_its_names():
    shown = describe_case({"geometry": {"N": 2, "kernel_size": (1, 2), "stride": None}, "seed": 3})
    assert shown == "N=2, kernel_size=(1, 2), stride=None, seed=3"


def test_a_large_array_in_a_case_names_its_shape():
    shown = describe_case({"x": np.zeros((64, 128)), "small": np.array([1.0, 2.0]), "seed": 3})
    assert shown.startswith("x=array of shape (64, 128), dtype float64: [[0., 0., 0., ...")
    assert "small=[1., 2.], seed=3" in shown


def test_exceptions_show_only_the_students_lines(course, tmp_path):
    source = (ROOT / "solutions/a0_foundations/foundations.py").read_text()
    folder = _write(
        tmp_path,
        source.replace("    return dout * (1 - cache**2)", "    return dout * (1 - cache**2) / undefined_name"),
    )
    task = _checks(grade_path(course, folder, ["tanh_backward"]), "tanh_backward")
    assert task["status"] == "error"
    feedback = task["checks"][0]["feedback"]
    assert 'File "a0_foundations/foundations.py", line' in feedback and "in tanh_backward" in feedback
    assert "NameError: name 'undefined_name' is not defined" in feedback
    assert "autograder" not in feedback and "site-packages" not in feedback


@pytest.mark.parametrize("isolated", [False, True], ids=["in-process", "worker"])
def test_a_file_that_does_not_import_is_told_once_with_its_line_and_what_to_do(course, tmp_path, isolated):
    """A missing colon: one message for the file (its name, the line, what to do), not a traceback
    per check; every task of the file scores 0, in process and in the worker alike."""
    source = (ROOT / "solutions/a0_foundations/foundations.py").read_text()
    line = source.splitlines().index("def sigmoid_forward(x):") + 1
    folder = _write(tmp_path, source.replace("def sigmoid_forward(x):", "def sigmoid_forward(x)"))
    result = grade_folder(course, folder, ["a0_foundations"], profile="quick", isolated=isolated)
    feedback = [c["feedback"] for t in result["tasks"] for c in t["checks"]]
    assert result["score"] == 0 and {t["status"] for t in result["tasks"]} == {"error"}
    told = feedback[0]
    assert told.startswith("does not import: a0_foundations/foundations.py") and f"line {line}" in told
    assert "SyntaxError" in told and "To do: fix the line shown" in told
    assert sum("SyntaxError" in f for f in feedback) == 1 and "importlib" not in told
    assert sum(len(f) for f in feedback) < 3_000
    assert (
        _checks(result, "mse")["checks"][0]["feedback"]
        == "a0_foundations/foundations.py does not import: see numerical_gradient"
    )


@pytest.mark.parametrize(
    "content, advice",
    [
        ("import torch\n", "import nothing else"),
        ("name = 'caf\xe9'\n", "save the file as UTF-8"),
        ("raise RuntimeError('boom')\n", "the code at the top level of the file runs when it is imported"),
    ],
    ids=["missing module", "not UTF-8", "error at import"],
)
def test_what_to_do_when_a_file_does_not_import(course, tmp_path, content, advice):
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "foundations.py").write_bytes(content.encode("latin-1"))
    told = _checks(grade_path(course, folder, ["sigmoid_forward"]), "sigmoid_forward")["checks"][0]["feedback"]
    assert told.startswith("does not import: a0_foundations/foundations.py") and advice in told, told


def test_missing_files_are_not_started_and_the_files_found_are_named(course, tmp_path):
    folder = _write(tmp_path, (ROOT / "solutions/a1_optimizers/optimizers.py").read_text(), "optimizers.py")
    result = grade_path(course, folder, ["a1_optimizers"])
    assert _checks(result, "adam")["status"] == "passed"
    descent = _checks(result, "minibatch_indices")
    assert descent["status"] == "not_started"
    assert "descent.py was not submitted (files found: a1_optimizers/optimizers.py)" in descent["checks"][0]["feedback"]


def _constants_laden_copy(tmp_path):
    """A correct submission unlike the reference in its literals, which Hypothesis likes to reuse."""
    folder = tmp_path / "laden"
    shutil.copytree(ROOT / "solutions", folder, ignore=shutil.ignore_patterns("__pycache__"))
    literals = "\n".join(
        f"_C{i} = {value!r}"
        for i, value in enumerate(
            [3, 17, 4242, 65537, 987654321, 2**31 - 7, 0.123, 7.5e-3, 1e-7, 12345, 5, 2, 1, 0, 4, 6, 8]
        )
    )
    for path in folder.rglob("*.py"):
        path.write_text(path.read_text() + "\n" + literals + "\n")
    return folder


def _fed_inputs(course, folder):
    submission = RecordingSubmission(course, folder)
    try:
        grade(course, submission, course.select(["a0_foundations", "a1_optimizers"]), profile="quick")
        return submission.fed
    finally:
        submission.close()


def test_different_correct_submissions_are_fed_identical_inputs(course, tmp_path):
    reference_inputs = _fed_inputs(course, ROOT / "solutions")
    assert len(reference_inputs) > 500
    assert _fed_inputs(course, _constants_laden_copy(tmp_path)) == reference_inputs


def test_without_the_guard_hypothesis_would_feed_them_differently(course, tmp_path, monkeypatch):
    """The control for the test above: Hypothesis' own constants pool does leak student literals
    (into what the engine draws: the checks go through it, not over their stored cases)."""
    from hypothesis.internal.conjecture import providers

    monkeypatch.setenv("COURSE_CASE_LISTS", "off")
    monkeypatch.setattr(providers, "_get_local_constants", determinism_original_pool())
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        laden = _constants_laden_copy(tmp_path)
        first = _fed_inputs(course, ROOT / "solutions")
        assert _fed_inputs(course, laden) != first
    finally:
        providers.CONSTANTS_CACHE.cache.clear()


def determinism_original_pool():
    return determinism.ORIGINAL_LOCAL_CONSTANTS


def _course(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize(
    "args, words",
    [
        (["grade", "no/such/folder"], "no/such/folder: no such file or folder"),
        (["check", "no_such_task"], "unknown assignment or task 'no_such_task'"),
        (["grade", "solutions", "--only", "nope"], "unknown assignment or task 'nope'"),
    ],
)
def test_wrong_input_gets_one_clear_line(args, words):
    run = _course(*args)
    assert run.returncode == 2
    assert words in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) <= 2


def test_broken_manifest_is_named(course_copy):
    (course_copy / "course.yml").write_text("grading: [unclosed\n")
    run = _course("--course", str(course_copy), "list")
    assert run.returncode == 2 and "course.yml line" in run.stderr and "Traceback" not in run.stderr
    (course_copy / "course.yml").write_text("grading:\n  profiles:\n    quick: {max_examples: 2}\n")
    run = _course("--course", str(course_copy), "list")
    assert run.returncode == 2 and "grading.profiles needs a 'full' entry" in run.stderr


def test_grade_json_output_file(tmp_path):
    out = tmp_path / "result.json"
    run = _course("grade", "solutions", "--only", "sgd", "--quick", "--format", "json", "--out", str(out))
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    assert result["score"] == result["max_score"] == 1
    gradescope = json.loads(_course("grade", "solutions", "--only", "sgd", "--quick", "--format", "gradescope").stdout)
    assert gradescope["score"] == 1 and gradescope["tests"][0]["name"] == "a1_optimizers: sgd"
    assert {"score", "max_score", "status", "output", "visibility"} <= gradescope["tests"][0].keys()


def test_check_runs_in_the_course_around_the_working_directory(course_copy):
    run = _course("check", "sgd", cwd=course_copy / "assignments" / "a1_optimizers")
    assert run.returncode == 1 and "not started" in run.stdout
    shutil.copy(course_copy / "solutions/a1_optimizers/optimizers.py", course_copy / "assignments/a1_optimizers/")
    run = _course("check", "sgd", cwd=course_copy / "assignments")
    assert run.returncode == 0 and "total 1/1" in run.stdout


def test_student_exit_and_output_are_contained(course, tmp_path):
    source = (ROOT / "solutions/a0_foundations/foundations.py").read_text()
    source = source.replace("    out = np.tanh(x)\n", '    print("debug" * 10000)\n    out = np.tanh(x)\n')
    source = source.replace("    return dout * (1 - cache**2)", "    raise SystemExit(0)")
    folder = _write(tmp_path, source)
    result = grade_path(course, folder, ["tanh_forward", "tanh_backward"])
    assert _checks(result, "tanh_forward")["status"] == "passed"
    backward = _checks(result, "tanh_backward")
    assert backward["status"] == "error" and backward["score"] == 0
    assert "SystemExit" in backward["checks"][0]["feedback"]


def test_methods_of_a_student_object_are_called_through_its_handle(course, tmp_path):
    source = (
        "class sigmoid_forward:\n"
        "    def __init__(self, start):\n        self.total = start\n"
        "    def step(self, value):\n        self.total += value\n        return self.total > 3\n"
        "    def explode(self):\n        raise ValueError('boom')\n"
    )
    submission = InProcessSubmission(course, _write(tmp_path, source))
    try:
        (handle,) = submission.call("sigmoid_forward", (1,), {}, opaque=(0,)).value
        assert [submission.call("sigmoid_forward", (handle, 2), {}, method="step").value for _ in range(2)] == [
            False,
            True,
        ]
        assert submission.call("sigmoid_forward", (handle, "total"), {}, method="__getattribute__").value == 5
        for method, args in (("explode", ()), ("no_such_method", ()), ("__getattribute__", ("missing",))):
            with pytest.raises(StudentError):
                submission.call("sigmoid_forward", (handle, *args), {}, method=method)
    finally:
        submission.close()


def test_every_task_has_a_comparison_that_pays_alone(course):
    """A task whose checks are all diagnoses could never pay: each needs a comparison with the
    reference (or a distribution test)."""
    load_checks([a.id for a in course.assignments])
    for task in (t for a in course.assignments for t in a.tasks):
        assert any(c.pays_alone for c in checks_for(task.name)), task.name


def test_a_passed_diagnosis_pays_only_when_the_comparisons_pass():
    comparison, diagnosis = (
        Check("t", "matches", lambda ctx, case: None),
        Check("t", "is pure", lambda ctx, case: None, pays_alone=False),
    )
    assert (
        paying_checks([comparison, diagnosis], [CheckResult("matches", True, ""), CheckResult("is pure", True, "")])
        == 2
    )
    results = [CheckResult("matches", False, "differs"), CheckResult("is pure", True, "")]
    assert paying_checks([comparison, diagnosis], results) == 0
    assert results[1].passed and "earns its points only once the comparisons of t pass: matches" in results[1].feedback


def registered_strays(course) -> list[str]:
    """Checks and mistakes registered under a name that is no task of course.yml, and tasks
    without a check."""
    ids = [a.id for a in course.assignments]
    load_checks(ids)
    mistake_registry.load_mistakes(ids)
    tasks = {t.name for a in course.assignments for t in a.tasks}
    return (
        [f"check of {name}" for name, checks in registry.REGISTRY.items() if checks and name not in tasks]
        + [f"mistake of {name}" for name, known in mistake_registry.MISTAKES.items() if known and name not in tasks]
        + [f"{name} has no check" for name in sorted(tasks) if not checks_for(name)]
    )


def test_every_check_and_mistake_names_a_task_and_every_task_has_a_check(course):
    assert registered_strays(course) == []


def test_a_check_or_mistake_under_a_misspelt_task_is_found(course, monkeypatch):
    registered_strays(course)  # everything loaded first, so that the additions below stay apart
    monkeypatch.setitem(registry.REGISTRY, "leaky_relu_foward", [Check("leaky_relu_foward", "x", lambda c, k: None)])
    monkeypatch.setitem(mistake_registry.MISTAKES, "sofmax", [mistake_registry.Mistake("sofmax", "m", "h", "")])
    monkeypatch.setitem(registry.REGISTRY, "mse", [])
    assert registered_strays(course) == ["check of leaky_relu_foward", "mistake of sofmax", "mse has no check"]
