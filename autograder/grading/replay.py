"""Reference outputs recorded at release time, replayed where the reference code is absent.

A student bundle has no solutions/, yet its self-checks compare with the reference. At release
(autograder/publishing/record.py), every check runs against the reference through a `Recorder`: an
implementation that answers each question a check asks (`impl.run(task, ...)`, a call of
`impl.task`, a method or attribute of an object the reference returned) from the real reference
and stores the answer under a fingerprint of the question: which implementation, what was asked,
a hash of the inputs and, for an object, of everything asked of it before. In the bundle a
`Replay` answers the same questions from the store. Checks need no change: they see an
implementation either way, and since their cases come from seeded Hypothesis strategies that do
not depend on the student, a student is asked exactly the questions that were recorded.

Known mistakes are recorded the same way, each as an implementation of its own, so that hints
work in the bundle too.

A bundle asks new questions in one place: when a check fails, Hypothesis shrinks the failing
case and tries cases nobody recorded. A question the store cannot answer there marks that
candidate invalid (the shrinker skips it), so a failure shrinks only as far as the recording
reaches. A question it cannot answer on a recorded case is a fault of the bundle, not of the
student: the grading stops with an internal error (`MissingRecording`) that says so.

Stored as JSON (the answers' structure) and .npz (their arrays, as raw bytes), never pickle.
A student bundle records the practice inputs only; the course staff's nbgrader folder adds a
recording of the official inputs (`recorded-official/`), which a store merges with the first:
an answer is keyed by its question, so the two never disagree.
"""

from __future__ import annotations

import builtins
import dataclasses
import hashlib
import json
import struct
from pathlib import Path

import hypothesis
import numpy as np

from autograder.course.config import SECRET_VARIABLE
from autograder.runtime.language import _
from autograder.runtime.plain import Probe, describe_type

FORMAT = 1
FOLDER = "recorded"  # in a course tree: recorded/<assignment>.json and recorded/<assignment>.npz
# the official inputs' recording, in the course staff's nbgrader folder only (never a student's)
OFFICIAL_FOLDER = "recorded-official"
REFERENCE = "reference"  # the variant name of the reference; a mistake's is its own name


class RecordingError(Exception):
    """The release cannot record a check: the reference fails it, or it asks what cannot be stored."""


class MissingRecording(BaseException):
    """The recording has no answer for a question asked of the reference on a recorded case.

    A BaseException, so that no `except Exception` in a check can hide a broken bundle: the
    grading stops with this message instead of scoring anything."""


class UnrecordedCase(BaseException):
    """A question outside the recording, on a case Hypothesis tried while shrinking a failure."""


class RecordedMiss(Exception):
    """A known mistake has no recorded answer here: it is passed over when looking for a hint."""


class RecordedError(Exception):
    """What the recorded implementation raised, raised again (for exceptions not built in)."""


# ---- fingerprints -----------------------------------------------------------------------------


def _feed(digest, value) -> None:
    """Feed a canonical, type-tagged serialization of value into digest."""
    kind = type(value)
    if value is None or kind is bool:
        digest.update(repr(value).encode() + b";")
    elif kind is int:
        digest.update(b"i" + str(value).encode() + b";")
    elif kind is float:
        digest.update(b"f" + struct.pack("<d", value))
    elif kind is complex:
        digest.update(b"c" + struct.pack("<dd", value.real, value.imag))
    elif kind is str:
        data = value.encode()
        digest.update(b"s%d:" % len(data) + data)
    elif kind is bytes:
        digest.update(b"b%d:" % len(value) + value)
    elif kind is np.ndarray and not value.dtype.hasobject:
        digest.update(b"a" + value.dtype.str.encode() + repr(value.shape).encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, np.generic) and kind.__module__ == "numpy" and not value.dtype.hasobject:
        digest.update(b"g" + value.dtype.str.encode() + value.tobytes())
    elif kind is np.dtype:
        digest.update(b"d" + value.str.encode() + b";")
    elif isinstance(value, type) and issubclass(value, np.generic):
        digest.update(b"t" + value.__name__.encode() + b";")
    elif kind in (tuple, list):
        digest.update(b"%s%d" % (b"(" if kind is tuple else b"[", len(value)))
        for item in value:
            _feed(digest, item)
    elif kind is dict:
        digest.update(b"{%d" % len(value))
        for key, item in value.items():
            _feed(digest, key)
            _feed(digest, item)
    elif kind is Probe:
        digest.update(b"p")
        _feed(digest, value.name)
        _feed(digest, value.params)
    elif isinstance(value, (RecordedObject, TaskFunction)):
        digest.update(b"o" + value._state)
    else:
        raise RecordingError(f"{describe_type(value)} cannot be an input of a recorded call")


def fingerprint(*parts) -> bytes:
    """A digest of plain data (probes and recorded stand-ins included), equal exactly when the
    parts are equal, types and dtypes included."""
    digest = hashlib.sha256()
    for part in parts:
        _feed(digest, part)
    return digest.digest()[:16]


class _Method:
    """The answer "this attribute is a method": its calls are questions of their own."""

    def __repr__(self):
        return "<method>"


METHOD = _Method()


# ---- storage ----------------------------------------------------------------------------------


class Arrays:
    """The array bytes of one assignment's recording, in one buffer."""

    def __init__(self, data: bytes = b""):
        self._data = data
        self._added: list[bytes] = []
        self._pending: dict[int, np.ndarray] = {}
        self._size = len(data)

    def add(self, array: np.ndarray) -> list:
        array = np.array(array, copy=True, order="C")
        entry = [array.dtype.str, list(array.shape), self._size]
        self._pending[self._size] = array
        self._added.append(array.tobytes())
        self._size += array.nbytes
        return entry

    def get(self, entry) -> np.ndarray:
        dtype, shape, offset = np.dtype(entry[0]), tuple(entry[1]), entry[2]
        if offset in self._pending:
            return self._pending[offset].copy()
        count = int(np.prod(shape, dtype=np.int64))
        return np.frombuffer(self._data, dtype, count, offset).reshape(shape).copy()

    def buffer(self) -> np.ndarray:
        return np.frombuffer(self._data + b"".join(self._added), np.uint8)


def encode(value, arrays: Arrays, objects: list):
    """value as JSON-ready data: arrays go to `arrays`; anything that is not plain data is
    appended to `objects` and encoded by its position there."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if value is METHOD:
        return {"method": 1}
    if kind is float:
        return value if np.isfinite(value) else {"float": repr(value)}
    if kind is complex:
        return {"complex": [encode(value.real, arrays, objects), encode(value.imag, arrays, objects)]}
    if kind is np.ndarray and not value.dtype.hasobject:
        return {"array": arrays.add(value)}
    if isinstance(value, np.generic) and kind.__module__ == "numpy" and not value.dtype.hasobject:
        return {"scalar": arrays.add(np.asarray(value))}
    if kind in (tuple, list):
        return {kind.__name__: [encode(item, arrays, objects) for item in value]}
    if kind is dict and all(type(key) is str for key in value):
        return {"dict": [[key, encode(item, arrays, objects)] for key, item in value.items()]}
    objects.append(value)
    return {"object": len(objects) - 1}


def decode(data, arrays: Arrays, make_object):
    """The value encode() stored; make_object(i) builds the stand-in of the i-th object."""
    if not isinstance(data, dict):
        return data
    ((tag, content),) = data.items()
    if tag == "float":
        return float(content)
    if tag == "complex":
        return complex(decode(content[0], arrays, make_object), decode(content[1], arrays, make_object))
    if tag == "array":
        return arrays.get(content)
    if tag == "scalar":
        return arrays.get(content)[()]
    if tag in ("tuple", "list"):
        items = [decode(item, arrays, make_object) for item in content]
        return tuple(items) if tag == "tuple" else items
    if tag == "dict":
        return {key: decode(item, arrays, make_object) for key, item in content}
    if tag == "object":
        return make_object(content)
    if tag == "method":
        return METHOD
    raise ValueError(f"unknown recorded value {data!r}")


@dataclasses.dataclass
class Recording:
    """One assignment's recording: answers by question fingerprint, and each check's cases."""

    assignment: str
    answers: dict[str, dict] = dataclasses.field(default_factory=dict)
    cases: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # check id -> case fingerprints
    arrays: Arrays = dataclasses.field(default_factory=Arrays)

    def paths(self, folder: Path) -> tuple[Path, Path]:
        return folder / f"{self.assignment}.json", folder / f"{self.assignment}.npz"

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        index_path, arrays_path = self.paths(folder)
        index = {
            "format": FORMAT,
            "assignment": self.assignment,
            "hypothesis": hypothesis.__version__,
            "cases": self.cases,
            "answers": self.answers,
        }
        index_path.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
        np.savez_compressed(arrays_path, data=self.arrays.buffer())

    @classmethod
    def load(cls, folder: Path, assignment: str) -> Recording:
        index_path, arrays_path = cls(assignment).paths(folder)
        index = json.loads(index_path.read_text(encoding="utf-8"))
        if index.get("format") != FORMAT:
            raise RecordingError(f"{index_path}: recording format {index.get('format')}, this grader reads {FORMAT}")
        if index["hypothesis"] != hypothesis.__version__:
            raise RecordingError(
                f"the reference outputs were recorded with Hypothesis {index['hypothesis']}, this is "
                f"{hypothesis.__version__}: install the course's pinned version (pip install -e .)"
            )
        with np.load(arrays_path, allow_pickle=False) as stored:
            data = stored["data"].tobytes()
        return cls(assignment, index["answers"], index["cases"], Arrays(data))


def raise_recorded(raised) -> None:
    name, message = raised
    kind = getattr(builtins, name, None)
    if isinstance(kind, type) and issubclass(kind, Exception):
        try:
            error = kind(message)
        except TypeError:  # an exception that takes other arguments (UnicodeDecodeError, ...)
            error = RecordedError(f"{name}: {message}")
        raise error
    raise RecordedError(f"{name}: {message}")


# ---- implementations answered from a recording --------------------------------------------------


class RecordedImplementation:
    """What both the recorder and the replay look like to checks: an implementation whose
    answers pass through `answer` (each subclass says where they come from)."""

    def __init__(self, course, variant: str):
        self.course = course
        self.root = course.root
        self.variant = variant

    def answer(self, state: bytes, owner, event: tuple, args: tuple, kwargs: dict, perform):
        """The answer to `event` asked with args/kwargs of the object whose history is `state`
        (b"" for the implementation itself); perform(owner, args, kwargs) computes it live."""
        raise NotImplementedError

    def function(self, task: str) -> TaskFunction:
        return TaskFunction(self, task)

    def __getattr__(self, task: str):
        if task.startswith("_"):
            raise AttributeError(task)
        return self.function(task)

    def run(self, task: str, *args, **kwargs):
        """task(*args, **kwargs) of this implementation on private copies of the arguments."""
        return self.answer(b"", None, ("run", task), args, kwargs, lambda live, a, k: live.run(task, *a, **k))

    def _stand_in(self, key: str, live_objects: list):
        """make_object for decode(): stand-ins keyed by the answer they came in."""
        return lambda i: RecordedObject(self, fingerprint(key, i), live_objects[i] if live_objects else None)


class TaskFunction:
    """`impl.task` of a recorded implementation: a callable answered like impl.run."""

    def __init__(self, source: RecordedImplementation, task: str):
        self._source = source
        self._task = task
        self._state = fingerprint("function", task)

    def __call__(self, *args, **kwargs):
        task = self._task
        return self._source.answer(
            b"", None, ("call", task), args, kwargs, lambda live, a, k: live.function(task)(*a, **k)
        )

    def __repr__(self):
        return f"<{self._task} of {self._source.variant}>"


class RecordedObject:
    """An object the implementation returned, known by the history of what was asked of it.

    Attributes, method calls, items, len(), iteration and calls are answered under a fingerprint
    of the object's history so far: the same history always gets the same answer."""

    def __init__(self, source: RecordedImplementation, state: bytes, live=None):
        object.__setattr__(self, "_source", source)
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_live", live)

    def _ask(self, event, args=(), kwargs=None, perform=None):
        kwargs = kwargs or {}
        answer = self._source.answer(self._state, self._live, event, args, kwargs, perform)
        object.__setattr__(self, "_state", fingerprint(self._state, event, args, kwargs))
        return answer

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)

        def attribute(live, _args, _kwargs):
            value = getattr(live, name)
            return METHOD if callable(value) and getattr(value, "__self__", None) is live else value

        answer = self._ask(("getattr", name), perform=attribute)
        if answer is not METHOD:
            return answer
        return lambda *args, **kwargs: self._ask(
            ("method", name), args, kwargs, lambda live, a, k: getattr(live, name)(*a, **k)
        )

    def __setattr__(self, name, value):
        self._ask(("setattr", name), (value,), None, lambda live, a, _k: setattr(live, name, a[0]))

    def __call__(self, *args, **kwargs):
        return self._ask(("call",), args, kwargs, lambda live, a, k: live(*a, **k))

    def __getitem__(self, key):
        return self._ask(("getitem",), (key,), None, lambda live, a, _k: live[a[0]])

    def __len__(self):
        return self._ask(("len",), perform=lambda live, _a, _k: len(live))

    def __iter__(self):
        return iter(self._ask(("iter",), perform=lambda live, _a, _k: list(live)))

    def __repr__(self):
        return f"<object of {self._source.variant}>"


def question(variant: str, state: bytes, event: tuple, args: tuple, kwargs: dict) -> str:
    return fingerprint(variant, state, event, args, kwargs).hex()


class ReplayStore:
    """The recordings in some folders of a course tree (recorded/*.json and the like), and which
    case is being checked."""

    def __init__(self, *folders: Path):
        self._answers: dict[str, tuple[dict, Arrays]] = {}
        self._cases: dict[str, set[str]] = {}
        for folder in folders:
            for index in sorted(folder.glob("*.json")):
                recording = Recording.load(folder, index.stem)
                for key, stored in recording.answers.items():
                    self._answers[key] = (stored, recording.arrays)
                for check_id, cases in recording.cases.items():
                    self._cases.setdefault(check_id, set()).update(cases)
        self.case_recorded = True  # outside a check every question must be answered

    def enter(self, check_id: str, case) -> None:
        recorded = self._cases.get(check_id)
        self.case_recorded = recorded is None or fingerprint(case).hex() in recorded

    def leave(self) -> None:
        self.case_recorded = True

    def look_up(self, key: str):
        return self._answers.get(key)


class Replay(RecordedImplementation):
    """An implementation that answers only from a recording (no code of its own)."""

    def __init__(self, course, store: ReplayStore, variant: str):
        super().__init__(course, variant)
        self.store = store

    def answer(self, state, owner, event, args, kwargs, perform):
        key = question(self.variant, state, event, args, kwargs)
        found = self.store.look_up(key)
        if found is None or "conflict" in found[0]:
            self._missing(event, args, kwargs)
        stored, arrays = found
        if "raised" in stored:
            raise_recorded(stored["raised"])
        return decode(stored["value"], arrays, self._stand_in(key, []))

    def _missing(self, event, args, kwargs):
        if self.variant != REFERENCE:  # a mistake unrecorded here gives no hint, and rejects no case
            raise RecordedMiss(f"no recorded answer of mistake {self.variant} to {event}")
        if not self.store.case_recorded:
            raise UnrecordedCase(event)
        shapes = ", ".join(_describe(value) for value in (*args, *kwargs.values()))
        raise MissingRecording(
            _(
                "internal error of the course bundle, not of your code: the recorded reference outputs have "
                "no answer to {call} on a case they should cover. Rebuild the bundle with "
                "`course release --bundle student` (or report this to the course staff)."
            ).format(call=f"{' '.join(map(str, event))}({shapes})")
        )


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array{value.shape} {value.dtype}"
    return type(value).__name__


def gate(store: ReplayStore, check):
    """check with its body told to the store: which case it runs on, and a question outside the
    recording while shrinking rejects the case (Hypothesis then tries another)."""
    original = check.body
    if getattr(original, "replay_store", None) is store:
        return check

    def body(ctx, case):
        store.enter(check.id, case)
        try:
            original(ctx, case)
        except UnrecordedCase:
            hypothesis.reject()
        finally:
            store.leave()

    body.replay_store = store  # type: ignore[attr-defined]  # how a bundle finds a gated check's store
    return dataclasses.replace(check, body=body)


def gate_registered_checks(store: ReplayStore) -> None:
    """Gate every check registered so far (idempotent; called whenever the replay is handed out)."""
    from autograder.grading.registry import REGISTRY

    for checks in REGISTRY.values():
        checks[:] = [gate(store, check) for check in checks]


_stores: dict[Path, ReplayStore] = {}
_replays: dict[tuple[Path, str], Replay] = {}


def replay_for(course, variant: str = REFERENCE) -> Replay | None:
    """The replayed implementation `variant` of a course tree that holds recorded/ but no
    solutions/ (None otherwise), one per variant (checks may key caches by implementation, as
    they do with live ones); every registered check is gated by the store."""
    folder = course.root / FOLDER
    if (course.root / "solutions").is_dir() or not folder.is_dir():
        return None
    if folder not in _stores:
        _stores[folder] = ReplayStore(*(f for f in (folder, course.root / OFFICIAL_FOLDER) if f.is_dir()))
    gate_registered_checks(_stores[folder])
    if (folder, variant) not in _replays:
        _replays[(folder, variant)] = Replay(course, _stores[folder], variant)
    return _replays[(folder, variant)]


def require_official(course) -> None:
    """Official inputs need the reference live (solutions/) or their own recording: a tree that
    replays the practice recording alone (a student bundle) cannot grade them."""
    root = course.root
    if (root / FOLDER).is_dir() and not (root / "solutions").is_dir() and not (root / OFFICIAL_FOLDER).is_dir():
        raise RecordingError(
            f"{root} records the reference on the practice inputs only, so it cannot grade the official ones: "
            f"without ${SECRET_VARIABLE} and {course.secret_file} it grades on the practice inputs"
        )
