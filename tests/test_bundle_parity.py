"""The student bundle grades as the full course does: every known mistake of the library, and the
commonest wrong outputs of every forward (too large, too small, transposed, a list, a Python
float, the other dtype), get the same scores and the same feedback, words and failing cases, in
the bundle (recorded reference, no solutions/) as in the full course.

The bundle is the one `course release --bundle student` builds (once per session); both gradings
run in this process, the bundle's through its recording, with the quick profile of self-checks.
"""

import pytest
from conftest import ROOT

from autograder.course import config
from autograder.grading.mistake_registry import all_mistakes, load_mistakes, write_mutant
from autograder.grading.runner import grade_folder
from autograder.publishing.wrong_outputs import wrong_outputs

pytestmark = pytest.mark.publish

ASSIGNMENTS = [a.id for a in config.load(ROOT).assignments]


def failing_submissions(course, assignment_id):
    """The known mistakes of an assignment's tasks and the wrong outputs of its forwards."""
    load_mistakes([assignment_id])
    tasks = [t.name for t in course.assignment(assignment_id).tasks]
    return [m for m in all_mistakes() if m.task in tasks] + [w for task in tasks for w in wrong_outputs(task)]


def shown(task_result) -> tuple:
    """What a student sees of a task: score, status, and each check's verdict and feedback."""
    return (
        task_result["score"],
        task_result["status"],
        [(c["name"], c["passed"], c.get("outcome"), c["feedback"]) for c in task_result["checks"]],
    )


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_mistake_and_wrong_output_gets_the_full_course_s_verdict_in_the_bundle(
    course, student_bundle, assignment_id, tmp_path
):
    bundle = config.load(student_bundle)
    differences, passing = [], []
    for failing in failing_submissions(course, assignment_id):
        folder = tmp_path / failing.name
        write_mutant(course, failing, folder)
        here = grade_folder(course, folder, [failing.task], profile="quick")["tasks"][0]
        there = grade_folder(bundle, folder, [failing.task], profile="quick")["tasks"][0]
        if shown(here) != shown(there):
            differences.append((failing.name, shown(here), shown(there)))
        if here["score"] >= here["max_score"] and failing in wrong_outputs(failing.task):
            passing.append(failing.name)
    assert differences == []
    # every wrong output loses points (a transposed output may be right: a 1-D one is its own transpose)
    assert [name for name in passing if not name.endswith("_output_transposed")] == []


def test_the_wrong_outputs_cover_every_forward(course):
    forwards = [t.name for t in course.tasks if t.name.endswith("_forward")]
    assert len(forwards) >= 15
    assert all(len(wrong_outputs(task)) == 6 for task in forwards)
    assert wrong_outputs("linear_backward") == []
