"""Generic diagnoses: what a wrong output is in terms of the reference's, as the hint when no
known mistake gives it."""

import numpy as np
import pytest
from conftest import ROOT, grade_path

from autograder.grading.diagnosis import diagnose
from autograder.grading.failure import CheckFailure, hint_on_failure
from autograder.grading.mistake_registry import load_mistakes, mistakes_for


def _values(shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ---- diagnose() on constructed arrays -----------------------------------------------------------


def test_right_values_and_unrelated_errors_get_no_diagnosis():
    expected = _values((4, 3, 5, 5))
    assert diagnose(expected.copy(), expected) is None
    assert diagnose(expected + 1e-14, expected) is None  # within the tolerance: nothing to diagnose
    assert diagnose(_values((4, 3, 5, 5), seed=1), expected) is None
    assert diagnose(expected + 0.1 * _values((4, 3, 5, 5), seed=2), expected) is None
    assert diagnose(np.zeros((4, 3)), np.zeros((4, 3)) + 1e-300) is None


def test_values_that_are_not_float_arrays_of_the_dtype_get_no_diagnosis():
    expected = _values((3, 4))
    assert diagnose(2 * expected.astype(np.float32), expected) is None  # the dtype is the failure
    assert diagnose((2 * expected).tolist(), expected) is None
    assert diagnose(np.array([1, 2, 3]), np.array([2, 4, 6])) is None
    assert diagnose(np.full((3, 4), np.nan), expected) is None


@pytest.mark.parametrize(
    ("factor", "words"),
    [
        (0.25, "1/N times the reference's, N = 4 being the length of its first axis (the batch size)"),
        (4.0, "N times the reference's, N = 4"),
        (1 / 3, "1/3 times the reference's: you divide by 3 where the reference does not; if 3 is a size"),
        (3.0, "3 times the reference's: you multiply by 3 where the reference does not; if 3 is a size"),
        (0.5, "1/2 times the reference's: you divide by 2 where the reference does not"),
        (2.0, "2 times the reference's: you multiply by 2 where the reference does not"),
        (-1.0, "the sign flipped"),
        (0.0, "zero everywhere"),
        (3.7, "3.7 times the reference's, entry for entry"),
    ],
)
def test_a_constant_factor_is_named(factor, words):
    expected = _values((4, 3))
    hint = diagnose(factor * expected, expected, name="dW")
    assert hint.startswith("your dW ") and words in hint
    assert ("a factor of 2 is" in hint) == (factor in (0.5, 2.0))  # N = 4: a batch factor is no factor of 2


def test_a_factor_of_a_batch_of_two_names_both_causes():
    expected = _values((2, 3))
    hint = diagnose(0.5 * expected, expected, name="db")
    assert "1/N times" in hint and "N = 2" in hint and "if not, a factor of 2 is missing" in hint


def test_a_factor_holds_within_the_tolerance_of_the_dtype_only():
    expected = _values((4, 3), dtype=np.float32)
    assert "1/2 times" in diagnose((0.5 * expected * (1 + 1e-6)).astype(np.float32), expected)
    noisy = (0.5 * expected + 1e-3 * _values((4, 3), seed=3)).astype(np.float32)
    assert diagnose(noisy, expected) is None


def test_a_scalar_gets_only_a_named_factor():
    assert "your loss is 1/2 times" in diagnose(0.65, 1.3, name="loss")
    assert "your loss is 4 times" in diagnose(5.2, 1.3, name="loss")
    assert "sign flipped" in diagnose(-1.3, 1.3, name="loss")
    assert diagnose(3.7 * 1.3, 1.3, name="loss") is None  # any two numbers have a ratio


def test_a_transpose_is_named():
    expected = _values((3, 5))
    hint = diagnose(expected.T.copy(), expected, name="dW")
    assert "your dW is the transpose of the reference's (yours has shape (5, 3), the reference's (3, 5))" in hint
    square = _values((4, 4))
    assert "transpose" in diagnose(square.T.copy(), square)


def test_axes_in_another_order_are_named():
    expected = _values((2, 3, 4, 5))
    got = np.ascontiguousarray(expected.transpose(0, 2, 3, 1))  # channels last
    hint = diagnose(got, expected, name="out")
    assert "axes in another order" in hint
    assert np.array_equal(np.transpose(got, (0, 3, 1, 2)), expected) and "(0, 3, 1, 2)" in hint
    assert diagnose(_values((2, 4, 5, 3)), expected) is None  # the shape alone says nothing


def test_right_for_the_first_example_only():
    expected = _values((4, 3))
    got = expected.copy()
    got[1:] = _values((3, 3), seed=5)
    hint = diagnose(got, expected, name="out")
    assert "for the first example of the batch (out[0]) only, not for the other 3" in hint


def test_right_for_channel_zero_only():
    expected = _values((2, 3, 4, 4))
    got = expected.copy()
    got[:, 1:] = _values((2, 2, 4, 4), seed=6)
    assert "in channel 0 (out[:, 0]) only, not in the other 2 channels" in diagnose(got, expected, name="out")


def test_right_except_on_the_border():
    expected = _values((2, 3, 5, 6))
    got = expected.copy()
    got[..., 0, :] = 0
    got[..., :, -1] += 1
    assert "check the padding" in diagnose(got, expected, name="out")
    single = expected[0, 0].copy()
    single[0, 0] += 1
    assert "check the padding" in diagnose(single, expected[0, 0])


def test_items_are_diagnosed_at_the_first_that_differs():
    dx, dw = _values((4, 3)), _values((3, 5), seed=1)
    assert diagnose((dx, dw), (dx, dw)) is None
    assert "your grads[1] is the transpose" in diagnose((dx, dw.T.copy()), (dx, dw), name="grads")
    assert "your grads[0] is the reference's grads[1]" in diagnose([dw, dx], [dx, dw], name="grads")
    assert diagnose((dx,), (dx, dw)) is None


def test_the_words_are_the_same_every_time():
    expected = _values((3, 4, 5, 5))
    wrong = np.ascontiguousarray(0.5 * expected.transpose(0, 1, 3, 2))
    assert len({diagnose(1.37 * expected, expected) for _ in range(3)}) == 1
    assert len({diagnose(wrong, expected) for _ in range(3)}) == 1


def test_a_diagnosis_yields_to_any_other_hint():
    def fail(hint=None):
        raise CheckFailure("wrong", hint)

    with pytest.raises(CheckFailure) as around:
        with hint_on_failure("the check's own hint"), hint_on_failure("generic", fallback=True):
            fail()
    assert around.value.hint == "the check's own hint"
    with pytest.raises(CheckFailure) as inside:
        with hint_on_failure("generic", fallback=True), hint_on_failure(lambda: None):
            fail()
    assert inside.value.hint == "generic"
    with pytest.raises(CheckFailure) as known:
        with hint_on_failure("generic", fallback=True):
            fail("a known mistake")
    assert known.value.hint == "a known mistake"


# ---- end to end: wrong versions that no known mistake names get the generic hint ---------------

WRONG = {
    "linear_backward": (
        "def linear_backward(dout, cache):\n"
        "    x, W = cache\n"
        "    return dout @ W, dout.T @ x / x.shape[0], dout.sum(axis=0)\n",
        "matches the reference backward for a random upstream gradient",
        ("your dW is 1/", "where the reference sums"),
    ),
    "mse": (
        "def mse(pred, target):\n"
        "    diff = pred - target\n"
        "    return float(0.5 * np.mean(diff**2)), diff / diff.size\n",
        "matches the reference",
        ("your loss is 1/2 times the reference's", "a factor of 2 is missing"),
    ),
    "relu_backward": (
        "def relu_backward(dout, cache):\n    return np.where(cache > 0, -dout, 0).astype(dout.dtype)\n",
        "matches the reference backward for a random upstream gradient",
        ("your dx is the reference's with the sign flipped", "negate"),
    ),
}


@pytest.mark.parametrize("task", sorted(WRONG))
def test_a_wrong_version_no_mistake_names_gets_the_generic_hint(course, tmp_path, task):
    source, check_name, (start, middle) = WRONG[task]
    load_mistakes(["a0_foundations"])
    assert mistakes_for(task) and not any(start in known.hint for known in mistakes_for(task))
    folder = tmp_path / "a0_foundations"
    folder.mkdir()
    reference = (ROOT / "solutions" / "a0_foundations" / "foundations.py").read_text()
    (folder / "foundations.py").write_text(f"{reference}\n\n{source}")
    result = grade_path(course, tmp_path, [task])["tasks"][0]
    assert result["score"] < result["max_score"]
    feedback = next(c["feedback"] for c in result["checks"] if c["name"] == check_name)
    hint = next(line for line in feedback.splitlines() if line.startswith("Hint: "))
    assert hint.startswith(f"Hint: {start}") and middle in hint
