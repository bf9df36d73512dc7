"""Attack: recurse without end, within and past the interpreter's limit."""
import sys

import numpy as np


def sigmoid_forward(x):
    return sigmoid_forward(x)


def tanh_forward(x):
    sys.setrecursionlimit(10**8)

    def down(depth):  # through map, a C function: every level takes C stack
        return list(map(down, [depth + 1]))

    return down(0)


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
