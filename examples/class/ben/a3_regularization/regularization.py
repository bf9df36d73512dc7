"""a3 regularization -- a student who reduces over named axes and writes the compact formulas."""
import numpy as np


def l2_penalty(weights, lam):
    total = sum(np.sum(np.square(W, dtype=np.float64)) for W in weights)
    return 0.5 * lam * float(total), [np.multiply(W, lam) for W in weights]


def l1_penalty(weights, lam):
    grads = [np.where(W > 0, lam, np.where(W < 0, -lam, 0.0)).astype(W.dtype) for W in weights]
    return lam * float(sum(np.abs(W).sum() for W in weights)), grads


def dropout_forward(x, p, *, train, rng):
    if not train or p == 0:
        mask = np.ones_like(x)
    elif p == 1:
        mask = np.zeros_like(x)
    else:
        mask = rng.binomial(1, 1 - p, size=x.shape).astype(x.dtype) / (1 - p)
    return x * mask, mask


def dropout_backward(dout, cache):
    return dout * cache


def _channel_axes(x):
    return (0,) + tuple(range(2, x.ndim))


def _broadcast(v, x):
    return v.reshape((1, -1) + (1,) * (x.ndim - 2))


def _norm_forward(x, gamma, beta, running_mean, running_var, train, momentum, eps):
    axes = _channel_axes(x)
    count = x.size // x.shape[1]
    if train:
        if count < 2:
            raise ValueError("expected more than 1 value per channel when training")
        mean = x.mean(axis=axes)
        var = np.square(x - _broadcast(mean, x)).mean(axis=axes)
        new_mean = momentum * mean + (1 - momentum) * running_mean
        new_var = momentum * var * (count / (count - 1)) + (1 - momentum) * running_var
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = np.array(running_mean), np.array(running_var)
    inv_std = 1.0 / np.sqrt(_broadcast(var, x) + eps)
    xhat = (x - _broadcast(mean, x)) * inv_std
    out = _broadcast(gamma, x) * xhat + _broadcast(beta, x)
    return out, {"xhat": xhat, "inv_std": inv_std, "gamma": np.array(gamma), "train": train}, new_mean, new_var


def _norm_backward(dout, cache):
    axes = _channel_axes(dout)
    count = dout.size // dout.shape[1]
    xhat, inv_std = cache["xhat"], cache["inv_std"]
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    scale = _broadcast(cache["gamma"], dout) * inv_std
    if not cache["train"]:
        return dout * scale, dgamma, dbeta
    dx = scale / count * (count * dout - _broadcast(dbeta, dout) - xhat * _broadcast(dgamma, dout))
    return dx, dgamma, dbeta


def batchnorm_forward(x, gamma, beta, running_mean, running_var, *, train, momentum=0.1, eps=1e-5):
    return _norm_forward(x, gamma, beta, running_mean, running_var, train, momentum, eps)


def batchnorm_backward(dout, cache):
    return _norm_backward(dout, cache)


def spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, *, train, momentum=0.1, eps=1e-5):
    return _norm_forward(x, gamma, beta, running_mean, running_var, train, momentum, eps)


def spatial_batchnorm_backward(dout, cache):
    return _norm_backward(dout, cache)


def layernorm_forward(x, gamma, beta, *, eps=1e-5):
    centered = x - x.mean(axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt(np.mean(centered * centered, axis=-1, keepdims=True) + eps)
    xhat = centered * inv_std
    return xhat * gamma + beta, (xhat, inv_std, np.array(gamma))


def layernorm_backward(dout, cache):
    xhat, inv_std, gamma = cache
    d = dout.shape[-1]
    lead = tuple(range(dout.ndim - 1))
    g = dout * gamma
    dx = inv_std / d * (d * g - g.sum(axis=-1, keepdims=True) - xhat * (g * xhat).sum(axis=-1, keepdims=True))
    return dx, (dout * xhat).sum(axis=lead), dout.sum(axis=lead)


class EarlyStopping:
    def __init__(self, patience=5, min_delta=0.0, mode="min"):
        self.patience = patience
        self.mode = mode
        # compare everything as a loss to minimise
        self._sign = {"min": 1.0, "max": -1.0}[mode]
        self._margin = abs(min_delta)
        self.best = self._sign * np.inf
        self.best_epoch = None
        self.num_bad_epochs = 0
        self._epoch = -1

    def step(self, value):
        self._epoch += 1
        if self._sign * value < self._sign * self.best - self._margin:
            self.best, self.best_epoch, self.num_bad_epochs = value, self._epoch, 0
            return False
        self.num_bad_epochs += 1
        return self.num_bad_epochs >= self.patience


def kfold_indices(n, k, *, shuffle=False, rng=None):
    if not (2 <= k <= n):
        raise ValueError("k must be between 2 and n")
    if shuffle and rng is None:
        raise ValueError("an rng is needed to shuffle")
    order = rng.permutation(n) if shuffle else np.arange(n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    stops = np.cumsum(sizes)
    folds = []
    for stop, size in zip(stops, sizes):
        val = np.sort(order[stop - size:stop])
        folds.append((np.setdiff1d(order, val), val))
    return folds
