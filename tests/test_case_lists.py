"""Checks run over their stored cases (grading/case_lists.py): the stored list is what the engine
feeds a passing body, a grading with and without the lists gives the same scores and words,
and official lists are kept apart by the secret without revealing it."""

from __future__ import annotations

import dataclasses
import json
import random

import numpy as np
import pytest
from conftest import ROOT, grade_path
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.execution.in_process import InProcessSubmission
from autograder.grading import case_lists, registry
from autograder.grading.determinism import PRACTICE, Inputs
from autograder.grading.runner import grade, grade_folder

TASKS = ["sigmoid_forward", "linear_backward", "softmax", "adam", "zeros", "kaiming_std"]


def _without_timing(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "timing"}


def test_the_stored_cases_are_those_the_engine_feeds_a_passing_check(course, monkeypatch):
    tasks = course.select(TASKS)
    registry.load_checks(list(dict.fromkeys(t.assignment for t in tasks)))
    fed: dict[str, list[str]] = {}

    def recording(check):
        def body(ctx, case):
            fed.setdefault(check.id, []).append(json.dumps(case, default=repr))
            check.body(ctx, case)

        return dataclasses.replace(check, body=body)

    for task in tasks:
        monkeypatch.setitem(registry.REGISTRY, task.name, [recording(c) for c in registry.checks_for(task.name)])
    monkeypatch.setenv("COURSE_CASE_LISTS", "off")
    assert grade_path(course, ROOT / "solutions", TASKS)["score"] == sum(t.points for t in tasks)
    compared = 0
    for task in tasks:
        for check in registry.checks_for(task.name):
            if check.cases is None:
                continue
            stored = case_lists.drawn_cases(ROOT, check, course.max_examples(task, "quick"), PRACTICE, "quick")
            assert stored is not None, check.id
            assert [json.dumps(case, default=repr) for case in stored] == fed[check.id], check.id
            compared += 1
    assert compared >= 10


@pytest.mark.parametrize(
    "submission, inputs",
    [
        ("examples/class/cleo", PRACTICE),
        ("examples/class/dev", PRACTICE),
        ("assignments", PRACTICE),
        ("examples/class/cleo", Inputs(b"an offering's secret, for official inputs")),
    ],
)
def test_grading_with_and_without_stored_cases_gives_the_same_scores_and_words(course, submission, inputs, monkeypatch):
    names = ["a0_foundations", "a1_optimizers"]
    stored = grade_folder(course, ROOT / submission, names, profile="quick", inputs=inputs)
    monkeypatch.setenv("COURSE_CASE_LISTS", "off")
    engine = grade_folder(course, ROOT / submission, names, profile="quick", inputs=inputs)
    assert any(not t["score"] for t in engine["tasks"])  # failures to shrink, and their words
    assert _without_timing(stored) == _without_timing(engine)


def _draw_from_global_states(seen: list):
    """A body that records what the global random states give, then draws more (as student
    code might), so a case that is not seeded afresh would see different numbers."""

    def body(_case):
        seen.append((np.random.rand(), random.random()))
        np.random.rand(7)
        random.random()

    return body


def test_each_stored_case_sees_the_global_random_states_the_engine_gives_each_example():
    under_engine: list = []
    settings(max_examples=5, database=None, derandomize=True)(
        given(st.integers())(_draw_from_global_states(under_engine))
    )()
    np.random.seed(12)
    random.seed(12)
    before = (np.random.get_state()[1].copy(), random.getstate())
    stored: list = []
    body = _draw_from_global_states(stored)
    with case_lists.seeded_cases() as seed:
        for case in range(5):
            seed()
            body(case)
    assert stored == under_engine[:5] and len(set(stored)) == 1
    assert (np.random.get_state()[1] == before[0]).all() and random.getstate() == before[1]  # restored after


def test_a_failing_check_calls_the_students_code_as_often_as_the_engine_alone(course, monkeypatch):
    tasks = course.select(["a0_foundations"])

    def calls_made() -> tuple[dict, int]:
        submission = InProcessSubmission(course, ROOT / "examples" / "class" / "cleo")
        made = []
        original = submission.call
        submission.call = lambda task, *rest, **named: made.append(task) or original(task, *rest, **named)
        try:
            result = grade(course, submission, tasks, profile="quick")
        finally:
            submission.close()
        return _without_timing(result), len(made)

    stored = calls_made()
    monkeypatch.setenv("COURSE_CASE_LISTS", "off")
    engine = calls_made()
    assert stored == engine and stored[0]["score"] < stored[0]["max_score"]


def test_official_lists_are_named_by_the_secret_without_holding_it(course, tmp_path):
    registry.load_checks(["a0_foundations"])
    check = next(c for c in registry.checks_for("softmax") if c.cases is not None)
    secret = b"an offering's secret of some length"
    first, second = Inputs(secret), Inputs(b"another offering's secret, also long")
    keys = {case_lists.list_key(check.id, 8, inputs, "quick") for inputs in (PRACTICE, first, second)}
    assert len(keys) == 3  # a new secret draws new lists
    official = case_lists.drawn_cases(tmp_path, check, 8, first, "quick")
    assert official != case_lists.drawn_cases(tmp_path, check, 8, PRACTICE, "quick")
    [kept] = [
        p
        for p in (tmp_path / case_lists.CACHE_FOLDER).rglob("*.json")
        if p.stem == case_lists.list_key(check.id, 8, first, "quick")
    ]
    assert secret not in kept.read_bytes() and secret.hex().encode() not in kept.read_bytes()
    assert case_lists.drawn_cases(tmp_path, check, 8, first, "quick") == official


def test_lists_taken_along_in_a_staff_bundle_are_read_not_drawn(course, tmp_path, monkeypatch):
    registry.load_checks(["a0_foundations"])
    inputs = Inputs(b"the secret of an offering graded elsewhere")
    kept = case_lists.draw_all(course, course.select(["softmax"]), "quick", inputs)
    assert kept and all(name.startswith(".course-cache/cases/") for name, _ in kept)
    for name, text in kept:  # the bundle's course tree, unpacked on another machine
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(case_lists, "_memory", {})
    monkeypatch.setattr(case_lists, "_draw", lambda *args: pytest.fail("drawn again"))
    check = next(c for c in registry.checks_for("softmax") if c.cases is not None)
    assert case_lists.drawn_cases(tmp_path, check, 8, inputs, "quick")
