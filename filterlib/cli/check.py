"""``filterlib check``: reads orders, checks each, and writes the verdicts in input order.

``filterlib check`` reads orders (JSON Lines, a JSON array or CSV; gzip or not; files, folders,
patterns or standard input: :mod:`filterlib.cli.inputs`), tells for each what Binance Spot would
answer, and hands it to the output format (text, JSON, GitHub annotations, JUnit XML, SARIF, or
one registered by another module: :mod:`filterlib.cli.outputs`), in input order, in this
process or over ``--jobs N`` worker processes. The parser is in :mod:`filterlib.cli.app`.

Exit status: 0 every order passes, 1 some order fails (rejected; with ``--fail-on``, also
unchecked rules or warnings), 2 unusable input (bad snapshot, unreadable file, or any order that
could not be checked). The contract is in docs/cli.md.
"""

from __future__ import annotations

import argparse
import gc
import io
import multiprocessing
import os
import stat
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import orjson

from .._context import as_context
from .._engine import snapshot_age_warnings
from .._verdict import Verdict
from ..exceptions import SnapshotError
from ..lines import NESTED_TOO_DEEPLY, LineError, check_line
from ..snapshot import ExchangeInfo, load_default_exchange_info, load_exchange_info
from . import (
    columns,
    html,  # noqa: F401 - registers --format html
)
from .inputs import (
    MAX_LINE_BYTES,
    Chunk,
    CsvBlock,
    InputError,
    Record,
    open_chunks,
    open_records,
    parse_context,
    plain_csv_record,
    record_chunks,
    sources,
    too_long,
)
from .outputs import FORMATS as OUTPUT_FORMATS
from .outputs import (
    FileProblem,
    Options,
    OutputFormat,
    Renderer,
    RunFacts,
    Tally,
    use_colour,
    warnings_for,
)

__all__ = ["EXIT_OK", "EXIT_REJECTED", "EXIT_UNUSABLE"]

#: The parameters given to a format that does not read them (a plain order's, on columns).
_NO_PARAMS: Mapping[str, Any] = {}

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_UNUSABLE = 2

#: What a worker gets at a time with ``--jobs N`` (N > 1): JSON Lines as blocks of whole lines
#: of about BLOCK_BYTES (the worker splits them), other inputs as CHUNK_LINES records; and the
#: chunks in flight per worker. Memory stays bounded by about ``IN_FLIGHT_PER_JOB * N`` chunks
#: and their output, whatever the input.
BLOCK_BYTES = 1 << 18
#: The blocks of JSON Lines read on columns (filterlib.cli.columns) are larger: a block's
#: symbols are looked up once per block, so about 18,000 orders a block rather than 2,300
#: (measured: 3.4 against 4.8 us a passing line).
COLUMN_BLOCK_BYTES = 1 << 21
CHUNK_LINES = 2000
IN_FLIGHT_PER_JOB = 4

#: The progress line on a terminal: first after this many seconds, then at this interval.
PROGRESS_AFTER = 1.0
PROGRESS_EVERY = 0.5
#: Elsewhere (a CI log): a line at this interval, so never in a shorter run.
PROGRESS_PLAIN_EVERY = 10.0


class _OutputError(Exception):
    """Writing the output failed (a full disk, an I/O error); ``reason`` says how."""

    def __init__(self, exc: OSError) -> None:
        super().__init__(exc)
        self.reason = exc.strerror or str(exc)


@contextmanager
def _writing() -> Iterator[None]:
    """Turn an OSError of the block (which writes the output) into an :class:`_OutputError`,
    so that it is not taken for an error reading the input. A broken pipe stays itself."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _OutputError(exc) from None


#: Whether this process is the command line's own (``filterlib`` run as a program, not
#: ``cli.main`` called with arguments by a program or a test): see :func:`settle_memory`.
OWN_PROCESS = False


def _load_snapshot(path: str | None, own_process: bool | None = None) -> ExchangeInfo:
    if path is None:
        info = load_default_exchange_info()
    else:
        # A Path, so that a file name is never mistaken for JSON text. Lazily, as the shipped
        # snapshot is: a run decodes the symbols its orders name, not all of them.
        info = load_exchange_info(Path(path), lazy=True)
    if OWN_PROCESS if own_process is None else own_process:
        settle_memory()
    return info


def settle_memory() -> None:
    """Tell the garbage collector that what is loaded stays (``gc.freeze``), and to look for
    cycles less often: a run allocates a verdict and its violations per order, and each full
    collection walked the whole snapshot again. Measured on blocks of 18,000 JSON Lines
    orders: 26% less time per line with rejected orders, 15% with passing ones. Done only in
    the command line's own processes (a worker, or ``filterlib`` run as a program); a program
    that calls ``cli.main`` keeps its collector as it set it."""
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


# --- check ---------------------------------------------------------------------------------


def _options(args: argparse.Namespace, out: TextIO, context: Mapping[str, Any] | None) -> Options:
    fail_on = {name for group in (args.fail_on or [["rejected"]]) for name in group}
    return Options(
        fmt=args.format,
        colour=args.format == "text" and use_colour(args.color, out),
        warnings=args.warnings or "warnings" in fail_on,
        fail_unchecked="unchecked" in fail_on,
        fail_warnings="warnings" in fail_on,
        as_of=args.as_of,
        verbose=args.verbose,
        max_annotations=args.max_annotations,
        context=context,
    )


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed stream
        return False


def _check_command(
    args: argparse.Namespace,
    stdin: BinaryIO | None,
    out: TextIO,
    err: TextIO,
    clock: Callable[[], float],
) -> int:
    try:
        info = _load_snapshot(args.exchange_info)
    except SnapshotError as exc:
        err.write(
            f"filterlib: unusable exchangeInfo snapshot\n{exc}\n"
            "Give --exchange-info a saved GET /api/v3/exchangeInfo body "
            "(filterlib snapshot fetch -o FILE saves one)\n"
        )
        return EXIT_UNUSABLE
    context: dict[str, Any] | None = None
    if args.context is not None:
        try:
            context = parse_context(args.context)
            as_context(context)  # a bad one stops the run before any order is read
        except ValueError as exc:  # ContextError is one too
            prefix = "" if str(exc).startswith("--context") else "--context: "
            err.write(f"filterlib: {prefix}{exc}\n")
            return EXIT_UNUSABLE
        except RecursionError:
            err.write(f"filterlib: --context: {NESTED_TOO_DEEPLY}\n")
            return EXIT_UNUSABLE
    if args.files.count("-") > 1:
        err.write("filterlib: standard input ('-') can be read only once; name it once\n")
        return EXIT_UNUSABLE
    found = sources(args.files)
    # The one place the clock is read: check() itself stays pure (the age of a single order's
    # snapshot is its context's serverTime).
    now = int(time.time() * 1000)
    stale = False
    if args.max_age is not None:
        for warning in snapshot_age_warnings(info, now, int(args.max_age * 3_600_000)):
            err.write(f"filterlib: warning: {warning.text}\n")
            stale = True
    target, opened = out, None
    if args.output is not None and args.output != "-":
        clash = next((n for n, bad in found if bad is None and _same_file(n, args.output)), None)
        if clash is not None:
            err.write(
                f"filterlib: -o {args.output} is the input {clash}: writing it would erase the "
                "orders; write the output elsewhere\n"
            )
            return EXIT_UNUSABLE
        try:
            opened = open(  # noqa: SIM115 - closed below, its errors being the output's
                args.output, "w", encoding="utf-8", errors="backslashreplace"
            )
        except OSError as exc:
            err.write(
                f"filterlib: cannot write {args.output}: {exc.strerror or exc}; give -o a file "
                "in a folder that exists and can be written\n"
            )
            return EXIT_UNUSABLE
        target = opened
    opts = _options(args, target, context)
    facts = RunFacts(
        sources=tuple(name for name, _ in found),
        snapshot=args.exchange_info,
        server_time=info.server_time,
        now=now,
    )
    progress = _Progress(err, clock, enabled=not args.no_progress)
    progress.size = _input_size(found, stdin)
    try:
        with _writing():  # a format may spool to a temporary file: part of the output
            writer = OUTPUT_FORMATS[opts.fmt](target, err, opts, facts)
        run = _Run(
            info, args.exchange_info, args.jobs, opts, writer, target, err, args.max_line_bytes
        )
        run.progress = progress
        for name, problem in found:
            run.begin(name)
            if problem is not None:
                run.problem(FileProblem(name, problem))
            elif name == "-":
                _read_stdin(run, stdin, args.input_format, err)
            else:
                try:
                    # Binary, so every line is decoded by orjson (which rejects invalid UTF-8).
                    fh = open(name, "rb")  # noqa: SIM115 - closed just below
                except OSError as exc:
                    reason = exc.strerror or str(exc)
                    run.problem(
                        FileProblem(
                            name,
                            f"{name}: cannot read: {reason}; check the path and its permissions",
                        )
                    )
                else:
                    with fh:
                        run.source(fh, name, args.input_format)
            run.end(name)
        status = run.finish()
    finally:
        if opened is not None:
            with _writing():
                opened.close()
    return max(status, EXIT_REJECTED) if stale and opts.fail_warnings else status


def _same_file(a: str, b: str) -> bool:
    try:
        return a != "-" and os.path.samefile(a, b)
    except (OSError, ValueError):  # either does not exist (yet)
        return False


def _read_stdin(run: _Run, stdin: BinaryIO | None, input_format: str, err: TextIO) -> None:
    stream: Any = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
    if stream is None:  # started with standard input closed (<&-)
        run.problem(
            FileProblem(
                "-",
                "cannot read standard input: it is closed; name the files to check, or give "
                "an input (< FILE)",
            )
        )
        return
    if _isatty(stream):  # a person at a terminal: say what filterlib waits for
        err.write(
            "filterlib: reading orders from standard input (Ctrl-D to end); see "
            "filterlib check --help\n"
        )
    run.source(stream, "-", input_format)


def _input_size(found: Sequence[tuple[str, str | None]], stdin: BinaryIO | None) -> int | None:
    """The bytes of all the sources, or None when one is not a regular file (a pipe)."""
    total = 0
    for name, problem in found:
        if problem is not None:
            continue
        try:
            if name == "-":
                stream: Any = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
                info = os.fstat(stream.fileno())
            else:
                info = os.stat(name)
        except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        total += info.st_size
    return total


class _Run:
    """One ``check`` run over one or more sources: checks, tallies, and hands the output to the
    format's writer in input order."""

    def __init__(
        self,
        info: ExchangeInfo,
        snapshot: str | None,
        jobs: int,
        opts: Options,
        writer: OutputFormat,
        out: TextIO,
        err: TextIO,
        max_line: int = MAX_LINE_BYTES,
    ) -> None:
        self.info, self.snapshot, self.jobs, self.opts = info, snapshot, jobs, opts
        self.writer, self.out, self.err = writer, out, err
        self.max_line = max_line
        self.tally = Tally()
        self.part = Tally()  # the current source's
        self.failed = False  # a source could not be read to its end
        self.progress = _Progress(err, time.monotonic)
        # A file problem is said on standard error, but for text on a terminal, whose own
        # line says it there already.
        self.said_on_output = opts.fmt == "text" and _isatty(out)

    def begin(self, name: str) -> None:
        self.part = Tally()
        with _writing():
            self.writer.begin(name)

    def problem(self, problem: FileProblem) -> None:
        """A source could not be read to its end: standard error and the output say so."""
        self.failed = True
        self.part.files += 1
        if not self.said_on_output:
            self.progress.clear()
            self.err.write(f"filterlib: {problem.message}\n")
        with _writing():
            self.writer.file_problem(problem)

    def end(self, name: str) -> None:
        self.tally.add(self.part)
        with _writing():
            self.writer.end(name, self.part)

    def source(self, stream: Any, name: str, input_format: str) -> None:
        """Check every order of one source (a binary stream) and write its output."""
        label = "standard input" if name == "-" else name
        tally = self.part
        writer = self.writer
        self.progress.reading(stream)

        def write(text: str) -> None:
            try:
                writer.write(text)
            except BrokenPipeError:
                raise
            except OSError as exc:  # the output, not the input: main() reports it
                raise _OutputError(exc) from None

        try:
            parquet = input_format == "parquet" or (
                input_format == "auto" and columns.is_parquet(stream, name)
            )
            if parquet and not columns.available():
                self.problem(
                    FileProblem(
                        name,
                        f"{label} is Parquet, which needs pyarrow: pip install 'filterlib[bulk]'",
                    )
                )
                return
            checker = _Checker(self.info, name, self.opts, self.max_line)
            read = [0]
            chunks: Iterator[Chunk | columns.ParquetChunk]
            if parquet:
                chunks = _parquet(stream, label, read)
            else:
                chunks = open_chunks(
                    stream,
                    label,
                    input_format,
                    block_bytes=COLUMN_BLOCK_BYTES if checker.columns else BLOCK_BYTES,
                    csv_blocks=checker.columns,
                    chunk_records=CHUNK_LINES,
                    read=read,
                    max_line=self.max_line,
                )
            if self.jobs == 1 and not (parquet or (checker.columns and _regular_file(stream))):
                records = open_records(stream, label, input_format, max_line=self.max_line)
                _serial(checker, records, label, write, tally, self)
            elif self.jobs == 1:
                # In this process, a chunk at a time: blocks of JSON Lines are what the
                # columns read (filterlib.cli.columns).
                _in_chunks(checker, chunks, read, label, write, tally, self)
            else:
                _parallel(
                    self.snapshot,
                    self.jobs,
                    chunks,
                    read,
                    name,
                    label,
                    self.opts,
                    self.max_line,
                    write,
                    tally,
                    self,
                )
        finally:
            self.progress.next_source()  # while the stream is open: its position

    def finish(self) -> int:
        self.progress.clear()
        opts = self.opts
        status = self.tally.status(opts.fail_unchecked, opts.fail_warnings)
        if self.failed:
            status = EXIT_UNUSABLE
        with _writing():
            self.writer.finish(self.tally)
        return status


def _duration(seconds: float) -> str:
    """``45 s``, ``3 min 20 s``, ``1 h 5 min``."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


class _Progress:
    """How far a run is, on standard error: on a terminal ``N orders checked (R/s)`` rewritten
    in place every PROGRESS_EVERY seconds once the run has lasted PROGRESS_AFTER; elsewhere (a
    CI log) one plain line every PROGRESS_PLAIN_EVERY seconds, with the share of the input read
    and the time left when its size is known. ``clock`` gives seconds (time.monotonic)."""

    def __init__(
        self, err: TextIO, clock: Callable[[], float] = time.monotonic, enabled: bool = True
    ) -> None:
        self.tty = _isatty(err)
        self.enabled = enabled
        self.err = err
        self.clock = clock
        self.start = clock()
        after, self.every = (
            (PROGRESS_AFTER, PROGRESS_EVERY)
            if self.tty
            else (PROGRESS_PLAIN_EVERY, PROGRESS_PLAIN_EVERY)
        )
        self.last = self.start + after - self.every
        self.count = 0
        self.shown = False
        #: The bytes of the whole input, when known; the bytes of the sources done; the stream
        #: being read.
        self.size: int | None = None
        self.done_bytes = 0
        self.stream: Any = None

    def reading(self, stream: Any) -> None:
        self.stream = stream

    def next_source(self) -> None:
        position = self._position_in_stream()
        if position is not None:
            self.done_bytes += position
        self.stream = None

    def _position_in_stream(self) -> int | None:
        if self.stream is None:
            return None
        try:
            return int(self.stream.tell())
        except (OSError, ValueError, AttributeError):
            return None

    def tick(self, n: int = 1) -> None:
        self.count += n
        if not self.enabled or (n == 1 and self.count & 255):
            return
        now = self.clock()
        if now - self.last < self.every:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        rate = self.count / elapsed
        if self.tty:
            self.err.write(f"\rfilterlib: {self.count:,} orders checked ({rate:,.0f}/s)")
            self.err.flush()
            self.shown = True
            return
        line = f"filterlib: {self.count:,} orders checked in {_duration(elapsed)} ({rate:,.0f}/s)"
        position = self._position_in_stream()
        if self.size and position is not None:
            read = min(self.done_bytes + position, self.size)
            line += f"; {100 * read // self.size}% of the input read"
            if read:
                line += f", about {_duration(elapsed * (self.size - read) / read)} left"
        self.err.write(line + "\n")
        self.err.flush()

    def clear(self) -> None:
        if self.shown:
            self.err.write("\r\x1b[K")
            self.err.flush()
            self.shown = False


class _Checker:
    """Checks, renders and tallies the orders of one source, in this process (or a worker)."""

    def __init__(
        self, info: ExchangeInfo, name: str, opts: Options, max_line: int = MAX_LINE_BYTES
    ) -> None:
        self.info, self.name, self.opts, self.max_line = info, name, opts, max_line
        # Every message about a line that cannot be checked ends with the file it is in.
        self.where = f" (in {'standard input' if name == '-' else name})"
        self.renderer = Renderer(name, opts)
        #: What an order's number counts: lines, or a Parquet file's rows.
        self.unit = "line"
        #: Whether plain orders are decided on columns (filterlib.cli.columns): with the bulk
        #: extra, on the snapshot's day, without on-bound warnings (which read each order).
        self.columns = (
            columns.available()
            and not opts.warnings
            and opts.as_of is None
            and (opts.context is None or type(opts.context) is dict)
        )

    def unusable(self, line: int, problem: str, tally: Tally) -> str:
        """A record the reader could not make sense of (``problem`` says why)."""
        tally.unusable()
        return self.renderer.unusable(line, f"{self.unit} {line}: {problem}{self.where}")

    def line(self, line: int, raw: bytes, tally: Tally) -> str:
        """One order given as JSON bytes (a JSON Lines line, an array element, a CSV row)."""
        try:
            symbol, verdict, params, context = check_line(
                self.info, raw, self.opts.as_of, self.opts.context
            )
        except LineError as exc:
            return self.unusable(line, str(exc), tally)
        return self._checked(line, symbol, verdict, params, context, tally)

    def _checked(
        self,
        line: int,
        symbol: str,
        verdict: Verdict,
        params: Mapping[str, Any],
        context: object,
        tally: Tally,
    ) -> str:
        if verdict.error is not None:
            tally.rejected(verdict, symbol)
            return self.renderer.verdict(line, symbol, verdict, (), params)
        found: tuple[str, ...] = ()
        if self.opts.warnings:
            try:
                found = tuple(warnings_for(self.info, params, context))
            except Exception:  # a warning is advice: never let it cost the verdict
                found = ()
        tally.passed(verdict, bool(found))
        return self.renderer.verdict(line, symbol, verdict, found, params)

    def block(self, first: int, data: bytes, tally: Tally) -> str:
        """The output for a block of whole JSON Lines lines, the first being line ``first``."""
        lines = data.split(b"\n")
        if not lines[-1]:
            lines.pop()  # the block ends with a newline, not with a last, unterminated line
        with_newline = data.count(b"\n")  # every line but perhaps the input's last has one
        found = None
        if self.columns:
            table = columns.lines_table(data, len(lines), self.max_line)
            if table is not None:
                found = columns.verdicts(self.info, table, self.opts.context)
        if found is None:
            return "".join(
                filter(
                    None,
                    (
                        self._block_line(first + i, raw, i < with_newline, tally)
                        for i, raw in enumerate(lines)
                    ),
                )
            )
        assert table is not None
        return self._on_columns(first, found, table, lines, with_newline, tally)

    def _on_columns(
        self,
        first: int,
        found: list[Verdict | None],
        table: Any,
        payloads: Sequence[bytes] | None,
        with_newline: int,
        tally: Tally,
        rows: Callable[[int], bytes | str] | None = None,
    ) -> str:
        """The output for rows judged on columns (``found``: each one's verdict, None for a row
        to check one by one, as ``payloads[i]`` or ``rows(i)`` gives its JSON)."""
        symbols = table.column("symbol").to_pylist()
        wants_params = self.renderer.format.wants_params
        context = self.opts.context
        checked = self._checked
        out: list[str] = []
        append = out.append
        for i, verdict in enumerate(found):
            if verdict is None:
                if payloads is not None:
                    text = self._block_line(first + i, payloads[i], i < with_newline, tally)
                else:
                    assert rows is not None
                    text = self.record(first + i, rows(i), tally)
                if text:
                    append(text)
                continue
            params: Mapping[str, Any] = _NO_PARAMS
            if wants_params:
                payload = payloads[i] if payloads is not None else rows(i) if rows else b"{}"
                params = orjson.loads(payload)
            append(checked(first + i, symbols[i], verdict, params, context, tally))
        return "".join(out)

    def _block_line(self, line: int, raw: bytes, newline: bool, tally: Tally) -> str | None:
        """The output for one line of a block (``newline``: it had one), None for a blank."""
        if len(raw) > self.max_line:  # cut to max_line + 1 bytes by the reader, if longer
            return self.unusable(line, too_long(self.max_line), tally)
        if not raw or raw.isspace():  # blank: no output, but it counts in the numbering
            return None
        try:
            symbol, verdict, params, used = check_line(
                self.info, raw, self.opts.as_of, self.opts.context
            )
        except LineError:
            # Again with its newline, as read line by line, so the message is the same
            # (a "not valid JSON" column counts the newline).
            return self.line(line, raw + b"\n" if newline else raw, tally)
        return self._checked(line, symbol, verdict, params, used, tally)

    def csv_block(self, chunk: CsvBlock, tally: Tally) -> str:
        """The output for a block of plain CSV lines (see :class:`CsvBlock`): on columns when
        every line is a row of the header's width, else row by row, as the csv module reads
        such lines."""
        header, header_line, first, data = chunk
        lines = data.split(b"\n")
        if not lines[-1]:
            lines.pop()
        max_line = self.max_line

        def record(i: int) -> bytes | str:
            return plain_csv_record(header, header_line, lines[i], max_line)

        table = columns.csv_table(data, header, len(lines), max_line) if self.columns else None
        found = None if table is None else columns.verdicts(self.info, table, self.opts.context)
        if found is None or table is None:
            return "".join(
                filter(None, (self.record(first + i, record(i), tally) for i in range(len(lines))))
            )
        return self._on_columns(first, found, table, None, 0, tally, record)

    def batch(self, chunk: columns.ParquetChunk, tally: Tally) -> str:
        """The output for rows of a Parquet file."""
        import pyarrow as pa

        self.unit = "row"
        table = pa.Table.from_batches([chunk.batch])
        found = columns.verdicts(self.info, table, self.opts.context) if self.columns else None
        listed: list[dict[str, Any]] = []

        def row(i: int) -> bytes:
            if not listed:
                listed.extend(table.to_pylist())
            return columns.row_json(listed[i])

        if found is None:
            found = [None] * table.num_rows
        return self._on_columns(chunk.first, found, table, None, 0, tally, row)

    def record(self, line: int, payload: bytes | str, tally: Tally) -> str | None:
        """The output for one record (a JSON array element, a CSV row, or a line): the
        reader's problem when ``payload`` is text, None for a blank one (no output)."""
        if isinstance(payload, str):
            return self.unusable(line, payload, tally)
        if payload and not payload.isspace():
            return self.line(line, payload, tally)
        return None

    def records(self, records: Iterable[Record], tally: Tally) -> str:
        """The output for records, joined."""
        return "".join(filter(None, (self.record(line, p, tally) for line, p in records)))


def _serial(
    checker: _Checker,
    records: Iterator[Record],
    label: str,
    write: Any,
    tally: Tally,
    run: _Run | None,
    err: TextIO | None = None,
) -> bool:
    """Check ``records`` in this process, writing each answer before reading on; False after
    reporting a read error."""
    lineno = 0
    try:
        for lineno, payload in records:
            text = checker.record(lineno, payload, tally)
            if text is None:
                continue
            write(text)
            if run is not None:
                run.progress.tick()
    except BrokenPipeError:
        raise  # the output, not the input: main() reports it
    except OSError as exc:
        _read_error(checker.name, label, lineno, exc, run, err)
        return False
    except InputError as exc:
        _report(FileProblem(checker.name, str(exc), exc.line), run, err)
        return False
    return True


def _regular_file(stream: Any) -> bool:
    """Whether ``stream`` reads a regular file: one read a block at a time. Anything else (a
    pipe, a terminal) is read line by line in one process, so that each answer is written
    before the next line is read: a program may feed orders one at a time and wait."""
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False


def _in_chunks(
    checker: _Checker,
    chunks: Iterator[Chunk | columns.ParquetChunk],
    read: list[int],
    label: str,
    write: Any,
    tally: Tally,
    run: _Run,
) -> None:
    """``_serial`` a chunk at a time (see :func:`open_chunks`), in this process."""
    try:
        for chunk in chunks:
            part, text = _checked_chunk(checker, chunk)
            tally.add(part)
            write(text)
            run.progress.tick(sum(part.kinds))
    except BrokenPipeError:
        raise
    except OSError as exc:
        _read_error(checker.name, label, read[0], exc, run, None)
    except InputError as exc:
        _report(FileProblem(checker.name, str(exc), exc.line), run, None)


def _parquet(stream: Any, label: str, read: list[int]) -> Iterator[columns.ParquetChunk]:
    """The rows of a Parquet source in chunks; ``read[0]`` the last row read. A file pyarrow
    cannot read is an InputError, as a broken JSON array is."""
    try:
        for chunk in columns.parquet_chunks(stream):
            read[0] = chunk.last
            yield chunk
    except ValueError as exc:
        raise InputError(f"cannot read {label} after row {read[0]}: {exc}") from None


def _report(problem: FileProblem, run: _Run | None, err: TextIO | None) -> None:
    """A source that could not be read to its end: to the run, or (without one) to ``err``."""
    if run is not None:
        run.problem(problem)
    else:
        (err if err is not None else sys.stderr).write(f"filterlib: {problem.message}\n")


def _read_error(
    name: str, label: str, lineno: int, exc: OSError, run: _Run | None, err: TextIO | None
) -> None:
    message = f"cannot read {label} after line {lineno}: {exc.strerror or exc}"
    _report(FileProblem(name, message), run, err)


def _run(
    info: ExchangeInfo,
    lines: Iterable[bytes],
    name: str,
    fmt: str,
    out: TextIO,
    err: TextIO,
    opts: Options | None = None,
) -> int:
    """Check the JSON Lines ``lines`` (called ``name``) in this process; the exit status."""
    opts = opts or Options(fmt=fmt)
    tally = Tally()
    checker = _Checker(info, name, opts)
    ok = _serial(checker, enumerate(lines, 1), name, out.write, tally, None, err)
    if not ok:
        return EXIT_UNUSABLE
    if fmt == "text":
        out.write(tally.count_line())
    return tally.status(opts.fail_unchecked, opts.fail_warnings)


# --- --jobs N: the same orders, checked in N worker processes, written in input order ---------

#: The snapshot a worker process checks against, loaded once by ``_init_worker``.
_worker_info: ExchangeInfo | None = None
#: The worker's checker for the source it was last given (it keeps rendered verdicts).
_worker_checker: _Checker | None = None

#: A chunk's result: its tally and its output text.
_ChunkResult = tuple[Tally, str]


def _init_worker(snapshot: str | None) -> None:
    global _worker_info
    _worker_info = _load_snapshot(snapshot, own_process=True)


def _check_chunk(
    name: str, chunk: Chunk | columns.ParquetChunk, opts: Options, max_line: int = MAX_LINE_BYTES
) -> _ChunkResult:
    global _worker_checker
    checker = _worker_checker
    if (
        checker is None
        or checker.name != name
        or checker.opts != opts
        or checker.max_line != max_line
    ):
        info = _worker_info
        assert info is not None, "worker used before _init_worker"
        checker = _worker_checker = _Checker(info, name, opts, max_line)
    return _checked_chunk(checker, chunk)


def _checked_chunk(checker: _Checker, chunk: Chunk | columns.ParquetChunk) -> _ChunkResult:
    tally = Tally()
    if isinstance(chunk, columns.ParquetChunk):
        return tally, checker.batch(chunk, tally)
    if isinstance(chunk, CsvBlock):
        return tally, checker.csv_block(chunk, tally)
    if isinstance(chunk, tuple):
        return tally, checker.block(chunk[0], chunk[1], tally)
    return tally, checker.records(chunk, tally)


def _parallel(
    snapshot: str | None,
    jobs: int,
    chunks: Iterator[Chunk] | Iterator[Chunk | columns.ParquetChunk],
    read: list[int],
    name: str,
    label: str,
    opts: Options,
    max_line: int,
    write: Any,
    tally: Tally,
    run: _Run | None,
    err: TextIO | None = None,
) -> bool:
    """``_serial`` over ``jobs`` worker processes: same output, same order, bounded memory.

    ``chunks`` (see :func:`~filterlib.cli.inputs.open_chunks`; ``read[0]`` is the last line
    read) go to a pool whose workers each load the snapshot once; at most IN_FLIGHT_PER_JOB
    chunks per worker are outstanding, and results are written in input order as they complete.
    """
    window = jobs * IN_FLIGHT_PER_JOB
    pending: deque[tuple[Future[_ChunkResult], int]] = deque()  # and each chunk's last line
    written = 0  # the last line of the chunks written

    def drain(keep: int) -> None:
        nonlocal written
        while len(pending) > keep:
            future, last = pending.popleft()
            part, text = future.result()
            tally.add(part)
            write(text)
            written = last
            if run is not None:
                run.progress.tick(sum(part.kinds))

    # A ProcessPoolExecutor, not a multiprocessing Pool: when a worker dies (killed by the
    # out-of-memory killer, say), a Pool replaces it and waits forever for the chunk it held;
    # the executor fails every pending result with BrokenProcessPool instead.
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context(),
        initializer=_init_worker,
        initargs=(snapshot,),
    )
    try:
        try:
            for chunk in chunks:
                future = pool.submit(_check_chunk, name, chunk, opts, max_line)
                pending.append((future, _last_line(chunk)))
                drain(window - 1)
        except BrokenPipeError:
            raise
        except OSError as exc:
            drain(0)
            _read_error(name, label, read[0], exc, run, err)
            return False
        except InputError as exc:
            drain(0)
            _report(FileProblem(name, str(exc), exc.line), run, err)
            return False
        drain(0)
    except BrokenProcessPool:
        message = (
            "a worker process ended abruptly (killed, perhaps by the out-of-memory killer) "
            f"while checking {label}; the answers stop after line {written} and the rest was not "
            "checked. Run it again, with fewer --jobs if memory is short"
        )
        _report(FileProblem(name, message), run, err)
        return False
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return True


def _last_line(chunk: Chunk | columns.ParquetChunk) -> int:
    """The line number of the last line (or record, or row) of ``chunk``."""
    if isinstance(chunk, columns.ParquetChunk):
        return chunk.last
    if isinstance(chunk, CsvBlock):
        return chunk.first + chunk.data.count(b"\n") - chunk.data.endswith(b"\n")
    if isinstance(chunk, tuple):
        first, data = chunk
        return first + data.count(b"\n") - data.endswith(b"\n")
    return chunk[-1][0]


def _run_parallel(
    snapshot: str | None,
    jobs: int,
    lines: Iterable[bytes],
    name: str,
    fmt: str,
    out: TextIO,
    err: TextIO,
) -> int:
    """``_run`` over ``jobs`` worker processes: same output, same order, same status."""
    opts = Options(fmt=fmt)
    tally = Tally()
    read = [0]
    chunks = record_chunks(enumerate(lines, 1), CHUNK_LINES, read)
    ok = _parallel(
        snapshot, jobs, chunks, read, name, name, opts, MAX_LINE_BYTES, out.write, tally, None, err
    )
    if not ok:
        return EXIT_UNUSABLE
    if fmt == "text":
        out.write(tally.count_line())
    return tally.status(False, False)
