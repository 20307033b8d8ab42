"""``filterlib check``: what Binance Spot would answer to each order of a JSON Lines stream.

Each non-blank input line is either a bare parameter object (sent to ``POST /api/v3/order``)
or ``{"endpoint": ..., "params": {...}, "context": {...}}``. ``--format json`` writes one JSON
object per non-blank input line (``Verdict.to_dict()``, or an ``"error"`` object for a line
that cannot be checked); ``--format text`` writes one line per order for people and a summary.

Exit status: 0 every order passes, 1 some order is rejected, 2 unusable input (bad snapshot,
unreadable file, or any line that could not be checked). The contract is in docs/cli.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, BinaryIO, NoReturn, TextIO

import orjson

from .cli_snapshot import add_parser as add_snapshot_parser
from .cli_snapshot import run as run_snapshot
from .context import ContextError
from .endpoints import ENDPOINTS
from .engine import check
from .exceptions import SnapshotError, UsageError
from .snapshot import ExchangeInfo, load_default_exchange_info, load_exchange_info
from .verdict import Unchecked, Verdict

__all__ = ["EXIT_OK", "EXIT_REJECTED", "EXIT_UNUSABLE", "main"]

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_UNUSABLE = 2

DEFAULT_ENDPOINT = "/api/v3/order"
WRAPPER_KEYS = ("endpoint", "params", "context")

#: Lines sent to a worker at a time with ``--jobs N`` (N > 1), and chunks in flight per worker:
#: memory stays bounded by about ``CHUNK_LINES * IN_FLIGHT_PER_JOB * N`` lines, whatever the input.
CHUNK_LINES = 2000
IN_FLIGHT_PER_JOB = 4

# What one non-blank line came to: an order that passes, one that is rejected, an unusable line.
_PASSED, _REJECTED, _UNUSABLE = 0, 1, 2


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


class _LineError(Exception):
    """A line that cannot be checked; the message says what is wrong and what to do."""


def _build_parser(out: TextIO, err: TextIO) -> _Parser:
    def make(**kwargs: Any) -> _Parser:
        parser = _Parser(**kwargs)
        parser.out, parser.err = out, err
        return parser

    parser = make(
        prog="filterlib",
        description="Tell what Binance Spot would answer to orders, offline.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    checker = sub.add_parser(
        "check",
        help="check orders given as JSON Lines",
        description=(
            "Check each order of a JSON Lines file (or standard input) against an exchangeInfo "
            "snapshot. A line is a bare parameter object (POST /api/v3/order) or "
            '{"endpoint": ..., "params": {...}, "context": {...}}. '
            "Exit status: 0 all pass, 1 some order rejected, 2 unusable input."
        ),
    )
    # add_parser builds its parser with parser_class; give it the streams too.
    checker.out, checker.err = out, err
    checker.add_argument(
        "file",
        nargs="?",
        default="-",
        metavar="FILE",
        help="JSON Lines file of orders; '-' or nothing for standard input",
    )
    checker.add_argument(
        "--exchange-info",
        metavar="SNAPSHOT",
        help="exchangeInfo snapshot (.json or .json.gz); default: the one shipped in filterlib",
    )
    checker.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default), json for one JSON object per input line",
    )
    checker.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="check in N worker processes, output still in input order (default 1: in-process)",
    )
    add_snapshot_parser(sub, out, err)
    return parser


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of processes, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1 process, got {value}")
    return value


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: BinaryIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line ``filterlib ARGS`` and return the exit status."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = _build_parser(out, err)
    try:
        args = parser.parse_args(list(argv) if argv is not None else sys.argv[1:])
    except _Exit as exc:
        return exc.status
    if args.command == "snapshot":
        return run_snapshot(args, out, err)

    try:
        info = _load_snapshot(args.exchange_info)
    except SnapshotError as exc:
        err.write(f"filterlib: unusable exchangeInfo snapshot\n{exc}\n")
        return EXIT_UNUSABLE

    def run(lines: Iterable[bytes], name: str) -> int:
        if args.jobs == 1:
            return _run(info, lines, name, args.format, out, err)
        return _run_parallel(args.exchange_info, args.jobs, lines, name, args.format, out, err)

    if args.file == "-":
        return run(stdin if stdin is not None else sys.stdin.buffer, "standard input")
    try:
        # Binary, so every line is decoded by orjson (which also rejects invalid UTF-8).
        with open(args.file, "rb") as fh:
            return run(fh, args.file)
    except OSError as exc:
        err.write(f"filterlib: cannot read {args.file}: {exc.strerror or exc}\n")
        return EXIT_UNUSABLE


def _load_snapshot(path: str | None) -> ExchangeInfo:
    if path is None:
        return load_default_exchange_info()
    # A Path, so that a file name is never mistaken for JSON text.
    return load_exchange_info(Path(path))


def _run(
    info: ExchangeInfo, lines: Iterable[bytes], name: str, fmt: str, out: TextIO, err: TextIO
) -> int:
    counts = [0, 0, 0]  # passed, rejected, unusable
    lineno = 0
    try:
        for lineno, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            kind, text = _line_output(info, lineno, raw, fmt)
            counts[kind] += 1
            out.write(text)
    except OSError as exc:
        err.write(f"filterlib: cannot read {name} after line {lineno}: {exc.strerror or exc}\n")
        return EXIT_UNUSABLE
    return _finish(counts, fmt, out)


def _finish(counts: Sequence[int], fmt: str, out: TextIO) -> int:
    passed, rejected, unusable = counts
    if fmt == "text":
        out.write(
            f"{passed + rejected} checked, {passed} passed, {rejected} rejected, "
            f"{unusable} unusable\n"
        )
    if unusable:
        return EXIT_UNUSABLE
    return EXIT_REJECTED if rejected else EXIT_OK


def _line_output(info: ExchangeInfo, lineno: int, raw: bytes, fmt: str) -> tuple[int, str]:
    """What a non-blank line comes to (_PASSED, _REJECTED or _UNUSABLE) and its output line."""
    try:
        symbol, verdict = _check_line(info, raw)
    except _LineError as exc:
        message = f"line {lineno}: {exc}"
        return _UNUSABLE, (_json_error(message) if fmt == "json" else f"{message}\n")
    kind = _PASSED if verdict.ok else _REJECTED
    if fmt == "json":
        return kind, orjson.dumps(verdict.to_dict()).decode() + "\n"
    return kind, f"line {lineno}: {symbol}: {_describe(verdict)}\n"


# --- --jobs N: the same lines, checked in N worker processes, written in input order ----------

#: The snapshot a worker process checks against, loaded once by ``_init_worker``.
_worker_info: ExchangeInfo | None = None

#: A chunk of input: the line number of its first line and its lines (blank ones included).
_Chunk = tuple[int, list[bytes]]
#: A chunk's result: counts of passed, rejected and unusable lines, and its output text.
_ChunkResult = tuple[int, int, int, str]


def _init_worker(snapshot: str | None) -> None:
    global _worker_info
    _worker_info = _load_snapshot(snapshot)


def _check_chunk(chunk: _Chunk, fmt: str) -> _ChunkResult:
    info = _worker_info
    assert info is not None, "worker used before _init_worker"
    first, lines = chunk
    counts = [0, 0, 0]
    parts: list[str] = []
    for lineno, raw in enumerate(lines, first):
        if not raw.strip():
            continue
        kind, text = _line_output(info, lineno, raw, fmt)
        counts[kind] += 1
        parts.append(text)
    return counts[0], counts[1], counts[2], "".join(parts)


def _chunks(lines: Iterable[bytes], size: int, read: list[int]) -> Iterator[_Chunk]:
    """``lines`` in chunks of ``size``; ``read[0]`` is the number of the last line read."""
    chunk: list[bytes] = []
    first = 1
    try:
        for lineno, raw in enumerate(lines, 1):
            read[0] = lineno
            chunk.append(raw)
            if len(chunk) == size:
                yield first, chunk
                first, chunk = lineno + 1, []
    except OSError:
        if chunk:  # the lines read before the error are still checked, as _run does
            yield first, chunk
        raise
    if chunk:
        yield first, chunk


def _run_parallel(
    snapshot: str | None,
    jobs: int,
    lines: Iterable[bytes],
    name: str,
    fmt: str,
    out: TextIO,
    err: TextIO,
) -> int:
    """``_run`` over ``jobs`` worker processes: same output, same order, bounded memory.

    Chunks of CHUNK_LINES lines go to a pool whose workers each load the snapshot once; at most
    IN_FLIGHT_PER_JOB chunks per worker are outstanding, and results are written in input order.
    """
    counts = [0, 0, 0]
    read = [0]
    window = jobs * IN_FLIGHT_PER_JOB
    pending: deque[AsyncResult[_ChunkResult]] = deque()

    def drain(keep: int) -> None:
        while len(pending) > keep:
            passed, rejected, unusable, text = pending.popleft().get()
            counts[0] += passed
            counts[1] += rejected
            counts[2] += unusable
            out.write(text)

    with multiprocessing.get_context().Pool(
        jobs, initializer=_init_worker, initargs=(snapshot,)
    ) as pool:
        try:
            for chunk in _chunks(lines, CHUNK_LINES, read):
                pending.append(pool.apply_async(_check_chunk, (chunk, fmt)))
                drain(window - 1)
        except OSError as exc:
            drain(0)
            err.write(
                f"filterlib: cannot read {name} after line {read[0]}: {exc.strerror or exc}\n"
            )
            return EXIT_UNUSABLE
        drain(0)
    return _finish(counts, fmt, out)


def _check_line(info: ExchangeInfo, raw: bytes) -> tuple[str, Verdict]:
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as uexc:
            raise _LineError(
                f"not UTF-8 text (byte 0x{raw[uexc.start]:02x} at byte {uexc.start + 1}); "
                "write the file in UTF-8"
            ) from None
        raise _LineError(
            f"not valid JSON ({exc.msg} at column {exc.colno}); write one JSON object per "
            "line, e.g. "
            '{"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}'
        ) from None
    if not isinstance(doc, dict):
        raise _LineError(
            f"expected a JSON object, got {_json_type(doc)}; write one order object per line"
        )
    endpoint: object = DEFAULT_ENDPOINT
    context: object = None
    params: dict[str, Any] = doc
    if isinstance(doc.get("params"), dict):
        unknown = sorted(k for k in doc if k not in WRAPPER_KEYS)
        if unknown:
            raise _LineError(
                f"unknown key(s) {', '.join(unknown)} beside 'params'; a line with 'params' "
                "may only have 'endpoint', 'params' and 'context' (put order parameters "
                "inside 'params')"
            )
        params = doc["params"]
        endpoint = doc.get("endpoint", DEFAULT_ENDPOINT)
        context = doc.get("context")
    if not isinstance(endpoint, str) or endpoint not in ENDPOINTS:
        raise _LineError(f"unknown endpoint {_short(endpoint)}; use one of {', '.join(ENDPOINTS)}")
    if context is not None and not isinstance(context, dict):
        raise _LineError(
            f"bad context: expected a JSON object, got {_json_type(context)}; "
            "see docs/cli.md for the context keys"
        )
    try:
        verdict = check(info, params, endpoint=endpoint, context=context)
    except ContextError as exc:
        raise _LineError(f"bad context: {exc}") from None
    except UsageError as exc:
        raise _LineError(str(exc)) from None
    except Exception as exc:  # a bug in filterlib: report it on this line, check the others
        raise _LineError(
            f"filterlib failed on this line ({type(exc).__name__}: {exc}); this is a bug in "
            "filterlib, please report it with this line"
        ) from None
    symbol = params.get("symbol")
    return (symbol if isinstance(symbol, str) and symbol else "(no symbol)"), verdict


def _json_error(message: str) -> str:
    body: dict[str, object] = {
        "ok": False,
        "code": None,
        "msg": None,
        "error": message,
        "violations": [],
        "unchecked": [],
    }
    return orjson.dumps(body).decode() + "\n"


def _describe(verdict: Verdict) -> str:
    """The text-format verdict: OK or the error with a hint, then what went unchecked."""
    if verdict.error is None:
        text = "OK"
    else:
        text = f"{verdict.error.code} {verdict.error.msg}"
        if verdict.violations:
            first = verdict.violations[0]
            hint = first.detail
            if first.nearest:
                hint += f"; nearest valid: {', '.join(first.nearest)}"
            if hint:
                text += f" \u2014 {hint}"
            others = [v.rule for v in verdict.violations[1:]]
            if others:
                text += f" (also: {', '.join(others)})"
    if verdict.unchecked:
        text += f" (unchecked: {_summarise_unchecked(verdict.unchecked)})"
    return text


def _summarise_unchecked(unchecked: Iterable[Unchecked]) -> str:
    """``PERCENT_PRICE_BY_SIDE needs avgPrice; a, b need account; X (reason)``."""
    groups: dict[tuple[str, str], list[str]] = {}
    for u in unchecked:
        key = ("needs", " and ".join(u.needs)) if u.needs else ("reason", u.reason)
        groups.setdefault(key, []).append(u.rule)
    parts = []
    for (kind, what), rules in groups.items():
        names = ", ".join(rules)
        if kind == "needs":
            parts.append(f"{names} {'needs' if len(rules) == 1 else 'need'} {what}")
        else:
            parts.append(f"{names} ({what})" if what else names)
    return "; ".join(parts)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def _short(value: object) -> str:
    text = orjson.dumps(value).decode() if not isinstance(value, Mapping) else "{...}"
    return text if len(text) <= 60 else text[:57] + "..."


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
