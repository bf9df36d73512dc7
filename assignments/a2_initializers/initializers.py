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
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


def xavier_std(shape, gain=1.0):
    """Standard deviation of Xavier (Glorot) normal initialization.

    std = gain * sqrt(2 / (fan_in + fan_out))

    Inputs:
    - shape: weight shape (at least 2 dimensions).
    - gain: scaling factor.

    Returns:
    - std: float.
    """
    raise NotImplementedError  # your code here


def xavier_bound(shape, gain=1.0):
    """Bound of Xavier (Glorot) uniform initialization, U(-bound, bound).

    bound = gain * sqrt(6 / (fan_in + fan_out))   (= sqrt(3) * xavier_std)

    Inputs:
    - shape: weight shape (at least 2 dimensions).
    - gain: scaling factor.

    Returns:
    - bound: float.
    """
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


def kaiming_bound(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """Bound of Kaiming (He) uniform initialization, U(-bound, bound).

    bound = sqrt(3) * kaiming_std(...) = gain * sqrt(3 / fan)

    Inputs: as kaiming_std.

    Returns:
    - bound: float.
    """
    raise NotImplementedError  # your code here


def lecun_std(shape):
    """Standard deviation of LeCun normal initialization.

    std = 1 / sqrt(fan_in)

    Inputs:
    - shape: weight shape (at least 2 dimensions).

    Returns:
    - std: float.
    """
    raise NotImplementedError  # your code here


def zeros(shape, *, rng=None):
    """All zeros (rng is accepted and unused).

    Returns:
    - float64 array of the given shape.
    """
    raise NotImplementedError  # your code here


def constant(shape, val, *, rng=None):
    """Every entry val (rng is accepted and unused).

    Returns:
    - float64 array of the given shape.
    """
    raise NotImplementedError  # your code here


def uniform(shape, a=0.0, b=1.0, *, rng):
    """Independent draws from U(a, b).

    Inputs:
    - shape: any shape.
    - a, b: the interval, a < b.
    - rng: numpy.random.Generator, the only source of randomness.

    Returns:
    - float64 array of the given shape.
    """
    raise NotImplementedError  # your code here


def normal(shape, mean=0.0, std=1.0, *, rng):
    """Independent draws from N(mean, std**2).

    Inputs:
    - shape: any shape.
    - mean, std: the distribution's mean and standard deviation.
    - rng: numpy.random.Generator, the only source of randomness.

    Returns:
    - float64 array of the given shape.
    """
    raise NotImplementedError  # your code here


def xavier_uniform(shape, gain=1.0, *, rng):
    """Xavier (Glorot) uniform: U(-bound, bound) with bound = xavier_bound(shape, gain).

    Returns:
    - float64 array of the given shape.
    """
    raise NotImplementedError  # your code here


def xavier_normal(shape, gain=1.0, *, rng):
    """Xavier (Glorot) normal: N(0, std**2) with std = xavier_std(shape, gain).

    Returns:
    - float64 array of the given shape.
    """
    raise NotImplementedError  # your code here


def kaiming_uniform(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng):
    """Kaiming (He) uniform: U(-bound, bound) with bound = kaiming_bound(shape, a, mode, nonlinearity).

    Returns:
    - float64 array of the given shape.
    """
    raise NotImplementedError  # your code here


def kaiming_normal(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng):
    """Kaiming (He) normal: N(0, std**2) with std = kaiming_std(shape, a, mode, nonlinearity).

    Returns:
    - float64 array of the given shape.
    """
    raise NotImplementedError  # your code here


def lecun_normal(shape, *, rng):
    """LeCun normal: N(0, std**2) with std = lecun_std(shape) (plain, not truncated).

    Returns:
    - float64 array of the given shape.
    """
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here
