"""``filterlib``: the command line. This module parses arguments and runs ``check``.

``filterlib check`` reads orders (JSON Lines, a JSON array or CSV; gzip or not; files or
standard input: :mod:`filterlib.cli_inputs`), tells for each what Binance Spot would answer, and
writes it as text, JSON, GitHub annotations or JUnit XML (:mod:`filterlib.cli_outputs`), in
input order, in this process or over ``--jobs N`` worker processes. The other commands live in
their own modules: ``explain`` (:mod:`filterlib.cli_explain`), ``diff``
(:mod:`filterlib.cli_diff`), ``snapshot fetch`` (:mod:`filterlib.cli_snapshot`) and
``snapshot info`` (:mod:`filterlib.cli_info`).

Exit status: 0 every order passes, 1 some order fails (rejected; with ``--fail-on``, also
unchecked rules or warnings), 2 unusable input (bad snapshot, unreadable file, or any order that
could not be checked). The contract is in docs/cli.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing
import os
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, NoReturn, TextIO

from . import cli_diff, cli_explain, cli_info
from .cli_inputs import FORMATS as INPUT_FORMATS
from .cli_inputs import (
    MAX_LINE_BYTES,
    Chunk,
    InputError,
    Record,
    open_chunks,
    open_records,
    record_chunks,
    too_long,
)
from .cli_outputs import (
    FAIL_ON,
    UNUSABLE,
    Options,
    Renderer,
    Tally,
    use_colour,
    warnings_for,
)
from .cli_outputs import FORMATS as OUTPUT_FORMATS
from .cli_snapshot import add_parser as add_snapshot_parser
from .cli_snapshot import run as run_snapshot
from .dates import LATEST
from .engine import snapshot_age_warnings
from .exceptions import SnapshotError
from .lines import LineError, check_line
from .snapshot import ExchangeInfo, load_default_exchange_info, load_exchange_info
from .verdict import Verdict

__all__ = ["EXIT_OK", "EXIT_REJECTED", "EXIT_UNUSABLE", "main"]

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_UNUSABLE = 2

#: What a worker gets at a time with ``--jobs N`` (N > 1): JSON Lines as blocks of whole lines
#: of about BLOCK_BYTES (the worker splits them), other inputs as CHUNK_LINES records; and the
#: chunks in flight per worker. Memory stays bounded by about ``IN_FLIGHT_PER_JOB * N`` chunks
#: and their output, whatever the input.
BLOCK_BYTES = 1 << 18
CHUNK_LINES = 2000
IN_FLIGHT_PER_JOB = 4

#: The progress line on a terminal: first after this many seconds, then at this interval.
PROGRESS_AFTER = 1.0
PROGRESS_EVERY = 0.5


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


class _Exit(Exception):
    """Raised by the parser instead of ``sys.exit`` so ``main`` can return the status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that writes to the injected streams and never calls ``sys.exit``."""

    out: TextIO
    err: TextIO

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            (self.out if file is sys.stdout else self.err).write(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self.err.write(message)
        raise _Exit(status)


def _build_parser(out: TextIO, err: TextIO) -> _Parser:
    def make(**kwargs: Any) -> _Parser:
        parser = _Parser(**kwargs)
        parser.out, parser.err = out, err
        return parser

    parser = make(
        prog="filterlib",
        description="Tell what Binance Spot would answer to orders, offline.",
    )
    parser.add_argument("--version", action=cli_info.VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    checker = sub.add_parser(
        "check",
        help="check orders given as JSON Lines, a JSON array or CSV",
        description=(
            "Check each order of the input files (or standard input) against an exchangeInfo "
            "snapshot. Input: JSON Lines (a bare parameter object per line, or "
            '{"endpoint": ..., "params": {...}, "context": {...}}), a JSON array of the same, '
            "or CSV with a header row of parameter names; gzip is read transparently. "
            "Exit status: 0 all pass, 1 some order fails (see --fail-on), 2 unusable input."
        ),
    )
    # add_parser builds its parser with parser_class; give it the streams too.
    checker.out, checker.err = out, err
    checker.add_argument(
        "files",
        nargs="*",
        default=["-"],
        metavar="FILE",
        help="files of orders, checked in turn; '-' or nothing for standard input",
    )
    _add_snapshot_option(checker)
    checker.add_argument(
        "--format",
        choices=OUTPUT_FORMATS,
        default="text",
        help="text for people (default), json (one object per order), github (workflow "
        "annotations), junit (XML)",
    )
    checker.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        default="auto",
        help="auto (default: from the name and first bytes), jsonl, json (an array) or csv",
    )
    checker.add_argument(
        "--fail-on",
        type=_fail_on,
        action="append",
        metavar="WHAT",
        help="what fails the run (exit 1), comma-separated or repeated: rejected (always), "
        "unchecked (rules not evaluated for lack of context), warnings (a value exactly on a "
        "bound)",
    )
    checker.add_argument(
        "--warnings",
        action="store_true",
        help="show values exactly on a bound without failing on them (json: a 'warnings' key)",
    )
    checker.add_argument(
        "--max-age",
        type=_hours,
        metavar="HOURS",
        help="warn (on stderr) when the snapshot's serverTime is more than HOURS old; with "
        "--fail-on warnings, a stale snapshot fails the run",
    )
    checker.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text format: auto (default: on a terminal, unless NO_COLOR is set)",
    )
    checker.add_argument(
        "--jobs",
        type=_count("process", "processes"),
        default=1,
        metavar="N",
        help="check in N worker processes, output still in input order (default 1: in-process)",
    )
    checker.add_argument(
        "--max-line-bytes",
        type=_count("byte", "bytes"),
        default=MAX_LINE_BYTES,
        metavar="N",
        help=f"the longest JSON Lines or CSV line read (default {MAX_LINE_BYTES:,}); a longer "
        "line is an unusable line and is not held in memory",
    )
    cli_explain.add_parser(sub, out, err, _add_snapshot_option)
    cli_diff.add_parser(sub, out, err)
    # 'snapshot info' joins the actions cli_snapshot defines (fetch, validate).
    cli_info.add_parser(add_snapshot_parser(sub, out, err), out, err)
    return parser


def _add_snapshot_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--exchange-info",
        metavar="SNAPSHOT",
        help="exchangeInfo snapshot (.json or .json.gz); default: the one shipped in filterlib",
    )
    parser.add_argument(
        "--as-of",
        type=_as_of,
        metavar="DAY",
        help="answer as Binance did on DAY (YYYY-MM-DD, UTC) or by the latest rules ('latest'); "
        "default: the snapshot's own day (its serverTime)",
    )


def _as_of(text: str) -> dt.date | str:
    """An argparse type: ``YYYY-MM-DD`` or ``latest`` (see filterlib.dates)."""
    if text == LATEST:
        return LATEST
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is not a day: write YYYY-MM-DD or 'latest'"
        ) from None


def _count(one: str, many: str) -> Callable[[str], int]:
    """An argparse type: a whole number, at least 1, of ``one`` (``many`` in the plural)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number of {many}, got {text!r}"
            ) from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"expected at least 1 {one}, got {value}")
        return value

    return parse


def _fail_on(text: str) -> list[str]:
    names = [x.strip() for x in text.split(",") if x.strip()]
    bad = [x for x in names if x not in FAIL_ON]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"expected {', '.join(FAIL_ON)} (comma-separated), got {text!r}"
        )
    return names


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: BinaryIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line ``filterlib ARGS`` and return the exit status."""
    out = stdout if stdout is not None else sys.stdout
    # With standard error closed the messages are lost, but the exit status still tells.
    err = stderr if stderr is not None else sys.stderr or io.StringIO()
    if out is None:  # started with standard output closed (>&-)
        err.write(
            "filterlib: standard output is closed, so nothing could be written; give filterlib "
            "an output (> FILE, or | ...)\n"
        )
        return EXIT_UNUSABLE
    parser = _build_parser(out, err)
    try:
        args = parser.parse_args(list(argv) if argv is not None else sys.argv[1:])
    except _Exit as exc:
        return exc.status
    try:
        status = _command(args, stdin, out, err)
        with _writing():
            out.flush()
        return status
    except _OutputError as exc:
        _silence(out)
        err.write(
            f"filterlib: cannot write the output: {exc.reason}; the output is incomplete. Make "
            "room, or write it elsewhere\n"
        )
        return EXIT_UNUSABLE
    except BrokenPipeError:
        _silence(out)
        err.write(
            "filterlib: the output was closed before the end (broken pipe); the rest was not "
            "written. Read the whole output, or write it to a file\n"
        )
        return EXIT_UNUSABLE


def _command(args: argparse.Namespace, stdin: BinaryIO | None, out: TextIO, err: TextIO) -> int:
    if args.command == "check":
        return _check_command(args, stdin, out, err)
    # The other commands turn every error of their input into a message (a SnapshotError, a
    # failed request), so an OSError out of them is one of writing the output.
    with _writing():
        if args.command == "snapshot":
            if args.snapshot_command == "info":
                return cli_info.run(args, out, err)
            return run_snapshot(args, out, err)
        if args.command == "explain":
            return cli_explain.run(args, out, err)
        return cli_diff.run(args, out, err)


def _silence(out: TextIO) -> None:
    """After a broken pipe or a failed write, point the real stdout at /dev/null so exiting
    (which flushes what is left) does not fail again."""
    try:
        fd = out.fileno()
    except (OSError, ValueError, AttributeError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _hours(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        hours = -1.0
    if not hours > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of hours, got {text!r}")
    return hours


def _load_snapshot(path: str | None) -> ExchangeInfo:
    if path is None:
        return load_default_exchange_info()
    # A Path, so that a file name is never mistaken for JSON text. Lazily, as the shipped
    # snapshot is: a run decodes the symbols its orders name, not all of them.
    return load_exchange_info(Path(path), lazy=True)


# --- check ---------------------------------------------------------------------------------


def _options(args: argparse.Namespace, out: TextIO) -> Options:
    fail_on = {name for group in (args.fail_on or [["rejected"]]) for name in group}
    return Options(
        fmt=args.format,
        colour=args.format == "text" and use_colour(args.color, out),
        warnings=args.warnings or "warnings" in fail_on,
        fail_unchecked="unchecked" in fail_on,
        fail_warnings="warnings" in fail_on,
        as_of=args.as_of,
    )


def _check_command(
    args: argparse.Namespace, stdin: BinaryIO | None, out: TextIO, err: TextIO
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
    opts = _options(args, out)
    stale = False
    if args.max_age is not None:
        # The one place the clock is read: check() itself stays pure (the age of a single
        # order's snapshot is its context's serverTime).
        now = int(time.time() * 1000)
        for warning in snapshot_age_warnings(info, now, int(args.max_age * 3_600_000)):
            err.write(f"filterlib: warning: {warning.text}\n")
            stale = True
    run = _Run(info, args.exchange_info, args.jobs, opts, out, err, args.max_line_bytes)
    if args.files.count("-") > 1:
        err.write("filterlib: standard input ('-') can be read only once; name it once\n")
        return EXIT_UNUSABLE
    several = len(args.files) > 1
    for name in args.files:
        if several and opts.fmt == "text":
            with _writing():
                out.write(f"==> {'standard input' if name == '-' else name} <==\n")
        if name == "-":
            stream: Any = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
            if stream is None:  # started with standard input closed (<&-)
                err.write(
                    "filterlib: cannot read standard input: it is closed; name the files to "
                    "check, or give an input (< FILE)\n"
                )
                run.failed = True
                continue
            run.source(stream, "-", args.input_format)
            continue
        try:
            # Binary, so every line is decoded by orjson (which also rejects invalid UTF-8).
            with open(name, "rb") as fh:
                run.source(fh, name, args.input_format)
        except BrokenPipeError:
            raise
        except OSError as exc:
            if not run.started(name):
                err.write(
                    f"filterlib: cannot read {name}: {exc.strerror or exc}; check the path "
                    "and its permissions\n"
                )
                run.failed = True
            else:
                raise
    with _writing():
        status = run.finish()
    return max(status, EXIT_REJECTED) if stale and opts.fail_warnings else status


class _Run:
    """One ``check`` run over one or more sources: renders, tallies, writes in input order."""

    def __init__(
        self,
        info: ExchangeInfo,
        snapshot: str | None,
        jobs: int,
        opts: Options,
        out: TextIO,
        err: TextIO,
        max_line: int = MAX_LINE_BYTES,
    ) -> None:
        self.info, self.snapshot, self.jobs, self.opts = info, snapshot, jobs, opts
        self.max_line = max_line
        self.out, self.err = out, err
        self.tally = Tally()
        self.failed = False  # a source could not be read to its end
        self.suites: list[tuple[str, Tally, int, IO[str]]] = []  # junit: spooled test cases
        self.progress = _Progress(err)
        self._started: set[str] = set()

    def started(self, name: str) -> bool:
        return name in self._started

    def source(self, stream: Any, name: str, input_format: str) -> None:
        """Check every order of one source (a binary stream) and write its output."""
        self._started.add(name)
        label = "standard input" if name == "-" else name
        tally = Tally()
        spool: IO[str] | None = None
        target: Any = self.out
        if self.opts.fmt == "junit":
            spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed in finish
            target = spool
        failures = [0]

        def write(text: str) -> None:
            if spool is not None:
                failures[0] += text.count("\n    <failure ")
            try:
                target.write(text)
            except BrokenPipeError:
                raise
            except OSError as exc:  # the output, not the input: main() reports it
                raise _OutputError(exc) from None

        try:
            if self.jobs == 1:
                records = open_records(stream, label, input_format, max_line=self.max_line)
                checker = _Checker(self.info, name, self.opts, self.max_line)
                ok = _serial(checker, records, label, write, tally, self)
            else:
                read = [0]
                chunks = open_chunks(
                    stream,
                    label,
                    input_format,
                    block_bytes=BLOCK_BYTES,
                    chunk_records=CHUNK_LINES,
                    read=read,
                    max_line=self.max_line,
                )
                ok = _parallel(
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
            self.tally.add(tally)
            if spool is not None:
                self.suites.append((name, tally, failures[0], spool))
        if not ok:
            self.failed = True

    def finish(self) -> int:
        self.progress.done()
        opts, out = self.opts, self.out
        status = self.tally.status(opts.fail_unchecked, opts.fail_warnings)
        if self.failed:
            status = EXIT_UNUSABLE
        if opts.fmt == "text":
            out.write(self.tally.count_line())
            breakdown = self.tally.breakdown()
            if breakdown:
                out.flush()
                self.err.write(breakdown)
        elif opts.fmt == "github":
            out.write(f"::notice title=filterlib check::{self.tally.count_line()}")
        elif opts.fmt == "junit":
            _write_junit(self.suites, self.tally, out)
        return status


def _write_junit(suites: list[tuple[str, Tally, int, IO[str]]], total: Tally, out: TextIO) -> None:
    from xml.sax.saxutils import quoteattr

    def counts(t: Tally, failures: int) -> str:
        return f'tests="{sum(t.kinds)}" failures="{failures}" errors="{t.kinds[UNUSABLE]}"'

    all_failures = sum(f for _, _, f, _ in suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<testsuites name="filterlib check" {counts(total, all_failures)}>\n')
    for name, tally, failures, spool in suites:
        label = "standard input" if name == "-" else name
        out.write(f"<testsuite name={quoteattr(label)} {counts(tally, failures)}>\n")
        spool.seek(0)
        while block := spool.read(1 << 16):
            out.write(block)
        spool.close()
        out.write("</testsuite>\n")
    out.write("</testsuites>\n")


class _Progress:
    """``N orders checked (R/s)`` on standard error, rewritten in place, on a terminal only."""

    def __init__(self, err: TextIO) -> None:
        isatty = getattr(err, "isatty", None)
        self.enabled = bool(isatty and isatty())
        self.err = err
        self.start = time.monotonic()
        self.last = self.start + PROGRESS_AFTER - PROGRESS_EVERY
        self.count = 0
        self.shown = False

    def tick(self, n: int = 1) -> None:
        self.count += n
        if not self.enabled or (n == 1 and self.count & 255):
            return
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY:
            self.last = now
            rate = self.count / max(now - self.start, 1e-9)
            self.err.write(f"\rfilterlib: {self.count:,} orders checked ({rate:,.0f}/s)")
            self.err.flush()
            self.shown = True

    def done(self) -> None:
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

    def unusable(self, line: int, problem: str, tally: Tally) -> str:
        """A record the reader could not make sense of (``problem`` says why)."""
        tally.unusable()
        return self.renderer.unusable(line, f"line {line}: {problem}{self.where}")

    def line(self, line: int, raw: bytes, tally: Tally) -> str:
        """One order given as JSON bytes (a JSON Lines line, an array element, a CSV row)."""
        try:
            symbol, verdict, params, context = check_line(self.info, raw, self.opts.as_of)
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
        error = verdict.error
        if error is not None:
            tally.rejected(error, symbol)
            return self.renderer.verdict(line, symbol, verdict, ())
        found: tuple[str, ...] = ()
        if self.opts.warnings:
            try:
                found = tuple(warnings_for(self.info, params, context))
            except Exception:  # a warning is advice: never let it cost the verdict
                found = ()
        tally.passed(verdict, bool(found))
        return self.renderer.verdict(line, symbol, verdict, found)

    def block(self, first: int, data: bytes, tally: Tally) -> str:
        """The output for a block of whole JSON Lines lines, the first being line ``first``."""
        lines = data.split(b"\n")
        if not lines[-1]:
            lines.pop()  # the block ends with a newline, not with a last, unterminated line
        with_newline = data.count(b"\n")  # every line but perhaps the input's last has one
        info, checked, max_line = self.info, self._checked, self.max_line
        as_of = self.opts.as_of
        out: list[str] = []
        append = out.append
        for i, raw in enumerate(lines):
            if len(raw) > max_line:  # cut to max_line + 1 bytes by the reader, if longer
                append(self.unusable(first + i, too_long(max_line), tally))
                continue
            if not raw or raw.isspace():  # blank: no output, but it counts in the numbering
                continue
            try:
                symbol, verdict, params, context = check_line(info, raw, as_of)
            except LineError:
                # Again with its newline, as read line by line, so the message is the same
                # (a "not valid JSON" column counts the newline).
                append(self.line(first + i, raw + b"\n" if i < with_newline else raw, tally))
                continue
            append(checked(first + i, symbol, verdict, params, context, tally))
        return "".join(out)

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
        _read_error(label, lineno, exc, run, err)
        return False
    except InputError as exc:
        _input_error(exc, run, err)
        return False
    return True


def _read_error(label: str, lineno: int, exc: OSError, run: _Run | None, err: Any = None) -> None:
    target = err if err is not None else run.err if run is not None else sys.stderr
    target.write(f"filterlib: cannot read {label} after line {lineno}: {exc.strerror or exc}\n")


def _input_error(exc: InputError, run: _Run | None, err: Any = None) -> None:
    target = err if err is not None else run.err if run is not None else sys.stderr
    target.write(f"filterlib: {exc}\n")


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
    _worker_info = _load_snapshot(snapshot)


def _check_chunk(
    name: str, chunk: Chunk, opts: Options, max_line: int = MAX_LINE_BYTES
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
    tally = Tally()
    if isinstance(chunk, tuple):
        return tally, checker.block(chunk[0], chunk[1], tally)
    return tally, checker.records(chunk, tally)


def _parallel(
    snapshot: str | None,
    jobs: int,
    chunks: Iterator[Chunk],
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

    ``chunks`` (see :func:`~filterlib.cli_inputs.open_chunks`; ``read[0]`` is the last line
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
            _read_error(label, read[0], exc, run, err)
            return False
        except InputError as exc:
            drain(0)
            _input_error(exc, run, err)
            return False
        drain(0)
    except BrokenProcessPool:
        target = err if err is not None else run.err if run is not None else sys.stderr
        target.write(
            "filterlib: a worker process ended abruptly (killed, perhaps by the out-of-memory "
            f"killer) while checking {label}; the answers stop after line {written} and the "
            "rest was not checked. Run it again, with fewer --jobs if memory is short\n"
        )
        return False
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return True


def _last_line(chunk: Chunk) -> int:
    """The line number of the last line (or record) of ``chunk``."""
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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
