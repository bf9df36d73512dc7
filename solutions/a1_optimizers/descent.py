"""Gradient descent on linear regression: batch, stochastic and mini-batch, and schedules."""
import math

import numpy as np

from .optimizers import sgd


def minibatch_indices(n, batch_size, *, shuffle=True, drop_last=False, rng=None):
    """Split range(n) into consecutive mini-batches.

    The order is rng.permutation(n) when shuffling, else arange(n); batches are consecutive
    chunks of batch_size of that order, the last one shorter unless drop_last drops it.

    Inputs:
    - n: number of samples (n = 0 gives an empty list).
    - batch_size: positive int.
    - shuffle: permute first; then rng is required (ValueError without it).
    - drop_last: drop a last batch shorter than batch_size.
    - rng: numpy.random.Generator.

    Returns:
    - list of integer index arrays.
    """
    # BEGIN SOLUTION
    if shuffle and rng is None:
        raise ValueError("minibatch_indices: shuffle=True needs an rng (numpy.random.Generator)")
    order = rng.permutation(n) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    return [order[start:start + batch_size] for start in range(0, stop, batch_size)]
    # END SOLUTION


def fit_linear_regression(X, y, *, batch_size=None, epochs, lr, rng, optimizer=sgd):
    """Fit theta minimising mean((X1 @ theta - y)**2), X1 = X with a trailing column of ones.

    Batch gradient descent (batch_size=None), SGD (batch_size=1) or mini-batch GD.
    theta starts at zeros; each epoch draws
    minibatch_indices(n, batch_size or n, shuffle=True, rng=rng) and, per batch B, takes
    theta, state = optimizer(theta, grad, state, lr=lr) with
    grad = 2 / |B| * X1[B].T @ (X1[B] @ theta - y[B]) and one state for the whole run.

    Inputs:
    - X: shape (n, d).
    - y: shape (n,) or (n, k).
    - batch_size, epochs, lr: as above.
    - rng: numpy.random.Generator for the shuffles.
    - optimizer: an a1 update rule.

    Returns a tuple of:
    - theta: shape (d + 1,) for y (n,), (d + 1, k) for y (n, k).
    - losses: ndarray (epochs,), losses[e] the full-data loss after epoch e; float32 or float64
      (scalars: float32 data is compared at float32 tolerance either way).
    """
    # BEGIN SOLUTION
    n = X.shape[0]
    X1 = np.concatenate([X, np.ones((n, 1), dtype=X.dtype)], axis=1)
    theta = np.zeros((X1.shape[1],) + y.shape[1:], dtype=np.result_type(X, y))
    state = {}
    losses = np.empty(epochs, dtype=theta.dtype)
    for epoch in range(epochs):
        for batch in minibatch_indices(n, batch_size or n, shuffle=True, rng=rng):
            residual = X1[batch] @ theta - y[batch]
            grad = 2 / len(batch) * X1[batch].T @ residual
            theta, state = optimizer(theta, grad, state, lr=lr)
        losses[epoch] = np.mean((X1 @ theta - y) ** 2)
    return theta, losses
    # END SOLUTION


def step_lr(lr0, epoch, step_size, gamma=0.1):
    """Step decay (torch StepLR): lr0 * gamma ** (epoch // step_size)."""
    # BEGIN SOLUTION
    return lr0 * gamma ** (epoch // step_size)
    # END SOLUTION


def exponential_lr(lr0, epoch, gamma):
    """Exponential decay (torch ExponentialLR): lr0 * gamma ** epoch."""
    # BEGIN SOLUTION
    return lr0 * gamma**epoch
    # END SOLUTION


def cosine_annealing_lr(lr0, t, t_max, eta_min=0.0):
    """Cosine annealing, torch's closed form (periodic past t_max).

    eta_min + (lr0 - eta_min) * (1 + cos(pi * t / t_max)) / 2
    """
    # BEGIN SOLUTION
    return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2
    # END SOLUTION


def linear_warmup_lr(lr0, t, warmup_steps):
    """Linear warm-up: lr0 * min(1, t / warmup_steps); lr0 when warmup_steps <= 0."""
    # BEGIN SOLUTION
    if warmup_steps <= 0:
        return lr0
    return lr0 * min(1.0, t / warmup_steps)
    # END SOLUTION
