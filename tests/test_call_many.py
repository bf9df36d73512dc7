"""Calls made one after another in one message (Submission.call_many): the same student code runs,
and the same replies and failures come back, in process and in a worker, and a worker still
answers for each call within the limit per call."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from autograder.execution import sandbox
from autograder.execution.in_process import InProcessSubmission
from autograder.execution.submission import Call, CallAborted, StudentError
from autograder.execution.worker_client import CALLS_PER_MESSAGE, WorkerSubmission
from autograder.grading.numeric import gradcheck
from autograder.runtime import wire

# sigmoid_forward(x) notes x[0] and answers how many calls it has seen; 2 raises, 4 takes 20 ms
# (longer than a worker holds a reply back), 5 never ends; relu_forward tells what
# sigmoid_forward has seen
COUNTING = """
import time
import numpy as np

seen = []

def sigmoid_forward(x):
    seen.append(float(x[0]))
    if x[0] == 2:
        raise ValueError("two")
    if x[0] == 4:
        time.sleep(0.02)
    while x[0] == 5:
        pass
    return np.array([len(seen)], dtype=float), None

def relu_forward(x):
    return np.array(seen), None

def tanh_forward(x):
    return np.random.rand(2), None
"""

LIMITS = sandbox.Limits(timeout=1.5, memory_mb=512)
KINDS = ["in-process", "worker"]


@pytest.fixture
def student(tmp_path):
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "foundations.py").write_text(COUNTING)
    return folder


def _open(kind, course, folder):
    if kind == "in-process":
        return InProcessSubmission(course, folder)
    return WorkerSubmission(course, folder, limits=LIMITS)


def _calls(*firsts) -> list[Call]:
    return [Call("sigmoid_forward", (np.array([float(first)]),), {}, (1,)) for first in firsts]


def _seen(submission) -> list[float]:
    return submission.call("relu_forward", (np.zeros(1),), {}, (1,)).value[0].tolist()


@pytest.mark.parametrize("kind", KINDS)
def test_the_call_that_fails_raises_where_its_reply_stands_and_the_calls_after_it_are_not_made(course, student, kind):
    submission = _open(kind, course, student)
    try:
        replies = submission.call_many(_calls(0, 1, 2, 3))
        assert [next(replies).value[0].tolist() for _ in range(2)] == [[1.0], [2.0]]
        with pytest.raises(StudentError, match="two"):
            next(replies)
        assert _seen(submission) == [0.0, 1.0, 2.0]
    finally:
        submission.close()


@pytest.mark.parametrize("kind", KINDS)
def test_every_call_is_made_whatever_the_caller_reads(course, student, kind):
    """So that a check which stops at its first reply runs the same student code everywhere."""
    submission = _open(kind, course, student)
    try:
        next(submission.call_many(_calls(0, 1, 3)))
        assert _seen(submission) == [0.0, 1.0, 3.0]
    finally:
        submission.close()


@pytest.mark.parametrize("kind", KINDS)
def test_more_calls_than_one_message_holds_come_back_in_order(course, student, kind):
    count = CALLS_PER_MESSAGE * 2 + 7
    submission = _open(kind, course, student)
    try:
        values = [reply.value[0][0] for reply in submission.call_many(_calls(*[10 + i for i in range(count)]))]
        assert values == list(range(1, count + 1))
        assert _seen(submission) == [10.0 + i for i in range(count)]
    finally:
        submission.close()


def test_calls_drawing_from_np_random_draw_as_in_process_and_leave_the_state_as_in_process(course, student):
    """Only the last reply of a message carries the worker's random states: the grader takes
    them over once it has read every reply, as in process, where every call is made first."""
    drawn = {}
    for kind in KINDS:
        submission = _open(kind, course, student)
        np.random.seed(3)
        try:
            calls = [Call("tanh_forward", (np.zeros(1),), {}, (1,))] * 3
            drawn[kind] = [reply.value[0].tolist() for reply in submission.call_many(calls)]
            drawn[kind].append(np.random.rand())
            drawn[kind] += submission.call("tanh_forward", (np.zeros(1),), {}, (1,)).value[0].tolist()
        finally:
            submission.close()
    assert drawn["in-process"] == drawn["worker"]
    assert len({str(values) for values in drawn["worker"][:3]}) == 3


@pytest.mark.parametrize("before", [0, 4])  # a reply the worker may hold back, and one it writes
def test_in_a_worker_each_call_has_the_limit_per_call_and_a_stuck_one_ends_its_task(course, student, before):
    """A call that never ends stands for the run of calls of its task before it in the message,
    whether or not their replies got out first; the calls of another task before them keep theirs."""
    submission = WorkerSubmission(course, student, limits=LIMITS)
    try:
        start = time.monotonic()
        replies = submission.call_many([Call("relu_forward", (np.zeros(1),), {}, (1,)), *_calls(before, 5, 1)])
        assert next(replies).value[0].tolist() == []
        with pytest.raises(CallAborted, match="the limit per call"):
            next(replies)
        assert time.monotonic() - start < 3 * LIMITS.timeout
        with pytest.raises(CallAborted, match="was not called again"):
            submission.call("sigmoid_forward", (np.zeros(1),), {}, (1,))
    finally:
        submission.close()


def test_a_reply_naming_an_argument_the_call_did_not_have_is_malformed(course, student):
    submission = WorkerSubmission(course, student, limits=LIMITS)
    try:
        forged = {"id": 0, "status": "ok", "value": None, "warnings": [], "changed": ["argument 2"], "output": ""}
        with pytest.raises(CallAborted, match="cannot read"):
            submission._reply("sigmoid_forward", forged, (), (np.zeros(1),), {})
    finally:
        submission.close()


def test_frames_read_together_are_kept_for_the_next_read_only_when_asked():
    read, write = os.pipe()
    try:
        os.write(write, wire.frame({"n": 1}) + wire.frame({"n": 2}))
        rest = bytearray()
        assert wire.parse(wire.receive(read, time.monotonic() + 1, 2**20, rest)) == {"n": 1}
        assert wire.parse(wire.receive(read, time.monotonic() + 1, 2**20, rest)) == {"n": 2}
        assert not rest
        os.write(write, wire.frame({"n": 3}) + wire.frame({"n": 4}))
        with pytest.raises(wire.WireError, match="bytes after the reply"):
            wire.receive(read, time.monotonic() + 1, 2**20)
    finally:
        os.close(read)
        os.close(write)


def test_gradcheck_asks_for_every_loss_of_a_passing_check_at_once():
    asked = []

    def losses(points):
        asked.append(len(points))
        return (float(np.sum(np.sin(point["W"])) + np.sum(point["b"] ** 2)) for point in points)

    W, b = np.linspace(-1, 1, 6).reshape(2, 3), np.array([0.5, -2.0])
    gradcheck(losses, {"W": W, "b": b}, {"W": np.cos(W), "b": 2 * b}, seed=0)
    assert asked == [1 + 4 * 2]
