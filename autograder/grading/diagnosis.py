"""Generic diagnoses of a wrong output, for when no known mistake gives it: how the student's
output relates to the reference's (a constant factor, axes in another order, right on one part
only). Each is stated only when it holds within the course's closeness rule
(numeric.within_tolerance), and the words depend on the two values alone, so a submission gets
the same ones every time."""

from __future__ import annotations

import itertools

import numpy as np

from autograder.grading.failure import CheckFailure
from autograder.grading.numeric import assert_close, tolerance_for, within_tolerance
from autograder.runtime.language import N_, _, translate

MAX_PERMUTED_AXES = 5  # 120 orders at most

# The words of each diagnosis, with str.format fields: name (the output's name), and as each says.
ITEMS_SWAPPED = N_(
    "your {name}[{index}] is the reference's {name}[{other}]: the values are right but in another order; return "
    "them in the order the docstring gives"
)
ZERO = N_(
    "your {name} is zero everywhere, the reference's is not: the value is never computed or never stored in what "
    "you return; fill it in"
)
SIGN_FLIPPED = N_(
    "your {name} is the reference's with the sign flipped: check the signs in your formula (a - b where b - a "
    "belongs, a minus where a plus belongs) and negate"
)
FACTOR = N_(
    "your {name} is {factor} times the reference's, entry for entry: the formula is right up to a constant factor; "
    "find the constant (a scale, a size you divide or multiply by) that differs from the docstring's"
)
BATCH_AVERAGED = N_(
    "your {name} is 1/N times the reference's, N = {n} being the length of its first axis (the batch size): you "
    "average over the batch where the reference sums (or divide by N once too often); sum over the batch instead"
)
BATCH_AVERAGED_OR_HALVED = N_(
    "your {name} is 1/N times the reference's, N = {n} being the length of its first axis (the batch size): you "
    "average over the batch where the reference sums (or divide by N once too often); sum over the batch instead; "
    "if not, a factor of 2 is missing (the derivative of x**2 is 2 * x) or a 1/2 is too many"
)
DIVIDED = N_(
    "your {name} is 1/{k} times the reference's: you divide by {k} where the reference does not; if {k} is a size "
    "of the inputs (the batch size, say), you average over it where the reference sums"
)
HALVED = N_(
    "your {name} is 1/2 times the reference's: you divide by 2 where the reference does not; if 2 is a size of the "
    "inputs (the batch size, say), you average over it where the reference sums; if not, a factor of 2 is missing "
    "(the derivative of x**2 is 2 * x) or a 1/2 is too many"
)
BATCH_SUMMED = N_(
    "your {name} is N times the reference's, N = {n} being the length of its first axis (the batch size): you sum "
    "over the batch where the reference averages (or forget to divide by N); take the mean over the batch instead"
)
BATCH_SUMMED_OR_DOUBLED = N_(
    "your {name} is N times the reference's, N = {n} being the length of its first axis (the batch size): you sum "
    "over the batch where the reference averages (or forget to divide by N); take the mean over the batch instead; "
    "if not, a factor of 2 is too many (a term counted twice, a 1/2 left out)"
)
MULTIPLIED = N_(
    "your {name} is {k} times the reference's: you multiply by {k} where the reference does not; if {k} is a size "
    "of the inputs (the batch size, say), you sum over it where the reference averages"
)
DOUBLED = N_(
    "your {name} is 2 times the reference's: you multiply by 2 where the reference does not; if 2 is a size of the "
    "inputs (the batch size, say), you sum over it where the reference averages; if not, a factor of 2 is too many "
    "(a term counted twice, a 1/2 left out)"
)
FIRST_EXAMPLE_ONLY = N_(
    "your {name} matches the reference's for the first example of the batch ({name}[0]) only, not for the other "
    "{others}: your code is right for a batch of size 1; check what it does along the first axis (an index [0] or a "
    "loop that stops early, a sum or mean over the wrong axis, a broadcast that pairs the wrong rows)"
)
FIRST_CHANNEL_ONLY = N_(
    "your {name} matches the reference's in channel 0 ({name}[:, 0]) only, not in the other {others} channels "
    "(axis 1 of (N, C, H, W)): your code is right for one channel; check the loop or the sum over channels, and the "
    "axes you reshape or index"
)
INTERIOR_ONLY = N_(
    "your {name} matches the reference's inside but not on its border (the first and last rows and columns of its "
    "last two axes): check the padding: its width, that every side gets it, and that the border entries are computed "
    "from the padded input"
)
TRANSPOSED = N_(
    "your {name} is the transpose of the reference's (yours has shape {shape}, the reference's {expected_shape}): "
    "the values are right, the axes swapped; swap the operands of the product or transpose, so that {name} has "
    "shape {expected_shape}"
)
AXES_PERMUTED = N_(
    "your {name} holds the reference's values with its axes in another order (yours has shape {shape}, the "
    "reference's {expected_shape}): np.transpose(yours, {order}) gives the reference's; put the axes in the "
    "docstring's order"
)


def diagnose(got, expected, *, name: str = "output", rtol=None, atol=None, precision=None) -> str | None:
    """What got (the student's value) is in terms of expected (the reference's), as a hint:
    what the code does, then the fix; None when no diagnosis holds or got is right.

    got and expected are float arrays or numbers, or tuples or lists of them (diagnosed at the
    first item that differs); rtol, atol and precision as for numeric.assert_close. The words
    are in the language of the run, the output's name too."""
    name = translate(name)
    if type(expected) in (list, tuple):
        return _diagnose_items(got, expected, name, rtol, atol, precision)
    pair = _float_pair(got, expected)
    if pair is None:
        return None
    got, expected = pair
    rtol, atol = tolerance_for(expected.dtype, rtol, atol, precision)

    def close(mine, theirs) -> bool:
        return within_tolerance(mine, theirs, rtol, atol)

    if got.shape == expected.shape and close(got, expected):
        return None
    if got.shape == expected.shape:
        for diagnosis in (_factor, _first_row_only, _first_channel_only, _interior_only):
            found = diagnosis(got, expected, close, name)
            if found:
                return found
    return _permuted(got, expected, close, name)


def _float_pair(got, expected):
    """(got, expected) as float arrays of one dtype, all finite; None when they are not such."""
    if isinstance(expected, (float, np.floating)) and isinstance(got, (float, np.floating)):
        got, expected = np.asarray(float(got)), np.asarray(float(expected))
    elif not (type(got) is np.ndarray and type(expected) is np.ndarray and got.dtype == expected.dtype):
        return None
    if got.dtype.kind != "f" or not (np.all(np.isfinite(got)) and np.all(np.isfinite(expected))):
        return None
    return got, expected


def _agrees(got, expected, rtol, atol, precision) -> bool:
    try:
        assert_close(got, expected, name="", rtol=rtol, atol=atol, precision=precision)
    except CheckFailure:
        return False
    return True


def _diagnose_items(got, expected, name, rtol, atol, precision) -> str | None:
    """The diagnosis of the first item of got that differs from expected's: another item of
    expected (the items' order), else what diagnose says of the item."""
    if type(got) is not type(expected) or len(got) != len(expected):
        return None
    for index, (mine, theirs) in enumerate(zip(got, expected)):
        if _agrees(mine, theirs, rtol, atol, precision):
            continue
        for other, candidate in enumerate(expected):
            if other != index and _agrees(mine, candidate, rtol, atol, precision):
                return _(ITEMS_SWAPPED).format(name=name, index=index, other=other)
        return diagnose(mine, theirs, name=f"{name}[{index}]", rtol=rtol, atol=atol, precision=precision)
    return None


def _factor(got, expected, close, name) -> str | None:
    """got = c * expected for one constant c (fitted by least squares), in words."""
    if not np.any(expected):
        return None
    got64, expected64 = got.astype(np.float64).ravel(), expected.astype(np.float64).ravel()
    c = float(np.dot(got64, expected64) / np.dot(expected64, expected64))
    if not close(got, c * expected64.reshape(expected.shape)):
        return None
    if close(got, 0 * expected):
        return _(ZERO).format(name=name)
    if close(got, -expected):
        return _(SIGN_FLIPPED).format(name=name)
    whole = max(round(c), round(1 / c)) if c > 0 else 0
    if whole >= 2 and close(got, whole * expected):
        return _multiplied(name, whole, expected)
    if whole >= 2 and close(got, expected / whole):
        return _divided(name, whole, expected)
    if got.size < 2:  # any two numbers are a constant factor apart: only a whole one says something
        return None
    return _(FACTOR).format(name=name, factor=f"{c:.4g}")


def _divided(name, k: int, expected) -> str:
    """The words for got = expected / k (k the batch size when the first axis has k entries)."""
    if expected.ndim and expected.shape[0] == k:
        return _(BATCH_AVERAGED_OR_HALVED if k == 2 else BATCH_AVERAGED).format(name=name, n=k)
    return _(HALVED).format(name=name) if k == 2 else _(DIVIDED).format(name=name, k=k)


def _multiplied(name, k: int, expected) -> str:
    """The words for got = k * expected (k the batch size when the first axis has k entries)."""
    if expected.ndim and expected.shape[0] == k:
        return _(BATCH_SUMMED_OR_DOUBLED if k == 2 else BATCH_SUMMED).format(name=name, n=k)
    return _(DOUBLED).format(name=name) if k == 2 else _(MULTIPLIED).format(name=name, k=k)


def _first_row_only(got, expected, close, name) -> str | None:
    """got right in its first row (the first example of a batch) only."""
    if expected.ndim < 2 or expected.shape[0] < 2 or not np.any(expected[0]):
        return None
    if not close(got[0], expected[0]) or close(got[1:], expected[1:]):
        return None
    return _(FIRST_EXAMPLE_ONLY).format(name=name, others=expected.shape[0] - 1)


def _first_channel_only(got, expected, close, name) -> str | None:
    """got, an (N, C, H, W) array, right in channel 0 only."""
    if expected.ndim != 4 or expected.shape[1] < 2 or not np.any(expected[:, 0]):
        return None
    if not close(got[:, 0], expected[:, 0]) or close(got[:, 1:], expected[:, 1:]):
        return None
    return _(FIRST_CHANNEL_ONLY).format(name=name, others=expected.shape[1] - 1)


def _interior_only(got, expected, close, name) -> str | None:
    """got right inside its last two axes but not on their border."""
    if expected.ndim < 2 or min(expected.shape[-2:]) < 3:
        return None
    inside = (..., slice(1, -1), slice(1, -1))
    if not np.any(expected[inside]) or not close(got[inside], expected[inside]):
        return None
    return _(INTERIOR_ONLY).format(name=name)


def _permuted(got, expected, close, name) -> str | None:
    """got = expected with its axes in another order."""
    if got.ndim != expected.ndim or sorted(got.shape) != sorted(expected.shape) or got.ndim > MAX_PERMUTED_AXES:
        return None
    for order in itertools.permutations(range(got.ndim)):
        if list(order) == sorted(order):
            continue
        moved = got.transpose(order)
        if moved.shape != expected.shape or not close(moved, expected):
            continue
        words = TRANSPOSED if got.ndim == 2 else AXES_PERMUTED
        return _(words).format(name=name, shape=got.shape, expected_shape=expected.shape, order=order)
    return None
