"""Derivatives and backprop basics: activations, a linear layer, softmax and losses.

Every forward returns ``(out, cache)`` and never modifies its inputs; the matching
backward takes ``(dout, cache)`` and returns the gradient(s) with respect to the
forward's differentiable inputs. Outputs keep the input dtype (float64 or float32).
"""
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function by central differences.

    df/dx[i] ~= (f(x + h e_i) - f(x - h e_i)) / (2h)

    Inputs:
    - f: callable taking an array shaped like x and returning a scalar.
    - x: array of any shape; it is unchanged afterwards. Every call of f gets its
      own fresh perturbed copy of x, never x itself nor an array an earlier call
      received: f may modify what it is given without changing later evaluations.
    - h: the step.

    Returns:
    - grad: array of the same shape as x, with x's float dtype.
    """
    # BEGIN SOLUTION
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    point = x.astype(dtype, copy=True)
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + h
        f_plus = f(point.copy())
        point[index] = original - h
        f_minus = f(point.copy())
        point[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
    # END SOLUTION


def sigmoid_forward(x):
    """Logistic sigmoid, numerically stable for any |x| (no overflow warnings).

    out = 1 / (1 + exp(-x))

    Inputs:
    - x: array of any shape.

    Returns a tuple of:
    - out: array of the same shape and dtype as x.
    - cache: whatever sigmoid_backward needs.
    """
    # BEGIN SOLUTION
    x = np.asarray(x)
    # exp of a non-positive number never overflows: use the form that only needs one.
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)
    return out, out
    # END SOLUTION


def sigmoid_backward(dout, cache):
    """Backward pass of the sigmoid: dx = dout * s * (1 - s), s = sigmoid(x).

    Inputs:
    - dout: upstream gradient, same shape as the forward's x.
    - cache: from sigmoid_forward.

    Returns:
    - dx: gradient with respect to x.
    """
    # BEGIN SOLUTION
    s = cache
    return dout * s * (1 - s)
    # END SOLUTION


def tanh_forward(x):
    """Hyperbolic tangent, out = tanh(x).

    Inputs:
    - x: array of any shape.

    Returns a tuple of:
    - out: array of the same shape and dtype as x.
    - cache: whatever tanh_backward needs.
    """
    # BEGIN SOLUTION
    out = np.tanh(x)
    return out, out
    # END SOLUTION


def tanh_backward(dout, cache):
    """Backward pass of tanh: dx = dout * (1 - tanh(x)**2).

    Inputs:
    - dout: upstream gradient, same shape as the forward's x.
    - cache: from tanh_forward.

    Returns:
    - dx: gradient with respect to x.
    """
    # BEGIN SOLUTION
    return dout * (1 - cache**2)
    # END SOLUTION


def relu_forward(x):
    """Rectified linear unit, out = max(x, 0).

    Inputs:
    - x: array of any shape.

    Returns a tuple of:
    - out: array of the same shape and dtype as x.
    - cache: whatever relu_backward needs.
    """
    # BEGIN SOLUTION
    x = np.asarray(x)
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
    # END SOLUTION


def relu_backward(dout, cache):
    """Backward pass of ReLU: dx = dout where x > 0, else 0 (relu'(0) = 0, as torch).

    Inputs:
    - dout: upstream gradient, same shape as the forward's x.
    - cache: from relu_forward.

    Returns:
    - dx: gradient with respect to x.
    """
    # BEGIN SOLUTION
    x = cache
    return np.where(x > 0, dout, 0).astype(np.result_type(dout, x), copy=False)
    # END SOLUTION


def leaky_relu_forward(x, negative_slope=0.01):
    """Leaky ReLU, out = where(x > 0, x, negative_slope * x).

    Inputs:
    - x: array of any shape.
    - negative_slope: any real number.

    Returns a tuple of:
    - out: array of the same shape and dtype as x.
    - cache: whatever leaky_relu_backward needs.
    """
    # BEGIN SOLUTION
    x = np.asarray(x)
    out = np.where(x > 0, x, negative_slope * x).astype(x.dtype, copy=False)
    return out, (x.copy(), negative_slope)
    # END SOLUTION


def leaky_relu_backward(dout, cache):
    """Backward pass of leaky ReLU: dx = dout where x > 0, else negative_slope * dout.

    leaky'(0) = negative_slope, as torch.

    Inputs:
    - dout: upstream gradient, same shape as the forward's x.
    - cache: from leaky_relu_forward.

    Returns:
    - dx: gradient with respect to x.
    """
    # BEGIN SOLUTION
    x, negative_slope = cache
    return np.where(x > 0, dout, negative_slope * dout).astype(dout.dtype, copy=False)
    # END SOLUTION


def linear_forward(x, W, b):
    """Fully connected layer, out = x @ W.T + b.

    Inputs:
    - x: input, shape (N, in).
    - W: weights, shape (out, in).
    - b: bias, shape (out,).

    Returns a tuple of:
    - out: shape (N, out).
    - cache: whatever linear_backward needs.
    """
    # BEGIN SOLUTION
    return x @ W.T + b, (x.copy(), W.copy())
    # END SOLUTION


def linear_backward(dout, cache):
    """Backward pass of the linear layer.

    dx = dout @ W,  dW = dout.T @ x,  db = dout summed over the batch.

    Inputs:
    - dout: upstream gradient, shape (N, out).
    - cache: from linear_forward.

    Returns a tuple of:
    - dx: shape (N, in).
    - dW: shape (out, in).
    - db: shape (out,).
    """
    # BEGIN SOLUTION
    x, W = cache
    return dout @ W, dout.T @ x, dout.sum(axis=0)
    # END SOLUTION


def softmax(x, axis=-1):
    """Softmax along an axis, stable for logits up to +-1e4.

    softmax(x)_i = exp(x_i - max(x)) / sum_j exp(x_j - max(x))

    Inputs:
    - x: array of any shape.
    - axis: the axis that sums to one.

    Returns:
    - probabilities, same shape and dtype as x.
    """
    # BEGIN SOLUTION
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)
    # END SOLUTION


def log_softmax(x, axis=-1):
    """Log of the softmax along an axis, stable for logits up to +-1e4.

    log_softmax(x)_i = x_i - max(x) - log(sum_j exp(x_j - max(x)))

    Inputs:
    - x: array of any shape.
    - axis: the axis of the softmax.

    Returns:
    - log-probabilities, same shape and dtype as x.
    """
    # BEGIN SOLUTION
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    # END SOLUTION


def cross_entropy(logits, y):
    """Softmax cross-entropy, averaged over the batch, and its gradient.

    loss = -mean_n log_softmax(logits)[n, y[n]]
    dlogits = (softmax(logits) - onehot(y)) / N

    Inputs:
    - logits: shape (N, C).
    - y: integer labels, shape (N,), each in [0, C).

    Returns a tuple of:
    - loss: a scalar.
    - dlogits: shape (N, C), same dtype as logits.
    """
    # BEGIN SOLUTION
    n = logits.shape[0]
    rows = np.arange(n)
    logp = log_softmax(logits, axis=1)
    loss = -logp[rows, y].mean()
    dlogits = np.exp(logp)
    dlogits[rows, y] -= 1
    return float(loss), dlogits / n
    # END SOLUTION


def mse(pred, target):
    """Mean squared error and its gradient.

    loss = mean((pred - target)**2),  dpred = 2 (pred - target) / pred.size

    Inputs:
    - pred, target: arrays of the same shape.

    Returns a tuple of:
    - loss: a scalar.
    - dpred: same shape and dtype as pred.
    """
    # BEGIN SOLUTION
    diff = pred - target
    return float(np.mean(diff**2)), 2 * diff / diff.size
    # END SOLUTION
