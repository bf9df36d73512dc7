"""PyTorch oracle for a4_cnn: conv2d, max_pool2d and avg_pool2d, forward and autograd backward.

`cases(torch)` is picked up by tools/torch_oracle.py (`python tools/torch_oracle.py --only
a4_cnn`), which writes tests/fixtures/torch/a4_cnn.npz. Each case holds the inputs, a random
upstream gradient `dout`, torch's output and gradients, `hparams` (the spec's keyword arguments,
stride left out where the spec's default is meant) and `meta`.

Geometry covers N = 1 and C = 1, non-square inputs and kernels, stride and padding as ints and
(h, w) pairs, stride > 1 with padding on odd sizes (the floor in the output size), and a kernel
exactly as large as the padded input. Pooling inputs are shuffled grids (no ties), with windows
side by side, overlapping, and non-square. float32 cases use values on a 1/8 grid, so every sum
is exact in float32 and the comparison tests the dtype and the convention, not summation order.
"""

import numpy as np
from torch_oracle import _meta, _np, _str

SEED = 20250104

# (case, x shape, w shape, stride, padding)
CONV = [
    ("conv2d", (2, 3, 7, 6), (4, 3, 3, 2), (2, 1), (1, 2)),
    ("conv2d_same", (2, 2, 5, 5), (3, 2, 3, 3), 1, 1),
    ("conv2d_stride2_odd", (1, 3, 8, 9), (2, 3, 3, 3), 2, 1),
    ("conv2d_one_channel", (1, 1, 4, 6), (1, 1, 2, 3), (1, 2), 0),
    ("conv2d_kernel_fills_input", (2, 1, 3, 4), (2, 1, 5, 4), 1, (1, 0)),
    ("conv2d_f32", (2, 2, 6, 5), (3, 2, 3, 2), (2, 1), (1, 1)),
]

# (case suffix, x shape, kernel_size, stride or None for the default)
POOL = [
    ("", (2, 3, 6, 8), 2, None),
    ("_odd", (1, 2, 7, 5), 2, None),
    ("_overlap", (2, 2, 6, 7), 3, 1),
    ("_pairs", (1, 3, 7, 8), (2, 3), (1, 2)),
    ("_f32", (2, 2, 5, 6), (3, 2), (2, 1)),
]


def _grid(rng, shape, dtype):
    """float64 normals, or for float32 values on a 1/8 grid in [-2, 2] (exact sums)."""
    if dtype == np.float32:
        return (rng.integers(-16, 17, size=shape) / 8).astype(np.float32)
    return rng.standard_normal(shape)


def cases(torch):
    F = torch.nn.functional
    rng = np.random.default_rng(SEED)
    out = {}
    for case, x_shape, w_shape, stride, padding in CONV:
        dtype = np.float32 if case.endswith("_f32") else np.float64
        x, w, b = (_grid(rng, shape, dtype) for shape in (x_shape, w_shape, (w_shape[0],)))
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        result = F.conv2d(xt, wt, bt, stride=stride, padding=padding)
        dout = _grid(rng, tuple(result.shape), dtype)
        result.backward(torch.tensor(dout))
        hparams = {"stride": stride, "padding": padding}
        out[case] = {
            "meta": _meta("conv2d", {"fn": "torch.nn.functional.conv2d", **hparams}),
            "hparams": _str(hparams),
            "x": x,
            "w": w,
            "b": b,
            "dout": dout,
            "out": _np(result),
            "dx": _np(xt.grad),
            "dw": _np(wt.grad),
            "db": _np(bt.grad),
        }

    for kind, torch_fn in (("maxpool2d", F.max_pool2d), ("avgpool2d", F.avg_pool2d)):
        for suffix, x_shape, kernel_size, stride in POOL:
            dtype = np.float32 if suffix == "_f32" else np.float64
            size = int(np.prod(x_shape))
            x = (rng.permutation(size).reshape(x_shape) - size / 2).astype(dtype) / 8  # tie-free
            xt = torch.tensor(x, requires_grad=True)
            result = torch_fn(xt, kernel_size, stride)
            dout = _grid(rng, tuple(result.shape), dtype)
            result.backward(torch.tensor(dout))
            hparams = {"kernel_size": kernel_size} | ({} if stride is None else {"stride": stride})
            call = {"fn": f"torch.nn.functional.{torch_fn.__name__}", "kernel_size": kernel_size, "stride": stride}
            out[kind + suffix] = {
                "meta": _meta(kind, call),
                "hparams": _str(hparams),
                "x": x,
                "dout": dout,
                "out": _np(result),
                "dx": _np(xt.grad),
            }
    return out
