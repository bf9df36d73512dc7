"""How long grading takes: the reference on the whole course (full profile) in this process and
officially (official inputs, in a sandboxed worker), and one task's self-check; each with the
checks run over their stored cases (grading/case_lists.py) and, for comparison, through
Hypothesis' engine for every case ($COURSE_CASE_LISTS=off).

    python benchmarks/grading_speed.py [--only ASSIGNMENT|TASK ...] [--no-engine]

Figures are wall-clock seconds on this machine and ratios against a baseline measured in the
same process (one call of the reference's sigmoid_forward through the submission handle), so
they compare across machines; on a loaded machine compare the ratios of one run. The stored
cases are drawn (and kept under .course-cache/) before they are timed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

from autograder.classgrading.batch import Settings, grade_batch
from autograder.course import config
from autograder.execution import sandbox
from autograder.execution.in_process import InProcessSubmission
from autograder.execution.worker_client import WorkerSubmission
from autograder.grading.determinism import Inputs
from autograder.grading.runner import grade

ROOT = Path(__file__).resolve().parents[1]
OFFICIAL = Inputs(b"benchmark offering: a secret of at least sixteen bytes")


def timed(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cpu_used() -> float:
    """CPU seconds used so far by this process and its ended children (the workers; not those
    run in bubblewrap, whose time does not reach this process: the rows of a worker without it
    say what a grading costs in all)."""
    now = os.times()
    return now.user + now.system + now.children_user + now.children_system


def timed_with_cpu(function, repeat: int) -> tuple[float, float]:
    """(median wall-clock seconds, mean CPU seconds) of function: on a loaded machine the CPU
    time still says what a run costs."""
    before = cpu_used()
    wall = timed(function, repeat)
    return wall, (cpu_used() - before) / repeat


def engine_only(function):
    """function run with every check through Hypothesis' engine, as without stored cases."""

    def run():
        os.environ["COURSE_CASE_LISTS"] = "off"
        try:
            return function()
        finally:
            del os.environ["COURSE_CASE_LISTS"]

    return run


def count_messages(function):
    """function, and (calls of student code, messages to the worker) of one run of it."""
    counts = {"calls": 0, "messages": 0}
    exchange = WorkerSubmission._exchange

    def counted(submission, message, expected):
        counts["messages"] += 1
        counts["calls"] += len(message.get("calls", []))
        return exchange(submission, message, expected)

    WorkerSubmission._exchange = counted
    try:
        function()
    finally:
        WorkerSubmission._exchange = exchange
    return counts["calls"], counts["messages"]


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--only", nargs="+", help="assignments or tasks of the whole-course rows (default: all)")
    options.add_argument("--no-engine", action="store_true", help="leave out the rows through the engine")
    args = options.parse_args()
    course = config.load(ROOT)
    in_process = InProcessSubmission(course, ROOT / "solutions")
    modes = ["bwrap", "none"] if sandbox.bwrap_problem() is None else ["none"]
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    baseline = timed(lambda: in_process.call("sigmoid_forward", (x,), {}, (1,)), 200)
    whole = course.select(args.only)

    def run(submission, tasks, profile):
        return lambda: grade(course, submission, tasks, profile=profile)

    def official(mode):  # as `course grade` does it: a new worker on the grader's CPU, the official inputs
        settings = Settings(tuple(args.only) if args.only else None, "full", sandbox=mode, inputs=OFFICIAL)
        return lambda: grade_batch(course, [ROOT / "solutions"], settings).graded[0][1]

    cases = [
        ("whole course, in-process (full)", run(in_process, whole, "full"), 1),
        *[(f"whole course, official, worker {mode} (full)", official(mode), 1) for mode in modes],
        ("self-check one task: adam (quick)", run(in_process, course.select(["adam"]), "quick"), 5),
        (
            "self-check one task: linear_backward (quick)",
            run(in_process, course.select(["linear_backward"]), "quick"),
            5,
        ),
    ]
    for _, function, _ in cases:
        function()  # imports, the worker's modules, and the stored cases drawn once
    calls, messages = count_messages(official(modes[0]))
    rows = []
    for name, function, repeat in cases:
        rows.append((name, *timed_with_cpu(function, repeat)))
        if not args.no_engine:
            rows.append((f"{name}, engine only", *timed_with_cpu(engine_only(function), repeat)))
    print(f"baseline: one handle call of sigmoid_forward = {baseline * 1e6:.1f} us")
    for name, seconds, cpu in rows:
        print(f"{name:<58} {seconds:8.3f} s  ({seconds / baseline:,.0f} x baseline)  CPU {cpu:8.3f} s")
    print(
        f"official grading: {calls:,} calls of student code in {messages:,} messages to the worker (imports included)"
    )
    in_process.close()


if __name__ == "__main__":
    main()
