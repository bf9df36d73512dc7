"""course release: stubs from solutions, and --check catching drift."""

import subprocess
import sys

import pytest

from autograder.publishing.release import ReleaseError, differences, release, strip_solutions


def test_solution_blocks_become_stubs():
    source = 'def f(x):\n    """Doc."""\n    # BEGIN SOLUTION\n    return x + 1\n    # END SOLUTION\n'
    assert strip_solutions(source) == 'def f(x):\n    """Doc."""\n    raise NotImplementedError  # your code here\n'


@pytest.mark.parametrize(
    "source, words",
    [
        ("# BEGIN SOLUTION\nx = 1\n", "never closed"),
        ("x = 1\n# END SOLUTION\n", "without a"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "inside the block"),
    ],
)
def test_unpaired_markers_are_errors(source, words):
    with pytest.raises(ReleaseError, match=words):
        strip_solutions(source)


def test_committed_assignments_match_solutions(course):
    assert differences(course.root) == []


def test_stubs_keep_no_solution_code(course):
    for path in (course.root / "assignments").rglob("*.py"):
        assert "BEGIN SOLUTION" not in path.read_text()


def test_check_names_a_drifted_file_and_release_repairs_it(course_copy):
    stub = course_copy / "assignments" / "a1_optimizers" / "optimizers.py"
    stub.write_text(stub.read_text() + "\n# edited by hand\n")
    (course_copy / "assignments" / "stray.py").write_text("")
    run = subprocess.run(
        [sys.executable, "-m", "autograder", "--course", str(course_copy), "release", "--check"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert "assignments/a1_optimizers/optimizers.py: differs" in run.stdout
    assert "assignments/stray.py: not made from solutions/" in run.stdout
    release(course_copy)
    assert differences(course_copy) == []
