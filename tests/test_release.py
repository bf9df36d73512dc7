"""course release: stubs from solutions, --check catching drift, and every handout in English and Korean."""

import re
import subprocess
import sys

import pytest
from conftest import ROOT

from autograder.course import config
from autograder.publishing.release import HANDOUTS, ReleaseError, differences, release, strip_solutions

ASSIGNMENTS = [a.id for a in config.load(ROOT).assignments]


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


def unmentioned_tasks(assignment, english: str, translated: str) -> list[str]:
    """The assignment's task names that the English handout mentions and the translation does not."""

    def mentions(text, name):
        return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None

    return [t.name for t in assignment.tasks if mentions(english, t.name) and not mentions(translated, t.name)]


def handouts(course, assignment_id) -> tuple[str, str]:
    """The English and the Korean handout of an assignment, as written in solutions/."""
    folder = course.root / "solutions" / assignment_id
    assert (folder / HANDOUTS["ko"]).is_file(), f"{assignment_id} has no Korean handout"
    return tuple((folder / HANDOUTS[lang]).read_text(encoding="utf-8") for lang in ("en", "ko"))


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_assignment_has_a_korean_handout_naming_its_tasks(course, assignment_id):
    english, korean = handouts(course, assignment_id)
    assert (course.root / "assignments" / assignment_id / HANDOUTS["ko"]).is_file()
    assert unmentioned_tasks(course.assignment(assignment_id), english, korean) == []
    # written in Hangul: no stray Hanja or kana
    assert re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", korean) == []


def kept_code(text: str) -> tuple[list[str], set[str], list[int]]:
    """What a translation keeps of a handout: its fenced blocks without `#` comments, its inline
    code spans, and the levels of its headings in order."""
    fence = r"(?ms)^[ \t]*```.*?^[ \t]*```"  # indented inside a list item, too
    blocks = re.findall(fence, text)
    fenced = ["\n".join(re.sub(r"\s*#(?!\S*`).*$", "", line).rstrip() for line in b.splitlines()) for b in blocks]
    prose = re.sub(fence, "", text)
    headings = [len(h) for h in re.findall(r"(?m)^#+(?= )", prose)]
    spans = {" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)}  # a span may wrap lines
    return fenced, spans, headings


def translation_drift(english: str, translated: str) -> list[str]:
    """How a translation departs from the English handout's code, formulas and sections."""
    (fenced, spans, headings), (t_fenced, t_spans, t_headings) = kept_code(english), kept_code(translated)
    drift = [f"fenced block {i + 1} differs" for i, (a, b) in enumerate(zip(fenced, t_fenced)) if a != b]
    if len(fenced) != len(t_fenced):
        drift.append(f"{len(t_fenced)} fenced blocks, not {len(fenced)}")
    drift += [f"no `{span}`" for span in sorted(spans - t_spans)]
    if headings != t_headings:
        drift.append(f"headings at levels {t_headings}, not {headings}")
    return drift


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_a_korean_handout_keeps_the_code_formulas_and_sections_of_the_english_one(course, assignment_id):
    assert translation_drift(*handouts(course, assignment_id)) == []


def test_translation_drift_names_a_changed_formula_span_and_section(course):
    english = (course.root / "solutions" / "a0_foundations" / HANDOUTS["en"]).read_text(encoding="utf-8")
    assert translation_drift(english, english) == []
    commented = english.replace("# x (N, D), W1 (H, D), b1 (H,)", "# x (N, D), 형상")
    assert translation_drift(english, commented) == []
    assert translation_drift(english, english.replace("2 * (pred - target)", "2 * (target - pred)")) == [
        "fenced block 10 differs"
    ]
    assert translation_drift(english, english.replace("`pred.size`", "pred.size")) == ["no `pred.size`"]
    [dropped_section] = translation_drift(english, english.replace("### Numerical stability", "Numerical"))
    assert dropped_section.startswith("headings at levels")


def test_a_translation_that_drops_a_task_is_caught(course):
    assignment = course.assignment("a0_foundations")
    english = (course.root / "solutions" / assignment.id / HANDOUTS["en"]).read_text(encoding="utf-8")
    assert unmentioned_tasks(assignment, english, english) == []
    dropped = english.replace("leaky_relu_backward", "leaky_relu_forward")
    assert unmentioned_tasks(assignment, english, dropped) == ["leaky_relu_backward"]


def test_release_writes_and_checks_the_korean_handout(course_copy):
    handout = course_copy / "assignments" / "a0_foundations" / HANDOUTS["ko"]
    handout.unlink()
    assert differences(course_copy) == ["assignments/a0_foundations/README.ko.md: missing"]
    release(course_copy)
    assert handout.read_bytes() == (course_copy / "solutions" / "a0_foundations" / HANDOUTS["ko"]).read_bytes()
