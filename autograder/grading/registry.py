"""The check registry: every check belongs to one task (a spec function) and has a name.

A check body is `body(ctx, case) -> None`: it reaches the student through ctx (a Context) and
raises CheckFailure when the submission is wrong. Checks are registered with the `check`
decorator, on the cases a Hypothesis strategy draws (or once, without cases).

Credit is for verified work. A task's checks are either comparisons (with the reference, or
a distribution test where the task has no exact reference), which pay alone, or diagnoses
(purity, self-consistency with the student's own forward, a raised ValueError, a shape, a
property that a formula could satisfy), registered with `pays_alone=False`: they always tell
the student what is wrong, but pay only when every comparison of their task passes, so that
no fake earns points through them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the context reaches the mistakes, whose replay gates registered checks
    from autograder.grading.context import Context

Case = dict[str, Any]  # one drawn input: names the check body reads (shape, seed, dtype...)
CheckBody = Callable[["Context", Case], None]


@dataclass(frozen=True)
class Check:
    task: str
    name: str
    body: CheckBody  # raises CheckFailure on a wrong submission
    cases: Any = None  # a Hypothesis strategy of case dicts, or None for a single run
    pays_alone: bool = True  # False: a diagnosis, paid only when the task's comparisons pass
    needs: tuple[str, ...] = ()  # optional modules the grader itself uses here (grading/environment.py)

    @property
    def id(self) -> str:
        return f"{self.task}: {self.name}"


REGISTRY: dict[str, list[Check]] = {}


def check(
    task: str, name: str, cases=None, *, pays_alone: bool = True, needs: tuple[str, ...] = ()
) -> Callable[[CheckBody], CheckBody]:
    """Decorator registering body(ctx, case) as a check of task, run on each drawn case; needs
    names the optional modules the grader itself uses in it (for its own data, say)."""

    def register(body: CheckBody) -> CheckBody:
        checks = REGISTRY.setdefault(task, [])
        if any(existing.name == name for existing in checks):
            raise ValueError(f"two checks of {task} are named {name!r}")
        checks.append(Check(task, name, body, cases, pays_alone, tuple(needs)))
        return body

    return register


def checks_for(task: str) -> list[Check]:
    return REGISTRY.get(task, [])


def load_checks(assignment_ids) -> None:
    """Import the check modules of these assignments (each registers its checks once)."""
    for assignment_id in assignment_ids:
        importlib.import_module(f"autograder.checks.{assignment_id}")
