"""How fast the reference conv2d is: forward + backward on x (16, 3, 32, 32), w (16, 3, 3, 3).

    python benchmarks/conv_speed.py

Times the reference (im2col and one matrix product each for out, dw and dx's windows; col2im
by kernel offsets), a naive version with explicit loops over every output pixel (the loop
student of the example class, examples/class/ada/a4_cnn/conv.py), and, when torch is
installed, torch's CPU conv2d with autograd. Torch is optional here and never a dependency of
the course. Everything runs on one thread (BLAS and torch; set OPENBLAS_NUM_THREADS etc. to
override), a like-for-like comparison that a busy machine disturbs least. Figures are medians
on this machine, wall-clock and CPU time, and ratios against a baseline measured in the same
process (the matrix product at the heart of the forward, (N*OH*OW, C*KH*KW) @ (C*KH*KW, F)),
so they compare across machines.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import time
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # read when numpy loads its BLAS, so before the import

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "solutions" / "a4_cnn" / "conv.py"
LOOPS = ROOT / "examples" / "class" / "ada" / "a4_cnn" / "conv.py"
SHAPES = {"x": (16, 3, 32, 32), "w": (16, 3, 3, 3)}
STRIDE, PADDING = 1, 1


def timed(function, repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of function() (CPU time, summed over this process's
    threads, is what other processes on a busy machine do not inflate)."""
    function()  # warm up
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def load(path: Path, name: str):
    """The conv.py at path as a module (it imports nothing relative)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def forward_backward(module, x, w, b, dout):
    return lambda: module.conv2d_backward(dout, module.conv2d_forward(x, w, b, STRIDE, PADDING)[1])


def torch_forward_backward(x, w, b, dout):
    """torch's conv2d forward + autograd backward, or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    upstream = torch.tensor(dout)

    def run():
        for t in (xt, wt, bt):
            t.grad = None
        torch.nn.functional.conv2d(xt, wt, bt, stride=STRIDE, padding=PADDING).backward(upstream)

    return run, f"torch {torch.__version__} conv2d + autograd ({torch.get_num_threads()} threads)"


def main() -> None:
    conv = load(REFERENCE, "conv_reference")
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(SHAPES["x"]), rng.standard_normal(SHAPES["w"])
    b = rng.standard_normal(SHAPES["w"][0])
    out, _ = conv.conv2d_forward(x, w, b, STRIDE, PADDING)
    dout = rng.standard_normal(out.shape)

    n, f, oh, ow = out.shape
    cols, filters = rng.standard_normal((n * oh * ow, w[0].size)), w.reshape(f, -1).T.copy()
    baseline = timed(lambda: cols @ filters, 50)

    rows = [
        ("reference conv2d forward + backward", timed(forward_backward(conv, x, w, b, dout), 20)),
        ("loops over output pixels (ada)", timed(forward_backward(load(LOOPS, "conv_loops"), x, w, b, dout), 2)),
    ]
    torch_run = torch_forward_backward(x, w, b, dout)
    if torch_run is not None:
        rows.append((torch_run[1], timed(torch_run[0], 20)))

    print(f"x {SHAPES['x']}, w {SHAPES['w']}, stride {STRIDE}, padding {PADDING}, float64")
    print(
        f"baseline: one im2col-sized matmul {cols.shape} @ {filters.shape} = "
        f"{baseline[0] * 1e3:.3f} ms wall, {baseline[1] * 1e3:.3f} ms CPU"
    )
    print(f"{'':<52} {'wall ms':>10} {'x baseline':>11} {'CPU ms':>10} {'x baseline':>11}")
    for name, (wall, cpu) in rows:
        print(f"{name:<52} {wall * 1e3:10.2f} {wall / baseline[0]:11,.0f} {cpu * 1e3:10.2f} {cpu / baseline[1]:11,.0f}")
    ratios = [("loops / reference", rows[1][1], rows[0][1])]
    if torch_run is not None:
        ratios.append(("reference / torch", rows[0][1], rows[2][1]))
    for name, slow, fast in ratios:
        print(f"{name}: {slow[0] / fast[0]:,.1f} wall, {slow[1] / fast[1]:,.1f} CPU")


if __name__ == "__main__":
    main()
