"""Weight initialization: fans, gains, the scales of Xavier, He and LeCun, samplers, and the
experiment that shows vanishing and exploding signals.

Shapes follow PyTorch: dense weights are (out, in), conv weights (F, C, KH, KW) (or (F, C, K),
(F, C, KD, KH, KW)). Every sampler draws only from its `rng` argument (a
numpy.random.Generator) and returns a float64 array of the requested shape.
"""
import math

import numpy as np


def fan_in_and_fan_out(shape):
    """Fans of a weight of the given shape, as torch.nn.init computes them.

    receptive_field = product of shape[2:] (1 for a dense weight)
    fan_in  = shape[1] * receptive_field
    fan_out = shape[0] * receptive_field

    Inputs:
    - shape: tuple of ints with at least 2 entries; fewer raise a ValueError.

    Returns a tuple of:
    - fan_in: int.
    - fan_out: int.
    """
    # BEGIN SOLUTION
    shape = tuple(int(side) for side in shape)
    if len(shape) < 2:
        raise ValueError(f"fans need a shape with at least 2 dimensions, got {shape}")
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field
    # END SOLUTION


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (torch.nn.init.calculate_gain).

    linear, conv1d/2d/3d, conv_transpose1d/2d/3d, sigmoid  1
    tanh                                                  5/3
    relu                                                  sqrt(2)
    leaky_relu                                            sqrt(2 / (1 + negative_slope**2))
    selu                                                  3/4

    Inputs:
    - nonlinearity: one of the names above, as torch spells them (case-sensitive: 'ReLU' is not
      one); any other raises a ValueError.
    - param: leaky_relu's negative_slope (default 0.01); ignored by the others.

    Returns:
    - gain: float.
    """
    # BEGIN SOLUTION
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
    if nonlinearity in linear or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param!r} is not a number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")
    # END SOLUTION


def xavier_std(shape, gain=1.0):
    """Standard deviation of Xavier (Glorot) normal initialization.

    std = gain * sqrt(2 / (fan_in + fan_out))

    Inputs:
    - shape: weight shape (at least 2 dimensions).
    - gain: scaling factor.

    Returns:
    - std: float.
    """
    # BEGIN SOLUTION
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return gain * math.sqrt(2.0 / (fan_in + fan_out))
    # END SOLUTION


def xavier_bound(shape, gain=1.0):
    """Bound of Xavier (Glorot) uniform initialization, U(-bound, bound).

    bound = gain * sqrt(6 / (fan_in + fan_out))   (= sqrt(3) * xavier_std)

    Inputs:
    - shape: weight shape (at least 2 dimensions).
    - gain: scaling factor.

    Returns:
    - bound: float.
    """
    # BEGIN SOLUTION
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return gain * math.sqrt(6.0 / (fan_in + fan_out))
    # END SOLUTION


def kaiming_std(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Standard deviation of Kaiming (He) normal initialization.

    std = calculate_gain(nonlinearity, a) / sqrt(fan),  fan = fan_in or fan_out by mode

    Inputs:
    - shape: weight shape (at least 2 dimensions).
    - a: negative slope of the rectifier (used by leaky_relu only).
    - mode: "fan_in" (keeps the forward signal's variance) or "fan_out" (the backward
      gradient's); anything else raises a ValueError.
    - nonlinearity: a name calculate_gain knows.

    Returns:
    - std: float.
    """
    # BEGIN SOLUTION
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = fan_in_and_fan_out(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)
    # END SOLUTION


def kaiming_bound(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Bound of Kaiming (He) uniform initialization, U(-bound, bound).

    bound = sqrt(3) * kaiming_std(...) = gain * sqrt(3 / fan)

    Inputs: as kaiming_std.

    Returns:
    - bound: float.
    """
    # BEGIN SOLUTION
    return math.sqrt(3.0) * kaiming_std(shape, a, mode, nonlinearity)
    # END SOLUTION


def lecun_std(shape):
    """Standard deviation of LeCun normal initialization.

    std = 1 / sqrt(fan_in)

    Inputs:
    - shape: weight shape (at least 2 dimensions).

    Returns:
    - std: float.
    """
    # BEGIN SOLUTION
    fan_in, _ = fan_in_and_fan_out(shape)
    return 1.0 / math.sqrt(fan_in)
    # END SOLUTION


def zeros(shape, *, rng=None):
    """All zeros (rng is accepted and unused).

    Returns:
    - float64 array of the given shape.
    """
    # BEGIN SOLUTION
    return np.zeros(shape, dtype=np.float64)
    # END SOLUTION


def constant(shape, val, *, rng=None):
    """Every entry val (rng is accepted and unused).

    Returns:
    - float64 array of the given shape.
    """
    # BEGIN SOLUTION
    return np.full(shape, val, dtype=np.float64)
    # END SOLUTION


def uniform(shape, a=0.0, b=1.0, *, rng):
    """Independent draws from U(a, b).

    Inputs:
    - shape: any shape.
    - a, b: the interval, a < b.
    - rng: numpy.random.Generator, the only source of randomness.

    Returns:
    - float64 array of the given shape.
    """
    # BEGIN SOLUTION
    return rng.uniform(a, b, size=shape)
    # END SOLUTION


def normal(shape, mean=0.0, std=1.0, *, rng):
    """Independent draws from N(mean, std**2).

    Inputs:
    - shape: any shape.
    - mean, std: the distribution's mean and standard deviation.
    - rng: numpy.random.Generator, the only source of randomness.

    Returns:
    - float64 array of the given shape.
    """
    # BEGIN SOLUTION
    return rng.normal(mean, std, size=shape)
    # END SOLUTION


def xavier_uniform(shape, gain=1.0, *, rng):
    """Xavier (Glorot) uniform: U(-bound, bound) with bound = xavier_bound(shape, gain).

    Returns:
    - float64 array of the given shape.
    """
    # BEGIN SOLUTION
    bound = xavier_bound(shape, gain)
    return rng.uniform(-bound, bound, size=shape)
    # END SOLUTION


def xavier_normal(shape, gain=1.0, *, rng):
    """Xavier (Glorot) normal: N(0, std**2) with std = xavier_std(shape, gain).

    Returns:
    - float64 array of the given shape.
    """
    # BEGIN SOLUTION
    return rng.normal(0.0, xavier_std(shape, gain), size=shape)
    # END SOLUTION


def kaiming_uniform(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng):
    """Kaiming (He) uniform: U(-bound, bound) with bound = kaiming_bound(shape, a, mode, nonlinearity).

    Returns:
    - float64 array of the given shape.
    """
    # BEGIN SOLUTION
    bound = kaiming_bound(shape, a, mode, nonlinearity)
    return rng.uniform(-bound, bound, size=shape)
    # END SOLUTION


def kaiming_normal(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng):
    """Kaiming (He) normal: N(0, std**2) with std = kaiming_std(shape, a, mode, nonlinearity).

    Returns:
    - float64 array of the given shape.
    """
    # BEGIN SOLUTION
    return rng.normal(0.0, kaiming_std(shape, a, mode, nonlinearity), size=shape)
    # END SOLUTION


def lecun_normal(shape, *, rng):
    """LeCun normal: N(0, std**2) with std = lecun_std(shape) (plain, not truncated).

    Returns:
    - float64 array of the given shape.
    """
    # BEGIN SOLUTION
    return rng.normal(0.0, lecun_std(shape), size=shape)
    # END SOLUTION


def orthogonal(shape, gain=1.0, *, rng):
    """A (semi-)orthogonal matrix times gain, drawn uniformly (Haar), torch's recipe.

    rows = shape[0], cols = product of shape[1:]; A = a (rows, cols) matrix of N(0, 1) draws,
    transposed when rows < cols; A = QR; Q's columns are multiplied by sign(diag(R)) (without
    this, Q is not uniformly distributed); Q transposed back when rows < cols, reshaped to
    shape and multiplied by gain. Then W W^T = gain**2 I (rows <= cols) or
    W^T W = gain**2 I (rows >= cols) for W = the result viewed as (rows, cols).

    Inputs:
    - shape: at least 2 dimensions (fewer raise a ValueError), flattened after the first.
    - gain: scaling factor.
    - rng: numpy.random.Generator, the only source of randomness.

    Returns:
    - float64 array of the given shape.
    """
    # BEGIN SOLUTION
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError(f"orthogonal needs a shape with at least 2 dimensions, got {shape}")
    rows, cols = shape[0], math.prod(shape[1:])
    flat = rng.standard_normal((rows, cols))
    wide = rows < cols
    q, r = np.linalg.qr(flat.T if wide else flat)
    q = q * np.sign(np.diag(r))
    return gain * (q.T if wide else q).reshape(shape)
    # END SOLUTION


def activation_stds(init, depth, width, activation, *, rng, batch=256):
    """Standard deviation of every layer's activations in a deep MLP at initialization.

    h = x, an N(0, 1) array of shape (batch, width), drawn first from rng; then for each of
    the depth layers: W = init((width, width), rng=rng), h = act(h @ W.T) (no bias), and
    stds[i] = h.std() (over every entry, ddof 0) after layer i.

    Inputs:
    - init: callable init(shape, *, rng) returning a weight array of that shape.
    - depth: number of layers.
    - width: units per layer (the input has width features too).
    - activation: "relu", "tanh", "sigmoid" or "linear".
    - rng: numpy.random.Generator, passed on to init.
    - batch: number of input rows.

    Returns:
    - stds: float64 array of shape (depth,).
    """
    # BEGIN SOLUTION
    activations = {
        "relu": lambda z: np.maximum(z, 0.0),
        "tanh": np.tanh,
        "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),  # never overflows
        "linear": lambda z: z,
    }
    if activation not in activations:
        raise ValueError(f"activation must be one of {sorted(activations)}, got {activation!r}")
    act = activations[activation]
    h = rng.standard_normal((batch, width))
    stds = np.empty(depth, dtype=np.float64)
    for layer in range(depth):
        W = init((width, width), rng=rng)
        h = act(h @ W.T)
        stds[layer] = h.std()
    return stds
    # END SOLUTION
