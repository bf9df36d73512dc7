"""Checks of a0_foundations: numerical gradients, activations, linear layer, softmax, losses."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from autograder.checks.common import forward_backward_checks, pure_function_checks, require_pure, unpack
from autograder.execution.submission import Call
from autograder.grading.failure import CheckFailure
from autograder.grading.numeric import gradcheck, precision_of, validate_array
from autograder.grading.registry import check
from autograder.grading.strategies import cases, float_dtypes, generator, labels, seeds, shapes, values
from autograder.runtime.language import N_, Message
from autograder.runtime.plain import Probe

HINT_OVERFLOW = N_(
    "your sigmoid computes exp(-x), which overflows for large negative x: compute it from "
    "exp(-|x|), which never overflows (two branches for x >= 0 and x < 0, or np.where over both)"
)
HINT_SHIFT = N_(
    "your code exponentiates x without subtracting its maximum, and exp(1e4) overflows: subtract "
    "the maximum along the axis before exponentiating (and for log_softmax use x - max - "
    "log(sum(exp(x - max))), not log(softmax))"
)
HINT_COPY = N_(
    "your numerical_gradient calls f with x itself (or changes x), and f may modify what it is "
    "given: call f with a fresh perturbed copy of x every time and leave x unchanged"
)

# ---- numerical_gradient -------------------------------------------------------------------

gradient_cases = cases(shape=shapes(max_dims=3, max_side=4), seed=seeds)


@check("numerical_gradient", "matches central differences", gradient_cases)
def numerical_gradient_matches(ctx, case):
    x = values(generator(case["seed"]), case["shape"])
    f = Probe("smooth_scalar", (case["seed"],))
    got = ctx.call("numerical_gradient", f, x)
    # both sides difference the same f at the same points: only rounding separates them
    ctx.expect(
        "numerical_gradient", got, lambda impl: impl.run("numerical_gradient", f, x), name="grad", rtol=1e-7, atol=1e-9
    )


@check("numerical_gradient", "calls f with copies and leaves x unchanged", gradient_cases, pays_alone=False)
def numerical_gradient_copies(ctx, case):
    x = values(generator(case["seed"]), case["shape"])
    clean = ctx.call("numerical_gradient", Probe("smooth_scalar", (case["seed"],)), x)
    got = ctx.call("numerical_gradient", Probe("clobbering_scalar", (case["seed"],)), x)
    require_pure(ctx, "numerical_gradient")
    validate_array(clean, name="grad", dtype=np.float64, shape=x.shape)
    validate_array(got, name="grad", dtype=np.float64, shape=x.shape)
    # your own gradient of the same function, once with an f that zeroes what it is given
    if not np.array_equal(got, clean):
        raise CheckFailure(
            Message(
                "with an f that modifies its argument your gradient changes (worst entry differs by {value:.3g})",
                value=np.max(np.abs(got - clean)),
            ),
            HINT_COPY,
        )


@check("numerical_gradient", "keeps float32", cases(shape=shapes(max_dims=2, max_side=3), seed=seeds), pays_alone=False)
def numerical_gradient_float32(ctx, case):
    x = values(generator(case["seed"]), case["shape"], "float32")
    got = ctx.call("numerical_gradient", Probe("smooth_scalar", (case["seed"],)), x, h=1e-2)
    validate_array(got, name="grad", dtype=np.float32, shape=x.shape)


# ---- activations ----------------------------------------------------------------------------


def _activation_make(slope: bool):
    def make(case):
        x = values(generator(case["seed"]), case["shape"], case["dtype"], scale=4.0, away_from_zero=0.05)
        return {"x": x}, ({"negative_slope": case["slope"]} if slope else {})

    return make


for name, has_slope in (("sigmoid", False), ("tanh", False), ("relu", False), ("leaky_relu", True)):
    fields = dict(shape=shapes(), dtype=float_dtypes, seed=seeds)
    if has_slope:
        fields["slope"] = st.sampled_from([0.01, 0.2, -0.5, 1.5, 3.0])
    forward_backward_checks(
        f"{name}_forward",
        f"{name}_backward",
        cases(**fields),
        _activation_make(has_slope),
        defaults=("negative_slope",) if has_slope else (),
    )


@check("sigmoid_forward", "stable for |x| up to 1e3", cases(shape=shapes(), dtype=float_dtypes, seed=seeds))
def sigmoid_stable(ctx, case):
    x = values(generator(case["seed"]), case["shape"], case["dtype"], scale=1e3, away_from_zero=0.5)
    out = unpack(ctx.call("sigmoid_forward", x, opaque=(1,)), 2, "sigmoid_forward", "(out, cache)")[0]
    if ctx.last.warnings:
        raise CheckFailure(
            Message("sigmoid_forward warned: {warnings}", warnings="; ".join(ctx.last.warnings)), HINT_OVERFLOW
        )
    ctx.expect("sigmoid_forward", out, lambda impl: impl.run("sigmoid_forward", x)[0], name="out")


# ---- linear layer -----------------------------------------------------------------------------


# named as in linear_forward's docstring, so that a failing case reads "N=4, in=4, out=1"
linear_sizes = {"N": st.integers(1, 5), "in": st.integers(1, 5), "out": st.integers(1, 5)}


def _linear_make(case):
    rng = generator(case["seed"])
    return {
        "x": values(rng, (case["N"], case["in"]), case["dtype"]),
        "W": values(rng, (case["out"], case["in"]), case["dtype"]),
        "b": values(rng, (case["out"],), case["dtype"]),
    }, {}


forward_backward_checks(
    "linear_forward",
    "linear_backward",
    cases(**linear_sizes, dtype=float_dtypes, seed=seeds),
    _linear_make,
)

# ---- softmax and log_softmax ------------------------------------------------------------------

softmax_cases = cases(shape=shapes(max_dims=3), axis_pick=st.integers(0, 2), dtype=float_dtypes, seed=seeds)


def _softmax_make(scale):
    def make(case):
        shape = case["shape"]
        axis = -1 if case["axis_pick"] == 0 else case["axis_pick"] % len(shape)
        x = values(generator(case["seed"]), shape, case["dtype"], scale=scale)
        return (x,), {"axis": axis}

    return make


for task in ("softmax", "log_softmax"):
    pure_function_checks(task, softmax_cases, _softmax_make(5.0), defaults=("axis",))

    @check(task, "stable for logits up to ±1e4", softmax_cases)
    def softmax_stable(ctx, case, task=task):
        args, kwargs = _softmax_make(1e4)(case)
        got = ctx.call(task, *args, **kwargs)
        if ctx.last.warnings or (type(got) is np.ndarray and not np.all(np.isfinite(got))):
            raise CheckFailure(
                Message(
                    "{task} overflowed on logits of size 1e4: {value}",
                    task=task,
                    value="; ".join(ctx.last.warnings) or N_("non-finite values"),
                ),
                HINT_SHIFT,
            )
        ctx.expect(task, got, lambda impl: impl.run(task, *args, **kwargs), name="out")


# ---- losses ------------------------------------------------------------------------------------

loss_cases = cases(n=st.integers(1, 6), classes=st.integers(2, 5), dtype=float_dtypes, seed=seeds)


def _cross_entropy_make(scale):
    def make(case):
        rng = generator(case["seed"])
        logits = values(rng, (case["n"], case["classes"]), case["dtype"], scale=scale)
        return (logits, labels(rng, case["n"], case["classes"])), {}

    return make


def _mse_make(case):
    rng = generator(case["seed"])
    shape = (case["n"], case["classes"])
    return (values(rng, shape, case["dtype"]), values(rng, shape, case["dtype"])), {}


def _loss_gradcheck(task, make):
    @check(task, "gradient agrees with finite differences of your loss", loss_cases, pays_alone=False)
    def loss_gradcheck(ctx, case):
        (first, *rest), kwargs = make({**case, "dtype": "float64"})
        _, grad = unpack(ctx.call(task, first, *rest, **kwargs), 2, task, "(loss, grad)")

        def losses(points):
            for result in ctx.call_many([Call(task, (point["x"], *rest), kwargs) for point in points]):
                value = unpack(result, 2, task, "(loss, grad)")[0]
                yield float(value) if isinstance(value, (int, float, np.floating)) else float("nan")

        gradcheck(
            losses,
            {"x": first},
            {"x": grad},
            seed=case["seed"],
            output=Message("the gradient of your {task}", task=task),
        )


for task, make, names in (
    ("cross_entropy", _cross_entropy_make(3.0), ("loss", "dlogits")),
    ("mse", _mse_make, ("loss", "dpred")),
):
    pure_function_checks(task, loss_cases, make, outputs=2, names=names)
    _loss_gradcheck(task, make)


@check("cross_entropy", "stable for logits up to ±1e4", loss_cases)
def cross_entropy_stable(ctx, case):
    args, _ = _cross_entropy_make(1e4)(case)
    loss, dlogits = unpack(ctx.call("cross_entropy", *args), 2, "cross_entropy", "(loss, dlogits)")
    if ctx.last.warnings:
        raise CheckFailure(
            Message("cross_entropy warned on logits of size 1e4: {warnings}", warnings="; ".join(ctx.last.warnings)),
            HINT_SHIFT,
        )
    ctx.expect(
        "cross_entropy",
        loss,
        lambda impl: impl.run("cross_entropy", *args)[0],
        name="loss",
        precision=precision_of(*args),
    )
    ctx.expect("cross_entropy", dlogits, lambda impl: impl.run("cross_entropy", *args)[1], name="dlogits")
