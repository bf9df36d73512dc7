"""Attack: return objects that compare equal to anything."""
import numpy as np


class Equal:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __array__(self, dtype=None, copy=None):
        return np.zeros(3)

    def __float__(self):
        return 0.0


class Number(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


def tanh_forward(x):
    return Equal(), None


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
