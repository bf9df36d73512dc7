"""Hypothesis settings that make grading deterministic and the same for every student.

Derandomized Hypothesis still mixes literal constants found in any loaded "local" module (the
student's files among them) into generation, so two students would be fed different cases.
The grader turns that pool off, and seeds every check from its own name: the cases a check
draws depend on the strategies and the check alone. Hypothesis is pinned to one version in
pyproject.toml because its generation changes between releases.
"""
from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis.internal.conjecture import providers as _providers

_NO_CONSTANTS = _providers.Constants()


def _no_local_constants():
    return _NO_CONSTANTS


if not hasattr(_providers, "_get_local_constants"):  # pragma: no cover - guards the pin
    raise ImportError("this Hypothesis version has no local-constants pool to turn off; install the pinned one")
ORIGINAL_LOCAL_CONSTANTS = _providers._get_local_constants  # kept for the test that proves the leak
_providers._get_local_constants = _no_local_constants
_providers.CONSTANTS_CACHE.cache.clear()


def check_seed(check_id: str) -> int:
    return int.from_bytes(hashlib.sha256(check_id.encode()).digest()[:8], "big")


def deterministic(test, strategy, *, check_id: str, max_examples: int):
    """test(case) wrapped as a Hypothesis test: derandomized, seeded by check_id, no database,
    no deadline, no health checks, quiet, stopping at the first bug and shrinking it."""
    wrapped = given(case=strategy)(test)
    wrapped = seed(check_seed(check_id))(wrapped)
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate, Phase.shrink],
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        print_blob=False,
    )(wrapped)
