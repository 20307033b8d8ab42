"""``filterlib snapshot info FILE``: what a snapshot holds, and anything filterlib cannot use.

The snapshot's date (its serverTime's UTC day) and age in days, serverTime itself, the symbols
counted by status, the filter types present (symbol and
exchange filters, with how many symbols carry each), and what filterlib does not model. Every
symbol is decoded, so a malformed one is reported with its place. Exit status: 0 the snapshot is
usable, 2 it is not (the message names the file and every problem).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson

from ..filters import UnknownFilter
from ..snapshot import ExchangeInfo
from .snapshot import add_file_argument, load_file

__all__ = ["VersionAction", "add_parser", "describe", "run"]


class VersionAction(argparse.Action):
    """``filterlib --version``: print ``filterlib X.Y.Z`` and exit 0. The version is looked up
    only when asked (see filterlib/_version.py), so other commands never pay for it."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "print filterlib's version and exit")
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        from .._version import version

        parser._print_message(f"filterlib {version()}\n", sys.stdout)
        parser.exit()


def add_parser(actions: Any, out: TextIO, err: TextIO) -> None:
    """Add ``info`` to the ``snapshot`` actions (``actions`` from add_subparsers)."""
    info = actions.add_parser(
        "info",
        help="describe a snapshot: serverTime and age, statuses, filter types, unknowns",
        description=(
            "Describe an exchangeInfo snapshot: serverTime and its age, symbols by status, "
            "filter types present, and anything filterlib does not model. Exit status: 0 "
            "usable, 2 not usable."
        ),
    )
    info.out, info.err = out, err
    add_file_argument(info)
    info.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default: one fact per line) or json (one object)",
    )


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``snapshot info`` with parsed ``args``; returns the exit status."""
    loaded = load_file(args, err)
    if loaded is None:
        return 2
    name, info = loaded
    facts = describe(info, time.time())
    if args.format == "json":
        out.write(orjson.dumps(facts, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    out.write(f"{name}\n")
    server = facts["serverTime"]
    if server is None:
        out.write("date: unknown (no serverTime, so the age of this snapshot is unknown)\n")
    else:
        out.write(f"date: {facts['date']} (UTC), {_age(facts['ageSeconds'])}\n")
        out.write(f"serverTime: {server} ({facts['serverTimeUtc']})\n")
    out.write(f"timezone: {facts['timezone']}\n")
    out.write(f"symbols: {facts['symbols']}\n")
    for status, n in facts["byStatus"].items():
        out.write(f"  {n:>6}  {status}\n")
    out.write("filter types (symbols carrying each):\n")
    for ftype, n in facts["filterTypes"].items():
        note = "" if ftype not in facts["unknownFilterTypes"] else "  (not modelled: unchecked)"
        out.write(f"  {n:>6}  {ftype}{note}\n")
    if facts["exchangeFilters"]:
        out.write(f"exchange filters: {', '.join(facts['exchangeFilters'])}\n")
    out.write(f"rate limits: {facts['rateLimits']}\n")
    sors = facts["sors"]
    out.write(f"sors: {'absent' if sors is None else f'{sors} entries'}\n")
    unknown = facts["unknownFilterTypes"]
    if unknown:
        out.write(
            f"not modelled by filterlib (listed as unchecked in every verdict they touch): "
            f"{', '.join(unknown)}\n"
        )
    else:
        out.write("not modelled by filterlib: nothing\n")
    return 0


def describe(info: ExchangeInfo, now: float) -> dict[str, Any]:
    """The facts ``snapshot info`` shows, as JSON-ready data."""
    statuses: Counter[str] = Counter()
    filter_types: Counter[str] = Counter()
    for symbol in info.symbols.values():
        statuses[symbol.status] += 1
        filter_types.update({f.filter_type for f in symbol.filters})
    server = info.server_time
    age = None if server is None else round(now - server / 1000)
    utc = day = None
    if server is not None:
        moment = datetime.fromtimestamp(server / 1000, UTC)
        utc, day = moment.strftime("%Y-%m-%d %H:%M:%S UTC"), moment.date().isoformat()
    exchange = [f.filter_type for f in info.exchange_filters]
    unknown = sorted(info.unknown_filter_types())
    return {
        "source": info.source,
        "date": day,
        "serverTime": server,
        "serverTimeUtc": utc,
        "ageSeconds": age,
        # Whole days, toward zero: 0 for a snapshot less than a day old (or ahead of the clock).
        "ageDays": None if age is None else int(age / 86400),
        "timezone": info.timezone,
        "symbols": len(info.symbols),
        "byStatus": dict(statuses.most_common()),
        "filterTypes": dict(sorted(filter_types.items(), key=lambda kv: (-kv[1], kv[0]))),
        "exchangeFilters": exchange,
        "unknownFilterTypes": unknown,
        "unknownExchangeFilters": [
            f.filter_type for f in info.exchange_filters if isinstance(f, UnknownFilter)
        ],
        "rateLimits": len(info.rate_limits),
        "sors": None if info.sors is None else len(info.sors),
    }


def _age(seconds: int | None) -> str:
    if seconds is None:
        return "age unknown"
    if seconds < 0:
        return f"{-seconds} s in the future: check the clock"
    days, rest = divmod(seconds, 86400)
    hours = f"{rest // 3600} h" if days else f"{rest // 3600} h {rest % 3600 // 60} min"
    return f"{days:,} day{'' if days == 1 else 's'} old ({hours})" if days else f"{hours} old"
