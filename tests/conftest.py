"""Shared fixtures of the course's own tests."""

from __future__ import annotations

import fcntl
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from autograder.course import config
from autograder.execution.in_process import InProcessSubmission
from autograder.grading.runner import grade_folder

ROOT = Path(__file__).resolve().parents[1]
ADVERSARIAL = ROOT / "tests" / "adversarial"


@pytest.fixture(scope="session")
def course():
    return config.load(ROOT)


def grade_path(course, path, names=None, profile="quick"):
    """The tests grade with the self-check profile unless they say otherwise."""
    return grade_folder(course, Path(path), names, profile=profile)


def load_attack(attack, file_name):
    """The file of an adversarial submission (tests/adversarial/<attack>/<file_name>) as a module."""
    spec = importlib.util.spec_from_file_location(f"attack_{attack}", ADVERSARIAL / attack / file_name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference_with_attack(folder, attack, assignment, file_name):
    """folder/<assignment>/<file_name>: the reference file with the adversarial submission's
    namesake file appended, so that its definitions replace the reference's; returns folder."""
    target = Path(folder) / assignment
    target.mkdir(parents=True, exist_ok=True)
    reference = (ROOT / "solutions" / assignment / file_name).read_text()
    (target / file_name).write_text(f"{reference}\n\n{(ADVERSARIAL / attack / file_name).read_text()}")
    return Path(folder)


@pytest.fixture
def course_copy(tmp_path):
    """A throwaway copy of the course tree (course.yml, solutions/, assignments/)."""
    target = tmp_path / "course"
    target.mkdir()
    shutil.copy(ROOT / "course.yml", target)
    for folder in ("solutions", "assignments"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.fixture(scope="session")
def student_bundle(tmp_path_factory):
    """The student bundle of the whole course, built once per test session by `course release`
    (the test processes of pytest-xdist share it: the first builds it, the others wait)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # one session's folder
    out = shared / "student-bundle"
    with open(shared / "student-bundle.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "course.yml").is_file():
            shutil.rmtree(out, ignore_errors=True)
            built = course_command("release", "--bundle", "student", "--out", out)
            assert built.returncode == 0, built.stderr
    return out


def course_command(*args, cwd=ROOT, env=None):
    """Run `python -m autograder ARGS` in cwd (whose own autograder/ package wins, as for a
    student inside a bundle); the completed process, output as text."""
    return subprocess.run(
        [sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True
    )


def processes_mentioning(text: str) -> list[str]:
    """The ids of running processes whose command line or working folder contains text (a
    worker's bubblewrap names the grader's folder in neither its command line nor the sandbox,
    but runs in it)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (
                text.encode() in (entry / "cmdline").read_bytes() or text in os.readlink(entry / "cwd")
            ):
                found.append(entry.name)
        except OSError:
            continue
    return found


def attack_note(attack: str) -> dict:
    """The attack.yml of an attack of the adversarial corpus."""
    return yaml.safe_load((ADVERSARIAL / attack / "attack.yml").read_text())


def attack_submission(attack: str, tmp_path: Path) -> Path:
    """What the attack hands in: its folder, or, when its note names assignments it `builds_on`,
    a folder of loose files holding the reference's files of those assignments with the attack's
    own in place of the reference's of the same name."""
    builds_on = attack_note(attack).get("builds_on", [])
    if not builds_on:
        return ADVERSARIAL / attack
    folder = tmp_path / attack
    folder.mkdir()
    for assignment in builds_on:
        for path in (ROOT / "solutions" / assignment).glob("*.py"):
            if path.name != "__init__.py":
                shutil.copy(path, folder / path.name)
    for path in (ADVERSARIAL / attack).glob("*.py"):
        shutil.copy(path, folder / path.name)
    return folder


class RecordingSubmission(InProcessSubmission):
    """Records every input the grader feeds to student functions."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fed = []

    def call(self, task, args, kwargs, opaque=(), method=None):
        self.fed.append(repr((task, method, args, kwargs) if method else (task, args, kwargs)))
        return super().call(task, args, kwargs, opaque, method)
