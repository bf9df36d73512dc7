"""Official inputs from the offering's secret: nobody outside the course staff has seen them.

Self-checks and the student bundle use the public practice inputs; `course grade`, the
Gradescope zip and nbgrader's autograde draw from a secret that no student receives. The attack
this defends against is answer-key replay (tests/answer_key_replay.py): a file with no
implementation, answering every question the student bundle recorded.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import zipfile

import pytest
from answer_key_replay import write_lookup_table
from conftest import ROOT, RecordingSubmission, course_command, grade_path

from autograder.course import config
from autograder.grading.context import Context
from autograder.grading.determinism import PRACTICE, Inputs, deterministic
from autograder.grading.mistake_registry import load_mistakes, mistakes_for, write_mutant
from autograder.grading.reference import reference
from autograder.grading.registry import checks_for, load_checks
from autograder.grading.replay import Recording, fingerprint
from autograder.grading.runner import grade_folder, run_check

ASSIGNMENT = "a0_foundations"
SECRET = bytes.fromhex("5ec2e7" * 10 + "00")  # 31 bytes, a test's own; `course secret` draws 32
OTHER = bytes.fromhex("a11ce5" * 11)


def environment(secret: bytes | None) -> dict:
    """This process's environment with $COURSE_SECRET set to secret, or without it."""
    env = {k: v for k, v in os.environ.items() if k != config.SECRET_VARIABLE}
    if secret is not None:
        env[config.SECRET_VARIABLE] = secret.hex()
    return env


def drawn(check, inputs: Inputs, profile: str, course) -> set[str]:
    """The fingerprints of the cases a check draws on these inputs in this profile."""
    cases = set()
    deterministic(
        lambda case: cases.add(fingerprint(case).hex()),
        check.cases,
        check_id=check.id,
        max_examples=course.max_examples(course.task(check.task), profile),
        inputs=inputs,
        profile=profile,
    )()
    return cases


def without_timing(result: dict) -> dict:
    return {key: value for key, value in result.items() if key != "timing"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """A student bundle of a0, built while the offering has a secret."""
    out = tmp_path_factory.mktemp("student") / "bundle"
    built = course_command(
        "release", "--bundle", "student", "--out", out, "--only", ASSIGNMENT, env=environment(SECRET)
    )
    assert built.returncode == 0, built.stderr
    return out


@pytest.fixture(scope="module")
def answer_key(bundle, tmp_path_factory):
    """The lookup table of every answer the bundle recorded, as a student's a0 files."""
    folder = tmp_path_factory.mktemp("answer_key")
    written = write_lookup_table(bundle, ASSIGNMENT, folder)
    assert all(path.stat().st_size < 2 * 2**20 for path in written)  # within a submission's file limit
    return folder


# ---- the inputs --------------------------------------------------------------------------------


@pytest.mark.slow
def test_official_inputs_differ_from_practice_and_between_secrets(course):
    load_checks([ASSIGNMENT])
    checks = [c for task in course.assignment(ASSIGNMENT).tasks for c in checks_for(task.name) if c.cases is not None]
    assert len(checks) > 20
    for check in checks:
        practice = drawn(check, PRACTICE, "full", course)
        official = drawn(check, Inputs(SECRET), "full", course)
        # the few simplest cases, which Hypothesis tries first whatever its seed, may coincide
        assert len(official - practice) >= 0.8 * len(official), check.id
        assert official != drawn(check, Inputs(OTHER), "full", course), check.id
        assert official == drawn(check, Inputs(SECRET), "full", course), check.id


def test_a_check_that_draws_no_cases_gets_official_inputs_too(course, tmp_path):
    """orthogonal's Haar check runs once on fixed seeds; official grading moves them by a number
    drawn from the secret, so the reference's recorded draws answer none of its calls."""
    load_checks(["a2_initializers"])
    (check,) = [c for c in checks_for("orthogonal") if c.name.startswith("is Haar distributed")]
    assert check.cases is None and check.pays_alone
    assert PRACTICE.fixed_case(check.id, "full") == {}
    official = Inputs(SECRET).fixed_case(check.id, "full")
    assert official == Inputs(SECRET).fixed_case(check.id, "full") != Inputs(OTHER).fixed_case(check.id, "full")
    fed = {}
    for name, inputs in (("practice", PRACTICE), ("official", Inputs(SECRET))):
        submission = RecordingSubmission(course, ROOT / "solutions")
        try:
            result = run_check(check, Context(course, submission, reference(course)), 1, inputs=inputs, profile="full")
        finally:
            submission.close()
        assert result.passed, (name, result.feedback)  # the reference passes on either
        fed[name] = set(submission.fed)
    assert not fed["practice"] & fed["official"]


def test_the_secret_never_shows_in_the_inputs_description():
    inputs = Inputs(SECRET)
    assert SECRET.hex() not in repr(inputs) and SECRET.hex() not in inputs.identity
    assert inputs.identity != Inputs(OTHER).identity and inputs.kind == "official"
    assert PRACTICE.kind == PRACTICE.identity == "practice"


@pytest.mark.slow
def test_the_same_secret_grades_identically_in_two_processes_and_in_this_one(course, tmp_path):
    load_mistakes([ASSIGNMENT])
    mistake = next(m for m in mistakes_for("linear_backward") if m.by_output)
    write_mutant(course, mistake, tmp_path / "mutant")
    runs = []
    for _ in range(2):
        graded = course_command(
            "grade", tmp_path / "mutant", "--only", ASSIGNMENT, "--quick", "--format", "json", env=environment(SECRET)
        )
        assert graded.returncode == 0 and not graded.stderr, graded.stderr
        runs.append(without_timing(json.loads(graded.stdout)))
    here = without_timing(grade_path(course, tmp_path / "mutant", [ASSIGNMENT], profile="quick"))
    official_here = without_timing(
        grade_folder(course, tmp_path / "mutant", [ASSIGNMENT], profile="quick", inputs=Inputs(SECRET))
    )
    assert runs[0] == runs[1] == official_here
    assert runs[0]["inputs"] == "official" and here["inputs"] == "practice"
    assert runs[0]["score"] < runs[0]["max_score"]


# ---- the secret: made, found, missing ------------------------------------------------------------


def test_course_secret_writes_a_private_secret_that_grading_then_uses(course_copy):
    env = environment(None)
    secret_file = course_copy / ".course-secret"
    made = course_command("--course", course_copy, "secret", env=env)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = bytes.fromhex(secret_file.read_text().strip())
    assert len(secret) == 32 and secret.hex() not in made.stdout
    again = course_command("--course", course_copy, "secret", env=env)
    assert again.returncode == 2 and "--rotate" in again.stderr
    assert bytes.fromhex(secret_file.read_text().strip()) == secret
    shown = course_command("--course", course_copy, "secret", "--show", env=env)
    assert shown.stdout.strip() == Inputs(secret).identity
    graded = course_command(
        "--course",
        course_copy,
        "grade",
        course_copy / "solutions",
        "--only",
        "sgd",
        "--quick",
        "--format",
        "json",
        env=env,
    )
    assert graded.returncode == 0 and graded.stderr == "", graded.stderr
    assert json.loads(graded.stdout)["inputs"] == "official"
    rotated = course_command("--course", course_copy, "secret", "--rotate", env=env)
    assert rotated.returncode == 0 and bytes.fromhex(secret_file.read_text().strip()) != secret
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600


def test_without_a_secret_grade_warns_once_and_uses_the_practice_inputs(course_copy, course):
    graded = course_command(
        "--course",
        course_copy,
        "grade",
        course_copy / "solutions",
        course_copy / "assignments",
        "--only",
        "sgd",
        "--quick",
        "--format",
        "json",
        env=environment(None),
    )
    assert graded.returncode == 0, graded.stderr
    warnings = [line for line in graded.stderr.splitlines() if not line.startswith("[")]  # beside the progress
    assert len(warnings) == 1 and "no grading secret" in warnings[0] and "practice inputs" in warnings[0]
    results = json.loads(graded.stdout)["submissions"]
    assert [r["inputs"] for r in results] == ["practice", "practice"]
    assert results[0]["score"] == results[0]["max_score"]


def test_a_malformed_secret_is_refused_by_name(course_copy):
    graded = course_command(
        "--course",
        course_copy,
        "grade",
        course_copy / "solutions",
        "--only",
        "sgd",
        env={**environment(None), config.SECRET_VARIABLE: "not hex"},
    )
    assert graded.returncode == 2 and "must be hexadecimal" in graded.stderr
    short = course_command(
        "--course",
        course_copy,
        "grade",
        course_copy / "solutions",
        "--only",
        "sgd",
        env={**environment(None), config.SECRET_VARIABLE: "ab" * 8},
    )
    assert short.returncode == 2 and "at least 32 hex digits" in short.stderr


def test_the_secret_file_is_ignored_by_git():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".course-secret"], cwd=ROOT)
    assert ignored.returncode == 0
    assert config.load(ROOT).secret_file == ".course-secret"


@pytest.mark.publish
@pytest.mark.parametrize("kind", ["gradescope", "nbgrader"])
def test_the_staff_bundles_refuse_to_build_without_a_secret(course_copy, tmp_path, kind):
    out = tmp_path / ("autograder.zip" if kind == "gradescope" else "nbgrader")
    built = course_command(
        "--course", course_copy, "release", "--bundle", kind, "--out", out, "--only", ASSIGNMENT, env=environment(None)
    )
    assert built.returncode == 2 and "run `course secret` first" in built.stderr
    assert not out.exists()


# ---- the student bundle: practice only ------------------------------------------------------------


def secret_traces(folder) -> list[str]:
    """Files under folder holding the secret, as bytes or hex (either case), or its identity."""
    needles = [SECRET, SECRET.hex().encode(), SECRET.hex().upper().encode(), Inputs(SECRET).identity.encode()]
    return [
        str(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and any(needle in path.read_bytes() for needle in needles)
    ]


@pytest.mark.publish
def test_the_student_bundle_holds_no_trace_of_the_secret(bundle):
    assert secret_traces(bundle) == []
    assert not (bundle / ".course-secret").exists()


@pytest.mark.publish
def test_the_student_bundle_records_the_practice_inputs_and_none_of_the_official(bundle, course):
    recording = Recording.load(bundle / "recorded", ASSIGNMENT)
    load_checks([ASSIGNMENT])
    for task in course.assignment(ASSIGNMENT).tasks:
        for check in checks_for(task.name):
            if check.cases is None:
                continue
            recorded = set(recording.cases[check.id])
            assert recorded == drawn(check, PRACTICE, "quick", course) | drawn(check, PRACTICE, "full", course)
            official = drawn(check, Inputs(SECRET), "full", course)
            assert len(official - recorded) >= 0.8 * len(official), check.id


@pytest.mark.publish
def test_the_student_bundle_cannot_grade_official_inputs(bundle):
    graded = course_command("grade", ROOT / "solutions", "--only", ASSIGNMENT, cwd=bundle, env=environment(OTHER))
    assert graded.returncode == 2 and "practice inputs only" in graded.stderr


# ---- the attack: answer-key replay ----------------------------------------------------------------


@pytest.mark.publish
def test_answer_key_replay_earns_points_on_the_practice_inputs(bundle, answer_key, course):
    """The attack is real: where the inputs are the recorded ones, it scores without any code."""
    checked = course_command("grade", answer_key, "--quick", "--format", "json", cwd=bundle, env=environment(None))
    assert checked.returncode == 0, checked.stderr
    in_bundle = json.loads(checked.stdout)
    assert in_bundle["inputs"] == "practice" and in_bundle["score"] >= 10
    full = grade_path(course, answer_key, [ASSIGNMENT], profile="full")  # the same inputs as grading before
    assert full["score"] == in_bundle["score"]


@pytest.mark.publish
def test_answer_key_replay_earns_nothing_on_the_official_inputs(answer_key, course):
    stubs = grade_folder(course, ROOT / "assignments", [ASSIGNMENT], profile="full", inputs=Inputs(SECRET))
    for profile in ("quick", "full"):
        result = grade_folder(course, answer_key, [ASSIGNMENT], profile=profile, inputs=Inputs(SECRET))
        assert result["score"] == stubs["score"] == 0
        assert {t["status"] for t in result["tasks"]} == {"not_started"}


@pytest.mark.publish
def test_the_gradescope_zip_carries_the_secret_and_grades_the_answer_key_zero(answer_key, tmp_path, course):
    from test_gradescope import run_autograder

    out = tmp_path / "autograder.zip"
    built = course_command(
        "release", "--bundle", "gradescope", "--out", out, "--only", ASSIGNMENT, env=environment(SECRET)
    )
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(out) as archive:
        info = archive.getinfo(".course-secret")
        assert archive.read(info).decode().strip() == SECRET.hex()
        assert stat.S_IMODE(info.external_attr >> 16) == 0o600
    results = run_autograder(out, tmp_path, {"foundations.py": (answer_key / "foundations.py").read_text()})
    assert results["score"] == 0
    reference = run_autograder(
        out, tmp_path / "again", {"foundations.py": (ROOT / "solutions" / ASSIGNMENT / "foundations.py").read_text()}
    )
    assert reference["score"] == sum(t.points for t in course.assignment(ASSIGNMENT).tasks)
