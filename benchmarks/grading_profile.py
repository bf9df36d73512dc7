"""Where an official grading's time goes: the grader and its worker each profiled by CPU time,
and each task's share of the calls of student code and of the messages to the worker.

    python benchmarks/grading_profile.py [--only ASSIGNMENT|TASK ...] [--top N]

The reference is graded on the official inputs with a worker without bubblewrap (whose CPU time
bubblewrap would hide), once to draw the stored cases and once profiled. cProfile adds its own
cost to every Python function call, most to code made of many small calls (the wire codec), so
read the tables as shares, not as seconds a grading takes: benchmarks/grading_speed.py times it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time
from collections import Counter
from pathlib import Path

from autograder.classgrading.batch import Settings, grade_batch
from autograder.course import config
from autograder.execution import sandbox
from autograder.execution.worker_client import WorkerSubmission
from autograder.grading.determinism import Inputs

ROOT = Path(__file__).resolve().parents[1]
OFFICIAL = Inputs(b"benchmark offering: a secret of at least sixteen bytes")
WORKER_MAIN = "from course_runtime.worker_main import main; main(config)"


def profiled_worker_boot(folder: Path) -> str:
    """sandbox.BOOT with the worker's main program run under a CPU-time profile written to folder
    when the grader closes the worker's input."""
    profiled = (
        "from course_runtime.worker_main import main; import cProfile, os, time; "
        "profile = cProfile.Profile(time.process_time); profile.enable()\n"
        "try: main(config)\n"
        f"finally: profile.disable(); profile.dump_stats({str(folder)!r} + '/worker.%d' % os.getpid())"
    )
    if WORKER_MAIN not in sandbox.BOOT:
        raise SystemExit("sandbox.BOOT no longer ends with the worker's main program: update this benchmark")
    return sandbox.BOOT.replace(WORKER_MAIN, profiled)


def count_by_task(function) -> tuple[Counter, Counter]:
    """(calls of student code, messages to the worker) per task in one run of function."""
    calls: Counter = Counter()
    messages: Counter = Counter()
    exchange = WorkerSubmission._exchange

    def counted(submission, message, expected):
        messages[expected[0][0]] += 1
        for entry in message.get("calls", []):
            calls[entry["task"]] += 1
        return exchange(submission, message, expected)

    WorkerSubmission._exchange = counted  # type: ignore[method-assign]
    try:
        function()
    finally:
        WorkerSubmission._exchange = exchange  # type: ignore[method-assign]
    return calls, messages


def top(stats: pstats.Stats, count: int) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]  # where print_stats writes
    stats.sort_stats("tottime").print_stats(count)
    return "\n".join(line for line in out.getvalue().splitlines() if line.strip())


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--only", nargs="+", help="assignments or tasks to grade (default: all)")
    options.add_argument("--top", type=int, default=25, help="functions shown for each side (default: 25)")
    args = options.parse_args()
    course = config.load(ROOT)
    settings = Settings(tuple(args.only) if args.only else None, "full", sandbox="none", inputs=OFFICIAL)

    def grading():
        return grade_batch(course, [ROOT / "solutions"], settings)

    calls, messages = count_by_task(grading)  # also draws the stored cases
    with tempfile.TemporaryDirectory(prefix="grading-profile-") as name:
        folder = Path(name)
        folder.chmod(0o777)  # a worker started as root writes as the unprivileged user
        boot, sandbox.BOOT = sandbox.BOOT, profiled_worker_boot(folder)
        grader = cProfile.Profile(time.process_time)
        try:
            grader.enable()
            grading()
            grader.disable()
        finally:
            sandbox.BOOT = boot
        grader_stats = pstats.Stats(grader)
        workers = sorted(folder.glob("worker.*"))
        worker_stats = pstats.Stats(*map(str, workers)) if workers else None
        print(f"grader, CPU seconds under the profiler: {grader_stats.total_tt:.2f}")  # type: ignore[attr-defined]
        print(top(grader_stats, args.top))
        if worker_stats is None:
            print("the worker wrote no profile")
        else:
            print(f"\n{len(workers)} worker process(es)")
            print(top(worker_stats, args.top))
    print(f"\n{'task':<28} {'calls':>7} {'messages':>9}")
    for task, count in messages.most_common():
        print(f"{task:<28} {calls[task]:>7,} {count:>9,}")
    print(f"{'all':<28} {sum(calls.values()):>7,} {sum(messages.values()):>9,}")


if __name__ == "__main__":
    main()
