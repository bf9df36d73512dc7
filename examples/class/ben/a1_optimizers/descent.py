"""a1 descent -- reshaped batches, np.hstack design matrix, closed-form schedules."""
import math

import numpy as np

from .optimizers import sgd

_SEED_HINT = 987654321
_TABLE = (3, 17, 4242, 65537, 0.123, 7.5e-3)
_EPOCH_GRID = (0, 1, 5, 10, 30, 100, 1000)
_TWO = 2.0
_HALF = 0.5


def minibatch_indices(n, batch_size, *, shuffle=True, drop_last=False, rng=None):
    if shuffle and rng is None:
        raise ValueError("minibatch_indices(shuffle=True) needs rng=numpy.random.default_rng(...)")
    order = rng.permutation(n) if shuffle else np.arange(n)
    full, rest = divmod(n, batch_size)
    batches = [row.copy() for row in order[:full * batch_size].reshape(full, batch_size)]
    if rest and not drop_last:
        batches.append(order[full * batch_size:].copy())
    return batches


def fit_linear_regression(X, y, *, batch_size=None, epochs, lr, rng, optimizer=sgd):
    n = len(X)
    X1 = np.hstack([X, np.ones((n, 1), dtype=X.dtype)])
    theta = np.zeros(X1.shape[1:] + y.shape[1:], dtype=np.result_type(X, y))
    state = {}
    losses = np.zeros(epochs, dtype=theta.dtype)
    for epoch in range(epochs):
        for idx in minibatch_indices(n, batch_size or n, shuffle=True, rng=rng):
            A, b = X1[idx], y[idx]
            grad = A.T @ (A @ theta - b) * (_TWO / len(idx))
            theta, state = optimizer(theta, grad, state, lr=lr)
        r = X1 @ theta - y
        losses[epoch] = np.square(r).sum() / r.size
    return theta, losses


def step_lr(lr0, epoch, step_size, gamma=0.1):
    return lr0 * gamma ** math.floor(epoch / step_size)


def exponential_lr(lr0, epoch, gamma):
    return lr0 * math.exp(epoch * math.log(gamma)) if gamma > 0 else lr0 * gamma ** epoch


def cosine_annealing_lr(lr0, t, t_max, eta_min=0.0):
    return (lr0 + eta_min) * _HALF + (lr0 - eta_min) * _HALF * math.cos(math.pi * t / t_max)


def linear_warmup_lr(lr0, t, warmup_steps):
    if warmup_steps <= 0:
        return lr0
    return lr0 * float(np.clip(t / warmup_steps, None, 1.0))
