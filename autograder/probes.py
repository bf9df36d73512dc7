"""Callables the grader hands to student functions, built on the student's side from a name.

Functions such as numerical_gradient(f, x) or fit_linear_regression(..., optimizer=...) take
callables; a worker process cannot receive a closure, so the grader sends a `Probe` (a name and
plain parameters) and the side running student code builds it here. The grader builds the same
probes for the reference, so both see identical callables.
"""
from __future__ import annotations

import numpy as np

from .plain import Probe


def _smooth_scalar(seed):
    """f(z) = sum(a * sin(z) + b * z**2 + c * z**3): smooth, with distinct curvature per entry."""

    def f(z):
        rng = np.random.default_rng(seed)
        a, b, c = (rng.uniform(0.5, 1.5, size=np.shape(z)) for _ in range(3))
        return float(np.sum(a * np.sin(z) + b * z**2 + c * z**3))

    return f


def _clobbering_scalar(seed):
    """Like smooth_scalar, but zeroes its argument afterwards: a caller that passes its own x,
    not a perturbed copy, loses x (and the gradient comes out wrong)."""
    f = _smooth_scalar(seed)

    def clobber(z):
        value = f(z)
        if isinstance(z, np.ndarray) and z.flags.writeable:
            z[...] = 0
        return value

    return clobber


def _plain_sgd():
    def rule(w, dw, state, *, lr):
        return w - lr * dw, dict(state)

    return rule


def _heavy_ball():
    """A stateful rule: a result that depends on one state carried across every call."""

    def rule(w, dw, state, *, lr):
        velocity = 0.5 * state.get("velocity", 0) + dw
        return w - lr * velocity, {"velocity": velocity, "calls": state.get("calls", 0) + 1}

    return rule


_BUILDERS = {
    "rng": lambda seed: np.random.default_rng(seed),
    "smooth_scalar": _smooth_scalar,
    "clobbering_scalar": _clobbering_scalar,
    "plain_sgd": _plain_sgd,
    "heavy_ball": _heavy_ball,
}


def build(probe: Probe):
    return _BUILDERS[probe.name](*probe.params)


def materialize(value):
    """value with every Probe inside (tuples, lists, dicts) replaced by the callable it names."""
    if isinstance(value, Probe):
        return build(value)
    if type(value) in (tuple, list):
        return type(value)(materialize(item) for item in value)
    if type(value) is dict:
        return {key: materialize(item) for key, item in value.items()}
    return value
