"""The a5_rnn reference against PyTorch, through committed fixtures (numpy only).

tests/fixtures/torch/a5_rnn.npz was written by tools/oracle_a5_rnn.py (through
tools/torch_oracle.py --only a5_rnn): torch.nn.RNNCell / LSTMCell / GRUCell and nn.RNN / LSTM /
GRU with copied weights, forward and autograd backward, and torch.nn.utils.clip_grad_norm_.
"""

import json

import pytest
from oracle import assert_close, fixture_params, load_cases

from solutions.a5_rnn import gru, lstm, rnn

pytestmark = pytest.mark.oracle

MODULES = {"rnn": rnn, "lstm": lstm, "gru": gru}
WEIGHTS = ("W_ih", "W_hh", "b_ih", "b_hh")


def check_recurrent(case, kind, a, expected):
    family, _, cell = kind.partition("_")
    module = MODULES[family]
    states = ("h", "c") if family == "lstm" else ("h",)
    if cell:
        forward, backward = getattr(module, f"{family}_cell_forward"), getattr(module, f"{family}_cell_backward")
        inputs, outputs, upstream = (
            ("x", *states),
            tuple(f"{s}_new" for s in states),
            tuple(f"d{s}_new" for s in states),
        )
    else:
        forward, backward = getattr(module, f"{family}_forward"), getattr(module, f"{family}_backward")
        inputs, outputs, upstream = ("x", *(f"{s}0" for s in states)), ("hs",), ("dhs",)
    *outs, cache = forward(*(a[name] for name in inputs), *(a[w] for w in WEIGHTS))
    for name, out in zip(outputs, outs):
        assert_close(out, expected[name], f"{case}: {name}")
    grads = backward(*(a[name] for name in upstream), cache)
    for name, grad in zip((*inputs, *WEIGHTS), grads, strict=True):
        assert_close(grad, expected[f"d{name}"], f"{case}: d{name}")


def check_case(case, arrays):
    meta = json.loads(str(arrays["meta"]))
    kind = meta["kind"]
    a = {name: value.copy() for name, value in arrays.items()}  # the reference gets copies
    if kind == "clip_grad_norm":
        container = {"list": list, "tuple": tuple}[meta["torch"]["container"]]
        count = sum(name.startswith("grad_") for name in a)
        grads = container(a[f"grad_{k}"] for k in range(count))
        clipped, total_norm = rnn.clip_grad_norm(grads, **json.loads(str(arrays["hparams"])))
        assert type(clipped) is container
        assert_close(total_norm, arrays["total_norm"], f"{case}: total_norm")
        for k, got in enumerate(clipped):
            assert_close(got, arrays[f"clipped_{k}"], f"{case}: clipped[{k}]")
    else:
        check_recurrent(case, kind, a, arrays)


@pytest.mark.parametrize("assignment, case", fixture_params(["a5_rnn"]))
def test_reference_matches_torch(assignment, case):
    check_case(case, load_cases(assignment)[case])


def test_every_kind_has_fixture_cases():
    kinds = {json.loads(str(arrays["meta"]))["kind"] for arrays in load_cases("a5_rnn").values()}
    assert kinds == {"rnn_cell", "lstm_cell", "gru_cell", "rnn", "lstm", "gru", "clip_grad_norm"}
