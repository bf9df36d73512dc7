"""Callables the grader hands to student functions, built on the student's side from a name.

Functions such as numerical_gradient(f, x) or fit_linear_regression(..., optimizer=...) take
callables; a worker process cannot receive a closure, so the grader sends a `Probe` (a name and
plain parameters) and the side running student code builds it here. The grader builds the same
probes for the reference, so both see identical callables.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

from .plain import Probe, map_plain


def _smooth_scalar(seed):
    """f(z) = sum(a * sin(z) + b * z**2 + c * z**3) + sum(d * z)**2 / 2: smooth, with distinct
    curvature per entry, and coupled (each partial derivative depends on every entry), so a
    gradient taken around a point left perturbed by an earlier entry comes out wrong."""

    def f(z):
        rng = np.random.default_rng(seed)
        a, b, c, d = (rng.uniform(0.5, 1.5, size=np.shape(z)) for _ in range(4))
        return float(np.sum(a * np.sin(z) + b * z**2 + c * z**3) + np.sum(d * z) ** 2 / 2)

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


_BUILDERS: dict[str, Callable[..., Any]] = {
    "rng": lambda seed: np.random.default_rng(seed),
    "smooth_scalar": _smooth_scalar,
    "clobbering_scalar": _clobbering_scalar,
    "plain_sgd": _plain_sgd,
    "heavy_ball": _heavy_ball,
}


def build(probe: Probe) -> Callable[..., Any]:
    return _BUILDERS[probe.name](*probe.params)


def materialize(value):
    """value with every Probe inside (tuples, lists, dicts) replaced by the callable it names."""
    return map_plain(value, lambda item: build(item) if isinstance(item, Probe) else item)


# ---- a2_initializers: global random state, and initialisers handed to activation_stds ----------
# A worker process keeps np.random's global state from one call to the next, so these probes,
# built on the student's side just before a call, can set that state and read it back: the
# grader never touches the np.random module the student code runs with.


def _rng_after_global_seed(seed, global_seed):
    """The Generator of seed, with np.random's global state first reset to global_seed."""
    np.random.seed(global_seed)
    return np.random.default_rng(seed)


def _rng_from_global(global_seed=None):
    """A Generator seeded from a draw of np.random's global state as the previous call left it
    (or as global_seed sets it): equal outputs for both show that call left the state alone."""
    if global_seed is not None:
        np.random.seed(global_seed)
    return np.random.default_rng(np.random.randint(0, 2**31 - 1))


def _init_normal(std):
    """init(shape, *, rng): N(0, std^2) weights."""

    def init(shape, *, rng):
        return rng.normal(0.0, std, size=shape)

    return init


def _init_he_normal():
    """init(shape, *, rng): He normal weights for ReLU, N(0, 2 / fan_in) with fan_in = shape[1]."""

    def init(shape, *, rng):
        return rng.normal(0.0, np.sqrt(2.0 / shape[1]), size=shape)

    return init


def _init_fixed_orthogonal(scale, seed):
    """init(shape, *, rng) ignoring rng: its k-th call returns scale * Q_k, a fixed orthogonal
    matrix (spectral norm exactly scale), the same sequence on every side."""
    calls = itertools.count()

    def init(shape, *, rng):
        fixed = np.random.default_rng((seed, next(calls))).standard_normal(shape)
        q, r = np.linalg.qr(fixed)
        return scale * q * np.sign(np.diag(r))

    return init


_BUILDERS.update(
    {
        "rng_after_global_seed": _rng_after_global_seed,
        "rng_from_global": _rng_from_global,
        "init_normal": _init_normal,
        "init_he_normal": _init_he_normal,
        "init_fixed_orthogonal": _init_fixed_orthogonal,
    }
)
