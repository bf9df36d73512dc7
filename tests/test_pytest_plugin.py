"""`pytest --course ...`: one pytest item per check, with the course's verdicts and feedback."""

import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest
from conftest import ROOT, grade_path

from autograder.grading.mistake_registry import load_mistakes, mistakes_for, write_mutant
from autograder.grading.registry import checks_for, load_checks

pytestmark = pytest.mark.publish
TASKS = ["linear_forward", "linear_backward"]


def course_pytest(*args):
    """pytest with the plugin, as a student runs it in the course folder."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "autograder.publishing.pytest_plugin", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def items(report) -> dict[tuple[str, str], str | None]:
    """(task, check) of each item in the junit report, and its failure text (None when it passed)."""
    return {
        (case.get("classname").split(".")[-1], case.get("name")): None
        if case.find("failure") is None
        else case.find("failure").text
        for case in ElementTree.parse(report).iter("testcase")
    }


def test_one_item_per_check_with_the_course_verdicts_and_feedback(course, tmp_path):
    load_mistakes(["a0_foundations"])
    mistake = next(m for m in mistakes_for("linear_backward") if m.by_output)
    write_mutant(course, mistake, tmp_path)
    ran = course_pytest("--course", *TASKS, "--course-submission", tmp_path, f"--junitxml={tmp_path / 'report.xml'}")
    assert ran.returncode == 1
    load_checks(["a0_foundations"])
    expected = grade_path(course, tmp_path, TASKS)
    assert items(tmp_path / "report.xml") == {
        (t["task"], c["name"]): None if c["passed"] else f"{t['task']}: {c['name']}\n{c['feedback']}"
        for t in expected["tasks"]
        for c in t["checks"]
    }
    assert any(not c["passed"] for t in expected["tasks"] for c in t["checks"])
    assert f"Hint: {mistake.hint}" in ran.stdout


def test_the_full_profile_and_a_correct_submission_pass(course):
    ran = course_pytest("--course", "linear_forward", "--course-full", "--course-submission", ROOT / "solutions")
    assert ran.returncode == 0, ran.stdout
    assert f"{len(checks_for('linear_forward'))} passed" in ran.stdout


def test_without_course_the_plugin_leaves_collection_alone():
    ran = course_pytest("tests/test_numeric.py", "--collect-only", "-q")
    assert ran.returncode == 0
    assert "tests/test_numeric.py::" in ran.stdout
