"""Check patterns shared by every assignment: forward/backward pairs, purity, results' form.

A differentiable task gets three layers: forward vs the reference;
backward vs the reference backward for the same random upstream gradient; and a
finite-difference check of the student's backward against the student's own forward.
"""
from __future__ import annotations

import numpy as np

from autograder.grading.numeric import fmt, gradcheck, precision_of
from autograder.grading.registry import CheckFailure, check
from autograder.grading.strategies import generator, upstream
from autograder.runtime.plain import Foreign, same_plain

HINT_MUTATES = (
    "your function modifies its arguments in place (x += ..., x[...] = ..., "
    "an out= argument); functions must be pure: work on copies"
)
HINT_CACHE = "your backward changes its cache, so calling it twice gives different results; copy before modifying"


def unpack(value, count: int, task: str, what: str):
    """value as a tuple of count items, or a CheckFailure naming the expected form."""
    if isinstance(value, Foreign) or type(value) not in (tuple, list) or len(value) != count:
        raise CheckFailure(f"{task} must return {what}, got {fmt(value) if not isinstance(value, Foreign) else value.description}")
    return tuple(value)


def describe(value) -> str:
    """A returned value in a few words: an array's shape, otherwise its type."""
    if isinstance(value, Foreign):
        return value.description
    return f"shape {value.shape}" if type(value) is np.ndarray else f"type {type(value).__name__}"


def require_pure(ctx, task: str) -> None:
    """The last student call left its arguments unchanged."""
    if ctx.last.mutated:
        raise CheckFailure(f"{task} changed its {', '.join(ctx.last.mutated)} in place", HINT_MUTATES)


def forward_backward_checks(forward: str, backward: str, cases, make, *, outputs: int = 1,
                            gradcheck_dtype: str = "float64", returns: tuple[str, ...] | None = None,
                            graded_outputs: int | None = None):
    """Register the checks of a forward task and its backward.

    make(case) -> (inputs, kwargs): the differentiable inputs (name -> array, in the forward's
    argument order, which is also the order of the backward's gradients) and other keyword
    arguments. The forward returns `outputs` arrays, then the cache; or, given `returns` (the
    names of what it returns, in order, "cache" among them), those. The backward takes upstream
    gradients for the first `graded_outputs` outputs (all by default); the others (such as batch
    norm's running statistics) are compared with the reference but carry no gradient.
    """
    if returns is None:
        returns = (*(["out"] if outputs == 1 else [f"out[{i}]" for i in range(outputs)]), "cache")
    what = "(" + ", ".join(returns) + ")"
    cache_at = returns.index("cache")
    out_names = [name for name in returns if name != "cache"]

    def split(parts):
        return tuple(p for i, p in enumerate(parts) if i != cache_at), parts[cache_at]

    def student_forward(ctx, inputs, kwargs):
        result = ctx.call(forward, *inputs.values(), opaque=(cache_at,), **kwargs)
        return split(unpack(result, len(returns), forward, what))

    def reference_forward(impl, inputs, kwargs):
        return split(tuple(impl.run(forward, *inputs.values(), **kwargs)))

    def douts_for(case, outs):
        rng = generator(case["seed"] + 1)
        return [upstream(rng, np.shape(o), np.asarray(o).dtype) for o in outs[:graded_outputs]]

    @check(forward, "matches the reference", cases)
    def forward_matches(ctx, case):
        inputs, kwargs = make(case)
        outs, _ = student_forward(ctx, inputs, kwargs)
        for i, name in enumerate(out_names):
            ctx.expect(forward, outs[i], lambda impl, i=i: reference_forward(impl, inputs, kwargs)[0][i], name=name)

    @check(forward, "leaves its inputs unchanged", cases)
    def forward_pure(ctx, case):
        inputs, kwargs = make(case)
        student_forward(ctx, inputs, kwargs)
        require_pure(ctx, forward)

    def gradients(ctx, case):
        inputs, kwargs = make(case)
        outs, cache = student_forward(ctx, inputs, kwargs)
        douts = douts_for(case, reference_forward(ctx.reference, inputs, kwargs)[0])
        for name, out, dout in zip(out_names, outs, douts):  # the outputs that carry a gradient
            if type(out) is not np.ndarray or out.shape != dout.shape:
                raise CheckFailure(f"{forward} returned {name} of {describe(out)}, expected shape {dout.shape}; "
                                   f"{backward} gets an upstream gradient of that shape, so fix {forward} first")
        grads = ctx.call(backward, *douts, cache)
        if len(inputs) > 1:
            grads = unpack(grads, len(inputs), backward, "(" + ", ".join(f"d{n}" for n in inputs) + ")")
        else:
            grads = (grads,)
        return inputs, kwargs, douts, cache, grads

    @check(backward, "matches the reference backward for a random upstream gradient", cases)
    def backward_matches(ctx, case):
        inputs, kwargs, douts, _, grads = gradients(ctx, case)
        results = {}  # one forward and backward per implementation, whatever the number of gradients

        def expected(impl, i):
            if id(impl) not in results:
                _, cache = reference_forward(impl, inputs, kwargs)
                results[id(impl)] = impl.run(backward, *douts, cache)
            return results[id(impl)][i] if len(inputs) > 1 else results[id(impl)]

        for i, name in enumerate(inputs):
            ctx.expect(backward, grads[i], lambda impl, i=i: expected(impl, i), name=f"d{name}")

    @check(backward, "agrees with finite differences of your forward", cases)
    def backward_gradcheck(ctx, case):
        case = {**case, "dtype": gradcheck_dtype} if "dtype" in case else case
        inputs, kwargs, douts, _, grads = gradients(ctx, case)

        def loss(**point):
            outs, _ = student_forward(ctx, point, kwargs)
            total = 0.0
            for out, dout in zip(outs, douts):  # the outputs that carry a gradient
                if type(out) is not np.ndarray or out.shape != dout.shape:
                    raise CheckFailure(f"{forward} returned {fmt(out)} where an array of shape {dout.shape} was expected")
                total += float(np.sum(out.astype(np.float64) * dout))
            return total

        gradcheck(loss, inputs, dict(zip(inputs, grads)), seed=case["seed"], output=f"your {backward}")

    @check(backward, "leaves dout and its cache unchanged", cases)
    def backward_pure(ctx, case):
        inputs, kwargs, douts, cache, first = gradients(ctx, case)
        require_pure(ctx, backward)
        again = ctx.call(backward, *douts, cache)
        again = tuple(again) if len(inputs) > 1 and type(again) in (tuple, list) else (again,)
        if not same_plain(tuple(first), again):
            raise CheckFailure(f"{backward} gave a different result when called again with the same dout and cache",
                               HINT_CACHE)


def _items(args):
    """The arguments with the items of list and tuple arguments spread out (for precision_of)."""
    return [item for arg in args for item in (arg if type(arg) in (list, tuple) else (arg,))]


def pure_function_checks(task: str, cases, make, *, outputs: int = 1, names=("out",)):
    """Checks of a function without a cache: outputs vs the reference, and purity.

    make(case) -> (args, kwargs)."""

    def unpacked(value):
        return unpack(value, outputs, task, "(" + ", ".join(names) + ")") if outputs > 1 else (value,)

    @check(task, "matches the reference", cases)
    def matches(ctx, case):
        args, kwargs = make(case)
        got = unpacked(ctx.call(task, *args, **kwargs))
        for i, name in enumerate(names):
            ctx.expect(task, got[i], lambda impl, i=i: unpacked(impl.run(task, *args, **kwargs))[i], name=name,
                       precision=precision_of(*_items(args)))

    @check(task, "leaves its inputs unchanged", cases)
    def pure(ctx, case):
        args, kwargs = make(case)
        ctx.call(task, *args, **kwargs)
        require_pure(ctx, task)

    return unpacked
