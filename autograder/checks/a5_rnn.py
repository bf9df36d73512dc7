"""Checks of a5_rnn: RNN, LSTM and GRU cells, whole sequences through time, gradient clipping.

Every cell and sequence function gets the three layers of common.forward_backward_checks:
forward vs the reference, backward vs the reference for a random upstream gradient, and
finite differences of the student's own forward (through time for sequences) for every input,
initial state and weight. On top of these, each sequence function is compared with the
student's own cell stepped T times (forward) and chained back through time (backward), so a
disagreement says which half is wrong; clip_grad_norm is checked against the reference and by
its properties.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from autograder.checks.common import forward_backward_checks, pure_function_checks, unpack
from autograder.grading.failure import CheckFailure
from autograder.grading.numeric import assert_close, fmt, relative_error, tolerance, validate_array, validate_scalar
from autograder.grading.registry import check
from autograder.grading.strategies import (
    cases,
    float_dtypes,
    generator,
    recurrent_parameters,
    seeds,
    shapes,
    upstream,
    values,
)
from autograder.runtime.language import Message, _
from autograder.runtime.plain import Foreign

WEIGHTS = ("W_ih", "W_hh", "b_ih", "b_hh")
STATE_SCALES = {"h": 0.9, "c": 1.5}  # h lives in (-1, 1) as a tanh output; c is unbounded


@dataclass(frozen=True)
class Family:
    """One kind of recurrent cell: its name, number of gate blocks and states."""

    name: str
    gates: int
    states: tuple[str, ...]

    def task(self, part: str) -> str:
        """The spec function of this family: part is cell_forward, cell_backward, forward or backward."""
        return f"{self.name}_{part}"


FAMILIES = (Family("rnn", 1, ("h",)), Family("lstm", 4, ("h", "c")), Family("gru", 3, ("h",)))

# N = 1, D != H, H = 1 and T = 1 are all small enough to come up in the quick profile's draws
# (tests/test_a5_rnn.py checks that they do)
size_fields = dict(n=st.integers(1, 3), d=st.integers(1, 4), hidden=st.integers(1, 4))
cell_cases = cases(**size_fields, dtype=float_dtypes, seed=seeds)
sequence_cases = cases(t=st.integers(1, 8), **size_fields, dtype=float_dtypes, seed=seeds)


def _make(family: Family, sequence: bool):
    """make(case) -> (inputs, {}): x, the (initial) states and the weights, in argument order."""

    def make(case):
        rng = generator(case["seed"])
        n, hidden, dtype = case["n"], case["hidden"], case["dtype"]
        inputs = {"x": values(rng, (case["t"], n, case["d"]) if sequence else (n, case["d"]), dtype)}
        for state in family.states:
            inputs[f"{state}0" if sequence else state] = values(rng, (n, hidden), dtype, scale=STATE_SCALES[state])
        inputs.update(recurrent_parameters(rng, family.gates, case["d"], hidden, dtype))
        return inputs, {}

    return make


def _differs(got: np.ndarray, expected: np.ndarray) -> str | None:
    """None when got (already validated) is within expected's tolerance, else the numbers."""
    try:
        assert_close(got, expected, name="")
    except CheckFailure:
        worst = np.unravel_index(np.argmax(np.abs(got.astype(np.float64) - expected)), expected.shape)
        return _("relative error {error}; worst entry {index}: {got} vs {expected}").format(
            error=f"{relative_error(got, expected):.3g}",
            index=list(map(int, worst)),
            got=fmt(got[worst]),
            expected=fmt(expected[worst]),
        )
    return None


def _which_half(sequence_right: bool, cell_right: bool, sequence_task: str, cell_task: str) -> str:
    if cell_right and not sequence_right:
        told = _("Your {cell} agrees with the reference here, so the bug is in {sequence}.")
    elif sequence_right and not cell_right:
        told = _("Your {sequence} agrees with the reference here, so the bug is in {cell} (its own checks show where).")
    else:
        told = _("Neither agrees with the reference here: get {cell} right first, then {sequence}.")
    return told.format(cell=cell_task, sequence=sequence_task)


def _step_cells(ctx, family: Family, inputs: dict):
    """Your cell stepped through the sequence from the initial states: hs (T, N, H) and the
    caches of every step (kept behind handles)."""
    x = inputs["x"]
    task = family.task("cell_forward")
    states = [inputs[f"{state}0"] for state in family.states]
    weights = [inputs[name] for name in WEIGHTS]
    what = "(" + ", ".join([f"{state}_new" for state in family.states] + ["cache"]) + ")"
    steps = []  # (hidden state, cache handle) of each step
    for t in range(len(x)):
        *states, cache = unpack(
            ctx.call(task, x[t], *states, *weights, opaque=(len(states),)), len(states) + 1, task, what
        )
        for state, value in zip(family.states, states):
            validate_array(
                value,
                name=Message("{state}_new of your {task} at step {t}", state=state, task=task, t=t),
                dtype=x.dtype,
                shape=inputs["h0"].shape,
            )
        steps.append((states[0], cache))
    return np.stack([h for h, _ in steps]), [cache for _, cache in steps]


def _chain_cells(ctx, family: Family, inputs: dict, dhs: np.ndarray, caches: list) -> list:
    """Backprop through time done by the grader with your cell backward: dx, the initial
    states' gradients, then the weight gradients summed over the steps."""
    x = inputs["x"]
    task = family.task("cell_backward")
    names = ["dx", *(f"d{state}" for state in family.states), *(f"d{name}" for name in WEIGHTS)]
    expected_shapes = [x.shape[1:], *(inputs["h0"].shape for _ in family.states), *(inputs[w].shape for w in WEIGHTS)]
    what = "(" + ", ".join(names) + ")"
    dstates = [np.zeros_like(inputs["h0"]) for _ in family.states]
    dxs: list[np.ndarray] = [np.empty(0)] * len(x)  # filled from the last step back
    totals: list[np.ndarray] = []  # the weight gradients summed over the steps so far
    for t in reversed(range(len(x))):
        parts = unpack(ctx.call(task, dhs[t] + dstates[0], *dstates[1:], caches[t]), len(names), task, what)
        for name, part, shape in zip(names, parts, expected_shapes):
            validate_array(
                part,
                name=Message("{name} of your {task} at step {t}", name=name, task=task, t=t),
                dtype=x.dtype,
                shape=shape,
            )
        dxs[t], dstates, weight_grads = (
            parts[0],
            list(parts[1 : 1 + len(family.states)]),
            parts[1 + len(family.states) :],
        )
        totals = [total + grad for total, grad in zip(totals, weight_grads)] if totals else list(weight_grads)
    return [np.stack(dxs), *dstates, *totals]


def _stepping_checks(family: Family):
    """The sequence functions against the student's own cell, stepped and chained through time."""
    make = _make(family, sequence=True)
    forward, backward = family.task("forward"), family.task("backward")
    cell_forward, cell_backward = family.task("cell_forward"), family.task("cell_backward")

    @check(
        forward,
        Message("agrees with stepping your {cell_forward} T times", cell_forward=cell_forward),
        sequence_cases,
        pays_alone=False,
    )
    def forward_agrees(ctx, case):
        inputs, __ = make(case)
        hs, __ = unpack(ctx.call(forward, *inputs.values(), opaque=(1,)), 2, forward, "(hs, cache)")
        validate_array(
            hs,
            name=Message("hs of your {forward}", forward=forward),
            dtype=inputs["x"].dtype,
            shape=(case["t"], case["n"], case["hidden"]),
        )
        stepped, __ = _step_cells(ctx, family, inputs)
        for t in range(len(hs)):
            problem = _differs(hs[t], stepped[t])
            if problem:
                expected = ctx.reference.run(forward, *inputs.values())[0]
                told = _(
                    "hs[{t}] of your {forward} differs from the hidden state after {steps} step(s) of your "
                    "{cell_forward} from the same initial state ({problem}). "
                )
                raise CheckFailure(
                    told.format(t=t, forward=forward, steps=t + 1, cell_forward=cell_forward, problem=problem)
                    + _which_half(
                        _differs(hs, expected) is None, _differs(stepped, expected) is None, forward, cell_forward
                    )
                )

    @check(
        backward,
        Message("agrees with chaining your {cell_backward} back through time", cell_backward=cell_backward),
        sequence_cases,
        pays_alone=False,
    )
    def backward_agrees(ctx, case):
        inputs, __ = make(case)
        names = [f"d{name}" for name in inputs]
        __, cache = unpack(ctx.call(forward, *inputs.values(), opaque=(1,)), 2, forward, "(hs, cache)")
        dhs = upstream(generator(case["seed"] + 1), (case["t"], case["n"], case["hidden"]), case["dtype"])
        grads = unpack(ctx.call(backward, dhs, cache), len(names), backward, "(" + ", ".join(names) + ")")
        for name, grad, value in zip(names, grads, inputs.values()):
            validate_array(
                grad,
                name=Message("{name} of your {backward}", name=name, backward=backward),
                dtype=value.dtype,
                shape=value.shape,
            )
        stepped, caches = _step_cells(ctx, family, inputs)
        chained = _chain_cells(ctx, family, inputs, dhs, caches)
        for index, name in enumerate(names):
            problem = _differs(grads[index], chained[index])
            if problem:
                hs, cache = ctx.reference.run(forward, *inputs.values())
                expected = ctx.reference.run(backward, dhs, cache)[index]
                # the chain runs on your cell's forward caches: when those are wrong, so is the chain
                cell = cell_backward if _differs(stepped, hs) is None else cell_forward
                told = _(
                    "{name} of your {backward} differs from chaining your {cell_backward} back through the "
                    "{steps} step(s) of your {cell_forward} ({problem}). "
                )
                raise CheckFailure(
                    told.format(
                        name=name,
                        backward=backward,
                        cell_backward=cell_backward,
                        steps=case["t"],
                        cell_forward=cell_forward,
                        problem=problem,
                    )
                    + _which_half(
                        _differs(grads[index], expected) is None,
                        _differs(chained[index], expected) is None,
                        backward,
                        cell,
                    )
                )


for _family in FAMILIES:
    forward_backward_checks(
        _family.task("cell_forward"),
        _family.task("cell_backward"),
        cell_cases,
        _make(_family, sequence=False),
        returns=(*[f"{state}_new" for state in _family.states], "cache"),
    )
    forward_backward_checks(
        _family.task("forward"),
        _family.task("backward"),
        sequence_cases,
        _make(_family, sequence=True),
        returns=("hs", "cache"),
    )
    _stepping_checks(_family)

# ---- clip_grad_norm ------------------------------------------------------------------------------

RATIOS_BELOW = (0.05, 0.3, 0.8)  # max_norm as a fraction of the gradients' global norm: clipping
RATIOS_ABOVE = (1.5, 4.0, 100.0)  # and multiples of it: no clipping


def _clip_cases(ratios, min_size):
    return cases(
        shapes=st.lists(shapes(max_dims=2, max_side=4), min_size=min_size, max_size=4),
        container=st.sampled_from(["list", "tuple"]),
        ratio=st.sampled_from(ratios),
        dtype=float_dtypes,
        seed=seeds,
    )


def _global_norm(arrays) -> float:
    return float(np.sqrt(sum(np.sum(np.square(a, dtype=np.float64)) for a in arrays)))


def _clip_args(case):
    """((grads, max_norm), {}): grads in the case's container, max_norm = ratio * their norm."""
    rng = generator(case["seed"])
    grads = [values(rng, shape, case["dtype"], scale=2.0) for shape in case["shapes"]]
    norm = _global_norm(grads)
    container = {"list": list, "tuple": tuple}[case["container"]]
    return (container(grads), case["ratio"] * norm if norm > 0 else case["ratio"]), {}


def _student_clip(ctx, grads, max_norm):
    """Your (clipped, total_norm), checked for form: the container given, arrays like grads."""
    clipped, total_norm = unpack(
        ctx.call("clip_grad_norm", grads, max_norm), 2, "clip_grad_norm", "(clipped, total_norm)"
    )
    if isinstance(clipped, Foreign) or type(clipped) is not type(grads):
        got = clipped.description if isinstance(clipped, Foreign) else type(clipped).__name__
        raise CheckFailure(
            Message(
                "clipped must be a {name}, the container type of the grads given; got {got}",
                name=type(grads).__name__,
                got=got,
            )
        )
    if len(clipped) != len(grads):
        raise CheckFailure(
            Message("clipped has {count} arrays for {count2} gradients", count=len(clipped), count2=len(grads))
        )
    for k, (mine, grad) in enumerate(zip(clipped, grads)):
        validate_array(mine, name=Message("clipped[{k}]", k=k), dtype=grad.dtype, shape=grad.shape)
    return clipped, validate_scalar(total_norm, name="total_norm")


pure_function_checks(
    "clip_grad_norm",
    _clip_cases(RATIOS_BELOW + RATIOS_ABOVE, 0),
    _clip_args,
    outputs=2,
    names=("clipped", "total_norm"),
)


@check(
    "clip_grad_norm",
    "scales every gradient by one common factor in (0, 1]",
    _clip_cases(RATIOS_BELOW + RATIOS_ABOVE, 1),
    pays_alone=False,
)
def clip_keeps_direction(ctx, case):
    (grads, max_norm), __ = _clip_args(case)
    clipped, __ = _student_clip(ctx, grads, max_norm)
    wide = [g.astype(np.float64) for g in grads]
    factors = [float(np.vdot(c, g) / np.vdot(g, g)) for c, g in zip(clipped, wide)]
    common = sum(float(np.vdot(c, g)) for c, g in zip(clipped, wide)) / _global_norm(grads) ** 2
    if not 0 < common <= 1 + tolerance(grads[0].dtype)[0]:
        raise CheckFailure(
            Message(
                "the gradients are scaled by {common:.6g} overall: clipping multiplies them by "
                "min(1, max_norm / (total_norm + 1e-6)), a factor in (0, 1]",
                common=common,
            )
        )
    for k, grad in enumerate(grads):
        if _differs(clipped[k], (common * wide[k]).astype(grad.dtype)):
            problem = _differs(clipped[k], (factors[k] * wide[k]).astype(grad.dtype))
            what = (
                _("is not a multiple of grads[{k}] ({problem})").format(k=k, problem=problem)
                if problem
                else _("is grads[{k}] times {factor:.6g}").format(k=k, factor=factors[k])
            )
            raise CheckFailure(
                Message(
                    "clipped[{k}] {what}, while all the gradients together are scaled by "
                    "{common:.6g}: every gradient must be multiplied by the same factor, so that the "
                    "direction of the whole gradient is kept",
                    k=k,
                    what=what,
                    common=common,
                )
            )


@check(
    "clip_grad_norm",
    "returns the global L2 norm, and clips it down to max_norm",
    _clip_cases(RATIOS_BELOW, 1),
    pays_alone=False,
)
def clip_caps_the_norm(ctx, case):
    (grads, max_norm), _ = _clip_args(case)
    clipped, total_norm = _student_clip(ctx, grads, max_norm)
    norm, rtol = _global_norm(grads), tolerance(grads[0].dtype)[0]
    if abs(total_norm - norm) > rtol * norm:
        raise CheckFailure(
            Message(
                "total_norm is {total_norm:.8g}, but the global L2 norm of the gradients (the "
                "square root of the sum of every squared entry of every array) is {norm:.8g}",
                total_norm=total_norm,
                norm=norm,
            )
        )
    after = _global_norm(clipped)
    # torch divides by total_norm + 1e-6, which leaves the clipped norm that much below max_norm
    if abs(after - max_norm) > max_norm * (rtol + 2e-6 / norm):
        raise CheckFailure(
            Message(
                "the gradients' global norm {norm:.6g} is above max_norm = {max_norm:.6g}, but "
                "after clipping it is {after:.6g} instead of max_norm",
                norm=norm,
                max_norm=max_norm,
                after=after,
            )
        )


@check(
    "clip_grad_norm",
    "leaves gradients unchanged when their norm is below max_norm",
    _clip_cases(RATIOS_ABOVE, 1),
    pays_alone=False,
)
def clip_leaves_small_gradients(ctx, case):
    (grads, max_norm), _ = _clip_args(case)
    clipped, _ = _student_clip(ctx, grads, max_norm)
    for k, grad in enumerate(grads):
        problem = _differs(clipped[k], grad)
        if problem:
            raise CheckFailure(
                Message(
                    "clipped[{k}] differs from grads[{k}] ({problem}) although the global norm "
                    "{grads:.6g} is below max_norm = {max_norm:.6g}: there the factor min(1, "
                    "max_norm / (total_norm + 1e-6)) is 1",
                    k=k,
                    problem=problem,
                    grads=_global_norm(grads),
                    max_norm=max_norm,
                )
            )
