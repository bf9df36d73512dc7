"""Grade a class: many submissions in parallel processes, into a gradebook, with a progress bar.

Each submission is a folder (a course tree, an assignments/ folder or loose files) or a .zip of
one (an LMS export is a folder of these). Each is graded in its own grader process from a
pool, its student code in a sandboxed worker (autograder.execution.worker_client). A submission that cannot
be read is reported and skipped; a result already in the gradebook under the same key is
reused instead of graded again, so an interrupted batch resumes where it stopped.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import json
import lzma
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

import hypothesis
import numpy as np

from autograder.classgrading.blas_threads import set_blas_threads
from autograder.classgrading.gradebook import Gradebook
from autograder.course.config import MANIFEST, Course
from autograder.execution import sandbox
from autograder.execution.submission import FILE_LIMIT, SubmissionError, locate_files
from autograder.grading import case_lists, sanitize
from autograder.grading.determinism import PRACTICE, Inputs
from autograder.grading.mistake_registry import load_mistakes
from autograder.grading.reference import reference
from autograder.grading.registry import load_checks
from autograder.grading.runner import grade_folder
from autograder.runtime.language import SOURCE, _, use

ZIP_MEMBERS = 2_000  # entries a zip may have
ZIP_TOTAL_BYTES = 50 * 2**20  # size of everything extracted from one zip


@dataclass(frozen=True)
class Settings:
    """How every submission of a batch is graded."""

    names: tuple[str, ...] | None = None  # tasks or assignments; all when None
    profile: str = "full"
    isolated: bool = True  # in a sandboxed worker process (False: in the grader's process)
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)
    sandbox: str = "auto"  # auto, bwrap or none
    inputs: Inputs = PRACTICE  # the official inputs of an offering's secret, or the public practice ones
    language: str = SOURCE  # of the feedback (autograder/runtime/language.py)


@dataclass
class Entry:
    """One submission of a batch."""

    student: str
    source: str  # the path as given
    folder: Path | None = None  # where its files are (an extraction, for a zip)
    files: str = ""  # hash of its course files
    key: str = ""  # its gradebook key
    problem: str = ""  # why it cannot be graded


@dataclass
class Outcome:
    """What a batch produced."""

    graded: list[tuple[Entry, dict]]  # in the order given
    problems: list[Entry]
    reused: int  # results taken from the gradebook instead of graded


def course_version(course: Course, inputs: Inputs = PRACTICE) -> str:
    """A hash of what decides a grade: course.yml, the grader's code, the reference solutions,
    the versions of Python, numpy and Hypothesis, and the inputs (by the secret's identity, a
    hash: a new secret regrades everyone)."""
    digest = hashlib.sha256()
    grader = Path(__file__).resolve().parents[1]  # autograder/
    files = [(course.root / MANIFEST, course.root)]
    files += [(p, grader) for p in sorted([*grader.rglob("*.py"), *grader.rglob("*.mo")])]
    files += [(p, course.root) for p in sorted((course.root / "solutions").rglob("*.py"))]
    for path, base in files:
        digest.update(path.relative_to(base).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(f"python {sys.version_info[:2]} numpy {np.__version__} hypothesis {hypothesis.__version__}".encode())
    digest.update(f"inputs {inputs.identity}".encode())
    return digest.hexdigest()


def files_hash(course: Course, folder: Path) -> str:
    """A hash of the course files found in a submission (SubmissionError when there are none)."""
    found = locate_files(course, folder)
    if not found:
        raise SubmissionError(_("none of the course's files found"))
    digest = hashlib.sha256()
    for (assignment, name), path in sorted(found.items()):
        digest.update(f"{assignment}/{name}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def result_key(files: str, version: str, settings: Settings, tasks: list[str], bwrap: bool) -> str:
    """The gradebook key of a submission's result: its files, the course version, and how it is
    graded (profile, tasks, isolation and limits) and in which language its feedback is written."""
    isolation = {"limits": asdict(settings.limits), "bwrap": bwrap} if settings.isolated else "in-process"
    text = json.dumps([files, version, settings.profile, tasks, isolation, settings.language], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def unpack_zip(path: Path, dest: Path) -> Path:
    """Extract the .py files of a zip into dest (no absolute or upward paths, bounded sizes)."""
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > ZIP_MEMBERS:
                raise SubmissionError(
                    _("{path}: more than {count} files in the zip").format(path=path, count=ZIP_MEMBERS)
                )
            total = 0
            for member in members:
                name = PurePosixPath(member.filename.replace("\\", "/"))
                if name.suffix != ".py" or name.is_absolute() or ".." in name.parts:
                    continue
                with archive.open(member) as source:
                    data = source.read(FILE_LIMIT + 1)  # the size in the header may lie
                total += len(data)
                if len(data) > FILE_LIMIT or total > ZIP_TOTAL_BYTES:
                    raise SubmissionError(
                        _("{path}: {file} is larger than {size} MiB").format(
                            path=path, file=member.filename, size=FILE_LIMIT // 2**20
                        )
                        if len(data) > FILE_LIMIT
                        else _("{path}: more than {size} MiB of files in the zip").format(
                            path=path, size=ZIP_TOTAL_BYTES // 2**20
                        )
                    )
                target = dest.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        lzma.LZMAError,
        NotImplementedError,
        OSError,
        RuntimeError,
        ValueError,
        EOFError,
    ) as error:  # bz2's errors are OSErrors
        raise SubmissionError(_("{path}: not a readable zip file ({error})").format(path=path, error=error)) from None
    return dest


def discover(course: Course, paths: list[Path], scratch: Path) -> list[Entry]:
    """The entries for the given paths, zips extracted under scratch, problems noted: whatever
    goes wrong while reading one submission is its own problem, never the batch's. Names, paths
    and problems are bounded and escaped here (autograder.grading.sanitize), once for every output."""
    entries = []
    for index, path in enumerate(paths):
        path = Path(path)
        is_zip = path.suffix.lower() == ".zip"
        entry = Entry(sanitize.line(path.stem if is_zip else path.name or str(path)), sanitize.line(str(path)))
        try:
            if is_zip and path.is_file():
                entry.folder = unpack_zip(path, scratch / str(index))
            elif path.is_dir():
                entry.folder = path
            elif not path.exists():
                raise SubmissionError(_("no such file or folder"))
            else:
                raise SubmissionError(_("not a folder or a .zip file"))
            entry.files = files_hash(course, entry.folder)
        except SubmissionError as error:
            entry.problem = _problem(str(error) if str(error).startswith(str(path)) else f"{path}: {error}")
        except Exception as error:  # noqa: BLE001 - an unreadable file, a bad name: this submission only
            entry.problem = _problem(
                _("{path}: cannot be read ({error})").format(path=path, error=f"{type(error).__name__}: {error}")
            )
        entries.append(entry)
    names = [e.student for e in entries]
    for entry in entries:  # two submissions named alike: tell them apart by their path
        if names.count(entry.student) > 1:
            entry.student = entry.source
    return entries


class Progress:
    """A progress bar on a terminal, one line per submission otherwise (stderr)."""

    def __init__(self, total: int, stream=None):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()

    def begin(self, jobs: int) -> None:
        """Shown at once, before the first submission is done (that may take minutes)."""
        line = _("grading {total} submissions, {jobs} at a time").format(total=self.total, jobs=min(jobs, self.total))
        self.stream.write(f"\r[{'.' * 30}] 0/{self.total}  {line}" if self.tty else f"[0/{self.total}] {line}\n")
        self.stream.flush()

    def step(self, student: str, note: str) -> None:
        """One more submission is done; note says how it went."""
        self.done += 1
        if not self.tty:
            self.stream.write(f"[{self.done}/{self.total}] {student}: {note}\n")
        else:
            elapsed = time.monotonic() - self.started
            left = elapsed / self.done * (self.total - self.done)
            filled = 30 * self.done // self.total
            left_words = _("{seconds} s left").format(seconds=f"{left:4.0f}")
            self.stream.write(
                f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}  {left_words}  {student[:30]:<30}"
            )
            if self.done == self.total:
                self.stream.write("\n")
        self.stream.flush()


def _grade_one(course: Course, folder: Path, settings: Settings) -> dict:
    """Grade one submission (runs in a pool process)."""
    use(settings.language)
    return grade_folder(
        course,
        folder,
        list(settings.names) if settings.names else None,
        profile=settings.profile,
        isolated=settings.isolated,
        limits=settings.limits,
        sandbox=settings.sandbox,
        inputs=settings.inputs,
    )


def _note(result: dict, reused: bool = False) -> str:
    score = f"{result['score']:g}/{result['max_score']:g}"
    return _("{score} (already graded)").format(score=score) if reused else score


def grade_batch(
    course: Course,
    paths: list[Path],
    settings: Settings,
    *,
    jobs: int = 1,
    gradebook: Gradebook | None = None,
    progress: Progress | None = None,
    run=None,
) -> Outcome:
    """Grade every submission (jobs at a time), recording each result as it finishes; run, if
    given, grades the pending submissions instead of this machine's pool (cluster.runner)."""
    bwrap = settings.isolated and sandbox.choose_bwrap(settings.sandbox, warn=False) is not None
    selected = course.select(list(settings.names) if settings.names else None)
    tasks = [t.name for t in selected]
    assignments = list(dict.fromkeys(t.assignment for t in selected))
    load_checks(assignments)
    load_mistakes(assignments)
    reference(course)  # loaded once here, shared by the forked pool processes
    case_lists.draw_all(course, selected, settings.profile, settings.inputs)  # and the checks' cases
    version = course_version(course, settings.inputs)
    scratch = Path(tempfile.mkdtemp(prefix="course-batch-"))
    try:
        entries = discover(course, paths, scratch)
        results: dict[str, dict] = {}
        pending: dict[str, Path] = {}
        reused = 0
        for entry in entries:
            if entry.problem:
                if gradebook:
                    gradebook.problem(entry.student, entry.source, entry.problem)
                if progress:
                    progress.step(entry.student, _("skipped: {problem}").format(problem=entry.problem))
                continue
            entry.key = result_key(entry.files, version, settings, tasks, bwrap)
            stored = gradebook.result(entry.key) if gradebook else None
            if gradebook and stored is not None:
                results[entry.key] = stored
                reused += 1
                gradebook.link(entry.student, entry.source, entry.key)
                if progress:
                    progress.step(entry.student, _note(stored, reused=True))
            else:
                assert entry.folder is not None  # set with its files hash, before the key
                pending.setdefault(entry.key, entry.folder)

        def finished(key: str, result: dict | None, problem: str = "") -> None:
            owners = [e for e in entries if e.key == key]
            if result is not None:
                results[key] = result
                if gradebook:
                    gradebook.record(
                        key,
                        files=owners[0].files,
                        course_version=version,
                        profile=settings.profile,
                        tasks=tasks,
                        result=result,
                    )
            for entry in owners:
                if result is None:
                    entry.problem = _problem(f"{entry.source}: {problem}")
                    if gradebook:
                        gradebook.problem(entry.student, entry.source, entry.problem)
                elif gradebook:
                    gradebook.link(entry.student, entry.source, key)
                if progress:
                    progress.step(
                        entry.student, _note(result) if result else _("skipped: {problem}").format(problem=problem)
                    )

        if pending and settings.isolated:
            sandbox.choose_bwrap(settings.sandbox)  # warns here, once, not in every pool process
        (run or _run)(pending, course, settings, jobs, finished)
        graded = [(e, results[e.key]) for e in entries if not e.problem and e.key in results]
        return Outcome(graded, [e for e in entries if e.problem], reused)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _problem(message: str) -> str:
    return sanitize.line(message, sanitize.PROBLEM_LIMIT)


def _failure(error: Exception) -> str:
    if isinstance(error, SubmissionError):
        return str(error)
    # a grader failure costs this submission only
    return _("grading failed: {error}").format(error=f"{type(error).__name__}: {error}")


def _pin(cpus) -> None:
    """Keep this process, and the workers it starts, on these CPUs (where the system lets it)."""
    try:
        os.sched_setaffinity(0, cpus)
    except OSError:
        pass


@contextlib.contextmanager
def _on_one_cpu(settings: Settings):
    """While grading in workers, this process and its workers on one CPU (affinity restored).

    A grader and its worker take turns, never running at once: on one CPU each call's hand-over
    is a switch there, much quicker than waking the other on another CPU (a third less time per
    call measured here)."""
    before = os.sched_getaffinity(0)
    threads = None
    if settings.isolated:
        _pin({min(before)})
        threads = set_blas_threads(1)  # a second BLAS thread would only wait there, busily (blas_threads.py)
    try:
        yield
    finally:
        _pin(before)
        if threads is not None:
            set_blas_threads(threads)


def _start_pool_process(counter, cpus: list[int] | None) -> None:
    """A pool process: quiet on Ctrl-C, and with workers on a CPU of its own (round robin)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if cpus:
        with counter.get_lock():
            index, counter.value = counter.value, counter.value + 1
        _pin({cpus[index % len(cpus)]})
        set_blas_threads(1)


def _run(pending: dict[str, Path], course: Course, settings: Settings, jobs: int, finished) -> None:
    """Grade the pending submissions, calling finished(key, result or None, problem) for each."""
    if jobs <= 1 or len(pending) <= 1:
        with _on_one_cpu(settings):
            for key, folder in pending.items():
                try:
                    result = _grade_one(course, folder, settings)
                except Exception as error:  # noqa: BLE001 - see _failure
                    finished(key, None, _failure(error))
                else:
                    finished(key, result)
        return
    # fork: the pool processes start with the grader, its checks and the reference loaded; on
    # Ctrl-C they end quietly (taking their workers with them) and the parent reports
    context = multiprocessing.get_context("fork")
    cpus = sorted(os.sched_getaffinity(0)) if settings.isolated else None
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_start_pool_process, initargs=(context.Value("i", 0), cpus)
    ) as pool:
        futures = {pool.submit(_grade_one, course, folder, settings): key for key, folder in pending.items()}
        try:
            for future in concurrent.futures.as_completed(futures):
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - see _failure
                    finished(futures[future], None, _failure(error))
                else:
                    finished(futures[future], result)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
