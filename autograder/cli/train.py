"""`course train`: run the a6 training demos on a framework folder, with a progress bar.

The framework is imported from a course package tree (the student's `assignments/` by default,
`solutions/` for the reference); it runs in this process, so this is for one's own code.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path

import numpy as np

from autograder.course.config import ConfigError, Course
from autograder.grading import environment
from autograder.runtime.executor import load_package


def train_module(course: Course, folder: str | Path):
    """The a6 train.py module of the package tree at folder (relative to the course root)."""
    root = Path(folder) if Path(folder).is_absolute() else course.root / folder
    if not (root / "a6_framework" / "train.py").is_file():
        raise FileNotFoundError(f"{root}: no a6_framework/train.py there")
    if not (root / "__init__.py").is_file():
        raise FileNotFoundError(f"{root}: not a course package tree (no __init__.py)")
    return importlib.import_module(f"{load_package(root, '_course_demo')}.a6_framework.train")


def run(course: Course, demo: str, *, folder: str, seed: int, cell: str, budget: int | None, plot: str | None) -> str:
    """Train demo ("digits" or "adding") and return the one-line summary. The optional package the
    curves need (matplotlib) is looked for first, so that its absence is reported as what to
    install rather than as an error in the framework."""
    lacking = environment.missing(["matplotlib"] if plot else [])
    if lacking:
        raise ConfigError("; ".join(lacking))
    train = train_module(course, folder)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    if demo == "digits":
        kwargs = {"epochs": budget} if budget else {}
        _, accuracy, _ = train.train_digits_cnn(rng=rng, progress=True, plot=plot, **kwargs)
        result = f"digits CNN: test accuracy {accuracy:.4f}"
    else:
        kwargs = {"steps": budget} if budget else {}
        _, loss, _ = train.train_sequence_model(cell, rng=rng, progress=True, plot=plot, **kwargs)
        result = f"{cell} on the adding problem: test MSE {loss:.4f} (always answering 1 scores 0.167)"
    summary = f"{result} in {time.perf_counter() - start:.1f} s"
    return summary + (f"; curves saved to {plot}" if plot else "")
