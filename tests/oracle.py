"""Reading the committed PyTorch fixtures (tests/fixtures/torch/<assignment>.npz), numpy only.

tools/torch_oracle.py writes them (see its docstring to regenerate). Each file holds cases keyed
``<case>/<name>``; every case has ``<case>/meta`` (JSON with ``kind``, the spec function it
checks) and ``<case>/hparams`` (JSON, the spec's keyword arguments). The oracle tests of every
assignment share these helpers.
"""

from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "torch"
# the spec's "Resolved details": float64 within ~1e-10 relative, float32 within float32 tolerances
TOLERANCES = {np.dtype(np.float64): (1e-10, 1e-13), np.dtype(np.float32): (1e-5, 1e-7)}


def load_cases(assignment):
    """{case: {name: array}} from one fixture file, without pickle."""
    cases = {}
    with np.load(FIXTURES / f"{assignment}.npz", allow_pickle=False) as data:
        for key in data.files:
            case, name = key.split("/", 1)
            cases.setdefault(case, {})[name] = data[key]
    return cases


def fixture_params(assignments):
    """One pytest param (assignment, case) per fixture case."""
    return [
        pytest.param(assignment, case, id=f"{assignment}/{case}")
        for assignment in assignments
        for case in load_cases(assignment)
    ]


def assert_close(actual, expected, what):
    """actual ~= expected, with expected's shape and float dtype (rtol by dtype)."""
    expected = np.asarray(expected)
    if expected.ndim:
        assert isinstance(actual, np.ndarray), f"{what}: expected an ndarray, got {type(actual)}"
        assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, expected {expected.dtype}"
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape}, expected {expected.shape}"
    rtol, atol = TOLERANCES[expected.dtype]
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)
