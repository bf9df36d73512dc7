"""The a2 reference against PyTorch: fans, gains, exact scales and the calls torch rejects.

tests/fixtures/torch/a2_initializers.npz was written by tools/oracle_a2_initializers.py (through
tools/torch_oracle.py). Each case holds ``calls`` (JSON [args, kwargs] pairs in the spec's
names) and ``values`` (torch's result for each call); the ``errors`` case lists calls for which
torch raises ValueError. No torch needed here.
"""

import json

import numpy as np
import pytest
from oracle import assert_close, fixture_params, load_cases

from solutions.a2_initializers import initializers

pytestmark = pytest.mark.oracle

KINDS = {
    "fan_in_and_fan_out",
    "calculate_gain",
    "xavier_std",
    "xavier_bound",
    "kaiming_std",
    "kaiming_bound",
    "lecun_std",
}


SAMPLERS = {"orthogonal"}  # they need an rng besides the recorded arguments


def run(function, args, kwargs):
    """initializers.function with JSON lists turned back into shape tuples."""
    if function in SAMPLERS:
        kwargs = {**kwargs, "rng": np.random.default_rng(0)}
    return getattr(initializers, function)(*[tuple(a) if isinstance(a, list) else a for a in args], **kwargs)


@pytest.mark.parametrize("assignment, case", fixture_params(["a2_initializers"]))
def test_reference_matches_torch(assignment, case):
    arrays = load_cases(assignment)[case]
    kind = json.loads(str(arrays["meta"]))["kind"]
    calls = json.loads(str(arrays["calls"]))
    if kind == "errors":
        for function, args, kwargs in calls:
            with pytest.raises(ValueError):
                run(function, args, kwargs)
        return
    assert kind in KINDS, f"{case}: unknown kind {kind!r}"
    got = np.array([run(kind, args, kwargs) for args, kwargs in calls], dtype=np.float64)
    assert_close(got, arrays["values"], f"{case}: {calls}")


def test_every_kind_is_in_the_fixture():
    kinds = {json.loads(str(arrays["meta"]))["kind"] for arrays in load_cases("a2_initializers").values()}
    assert kinds == KINDS | {"errors"}
