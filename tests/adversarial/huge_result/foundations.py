"""Attack: return more data than the grader should ever hold."""
import numpy as np


def sigmoid_forward(x):
    return np.zeros(1_000_000), None


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
