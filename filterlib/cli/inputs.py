"""Inputs of ``filterlib check``: JSON Lines, a JSON array or CSV, plain or gzip, file or stdin.

Every reader yields *records* ``(line, payload)``: ``line`` is the 1-based line of the input
where the order starts, ``payload`` the order as JSON bytes (checked by the caller) or, for a
record the reader itself could not make sense of, a ``str`` saying what is wrong and what to do.
Blank JSON Lines lines and blank CSV rows yield ``(line, b"")``; the caller skips them. For
worker processes, :func:`open_chunks` hands JSON Lines on as blocks of whole lines instead, which
the worker splits and numbers itself.

Nothing is ever read whole: JSON Lines and CSV go line by line, and a line longer than
``max_line`` bytes (:data:`MAX_LINE_BYTES` by default) is not held: its first bytes are kept
and the rest is read through to its end, and its record is a message (:func:`too_long`); a JSON
array is scanned in 64 KiB blocks and each element is handed on as soon as it ends, so memory is
bounded by the largest single element. Numbers are never converted: a JSON element is passed on
as its own bytes, and a CSV cell is a string, so ``"0.10000000"`` reaches the verdict as written.
"""

from __future__ import annotations

import codecs
import csv
import glob
import gzip
import io
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, BinaryIO, Final, NamedTuple

import orjson

from .._endpoints import ENDPOINTS
from ..lines import DEFAULT_ENDPOINT

__all__ = [
    "FORMATS",
    "ORDER_FILE_SUFFIXES",
    "Chunk",
    "CsvBlock",
    "InputError",
    "LinesBlock",
    "Record",
    "csv_row",
    "detect",
    "not_utf8",
    "open_chunks",
    "open_records",
    "order_files",
    "parse_context",
    "plain_csv_record",
    "record_chunks",
    "sources",
    "too_long",
]

#: ``--input-format`` choices; ``auto`` picks one from the file name and the first bytes
#: (parquet is read by filterlib.cli.columns, with the bulk extra).
FORMATS: Final = ("auto", "jsonl", "json", "csv", "parquet")

#: An order: its line and its JSON bytes, ``b""`` for a blank line, or a message for a bad one.
Record = tuple[int, bytes | str]
#: Whole JSON Lines lines as they are in the input (each with its newline, but perhaps the last
#: line of the input), with the line number of the first.
LinesBlock = tuple[int, bytes]

_GZIP_MAGIC: Final = b"\x1f\x8b"
_UTF8_BOM: Final = b"\xef\xbb\xbf"
_BLOCK: Final = 1 << 16
#: A JSON-array element longer than this is refused rather than held in memory.
MAX_ELEMENT_BYTES: Final = 16 << 20
#: The default longest JSON Lines or CSV line, in bytes without its newline (1 MiB, some
#: thousand times an order with a full account context): a longer line is an unusable line
#: and is never held whole, so memory stays flat whatever the input (``--max-line-bytes``).
MAX_LINE_BYTES: Final = 1 << 20
#: Leading blank lines looked through to guess the format; past them, JSON Lines.
_SNIFF_LINES: Final = 1000


class InputError(Exception):
    """The input stops making sense as a whole (truncated gzip, a broken JSON array).

    The message names the place and says what to do; the records before it were yielded.
    ``line`` is the line it is about, when there is one.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


#: The files of a folder given to ``filterlib check`` that are checked: names ending in one of
#: these, or in one of these and ``.gz``.
ORDER_FILE_SUFFIXES: Final = (".jsonl", ".ndjson", ".json", ".csv", ".parquet")
_MAGIC: Final = re.compile(r"[*?[]")


def sources(names: Sequence[str]) -> list[tuple[str, str | None]]:
    """The sources that the FILE arguments of ``filterlib check`` stand for, in order, each
    with None or the problem that stops it (a message starting with its name).

    ``-`` is standard input. A folder stands for its order files (:func:`order_files`); one
    without any is a problem. A name that does not exist and holds ``*``, ``?`` or ``[`` is a
    pattern (``**`` for any depth), as the shell would expand it: it stands for the files it
    matches, sorted, and is a problem when it matches none (the shell passes such a pattern on
    as it is). Any other name is a file, opened in its turn.
    """
    found: list[tuple[str, str | None]] = []
    for name in names:
        if name == "-" or (not os.path.isdir(name) and os.path.lexists(name)):
            found.append((name, None))
            continue
        if os.path.isdir(name):
            files = order_files(name)
            if not files:
                found.append((name, f"{name}: no order files in this folder ({_SUFFIXES})"))
            found.extend((f, None) for f in files)
            continue
        if not _MAGIC.search(name):
            found.append((name, None))  # missing: opening it says so
            continue
        matched = sorted(glob.glob(name, recursive=True))
        if not matched:
            found.append(
                (
                    name,
                    f"{name}: no file matches this pattern; check it, or leave it out (a shell "
                    "passes on a pattern that matches nothing as it is)",
                )
            )
        for match in matched:
            if os.path.isdir(match):
                found.extend((f, None) for f in order_files(match))
            else:
                found.append((match, None))
    return found


_SUFFIXES: Final = (
    "names ending in " + ", ".join(ORDER_FILE_SUFFIXES[:-1]) + f" or {ORDER_FILE_SUFFIXES[-1]}"
    ", gzip-compressed or not (.gz)"
)


def order_files(folder: str) -> list[str]:
    """The order files under ``folder`` and its subfolders, sorted: the names ending in one of
    ORDER_FILE_SUFFIXES (with ``.gz`` or not). Names starting with ``.`` (``.git``,
    ``.vscode``) are left out, folders included."""
    files: list[str] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            if name.lower().removesuffix(".gz").endswith(ORDER_FILE_SUFFIXES):
                files.append(os.path.join(root, name))
    return sorted(files)


def parse_context(text: str) -> dict[str, Any]:
    """The context of ``filterlib check --context``: JSON text, or ``@FILE`` for a file holding
    it (UTF-8). Raises ValueError with a message saying what is wrong and what to do."""
    where = "--context"
    if text.startswith("@"):
        where = f"--context {text}"
        try:
            with open(text[1:], "rb") as fh:
                text_bytes = fh.read(MAX_ELEMENT_BYTES + 1)
        except OSError as exc:
            raise ValueError(
                f"{where}: cannot read {text[1:]}: {exc.strerror or exc}; give @FILE a file "
                "holding one JSON object"
            ) from None
        if len(text_bytes) > MAX_ELEMENT_BYTES:
            raise ValueError(f"{where}: longer than {MAX_ELEMENT_BYTES >> 20} MiB")
        raw: bytes | str = text_bytes
    else:
        raw = text
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(
            f'{where} is not valid JSON ({exc}); write e.g. \'{{"avgPrice": "30000.00"}}\' or @FILE'
        ) from None
    if type(doc) is not dict:
        raise ValueError(
            f"{where}: expected a JSON object of context keys (avgPrice, account, ...), got "
            f"{_JSON_TYPES.get(type(doc), 'null')}"
        )
    return doc


_JSON_TYPES: Final = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
}


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

    def readline(self, size: int = -1) -> bytes:
        try:
            raw = self._gz.readline(size)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise self._error(exc) from None
        self._lines += raw.endswith(b"\n")
        return raw

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


def open_records(
    stream: Any, name: str, fmt: str = "auto", *, max_line: int = MAX_LINE_BYTES
) -> Iterator[Record]:
    """The records of ``stream`` (called ``name`` in messages), gunzipped when it is gzip.

    ``stream`` is read line by line with ``readline``, no line longer than ``max_line`` bytes
    being held; a JSON array is read in blocks with ``read``. The first lines are looked at to
    tell gzip and the format apart, then handed on, so nothing is read twice.
    """
    kind, stream, head, lines = _sniff(stream, name, fmt, max_line)
    yield from _records(kind, stream, head, lines, name, max_line)


def open_chunks(
    stream: Any,
    name: str,
    fmt: str,
    *,
    block_bytes: int,
    chunk_records: int,
    read: list[int],
    max_line: int = MAX_LINE_BYTES,
    csv_blocks: bool = False,
) -> Iterator[Chunk]:
    """The input of ``stream`` in pieces for worker processes (``filterlib check --jobs N``).

    JSON Lines comes as :data:`LinesBlock` s of about ``block_bytes`` (whole lines; a longer
    line makes a longer block), so that the worker, not this process, splits and numbers the
    lines; a line longer than ``max_line`` bytes is cut to its first ``max_line + 1`` bytes
    (the worker reports it with :func:`too_long`). Every other input comes as lists of
    ``chunk_records`` records. ``read[0]`` is kept at the line of the last whole line read, for
    the message about a read error; on a read error the whole lines read before it are yielded
    first, then the error is raised.
    """
    kind, stream, head, lines = _sniff(stream, name, fmt, max_line)
    header = _plain_header(head, max_line) if kind == "csv" and csv_blocks else None
    if kind == "jsonl":
        yield from _line_blocks(head, stream, block_bytes, max_line, read)
    elif header is not None:
        yield from _csv_blocks(
            header, head, stream, name, block_bytes, chunk_records, max_line, read
        )
    else:
        records = _records(kind, stream, head, lines, name, max_line)
        yield from record_chunks(records, chunk_records, read)


def too_long(max_line: int) -> str:
    """The problem of a line longer than ``max_line`` bytes (without its newline)."""
    return (
        f"longer than {_count(max_line, 'byte')}, the longest line filterlib reads; the line was "
        "skipped. Split it, or raise the limit with --max-line-bytes"
    )


def _capped(stream: Any, max_line: int) -> Iterator[bytes]:
    """The lines of ``stream``, each with its newline; a line longer than ``max_line`` bytes
    comes as its first ``max_line + 1`` bytes only (no newline: see :func:`_is_cut`), and the
    rest of it is read through, without being held, when the next line is asked for."""
    readline = stream.readline
    while line := readline(max_line + 1):
        yield line
        if len(line) > max_line and line[-1:] != b"\n":
            while (rest := readline(_BLOCK)) and rest[-1:] != b"\n":
                pass


def _count(n: int, noun: str) -> str:
    """``1 byte``, ``1,024 bytes``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _is_cut(raw: bytes, max_line: int) -> bool:
    """Whether ``raw``, a line from :func:`_capped`, stands for a line longer than the cap."""
    return len(raw) > max_line and raw[-1:] != b"\n"


def _sniff(
    stream: Any, name: str, fmt: str, max_line: int
) -> tuple[str, Any, list[bytes], Iterator[bytes]]:
    """The format of ``stream``, the stream to read on (gunzipped), the lines read to tell the
    format (to be handed on first), and the iterator of the rest."""
    lines = _capped(stream, max_line)
    head: list[bytes] = []
    for raw in lines:
        head.append(raw)
        if raw.strip() or len(head) >= _SNIFF_LINES:
            break
    if head and head[0].startswith(_GZIP_MAGIC):
        return _sniff(_Gunzipped(b"".join(head), stream, name), name, fmt, max_line)
    if head and head[0].startswith(_UTF8_BOM) and not _is_cut(head[0], max_line):
        head[0] = head[0][len(_UTF8_BOM) :]  # editors on Windows write one; it is not data
    first = head[-1] if head else b""
    return (detect(name, first) if fmt == "auto" else fmt), stream, head, lines


def _records(
    kind: str,
    stream: Any,
    head: list[bytes],
    lines: Iterator[bytes],
    name: str,
    max_line: int,
) -> Iterator[Record]:
    if kind == "csv":
        yield from _csv_records(_chain(head, lines), name, max_line)
    elif kind == "json":
        yield from _array_records(_chain(head, _blocks(stream)), name)
    else:
        for n, raw in enumerate(_chain(head, lines), 1):
            yield (n, too_long(max_line)) if _is_cut(raw, max_line) else (n, raw)


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
    head: list[bytes], stream: Any, size: int, max_line: int, read: list[int]
) -> Iterator[LinesBlock]:
    """Whole JSON Lines lines in blocks of about ``size`` bytes, with their first line.

    ``read1`` (one read of the underlying stream, where there is one) rather than ``read``: a
    read error then loses nothing that was already read, so the lines before it are still
    checked, as when the stream is read line by line; and a pipe gives what it has. A line
    that grows past ``max_line`` bytes is kept as its first ``max_line + 1`` bytes and a
    newline, and the rest of it is read through without being held.
    """
    read_some = getattr(stream, "read1", None) or stream.read
    # Whole lines, each with its newline, then perhaps part of one. A line the format sniffer
    # cut (longer than max_line) is its first max_line + 1 bytes and a newline, as below; the
    # rest of the last one is still to be read through.
    skipping = bool(head) and _is_cut(head[-1], max_line)
    parts = [b"".join(raw + b"\n" if _is_cut(raw, max_line) else raw for raw in head)]
    head.clear()
    have = len(parts[0])
    tail = have - parts[0].rfind(b"\n") - 1  # the bytes of the last, unfinished line
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
        if skipping:
            end = data.find(b"\n") + 1
            if not end:
                continue
            skipping, data = False, data[end:]
        newline = data.rfind(b"\n")
        tail = tail + len(data) if newline < 0 else len(data) - newline - 1
        parts.append(data)
        have += len(data)
        if tail > max_line:  # keep the long line's first max_line + 1 bytes, and a newline
            block = b"".join(parts)
            start = len(block) - tail
            parts = [block[: start + max_line + 1], b"\n"]
            have, tail, skipping = start + max_line + 2, 0, True
        if have >= size and tail < have:  # a block, and a newline to end it at
            block = b"".join(parts)
            cut = len(block) - tail
            yield first, block[:cut]
            first += block.count(b"\n", 0, cut)
            read[0] = first - 1
            parts, have = [block[cut:]], tail
    block = b"".join(parts)
    if block:
        yield first, block
        read[0] = first + block.count(b"\n") - (1 if block.endswith(b"\n") else 0)


def _chain(head: list[bytes], rest: Iterator[bytes]) -> Iterator[bytes]:
    yield from head
    head.clear()
    yield from rest


def _blocks(stream: Any) -> Iterator[bytes]:
    while block := stream.read(_BLOCK):
        yield block


# --- CSV -------------------------------------------------------------------------------------


def _csv_records(lines: Iterable[bytes], name: str, max_line: int) -> Iterator[Record]:
    """One record per CSV row: header names -> cell strings, empty cells not sent.

    A row that spans a line longer than ``max_line`` bytes, or that the csv module cannot read
    (a cell longer than its field limit, as when a stray quote runs on to the end of the file),
    is an unusable record; the rows after it are read on.
    """
    cut: list[int] = []  # the lines longer than max_line that the current row spans
    reader = csv.reader(_csv_text(lines, max_line, cut))
    header: list[str] | None = None
    header_line = 0
    last = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start, last = last + 1, reader.line_num
            cut.clear()
            unreadable = _unreadable_csv(exc, start, last)
            if header is None:
                raise InputError(
                    f"{name} line {start}: the CSV header is {unreadable}", start
                ) from None
            yield start, unreadable
            continue
        start, last = last + 1, reader.line_num
        if cut:
            cut.clear()
            if header is None:
                raise InputError(
                    f"{name} line {start}: the CSV header is {too_long(max_line)}", start
                )
            yield start, too_long(max_line)
            continue
        if header is None:
            if not any(cell.strip() for cell in row):
                continue
            header, header_line = [cell.strip() for cell in row], start
            problem = _bad_header(header)
            if problem:
                raise InputError(f"{name} line {start}: {problem}", start)
            continue
        yield start, csv_row(header, header_line, row)


def csv_row(header: Sequence[str], header_line: int, row: list[str]) -> bytes | str:
    """The record of a CSV row after the header (``header_line``): the order as JSON bytes
    (header names -> cell strings, an empty cell not sent), ``b""`` for a blank row, or what
    is wrong with it."""
    if not any(cell.strip() for cell in row):
        return b""
    if not_utf8(row):
        return "not UTF-8 text; write the file in UTF-8"
    if len(row) != len(header):
        return (
            f"{_count(len(row), 'cell')} but the header (line {header_line}) names "
            f"{_count(len(header), 'column')}; give every row one cell per column (an empty "
            "cell is not sent)"
        )
    return orjson.dumps({k: v for k, v in zip(header, row, strict=True) if v != ""})


def plain_csv_record(
    header: Sequence[str], header_line: int, raw: bytes, max_line: int
) -> bytes | str:
    """The record of one line of a :class:`CsvBlock` (no newline), as :func:`_csv_records`
    gives it for such a line: its cells are its text split at the commas."""
    if len(raw) > max_line:  # cut by the reader
        return too_long(max_line)
    row = raw.decode("utf-8", "surrogateescape").split(",")
    limit = csv.field_size_limit()
    if len(raw) > limit and any(len(cell) > limit for cell in row):
        return _unreadable_csv(csv.Error("field larger than field limit"), 1, 1)
    return csv_row(header, header_line, row)


class CsvBlock(NamedTuple):
    """Whole CSV lines with no quote, carriage return or NUL, so that each line is one row
    whose cells are its text split at the commas, as the csv module reads such a line: for
    a worker to read on columns (filterlib.cli.columns). The header's names and line, the
    line of the first row, and the bytes."""

    header: tuple[str, ...]
    header_line: int
    first: int
    data: bytes


#: What a worker process gets at a time: a block of JSON Lines, a list of records, or (with
#: ``csv_blocks``) a block of plain CSV lines.
Chunk = LinesBlock | list[Record] | CsvBlock

#: Bytes after which a CSV line is no longer simply its cells split at commas.
_NOT_PLAIN_CSV: Final = (b'"', b"\r", b"\x00")


def _plain_header(head: list[bytes], max_line: int) -> tuple[str, ...] | None:
    """The header's names when the header line (the last of ``head``) is plain (see
    :class:`CsvBlock`) and makes a good header; None otherwise (the csv module then reads
    the file, and says what is wrong with a bad header)."""
    raw = head[-1] if head else b""
    if not raw or _is_cut(raw, max_line) or any(c in raw for c in _NOT_PLAIN_CSV):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    header = [cell.strip() for cell in text.rstrip("\n").split(",")]
    return None if _bad_header(header) else tuple(header)


def _csv_blocks(
    header: tuple[str, ...],
    head: list[bytes],
    stream: Any,
    name: str,
    size: int,
    chunk_records: int,
    max_line: int,
    read: list[int],
) -> Iterator[CsvBlock | list[Record]]:
    """The rows after a plain header in :class:`CsvBlock` s, until a block holds a quote, a
    carriage return or a NUL: from there on (a quoted cell may span lines) the csv module
    reads the rest, in record chunks, with the same line numbers."""
    header_line = len(head)
    header_raw = head[-1]
    head.clear()
    relative = [0]
    blocks = _line_blocks([], stream, size, max_line, relative)
    try:
        for first, data in blocks:
            read[0] = header_line + relative[0]
            if not any(c in data for c in _NOT_PLAIN_CSV):
                yield CsvBlock(header, header_line, header_line + first, data)
                continue
            start = header_line + first  # the line of this block's first row

            def lines(data: bytes = data) -> Iterator[bytes]:
                yield header_raw
                yield from _whole_lines(data, max_line)
                for _, more in blocks:
                    read[0] = header_line + relative[0]
                    yield from _whole_lines(more, max_line)

            records = (
                (start + line - 2, payload)
                for line, payload in _csv_records(lines(), name, max_line)
            )
            yield from record_chunks(records, chunk_records, read)
            return
    except (OSError, InputError):
        read[0] = header_line + relative[0]
        raise


def _whole_lines(data: bytes, max_line: int) -> Iterator[bytes]:
    """The lines of ``data`` (a block of :func:`_line_blocks`) as :func:`_capped` gives them:
    each with its newline (but perhaps the last), a line longer than ``max_line`` as its first
    ``max_line + 1`` bytes without one."""
    lines = data.split(b"\n")
    last = lines.pop()
    for line in lines:
        yield line[: max_line + 1] if len(line) > max_line else line + b"\n"
    if last:
        yield last[: max_line + 1]


def _csv_text(lines: Iterable[bytes], max_line: int, cut: list[int]) -> Iterator[str]:
    """The text of each line (invalid UTF-8 kept as surrogates); a line longer than
    ``max_line`` is given as an empty line, and its number appended to ``cut``."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    for n, raw in enumerate(lines, 1):
        if _is_cut(raw, max_line):
            cut.append(n)
            raw = b"\n"
        yield decoder.decode(raw)


def _unreadable_csv(exc: csv.Error, start: int, last: int) -> str:
    """The problem of a row (lines ``start`` to ``last``) the csv module could not read."""
    if "field larger than field limit" not in str(exc):
        return f"not readable as CSV ({exc}); write one order per row, cells separated by ','"
    limit = f"{csv.field_size_limit():,}"
    if start == last:
        return f"a cell longer than {limit} characters, the longest CSV cell read; shorten it"
    return (
        f"a quoted cell that runs on to line {last}, longer than {limit} characters: a '\"' "
        "opens a cell that runs, across lines, to the next '\"'; quote whole cells only, and "
        "double a '\"' inside one"
    )


def not_utf8(cells: Iterable[str]) -> bool:
    """Whether a cell (or command-line argument) holds a byte that is not UTF-8, which
    Python decodes as a lone surrogate (``surrogateescape``)."""
    return any("\udc80" <= ch <= "\udcff" for cell in cells for ch in cell)


def _bad_header(header: list[str]) -> str | None:
    if not_utf8(header):
        return "the CSV header is not UTF-8 text; write the file in UTF-8"
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
    known = ENDPOINTS[DEFAULT_ENDPOINT].parameters
    if not any(cell in known for cell in header):
        shown = ",".join(header)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        hint = ""
        if any(sep in cell for cell in header for sep in ";\t|"):
            hint = " (its cells are separated by ',', not ';', tabs or '|')"
        elif any(cell.lower() in _LOWER_PARAMETERS for cell in header):
            hint = " (names are case-sensitive, as Binance spells them: symbol, not Symbol)"
        return (
            f"the CSV header names no order parameter: {shown!r}{hint}; the first row must "
            "name the parameter of each column (symbol,side,type,timeInForce,quantity,price)"
        )
    return None


_LOWER_PARAMETERS: Final = frozenset(p.lower() for p in ENDPOINTS[DEFAULT_ENDPOINT].parameters)


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
            "JSON array of orders: fix it, or write JSON Lines (one object per line)",
            line,
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
