"""How fast a class is graded: submissions per minute in sandboxed workers vs in-process, the
time to start a worker, and the overhead of one call through the worker.

    python benchmarks/batch_speed.py [--students 8] [--jobs 2] [--profile quick|full]
                                     [--only ASSIGNMENT|TASK ...]   (default: a0 and a1)

The class is the reference solution handed in by every student (each copy differs by a comment,
so none is graded from another's result); every call of student code goes through the
submission handle, as in real grading.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from autograder.classgrading.batch import Settings, grade_batch
from autograder.course import config
from autograder.execution import sandbox
from autograder.execution.in_process import InProcessSubmission
from autograder.execution.worker_client import WorkerSubmission

ROOT = Path(__file__).resolve().parents[1]


def make_class(folder: Path, students: int) -> list[Path]:
    paths = []
    for i in range(students):
        student = folder / f"student{i:03d}"
        for source in (ROOT / "solutions").rglob("*.py"):
            if source.name != "__init__.py":
                target = student / source.relative_to(ROOT / "solutions")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(source.read_text() + f"\n# student {i}\n")
        paths.append(student)
    return paths


def per_call(submission, repeat: int = 300) -> float:
    """Median seconds of one sigmoid_forward call on a 3x4 array, through the handle."""
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    submission.call("sigmoid_forward", (x,), {}, (1,))  # import, and start the worker
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        submission.call("sigmoid_forward", (x,), {}, (1,))
        submission.release_handles()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def startup(course, mode: str, repeat: int = 5) -> float:
    """Median seconds from a new worker submission to the answer of its first call."""
    x = np.ones(3)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        submission = WorkerSubmission(course, ROOT / "solutions", mode=mode)
        submission.call("sigmoid_forward", (x,), {}, (1,))
        times.append(time.perf_counter() - start)
        submission.close()
    return statistics.median(times)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--students", type=int, default=8)
    options.add_argument("--jobs", type=int, default=2)
    options.add_argument("--profile", choices=["quick", "full"], default="quick")
    options.add_argument("--only", nargs="+", default=["a0_foundations", "a1_optimizers"])
    args = options.parse_args()
    course = config.load(ROOT)
    modes = ["bwrap", "none"] if sandbox.bwrap_problem() is None else ["none"]

    # one CPU for the grader and its worker, as batch grading runs them (autograder.classgrading.batch)
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    in_process = InProcessSubmission(course, ROOT / "solutions")
    print(f"one call, in-process:           {per_call(in_process) * 1e6:8.0f} us")
    in_process.close()
    for mode in modes:
        worker = WorkerSubmission(course, ROOT / "solutions", mode=mode)
        print(f"one call, worker ({mode:5}):       {per_call(worker) * 1e6:8.0f} us")
        worker.close()
        print(f"worker start to first answer ({mode:5}): {startup(course, mode):6.2f} s")
    os.sched_setaffinity(0, cpus)

    with tempfile.TemporaryDirectory(prefix="course-bench-") as folder:
        paths = make_class(Path(folder), args.students)
        names = tuple(args.only)
        runs = [("in-process", Settings(names, args.profile, isolated=False))]
        runs += [(f"worker ({mode})", Settings(names, args.profile, sandbox=mode)) for mode in modes]
        for label, settings in runs:
            start = time.perf_counter()
            outcome = grade_batch(course, paths, settings, jobs=args.jobs)
            seconds = time.perf_counter() - start
            assert len(outcome.graded) == args.students and all(r["score"] == r["max_score"] for _, r in outcome.graded)
            print(
                f"{args.students} submissions, {args.profile} profile, {args.jobs} jobs, {label:15}: "
                f"{seconds:6.1f} s = {args.students / seconds * 60:5.1f} submissions per minute"
            )


if __name__ == "__main__":
    main()
