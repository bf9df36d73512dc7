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
from autograder.runtime.language import _


def train_module(course: Course, folder: str | Path):
    """The a6 train.py module of the package tree at folder (relative to the course root)."""
    root = Path(folder) if Path(folder).is_absolute() else course.root / folder
    if not (root / "a6_framework" / "train.py").is_file():
        raise FileNotFoundError(_("{root}: no a6_framework/train.py there").format(root=root))
    if not (root / "__init__.py").is_file():
        raise FileNotFoundError(_("{root}: not a course package tree (no __init__.py)").format(root=root))
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
        __, accuracy, __ = train.train_digits_cnn(rng=rng, progress=True, plot=plot, **kwargs)
        result = _("digits CNN: test accuracy {accuracy}").format(accuracy=f"{accuracy:.4f}")
    else:
        kwargs = {"steps": budget} if budget else {}
        __, loss, __ = train.train_sequence_model(cell, rng=rng, progress=True, plot=plot, **kwargs)
        told = _("{cell} on the adding problem: test MSE {loss} (always answering 1 scores 0.167)")
        result = told.format(cell=cell, loss=f"{loss:.4f}")
    summary = _("{result} in {seconds} s").format(result=result, seconds=f"{time.perf_counter() - start:.1f}")
    return summary + (_("; curves saved to {plot}").format(plot=plot) if plot else "")
