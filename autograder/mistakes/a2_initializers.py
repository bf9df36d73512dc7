"""Known mistakes of a2_initializers (initializers.py).

Each function is the kind of wrong version students really write. Its source is appended to the
reference initializers.py under the task's name, so the helpers it calls (fan_in_and_fan_out,
calculate_gain, xavier_std, ...) are the reference's own.
"""

import math

import numpy as np

from autograder.checks.a2_initializers import HINT_RNG, HINT_SIGN
from autograder.grading.mistake_registry import mistake
from autograder.runtime.language import N_

# Names the mutants resolve in the reference file; here only so that this module imports.
fan_in_and_fan_out = calculate_gain = xavier_std = xavier_bound = kaiming_std = kaiming_bound = lecun_std = None

HINT_STD_AS_BOUND = N_(
    "you use the std as the uniform bound: U(-b, b) has std b / sqrt(3), so the bound is "
    "sqrt(3) * std (xavier_bound, kaiming_bound)"
)
HINT_MODE = N_(
    "you ignore mode and always divide by fan_in: mode='fan_out' must use fan_out = shape[0] * "
    "receptive field (fan_in_and_fan_out(shape)[1]); pass mode on to kaiming_std/kaiming_bound"
)
HINT_VARIANCE = N_(
    "you pass the variance as rng.normal's scale, which takes the standard deviation: pass std, not std**2"
)

# ---- fans and gains ------------------------------------------------------------------------------


@mistake(
    "fan_in_and_fan_out",
    hint=(
        N_(
            "your conv fans leave out the receptive field: fan_in = C * KH * KW (shape[1] times the "
            "product of shape[2:]) and fan_out = F * KH * KW"
        )
    ),
)
def conv_fans_without_kernel(shape):
    if len(shape) < 2:
        raise ValueError("fans need at least 2 dimensions")
    return shape[1], shape[0]


@mistake(
    "fan_in_and_fan_out",
    hint=(
        N_(
            "you swapped the fans, as for x @ W with W of shape (in, out): PyTorch lays weights out as "
            "(out, in), so fan_in comes from shape[1] and fan_out from shape[0]"
        )
    ),
)
def fans_swapped(shape):
    if len(shape) < 2:
        raise ValueError("fans need at least 2 dimensions")
    receptive_field = math.prod(shape[2:])
    return shape[0] * receptive_field, shape[1] * receptive_field


@mistake(
    "calculate_gain",
    hint=(
        N_(
            "your ReLU gain is 2, the factor on the variance (Var(W) = 2 / fan_in): the gain multiplies "
            "the std, so it is sqrt(2)"
        )
    ),
)
def relu_gain_two(nonlinearity, param=None):
    if nonlinearity == "relu":
        return 2.0
    if nonlinearity in (
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "sigmoid",
    ):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 0.75
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


@mistake(
    "calculate_gain",
    hint=(
        N_("your leaky_relu gain uses the slope unsquared: the slope enters squared, sqrt(2 / (1 + negative_slope**2))")
    ),
)
def leaky_relu_gain_unsquared_slope(nonlinearity, param=None):
    gains = {
        "linear": 1.0,
        "conv1d": 1.0,
        "conv2d": 1.0,
        "conv3d": 1.0,
        "conv_transpose1d": 1.0,
        "conv_transpose2d": 1.0,
        "conv_transpose3d": 1.0,
        "sigmoid": 1.0,
        "tanh": 5.0 / 3,
        "relu": math.sqrt(2.0),
        "selu": 0.75,
    }
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1 + (0.01 if param is None else param)))
    if nonlinearity not in gains:
        raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")
    return gains[nonlinearity]


# ---- exact scales --------------------------------------------------------------------------------


@mistake(
    "xavier_std",
    hint=(
        N_(
            "your std is 1 / sqrt(fan_in), LeCun's: Xavier averages both fans, std = gain * "
            "sqrt(2 / (fan_in + fan_out))"
        )
    ),
)
def xavier_std_fan_in_only(shape, gain=1.0):
    fan_in, _ = fan_in_and_fan_out(shape)
    return gain / math.sqrt(fan_in)


@mistake(
    "xavier_bound",
    hint=(
        N_(
            "your Xavier uniform bound is not gain * sqrt(6 / (fan_in + fan_out)): U(-b, b) has variance "
            "b**2 / 3, which must be 2 / (fan_in + fan_out) times gain**2"
        )
    ),
)
def xavier_bound_sqrt3(shape, gain=1.0):
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return gain * math.sqrt(3.0 / (fan_in + fan_out))


@mistake(
    "kaiming_std",
    hint=(
        N_(
            "your std uses the other fan than mode names: mode='fan_in' (the default) divides by fan_in ="
            " shape[1] * receptive field, mode='fan_out' by fan_out"
        )
    ),
)
def kaiming_std_fan_out(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"unknown mode {mode!r}")
    _, fan_out = fan_in_and_fan_out(shape)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_out)


@mistake(
    "kaiming_std",
    hint=(
        N_(
            "you ignore a and let calculate_gain use its own default slope 0.01: pass a to the gain, "
            "calculate_gain(nonlinearity, a), so that with the default a = 0 leaky_relu's gain is sqrt(2)"
        )
    ),
)
def kaiming_std_ignores_a(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"unknown mode {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return calculate_gain(nonlinearity) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


@mistake("kaiming_bound", hint=HINT_MODE)
def kaiming_bound_ignores_mode(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    return math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan_in_and_fan_out(shape)[0])


@mistake("kaiming_bound", hint=HINT_STD_AS_BOUND)
def kaiming_bound_is_std(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    return kaiming_std(shape, a, mode, nonlinearity)


@mistake(
    "lecun_std",
    hint=(N_("your LeCun std is sqrt(2 / fan_in), He's (for ReLU): LeCun's std is 1 / sqrt(fan_in), with no gain")),
)
def lecun_std_he_scale(shape):
    fan_in, _ = fan_in_and_fan_out(shape)
    return math.sqrt(2.0 / fan_in)


# ---- zeros and constant ------------------------------------------------------------------------


@mistake(
    "zeros", hint=(N_("your zeros are an integer array (np.zeros(shape, dtype=int)): return float64, np.zeros(shape)"))
)
def zeros_integer_dtype(shape, *, rng=None):
    return np.zeros(shape, dtype=int)


@mistake(
    "constant",
    hint=(
        N_(
            "your constant keeps the integer dtype of val (np.full(shape, 3) is an integer array): pass "
            "dtype=np.float64, as every initializer returns float64"
        )
    ),
)
def constant_keeps_int_dtype(shape, val, *, rng=None):
    return np.full(shape, val)


# ---- samplers ------------------------------------------------------------------------------------


@mistake("uniform", hint=N_("you scale U(0, 1) by b instead of by the width b - a: U(a, b) is a + (b - a) * U(0, 1)"))
def uniform_forgets_offset(shape, a=0.0, b=1.0, *, rng):
    return a + b * rng.random(shape)


@mistake("normal", hint=HINT_VARIANCE)
def normal_variance_as_scale(shape, mean=0.0, std=1.0, *, rng):
    return rng.normal(mean, std**2, size=shape)


@mistake("normal", hint=HINT_RNG, by_output=False)
def normal_uses_global_random(shape, mean=0.0, std=1.0, *, rng):
    return np.random.normal(mean, std, size=shape)


@mistake("xavier_uniform", hint=HINT_STD_AS_BOUND)
def xavier_uniform_std_as_bound(shape, gain=1.0, *, rng):
    bound = xavier_std(shape, gain)
    return rng.uniform(-bound, bound, size=shape)


@mistake("xavier_normal", hint=HINT_VARIANCE)
def xavier_normal_variance_as_scale(shape, gain=1.0, *, rng):
    return rng.normal(0.0, xavier_std(shape, gain) ** 2, size=shape)


@mistake("kaiming_uniform", hint=HINT_STD_AS_BOUND)
def kaiming_uniform_std_as_bound(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng):
    bound = kaiming_std(shape, a, mode, nonlinearity)
    return rng.uniform(-bound, bound, size=shape)


@mistake(
    "kaiming_normal",
    hint=(
        N_(
            "your normal sampler takes the uniform bound as its std (sqrt(3) times too large): use the "
            "std, gain / sqrt(fan)"
        )
    ),
)
def kaiming_normal_bound_as_std(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng):
    return rng.normal(0.0, kaiming_bound(shape, a, mode, nonlinearity), size=shape)


@mistake(
    "lecun_normal",
    hint=(N_("your LeCun normal has std sqrt(2 / fan_in), He's (for ReLU): LeCun normal has std 1 / sqrt(fan_in)")),
)
def lecun_normal_he_scale(shape, *, rng):
    fan_in, _ = fan_in_and_fan_out(shape)
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=shape)


@mistake(
    "lecun_normal",
    hint=(N_("you draw from a uniform distribution with the right std: LeCun normal draws from a normal distribution")),
)
def lecun_normal_uniform_draws(shape, *, rng):
    bound = math.sqrt(3.0) * lecun_std(shape)
    return rng.uniform(-bound, bound, size=shape)


# ---- orthogonal ----------------------------------------------------------------------------------


@mistake(
    "orthogonal",
    hint=(
        N_(
            "your QR of a wide matrix (rows < cols) gives a square Q: take the QR of the transposed (cols"
            " x rows) matrix and transpose Q back"
        )
    ),
)
def orthogonal_only_square(shape, gain=1.0, *, rng):
    rows = shape[0]
    flat = rng.standard_normal((rows, math.prod(shape[1:])))
    q, r = np.linalg.qr(flat)
    return gain * q * np.sign(np.diag(r))


@mistake("orthogonal", hint=HINT_SIGN, by_output=False)
def orthogonal_without_sign_correction(shape, gain=1.0, *, rng):
    rows, cols = shape[0], math.prod(shape[1:])
    flat = rng.standard_normal((rows, cols))
    q, _ = np.linalg.qr(flat.T if rows < cols else flat)
    return gain * (q.T if rows < cols else q).reshape(shape)


@mistake("orthogonal", hint=N_("you multiply Q by gain**2: W W^T = gain**2 I means W = gain * Q, so multiply by gain"))
def orthogonal_gain_squared(shape, gain=1.0, *, rng):
    rows, cols = shape[0], math.prod(shape[1:])
    flat = rng.standard_normal((rows, cols))
    q, r = np.linalg.qr(flat.T if rows < cols else flat)
    q = q * np.sign(np.diag(r))
    return gain**2 * (q.T if rows < cols else q).reshape(shape)


# ---- activation_stds -----------------------------------------------------------------------------


@mistake("activation_stds", hint=N_("you record the std before the activation: h = act(h @ W.T), then h.std()"))
def activation_stds_before_activation(init, depth, width, activation, *, rng, batch=256):
    act = {
        "relu": lambda z: np.maximum(z, 0.0),
        "tanh": np.tanh,
        "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
        "linear": lambda z: z,
    }[activation]
    h = rng.standard_normal((batch, width))
    stds = []
    for _ in range(depth):
        z = h @ init((width, width), rng=rng).T
        stds.append(z.std())
        h = act(z)
    return np.array(stds)


@mistake(
    "activation_stds",
    hint=(
        N_("you record the input's std first, so your entries are one layer late: entry i is the std after layer i + 1")
    ),
)
def activation_stds_counts_the_input(init, depth, width, activation, *, rng, batch=256):
    act = {
        "relu": lambda z: np.maximum(z, 0.0),
        "tanh": np.tanh,
        "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
        "linear": lambda z: z,
    }[activation]
    h = rng.standard_normal((batch, width))
    stds = [h.std()]
    for _ in range(depth - 1):
        h = act(h @ init((width, width), rng=rng).T)
        stds.append(h.std())
    return np.array(stds)


@mistake(
    "activation_stds",
    hint=(
        N_(
            "your layers ignore init: the experiment compares initializations, so build every layer's "
            "weights with init((width, width), rng=rng)"
        )
    ),
)
def activation_stds_ignores_init(init, depth, width, activation, *, rng, batch=256):
    act = {
        "relu": lambda z: np.maximum(z, 0.0),
        "tanh": np.tanh,
        "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
        "linear": lambda z: z,
    }[activation]
    h = rng.standard_normal((batch, width))
    stds = np.empty(depth)
    for layer in range(depth):
        h = act(h @ rng.normal(0.0, 1.0 / np.sqrt(width), (width, width)).T)
        stds[layer] = h.std()
    return stds


@mistake("kaiming_normal", hint=HINT_MODE)
def kaiming_normal_ignores_mode(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng):
    return rng.normal(0.0, kaiming_std(shape, a, "fan_in", nonlinearity), size=shape)


@mistake("kaiming_uniform", hint=HINT_MODE)
def kaiming_uniform_ignores_mode(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng):
    bound = kaiming_bound(shape, a, "fan_in", nonlinearity)
    return rng.uniform(-bound, bound, size=shape)


# ---- more published forms ---------------------------------------------------------------------


@mistake(
    "calculate_gain",
    hint=N_(
        "your leaky_relu gain takes a slope of 0 when param is None, which is the ReLU's sqrt(2): "
        "torch's default negative slope is 0.01, so the gain is sqrt(2 / (1 + 0.01**2))"
    ),
)
def calculate_gain_leaky_relu_default_slope_zero(nonlinearity, param=None):
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
    if nonlinearity in linear or nonlinearity == "sigmoid":
        return 1.0
    gains = {"tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}
    if nonlinearity in gains:
        return gains[nonlinearity]
    if nonlinearity == "leaky_relu":
        if param is not None and (not isinstance(param, (int, float)) or isinstance(param, bool)):
            raise ValueError(f"negative_slope {param!r} is not a number")
        return math.sqrt(2.0 / (1 + (param or 0.0) ** 2))
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


@mistake(
    "kaiming_std",
    hint=N_(
        "your std is sqrt(2 / fan), He's ReLU formula, whatever nonlinearity and a are: the gain "
        "depends on them, std = calculate_gain(nonlinearity, a) / sqrt(fan)"
    ),
)
def kaiming_std_always_relu(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return math.sqrt(2.0 / (fan_in if mode == "fan_in" else fan_out))


@mistake(
    "xavier_std",
    hint=N_("you ignore gain: the std is gain * sqrt(2 / (fan_in + fan_out))"),
)
def xavier_std_ignores_gain(shape, gain=1.0):
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return math.sqrt(2.0 / (fan_in + fan_out))


@mistake(
    "lecun_std",
    hint=N_("you return the variance 1 / fan_in: the std is its square root, 1 / sqrt(fan_in)"),
)
def lecun_std_returns_the_variance(shape):
    fan_in, _ = fan_in_and_fan_out(shape)
    return 1.0 / fan_in


@mistake(
    "xavier_uniform",
    hint=N_(
        "your bound ignores gain, sqrt(6 / (fan_in + fan_out)): the bound is "
        "xavier_bound(shape, gain) = gain * sqrt(6 / (fan_in + fan_out))"
    ),
)
def xavier_uniform_ignores_gain(shape, gain=1.0, *, rng):
    bound = xavier_bound(shape, 1.0)
    return rng.uniform(-bound, bound, size=shape)
