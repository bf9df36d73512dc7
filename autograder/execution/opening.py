"""Open a submission for grading, in this process or in a sandboxed worker."""

from __future__ import annotations

from pathlib import Path

from autograder.course.config import Course
from autograder.execution.in_process import InProcessSubmission
from autograder.execution.submission import Submission, SubmissionError
from autograder.execution.worker_client import WorkerSubmission
from autograder.runtime.language import _


def open_submission(
    course: Course, path: Path, *, isolated: bool = False, limits=None, sandbox: str = "auto"
) -> Submission:
    """The submission at path: in this process, or (isolated) in a sandboxed worker process
    with these limits (autograder.execution.sandbox.Limits) and sandbox mode (auto, bwrap or none)."""
    submission: Submission
    if isolated:
        submission = WorkerSubmission(course, path, limits=limits, mode=sandbox)
    else:
        submission = InProcessSubmission(course, path)
    if not submission.files:
        submission.close()
        files = sorted({f for a in course.assignments for f in a.files})
        raise SubmissionError(
            _("{path}: none of the course's files ({files}) found").format(path=path, files=", ".join(files))
        )
    return submission
