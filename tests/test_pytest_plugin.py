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


def verdict(case) -> str | None:
    """A junit test case's failure text, "skipped: <reason>", or None when it passed."""
    if case.find("failure") is not None:
        return case.find("failure").text
    if case.find("skipped") is not None:
        return f"skipped: {case.find('skipped').get('message')}"
    return None


def items(report) -> dict[tuple[str, str], str | None]:
    """(task, check) of each item in the junit report, and its verdict."""
    return {
        (case.get("classname").split(".")[-1], case.get("name")): verdict(case)
        for case in ElementTree.parse(report).iter("testcase")
    }


def expected_items(result) -> dict[tuple[str, str], str | None]:
    """What each item should report for a grading result: a not-started check is skipped, a failed one fails."""
    return {
        (t["task"], c["name"]): None
        if c["passed"]
        else f"skipped: {c['feedback']}"
        if c["outcome"] == "not_started"
        else f"{t['task']}: {c['name']}\n{c['feedback']}"
        for t in result["tasks"]
        for c in t["checks"]
    }


def test_one_item_per_check_with_the_course_verdicts_and_feedback(course, tmp_path):
    load_mistakes(["a0_foundations"])
    mistake = next(m for m in mistakes_for("linear_backward") if m.by_output)
    write_mutant(course, mistake, tmp_path)
    ran = course_pytest("--course", *TASKS, "--course-submission", tmp_path, f"--junitxml={tmp_path / 'report.xml'}")
    assert ran.returncode == 1
    load_checks(["a0_foundations"])
    expected = grade_path(course, tmp_path, TASKS)
    assert items(tmp_path / "report.xml") == expected_items(expected)
    assert any(not c["passed"] for t in expected["tasks"] for c in t["checks"])
    assert f"Hint: {mistake.hint}" in ran.stdout


def test_tasks_not_started_are_skipped_and_a_started_wrong_task_still_fails(course, tmp_path):
    load_mistakes(["a0_foundations"])
    mistake = next(m for m in mistakes_for("linear_forward") if m.by_output)
    write_mutant(course, mistake, tmp_path)
    # linear_forward started and wrong; linear_backward back to its stub
    mutant = tmp_path / "a0_foundations" / "foundations.py"
    mutant.write_text(mutant.read_text() + "\n\ndef linear_backward(dout, cache):\n    raise NotImplementedError\n")
    ran = course_pytest("--course", *TASKS, "--course-submission", tmp_path, f"--junitxml={tmp_path / 'report.xml'}")
    assert ran.returncode == 1, ran.stdout
    load_checks(["a0_foundations"])
    expected = grade_path(course, tmp_path, TASKS)
    reported = items(tmp_path / "report.xml")
    assert reported == expected_items(expected)
    assert {v.split(":")[0] for k, v in reported.items() if k[0] == "linear_backward"} == {"skipped"}
    assert any(v and not v.startswith("skipped") for k, v in reported.items() if k[0] == "linear_forward")
    assert "skipped: not started" in "\n".join(v for v in reported.values() if v)


def test_the_stubs_are_skipped_not_failed():
    ran = course_pytest("--course", "a0_foundations", "-rs")
    assert ran.returncode == 0, ran.stdout
    assert " failed" not in ran.stdout
    assert "not started" in ran.stdout


def test_the_full_profile_and_a_correct_submission_pass(course):
    ran = course_pytest("--course", "linear_forward", "--course-full", "--course-submission", ROOT / "solutions")
    assert ran.returncode == 0, ran.stdout
    assert f"{len(checks_for('linear_forward'))} passed" in ran.stdout


def test_without_course_the_plugin_leaves_collection_alone():
    ran = course_pytest("tests/test_numeric.py", "--collect-only", "-q")
    assert ran.returncode == 0
    assert "tests/test_numeric.py::" in ran.stdout
