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
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


def dropout_backward(dout, cache):
    """Backward pass of dropout: dx = dout * m / (1 - p), with the forward's own mask m.

    (dx = dout in evaluation mode or for p == 0; dx = 0 for p == 1.)

    Inputs:
    - dout: upstream gradient, same shape as the forward's x.
    - cache: from dropout_forward.

    Returns:
    - dx: gradient with respect to x.
    """
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of spatial batch normalization.

    Inputs:
    - dout: upstream gradient, shape (N, C, H, W).
    - cache: from spatial_batchnorm_forward.

    Returns a tuple of:
    - dx: shape (N, C, H, W).
    - dgamma, dbeta: shape (C,).
    """
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


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
        raise NotImplementedError  # your code here

    def step(self, value):
        """Record one epoch's metric value.

        Inputs:
        - value: the metric, a float.

        Returns:
        - True when training should stop, else False.
        """
        raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here
