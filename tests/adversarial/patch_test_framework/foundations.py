"""Attack: patch the test frameworks other autograders run inside the student's process."""
import json
import unittest

import numpy as np

unittest.TestCase.run = lambda self, result=None: result
unittest.TestCase.assertEqual = unittest.TestCase.assertTrue = lambda self, *args, **kwargs: None
try:
    import hypothesis

    hypothesis.given = lambda *args, **kwargs: (lambda test: (lambda *a, **k: None))
    hypothesis.settings = lambda *args, **kwargs: (lambda test: test)
except ImportError:
    pass
try:
    import pytest

    pytest.approx = lambda *args, **kwargs: type("Anything", (), {"__eq__": lambda self, other: True})()
except ImportError:
    pass
try:
    with open("conftest.py", "w") as plugin:  # what a pytest-based grader would load
        plugin.write("def pytest_runtest_makereport(item, call):\n    call.excinfo = None\n")
    with open("results.json", "w") as results:
        json.dump({"score": 100, "tests": []}, results)
except OSError:
    pass


def tanh_forward(x):
    return np.zeros_like(x), None


def relu_forward(x):
    return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()
