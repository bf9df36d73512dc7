"""Attack: move the process around and reorder its import path."""
import os
import sys

import numpy as np

os.chdir("/")
sys.path.insert(0, "/tmp")


def tanh_forward(x):
    os.chdir("/tmp")
    out = np.tanh(x)
    return out, out


def relu_forward(x):
    os.chdir("..")
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
