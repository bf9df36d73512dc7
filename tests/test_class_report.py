"""What the class got wrong: structured results, the gradebook's hand-ins, the class report and
the feedback pages (escaped, with safe file names, in any script)."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import sys
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest

from autograder.classgrading import class_report
from autograder.classgrading.class_analytics import analyse, failing_case, handins, hint
from autograder.classgrading.gradebook import Gradebook, export
from autograder.classgrading.html_page import POLICY
from autograder.cli.main import main
from autograder.cli.validate import grade_mistake
from autograder.grading.failure import CheckFailure, MistakeHint, hint_on_failure, mistake_of
from autograder.grading.mistake_registry import load_mistakes, mistakes_for
from autograder.grading.runner import SCHEMA_VERSION


def _check(name, outcome="passed", feedback="", *, case=None, hint=None, mistake=None):
    return {
        "name": name,
        "passed": outcome == "passed",
        "feedback": feedback,
        "outcome": outcome,
        "case": case,
        "hint": hint,
        "mistake": mistake,
    }


def _task(assignment, task, max_score, checks):
    paying = sum(c["passed"] for c in checks)
    outcomes = {c["outcome"] for c in checks}
    status = "passed" if outcomes == {"passed"} else "not_started" if outcomes == {"not_started"} else "failed"
    if "error" in outcomes:
        status = "error"
    return {
        "assignment": assignment,
        "task": task,
        "score": round(max_score * paying / len(checks), 2),
        "max_score": max_score,
        "status": status,
        "checks": checks,
    }


def result_of(*tasks) -> dict:
    """A result object (docs/results.md) made of these tasks."""
    return {
        "schema_version": SCHEMA_VERSION,
        "score": round(sum(t["score"] for t in tasks), 2),
        "max_score": round(sum(t["max_score"] for t in tasks), 2),
        "profile": "full",
        "inputs": "practice",
        "tasks": list(tasks),
        "timing": {"seconds": 1.0},
    }


ADAM_HINT = "Adam without bias correction: divide m by (1 - beta1**t)"


def class_results() -> dict[str, dict]:
    """Three students: full marks; Adam's bias correction missing (recognised) and relu wrong;
    relu not started and a call that timed out."""
    relu_ok = _task("a0_foundations", "relu_forward", 2.0, [_check("matches"), _check("is pure")])
    adam_ok = _task("a1_optimizers", "adam", 3.0, [_check("matches over 5 steps"), _check("defaults")])
    adam_wrong = _task(
        "a1_optimizers",
        "adam",
        3.0,
        [
            _check(
                "matches over 5 steps",
                "failed",
                f"w differs\nSmallest failing case: shape=(1,), seed=0\nHint: {ADAM_HINT}",
                case="shape=(1,), seed=0",
                hint=ADAM_HINT,
                mistake="adam_without_bias_correction",
            ),
            _check("defaults"),
        ],
    )
    relu_wrong = _task(
        "a0_foundations",
        "relu_forward",
        2.0,
        [
            _check("matches", "failed", "out differs\nSmallest failing case: N=2, seed=1", case="N=2, seed=1"),
            _check("is pure"),
        ],
    )
    relu_not_started = _task(
        "a0_foundations",
        "relu_forward",
        2.0,
        [_check("matches", "not_started", "not started"), _check("is pure", "not_started", "not started")],
    )
    adam_slow = _task(
        "a1_optimizers",
        "adam",
        3.0,
        [
            _check("matches over 5 steps", "error", "your adam did not finish within 10 s (the limit per call)"),
            _check("defaults"),
        ],
    )
    return {
        "ada": result_of(relu_ok, adam_ok),
        "김민수": result_of(relu_wrong, adam_wrong),
        "cleo": result_of(relu_not_started, adam_slow),
    }


def write_gradebook(path, results: dict[str, dict]) -> None:
    """A gradebook in which each student handed in once and got this result."""
    book = Gradebook(path)
    for number, (student, result) in enumerate(results.items()):
        book.record(f"k{number}", files=f"f{number}", course_version="v", profile="full", tasks=[], result=result)
        book.link(student, f"class/{student}", f"k{number}")
    book.close()


def test_a_known_mistake_is_recorded_by_its_id_beside_its_hint(course):
    load_mistakes(["a1_optimizers"])
    known = next(m for m in mistakes_for("adam") if m.name == "adam_without_bias_correction")
    task = grade_mistake(course, known, profile="quick")
    failed = [c for c in task["checks"] if not c["passed"]]
    assert failed and all(c["mistake"] == known.name and c["hint"] == known.hint for c in failed)
    assert all(c["case"] and f"Smallest failing case: {c['case']}" in c["feedback"] for c in failed)
    assert all(c["mistake"] is None and c["hint"] is None and c["case"] is None for c in task["checks"] if c["passed"])


def test_only_a_mistakes_own_hint_names_it():
    own = MistakeHint("divide by fan_in", "fan_in_only")
    assert mistake_of(own) == "fan_in_only" and own == "divide by fan_in"
    assert mistake_of(f"{own} (or fan_out)") is None and mistake_of("a diagnosis") is None and mistake_of(None) is None
    with pytest.raises(CheckFailure) as raised:
        with hint_on_failure(own):
            raise CheckFailure("differs")
    assert mistake_of(raised.value.hint) == "fan_in_only"


def _old_gradebook(path, rows):
    """A gradebook of version 0: one submissions row per (student, key)."""
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE results (key TEXT PRIMARY KEY, files TEXT NOT NULL, course_version TEXT NOT NULL,
            profile TEXT NOT NULL, tasks TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,
            result TEXT NOT NULL, graded_at TEXT NOT NULL);
        CREATE TABLE submissions (student TEXT NOT NULL, source TEXT NOT NULL,
            key TEXT NOT NULL REFERENCES results (key), recorded_at TEXT NOT NULL, PRIMARY KEY (student, key));
        CREATE TABLE problems (student TEXT NOT NULL, source TEXT NOT NULL, message TEXT NOT NULL,
            recorded_at TEXT NOT NULL);
        """
    )
    for student, key, result, at in rows:
        db.execute(
            "INSERT OR IGNORE INTO results VALUES (?, ?, 'v', 'full', 't', ?, ?, ?, ?)",
            (key, f"files-{key}", result["score"], result["max_score"], json.dumps(result), at),
        )
        db.execute("INSERT INTO submissions VALUES (?, ?, ?, ?)", (student, f"class/{student}", key, at))
    db.execute("INSERT INTO problems VALUES ('dan', 'class/dan.zip', 'not a readable zip file', '2026-01-01')")
    db.commit()
    db.close()


def test_an_old_gradebook_loads_with_every_row_and_keeps_each_handin_from_then_on(tmp_path):
    results = class_results()
    old = {k: v for k, v in results.items() if k != "cleo"}
    # ada's first hand-in was graded before version 1 (its result has no case, hint or mistake)
    first = json.loads(json.dumps(results["cleo"]))
    for task in first["tasks"]:
        for checked in task["checks"]:
            del checked["case"], checked["hint"], checked["mistake"]
    _old_gradebook(
        tmp_path / "book.sqlite",
        [("ada", "k0", first, "2026-01-01T10:00:00"), ("ada", "k1", old["ada"], "2026-01-02T10:00:00")]
        + [("김민수", "k2", old["김민수"], "2026-01-02T11:00:00")],
    )
    book = Gradebook(tmp_path / "book.sqlite")
    assert book.latest() == [("ada", old["ada"]), ("김민수", old["김민수"])]
    assert book.history()["ada"] == [("2026-01-01T10:00:00", "files-k0"), ("2026-01-02T10:00:00", "files-k1")]
    assert book.problems() == [("dan", "class/dan.zip", "not a readable zip file")]
    book.link("ada", "class/ada", "k1")  # the same batch again: not a new hand-in
    book.link("ada", "class/ada", "k0")  # back to the first files: one (the version 0 key kept only one row)
    assert [files for _, files in book.history()["ada"]] == ["files-k0", "files-k1", "files-k0"]
    assert book.latest()[0] == ("ada", first)
    book.close()
    reopened = Gradebook(tmp_path / "book.sqlite")  # version 1 now: opened as it is
    assert len(reopened.history()["ada"]) == 3
    reopened.close()


def test_the_checks_view_counts_recognised_mistakes_in_sql(tmp_path):
    write_gradebook(tmp_path / "book.sqlite", class_results())
    with sqlite3.connect(tmp_path / "book.sqlite") as db:
        counted = db.execute(
            "SELECT mistake, count(*) FROM checks JOIN latest USING (key) WHERE mistake IS NOT NULL GROUP BY mistake"
        ).fetchall()
        cases = db.execute("SELECT failing_case FROM checks WHERE outcome = 'failed' ORDER BY failing_case").fetchall()
    assert counted == [("adam_without_bias_correction", 1)]
    assert cases == [("N=2, seed=1",), ("shape=(1,), seed=0",)]


def test_handins_count_changes_of_files_not_regrades():
    assert handins([]) == 0
    assert handins([("t1", "a"), ("t2", "a"), ("t3", "b"), ("t4", "a")]) == 3


def test_grades_csv_has_a_subtotal_per_assignment(tmp_path):
    export(list(class_results().items()), tmp_path, [("dan", "unreadable")])
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8-sig") as table:
        rows = {row["student"]: row for row in csv.DictReader(table)}
    assert list(rows["ada"])[:7] == [
        "student",
        "score",
        "max_score",
        "a0_foundations",
        "a1_optimizers",
        "a0_foundations/relu_forward",
        "a1_optimizers/adam",
    ]
    assert (rows["ada"]["a0_foundations"], rows["ada"]["a1_optimizers"]) == ("2.0", "3.0")
    assert (rows["김민수"]["a0_foundations"], rows["김민수"]["a1_optimizers"]) == ("1.0", "1.5")
    assert (rows["dan"]["a0_foundations"], rows["dan"]["problem"]) == ("0.0", "unreadable")


def test_the_class_numbers():
    stats = analyse(list(class_results().items()), problems=[("dan", "class/dan.zip", "not a zip")])
    relu = next(t for t in stats.tasks if t.task == "relu_forward")
    assert (relu.graded, relu.passed, relu.not_started, relu.mean) == (3, 1, 1, 1.0)
    matches = next(c for c in stats.checks if c.name == "matches over 5 steps")
    assert (matches.graded, matches.passed, matches.wrong) == (3, 1, 2)
    assert [c.name for c in stats.failed_most(2)] == ["matches over 5 steps", "matches"]
    assert [(m.mistake, len(m.students), m.hint) for m in stats.mistakes] == [
        ("adam_without_bias_correction", 1, ADAM_HINT)
    ]
    a0 = next(a for a in stats.assignments if a.assignment == "a0_foundations")
    assert (a0.scores, a0.mean, a0.median) == ([2.0, 1.0, 0.0], 1.0, 1.0)
    problems = {s.name: (s.problems, s.timed_out) for s in stats.with_problems}
    assert problems == {"cleo": ([], ["adam: matches over 5 steps"]), "dan": (["not a zip"], [])}


def test_a_result_from_before_version_2_gives_its_case_and_hint_from_its_feedback():
    feedback = "differs\nSmallest failing case: N=1\nHint: transpose W"
    old = {"name": "matches", "passed": False, "outcome": "failed", "feedback": feedback}
    assert (failing_case(old), hint(old)) == ("N=1", "transpose W")
    assert (failing_case({**old, "case": None, "hint": None})) is None


class Elements(HTMLParser):
    """Every element and attribute of a page."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


HOSTILE = [
    "<script>alert(1)</script>",
    "../x",
    "..",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil.example","click")',
    "김민수",
    "a/b\\c?d#e%20f",
]


def test_pages_are_safe_with_hostile_names_and_feedback(tmp_path):
    evil = "<script>alert('feedback')</script>\n</pre><img src=x onerror=alert(2)>"
    relu = _task(
        "a0_foundations",
        "relu_forward",
        2.0,
        [_check("matches", "failed", evil, case=evil, hint=evil, mistake="<b>x</b>")],
    )
    book = Gradebook(tmp_path / "book.sqlite")
    for number, name in enumerate(HOSTILE):
        book.record(
            f"k{number}", files=f"f{number}", course_version="v", profile="full", tasks=[], result=result_of(relu)
        )
        book.link(name, f"class/{number}", f"k{number}")
    book.problem("<svg onload=alert(3)>", "class/x.zip", "<script>bad zip</script>")
    written = class_report.build(book, tmp_path / "report")
    book.close()
    assert len(written) == len(HOSTILE) + 2
    assert {p.parent for p in written[1:]} == {(tmp_path / "report" / "students")}  # nothing outside the folder
    pages = [p.read_text(encoding="utf-8") for p in written]
    for page in pages:
        parsed = Elements()
        parsed.feed(page)
        assert not {"script", "img", "iframe", "object", "embed"} & set(parsed.tags)
        assert not [name for name, _ in parsed.attributes if name.startswith("on")]
        assert '<meta charset="utf-8">' in page and "Noto Sans KR" in page
        assert ("content", POLICY) in parsed.attributes  # no script runs and nothing is fetched
    index = Elements()
    index.feed(pages[0])
    shown = "".join(index.text)
    assert all(name in shown for name in HOSTILE)  # every name shown as the text it is
    feedback = Elements()
    feedback.feed(pages[1])
    assert evil in "".join(feedback.text) and "<script>alert(1)</script>" in "".join(feedback.text)
    hrefs = [value for name, value in index.attributes if name == "href"]
    assert all(not value.startswith(("/", "..")) and "#" not in value and "?" not in value for value in hrefs)
    targets = {(tmp_path / "report" / unquote(h)).resolve() for h in hrefs}
    assert targets == {p.resolve() for p in written[1:]}  # every link leads to its page


def test_course_report_writes_the_report_and_a_page_per_student(tmp_path, capsys):
    write_gradebook(tmp_path / "book.sqlite", class_results())
    assert main(["report", str(tmp_path / "book.sqlite"), "--out", str(tmp_path / "out")]) == 0
    pages = sorted(p.name for p in (tmp_path / "out" / "students").iterdir())
    assert pages == sorted(["ada.html", "cleo.html", "김민수.html"])
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "adam_without_bias_correction" in index and index.count("<svg") == 4  # 2 histograms, 2 pass rates
    assert not re.findall(r"(?:href|src)=\"[a-z]+:|url\((?!#)|@import", index)  # nothing to fetch
    assert main(["report", str(tmp_path / "missing.sqlite"), "--out", str(tmp_path / "x")]) == 2
    assert "no such gradebook" in capsys.readouterr().err


def test_the_report_counts_hand_ins_and_shows_the_latest(tmp_path):
    results = class_results()
    book = Gradebook(tmp_path / "book.sqlite")
    for key, student, result in [("k0", "ada", results["cleo"]), ("k1", "ada", results["ada"]), ("k1", "ada", None)]:
        if result is not None:
            book.record(key, files=key, course_version="v", profile="full", tasks=[], result=result)
        book.link(student, "class/ada", key)  # the last: the same batch again
    written = class_report.build(book, tmp_path / "report")
    book.close()
    index, page = Elements(), Elements()
    index.feed(written[0].read_text(encoding="utf-8"))
    page.feed(written[1].read_text(encoding="utf-8"))
    assert "ada 5/5 2 3 2" in " ".join(" ".join(index.text).split())  # total, subtotals, two hand-ins
    assert "Graded hand-ins: 2" in "".join(page.text) and "total 5/5" in "".join(page.text)


def test_without_matplotlib_the_report_says_what_to_install(tmp_path, capsys, monkeypatch):
    write_gradebook(tmp_path / "book.sqlite", class_results())
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    assert main(["report", str(tmp_path / "book.sqlite"), "--out", str(tmp_path / "out")]) == 2
    assert "pip install -e '.[report]'" in capsys.readouterr().err
