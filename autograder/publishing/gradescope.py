"""`course release --bundle gradescope`: the autograder zip, and what runs inside it.

The zip holds Gradescope's two scripts at its root (setup.sh builds the image once;
run_autograder runs for every submission), the course (course.yml, the grader, solutions/),
pyproject.toml and the offering's grading secret, so that it grades on the official inputs.
run_autograder calls `python -m autograder.publishing.gradescope ROOT ASSIGNMENT...`, which
grades ROOT/submission with `course grade` in a separate process (the sandboxed worker, where
the grader has one, keeps student code away from the reference) and always writes a
schema-valid ROOT/results/results.json: one test per task, visibility from the `gradescope:`
section of course.yml, feedback cut to the configured length. ROOT is /autograder on Gradescope;
$AUTOGRADER_ROOT overrides it (to try the zip on a simulated tree).
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from autograder.course import config
from autograder.course.config import MANIFEST, ConfigError, Course
from autograder.execution.submission import SubmissionError, locate_files
from autograder.grading import case_lists, report
from autograder.grading.registry import load_checks
from autograder.grading.runner import SCHEMA_VERSION, CheckResult
from autograder.publishing.offering import offering_inputs, secret_text
from autograder.publishing.release import IGNORED
from autograder.runtime import language
from autograder.runtime.language import _

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
MAX_RESULTS_BYTES = 1_000_000  # our cap on results.json as a whole (Gradescope shows it all on one page)
TRUNCATED = language.N_("\n... (output truncated)")
OUTPUT_LIMIT = 8_000  # characters of feedback per test: Gradescope's own cap

SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image. The course needs
# Python 3.11 or newer: choose the Ubuntu 24.04 base image in the autograder settings.
set -euo pipefail
apt-get install -y python3 python3-pip python3-venv bubblewrap  # bubblewrap: the grading sandbox
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \\
  || { echo "the course needs Python 3.11+: choose the Ubuntu 24.04 base image" >&2; exit 1; }
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet /autograder/source  # the core install grades everything
"""

RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission. It grades ROOT/submission and always writes
# ROOT/results/results.json. ROOT is /autograder unless AUTOGRADER_ROOT says otherwise;
# AUTOGRADER_PYTHON chooses the Python (default: the image's venv, else python3).
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
[ -x "$PYTHON" ] || PYTHON=python3
cd "$ROOT/source" && exec "$PYTHON" -m autograder.publishing.gradescope "$ROOT" {assignments}
"""

# results.json as Gradescope's autograder specification describes it (the fields we write)
RESULTS_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["score", "tests"],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number", "minimum": 0},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "visibility": {"enum": list(VISIBILITIES)},
        "stdout_visibility": {"enum": list(VISIBILITIES)},
        "extra_data": {"type": "object"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "status", "output", "visibility"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "number": {"type": "string"},
                    "score": {"type": "number", "minimum": 0},
                    "max_score": {"type": "number", "minimum": 0},
                    "status": {"enum": ["passed", "failed"]},
                    "output": {"type": "string"},
                    "visibility": {"enum": list(VISIBILITIES)},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "extra_data": {"type": "object"},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Settings:
    """The `gradescope:` section of course.yml."""

    visibility: str = "visible"  # of the result as a whole
    stdout_visibility: str = "hidden"  # of run_autograder's own log
    tests: dict[str, str] = field(default_factory=dict)  # "default" / assignment / task -> visibility
    output_limit: int = OUTPUT_LIMIT  # characters of feedback kept per test
    timeout: int = 540  # seconds of grading before giving up (Gradescope's own limit is 10 minutes)

    def test_visibility(self, assignment: str, task: str) -> str:
        return self.tests.get(task) or self.tests.get(assignment) or self.tests.get("default", "visible")


def _visibility(value, where: str) -> str:
    if value not in VISIBILITIES:
        raise ConfigError(f"{MANIFEST}: {where} must be one of {', '.join(VISIBILITIES)}, got {value!r}")
    return value


def load_settings(course: Course) -> Settings:
    """The `gradescope:` section of course.yml (every entry optional), checked against the course."""
    data = course.manifest.get("gradescope") or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{MANIFEST}: gradescope must be a mapping")
    unknown = set(data) - {"visibility", "stdout_visibility", "tests", "output_limit", "timeout"}
    if unknown:
        raise ConfigError(f"{MANIFEST}: gradescope has unknown entries: {', '.join(sorted(unknown))}")
    tests = data.get("tests", "visible")
    tests = {"default": tests} if isinstance(tests, str) else dict(tests)
    names = {"default"} | {a.id for a in course.assignments} | {t.name for t in course.tasks}
    for name, value in tests.items():
        if name not in names:
            raise ConfigError(f"{MANIFEST}: gradescope.tests.{name} is neither an assignment nor a task")
        _visibility(value, f"gradescope.tests.{name}")
    limits = {}
    for key, ceiling in (("output_limit", OUTPUT_LIMIT), ("timeout", None)):
        if key in data:
            value = data[key]
            if type(value) is not int or value < 1 or (ceiling and value > ceiling):
                raise ConfigError(
                    f"{MANIFEST}: gradescope.{key} must be an int from 1" + (f" to {ceiling}" if ceiling else "")
                )
            limits[key] = value
    return Settings(
        _visibility(data.get("visibility", "visible"), "gradescope.visibility"),
        _visibility(data.get("stdout_visibility", "hidden"), "gradescope.stdout_visibility"),
        tests,
        **limits,
    )


def _cut(text: str, limit: int) -> str:
    truncated = _(TRUNCATED)
    return text if len(text) <= limit else text[: max(0, limit - len(truncated))] + truncated


def results_json(result: dict, settings: Settings | None = None, *, note: str = "") -> dict:
    """Gradescope's results.json for a grading result (docs/results.md): one test per task, its
    checks' feedback as output, visibility from settings, every output cut so that the whole
    stays under MAX_RESULTS_BYTES. The only Gradescope renderer: `course grade --format
    gradescope`, the gradebook's exports and run_autograder all use it."""
    settings = settings or Settings()
    result = report.shown(result)
    tests = []
    for task in result["tasks"]:
        marks = {True: _("PASS"), False: _("FAIL")}
        output = "\n".join(
            f"{marks[c['passed']]} {c['name']}" + (f"\n{c['feedback']}" if c["feedback"] else "")
            for c in task["checks"]
        )
        tests.append(
            {
                "name": f"{task['assignment']}: {task['task']}",
                "score": task["score"],
                "max_score": task["max_score"],
                "status": "passed" if task["status"] == "passed" else "failed",
                "output": output,
                "visibility": settings.test_visibility(task["assignment"], task["task"]),
            }
        )
    total = _("Total {score}").format(score=f"{report.points(result['score'])}/{report.points(result['max_score'])}")
    results = {
        "score": result["score"],
        "execution_time": result.get("timing", {}).get("seconds", 0),
        "output": f"{note}\n{total}" if note else total,
        "visibility": settings.visibility,
        "stdout_visibility": settings.stdout_visibility,
        "tests": tests,
    }
    limit = settings.output_limit
    while True:
        for test in results["tests"]:
            test["output"] = _cut(test["output"], limit)
        results["output"] = _cut(results["output"], limit)
        if len(json.dumps(results).encode()) <= MAX_RESULTS_BYTES or limit <= 200:
            return results
        limit //= 2


def failed_result(course: Course, assignment_ids, reason: str) -> dict:
    """A grading result in which every task failed for one reason (the grading did not finish)."""
    tasks = [
        {
            "assignment": t.assignment,
            "task": t.name,
            "score": 0.0,
            "max_score": t.points,
            "status": "error",
            "checks": [asdict(CheckResult(_("grading"), False, reason, "error"))],
        }
        for a in assignment_ids
        for t in course.assignment(a).tasks
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "score": 0.0,
        "max_score": sum(t["max_score"] for t in tasks),
        "profile": "full",
        "inputs": "official",
        "tasks": tasks,
        "timing": {"seconds": 0.0},
    }


def grade_submission(course: Course, submission: Path, assignment_ids, settings: Settings) -> tuple[dict, str]:
    """The result of `course grade` on submission (full profile), and a note for the student
    when the grading could not be done."""
    try:
        found = locate_files(course, submission)
    except SubmissionError:
        found = {}
    wanted = sorted({f for a in assignment_ids for f in course.assignment(a).files})
    if not any(assignment in assignment_ids for assignment, _ in found):
        reason = _("None of the files to submit ({files}) was found in your submission.").format(
            files=", ".join(wanted)
        )
        return failed_result(course, assignment_ids, reason), reason
    with tempfile.TemporaryDirectory(prefix="course-gradescope-") as scratch:
        out = Path(scratch) / "result.json"
        command = [
            sys.executable,
            "-m",
            "autograder",
            "--course",
            str(course.root),
            "grade",
            str(submission),
            "--only",
            *assignment_ids,
            "--format",
            "json",
            "--out",
            str(out),
        ]
        try:
            run = subprocess.run(command, cwd=course.root, capture_output=True, text=True, timeout=settings.timeout)
        except subprocess.TimeoutExpired:
            reason = _("Grading did not finish within {seconds} seconds.").format(seconds=settings.timeout)
            return failed_result(course, assignment_ids, reason), reason
        print(run.stdout + run.stderr)  # run_autograder's log (stdout_visibility says who sees it)
        if run.returncode != 0 or not out.is_file():
            reason = _("The grader could not grade this submission; the course staff can see why in the log.")
            return failed_result(course, assignment_ids, reason), reason
        return json.loads(out.read_text(encoding="utf-8")), ""


def run(root: Path, assignment_ids) -> dict:
    """Grade root/submission and write root/results/results.json (always); returns it."""
    started = time.perf_counter()
    try:
        course = config.load(root / "source")
        settings = load_settings(course)
    except Exception as error:  # noqa: BLE001 - results.json must be written whatever happened
        print(f"the autograder cannot read its course: {error!r}")
        results: dict[str, Any] = {
            "score": 0.0,
            "output": _("The autograder is misconfigured; the course staff can see why in the log."),
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [],
        }
    else:
        language.use(language.choose(None, course.language))  # course.yml's, unless the environment says
        try:
            result, note = grade_submission(course, root / "submission", assignment_ids, settings)
        except Exception as error:  # noqa: BLE001 - as above
            note = _("The grader failed ({error}); the course staff can see why in the log.").format(
                error=type(error).__name__
            )
            print(f"grading failed: {error!r}")
            result = failed_result(course, assignment_ids, note)
        results = results_json(result, settings, note=note)
    results["execution_time"] = round(time.perf_counter() - started, 3)
    target = root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"results.json: {results['score']:g} points, {len(results['tests'])} tests")
    return results


def _add(archive: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (mode | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _tree(folder: Path):
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not IGNORED.intersection(relative.parts) and path.suffix != ".pyc":
            yield path, relative


def build_zip(course: Course, out: Path, assignment_ids) -> None:
    """Write the Gradescope autograder zip for these assignments to out, with the offering's secret."""
    load_settings(course)  # a malformed gradescope: section fails here, not on Gradescope
    if not (course.root / "solutions").is_dir():
        raise ConfigError(f"{course.root}: the Gradescope bundle needs the reference solutions (solutions/)")
    inputs = offering_inputs(course)
    load_checks(assignment_ids)  # the official case lists go along: no submission draws them again
    lists = case_lists.draw_all(course, course.select(list(assignment_ids)), "full", inputs)
    grader = Path(__file__).resolve().parents[1]  # autograder/
    with zipfile.ZipFile(out, "w") as archive:
        _add(archive, "setup.sh", SETUP.encode(), 0o755)
        _add(archive, "run_autograder", RUN.format(assignments=" ".join(assignment_ids)).encode(), 0o755)
        _add(archive, course.secret_file, secret_text(inputs).encode(), 0o600)
        for name in (MANIFEST, "pyproject.toml"):
            _add(archive, name, (course.root / name).read_bytes())
        for folder, base in ((grader, "autograder"), (course.root / "solutions", "solutions")):
            for path, relative in _tree(folder):
                _add(archive, f"{base}/{relative.as_posix()}", path.read_bytes())
        for name, text in lists:
            _add(archive, name, text.encode(), 0o600)


def main(argv=None) -> int:
    """`python -m autograder.publishing.gradescope ROOT ASSIGNMENT...`: what run_autograder runs."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print("usage: python -m autograder.publishing.gradescope ROOT ASSIGNMENT...", file=sys.stderr)
        return 2
    run(Path(args[0]), args[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
