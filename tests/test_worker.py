"""Official grading in a sandboxed worker process: the same grades as in-process grading, what
the sandbox hides, the wire format's strictness, and the worker's life cycle."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, grade_path, processes_mentioning
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.cli.validate import grade_mistake
from autograder.course import config
from autograder.execution import sandbox
from autograder.execution.in_process import InProcessSubmission
from autograder.execution.submission import CallAborted, StudentError
from autograder.execution.worker_client import WorkerSubmission
from autograder.grading.mistake_registry import all_mistakes, load_mistakes
from autograder.grading.runner import grade_folder
from autograder.runtime import wire
from autograder.runtime.plain import Foreign, Handle, Probe, same_plain
from autograder.runtime.random_states import RandomStates

BWRAP = sandbox.bwrap_problem() is None
MODES = ["bwrap", "none"] if BWRAP else ["none"]


def _without_timing(result: dict) -> str:
    result = dict(result)
    result.pop("timing")
    return json.dumps(result, sort_keys=True)


def _in_worker(course, path, names=None, **options):
    return grade_folder(course, Path(path), names, profile="quick", isolated=True, **options)


# ---- the same grades in the worker -------------------------------------------------------------


@pytest.mark.slow
def test_the_reference_gets_full_marks_in_the_worker(course):
    """In-process, the reference passes every check with no feedback (test_grading): so the two
    results are identical exactly when the worker's passes every check too."""
    result = _in_worker(course, ROOT / "solutions")
    assert result["score"] == result["max_score"] > 0
    assert all(c["passed"] and c["feedback"] == "" for t in result["tasks"] for c in t["checks"])


def test_the_stubs_grade_identically_in_the_worker(course):
    assert _without_timing(_in_worker(course, ROOT / "assignments")) == _without_timing(
        grade_path(course, ROOT / "assignments")
    )


def mistakes_to_compare():
    """Every mistake when COURSE_ALL_MISTAKES is set; otherwise a fixed sample of three per
    assignment (those with the smallest hash of their name), which keeps CI quick as the
    library grows while covering every assignment."""
    course = config.load(ROOT)
    load_mistakes([a.id for a in course.assignments])
    chosen = []
    for assignment in course.assignments:
        own = [m for m in all_mistakes() if course.task(m.task).assignment == assignment.id]
        own.sort(key=lambda m: hashlib.sha256(m.name.encode()).hexdigest())
        chosen += own if os.environ.get("COURSE_ALL_MISTAKES") else own[:3]
    return chosen


@pytest.mark.parametrize("known", mistakes_to_compare(), ids=lambda m: m.name)
def test_a_mistake_grades_identically_in_the_worker(course, known):
    in_process = grade_mistake(course, known, profile="quick")
    assert in_process["score"] < in_process["max_score"]
    assert grade_mistake(course, known, profile="quick", isolated=True) == in_process


# ---- what the sandbox hides --------------------------------------------------------------------


def _student(tmp_path, source: str) -> Path:
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "foundations.py").write_text(source)
    return folder


PEEK = f'''
import numpy as np

def sigmoid_forward(x):
    """1 for each secret it could reach: the reference file, the grader package, the network."""
    found = []
    try:
        open({str(ROOT / "solutions/a0_foundations/foundations.py")!r}).read()
        found.append(1.0)
    except OSError:
        found.append(0.0)
    try:
        import autograder
        found.append(1.0)
    except ImportError:
        found.append(0.0)
    import socket
    try:
        socket.create_connection(("127.0.0.1", int(x[0])), timeout=2).close()
        found.append(1.0)
    except OSError:
        found.append(0.0)
    return np.array(found), None
'''


@pytest.mark.parametrize("mode", MODES)
def test_the_worker_sees_neither_the_course_nor_the_network_inside_bubblewrap(course, tmp_path, mode):
    server = socket.create_server(("127.0.0.1", 0))
    submission = WorkerSubmission(course, _student(tmp_path, PEEK), mode=mode)
    try:
        reached = submission.call("sigmoid_forward", (np.array([server.getsockname()[1]]),), {}, (1,)).value[0]
    finally:
        submission.close()
        server.close()
    # the grader's package is never importable (python -I -S, only the runtime modules on the path)
    assert reached[1] == 0.0
    if mode == "bwrap":
        assert list(reached) == [0.0, 0.0, 0.0]
    else:  # the control: without bubblewrap the same code reaches the network, and the course files
        # unless the grader runs as root, when the worker runs as nobody and the course is closed to it
        assert reached[2] == 1.0 and reached[0] == (0.0 if os.geteuid() == 0 else 1.0)


def test_a_course_inside_a_folder_the_sandbox_shows_is_masked():
    mounts = sandbox._bwrap_mounts(hide=[Path("/usr/src/course"), Path("/srv/course")])
    assert mounts[mounts.index("/usr/src/course") - 1] == "--tmpfs" and "/srv/course" not in mounts


def test_bubblewrap_required_but_missing_is_an_error_and_auto_warns_once(monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "bwrap_problem", lambda: "bubblewrap (bwrap) is not installed")
    monkeypatch.setattr(sandbox, "_warned", set())
    with pytest.raises(sandbox.SandboxError):
        sandbox.choose_bwrap("bwrap")
    assert sandbox.choose_bwrap("auto") is None and sandbox.choose_bwrap("auto") is None
    assert capsys.readouterr().err.count("without file-system and network isolation") == 1


# ---- the worker's life cycle -------------------------------------------------------------------

OBJECT = (
    "class sigmoid_forward:\n"
    "    def __init__(self, start):\n        self.total = start\n"
    "    def step(self, value):\n        self.total += value\n        return self.total > 3\n"
    "    def explode(self):\n        raise ValueError('boom')\n"
)


def test_methods_of_a_student_object_are_called_through_its_handle_in_the_worker(course, tmp_path):
    submission = WorkerSubmission(course, _student(tmp_path, OBJECT))
    try:
        (handle,) = submission.call("sigmoid_forward", (1,), {}, opaque=(0,)).value
        assert [submission.call("sigmoid_forward", (handle, 2), {}, method="step").value for _ in range(2)] == [
            False,
            True,
        ]
        assert submission.call("sigmoid_forward", (handle, "total"), {}, method="__getattribute__").value == 5
        for method, args in (("explode", ()), ("no_such_method", ()), ("__getattribute__", ("missing",))):
            with pytest.raises(StudentError):
                submission.call("sigmoid_forward", (handle, *args), {}, method=method)
    finally:
        submission.close()


def test_handles_of_a_dead_worker_fail_cleanly_and_the_next_call_starts_a_new_one(course):
    submission = WorkerSubmission(course, ROOT / "solutions")
    x = np.linspace(-2, 2, 6)
    try:
        out, cache = submission.call("sigmoid_forward", (x,), {}, (1,)).value
        os.killpg(submission.pid, signal.SIGKILL)
        while submission.pid is not None:  # until the kill has landed
            time.sleep(0.01)
        with pytest.raises(CallAborted, match="lost when the worker process ended"):
            submission.call("sigmoid_backward", (np.ones_like(x), cache), {})
        again, _ = submission.call("sigmoid_forward", (x,), {}, (1,)).value
        assert same_plain(out, again)
    finally:
        submission.close()


RANDOM = (
    "import random\nimport numpy as np\n\n"
    "def sigmoid_forward(x):\n    return np.random.rand(2) + random.random(), None\n"
)


def test_global_random_state_follows_the_calls_as_in_process(course, tmp_path):
    """Student code drawing from np.random or random gets what it would in the grader's process
    (where Hypothesis seeds both for every example), and leaves the grader's states as it would."""
    folder = _student(tmp_path, RANDOM)
    drawn = {}
    for name, submission in (
        ("in-process", InProcessSubmission(course, folder)),
        ("worker", WorkerSubmission(course, folder)),
    ):
        np.random.seed(7)
        random.seed(7)
        try:
            drawn[name] = [submission.call("sigmoid_forward", (np.zeros(1),), {}, (1,)).value[0] for _ in range(2)]
            drawn[name] += [np.random.rand(), random.random()]
        finally:
            submission.close()
    assert same_plain(drawn["in-process"], drawn["worker"])


def test_an_argument_the_call_changes_in_place_is_named_in_the_reply(course, tmp_path):
    source = "def relu_forward(x):\n    x += 1\n    return x, None\n"
    submission = WorkerSubmission(course, _student(tmp_path, source))
    try:
        reply = submission.call("relu_forward", (np.zeros(3),), {}, (1,))
        assert reply.mutated == ("argument 1",)
        assert same_plain(reply.value[0], np.ones(3))
    finally:
        submission.close()


@pytest.mark.parametrize(
    ("body", "changed"),
    [
        ("x += 1", ("argument 1",)),
        ("x.shape = (1, 3)", ("argument 1",)),  # its shape changed in place
        ("x.dtype = np.int64", ("argument 1",)),  # its dtype, the bytes unchanged
        ("x[0] = -0.0", ()),  # other bytes, the same values: compared by value
        ("x = x + 1", ()),  # a new array: the argument is as it was
    ],
)
def test_the_arguments_a_call_changed_are_told_by_value_dtype_and_shape(course, tmp_path, body, changed):
    source = f"import numpy as np\n\ndef relu_forward(x):\n    {body}\n    return x, None\n"
    submission = InProcessSubmission(course, _student(tmp_path, source))
    try:
        assert submission.call("relu_forward", (np.array([0.0, 1.0, 2.0]),), {}, (1,)).mutated == changed
    finally:
        submission.close()


def test_a_worker_that_cannot_start_costs_the_call_not_the_grader(course, monkeypatch):
    monkeypatch.setattr(sandbox, "BOOT", "import sys; sys.exit(3)")
    submission = WorkerSubmission(course, ROOT / "solutions", mode="none")
    try:
        with pytest.raises(CallAborted, match="failed to start"):
            submission.call("sgd", (np.zeros(2), np.ones(2), {}), {})
    finally:
        submission.close()


def test_course_check_runs_in_the_worker_on_request(course_copy):
    shutil.copy(course_copy / "solutions/a1_optimizers/optimizers.py", course_copy / "assignments/a1_optimizers/")
    run = subprocess.run(
        [sys.executable, "-m", "autograder", "check", "sgd", "--worker"],
        capture_output=True,
        text=True,
        cwd=course_copy / "assignments",
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 0 and "total 1/1" in run.stdout, run.stderr


# ---- the wire format ---------------------------------------------------------------------------

PLAIN = [
    None,
    True,
    0,
    -(2**80),
    1.5,
    -0.0,
    float("inf"),
    float("nan"),
    "héllo \udc80",
    [1, (2, 3)],
    (),
    [],
    {"$": 1, "b": [np.float32(2.5)], "a": None},
    np.int8(-3),
    np.bool_(True),
    np.complex128(1 - 2j),
    np.arange(6, dtype=np.float32).reshape(2, 3),
    np.asfortranarray(np.ones((2, 3))),
    np.zeros((0, 4)),
    np.array(7.0),
    np.array(["ab", "c"]),
    np.arange(3, dtype=">i4"),
    Foreign("an object of type x.Y"),
]


@pytest.mark.parametrize("value", PLAIN, ids=lambda v: type(v).__name__)
def test_plain_data_crosses_the_wire_unchanged(value):
    back = wire.parse(wire.frame(value)[wire.HEADER.size :])
    assert type(back) is type(value) and same_plain(back, value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.flags.writeable


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (np.array([0.0, 1.0]), np.array([-0.0, 1.0]), True),  # other bytes, the same values
        (np.array([np.nan]), np.frombuffer(struct.pack("<Q", 0x7FF8000000000001), dtype="<f8"), True),
        (np.array([np.nan, 1.0]), np.array([np.nan, 2.0]), False),
        (np.array([1.0, 2.0]), np.array([1.0, 2.0], dtype=np.float32), False),
        (np.array([1.0, 2.0]), np.array([[1.0, 2.0]]), False),
        (np.array([1, 2]), np.array([1, 2]), True),
        (np.array([1, 2]), np.array([1, 3]), False),
    ],
)
def test_same_plain_compares_array_values_not_their_bytes(a, b, same):
    assert same_plain(a, b) is same and same_plain(b, a) is same


def test_requests_carry_handles_and_probes_but_replies_may_not():
    message = (Handle(3), Probe("rng", (7,)))
    body = wire.frame(message)[wire.HEADER.size :]
    assert wire.parse(body, allow=wire.REQUEST_TAGS) == message
    with pytest.raises(wire.WireError):
        wire.parse(body)


def _body(value, tail: bytes = b"") -> bytes:
    """A message body as a forger would write it: any JSON, any bytes after it."""
    text = json.dumps(value).encode() if not isinstance(value, bytes) else value
    return struct.pack(">I", len(text)) + text + tail


def _array(dtype="<f8", shape=(3,), fortran=False, **extra) -> dict:
    return {"$": "array", "dtype": dtype, "shape": list(shape), "fortran": fortran, **extra}


MALFORMED = [
    b"",
    b"\0\0",
    _body(b"not json"),
    _body({"$": "pickle", "data": ""}),
    struct.pack(">I", 1000) + b"[]",  # a JSON part longer than the message
    _body(_array("|O8"), bytes(24)),
    _body(_array("[('a', '<f8')]"), bytes(24)),
    _body(_array("<f8", (3,)), bytes(24) + b"AAAA"),  # bytes no array takes
    _body(_array("<f8", (3,)), bytes(16)),  # an array short of its bytes
    _body([_array("<f8", (2,)), _array("<f8", (2,))], bytes(16)),  # the second one short
    _body(_array("<f8", (3,), data="AAAA"), bytes(24)),  # base64 data inside a message
    _body({"$": "scalar", "dtype": "<U2"}, bytes(8)),
    _body({"$": "scalar", "dtype": "<f8", "shape": [3]}, bytes(24)),
    _body({"$": "dict", "items": [["a", 1], ["a", 2]]}),
    _body(b'{"a": 1, "a": 2}'),
    _body({"$": "tuple", "items": [], "extra": 1}),
    _body({"a": 1, "$": "tuple", "items": []}),
    _body({"$": 7}),
    _body({"$": "foreign", "description": 5}),
    _body(b"[" * 100 + b"]" * 100),
    _body(b"[" * 100000 + b"]" * 100000),
    _body(b"[" + b",".join([b"[]"] * wire.MAX_VALUES) + b"]"),
    _body(b'{"a": ' * 40 + b"1" + b"}" * 40),
    _body(b'{"$": "tuple", "items": [' * 40 + b"1" + b"]}" * 40),
    _body(b"[" * (wire.MAX_DEPTH + 2) + b"]" * (wire.MAX_DEPTH + 2)),  # one level over the limit
    _body(b'"\xff"'),  # not UTF-8
]


def test_values_nested_to_the_limit_decode():
    nested: list = []
    for _ in range(wire.MAX_DEPTH):
        nested = [nested]
    assert wire.parse(wire.frame(nested)[wire.HEADER.size :]) == nested


@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_messages_are_rejected_never_unpickled(body):
    with pytest.raises(wire.WireError):
        wire.parse(body)


FORGED_ARRAYS = [
    _body(_array("<f8", (-2, -3)), np.ones(6).tobytes()),  # the product matches the data
    _body(_array("<f8", (-1,))),
    _body(_array("<f8", (0, -5))),
    _body(_array("<f8", (2**70, 0))),
    _body(_array("<f8", (2**40, 2**40))),
    _body(_array("<f8", (1,) * 70), bytes(8)),
    _body(_array("<U0", (2**40,))),
    _body(_array("<U1000000000", (0,))),
    _body(_array("|V100", (1,)), bytes(100)),
    _body(_array("<f8\xe9", (1,)), bytes(8)),
    _body(_array("<M8[s]", (1,)), bytes(8)),
    _body(_array("<f8", (1,), fortran="yes"), bytes(8)),
    _body(_array("<f8", (1,), fortran=1), bytes(8)),
    _body(_array("<f8", (1.5,)), bytes(8)),
    _body(_array("<f8", (True,)), bytes(8)),
    _body({**_array("<f8", (2,)), "shape": "(2,)"}, bytes(16)),
    _body({**_array("<f8", (2,)), "dtype": ["<f8"]}, bytes(16)),
]


@pytest.mark.parametrize("body", FORGED_ARRAYS, ids=range(len(FORGED_ARRAYS)))
def test_every_malformed_array_header_is_a_wire_error(body):
    with pytest.raises(wire.WireError):
        wire.parse(body)


def test_the_stored_form_keeps_array_bytes_in_the_text_and_reads_back_the_same():
    value = [np.arange(6.0).reshape(2, 3), np.asfortranarray(np.ones((2, 3))), np.int8(-3), (1, {"$": 2})]
    text = wire.to_text(value)
    back = wire.from_text(text)
    assert same_plain(back, value) and back[1].flags.f_contiguous and wire.to_text(back) == text
    with pytest.raises(wire.WireError):  # the bytes belong in the text here
        wire.from_text(json.dumps(_array("<f8", (0,))))


def _decoded_or_wire_error(body) -> None:
    """Decode body: a value, or WireError; any other exception fails the test."""
    try:
        wire.parse(body, allow=wire.VALUE_TAGS | {"handle"})
    except wire.WireError:
        pass


VALID_BODIES = [wire.frame(value)[wire.HEADER.size :] for value in PLAIN] + [
    wire.frame(
        {"id": 3, "status": "ok", "value": (np.ones((2, 3)), Handle(1)), "warnings": [], "changed": [], "output": ""}
    )[wire.HEADER.size :]
]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.sampled_from(VALID_BODIES),
    edits=st.lists(st.tuples(st.integers(0, 2**16), st.binary(min_size=1, max_size=6)), max_size=4),
    cut=st.integers(0, 2**16),
)
def test_mutated_messages_decode_or_are_wire_errors(body, edits, cut):
    for position, replacement in edits:
        position %= len(body) + 1
        body = body[:position] + replacement + body[position + len(replacement) :]
    _decoded_or_wire_error(body[: len(body) - cut % (len(body) + 1)])


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    dtype=st.sampled_from(["<f8", "|b1", "<U3", "<c16", "|O", "<U0", "|S5", "<M8[s]", ">i4"]) | st.text(max_size=12),
    fortran=st.sampled_from([False, True, 0, None, "x", []]),
    shape=st.lists(st.integers(-(2**66), 2**66) | st.integers(-3, 4), max_size=40),
    data=st.binary(max_size=80),
)
def test_forged_array_headers_decode_or_are_wire_errors(dtype, fortran, shape, data):
    _decoded_or_wire_error(_body(_array(dtype, shape, fortran), data))


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    stream=st.binary(max_size=200)
    | st.sampled_from(VALID_BODIES).map(lambda b: wire.HEADER.pack(len(b)) + b)
    | st.tuples(st.integers(0, 2**64 - 1), st.binary(max_size=50)).map(lambda t: wire.HEADER.pack(t[0]) + t[1])
)
def test_the_reading_side_gives_a_message_or_a_wire_error_or_the_end(stream):
    """What the grader reads from a worker's pipe: whatever the bytes, one of three outcomes."""
    read, write = os.pipe()
    try:
        os.write(write, stream)
        os.close(write)
        try:
            _decoded_or_wire_error(wire.receive(read, time.monotonic() + 60, 2**20))
        except (wire.WireError, EOFError):
            pass
    finally:
        os.close(read)


def test_a_frame_larger_than_a_read_arrives_whole_and_the_next_waits_in_rest():
    """Frames of several MiB arrive over many reads; bytes read beyond one are kept for the next."""
    big = np.arange(3 * 2**17, dtype=np.float64)  # 3 MiB of array bytes
    data = wire.frame({"n": 1, "x": big}) + wire.frame({"n": 2})
    read, write = os.pipe()
    writer = threading.Thread(target=lambda: (os.write(write, data), os.close(write)))
    writer.start()
    try:
        rest = bytearray()
        first = wire.parse(wire.receive(read, time.monotonic() + 60, 2**23, rest))
        second = wire.parse(wire.receive(read, time.monotonic() + 60, 2**23, rest))
        assert first["n"] == 1 and same_plain(first["x"], big) and second == {"n": 2} and not rest
    finally:
        writer.join()
        os.close(read)


def test_reading_and_writing_give_up_at_their_deadline():
    """A worker that neither answers nor reads its requests costs the caller one deadline."""
    read, write = os.pipe()
    try:
        os.set_blocking(write, False)
        with pytest.raises(TimeoutError):
            wire.receive(read, time.monotonic() + 0.2, 2**20)
        with pytest.raises(TimeoutError):  # more than the pipe holds, and nobody reads
            wire.send(write, bytes(4 * 2**20), time.monotonic() + 0.2)
    finally:
        os.close(read)
        os.close(write)


@pytest.mark.parametrize(
    "draw",
    [
        lambda: random.random(),
        lambda: random.seed(5),
        lambda: random.gauss(0, 1),  # a cached normal, kept outside the generator
        lambda: random.setstate(random.getstate()[:2] + (None,)),
        lambda: np.random.rand(),
        lambda: np.random.seed(5),
    ],
    ids=["random", "seed", "gauss", "gauss cleared", "numpy", "numpy seed"],
)
def test_the_quick_fingerprint_of_the_random_states_is_their_exact_image(draw):
    from autograder.runtime import random_states

    assert random_states._fingerprint is random_states._memory_fingerprint  # CPython and numpy lay them out as read
    random.seed(1)
    random.gauss(0, 1)
    np.random.seed(1)
    before = random_states._memory_fingerprint()
    assert before == random_states._slow_fingerprint()
    draw()
    after = random_states._memory_fingerprint()
    assert after == random_states._slow_fingerprint() and after != before


def test_a_random_state_of_the_wrong_length_is_refused_before_it_is_unpacked():
    states = RandomStates()
    numpy_state = np.random.get_state()
    with pytest.raises(ValueError):
        states.incoming({"numpy": numpy_state, "python": (3, np.zeros(10**7, dtype=np.int64), None)})


def test_as_root_without_bubblewrap_the_worker_runs_as_nobody_and_the_course_is_closed_to_it(tmp_path):
    """A course in a folder everyone may enter (a checkout in a container): as root without
    bubblewrap the grader closes it and the worker switches to nobody before any student code;
    as an ordinary user, the control, the worker runs as that user and reads the reference."""
    shared = Path(tempfile.mkdtemp(prefix="course-open-"))
    shared.chmod(0o755)
    root = shared / "course"
    try:
        root.mkdir(mode=0o755)
        shutil.copy(ROOT / "course.yml", root)
        shutil.copytree(ROOT / "solutions", root / "solutions")
        root.chmod(0o755)
        source = (
            "import os\nimport numpy as np\n\ndef sigmoid_forward(x):\n    try:\n"
            f"        open({str(root / 'solutions/a0_foundations/foundations.py')!r}).read()\n"
            "        read = 1\n    except OSError:\n        read = 0\n"
            "    return np.array([os.getuid(), read]), None\n"
        )
        submission = WorkerSubmission(config.load(root), _student(tmp_path, source), mode="none")
        try:
            uid, read = submission.call("sigmoid_forward", (np.zeros(1),), {}, (1,)).value[0]
        finally:
            submission.close()
        if os.geteuid() == 0:
            assert (uid, read) == (sandbox.NOBODY, 0) and root.stat().st_mode & 0o077 == 0
        else:
            assert (uid, read) == (os.geteuid(), 1)
    finally:
        shutil.rmtree(shared)


@pytest.mark.parametrize("mode", MODES)
def test_no_worker_outlives_a_killed_grader(course, tmp_path, mode):
    """A grader killed mid-call takes its worker with it (bubblewrap's --die-with-parent, or
    the parent-death signal set for a plain worker)."""
    folder = _student(tmp_path, "def sigmoid_forward(x):\n    while True:\n        pass\n")
    script = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); import numpy as np; from pathlib import Path\n"
        "from autograder.course import config; from autograder.execution.worker_client import WorkerSubmission\n"
        f"s = WorkerSubmission(config.load(Path({str(ROOT)!r})), Path({str(folder)!r}), mode={mode!r})\n"
        "print(s._folder, flush=True); s.call('sigmoid_forward', (np.zeros(1),), {}, (1,))\n"
    )
    grader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    marker = grader.stdout.readline().strip()
    for _ in range(1200):  # until the worker spins in the student's loop: more CPU than a start takes
        if sum(_cpu_seconds(pid) for pid in processes_mentioning(marker)) > 2:
            break
        time.sleep(0.05)
    assert sum(_cpu_seconds(pid) for pid in processes_mentioning(marker)) > 2
    # the worker itself, inside bubblewrap, names the grader's folder nowhere: follow the tree
    workers = {(pid, _started(pid)) for top in processes_mentioning(marker) for pid in _descendants(top)}
    grader.kill()
    grader.wait()
    for _ in range(100):  # the kernel delivers the parent-death signal asynchronously
        if not processes_mentioning(marker) and not any(_started(pid) == start for pid, start in workers):
            break
        time.sleep(0.05)
    assert processes_mentioning(marker) == []
    assert not any(_started(pid) == start for pid, start in workers)
    shutil.rmtree(marker, ignore_errors=True)


def _descendants(pid: str) -> list[str]:
    """pid and every process below it."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(grandchild for child in children for grandchild in _descendants(child))]


def _started(pid: str) -> str | None:
    """When a running process started (so that a reused id is not taken for it), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if stat[0] == "Z" else stat[19]


def _cpu_seconds(pid: str) -> float:
    """CPU time used by a process and the processes below it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_seconds(child) for child in children)
