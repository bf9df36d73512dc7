"""The reference solutions against PyTorch, through committed fixtures (numpy only).

tests/fixtures/torch/<assignment>.npz were written by tools/torch_oracle.py with torch
(see its docstring to regenerate them). Each holds cases keyed ``<case>/<name>``; every case
has ``<case>/meta`` (JSON with ``kind``, the spec function it checks) and ``<case>/hparams``
(JSON, the spec's keyword arguments). Torch is not needed here: the fixtures load with
``np.load(..., allow_pickle=False)``.

Tolerances follow the spec's "Resolved details": float64 within ~1e-10 relative, float32
within float32 tolerances; outputs keep the expected dtype.
"""

import json

import numpy as np
import pytest
from oracle import assert_close, fixture_params, load_cases

from solutions.a0_foundations import foundations
from solutions.a1_optimizers import descent, optimizers

pytestmark = pytest.mark.oracle

ASSIGNMENTS = ("a0_foundations", "a1_optimizers")
ACTIVATIONS = {"sigmoid", "tanh", "relu", "leaky_relu"}
OPTIMIZERS = {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw"}
SCHEDULES = {"step_lr", "exponential_lr", "cosine_annealing_lr"}


def check_case(case, arrays):
    """Run the reference on one fixture case and compare with torch's outputs."""
    kind = json.loads(str(arrays["meta"]))["kind"]
    hparams = json.loads(str(arrays["hparams"]))
    a = {name: value.copy() for name, value in arrays.items()}  # the reference gets copies

    if kind in ACTIVATIONS:
        forward = getattr(foundations, f"{kind}_forward")
        backward = getattr(foundations, f"{kind}_backward")
        out, cache = forward(a["x"], **hparams)
        assert_close(out, arrays["out"], f"{case}: out")
        assert_close(backward(a["dout"], cache), arrays["dx"], f"{case}: dx")
    elif kind == "linear":
        out, cache = foundations.linear_forward(a["x"], a["W"], a["b"])
        assert_close(out, arrays["out"], f"{case}: out")
        dx, dW, db = foundations.linear_backward(a["dout"], cache)
        assert_close(dx, arrays["dx"], f"{case}: dx")
        assert_close(dW, arrays["dW"], f"{case}: dW")
        assert_close(db, arrays["db"], f"{case}: db")
    elif kind in ("softmax", "log_softmax"):
        out = getattr(foundations, kind)(a["x"], **hparams)
        assert_close(out, arrays["out"], f"{case}: out")
    elif kind == "cross_entropy":
        loss, dlogits = foundations.cross_entropy(a["logits"], a["y"])
        assert_close(loss, arrays["loss"], f"{case}: loss")
        assert_close(dlogits, arrays["dlogits"], f"{case}: dlogits")
    elif kind == "mse":
        loss, dpred = foundations.mse(a["pred"], a["target"])
        assert_close(loss, arrays["loss"], f"{case}: loss")
        assert_close(dpred, arrays["dpred"], f"{case}: dpred")
    elif kind in OPTIMIZERS:
        rule = getattr(optimizers, kind)
        w, state = a["w0"], {}
        for step, (dw, expected) in enumerate(zip(a["grads"], arrays["ws"]), start=1):
            w, state = rule(w, dw, state, **hparams)
            assert_close(w, expected, f"{case}: w after step {step}")
    elif kind in SCHEDULES:
        schedule = getattr(descent, kind)
        lr0 = hparams.pop("lr0")
        lrs = np.array([schedule(lr0, int(t), **hparams) for t in a["t"]], dtype=np.float64)
        assert_close(lrs, arrays["lrs"], f"{case}: lr at t = {a['t'].tolist()}")
    else:
        raise AssertionError(f"{case}: unknown kind {kind!r} in the fixture")


@pytest.mark.parametrize("assignment, case", fixture_params(ASSIGNMENTS))
def test_reference_matches_torch(assignment, case):
    check_case(case, load_cases(assignment)[case])


def test_every_fixture_case_is_checked():
    """Each fixture file exists and holds cases of every kind this module knows."""
    kinds = {
        json.loads(str(arrays["meta"]))["kind"]
        for assignment in ASSIGNMENTS
        for arrays in load_cases(assignment).values()
    }
    assert kinds == ACTIVATIONS | OPTIMIZERS | SCHEDULES | {"linear", "softmax", "log_softmax", "cross_entropy", "mse"}
