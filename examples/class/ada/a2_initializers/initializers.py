"""a2 initializers -- a student who writes loops, scales standard draws, and orthogonalises with the SVD."""
import math

import numpy as np

GAINS = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0, "conv_transpose1d": 1.0,
         "conv_transpose2d": 1.0, "conv_transpose3d": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3,
         "relu": math.sqrt(2.0), "selu": 0.75}


def fan_in_and_fan_out(shape):
    if len(shape) < 2:
        raise ValueError("need at least two dimensions")
    receptive = 1
    for side in shape[2:]:
        receptive *= side
    return shape[1] * receptive, shape[0] * receptive


def calculate_gain(nonlinearity, param=None):
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope * slope))
    if nonlinearity not in GAINS:
        raise ValueError(f"no gain for {nonlinearity}")
    return GAINS[nonlinearity]


def xavier_std(shape, gain=1.0):
    fan_in, fan_out = fan_in_and_fan_out(shape)
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def xavier_bound(shape, gain=1.0):
    return math.sqrt(3.0) * xavier_std(shape, gain)


def kaiming_std(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fans = dict(zip(("fan_in", "fan_out"), fan_in_and_fan_out(shape)))
    if mode not in fans:
        raise ValueError(f"unknown mode {mode}")
    return calculate_gain(nonlinearity, a) / math.sqrt(fans[mode])


def kaiming_bound(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    return math.sqrt(3.0) * kaiming_std(shape, a, mode, nonlinearity)


def lecun_std(shape):
    return 1.0 / math.sqrt(fan_in_and_fan_out(shape)[0])


def zeros(shape, *, rng=None):
    return np.zeros(tuple(shape))


def constant(shape, val, *, rng=None):
    out = np.empty(tuple(shape))
    out.fill(val)
    return out


def uniform(shape, a=0.0, b=1.0, *, rng):
    return a + (b - a) * rng.random(tuple(shape))


def normal(shape, mean=0.0, std=1.0, *, rng):
    return mean + std * rng.standard_normal(tuple(shape))


def _symmetric(shape, bound, rng):
    return bound * (2.0 * rng.random(tuple(shape)) - 1.0)


def xavier_uniform(shape, gain=1.0, *, rng):
    return _symmetric(shape, xavier_bound(shape, gain), rng)


def xavier_normal(shape, gain=1.0, *, rng):
    return normal(shape, 0.0, xavier_std(shape, gain), rng=rng)


def kaiming_uniform(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng):
    return _symmetric(shape, kaiming_bound(shape, a, mode, nonlinearity), rng)


def kaiming_normal(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng):
    return normal(shape, 0.0, kaiming_std(shape, a, mode, nonlinearity), rng=rng)


def lecun_normal(shape, *, rng):
    return normal(shape, 0.0, lecun_std(shape), rng=rng)


def orthogonal(shape, gain=1.0, *, rng):
    if len(shape) < 2:
        raise ValueError("need at least two dimensions")
    rows = shape[0]
    cols = 1
    for side in shape[1:]:
        cols *= side
    # the orthogonal polar factor U V^T of a Gaussian matrix is uniformly distributed
    u, _, vt = np.linalg.svd(rng.standard_normal((rows, cols)), full_matrices=False)
    return gain * (u @ vt).reshape(tuple(shape))


def activation_stds(init, depth, width, activation, *, rng, batch=256):
    weights = [init((width, width), rng=rng) for _ in range(depth)]  # weights first, then the input
    h = rng.standard_normal((batch, width))
    stds = np.zeros(depth)
    for layer in range(depth):
        z = h @ weights[layer].T
        if activation == "relu":
            h = z * (z > 0)
        elif activation == "tanh":
            h = np.tanh(z)
        elif activation == "sigmoid":
            h = np.exp(-np.logaddexp(0.0, -z))
        else:
            h = z
        stds[layer] = np.sqrt(np.mean((h - h.mean()) ** 2))
    return stds
