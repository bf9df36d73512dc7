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


def values(rng: np.random.Generator, shape, dtype="float64", *, scale: float = 1.0,
           away_from_zero: float = 0.0) -> np.ndarray:
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

def recurrent_parameters(rng: np.random.Generator, gates: int, input_size: int, hidden_size: int,
                         dtype="float64") -> dict:
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
