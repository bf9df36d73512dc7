"""Feedback in Korean: one message catalog for everything the grader writes, a Korean entry for
each message with the English one's placeholders, the language chosen by --lang, the
environment or course.yml, and a terminal table that stays aligned for Korean text."""

from __future__ import annotations

import ast
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata

import pytest
from conftest import ROOT

from autograder.cli.main import main
from autograder.course import config
from autograder.course.config import ConfigError
from autograder.grading import report
from autograder.grading.mistake_registry import all_mistakes, load_mistakes, mistakes_for, write_mutant
from autograder.grading.registry import checks_for, load_checks
from autograder.publishing import gradescope, notebook_api
from autograder.runtime import language
from autograder.runtime.language import Message, _, translate
from tools import catalog

HANGUL = re.compile(r"[\uac00-\ud7a3]")
NO_PREFERENCE = {name: "" for name in language.ENVIRONMENT}


@pytest.fixture(autouse=True)
def english_afterwards(monkeypatch):
    """Each test starts and ends in English, whatever the machine's locale."""
    for name in language.ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    language.use("en")
    yield
    language.use("en")


@pytest.fixture(scope="module")
def template():
    return catalog.extract()


# ---- the catalog --------------------------------------------------------------------------------


def test_every_message_has_its_korean_entry_with_the_same_placeholders(template):
    assert len(template) > 100  # the grader's messages were found, not an empty extraction
    assert catalog.problems("ko", template) == []


def test_every_registered_hint_and_check_name_is_a_message_of_the_catalog(course):
    """A hint or a check name that is not marked (a plain string, an f-string) is never
    extracted, so the test above cannot miss its translation: this one finds it."""
    ids = {message.id for message in catalog.read("ko") if message.id}
    assignments = [a.id for a in course.assignments]
    load_checks(assignments)
    load_mistakes(assignments)
    texts = [(f"mistake {m.name}", m.hint) for m in all_mistakes()]
    texts += [(f"check {c.id}", c.name) for task in course.tasks for c in checks_for(task.name)]
    assert [where for where, text in texts if getattr(text, "template", text) not in ids] == []


def test_a_message_without_its_korean_entry_is_named(template):
    doctored = catalog.read("ko")
    doctored.delete("Hint: {hint}")
    found = catalog.problems("ko", template, doctored)
    assert "ko: no translation of 'Hint: {hint}'" in found
    assert any("is not course.po compiled" in problem for problem in found)  # the .mo still has it


def test_a_changed_english_message_needs_its_translation_again(template):
    changed = copy.deepcopy(template)
    changed.add("Hint, rewritten: {hint}")
    assert catalog.problems("ko", changed) == ["ko: no translation of 'Hint, rewritten: {hint}'"]


@pytest.mark.parametrize(
    "message, translation",
    [("Hint: {hint}", "힌트: {hnit}"), ("Failing case: {case}", "실패하는 경우"), ("none", "%s 없음")],
)
def test_a_translation_whose_placeholders_differ_is_named(template, message, translation):
    doctored = catalog.read("ko")
    doctored[message].string = translation
    found = catalog.problems("ko", template, doctored)
    assert any(problem.startswith(f"ko: the placeholders of {message!r}") for problem in found)


def test_placeholders_are_format_fields_and_printf_conversions():
    assert catalog.placeholders("{name}: shape {got}, {{literal}} %s and %(count)d") == [
        "%(count)d",
        "%s",
        "got",
        "name",
    ]


def test_the_committed_mo_is_what_the_grader_reads():
    language.use("ko")
    assert translate("Hint: {hint}") == "힌트: {hint}"
    assert language._("not a message of the catalog") == "not a message of the catalog"
    assert language._("") == ""  # not the catalog's header


def test_a_message_formatted_at_import_time_is_translated_from_its_template():
    shown = Message("your {function} raised an error", function="adam")
    assert shown == "your adam raised an error"  # English: the text as it always was
    language.use("ko")
    assert translate(shown) == "여러분의 adam에서 오류가 났습니다"


# ---- choosing the language -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "environ, chosen",
    [
        ({}, None),
        ({"LANG": "ko_KR.UTF-8"}, "ko"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, None),
        ({"LANG": "fr_FR.UTF-8"}, None),
        ({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}, None),  # the first locale variable set decides
        ({"LC_MESSAGES": "ko_KR", "LANG": "en_US.UTF-8"}, "ko"),
        ({"LANGUAGE": "fr:ko:en", "LANG": "en_US.UTF-8"}, "ko"),  # LANGUAGE lists preferences
        ({"LANGUAGE": "fr", "LANG": "ko_KR.UTF-8"}, "ko"),
    ],
)
def test_the_environment_is_read_as_gettext_reads_it(environ, chosen):
    assert language.from_environment(environ) == chosen


def test_the_flag_wins_then_the_environment_then_course_yml():
    korean = {"LANG": "ko_KR.UTF-8"}
    assert language.choose("en", "ko", korean) == "en"
    assert language.choose(None, "en", korean) == "ko"
    assert language.choose(None, "ko", {"LANG": "C.UTF-8"}) == "ko"
    assert language.choose(None, None, {}) == "en"


@pytest.fixture
def course_copy(tmp_path):
    """A course folder whose course.yml a test may change (solutions shared with the course)."""
    shutil.copy(ROOT / config.MANIFEST, tmp_path / config.MANIFEST)
    (tmp_path / "solutions").symlink_to(ROOT / "solutions")
    return tmp_path


def set_language(course_root, value) -> None:
    path = course_root / config.MANIFEST
    path.write_text(
        re.sub(r"(?m)^  language: \w+$", f"  language: {value}", path.read_text(encoding="utf-8")), encoding="utf-8"
    )


def test_course_yml_names_the_default_language(course_copy):
    assert config.load(ROOT).language == "en"
    set_language(course_copy, "ko")
    assert config.load(course_copy).language == "ko"
    set_language(course_copy, "fr")
    with pytest.raises(ConfigError, match="grading.language must be one of en, ko"):
        config.load(course_copy)


# ---- Korean feedback --------------------------------------------------------------------------


def wrong_submission(course, folder):
    """assignments/ holding the reference with a known mistake of linear_backward in it."""
    load_mistakes(["a0_foundations"])
    mistake = next(m for m in mistakes_for("linear_backward") if m.by_output)
    write_mutant(course, mistake, folder)
    return mistake


def test_course_check_in_korean_shows_korean_feedback_and_hint(course, course_copy, capsys):
    mistake = wrong_submission(course, course_copy / "assignments")
    assert main(["--course", str(course_copy), "check", "linear_backward", "--lang", "ko"]) == 1
    korean = capsys.readouterr().out
    language.use("ko")
    assert korean.splitlines()[0].split() == ["과제", "과제", "항목", "점수", "상태"]
    assert "실패" in korean and "합계" in korean
    assert f"힌트: {translate(mistake.hint)}" in korean
    assert HANGUL.search(translate(mistake.hint)), "the hint has its Korean entry"
    assert "Hint:" not in korean and mistake.hint not in korean


def test_the_default_stays_english(course, course_copy, capsys):
    mistake = wrong_submission(course, course_copy / "assignments")
    assert main(["--course", str(course_copy), "check", "linear_backward"]) == 1
    english = capsys.readouterr().out
    assert english.splitlines()[0].split() == ["assignment", "task", "points", "status"]
    assert f"Hint: {mistake.hint}" in english
    assert not HANGUL.search(english)


def test_every_command_writes_its_lines_and_errors_in_the_chosen_language(course_copy, capsys, monkeypatch):
    """Not check and grade only: list, an unknown name's error, and the error of a folder with no
    course.yml follow the environment, then course.yml, as the feedback does."""
    assert main(["--course", str(course_copy), "list"]) == 0
    assert "points)" in capsys.readouterr().out
    monkeypatch.setenv("LANGUAGE", "ko")
    assert main(["--course", str(course_copy), "list"]) == 0
    assert "점)" in capsys.readouterr().out
    assert main(["--course", str(course_copy), "check", "sigmoid_fwd"]) == 2
    assert "sigmoid_forward 또는 sigmoid_backward을(를) 뜻했나요?" in capsys.readouterr().err
    assert main(["--course", str(course_copy / "solutions"), "list"]) == 2
    assert "course.yml이(가) 없습니다" in capsys.readouterr().err
    monkeypatch.delenv("LANGUAGE")
    set_language(course_copy, "ko")
    assert main(["--course", str(course_copy), "release", "--check"]) == 1  # the copy has no assignments/
    assert "assignments/가 최신이 아닙니다" in capsys.readouterr().err


def test_the_environment_and_course_yml_choose_korean(course, course_copy, capsys, monkeypatch):
    wrong_submission(course, course_copy / "assignments")
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    main(["--course", str(course_copy), "check", "linear_backward"])
    assert "힌트:" in capsys.readouterr().out
    monkeypatch.setenv("LANG", "C.UTF-8")
    set_language(course_copy, "ko")
    main(["--course", str(course_copy), "check", "linear_backward"])
    assert "힌트:" in capsys.readouterr().out
    main(["--course", str(course_copy), "check", "linear_backward", "--lang", "en"])
    assert "Hint:" in capsys.readouterr().out


@pytest.mark.slow
def test_the_sandboxed_worker_writes_in_korean(course, tmp_path, capsys):
    """A file that fails to import, graded in a worker: the worker's own words (its traceback
    header) come from the catalog too."""
    folder = tmp_path / "a0_foundations"
    folder.mkdir()
    (folder / "foundations.py").write_text("import numpy as np\n\nraise RuntimeError('boom')\n", encoding="utf-8")
    code = main(["--course", str(ROOT), "grade", str(tmp_path), "--only", "sigmoid_forward", "--lang", "ko", "--quick"])
    out = capsys.readouterr().out
    assert code == 0
    assert "import 실패: a0_foundations/foundations.py을(를) 불러올 수 없어서" in out
    assert "Traceback (여러분의 코드만):" in out
    assert "RuntimeError: boom" in out


def test_gradescope_results_follow_the_language(course):
    result = gradescope.failed_result(course, ["a0_foundations"], "why")
    language.use("ko")
    korean = gradescope.results_json(gradescope.failed_result(course, ["a0_foundations"], "why"))
    assert korean["output"].startswith("합계 0/")
    assert korean["tests"][0]["output"] == "실패 채점\nwhy"
    language.use("en")
    assert gradescope.results_json(result)["tests"][0]["output"] == "FAIL grading\nwhy"


def test_a_notebook_cell_checks_in_the_language_asked_for(tmp_path, capsys):
    shutil.copy(ROOT / "assignments" / "a0_foundations" / "foundations.py", tmp_path / "foundations.py")
    notebook_api.check("sigmoid_forward", folder=tmp_path, lang="ko")
    assert "시작 전" in capsys.readouterr().out
    notebook_api.check("sigmoid_forward", folder=tmp_path, lang="en")
    assert "not started" in capsys.readouterr().out


def test_json_results_hold_the_feedback_in_its_language(course, course_copy, capsys):
    wrong_submission(course, course_copy / "assignments")
    main(["--course", str(course_copy), "check", "linear_backward", "--lang", "ko", "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    checks = result["tasks"][0]["checks"]
    assert all(HANGUL.search(c["name"]) for c in checks)
    assert any(c["feedback"].count("힌트:") == 1 for c in checks)


# ---- Korean text lines up ---------------------------------------------------------------------


def columns_of(line: str) -> list[int]:
    """The terminal column at which each cell of a table line starts (cells are two spaces
    apart), counting wide and full-width characters as two columns."""
    starts, column, previous_space = [0], 0, False
    for index, char in enumerate(line):
        if char == " " and previous_space and index + 1 < len(line) and line[index + 1] != " ":
            starts.append(column + 1)
        previous_space = char == " "
        column += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return starts


def test_wide_characters_count_two_columns():
    assert report.width("sigmoid") == 7
    assert report.width("합성곱") == 6
    assert report.width("ｆｕｌｌ") == 8  # full-width Latin
    assert report.width("e\u0301") == 1  # a combining accent takes no column


def test_the_table_stays_aligned_with_korean_labels():
    result = {
        "score": 3.0,
        "max_score": 9.0,
        "tasks": [
            {
                "assignment": "a4_합성곱",
                "task": "conv2d_forward",
                "score": 3.0,
                "max_score": 3.0,
                "status": "passed",
                "checks": [],
            },
            {
                "assignment": "a5_rnn",
                "task": "순환신경망_셀",
                "score": 0.0,
                "max_score": 3.0,
                "status": "failed",
                "checks": [],
            },
            {"assignment": "a1", "task": "adam", "score": 0.0, "max_score": 3.0, "status": "not_started", "checks": []},
        ],
    }
    for chosen in ("en", "ko"):
        language.use(chosen)
        lines = report.table(result, verbose=False).splitlines()[:5]
        starts = {tuple(columns_of(line)) for line in lines if not line.startswith("-")}
        assert len(starts) == 1, "\n".join(lines)
        assert len(next(iter(starts))) == 4


def test_the_pytest_plugin_reports_in_the_language_asked_for():
    run = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "autograder.publishing.pytest_plugin", "-rs"),
            *("--course", "sigmoid_forward", "--course-lang", "ko"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **NO_PREFERENCE},
    )
    assert "시작 전: sigmoid_forward이(가) NotImplementedError를 냅니다" in run.stdout, run.stdout[-2000:]


# ---- `_` is the translation function wherever it is imported --------------------------------------


def shadowed_translations(source: str) -> list[int]:
    """Lines of the functions that bind `_` (a throwaway `x, _ = ...`) and call `_()`: there
    `_` is no longer the translation function. `__` is the throwaway name beside gettext."""
    tree = ast.parse(source)
    found = []
    for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))):
        stack, binds = list(ast.iter_child_nodes(function)), False
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                binds = True
            if not isinstance(node, (ast.FunctionDef, ast.Lambda, ast.comprehension, ast.ClassDef)):
                stack.extend(ast.iter_child_nodes(node))
        calls = any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "_" for n in ast.walk(function))
        if binds and calls:
            found.append(function.lineno)
    return found


def test_no_function_that_translates_binds_the_name_of_the_translation():
    found = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "autograder").rglob("*.py"))
        if (lines := shadowed_translations(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_scan_finds_a_throwaway_named_like_the_translation():
    source = "def f(pair):\n    first, _ = pair\n    return _('first: {x}').format(x=first)\n"
    assert shadowed_translations(source) == [1]
    assert shadowed_translations(source.replace("first, _ =", "first, __ =")) == []


def test_the_class_report_is_written_in_the_language_asked_for(tmp_path):
    from test_class_report import _check, _task, result_of, write_gradebook

    language.use("ko")  # a class graded in Korean: its feedback, as the grader words a time-out
    reason = _("did not finish within {seconds} s").format(seconds="10")
    timed_out = _("your {function} {reason}").format(
        function="adam", reason=_("{reason} (the limit per call): an endless loop?").format(reason=reason)
    )
    adam = _task("a1_optimizers", "adam", 3.0, [_check("matches", "error", timed_out), _check("defaults")])
    write_gradebook(tmp_path / "book.sqlite", {"김민수": result_of(adam)})
    language.use("en")
    assert main(["report", str(tmp_path / "book.sqlite"), "--out", str(tmp_path / "ko"), "--lang", "ko"]) == 0
    index = (tmp_path / "ko" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in index and "학급 보고서" in index and "Class report" not in index
    assert "시간 초과로 중단됨: adam: matches" in index  # a Korean time-out is found as an English one is
    assert main(["report", str(tmp_path / "book.sqlite"), "--out", str(tmp_path / "en"), "--lang", "en"]) == 0
    english = (tmp_path / "en" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in english and "Class report" in english and "cut off by time: adam: matches" in english
