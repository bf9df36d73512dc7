"""Attack: exit in the middle of the checks."""
import os
import sys

import numpy as np


def sigmoid_forward(x):
    sys.exit(0)


def tanh_forward(x):
    os._exit(0)


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
