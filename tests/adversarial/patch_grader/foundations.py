"""Attack: reach the grader's own modules and make every check pass."""
import importlib
import sys

import numpy as np


class _Harmless(Exception):
    pass


def _nothing(*args, **kwargs):
    return None


def _patch(module):
    for name in ("assert_close", "validate_array", "validate_scalar", "gradcheck", "require_pure", "expect"):
        if hasattr(module, name):
            setattr(module, name, _nothing)
    if hasattr(module, "CheckFailure"):
        module.CheckFailure = _Harmless
    if hasattr(module, "to_plain"):  # the worker's converter: send the raw objects instead
        module.to_plain = lambda value, depth=0: value


for _name in ("autograder", "autograder.grading.numeric", "autograder.grading.registry", "autograder.grading.context",
              "autograder.grading.runner", "autograder.checks.common", "course_runtime.plain", "course_runtime.executor", "course_runtime.worker_main"):
    try:
        _patch(importlib.import_module(_name))
    except ImportError:
        pass
for _module in list(sys.modules.values()):
    if any(word in getattr(_module, "__name__", "") for word in ("grader", "course", "check")):
        _patch(_module)


def sigmoid_forward(x):
    return np.full_like(x, 0.5), None


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
