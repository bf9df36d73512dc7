"""Each check's drawn cases, drawn once and kept: Hypothesis' engine only shrinks a failure.

A passing check sees the cases its seeded strategy draws (grading/determinism.py), and they
depend on the strategy, the seed (the check's id, the inputs, the profile), the number of
examples and the Hypothesis version alone: every student of an offering is fed the same list.
So the list is drawn once, by the engine with a body that only records, and kept in memory and
on disk; the runner feeds the check's body those cases in order, each as the engine runs it
(`seeded_cases`: the global random states seeded as Hypothesis seeds them). A case that
fails hands the check back to the engine, which runs it from the start and shrinks the failure
to the smallest failing case, word for word what grading without the list reports.

The lists are kept under `.course-cache/cases/` of the course tree, which the sandboxed worker
never sees and no bundle takes (bundles take named files). A file is named by a hash of the
grader's code, the Hypothesis, numpy and Python versions, the check, the profile, the number of
examples and the seed: official inputs by a seed drawn from the secret, through a one-way hash,
so a new secret or a changed strategy draws new lists. A list is written as wire-format JSON
(never pickle), and kept only when it reads back exactly as drawn.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import random
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import hypothesis
import numpy as np
from hypothesis.internal.conjecture.junkdrawer import ensure_free_stackframes

from autograder.course.config import Course
from autograder.grading.determinism import Inputs, deterministic
from autograder.grading.registry import checks_for
from autograder.runtime.plain import same_plain
from autograder.runtime.wire import VALUE_TAGS, from_text, to_text

CACHE_FOLDER = Path(".course-cache") / "cases"
_GRADER = Path(__file__).resolve().parents[1]  # autograder/

CASE_TAGS = VALUE_TAGS | {"probe"}  # a case may hold a probe (an rng to build)
HYPOTHESIS_SEED = 0  # what the engine seeds the global random states with for every example
_memory: dict[str, str | None] = {}  # file key -> the list's JSON text (None: not keepable)


def enabled() -> bool:
    """Whether checks run over their stored cases ($COURSE_CASE_LISTS=off: always through the
    engine, as the tests that compare both ways need)."""
    return os.environ.get("COURSE_CASE_LISTS", "on") != "off"


@functools.lru_cache(maxsize=1)
def grader_fingerprint() -> str:
    """A hash of what decides the cases drawn: the grader's code (its strategies and checks) and
    the versions of Hypothesis, numpy and Python."""
    digest = hashlib.sha256()
    for path in sorted(_GRADER.rglob("*.py")):
        digest.update(path.relative_to(_GRADER).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(f"hypothesis {hypothesis.__version__} numpy {np.__version__} python {sys.version_info[:2]}".encode())
    return digest.hexdigest()


def list_key(check_id: str, max_examples: int, inputs: Inputs, profile: str) -> str:
    """The name of a check's list: nothing in it lets anyone draw the official cases."""
    text = json.dumps([grader_fingerprint(), check_id, profile, max_examples, inputs.seed(check_id, profile)])
    return hashlib.sha256(text.encode()).hexdigest()


def _draw(check, max_examples: int, inputs: Inputs, profile: str) -> list:
    drawn: list = []

    def record(case) -> None:
        drawn.append(case)

    deterministic(record, check.cases, check_id=check.id, max_examples=max_examples, inputs=inputs, profile=profile)()
    return drawn


def _encode(cases: list) -> str | None:
    """The cases as wire-format JSON, or None when they do not read back exactly as drawn."""
    try:
        text = to_text(cases)
        again = from_text(text, allow=CASE_TAGS)
    except (TypeError, ValueError):
        return None
    if not same_plain(again, cases) or to_text(again) != text:
        return None  # -0.0 and 0.0, a subclass of dict...: only an exact copy will do
    return text


def _read(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
        from_text(text, allow=CASE_TAGS)
    except (OSError, ValueError):  # unreadable, not UTF-8, or not a case list (WireError)
        return None
    return text


def _write(path: Path, text: str) -> None:
    """Write atomically (parallel graders may write the same list); a folder that cannot be
    written to leaves the list in memory only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(temporary)


def _list_path(check_id: str, max_examples: int, inputs: Inputs, profile: str) -> Path:
    key = list_key(check_id, max_examples, inputs, profile)
    return CACHE_FOLDER / key[:2] / f"{key}.json"


def _stored_text(root: Path, check, max_examples: int, inputs: Inputs, profile: str) -> str | None:
    """The JSON text of check's list: from memory, else from root's cache, else drawn and kept."""
    path = _list_path(check.id, max_examples, inputs, profile)
    if path.stem not in _memory:
        text = _read(root / path)
        if text is None:
            text = _encode(_draw(check, max_examples, inputs, profile))
            if text is not None:
                _write(root / path, text)
        _memory[path.stem] = text
    return _memory[path.stem]


def drawn_cases(root: Path, check, max_examples: int, inputs: Inputs, profile: str) -> list | None:
    """The cases the engine feeds check's body when every one passes (fresh objects on each
    call), or None when they cannot be kept (the runner then leaves the check to the engine)."""
    text = _stored_text(root, check, max_examples, inputs, profile)
    return None if text is None else from_text(text, allow=CASE_TAGS)


def draw_all(course: Course, tasks, profile: str, inputs: Inputs) -> list[tuple[str, str]]:
    """Draw (or read) the lists of every check of these tasks (their modules loaded), once
    before a batch forks its graders, which then share them; returns (path in the course tree,
    JSON text) of each, for a staff bundle to take along."""
    if not enabled():
        return []
    kept = []
    for task in tasks:
        for check in checks_for(task.name):
            if check.cases is not None:
                examples = course.max_examples(task, profile)
                text = _stored_text(course.root, check, examples, inputs, profile)
                if text is not None:
                    kept.append((_list_path(check.id, examples, inputs, profile).as_posix(), text))
    return kept


@contextlib.contextmanager
def seeded_cases() -> Iterator[Callable[[], None]]:
    """Around a run over stored cases, what the engine puts around each test it runs: 2,000
    free stack frames, and the global random states (random, numpy.random) seeded to
    Hypothesis' fixed seed at the start of each case (by calling the function this yields),
    then restored. Restored once after the run, where the engine restores them after every
    case: nothing between two cases draws from them, and saving numpy's state costs fifteen
    times what seeding it does."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        with ensure_free_stackframes():
            yield _seed_as_hypothesis
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def _seed_as_hypothesis() -> None:
    random.seed(HYPOTHESIS_SEED)
    np.random.seed(HYPOTHESIS_SEED)
