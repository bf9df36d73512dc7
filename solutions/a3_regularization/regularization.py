"""Regularization: weight penalties, dropout, batch and layer normalization, early stopping
and k-fold cross-validation.

Every forward returns ``(out, cache)`` (batch norm also returns the new running statistics)
and never modifies its inputs; the matching backward takes ``(dout, cache)`` and returns the
gradients with respect to the forward's differentiable inputs. Outputs keep the input dtype
(float64 or float32). Conventions are PyTorch's.
"""
import math

import numpy as np


def l2_penalty(weights, lam):
    """L2 penalty (weight decay) over a list of weight arrays.

    loss = lam / 2 * sum_W sum(W**2),   dloss/dW = lam * W

    Inputs:
    - weights: list of arrays of any shapes.
    - lam: the regularization strength, a non-negative float.

    Returns a tuple of:
    - loss: a float.
    - grads: list of arrays, grads[i] shaped like weights[i], same dtype.
    """
    # BEGIN SOLUTION
    loss = sum(float(np.sum(W * W)) for W in weights) * lam / 2
    return float(loss), [lam * W for W in weights]
    # END SOLUTION


def l1_penalty(weights, lam):
    """L1 penalty over a list of weight arrays.

    loss = lam * sum_W sum(|W|),   dloss/dW = lam * sign(W)   (subgradient 0 at W = 0)

    Inputs:
    - weights: list of arrays of any shapes.
    - lam: the regularization strength, a non-negative float.

    Returns a tuple of:
    - loss: a float.
    - grads: list of arrays, grads[i] shaped like weights[i], same dtype.
    """
    # BEGIN SOLUTION
    loss = sum(float(np.sum(np.abs(W))) for W in weights) * lam
    return float(loss), [lam * np.sign(W) for W in weights]
    # END SOLUTION


def dropout_forward(x, p, *, train, rng):
    """Inverted dropout.

    In training, each entry is dropped (set to 0) independently with probability p and every
    kept entry is scaled by 1 / (1 - p), so that E[out] = x:
        out = x * m / (1 - p),   m ~ Bernoulli(1 - p) per entry
    Not training, or p == 0: out is a copy of x. p == 1: out is all zeros.

    Inputs:
    - x: array of any shape.
    - p: probability of dropping an entry, 0 <= p <= 1.
    - train: True in training mode, False in evaluation mode.
    - rng: numpy.random.Generator, the only source of randomness.

    Returns a tuple of:
    - out: same shape and dtype as x.
    - cache: whatever dropout_backward needs.
    """
    # BEGIN SOLUTION
    if not train or p == 0:
        return x.copy(), (None, p)
    if p == 1:
        return np.zeros_like(x), (np.zeros(x.shape, dtype=bool), p)
    keep = rng.random(x.shape) >= p
    return np.where(keep, x / (1 - p), 0).astype(x.dtype, copy=False), (keep, p)
    # END SOLUTION


def dropout_backward(dout, cache):
    """Backward pass of dropout: dx = dout * m / (1 - p), with the forward's own mask m.

    (dx = dout in evaluation mode or for p == 0; dx = 0 for p == 1.)

    Inputs:
    - dout: upstream gradient, same shape as the forward's x.
    - cache: from dropout_forward.

    Returns:
    - dx: gradient with respect to x.
    """
    # BEGIN SOLUTION
    keep, p = cache
    if keep is None:
        return dout.copy()
    if p == 1:
        return np.zeros_like(dout)
    return np.where(keep, dout / (1 - p), 0).astype(dout.dtype, copy=False)
    # END SOLUTION


def batchnorm_forward(x, gamma, beta, running_mean, running_var, *, train, momentum=0.1, eps=1e-5):
    """Batch normalization over the batch axis of x (N, D).

    Training (the batch's own statistics; N >= 2, else ValueError):
        mu = mean_n x[n],   var = mean_n (x[n] - mu)**2              (biased)
        out = gamma * (x - mu) / sqrt(var + eps) + beta
        new_running_mean = (1 - momentum) * running_mean + momentum * mu
        new_running_var  = (1 - momentum) * running_var + momentum * var * N / (N - 1)   (unbiased)
    Evaluation (the running statistics; they are returned unchanged):
        out = gamma * (x - running_mean) / sqrt(running_var + eps) + beta

    Inputs:
    - x: shape (N, D).
    - gamma, beta: scale and shift, shape (D,).
    - running_mean, running_var: running statistics, shape (D,).
    - train: True in training mode, False in evaluation mode.
    - momentum: weight of the new batch in the running statistics.
    - eps: added to the variance for numerical stability.

    Returns a tuple of:
    - out: shape (N, D).
    - cache: whatever batchnorm_backward needs.
    - new_running_mean, new_running_var: shape (D,).
    """
    # BEGIN SOLUTION
    if train:
        n = x.shape[0]
        if n < 2:
            raise ValueError(f"batch norm in training needs more than 1 value per channel, got {n}")
        mean = x.mean(axis=0)
        var = x.var(axis=0)
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * (n / (n - 1))
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = running_mean.copy(), running_var.copy()
    inv_std = 1 / np.sqrt(var + eps)
    xhat = (x - mean) * inv_std
    return gamma * xhat + beta, (xhat, gamma.copy(), inv_std, train), new_mean, new_var
    # END SOLUTION


def batchnorm_backward(dout, cache):
    """Backward pass of batch normalization.

    With xhat = (x - mu) / sqrt(var + eps) and dxhat = dout * gamma, in training mode
    (mu and var depend on x):
        dx = (dxhat - mean_n dxhat - xhat * mean_n (dxhat * xhat)) / sqrt(var + eps)
    in evaluation mode (the running statistics are constants):
        dx = dxhat / sqrt(running_var + eps)
    and in both: dgamma = sum_n dout * xhat,  dbeta = sum_n dout.

    Inputs:
    - dout: upstream gradient, shape (N, D).
    - cache: from batchnorm_forward (training or evaluation mode).

    Returns a tuple of:
    - dx: shape (N, D).
    - dgamma, dbeta: shape (D,).
    """
    # BEGIN SOLUTION
    xhat, gamma, inv_std, train = cache
    dxhat = dout * gamma
    if train:
        dx = inv_std * (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0))
    else:
        dx = dxhat * inv_std
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
    # END SOLUTION


def spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, *, train, momentum=0.1, eps=1e-5):
    """Batch normalization of images: each channel c is normalized over (N, H, W).

    The same computation as batchnorm_forward with the N * H * W values of a channel as its
    batch (training needs N * H * W >= 2, else ValueError; the running variance's unbiased
    correction uses N * H * W).

    Inputs:
    - x: shape (N, C, H, W).
    - gamma, beta: scale and shift, shape (C,).
    - running_mean, running_var: running statistics, shape (C,).
    - train, momentum, eps: as in batchnorm_forward.

    Returns a tuple of:
    - out: shape (N, C, H, W).
    - cache: whatever spatial_batchnorm_backward needs.
    - new_running_mean, new_running_var: shape (C,).
    """
    # BEGIN SOLUTION
    n, c, h, w = x.shape
    rows = x.transpose(0, 2, 3, 1).reshape(-1, c)
    out, cache, new_mean, new_var = batchnorm_forward(rows, gamma, beta, running_mean, running_var,
                                                      train=train, momentum=momentum, eps=eps)
    out = np.ascontiguousarray(out.reshape(n, h, w, c).transpose(0, 3, 1, 2))
    return out, (cache, x.shape), new_mean, new_var
    # END SOLUTION


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of spatial batch normalization.

    Inputs:
    - dout: upstream gradient, shape (N, C, H, W).
    - cache: from spatial_batchnorm_forward.

    Returns a tuple of:
    - dx: shape (N, C, H, W).
    - dgamma, dbeta: shape (C,).
    """
    # BEGIN SOLUTION
    cache, (n, c, h, w) = cache
    rows = dout.transpose(0, 2, 3, 1).reshape(-1, c)
    dx, dgamma, dbeta = batchnorm_backward(rows, cache)
    return np.ascontiguousarray(dx.reshape(n, h, w, c).transpose(0, 3, 1, 2)), dgamma, dbeta
    # END SOLUTION


def layernorm_forward(x, gamma, beta, *, eps=1e-5):
    """Layer normalization over the last axis, for each example on its own.

    mu = mean of x over the last axis,  var = mean of (x - mu)**2 over it   (biased)
    out = gamma * (x - mu) / sqrt(var + eps) + beta

    Inputs:
    - x: shape (..., D), at least 2 dimensions.
    - gamma, beta: scale and shift, shape (D,).
    - eps: added to the variance for numerical stability.

    Returns a tuple of:
    - out: shape (..., D).
    - cache: whatever layernorm_backward needs.
    """
    # BEGIN SOLUTION
    mean = x.mean(axis=-1, keepdims=True)
    inv_std = 1 / np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    xhat = (x - mean) * inv_std
    return gamma * xhat + beta, (xhat, gamma.copy(), inv_std)
    # END SOLUTION


def layernorm_backward(dout, cache):
    """Backward pass of layer normalization.

    With xhat = (x - mu) / sqrt(var + eps), dxhat = dout * gamma, means over the last axis:
        dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sqrt(var + eps)
        dgamma = dout * xhat summed over every axis but the last,  dbeta = dout summed likewise

    Inputs:
    - dout: upstream gradient, shape (..., D).
    - cache: from layernorm_forward.

    Returns a tuple of:
    - dx: shape (..., D).
    - dgamma, dbeta: shape (D,).
    """
    # BEGIN SOLUTION
    xhat, gamma, inv_std = cache
    leading = tuple(range(dout.ndim - 1))
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.mean(axis=-1, keepdims=True)
                    - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True))
    return dx, (dout * xhat).sum(axis=leading), dout.sum(axis=leading)
    # END SOLUTION


class EarlyStopping:
    """Stop training when a validation metric has stopped improving.

    A value improves on best when it is lower than best - |min_delta| (mode "min") or higher
    than best + |min_delta| (mode "max"); only an improvement moves best (to the value) and
    resets num_bad_epochs to 0, any other value adds 1 to it. step returns True (stop) when
    its value did not improve and num_bad_epochs >= patience, at every step: after a first
    True, an improving step returns False again.

    Attributes:
    - best: the best value so far; +inf (mode "min") or -inf (mode "max") before any step.
    - best_epoch: 0-based index of the step call that set best; None before.
    - num_bad_epochs: steps since the last improvement.
    """

    def __init__(self, patience=5, min_delta=0.0, mode="min"):
        """Inputs:
        - patience: steps without improvement to wait before stopping (0 stops at the first).
        - min_delta: the margin an improvement must beat (its sign is ignored).
        - mode: "min" (a loss) or "max" (an accuracy); anything else raises ValueError.
        """
        # BEGIN SOLUTION
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.patience = patience
        self.min_delta = abs(min_delta)
        self.mode = mode
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = None
        self.num_bad_epochs = 0
        self._steps = 0
        # END SOLUTION

    def step(self, value):
        """Record one epoch's metric value.

        Inputs:
        - value: the metric, a float.

        Returns:
        - True when training should stop, else False.
        """
        # BEGIN SOLUTION
        if self.mode == "min":
            improved = value < self.best - self.min_delta
        else:
            improved = value > self.best + self.min_delta
        if improved:
            self.best = value
            self.best_epoch = self._steps
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        self._steps += 1
        return not improved and self.num_bad_epochs >= self.patience
        # END SOLUTION


def kfold_indices(n, k, *, shuffle=False, rng=None):
    """Split range(n) into k folds for cross-validation, as sklearn's KFold.

    The order is rng.permutation(n) when shuffling, else arange(n); fold i is the next
    n // k + 1 entries of that order for i < n % k, the next n // k entries otherwise. Fold i
    is the validation set of split i; the other folds are its training set.

    Inputs:
    - n: number of samples.
    - k: number of folds, 2 <= k <= n (else ValueError).
    - shuffle: permute first; then rng is required (ValueError without it).
    - rng: numpy.random.Generator.

    Returns:
    - list of k tuples (train_idx, val_idx), integer arrays each sorted ascending.
    """
    # BEGIN SOLUTION
    if not 2 <= k <= n:
        raise ValueError(f"kfold_indices needs 2 <= k <= n, got n={n}, k={k}")
    if shuffle and rng is None:
        raise ValueError("kfold_indices: shuffle=True needs an rng (numpy.random.Generator)")
    order = rng.permutation(n) if shuffle else np.arange(n)
    sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
    bounds = np.cumsum([0] + sizes)
    return [(np.sort(np.concatenate([order[:start], order[stop:]])), np.sort(order[start:stop]))
            for start, stop in zip(bounds[:-1], bounds[1:])]
    # END SOLUTION
