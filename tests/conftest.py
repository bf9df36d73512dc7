"""Shared fixtures of the course's own tests."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder import config
from autograder.submission import InProcessSubmission
from autograder.runner import grade

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def course():
    return config.load(ROOT)


def grade_path(course, path, names=None, profile="quick"):
    submission = InProcessSubmission(course, Path(path))
    try:
        return grade(course, submission, course.select(names), profile=profile)
    finally:
        submission.close()


@pytest.fixture
def course_copy(tmp_path):
    """A throwaway copy of the course tree (course.yml, solutions/, assignments/)."""
    target = tmp_path / "course"
    target.mkdir()
    shutil.copy(ROOT / "course.yml", target)
    for folder in ("solutions", "assignments"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return target
