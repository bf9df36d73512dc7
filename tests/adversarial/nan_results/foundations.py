"""Attack: return NaN and infinity, which compare false with everything, so "no difference"."""
import numpy as np


def sigmoid_forward(x):
    return np.full_like(x, np.nan), None


def tanh_forward(x):
    out = np.tanh(x)
    out.flat[0] = np.inf
    return out, out
