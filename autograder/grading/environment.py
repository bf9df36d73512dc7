"""What the grader itself needs beyond its core install: optional packages that some checks use
for their own data (scikit-learn's bundled digits), found missing before the student is called,
so that a gap in the grader's environment is reported as such and never as the student's error."""

from __future__ import annotations

import importlib.util

from autograder.runtime.language import _

# module -> (the package to install, the course's extra that installs it)
OPTIONAL = {"sklearn": ("scikit-learn", "framework"), "matplotlib": ("matplotlib", "framework")}


def missing(modules) -> list[str]:
    """For each of these optional modules that cannot be imported, what to install, in words."""
    messages = []
    for module in modules:
        if importlib.util.find_spec(module) is None:
            package, extra = OPTIONAL[module]
            messages.append(
                _("the grader needs {package}: pip install -e '.[{extra}]'").format(package=package, extra=extra)
            )
    return messages


def not_graded(message: str) -> str:
    """A check's feedback when the grader's environment lacks what the check needs."""
    return _("not graded, a problem of the grader's environment and not of your code: {problem}").format(
        problem=message
    )
