"""Checks of a4_cnn: conv2d, max and average pooling, forward and backward.

Geometry (shapes, stride, padding, kernel size) comes from the shared strategies, which draw
every valid combination; values come from the case's seed. Pooling inputs are tie-free grids,
so every window has one maximum, far (in finite-difference steps) from its runner-up.
Besides the three layers of every differentiable task (common.forward_backward_checks), the
checks test the output-size formula, linearity and translation equivariance of the convolution,
and where pooling sends each window's gradient.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from autograder.checks.common import describe, forward_backward_checks, unpack
from autograder.grading.failure import CheckFailure, hint_on_failure
from autograder.grading.numeric import relative_error, tolerance, validate_array, within_tolerance, worst_entry
from autograder.grading.registry import check
from autograder.grading.strategies import (
    as_pair,
    cases,
    conv_geometry,
    distinct_values,
    filter_shape,
    float_dtypes,
    generator,
    image_shape,
    pool_geometry,
    seeds,
    upstream,
    values,
)
from autograder.runtime.language import N_, Message, _, translate

POOLS = ("maxpool2d", "avgpool2d")

# ---- shared helpers -------------------------------------------------------------------------


def _forward(ctx, task, args, kwargs):
    """The student's (out, cache handle) for task(*args, **kwargs)."""
    return unpack(ctx.call(task, *args, opaque=(1,), **kwargs), 2, task, "(out, cache)")


def _require_shape(ctx, task, out, expected_shape, formula, compute):
    """out is an ndarray of expected_shape; otherwise say how the shape follows from the formula
    (and name a known mistake that gives the same wrong output)."""
    ctx.expect_shape(
        task,
        out,
        expected_shape,
        Message(
            "{task} returned out of {out}, expected shape {expected_shape}: {formula}",
            task=task,
            out=describe(out),
            expected_shape=expected_shape,
            formula=formula,
        ),
        compute,
    )


def _require_equal(got, expected, what, dtype):
    """got matches expected (both computed from the student's own outputs) within dtype's tolerances."""
    rtol, atol = tolerance(dtype)
    if not within_tolerance(got, expected, rtol, atol):
        raise CheckFailure(
            _("{what}: relative error {error} (tolerance {rtol}); {worst}").format(
                what=translate(what),
                error=f"{relative_error(got, expected):.3g}",
                rtol=f"{rtol:.0e}",
                worst=worst_entry(np.asarray(got), np.asarray(expected)),
            )
        )


def _output_side(size, kernel, stride, padding=0):
    return (size + 2 * padding - kernel) // stride + 1


# ---- conv2d ---------------------------------------------------------------------------------

conv_cases = cases(geometry=conv_geometry(), dtype=float_dtypes, seed=seeds)


def _conv_make(case):
    geometry, rng = case["geometry"], generator(case["seed"])
    inputs = {
        name: values(rng, shape, case["dtype"])
        for name, shape in (("x", image_shape(geometry)), ("w", filter_shape(geometry)), ("b", (geometry["F"],)))
    }
    return inputs, {"stride": geometry["stride"], "padding": geometry["padding"]}


def _conv_shape(case):
    """conv2d_forward's output shape by the spec's formula."""
    geometry = case["geometry"]
    (n, _, h, wd), (f, _, kh, kw) = image_shape(geometry), filter_shape(geometry)
    (sh, sw), (ph, pw) = as_pair(geometry["stride"]), as_pair(geometry["padding"])
    return ((n, f, _output_side(h, kh, sh, ph), _output_side(wd, kw, sw, pw)),)


forward_backward_checks(
    "conv2d_forward",
    "conv2d_backward",
    conv_cases,
    _conv_make,
    defaults=("stride", "padding"),
    default_cases=cases(geometry=conv_geometry(max_stride=1, max_padding=0), dtype=float_dtypes, seed=seeds),
    shapes=_conv_shape,
)


def _conv_out(ctx, x, w, b, kwargs):
    """The student's conv2d output, required to have the spec's shape."""
    out, __ = _forward(ctx, "conv2d_forward", (x, w, b), kwargs)
    (n, __, h, wd), (f, __, kh, kw) = x.shape, w.shape
    (sh, sw), (ph, pw) = as_pair(kwargs["stride"]), as_pair(kwargs["padding"])
    oh, ow = _output_side(h, kh, sh, ph), _output_side(wd, kw, sw, pw)
    formula = _("for x {x}, w {w}, stride {stride!r} and padding {padding!r}, {oh_formula} and {ow_formula}").format(
        x=x.shape,
        w=w.shape,
        stride=kwargs["stride"],
        padding=kwargs["padding"],
        oh_formula=f"OH = floor((H + 2*ph - KH)/sh) + 1 = floor(({h} + 2*{ph} - {kh})/{sh}) + 1 = {oh}",
        ow_formula=f"OW = floor((W + 2*pw - KW)/sw) + 1 = floor(({wd} + 2*{pw} - {kw})/{sw}) + 1 = {ow}",
    )
    _require_shape(
        ctx,
        "conv2d_forward",
        out,
        (n, f, oh, ow),
        formula,
        lambda impl: impl.run("conv2d_forward", x, w, b, **kwargs)[0],
    )
    return out


@check(
    "conv2d_forward",
    "output has shape (N, F, floor((H + 2ph - KH)/sh) + 1, floor((W + 2pw - KW)/sw) + 1)",
    conv_cases,
    pays_alone=False,
)
def conv_output_shape(ctx, case):
    inputs, kwargs = _conv_make(case)
    _conv_out(ctx, *inputs.values(), kwargs)


@check("conv2d_forward", "is linear in x and in w", conv_cases, pays_alone=False)
def conv_linear(ctx, case):
    inputs, kwargs = _conv_make(case)
    x1, w1, b = inputs.values()
    rng = generator(case["seed"] + 2)
    x2, w2 = values(rng, x1.shape, x1.dtype), values(rng, w1.shape, w1.dtype)
    a, c = (rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 2.0) for _ in range(2))
    zero = np.zeros_like(b)  # linear, not affine: no bias

    def conv(x, w):
        return _conv_out(ctx, x, w, zero, kwargs).astype(np.float64)

    base = conv(x1, w1)
    _require_equal(
        conv((a * x1 + c * x2).astype(x1.dtype), w1),
        a * base + c * conv(x2, w1),
        Message(
            "conv(a*x1 + c*x2, w) differs from a*conv(x1, w) + c*conv(x2, w) (a = {a:.3g}, c "
            "= {c:.3g}, zero bias), so your convolution is not linear in x",
            a=a,
            c=c,
        ),
        x1.dtype,
    )
    _require_equal(
        conv(x1, (a * w1 + c * w2).astype(w1.dtype)),
        a * base + c * conv(x1, w2),
        Message(
            "conv(x, a*w1 + c*w2) differs from a*conv(x, w1) + c*conv(x, w2) (a = {a:.3g}, c "
            "= {c:.3g}, zero bias), so your convolution is not linear in w",
            a=a,
            c=c,
        ),
        x1.dtype,
    )


shift_cases = cases(
    geometry=conv_geometry(max_stride=1, min_out=3),
    shift=st.sampled_from([(0, 1), (1, 0), (1, 1), (2, 1), (1, 2), (2, 2)]),
    dtype=float_dtypes,
    seed=seeds,
)


@check("conv2d_forward", "is translation equivariant for stride 1", shift_cases, pays_alone=False)
def conv_translation_equivariant(ctx, case):
    inputs, kwargs = _conv_make(case)
    x, w, b = inputs.values()
    dy, dx = case["shift"]
    x = x.copy()
    x[:, :, x.shape[2] - dy :, :] = 0  # a zero margin, so shifting down/right loses no content
    x[:, :, :, x.shape[3] - dx :] = 0
    shifted = np.roll(x, (dy, dx), axis=(2, 3))
    out, out_shifted = _conv_out(ctx, x, w, b, kwargs), _conv_out(ctx, shifted, w, b, kwargs)
    oh, ow = out.shape[2:]
    _require_equal(
        out_shifted[:, :, dy:, dx:],
        out[:, :, : oh - dy, : ow - dx],
        Message(
            "shifting the input {dy} rows down and {dx} columns right must shift the output "
            "by as much (stride 1): your out for the shifted input, from row {dy} and column "
            "{dx} on, differs from your out for the original input",
            dy=dy,
            dx=dx,
        ),
        x.dtype,
    )


# ---- pooling --------------------------------------------------------------------------------

pool_cases = cases(geometry=pool_geometry(), dtype=float_dtypes, seed=seeds)


def _pool_make(case):
    """A tie-free input, kernel_size, and stride only when not the default (so the default is used)."""
    geometry = case["geometry"]
    x = distinct_values(generator(case["seed"]), image_shape(geometry), case["dtype"])
    kwargs = {"kernel_size": geometry["kernel_size"]}
    if geometry["stride"] is not None:
        kwargs["stride"] = geometry["stride"]
    return {"x": x}, kwargs


def _pool_geometry(case):
    geometry = case["geometry"]
    kernel = as_pair(geometry["kernel_size"])
    stride = as_pair(geometry["stride"]) if geometry["stride"] is not None else kernel
    return kernel, stride


def _pool_out(ctx, pool, case):
    """x, the student's out (required to have the spec's shape) and cache of pool on the case."""
    inputs, kwargs = _pool_make(case)
    x = inputs["x"]
    out, cache = _forward(ctx, f"{pool}_forward", (x,), kwargs)
    (kh, kw), (sh, sw) = _pool_geometry(case)
    h, w = x.shape[2:]
    oh, ow = _output_side(h, kh, sh), _output_side(w, kw, sw)
    stride = repr(kwargs["stride"]) if "stride" in kwargs else _("None (the kernel size)")
    formula = _("for x {x}, kernel_size {kernel_size!r} and stride {stride}, {oh_formula} and {ow_formula}").format(
        x=x.shape,
        kernel_size=kwargs["kernel_size"],
        stride=stride,
        oh_formula=f"OH = floor((H - KH)/sh) + 1 = floor(({h} - {kh})/{sh}) + 1 = {oh}",
        ow_formula=f"OW = floor((W - KW)/sw) + 1 = floor(({w} - {kw})/{sw}) + 1 = {ow}",
    )
    _require_shape(
        ctx,
        f"{pool}_forward",
        out,
        (*x.shape[:2], oh, ow),
        formula,
        lambda impl: impl.run(f"{pool}_forward", x, **kwargs)[0],
    )
    return x, out, cache


def _window_gradient(pool, x, window, g, kernel, stride):
    """dx for dout zero except dout[window] = g, from the definition (float64), and in words."""
    kh, kw = kernel
    sh, sw = stride
    n, c, i, j = window
    expected = np.zeros(x.shape)
    rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
    if pool == "avgpool2d":
        expected[n, c, rows, cols] = g / (kh * kw)
        return expected, Message("g / (KH*KW) on every entry of the window and 0 elsewhere")
    u, v = np.unravel_index(np.argmax(x[n, c, rows, cols]), (kh, kw))
    peak = (n, c, i * sh + u, j * sw + v)
    expected[peak] = g
    return expected, Message(
        "all of g at the window's maximum x[{index}] and 0 elsewhere", index=", ".join(map(str, peak))
    )


def _recognised(ctx, backward, got, compute):
    """A function naming the known mistake whose backward gives got as dx (compute(impl) is
    impl's dx for the same input and dout, through impl's own forward); for hint_on_failure."""
    return ctx.hint_for(backward, got, compute, name="dx")


WINDOWS_PER_CASE = 3
WINDOW_RULES = {
    "maxpool2d": N_("sends each window's gradient to that window's maximum only"),
    "avgpool2d": N_("spreads each window's gradient evenly over the window"),
}


def _pool_property_checks(pool):
    forward, backward = f"{pool}_forward", f"{pool}_backward"

    def reference_dx(case, dout):
        inputs, kwargs = _pool_make(case)
        return lambda impl: impl.run(backward, dout, impl.run(forward, inputs["x"], **kwargs)[1])

    @check(
        forward, "output has shape (N, C, floor((H - KH)/sh) + 1, floor((W - KW)/sw) + 1)", pool_cases, pays_alone=False
    )
    def pool_output_shape(ctx, case):
        _pool_out(ctx, pool, case)

    @check(backward, WINDOW_RULES[pool], pool_cases, pays_alone=False)
    def one_window_at_a_time(ctx, case):
        x, out, cache = _pool_out(ctx, pool, case)
        kernel, stride = _pool_geometry(case)
        rng = generator(case["seed"] + 3)
        picks = rng.choice(out.size, size=min(WINDOWS_PER_CASE, out.size), replace=False)
        for window in (np.unravel_index(k, out.shape) for k in picks):
            g = x.dtype.type(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 2.0))
            dout = np.zeros(out.shape, x.dtype)
            dout[window] = g
            dx = ctx.call(backward, dout, cache)
            expected, rule = _window_gradient(pool, x, window, float(g), kernel, stride)

            with hint_on_failure(_recognised(ctx, backward, dx, reference_dx(case, dout))):
                validate_array(dx, name="dx", dtype=x.dtype, shape=x.shape)
                _require_equal(
                    dx,
                    expected,
                    Message(
                        "with dout zero except dout[{value}] = g = {g:.4g}, dx must be {rule}; your dx differs",
                        value=", ".join(map(str, window)),
                        g=float(g),
                        rule=rule,
                    ),
                    x.dtype,
                )

    @check(
        backward,
        "passes on all of dout: sum(dx) = sum(dout), overlapping windows accumulate",
        pool_cases,
        pays_alone=False,
    )
    def gradient_conserved(ctx, case):
        x, out, cache = _pool_out(ctx, pool, case)
        dout = upstream(generator(case["seed"] + 4), out.shape, x.dtype)
        dx = ctx.call(backward, dout, cache)

        with hint_on_failure(_recognised(ctx, backward, dx, reference_dx(case, dout))):
            validate_array(dx, name="dx", dtype=x.dtype, shape=x.shape)
            rtol, atol = tolerance(x.dtype)
            total, expected = float(np.sum(dx, dtype=np.float64)), float(np.sum(dout, dtype=np.float64))
            if abs(total - expected) > rtol * float(np.sum(np.abs(dout), dtype=np.float64)) + atol * np.sqrt(dout.size):
                told = (
                    _(
                        "the entries of your dx add up to {total}, but every window's gradient must reach x in "
                        "full: sum(dout) = {expected} (windows overlap here: a pixel shared by several windows "
                        "collects the gradients of all of them)"
                    )
                    if _overlapping(case)
                    else _(
                        "the entries of your dx add up to {total}, but every window's gradient must reach x in "
                        "full: sum(dout) = {expected}"
                    )
                )
                raise CheckFailure(told.format(total=f"{total:.8g}", expected=f"{expected:.8g}"))


def _overlapping(case):
    (kh, kw), (sh, sw) = _pool_geometry(case)
    return sh < kh or sw < kw


for _pool in POOLS:
    forward_backward_checks(f"{_pool}_forward", f"{_pool}_backward", pool_cases, _pool_make)
    _pool_property_checks(_pool)
