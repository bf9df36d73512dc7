"""Attack: a framework whose parameters() claims to hold 10**12 parameters."""
import math

import numpy as np

from ..a0_foundations.foundations import (linear_backward, linear_forward, relu_backward, relu_forward,
                                          tanh_backward, tanh_forward)
from ..a2_initializers.initializers import kaiming_uniform, uniform


class Parameter:
    def __init__(self, data):
        self.data = np.array(data, dtype=np.float64)
        self.grad = np.zeros_like(self.data)


class Endless:
    """As long as its __len__ says; every index gives the same parameter."""

    def __init__(self, first):
        self.first = first

    def __len__(self):
        return 10**12

    def __getitem__(self, index):
        return self.first


class Module:
    def __init__(self):
        self.training = True

    def __call__(self, *inputs):
        return self.forward(*inputs)

    def parameters(self):
        return Endless(Parameter(np.zeros(1)))

    def zero_grad(self):
        pass

    def train(self, mode=True):
        self.training = mode
        return self

    def eval(self):
        return self.train(False)


class Linear(Module):
    def __init__(self, in_features, out_features, *, rng):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = Parameter(kaiming_uniform((out_features, in_features), a=math.sqrt(5), rng=rng))
        self.bias = Parameter(uniform((out_features,), -bound, bound, rng=rng))

    def forward(self, x):
        out, self.cache = linear_forward(x, self.weight.data, self.bias.data)
        return out

    def backward(self, dout):
        dx, dw, db = linear_backward(dout, self.cache)
        self.weight.grad += dw
        self.bias.grad += db
        return dx


class ReLU(Module):
    def forward(self, x):
        out, self.cache = relu_forward(x)
        return out

    def backward(self, dout):
        return relu_backward(dout, self.cache)


class Tanh(Module):
    def forward(self, x):
        out, self.cache = tanh_forward(x)
        return out

    def backward(self, dout):
        return tanh_backward(dout, self.cache)


class Sequential(Module):
    def __init__(self, *layers):
        super().__init__()
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout
