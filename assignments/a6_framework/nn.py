"""Layers of a small framework, PyTorch-style, built from your own a0-a5 functions.

A Module computes `forward(x)` (also reached by calling it), remembers what its backward
needs, and `backward(dout)` returns the gradient with respect to its input while *adding*
the gradients of its parameters into `param.grad` (so a parameter used twice collects both
contributions, and gradients pile up until `zero_grad()`).

Every layer calls the functions you wrote in the earlier assignments; nothing is rewritten
here. Layers with weights take an `rng` (numpy.random.Generator) and initialise as PyTorch
does, with your a2 initialisers.
"""
import math

import numpy as np

from ..a0_foundations.foundations import (cross_entropy, linear_backward, linear_forward, mse,
                                          relu_backward, relu_forward, tanh_backward, tanh_forward)
from ..a2_initializers.initializers import kaiming_uniform, uniform
from ..a3_regularization.regularization import (batchnorm_backward, batchnorm_forward,
                                                dropout_backward, dropout_forward)
from ..a4_cnn.conv import conv2d_backward, conv2d_forward
from ..a4_cnn.pool import maxpool2d_backward, maxpool2d_forward
from ..a5_rnn.gru import gru_backward, gru_forward
from ..a5_rnn.lstm import lstm_backward, lstm_forward
from ..a5_rnn.rnn import rnn_backward, rnn_forward


class Parameter:
    """A trainable array and the gradient accumulated for it.

    Attributes:
    - data: ndarray, the current value.
    - grad: ndarray of data's shape and dtype, zeros until a backward adds to it.
    """

    def __init__(self, data):
        raise NotImplementedError  # your code here


class Module:
    """Base class of every layer: parameters, sub-modules, train/eval mode.

    Sub-modules and Parameters are found in the instance's attributes (in the order they were
    assigned), including inside lists and tuples of them.
    """

    def __init__(self):
        self.training = True

    def __call__(self, *inputs):
        return self.forward(*inputs)

    def forward(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} has no forward")

    def backward(self, dout):
        raise NotImplementedError(f"{type(self).__name__} has no backward")

    def parameters(self):
        """Every Parameter of this module and its sub-modules, each once, in attribute order.

        Returns a list of Parameter.
        """
        raise NotImplementedError  # your code here

    def modules(self):
        """This module and every sub-module below it, each once (self first)."""
        raise NotImplementedError  # your code here

    def zero_grad(self):
        """Reset the grad of every parameter to zeros."""
        raise NotImplementedError  # your code here

    def train(self, mode=True):
        """Set training mode (mode=True) or evaluation mode on this module and all below it.

        Returns self.
        """
        raise NotImplementedError  # your code here

    def eval(self):
        """Evaluation mode: the same as train(False). Returns self."""
        raise NotImplementedError  # your code here


def _default_uniform(shape, fan_in, *, rng):
    """U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's default for biases and recurrent weights."""
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return uniform(shape, -bound, bound, rng=rng)


class Linear(Module):
    """out = x @ W.T + b, with x (N, in_features), weight (out_features, in_features), bias (out_features,).

    Initialised as torch.nn.Linear: weight kaiming_uniform(a=sqrt(5)), that is
    U(-1/sqrt(in), 1/sqrt(in)), and bias from the same range.
    """

    def __init__(self, in_features, out_features, *, rng):
        super().__init__()
        raise NotImplementedError  # your code here

    def forward(self, x):
        raise NotImplementedError  # your code here

    def backward(self, dout):
        raise NotImplementedError  # your code here


class ReLU(Module):
    """max(0, x), elementwise."""

    def forward(self, x):
        raise NotImplementedError  # your code here

    def backward(self, dout):
        raise NotImplementedError  # your code here


class Tanh(Module):
    """tanh(x), elementwise."""

    def forward(self, x):
        raise NotImplementedError  # your code here

    def backward(self, dout):
        raise NotImplementedError  # your code here


class Conv2d(Module):
    """2-D cross-correlation of x (N, C, H, W) with weight (F, C, KH, KW) plus bias (F,).

    Initialised as torch.nn.Conv2d: weight kaiming_uniform(a=sqrt(5)), bias
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = C * KH * KW.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, *, rng):
        super().__init__()
        raise NotImplementedError  # your code here

    def forward(self, x):
        raise NotImplementedError  # your code here

    def backward(self, dout):
        raise NotImplementedError  # your code here


class MaxPool2d(Module):
    """Max pooling of x (N, C, H, W) over kernel_size windows (stride defaults to kernel_size)."""

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride

    def forward(self, x):
        raise NotImplementedError  # your code here

    def backward(self, dout):
        raise NotImplementedError  # your code here


class Flatten(Module):
    """(N, d1, d2, ...) -> (N, d1 * d2 * ...)."""

    def forward(self, x):
        raise NotImplementedError  # your code here

    def backward(self, dout):
        raise NotImplementedError  # your code here


class Dropout(Module):
    """Inverted dropout with drop probability p while training; the identity in eval mode."""

    def __init__(self, p=0.5, *, rng):
        super().__init__()
        self.p, self.rng = p, rng

    def forward(self, x):
        raise NotImplementedError  # your code here

    def backward(self, dout):
        raise NotImplementedError  # your code here


class BatchNorm1d(Module):
    """Batch normalisation of x (N, D) with weight gamma (D,) = 1 and bias beta (D,) = 0 at first.

    Training mode normalises with the batch statistics and updates running_mean and
    running_var (buffers, not parameters; zeros and ones at first); eval mode uses them.
    """

    def __init__(self, num_features, momentum=0.1, eps=1e-5):
        super().__init__()
        self.momentum, self.eps = momentum, eps
        raise NotImplementedError  # your code here

    def forward(self, x):
        raise NotImplementedError  # your code here

    def backward(self, dout):
        raise NotImplementedError  # your code here


class _Recurrent(Module):
    """A recurrent layer over x (T, N, D) from zero initial states; forward returns the last
    hidden state (N, H) and backward(dh_last) returns dx (T, N, D).

    Weights as PyTorch: weight_ih (G*H, D), weight_hh (G*H, H), bias_ih, bias_hh (G*H,), all
    U(-1/sqrt(H), 1/sqrt(H)); G is 1 (RNN), 4 (LSTM) or 3 (GRU).
    """

    gates = 1

    def __init__(self, input_size, hidden_size, *, rng):
        super().__init__()
        self.hidden_size = hidden_size
        rows = self.gates * hidden_size
        self.weight_ih = Parameter(_default_uniform((rows, input_size), hidden_size, rng=rng))
        self.weight_hh = Parameter(_default_uniform((rows, hidden_size), hidden_size, rng=rng))
        self.bias_ih = Parameter(_default_uniform((rows,), hidden_size, rng=rng))
        self.bias_hh = Parameter(_default_uniform((rows,), hidden_size, rng=rng))

    def _weights(self):
        return (self.weight_ih.data, self.weight_hh.data, self.bias_ih.data, self.bias_hh.data)

    def _accumulate(self, dweights):
        for param, grad in zip((self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh), dweights):
            param.grad += grad

    def _dhs(self, dout):
        """Upstream gradient of the whole hidden sequence: only the last step is used."""
        dhs = np.zeros(self.hs_shape, dtype=dout.dtype)
        dhs[-1] = dout
        return dhs


class RNN(_Recurrent):
    """Elman RNN with tanh (torch.nn.RNN with one layer), returning the last hidden state."""

    gates = 1

    def forward(self, x):
        raise NotImplementedError  # your code here

    def backward(self, dout):
        raise NotImplementedError  # your code here


class LSTM(_Recurrent):
    """LSTM (torch.nn.LSTM with one layer, gates i, f, g, o), returning the last hidden state."""

    gates = 4

    def forward(self, x):
        raise NotImplementedError  # your code here

    def backward(self, dout):
        raise NotImplementedError  # your code here


class GRU(_Recurrent):
    """GRU (torch.nn.GRU with one layer, gates r, z, n), returning the last hidden state."""

    gates = 3

    def forward(self, x):
        raise NotImplementedError  # your code here

    def backward(self, dout):
        raise NotImplementedError  # your code here


class Sequential(Module):
    """Modules applied in order; backward runs them in reverse."""

    def __init__(self, *layers):
        super().__init__()
        self.layers = list(layers)

    def forward(self, x):
        raise NotImplementedError  # your code here

    def backward(self, dout):
        raise NotImplementedError  # your code here


class CrossEntropyLoss(Module):
    """Mean cross-entropy of logits (N, K) against integer labels y (N,).

    forward(logits, y) -> loss (float); backward(dout=1.0) -> dlogits (N, K), the gradient of
    dout * loss.
    """

    def forward(self, logits, y):
        raise NotImplementedError  # your code here

    def backward(self, dout=1.0):
        raise NotImplementedError  # your code here


class MSELoss(Module):
    """Mean squared error of predictions against targets of the same shape.

    forward(pred, target) -> loss (float); backward(dout=1.0) -> dpred, the gradient of
    dout * loss.
    """

    def forward(self, pred, target):
        raise NotImplementedError  # your code here

    def backward(self, dout=1.0):
        raise NotImplementedError  # your code here
