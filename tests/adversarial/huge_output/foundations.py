"""Attack: flood the grader with output."""
import os
import sys

import numpy as np


def relu_forward(x):
    print("x" * 20_000_000)
    sys.stderr.write("y" * 5_000_000)
    os.write(1, b"z" * 5_000_000)  # past sys.stdout, to the process's own standard output
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
