"""a0 foundations -- a student who likes explicit loops and masked branches."""
import numpy as np


def _float_dtype(a):
    return a.dtype if np.issubdtype(a.dtype, np.floating) else np.dtype(np.float64)


def numerical_gradient(f, x, h=1e-5):
    x = np.asarray(x)
    dtype = _float_dtype(x)
    point = np.array(x, dtype=dtype, copy=True)  # never touch the caller's x
    grad = np.zeros(point.shape, dtype=dtype)
    it = np.nditer(point, flags=["multi_index"])
    while not it.finished:
        idx = it.multi_index
        x_plus = point.copy()
        x_plus[idx] = point[idx] + h
        x_minus = point.copy()
        x_minus[idx] = point[idx] - h
        f_plus = f(x_plus)
        f_minus = f(x_minus)
        grad[idx] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad


def sigmoid_forward(x):
    x = np.asarray(x)
    out = np.empty(x.shape, dtype=_float_dtype(x))
    positive = x >= 0
    negative = ~positive
    # x >= 0: 1 / (1 + exp(-x)), exp(-x) <= 1
    out[positive] = 1 / (1 + np.exp(-x[positive]))
    # x < 0: exp(x) / (1 + exp(x)), exp(x) < 1
    ex = np.exp(x[negative])
    out[negative] = ex / (1 + ex)
    return out, out.copy()


def sigmoid_backward(dout, cache):
    s = cache
    return dout * (s * (1 - s))


def tanh_forward(x):
    x = np.asarray(x)
    out = np.tanh(x)
    return out, out.copy()


def tanh_backward(dout, cache):
    t = cache
    return dout * (1 - t * t)


def relu_forward(x):
    x = np.asarray(x)
    out = x.copy()
    out[x <= 0] = 0
    return out, x.copy()


def relu_backward(dout, cache):
    x = cache
    dx = np.array(dout, dtype=np.result_type(dout, x), copy=True)
    dx[x <= 0] = 0
    return dx


def leaky_relu_forward(x, negative_slope=0.01):
    x = np.asarray(x)
    out = x.copy()
    mask = x <= 0
    out[mask] = negative_slope * x[mask]
    return out, (mask, negative_slope)


def leaky_relu_backward(dout, cache):
    mask, negative_slope = cache
    dx = np.array(dout, copy=True)
    dx[mask] = negative_slope * dout[mask]
    return dx


def linear_forward(x, W, b):
    out = np.dot(x, W.T) + b
    return out, {"x": x.copy(), "W": W.copy()}


def linear_backward(dout, cache):
    x, W = cache["x"], cache["W"]
    dx = np.dot(dout, W)
    dW = np.zeros_like(W, dtype=np.result_type(dout, x))
    db = np.zeros(W.shape[0], dtype=dout.dtype)
    for n in range(dout.shape[0]):
        dW += np.outer(dout[n], x[n])
        db += dout[n]
    return dx, dW, db


def _logsumexp(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    return m, np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


def softmax(x, axis=-1):
    x = np.asarray(x)
    # exp(x - logsumexp(x)); the shift by the max is kept apart from the log-sum so that
    # large logits lose no precision
    m, lse_shifted = _logsumexp(x, axis)
    return np.exp((x - m) - lse_shifted)


def log_softmax(x, axis=-1):
    x = np.asarray(x)
    m, lse_shifted = _logsumexp(x, axis)
    return (x - m) - lse_shifted


def cross_entropy(logits, y):
    logits = np.asarray(logits)
    n = logits.shape[0]
    dlogits = np.empty_like(logits)
    total = 0.0
    for i in range(n):
        row = logits[i]
        shifted = row - np.max(row)
        exps = np.exp(shifted)
        denom = np.sum(exps)
        label = int(y[i])
        total += float(np.log(denom) - shifted[label])
        probs = exps / denom
        probs[label] -= 1
        dlogits[i] = probs / n
    return total / n, dlogits


def mse(pred, target):
    diff = pred - target
    count = diff.size
    total = 0.0
    for value in diff.flat:
        total += float(value) * float(value)
    return total / count, diff * (2 / count)
