"""The wire format between the grader and the worker process: plain data only, never pickle.

A message is an 8-byte big-endian length followed by that many bytes of UTF-8 JSON. Python
None, bools, ints, floats (NaN and infinities included), strings and lists are JSON's own;
everything else is a tagged object {"$": tag, ...}: tuples and dicts (kept apart from lists and
in order), ndarrays and numpy scalars as base64 .npy bytes (read back with allow_pickle=False),
and the markers of autograder.runtime.plain (Handle, Probe, Foreign).

Decoding is strict and bounded: anything but these shapes, tags and dtypes, a message of more
than MAX_VALUES JSON values or nested more than MAX_DEPTH deep, and any malformed .npy header
raise WireError and nothing else. What a message decodes to is never larger than the message
(base64 shrinks, JSON escapes shrink), so the frame length bounds the decoded size. The grader
decodes worker replies with the narrowest `allow` (no probes; handles only where it asked), and
moves frames with `send` and `receive`, which give up at a deadline.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import math
import os
import select
import struct
import time
from typing import cast

import numpy as np

from .plain import Foreign, Handle, Probe

HEADER = struct.Struct(">Q")
MAX_DEPTH = 32  # nesting of lists, tuples and dicts (plain.to_plain stops at 20)
MAX_TEXT = 100_000  # characters of a Foreign description
# JSON values in one message, counted before decoding as one per bracket, brace, comma and colon
# (an upper bound, strings included): json.loads makes an object of each, 70-odd bytes for an
# empty list, so this bounds the decoder's memory. Correct submissions send at most a few hundred.
MAX_VALUES = 100_000
MAX_DIMS = 32  # dimensions of an array (numpy's own limit is 64)
ARRAY_KINDS = "biufcU"  # the dtype kinds plain.to_plain lets through
SCALAR_KINDS = "biufc"

VALUE_TAGS = frozenset({"tuple", "dict", "array", "scalar", "foreign"})
JSON_SCALARS = (str, int, float, bool, type(None))  # what stands for itself on the wire, both ways
REQUEST_TAGS = VALUE_TAGS | {"handle", "probe"}  # what the grader may send


class WireError(ValueError):
    """A message that is not well-formed plain data."""


@functools.lru_cache(maxsize=1024)
def _npy_header(descr: str, fortran: bool, shape: tuple) -> bytes:
    """The .npy version 1.0 header for arrays of this dtype, order and shape (as numpy writes
    it: a dict literal padded so the data starts at a multiple of 64 bytes)."""
    text = f"{{'descr': {descr!r}, 'fortran_order': {fortran!r}, 'shape': {shape!r}, }}"
    length = len(text) + 1  # with the closing newline
    text += " " * (-(10 + length) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


def _npy(value) -> str:
    """base64 .npy bytes of an array or numpy scalar."""
    array = np.asarray(value)
    fortran = array.flags.f_contiguous and not array.flags.c_contiguous
    # a plain dtype's descr is a string (structured dtypes, described by lists, never cross)
    header = _npy_header(cast(str, np.lib.format.dtype_to_descr(array.dtype)), fortran, array.shape)
    return base64.b64encode(header + array.tobytes(order="F" if fortran else "C")).decode("ascii")


def to_wire(value):
    """value (plain data, handles, probes) as JSON-ready data."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    # items that stand for themselves are not passed down: most items of a message are such
    if kind is list:
        return [item if type(item) in JSON_SCALARS else to_wire(item) for item in value]
    if kind is tuple:
        return {"$": "tuple", "items": [item if type(item) in JSON_SCALARS else to_wire(item) for item in value]}
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise TypeError("dict keys must be strings")
        return {
            "$": "dict",
            "items": [[key, item if type(item) in JSON_SCALARS else to_wire(item)] for key, item in value.items()],
        }
    if kind is np.ndarray:
        return {"$": "array", "npy": _npy(value)}
    if isinstance(value, np.generic):
        return {"$": "scalar", "npy": _npy(value)}
    if kind is Handle:
        return {"$": "handle", "key": value.key}
    if kind is Probe:
        return {"$": "probe", "name": value.name, "params": to_wire(tuple(value.params))}
    if kind is Foreign:
        return {"$": "foreign", "description": value.description}
    raise TypeError(f"{kind.__name__} is not plain data")


def frame(message) -> bytes:
    """The bytes of one message: its length, then its JSON."""
    body = json.dumps(to_wire(message), separators=(",", ":")).encode("utf-8")
    return HEADER.pack(len(body)) + body


@functools.lru_cache(maxsize=1024)
def _parse_npy_header(header: bytes) -> tuple[np.dtype, tuple, bool]:
    """(dtype, shape, fortran order) of a .npy header, read by numpy's own parser (cached: the
    same few headers recur thousands of times, and numpy's reader is slow)."""
    stream = io.BytesIO(header)
    version = np.lib.format.read_magic(stream)
    reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = reader(stream)
    if stream.read(1):
        raise ValueError("header length mismatch")
    return dtype, shape, fortran


def _read_npy(text, what: str) -> np.ndarray:
    """The array in base64 .npy bytes, never unpickling; WireError if it is not exactly one."""
    if type(text) is not str:
        raise WireError(f"{what}: expected base64 text")
    try:
        raw = base64.b64decode(text, validate=True)
        if raw[:6] != b"\x93NUMPY" or raw[6] not in (1, 2):
            raise ValueError("not .npy data")
        start = 10 if raw[6] == 1 else 12
        size = struct.unpack("<H" if raw[6] == 1 else "<I", raw[8:start])[0]
        dtype, shape, fortran = _parse_npy_header(raw[: start + size])
    except Exception as error:  # noqa: BLE001 - numpy's header reader, fed forged text, raises many kinds
        raise WireError(f"{what}: not a valid .npy ({type(error).__name__})") from None
    if (
        dtype.hasobject
        or dtype.kind not in ARRAY_KINDS
        or dtype.fields is not None
        or dtype.subdtype is not None
        or dtype.itemsize == 0
    ):
        raise WireError(f"{what}: dtype {dtype} is not allowed")
    if (
        type(shape) is not tuple
        or len(shape) > MAX_DIMS
        or type(fortran) is not bool
        or not all(type(n) is int and 0 <= n < 2**62 for n in shape)
    ):
        raise WireError(f"{what}: a malformed shape or order")
    count = math.prod(shape)
    data = raw[start + size :]
    if len(data) != count * dtype.itemsize:  # checked before anything is allocated for the shape
        raise WireError(f"{what}: {len(data)} bytes of data for shape {shape} and dtype {dtype}")
    try:
        array = np.frombuffer(data, dtype=dtype, count=count)
        return (array.reshape(shape[::-1]).transpose() if fortran else array.reshape(shape)).copy(order="K")
    except (ValueError, TypeError, OverflowError, MemoryError) as error:
        raise WireError(f"{what}: not a valid .npy ({type(error).__name__})") from None


def _fields(value: dict, *names: str) -> None:
    if set(value) != {"$", *names}:
        raise WireError(f"a {value['$']!r} object needs exactly the fields {', '.join(names)}")


def from_wire(value, *, allow=VALUE_TAGS, depth: int = 0):
    """The plain data a JSON-decoded message stands for; WireError if it is malformed."""
    if depth > MAX_DEPTH:
        raise WireError(f"nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind is list:
        return [item if type(item) in JSON_SCALARS else from_wire(item, allow=allow, depth=depth + 1) for item in value]
    if kind is not dict or type(value.get("$")) is not str:
        raise WireError(f"unexpected {kind.__name__}")
    tag = value["$"]
    if tag not in allow:
        raise WireError(f"{tag!r} is not allowed here")
    if tag == "tuple":
        _fields(value, "items")
        if type(value["items"]) is not list:
            raise WireError("tuple items must be a list")
        return tuple(
            item if type(item) in JSON_SCALARS else from_wire(item, allow=allow, depth=depth + 1)
            for item in value["items"]
        )
    if tag == "dict":
        _fields(value, "items")
        pairs = value["items"]
        if type(pairs) is not list or not all(type(p) is list and len(p) == 2 and type(p[0]) is str for p in pairs):
            raise WireError("dict items must be [str, value] pairs")
        if len({key for key, _ in pairs}) != len(pairs):
            raise WireError("a dict key appears twice")
        return {
            key: item if type(item) in JSON_SCALARS else from_wire(item, allow=allow, depth=depth + 1)
            for key, item in pairs
        }
    if tag == "array":
        _fields(value, "npy")
        return _read_npy(value["npy"], "array")
    if tag == "scalar":
        _fields(value, "npy")
        array = _read_npy(value["npy"], "scalar")
        if array.shape != () or array.dtype.kind not in SCALAR_KINDS:
            raise WireError("a scalar must be a 0-d numeric array")
        return array[()]
    if tag == "handle":
        _fields(value, "key")
        if type(value["key"]) is not int:
            raise WireError("a handle key must be an int")
        return Handle(value["key"])
    if tag == "probe":
        _fields(value, "name", "params")
        params = from_wire(value["params"], allow=allow, depth=depth + 1)
        if type(value["name"]) is not str or type(params) is not tuple:
            raise WireError("a probe needs a name and a tuple of parameters")
        return Probe(value["name"], params)
    _fields(value, "description")  # foreign
    if type(value["description"]) is not str or len(value["description"]) > MAX_TEXT:
        raise WireError("a foreign value needs a short description")
    return Foreign(value["description"])


def parse(body, *, allow=VALUE_TAGS):
    """The message in body (bytes-like: the JSON after the length header); WireError, and no
    other exception, if it is not a well-formed message within the limits."""
    values = 1 + sum(body.count(mark) for mark in (b"[", b"{", b",", b":"))
    if values > MAX_VALUES:  # refused before json.loads builds an object for each
        raise WireError(f"more than {MAX_VALUES:,} values")
    try:
        data = json.loads(str(body, "utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise WireError(f"not JSON ({type(error).__name__})") from None
    try:
        return from_wire(data, allow=allow)
    except RecursionError:  # deeper than MAX_DEPTH is refused first; a small stack, still refused
        raise WireError("nested too deep") from None


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
            chunk = os.read(fd, 1 << 20)
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
