"""Attack: right answers, each after a sleep just under the limit per call."""
import time

import numpy as np

PAUSE = 2.4  # seconds; the corpus's limit per call is 3 s


def sigmoid_forward(x):
    time.sleep(PAUSE)
    z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1 / (1 + z), z / (1 + z)).astype(x.dtype, copy=False)
    return out, out


def relu_forward(x):
    time.sleep(PAUSE)
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
