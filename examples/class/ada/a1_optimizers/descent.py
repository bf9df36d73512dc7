"""a1 descent -- loops over batches and epochs, schedules with the math module."""
import math

import numpy as np

from .optimizers import sgd


def minibatch_indices(n, batch_size, *, shuffle=True, drop_last=False, rng=None):
    if shuffle:
        if rng is None:
            raise ValueError("shuffle=True requires an rng (a numpy.random.Generator)")
        order = rng.permutation(n)
    else:
        order = np.arange(n)
    batches = []
    start = 0
    while start < n:
        chunk = order[start:start + batch_size]
        if drop_last and len(chunk) < batch_size:
            break
        batches.append(chunk.copy())
        start += batch_size
    return batches


def fit_linear_regression(X, y, *, batch_size=None, epochs, lr, rng, optimizer=sgd):
    n, d = X.shape
    X1 = np.ones((n, d + 1), dtype=X.dtype)
    X1[:, :d] = X
    dtype = np.result_type(X, y)
    if y.ndim == 1:
        theta = np.zeros(d + 1, dtype=dtype)
    else:
        theta = np.zeros((d + 1, y.shape[1]), dtype=dtype)
    size = batch_size if batch_size else n
    state = {}
    losses = []
    for _ in range(epochs):
        for batch in minibatch_indices(n, size, shuffle=True, rng=rng):
            Xb = X1[batch]
            residual = Xb @ theta - y[batch]
            grad = (2 / len(batch)) * (Xb.T @ residual)
            theta, state = optimizer(theta, grad, state, lr=lr)
        residual = X1 @ theta - y
        losses.append(float(np.mean(residual * residual)))
    return theta, np.array(losses, dtype=theta.dtype)


def step_lr(lr0, epoch, step_size, gamma=0.1):
    return lr0 * math.pow(gamma, epoch // step_size)


def exponential_lr(lr0, epoch, gamma):
    return lr0 * math.pow(gamma, epoch)


def cosine_annealing_lr(lr0, t, t_max, eta_min=0.0):
    return eta_min + 0.5 * (lr0 - eta_min) * (1 + math.cos(math.pi * t / t_max))


def linear_warmup_lr(lr0, t, warmup_steps):
    if warmup_steps <= 0:
        return lr0
    return lr0 * min(1.0, t / warmup_steps)
