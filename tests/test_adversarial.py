"""The adversarial corpus (tests/adversarial/): every attack gets the verdict its note expects,
and leaves the grader, the course files and the machine as they were."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import signal
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT, attack_submission, processes_mentioning

from autograder.course.config import Budgets
from autograder.execution import sandbox
from autograder.execution.worker_client import WorkerSubmission
from autograder.grading import report
from autograder.grading.runner import grade
from autograder.grading.sanitize import FEEDBACK_LIMIT

CORPUS = Path(__file__).resolve().parent / "adversarial"
ATTACKS = sorted(p.name for p in CORPUS.iterdir() if (p / "attack.yml").is_file())
# short limits keep the corpus quick; correct calls here take microseconds
LIMITS = sandbox.Limits(timeout=3, memory_mb=256, reply_mb=4)
# what no feedback may carry to a terminal or a page: C0 controls but newline and tab, DEL, C1
# controls, bidi embeddings, overrides and isolates
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def isolation_modes():
    """(mode, what its defences rest on) for each mode this machine can run."""
    modes = []
    if sandbox.bwrap_problem() is None:
        modes.append(("bwrap", {"sandbox"}))
    modes.append(("none", set()))
    return modes


def runs():
    """Every (attack, mode) pair whose defences hold in that mode."""
    for attack in ATTACKS:
        note = yaml.safe_load((CORPUS / attack / "attack.yml").read_text())
        for mode, defences in isolation_modes():
            if set(note["needs"]) <= defences:
                yield pytest.param(attack, mode, note, id=f"{attack}-{mode}")


OUTER_TIMEOUT = 600  # seconds for grading one attack: each of its calls gives up after LIMITS.timeout


def _hung(signum, frame):
    raise TimeoutError(f"grading the attack took more than {OUTER_TIMEOUT} s")


def course_fingerprint() -> str:
    """A hash of everything an attack could damage in the course tree."""
    digest = hashlib.sha256()
    for path in sorted(
        [
            ROOT / "course.yml",
            *ROOT.glob("solutions/**/*.py"),
            *ROOT.glob("autograder/**/*.py"),
            *ROOT.glob("assignments/**/*.py"),
        ]
    ):
        digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


def test_every_attack_note_says_what_it_tries_and_what_it_must_get(course):
    assert len(ATTACKS) >= 15
    for attack in ATTACKS:
        note = yaml.safe_load((CORPUS / attack / "attack.yml").read_text())
        assert {"tries", "expected", "needs", "scores", "feedback"} <= note.keys(), attack
        assert set(note["needs"]) <= {"sandbox"}, attack
        assert set(note["feedback"]) <= set(note["scores"]), attack
        assert set(note.get("builds_on", [])) <= {a.id for a in course.assignments}, attack


@pytest.mark.slow
@pytest.mark.parametrize("attack, mode, note", list(runs()))
def test_attack_gets_only_what_it_earned(course, attack, mode, note, tmp_path):
    before, cwd, allclose = course_fingerprint(), os.getcwd(), np.allclose
    if "budgets" in note:
        course = dataclasses.replace(course, budgets=Budgets(**note["budgets"]))
    submission = WorkerSubmission(course, attack_submission(attack, tmp_path), limits=LIMITS, mode=mode)
    marker = str(submission._folder)
    if "grader_mb" in note:
        tracemalloc.start()
    # every wait on a worker has a deadline of one call's limit: a grading that still runs after
    # this outer bound has hung, and the alarm interrupts even a blocked write to the worker
    signal.signal(signal.SIGALRM, _hung)
    signal.alarm(OUTER_TIMEOUT)
    try:
        result = grade(course, submission, course.select(list(note["scores"])), profile="quick")
    finally:
        signal.alarm(0)
        submission.close()
        peak = tracemalloc.get_traced_memory()[1] if tracemalloc.is_tracing() else 0
        tracemalloc.stop()
    assert peak <= note.get("grader_mb", 0) * 2**20, f"the grader's memory peaked at {peak / 2**20:.0f} MiB"
    tasks = {t["task"]: t for t in result["tasks"]}
    for task, points in note["scores"].items():
        assert tasks[task]["score"] == points, (task, tasks[task])
    for task, pattern in note["feedback"].items():
        feedback = "\n".join(c["feedback"] for c in tasks[task]["checks"])
        assert re.search(pattern, feedback), (task, feedback)
    # whatever the attack sends, feedback stays bounded and shows no control character
    checks = [c for t in result["tasks"] for c in t["checks"]]
    assert all(len(c["feedback"]) <= FEEDBACK_LIMIT and not CONTROL.search(c["feedback"]) for c in checks)
    assert len(json.dumps(result)) <= len(checks) * (FEEDBACK_LIMIT + 500)
    assert not CONTROL.search(report.table(result))
    # the grader, the course and the machine are as they were
    assert course_fingerprint() == before
    assert os.getcwd() == cwd and np.allclose is allclose
    assert not (ROOT / "results.json").exists() and not (ROOT / "conftest.py").exists()
    assert processes_mentioning(marker) == []
