"""Checks of a3_regularization: weight penalties, dropout, batch and layer norm, early stopping
and k-fold cross-validation.

Dropout is random, so it is graded by properties that any correct mask recipe has: every entry
is 0 or x / (1 - p); the number of kept entries, and the agreements between entries a fixed
shift apart (across rows, across columns, and between the masks of two calls), are sums of
independent bits, accepted within Hoeffding intervals (autograder/grading/stats.py); the backward uses the
forward's own mask, read off the forward's output (inputs are kept away from 0 so that a kept
entry is never 0); evaluation mode and p = 0 are the identity, p = 1 gives zeros; and the rng
argument alone decides the mask.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from autograder.checks.common import forward_backward_checks, require_pure, unpack
from autograder.execution.submission import Call, StudentError
from autograder.grading import stats
from autograder.grading.failure import CheckFailure, hint_on_failure
from autograder.grading.numeric import assert_close, fmt, gradcheck, rep, validate_array, validate_scalar
from autograder.grading.registry import check
from autograder.grading.strategies import cases, float_dtypes, generator, seeds, shapes, upstream, values
from autograder.runtime.language import N_, Message, _
from autograder.runtime.plain import Foreign, Probe

HINT_UNSCALED = N_(
    "your kept entries are not scaled: inverted dropout divides every kept entry by (1 - p), out "
    "= x * mask / (1 - p), so that the expected output equals x"
)
HINT_KEEP_PROBABILITY = N_(
    "you treat p as the probability of keeping an entry (CS231n's convention): p is the "
    "probability of dropping it (PyTorch's), so keep each entry with probability 1 - p (mask = "
    "rng.random(x.shape) >= p) and scale kept entries by 1 / (1 - p)"
)
HINT_SHARED_MASK = N_(
    "your mask is shared across the batch (drawn with the shape of one example): every entry "
    "of x needs its own draw, rng.random(x.shape)"
)
HINT_EVAL = N_(
    "your dropout changes x in evaluation mode (train=False): there dropout is the identity, so "
    "return a copy of x and drop nothing"
)
HINT_P_ONE = N_(
    "your dropout with p = 1 does not return zeros (x / (1 - p) divides by zero): every entry is "
    "dropped, so return zeros"
)
HINT_RNG = N_(
    "your mask does not come from the rng argument alone (np.random's global functions or a "
    "generator of your own): draw it with rng.random(x.shape), so that the same rng gives the "
    "same mask"
)
HINT_FRESH_MASK = N_(
    "your backward does not use the forward's mask (it draws a new one, or none): keep the "
    "mask in the cache and return dout * mask / (1 - p)"
)
HINT_BACKWARD_UNSCALED = N_(
    "your backward masks dout but does not scale it: the forward multiplies kept entries by "
    "1 / (1 - p), so dx = dout * mask / (1 - p)"
)
HINT_BACKWARD_REPEATABLE = N_(
    "your backward is not a fixed function of dout and its cache (it draws at random or changes "
    "the cache): take the mask from the cache and leave the cache unchanged"
)
HINT_FOLD_SIZES = N_(
    "your fold sizes are not sklearn's KFold's: the first n % k folds have n // k + 1 entries, "
    "the others n // k (np.array_split gives the same sizes)"
)
HINT_PERMUTATION = N_(
    "your shuffled folds do not follow order = rng.permutation(n): permute once with "
    "rng.permutation(n) (no other rng draw), then cut order into consecutive folds and sort each "
    "fold's indices"
)

# A correct dropout fails a statistical test with probability at most STAT_FAILURE (a test of
# agreements covers every shift at once). A check runs at most 3 such tests per case on at most
# 25 cases (the full profile), so by the union bound a correct dropout loses a check with
# probability at most 7.5e-8, and all of a3's statistical checks together stay far below 1e-6.
STAT_FAILURE = 1e-9

# ---- penalties ------------------------------------------------------------------------------

penalty_cases = cases(
    shapes=st.lists(shapes(max_dims=3, max_side=4), min_size=1, max_size=3),
    lam=st.sampled_from([1e-3, 0.1, 0.5, 2.0]),
    dtype=float_dtypes,
    seed=seeds,
)


def _weights(case):
    rng = generator(case["seed"])
    weights = [values(rng, shape, case["dtype"], scale=2.0, away_from_zero=0.05) for shape in case["shapes"]]
    for W in weights:
        W[rng.random(W.shape) < 0.25] = 0  # exact zeros, where l1's subgradient is 0
    return weights


def _penalty(ctx, task, weights, lam):
    return unpack(ctx.call(task, weights, lam), 2, task, "(loss, grads)")


def _penalty_checks(task):
    @check(task, "matches the reference", penalty_cases)
    def matches(ctx, case):
        weights = _weights(case)
        loss, grads = _penalty(ctx, task, weights, case["lam"])
        ctx.expect(
            task,
            loss,
            lambda impl: impl.run(task, weights, case["lam"])[0],
            name="loss",
            precision=np.dtype(case["dtype"]),
        )
        ctx.expect(task, grads, lambda impl: impl.run(task, weights, case["lam"])[1], name="grads")

    @check(task, "gradient agrees with finite differences of your loss", penalty_cases, pays_alone=False)
    def gradient(ctx, case):
        weights = _weights({**case, "dtype": "float64"})
        names = [f"W{i}" for i in range(len(weights))]
        _, grads = _penalty(ctx, task, weights, case["lam"])
        if isinstance(grads, Foreign) or type(grads) not in (list, tuple) or len(grads) != len(weights):
            raise CheckFailure(
                Message(
                    "{task} must return a list of {count} gradients, one per weight array, got {value}",
                    task=task,
                    count=len(weights),
                    value=grads.description if isinstance(grads, Foreign) else fmt(grads),
                )
            )

        def losses(points):
            for result in ctx.call_many(
                [Call(task, ([point[name] for name in names], case["lam"])) for point in points]
            ):
                yield validate_scalar(unpack(result, 2, task, "(loss, grads)")[0], name="loss")

        gradcheck(
            losses,
            dict(zip(names, weights)),
            dict(zip(names, grads)),
            seed=case["seed"],
            output=Message("the gradient of your {task}", task=task),
        )

    @check(task, "leaves the weights unchanged", penalty_cases, pays_alone=False)
    def pure(ctx, case):
        _penalty(ctx, task, _weights(case), case["lam"])
        require_pure(ctx, task)


for _task in ("l2_penalty", "l1_penalty"):
    _penalty_checks(_task)

# ---- dropout --------------------------------------------------------------------------------

drop_probabilities = st.sampled_from([0.1, 0.25, 0.5, 0.75, 0.9])
dropout_cases = cases(shape=shapes(max_dims=3), p=drop_probabilities, dtype=float_dtypes, seed=seeds)
# large enough that every statistical test below separates the known mistakes from 1 - p
dropout_sample_cases = cases(
    shape=st.sampled_from([(400, 25), (200, 50), (100, 20, 5)]), p=drop_probabilities, dtype=float_dtypes, seed=seeds
)


def _dropout_input(case):
    # |x| >= 0.25 * 2: a kept entry x / (1 - p) is never 0, so out != 0 is the forward's mask
    return values(generator(case["seed"]), case["shape"], case["dtype"], scale=2.0, away_from_zero=0.25)


def _dropout(ctx, x, p, *, train, seed):
    """The student's dropout_forward(x, p, train=train, rng=default_rng(seed)) as (out, cache)."""
    return _dropout_outputs(next(ctx.call_many([_dropout_call(x, p, train=train, seed=seed)])), x)


def _dropout_call(x, p, *, train, seed) -> Call:
    return Call("dropout_forward", (x, p), {"train": train, "rng": Probe("rng", (seed,))}, (1,))


def _dropout_outputs(result, x):
    """(out, cache) of what dropout_forward returned for x."""
    out, cache = unpack(result, 2, "dropout_forward", "(out, cache)")
    validate_array(out, name="out", dtype=x.dtype, shape=x.shape, finite=False)
    return out, cache


def _require_finite(out, name, hint=None):
    with hint_on_failure(hint):
        validate_array(out, name=name)


def _scale_hint(x, out, p):
    """The hint naming the scale of the kept entries, when it is a known wrong one."""
    kept = out != 0
    if not kept.any():
        return None
    ratios = out[kept].astype(np.float64) / x[kept]
    for scale, hint in ((1.0, HINT_UNSCALED), (1 / p, HINT_KEEP_PROBABILITY)):
        if np.allclose(ratios, scale, rtol=1e-5):
            return hint
    return None


def kept_entries(x, out, p, what):
    """The mask of out, after checking that every entry is 0 or x / (1 - p)."""
    _require_finite(out, what)
    kept_value = x.astype(np.float64) / (1 - p)
    rtol = 1e-12 if x.dtype == np.float64 else 1e-6  # a few roundings of x / (1 - p)
    bad = (out != 0) & (np.abs(out - kept_value) > rtol * np.abs(kept_value))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise CheckFailure(
            Message(
                "{what}{where} is {value} for x{where} = {value2} and p = {p}: every entry must "
                "be 0 (dropped) or x / (1 - p) = {value3} (kept); {value4} of {size} entries are "
                "neither",
                what=what,
                where=list(where),
                value=fmt(out[where]),
                value2=fmt(x[where]),
                p=p,
                value3=fmt(kept_value[where]),
                value4=int(bad.sum()),
                size=out.size,
            ),
            _scale_hint(x, out, p),
        )
    return out != 0


@check("dropout_forward", "sets each entry to 0 or x / (1 - p)", dropout_cases, pays_alone=False)
def dropout_entries(ctx, case):
    x = _dropout_input(case)
    out, _ = _dropout(ctx, x, case["p"], train=True, seed=case["seed"] + 1)
    kept_entries(x, out, case["p"], "out")


@check("dropout_forward", "keeps a fraction 1 - p of the entries, each drawn independently", dropout_sample_cases)
def dropout_statistics(ctx, case):
    x, p = _dropout_input(case), case["p"]
    masks = [kept_entries(x, _dropout(ctx, x, p, train=True, seed=case["seed"] + k)[0], p, "out") for k in (1, 3)]
    check_mask_statistics(masks[1], p, previous=masks[0])


def _offset(shift, calls=False) -> str:
    a, b = (int(v) for v in shift)
    if calls:
        return _("entry [i, j] of the first call's mask and entry [i{a:+d}, j{b:+d}] of the second's").format(a=a, b=b)
    if b == 0:
        return _("entries {a} rows apart in one column").format(a=a)
    return (
        _("entries {b} columns apart in one row").format(b=b)
        if a == 0
        else _("entries [i, j] and [i{a:+d}, j{b:+d}]").format(a=a, b=b)
    )


def _require_independent(kept, p, previous=None):
    """Agreements at every shift within kept (2-D), or between previous and kept."""
    chance = p**2 + (1 - p) ** 2
    shifts, agree, pairs = stats.shift_agreements(
        kept if previous is None else previous, None if previous is None else kept
    )
    low, high = stats.agreement_bounds(pairs, chance, STAT_FAILURE, within=previous is None)
    worst = stats.farthest_outside(agree, low, high)
    if worst is None:
        return
    shared = previous is None and bool(np.all(kept == kept[:1]))
    raise CheckFailure(
        Message(
            "your masks are not drawn independently: {value} (viewed as {value2} rows of "
            "{value3}) agree, both kept or both dropped, in {value4} of {value5} pairs "
            "({value6:.3f}); for entries dropped independently with p = {p} the agreement "
            "lies in [{value7:.0f}, {value8:.0f}] (probability {chance:g} per pair) at every "
            "offset{value9}, except with probability below {stat_failure:g}",
            value=_offset(shifts[worst], previous is not None),
            value2=kept.shape[0],
            value3=kept.shape[1],
            value4=agree[worst],
            value5=pairs[worst],
            value6=agree[worst] / pairs[worst],
            p=p,
            value7=max(low[worst], 0),
            value8=high[worst],
            chance=chance,
            value9=_(" between the calls") if previous is not None else "",
            stat_failure=STAT_FAILURE,
        ),
        HINT_SHARED_MASK if shared else None,
    )


def check_mask_statistics(kept, p, *, previous=None):
    """CheckFailure unless the boolean mask kept (at least 2-D) looks like independent draws
    that keep each entry with probability 1 - p: independent between rows and columns, of the
    mask previous (kept's shape) of an earlier call when given, and in the right number. A
    correct mask fails with probability at most 3 * STAT_FAILURE."""
    rows = kept.reshape(kept.shape[0], -1)
    # independence first (its failure says more than the count's): two entries dropped
    # independently agree with probability p^2 + (1 - p)^2, at every shift within the mask and
    # between two calls' masks
    _require_independent(rows, p)
    if previous is not None:
        _require_independent(rows, p, previous.reshape(rows.shape))
    # the number of kept entries is Binomial(x.size, 1 - p) for any correct recipe
    low, high = stats.count_interval(kept.size, 1 - p, STAT_FAILURE)
    count = int(kept.sum())
    if not low <= count <= high:
        raise CheckFailure(
            Message(
                "you kept {count} of {size} entries ({value:.3f}) for p = {p}: with each entry "
                "kept independently with probability 1 - p = {value2:g}, the count lies in "
                "[{low:.0f}, {high:.0f}] except with probability below {stat_failure:g}",
                count=count,
                size=kept.size,
                value=count / kept.size,
                p=p,
                value2=1 - p,
                low=low,
                high=high,
                stat_failure=STAT_FAILURE,
            ),
            HINT_KEEP_PROBABILITY if abs(count / kept.size - p) < abs(count / kept.size - (1 - p)) else None,
        )


@check("dropout_forward", "is the identity in evaluation mode and for p = 0", dropout_cases, pays_alone=False)
def dropout_identity(ctx, case):
    x = _dropout_input(case)
    for p, train in ((case["p"], False), (0.0, True)):
        out, _ = _dropout(ctx, x, p, train=train, seed=case["seed"] + 1)
        if not np.array_equal(out, x):
            where = tuple(int(i) for i in np.argwhere(out != x)[0])
            raise CheckFailure(
                Message(
                    "with p = {p} and train={train} out must be a copy of x, but out{where} is "
                    "{value} where x{where} is {value2}",
                    p=p,
                    train=train,
                    where=list(where),
                    value=fmt(out[where]),
                    value2=fmt(x[where]),
                ),
                HINT_EVAL if not train else None,
            )


@check("dropout_forward", "drops every entry for p = 1", dropout_cases, pays_alone=False)
def dropout_all(ctx, case):
    x = _dropout_input(case)
    out, _ = _dropout(ctx, x, 1.0, train=True, seed=case["seed"] + 1)
    _require_finite(out, "out", HINT_P_ONE)
    if np.any(out != 0):
        raise CheckFailure(
            Message(
                "with p = 1 every entry must be 0, but {value} of {size} are not",
                value=int(np.sum(out != 0)),
                size=out.size,
            ),
            HINT_P_ONE,
        )


@check("dropout_forward", "draws its mask from rng alone", dropout_sample_cases, pays_alone=False)
def dropout_rng(ctx, case):
    x = _dropout_input(case)
    first, _ = _dropout(ctx, x, case["p"], train=True, seed=case["seed"] + 1)
    again, _ = _dropout(ctx, x, case["p"], train=True, seed=case["seed"] + 1)
    if not np.array_equal(first, again, equal_nan=True):
        raise CheckFailure(N_("two calls with generators made from the same seed gave different masks"), HINT_RNG)
    # a correct dropout gives two seeds the same mask with chance (p^2 + (1 - p)^2)^size < 1e-800
    other, _ = _dropout(ctx, x, case["p"], train=True, seed=case["seed"] + 2)
    if np.array_equal(first, other, equal_nan=True):
        raise CheckFailure(N_("generators made from two different seeds gave the same mask"), HINT_RNG)


@check("dropout_forward", "leaves its inputs unchanged", dropout_cases, pays_alone=False)
def dropout_pure(ctx, case):
    _dropout(ctx, _dropout_input(case), case["p"], train=True, seed=case["seed"] + 1)
    require_pure(ctx, "dropout_forward")


def _dropout_backward(ctx, case, p, train):
    """x, out, dout and dx of one forward and backward of the student's dropout."""
    x = _dropout_input(case)
    out, cache = _dropout(ctx, x, p, train=train, seed=case["seed"] + 1)
    dout = upstream(generator(case["seed"] + 2), x.shape, x.dtype)
    dx = ctx.call("dropout_backward", dout, cache)
    validate_array(dx, name="dx", dtype=x.dtype, shape=x.shape)
    return x, out, dout, dx, cache


@check("dropout_backward", "uses the forward's mask: dx = dout * mask / (1 - p)", dropout_cases)
def dropout_backward_mask(ctx, case):
    p = case["p"]
    x, out, dout, dx, _ = _dropout_backward(ctx, case, p, True)
    _require_finite(out, N_("the forward's out"))
    kept = out != 0  # whatever your forward's scale: graded in dropout_forward
    if not np.array_equal(dx != 0, kept):
        where = tuple(int(i) for i in np.argwhere((dx != 0) != kept)[0])
        raise CheckFailure(
            Message(
                "dx{where} is {value} where your forward {value2} the entry (out{where} = {value3})",
                where=list(where),
                value=fmt(dx[where]),
                value2="kept" if kept[where] else "dropped",
                value3=fmt(out[where]),
            ),
            HINT_FRESH_MASK,
        )
    expected = np.where(kept, dout / (1 - p), 0).astype(x.dtype)
    unscaled = np.where(kept, dout, 0).astype(x.dtype)
    hint = HINT_BACKWARD_UNSCALED if np.allclose(dx, unscaled, rtol=1e-5, atol=0) else None
    with hint_on_failure(hint):
        assert_close(dx, expected, name="dx")


@check(
    "dropout_backward",
    "passes dout through in evaluation mode and for p = 0, zeros for p = 1",
    dropout_cases,
    pays_alone=False,
)
def dropout_backward_special(ctx, case):
    for p, train in ((case["p"], False), (0.0, True), (1.0, True)):
        _, _, dout, dx, _ = _dropout_backward(ctx, case, p, train)
        expected = np.zeros_like(dout) if p == 1 else dout
        if not np.array_equal(dx, expected):
            raise CheckFailure(
                Message(
                    "with p = {p} and train={train} dx must be {value}; yours {dx}, dout {dout}",
                    p=p,
                    train=train,
                    value="zeros" if p == 1 else "dout",
                    dx=fmt(dx),
                    dout=fmt(dout),
                ),
                HINT_P_ONE if p == 1 else None,
            )


@check("dropout_backward", "agrees with finite differences of your forward", dropout_cases, pays_alone=False)
def dropout_backward_gradcheck(ctx, case):
    case = {**case, "dtype": "float64"}
    x, _, dout, dx, _ = _dropout_backward(ctx, case, case["p"], True)

    def losses(points):
        # the same seed gives the same mask, so the forward is a fixed linear map of x
        calls = [_dropout_call(point["x"], case["p"], train=True, seed=case["seed"] + 1) for point in points]
        for point, result in zip(points, ctx.call_many(calls)):
            out, _ = _dropout_outputs(result, point["x"])
            yield float(np.sum(out * dout))

    gradcheck(losses, {"x": x}, {"x": dx}, seed=case["seed"], output=N_("your dropout_backward"))


@check("dropout_backward", "leaves dout and its cache unchanged", dropout_cases, pays_alone=False)
def dropout_backward_pure(ctx, case):
    _, _, dout, dx, cache = _dropout_backward(ctx, case, case["p"], True)
    require_pure(ctx, "dropout_backward")
    if not np.array_equal(ctx.call("dropout_backward", dout, cache), dx):
        raise CheckFailure(
            N_("dropout_backward gave a different result when called again with the same dout and cache"),
            HINT_BACKWARD_REPEATABLE,
        )


# ---- batch norm -----------------------------------------------------------------------------

BATCHNORM_RETURNS = ("out", "cache", "new_running_mean", "new_running_var")
momenta = st.sampled_from(["default", 0.3, 0.9])  # not 0.5, where Keras' convention is torch's
epsilons = st.sampled_from(["default", 1e-3, 0.1])


def _norm_kwargs(case):
    """The keyword arguments a case sets ("default" leaves the spec's default in place)."""
    return {k: case[k] for k in ("momentum", "eps") if k in case and case[k] != "default"}


def _batchnorm_make(shape):
    """make(case) for batch norm of x of shape(case), channels on axis 1."""

    def make(case):
        rng = generator(case["seed"])
        size = shape(case)
        channels = size[1]
        # an offset per channel, so the mean matters and differs from the running mean
        offset = values(rng, (1, channels) + (1,) * (len(size) - 2), case["dtype"], scale=3.0)
        inputs = {
            "x": values(rng, size, case["dtype"], scale=2.0) + offset,
            "gamma": values(rng, (channels,), case["dtype"], scale=2.0, away_from_zero=0.1),
            "beta": values(rng, (channels,), case["dtype"]),
        }
        kwargs = {
            "running_mean": values(rng, (channels,), case["dtype"], scale=2.0),
            "running_var": rng.uniform(0.5, 2.0, channels).astype(case["dtype"]),
            "train": case["train"],
            **_norm_kwargs(case),
        }
        return inputs, kwargs

    return make


def _float32_ok(reduced: int, case) -> bool:
    """Whether float32 can give a normalisation's dx over `reduced` values per statistic.

    dx cancels terms of size |dout * gamma| / std down to its own size: over 2 values it is
    eps / var times smaller than those terms, over 3 it is small whenever dout happens to lie
    near the span of 1 and xhat. float32 rounding (1e-7) of those terms then exceeds float32's
    tolerance for any correct implementation, so float32 cases reduce over at least 4 values."""
    return case["dtype"] != "float32" or reduced >= 4


def _batchnorm_graded(case, reduced: int) -> bool:
    """Training needs two values per channel (one raises ValueError, checked on its own)."""
    return not case["train"] or reduced > 1 and _float32_ok(reduced, case)


batchnorm_cases = cases(
    n=st.integers(1, 6),
    d=st.integers(1, 5),
    train=st.booleans(),
    momentum=momenta,
    eps=epsilons,
    dtype=float_dtypes,
    seed=seeds,
).filter(lambda c: _batchnorm_graded(c, c["n"]))
spatial_cases = cases(
    shape=st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3)),
    train=st.booleans(),
    momentum=momenta,
    eps=epsilons,
    dtype=float_dtypes,
    seed=seeds,
).filter(lambda c: _batchnorm_graded(c, c["shape"][0] * c["shape"][2] * c["shape"][3]))

forward_backward_checks(
    "batchnorm_forward",
    "batchnorm_backward",
    batchnorm_cases,
    _batchnorm_make(lambda c: (c["n"], c["d"])),
    returns=BATCHNORM_RETURNS,
    graded_outputs=1,
    defaults=("momentum", "eps"),
)
forward_backward_checks(
    "spatial_batchnorm_forward",
    "spatial_batchnorm_backward",
    spatial_cases,
    _batchnorm_make(lambda c: c["shape"]),
    returns=BATCHNORM_RETURNS,
    graded_outputs=1,
    defaults=("momentum", "eps"),
)


def _single_value_check(task, shape_of):
    @check(
        task,
        "raises ValueError in training with one value per channel",
        cases(channels=st.integers(1, 4), dtype=float_dtypes, seed=seeds),
        pays_alone=False,
    )
    def single_value(ctx, case):
        inputs, kwargs = _batchnorm_make(lambda c: shape_of(c["channels"]))({**case, "train": True})
        try:
            ctx.call(task, *inputs.values(), opaque=(1,), **kwargs)
        except StudentError as error:
            if error.kind == "ValueError":
                return
            raise CheckFailure(
                Message(
                    "training on x of shape {shape} raised {kind}, expected ValueError (the batch "
                    "variance of a single value is undefined)",
                    shape=inputs["x"].shape,
                    kind=error.kind,
                )
            ) from None
        raise CheckFailure(
            Message(
                "training on x of shape {shape} returned normally; with one value per channel it "
                "must raise ValueError, as torch does",
                shape=inputs["x"].shape,
            )
        )


_single_value_check("batchnorm_forward", lambda channels: (1, channels))
_single_value_check("spatial_batchnorm_forward", lambda channels: (1, channels, 1, 1))

# ---- layer norm -----------------------------------------------------------------------------


def _layernorm_make(case):
    rng = generator(case["seed"])
    shape = case["shape"]
    x = values(rng, shape, case["dtype"], scale=2.0) + values(rng, shape[:-1] + (1,), case["dtype"], scale=3.0)
    inputs = {
        "x": x,
        "gamma": values(rng, shape[-1:], case["dtype"], scale=2.0, away_from_zero=0.1),
        "beta": values(rng, shape[-1:], case["dtype"]),
    }
    return inputs, _norm_kwargs(case)


forward_backward_checks(
    "layernorm_forward",
    "layernorm_backward",
    cases(shape=shapes(min_dims=2, max_dims=4, max_side=5), eps=epsilons, dtype=float_dtypes, seed=seeds).filter(
        lambda c: _float32_ok(c["shape"][-1], c)
    ),
    _layernorm_make,
    defaults=("eps",),
)

# ---- early stopping -------------------------------------------------------------------------

# Quarter steps from a few starts: plateaus (step 0) and ties with min_delta (a step of exactly
# min_delta) are frequent, and every comparison is exact in floating point.
metric_sequences = st.tuples(
    st.sampled_from([0.0, 1.0, -2.5]),
    st.lists(st.sampled_from([-1.0, -0.5, -0.25, 0.0, 0.0, 0.25, 0.5, 1.0]), min_size=1, max_size=12),
).map(lambda start_steps: [float(v) for v in np.cumsum([start_steps[0], *start_steps[1]])])
stopping_cases = cases(
    patience=st.integers(0, 4),
    min_delta=st.sampled_from([0.0, 0.25, 0.5, -0.25, 0.1]),
    mode=st.sampled_from(["min", "max"]),
    values=metric_sequences,
)
STOPPING_FIELDS = ("stop", "best", "best_epoch", "num_bad_epochs")


def _record(stop, best, best_epoch, num_bad_epochs):
    """One row of a trace, checked for type and made comparable (None for stop before any step)."""
    if stop is not None and type(stop) not in (bool, np.bool_):
        raise CheckFailure(Message("step must return True or False, got {stop}", stop=rep(stop)))
    if isinstance(best, Foreign) or type(best) not in (int, float) and not isinstance(best, (np.floating, np.integer)):
        raise CheckFailure(Message("best must be a number, got {best}", best=rep(best)))
    for name, value in (("best_epoch", best_epoch), ("num_bad_epochs", num_bad_epochs)):
        if (value is not None or name == "num_bad_epochs") and (
            type(value) is bool or not isinstance(value, (int, np.integer))
        ):
            raise CheckFailure(
                Message("{name} must be None or an int, got {got}", name=name, got=rep(value))
                if name == "best_epoch"
                else Message("{name} must be an int, got {got}", name=name, got=rep(value))
            )
    return (
        None if stop is None else bool(stop),
        float(best),
        None if best_epoch is None else int(best_epoch),
        int(num_bad_epochs),
    )


def _trace(impl, kwargs, sequence):
    """The records of an implementation's EarlyStopping: before any step, then after each step."""
    stopper = impl.run("EarlyStopping", **kwargs)

    def attributes():
        return stopper.best, stopper.best_epoch, stopper.num_bad_epochs

    trace = [_record(None, *attributes())]
    for value in sequence:
        stop = stopper.step(value)
        trace.append(_record(stop, *attributes()))
    return trace


def _student_records(ctx, kwargs, sequence):
    """The student's records, one at a time (a wrong type is reported at its step)."""
    (handle,) = unpack(ctx.call("EarlyStopping", opaque=(0,), **kwargs), 1, "EarlyStopping", N_("an instance"))
    reads = [Call("EarlyStopping", (handle, name), method="__getattribute__") for name in STOPPING_FIELDS[1:]]
    calls = list(reads)
    for value in sequence:
        calls += [Call("EarlyStopping", (handle, value), method="step"), *reads]
    values = ctx.call_many(calls)  # all in one message: no call depends on what another returns

    def attributes():
        return tuple(next(values) for _ in reads)

    yield _record(None, *attributes())
    for _value in sequence:
        stop = next(values)
        yield _record(stop, *attributes())


def _trace_hint(ctx, kwargs, sequence, records, expected):
    """The hint of the first known mistake whose records so far are the student's."""
    step = len(records)
    for known, implementation in ctx.mistakes("EarlyStopping"):
        try:
            wrong = _trace(implementation, kwargs, sequence)[:step]
        except Exception:  # noqa: BLE001 - a mistake that raises is not this one
            continue
        if wrong == records and wrong != expected[:step]:
            return known.hint
    return None


def _compare_traces(ctx, kwargs, sequence):
    expected = _trace(ctx.reference, kwargs, sequence)
    records = []
    call = "EarlyStopping(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"
    for step, record in enumerate(_student_records(ctx, kwargs, sequence)):
        records.append(record)
        if record == expected[step]:
            continue
        field = next(i for i in range(4) if record[i] != expected[step][i])
        if step == 0:
            where = _("before the first step")
        else:
            where = _("fed {sequence}: after the step with index {index} (value {value!r})").format(
                sequence=sequence[:step], index=step - 1, value=sequence[step - 1]
            )
        what = _("step returned") if field == 0 else _("{field} is").format(field=STOPPING_FIELDS[field])
        raise CheckFailure(
            Message(
                "{call} {where}, {what} {value!r}, expected {value2!r}",
                call=call,
                where=where,
                what=what,
                value=record[field],
                value2=expected[step][field],
            ),
            _trace_hint(ctx, kwargs, sequence, records, expected),
        )


@check("EarlyStopping", "matches the reference step by step", stopping_cases)
def stopping_matches(ctx, case):
    _compare_traces(ctx, {k: case[k] for k in ("patience", "min_delta", "mode")}, case["values"])


@check(
    "EarlyStopping", "uses the spec's defaults (patience=5, min_delta=0, mode='min')", cases(values=metric_sequences)
)
def stopping_defaults(ctx, case):
    _compare_traces(ctx, {}, case["values"])


# ---- k-fold cross-validation ----------------------------------------------------------------

kfold_sizes = st.integers(2, 25).flatmap(lambda n: cases(n=st.just(n), k=st.integers(2, n), seed=seeds))
kfold_cases = st.tuples(kfold_sizes, st.booleans()).map(lambda pair: {**pair[0], "shuffle": pair[1]})


def _kfold_args(n, k, shuffle, seed):
    """Without shuffling, a call that leaves shuffle and rng to their defaults."""
    return (n, k), ({"shuffle": True, "rng": Probe("rng", (seed,))} if shuffle else {})


def _folds(ctx, n, k, shuffle, seed):
    """The student's folds as a list of (train, val) pairs of 1-D integer arrays."""
    args, kwargs = _kfold_args(n, k, shuffle, seed)
    got = ctx.call("kfold_indices", *args, **kwargs)
    if isinstance(got, Foreign) or type(got) is not list:
        raise CheckFailure(
            Message(
                "kfold_indices must return a list of (train_idx, val_idx) pairs, got {value}",
                value=got.description if isinstance(got, Foreign) else fmt(got),
            )
        )
    folds = [unpack(pair, 2, "kfold_indices", N_("a list of (train_idx, val_idx) pairs")) for pair in got]
    for i, pair in enumerate(folds):
        for name, indices in zip(("train_idx", "val_idx"), pair):
            validate_array(indices, name=Message("fold {i}: {name}", i=i, name=name))
            if indices.ndim != 1 or indices.dtype.kind not in "iu":
                raise CheckFailure(
                    Message(
                        "fold {i}: {name} must be a 1-D integer array, got dtype {dtype}, shape {shape}",
                        i=i,
                        name=name,
                        dtype=indices.dtype,
                        shape=indices.shape,
                    )
                )
    return folds


@check(
    "kfold_indices",
    "splits range(n) into k folds, each validated once, with sklearn's fold sizes",
    kfold_cases,
    pays_alone=False,
)
def kfold_partition(ctx, case):
    n, k = case["n"], case["k"]
    folds = _folds(ctx, n, k, case["shuffle"], case["seed"])
    if len(folds) != k:
        raise CheckFailure(Message("n={n}, k={k}: {count} folds, expected {k}", n=n, k=k, count=len(folds)))
    everything = np.arange(n)
    for i, (train, val) in enumerate(folds):
        for name, indices in (("train_idx", train), ("val_idx", val)):
            if np.any(np.diff(indices) <= 0):
                raise CheckFailure(
                    Message(
                        "n={n}, k={k}: fold {i}: {name} {indices} is not sorted ascending without repeats",
                        n=n,
                        k=k,
                        i=i,
                        name=name,
                        indices=fmt(indices),
                    )
                )
        both = np.concatenate([train, val])
        if both.size != n or not np.array_equal(np.sort(both), everything):
            raise CheckFailure(
                Message(
                    "n={n}, k={k}: fold {i}: train_idx {train} and val_idx {val} must split "
                    "range({n}): every index in exactly one of them",
                    n=n,
                    k=k,
                    i=i,
                    train=fmt(train),
                    val=fmt(val),
                )
            )
    validated = np.sort(np.concatenate([val for _, val in folds]))
    if not np.array_equal(validated, everything):
        counts = np.bincount(validated, minlength=n)
        raise CheckFailure(
            Message(
                "n={n}, k={k}: every index must be in exactly one validation fold, but index {value} is in {value2}",
                n=n,
                k=k,
                value=int(np.argmax(counts != 1)),
                value2=int(counts[np.argmax(counts != 1)]),
            )
        )
    sizes = [len(val) for _, val in folds]
    expected = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
    if sizes != expected:
        raise CheckFailure(
            Message(
                "n={n}, k={k}: validation folds of sizes {sizes}, expected {expected}",
                n=n,
                k=k,
                sizes=sizes,
                expected=expected,
            ),
            HINT_FOLD_SIZES,
        )


def _kfold_matches(ctx, case, shuffle):
    n, k = case["n"], case["k"]
    folds = _folds(ctx, n, k, shuffle, case["seed"])
    args, kwargs = _kfold_args(n, k, shuffle, case["seed"])
    with hint_on_failure(HINT_PERMUTATION if shuffle else None):
        ctx.expect(
            "kfold_indices",
            folds,
            lambda impl: [tuple(pair) for pair in impl.run("kfold_indices", *args, **kwargs)],
            name=Message("kfold_indices({n}, {k}, shuffle={shuffle}): folds", n=n, k=k, shuffle=shuffle),
        )


@check("kfold_indices", "matches the reference without shuffling (shuffle and rng left to their defaults)", kfold_sizes)
def kfold_plain(ctx, case):
    _kfold_matches(ctx, case, False)


@check("kfold_indices", "shuffles with rng.permutation(n)", kfold_sizes)
def kfold_shuffled(ctx, case):
    _kfold_matches(ctx, case, True)


@check(
    "kfold_indices",
    "raises ValueError unless 2 <= k <= n",
    cases(n=st.integers(2, 10), k_choice=st.sampled_from(["zero", "one", "n + 1", "n + 3"])),
    pays_alone=False,
)
def kfold_invalid(ctx, case):
    n = case["n"]
    k = {"zero": 0, "one": 1, "n + 1": n + 1, "n + 3": n + 3}[case["k_choice"]]
    try:
        ctx.call("kfold_indices", n, k)
    except StudentError as error:
        if error.kind == "ValueError":
            return
        raise CheckFailure(
            Message("kfold_indices({n}, {k}) raised {kind}, expected ValueError", n=n, k=k, kind=error.kind)
        ) from None
    raise CheckFailure(
        Message(
            "kfold_indices({n}, {k}) returned normally; it must raise ValueError (2 <= k <= n)",
            n=n,
            k=k,
        )
    )
