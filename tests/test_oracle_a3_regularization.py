"""The a3 reference solutions against PyTorch and scikit-learn, through committed fixtures (numpy only).

tests/fixtures/torch/a3_regularization.npz was written by tools/oracle_a3_regularization.py
(through tools/torch_oracle.py): batch norm in training and evaluation mode, 1-D and spatial,
with the running statistics; layer norm; dropout where torch is deterministic; the penalties'
autograd gradients; and sklearn's KFold fold assignment.
"""

import json

import numpy as np
import pytest
from oracle import assert_close, fixture_params, load_cases

from solutions.a3_regularization import regularization as R

pytestmark = pytest.mark.oracle

ASSIGNMENT = "a3_regularization"
KINDS = {"batchnorm", "spatial_batchnorm", "layernorm", "dropout", "l2_penalty", "l1_penalty", "kfold_indices"}


class _Rng:
    """A generator that must not be used: the fixture's dropout cases are deterministic."""

    def __getattr__(self, name):
        raise AssertionError(f"deterministic dropout drew from rng.{name}")


def _check_gradients(case, arrays, grads, names):
    for name, grad in zip(names, grads):
        assert_close(grad, arrays[name], f"{case}: {name}")


def check_case(case, arrays):
    """Run the reference on one fixture case and compare with the oracle's outputs."""
    kind = json.loads(str(arrays["meta"]))["kind"]
    hparams = json.loads(str(arrays["hparams"]))
    a = {name: value.copy() for name, value in arrays.items()}  # the reference gets copies

    if kind in ("batchnorm", "spatial_batchnorm"):
        forward, backward = getattr(R, f"{kind}_forward"), getattr(R, f"{kind}_backward")
        out, cache, new_mean, new_var = forward(
            a["x"], a["gamma"], a["beta"], a["running_mean"], a["running_var"], **hparams
        )
        assert_close(out, arrays["out"], f"{case}: out")
        assert_close(new_mean, arrays["new_running_mean"], f"{case}: new_running_mean")
        assert_close(new_var, arrays["new_running_var"], f"{case}: new_running_var")
        _check_gradients(case, arrays, backward(a["dout"], cache), ("dx", "dgamma", "dbeta"))
    elif kind == "layernorm":
        out, cache = R.layernorm_forward(a["x"], a["gamma"], a["beta"], **hparams)
        assert_close(out, arrays["out"], f"{case}: out")
        _check_gradients(case, arrays, R.layernorm_backward(a["dout"], cache), ("dx", "dgamma", "dbeta"))
    elif kind == "dropout":
        out, cache = R.dropout_forward(a["x"], hparams["p"], train=hparams["train"], rng=_Rng())
        assert_close(out, arrays["out"], f"{case}: out")
        assert_close(R.dropout_backward(a["dout"], cache), arrays["dx"], f"{case}: dx")
    elif kind in ("l2_penalty", "l1_penalty"):
        count = sum(name.startswith("W") for name in arrays)
        loss, grads = getattr(R, kind)([a[f"W{i}"] for i in range(count)], hparams["lam"])
        assert_close(loss, arrays["loss"], f"{case}: loss")
        _check_gradients(case, arrays, grads, [f"grad{i}" for i in range(count)])
    elif kind == "kfold_indices":
        folds = R.kfold_indices(hparams["n"], hparams["k"])
        fold_of = arrays["fold_of"]
        assert len(folds) == hparams["k"], case
        for fold, (train, val) in enumerate(folds):
            np.testing.assert_array_equal(val, np.flatnonzero(fold_of == fold), err_msg=f"{case}: fold {fold} val")
            np.testing.assert_array_equal(train, np.flatnonzero(fold_of != fold), err_msg=f"{case}: fold {fold} train")
    else:
        raise AssertionError(f"{case}: unknown kind {kind!r} in the fixture")


@pytest.mark.parametrize("assignment, case", fixture_params([ASSIGNMENT]))
def test_reference_matches_the_oracle(assignment, case):
    check_case(case, load_cases(assignment)[case])


def test_every_kind_is_in_the_fixture():
    cases = load_cases(ASSIGNMENT)
    assert {json.loads(str(arrays["meta"]))["kind"] for arrays in cases.values()} == KINDS
    # training and evaluation mode for both batch norms, float32 for the normalisations
    assert {
        "batchnorm_train",
        "batchnorm_eval",
        "spatial_batchnorm_train",
        "spatial_batchnorm_eval",
        "batchnorm_train_f32",
        "layernorm_f32",
        "dropout_eval",
    } <= cases.keys()
