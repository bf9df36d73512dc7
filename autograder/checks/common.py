"""Check patterns shared by every assignment: forward/backward pairs, purity, results' form.

A differentiable task gets three layers: forward vs the reference;
backward vs the reference backward for the same random upstream gradient; and a
finite-difference check of the student's backward against the student's own forward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from autograder.execution.submission import Call
from autograder.grading.context import Context
from autograder.grading.failure import CheckFailure
from autograder.grading.numeric import fmt, gradcheck, precision_of
from autograder.grading.registry import Case, check
from autograder.grading.strategies import generator, upstream
from autograder.runtime.language import N_, Message, _
from autograder.runtime.plain import Foreign, same_plain

HINT_MUTATES = N_(
    "your function modifies its arguments in place (x += ..., x[...] = ..., "
    "an out= argument); functions must be pure: work on copies"
)
HINT_CACHE = N_("your backward changes its cache, so calling it twice gives different results; copy before modifying")


def unpack(value, count: int, task: str, what: str):
    """value as a tuple of count items, or a CheckFailure naming the expected form."""
    if isinstance(value, Foreign) or type(value) not in (tuple, list) or len(value) != count:
        raise CheckFailure(
            Message(
                "{task} must return {what}, got {value}",
                task=task,
                what=what,
                value=fmt(value) if not isinstance(value, Foreign) else value.description,
            )
        )
    return tuple(value)


def describe(value) -> str:
    """A returned value in a few words: an array's shape, otherwise its type."""
    if isinstance(value, Foreign):
        return value.description
    if type(value) is np.ndarray:
        return _("shape {shape}").format(shape=value.shape)
    return _("type {type}").format(type=type(value).__name__)


def require_pure(ctx, task: str) -> None:
    """The last student call left its arguments unchanged."""
    if ctx.last.mutated:
        raise CheckFailure(
            Message("{task} changed its {mutated} in place", task=task, mutated=", ".join(ctx.last.mutated)),
            HINT_MUTATES,
        )


@dataclass(frozen=True)
class ForwardBackward:
    """A forward task and its backward, and the steps their checks share.

    make(case) -> (inputs, kwargs): the differentiable inputs (name -> array, in the forward's
    argument order, which is also the order of the backward's gradients) and other keyword
    arguments. The forward returns `returns` (names in order, "cache" among them). The backward
    takes upstream gradients for the first `graded_outputs` outputs (all when None); the others
    (such as batch norm's running statistics) are compared with the reference but carry no
    gradient. shapes(case), when given, is the outputs' shapes by the task's formula: an output of
    another shape fails its comparison without a question to the reference, so that the student
    bundle, whose reference answers only the recorded cases, shrinks it as far as the full course.
    """

    forward: str
    backward: str
    make: Callable[[Case], tuple[dict[str, np.ndarray], dict]]
    returns: tuple[str, ...]
    graded_outputs: int | None = None
    shapes: Callable[[Case], tuple[tuple[int, ...], ...]] | None = None

    @property
    def out_names(self) -> list[str]:
        return [name for name in self.returns if name != "cache"]

    def _split(self, parts):
        """(outputs, cache) of what the forward returned."""
        cache_at = self.returns.index("cache")
        return tuple(p for i, p in enumerate(parts) if i != cache_at), parts[cache_at]

    def forward_call(self, inputs, kwargs) -> Call:
        """The call of the student's forward, its cache kept behind a handle."""
        return Call(self.forward, tuple(inputs.values()), kwargs, (self.returns.index("cache"),))

    def student_forward(self, ctx: Context, inputs, kwargs):
        """The student's (outputs, cache handle)."""
        return self._student_outputs(next(ctx.call_many([self.forward_call(inputs, kwargs)])))

    def _student_outputs(self, result):
        return self._split(unpack(result, len(self.returns), self.forward, "(" + ", ".join(self.returns) + ")"))

    def trusted_forward(self, impl, inputs, kwargs):
        """(outputs, cache) of a trusted implementation (the reference or a mistake)."""
        return self._split(tuple(impl.run(self.forward, *inputs.values(), **kwargs)))

    def upstream_gradients(self, case: Case, outs) -> list[np.ndarray]:
        """Random upstream gradients for the outputs that carry one, drawn from the case's seed."""
        rng = generator(case["seed"] + 1)
        return [upstream(rng, np.shape(o), np.asarray(o).dtype) for o in outs[: self.graded_outputs]]

    def student_gradients(self, ctx: Context, case: Case):
        """(inputs, kwargs, douts, cache, grads): the student's forward, then their backward for
        random upstream gradients shaped like the reference's outputs."""
        inputs, kwargs = self.make(case)
        outs, cache = self.student_forward(ctx, inputs, kwargs)
        douts = self.upstream_gradients(case, self.trusted_forward(ctx.reference, inputs, kwargs)[0])
        for name, out, dout in zip(self.out_names, outs, douts):
            if type(out) is not np.ndarray or out.shape != dout.shape:
                raise CheckFailure(
                    Message(
                        "{forward} returned {name} of {out}, expected shape {shape}; {backward} gets an "
                        "upstream gradient of that shape, so fix {forward} first",
                        forward=self.forward,
                        name=name,
                        out=describe(out),
                        shape=dout.shape,
                        backward=self.backward,
                    )
                )
        grads = ctx.call(self.backward, *douts, cache)
        if len(inputs) > 1:
            grads = unpack(grads, len(inputs), self.backward, "(" + ", ".join(f"d{n}" for n in inputs) + ")")
        else:
            grads = (grads,)
        return inputs, kwargs, douts, cache, grads

    # ---- the check bodies ----

    def forward_matches(self, ctx: Context, case: Case) -> None:
        inputs, kwargs = self.make(case)
        outs, _ = self.student_forward(ctx, inputs, kwargs)
        shapes = self.shapes(case) if self.shapes else (None,) * len(self.out_names)
        for i, (name, shape) in enumerate(zip(self.out_names, shapes)):

            def compute(impl, i=i):
                return self.trusted_forward(impl, inputs, kwargs)[0][i]

            if shape is not None and type(outs[i]) is np.ndarray:
                ctx.expect_shape(
                    self.forward,
                    outs[i],
                    shape,
                    Message("{name}: shape {shape}, expected {shape2}", name=name, shape=outs[i].shape, shape2=shape),
                    compute,
                )
            ctx.expect(self.forward, outs[i], compute, name=name)

    def forward_pure(self, ctx: Context, case: Case) -> None:
        inputs, kwargs = self.make(case)
        self.student_forward(ctx, inputs, kwargs)
        require_pure(ctx, self.forward)

    def backward_matches(self, ctx: Context, case: Case) -> None:
        inputs, kwargs, douts, _, grads = self.student_gradients(ctx, case)
        results = {}  # one forward and backward per implementation, whatever the number of gradients

        def expected(impl, i):
            if id(impl) not in results:
                _, cache = self.trusted_forward(impl, inputs, kwargs)
                results[id(impl)] = impl.run(self.backward, *douts, cache)
            return results[id(impl)][i] if len(inputs) > 1 else results[id(impl)]

        for i, name in enumerate(inputs):
            ctx.expect(self.backward, grads[i], lambda impl, i=i: expected(impl, i), name=Message("d{name}", name=name))

    def backward_gradcheck(self, ctx: Context, case: Case) -> None:
        inputs, kwargs, douts, _, grads = self.student_gradients(ctx, case)

        def losses(points):
            """sum(out * dout) over the outputs that carry a gradient, by the student's forward."""
            for result in ctx.call_many([self.forward_call(point, kwargs) for point in points]):
                outs, _ = self._student_outputs(result)
                total = 0.0
                for out, dout in zip(outs, douts):
                    if type(out) is not np.ndarray or out.shape != dout.shape:
                        raise CheckFailure(
                            Message(
                                "{forward} returned {out} where an array of shape {shape} was expected",
                                forward=self.forward,
                                out=fmt(out),
                                shape=dout.shape,
                            )
                        )
                    total += float(np.sum(out.astype(np.float64) * dout))
                yield total

        gradcheck(
            losses,
            inputs,
            dict(zip(inputs, grads)),
            seed=case["seed"],
            output=Message("your {backward}", backward=self.backward),
        )

    def backward_pure(self, ctx: Context, case: Case) -> None:
        inputs, _, douts, cache, first = self.student_gradients(ctx, case)
        require_pure(ctx, self.backward)
        again = ctx.call(self.backward, *douts, cache)
        again = tuple(again) if len(inputs) > 1 and type(again) in (tuple, list) else (again,)
        if not same_plain(tuple(first), again):
            raise CheckFailure(
                Message(
                    "{backward} gave a different result when called again with the same dout and cache",
                    backward=self.backward,
                ),
                HINT_CACHE,
            )


def leaving_out(make, names: tuple[str, ...]):
    """make with the keyword arguments `names` left out, so that the calls get the task's defaults."""

    def without(case):
        first, kwargs = make(case)
        return first, {k: v for k, v in kwargs.items() if k not in names}

    return without


def defaults_name(names: tuple[str, ...]) -> str:
    """The name of the check that calls a task without the arguments `names`."""
    if len(names) > 1:
        return Message("uses the spec's default {names} (a call that leaves them out)", names=", ".join(names))
    return Message("uses the spec's default {names} (a call that leaves it out)", names=", ".join(names))


def forward_backward_checks(
    forward: str,
    backward: str,
    cases,
    make,
    *,
    outputs: int = 1,
    gradcheck_dtype: str = "float64",
    returns: tuple[str, ...] | None = None,
    graded_outputs: int | None = None,
    defaults: tuple[str, ...] = (),
    default_cases=None,
    shapes: Callable[[Case], tuple[tuple[int, ...], ...]] | None = None,
) -> ForwardBackward:
    """Register the checks of a forward task and its backward (see ForwardBackward for make,
    returns, graded_outputs and shapes; without returns, the forward returns `outputs` arrays, then the
    cache). The finite-difference check runs in gradcheck_dtype. The comparisons with the
    reference pay alone; purity and the finite-difference check, which a fake can pass, are
    diagnoses. The keyword arguments named in defaults get a comparison of their own, in calls
    that leave them out, on default_cases (cases whose inputs are valid under the defaults) if
    given, else on cases."""
    if returns is None:
        returns = (*(["out"] if outputs == 1 else [f"out[{i}]" for i in range(outputs)]), "cache")
    pair = ForwardBackward(forward, backward, make, returns, graded_outputs, shapes)

    def in_gradcheck_dtype(ctx: Context, case: Case) -> None:
        pair.backward_gradcheck(ctx, {**case, "dtype": gradcheck_dtype} if "dtype" in case else case)

    check(forward, "matches the reference", cases)(pair.forward_matches)
    if defaults:
        omitting = ForwardBackward(forward, backward, leaving_out(make, defaults), returns, graded_outputs)
        check(forward, defaults_name(defaults), cases if default_cases is None else default_cases)(
            omitting.forward_matches
        )
    check(forward, "leaves its inputs unchanged", cases, pays_alone=False)(pair.forward_pure)
    check(backward, "matches the reference backward for a random upstream gradient", cases)(pair.backward_matches)
    check(backward, "agrees with finite differences of your forward", cases, pays_alone=False)(in_gradcheck_dtype)
    check(backward, "leaves dout and its cache unchanged", cases, pays_alone=False)(pair.backward_pure)
    return pair


def _items(args):
    """The arguments with the items of list and tuple arguments spread out (for precision_of)."""
    return [item for arg in args for item in (arg if type(arg) in (list, tuple) else (arg,))]


def pure_function_checks(task: str, cases, make, *, outputs: int = 1, names=("out",), defaults: tuple[str, ...] = ()):
    """Checks of a function without a cache: outputs vs the reference, and purity; the keyword
    arguments named in defaults get a comparison of their own, in calls that leave them out.

    make(case) -> (args, kwargs)."""

    def unpacked(value):
        return unpack(value, outputs, task, "(" + ", ".join(names) + ")") if outputs > 1 else (value,)

    def comparison(make):
        def matches(ctx, case):
            args, kwargs = make(case)
            got = unpacked(ctx.call(task, *args, **kwargs))
            for i, name in enumerate(names):
                ctx.expect(
                    task,
                    got[i],
                    lambda impl, i=i: unpacked(impl.run(task, *args, **kwargs))[i],
                    name=name,
                    precision=precision_of(*_items(args)),
                )

        return matches

    check(task, "matches the reference", cases)(comparison(make))
    if defaults:
        check(task, defaults_name(defaults), cases)(comparison(leaving_out(make, defaults)))

    @check(task, "leaves its inputs unchanged", cases, pays_alone=False)
    def pure(ctx, case):
        args, kwargs = make(case)
        ctx.call(task, *args, **kwargs)
        require_pure(ctx, task)

    return unpacked
