"""Grade a class on a Dask distributed cluster: `course grade ... --dask tcp://HOST:PORT`.

Each submission is one task: its course files travel with it, and whichever Dask worker takes
it grades it there, as `course grade` would on that machine (in a sandboxed worker process,
with bubblewrap where the batch uses it). Results come back as they finish and go into the
local gradebook one by one (classgrading/batch.py), so an interrupted run resumes where it
stopped. A Dask worker grades with its own course tree ($COURSE_ROOT, else the folder it was
started in) and its own grading secret, never one sent over the network: it refuses a task
whose course version (course.yml, the grader, the reference, the versions and the inputs'
identity: batch.course_version) differs from the grader's, so grades are those of a local run.
The machines, and what each needs, are in docs/scaling.md. Needs the `dask` extra.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import tempfile
import threading
from pathlib import Path

from autograder.classgrading.batch import Settings, _failure, _grade_one, course_version
from autograder.course import config
from autograder.course.config import ConfigError, Course
from autograder.execution import sandbox
from autograder.execution.sandbox import SandboxError
from autograder.execution.submission import SubmissionError, locate_files
from autograder.grading.determinism import PRACTICE, Inputs, official_inputs
from autograder.runtime.language import _, use

_one_at_a_time = threading.Lock()  # grading sets global random states: one grading per process


class CourseMismatch(Exception):
    """A Dask worker's course is not the grader's: no grade from it could be trusted."""


def packed_files(course: Course, folder: Path) -> dict[str, bytes]:
    """The course files of a submission, by "assignment/file": what travels to the worker."""
    return {
        f"{assignment}/{name}": path.read_bytes() for (assignment, name), path in locate_files(course, folder).items()
    }


@functools.lru_cache(maxsize=4)
def _worker_course(root: str, identity: str) -> tuple[Course, Inputs, str]:
    """This machine's course at root, its inputs named identity, and its version on them."""
    course = config.load(Path(root))
    inputs = PRACTICE if identity == PRACTICE.identity else official_inputs(course)
    if inputs is None or inputs.identity != identity:
        told = _("the course at {root} has no grading secret, or another one, than the grader's")
        raise CourseMismatch(told.format(root=root))
    return course, inputs, course_version(course, inputs)


def grade_packed(files: dict[str, bytes], settings: Settings, identity: str, version: str) -> dict:
    """Grade one submission on this machine (a Dask task): its files are written to a scratch
    folder and graded with the settings, on this machine's inputs of that identity."""
    use(settings.language)  # a mismatch is told in the grader's language too
    root = os.environ.get("COURSE_ROOT") or str(config.find_root(Path.cwd()))
    course, inputs, here = _worker_course(root, identity)
    if here != version:
        told = _(
            "the course at {root} is not the grader's (another course.yml, grader, reference or "
            "version of Python, numpy or Hypothesis): install the same course on every machine"
        )
        raise CourseMismatch(told.format(root=root))
    folder = Path(tempfile.mkdtemp(prefix="course-dask-"))
    try:
        for name, data in files.items():
            assignment, file_name = name.split("/")
            (folder / assignment).mkdir(exist_ok=True)
            (folder / assignment / file_name).write_bytes(data)
        with _one_at_a_time:
            return _grade_one(course, folder, dataclasses.replace(settings, inputs=inputs))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def runner(address: str):
    """A batch runner (grade_batch's `run`) that grades on the Dask scheduler at address. Where
    this machine grades in bubblewrap (the gradebook's key says so), every machine must."""

    def run(pending: dict[str, Path], course: Course, settings: Settings, jobs: int, finished) -> None:
        try:
            from distributed import Client, as_completed
        except ImportError:
            raise ConfigError(_("--dask needs the dask extra: pip install 'dl-course[dask]'")) from None
        bwrap = settings.isolated and sandbox.choose_bwrap(settings.sandbox, warn=False) is not None
        # the secret stays home: the task names the inputs by their identity (a one-way hash)
        sent = dataclasses.replace(settings, inputs=PRACTICE, sandbox="bwrap" if bwrap else settings.sandbox)
        identity, version = settings.inputs.identity, course_version(course, settings.inputs)
        with Client(address, timeout="30s") as client:
            futures = {}
            for key, folder in pending.items():
                try:
                    files = packed_files(course, folder)
                except (OSError, SubmissionError) as error:
                    finished(key, None, _failure(error))
                    continue
                task = client.submit(grade_packed, files, sent, identity, version, key=f"grade-{key}", pure=False)
                futures[task] = key
            for task in as_completed(futures):
                try:
                    result = task.result()
                except (CourseMismatch, SandboxError) as error:
                    client.cancel(list(futures))
                    raise ConfigError(_("a Dask worker cannot grade this batch: {error}").format(error=error)) from None
                except Exception as error:  # noqa: BLE001 - see batch._failure
                    finished(futures[task], None, _failure(error))
                else:
                    finished(futures[task], result)

    return run
