"""Inputs of ``filterlib check``: JSON Lines, a JSON array or CSV, plain or gzip, file or stdin.

Every reader yields *records* ``(line, payload)``: ``line`` is the 1-based line of the input
where the order starts, ``payload`` the order as JSON bytes (checked by the caller) or, for a
record the reader itself could not make sense of, a ``str`` saying what is wrong and what to do.
Blank JSON Lines lines and blank CSV rows yield ``(line, b"")``; the caller skips them. For
worker processes, :func:`open_chunks` hands JSON Lines on as blocks of whole lines instead, which
the worker splits and numbers itself.

Nothing is ever read whole: JSON Lines and CSV go row by row; a JSON array is scanned in 64 KiB
blocks and each element is handed on as soon as it ends, so memory is bounded by the largest
single element. Numbers are never converted: a JSON element is passed on as its own bytes, and a
CSV cell is a string, so ``"0.10000000"`` reaches the verdict as written.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, Final

import orjson

__all__ = [
    "FORMATS",
    "Chunk",
    "InputError",
    "LinesBlock",
    "Record",
    "detect",
    "open_chunks",
    "open_records",
    "record_chunks",
]

#: ``--input-format`` choices; ``auto`` picks one from the file name and the first bytes.
FORMATS: Final = ("auto", "jsonl", "json", "csv")

#: An order: its line and its JSON bytes, ``b""`` for a blank line, or a message for a bad one.
Record = tuple[int, bytes | str]
#: Whole JSON Lines lines as they are in the input (each with its newline, but perhaps the last
#: line of the input), with the line number of the first.
LinesBlock = tuple[int, bytes]
#: What a worker process gets at a time: a block of JSON Lines, or a list of records.
Chunk = LinesBlock | list[Record]

_GZIP_MAGIC: Final = b"\x1f\x8b"
_UTF8_BOM: Final = b"\xef\xbb\xbf"
_BLOCK: Final = 1 << 16
#: A JSON-array element longer than this is refused rather than held in memory.
MAX_ELEMENT_BYTES: Final = 16 << 20
#: Leading blank lines looked through to guess the format; past them, JSON Lines.
_SNIFF_LINES: Final = 1000


class InputError(Exception):
    """The input stops making sense as a whole (truncated gzip, a broken JSON array).

    The message names the place and says what to do; the records before it were yielded.
    """


class _Joined(io.RawIOBase):
    """``head`` then the rest of ``stream``, as a raw stream gzip can read."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Gunzipped:
    """The lines (or blocks) of a gzip stream; a truncated or corrupt one is an InputError."""

    def __init__(self, head: bytes, stream: BinaryIO, name: str) -> None:
        self._gz = gzip.GzipFile(fileobj=io.BufferedReader(_Joined(head, stream)), mode="rb")
        self._name = name
        self._lines = 0

    def _error(self, exc: Exception) -> InputError:
        return InputError(
            f"{self._name}: the gzip data is truncated or corrupt after line {self._lines} "
            f"({exc}); the orders before it were checked. Compress the whole file again "
            "(gzip -t FILE tests it)"
        )

    def __iter__(self) -> Iterator[bytes]:
        try:
            for raw in self._gz:
                self._lines += 1
                yield raw
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise self._error(exc) from None

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._gz.read(size)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise self._error(exc) from None
        self._lines += data.count(b"\n")
        return data

    def read1(self, size: int = -1) -> bytes:
        try:
            data = self._gz.read1(size)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise self._error(exc) from None
        self._lines += data.count(b"\n")
        return data


def detect(name: str, first: bytes) -> str:
    """The input format of a file called ``name`` whose first non-blank line is ``first``."""
    lower = name.lower().removesuffix(".gz")
    if lower.endswith(".csv"):
        return "csv"
    start = first.lstrip()[:1]
    if start == b"[":
        return "json"
    if start == b"{" or lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    # A header row of parameter names (letters, digits, commas, quotes) naming symbol.
    if re.fullmatch(rb'[\s"\w,.-]+', first) and b"symbol" in first:
        return "csv"
    return "jsonl"


def open_records(stream: Any, name: str, fmt: str = "auto") -> Iterator[Record]:
    """The records of ``stream`` (called ``name`` in messages), gunzipped when it is gzip.

    ``stream`` is iterated line by line; a JSON array is read in blocks with ``read`` when the
    stream has it. The first lines are looked at to tell gzip and the format apart, then
    handed on, so nothing is read twice.
    """
    kind, stream, head, lines = _sniff(stream, name, fmt)
    yield from _records(kind, stream, head, lines, name)


def open_chunks(
    stream: Any,
    name: str,
    fmt: str,
    *,
    block_bytes: int,
    chunk_records: int,
    read: list[int],
) -> Iterator[Chunk]:
    """The input of ``stream`` in pieces for worker processes (``filterlib check --jobs N``).

    JSON Lines, from a stream with ``read``, comes as :data:`LinesBlock` s of about
    ``block_bytes`` (whole lines; a longer line makes a longer block), so that the worker, not
    this process, splits and numbers the lines; every other input as lists of
    ``chunk_records`` records. ``read[0]`` is kept at the line of the last whole line read, for
    the message about a read error; on a read error the whole lines read before it are yielded
    first, then the error is raised.
    """
    kind, stream, head, lines = _sniff(stream, name, fmt)
    if kind == "jsonl" and hasattr(stream, "read"):
        yield from _line_blocks(head, stream, block_bytes, read)
    else:
        yield from record_chunks(_records(kind, stream, head, lines, name), chunk_records, read)


def _sniff(stream: Any, name: str, fmt: str) -> tuple[str, Any, list[bytes], Iterator[bytes]]:
    """The format of ``stream``, the stream to read on (gunzipped), the lines read to tell the
    format (to be handed on first), and the iterator of the rest."""
    lines = iter(stream)
    head: list[bytes] = []
    for raw in lines:
        head.append(raw)
        if raw.strip() or len(head) >= _SNIFF_LINES:
            break
    if head and head[0].startswith(_GZIP_MAGIC):
        return _sniff(_Gunzipped(b"".join(head), stream, name), name, fmt)
    if head and head[0].startswith(_UTF8_BOM):
        head[0] = head[0][len(_UTF8_BOM) :]  # editors on Windows write one; it is not data
    first = head[-1] if head else b""
    return (detect(name, first) if fmt == "auto" else fmt), stream, head, lines


def _records(
    kind: str, stream: Any, head: list[bytes], lines: Iterator[bytes], name: str
) -> Iterator[Record]:
    if kind == "csv":
        yield from _csv_records(_chain(head, lines), name)
    elif kind == "json":
        yield from _array_records(_chain(head, _blocks(stream, lines)), name)
    else:
        yield from enumerate(_chain(head, lines), 1)


def record_chunks(records: Iterable[Record], size: int, read: list[int]) -> Iterator[list[Record]]:
    """``records`` in lists of ``size``; ``read[0]`` is the line of the last record read.

    On a read error the records read before it are yielded, then the error is raised.
    """
    chunk: list[Record] = []
    try:
        for record in records:
            read[0] = record[0]
            chunk.append(record)
            if len(chunk) == size:
                yield chunk
                chunk = []
    except (OSError, InputError):
        if chunk:
            yield chunk
        raise
    if chunk:
        yield chunk


def _line_blocks(
    head: list[bytes], stream: Any, size: int, read: list[int]
) -> Iterator[LinesBlock]:
    """Whole JSON Lines lines in blocks of about ``size`` bytes, with their first line.

    ``read1`` (one read of the underlying stream, where there is one) rather than ``read``: a
    read error then loses nothing that was already read, so the lines before it are still
    checked, as when the stream is read line by line; and a pipe gives what it has.
    """
    read_some = getattr(stream, "read1", None) or stream.read
    parts = [b"".join(head)]  # the sniffed lines: whole lines, each with its newline
    head.clear()
    have = len(parts[0])
    first = 1  # the line of the first byte in parts
    while True:
        try:
            data = read_some(size)
        except (OSError, InputError):
            block = b"".join(parts)
            cut = block.rfind(b"\n") + 1
            if cut:  # the whole lines read before the error; a partial line is not one
                yield first, block[:cut]
                first += block.count(b"\n", 0, cut)
            read[0] = first - 1
            raise
        if not data:
            break
        have += len(data)
        end = data.rfind(b"\n") + 1 if have >= size else 0
        if not end:  # too little yet, or one line longer than a block: read on
            parts.append(data)
            continue
        parts.append(data[:end])
        block = b"".join(parts)
        yield first, block
        first += block.count(b"\n")
        read[0] = first - 1
        rest = data[end:]
        parts, have = [rest], len(rest)
    block = b"".join(parts)
    if block:
        yield first, block
        read[0] = first + block.count(b"\n") - (1 if block.endswith(b"\n") else 0)


def _chain(head: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    yield from head
    head.clear()
    yield from rest


def _blocks(stream: Any, lines: Iterator[bytes]) -> Iterator[bytes]:
    read = getattr(stream, "read", None)
    if read is None:
        yield from lines
        return
    while block := read(_BLOCK):
        yield block


# --- CSV -------------------------------------------------------------------------------------


def _csv_records(lines: Iterable[bytes], name: str) -> Iterator[Record]:
    """One record per CSV row: header names -> cell strings, empty cells not sent."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    numbered = _numbered_text(lines, decoder)
    reader = csv.reader(text for _, text in numbered)
    header: list[str] | None = None
    header_line = 0
    last = 0
    for row in reader:
        start, last = last + 1, reader.line_num
        if header is None:
            if not any(cell.strip() for cell in row):
                continue
            header, header_line = [cell.strip() for cell in row], start
            problem = _bad_header(header)
            if problem:
                raise InputError(f"{name} line {start}: {problem}")
            continue
        if not any(cell.strip() for cell in row):
            yield start, b""
            continue
        if any("\udc80" <= ch <= "\udcff" for cell in row for ch in cell):
            yield start, "not UTF-8 text; write the file in UTF-8"
            continue
        if len(row) != len(header):
            yield (
                start,
                f"{len(row)} cells but the header (line {header_line}) names {len(header)} "
                "columns; give every row one cell per column (an empty cell is not sent)",
            )
            continue
        yield start, orjson.dumps({k: v for k, v in zip(header, row, strict=True) if v != ""})


def _numbered_text(
    lines: Iterable[bytes], decoder: codecs.IncrementalDecoder
) -> Iterator[tuple[int, str]]:
    for n, raw in enumerate(lines, 1):
        yield n, decoder.decode(raw)


def _bad_header(header: list[str]) -> str | None:
    if any(not cell for cell in header):
        return (
            "the CSV header has an empty column name; the first row must name the parameter "
            "of each column (symbol,side,type,quantity,price,...)"
        )
    seen: set[str] = set()
    for cell in header:
        if cell in seen:
            return f"the CSV header names {cell!r} twice; name each column once"
        seen.add(cell)
    if any(c.startswith(("{", "[")) for c in header):
        return "this looks like JSON, not a CSV header; use --input-format jsonl or json"
    return None


# --- a JSON array, streamed ------------------------------------------------------------------

# A whole flat object (no nested object or array) in one match where possible, a whole string,
# a string that does not end in the buffer (a lone quote), or one structural byte.
_TOKEN = re.compile(rb'\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|"(?:[^"\\]|\\.)*"|["\[\]{},]')


def _array_records(blocks: Iterable[bytes], name: str) -> Iterator[Record]:
    """Each element of one top-level JSON array, as its bytes, with the line it starts on."""
    scanner = _ArrayScanner(name)
    for block in blocks:
        yield from scanner.feed(block)
    scanner.close()


class _ArrayScanner:
    """Finds the top-level elements of a JSON array fed in blocks; see :func:`_array_records`.

    ``buf`` holds only the current element (from just after the last ``[`` or ``,``), so memory
    is bounded by the largest element (at most MAX_ELEMENT_BYTES).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.buf = b""
        self.line = 1  # the line of buf[0]
        self.scan = 0  # where scanning resumes in buf
        self.started = False  # the opening '[' was seen
        self.done = False  # the closing ']' was seen
        self.depth = 0  # nesting inside the current element
        self.after_comma = False

    def _fail(self, line: int, what: str) -> InputError:
        return InputError(
            f"{self.name} line {line}: {what}; the input starts with '[' so it is read as one "
            "JSON array of orders: fix it, or write JSON Lines (one object per line)"
        )

    def feed(self, data: bytes) -> Iterator[Record]:
        if self.done:
            if data.strip():
                raise self._fail(self.line, "text after the closing ']'")
            self.line += data.count(b"\n")
            return
        buf = self.buf + data
        if not self.started:
            body = buf.lstrip()
            skipped = len(buf) - len(body)
            self.line += buf.count(b"\n", 0, skipped)
            if not body:
                self.buf = b""
                return
            if body[:1] != b"[":
                raise self._fail(self.line, "expected '['")
            self.started = True
            buf = body[1:]
        pos, sep = self.scan, 0
        counted, line = 0, self.line  # line is the line of buf[counted]
        while True:
            match = _TOKEN.search(buf, pos)
            if match is None:
                pos = len(buf)
                break
            token = match.group()
            first = token[:1]
            if token == b'"':
                pos = match.start()  # a string that goes on in the next block
                break
            pos = match.end()
            if len(token) > 1:  # a whole string or flat object
                continue
            if first in b"{[":
                self.depth += 1
                continue
            if self.depth:
                if first in b"}]":
                    self.depth -= 1
                continue
            if first == b"}":
                line += buf.count(b"\n", counted, match.start())
                raise self._fail(line, "a '}' that closes nothing")
            element = buf[sep : match.start()]
            stripped = element.lstrip()
            at = sep + len(element) - len(stripped)
            line += buf.count(b"\n", counted, at)
            counted = at
            if stripped:
                yield line, stripped.rstrip()
            elif first == b"," or self.after_comma:
                raise self._fail(line, "an empty element (two commas, or a comma before ']')")
            self.after_comma = first == b","
            sep = pos
            if first == b"]":
                self.done = True
                rest = buf[pos:]
                if rest.strip():
                    raise self._fail(line + buf.count(b"\n", counted, pos), "text after ']'")
                self.line = line + buf.count(b"\n", counted)
                self.buf = b""
                return
        self.line = line + buf.count(b"\n", counted, sep)
        self.buf = buf[sep:]
        self.scan = pos - sep
        if len(self.buf) > MAX_ELEMENT_BYTES:
            raise self._fail(
                self.line,
                f"an element longer than {MAX_ELEMENT_BYTES >> 20} MiB (or a string that never "
                "ends)",
            )

    def close(self) -> None:
        if self.started and not self.done:
            raise self._fail(
                self.line + self.buf.count(b"\n"),
                "the array ends early (no closing ']'): the input may be truncated",
            )
