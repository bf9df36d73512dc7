"""a3 regularization -- a student who follows the computational graph node by node and loops."""
import numpy as np


def l2_penalty(weights, lam):
    loss = 0.0
    grads = []
    for W in weights:
        loss += 0.5 * lam * float(np.vdot(W, W))
        grads.append(W * lam)
    return loss, grads


def l1_penalty(weights, lam):
    loss = 0.0
    grads = []
    for W in weights:
        loss += lam * float(np.abs(W).sum())
        g = np.zeros_like(W)
        g[W > 0] = lam
        g[W < 0] = -lam
        grads.append(g)
    return loss, grads


def dropout_forward(x, p, *, train, rng):
    if not train or p == 0:
        return np.array(x, copy=True), {"scale": None}
    # keep where a uniform draw falls below the keep probability
    keep_prob = 1.0 - p
    scale = (rng.uniform(0.0, 1.0, size=x.shape) < keep_prob).astype(x.dtype)
    if keep_prob > 0:
        scale = scale / x.dtype.type(keep_prob)
    return x * scale, {"scale": scale}


def dropout_backward(dout, cache):
    if cache["scale"] is None:
        return np.array(dout, copy=True)
    return dout * cache["scale"]


def _bn_train(x, gamma, beta, eps):
    n = x.shape[0]
    mu = x.sum(axis=0) / n
    centered = x - mu
    var = (centered ** 2).sum(axis=0) / n
    std = np.sqrt(var + eps)
    xhat = centered / std
    return gamma * xhat + beta, mu, var, (centered, std, xhat, gamma)


def batchnorm_forward(x, gamma, beta, running_mean, running_var, *, train, momentum=0.1, eps=1e-5):
    n = x.shape[0]
    if train:
        if n == 1:
            raise ValueError("need at least two samples per feature to train batch norm")
        out, mu, var, graph = _bn_train(x, gamma, beta, eps)
        new_mean = running_mean + momentum * (mu - running_mean)
        new_var = running_var + momentum * (var * n / (n - 1) - running_var)
        return out, ("train", graph), new_mean, new_var
    std = np.sqrt(running_var + eps)
    xhat = (x - running_mean) / std
    return gamma * xhat + beta, ("eval", (std, xhat, gamma)), running_mean.copy(), running_var.copy()


def batchnorm_backward(dout, cache):
    mode, graph = cache
    if mode == "eval":
        std, xhat, gamma = graph
        return dout * gamma / std, (dout * xhat).sum(axis=0), dout.sum(axis=0)
    centered, std, xhat, gamma = graph
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    # xhat = centered / std, std = sqrt(var + eps), var = mean(centered**2), centered = x - mu
    dstd = -(dxhat * centered).sum(axis=0) / std**2
    dvar = dstd / (2 * std)
    dcentered = dxhat / std + 2 * centered * dvar / n
    dmu = -dcentered.sum(axis=0)
    dx = dcentered + dmu / n
    return dx, dgamma, dbeta


def spatial_batchnorm_forward(x, gamma, beta, running_mean, running_var, *, train, momentum=0.1, eps=1e-5):
    N, C, H, W = x.shape
    rows = np.moveaxis(x, 1, -1).reshape(N * H * W, C)
    out, cache, new_mean, new_var = batchnorm_forward(rows, gamma, beta, running_mean, running_var,
                                                      train=train, momentum=momentum, eps=eps)
    return np.moveaxis(out.reshape(N, H, W, C), -1, 1).copy(), (cache, (N, C, H, W)), new_mean, new_var


def spatial_batchnorm_backward(dout, cache):
    inner, (N, C, H, W) = cache
    dx, dgamma, dbeta = batchnorm_backward(np.moveaxis(dout, 1, -1).reshape(-1, C), inner)
    return np.moveaxis(dx.reshape(N, H, W, C), -1, 1).copy(), dgamma, dbeta


def layernorm_forward(x, gamma, beta, *, eps=1e-5):
    # layer norm is batch norm of the transposed rows
    D = x.shape[-1]
    rows = x.reshape(-1, D).T
    n = rows.shape[0]
    mu = rows.sum(axis=0) / n
    centered = rows - mu
    std = np.sqrt((centered ** 2).sum(axis=0) / n + eps)
    xhat = (centered / std).T.reshape(x.shape)
    return gamma * xhat + beta, (centered, std, xhat, gamma)


def layernorm_backward(dout, cache):
    centered, std, xhat, gamma = cache
    D = dout.shape[-1]
    flat = dout.reshape(-1, D)
    dgamma = (flat * xhat.reshape(-1, D)).sum(axis=0)
    dbeta = flat.sum(axis=0)
    dxhat = (flat * gamma).T
    n = D
    dstd = -(dxhat * centered).sum(axis=0) / std**2
    dvar = dstd / (2 * std)
    dcentered = dxhat / std + 2 * centered * dvar / n
    dx = dcentered - dcentered.sum(axis=0) / n
    return dx.T.reshape(dout.shape), dgamma, dbeta


class EarlyStopping:
    def __init__(self, patience=5, min_delta=0.0, mode="min"):
        if mode not in ("min", "max"):
            raise ValueError("mode is 'min' or 'max'")
        self.patience = patience
        self.min_delta = min_delta
        self.mode = mode
        self.best = float("inf") if mode == "min" else float("-inf")
        self.best_epoch = None
        self.num_bad_epochs = 0
        self.history = []

    def _better(self, value):
        margin = abs(self.min_delta)
        if self.mode == "min":
            return self.best - value > margin
        return value - self.best > margin

    def step(self, value):
        self.history.append(value)
        if self._better(value):
            self.best = value
            self.best_epoch = len(self.history) - 1
            self.num_bad_epochs = 0
            return False
        self.num_bad_epochs += 1
        return self.num_bad_epochs >= self.patience


def kfold_indices(n, k, *, shuffle=False, rng=None):
    if k < 2 or k > n:
        raise ValueError(f"need 2 <= k <= n (n={n}, k={k})")
    if shuffle:
        if rng is None:
            raise ValueError("shuffle=True requires rng")
        order = rng.permutation(n)
    else:
        order = np.arange(n)
    splits = []
    for chunk in np.array_split(order, k):
        in_val = np.zeros(n, dtype=bool)
        in_val[chunk] = True
        splits.append((np.flatnonzero(~in_val), np.flatnonzero(in_val)))
    return splits
