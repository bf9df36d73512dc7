"""The check registry: every check belongs to one task (a spec function) and has a name."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass


class CheckFailure(Exception):
    """A check's verdict against the submission: `message` says what was wrong."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Check:
    task: str
    name: str
    body: Callable  # body(ctx, case) raises CheckFailure on a wrong submission
    cases: object = None  # a Hypothesis strategy of case dicts, or None for a single run

    @property
    def id(self) -> str:
        return f"{self.task}: {self.name}"


REGISTRY: dict[str, list[Check]] = {}


def check(task: str, name: str, cases=None):
    """Decorator registering body(ctx, case) as a check of task, run on each drawn case."""

    def register(body):
        checks = REGISTRY.setdefault(task, [])
        if any(existing.name == name for existing in checks):
            raise ValueError(f"two checks of {task} are named {name!r}")
        checks.append(Check(task, name, body, cases))
        return body

    return register


def checks_for(task: str) -> list[Check]:
    return REGISTRY.get(task, [])


def load_checks(assignment_ids) -> None:
    """Import the check modules of these assignments (each registers its checks once)."""
    for assignment_id in assignment_ids:
        importlib.import_module(f"autograder.checks.{assignment_id}")
