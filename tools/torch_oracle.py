"""PyTorch oracle for the reference solutions: writes small input/output fixtures.

For every a0/a1 task that has a PyTorch counterpart, this script draws small inputs from
``numpy.random.default_rng`` with a fixed seed (float64, plus a few float32 cases), computes
the expected outputs with torch (forward values, autograd gradients for a random upstream
gradient, torch.optim steps, torch.optim.lr_scheduler closed forms) and writes them as one
``.npz`` file per assignment:

    <out>/a0_foundations.npz   activations, linear, softmax/log_softmax, cross_entropy, mse
    <out>/a1_optimizers.npz    sgd ... adamw (5 steps each), step/exponential/cosine schedules
    <out>/<assignment>.npz     from tools/oracle_<assignment>.py, whose cases(torch) builds them

Keys are ``<case>/<name>`` (``sigmoid/x``, ``sigmoid/dout``, ``adam/grads`` (steps, ...),
``adam/ws`` (steps, ...), ...). Every case also has ``<case>/hparams`` (JSON, the spec's
keyword names, passed to the reference as is) and ``<case>/meta`` (JSON: ``kind``, the spec
function it checks, and ``torch``, the torch call with torch's names: mu -> momentum,
beta1/beta2 -> betas, ...). Strings are 0-d ``str`` arrays, so the files load with
``np.load(path, allow_pickle=False)``; they are written deterministically (fixed zip
timestamps), so re-running the script leaves unchanged fixtures byte-identical.

The fixtures are committed; tests/test_torch_oracle.py checks the reference solutions
against them with numpy alone. Torch is needed only to regenerate them:

    pip install torch==2.13.0 && python tools/torch_oracle.py [--out tests/fixtures/torch]
"""

import argparse
import importlib
import io
import json
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np

TORCH_VERSION = "2.13.0"
SEED_A0 = 20250100
SEED_A1 = 20250101
STEPS = 5


def _require_torch():
    try:
        import torch
    except ImportError:
        sys.exit(f"torch_oracle: torch is not installed; run `pip install torch=={TORCH_VERSION}` first")
    if not torch.__version__.startswith(TORCH_VERSION):
        print(
            f"torch_oracle: warning: fixtures were made with torch {TORCH_VERSION}, this is {torch.__version__}",
            file=sys.stderr,
        )
    torch.set_default_dtype(torch.float64)
    return torch


def _np(tensor):
    return tensor.detach().cpu().numpy().copy()


def _str(obj):
    """A JSON document as a 0-d unicode array (loadable without pickle)."""
    return np.array(obj if isinstance(obj, str) else json.dumps(obj, sort_keys=True))


def _meta(kind, torch_call):
    """<case>/meta: the spec function the case checks and the torch call that produced it."""
    return _str({"kind": kind, "torch": torch_call, "torch_version": TORCH_VERSION})


def _away_from_zero(rng, shape, low=0.1, high=3.0, dtype=np.float64):
    """Random values with |x| in [low, high): keeps relu/leaky_relu inputs off the kink."""
    return (rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)).astype(dtype)


# ---------------------------------------------------------------------------------- a0
def a0_cases(torch):
    F = torch.nn.functional
    rng = np.random.default_rng(SEED_A0)
    cases = {}

    def activation(case, kind, x, torch_fn, torch_desc, hparams=None):
        dout = rng.standard_normal(x.shape).astype(x.dtype)
        xt = torch.tensor(x, requires_grad=True)
        out = torch_fn(xt)
        out.backward(torch.tensor(dout))
        cases[case] = {
            "meta": _meta(kind, torch_desc),
            "hparams": _str(hparams or {}),
            "x": x,
            "out": _np(out),
            "dout": dout,
            "dx": _np(xt.grad),
        }

    # sigmoid: moderate values plus saturated ones where exp(x) would overflow naively.
    x = np.concatenate([rng.standard_normal(12) * 4.0, [-700.0, -50.0, 50.0, 700.0]]).reshape(4, 4)
    activation("sigmoid", "sigmoid", x, torch.sigmoid, "torch.sigmoid")
    x = (rng.standard_normal((3, 4)) * 4.0).astype(np.float32)
    activation("sigmoid_f32", "sigmoid", x, torch.sigmoid, "torch.sigmoid")
    activation("tanh", "tanh", rng.standard_normal((3, 4)) * 2.0, torch.tanh, "torch.tanh")
    activation("relu", "relu", _away_from_zero(rng, (3, 4)), F.relu, "torch.nn.functional.relu")
    activation(
        "leaky_relu",
        "leaky_relu",
        _away_from_zero(rng, (3, 4)),
        lambda t: F.leaky_relu(t, negative_slope=0.2),
        {"fn": "torch.nn.functional.leaky_relu", "negative_slope": 0.2},
        {"negative_slope": 0.2},
    )

    # linear: out = x @ W.T + b and its three gradients.
    x, W, b = rng.standard_normal((4, 3)), rng.standard_normal((5, 3)), rng.standard_normal(5)
    dout = rng.standard_normal((4, 5))
    xt, Wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    out = F.linear(xt, Wt, bt)
    out.backward(torch.tensor(dout))
    cases["linear"] = {
        "meta": _meta("linear", "torch.nn.functional.linear"),
        "hparams": _str({}),
        "x": x,
        "W": W,
        "b": b,
        "out": _np(out),
        "dout": dout,
        "dx": _np(xt.grad),
        "dW": _np(Wt.grad),
        "db": _np(bt.grad),
    }

    # softmax / log_softmax: last axis, a non-last axis, logits near +-1e4, float32.
    large = 1e4 * rng.choice([-1.0, 1.0], (4, 6)) + rng.standard_normal((4, 6))
    large[0] = [1e4, 1e4 - 0.5, -1e4, 1e4 - 3.0, -1e4 + 1.0, 1e4 - 30.0]
    inputs = {
        "": (rng.standard_normal((3, 5)) * 3.0, -1),
        "_axis1": (rng.standard_normal((2, 4, 3)) * 3.0, 1),
        "_large": (large, -1),
        "_f32": ((rng.standard_normal((3, 5)) * 3.0).astype(np.float32), -1),
    }
    for kind, torch_fn in (("softmax", torch.softmax), ("log_softmax", torch.log_softmax)):
        for suffix, (x, axis) in inputs.items():
            out = torch_fn(torch.tensor(x), dim=axis)
            cases[kind + suffix] = {
                "meta": _meta(kind, {"fn": f"torch.{kind}", "dim": axis}),
                "hparams": _str({"axis": axis}),
                "x": x,
                "out": _np(out),
            }

    # cross_entropy: mean over the batch, gradient by autograd.
    logits = rng.standard_normal((6, 4)) * 2.0
    y = rng.integers(0, 4, 6).astype(np.int64)
    lt = torch.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(lt, torch.tensor(y), reduction="mean")
    loss.backward()
    cases["cross_entropy"] = {
        "meta": _meta("cross_entropy", {"fn": "torch.nn.functional.cross_entropy", "reduction": "mean"}),
        "hparams": _str({}),
        "logits": logits,
        "y": y,
        "loss": _np(loss),
        "dlogits": _np(lt.grad),
    }

    # mse: mean((pred - target)**2).
    pred, target = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    pt = torch.tensor(pred, requires_grad=True)
    loss = F.mse_loss(pt, torch.tensor(target), reduction="mean")
    loss.backward()
    cases["mse"] = {
        "meta": _meta("mse", {"fn": "torch.nn.functional.mse_loss", "reduction": "mean"}),
        "hparams": _str({}),
        "pred": pred,
        "target": target,
        "loss": _np(loss),
        "dpred": _np(pt.grad),
    }
    return cases


# ---------------------------------------------------------------------------------- a1
# spec rule -> (torch.optim class, spec hyper-parameters, torch keyword arguments).
# Every hyper-parameter is passed explicitly (torch's defaults differ from the spec's, e.g.
# SGD's lr), and the torch options the spec fixes are spelled out.
def _optimizer_table():
    def betas(h):
        return [h["beta1"], h["beta2"]]

    return {
        "sgd": (
            "SGD",
            {"lr": 0.1, "weight_decay": 0.05},
            lambda h: {"lr": h["lr"], "weight_decay": h["weight_decay"], "momentum": 0.0},
        ),
        "momentum": (
            "SGD",
            {"lr": 0.1, "mu": 0.8},
            lambda h: {"lr": h["lr"], "momentum": h["mu"], "dampening": 0.0, "nesterov": False},
        ),
        "nesterov": (
            "SGD",
            {"lr": 0.1, "mu": 0.8},
            lambda h: {"lr": h["lr"], "momentum": h["mu"], "dampening": 0.0, "nesterov": True},
        ),
        "adagrad": (
            "Adagrad",
            {"lr": 0.1, "eps": 1e-3},
            lambda h: {
                "lr": h["lr"],
                "eps": h["eps"],
                "lr_decay": 0.0,
                "initial_accumulator_value": 0.0,
                "weight_decay": 0.0,
            },
        ),
        "rmsprop": (
            "RMSprop",
            {"lr": 0.01, "alpha": 0.9, "eps": 1e-3},
            lambda h: {
                "lr": h["lr"],
                "alpha": h["alpha"],
                "eps": h["eps"],
                "momentum": 0.0,
                "centered": False,
                "weight_decay": 0.0,
            },
        ),
        "adadelta": (
            "Adadelta",
            {"lr": 0.5, "rho": 0.8, "eps": 1e-3},
            lambda h: {"lr": h["lr"], "rho": h["rho"], "eps": h["eps"], "weight_decay": 0.0},
        ),
        "adam": (
            "Adam",
            {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 1e-3},
            lambda h: {"lr": h["lr"], "betas": betas(h), "eps": h["eps"], "weight_decay": 0.0, "amsgrad": False},
        ),
        "adamw": (
            "AdamW",
            {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 1e-3, "weight_decay": 0.1},
            lambda h: {
                "lr": h["lr"],
                "betas": betas(h),
                "eps": h["eps"],
                "weight_decay": h["weight_decay"],
                "amsgrad": False,
            },
        ),
    }


# spec schedule -> (torch scheduler, spec hyper-parameters, torch kwargs, values of t).
def _schedule_table():
    return {
        "step_lr": (
            "StepLR",
            {"lr0": 0.1, "step_size": 3, "gamma": 0.5},
            lambda h: {"step_size": h["step_size"], "gamma": h["gamma"]},
            range(13),
        ),
        "step_lr_default_gamma": (
            "StepLR",
            {"lr0": 1.0, "step_size": 2},
            lambda h: {"step_size": h["step_size"], "gamma": 0.1},
            range(7),
        ),
        "exponential_lr": ("ExponentialLR", {"lr0": 0.1, "gamma": 0.9}, lambda h: {"gamma": h["gamma"]}, range(16)),
        # t runs well past t_max: torch's closed form is periodic there.
        "cosine_annealing_lr": (
            "CosineAnnealingLR",
            {"lr0": 0.1, "t_max": 10, "eta_min": 0.001},
            lambda h: {"T_max": h["t_max"], "eta_min": h["eta_min"]},
            range(31),
        ),
        "cosine_annealing_lr_default_eta": (
            "CosineAnnealingLR",
            {"lr0": 1.0, "t_max": 4},
            lambda h: {"T_max": h["t_max"], "eta_min": 0.0},
            range(13),
        ),
    }


def a1_cases(torch):
    rng = np.random.default_rng(SEED_A1)
    cases = {}
    for kind, (cls, hparams, to_torch) in _optimizer_table().items():
        kwargs = to_torch(hparams)
        w0 = rng.standard_normal((2, 3))
        grads = rng.standard_normal((STEPS, 2, 3))
        param = torch.nn.Parameter(torch.tensor(w0))
        call = dict(kwargs, foreach=False)  # the plain single-tensor implementation
        if "betas" in call:
            call["betas"] = tuple(call["betas"])
        opt = getattr(torch.optim, cls)([param], **call)
        ws = np.empty_like(grads)
        for k in range(STEPS):
            param.grad = torch.tensor(grads[k])
            opt.step()
            ws[k] = _np(param)
        cases[kind] = {
            "meta": _meta(kind, {"class": f"torch.optim.{cls}", "kwargs": kwargs}),
            "hparams": _str(hparams),
            "w0": w0,
            "grads": grads,
            "ws": ws,
        }

    for case, (cls, hparams, to_torch, ts) in _schedule_table().items():
        kwargs = to_torch(hparams)
        ts = np.array(list(ts), dtype=np.int64)
        sched_cls = getattr(torch.optim.lr_scheduler, cls)
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=hparams["lr0"])
        sched = sched_cls(opt, **kwargs)
        lrs = []
        for t in ts:
            sched.last_epoch = int(t)
            lrs.append(float(sched._get_closed_form_lr()[0]))
        lrs = np.array(lrs)
        # Cross-check the closed form against actually stepping a fresh scheduler.
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=hparams["lr0"])
        sched = sched_cls(opt, **kwargs)
        stepped = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for t in ts:
                if t > 0:
                    opt.step()
                    sched.step()
                stepped.append(opt.param_groups[0]["lr"])
        gap = float(np.max(np.abs(np.array(stepped) - lrs)))
        if gap > 1e-12 * hparams["lr0"]:
            print(
                f"torch_oracle: warning: {case}: stepped scheduler differs from its closed form by {gap:.3g}",
                file=sys.stderr,
            )
        kind = case.replace("_default_gamma", "").replace("_default_eta", "")
        cases[case] = {
            "meta": _meta(
                kind, {"class": f"torch.optim.lr_scheduler.{cls}", "kwargs": kwargs, "via": "_get_closed_form_lr"}
            ),
            "hparams": _str(hparams),
            "t": ts,
            "lrs": lrs,
        }
    return cases


# ------------------------------------------------------------------------------ output
def write_npz(path, cases):
    """np.savez_compressed-compatible file with fixed timestamps (byte-reproducible)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for case, arrays in cases.items():
            for name, value in arrays.items():
                value = np.asarray(value)
                if value.dtype == object:
                    raise TypeError(f"{case}/{name}: object arrays would need pickle")
                buf = io.BytesIO()
                np.lib.format.write_array(buf, value, allow_pickle=False)
                info = zipfile.ZipInfo(f"{case}/{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, buf.getvalue())


def case_makers():
    """{assignment: cases(torch)}: a0/a1 here, later assignments in tools/oracle_<assignment>.py."""
    makers = {"a0_foundations": a0_cases, "a1_optimizers": a1_cases}
    tools = Path(__file__).resolve().parent
    sys.path.insert(0, str(tools))
    for module_path in sorted(tools.glob("oracle_*.py")):
        module = importlib.import_module(module_path.stem)
        makers[module_path.stem.removeprefix("oracle_")] = module.cases
    return makers


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", default="tests/fixtures/torch", type=Path, help="output directory (default: tests/fixtures/torch)"
    )
    parser.add_argument("--only", nargs="+", metavar="ASSIGNMENT", help="write only these fixtures")
    args = parser.parse_args(argv)
    torch = _require_torch()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, make in case_makers().items():
        if args.only and name not in args.only:
            continue
        cases = make(torch)
        path = args.out / f"{name}.npz"
        write_npz(path, cases)
        with np.load(path, allow_pickle=False) as check:  # round-trip without pickle
            assert len(check.files) == sum(len(a) for a in cases.values())
        print(f"{path}: {len(cases)} cases, {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
