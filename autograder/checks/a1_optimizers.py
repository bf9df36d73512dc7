"""Checks of a1_optimizers: update rules over several steps, mini-batches, linear regression, schedules."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from autograder.checks.common import defaults_name, leaving_out, pure_function_checks, require_pure, unpack
from autograder.execution.submission import StudentError
from autograder.grading.failure import CheckFailure
from autograder.grading.numeric import rep
from autograder.grading.registry import check
from autograder.grading.strategies import cases, float_dtypes, generator, seeds, shapes, values
from autograder.runtime.language import N_, Message
from autograder.runtime.plain import Foreign, Probe

STEPS = 5
# lr of each step as a factor of the case's lr: a schedule changes it between steps, and state
# kept in another form than torch's (a velocity with lr folded in) only agrees at constant lr
SCHEDULE = (1.0, 0.5, 2.0, 0.25, 1.5)
HINT_BATCH_RNG = N_(
    "your batches differ between two calls given generators made from the same seed: the order "
    "comes from somewhere else than the rng argument (np.random, a generator of your own); draw it "
    "with rng.permutation(n)"
)
HINT_STATE = N_(
    "your state is not plain data (a dict of str -> ndarray/int/float): return a new dict such as"
    " {'m': m, 'v': v, 't': t}"
)

lrs = st.sampled_from([1e-3, 0.01, 0.1, 0.5])
epsilons = st.sampled_from([1e-8, 1e-2, 0.3])
HYPERPARAMETERS = {
    "sgd": dict(lr=lrs, weight_decay=st.sampled_from([0.0, 0.1, 0.5])),
    "momentum": dict(lr=lrs, mu=st.sampled_from([0.1, 0.5, 0.9, 0.99])),
    "nesterov": dict(lr=lrs, mu=st.sampled_from([0.1, 0.5, 0.9, 0.99])),
    "adagrad": dict(lr=lrs, eps=st.sampled_from([1e-10, 1e-2, 0.5])),
    "rmsprop": dict(lr=lrs, alpha=st.sampled_from([0.5, 0.9, 0.99]), eps=epsilons),
    "adadelta": dict(
        lr=st.sampled_from([0.1, 1.0, 2.0]), rho=st.sampled_from([0.5, 0.9, 0.99]), eps=st.sampled_from([1e-6, 1e-2])
    ),
    "adam": dict(lr=lrs, beta1=st.sampled_from([0.5, 0.9]), beta2=st.sampled_from([0.9, 0.999]), eps=epsilons),
    "adamw": dict(
        lr=lrs,
        beta1=st.sampled_from([0.5, 0.9]),
        beta2=st.sampled_from([0.9, 0.999]),
        eps=epsilons,
        weight_decay=st.sampled_from([1e-2, 0.1, 0.5]),
    ),
}


def _problem(case):
    rng = generator(case["seed"])
    w = values(rng, case["shape"], case["dtype"], scale=2.0)
    grads = [values(rng, case["shape"], case["dtype"], scale=2.0, away_from_zero=0.05) for _ in range(STEPS)]
    return w, grads


def _per_step(hyper, scheduled):
    """The hyper-parameters of each step: lr follows SCHEDULE when scheduled."""
    if not scheduled:
        return [hyper] * STEPS
    return [{**hyper, "lr": hyper["lr"] * factor} for factor in SCHEDULE]


def _reference_trajectory(impl, rule, w, grads, steps):
    weights, state = [], {}
    for dw, hyper in zip(grads, steps):
        w, state = impl.run(rule, w, dw, state, **hyper)
        weights.append(w)
    return weights


def _step(ctx, rule, w, dw, state, hyper):
    w_new, state_new = unpack(ctx.call(rule, w, dw, state, **hyper), 2, rule, "(w_new, state_new)")
    if (
        isinstance(state_new, Foreign)
        or type(state_new) is not dict
        or any(isinstance(v, Foreign) for v in state_new.values())
    ):
        raise CheckFailure(
            Message(
                "{rule} returned a state that is not a plain dict: {state_new}", rule=rule, state_new=rep(state_new)
            ),
            HINT_STATE,
        )
    return w_new, state_new


def _rule_checks(rule, hyperparameters):
    rule_cases = cases(shape=shapes(max_dims=2), dtype=float_dtypes, seed=seeds, **hyperparameters)
    plain_cases = cases(shape=shapes(max_dims=2), dtype=float_dtypes, seed=seeds)

    def hyper_of(case):
        return {k: case[k] for k in hyperparameters}

    def trajectory_matches(ctx, case, hyper, *, scheduled=False):
        w, grads = _problem(case)
        steps = _per_step(hyper, scheduled)
        trajectories: dict[int, list] = {}  # one run per implementation, compared step by step

        def trajectory(impl):
            if id(impl) not in trajectories:
                trajectories[id(impl)] = _reference_trajectory(impl, rule, w, grads, steps)
            return trajectories[id(impl)]

        state: dict = {}
        current = w
        for step, (dw, step_hyper) in enumerate(zip(grads, steps)):
            current, state = _step(ctx, rule, current, dw, state, step_hyper)
            where = Message(", lr = {lr:g} at this step", lr=step_hyper["lr"]) if scheduled else ""
            ctx.expect(
                rule,
                current,
                lambda impl, step=step: trajectory(impl)[step],
                name=Message("w after step {step} (starting from state {{}}{where})", step=step + 1, where=where),
            )

    @check(rule, Message("matches the reference over {steps} steps", steps=STEPS), rule_cases)
    def matches(ctx, case):
        trajectory_matches(ctx, case, hyper_of(case))

    @check(
        rule,
        Message("matches the reference while lr changes every step (x {value})", value=", ".join(map(str, SCHEDULE))),
        rule_cases,
    )
    def scheduled(ctx, case):
        trajectory_matches(ctx, case, hyper_of(case), scheduled=True)

    @check(rule, "uses the spec's default hyper-parameters", plain_cases)
    def defaults(ctx, case):
        trajectory_matches(ctx, case, {})

    @check(rule, "leaves w, dw and state unchanged", rule_cases, pays_alone=False)
    def pure(ctx, case):
        w, grads = _problem(case)
        state: dict = {}
        for dw in grads[:3]:
            w, state = _step(ctx, rule, w, dw, state, hyper_of(case))
            require_pure(ctx, rule)


for _rule, _hyperparameters in HYPERPARAMETERS.items():
    _rule_checks(_rule, _hyperparameters)

# ---- minibatch_indices -------------------------------------------------------------------------

batch_cases = cases(
    n=st.integers(0, 20), batch_size=st.integers(1, 7), shuffle=st.booleans(), drop_last=st.booleans(), seed=seeds
)


def _batches_args(case):
    rng = Probe("rng", (case["seed"],)) if case["shuffle"] else None
    return (case["n"], case["batch_size"]), dict(shuffle=case["shuffle"], drop_last=case["drop_last"], rng=rng)


def _batches_match(make):
    def matches(ctx, case):
        args, kwargs = make(case)
        got = ctx.call("minibatch_indices", *args, **kwargs)
        ctx.expect(
            "minibatch_indices", got, lambda impl: list(impl.run("minibatch_indices", *args, **kwargs)), name="batches"
        )

    return matches


check("minibatch_indices", "matches the reference", batch_cases)(_batches_match(_batches_args))
check(
    "minibatch_indices",
    defaults_name(("shuffle", "drop_last")),
    cases(
        n=st.integers(0, 20), batch_size=st.integers(1, 7), shuffle=st.just(True), drop_last=st.just(False), seed=seeds
    ),
)(_batches_match(leaving_out(_batches_args, ("shuffle", "drop_last"))))


@check(
    "minibatch_indices",
    "raises ValueError when shuffling without rng",
    cases(n=st.integers(1, 10), batch_size=st.integers(1, 4)),
    pays_alone=False,
)
def batches_need_rng(ctx, case):
    try:
        ctx.call("minibatch_indices", case["n"], case["batch_size"], shuffle=True, rng=None)
    except StudentError as error:
        if error.kind == "ValueError":
            return
        raise CheckFailure(
            Message("shuffle=True without rng raised {kind}, expected ValueError", kind=error.kind)
        ) from None
    raise CheckFailure(N_("shuffle=True without rng returned normally; it must raise ValueError"))


@check(
    "minibatch_indices",
    "shuffles with rng alone",
    cases(n=st.integers(8, 20), batch_size=st.integers(1, 7), seed=seeds),
    pays_alone=False,
)
def batches_from_rng(ctx, case):
    def batches():
        got = ctx.call(
            "minibatch_indices", case["n"], case["batch_size"], shuffle=True, rng=Probe("rng", (case["seed"],))
        )
        return [rep(batch) for batch in got] if type(got) is list else rep(got)

    if batches() != batches():
        raise CheckFailure(
            N_("two calls with generators made from the same seed gave different batches"), HINT_BATCH_RNG
        )


# ---- fit_linear_regression ---------------------------------------------------------------------

REGRESSION_FIELDS = dict(
    n=st.integers(1, 12),
    d=st.integers(1, 3),
    targets=st.sampled_from([None, 1, 2]),
    batch_size=st.sampled_from([None, 1, 3]),
    epochs=st.integers(1, 4),
    lr=st.sampled_from([0.01, 0.05]),
    optimizer=st.sampled_from(["plain_sgd", "heavy_ball"]),
    dtype=float_dtypes,
    seed=seeds,
)
regression_cases = cases(**REGRESSION_FIELDS)


def _regression_args(case):
    rng = generator(case["seed"])
    X = values(rng, (case["n"], case["d"]), case["dtype"])
    y_shape = (case["n"],) if case["targets"] is None else (case["n"], case["targets"])
    y = values(rng, y_shape, case["dtype"])
    return (X, y), dict(
        batch_size=case["batch_size"],
        epochs=case["epochs"],
        lr=case["lr"],
        rng=Probe("rng", (case["seed"] + 1,)),
        optimizer=Probe(case["optimizer"]),
    )


def _as_float64(losses):
    """float32 or float64 losses as float64; anything else as it is, for the comparison to name."""
    if type(losses) is np.ndarray and losses.dtype in (np.float32, np.float64):
        return losses.astype(np.float64)
    return losses


def _regression_matches(make):
    def matches(ctx, case):
        args, kwargs = make(case)
        theta, losses = unpack(
            ctx.call("fit_linear_regression", *args, **kwargs), 2, "fit_linear_regression", "(theta, losses)"
        )
        ctx.expect(
            "fit_linear_regression",
            theta,
            lambda impl: impl.run("fit_linear_regression", *args, **kwargs)[0],
            name="theta",
        )
        # losses are scalars: float32 or float64 either way, compared at the data's precision
        ctx.expect(
            "fit_linear_regression",
            _as_float64(losses),
            lambda impl: _as_float64(impl.run("fit_linear_regression", *args, **kwargs)[1]),
            name="losses",
            precision=args[0].dtype,
        )

    return matches


check("fit_linear_regression", "matches the reference", regression_cases)(_regression_matches(_regression_args))
check(
    "fit_linear_regression",
    defaults_name(("batch_size", "optimizer")),
    cases(**{**REGRESSION_FIELDS, "batch_size": st.just(None), "optimizer": st.just("plain_sgd")}),
)(_regression_matches(leaving_out(_regression_args, ("batch_size", "optimizer"))))


@check("fit_linear_regression", "leaves X and y unchanged", regression_cases, pays_alone=False)
def regression_pure(ctx, case):
    args, kwargs = _regression_args(case)
    ctx.call("fit_linear_regression", *args, **kwargs)
    require_pure(ctx, "fit_linear_regression")


# ---- schedules ----------------------------------------------------------------------------------

lr0s = st.sampled_from([0.1, 1.0, 3e-4])
SCHEDULES = {
    "step_lr": (
        cases(lr0=lr0s, epoch=st.integers(0, 30), step_size=st.integers(1, 10), gamma=st.sampled_from([0.1, 0.5, 0.9])),
        lambda c: ((c["lr0"], c["epoch"], c["step_size"]), {"gamma": c["gamma"]}),
    ),
    "exponential_lr": (
        cases(lr0=lr0s, epoch=st.integers(0, 30), gamma=st.sampled_from([0.5, 0.9, 0.99])),
        lambda c: ((c["lr0"], c["epoch"], c["gamma"]), {}),
    ),
    "cosine_annealing_lr": (
        cases(lr0=lr0s, t=st.integers(0, 50), t_max=st.integers(1, 20), eta_min=st.sampled_from([0.0, 1e-3])),
        lambda c: ((c["lr0"], c["t"], c["t_max"]), {"eta_min": c["eta_min"]}),
    ),
    "linear_warmup_lr": (
        cases(lr0=lr0s, t=st.integers(0, 30), warmup_steps=st.integers(-1, 10)),
        lambda c: ((c["lr0"], c["t"], c["warmup_steps"]), {}),
    ),
}
SCHEDULE_DEFAULTS = {"step_lr": ("gamma",), "cosine_annealing_lr": ("eta_min",)}
for _task, (_cases, _make) in SCHEDULES.items():
    pure_function_checks(_task, _cases, _make, names=("lr",), defaults=SCHEDULE_DEFAULTS.get(_task, ()))
