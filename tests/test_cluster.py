"""Grading a class on a Dask cluster (`course grade --dask`): a real scheduler and two worker
processes on this machine grade a small class into the same gradebook as a local run, a rerun
resumes from the gradebook, and a worker whose course differs refuses to grade."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, course_command

from autograder.classgrading import cluster
from autograder.classgrading.batch import Settings, course_version, grade_batch
from autograder.classgrading.gradebook import Gradebook
from autograder.grading.determinism import PRACTICE, official_inputs

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed")

CLASS = [ROOT / "examples" / "class" / "ada", ROOT / "examples" / "class" / "cleo"]
SETTINGS = Settings(("a0_foundations",), "quick")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _dask() -> str:
    beside = Path(sys.executable).with_name("dask")
    return str(beside) if beside.exists() else shutil.which("dask") or "dask"


@pytest.fixture
def scheduler(tmp_path):
    """The address of a scheduler with two single-threaded worker processes, each grading with
    this checkout's course (started in it, as on a machine with the course installed)."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("COURSE_ROOT", None)
    common = {"cwd": ROOT, "env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    started = [
        subprocess.Popen(
            [_dask(), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard"],
            **common,
        )
    ]
    try:
        for name in ("one", "two"):
            started.append(
                subprocess.Popen(
                    [
                        _dask(),
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--name",
                        name,
                        "--local-directory",
                        str(tmp_path / name),
                    ],
                    **common,
                )
            )
        with distributed.Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(started):
            process.terminate()
        for process in reversed(started):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _gradebook(path: Path) -> dict:
    """Every result and submission of a gradebook, without the times of grading."""
    with sqlite3.connect(path) as db:
        results = db.execute("SELECT key, files, course_version, profile, tasks, score, max_score, result FROM results")
        submissions = db.execute("SELECT student, source, key FROM submissions")
        return {
            "results": sorted((*row[:7], _timeless(json.loads(row[7]))) for row in results),
            "submissions": sorted(submissions),
        }


def _timeless(result: dict) -> str:
    return json.dumps({k: v for k, v in result.items() if k != "timing"}, sort_keys=True)


def test_a_dask_cluster_grades_a_class_as_this_machine_does(course, scheduler, tmp_path):
    settings = dataclasses.replace(SETTINGS, inputs=official_inputs(course) or PRACTICE)  # as `course grade`
    local = Gradebook(tmp_path / "local.sqlite")
    try:
        grade_batch(course, CLASS, settings, jobs=1, gradebook=local)
    finally:
        local.close()
    command = ["grade", *CLASS, "--only", *SETTINGS.names, "--quick", "--gradebook", tmp_path / "dask.sqlite"]
    graded = course_command(*command, "--dask", scheduler)
    assert graded.returncode == 0, graded.stderr
    assert _gradebook(tmp_path / "dask.sqlite") == _gradebook(tmp_path / "local.sqlite")
    on_cluster = Gradebook(tmp_path / "dask.sqlite")
    try:  # a rerun resumes: nothing is graded twice
        again = grade_batch(course, CLASS, settings, gradebook=on_cluster, run=cluster.runner(scheduler))
    finally:
        on_cluster.close()
    assert again.reused == len(CLASS) and not again.problems


def test_a_worker_refuses_a_course_other_than_the_graders(course, monkeypatch):
    monkeypatch.setenv("COURSE_ROOT", str(ROOT))
    files = cluster.packed_files(course, CLASS[0])
    version = course_version(course, PRACTICE)
    assert cluster.grade_packed(files, SETTINGS, PRACTICE.identity, version)["max_score"] > 0
    with pytest.raises(cluster.CourseMismatch, match="not the grader's"):
        cluster.grade_packed(files, SETTINGS, PRACTICE.identity, "another version")
