"""Known mistakes of a3_regularization (regularization.py).

Each function or class is the kind of wrong version students really write. Its source is
appended to the reference regularization.py under the task's name, so `batchnorm_forward` inside
a spatial mistake resolves to the reference's, and a backward receives the reference forward's
cache: dropout (keep, p) with keep None when nothing is dropped; batch norm
(xhat, gamma, inv_std, train); layer norm (xhat, gamma, inv_std).
"""

import math

import numpy as np

from autograder.checks.a3_regularization import (
    HINT_BACKWARD_UNSCALED,
    HINT_EVAL,
    HINT_FOLD_SIZES,
    HINT_FRESH_MASK,
    HINT_KEEP_PROBABILITY,
    HINT_RNG,
    HINT_SHARED_MASK,
    HINT_UNSCALED,
)
from autograder.checks.common import HINT_MUTATES
from autograder.grading.mistake_registry import mistake
from autograder.runtime.language import N_

# ---- penalties ------------------------------------------------------------------------------


@mistake(
    "l2_penalty",
    hint=(
        N_(
            "you dropped the 1/2 of the L2 penalty: it is lam / 2 * sum(W**2), with gradient lam * W "
            "(PyTorch's weight_decay adds lam * W to the gradient)"
        )
    ),
)
def l2_penalty_without_the_half(weights, lam):
    return float(lam * sum(np.sum(W * W) for W in weights)), [2 * lam * W for W in weights]


@mistake(
    "l1_penalty",
    hint=N_("your subgradient of |W| at W = 0 is lam, not 0: use lam * np.sign(W), which is 0 there"),
)
def l1_penalty_subgradient_at_zero(weights, lam):
    return float(lam * sum(np.sum(np.abs(W)) for W in weights)), [
        lam * np.where(W >= 0, 1.0, -1.0).astype(W.dtype) for W in weights
    ]


# ---- dropout --------------------------------------------------------------------------------


@mistake("dropout_forward", hint=HINT_UNSCALED, by_output=False)
def dropout_forward_unscaled(x, p, *, train, rng):
    if not train or p == 0:
        return x.copy(), (None, p)
    keep = rng.random(x.shape) >= p
    return x * keep, (keep, p)


@mistake("dropout_forward", hint=HINT_KEEP_PROBABILITY, by_output=False)
def dropout_forward_p_as_keep_probability(x, p, *, train, rng):
    if not train or p == 1:
        return x.copy(), (None, p)
    keep = rng.random(x.shape) < p
    return x * keep / p, (keep, 1 - p)


@mistake("dropout_forward", hint=HINT_EVAL, by_output=False)
def dropout_forward_active_in_eval(x, p, *, train, rng):
    if p == 0:
        return x.copy(), (None, p)
    if p == 1:
        return np.zeros_like(x), (np.zeros(x.shape, dtype=bool), p)
    keep = rng.random(x.shape) >= p
    return x * keep / (1 - p), (keep, p)


@mistake("dropout_forward", hint=HINT_SHARED_MASK, by_output=False)
def dropout_forward_one_mask_for_the_batch(x, p, *, train, rng):
    if not train or p == 0:
        return x.copy(), (None, p)
    if p == 1:
        return np.zeros_like(x), (np.zeros(x.shape, dtype=bool), p)
    keep = np.broadcast_to(rng.random(x.shape[1:]) >= p, x.shape)
    return x * keep / (1 - p), (keep, p)


@mistake("dropout_forward", hint=HINT_RNG, by_output=False)
def dropout_forward_global_random(x, p, *, train, rng):
    if not train or p == 0:
        return x.copy(), (None, p)
    if p == 1:
        return np.zeros_like(x), (np.zeros(x.shape, dtype=bool), p)
    keep = np.random.rand(*x.shape) >= p
    return x * keep / (1 - p), (keep, p)


@mistake("dropout_backward", hint=HINT_FRESH_MASK, by_output=False)
def dropout_backward_fresh_mask(dout, cache):
    keep, p = cache
    if keep is None:
        return dout.copy()
    if p == 1:
        return np.zeros_like(dout)
    fresh = np.random.rand(*dout.shape) >= p
    return dout * fresh / (1 - p)


@mistake("dropout_backward", hint=HINT_BACKWARD_UNSCALED, by_output=False)
def dropout_backward_unscaled(dout, cache):
    keep, p = cache
    if keep is None:
        return dout.copy()
    return dout * keep


# ---- batch norm -----------------------------------------------------------------------------


@mistake(
    "batchnorm_forward",
    hint=(
        N_(
            "you normalise with the unbiased batch variance (ddof=1); torch normalises with the biased "
            "one (the mean of squared deviations, ddof=0), and the N / (N - 1) correction belongs only in"
            " the running variance"
        )
    ),
)
def batchnorm_forward_unbiased_variance(x, gamma, beta, running_mean, running_var, *, train, momentum=0.1, eps=1e-5):
    if train:
        mean, var = x.mean(axis=0), x.var(axis=0, ddof=1)
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = running_mean.copy(), running_var.copy()
    xhat = (x - mean) / np.sqrt(var + eps)
    return gamma * xhat + beta, (xhat, gamma, 1 / np.sqrt(var + eps), train), new_mean, new_var


@mistake(
    "batchnorm_forward",
    hint=(
        N_(
            "your running variance tracks the biased batch variance: it tracks the unbiased one, var * N "
            "/ (N - 1), as torch does (the batch itself is normalised with the biased one)"
        )
    ),
)
def batchnorm_forward_biased_running_var(x, gamma, beta, running_mean, running_var, *, train, momentum=0.1, eps=1e-5):
    if train:
        mean, var = x.mean(axis=0), x.var(axis=0)
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = running_mean.copy(), running_var.copy()
    xhat = (x - mean) / np.sqrt(var + eps)
    return gamma * xhat + beta, (xhat, gamma, 1 / np.sqrt(var + eps), train), new_mean, new_var


@mistake(
    "batchnorm_forward",
    hint=(
        N_(
            "your momentum weighs the old running value (Keras' convention): torch's momentum is the "
            "weight of the new batch, running = (1 - momentum) * running + momentum * batch_statistic"
        )
    ),
)
def batchnorm_forward_keras_momentum(x, gamma, beta, running_mean, running_var, *, train, momentum=0.1, eps=1e-5):
    if train:
        n = x.shape[0]
        mean, var = x.mean(axis=0), x.var(axis=0)
        new_mean = momentum * running_mean + (1 - momentum) * mean
        new_var = momentum * running_var + (1 - momentum) * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = running_mean.copy(), running_var.copy()
    xhat = (x - mean) / np.sqrt(var + eps)
    return gamma * xhat + beta, (xhat, gamma, 1 / np.sqrt(var + eps), train), new_mean, new_var


@mistake(
    "batchnorm_forward",
    hint=(
        N_(
            "you normalise with the batch's own statistics in evaluation mode: normalise with the running"
            " statistics there (and return them unchanged)"
        )
    ),
)
def batchnorm_forward_batch_statistics_in_eval(
    x, gamma, beta, running_mean, running_var, *, train, momentum=0.1, eps=1e-5
):
    n = x.shape[0]
    mean, var = x.mean(axis=0), x.var(axis=0)
    if train:
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        new_mean, new_var = running_mean.copy(), running_var.copy()
    xhat = (x - mean) / np.sqrt(var + eps)
    return gamma * xhat + beta, (xhat, gamma, 1 / np.sqrt(var + eps), train), new_mean, new_var


@mistake("batchnorm_forward", hint=HINT_MUTATES, by_output=False)
def batchnorm_forward_running_stats_in_place(
    x, gamma, beta, running_mean, running_var, *, train, momentum=0.1, eps=1e-5
):
    if train:
        n = x.shape[0]
        mean, var = x.mean(axis=0), x.var(axis=0)
        running_mean *= 1 - momentum
        running_mean += momentum * mean
        running_var *= 1 - momentum
        running_var += momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    xhat = (x - mean) / np.sqrt(var + eps)
    return gamma * xhat + beta, (xhat, gamma, 1 / np.sqrt(var + eps), train), running_mean, running_var


@mistake(
    "batchnorm_backward",
    hint=N_(
        "your dx misses the path through the batch mean: mu depends on every x, which adds "
        "- mean_n(dxhat) / sqrt(var + eps) to dx"
    ),
)
def batchnorm_backward_missing_mean_path(dout, cache):
    xhat, gamma, inv_std, train = cache
    dxhat = dout * gamma
    if train:
        dx = inv_std * (dxhat - xhat * (dxhat * xhat).mean(axis=0))
    else:
        dx = dxhat * inv_std
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@mistake(
    "spatial_batchnorm_forward",
    hint=(
        N_(
            "your x.reshape(-1, C) mixes the channels of NCHW data: move the channel axis last first, "
            "x.transpose(0, 2, 3, 1).reshape(-1, C), and transpose the result back"
        )
    ),
)
def spatial_batchnorm_forward_reshape_without_transpose(
    x, gamma, beta, running_mean, running_var, *, train, momentum=0.1, eps=1e-5
):
    out, cache, new_mean, new_var = batchnorm_forward(
        x.reshape(-1, x.shape[1]), gamma, beta, running_mean, running_var, train=train, momentum=momentum, eps=eps
    )
    return out.reshape(x.shape), (cache, x.shape), new_mean, new_var


# ---- layer norm -----------------------------------------------------------------------------


@mistake(
    "layernorm_forward",
    hint=(
        N_(
            "you normalise over the batch axis, which is batch norm: layer norm normalises each example "
            "over its last axis (its features), mean(axis=-1, keepdims=True)"
        )
    ),
)
def layernorm_forward_over_the_batch(x, gamma, beta, *, eps=1e-5):
    mean = x.mean(axis=0, keepdims=True)
    inv_std = 1 / np.sqrt(x.var(axis=0, keepdims=True) + eps)
    xhat = (x - mean) * inv_std
    return gamma * xhat + beta, (xhat, gamma, inv_std)


@mistake(
    "layernorm_backward",
    hint=(
        N_(
            "you sum dgamma and dbeta over axis 0 alone: gamma and beta are shared by every position of "
            "every example, so sum dout * xhat and dout over every axis but the last"
        )
    ),
)
def layernorm_backward_sums_over_axis_0(dout, cache):
    xhat, gamma, inv_std = cache
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.mean(axis=-1, keepdims=True) - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


# ---- early stopping -------------------------------------------------------------------------


@mistake(
    "EarlyStopping",
    hint=(
        N_("you stop one step late: stop as soon as num_bad_epochs >= patience (patience steps without improvement)")
    ),
)
class EarlyStoppingPatienceOffByOne:
    def __init__(self, patience=5, min_delta=0.0, mode="min"):
        self.patience, self.min_delta, self.mode = patience, abs(min_delta), mode
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch, self.num_bad_epochs, self._steps = None, 0, 0

    def step(self, value):
        sign = 1 if self.mode == "min" else -1
        if sign * value < sign * self.best - self.min_delta:
            self.best, self.best_epoch, self.num_bad_epochs = value, self._steps, 0
        else:
            self.num_bad_epochs += 1
        self._steps += 1
        return self.num_bad_epochs > self.patience


@mistake(
    "EarlyStopping",
    hint=(
        N_(
            "you keep returning True once step has returned True: the rule holds at every step, so an "
            "improving step returns False and a step without improvement returns num_bad_epochs >= "
            "patience"
        )
    ),
)
class EarlyStoppingLatches:
    def __init__(self, patience=5, min_delta=0.0, mode="min"):
        self.patience, self.min_delta, self.mode = patience, abs(min_delta), mode
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch, self.num_bad_epochs, self._steps, self._stopped = None, 0, 0, False

    def step(self, value):
        sign = 1 if self.mode == "min" else -1
        improved = sign * value < sign * self.best - self.min_delta
        if improved:
            self.best, self.best_epoch, self.num_bad_epochs = value, self._steps, 0
        else:
            self.num_bad_epochs += 1
        self._steps += 1
        self._stopped = self._stopped or (not improved and self.num_bad_epochs >= self.patience)
        return self._stopped


@mistake(
    "EarlyStopping",
    hint=(
        N_(
            "your step says stop on an improving step: return True only when the value did not improve "
            "and num_bad_epochs >= patience (with patience = 0, num_bad_epochs >= patience alone is "
            "always True)"
        )
    ),
)
class EarlyStoppingStopsOnImprovement:
    def __init__(self, patience=5, min_delta=0.0, mode="min"):
        self.patience, self.min_delta, self.mode = patience, abs(min_delta), mode
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch, self.num_bad_epochs, self._steps = None, 0, 0

    def step(self, value):
        sign = 1 if self.mode == "min" else -1
        if sign * value < sign * self.best - self.min_delta:
            self.best, self.best_epoch, self.num_bad_epochs = value, self._steps, 0
        else:
            self.num_bad_epochs += 1
        self._steps += 1
        return self.num_bad_epochs >= self.patience


@mistake(
    "EarlyStopping",
    hint=(
        N_(
            "you let an improvement fall short of best by min_delta: it must beat best by more than "
            "min_delta, value < best - |min_delta| in mode 'min', value > best + |min_delta| in mode "
            "'max'"
        )
    ),
)
class EarlyStoppingMinDeltaWrongSign:
    def __init__(self, patience=5, min_delta=0.0, mode="min"):
        self.patience, self.min_delta, self.mode = patience, abs(min_delta), mode
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch, self.num_bad_epochs, self._steps = None, 0, 0

    def step(self, value):
        sign = 1 if self.mode == "min" else -1
        improved = sign * value < sign * self.best + self.min_delta
        if improved:
            self.best, self.best_epoch, self.num_bad_epochs = value, self._steps, 0
        else:
            self.num_bad_epochs += 1
        self._steps += 1
        return not improved and self.num_bad_epochs >= self.patience


@mistake(
    "EarlyStopping",
    hint=(
        N_(
            "you count a value that only ties best - |min_delta| (such as a plateau when min_delta = 0) "
            "as an improvement: an improvement must be strictly better"
        )
    ),
)
class EarlyStoppingTiesImprove:
    def __init__(self, patience=5, min_delta=0.0, mode="min"):
        self.patience, self.min_delta, self.mode = patience, abs(min_delta), mode
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch, self.num_bad_epochs, self._steps = None, 0, 0

    def step(self, value):
        sign = 1 if self.mode == "min" else -1
        improved = sign * value <= sign * self.best - self.min_delta
        if improved:
            self.best, self.best_epoch, self.num_bad_epochs = value, self._steps, 0
        else:
            self.num_bad_epochs += 1
        self._steps += 1
        return not improved and self.num_bad_epochs >= self.patience


@mistake(
    "EarlyStopping",
    hint=(
        N_(
            "your best follows gains smaller than |min_delta|: best moves only on an improvement by more "
            "than |min_delta|, so a smaller gain leaves best and best_epoch as they were (and counts as "
            "an epoch without improvement)"
        )
    ),
)
class EarlyStoppingBestFollowsSmallGains:
    def __init__(self, patience=5, min_delta=0.0, mode="min"):
        self.patience, self.min_delta, self.mode = patience, abs(min_delta), mode
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch, self.num_bad_epochs, self._steps = None, 0, 0

    def step(self, value):
        sign = 1 if self.mode == "min" else -1
        improved = sign * value < sign * self.best - self.min_delta
        if sign * value < sign * self.best:
            self.best, self.best_epoch = value, self._steps
        self.num_bad_epochs = 0 if improved else self.num_bad_epochs + 1
        self._steps += 1
        return not improved and self.num_bad_epochs >= self.patience


# ---- k-fold cross-validation ----------------------------------------------------------------


@mistake("kfold_indices", hint=HINT_FOLD_SIZES)
def kfold_indices_remainder_in_the_last_fold(n, k, *, shuffle=False, rng=None):
    if not 2 <= k <= n:
        raise ValueError("2 <= k <= n")
    order = rng.permutation(n) if shuffle else np.arange(n)
    size = n // k
    folds = []
    for i in range(k):
        stop = n if i == k - 1 else (i + 1) * size
        val = order[i * size : stop]
        folds.append((np.sort(np.setdiff1d(order, val)), np.sort(val)))
    return folds


@mistake(
    "kfold_indices",
    hint=(
        N_(
            "your train_idx includes the validation fold: each split's train_idx and val_idx together "
            "hold every index exactly once"
        )
    ),
)
def kfold_indices_validation_fold_in_train(n, k, *, shuffle=False, rng=None):
    if not 2 <= k <= n:
        raise ValueError("2 <= k <= n")
    order = rng.permutation(n) if shuffle else np.arange(n)
    sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
    bounds = np.cumsum([0] + sizes)
    return [(np.arange(n), np.sort(order[start:stop])) for start, stop in zip(bounds[:-1], bounds[1:])]


# ---- more published forms ---------------------------------------------------------------------


@mistake("dropout_forward", hint=HINT_EVAL, by_output=False)
def dropout_forward_scales_at_test_time(x, p, *, train, rng):
    if not train:
        return x * (1 - p), (None, p)
    keep = rng.random(x.shape) >= p
    return np.where(keep, x, 0).astype(x.dtype), (keep, p)


@mistake(
    "batchnorm_forward",
    hint=N_(
        "your eps is outside the square root, (x - mean) / (np.sqrt(var) + eps): batch norm "
        "divides by np.sqrt(var + eps)"
    ),
)
def batchnorm_forward_eps_outside_sqrt(x, gamma, beta, running_mean, running_var, *, train, momentum=0.1, eps=1e-5):
    if train:
        n = x.shape[0]
        mean, var = x.mean(axis=0), x.var(axis=0)
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * (n / (n - 1))
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = running_mean.copy(), running_var.copy()
    inv_std = 1 / (np.sqrt(var) + eps)
    xhat = (x - mean) * inv_std
    return gamma * xhat + beta, (xhat, gamma.copy(), inv_std, train), new_mean, new_var


@mistake(
    "batchnorm_backward",
    hint=N_(
        "your dgamma is dout summed over the batch, the same as dbeta: gamma multiplies xhat, "
        "so dgamma = (dout * xhat).sum(axis=0)"
    ),
)
def batchnorm_backward_dgamma_without_xhat(dout, cache):
    xhat, gamma, inv_std, train = cache
    dxhat = dout * gamma
    if train:
        dx = inv_std * (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0))
    else:
        dx = dxhat * inv_std
    return dx, dout.sum(axis=0), dout.sum(axis=0)


@mistake(
    "batchnorm_backward",
    hint=N_(
        "your dx leaves out gamma (you use dout where dxhat = dout * gamma belongs): the output "
        "is gamma * xhat + beta, so the gradient reaching xhat is dout * gamma"
    ),
)
def batchnorm_backward_forgets_gamma(dout, cache):
    xhat, gamma, inv_std, train = cache
    if train:
        dx = inv_std * (dout - dout.mean(axis=0) - xhat * (dout * xhat).mean(axis=0))
    else:
        dx = dout * inv_std
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@mistake(
    "batchnorm_backward",
    hint=N_(
        "your backward uses the training formula in evaluation mode too: with train=False the "
        "mean and variance are constants (the running statistics), so dx = dout * gamma / np.sqrt(running_var + eps)"
    ),
)
def batchnorm_backward_training_formula_in_eval(dout, cache):
    xhat, gamma, inv_std, train = cache
    dxhat = dout * gamma
    dx = inv_std * (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


@mistake(
    "spatial_batchnorm_backward",
    hint=N_(
        "you reshape dout (N, C, H, W) to (N*H*W, C) without moving C last, which mixes channels and "
        "positions: transpose to (N, H, W, C) first, and transpose dx back after"
    ),
)
def spatial_batchnorm_backward_reshape_without_transpose(dout, cache):
    cache, (n, c, h, w) = cache
    dx, dgamma, dbeta = batchnorm_backward(dout.reshape(-1, c), cache)
    return dx.reshape(n, c, h, w), dgamma, dbeta


@mistake(
    "layernorm_backward",
    hint=N_(
        "your dx misses the path through the mean (dxhat.mean(axis=-1)): the mean depends on "
        "every feature, so dx = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) over the last axis"
    ),
)
def layernorm_backward_missing_mean_path(dout, cache):
    xhat, gamma, inv_std = cache
    leading = tuple(range(dout.ndim - 1))
    dxhat = dout * gamma
    dx = inv_std * (dxhat - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True))
    return dx, (dout * xhat).sum(axis=leading), dout.sum(axis=leading)


@mistake(
    "EarlyStopping",
    hint=N_(
        "your stopper treats every metric as a loss (lower is better), whatever mode is: with "
        "mode='max' a value improves when it is higher than best + |min_delta|, and best starts at -inf"
    ),
)
class EarlyStoppingIgnoresMode:
    def __init__(self, patience=5, min_delta=0.0, mode="min"):
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.patience, self.min_delta, self.mode = patience, abs(min_delta), mode
        self.best = math.inf
        self.best_epoch, self.num_bad_epochs, self._steps = None, 0, 0

    def step(self, value):
        improved = value < self.best - self.min_delta
        if improved:
            self.best, self.best_epoch, self.num_bad_epochs = value, self._steps, 0
        else:
            self.num_bad_epochs += 1
        self._steps += 1
        return not improved and self.num_bad_epochs >= self.patience


@mistake(
    "kfold_indices",
    hint=N_(
        "your folds take every k-th entry (order[i::k]): fold i is a consecutive chunk of the "
        "order, n // k + 1 entries for i < n % k and n // k after"
    ),
)
def kfold_indices_strided_folds(n, k, *, shuffle=False, rng=None):
    if not 2 <= k <= n:
        raise ValueError(f"kfold_indices needs 2 <= k <= n, got n={n}, k={k}")
    if shuffle and rng is None:
        raise ValueError("shuffle=True needs an rng")
    order = rng.permutation(n) if shuffle else np.arange(n)
    folds = [order[i::k] for i in range(k)]
    return [(np.sort(np.concatenate([f for j, f in enumerate(folds) if j != i])), np.sort(folds[i])) for i in range(k)]


@mistake("kfold_indices", hint=HINT_FOLD_SIZES, by_output=False)
def kfold_indices_larger_folds_last(n, k, *, shuffle=False, rng=None):
    if not 2 <= k <= n:
        raise ValueError(f"kfold_indices needs 2 <= k <= n, got n={n}, k={k}")
    if shuffle and rng is None:
        raise ValueError("shuffle=True needs an rng")
    order = rng.permutation(n) if shuffle else np.arange(n)
    sizes = [n // k] * (k - n % k) + [n // k + 1] * (n % k)
    bounds = np.cumsum([0] + sizes)
    return [
        (np.sort(np.concatenate([order[:start], order[stop:]])), np.sort(order[start:stop]))
        for start, stop in zip(bounds[:-1], bounds[1:])
    ]


@mistake(
    "layernorm_forward",
    hint=N_(
        "your eps is outside the square root, (x - mean) / (np.sqrt(var) + eps): layer norm "
        "divides by np.sqrt(var + eps)"
    ),
)
def layernorm_forward_eps_outside_sqrt(x, gamma, beta, *, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    inv_std = 1 / (np.sqrt(x.var(axis=-1, keepdims=True)) + eps)
    xhat = (x - mean) * inv_std
    return gamma * xhat + beta, (xhat, gamma.copy(), inv_std)


@mistake(
    "EarlyStopping",
    hint=N_(
        "your best_epoch counts steps from 1: it is the 0-based index of the step call that set best "
        "(0 for the first call)"
    ),
)
class EarlyStoppingBestEpochFromOne:
    def __init__(self, patience=5, min_delta=0.0, mode="min"):
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.patience, self.min_delta, self.mode = patience, abs(min_delta), mode
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch, self.num_bad_epochs, self._steps = None, 0, 0

    def step(self, value):
        sign = 1 if self.mode == "min" else -1
        improved = sign * value < sign * self.best - self.min_delta
        self._steps += 1
        if improved:
            self.best, self.best_epoch, self.num_bad_epochs = value, self._steps, 0
        else:
            self.num_bad_epochs += 1
        return not improved and self.num_bad_epochs >= self.patience


@mistake(
    "kfold_indices",
    hint=N_(
        "your shuffled indices are returned in shuffled order: sort each fold's train_idx and "
        "val_idx ascending (np.sort), as the docstring says"
    ),
)
def kfold_indices_unsorted(n, k, *, shuffle=False, rng=None):
    if not 2 <= k <= n:
        raise ValueError(f"kfold_indices needs 2 <= k <= n, got n={n}, k={k}")
    if shuffle and rng is None:
        raise ValueError("shuffle=True needs an rng")
    order = rng.permutation(n) if shuffle else np.arange(n)
    sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
    bounds = np.cumsum([0] + sizes)
    return [
        (np.concatenate([order[:start], order[stop:]]), order[start:stop])
        for start, stop in zip(bounds[:-1], bounds[1:])
    ]
