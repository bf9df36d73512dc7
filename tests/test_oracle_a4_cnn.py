"""The a4_cnn reference against PyTorch, through tests/fixtures/torch/a4_cnn.npz (numpy only).

tools/oracle_a4_cnn.py wrote the fixture with torch.nn.functional.conv2d, max_pool2d and
avg_pool2d (forward, and autograd gradients for a random upstream gradient); see
tests/oracle.py for the file layout and the tolerances.
"""

import json

import pytest
from oracle import assert_close, fixture_params, load_cases

from solutions.a4_cnn import conv, pool

pytestmark = pytest.mark.oracle

ASSIGNMENT = "a4_cnn"
POOLS = {"maxpool2d", "avgpool2d"}


def check_case(case, arrays):
    """Run the reference on one fixture case and compare with torch's outputs."""
    kind = json.loads(str(arrays["meta"]))["kind"]
    hparams = json.loads(str(arrays["hparams"]))
    a = {name: value.copy() for name, value in arrays.items()}  # the reference gets copies
    if kind == "conv2d":
        out, cache = conv.conv2d_forward(a["x"], a["w"], a["b"], **hparams)
        assert_close(out, arrays["out"], f"{case}: out")
        for name, grad in zip(("dx", "dw", "db"), conv.conv2d_backward(a["dout"], cache)):
            assert_close(grad, arrays[name], f"{case}: {name}")
    elif kind in POOLS:
        out, cache = getattr(pool, f"{kind}_forward")(a["x"], **hparams)
        assert_close(out, arrays["out"], f"{case}: out")
        assert_close(getattr(pool, f"{kind}_backward")(a["dout"], cache), arrays["dx"], f"{case}: dx")
    else:
        raise AssertionError(f"{case}: unknown kind {kind!r} in the fixture")


@pytest.mark.parametrize("assignment, case", fixture_params([ASSIGNMENT]))
def test_reference_matches_torch(assignment, case):
    check_case(case, load_cases(assignment)[case])


def test_fixture_covers_every_kind_and_both_dtypes():
    cases = load_cases(ASSIGNMENT)
    kinds = {json.loads(str(arrays["meta"]))["kind"] for arrays in cases.values()}
    assert kinds == {"conv2d"} | POOLS
    for kind in kinds:
        dtypes = {
            str(arrays["x"].dtype) for arrays in cases.values() if json.loads(str(arrays["meta"]))["kind"] == kind
        }
        assert dtypes == {"float64", "float32"}, kind
