"""Reading a snapshot: from a path, bytes, text or a mapping; gzip expanded a chunk at a time
under the size cap (:data:`DEFAULT_MAX_BYTES`); the shipped snapshot; eager or lazy.
"""

from __future__ import annotations

import functools
import os
import re
import zlib
from collections.abc import Mapping
from importlib import resources
from typing import Any, Final

import orjson

from ..exceptions import SnapshotError, UsageError, shown
from ._decode import _build
from ._fields import _fail
from ._model import ExchangeInfo
from ._split import _split_symbols

#: The snapshot shipped in ``filterlib/data`` (provenance in ``filterlib/data/README.md``).
DEFAULT_SNAPSHOT_NAME: Final = "spot_full_2023-08-13_swapland"


#: The most JSON a snapshot may hold, gunzipped: 256 MiB, about 14 times a full live snapshot
#: (about 18 MB in 2026; the shipped one, of 2023, is 3.5 MiB). ``load_exchange_info(...,
#: max_bytes=N)`` sets another. A gzip is expanded a chunk at a time, so one that would expand
#: past the cap (a gzip bomb) is refused with at most the cap in memory.
DEFAULT_MAX_BYTES: Final = 256 << 20


_GZIP_MAGIC: Final = b"\x1f\x8b"


_UTF8_BOM: Final = b"\xef\xbb\xbf"


def load_exchange_info(
    source: str | os.PathLike[str] | bytes | bytearray | Mapping[str, Any],
    *,
    lazy: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ExchangeInfo:
    """Read and check an exchangeInfo snapshot.

    ``source`` may be:

    * a mapping: the already-parsed JSON;
    * ``bytes``: JSON, or gzip-compressed JSON (recognised by its magic bytes ``1f 8b``);
    * a ``str`` whose first non-blank character is ``{`` or ``[``: JSON text;
    * any other ``str``, or an ``os.PathLike``: a file path, gunzipped when its content is gzip
      (a ``.gz`` name whose content is not gzip is an error).

    The WebSocket-API reply ``{"id": .., "status": 200, "result": {...}}`` is unwrapped.

    Raises :class:`SnapshotError` for anything that is not a usable exchangeInfo, including a
    Binance error body (``{"code": 0, "msg": "Service unavailable ..."}``), text that is not JSON
    or not UTF-8, and a file that cannot be read (the ``OSError`` is chained as ``__cause__``),
    so callers need catch one exception. All problems are collected before raising. Raises
    :class:`UsageError` when ``source`` is none of the types above.

    ``lazy=True`` checks only the top level on load (JSON syntax, the envelope and error body,
    ``timezone``, ``serverTime``, ``rateLimits``, ``exchangeFilters``, ``sors``, and that
    ``symbols`` is an array of objects with unique non-empty names); each symbol is decoded and
    checked the first time it is used, so a malformed symbol raises :class:`SnapshotError`
    then, from ``info.symbol(name)`` or ``info.symbols[name]``. Call
    :meth:`ExchangeInfo.validate` to check them all at once. Loading costs about one
    ``orjson.loads`` and keeps about the JSON's size in memory, instead of about 3-4x and twice
    that. Verdicts are the same either way. The default is eager (``lazy=False``) so a snapshot
    a user supplies is fully checked, every problem listed, before any order is judged. A
    mapping is always checked eagerly: it is already parsed, and its caller could change it
    afterwards.

    ``max_bytes`` caps the snapshot's JSON, after gunzipping (:data:`DEFAULT_MAX_BYTES`,
    256 MiB, by default): a larger one is a :class:`SnapshotError`. A gzip is expanded a chunk
    at a time and refused as soon as it passes the cap, so a gzip bomb costs at most the cap in
    memory, never what it would expand to. A mapping is not capped.
    """
    label: str | None = None
    if type(max_bytes) is not int or max_bytes <= 0:
        raise UsageError(f"max_bytes must be a positive number of bytes, not {shown(max_bytes)}")
    if isinstance(source, Mapping):
        return _build(source, None)
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, str) and source.lstrip()[:1] in ("{", "["):
        data = source.encode("utf-8", "surrogatepass")
    elif isinstance(source, str | os.PathLike):
        label = os.fspath(source)
        data = _read_file(label, max_bytes)
    else:
        raise UsageError(
            "load_exchange_info() takes a path, JSON bytes or text, or a mapping, "
            f"not {type(source).__name__}"
        )
    return _load_bytes(data, label, lazy, max_bytes)


@functools.cache
def load_default_exchange_info() -> ExchangeInfo:
    """The snapshot shipped with filterlib (:data:`DEFAULT_SNAPSHOT_NAME`), loaded once.

    It is loaded lazily (each symbol decoded when first used): the file is checked by the
    tests, so there is nothing to report up front, and most programs use a few symbols.
    """
    name = f"{DEFAULT_SNAPSHOT_NAME}.json.gz"
    data = resources.files("filterlib").joinpath("data").joinpath(name).read_bytes()
    return _load_bytes(data, name, True, DEFAULT_MAX_BYTES)


def _load_bytes(data: bytes, label: str | None, lazy: bool, max_bytes: int) -> ExchangeInfo:
    data = _plain(data, label, max_bytes)
    if lazy:
        split = _split_symbols(data)
        if split is not None:
            head, pieces = split
            return _build(head, label, pieces=pieces)
    return _build(_parse(data, label), label, lazy=lazy)


def _read_file(path: str, max_bytes: int) -> bytes:
    """The file's bytes; at most ``max_bytes`` + 1 are read (gzip expands, so the same cap
    holds for a gzip file: its JSON would be larger still)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise _fail(f"cannot read the snapshot file: {exc}", path) from exc
    if path.endswith(".gz") and not data.startswith(_GZIP_MAGIC):
        raise _fail("the file name ends in .gz but the content is not gzip", path)
    if len(data) > max_bytes:
        raise _too_large(max_bytes, path)
    return data


def _too_large(max_bytes: int, label: str | None) -> SnapshotError:
    size = f"{max_bytes >> 20} MiB" if max_bytes % (1 << 20) == 0 else f"{max_bytes} bytes"
    return _fail(
        f"the snapshot holds more than {size} of JSON (the cap; load_exchange_info's max_bytes "
        "sets another)",
        label,
    )


#: gzip data is fed to zlib this much at a time, and expanded this much at a time.
_GZIP_IN: Final = 1 << 16


_GZIP_OUT: Final = 1 << 20


_ZEROS: Final = re.compile(rb"\x00*")


def _gunzip(data: bytes, label: str | None, max_bytes: int) -> bytes:
    """``gzip.decompress(data)`` a chunk at a time: a SnapshotError as soon as the output
    passes ``max_bytes``. Reads every member (and skips zero padding between them) as
    gzip.decompress does; zlib checks each member's CRC and length."""
    view, end, pos = memoryview(data), len(data), 0
    out: list[bytes] = []
    size = 0
    while pos < end:
        member = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while not member.eof:
            piece = view[pos : pos + _GZIP_IN]
            chunk = member.decompress(piece, _GZIP_OUT)
            pos += len(piece) - len(member.unconsumed_tail) - len(member.unused_data)
            if not chunk and not piece:
                raise EOFError("compressed data ended before the end-of-stream marker")
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(max_bytes, label)
            out.append(chunk)
        padding = _ZEROS.match(data, pos)
        pos = padding.end() if padding else pos
    return b"".join(out)


def _plain(data: bytes, label: str | None, max_bytes: int) -> bytes:
    """The JSON bytes: gunzipped, without a UTF-8 BOM; at most ``max_bytes``."""
    if data.startswith(_GZIP_MAGIC):
        try:
            data = _gunzip(data, label, max_bytes)
        except (OSError, EOFError, zlib.error) as exc:
            raise _fail(f"corrupt gzip data: {exc}", label) from exc
    elif len(data) > max_bytes:
        raise _too_large(max_bytes, label)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    return data


def _parse(data: bytes, label: str | None) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as uexc:
            raise _fail(
                f"not UTF-8 text: byte {data[uexc.start : uexc.start + 1]!r} "
                f"at offset {uexc.start} is invalid",
                label,
            ) from exc
        raise _fail(f"not valid JSON: {exc}", label, value=_excerpt(data)) from exc


def _excerpt(data: bytes) -> str:
    text = data[:60].decode("utf-8", "replace")
    return text + ("..." if len(data) > 60 else "")
