"""``filterlib``: the command line's parser, and the dispatch to each command's module.

``check`` is in :mod:`filterlib.cli.check`; the other commands live in their own modules:
``explain`` (:mod:`filterlib.cli.explain`), ``diff`` (:mod:`filterlib.cli.diff`), ``snapshot
fetch`` and ``snapshot validate`` (:mod:`filterlib.cli.snapshot`) and ``snapshot info``
(:mod:`filterlib.cli.info`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO, NoReturn, TextIO

from .._dates import LATEST
from . import check, diff, explain, info
from .check import EXIT_UNUSABLE, PROGRESS_PLAIN_EVERY, _check_command, _OutputError, _writing
from .inputs import FORMATS as INPUT_FORMATS
from .inputs import MAX_LINE_BYTES
from .outputs import FAIL_ON, MAX_ANNOTATIONS
from .outputs import FORMATS as OUTPUT_FORMATS
from .snapshot import add_parser as add_snapshot_parser
from .snapshot import run as run_snapshot

__all__ = ["main"]


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
    parser.add_argument("--version", action=info.VersionAction)
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
        help="files of orders, checked in turn: a folder stands for its order files (*.jsonl, "
        "*.ndjson, *.json, *.csv, gzip or not), a pattern (quoted: 'orders/**/*.csv') for the "
        "files it matches; '-' or nothing for standard input",
    )
    _add_snapshot_option(checker)
    checker.add_argument(
        "--format",
        choices=OUTPUT_FORMATS,
        default="text",
        help="; ".join(f"{name}: {cls.help}" for name, cls in OUTPUT_FORMATS.items()),
    )
    checker.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the output to FILE instead of standard output (the summary still goes to "
        "standard error)",
    )
    checker.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="text: list the passing orders too, and the rules each order left unchecked "
        "(github: in each annotation); junit: a testcase for each passing order",
    )
    checker.add_argument(
        "--max-annotations",
        type=_whole,
        default=MAX_ANNOTATIONS,
        metavar="N",
        help=f"github: at most N annotations per rule (default {MAX_ANNOTATIONS}; 0: no "
        "limit), then one notice counting the rest",
    )
    checker.add_argument(
        "--context",
        metavar="JSON|@FILE",
        help="market and account state for every order, as JSON or @FILE holding it, e.g. "
        '\'{"avgPrice": "30000.00"}\'; the keys of a line\'s own context win over it',
    )
    checker.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        default="auto",
        help="auto (default: from the name and first bytes), jsonl, json (an array), csv, or "
        "parquet (with the bulk extra: pip install 'filterlib[bulk]')",
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
    checker.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress line on standard error (by default: rewritten in place on a "
        f"terminal, and one line every {PROGRESS_PLAIN_EVERY:.0f} seconds elsewhere, once a "
        "run lasts that long)",
    )
    explain.add_parser(sub, out, err, _add_snapshot_option)
    diff.add_parser(sub, out, err)
    # 'snapshot info' joins the actions filterlib.cli.snapshot defines (fetch, validate).
    info.add_parser(add_snapshot_parser(sub, out, err), out, err)
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
    """An argparse type: ``YYYY-MM-DD`` or ``latest`` (see filterlib._dates)."""
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


def _whole(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number (0 or more), got {text!r}")
    return value


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
    clock: Callable[[], float] | None = None,
) -> int:
    """Run the command line ``filterlib ARGS`` and return the exit status.

    ``stdin``, ``stdout`` and ``stderr`` replace the process's streams, and ``clock`` (seconds,
    as time.monotonic gives them) the clock of ``check``'s progress line."""
    if argv is None:  # run as a program: this process is the command line's own
        check.OWN_PROCESS = True
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
        status = _command(args, stdin, out, err, clock or time.monotonic)
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


def _command(
    args: argparse.Namespace,
    stdin: BinaryIO | None,
    out: TextIO,
    err: TextIO,
    clock: Callable[[], float],
) -> int:
    if args.command == "check":
        return _check_command(args, stdin, out, err, clock)
    # The other commands turn every error of their input into a message (a SnapshotError, a
    # failed request), so an OSError out of them is one of writing the output.
    with _writing():
        if args.command == "snapshot":
            if args.snapshot_command == "info":
                return info.run(args, out, err)
            return run_snapshot(args, out, err)
        if args.command == "explain":
            return explain.run(args, out, err)
        return diff.run(args, out, err)


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
