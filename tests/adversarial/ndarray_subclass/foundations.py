"""Attack: return ndarray subclasses that claim to equal anything."""
import numpy as np


class Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __sub__(self, other):
        return np.zeros(self.shape)

    __rsub__ = __sub__

    def __array_function__(self, func, types, args, kwargs):
        return True


def sigmoid_forward(x):
    return np.zeros_like(x).view(Agreeable), None


def tanh_forward(x):
    out = np.tanh(x)  # the right values, in the wrong type
    return out.view(Agreeable), out


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
