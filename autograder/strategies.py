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
