"""Attack: cut the worker off from the grader, then keep running."""
import os

import numpy as np


def sigmoid_forward(x):
    os.closerange(0, 1024)
    while True:
        pass


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
