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
    raise NotImplementedError  # your code here


def sigmoid_forward(x):
    """Logistic sigmoid, numerically stable for any |x| (no overflow warnings).

    out = 1 / (1 + exp(-x))

    Inputs:
    - x: array of any shape.

    Returns a tuple of:
    - out: array of the same shape and dtype as x.
    - cache: whatever sigmoid_backward needs.
    """
    raise NotImplementedError  # your code here


def sigmoid_backward(dout, cache):
    """Backward pass of the sigmoid: dx = dout * s * (1 - s), s = sigmoid(x).

    Inputs:
    - dout: upstream gradient, same shape as the forward's x.
    - cache: from sigmoid_forward.

    Returns:
    - dx: gradient with respect to x.
    """
    raise NotImplementedError  # your code here


def tanh_forward(x):
    """Hyperbolic tangent, out = tanh(x).

    Inputs:
    - x: array of any shape.

    Returns a tuple of:
    - out: array of the same shape and dtype as x.
    - cache: whatever tanh_backward needs.
    """
    raise NotImplementedError  # your code here


def tanh_backward(dout, cache):
    """Backward pass of tanh: dx = dout * (1 - tanh(x)**2).

    Inputs:
    - dout: upstream gradient, same shape as the forward's x.
    - cache: from tanh_forward.

    Returns:
    - dx: gradient with respect to x.
    """
    raise NotImplementedError  # your code here


def relu_forward(x):
    """Rectified linear unit, out = max(x, 0).

    Inputs:
    - x: array of any shape.

    Returns a tuple of:
    - out: array of the same shape and dtype as x.
    - cache: whatever relu_backward needs.
    """
    raise NotImplementedError  # your code here


def relu_backward(dout, cache):
    """Backward pass of ReLU: dx = dout where x > 0, else 0 (relu'(0) = 0, as torch).

    Inputs:
    - dout: upstream gradient, same shape as the forward's x.
    - cache: from relu_forward.

    Returns:
    - dx: gradient with respect to x.
    """
    raise NotImplementedError  # your code here


def leaky_relu_forward(x, negative_slope=0.01):
    """Leaky ReLU, out = where(x > 0, x, negative_slope * x).

    Inputs:
    - x: array of any shape.
    - negative_slope: any real number.

    Returns a tuple of:
    - out: array of the same shape and dtype as x.
    - cache: whatever leaky_relu_backward needs.
    """
    raise NotImplementedError  # your code here


def leaky_relu_backward(dout, cache):
    """Backward pass of leaky ReLU: dx = dout where x > 0, else negative_slope * dout.

    leaky'(0) = negative_slope, as torch.

    Inputs:
    - dout: upstream gradient, same shape as the forward's x.
    - cache: from leaky_relu_forward.

    Returns:
    - dx: gradient with respect to x.
    """
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


def softmax(x, axis=-1):
    """Softmax along an axis, stable for logits up to +-1e4.

    softmax(x)_i = exp(x_i - max(x)) / sum_j exp(x_j - max(x))

    Inputs:
    - x: array of any shape.
    - axis: the axis that sums to one.

    Returns:
    - probabilities, same shape and dtype as x.
    """
    raise NotImplementedError  # your code here


def log_softmax(x, axis=-1):
    """Log of the softmax along an axis, stable for logits up to +-1e4.

    log_softmax(x)_i = x_i - max(x) - log(sum_j exp(x_j - max(x)))

    Inputs:
    - x: array of any shape.
    - axis: the axis of the softmax.

    Returns:
    - log-probabilities, same shape and dtype as x.
    """
    raise NotImplementedError  # your code here


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
    raise NotImplementedError  # your code here


def mse(pred, target):
    """Mean squared error and its gradient.

    loss = mean((pred - target)**2),  dpred = 2 (pred - target) / pred.size

    Inputs:
    - pred, target: arrays of the same shape.

    Returns a tuple of:
    - loss: a scalar.
    - dpred: same shape and dtype as pred.
    """
    raise NotImplementedError  # your code here
