"""``filterlib check`` on columns (the ``bulk`` extra): JSON Lines blocks and Parquet batches.

With pyarrow installed, the command line reads orders in batches of columns and lets
:func:`filterlib._table.judge_columns` decide the plain LIMIT orders among them, as
:func:`filterlib.check_table` does; every other order goes the way it always went
(:func:`filterlib.lines.check_line`, one by one), so the output is the same, byte for byte.

* A block of JSON Lines is read by pyarrow's JSON reader only when every line holds exactly one
  flat object with string values for the six parameters of a plain LIMIT order (a ``{`` per
  line, no byte-order mark, no line longer than the limit); any other block is read line by
  line. pyarrow and orjson disagree on a few inputs (a byte-order mark, two objects on a line,
  invalid UTF-8): those guards keep every such line on orjson's side.
* Parquet is new: read in row batches (:data:`PARQUET_BATCH_ROWS`), a row's non-null cells its
  parameters, numbered from 1 like lines. A row the columns do not decide is checked as the
  JSON object of those cells.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, BinaryIO

import orjson

from .._verdict import Verdict
from ..lines import DEFAULT_ENDPOINT
from ..snapshot import ExchangeInfo

__all__ = [
    "MIN_LINES",
    "PARQUET_BATCH_ROWS",
    "ParquetChunk",
    "available",
    "csv_table",
    "is_parquet",
    "lines_table",
    "parquet_chunks",
    "row_json",
    "verdicts",
]

#: Rows per Parquet batch (a worker's chunk with ``--jobs N``).
PARQUET_BATCH_ROWS = 16384
_PARQUET_MAGIC = b"PAR1"
_BOM = b"\xef\xbb\xbf"
#: The parameters of a plain LIMIT order, read from a JSON Lines block as strings.
_PLAIN = ("symbol", "side", "type", "timeInForce", "quantity", "price")


#: Fewer lines than this in a block are read one by one: columns pay off on many orders, and
#: a few (a bot's, a quick check) then never wait for pyarrow to be imported.
MIN_LINES = 1000


@cache
def available() -> bool:
    """Whether the bulk extra (pyarrow, numpy) is installed (looked up, not imported)."""
    return all(importlib.util.find_spec(name) is not None for name in ("pyarrow", "numpy"))


def lines_table(data: bytes, count: int, max_line: int) -> Any | None:
    """The ``count`` lines of ``data`` (whole JSON Lines lines) as a pyarrow Table of the six
    plain parameters, row ``i`` being line ``i``; None unless every line is one flat object
    of such string values (the caller then reads the block line by line)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.json as pj

    if count < MIN_LINES or _BOM in data:
        return None
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    starts = np.concatenate(([0], ends + 1))[:count]
    stops = np.concatenate((ends, [len(data)]))[:count]
    if int((stops - starts).max()) > max_line:
        return None
    # Exactly one "{" a line: each line holds one object at most, so row i is line i.
    braces = np.flatnonzero(raw == 123)
    if len(braces) != count or not np.array_equal(np.searchsorted(ends, braces), np.arange(count)):
        return None
    schema = pa.schema([(name, pa.string()) for name in _PLAIN])
    try:
        table = pj.read_json(
            io.BytesIO(data),
            read_options=pj.ReadOptions(use_threads=False, block_size=len(data) + 1),
            parse_options=pj.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="error"
            ),
        )
        table.validate(full=True)  # invalid UTF-8 in a string: orjson's to report
    except (pa.ArrowException, ValueError):
        return None
    return table if table.num_rows == count else None


def csv_table(data: bytes, header: tuple[str, ...], count: int, max_line: int) -> Any | None:
    """The ``count`` plain CSV lines of ``data`` (see :class:`~filterlib.cli.inputs.CsvBlock`)
    as a pyarrow Table of string columns named by ``header``, an empty cell null (not sent);
    None unless every line is a row of the header's width, not blank, UTF-8 and within
    ``max_line`` (the caller then reads the block row by row)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if count < MIN_LINES:
        return None
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    starts = np.concatenate(([0], ends + 1))[:count]
    stops = np.concatenate((ends, [len(data)]))[:count]
    widest = int((stops - starts).max())
    if int((stops - starts).min()) == 0 or widest > min(max_line, csv.field_size_limit()):
        return None
    commas = np.flatnonzero(raw == 44)
    per_line = np.bincount(np.searchsorted(ends, commas), minlength=count + 1)[:count]
    if not (per_line == len(header) - 1).all():
        return None
    try:
        data.decode("utf-8")
        table = pcsv.read_csv(
            io.BytesIO(data),
            read_options=pcsv.ReadOptions(
                column_names=list(header), use_threads=False, block_size=len(data) + 1
            ),
            parse_options=pcsv.ParseOptions(quote_char=False, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (pa.ArrowException, UnicodeDecodeError, ValueError):
        return None
    # A row of blanks is a blank row (no output): read one by one.
    return table if table.num_rows == count else None


def verdicts(
    info: ExchangeInfo, table: Any, context: Mapping[str, Any] | None
) -> list[Verdict | None] | None:
    """The verdict of each row of ``table`` the columns decide (None for the others), as
    ``check`` gives it to the bare order of that row with ``context``; None when the columns
    fail (the rows are then checked one by one, where a failure is reported on its line)."""
    from .._table import judge_columns

    try:
        judged = judge_columns(
            info, table, DEFAULT_ENDPOINT, dict(context) if context else None,
            context_columns=False,
        )  # fmt: skip
        found = judged.verdicts()
    except Exception:  # never a traceback: one by one, each order gets its answer or error
        return None
    out: list[Verdict | None] = [None] * table.num_rows
    for row, verdict in zip(judged.rows.tolist(), found, strict=True):
        out[row] = verdict
    return out


def is_parquet(stream: Any, name: str) -> bool:
    """Whether ``stream`` (not read yet) starts as a Parquet file does, or ``name`` says so
    when the stream cannot be looked into without being consumed."""
    peek = getattr(stream, "peek", None)
    if peek is not None:
        try:
            return bytes(peek(4)[:4]) == _PARQUET_MAGIC
        except (OSError, ValueError):
            return False
    return name.lower().endswith(".parquet")


class ParquetChunk:
    """Rows of a Parquet file for a worker: the row number of the first, and the batch."""

    __slots__ = ("batch", "first")

    def __init__(self, first: int, batch: Any) -> None:
        self.first, self.batch = first, batch

    @property
    def last(self) -> int:
        return self.first + int(self.batch.num_rows) - 1


def parquet_chunks(stream: BinaryIO, rows: int = PARQUET_BATCH_ROWS) -> Iterator[ParquetChunk]:
    """The rows of the Parquet file ``stream`` in batches of ``rows``. A stream that cannot
    seek (a pipe) is copied to a temporary file first: Parquet is read from its end. Raises
    ValueError when it is not a Parquet file pyarrow can read (the message says why)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with contextlib.ExitStack() as stack:
        source: Any = stream
        if not _seekable(stream):
            source = stack.enter_context(tempfile.TemporaryFile())
            shutil.copyfileobj(stream, source)
            source.seek(0)
        try:
            reader = pq.ParquetFile(source)
        except (pa.ArrowException, OSError) as exc:
            raise ValueError(f"not a readable Parquet file ({exc})") from None
        first = 1
        try:
            for batch in reader.iter_batches(batch_size=rows):
                batch.validate(full=True)  # invalid UTF-8 in a string column, say
                yield ParquetChunk(first, batch)
                first += batch.num_rows
        except pa.ArrowException as exc:
            raise ValueError(f"a broken Parquet file ({exc})") from None


def _seekable(stream: Any) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def row_json(row: Mapping[str, Any]) -> bytes:
    """A Parquet row as the JSON object of its non-null cells (numbers stay numbers; a value
    JSON has no type for, a decimal or a date, is written as its text)."""
    return orjson.dumps({k: v for k, v in row.items() if v is not None}, default=str)
