"""The wire format between the grader and the worker process: plain data only, never pickle.

A message is an 8-byte big-endian length, then that many bytes: a 4-byte big-endian length of
its JSON part, the JSON (UTF-8), and the raw bytes of its arrays, one after another. Python
None, bools, ints, floats (NaN and infinities included), strings and lists are JSON's own, and
so is a dict whose keys are strings other than "$" (a JSON object, in order). Everything else is
a tagged object {"$": tag, ...}: tuples and other dicts, ndarrays and numpy scalars by dtype and
shape (their bytes in the message's tail, in the order the JSON names them), and the markers of
autograder.runtime.plain (Handle, Probe, Foreign). Outside a message (the stored case lists,
`to_text` and `from_text`) an array keeps its bytes in the JSON, as base64 text under "data".

Decoding is strict and bounded: anything but these shapes, tags and dtypes, a key twice in an
object, a message of more than MAX_VALUES JSON values or nested more than MAX_DEPTH deep, an
array whose bytes are not all there, and bytes no array takes raise WireError and nothing else.
What a message decodes to is never larger than the message (each array takes its own bytes;
base64 and JSON escapes shrink), so the frame length bounds the decoded size. The grader decodes
worker replies with the narrowest `allow` (no probes; handles only where it asked), and moves
frames with `send` and `receive`, which give up at a deadline.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import os
import re
import select
import struct
import threading
import time

import numpy as np

from .plain import Foreign, Handle, Probe

HEADER = struct.Struct(">Q")
JSON_LENGTH = struct.Struct(">I")
MAX_DEPTH = 32  # nesting of lists, tuples and dicts (plain.to_plain stops at 20)
MAX_TEXT = 100_000  # characters of a Foreign description
# JSON values in one message, counted before decoding as one per bracket, brace, comma and colon
# (an upper bound, strings included): json.loads makes an object of each, 70-odd bytes for an
# empty list, so this bounds the decoder's memory. Correct submissions send at most a few hundred.
MAX_VALUES = 100_000
MAX_DIMS = 32  # dimensions of an array (numpy's own limit is 64)
# bytes asked of the pipe at a time beyond what the frame still needs: a pipe's default size (a
# larger read costs more: os.read makes a buffer of the size asked, 35 us more for 1 MiB)
READ_AHEAD = 1 << 16
ARRAY_KINDS = "biufcU"  # the dtype kinds plain.to_plain lets through
SCALAR_KINDS = "biufc"
DTYPE_TEXT = re.compile(r"[<>|][biufcU][0-9]{1,9}")  # numpy's dtype.str of those kinds

VALUE_TAGS = frozenset({"tuple", "dict", "array", "scalar", "foreign"})
JSON_SCALARS = (str, int, float, bool, type(None))  # what stands for itself on the wire, both ways
REQUEST_TAGS = VALUE_TAGS | {"handle", "probe"}  # what the grader may send


class WireError(ValueError):
    """A message that is not well-formed plain data."""


def _array_fields(array: np.ndarray, tail: list | None) -> dict:
    """dtype, shape and order of an array; its bytes appended to tail, or as base64 under
    "data" when there is no tail."""
    fortran = array.flags.f_contiguous and not array.flags.c_contiguous
    data = array.tobytes(order="F" if fortran else "C")
    fields = {"dtype": array.dtype.str, "shape": list(array.shape), "fortran": fortran}
    if tail is None:
        fields["data"] = base64.b64encode(data).decode("ascii")
    else:
        tail.append(data)
    return fields


def to_wire(value, tail: list | None = None):
    """value (plain data, handles, probes) as JSON-ready data; the bytes of its arrays appended
    to tail, in order (without a tail, as base64 text in the JSON)."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    # items that stand for themselves are not passed down: most items of a message are such
    if kind is list:
        return [item if type(item) in JSON_SCALARS else to_wire(item, tail) for item in value]
    if kind is tuple:
        return {"$": "tuple", "items": [item if type(item) in JSON_SCALARS else to_wire(item, tail) for item in value]}
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise TypeError("dict keys must be strings")
        if "$" not in value:
            return {key: item if type(item) in JSON_SCALARS else to_wire(item, tail) for key, item in value.items()}
        return {
            "$": "dict",
            "items": [
                [key, item if type(item) in JSON_SCALARS else to_wire(item, tail)] for key, item in value.items()
            ],
        }
    if kind is np.ndarray:
        return {"$": "array", **_array_fields(value, tail)}
    if isinstance(value, np.generic):
        fields = _array_fields(np.asarray(value), tail)
        del fields["shape"], fields["fortran"]
        return {"$": "scalar", **fields}
    if kind is Handle:
        return {"$": "handle", "key": value.key}
    if kind is Probe:
        return {"$": "probe", "name": value.name, "params": to_wire(tuple(value.params), tail)}
    if kind is Foreign:
        return {"$": "foreign", "description": value.description}
    raise TypeError(f"{kind.__name__} is not plain data")


def frame(message) -> bytes:
    """The bytes of one message: its length, then the length of its JSON, its JSON, and the
    bytes of its arrays."""
    tail: list[bytes] = []
    text = json.dumps(to_wire(message, tail), separators=(",", ":")).encode("utf-8")
    size = JSON_LENGTH.size + len(text) + sum(map(len, tail))
    return b"".join([HEADER.pack(size), JSON_LENGTH.pack(len(text)), text, *tail])


@functools.lru_cache(maxsize=256)
def _allowed_dtype(text: str) -> np.dtype | None:
    """The dtype numpy names text, if it is one an array may have on the wire, else None."""
    if not DTYPE_TEXT.fullmatch(text):
        return None
    try:
        dtype = np.dtype(text)
    except (TypeError, ValueError, OverflowError, MemoryError):
        return None
    ok = (
        dtype.kind in ARRAY_KINDS
        and not dtype.hasobject
        and dtype.fields is None
        and dtype.subdtype is None
        and 0 < dtype.itemsize <= 2**20
    )
    return dtype if ok else None


class _Tail:
    """The bytes of a message's arrays, taken in order."""

    def __init__(self, data: memoryview):
        self.data, self.taken = data, 0

    def take(self, size: int, what: str) -> memoryview:
        if size > len(self.data) - self.taken:
            raise WireError(f"{what}: {size} bytes, and only {len(self.data) - self.taken} left in the message")
        self.taken += size
        return self.data[self.taken - size : self.taken]


def _read_array(value: dict, tail: _Tail | None, what: str, *, shaped: bool) -> np.ndarray:
    """The array a tagged object describes, its bytes taken from tail (or from its base64 "data"
    without one); never unpickling, WireError if it is not exactly one."""
    fields = ("dtype", "shape", "fortran") if shaped else ("dtype",)
    _fields(value, *fields) if tail is not None else _fields(value, *fields, "data")
    dtype = _allowed_dtype(value["dtype"]) if type(value["dtype"]) is str else None
    if dtype is None:
        raise WireError(f"{what}: dtype {str(value['dtype'])[:40]!r} is not allowed")
    shape, fortran = (value["shape"], value["fortran"]) if shaped else ([], False)
    if (
        type(shape) is not list
        or len(shape) > MAX_DIMS
        or type(fortran) is not bool
        or not all(type(n) is int and 0 <= n < 2**62 for n in shape)
    ):
        raise WireError(f"{what}: a malformed shape or order")
    size = math.prod(shape) * dtype.itemsize
    if tail is not None:
        data = tail.take(size, what)  # checked before anything is allocated for the shape
    else:
        if type(value["data"]) is not str:
            raise WireError(f"{what}: expected base64 text")
        try:
            data = memoryview(base64.b64decode(value["data"], validate=True))
        except ValueError:
            raise WireError(f"{what}: not base64") from None
        if len(data) != size:
            raise WireError(f"{what}: {len(data)} bytes of data for shape {tuple(shape)} and dtype {dtype}")
    array = np.frombuffer(data, dtype=dtype, count=size // dtype.itemsize)
    return (array.reshape(shape[::-1]).transpose() if fortran else array.reshape(shape)).copy(order="K")


def _fields(value: dict, *names: str) -> None:
    if value.keys() != {"$", *names}:
        raise WireError(f"a {value['$']!r} object needs exactly the fields {', '.join(names)}")


def _unique(pairs: list) -> dict:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise WireError("a key appears twice")
    return value


class _Objects(threading.local):
    """What each JSON object of the message being decoded stands for, made as the decoder meets
    them: the innermost first, so arrays take their bytes from the tail in the order the JSON
    names them. One decoder serves every message (making one costs more than decoding a small
    reply), so what differs between messages is set on this object, each thread its own."""

    allow: frozenset = VALUE_TAGS
    tail: _Tail | None = None

    def __call__(self, pairs: list):
        value = dict(pairs)
        if len(value) != len(pairs):
            raise WireError("a key appears twice")
        if "$" not in value:
            return value
        tag = value["$"]
        if type(tag) is not str or tag not in self.allow:
            raise WireError(f"{str(tag)[:40]!r} is not allowed here")
        if tag == "tuple":
            _fields(value, "items")
            if type(value["items"]) is not list:
                raise WireError("tuple items must be a list")
            return tuple(value["items"])
        if tag == "dict":
            _fields(value, "items")
            items = value["items"]
            if type(items) is not list or not all(type(p) is list and len(p) == 2 and type(p[0]) is str for p in items):
                raise WireError("dict items must be [str, value] pairs")
            return _unique(items)
        if tag == "array":
            return _read_array(value, self.tail, "array", shaped=True)
        if tag == "scalar":
            array = _read_array(value, self.tail, "scalar", shaped=False)
            if array.dtype.kind not in SCALAR_KINDS:
                raise WireError("a scalar must be numeric")
            return array[()]
        if tag == "handle":
            _fields(value, "key")
            if type(value["key"]) is not int:
                raise WireError("a handle key must be an int")
            return Handle(value["key"])
        if tag == "probe":
            _fields(value, "name", "params")
            if type(value["name"]) is not str or type(value["params"]) is not tuple:
                raise WireError("a probe needs a name and a tuple of parameters")
            return Probe(value["name"], value["params"])
        _fields(value, "description")  # foreign
        if type(value["description"]) is not str or len(value["description"]) > MAX_TEXT:
            raise WireError("a foreign value needs a short description")
        return Foreign(value["description"])


_objects = _Objects()
_decoder = json.JSONDecoder(object_pairs_hook=_objects)
CONTAINERS = frozenset({list, tuple, dict, Probe})


def _within_depth(value, depth: int = 0) -> None:
    """WireError if value's lists, tuples, dicts and probes nest more than MAX_DEPTH deep."""
    if depth > MAX_DEPTH:
        raise WireError(f"nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    items = value.values() if kind is dict else value.params if kind is Probe else value
    for item in items:
        if type(item) in CONTAINERS:
            _within_depth(item, depth + 1)


def _decode(text, allow, tail: _Tail | None):
    """The value JSON text (str or bytes) stands for; WireError if it is not well-formed."""
    try:
        text = text if type(text) is str else str(text, "utf-8")
    except UnicodeDecodeError:
        raise WireError("not JSON (UnicodeDecodeError)") from None
    brackets = text.count("[") + text.count("{")
    if 1 + brackets + text.count(",") + text.count(":") > MAX_VALUES:  # refused before json builds an object for each
        raise WireError(f"more than {MAX_VALUES:,} values")
    _objects.allow, _objects.tail = allow, tail
    try:
        value = _decoder.decode(text)
        # every list, tuple, dict and probe takes a bracket or brace: with no more of those
        # than MAX_DEPTH, no value nests deeper (most messages), and none is walked
        if brackets > MAX_DEPTH and type(value) in CONTAINERS:
            _within_depth(value)
    except RecursionError as error:  # a small stack: refused as too deep
        raise WireError(f"not JSON ({type(error).__name__})") from None
    except WireError:
        raise
    except ValueError as error:  # json's own errors
        raise WireError(f"not JSON ({type(error).__name__})") from None
    finally:
        _objects.tail = None
    return value


def to_text(value) -> str:
    """value (plain data and probes) as JSON text, its arrays' bytes as base64."""
    return json.dumps(to_wire(value), separators=(",", ":"))


def from_text(text: str, *, allow=VALUE_TAGS):
    """The value in JSON text written by to_text; WireError if it is not well-formed."""
    return _decode(text, allow, None)


def parse(body, *, allow=VALUE_TAGS):
    """The message in body (bytes-like: what follows the frame's length header); WireError, and
    no other exception, if it is not a well-formed message within the limits."""
    if len(body) < JSON_LENGTH.size:
        raise WireError("a message too short to hold its JSON length")
    size = JSON_LENGTH.unpack_from(body)[0]
    if size > len(body) - JSON_LENGTH.size:
        raise WireError(f"a JSON part of {size} bytes in a message of {len(body)}")
    tail = _Tail(memoryview(body)[JSON_LENGTH.size + size :])
    message = _decode(bytes(body[JSON_LENGTH.size : JSON_LENGTH.size + size]), allow, tail)
    if tail.taken != len(tail.data):
        raise WireError(f"{len(tail.data) - tail.taken} bytes that no array takes")
    return message


def write_frame(stream, message) -> None:
    """Write one message to a binary stream."""
    stream.write(frame(message))


def _read_exactly(stream, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(stream, *, allow=VALUE_TAGS):
    """The next message on a blocking stream, or None at its end."""
    header = _read_exactly(stream, HEADER.size)
    if header is None:
        return None
    body = _read_exactly(stream, HEADER.unpack(header)[0])
    if body is None:
        return None
    return parse(body, allow=allow)


def send(fd: int, data: bytes, deadline: float) -> None:
    """Write all of data to a non-blocking fd by time.monotonic() deadline (TimeoutError if the
    reader does not take it in time, BrokenPipeError if it is gone)."""
    view, done = memoryview(data), 0
    while done < len(view):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
            raise TimeoutError("the reader did not take the message in time")
        try:
            done += os.write(fd, view[done:])
        except BlockingIOError:  # another writer filled the pipe between select and write
            continue


def receive(fd: int, deadline: float, limit: int, rest: bytearray | None = None) -> bytearray:
    """The body of the next frame on fd, read by the time.monotonic() deadline: TimeoutError past
    it, EOFError at the end of the stream, WireError for a length over limit bytes. Bytes beyond
    the frame in the same read (a sender that writes ahead) are a WireError, unless rest is given:
    then they are left in it, and the next receive given it starts with them."""
    data = bytearray()
    if rest:
        data += rest
        rest.clear()
    size = None
    while True:
        if size is None and len(data) >= HEADER.size:
            size = HEADER.unpack_from(data)[0]
            if size > limit:
                raise WireError(f"a reply of {size} bytes, over the limit of {limit // 2**20} MiB")
        if size is not None and len(data) >= HEADER.size + size:
            break
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError("no message in time")
        try:
            needed = 0 if size is None else HEADER.size + size - len(data)
            chunk = os.read(fd, min(max(READ_AHEAD, needed), 1 << 20))
        except BlockingIOError:  # another reader took the data between select and read
            continue
        if not chunk:
            raise EOFError("the stream ended")
        data += chunk
    if len(data) > HEADER.size + size:
        if rest is None:
            raise WireError("bytes after the reply")
        rest += data[HEADER.size + size :]
        del data[HEADER.size + size :]
    del data[: HEADER.size]
    return data
