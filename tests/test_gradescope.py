"""The Gradescope autograder zip, run against a simulated /autograder tree.

Gradescope unpacks the zip into /autograder/source, puts the student's upload in
/autograder/submission and runs /autograder/run_autograder; here the same tree lives in a
temporary folder, named to run_autograder by AUTOGRADER_ROOT.
"""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest
import yaml
from conftest import ROOT, course_command

from autograder.course import config
from autograder.grading.determinism import Inputs
from autograder.grading.mistake_registry import load_mistakes, mistakes_for, write_mutant
from autograder.grading.runner import grade_folder
from autograder.publishing.gradescope import RESULTS_SCHEMA, Settings, load_settings, results_json

jsonschema = pytest.importorskip("jsonschema", reason="the test extra is not installed")

pytestmark = pytest.mark.publish
ASSIGNMENT = "a0_foundations"  # one assignment keeps the three gradings short
SECRET = bytes.fromhex("9d" * 32)  # the offering's secret the zip is built with


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    env = {**os.environ, config.SECRET_VARIABLE: SECRET.hex()}
    built = course_command("release", "--bundle", "gradescope", "--out", out, "--only", ASSIGNMENT, env=env)
    assert built.returncode == 0, built.stderr
    return out


def run_autograder(autograder_zip, tmp_path, files: dict) -> dict:
    """results.json after a Gradescope-like run on a submission of these files (name -> source)."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    for name, source in files.items():
        (root / "submission" / name).write_text(source)
    env = {k: v for k, v in os.environ.items() if k != config.SECRET_VARIABLE}  # the zip's own secret only
    env.update(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    ran = subprocess.run(["bash", str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, RESULTS_SCHEMA)
    return results


def test_the_zip_has_gradescope_layout_and_no_stray_files(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    for script in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(infos[script].external_attr >> 16) & 0o111, f"{script} is not executable"
    assert {
        "course.yml",
        "pyproject.toml",
        "autograder/cli/main.py",
        f"solutions/{ASSIGNMENT}/foundations.py",
        ".course-secret",
    } <= set(infos)
    assert not [n for n in infos if "__pycache__" in n or n.endswith(".pyc") or n.startswith(("tests/", "examples/"))]


def test_a_correct_submission_gets_every_point(autograder_zip, tmp_path, course):
    source = (ROOT / "solutions" / ASSIGNMENT / "foundations.py").read_text()
    results = run_autograder(autograder_zip, tmp_path, {"foundations.py": source})
    tasks = course.assignment(ASSIGNMENT).tasks
    assert results["score"] == sum(t.points for t in tasks)
    assert [t["name"] for t in results["tests"]] == [f"{ASSIGNMENT}: {t.name}" for t in tasks]
    assert all(t["status"] == "passed" and t["score"] == t["max_score"] for t in results["tests"])
    assert results["stdout_visibility"] == "hidden"


def test_a_mistaken_submission_loses_the_task_and_sees_the_hint(autograder_zip, tmp_path, course):
    load_mistakes([ASSIGNMENT])
    known = next(m for m in mistakes_for("linear_backward") if m.by_output)
    write_mutant(course, known, tmp_path / "mutant")
    results = run_autograder(
        autograder_zip, tmp_path, {"foundations.py": (tmp_path / "mutant" / ASSIGNMENT / "foundations.py").read_text()}
    )
    expected = grade_folder(course, tmp_path / "mutant", [ASSIGNMENT], profile="full", inputs=Inputs(SECRET))
    assert results["score"] == expected["score"] < expected["max_score"]
    test = next(t for t in results["tests"] if t["name"] == f"{ASSIGNMENT}: linear_backward")
    assert test["status"] == "failed" and test["score"] < test["max_score"]
    assert f"Hint: {known.hint}" in test["output"]


def test_an_empty_submission_gets_zero_and_says_what_was_expected(autograder_zip, tmp_path, course):
    results = run_autograder(autograder_zip, tmp_path, {"notes.txt": "nothing yet"})
    assert results["score"] == 0
    assert "foundations.py" in results["output"]
    assert len(results["tests"]) == len(course.assignment(ASSIGNMENT).tasks)
    assert all(t["status"] == "failed" and t["score"] == 0 for t in results["tests"])


def _result_with_feedback(feedback: str) -> dict:
    return {
        "score": 0.0,
        "max_score": 3.0,
        "profile": "full",
        "timing": {"seconds": 1.0},
        "tasks": [
            {
                "assignment": "a0_foundations",
                "task": task,
                "score": 0.0,
                "max_score": 1.0,
                "status": "failed",
                "checks": [
                    {"name": "matches the reference", "passed": False, "outcome": "failed", "feedback": feedback}
                ],
            }
            for task in ("relu_forward", "relu_backward", "adam")
        ],
    }


def test_visibility_comes_from_course_yml_per_task_assignment_and_default(course_copy):
    manifest = course_copy / "course.yml"
    data = yaml.safe_load(manifest.read_text())
    data["gradescope"] = {
        "visibility": "after_published",
        "stdout_visibility": "visible",
        "tests": {"default": "after_due_date", "a0_foundations": "hidden", "relu_forward": "visible"},
    }
    manifest.write_text(yaml.safe_dump(data))
    results = results_json(_result_with_feedback("x"), load_settings(config.load(course_copy)))
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert (results["visibility"], results["stdout_visibility"]) == ("after_published", "visible")
    assert [t["visibility"] for t in results["tests"]] == ["visible", "hidden", "hidden"]


@pytest.mark.parametrize(
    "section, words",
    [
        ({"tests": {"no_such_task": "hidden"}}, "neither an assignment nor a task"),
        ({"visibility": "sometimes"}, "must be one of"),
        ({"output_limit": 10**6}, "output_limit"),
        ({"colour": "blue"}, "unknown entries"),
    ],
)
def test_a_malformed_gradescope_section_is_named(course_copy, section, words):
    manifest = course_copy / "course.yml"
    data = yaml.safe_load(manifest.read_text())
    data["gradescope"] = section
    manifest.write_text(yaml.safe_dump(data))
    with pytest.raises(config.ConfigError, match=words):
        load_settings(config.load(course_copy))


def test_long_feedback_is_cut_per_test_and_in_all(monkeypatch):
    results = results_json(_result_with_feedback("y" * 50_000), Settings(output_limit=1_000))
    assert all(len(t["output"]) <= 1_000 and t["output"].endswith("(output truncated)") for t in results["tests"])
    monkeypatch.setattr("autograder.publishing.gradescope.MAX_RESULTS_BYTES", 1_500)
    results = results_json(_result_with_feedback("y" * 50_000), Settings(output_limit=1_000))
    assert len(json.dumps(results)) <= 1_500
    jsonschema.validate(results, RESULTS_SCHEMA)


# C0 controls but newline and tab, DEL, C1 controls, bidi embeddings, overrides and isolates
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ESCAPES = "\x1b[2J\x1b[H\x1b]0;all tests passed\x07total 1/1\r\x9b2J\u202e\b"


def test_escape_codes_in_feedback_reach_gradescope_as_visible_text():
    results = results_json(_result_with_feedback(ESCAPES), Settings())
    assert all(not CONTROL.search(t["output"]) and "\\x1b[2J\\x1b[H" in t["output"] for t in results["tests"])
    jsonschema.validate(results, RESULTS_SCHEMA)


def test_escape_codes_and_a_flood_in_a_submission_leave_results_json_small_and_clean(autograder_zip, tmp_path):
    source = (
        (ROOT / "solutions" / ASSIGNMENT / "foundations.py").read_text()
        + f"""

def relu_forward(x):
    raise ValueError({ESCAPES!r})


def sigmoid_forward(x):
    return "x" * {8 * 2**20}, None
"""
    )
    results = run_autograder(autograder_zip, tmp_path, {"foundations.py": source})
    tests = {t["name"].split(": ")[1]: t for t in results["tests"]}
    assert (
        tests["relu_forward"]["score"] == 0
        and tests["sigmoid_forward"]["score"] < tests["sigmoid_forward"]["max_score"]
    )
    assert tests["tanh_forward"]["score"] == tests["tanh_forward"]["max_score"]
    assert "\n\\x9b2J\\u202e\\x08" in tests["relu_forward"]["output"]  # the message's last line, after its \r
    assert "[8388608 characters]" in tests["sigmoid_forward"]["output"]
    assert not [t for t in results["tests"] if CONTROL.search(t["output"]) or len(t["output"]) > 8_000]
    assert (tmp_path / "autograder/results/results.json").stat().st_size < 50_000
