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
import sys
from collections.abc import Iterable, Mapping, Sequence
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
    add_snapshot_parser(sub, out, err)
    return parser


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

    if args.file == "-":
        source = stdin if stdin is not None else sys.stdin.buffer
        return _run(info, source, "standard input", args.format, out, err)
    try:
        # Binary, so every line is decoded by orjson (which also rejects invalid UTF-8).
        with open(args.file, "rb") as fh:
            return _run(info, fh, args.file, args.format, out, err)
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
    passed = rejected = unusable = 0
    lineno = 0
    try:
        for lineno, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                symbol, verdict = _check_line(info, raw)
            except _LineError as exc:
                unusable += 1
                message = f"line {lineno}: {exc}"
                if fmt == "json":
                    out.write(_json_error(message))
                else:
                    out.write(f"{message}\n")
                continue
            if verdict.ok:
                passed += 1
            else:
                rejected += 1
            if fmt == "json":
                out.write(orjson.dumps(verdict.to_dict()).decode() + "\n")
            else:
                out.write(f"line {lineno}: {symbol}: {_describe(verdict)}\n")
    except OSError as exc:
        err.write(f"filterlib: cannot read {name} after line {lineno}: {exc.strerror or exc}\n")
        return EXIT_UNUSABLE
    if fmt == "text":
        out.write(
            f"{passed + rejected} checked, {passed} passed, {rejected} rejected, "
            f"{unusable} unusable\n"
        )
    if unusable:
        return EXIT_UNUSABLE
    return EXIT_REJECTED if rejected else EXIT_OK


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
