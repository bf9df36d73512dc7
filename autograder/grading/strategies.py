"""Hypothesis strategies shared by all checks, and the values drawn from their seeds.

Strategies draw shapes, hyper-parameters and a seed; array values come from that seed
(`values`), which keeps them away from kinks and ties, where Hypothesis' own float arrays land
on exact zeros and duplicates most of the time.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

seeds = st.integers(0, 2**32 - 1)
float_dtypes = st.sampled_from(["float64", "float32"])


def shapes(min_dims: int = 1, max_dims: int = 3, max_side: int = 5):
    return st.lists(st.integers(1, max_side), min_size=min_dims, max_size=max_dims).map(tuple)


def cases(**fields):
    """A strategy of case dicts: one entry per keyword, each drawn from its strategy."""
    return st.fixed_dictionaries(fields)


def generator(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def values(
    rng: np.random.Generator, shape, dtype="float64", *, scale: float = 1.0, away_from_zero: float = 0.0
) -> np.ndarray:
    """Values in [-scale, scale] with |v| >= away_from_zero * scale, in the given dtype."""
    magnitude = rng.uniform(away_from_zero, 1.0, size=shape) * scale
    sign = rng.choice([-1.0, 1.0], size=shape)
    return (sign * magnitude).astype(dtype)


def upstream(rng: np.random.Generator, shape, dtype="float64") -> np.ndarray:
    """A random upstream gradient (never all ones, so a wrong sum over an axis shows)."""
    return rng.standard_normal(shape).astype(dtype)


def labels(rng: np.random.Generator, n: int, classes: int) -> np.ndarray:
    return rng.integers(0, classes, size=n)


# ---- recurrent networks -------------------------------------------------------------------


def recurrent_parameters(
    rng: np.random.Generator, gates: int, input_size: int, hidden_size: int, dtype="float64"
) -> dict:
    """W_ih (G*H, D), W_hh (G*H, H), b_ih and b_hh (G*H,) in PyTorch's layout for G gate blocks,
    scaled so that gate pre-activations stay mostly where tanh and sigmoid are far from flat."""
    rows = gates * hidden_size
    return {
        "W_ih": values(rng, (rows, input_size), dtype, scale=0.8),
        "W_hh": values(rng, (rows, hidden_size), dtype, scale=0.8),
        "b_ih": values(rng, (rows,), dtype, scale=0.5),
        "b_hh": values(rng, (rows,), dtype, scale=0.5),
    }


# ---- weight shapes (a2 onwards) -----------------------------------------------------------


def weight_shapes(*, min_size: int = 1, max_side: int = 12, max_kernel: int = 4):
    """Weight shapes laid out as PyTorch's: dense (out, in) and conv1d/2d/3d (F, C, *kernel),
    with at least min_size entries."""
    dense = st.tuples(st.integers(1, max_side), st.integers(1, max_side))
    channels = st.tuples(st.integers(1, max_side // 2), st.integers(1, max_side // 2))
    kernel = st.lists(st.integers(1, max_kernel), min_size=1, max_size=3).map(tuple)
    conv = st.tuples(channels, kernel).map(lambda parts: parts[0] + parts[1])
    drawn = st.one_of(dense, conv)
    return drawn.filter(lambda shape: int(np.prod(shape)) >= min_size) if min_size > 1 else drawn


# ---- image geometry (a4_cnn and the layers built on it) -------------------------------------


def int_or_pair(values):
    """An int, or an (h, w) pair of ints, from the given strategy of ints (the two spec forms)."""
    return st.one_of(values, st.tuples(values, values))


def as_pair(value) -> tuple[int, int]:
    """An int or an (h, w) pair as an (h, w) pair."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _side(draw, kernel: int, stride: int, padding: int, min_out: int, max_out: int) -> int:
    """An input side whose output floor((side + 2*padding - kernel)/stride) + 1 is drawn first,
    then `slack` extra rows that the floor drops (0 <= slack < stride): odd sizes, outputs of
    size 1, and kernels exactly as large as the padded input (output 1, slack 0) all appear."""
    out = draw(st.integers(min_out, max_out))
    slack = draw(st.integers(0, stride - 1))
    # with much padding the drawn output may need a side below 1; the smallest valid side is 1
    return max(1, (out - 1) * stride + slack + kernel - 2 * padding)


@st.composite
def conv_geometry(
    draw, *, max_batch=2, max_channels=3, max_filters=3, max_kernel=4, max_stride=3, max_padding=2, min_out=1, max_out=4
):
    """Shapes and hyper-parameters of a conv2d call, each named as conv2d_forward's docstring
    names it: {"N", "C", "H", "W", "F", "KH", "KW", "stride", "padding"}, stride and padding as an
    int or an (h, w) pair (image_shape and filter_shape give x's and w's shapes).

    Every valid combination can appear: N = 1, C = 1, non-square inputs and kernels, both forms
    of stride and padding, stride > 1 with padding, outputs of size 1 and kernels as large as
    the padded input. The input size is derived from a drawn output size, so every draw is valid.
    """
    n, c, f = (draw(st.integers(1, top)) for top in (max_batch, max_channels, max_filters))
    stride = draw(int_or_pair(st.integers(1, max_stride)))
    padding = draw(int_or_pair(st.integers(0, max_padding)))
    kernel = (draw(st.integers(1, max_kernel)), draw(st.integers(1, max_kernel)))
    height, width = (
        _side(draw, k, s, p, min_out, max_out) for k, s, p in zip(kernel, as_pair(stride), as_pair(padding))
    )
    return {
        "N": n,
        "C": c,
        "H": height,
        "W": width,
        "F": f,
        "KH": kernel[0],
        "KW": kernel[1],
        "stride": stride,
        "padding": padding,
    }


@st.composite
def pool_geometry(draw, *, max_batch=2, max_channels=3, max_kernel=3, max_stride=2, max_out=4):
    """Shapes and hyper-parameters of a pooling call, named as the pooling docstrings name them:
    {"N", "C", "H", "W", "kernel_size", "stride"}, kernel_size an int or (h, w) pair, stride None
    (the default: the kernel), an int or a pair. Strides up to 2 with kernels up to 3 make
    overlapping windows (stride < kernel) frequent; a 1-pixel kernel with stride 2 skips pixels."""
    n, c = draw(st.integers(1, max_batch)), draw(st.integers(1, max_channels))
    kernel_size = draw(int_or_pair(st.integers(1, max_kernel)))
    stride = draw(st.one_of(st.none(), int_or_pair(st.integers(1, max_stride))))
    steps = as_pair(kernel_size if stride is None else stride)
    height, width = (_side(draw, k, s, 0, 1, max_out) for k, s in zip(as_pair(kernel_size), steps))
    return {"N": n, "C": c, "H": height, "W": width, "kernel_size": kernel_size, "stride": stride}


def image_shape(geometry) -> tuple[int, int, int, int]:
    """x's shape (N, C, H, W) in a conv_geometry or pool_geometry."""
    return geometry["N"], geometry["C"], geometry["H"], geometry["W"]


def filter_shape(geometry) -> tuple[int, int, int, int]:
    """w's shape (F, C, KH, KW) in a conv_geometry."""
    return geometry["F"], geometry["C"], geometry["KH"], geometry["KW"]


def distinct_values(rng: np.random.Generator, shape, dtype="float64", *, gap: float = 0.01) -> np.ndarray:
    """A shuffled grid: all values different, any two at least `gap` apart (centred on 0).

    No pooling window has a tie or a near-tie, so the maximum of every window stays where it is
    under finite-difference steps far below `gap`, and every correct subgradient is the same."""
    size = int(np.prod(shape))
    grid = (np.arange(size) - (size - 1) / 2) * gap
    return rng.permutation(grid).reshape(shape).astype(dtype)
