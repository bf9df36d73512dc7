"""Student code run in the grader's own process: fast self-checks, no isolation."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from autograder.course.config import Course
from autograder.execution.submission import NotStarted, Reply, StudentError, Submission, stage
from autograder.runtime.executor import Executor, load_package


class InProcessSubmission(Submission):
    """Runs student code in this process (fast self-checks; no isolation)."""

    def __init__(self, course: Course, path: Path, *, prefix: str = "_course_submission"):
        self.course = course
        self.path = Path(path)
        self._staging = Path(tempfile.mkdtemp(prefix="course-submission-"))
        self.files = stage(course, self.path, self._staging)
        self._package = load_package(self._staging, prefix)
        self._executor = Executor(self._staging, self._package)

    def import_problem(self, task):
        module, file = self.submitted_module(task, None)
        try:
            self._executor.module(task, module, file)
        except NotStarted:
            return None
        except StudentError as error:
            return error.report
        return None

    def call(self, task, args, kwargs, opaque=(), method=None):
        module, file = self.submitted_module(task, method)
        self._check_deadline(task)
        value, messages, changed, output = self._executor.call(task, module, file, args, kwargs, opaque, method)
        return Reply(value, messages, changed, output)

    def release_handles(self):
        self._executor.release()

    def close(self):
        self._executor.release()
        for name in [n for n in sys.modules if n == self._package or n.startswith(self._package + ".")]:
            del sys.modules[name]
        shutil.rmtree(self._staging, ignore_errors=True)
