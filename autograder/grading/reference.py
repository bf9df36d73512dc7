"""Trusted implementations the grader runs itself: the reference and the mistake variants.

A course tree without solutions/ but with recorded reference outputs (a student bundle, see
replay.py) gets implementations that replay the recording instead."""

from __future__ import annotations

import copy
import importlib
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from autograder.course.config import Course
from autograder.grading import replay
from autograder.runtime import probes
from autograder.runtime.executor import load_package


class TrustedImplementation(Protocol):
    """What checks compute expectations with: the reference, a mistake variant, or (in a
    student bundle) their recorded replay."""

    def function(self, task: str) -> Callable[..., Any]:
        """The implementation's function (or class) named task."""
        ...

    def run(self, task: str, *args: Any, **kwargs: Any) -> Any:
        """task(*args, **kwargs) on private copies of the arguments."""
        ...


class Implementation:
    """Functions of a course package tree, found by task name (`impl.adam`, `impl.run(...)`)."""

    def __init__(self, course: Course, root: Path, prefix: str):
        self.course = course
        self.root = root
        self._package = load_package(root, prefix)

    def function(self, task: str):
        spec = self.course.task(task)
        module = importlib.import_module(f"{self._package}.{spec.assignment}.{Path(spec.file).stem}")
        return getattr(module, task)

    def __getattr__(self, task: str):
        if task.startswith("_"):
            raise AttributeError(task)
        return self.function(task)

    def run(self, task: str, *args, **kwargs):
        """Call task on private copies of the arguments, with probes built into callables."""
        args, kwargs = copy.deepcopy(probes.materialize((args, kwargs)))
        return self.function(task)(*args, **kwargs)


_reference_cache: dict[Path, Implementation] = {}


def reference(course: Course) -> TrustedImplementation:
    """The reference of the course: its solutions/, or their recorded outputs in a bundle."""
    replayed = replay.replay_for(course)
    if replayed is not None:
        return replayed
    root = course.root / "solutions"
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: the reference solutions are not in this course tree")
    if root not in _reference_cache:
        _reference_cache[root] = Implementation(course, root, "_course_reference")
    return _reference_cache[root]


def copy_solutions(course: Course, dest: Path) -> Path:
    shutil.copytree(course.root / "solutions", dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def scratch_folder(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))
