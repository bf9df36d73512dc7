"""Batch grading of a class: a mixed class of 20 grades to the expected gradebook, unreadable
submissions are skipped, identical ones are graded once, and an interrupted batch resumes."""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from autograder.classgrading.batch import Progress, Settings, grade_batch
from autograder.classgrading.gradebook import Gradebook, export
from autograder.cli.validate import mistake_problem
from autograder.execution import sandbox
from autograder.grading.mistake_registry import all_mistakes, load_mistakes, write_mutant

TASKS = ("sigmoid_forward", "tanh_forward", "relu_forward", "sgd")
MISTAKES = ("sigmoid_forward_naive_exp", "sigmoid_forward_in_float32", "sigmoid_forward_branches_swapped",
            "relu_forward_overwrites_x", "sgd_ignores_weight_decay", "sgd_updates_w_in_place")
ATTACKS = ("patch_numpy", "patch_grader", "ndarray_subclass", "always_equal", "exit_during_call", "infinite_loop",
           "nan_results", "forge_protocol")
SETTINGS = Settings(TASKS, "quick", limits=sandbox.Limits(timeout=3, memory_mb=512))


def _zip(folder: Path, archive: Path, inside: str) -> Path:
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(folder.rglob("*.py")):
            bundle.write(path, f"{inside}/{path.relative_to(folder)}")
    return archive


def build_class(course, root: Path):
    """(paths, what each student's tasks must score, unreadable paths)."""
    paths, expected = [], {}
    full = {t: course.task(t).points for t in TASKS}
    ignore = shutil.ignore_patterns("__pycache__")
    # correct: the reference as a course tree, as loose files and as an LMS zip (the same files,
    # graded once), and the two alternative students of the example class
    shutil.copytree(ROOT / "solutions", root / "alice" / "assignments", ignore=ignore)
    (root / "bob").mkdir()
    for path in (ROOT / "solutions").rglob("*.py"):
        if path.name != "__init__.py":
            shutil.copy(path, root / "bob" / path.name)
    _zip(ROOT / "solutions", root / "carol.zip", "carol-submission")
    for name in ("ada", "ben"):
        shutil.copytree(ROOT / "examples/class" / name, root / name, ignore=ignore)
    for name in ("alice", "bob", "carol.zip", "ada", "ben"):
        paths.append(root / name)
        expected[name.removesuffix(".zip")] = full
    # mistaken: the reference with one known mistake (the last one handed in as a zip)
    load_mistakes([a.id for a in course.assignments])
    mistakes = {m.name: m for m in all_mistakes()}
    for name in MISTAKES:
        write_mutant(course, mistakes[name], root / f"m-{name}")
        paths.append(root / f"m-{name}")
        expected[f"m-{name}"] = mistakes[name]
    paths[-1] = _zip(paths[-1], root / f"{paths[-1].name}.zip", "upload")
    # malicious: from the adversarial corpus; tasks an attack does not define get nothing
    for attack in ATTACKS:
        shutil.copytree(ROOT / "tests/adversarial" / attack, root / f"x-{attack}")
        paths.append(root / f"x-{attack}")
        scores = yaml.safe_load((ROOT / "tests/adversarial" / attack / "attack.yml").read_text())["scores"]
        expected[f"x-{attack}"] = {t: scores.get(t, 0) for t in TASKS}
    # not started: the stubs
    shutil.copytree(ROOT / "assignments", root / "dora" / "assignments", ignore=ignore)
    paths.append(root / "dora")
    expected["dora"] = {t: 0 for t in TASKS}
    # unreadable: an empty folder, a broken zip, a path that does not exist
    (root / "empty").mkdir()
    (root / "broken.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    unreadable = [root / "empty", root / "broken.zip", root / "missing"]
    return paths, expected, unreadable


def check_result(student: str, result: dict, expected) -> None:
    tasks = {t["task"]: t for t in result["tasks"]}
    assert list(tasks) == list(TASKS)
    if isinstance(expected, dict):
        assert {t: tasks[t]["score"] for t in TASKS} == expected, student
    else:  # a known mistake: loses points on its task with its hint; the rest of its assignment and
        # the assignments before it (handed in as reference files) are right, later ones absent
        assert mistake_problem(expected, tasks[expected.task]) is None, student
        order = ("a0_foundations", "a1_optimizers")  # the course order of TASKS' assignments
        for name, task in tasks.items():
            if name != expected.task:
                handed_in = order.index(task["assignment"]) <= order.index(tasks[expected.task]["assignment"])
                assert task["score"] == (task["max_score"] if handed_in else 0), (student, name)
                assert handed_in or task["status"] == "not_started", (student, name)


def test_a_mixed_class_grades_to_the_expected_gradebook_and_resumes(course, tmp_path, capsys):
    paths, expected, unreadable = build_class(course, tmp_path / "class")
    assert len(paths) == 20
    book_path = tmp_path / "gradebook.sqlite"
    # a first run over part of the class, as if the batch had been stopped there
    book = Gradebook(book_path)
    first = grade_batch(course, paths[:8] + unreadable[:1], SETTINGS, jobs=2, gradebook=book)
    book.close()
    assert first.reused == 0 and len(first.graded) == 8
    stamps = {e.key: Gradebook(book_path).graded_at(e.key) for e, _ in first.graded}
    # the whole class: the first eight come from the gradebook, the rest is graded
    book = Gradebook(book_path)
    outcome = grade_batch(course, paths + unreadable, SETTINGS, jobs=2, gradebook=book, progress=Progress(23))
    book.close()
    assert outcome.reused == 8
    assert {e.key: Gradebook(book_path).graded_at(e.key) for e, _ in first.graded} == stamps
    assert [e.student for e, _ in outcome.graded] == list(expected)
    for entry, result in outcome.graded:
        check_result(entry.student, result, expected[entry.student])
    # alice, bob and carol handed in the same files: one result, three students
    keys = {e.student: e.key for e, _ in outcome.graded}
    assert keys["alice"] == keys["bob"] == keys["carol"] != keys["ada"]
    # unreadable submissions are reported and skipped
    assert [(e.student, e.problem) for e in outcome.problems] == [
        ("empty", f"{unreadable[0]}: none of the course's files found"),
        ("broken", f"{unreadable[1]}: not a readable zip file (File is not a zip file)"),
        ("missing", f"{unreadable[2]}: no such file or folder")]
    progress = capsys.readouterr().err
    assert progress.count("(already graded)") == 8 and "[23/23]" in progress
    # the gradebook holds every result once, and which student handed in what
    with sqlite3.connect(book_path) as db:
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 18
        assert db.execute("SELECT COUNT(DISTINCT student) FROM submissions").fetchone()[0] == 20
        assert db.execute("SELECT COUNT(*) FROM problems WHERE student = 'empty'").fetchone()[0] == 2
        stored = dict(db.execute("SELECT s.student, r.result FROM submissions s JOIN results r USING (key)"))
    assert {s: json.loads(r) for s, r in stored.items()} == {e.student: r for e, r in outcome.graded}
    # exports: one CSV row per student, and per-student JSON and Gradescope results
    export([(e.student, r) for e, r in outcome.graded], tmp_path / "out")
    with open(tmp_path / "out/grades.csv", newline="") as table:
        rows = list(csv.DictReader(table))
    assert [r["student"] for r in rows] == list(expected)
    for row, (entry, result) in zip(rows, outcome.graded):
        assert float(row["score"]) == result["score"]
        assert float(row["a1_optimizers/sgd"]) == next(t["score"] for t in result["tasks"] if t["task"] == "sgd")
        assert json.loads((tmp_path / f"out/results/{entry.student}.json").read_text()) == result
        assert json.loads((tmp_path / f"out/gradescope/{entry.student}.json").read_text())["score"] == result["score"]


def _graded_rows(book: Path) -> dict[str, str]:
    try:
        with sqlite3.connect(book) as db:
            return dict(db.execute("SELECT key, graded_at FROM results"))
    except sqlite3.OperationalError:  # not created yet
        return {}


def test_a_killed_batch_resumes_without_regrading(tmp_path):
    """`course grade` killed after its first result: run again, it grades only the rest."""
    source = (ROOT / "solutions/a1_optimizers/optimizers.py").read_text()
    paths = []
    for i in range(5):  # five different (correct) submissions
        (tmp_path / f"s{i}").mkdir()
        (tmp_path / f"s{i}/optimizers.py").write_text(f"{source}\n# student {i}\n")
        paths.append(str(tmp_path / f"s{i}"))
    book = tmp_path / "book.sqlite"
    command = [sys.executable, "-m", "autograder", "grade", *paths, "--only", "sgd", "momentum", "--quick",
               "--jobs", "1", "--gradebook", str(book)]
    (tmp_path / "tmp").mkdir()  # what the killed run cannot clean up stays here
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path / "tmp")}
    batch = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(2400):
        if _graded_rows(book):
            break
        time.sleep(0.05)
    os.killpg(batch.pid, signal.SIGKILL)
    batch.wait()
    before = _graded_rows(book)
    assert 1 <= len(before) < 5
    rerun = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stderr.count("(already graded)") == len(before)
    after = _graded_rows(book)
    assert len(after) == 5 and all(after[key] == stamp for key, stamp in before.items())
    assert rerun.stdout.count("total 3/3") == 5


@pytest.mark.parametrize("content, words", [
    (b"", "not a readable zip file"),
    (None, "none of the course's files found"),
    ("huge", "larger than 2 MiB"),
])
def test_an_unreadable_zip_is_skipped_not_fatal(course, tmp_path, content, words):
    archive = tmp_path / "upload.zip"
    if content is None:  # a zip holding only unsafe or foreign paths
        with zipfile.ZipFile(archive, "w") as bundle:
            bundle.writestr("../../escape/foundations.py", "x = 1\n")
            bundle.writestr("/absolute/optimizers.py", "x = 1\n")
            bundle.writestr("notes.txt", "hello")
    elif content == "huge":  # a file no student writes, which would fill the worker's folder
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr("foundations.py", "#" * (3 * 2**20))
    else:
        archive.write_bytes(content)
    outcome = grade_batch(course, [archive], SETTINGS)
    assert outcome.graded == [] and words in outcome.problems[0].problem
    assert not (tmp_path.parent / "escape").exists()
