"""How long grading takes: the reference for a0+a1 in the full profile, and a one-task self-check.

    python benchmarks/grading_speed.py

Figures are wall-clock seconds on this machine and ratios against a baseline measured in the
same process (one call of the reference's sigmoid_forward through the submission handle), so
they compare across machines.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

from autograder.course import config
from autograder.execution.in_process import InProcessSubmission
from autograder.grading.runner import grade

ROOT = Path(__file__).resolve().parents[1]


def timed(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    course = config.load(ROOT)
    submission = InProcessSubmission(course, ROOT / "solutions")
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    baseline = timed(lambda: submission.call("sigmoid_forward", (x,), {}, (1,)), 200)

    def run(names, profile):
        return lambda: grade(course, submission, course.select(names), profile=profile)

    grade(course, submission, course.select(["sgd"]), profile="quick")  # warm imports
    rows = [
        ("grade reference a0+a1 (full)", timed(run(["a0_foundations", "a1_optimizers"], "full"), 3)),
        ("grade reference a0+a1 (quick)", timed(run(["a0_foundations", "a1_optimizers"], "quick"), 3)),
        ("self-check one task: adam (quick)", timed(run(["adam"], "quick"), 5)),
        ("self-check one task: linear_backward (quick)", timed(run(["linear_backward"], "quick"), 5)),
    ]
    print(f"baseline: one handle call of sigmoid_forward = {baseline * 1e6:.1f} us")
    for name, seconds in rows:
        print(f"{name:<46} {seconds:8.3f} s  ({seconds / baseline:,.0f} x baseline)")
    submission.close()


if __name__ == "__main__":
    main()
