"""The command line's help with names: the nearest names for a mistyped one, an assignment by its
number alone, `course list` columns as wide as their names, the way out when run outside a
course, and a batch's progress before the first submission is done."""

import io

import pytest

from autograder.classgrading.batch import Progress
from autograder.cli.main import main
from autograder.course import config
from autograder.course.config import ConfigError
from autograder.publishing.bundle import BundleError, chosen_assignments


@pytest.mark.parametrize(
    ("name", "guess"),
    [
        ("sigmoid_fwd", "did you mean sigmoid_forward or sigmoid_backward?"),
        ("adma", "did you mean adam or adamw?"),
        ("Adma", "did you mean Adam or AdamW?"),
        ("a0_foundation", "did you mean a0_foundations?"),
    ],
)
def test_a_mistyped_name_gets_the_nearest_ones(course, name, guess):
    with pytest.raises(ConfigError, match=f"unknown assignment or task '{name}'; {guess}"):
        course.select([name])


def test_a_name_like_none_gets_no_guess(course):
    with pytest.raises(ConfigError) as raised:
        course.select(["zzz"])
    assert "did you mean" not in str(raised.value)


def test_an_assignment_is_named_by_its_number_alone(course):
    assert course.select(["a0"]) == course.select(["a0_foundations"])
    assert chosen_assignments(course, ["a6", "a0"]) == ["a0_foundations", "a6_framework"]
    with pytest.raises(BundleError, match="unknown assignment 'a0_foundation'; did you mean a0_foundations"):
        chosen_assignments(course, ["a0_foundation"])


def test_course_list_keeps_its_columns_for_long_names(course_copy, capsys):
    manifest = course_copy / "course.yml"
    long_name = "sigmoid_forward_with_a_name_longer_than_any_column"
    manifest.write_text(manifest.read_text().replace("sigmoid_forward:", f"{long_name}:", 1))
    assert main(["--course", str(course_copy), "list"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    course = config.load(course_copy)
    assert len(rows) == len(course.tasks) and rows[1].split()[0] == long_name
    # every row's file and points start in the same columns, the long name's row too
    file_columns = {row.index(f"  {task.file}") for row, task in zip(rows, course.tasks)}
    points_columns = {len(row) - len(row.split()[-1]) for row in rows}
    assert len(file_columns) == 1 and len(points_columns) == 1


def test_outside_a_course_the_error_names_the_course_option(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["list"]) == 2
    error = capsys.readouterr().err
    assert "no course.yml in" in error and "--course DIR" in error


def test_a_batch_shows_its_progress_before_the_first_submission_is_done():
    stream = io.StringIO()
    progress = Progress(3, stream=stream)
    progress.begin(jobs=8)
    assert stream.getvalue() == "[0/3] grading 3 submissions, 3 at a time\n"
    progress.step("ada", "40/40")
    assert stream.getvalue().splitlines()[-1] == "[1/3] ada: 40/40"
