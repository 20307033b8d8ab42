"""``filterlib diff OLD NEW``: every change between two snapshots that can change a verdict.

The changes are :func:`filterlib.diff.diff`'s, ordered by :func:`filterlib.diff.grouped`: by
filter (or by symbol field: status, orderTypes, permissions, ...), and by symbol within a group.
Fields Binance recomputes from the market without any change of its rules
(:data:`filterlib.diff.VOLATILE`) are left out unless asked for, so a scheduled diff fails on
rule changes only.

Exit status: 1 when any change shown tightens (so CI that pins a snapshot notices), 0 otherwise,
2 when either snapshot is unusable.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

import orjson

from ..diff import Change, diff, grouped
from ..exceptions import SnapshotError
from ..snapshot import load_exchange_info

__all__ = ["add_parser", "run"]


def add_parser(sub: Any, out: TextIO, err: TextIO) -> None:
    """Add ``diff`` to the ``filterlib`` subcommands."""
    parser = sub.add_parser(
        "diff",
        help="what changed between two snapshots that can change a verdict",
        description=(
            "List every change between two exchangeInfo snapshots that can change a verdict, "
            "grouped by filter and by symbol within. Fields Binance recomputes from the market "
            "(MARKET_LOT_SIZE maxQty) are left out unless --include-volatile. Exit status: 1 "
            "when a change shown can turn an accepted order into a rejected one, 0 otherwise, "
            "2 when a snapshot is unusable."
        ),
    )
    parser.out, parser.err = out, err
    parser.add_argument("old", metavar="OLD", help="the snapshot you had (.json or .json.gz)")
    parser.add_argument("new", metavar="NEW", help="the snapshot to compare with it")
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default: a heading per group, a line per change, '!' marking those that "
        "tighten) or json (one object: the changes, counts by group)",
    )
    parser.add_argument(
        "--only-tightening",
        action="store_true",
        help="list only the changes that can turn an accepted order into a rejected one",
    )
    parser.add_argument(
        "--include-volatile",
        action="store_true",
        help="also list the changes of fields Binance recomputes from the market without a "
        "rule change (MARKET_LOT_SIZE maxQty); they then count toward the exit status",
    )


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``diff`` with parsed ``args``; returns the exit status."""
    infos = []
    for path in (args.old, args.new):
        try:
            infos.append(load_exchange_info(Path(path)))
        except SnapshotError as exc:
            err.write(
                f"filterlib: {path} is not a usable exchangeInfo snapshot\n{exc}\n"
                "Give diff two saved GET /api/v3/exchangeInfo bodies "
                "(filterlib snapshot fetch -o FILE saves one)\n"
            )
            return 2
    found = grouped(diff(infos[0], infos[1]))
    volatile = [c for c in found if c.volatile and not args.include_volatile]
    kept = [c for c in found if not c.volatile or args.include_volatile]
    tight = sum(c.tightens for c in kept)
    shown = [c for c in kept if c.tightens] if args.only_tightening else kept
    hidden = len(kept) - len(shown)
    if args.format == "json":
        by_group: dict[str, dict[str, int]] = {}
        for c in shown:
            counts = by_group.setdefault(c.group, {"count": 0, "tightening": 0})
            counts["count"] += 1
            counts["tightening"] += c.tightens
        body = {
            "old": args.old,
            "new": args.new,
            "changes": [c.to_dict() for c in shown],
            "count": len(shown),
            "tightening": tight,
            "byGroup": by_group,
            "notTighteningLeftOut": hidden,
            "volatileLeftOut": len(volatile),
        }
        out.write(orjson.dumps(body).decode() + "\n")
    else:
        _write_text(out, shown, args.only_tightening)
        if args.only_tightening:
            out.write(
                f"{_n(tight, 'change')} can turn an accepted order into a rejected one; "
                f"{_n(hidden, 'other change')} not shown (--only-tightening)\n"
            )
        else:
            out.write(
                f"{_n(len(shown), 'change')}; {tight} can turn an accepted order into a "
                "rejected one" + (" (marked !)\n" if tight else "\n")
            )
        if volatile:
            fields = Counter(c.what for c in volatile)
            detail = ", ".join(f"{what} {n}" for what, n in sorted(fields.items()))
            out.write(
                f"{_n(len(volatile), 'change')} of volatile fields left out ({detail}), which "
                "Binance recomputes from the market without a rule change; "
                "--include-volatile lists them\n"
            )
    return 1 if tight else 0


def _write_text(out: TextIO, changes: list[Change], only_tightening: bool) -> None:
    """A heading per group (its counts), then a line per change, ``!`` when it tightens."""
    groups: dict[str, list[Change]] = {}
    for c in changes:
        groups.setdefault(c.group, []).append(c)
    for group, members in groups.items():
        tight = sum(c.tightens for c in members)
        count = _n(len(members), "change")
        out.write(f"{group}: {count}" + ("" if only_tightening else f", {tight} tightening") + "\n")
        for c in members:
            mark = "!" if c.tightens else " "
            plain = ("listed", "allowed")
            if c.old is None:
                text = f"{c.what}: added" + ("" if c.new in plain else f" ({c.new})")
            elif c.new is None:
                text = f"{c.what}: removed" + ("" if c.old in plain else f" (was {c.old})")
            else:
                text = f"{c.what}: {c.old} -> {c.new}"
            out.write(f"{mark} {c.symbol}: {text}\n")
        out.write("\n")


def _n(count: int, noun: str) -> str:
    """``1 change``, ``2 changes``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
