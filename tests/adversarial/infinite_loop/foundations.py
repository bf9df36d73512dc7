"""Attack: never return."""
import numpy as np


def sigmoid_forward(x):
    while True:
        pass


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
