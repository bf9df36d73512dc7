"""The mistake library: every mistake loses points on its task and gets its hint."""
import pytest

from autograder import config
from autograder.mistakes import all_mistakes, load_mistakes
from autograder.validate import grade_mistake, mistake_problem

from conftest import ROOT

COURSE = config.load(ROOT)
load_mistakes([a.id for a in COURSE.assignments])
MISTAKES = all_mistakes()

pytestmark = pytest.mark.mistakes


def test_the_library_is_large_enough():
    by_assignment = {}
    for known in MISTAKES:
        by_assignment.setdefault(COURSE.task(known.task).assignment, []).append(known)
    assert len(by_assignment["a0_foundations"]) + len(by_assignment["a1_optimizers"]) >= 20
    assert len({m.name for m in MISTAKES}) == len(MISTAKES)


@pytest.mark.parametrize("profile", ["full", "quick"])
@pytest.mark.parametrize("known", MISTAKES, ids=[m.name for m in MISTAKES])
def test_mistake_is_caught_with_its_hint(known, profile):
    assert mistake_problem(known, grade_mistake(COURSE, known, profile=profile)) is None
