"""Hypothesis settings that make grading deterministic and the same for every student.

Derandomized Hypothesis still mixes literal constants found in any loaded "local" module (the
student's files among them) into generation, so two students would be fed different cases.
The grader turns that pool off, and seeds every check from where its inputs come from
(`Inputs`) and its own name: the cases a check draws depend on the strategies, the check and
the inputs alone. Hypothesis is pinned to one version in pyproject.toml because its generation
changes between releases.

Two sources of inputs: the public practice inputs of self-checks (the student bundle records
the reference's outputs on them), and the official inputs of an offering, drawn from its secret
(docs/isolation.md, "Threat model"): a recording of the practice inputs answers none of them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis.internal.conjecture import providers as _providers

from autograder.course.config import Course, load_secret

_NO_CONSTANTS = _providers.Constants()


def _no_local_constants():
    return _NO_CONSTANTS


if not hasattr(_providers, "_get_local_constants"):  # pragma: no cover - guards the pin
    raise ImportError("this Hypothesis version has no local-constants pool to turn off; install the pinned one")
ORIGINAL_LOCAL_CONSTANTS = _providers._get_local_constants  # kept for the test that proves the leak
_providers._get_local_constants = _no_local_constants
_providers.CONSTANTS_CACHE.cache.clear()


def check_seed(check_id: str) -> int:
    """The practice seed of a check: its id alone, public by design."""
    return _seed(check_id.encode())


def _seed(data: bytes) -> int:
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")


@dataclass(frozen=True)
class Inputs:
    """Where the cases of every check come from: the public practice seed (secret None), or an
    offering's secret. Every student of an offering gets the same cases either way."""

    secret: bytes | None = None

    @property
    def kind(self) -> str:
        """ "official" (drawn from a secret) or "practice" (public): the result's `inputs` field."""
        return "practice" if self.secret is None else "official"

    def seed(self, check_id: str, profile: str) -> int:
        """The seed of a check's examples in a profile. Practice inputs keep the check's id
        alone (both profiles), so that they stay what the recorded bundles replay."""
        if self.secret is None:
            return check_seed(check_id)
        return _seed(b"official\0" + self.secret + b"\0" + check_id.encode() + b"\0" + profile.encode())

    def fixed_case(self, check_id: str, profile: str) -> dict:
        """The case of a check that draws none (it runs once on inputs of its own): empty for
        practice inputs, else {"offering": n}, n drawn from the secret, which the check mixes into
        its seeds so that no recorded answer replays it."""
        return {} if self.secret is None else {"offering": self.seed(check_id, profile) % 2**32}

    @property
    def identity(self) -> str:
        """Names the inputs without revealing them: a one-way hash of the secret (a gradebook
        key changes with the secret, and nothing in it lets anyone draw the official cases)."""
        if self.secret is None:
            return "practice"
        return "official " + hashlib.sha256(b"course secret identity\0" + self.secret).hexdigest()[:16]

    def __repr__(self) -> str:  # never the secret, in a traceback or a log
        return f"Inputs({self.identity})"


PRACTICE = Inputs()


def official_inputs(course: Course) -> Inputs | None:
    """The official inputs of the course's offering (its secret: $COURSE_SECRET, else the file
    course.yml names), or None when it has no secret."""
    secret = load_secret(course)
    return None if secret is None else Inputs(secret)


def deterministic(
    test, strategy, *, check_id: str, max_examples: int, inputs: Inputs = PRACTICE, profile: str = "full"
):
    """test(case) wrapped as a Hypothesis test: derandomized, seeded by the inputs, the check's id
    and the profile, no database, no deadline, no health checks, quiet, stopping at the first
    bug and shrinking it."""
    wrapped = given(case=strategy)(test)
    wrapped = seed(inputs.seed(check_id, profile))(wrapped)
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
