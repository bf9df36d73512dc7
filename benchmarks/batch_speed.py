"""How fast a class is graded: whole-course submissions per minute in sandboxed workers (on this
machine's pool, and on a local Dask cluster of N worker processes), the time to start a worker,
and the overhead of a call through the worker (alone in its message, and one of 100).

    python benchmarks/batch_speed.py [--students 4] [--jobs 2] [--profile quick|full]
                                     [--only ASSIGNMENT|TASK ...]   (default: the whole course)
                                     [--in-process] [--dask N ...]

The class is the reference solution handed in by every student (each copy differs by a comment,
so none is graded from another's result); every call of student code goes through the
submission handle, as in real grading. The checks' stored cases are drawn before the timing
starts (they are drawn once per course version, whatever the size of the class).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from autograder.classgrading.batch import Settings, grade_batch
from autograder.classgrading.cluster import runner
from autograder.course import config
from autograder.execution import sandbox
from autograder.execution.in_process import InProcessSubmission
from autograder.execution.submission import Call
from autograder.execution.worker_client import WorkerSubmission
from autograder.grading import case_lists
from autograder.grading.determinism import PRACTICE
from autograder.grading.registry import load_checks

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


def per_call(submission, batch: int = 1, repeat: int = 300) -> float:
    """Median seconds per call of sigmoid_forward on a 3x4 array through the handle, made
    `batch` calls to a message (Submission.call_many)."""
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    calls = [Call("sigmoid_forward", (x,), {}, (1,))] * batch
    submission.call("sigmoid_forward", (x,), {}, (1,))  # import, and start the worker
    times = []
    for _ in range(max(1, repeat // batch)):
        start = time.perf_counter()
        for _reply in submission.call_many(calls):
            pass
        submission.release_handles()
        times.append((time.perf_counter() - start) / batch)
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
    options.add_argument("--students", type=int, default=4)
    options.add_argument("--jobs", type=int, default=2)
    options.add_argument("--profile", choices=["quick", "full"], default="full")
    options.add_argument("--only", nargs="+", help="assignments or tasks (default: the whole course)")
    options.add_argument("--in-process", action="store_true", help="also grade in-process (trusted code only)")
    options.add_argument("--no-pool", action="store_true", help="leave out the runs on this machine's pool")
    options.add_argument("--dask", type=int, nargs="+", default=[], metavar="N", help="also on N local Dask workers")
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
        print(f"a call of 100 in a message, worker ({mode:5}): {per_call(worker, 100, 3000) * 1e6:8.0f} us")
        worker.close()
        print(f"worker start to first answer ({mode:5}): {startup(course, mode):6.2f} s")
    os.sched_setaffinity(0, cpus)

    # bubblewrap does not pass its processes' CPU time on: the same grading without it says it
    cpu = cpu_seconds(course, tuple(args.only) if args.only else None, args.profile, "none")
    cores = len(cpus)
    print(f"CPU time of one submission, grader and worker: {cpu:6.1f} s")
    for machines in (1, 2, 4, 8):
        hours = 1000 * cpu / (machines * cores) / 3600
        print(f"projected: 1,000 submissions on {machines} machine(s) of {cores} cores: {hours:5.2f} h")

    with tempfile.TemporaryDirectory(prefix="course-bench-") as folder:
        paths = make_class(Path(folder), args.students)
        names = tuple(args.only) if args.only else None
        sandboxed = Settings(names, args.profile, sandbox=modes[0])
        runs = [] if args.no_pool else [(f"pool, worker ({modes[0]})", sandboxed, None)]
        if args.in_process:
            runs.insert(0, ("pool, in-process", Settings(names, args.profile, isolated=False), None))
        for label, settings, workers in runs + [(f"dask, {n} workers ({modes[0]})", sandboxed, n) for n in args.dask]:
            with local_cluster(workers) as run:
                start = time.perf_counter()
                outcome = grade_batch(course, paths, settings, jobs=args.jobs, run=run)
                seconds = time.perf_counter() - start
            assert len(outcome.graded) == args.students and all(r["score"] == r["max_score"] for _, r in outcome.graded)
            print(
                f"{args.students} submissions, {args.profile} profile, {label:20}: {seconds:7.1f} s = "
                f"{seconds / args.students:6.1f} s each = {args.students / seconds * 60:5.2f} submissions per minute"
            )


def cpu_seconds(course, names, profile: str, mode: str) -> float:
    """CPU seconds (user and system, the grader's and its worker's) of grading the reference once
    in a sandboxed worker: what a submission costs whatever else runs on the machine."""
    settings = Settings(names, profile, sandbox=mode)
    selected = course.select(list(names) if names else None)
    load_checks(list(dict.fromkeys(t.assignment for t in selected)))
    case_lists.draw_all(course, selected, profile, PRACTICE)  # once per course version, not counted
    before = os.times()
    grade_batch(course, [ROOT / "solutions"], settings)
    after = os.times()
    return sum(getattr(after, f) - getattr(before, f) for f in ("user", "system", "children_user", "children_system"))


@contextlib.contextmanager
def local_cluster(workers: int | None):
    """A batch runner on a Dask cluster of this many single-threaded worker processes here
    (None: this machine's pool, no runner)."""
    if workers is None:
        yield None
        return
    from distributed import LocalCluster

    os.environ["COURSE_ROOT"] = str(ROOT)  # what a worker machine's course is
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield runner(cluster.scheduler_address)


if __name__ == "__main__":
    main()
