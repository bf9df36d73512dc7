"""Attack: return huge strings where arrays are expected, so that every failure message that
quotes the value carries megabytes (under the corpus' reply limit of 4 MiB)."""
import numpy as np


def sigmoid_forward(x):
    return "A" * 3_000_000, None


def tanh_forward(x):
    return ["B" * 5_000] * 400, None


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
