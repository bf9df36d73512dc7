"""PyTorch (and scikit-learn) oracle cases for a3_regularization; tools/torch_oracle.py writes them.

Cases, float64 unless named _f32:
- batchnorm_train, batchnorm_eval, batchnorm_train_f32: torch.nn.functional.batch_norm on (N, D),
  with the running statistics it updates in place, and autograd gradients for a random dout;
- spatial_batchnorm_train, spatial_batchnorm_eval: the same on NCHW input (BatchNorm2d);
- layernorm, layernorm_3d, layernorm_f32: torch.nn.functional.layer_norm over the last axis;
- dropout_eval, dropout_p0, dropout_p1: torch.nn.functional.dropout where it is deterministic
  (evaluation mode, p = 0 and p = 1 in training), with the gradient for a random dout;
- l2_penalty, l1_penalty: autograd of lam / 2 * sum W^2 and lam * sum |W| over weights holding
  exact zeros (torch's gradient of |W| at 0 is 0);
- kfold_<n>_<k>: sklearn.model_selection.KFold(n_splits=k) without shuffling, stored as
  fold_of (n,), the validation fold of every sample.

Regenerating needs torch and scikit-learn: python tools/torch_oracle.py --only a3_regularization
"""

import numpy as np
from torch_oracle import _meta, _np, _str

SEED_A3 = 20250103


def _tensors(torch, arrays, grad=()):
    return {name: torch.tensor(value, requires_grad=name in grad) for name, value in arrays.items()}


def _batchnorm(torch, rng, shape, *, train, momentum, eps, dtype):
    channels = shape[1]
    arrays = {
        "x": (rng.standard_normal(shape) * 2 + rng.standard_normal((1, channels) + (1,) * (len(shape) - 2))),
        "gamma": rng.uniform(0.5, 2.0, channels),
        "beta": rng.standard_normal(channels),
        "running_mean": rng.standard_normal(channels),
        "running_var": rng.uniform(0.5, 2.0, channels),
    }
    arrays = {name: value.astype(dtype) for name, value in arrays.items()}
    t = _tensors(torch, arrays, grad=("x", "gamma", "beta"))
    running_mean, running_var = t["running_mean"].clone(), t["running_var"].clone()
    out = torch.nn.functional.batch_norm(
        t["x"], running_mean, running_var, t["gamma"], t["beta"], training=train, momentum=momentum, eps=eps
    )
    dout = rng.standard_normal(shape).astype(dtype)
    out.backward(torch.tensor(dout))
    hparams = {"train": train, "momentum": momentum, "eps": eps}
    return {
        "meta": _meta(
            "spatial_batchnorm" if len(shape) == 4 else "batchnorm",
            {"fn": "torch.nn.functional.batch_norm", "training": train, "momentum": momentum, "eps": eps},
        ),
        "hparams": _str(hparams),
        **arrays,
        "out": _np(out),
        "new_running_mean": _np(running_mean),
        "new_running_var": _np(running_var),
        "dout": dout,
        "dx": _np(t["x"].grad),
        "dgamma": _np(t["gamma"].grad),
        "dbeta": _np(t["beta"].grad),
    }


def _layernorm(torch, rng, shape, *, eps, dtype):
    d = shape[-1]
    arrays = {
        "x": rng.standard_normal(shape) * 2 + rng.standard_normal(shape[:-1] + (1,)) * 3,
        "gamma": rng.uniform(0.5, 2.0, d),
        "beta": rng.standard_normal(d),
    }
    arrays = {name: value.astype(dtype) for name, value in arrays.items()}
    t = _tensors(torch, arrays, grad=tuple(arrays))
    out = torch.nn.functional.layer_norm(t["x"], (d,), t["gamma"], t["beta"], eps=eps)
    dout = rng.standard_normal(shape).astype(dtype)
    out.backward(torch.tensor(dout))
    return {
        "meta": _meta("layernorm", {"fn": "torch.nn.functional.layer_norm", "normalized_shape": [d], "eps": eps}),
        "hparams": _str({"eps": eps}),
        **arrays,
        "out": _np(out),
        "dout": dout,
        "dx": _np(t["x"].grad),
        "dgamma": _np(t["gamma"].grad),
        "dbeta": _np(t["beta"].grad),
    }


def _dropout(torch, rng, *, p, train):
    x = rng.standard_normal((3, 4))
    xt = torch.tensor(x, requires_grad=True)
    out = torch.nn.functional.dropout(xt, p=p, training=train)
    dout = rng.standard_normal(x.shape)
    out.backward(torch.tensor(dout))
    return {
        "meta": _meta("dropout", {"fn": "torch.nn.functional.dropout", "p": p, "training": train}),
        "hparams": _str({"p": p, "train": train}),
        "x": x,
        "out": _np(out),
        "dout": dout,
        "dx": _np(xt.grad),
    }


def _penalty(torch, rng, kind, lam):
    weights = [rng.standard_normal(shape) for shape in ((3, 4), (4,), (2, 2, 3))]
    for W in weights:
        W[rng.random(W.shape) < 0.3] = 0.0
    tensors = [torch.tensor(W, requires_grad=True) for W in weights]
    if kind == "l2_penalty":
        loss = lam / 2 * sum((t * t).sum() for t in tensors)
    else:
        loss = lam * sum(t.abs().sum() for t in tensors)
    loss.backward()
    case = {
        "meta": _meta(
            kind, "autograd of " + ("lam / 2 * sum(W * W)" if kind == "l2_penalty" else "lam * sum(W.abs())")
        ),
        "hparams": _str({"lam": lam}),
        "loss": _np(loss),
    }
    for i, (W, t) in enumerate(zip(weights, tensors)):
        case[f"W{i}"], case[f"grad{i}"] = W, _np(t.grad)
    return case


def _kfold(n, k):
    from sklearn.model_selection import KFold

    fold_of = np.full(n, -1, dtype=np.int64)
    for fold, (_, val) in enumerate(KFold(n_splits=k).split(np.arange(n))):
        fold_of[val] = fold
    return {
        "meta": _meta("kfold_indices", {"fn": "sklearn.model_selection.KFold", "n_splits": k, "shuffle": False}),
        "hparams": _str({"n": n, "k": k}),
        "fold_of": fold_of,
    }


def cases(torch):
    """{case: {name: array}} for tests/fixtures/torch/a3_regularization.npz."""
    rng = np.random.default_rng(SEED_A3)
    f64, f32 = np.float64, np.float32
    found = {
        "batchnorm_train": _batchnorm(torch, rng, (6, 4), train=True, momentum=0.3, eps=1e-5, dtype=f64),
        "batchnorm_eval": _batchnorm(torch, rng, (5, 3), train=False, momentum=0.1, eps=1e-3, dtype=f64),
        "batchnorm_train_f32": _batchnorm(torch, rng, (8, 3), train=True, momentum=0.1, eps=1e-5, dtype=f32),
        "spatial_batchnorm_train": _batchnorm(torch, rng, (2, 3, 4, 5), train=True, momentum=0.1, eps=1e-5, dtype=f64),
        "spatial_batchnorm_eval": _batchnorm(torch, rng, (2, 3, 2, 2), train=False, momentum=0.1, eps=1e-5, dtype=f64),
        "layernorm": _layernorm(torch, rng, (4, 5), eps=1e-5, dtype=f64),
        "layernorm_3d": _layernorm(torch, rng, (2, 3, 6), eps=1e-3, dtype=f64),
        "layernorm_f32": _layernorm(torch, rng, (3, 8), eps=1e-5, dtype=f32),
        "dropout_eval": _dropout(torch, rng, p=0.3, train=False),
        "dropout_p0": _dropout(torch, rng, p=0.0, train=True),
        "dropout_p1": _dropout(torch, rng, p=1.0, train=True),
        "l2_penalty": _penalty(torch, rng, "l2_penalty", 0.1),
        "l1_penalty": _penalty(torch, rng, "l1_penalty", 0.05),
    }
    for n, k in ((10, 3), (7, 7), (5, 2), (13, 4), (9, 5)):
        found[f"kfold_{n}_{k}"] = _kfold(n, k)
    return found
