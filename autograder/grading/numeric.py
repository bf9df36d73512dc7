"""Numerical comparisons: validated closeness and gradient checks, with messages a student can act on."""

from __future__ import annotations

import numpy as np

from autograder.grading import sanitize
from autograder.grading.failure import CheckFailure
from autograder.runtime.language import N_, Message, _, translate
from autograder.runtime.plain import Foreign

# Norm-relative tolerances: ||got - expected|| <= rtol * ||expected|| + atol * sqrt(size).
TOLERANCES = {np.dtype(np.float64): (1e-9, 1e-12), np.dtype(np.float32): (2e-5, 1e-6)}

HINT_FLOAT32 = N_(
    "your float64 result carries only float32 precision: part of the computation runs in "
    "float32 (an np.float32 constant, astype(np.float32), dtype=np.float32 ...); float64 inputs "
    "must be computed in float64"
)

# numpy prints at most this many entries of an array; a larger one is summarised with "...",
# which hides its size, so fmt names its shape
SHOWN_ENTRIES = 20


def precision_of(*values):
    """float32 when any of the values is a float32 array (its results get float32 tolerances)."""
    return np.float32 if any(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in values) else None


def fmt(value) -> str:
    """A number or array in few, stable characters (at most sanitize.VALUE_LIMIT)."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "US":  # each entry may be megabytes long: cut entries first
            first = value.ravel()[:SHOWN_ENTRIES].astype(f"{value.dtype.kind}{sanitize.VALUE_LIMIT}")
            summary = _("array of shape {shape}, dtype {dtype}: {values}")
            return sanitize.text(
                summary.format(shape=value.shape, dtype=value.dtype, values=rep(first.tolist())), sanitize.VALUE_LIMIT
            )
        shown = np.array2string(value, precision=6, threshold=SHOWN_ENTRIES, separator=", ")
        if value.size > SHOWN_ENTRIES:
            shown = _("array of shape {shape}, dtype {dtype}: {values}").format(
                shape=value.shape, dtype=value.dtype, values=shown
            )
        return sanitize.text(shown, sanitize.VALUE_LIMIT)
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return rep(value)


def rep(value) -> str:
    """repr(value) of a student's value, cut to sanitize.VALUE_LIMIT characters before it is
    built (so a returned 8 MiB string costs a few hundred characters, not 8 MiB)."""
    return sanitize.short_repr(value, leaf=lambda item: fmt(item) if isinstance(item, np.ndarray) else repr(item))


def tolerance(dtype) -> tuple[float, float]:
    return TOLERANCES.get(np.dtype(dtype), TOLERANCES[np.dtype(np.float64)])


def tolerance_for(dtype, rtol: float | None = None, atol: float | None = None, precision=None) -> tuple[float, float]:
    """(rtol, atol) that assert_close applies to a value of this dtype: those given, by default
    those of precision (the dtype the inputs were computed in), else of dtype."""
    default_rtol, default_atol = tolerance(precision or dtype)
    return default_rtol if rtol is None else rtol, default_atol if atol is None else atol


def relative_error(got: np.ndarray, expected: np.ndarray) -> float:
    """||got - expected|| / ||expected|| (the difference's norm when expected is zero)."""
    diff = np.linalg.norm((np.asarray(got, np.float64) - np.asarray(expected, np.float64)).ravel())
    norm = np.linalg.norm(np.asarray(expected, np.float64).ravel())
    return float(diff / norm) if norm > 0 else float(diff)


def within_tolerance(got, expected, rtol: float, atol: float) -> bool:
    """The course's one closeness rule: ||got - expected|| <= rtol * ||expected|| + atol * sqrt(size),
    computed in float64."""
    got64, expected64 = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    error = float(np.linalg.norm((got64 - expected64).ravel()))
    return error <= rtol * float(np.linalg.norm(expected64.ravel())) + atol * np.sqrt(max(expected64.size, 1))


def worst_entry(got: np.ndarray, expected: np.ndarray) -> str:
    """Where got and expected (arrays of one shape) differ most, in words."""
    difference = np.abs(np.asarray(got, np.float64) - np.asarray(expected, np.float64))
    worst = np.unravel_index(np.argmax(difference), expected.shape)
    return _("worst entry {index}: yours {got}, expected {expected}").format(
        index=_where(worst), got=fmt(got[worst]), expected=fmt(expected[worst])
    )


def _where(index) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def validate_array(got, *, name: str, dtype=None, shape=None, finite: bool = True) -> None:
    """Type, then dtype, then shape, then finiteness: the first that is wrong is reported."""
    if isinstance(got, Foreign):
        raise CheckFailure(
            _("{name}: expected a numpy.ndarray, got {got}").format(name=translate(name), got=got.description)
        )
    if type(got) is not np.ndarray:
        raise CheckFailure(
            _("{name}: expected a numpy.ndarray, got {got}").format(
                name=translate(name), got=f"{type(got).__name__} {fmt(got)}"
            )
        )
    if dtype is not None and got.dtype != np.dtype(dtype):
        raise CheckFailure(
            _("{name}: dtype {got}, expected {expected} (outputs keep the input dtype)").format(
                name=translate(name), got=got.dtype, expected=np.dtype(dtype)
            )
        )
    if shape is not None and got.shape != tuple(shape):
        raise CheckFailure(
            _("{name}: shape {got}, expected {expected}").format(
                name=translate(name), got=got.shape, expected=tuple(shape)
            )
        )
    if finite and got.dtype.kind in "fc" and not np.all(np.isfinite(got)):
        bad = np.argwhere(~np.isfinite(got))
        raise CheckFailure(
            _("{name}: {count} of {size} entries are not finite (first at {index}: {value})").format(
                name=translate(name), count=len(bad), size=got.size, index=_where(bad[0]), value=got[tuple(bad[0])]
            )
        )


def validate_scalar(got, *, name: str) -> float:
    if isinstance(got, Foreign):
        raise CheckFailure(_("{name}: expected a number, got {got}").format(name=translate(name), got=got.description))
    if type(got) not in (int, float) and not isinstance(got, (np.floating, np.integer)):
        raise CheckFailure(
            _("{name}: expected a Python float or numpy scalar, got {got}").format(
                name=translate(name), got=f"{type(got).__name__} {fmt(got)}"
            )
        )
    if not np.isfinite(got):
        raise CheckFailure(_("{name}: {value} is not finite").format(name=translate(name), value=got))
    return float(got)


def assert_close(
    got, expected, *, name: str, rtol: float | None = None, atol: float | None = None, precision=None
) -> None:
    """got must be what expected is (a real ndarray of its dtype and shape, or a scalar), finite
    where expected is, and within the norm-relative tolerance of `precision` (the dtype the
    inputs were computed in; by default expected's dtype, float64 for scalars)."""
    if type(expected) in (list, tuple):
        if isinstance(got, Foreign) or type(got) is not type(expected):
            raise CheckFailure(
                _("{name}: expected a {kind}, got {got}").format(
                    name=translate(name), kind=type(expected).__name__, got=rep(got)
                )
            )
        if len(got) != len(expected):
            raise CheckFailure(
                _("{name}: {count} items, expected {expected}").format(
                    name=translate(name), count=len(got), expected=len(expected)
                )
            )
        for index, (mine, theirs) in enumerate(zip(got, expected)):
            assert_close(
                mine,
                theirs,
                name=Message("{name}[{index}]", name=name, index=index),
                rtol=rtol,
                atol=atol,
                precision=precision,
            )
        return
    if isinstance(expected, np.ndarray):
        integers = expected.dtype.kind in "iu"
        validate_array(
            got,
            name=translate(name),
            dtype=None if integers else expected.dtype,
            shape=expected.shape,
            finite=bool(np.all(np.isfinite(expected))),
        )
        if integers and got.dtype.kind not in "iu":
            raise CheckFailure(
                _("{name}: dtype {got}, expected an integer dtype").format(name=translate(name), got=got.dtype)
            )
        if expected.dtype.kind not in "fc":
            if not np.array_equal(got, expected):
                bad = np.argwhere(got != expected)
                raise CheckFailure(
                    _(
                        "{name}: {count} of {size} entries differ; first at {index}: yours {got}, expected {expected}"
                    ).format(
                        name=translate(name),
                        count=len(bad),
                        size=got.size,
                        index=_where(bad[0]),
                        got=got[tuple(bad[0])],
                        expected=expected[tuple(bad[0])],
                    )
                )
            return
    else:
        got = np.asarray(validate_scalar(got, name=name))
        expected = np.asarray(float(expected))
    rtol, atol = tolerance_for(expected.dtype, rtol, atol, precision)
    if within_tolerance(got, expected, rtol, atol):
        return
    hint = None
    if (
        expected.dtype == np.float64
        and precision in (None, np.float64)
        and got.size
        and _float32_only(got)
        and not _float32_only(expected)
        and relative_error(got, expected) < 1e-5
    ):
        hint = HINT_FLOAT32
    if expected.ndim == 0:
        detail = _("yours {got}, expected {expected}").format(got=fmt(got[()]), expected=fmt(expected[()]))
    else:
        detail = worst_entry(got, expected)
    told = _(
        "{name}: differs from the reference by a relative error of {error} "
        "(tolerance {rtol} relative + {atol} absolute); {detail}"
    )
    error = f"{relative_error(got, expected):.3g}"
    raise CheckFailure(
        told.format(name=translate(name), error=error, rtol=f"{rtol:.0e}", atol=f"{atol:.0e}", detail=detail), hint
    )


def gradcheck(
    losses,
    inputs: dict,
    analytic: dict,
    *,
    seed: int,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    output: str = N_("your backward"),
) -> None:
    """Check gradients of a scalar loss of the inputs along random directions (float64).

    losses(points) gives the loss at each point of a list (dicts like inputs), in order, as an
    iterable that raises where a point's loss fails: the points are known before the first
    loss is read, so the student calls behind them can go to a worker in one message
    (one_by_one(loss) makes such a function of loss(**point)).

    For each input and for a Gaussian and a uniform direction v, the central difference
    (loss(x + eps v) - loss(x - eps v)) / (2 eps) must match <analytic, v>. Only after a
    failure is the full gradient estimated entry by entry, to name the worst entry.
    """
    rng = np.random.default_rng(seed)
    inputs = {name: np.asarray(value, np.float64) for name, value in inputs.items()}
    directions = {
        name: ((N_("Gaussian"), rng.standard_normal(x.shape)), (N_("uniform"), rng.uniform(-1, 1, x.shape)))
        for name, x in inputs.items()
    }
    points = [inputs]
    for name, x in inputs.items():
        for _kind, direction in directions[name]:
            points += [{**inputs, name: x + eps * direction}, {**inputs, name: x - eps * direction}]
    values = iter(losses(points))
    base = abs(next(values))
    for name, x in inputs.items():
        grad = analytic[name]
        validate_array(grad, name=f"d{name}" if not name.startswith("d") else name, dtype=np.float64, shape=x.shape)
        for kind, direction in directions[name]:
            plus, minus = next(values), next(values)
            numerical = (plus - minus) / (2 * eps)
            analytical = float(np.sum(grad * direction))
            allowed = rtol * max(abs(numerical), abs(analytical)) + atol * (1 + base)
            if abs(numerical - analytical) > allowed:
                told = _(
                    "gradient check failed for input {name}: along a random {kind} direction {output} gives "
                    "{analytical}, finite differences of your forward give {numerical} (|difference| {difference} "
                    "> tolerance {allowed}). "
                )
                raise CheckFailure(
                    told.format(
                        name=name,
                        kind=_(kind),
                        output=translate(output),
                        analytical=f"{analytical:.8g}",
                        numerical=f"{numerical:.8g}",
                        difference=f"{abs(numerical - analytical):.2g}",
                        allowed=f"{allowed:.2g}",
                    )
                    + _localise(losses, inputs, name, grad, eps)
                )


def one_by_one(loss):
    """losses for gradcheck from loss(**point), which is called for each point as its loss is read."""
    return lambda points: (loss(**point) for point in points)


def _localise(losses, inputs, name, grad, eps) -> str:
    x = inputs[name]
    points = []
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        points += [{**inputs, name: x + step}, {**inputs, name: x - step}]
    values = iter(losses(points))
    numerical = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        numerical[index] = (next(values) - next(values)) / (2 * eps)
    worst = np.unravel_index(np.argmax(np.abs(numerical - grad)), x.shape) if x.ndim else ()
    return _("Worst entry {entry}: numerical {numerical}, analytical {analytical}.").format(
        entry=f"{name}{_where(worst)}", numerical=f"{numerical[worst]:.8g}", analytical=f"{grad[worst]:.8g}"
    )


def _float32_only(values: np.ndarray) -> bool:
    """Whether every entry is a float32 number (float64 work done in float32 gives such results)."""
    return bool(np.array_equal(values, values.astype(np.float32).astype(np.float64)))
