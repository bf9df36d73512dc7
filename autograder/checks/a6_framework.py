"""Checks of a6_framework: layers, modules, optimizers and training loops built on a0-a5.

The framework is object-oriented, so every check is a *scenario*: build objects, set their
parameters, call methods, read attributes. A scenario is written once against a `Side` and run
twice: on the student's objects (kept behind handles in the student's process) and on the
trusted implementation's objects (the reference, or a mistake variant when looking for a hint).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator

import numpy as np
from hypothesis import strategies as st

from autograder.checks.a3_regularization import check_mask_statistics
from autograder.execution.submission import Call, StudentError
from autograder.grading.failure import CheckFailure, hint_on_failure
from autograder.grading.numeric import assert_close, fmt, gradcheck, one_by_one, validate_array, validate_scalar
from autograder.grading.registry import check
from autograder.grading.replay import RecordedImplementation
from autograder.grading.strategies import cases, generator, labels, seeds, upstream, values
from autograder.runtime import probes
from autograder.runtime.language import N_, Message
from autograder.runtime.plain import Foreign, Handle, Probe

HINT_ACCUMULATE = N_(
    "your backward assigns param.grad instead of adding into it, so a parameter used twice keeps "
    "only one contribution: add, param.grad += ..., as in PyTorch"
)
# The most items the grader reads one call at a time from a list a student object reports
# (parameters()), or entries of a parameter it differentiates entry by entry: beyond, the check
# fails at once, whatever length the object claims.
ITEM_LIMIT = 10_000

HINT_EVAL = N_(
    "your Dropout does not pass train=self.training to dropout_forward, so eval() does not turn it off: pass it"
)
HINT_INIT = N_(
    "your layer is not initialised as PyTorch's: draw the weight with kaiming_uniform(shape, "
    "a=sqrt(5), rng=rng), that is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the bias from the same "
    "range"
)
HINT_GRAD = N_(
    "your new Parameter's grad is not an array of zeros of data's shape (None, say): start it at "
    "np.zeros_like(data), so that backward can add into it"
)
HINT_TRAINING = N_(
    "your training does not zero the gradients, run the model forward and backward and step an "
    "optimizer over that same model's parameters at every batch: do all four, in that order"
)
HINT_DEPENDS = N_("your layer calls your {functions}; if their own checks fail, fix those first")


class Side:
    """Where a scenario runs: new objects, attributes, method calls."""

    def new(self, cls: str, *args, **kwargs):
        raise NotImplementedError

    def get(self, obj, name: str, *, keep: bool = False):
        raise NotImplementedError

    def set(self, obj, name: str, value) -> None:
        raise NotImplementedError

    def call(self, obj, method: str, *args, keep: bool = False, **kwargs):
        raise NotImplementedError

    def calls(self, steps, *, keep: bool = False) -> Iterator:
        """The values of obj.method(*args) for each (obj, method, *args) of steps, in order; the
        student's are made in one message, their failures raising in order as values are read."""
        return (self.call(obj, method, *args, keep=keep) for obj, method, *args in steps)

    def get_many(self, pairs, *, keep: bool = False) -> Iterator:
        """The attributes (obj, name) of pairs, in order (see calls)."""
        return self.calls([(obj, "__getattribute__", name) for obj, name in pairs], keep=keep)


class StudentSide(Side):
    """The student's objects behind handles; every call goes through the submission."""

    def __init__(self, ctx, task: str):
        self.ctx, self.task = ctx, task

    def new(self, cls, *args, **kwargs):
        return self.ctx.call(cls, *args, opaque=(0,), **kwargs)[0]

    def get(self, obj, name, *, keep=False):
        return self.call(obj, "__getattribute__", name, keep=keep)

    def set(self, obj, name, value):
        # nothing is read of a setattr: it goes to the worker with the next call
        self.ctx.call_later(self.method_call(obj, "__setattr__", name, value))

    def call(self, obj, method, *args, keep=False, **kwargs):
        value = self.ctx.call_method(self.task, obj, method, *args, opaque=(0,) if keep else (), **kwargs)
        return value[0] if keep else value

    def calls(self, steps, *, keep=False):
        opaque = (0,) if keep else ()
        values = self.ctx.call_many([Call(self.task, (obj, *args), {}, opaque, method) for obj, method, *args in steps])
        return (value[0] if keep else value for value in values)

    def method_call(self, obj, method: str, *args, **kwargs) -> Call:
        """obj.method(*args, **kwargs) as a Call, for ctx.call_many."""
        return Call(self.task, (obj, *args), kwargs, method=method)


class TrustedSide(Side):
    """The objects of a trusted implementation, called directly on private copies of arrays."""

    def __init__(self, impl):
        self.impl = impl

    def new(self, cls, *args, **kwargs):
        return self.impl.function(cls)(*_private(args), **_private(kwargs))

    def get(self, obj, name, *, keep=False):
        value = getattr(obj, name)
        return value if keep else _private(value)

    def set(self, obj, name, value):
        setattr(obj, name, _private(value))

    def call(self, obj, method, *args, keep=False, **kwargs):
        value = getattr(obj, method)(*_private(args), **_private(kwargs))
        return value if keep else _private(value)


def _private(value):
    """Copies of arrays and callables built from probes; other objects (layers) as they are."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, Probe):
        return probes.build(value)
    if type(value) in (list, tuple):
        return type(value)(_private(item) for item in value)
    if type(value) is dict:
        return {key: _private(item) for key, item in value.items()}
    return value


def trusted(impl, key: tuple, compute):
    """compute(impl) for a live implementation; an implementation answered from a recording (the
    student bundle's reference and mistakes) answers it whole, under key: what compute does and
    on which inputs (the scenarios' objects change one another, which no call-by-call replay
    follows)."""
    if isinstance(impl, RecordedImplementation):
        return impl.outcome(key, compute)
    return compute(impl)


def expect_scenario(ctx, task: str, scenario, case, *, dependencies: str = "") -> dict:
    """Run scenario(side) -> {name: value} for the student, then compare every value with the
    reference's (run once per implementation); returns the student's results. The scenario
    depends on the case alone (fixed weights and inputs), which keys its recording."""
    got = scenario(StudentSide(ctx, task))
    runs: dict[int, dict] = {}

    def expected(impl, name):
        if id(impl) not in runs:
            key = ("scenario", task, scenario.__qualname__, case)
            runs[id(impl)] = trusted(impl, key, lambda live: scenario(TrustedSide(live)))
        return runs[id(impl)][name]

    for name, value in got.items():
        with hint_on_failure(Message(HINT_DEPENDS, functions=dependencies) if dependencies else None):
            ctx.expect(task, value, lambda impl, name=name: expected(impl, name), name=name)
    return got


def set_parameters(side: Side, layer, arrays: dict) -> None:
    parameters = list(side.get_many([(layer, name) for name in arrays], keep=True))
    for parameter, value in zip(parameters, arrays.values()):
        side.set(parameter, "data", value)


def read_grads(side: Side, layer, names) -> dict:
    parameters = list(side.get_many([(layer, name) for name in names], keep=True))
    return {f"d{name}": grad for name, grad in zip(names, side.get_many([(p, "grad") for p in parameters]))}


def forward_backward(side: Side, layer, x, dout) -> dict:
    return {"out": side.call(layer, "__call__", x), "dx": side.call(layer, "backward", dout)}


# ---- layers with parameters ------------------------------------------------------------------

small = st.integers(1, 4)


def linear_layer(case):
    rng = generator(case["seed"])
    n, d_in, d_out = case["n"], case["d_in"], case["d_out"]
    params = {"weight": values(rng, (d_out, d_in)), "bias": values(rng, (d_out,))}
    return ("Linear", (d_in, d_out)), params, values(rng, (n, d_in)), upstream(rng, (n, d_out))


def conv_layer(case):
    rng = generator(case["seed"])
    n, c, f, k, stride, padding = case["n"], case["c"], case["f"], case["k"], case["stride"], case["padding"]
    side = case["side"]
    out = (side + 2 * padding - k) // stride + 1
    params = {"weight": values(rng, (f, c, k, k)), "bias": values(rng, (f,))}
    return (
        ("Conv2d", (c, f, k), {"stride": stride, "padding": padding}),
        params,
        values(rng, (n, c, side, side)),
        upstream(rng, (n, f, out, out)),
    )


def recurrent_layer(kind, gates):
    def make(case):
        rng = generator(case["seed"])
        t, n, d, h = case["t"], case["n"], case["d"], case["h"]
        params = {
            "weight_ih": values(rng, (gates * h, d)),
            "weight_hh": values(rng, (gates * h, h)),
            "bias_ih": values(rng, (gates * h,)),
            "bias_hh": values(rng, (gates * h,)),
        }
        return (kind, (d, h)), params, values(rng, (t, n, d)), upstream(rng, (n, h))

    return make


def batchnorm_layer(case):
    rng = generator(case["seed"])
    n, d = case["n"] + 1, case["d"]
    params = {"weight": values(rng, (d,)), "bias": values(rng, (d,))}
    return ("BatchNorm1d", (d,)), params, values(rng, (n, d), scale=3.0), upstream(rng, (n, d))


def _constructor(spec):
    cls, args, *rest = spec
    return cls, args, (rest[0] if rest else {})


recurrent_cases = cases(t=small, n=st.integers(1, 3), d=st.integers(1, 3), h=st.integers(1, 3), seed=seeds)
LAYERS = {
    "Linear": (linear_layer, cases(n=small, d_in=small, d_out=small, seed=seeds), "linear_forward/backward"),
    "Conv2d": (
        conv_layer,
        cases(
            n=st.integers(1, 2),
            c=st.integers(1, 2),
            f=st.integers(1, 3),
            k=st.integers(1, 3),
            side=st.integers(3, 6),
            stride=st.integers(1, 2),
            padding=st.integers(0, 1),
            seed=seeds,
        ),
        "conv2d_forward/backward",
    ),
    "BatchNorm1d": (batchnorm_layer, cases(n=small, d=small, seed=seeds), "batchnorm_forward/backward"),
    "RNN": (recurrent_layer("RNN", 1), recurrent_cases, "rnn_forward/backward"),
    "LSTM": (recurrent_layer("LSTM", 4), recurrent_cases, "lstm_forward/backward"),
    "GRU": (recurrent_layer("GRU", 3), recurrent_cases, "gru_forward/backward"),
}


def _layer_checks(task, make, layer_cases, dependencies):
    def build(side, case):
        spec, params, x, dout = make(case)
        cls, args, kwargs = _constructor(spec)
        layer = (
            side.new(cls, *args, rng=Probe("rng", (case["seed"],)), **kwargs)
            if cls != "BatchNorm1d"
            else side.new(cls, *args, **kwargs)
        )
        set_parameters(side, layer, params)
        return layer, params, x, dout

    @check(task, "forward, backward and parameter gradients match the reference", layer_cases)
    def matches(ctx, case):
        def scenario(side):
            layer, params, x, dout = build(side, case)
            return {**forward_backward(side, layer, x, dout), **read_grads(side, layer, params)}

        expect_scenario(ctx, task, scenario, case, dependencies=dependencies)

    @check(task, "accumulates parameter gradients over backward calls", layer_cases)
    def accumulates(ctx, case):
        side = StudentSide(ctx, task)
        layer, params, x, dout = build(side, case)
        side.call(layer, "__call__", x)
        side.call(layer, "backward", dout)
        once = read_grads(side, layer, params)
        side.call(layer, "backward", dout)
        twice = read_grads(side, layer, params)
        for name, first in once.items():
            validate_array(first, name=name, dtype=np.float64, shape=params[name[1:]].shape)
            if not np.allclose(twice[name], 2 * first, rtol=1e-9, atol=1e-12):
                raise CheckFailure(
                    Message(
                        "after two backward calls with the same dout, {name} is {value}, not twice the "
                        "first ({value2})",
                        name=name,
                        value=fmt(twice[name]),
                        value2=fmt(2 * first),
                    ),
                    HINT_ACCUMULATE,
                )


for _task, (_make, _cases, _dependencies) in LAYERS.items():
    _layer_checks(_task, _make, _cases, _dependencies)


def _init_check(task, spec_of, bound_of, hint=HINT_INIT):
    """Parameters have PyTorch's shapes, lie within PyTorch's uniform bound, and come from rng alone."""

    @check(
        task, "initialises its parameters from rng, as PyTorch", cases(a=small, b=small, seed=seeds), pays_alone=False
    )
    def initialises(ctx, case):
        side = StudentSide(ctx, task)
        args, shapes = spec_of(case)
        drawn = []
        for _ in range(2):
            layer = side.new(task, *args, rng=Probe("rng", (case["seed"],)))
            parameters = list(side.get_many([(layer, name) for name in shapes], keep=True))
            drawn.append(dict(zip(shapes, side.get_many([(p, "data") for p in parameters]))))
        for name, shape in shapes.items():
            first = drawn[0][name]
            validate_array(first, name=Message("{name}.data", name=name), dtype=np.float64, shape=shape)
            bound = bound_of(case)
            if np.max(np.abs(first)) > bound * (1 + 1e-12):
                raise CheckFailure(
                    Message(
                        "{name} has entries up to {value:.6g}, beyond PyTorch's bound {bound:.6g}",
                        name=name,
                        value=np.max(np.abs(first)),
                        bound=bound,
                    ),
                    hint,
                )
            if not np.array_equal(first, drawn[1][name]):
                raise CheckFailure(
                    Message(
                        "two {task}s built with the same rng seed got different {name}: draw every "
                        "random number from rng",
                        task=task,
                        name=name,
                    )
                )
            grad = side.get(side.get(layer, name, keep=True), "grad")
            validate_array(grad, name=Message("{name}.grad", name=name), dtype=np.float64, shape=shape)
            if np.any(grad != 0):
                raise CheckFailure(
                    Message(
                        "a new {task}'s {name}.grad must be zeros, got {grad}", task=task, name=name, grad=fmt(grad)
                    )
                )


_init_check(
    "Linear",
    lambda c: ((c["a"], c["b"]), {"weight": (c["b"], c["a"]), "bias": (c["b"],)}),
    lambda c: 1 / np.sqrt(c["a"]),
)
_init_check(
    "Conv2d",
    lambda c: ((c["a"], c["b"], 3), {"weight": (c["b"], c["a"], 3, 3), "bias": (c["b"],)}),
    lambda c: 1 / np.sqrt(c["a"] * 9),
)
_init_check(
    "GRU",
    lambda c: (
        (c["a"], c["b"]),
        {
            "weight_ih": (3 * c["b"], c["a"]),
            "weight_hh": (3 * c["b"], c["b"]),
            "bias_ih": (3 * c["b"],),
            "bias_hh": (3 * c["b"],),
        },
    ),
    lambda c: 1 / np.sqrt(c["b"]),
    N_(
        "initialise every weight and bias of a recurrent layer as PyTorch: U(-1/sqrt(H), 1/sqrt(H)) with H = "
        "hidden_size"
    ),
)


@check(
    "BatchNorm1d", "keeps PyTorch's running statistics and uses them in eval mode", cases(n=small, d=small, seed=seeds)
)
def batchnorm_running_statistics(ctx, case):
    def scenario(side):
        _, params, x, dout = batchnorm_layer(case)
        layer = side.new("BatchNorm1d", case["d"], momentum=0.3)
        set_parameters(side, layer, params)
        side.call(layer, "__call__", x)
        side.call(layer, "__call__", 2 * x + 1)
        results = dict(
            zip(("running_mean", "running_var"), side.get_many([(layer, "running_mean"), (layer, "running_var")]))
        )
        side.call(layer, "eval")
        return {
            **results,
            N_("eval out"): side.call(layer, "__call__", x),
            N_("eval dx"): side.call(layer, "backward", dout),
        }

    expect_scenario(ctx, "BatchNorm1d", scenario, case, dependencies="batchnorm_forward/backward")


# ---- layers without parameters ----------------------------------------------------------------


def _stateless_check(task, make, task_cases, dependencies=""):
    @check(task, "forward and backward match the reference", task_cases)
    def matches(ctx, case):
        ctor_args, x, dout = make(case)

        def scenario(side):
            return forward_backward(side, side.new(task, *ctor_args), x, dout)

        expect_scenario(ctx, task, scenario, case, dependencies=dependencies)


def _activation_input(case):
    rng = generator(case["seed"])
    shape = (case["n"], case["d"])
    return (), values(rng, shape, away_from_zero=0.1), upstream(rng, shape)


def _flatten_input(case):
    rng = generator(case["seed"])
    shape = (case["n"], case["d"], 2, 3)
    return (), values(rng, shape), upstream(rng, (case["n"], case["d"] * 6))


def _pool_input(case):
    """A permuted grid: every window's maximum is unique by a wide margin."""
    rng = generator(case["seed"])
    n, c, side = case["n"], case["d"], 2 * case["d"] + 2
    x = rng.permutation(n * c * side * side).reshape(n, c, side, side) / 10.0
    return (2,), x.astype(np.float64), upstream(rng, (n, c, side // 2, side // 2))


_stateless_check("ReLU", _activation_input, cases(n=small, d=small, seed=seeds), "relu_forward/backward")
_stateless_check("Tanh", _activation_input, cases(n=small, d=small, seed=seeds), "tanh_forward/backward")
_stateless_check("Flatten", _flatten_input, cases(n=small, d=small, seed=seeds))
_stateless_check(
    "MaxPool2d", _pool_input, cases(n=st.integers(1, 2), d=st.integers(1, 2), seed=seeds), "maxpool2d_forward/backward"
)


@check("CrossEntropyLoss", "loss and its gradient match the reference", cases(n=small, k=st.integers(2, 5), seed=seeds))
def cross_entropy_loss_matches(ctx, case):
    rng = generator(case["seed"])
    logits, y = values(rng, (case["n"], case["k"]), scale=3.0), labels(rng, case["n"], case["k"])
    dout = float(rng.uniform(0.5, 2.0))

    def scenario(side):
        loss_fn = side.new("CrossEntropyLoss")
        loss = side.call(loss_fn, "__call__", logits, y)
        return {"loss": loss, "dlogits": side.call(loss_fn, "backward", dout)}

    got = expect_scenario(ctx, "CrossEntropyLoss", scenario, case, dependencies="cross_entropy")
    validate_scalar(got["loss"], name="loss")


@check("MSELoss", "loss and its gradient match the reference", cases(n=small, d=small, seed=seeds))
def mse_loss_matches(ctx, case):
    rng = generator(case["seed"])
    pred, target = values(rng, (case["n"], case["d"])), values(rng, (case["n"], case["d"]))
    dout = float(rng.uniform(0.5, 2.0))

    def scenario(side):
        loss_fn = side.new("MSELoss")
        loss = side.call(loss_fn, "__call__", pred, target)
        return {"loss": loss, "dpred": side.call(loss_fn, "backward", dout)}

    got = expect_scenario(ctx, "MSELoss", scenario, case, dependencies="mse")
    validate_scalar(got["loss"], name="loss")


@check(
    "Dropout",
    "drops and scales while training, is the identity in eval mode",
    cases(p=st.sampled_from([0.2, 0.5, 0.8]), seed=seeds),
)
def dropout_modes(ctx, case):
    # Two forwards in training mode draw two masks from the layer's rng, one after the other:
    # each must keep a fraction 1 - p of the units, independently between rows, columns and the
    # two calls (a3's statistical tests, at most 3 * 1e-9 per case: 7.5e-8 over 25 cases).
    rng = generator(case["seed"])
    x, p = values(rng, (200, 50), away_from_zero=0.1), case["p"]
    side = StudentSide(ctx, "Dropout")
    layer = side.new("Dropout", p, rng=Probe("rng", (case["seed"],)))
    masks = []
    for _ in range(2):
        out = side.call(layer, "__call__", x)
        validate_array(out, name=N_("out (training)"), dtype=np.float64, shape=x.shape)
        kept = np.isclose(out, x / (1 - p), rtol=1e-9, atol=0)
        if not np.all(kept | (out == 0)):
            raise CheckFailure(
                Message(
                    "in training mode every output must be 0 or x/(1-p) (p = {p}); got {out}",
                    p=p,
                    out=fmt(out),
                ),
                Message(HINT_DEPENDS, functions="dropout_forward"),
            )
        masks.append(kept)
    try:
        check_mask_statistics(masks[1], p, previous=masks[0])
    except CheckFailure as failure:
        raise CheckFailure(
            Message(
                "in training mode, over two calls on x of shape {shape}: {message}",
                shape=x.shape,
                message=failure.message,
            ),
            failure.hint or Message(HINT_DEPENDS, functions="dropout_forward"),
        ) from None
    dout = upstream(rng, x.shape)
    dx = side.call(layer, "backward", dout)
    validate_array(dx, name="dx", dtype=np.float64, shape=x.shape)
    if not np.allclose(dx, np.where(masks[1], dout / (1 - p), 0.0), rtol=1e-9, atol=1e-12):
        raise CheckFailure(
            N_("backward must use the mask of the last forward: dx = dout * mask / (1 - p)"),
            Message(HINT_DEPENDS, functions="dropout_backward"),
        )
    side.call(layer, "eval")
    out = side.call(layer, "__call__", x)
    validate_array(out, name=N_("out (eval)"), dtype=np.float64, shape=x.shape)
    if not np.array_equal(out, x):
        raise CheckFailure(N_("after eval() Dropout must be the identity"), HINT_EVAL)


# ---- Module and Sequential ---------------------------------------------------------------------


# _mlp's layer widths, each a field of the case, so that a failing case names them
MLP_WIDTHS = ("in", "hidden1", "hidden2", "out")


def _mlp(side, case):
    """Sequential(Linear, ReLU, Sequential(Linear, Tanh), Linear) with the case's widths
    (in, hidden1, hidden2, out), its weights drawn from the case's seed."""
    a, b, c, d = (case[width] for width in MLP_WIDTHS)
    rng = Probe("rng", (case["seed"],))
    inner = side.new("Sequential", side.new("Linear", b, c, rng=rng), side.new("Tanh"))
    return side.new(
        "Sequential", side.new("Linear", a, b, rng=rng), side.new("ReLU"), inner, side.new("Linear", c, d, rng=rng)
    )


def _array_of(value, name):
    """value checked to be a float64 array small enough for a gradient check to walk entry by entry."""
    validate_array(value, name=name, dtype=np.float64)
    if value.size > ITEM_LIMIT:
        raise CheckFailure(
            Message(
                "{name} has {size:,} entries; the grader reads at most {item_limit:,}, and the "
                "models of this check have a few dozen",
                name=name,
                size=value.size,
                item_limit=ITEM_LIMIT,
            )
        )
    return value


def _shape_of(data):
    return _array_of(data, N_("a parameter's data")).shape


def _parameter_list(side, model):
    params = side.call(model, "parameters", keep=True)
    count = side.call(params, "__len__")
    if type(count) is not int:
        raise CheckFailure(Message("parameters() must return a list, got one of length {count}", count=fmt(count)))
    if not 0 <= count <= ITEM_LIMIT:  # one call per item follows: the student's length must not set their number
        raise CheckFailure(
            Message(
                "parameters() returned a list of length {count}; the grader reads at most "
                "{item_limit:,} parameters, and the models of the checks have a few dozen",
                count=fmt(count),
                item_limit=ITEM_LIMIT,
            )
        )
    return list(side.calls([(params, "__getitem__", i) for i in range(count)], keep=True))


mlp_cases = cases(**{width: small for width in MLP_WIDTHS}, seed=seeds)


@check("Module", "parameters() lists every parameter once, in order, nested modules included", mlp_cases)
def module_parameters(ctx, case):
    def scenario(side):
        model = _mlp(side, case)
        shapes = [_shape_of(data) for data in side.get_many([(p, "data") for p in _parameter_list(side, model)])]
        # one row per parameter: its shape padded with zeros (weights are 2-D, biases 1-D)
        return {
            N_("parameter shapes"): np.array([list(s) + [0] * (2 - len(s)) for s in shapes], dtype=np.int64).reshape(
                -1, 2
            )
        }

    expect_scenario(ctx, "Module", scenario, case)


@check(
    "Module",
    "a parameter shared by two layers is listed once and collects both gradients",
    cases(n=small, d=small, seed=seeds),
)
def module_shared_parameter(ctx, case):
    rng = generator(case["seed"])
    d = case["d"]
    x, dout = values(rng, (case["n"], d)), upstream(rng, (case["n"], d))

    def scenario(side):
        first = side.new("Linear", d, d, rng=Probe("rng", (case["seed"],)))
        second = side.new("Linear", d, d, rng=Probe("rng", (case["seed"] + 1,)))
        side.set(second, "weight", side.get(first, "weight", keep=True))
        model = side.new("Sequential", first, side.new("Tanh"), second)
        forward_backward(side, model, x, dout)
        return {
            N_("number of parameters"): len(_parameter_list(side, model)),
            "dweight": side.get(side.get(first, "weight", keep=True), "grad"),
        }

    expect_scenario(ctx, "Module", scenario, case)


@check("Module", "zero_grad() resets every gradient; train() and eval() reach nested modules", mlp_cases)
def module_zero_grad_and_modes(ctx, case):
    rng = generator(case["seed"])
    x, dout = values(rng, (3, case["in"])), upstream(rng, (3, case["out"]))

    def scenario(side):
        model = _mlp(side, case)
        forward_backward(side, model, x, dout)
        side.call(model, "zero_grad")
        grads = np.concatenate(
            [np.zeros(0)]
            + [
                _array_of(grad, N_("a parameter's grad")).ravel()
                for grad in side.get_many([(p, "grad") for p in _parameter_list(side, model)])
            ]
        )
        layers = side.get(model, "layers", keep=True)
        inner = side.call(layers, "__getitem__", 2, keep=True)
        inner_tanh = side.call(side.get(inner, "layers", keep=True), "__getitem__", 1, keep=True)
        side.call(model, "eval")
        in_eval = list(side.get_many([(m, "training") for m in (model, inner, inner_tanh)]))
        side.call(model, "train")
        in_train = list(side.get_many([(m, "training") for m in (model, inner, inner_tanh)]))
        return {
            N_("gradients after zero_grad()"): grads,
            N_("training flags after eval() (model, nested Sequential, its Tanh)"): np.array(in_eval, dtype=np.int64),
            N_("training flags after train()"): np.array(in_train, dtype=np.int64),
        }

    expect_scenario(ctx, "Module", scenario, case)


@check("Parameter", "holds data and a zero grad of the same shape", cases(n=small, d=small, seed=seeds))
def parameter_holds(ctx, case):
    data = values(generator(case["seed"]), (case["n"], case["d"]))
    side = StudentSide(ctx, "Parameter")
    param = side.new("Parameter", data)
    got = side.get(param, "data")
    validate_array(got, name="data", dtype=np.float64, shape=data.shape)
    if not np.array_equal(got, data):
        raise CheckFailure(Message("Parameter(data).data is {got}, expected {data}", got=fmt(got), data=fmt(data)))
    grad = side.get(param, "grad")
    try:
        validate_array(grad, name="grad", dtype=np.float64, shape=data.shape)
    except CheckFailure as failure:
        raise CheckFailure(failure.message, HINT_GRAD) from None
    if np.any(grad != 0):
        raise CheckFailure(Message("a new Parameter's grad must be zeros, got {grad}", grad=fmt(grad)), HINT_GRAD)


@check("Sequential", "forward and backward match the reference", mlp_cases)
def sequential_matches(ctx, case):
    rng = generator(case["seed"])
    x, dout = values(rng, (3, case["in"])), upstream(rng, (3, case["out"]))

    def scenario(side):
        model = _mlp(side, case)
        results = forward_backward(side, model, x, dout)
        grads = side.get_many([(param, "grad") for param in _parameter_list(side, model)])
        for i, grad in enumerate(grads):
            results[Message("grad of parameter {i}", i=i)] = grad
        return results

    expect_scenario(ctx, "Sequential", scenario, case)


@check(
    "Sequential", "agrees with finite differences of its own forward, parameters included", mlp_cases, pays_alone=False
)
def sequential_gradcheck(ctx, case):
    rng = generator(case["seed"])
    x, dout = values(rng, (3, case["in"])), upstream(rng, (3, case["out"]))
    side = StudentSide(ctx, "Sequential")
    model = _mlp(side, case)
    params = _parameter_list(side, model)
    start = {
        f"parameter {i}": _array_of(data, Message("parameter {i}'s data", i=i))
        for i, data in enumerate(side.get_many([(p, "data") for p in params]))
    }
    analytic = {"x": forward_backward(side, model, x, dout)["dx"]}
    for i, grad in enumerate(side.get_many([(p, "grad") for p in params])):
        analytic[f"parameter {i}"] = grad

    def losses(points):
        calls = []
        for point in points:
            calls += [side.method_call(p, "__setattr__", "data", point[f"parameter {i}"]) for i, p in enumerate(params)]
            calls.append(side.method_call(model, "__call__", point["x"]))
        values = side.ctx.call_many(calls)
        for _point in points:
            for _param in params:
                next(values)
            out = next(values)
            validate_array(out, name="out", dtype=np.float64, shape=dout.shape)
            yield float(np.sum(out * dout))

    gradcheck(losses, {"x": x, **start}, analytic, seed=case["seed"], output=N_("your Sequential.backward"))


# ---- optimizers ------------------------------------------------------------------------------

STEPS = 3
OPTIMIZERS = {
    "SGD": dict(lr=st.sampled_from([0.01, 0.1]), weight_decay=st.sampled_from([0.0, 0.1])),
    "Momentum": dict(lr=st.sampled_from([0.01, 0.1]), mu=st.sampled_from([0.5, 0.9])),
    "Adam": dict(lr=st.sampled_from([1e-3, 0.1]), beta1=st.sampled_from([0.5, 0.9])),
    "AdamW": dict(lr=st.sampled_from([1e-3, 0.1]), weight_decay=st.sampled_from([1e-2, 0.5])),
}


def _optimizer_scenario(cls, case, hyper):
    rng = generator(case["seed"])
    starts = [values(rng, (case["n"], 2)) for _ in range(2)]  # one shape: a shared state must not crash
    grads = [[values(rng, w.shape, away_from_zero=0.05) for w in starts] for _ in range(STEPS)]

    def scenario(side):
        params = [side.new("Parameter", w) for w in starts]
        optimizer = side.new(cls, params, **hyper)
        results = {}
        for step, step_grads in enumerate(grads, start=1):
            for param, grad in zip(params, step_grads):
                side.set(param, "grad", grad)
            side.call(optimizer, "step")
            for i, data in enumerate(side.get_many([(param, "data") for param in params])):
                results[Message("parameter {i} after step {step}", i=i, step=step)] = data
        side.call(optimizer, "zero_grad")
        for i, grad in enumerate(side.get_many([(param, "grad") for param in params])):
            results[Message("parameter {i} grad after zero_grad()", i=i)] = grad
        return results

    return scenario


for _cls, _hyper in OPTIMIZERS.items():

    def _register(cls=_cls, hyper_strategies=_hyper):
        @check(
            cls,
            Message("steps every parameter as a1's rule does, {steps} steps", steps=STEPS),
            cases(n=small, seed=seeds, **hyper_strategies),
        )
        def optimizer_steps(ctx, case):
            hyper = {key: case[key] for key in hyper_strategies}
            expect_scenario(
                ctx,
                cls,
                _optimizer_scenario(cls, case, hyper),
                case,
                dependencies=Message("a1 {rule} rule and Optimizer.step", rule=cls.lower()),
            )

    _register()


@check(
    "Optimizer", "keeps a separate state per parameter and zero_grad() resets every grad", cases(n=small, seed=seeds)
)
def optimizer_base(ctx, case):
    expect_scenario(ctx, "Optimizer", _optimizer_scenario("Momentum", case, {"lr": 0.1, "mu": 0.9}), case)


# ---- training ----------------------------------------------------------------------------------


def _linear_model(side, case):
    rng = generator(case["seed"])
    model = side.new("Linear", case["d"], case["k"], rng=Probe("rng", (case["seed"],)))
    set_parameters(
        side, model, {"weight": values(rng, (case["k"], case["d"]), scale=2.0), "bias": values(rng, (case["k"],))}
    )
    return model


train_cases = cases(n=st.integers(2, 6), d=small, k=st.integers(2, 4), seed=seeds)


@check("accuracy", "matches the reference", train_cases)
def accuracy_matches(ctx, case):
    rng = generator(case["seed"] + 1)
    x, y = values(rng, (case["n"], case["d"])), labels(rng, case["n"], case["k"])

    def scenario(side):
        return {"accuracy": _function(side, "accuracy", _linear_model(side, case), x, y)}

    expect_scenario(ctx, "accuracy", scenario, case)


def _function(side, task, *args, **kwargs):
    """A plain function of the framework (not a method) called on side's objects; a float result."""
    if isinstance(side, StudentSide):
        return validate_scalar(side.ctx.call(task, *args, **kwargs), name=Message("{task}'s result", task=task))
    return float(side.impl.function(task)(*_private(args), **_private(kwargs)))


@check("train_step", "two steps of SGD give the reference's losses and weights", train_cases)
def train_step_matches(ctx, case):
    rng = generator(case["seed"] + 1)
    batches = [(values(rng, (case["n"], case["d"])), labels(rng, case["n"], case["k"])) for _ in range(2)]

    def scenario(side):
        model = _linear_model(side, case)
        loss_fn = side.new("CrossEntropyLoss")
        optimizer = side.new("SGD", side.call(model, "parameters", keep=True), lr=0.5)
        results = {}
        for step, (x, y) in enumerate(batches, start=1):
            results[Message("loss of step {step}", step=step)] = _function(
                side, "train_step", model, loss_fn, optimizer, x, y
            )
            results[Message("weight after step {step}", step=step)] = side.get(
                side.get(model, "weight", keep=True), "data"
            )
        return results

    expect_scenario(ctx, "train_step", scenario, case)


# ---- the training runs -------------------------------------------------------------------------
#
# A run is judged on the model it returns, never on the score it reports: the grader runs the
# model's own forward on data it draws itself, computes the score from those predictions, and
# checks that they are the predictions of the handout's network with the model's own parameters.
# A made-up history or score, an untrained model, a forward that looks the answers up or computes
# them some other way: each misses the threshold or disagrees with the network, so only trained
# weights score.

DIGITS_EPOCHS, DIGITS_THRESHOLD = 2, 0.90  # the reference reaches 0.92-0.98 over seeds; untrained: 0.04-0.14
ADDING = dict(length=20, steps=300)
ADDING_HIDDEN = 16  # train_sequence_model's default
ADDING_SEQUENCES = 1000  # drawn by the grader for every run
ADDING_THRESHOLD = 0.05  # MSE; the reference's GRU reaches about 0.002, answering 1 scores 0.167, untrained 0.75-1.9
PROPERTY_BATCH = 2  # inputs a bundle differentiates the returned model on (_differentiates_its_parameters)
GRADER_DATA = 6  # the grader draws its data from default_rng([GRADER_DATA, seed]): a stream apart from the run's
SLOWER_THAN_VECTORISED = (
    8  # measured per step: loops over output pixels 30x the reference, other correct layers 0.7-1.1x
)
# a run's work in training steps: 2 epochs of 45 batches, and a forward over all 1,797 images per epoch
DIGITS_STEPS = DIGITS_EPOCHS * (45 + 1797 // 32 // 2)


def _digits_model(side):
    """train.py's digits_cnn, built from the side's layers."""
    rng = Probe("rng", (0,))
    return side.new(
        "Sequential",
        side.new("Conv2d", 1, 16, 3, padding=1, rng=rng),
        side.new("ReLU"),
        side.new("MaxPool2d", 2),
        side.new("Conv2d", 16, 32, 3, padding=1, rng=rng),
        side.new("ReLU"),
        side.new("MaxPool2d", 2),
        side.new("Flatten"),
        side.new("Linear", 128, 10, rng=rng),
    )


def _adding_model(side):
    """train_sequence_model's GRU model, built from the side's layers."""
    rng = Probe("rng", (0,))
    return side.new(
        "Sequential", side.new("GRU", 2, ADDING_HIDDEN, rng=rng), side.new("Linear", ADDING_HIDDEN, 1, rng=rng)
    )


def require_speed(ctx):
    """Fail before training when the student's layers would make it time out: one forward and
    backward of the digits model on a batch, timed against the reference's; where the reference
    is recorded, not held (a student bundle), against the check's time budget instead."""
    rng = generator(0)
    x, dout = values(rng, (32, 1, 8, 8)), upstream(rng, (32, 10))
    sides = {"yours": StudentSide(ctx, "train_digits_cnn")}
    if not isinstance(ctx.reference, RecordedImplementation):
        sides["reference"] = TrustedSide(ctx.reference)
    models = {name: _digits_model(side) for name, side in sides.items()}
    best = dict.fromkeys(sides, float("inf"))
    for _ in range(3):  # interleaved, best of three: a busy machine slows both sides alike
        for name, side in sides.items():
            start = time.perf_counter()
            forward_backward(side, models[name], x, dout)
            best[name] = min(best[name], time.perf_counter() - start)
    yours = best["yours"]
    if "reference" in best:
        reference = best["reference"]
        slow = yours > SLOWER_THAN_VECTORISED * reference and yours > 0.05
        compared = Message(
            "{ratio:.0f} times the reference's {reference:.1f} ms", ratio=yours / reference, reference=reference * 1e3
        )
    else:
        task = ctx.course.task("train_digits_cnn")
        budget = ctx.course.check_seconds(task) / max(task.examples.values(), default=1)
        slow = yours * DIGITS_STEPS > budget
        compared = Message(
            "{steps} such steps take {seconds:.0f} s, beyond the {budget:.0f} s of a run",
            steps=DIGITS_STEPS,
            seconds=yours * DIGITS_STEPS,
            budget=budget,
        )
    if slow:
        raise CheckFailure(
            Message(
                "one training step of the digits CNN (forward and backward of a batch of 32) "
                "takes {value:.0f} ms with your layers, {compared}: training would take far longer "
                "than the grader allows, so it was not started",
                value=yours * 1000.0,
                compared=compared,
            ),
            (
                N_(
                    "your conv2d_forward/backward or pooling functions loop over output pixels, too slow to train"
                    " in the time allowed: vectorise them (im2col or stride tricks plus one matrix product)"
                )
            ),
        )


def _grader_data(ctx, name: str, draw):
    """draw(the reference's train.py): data the grader draws for itself with the course's own
    code (the digits, an adding problem), whatever the student's train.py does."""
    return trusted(
        ctx.reference,
        ("grader data", name),
        lambda impl: draw(sys.modules[impl.function("train_digits_cnn").__module__]),
    )


def _grader_rng(case):
    """The grader's own rng for a run's data: a stream apart from the run's."""
    return np.random.default_rng([GRADER_DATA, case["seed"]])


@check(
    "train_digits_cnn",
    Message(
        "the returned model reaches {digits_threshold:.0%} test accuracy in "
        "{digits_epochs} epochs, as the grader measures it",
        digits_threshold=DIGITS_THRESHOLD,
        digits_epochs=DIGITS_EPOCHS,
    ),
    cases(seed=st.integers(0, 2**16)),
)
def digits_training(ctx, case):
    """The model's accuracy on the whole test split in an order the grader draws, from logits
    that must be digits_cnn's with the model's parameters: a forward that answers by position
    misses in a new order, one that looks images up differs from the network's logits."""
    require_speed(ctx)
    task = "train_digits_cnn"
    result = ctx.call(task, rng=Probe("rng", (case["seed"],)), epochs=DIGITS_EPOCHS, opaque=(2,))
    history, model = _training_result(
        result, task, "test_accuracy", ("loss", "train_accuracy", "test_accuracy"), DIGITS_EPOCHS
    )
    x_test, y_test = _grader_data(ctx, "digits test split", lambda train: train.load_digits_split()[2:])
    order = _grader_rng(case).permutation(len(y_test))
    logits = _measured_output(
        ctx, task, model, x_test[order], "digits_cnn", _digits_model, (len(y_test), 10), np.s_[:PROPERTY_BATCH]
    )
    accuracy = float(np.mean(logits.argmax(axis=1) == y_test[order]))
    if accuracy < DIGITS_THRESHOLD:
        raise CheckFailure(
            Message(
                "the model train_digits_cnn returned after {digits_epochs} epochs (rng seed "
                "{seed}) classifies {accuracy:.4f} of the test images right, as the grader "
                "counts; a correct framework reaches {digits_threshold:.2f} (the reference "
                "0.92-0.98, an untrained digits_cnn about 0.1). Your history's test accuracy by "
                "epoch: {value}",
                digits_epochs=DIGITS_EPOCHS,
                seed=case["seed"],
                accuracy=accuracy,
                digits_threshold=DIGITS_THRESHOLD,
                value=fmt(np.asarray(history["test_accuracy"])),
            ),
            HINT_TRAINING,
        )


@check(
    "train_sequence_model",
    Message(
        "the returned GRU model gets a test MSE below {adding_threshold} on adding problems the grader draws",
        adding_threshold=ADDING_THRESHOLD,
    ),
    cases(seed=st.integers(0, 2**16)),
)
def adding_training(ctx, case):
    """The model's mean squared error on fresh sequences from the grader's rng (no run has seen
    them), from predictions that must be the GRU and head's with the model's parameters: a
    forward that computes the sum of the marked values directly differs from the network's."""
    task = "train_sequence_model"
    result = ctx.call(task, "gru", rng=Probe("rng", (case["seed"],)), log_every=100, opaque=(2,), **ADDING)
    history, model = _training_result(result, task, "test_loss", ("step", "loss", "test_loss"), ADDING["steps"] // 100)
    x, y = _grader_data(
        ctx,
        f"adding problem, seed {case['seed']}",
        lambda train: train.adding_problem(_grader_rng(case), ADDING_SEQUENCES, ADDING["length"]),
    )
    network = Message("GRU(2, {hidden}) followed by Linear({hidden}, 1)", hidden=ADDING_HIDDEN)
    predictions = _measured_output(ctx, task, model, x, network, _adding_model, y.shape, np.s_[:, :PROPERTY_BATCH])
    loss = float(np.mean((predictions - y) ** 2))
    if loss > ADDING_THRESHOLD:
        raise CheckFailure(
            Message(
                "the model train_sequence_model returned after {steps} steps on sequences of "
                "length {length} (rng seed {seed}) has a mean squared error of {loss:.4f} on "
                "{adding_sequences} new sequences the grader drew; a correct framework's GRU "
                "gets below {adding_threshold} (the reference about 0.002; always answering 1 "
                "scores 0.167). Your history's test MSE every 100 steps: {value}",
                steps=ADDING["steps"],
                length=ADDING["length"],
                seed=case["seed"],
                loss=loss,
                adding_sequences=ADDING_SEQUENCES,
                adding_threshold=ADDING_THRESHOLD,
                value=fmt(np.asarray(history["test_loss"])),
            ),
            HINT_TRAINING,
        )


def _measured_output(ctx, task, model, x, network, build, shape, sample):
    """The returned model's forward on x in eval mode, checked to be `network`'s (built by
    build(side)) with the parameters the model's parameters() lists: whatever the forward does,
    the score then comes from the weights. Where the reference network cannot run on the
    model's weights (a student bundle records the reference, it does not hold it), the forward
    is checked instead to be a function of those parameters that its own backward
    differentiates, on x[sample]."""
    student = StudentSide(ctx, task)
    try:
        student.call(model, "eval")
    except StudentError as error:
        raise CheckFailure(
            Message(
                "the third item {task} returns must be the trained model (a Module); calling its "
                "eval() raised an error:\n{report}",
                task=task,
                report=error.report,
            )
        ) from None
    out = student.call(model, "__call__", x)
    validate_array(out, name=N_("the model's output"), dtype=np.float64, shape=shape)
    params = _parameter_list(student, model)
    if isinstance(ctx.reference, RecordedImplementation):
        _differentiates_its_parameters(student, model, params, x[sample], network)
        return out
    reference = TrustedSide(ctx.reference)
    expected_model = build(reference)
    slots = _parameter_list(reference, expected_model)
    if len(params) != len(slots):
        raise CheckFailure(
            Message(
                "the model's parameters() lists {count} parameters; {network} has {count2}",
                count=len(params),
                network=network,
                count2=len(slots),
            )
        )
    for i, (param, slot) in enumerate(zip(params, slots)):
        data = student.get(param, "data")
        validate_array(
            data, name=Message("the data of the model's parameter {i}", i=i), dtype=np.float64, shape=slot.data.shape
        )
        reference.set(slot, "data", data)
    expected = reference.call(reference.call(expected_model, "eval"), "__call__", x)
    try:
        assert_close(out, expected, name=N_("the model's output"))
    except CheckFailure as failure:
        raise CheckFailure(
            Message(
                "the model's predictions are not those of {network} with the model's own "
                "parameters ({message}): the grader measures the trained network, so the model's "
                "forward must compute that network from its weights",
                network=network,
                message=failure.message,
            )
        ) from None
    return out


def _differentiates_its_parameters(student, model, params, x, network):
    """The model's forward on x changes with the parameters its parameters() lists, as its own
    backward says (finite differences along random directions): the score comes from weights."""
    start = {
        f"parameter {i}": _array_of(student.get(p, "data"), Message("parameter {i}'s data", i=i))
        for i, p in enumerate(params)
    }
    out = student.call(model, "__call__", x)
    validate_array(out, name=N_("the model's output"), dtype=np.float64)
    dout = upstream(generator(GRADER_DATA), out.shape)
    student.call(model, "zero_grad")
    student.call(model, "backward", dout)
    analytic = {name: student.get(p, "grad") for name, p in zip(start, params)}

    def loss(**point):
        for name, p in zip(start, params):
            student.set(p, "data", point[name])
        return float(np.sum(student.call(model, "__call__", x) * dout))

    try:
        gradcheck(one_by_one(loss), start, analytic, seed=GRADER_DATA, output=N_("the model's backward"))
        moved = loss(**{name: data + 1e-3 for name, data in start.items()}) != loss(**start)
    finally:
        loss(**start)
    if not moved:
        raise CheckFailure(
            Message(
                "the model's output does not change with its parameters: the grader measures the trained "
                "network, so the model's forward must compute {network} from its weights",
                network=network,
            )
        )


def _training_result(result, task, score, keys, entries):
    """(history, model handle) after checking the form the handout gives; the score the run
    reports must be a number, and nothing more: the grader measures the model itself."""
    if isinstance(result, Foreign) or type(result) is not tuple or len(result) != 3 or type(result[2]) is not Handle:
        raise CheckFailure(
            Message(
                "{task} must return the tuple (history, {score}, model), got {result}",
                task=task,
                score=score,
                result=fmt(result),
            )
        )
    history, reported, model = result
    if type(history) is not dict or any(type(history.get(key)) is not list for key in keys):
        raise CheckFailure(
            Message(
                "history must be a dict of lists with keys {keys}; got {history}",
                keys=", ".join(keys),
                history=fmt(history),
            )
        )
    for key in keys:
        if len(history[key]) != entries:
            raise CheckFailure(
                Message(
                    "history[{key!r}] has {count} entries, expected {entries}",
                    key=key,
                    count=len(history[key]),
                    entries=entries,
                )
            )
    validate_scalar(reported, name=Message("{task}'s {score}", task=task, score=score))
    return history, model
