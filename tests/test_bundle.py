"""The student bundle: no reference code in it, and self-checks there give the full course's verdicts.

The bundle is built once, for the whole course as course.yml lists it, with the `course release`
command; it is then used as a student uses it: `python -m autograder` run inside it, with its own
grader and its recorded reference outputs, and no solutions/ anywhere.
"""

import json
import shutil

import numpy as np
import pytest
from conftest import ROOT, course_command, grade_path

from autograder.grading.mistake_registry import all_mistakes, load_mistakes, mistakes_for, write_mutant
from autograder.publishing.bundle import replayable
from autograder.publishing.notebooks import assignment_notebook, handout_sections
from autograder.publishing.release import BEGIN, END, HANDOUTS, expected_tree

pytestmark = pytest.mark.publish


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("student") / "bundle"
    built = course_command("release", "--bundle", "student", "--out", out)
    assert built.returncode == 0, built.stderr
    return out


def bundled(course):
    """The assignments a student bundle holds: those whose checks a recording can replay."""
    return [a for a in course.assignments if replayable(a.id)]


def grade_in(bundle, submission, *args) -> dict:
    graded = course_command("grade", submission, "--format", "json", *args, cwd=bundle)
    assert graded.returncode == 0, graded.stderr
    return json.loads(graded.stdout)


def solution_lines(root) -> set[str]:
    """Distinctive lines of the reference: inside solution blocks, and not published anyway
    (formulas in a stub's docstring are)."""
    public = {line.strip() for content in expected_tree(root).values() for line in content.decode().splitlines()}
    lines = set()
    for path in (root / "solutions").rglob("*.py"):
        inside = False
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped in (BEGIN, END):
                inside = stripped == BEGIN
            # lines of 20 characters or more: shorter ones (`return found`) are any program's
            elif inside and len(stripped) >= 20 and not stripped.startswith("#") and stripped not in public:
                lines.add(stripped)
    return lines


def leaks(folder, lines) -> dict[str, list[str]]:
    """Files under folder holding any of the reference's lines, with those lines."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".md", ".ipynb", ".json", ".yml", ".toml", ".txt"):
            text = {line.strip() for line in path.read_text(encoding="utf-8", errors="ignore").splitlines()}
            if text & lines:
                found[str(path.relative_to(folder))] = sorted(text & lines)
    return found


def test_the_bundle_holds_no_reference_source_or_bytecode(bundle):
    files = [p.relative_to(bundle) for p in bundle.rglob("*") if p.is_file()]
    assert not [
        f
        for f in files
        if "solutions" in f.parts or "__pycache__" in f.parts or f.suffix in (".pyc", ".pyo", ".so", ".pkl", ".pickle")
    ]
    assert not [f for f in files if f.parts[0] in ("tests", "tools", "examples", "benchmarks")]
    assert leaks(bundle, solution_lines(ROOT)) == {}


def test_the_leak_search_finds_the_code_of_known_mistakes(tmp_path):
    """A mistake is the reference with one bug: its module must never reach students."""
    shutil.copy(ROOT / "autograder" / "mistakes" / "a0_foundations.py", tmp_path)
    assert leaks(tmp_path, solution_lines(ROOT))


def test_the_bundle_has_every_assignment_with_its_notebook_and_recording(bundle, course):
    assert [a.id for a in course.assignments if a not in bundled(course)] == ["a6_framework"]
    assert not (bundle / "assignments" / "a6_framework").exists()
    for assignment in bundled(course):
        folder = bundle / "assignments" / assignment.id
        for handout in HANDOUTS.values():
            assert (folder / handout).read_bytes() == (ROOT / "solutions" / assignment.id / handout).read_bytes()
        assert {f for f in assignment.files if (folder / f).is_file()} == set(assignment.files)
        notebook = json.loads((folder / f"{assignment.id}.ipynb").read_text())
        graded = [
            c["metadata"]["nbgrader"] for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade")
        ]
        assert [(g["grade_id"], g["points"]) for g in graded] == [
            (f"grade_{t.name}", t.points) for t in assignment.tasks
        ]
        with np.load(bundle / "recorded" / f"{assignment.id}.npz", allow_pickle=False) as arrays:
            assert arrays["data"].dtype == np.uint8
    assert "a6_framework" not in (bundle / "course.yml").read_text()
    assert (bundle / "glossary.md").read_bytes() == (ROOT / "docs" / "glossary.md").read_bytes()


@pytest.mark.parametrize("lang", sorted(HANDOUTS))
def test_a_notebook_teaches_from_the_handout_of_its_language(course, lang):
    assignment = course.assignment("a0_foundations")
    notebook = assignment_notebook(course, assignment, expected_tree(ROOT), lang)
    cells = {
        c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in notebook["cells"] if "nbgrader" in c["metadata"]
    }
    handout = (ROOT / "solutions" / assignment.id / HANDOUTS[lang]).read_text(encoding="utf-8")
    assert [s for key, s in cells.items() if key.startswith("handout_")] == handout_sections(handout)
    assert ("함수 실행해 보기" in cells["try"], "채점" in cells["grading"]) == (lang == "ko", lang == "ko")
    assert [
        c["metadata"]["nbgrader"]["points"] for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("grade")
    ] == [t.points for t in assignment.tasks]


def test_a_notebook_language_goes_with_a_bundle():
    released = course_command("release", "--lang", "ko")
    assert released.returncode == 2 and "--lang go with --bundle" in released.stderr


def test_stubs_are_not_started_in_the_bundle(bundle, course):
    checked = course_command("check", "--format", "json", cwd=bundle)
    assert checked.returncode == 1
    result = json.loads(checked.stdout)
    assert {t["status"] for t in result["tasks"]} == {"not_started"}
    assert len(result["tasks"]) == sum(len(a.tasks) for a in bundled(course))


def test_release_in_the_bundle_refuses_and_keeps_the_students_files(bundle):
    stub = next((bundle / "assignments").glob("*/*.py"))
    before = stub.read_bytes()
    released = course_command("release", cwd=bundle)
    assert released.returncode == 2 and "no reference solutions" in released.stderr
    assert stub.read_bytes() == before


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_the_reference_gets_full_marks_from_the_recording(bundle, profile):
    result = grade_in(bundle, ROOT / "solutions", *(["--quick"] if profile == "quick" else []))
    assert result["profile"] == profile
    assert result["score"] == result["max_score"]
    assert all(c["passed"] for t in result["tasks"] for c in t["checks"])


def _sample_mistakes(course):
    """One mistake recognised by its output per assignment (the first in course order)."""
    load_mistakes([a.id for a in course.assignments])
    chosen = {}
    ids = [a.id for a in bundled(course)]
    for known in all_mistakes():
        if known.by_output and course.task(known.task).assignment in ids:
            chosen.setdefault(course.task(known.task).assignment, known)
    return list(chosen.values())


def test_a_mistake_gets_the_same_verdict_and_hint_as_in_the_full_course(bundle, course, tmp_path):
    from autograder.grading.mistake_registry import write_mutant

    for known in _sample_mistakes(course):
        folder = tmp_path / known.name
        write_mutant(course, known, folder)
        there = next(t for t in grade_in(bundle, folder, "--quick", "--only", known.task)["tasks"])
        here = grade_path(course, folder, [known.task])["tasks"][0]
        assert (there["score"], there["status"]) == (here["score"], here["status"]), known.name
        assert there["score"] < there["max_score"]
        for mine, theirs in zip(there["checks"], here["checks"]):
            assert mine["passed"] == theirs["passed"]
            hints = [[line for line in c["feedback"].splitlines() if line.startswith("Hint: ")] for c in (mine, theirs)]
            assert hints[0] == hints[1], (known.name, mine["name"])
        assert any(f"Hint: {known.hint}" in c["feedback"] for c in there["checks"])


def test_a_question_the_recording_cannot_answer_stops_grading_as_an_internal_error(bundle, course, tmp_path):
    broken = tmp_path / "bundle"
    shutil.copytree(bundle, broken)
    first = course.assignments[0].id
    index = broken / "recorded" / f"{first}.json"
    recording = json.loads(index.read_text())
    recording["answers"] = {}
    index.write_text(json.dumps(recording))
    graded = course_command("grade", ROOT / "solutions", "--quick", "--only", first, cwd=broken)
    assert graded.returncode != 0
    assert "internal error of the course bundle, not of your code" in graded.stderr
    assert "total" not in graded.stdout


# ---- the recording itself ------------------------------------------------------------------------


class Counter:
    """A stateful object like those a reference may return (EarlyStopping, a layer)."""

    def __init__(self, start):
        self.total = start

    def add(self, value):
        self.total += value
        return self.total >= 10


class LiveImplementation:
    """Stands in for the reference: run(task, ...) of two tasks."""

    def __init__(self, course):
        self.course = course

    def run(self, task, *args, **kwargs):
        if task == "scale":
            return args[0] * kwargs.get("factor", 2.0), {"seen": args[0].shape}
        if task == "counter":
            return Counter(*args)
        raise ValueError(f"no task {task}")


def _record_and_replay(tmp_path, questions):
    """questions(impl) asked of a recorder, saved, then of a replay of what was saved."""
    from types import SimpleNamespace

    from autograder.grading.replay import REFERENCE, Recording, Replay, ReplayStore
    from autograder.publishing.record import Recorder

    course = SimpleNamespace(root=tmp_path)
    recording = Recording("a9_test")
    recorded = questions(Recorder(LiveImplementation(course), recording, REFERENCE))
    recording.save(tmp_path / "recorded")
    replay = Replay(course, ReplayStore(tmp_path / "recorded"), REFERENCE)
    return recorded, questions(replay), replay


def _counter_questions(impl):
    counter = impl.run("counter", 3)
    answers = [counter.total]
    for value in (4, 5, 1):
        answers.append((counter.add(value), counter.total))
    return answers


def test_objects_are_replayed_by_their_history(tmp_path):
    recorded, replayed, _ = _record_and_replay(tmp_path, _counter_questions)
    assert recorded == replayed == [3, (False, 7), (True, 12), (True, 13)]


def test_arrays_and_plain_values_come_back_with_their_types(tmp_path):
    x = np.arange(6, dtype=np.float32).reshape(2, 3)

    def questions(impl):
        out, info = impl.run("scale", x, factor=np.float32(0.5))
        return out, info

    (recorded, info), (replayed, info_again), _ = _record_and_replay(tmp_path, questions)
    for value in (recorded, replayed):
        assert type(value) is np.ndarray and value.dtype == np.float32
        np.testing.assert_array_equal(value, x * np.float32(0.5))
    assert info == info_again == {"seen": (2, 3)}


def test_a_replay_raises_what_the_reference_raised(tmp_path):
    def questions(impl):
        try:
            impl.run("nothing")
        except ValueError as error:
            return str(error)

    assert _record_and_replay(tmp_path, questions)[:2] == ("no task nothing", "no task nothing")


def test_a_question_never_recorded_is_an_internal_error(tmp_path):
    from autograder.grading.replay import MissingRecording

    *_, replay = _record_and_replay(tmp_path, _counter_questions)
    with pytest.raises(MissingRecording, match="internal error"):
        replay.run("counter", 4)
    counter = replay.run("counter", 3)
    assert counter.total is not None  # asked as recorded
    with pytest.raises(MissingRecording):
        counter.add(5)  # asked after a different history than recorded


def test_fingerprints_tell_types_dtypes_and_signs_apart():
    from autograder.grading.replay import fingerprint
    from autograder.runtime.plain import Probe

    same = [
        (1.0,),
        (np.float64(1.0),),
        (1,),
        (True,),
        ([1.0],),
        ((1.0,),),
        (-0.0,),
        (0.0,),
        (np.ones(2),),
        (np.ones(2, np.float32),),
        (np.ones((2, 1)),),
        (Probe("rng", (1,)),),
        (Probe("rng", (2,)),),
    ]
    assert len({fingerprint(*parts) for parts in same}) == len(same)
    assert fingerprint(np.arange(4.0)[::2]) == fingerprint(np.array([0.0, 2.0]))


def test_a_reference_that_answers_the_same_question_differently_cannot_be_recorded(tmp_path):
    from types import SimpleNamespace

    from autograder.grading.replay import REFERENCE, Recording, RecordingError
    from autograder.publishing.record import Recorder

    class Drifting(LiveImplementation):
        calls = 0

        def run(self, task, *args, **kwargs):
            Drifting.calls += 1
            return float(Drifting.calls)

    recorder = Recorder(Drifting(SimpleNamespace(root=tmp_path)), Recording("a9_test"), REFERENCE)
    recorder.run("scale", 1.0)
    with pytest.raises(RecordingError, match="differently"):
        recorder.run("scale", 1.0)


# ---- a wrong output shape: the check computes the shape, the reference is not asked ---------------

WRONG_OUTPUT_SIZE = """

def conv2d_forward(x, w, b, stride=1, padding=0):
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    (n, _, h, wd), (f, _, kh, kw) = x.shape, w.shape
    oh, ow = max(({rows}) // sh{plus}, 0), max(({cols}) // sw{plus}, 0)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((n, f, oh, ow), dtype=x.dtype)
    for i in range(min(oh, (h + 2 * ph - kh) // sh + 1)):
        for j in range(min(ow, (wd + 2 * pw - kw) // sw + 1)):
            window = xp[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (xp, w.copy(), (sh, sw), (ph, pw))
"""
OUTPUT_SIZE_BUGS = {
    "without the padding": dict(rows="h - kh", cols="wd - kw", plus=" + 1"),
    "without the +1": dict(rows="h + 2 * ph - kh", cols="wd + 2 * pw - kw", plus=""),
}


@pytest.fixture(scope="module")
def cnn_bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("student-cnn") / "bundle"
    built = course_command("release", "--bundle", "student", "--out", out, "--only", "a4_cnn")
    assert built.returncode == 0, built.stderr
    return out


@pytest.mark.parametrize("bug", list(OUTPUT_SIZE_BUGS))
@pytest.mark.parametrize("profile", ["quick", "full"])
def test_a_wrong_conv_output_size_gets_the_full_course_s_words_in_the_bundle(
    cnn_bundle, course, tmp_path, bug, profile
):
    folder = tmp_path / "student"
    shutil.copytree(ROOT / "solutions" / "a4_cnn", folder / "a4_cnn", ignore=shutil.ignore_patterns("__pycache__"))
    conv = folder / "a4_cnn" / "conv.py"
    conv.write_text(conv.read_text() + WRONG_OUTPUT_SIZE.format(**OUTPUT_SIZE_BUGS[bug]))
    options = ["--quick"] if profile == "quick" else []
    there = grade_in(cnn_bundle, folder, *options, "--only", "conv2d_forward")["tasks"]
    here = grade_path(course, folder, ["conv2d_forward"], profile=profile)["tasks"]
    assert there == here
    assert there[0]["score"] < there[0]["max_score"]
    shape_check = next(c for c in there[0]["checks"] if c["name"].startswith("output has shape"))
    assert not shape_check["passed"] and "expected shape" in shape_check["feedback"]


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_the_known_wrong_output_size_gets_its_hint_on_the_same_smallest_case_in_the_bundle(
    cnn_bundle, course, tmp_path, profile
):
    load_mistakes(["a4_cnn"])
    known = next(m for m in mistakes_for("conv2d_forward") if m.name == "conv2d_forward_output_size_rounds_up")
    write_mutant(course, known, tmp_path)
    options = ["--quick"] if profile == "quick" else []
    there = grade_in(cnn_bundle, tmp_path, *options, "--only", "conv2d_forward")["tasks"]
    here = grade_path(course, tmp_path, ["conv2d_forward"], profile=profile)["tasks"]
    assert there == here
    shape_check = next(c for c in there[0]["checks"] if c["name"].startswith("output has shape"))
    assert f"Hint: {known.hint}" in shape_check["feedback"]
