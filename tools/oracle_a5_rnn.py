"""PyTorch oracle of a5_rnn: cells and whole sequences with copied weights, and gradient clipping.

``cases(torch)`` (called by tools/torch_oracle.py) builds torch.nn.RNNCell / LSTMCell / GRUCell
and torch.nn.RNN / LSTM / GRU (one layer, time first), copies numpy weights into them (torch's
own layout: W_ih (G*H, D), W_hh (G*H, H), b_ih, b_hh (G*H,), gates stacked i, f, g, o and
r, z, n), and records the forward outputs and the autograd gradients of every input, initial
state and weight for random upstream gradients. ``clip_grad_norm`` cases run
torch.nn.utils.clip_grad_norm_ on tensors whose .grad are the given arrays.

Case arrays use the spec's names (x, h, c, W_ih, ..., dh_new, dc_new, h_new, c_new, dx, dh, dc,
dW_ih, ...; x, h0, c0, dhs, hs, dh0, dc0 for sequences; grad_<k>, clipped_<k>, total_norm for
clipping); meta also records the container (list or tuple) the reference is given.
"""

import numpy as np
from torch_oracle import _meta, _np, _str

SEED = 20250105
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
CELL_CLASS = {"rnn": "RNNCell", "lstm": "LSTMCell", "gru": "GRUCell"}
SEQUENCE_CLASS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


def _weights(rng, kind, d, hidden, dtype):
    g = GATES[kind]
    return {
        "W_ih": rng.uniform(-0.7, 0.7, (g * hidden, d)).astype(dtype),
        "W_hh": rng.uniform(-0.7, 0.7, (g * hidden, hidden)).astype(dtype),
        "b_ih": rng.uniform(-0.5, 0.5, g * hidden).astype(dtype),
        "b_hh": rng.uniform(-0.5, 0.5, g * hidden).astype(dtype),
    }


def _copy_weights(torch, module, weights, suffix):
    with torch.no_grad():
        for name, torch_name in (
            ("W_ih", "weight_ih"),
            ("W_hh", "weight_hh"),
            ("b_ih", "bias_ih"),
            ("b_hh", "bias_hh"),
        ):
            getattr(module, torch_name + suffix).copy_(torch.tensor(weights[name]))


def _weight_grads(module, suffix):
    return {
        name: _np(getattr(module, torch_name + suffix).grad)
        for name, torch_name in (("W_ih", "weight_ih"), ("W_hh", "weight_hh"), ("b_ih", "bias_ih"), ("b_hh", "bias_hh"))
    }


def _cell_case(torch, rng, kind, n, d, hidden, dtype):
    """One cell step: forward outputs and the gradients of x, h, (c) and the weights."""
    cls = getattr(torch.nn, CELL_CLASS[kind])
    module = cls(d, hidden, bias=True, dtype=getattr(torch, np.dtype(dtype).name))
    weights = _weights(rng, kind, d, hidden, dtype)
    _copy_weights(torch, module, weights, "")
    arrays = {"x": rng.standard_normal((n, d)).astype(dtype), "h": rng.uniform(-1, 1, (n, hidden)).astype(dtype)}
    if kind == "lstm":
        arrays["c"] = rng.standard_normal((n, hidden)).astype(dtype)
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    state = (tensors["h"], tensors["c"]) if kind == "lstm" else tensors["h"]
    outputs = module(tensors["x"], state)
    outputs = outputs if kind == "lstm" else (outputs,)
    names = ("h_new", "c_new") if kind == "lstm" else ("h_new",)
    upstream = {f"d{name}": rng.standard_normal((n, hidden)).astype(dtype) for name in names}
    torch.autograd.backward(outputs, [torch.tensor(upstream[f"d{name}"]) for name in names])
    call = {"class": f"torch.nn.{CELL_CLASS[kind]}", "bias": True}
    if kind == "rnn":
        call["nonlinearity"] = "tanh"
    return {
        "meta": _meta(f"{kind}_cell", call),
        "hparams": _str({}),
        **arrays,
        **weights,
        **upstream,
        **{name: _np(out) for name, out in zip(names, outputs)},
        **{f"d{k}": _np(t.grad) for k, t in tensors.items()},
        **{f"d{k}": v for k, v in _weight_grads(module, "").items()},
    }


def _sequence_case(torch, rng, kind, t, n, d, hidden, dtype):
    """A whole sequence through nn.RNN / LSTM / GRU: hs and the gradients of x, h0, (c0), weights."""
    cls = getattr(torch.nn, SEQUENCE_CLASS[kind])
    module = cls(d, hidden, num_layers=1, bias=True, batch_first=False, dtype=getattr(torch, np.dtype(dtype).name))
    weights = _weights(rng, kind, d, hidden, dtype)
    _copy_weights(torch, module, weights, "_l0")
    arrays = {"x": rng.standard_normal((t, n, d)).astype(dtype), "h0": rng.uniform(-1, 1, (n, hidden)).astype(dtype)}
    if kind == "lstm":
        arrays["c0"] = rng.standard_normal((n, hidden)).astype(dtype)
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    # torch's initial states carry a leading num_layers axis
    state = (tensors["h0"][None], tensors["c0"][None]) if kind == "lstm" else tensors["h0"][None]
    hs, _ = module(tensors["x"], state)
    dhs = rng.standard_normal((t, n, hidden)).astype(dtype)
    hs.backward(torch.tensor(dhs))
    call = {"class": f"torch.nn.{SEQUENCE_CLASS[kind]}", "num_layers": 1, "batch_first": False}
    if kind == "rnn":
        call["nonlinearity"] = "tanh"
    return {
        "meta": _meta(kind, call),
        "hparams": _str({}),
        **arrays,
        **weights,
        "dhs": dhs,
        "hs": _np(hs),
        **{f"d{k}": _np(v.grad) for k, v in tensors.items()},
        **{f"d{k}": v for k, v in _weight_grads(module, "_l0").items()},
    }


def _clip_case(torch, grads, max_norm, container):
    params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=getattr(torch, g.dtype.name))) for g in grads]
    for param, grad in zip(params, grads):
        param.grad = torch.tensor(grad)
    total_norm = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=2.0, foreach=False)
    meta = _meta("clip_grad_norm", {"fn": "torch.nn.utils.clip_grad_norm_", "norm_type": 2.0, "container": container})
    return {
        "meta": meta,
        "hparams": _str({"max_norm": max_norm}),
        **{f"grad_{k}": g for k, g in enumerate(grads)},
        **{f"clipped_{k}": _np(p.grad) for k, p in enumerate(params)},
        "total_norm": _np(total_norm),
    }


def cases(torch):
    rng = np.random.default_rng(SEED)
    out = {}
    for kind in GATES:
        out[f"{kind}_cell"] = _cell_case(torch, rng, kind, 3, 4, 5, np.float64)
        out[f"{kind}_cell_n1_h1"] = _cell_case(torch, rng, kind, 1, 2, 1, np.float64)
        out[f"{kind}_cell_f32"] = _cell_case(torch, rng, kind, 2, 3, 2, np.float32)
        out[kind] = _sequence_case(torch, rng, kind, 6, 2, 3, 4, np.float64)
        out[f"{kind}_t1"] = _sequence_case(torch, rng, kind, 1, 1, 2, 3, np.float64)
        out[f"{kind}_f32"] = _sequence_case(torch, rng, kind, 4, 2, 3, 2, np.float32)

    shapes = [(4, 3), (4, 4), (4,), (4,)]
    grads = [rng.standard_normal(s) for s in shapes]
    total = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    out["clip_grad_norm_clipped"] = _clip_case(torch, grads, 0.3 * total, "list")
    out["clip_grad_norm_untouched"] = _clip_case(torch, grads, 2.0 * total, "tuple")
    grads32 = [rng.standard_normal(s).astype(np.float32) * 5 for s in shapes[:3]]
    out["clip_grad_norm_f32"] = _clip_case(torch, grads32, 1.0, "tuple")
    return out
