"""``filterlib snapshot fetch``: save ``GET /api/v3/exchangeInfo`` as a snapshot file;
``filterlib snapshot validate FILE``: report the rules in a snapshot that contradict each other.

``fetch`` goes through :mod:`filterlib.submit.http`, the HTTP layer the REST submitter uses, and
checks the answer with :func:`filterlib.load_exchange_info` before writing, so a saved file always
loads. The file is written whole or not at all (a temporary file, then a rename). Exit status:
0 saved, 2 anything else (network, Binance error, unusable answer, unwritable file).

``validate`` loads FILE (every symbol; without FILE the shipped snapshot, as ``snapshot info``)
and prints each issue of :func:`filterlib.validate.validate_snapshot`, one per line (``--format
json``: one object per line). Exit status: 0 no issue, 1 issues, 2 unusable input (unreadable,
not an exchangeInfo).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import tempfile
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..snapshot import ExchangeInfo

__all__ = ["DEFAULT_BASE_URL", "add_file_argument", "add_parser", "load_file", "run"]

DEFAULT_BASE_URL = "https://api.binance.com"
EXIT_SAVED = 0
EXIT_FAILED = 2
EXIT_CLEAN = 0
EXIT_ISSUES = 1
EXIT_UNUSABLE = 2

# Binance's symbol names; checked here so a typo fails before a network round trip.
_SYMBOL = re.compile(r"[A-Z0-9_.-]{1,20}\Z")


def add_parser(sub: Any, out: TextIO, err: TextIO) -> Any:
    """Add ``snapshot`` and its actions to the ``filterlib`` subcommands (``sub`` from
    add_subparsers); returns the actions group, for other modules' actions (``info``)."""
    snapshot = sub.add_parser(
        "snapshot",
        help="fetch, validate or describe an exchangeInfo snapshot",
        description="Manage exchangeInfo snapshots.",
    )
    snapshot.out, snapshot.err = out, err  # the CLI's parsers write to injected streams
    actions = snapshot.add_subparsers(dest="snapshot_command", metavar="ACTION", required=True)
    fetch = actions.add_parser(
        "fetch",
        help="save GET /api/v3/exchangeInfo to a file",
        description=(
            "Save GET /api/v3/exchangeInfo as a snapshot for 'filterlib check "
            "--exchange-info'. The answer is checked with load_exchange_info before it is "
            "written. Exit status: 0 saved, 2 failed."
        ),
    )
    fetch.out, fetch.err = out, err
    fetch.add_argument(
        "--symbols", metavar="A,B", help="only these symbols, comma-separated (default: all)"
    )
    fetch.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        metavar="URL",
        help=f"REST base endpoint (default: {DEFAULT_BASE_URL})",
    )
    fetch.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to save (gzip-compressed if FILE ends in .gz); default: standard output",
    )
    fetch.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="default: 30")
    validate = actions.add_parser(
        "validate",
        help="report the rules in a snapshot that contradict each other",
        description=(
            "Load FILE (a saved exchangeInfo, .json or .json.gz) and report every inconsistency: "
            "a minimum above its maximum, a minimum off its grid, a grid finer than the asset's "
            "precision, notional bounds no order meets, empty percent bands, unknown filter "
            "types, TRADING symbols with no order types. Exit status: 0 no issue, 1 issues, "
            "2 unusable input."
        ),
    )
    validate.out, validate.err = out, err
    add_file_argument(validate)
    validate.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default: one issue per line) or json (one object per line)",
    )
    return actions


def add_file_argument(parser: Any) -> None:
    """The snapshot argument ``snapshot validate`` and ``snapshot info`` share: an optional FILE,
    the shipped snapshot without it."""
    parser.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help="the snapshot (.json or .json.gz); default: the one shipped in filterlib",
    )


def load_file(args: argparse.Namespace, err: TextIO) -> tuple[str, ExchangeInfo] | None:
    """Load ``args.file`` (every symbol decoded), or the shipped snapshot without it, as ``(name,
    ExchangeInfo)``; None after saying on ``err`` why it is unusable."""
    from pathlib import Path

    from ..exceptions import SnapshotError
    from ..snapshot import load_default_exchange_info, load_exchange_info

    name = args.file if args.file is not None else "the shipped snapshot"
    try:
        # A Path, so that a file name is never mistaken for JSON text.
        info = (
            load_default_exchange_info() if args.file is None else load_exchange_info(Path(name))
        ).validate()
    except SnapshotError as exc:
        err.write(
            f"filterlib: {name} is not a usable exchangeInfo snapshot\n{exc}\n"
            "Save a fresh one with: filterlib snapshot fetch -o exchangeInfo.json.gz\n"
        )
        return None
    return name, info


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``snapshot fetch`` or ``snapshot validate`` with parsed ``args``; the exit status."""
    if args.snapshot_command == "validate":
        return run_validate(args, out, err)
    # Imported here so that 'filterlib check' never loads the HTTP stack.
    from urllib.parse import urlencode

    from ..exceptions import SnapshotError, UsageError
    from ..snapshot import load_exchange_info
    from ..submit.http import HttpFailure, request

    query = ""
    if args.symbols is not None:
        symbols = [s.strip() for s in args.symbols.split(",") if s.strip()]
        bad = [s for s in symbols if not _SYMBOL.match(s)]
        if not symbols or bad:
            err.write(
                f"filterlib: --symbols takes names such as BTCUSDT,ETHUSDT; bad: "
                f"{', '.join(bad) or '(none given)'}\n"
            )
            return EXIT_FAILED
        # The spec's form: symbols=["BTCUSDT","BNBBTC"], URL-encoded.
        query = urlencode({"symbols": "[" + ",".join(f'"{s}"' for s in symbols) + "]"})
    try:
        reply = request(
            "GET", args.base_url, "/api/v3/exchangeInfo", query=query, timeout=args.timeout
        )
    except UsageError as exc:
        err.write(f"filterlib: {exc}\n")
        return EXIT_FAILED
    except HttpFailure as exc:
        err.write(f"filterlib: {exc}\n")
        return EXIT_FAILED
    if reply.status != 200:
        err.write(f"filterlib: {args.base_url} answered {_describe_error(reply.status, reply)}\n")
        return EXIT_FAILED
    try:
        info = load_exchange_info(reply.body)
    except SnapshotError as exc:
        err.write(f"filterlib: the answer is not a usable exchangeInfo\n{exc}\n")
        return EXIT_FAILED
    if args.output is None:
        out.write(reply.body.decode("utf-8"))
        out.write("\n")
    else:
        try:
            _write_atomically(args.output, reply.body)
        except OSError as exc:
            err.write(f"filterlib: cannot write {args.output}: {exc.strerror or exc}\n")
            return EXIT_FAILED
    where = args.output or "standard output"
    err.write(
        f"saved {_n(len(info.symbols), 'symbol')} (serverTime {info.server_time}) to {where}\n"
    )
    return EXIT_SAVED


def run_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``snapshot validate`` with parsed ``args``; returns the exit status."""
    import orjson

    from ..exceptions import SnapshotError
    from ..validate import validate_snapshot

    loaded = load_file(args, err)
    if loaded is None:
        return EXIT_UNUSABLE
    name, info = loaded
    try:
        issues = validate_snapshot(info)
    except SnapshotError as exc:  # pragma: no cover - load_file decoded every symbol already
        err.write(f"filterlib: {name} is not a usable exchangeInfo snapshot\n{exc}\n")
        return EXIT_UNUSABLE
    for issue in issues:
        if args.format == "json":
            out.write(orjson.dumps(issue.to_dict()).decode() + "\n")
        else:
            out.write(f"{issue}\n")
    err.write(f"{name}: {_n(len(info.symbols), 'symbol')}, {_n(len(issues), 'issue')}\n")
    return EXIT_ISSUES if issues else EXIT_CLEAN


def _n(count: int, noun: str) -> str:
    """``1 symbol``, ``2 symbols``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _describe_error(status: int, reply: Any) -> str:
    import orjson

    text = f"HTTP {status}"
    try:
        body = orjson.loads(reply.body)
    except orjson.JSONDecodeError:
        body = None
    if isinstance(body, dict) and "code" in body:
        text += f": {body.get('code')} {body.get('msg')}"
    retry_after = reply.headers.get("retry-after")
    if status in (429, 418) and retry_after:
        text += f"; retry after {retry_after} seconds"
    return text


def _write_atomically(path: str, data: bytes) -> None:
    if path.endswith(".gz"):
        data = gzip.compress(data)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".exchangeInfo-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
