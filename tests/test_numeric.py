"""assert_close and gradcheck: each validation fails on the wrong thing, passes on the right one."""

import numpy as np
import pytest

from autograder.grading.failure import CheckFailure
from autograder.grading.numeric import HINT_FLOAT32, assert_close, gradcheck, one_by_one
from autograder.runtime.plain import Foreign, to_plain

EXPECTED = np.array([[1.0, 2.0], [3.0, 4.0]])


class Rigged(np.ndarray):
    def __eq__(self, other):
        return True


def test_close_passes_equal_and_tiny_roundoff():
    assert_close(EXPECTED.copy(), EXPECTED, name="out")
    assert_close(EXPECTED * (1 + 1e-13), EXPECTED, name="out")


@pytest.mark.parametrize(
    "got, words",
    [
        (Foreign("an object of type x.Y"), "expected a numpy.ndarray, got an object of type x.Y"),
        ([[1.0, 2.0], [3.0, 4.0]], "expected a numpy.ndarray, got list"),
        (EXPECTED.astype(np.float32), "dtype float32, expected float64"),
        (EXPECTED.T.copy().reshape(4, 1), "shape (4, 1), expected (2, 2)"),
        (np.array([[1.0, np.nan], [3.0, 4.0]]), "1 of 4 entries are not finite (first at [0, 1]"),
        (np.array([[1.0, 2.0], [3.0, 4.5]]), "worst entry [1, 1]: yours 4.5, expected 4"),
    ],
)
def test_close_reports_the_first_wrong_thing(got, words):
    with pytest.raises(CheckFailure) as failure:
        assert_close(got, EXPECTED, name="out")
    assert words in failure.value.message


def test_ndarray_subclass_never_reaches_comparison():
    rigged = to_plain(EXPECTED.view(Rigged))
    assert isinstance(rigged, Foreign)
    with pytest.raises(CheckFailure, match="subclass of numpy.ndarray"):
        assert_close(rigged, EXPECTED, name="out")


def test_float32_precision_in_float64_is_named():
    x = np.linspace(0.1, 3, 7)
    with pytest.raises(CheckFailure) as failure:
        assert_close(np.exp(x.astype(np.float32)).astype(np.float64), np.exp(x), name="out")
    assert failure.value.hint == HINT_FLOAT32


def test_float32_inputs_get_float32_tolerance():
    x = np.linspace(0.1, 3, 7)
    assert_close(np.exp(x.astype(np.float32)), np.exp(x).astype(np.float32), name="out")


def test_scalars_accept_python_and_numpy_floats_only():
    assert_close(2.0, 2.0, name="loss")
    assert_close(np.float64(2.0), 2.0, name="loss")
    with pytest.raises(CheckFailure, match="expected a Python float or numpy scalar"):
        assert_close("2.0", 2.0, name="loss")


def _loss(W):
    return float(np.sum(np.sin(W) * np.arange(W.size).reshape(W.shape)))


def test_gradcheck_passes_a_correct_gradient():
    W = np.linspace(-1, 1, 6).reshape(2, 3)
    gradcheck(one_by_one(_loss), {"W": W}, {"W": np.cos(W) * np.arange(6).reshape(2, 3)}, seed=0)


def test_gradcheck_names_input_and_worst_entry():
    W = np.linspace(-1, 1, 6).reshape(2, 3)
    wrong = np.cos(W) * np.arange(6).reshape(2, 3)
    wrong[1, 2] += 0.5
    with pytest.raises(CheckFailure) as failure:
        gradcheck(one_by_one(_loss), {"W": W}, {"W": wrong}, seed=0)
    message = failure.value.message
    assert "gradient check failed for input W" in message
    assert "Worst entry W[1, 2]" in message and "tolerance" in message
