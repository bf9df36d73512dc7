"""Answer-key replay: a student file built from a student bundle's recording, with no
implementation at all.

The bundle records the reference's answer to every question its checks ask, keyed by a
fingerprint of the question (autograder/grading/replay.py). A student who reads the bundle can
ship those answers as a lookup table: each function fingerprints its own arguments as the
recorder fingerprinted the reference's, and returns the recorded answer; on anything else it
raises NotImplementedError. It earns whatever the recorded inputs are graded on, and nothing on
inputs nobody recorded. tests/test_secret.py builds it from a real bundle.
"""

from __future__ import annotations

import base64
import pickle
import zlib
from pathlib import Path

import yaml

from autograder.grading.replay import Recording, decode

# the attack's own copy of the recorder's fingerprint: a sandboxed worker has no grader to import
TEMPLATE = '''"""Every recorded answer of the bundle, replayed by the fingerprint of the question."""
import base64 as _b64
import builtins as _builtins
import hashlib as _hashlib
import pickle as _pickle
import struct as _struct
import zlib as _zlib

import numpy as _np

_TABLE = _pickle.loads(_zlib.decompress(_b64.b64decode({table!r})))


def _feed(digest, value):
    kind = type(value)
    if value is None or kind is bool:
        digest.update(repr(value).encode() + b";")
    elif kind is int:
        digest.update(b"i" + str(value).encode() + b";")
    elif kind is float:
        digest.update(b"f" + _struct.pack("<d", value))
    elif kind is str:
        data = value.encode()
        digest.update(b"s%d:" % len(data) + data)
    elif kind is bytes:
        digest.update(b"b%d:" % len(value) + value)
    elif kind is _np.ndarray:
        digest.update(b"a" + value.dtype.str.encode() + repr(value.shape).encode())
        digest.update(_np.ascontiguousarray(value).tobytes())
    elif isinstance(value, _np.generic):
        digest.update(b"g" + value.dtype.str.encode() + value.tobytes())
    elif kind is _np.dtype:
        digest.update(b"d" + value.str.encode() + b";")
    elif isinstance(value, type) and issubclass(value, _np.generic):
        digest.update(b"t" + value.__name__.encode() + b";")
    elif kind in (tuple, list):
        digest.update(b"%s%d" % (b"(" if kind is tuple else b"[", len(value)))
        for item in value:
            _feed(digest, item)
    elif kind is dict:
        digest.update(b"{{%d" % len(value))
        for key, item in value.items():
            _feed(digest, key)
            _feed(digest, item)
    else:
        raise NotImplementedError("not a recorded input")


def _answer(task, args, kwargs):
    for event in (("run", task), ("call", task)):
        digest = _hashlib.sha256()
        for part in ("reference", b"", event, args, kwargs):
            _feed(digest, part)
        found = _TABLE.get(digest.digest()[:16].hex())
        if found is not None:
            kind, value = found
            if kind == "raised":
                raise getattr(_builtins, value[0], RuntimeError)(value[1])
            return value
    raise NotImplementedError("no recorded answer")
'''

FUNCTION = """

def {name}(*args, **kwargs):
    return _answer({name!r}, args, kwargs)
"""


def lookup_table(bundle: Path, assignment: str) -> dict:
    """The recording of one assignment in the bundle as {question: ("value" or "raised", answer)}."""
    recording = Recording.load(bundle / "recorded", assignment)
    table = {}
    for key, stored in recording.answers.items():
        if "raised" in stored:
            table[key] = ("raised", tuple(stored["raised"]))
        elif "value" in stored:
            try:
                table[key] = ("value", decode(stored["value"], recording.arrays, lambda i: None))
            except ValueError:  # a stand-in of an object: nothing a function could return
                continue
    return table


def write_lookup_table(bundle: Path, assignment: str, out: Path) -> list[Path]:
    """Write the assignment's files into out, each function answering from the recording; the files."""
    manifest = yaml.safe_load((bundle / "course.yml").read_text())
    files = manifest["assignments"][assignment]["files"]
    blob = base64.b64encode(zlib.compress(pickle.dumps(lookup_table(bundle, assignment)), 9)).decode()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, tasks in files.items():
        source = TEMPLATE.format(table=blob) + "".join(FUNCTION.format(name=name) for name in tasks)
        (out / file_name).write_text(source)
        written.append(out / file_name)
    return written
