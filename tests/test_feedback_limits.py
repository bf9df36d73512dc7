"""Student-controlled text is bounded and escaped in every output: escape codes in an error
message cannot redraw the terminal table, and a huge returned value costs a few hundred
characters in feedback, the --out JSON, the gradebook and the exports (docs/results.md)."""

from __future__ import annotations

import json
import re
import sqlite3
import tracemalloc

import numpy as np
import pytest
from conftest import course_command

from autograder.grading import report, sanitize
from autograder.grading.numeric import fmt, rep
from autograder.publishing import gradescope

# C0 controls but newline and tab, DEL, C1 controls, bidi embeddings, overrides and isolates
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ESCAPES = (
    "\x1b[2J\x1b[H\x1b]0;all tests passed\x07a0_foundations  relu_forward  1/1  ok\r\ntotal 1/1"
    "\x1b[8m\u202e\u2066\x9b2J\b\b\x7f\x00"
)
HUGE = 8 * 2**20  # characters of the string returned where an array belongs

ESCAPE_SUBMISSION = f"""
def relu_forward(x):
    raise ValueError({ESCAPES!r})
"""
FLOOD_SUBMISSION = f"""
def sigmoid_forward(x):
    return "x" * {HUGE}, None
"""


def test_escape_sequences_become_visible_text_and_newlines_and_tabs_stay():
    shown = sanitize.text("line one\n\ttab\x1b[31mred\x1b]0;title\x07\r\b\x9b\u202eevil\u2069\udcff")
    assert shown == ("line one\n\ttab\\x1b[31mred\\x1b]0;title\\x07\\x0d\\x08\\x9b\\u202eevil\\u2069\\udcff")
    assert sanitize.line("a\nb\tc") == "a\\x0ab\\x09c"
    assert sanitize.text("김민수 ok: ünïcode") == "김민수 ok: ünïcode"


@pytest.mark.parametrize("size", [10, 4_999, 5_000, 5_001, HUGE])
def test_text_is_cut_to_its_limit_and_says_so(size):
    shown = sanitize.text("\x1b" * size)
    assert len(shown) <= sanitize.FEEDBACK_LIMIT and not CONTROL.search(shown)
    assert ("cut to" in shown) == (4 * size > sanitize.FEEDBACK_LIMIT)


def test_a_huge_value_is_cut_before_it_is_formatted():
    value = "x" * HUGE
    tracemalloc.start()
    try:
        shown = fmt(value)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(shown) <= sanitize.VALUE_LIMIT and shown.endswith(f"... [{HUGE} characters]")
    assert peak < HUGE // 16  # the repr of the whole string (8 MiB and more) was never built
    for huge in (
        ["y" * 10_000] * 10_000,
        {"k" * HUGE: 1},
        (list(range(10**6)),),
        np.array(["z" * 10**6] * 3),
        np.arange(10**6.0),
        [np.zeros(10**5)] * 100,
        "\x1b[2J" * 10**5,
    ):
        for formatted in (fmt(huge), rep(huge)):
            assert len(formatted) <= sanitize.VALUE_LIMIT and not CONTROL.search(formatted)


def test_small_values_keep_their_usual_repr():
    assert rep([1.5, (2,), {"a": None}, "s"]) == repr([1.5, (2,), {"a": None}, "s"])
    assert rep(np.float64(0.1)) == repr(np.float64(0.1)) and fmt(np.array([1.0, 2.0])) == "[1., 2.]"


def test_escape_codes_in_an_error_cannot_redraw_the_terminal(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s/foundations.py").write_text(ESCAPE_SUBMISSION)
    ran = course_command("grade", tmp_path / "s", "--only", "relu_forward", "--quick")
    assert ran.returncode == 0, ran.stderr
    assert not CONTROL.search(ran.stdout) and not CONTROL.search(ran.stderr)
    assert re.search(r"relu_forward +0/1 +ERROR\n", ran.stdout) and "\ntotal 0/1\n" in ran.stdout
    assert "total 1/1\\x1b[8m\\u202e\\u2066\\x9b2J\\x08\\x08\\x7f\\x00" in ran.stdout  # visible, not run


def test_escape_codes_are_escaped_in_every_rendering_of_a_stored_result():
    """Results read back from a gradebook or a file go through the renderers again."""
    result = {
        "score": 0.0,
        "max_score": 1.0,
        "profile": "quick",
        "timing": {"seconds": 0.1},
        "tasks": [
            {
                "assignment": "a0_foundations",
                "task": "relu_forward",
                "score": 0.0,
                "max_score": 1.0,
                "status": "error",
                "checks": [
                    {"name": "matches the reference", "passed": False, "outcome": "error", "feedback": ESCAPES * 1_000}
                ],
            }
        ],
    }
    for fmt_name, text in (
        ("table", report.render(result, "table")),
        ("json", report.render(result, "json")),
        ("gradescope", json.dumps(gradescope.results_json(result))),
    ):
        assert not CONTROL.search(text) and len(text) < sanitize.FEEDBACK_LIMIT * 2, fmt_name
    loaded = json.loads(report.to_json(result))["tasks"][0]["checks"][0]["feedback"]
    assert loaded.startswith("\\x1b[2J\\x1b[H") and not CONTROL.search(loaded)


def test_a_flood_of_feedback_stays_small_in_out_gradebook_and_exports(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s/foundations.py").write_text(FLOOD_SUBMISSION)
    out, book, exported = tmp_path / "out.json", tmp_path / "book.sqlite", tmp_path / "export"
    ran = course_command(
        "grade",
        tmp_path / "s",
        "--only",
        "sigmoid_forward",
        "--quick",
        "--format",
        "json",
        "--out",
        out,
        "--gradebook",
        book,
        "--export",
        exported,
    )
    assert ran.returncode == 0, ran.stderr
    result = json.loads(out.read_text())
    task = result["tasks"][0]
    assert task["score"] < task["max_score"]  # a string is not an array: the checks that read it fail
    feedback = [c["feedback"] for c in task["checks"] if not c["passed"]]
    assert feedback and all(len(f) <= sanitize.FEEDBACK_LIMIT for f in feedback)
    assert all("got str 'xxx" in f and f"... [{HUGE} characters]" in f for f in feedback)
    assert out.stat().st_size < 20_000  # was 16.8 MB: two failing checks, the string twice each
    with sqlite3.connect(book) as db:
        stored = db.execute("SELECT result FROM results").fetchone()[0]
    assert len(stored) < 20_000 and json.loads(stored)["tasks"] == result["tasks"]
    files = [p for p in exported.rglob("*") if p.is_file()]
    assert len(files) == 3 and all(p.stat().st_size < 20_000 for p in files)
