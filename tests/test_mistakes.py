"""The mistake library: every mistake loses points on its task and gets its hint."""

import pytest
from conftest import ROOT

from autograder.cli.validate import grade_mistake, mistake_problem
from autograder.course import config
from autograder.grading.mistake_registry import all_mistakes, load_mistakes

COURSE = config.load(ROOT)
load_mistakes([a.id for a in COURSE.assignments])
MISTAKES = all_mistakes()

pytestmark = pytest.mark.mistakes


def test_the_library_is_large_enough():
    by_assignment = {}
    for known in MISTAKES:
        by_assignment.setdefault(COURSE.task(known.task).assignment, []).append(known)
    assert len(by_assignment["a0_foundations"]) + len(by_assignment["a1_optimizers"]) >= 70
    assert all(len(by_assignment[a.id]) >= 15 for a in COURSE.assignments), {
        a: len(m) for a, m in by_assignment.items()
    }
    assert len({m.name for m in MISTAKES}) == len(MISTAKES)


@pytest.mark.parametrize("profile", ["full", "quick"])
@pytest.mark.parametrize("known", MISTAKES, ids=[m.name for m in MISTAKES])
def test_mistake_is_caught_with_its_hint(known, profile):
    assert mistake_problem(known, grade_mistake(COURSE, known, profile=profile)) is None
