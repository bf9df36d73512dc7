"""The a6 training demos with the reference framework, at their full default budgets.

    python benchmarks/training.py [digits] [rnn] [lstm] [gru]

Prints each run's score and wall-clock time, and the time as a ratio against one epoch of a
plain numpy logistic regression on the same digits measured in the same process (a baseline that
carries across machines). The handout's table of adding-problem results comes from this script.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from autograder.cli.main import train as demo
from autograder.course import config

ROOT = Path(__file__).resolve().parents[1]


def baseline_seconds(train) -> float:
    """One epoch of softmax regression on the digits, batch 32, plain numpy."""
    X, y, _, _ = train.load_digits_split()
    X = X.reshape(len(X), -1)
    W = np.zeros((64, 10))
    start = time.perf_counter()
    for batch in np.array_split(np.arange(len(y)), len(y) // 32):
        logits = X[batch] @ W
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(batch)), y[batch]] -= 1
        W -= 0.1 * X[batch].T @ p / len(batch)
    return time.perf_counter() - start


def main(argv) -> None:
    course = config.load(ROOT)
    train = demo.train_module(course, "solutions")
    runs = argv or ["digits", "rnn", "lstm", "gru"]
    base = baseline_seconds(train)
    print(f"baseline (one epoch of numpy softmax regression): {base * 1e3:.1f} ms")
    for name in runs:
        rng = np.random.default_rng(0)
        start = time.perf_counter()
        if name == "digits":
            _, score, _ = train.train_digits_cnn(rng=rng)
            what = f"test accuracy {score:.4f}"
        else:
            _, score, _ = train.train_sequence_model(name, rng=rng)
            what = f"test MSE {score:.4f}"
        seconds = time.perf_counter() - start
        print(f"{name:>6}: {what}, {seconds:.1f} s ({seconds / base:,.0f}x baseline)")


if __name__ == "__main__":
    main(sys.argv[1:])
