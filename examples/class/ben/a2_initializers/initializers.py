"""a2 initializers -- a student who derives everything from uniform draws: Box-Muller normals,
Gram-Schmidt for orthogonal matrices."""

import numpy as np


def fan_in_and_fan_out(shape):
    shape = list(shape)
    if len(shape) < 2:
        raise ValueError(f"shape {shape} has fewer than 2 dimensions")
    field = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * field, shape[0] * field


def calculate_gain(nonlinearity, param=None):
    if nonlinearity in {"linear", "sigmoid"} | {f"conv{kind}{d}d" for kind in ("", "_transpose") for d in (1, 2, 3)}:
        return 1.0
    table = {"tanh": 5 / 3, "relu": 2 ** 0.5, "selu": 3 / 4}
    if nonlinearity in table:
        return table[nonlinearity]
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return (2 / (1 + slope ** 2)) ** 0.5
    raise ValueError(f"unsupported nonlinearity {nonlinearity}")


def _fan_sum(shape):
    return sum(fan_in_and_fan_out(shape))


def xavier_std(shape, gain=1.0):
    return gain * (2 / _fan_sum(shape)) ** 0.5


def xavier_bound(shape, gain=1.0):
    return gain * (6 / _fan_sum(shape)) ** 0.5


def kaiming_std(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_in, fan_out = fan_in_and_fan_out(shape)
    if mode == "fan_in":
        fan = fan_in
    elif mode == "fan_out":
        fan = fan_out
    else:
        raise ValueError("mode must be fan_in or fan_out")
    return calculate_gain(nonlinearity, a) * fan ** -0.5


def kaiming_bound(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_in, fan_out = fan_in_and_fan_out(shape)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError("mode must be fan_in or fan_out")
    return calculate_gain(nonlinearity, a) * (3 / (fan_in if mode == "fan_in" else fan_out)) ** 0.5


def lecun_std(shape):
    return fan_in_and_fan_out(shape)[0] ** -0.5


def zeros(shape, *, rng=None):
    return np.full(shape, 0.0)


def constant(shape, val, *, rng=None):
    return np.zeros(shape) + float(val)


def uniform(shape, a=0.0, b=1.0, *, rng):
    return rng.uniform(low=a, high=b, size=shape)


def _box_muller(shape, rng):
    size = int(np.prod(shape))
    u1 = 1.0 - rng.random(size)  # in (0, 1]: log is finite
    u2 = rng.random(size)
    return (np.sqrt(-2.0 * np.log(u1)) * np.cos(2 * np.pi * u2)).reshape(shape)


def normal(shape, mean=0.0, std=1.0, *, rng):
    return _box_muller(shape, rng) * std + mean


def xavier_uniform(shape, gain=1.0, *, rng):
    return uniform(shape, -xavier_bound(shape, gain), xavier_bound(shape, gain), rng=rng)


def xavier_normal(shape, gain=1.0, *, rng):
    return normal(shape, std=xavier_std(shape, gain), rng=rng)


def kaiming_uniform(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng):
    bound = kaiming_bound(shape, a, mode, nonlinearity)
    return uniform(shape, -bound, bound, rng=rng)


def kaiming_normal(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, rng):
    return normal(shape, std=kaiming_std(shape, a, mode, nonlinearity), rng=rng)


def lecun_normal(shape, *, rng):
    return normal(shape, std=lecun_std(shape), rng=rng)


def orthogonal(shape, gain=1.0, *, rng):
    if len(shape) < 2:
        raise ValueError("orthogonal needs 2 or more dimensions")
    rows, cols = shape[0], int(np.prod(shape[1:]))
    long, short = max(rows, cols), min(rows, cols)
    basis = np.zeros((long, short))
    for j in range(short):  # Gram-Schmidt on Gaussian columns: uniformly distributed directions
        v = _box_muller((long,), rng)
        for _ in range(2):  # twice, for orthogonality to rounding
            v = v - basis[:, :j] @ (basis[:, :j].T @ v)
        basis[:, j] = v / np.linalg.norm(v)
    flat = basis if rows >= cols else basis.T
    return gain * flat.reshape(shape)


_ACTIVATIONS = {
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500))),
    "linear": lambda z: z,
}


def activation_stds(init, depth, width, activation, *, rng, batch=256):
    act = _ACTIVATIONS[activation]
    h = normal((width, batch), rng=rng).T
    stds = []
    for _ in range(depth):
        h = act(np.einsum("bi,oi->bo", h, init((width, width), rng=rng)))
        stds.append(float(np.std(h)))
    return np.asarray(stds)
