"""a5_rnn beyond the generic tests: the sizes the checks draw, which half of a wrong submission the
agreement checks blame, gradient checks of every input, the clip_grad_norm properties, the library."""

from pathlib import Path

import pytest
from conftest import ROOT, grade_path

from autograder.cli.validate import grade_mistake
from autograder.grading.determinism import deterministic
from autograder.grading.mistake_registry import load_mistakes, mistakes_for
from autograder.grading.registry import checks_for, load_checks

load_checks(["a5_rnn"])
load_mistakes(["a5_rnn"])
BEN = ROOT / "examples" / "class" / "ben" / "a5_rnn"
REFERENCE = ROOT / "solutions" / "a5_rnn"
VALUE_CHECKS = ("matches the reference", "agrees with")  # checks of values, not of purity


def drawn_cases(course, check, task, profile):
    """The cases a check is fed when grading task with profile (the grader's own seeding)."""
    seen = []

    def record(case):
        seen.append(case)

    deterministic(record, check.cases, check_id=check.id, max_examples=course.max_examples(task, profile))()
    return seen


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_every_value_check_draws_the_edge_sizes(course, profile):
    for task in course.select(["a5_rnn"]):
        if task.name == "clip_grad_norm":
            continue
        lengths = set()
        for check in checks_for(task.name):
            if not check.name.startswith(VALUE_CHECKS):
                continue
            cases = drawn_cases(course, check, task, profile)
            assert any(c["n"] == 1 for c in cases), check.id
            assert any(c["hidden"] == 1 for c in cases), check.id
            assert any(c["d"] != c["hidden"] for c in cases), check.id
            if check.name.startswith("matches"):
                assert {c["dtype"] for c in cases} == {"float64", "float32"}, check.id
            if "t" in cases[0]:
                assert any(c["t"] == 1 for c in cases), check.id
                lengths |= {c["t"] for c in cases}
        if task.name.endswith(("_forward", "_backward")) and "cell" not in task.name:
            assert max(lengths) >= (8 if profile == "full" else 6), task.name


def test_clip_cases_cover_both_containers_and_an_empty_list(course):
    task = course.task("clip_grad_norm")
    cases = drawn_cases(course, checks_for("clip_grad_norm")[0], task, "quick")
    assert {c["container"] for c in cases} == {"list", "tuple"}
    assert any(not c["shapes"] for c in cases) and any(len(c["shapes"]) >= 2 for c in cases)


def test_the_library_has_the_issues_mistakes():
    names = {
        m.name
        for task in (
            "rnn_cell_forward",
            "rnn_cell_backward",
            "rnn_forward",
            "rnn_backward",
            "clip_grad_norm",
            "lstm_cell_forward",
            "lstm_cell_backward",
            "lstm_forward",
            "lstm_backward",
            "gru_cell_forward",
            "gru_cell_backward",
            "gru_forward",
            "gru_backward",
        )
        for m in mistakes_for(task)
    }
    assert len(names) >= 12
    assert {
        "rnn_cell_backward_forgets_tanh_derivative",
        "lstm_cell_forward_cs231n_gate_order",
        "lstm_cell_forward_forget_gate_without_bias",
        "lstm_backward_drops_dc_through_time",
        "gru_cell_forward_reset_before_the_product",
        "gru_cell_forward_update_mix_swapped",
        "rnn_backward_keeps_the_last_weight_gradients",
        "rnn_backward_drops_the_recurrent_dh",
        "clip_grad_norm_per_tensor",
    } <= names


def submission(tmp_path, base: Path, file: str, override: str) -> Path:
    """A folder holding base/file with `override` (a redefinition of one function) appended."""
    folder = tmp_path / "student" / "a5_rnn"
    folder.mkdir(parents=True)
    (folder / file).write_text((base / file).read_text() + "\n\n" + override)
    return folder.parent


def failed_checks(course, folder, task):
    result = grade_path(course, folder, [task])["tasks"][0]
    return {c["name"]: c["feedback"] for c in result["checks"] if not c["passed"]}


def test_a_wrong_loop_is_blamed_on_the_sequence_function(course, tmp_path):
    folder = submission(
        tmp_path,
        REFERENCE,
        "rnn.py",
        (
            "def rnn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, _original=rnn_forward):\n"
            "    hs, cache = _original(x, 0 * h0, W_ih, W_hh, b_ih, b_hh)\n"
            "    return hs, cache\n"
        ),
    )
    failed = failed_checks(course, folder, "rnn_forward")
    assert (
        "Your rnn_cell_forward agrees with the reference here, so the bug is in rnn_forward."
        in failed["agrees with stepping your rnn_cell_forward T times"]
    )


BROKEN_CELL_FORWARD = (
    "def rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh, _original=rnn_cell_forward):\n"
    "    return _original(x, h, W_ih, W_hh, b_ih - 0.5, b_hh)\n"
)
BROKEN_CELL_BACKWARD = (
    "def rnn_cell_backward(dh_new, cache, _original=rnn_cell_backward):\n"
    "    dx, dh, dW_ih, dW_hh, db_ih, db_hh = _original(dh_new, cache)\n"
    "    return dx, dh, dW_ih, 1.5 * dW_hh, db_ih, db_hh\n"
)


@pytest.mark.parametrize(
    "override, blamed", [(BROKEN_CELL_FORWARD, "rnn_cell_forward"), (BROKEN_CELL_BACKWARD, "rnn_cell_backward")]
)
def test_a_wrong_cell_is_blamed_on_the_cell(course, tmp_path, override, blamed):
    # ben's sequence functions do not call his cells, so a broken cell leaves them right
    folder = submission(tmp_path, BEN, "rnn.py", override)
    stepping, chaining = (
        "agrees with stepping your rnn_cell_forward T times",
        "agrees with chaining your rnn_cell_backward back through time",
    )
    backward = failed_checks(course, folder, "rnn_backward")
    assert list(backward) == [chaining]
    assert f"Your rnn_backward agrees with the reference here, so the bug is in {blamed}" in backward[chaining]
    if blamed == "rnn_cell_forward":
        forward = failed_checks(course, folder, "rnn_forward")
        assert list(forward) == [stepping]
        assert "Your rnn_forward agrees with the reference here, so the bug is in rnn_cell_forward" in forward[stepping]
    else:
        assert backward[chaining].startswith("dW_hh of your rnn_backward differs from chaining your rnn_cell_backward")


def test_a_scale_off_by_one_and_a_half_fails_every_value_check(course, tmp_path):
    folder = submission(
        tmp_path,
        REFERENCE,
        "rnn.py",
        (
            "def rnn_backward(dhs, cache, _original=rnn_backward):\n"
            "    dx, dh0, dW_ih, dW_hh, db_ih, db_hh = _original(dhs, cache)\n"
            "    return dx, dh0, dW_ih, 1.5 * dW_hh, db_ih, db_hh\n"
        ),
    )
    failed = failed_checks(course, folder, "rnn_backward")
    assert set(failed) == {
        "matches the reference backward for a random upstream gradient",
        "agrees with finite differences of your forward",
        "agrees with chaining your rnn_cell_backward back through time",
    }
    assert "gradient check failed for input W_hh" in failed["agrees with finite differences of your forward"]


@pytest.mark.parametrize("state", ["h0", "c0"])
def test_initial_states_are_gradient_checked(course, tmp_path, state):
    index = {"h0": 1, "c0": 2}[state]
    folder = submission(
        tmp_path,
        REFERENCE,
        "lstm.py",
        (
            "def lstm_backward(dhs, cache, _original=lstm_backward):\n"
            "    grads = list(_original(dhs, cache))\n"
            f"    grads[{index}] = 1.5 * grads[{index}]\n"
            "    return tuple(grads)\n"
        ),
    )
    failed = failed_checks(course, folder, "lstm_backward")
    assert f"gradient check failed for input {state}:" in failed["agrees with finite differences of your forward"]
    assert failed["matches the reference backward for a random upstream gradient"].startswith(f"d{state}:")


@pytest.mark.parametrize(
    "name, check",
    [
        ("clip_grad_norm_per_tensor", "scales every gradient by one common factor in (0, 1]"),
        ("clip_grad_norm_sums_the_norms", "returns the global L2 norm, and clips it down to max_norm"),
        ("clip_grad_norm_without_the_min", "leaves gradients unchanged when their norm is below max_norm"),
    ],
)
def test_each_clip_property_catches_its_mistake(course, name, check):
    known = next(m for m in mistakes_for("clip_grad_norm") if m.name == name)
    result = grade_mistake(course, known, profile="quick")
    assert check in {c["name"] for c in result["checks"] if not c["passed"]}
