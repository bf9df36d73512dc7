"""a0 foundations -- a student who vectorises everything and names their constants."""
import numpy as np

# module-level numeric literals (must not influence what the grader feeds us)
_HALF = 0.5
_QUARTER = 0.25
_TWO = 2.0
_SEED_HINT = 987654321
_TABLE = (3, 17, 4242, 65537, 0.123, 7.5e-3)
_MAGIC_LOGITS = (-1e4, 1e4, 1e3, -1e3, 31415.9265, 2.718281828)
_DEFAULT_STEP = 1e-5
_DEFAULT_SLOPE = 0.01


def numerical_gradient(f, x, h=_DEFAULT_STEP):
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    flat = x.astype(dtype).ravel()  # a private copy
    size = flat.size
    steps = np.eye(size, dtype=dtype) * h
    plus = [(flat + steps[i]).reshape(x.shape) for i in range(size)]
    minus = [(flat - steps[i]).reshape(x.shape) for i in range(size)]
    f_plus = np.array([f(p) for p in plus], dtype=np.float64)
    f_minus = np.array([f(m) for m in minus], dtype=np.float64)
    return ((f_plus - f_minus) / (_TWO * h)).reshape(x.shape).astype(dtype)


def sigmoid_forward(x):
    x = np.asarray(x)
    t = np.tanh(x * _HALF)
    return _HALF * (1 + t), t


def sigmoid_backward(dout, cache):
    t = cache
    # s (1 - s) = (1 + t)(1 - t) / 4
    return dout * (_QUARTER * ((1 + t) * (1 - t)))


def tanh_forward(x):
    out = np.tanh(x)
    return out, out.copy()


def tanh_backward(dout, cache):
    return dout * ((1 - cache) * (1 + cache))


def relu_forward(x):
    x = np.asarray(x)
    return x * (x > 0), (x > 0)


def relu_backward(dout, cache):
    return dout * cache


def leaky_relu_forward(x, negative_slope=_DEFAULT_SLOPE):
    x = np.asarray(x)
    return np.where(x > 0, x, negative_slope * x), (x > 0, negative_slope)


def leaky_relu_backward(dout, cache):
    positive, negative_slope = cache
    scale = np.where(positive, np.ones_like(dout), np.full_like(dout, negative_slope))
    return dout * scale


def linear_forward(x, W, b):
    out = np.einsum("ni,oi->no", x, W) + b[np.newaxis, :]
    return out, (x.copy(), W.copy())


def linear_backward(dout, cache):
    x, W = cache
    dx = np.einsum("no,oi->ni", dout, W)
    dW = np.einsum("no,ni->oi", dout, x)
    db = np.einsum("no->o", dout)
    return dx, dW, db


def log_softmax(x, axis=-1):
    x = np.asarray(x)
    top = x.max(axis=axis, keepdims=True)
    return x - top - np.log(np.exp(x - top).sum(axis=axis, keepdims=True))


def softmax(x, axis=-1):
    x = np.asarray(x)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e * np.reciprocal(e.sum(axis=axis, keepdims=True))


def cross_entropy(logits, y):
    logits = np.asarray(logits)
    n, classes = logits.shape
    onehot = (np.asarray(y).reshape(-1, 1) == np.arange(classes).reshape(1, -1)).astype(logits.dtype)
    logp = log_softmax(logits, axis=1)
    loss = -np.sum(onehot * logp) / n
    return loss, (np.exp(logp) - onehot) / n


def mse(pred, target):
    diff = np.subtract(pred, target)
    flat = diff.ravel()
    return np.dot(flat, flat) / flat.size, (_TWO / diff.size) * diff
