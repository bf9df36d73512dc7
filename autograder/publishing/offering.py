"""The offering's grading secret in what the course staff publish (the Gradescope zip, the
nbgrader folder): never in anything a student receives (docs/isolation.md, "Threat model")."""

from __future__ import annotations

import os
from pathlib import Path

from autograder.course.config import Course
from autograder.grading.determinism import Inputs, official_inputs
from autograder.publishing.release import PublishError


def offering_inputs(course: Course) -> Inputs:
    """The official inputs that the course staff's bundles carry; refuses when the offering has
    no secret, rather than publish an autograder that grades on inputs every student has seen."""
    inputs = official_inputs(course)
    if inputs is None:
        raise PublishError(
            f"no grading secret: run `course secret` first (it writes {course.secret_file}, kept "
            "out of git and of the student bundle); official grading draws its inputs from it"
        )
    return inputs


def secret_text(inputs: Inputs) -> str:
    """The secret as its file holds it (official inputs only have one)."""
    if inputs.secret is None:
        raise ValueError("practice inputs have no secret")
    return inputs.secret.hex() + "\n"


def write_secret_file(inputs: Inputs, path: Path) -> None:
    """The secret into path, readable by its owner only (created with mode 0600)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secret_text(inputs))
