"""``filterlib diff OLD NEW``: every change between two snapshots that can change a verdict.

Symbols added and removed; for each symbol in both: status, order types, each capability flag,
STP modes, precisions, permissions, and each field of each filter (filters added or removed
too); exchange filters and SOR entries. Each change says whether it *tightens*: whether some
order accepted under OLD can be rejected under NEW (a removed symbol, a status leaving TRADING,
a higher minimum or lower maximum, a tick or step whose grid does not contain the old grid, a
removed order type or STP mode, a flag turned off, a lower precision, a filter added, ...).

Exit status: 1 when any change tightens (so CI that pins a snapshot notices), 0 otherwise, 2
when either snapshot is unusable.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, TextIO

import attrs
import orjson

from .exceptions import SnapshotError
from .filters import Filter, UnknownFilter, tightens
from .snapshot import ExchangeInfo, SymbolInfo, load_exchange_info

__all__ = ["Change", "add_parser", "diff", "run"]

_FLAGS: Final = (
    ("icebergAllowed", "iceberg_allowed"),
    ("ocoAllowed", "oco_allowed"),
    ("otoAllowed", "oto_allowed"),
    ("quoteOrderQtyMarketAllowed", "quote_order_qty_market_allowed"),
    ("allowTrailingStop", "allow_trailing_stop"),
    ("cancelReplaceAllowed", "cancel_replace_allowed"),
    ("allowAmend", "allow_amend"),
    ("isSpotTradingAllowed", "is_spot_trading_allowed"),
    # The flags of 2025: None (the snapshot predates them) shows as absent.
    ("pegInstructionsAllowed", "peg_instructions_allowed"),
    ("opoAllowed", "opo_allowed"),
)


@attrs.frozen
class Change:
    """One difference: where (symbol or ``*`` for the exchange), what, old and new, and
    whether it can turn an accepted order into a rejected one."""

    symbol: str
    what: str
    old: str | None
    new: str | None
    tightens: bool

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def add_parser(sub: Any, out: TextIO, err: TextIO) -> None:
    """Add ``diff`` to the ``filterlib`` subcommands."""
    parser = sub.add_parser(
        "diff",
        help="what changed between two snapshots that can change a verdict",
        description=(
            "List every change between two exchangeInfo snapshots that can change a verdict. "
            "Exit status: 1 when a change can turn an accepted order into a rejected one, "
            "0 otherwise, 2 when a snapshot is unusable."
        ),
    )
    parser.out, parser.err = out, err
    parser.add_argument("old", metavar="OLD", help="the snapshot you had (.json or .json.gz)")
    parser.add_argument("new", metavar="NEW", help="the snapshot to compare with it")
    parser.add_argument("--format", choices=("text", "json"), default="text")


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
    changes = list(diff(infos[0], infos[1]))
    tight = sum(c.tightens for c in changes)
    if args.format == "json":
        body = {
            "old": args.old,
            "new": args.new,
            "changes": [c.to_dict() for c in changes],
            "count": len(changes),
            "tightening": tight,
        }
        out.write(orjson.dumps(body).decode() + "\n")
    else:
        for c in changes:
            mark = "!" if c.tightens else " "
            plain = ("listed", "allowed")
            if c.old is None:
                text = f"{c.what}: added" + ("" if c.new in plain else f" ({c.new})")
            elif c.new is None:
                text = f"{c.what}: removed" + ("" if c.old in plain else f" (was {c.old})")
            else:
                text = f"{c.what}: {c.old} -> {c.new}"
            out.write(f"{mark} {c.symbol}: {text}\n")
        out.write(
            f"{len(changes)} change{'' if len(changes) == 1 else 's'}; {tight} can turn an "
            "accepted order into a rejected one" + (" (marked !)\n" if tight else "\n")
        )
    return 1 if tight else 0


def diff(old: ExchangeInfo, new: ExchangeInfo) -> Iterator[Change]:
    """Every verdict-relevant change from ``old`` to ``new``, symbols in ``new``'s order."""
    yield from _filters_diff("*", "exchange filter", old.exchange_filters, new.exchange_filters)
    yield from _sors_diff(old, new)
    for name in old.symbols:
        if name not in new.symbols:
            yield Change(name, "symbol", "listed", None, True)
    for name in new.symbols:
        if name not in old.symbols:
            yield Change(name, "symbol", None, "listed", False)
            continue
        yield from _symbol_diff(old.symbols[name], new.symbols[name])


def _symbol_diff(a: SymbolInfo, b: SymbolInfo) -> Iterator[Change]:
    s = a.symbol
    if a.status != b.status:
        yield Change(s, "status", a.status, b.status, a.status == "TRADING")
    for t in sorted(a.order_types - b.order_types):
        yield Change(s, f"order type {t}", "allowed", None, True)
    for t in sorted(b.order_types - a.order_types):
        yield Change(s, f"order type {t}", None, "allowed", False)
    for wire, attr in _FLAGS:
        x, y = getattr(a, attr), getattr(b, attr)
        if x != y:
            yield Change(s, wire, _b(x), _b(y), bool(x) and not y)
    if a.base_asset_precision != b.base_asset_precision:
        yield Change(
            s,
            "baseAssetPrecision",
            str(a.base_asset_precision),
            str(b.base_asset_precision),
            b.base_asset_precision < a.base_asset_precision,
        )
    if a.quote_asset_precision != b.quote_asset_precision:
        yield Change(
            s,
            "quoteAssetPrecision",
            str(a.quote_asset_precision),
            str(b.quote_asset_precision),
            b.quote_asset_precision < a.quote_asset_precision,
        )
    old_modes = a.allowed_self_trade_prevention_modes or frozenset()
    new_modes = b.allowed_self_trade_prevention_modes or frozenset()
    for m in sorted(old_modes - new_modes):
        yield Change(s, f"STP mode {m}", "allowed", None, True)
    for m in sorted(new_modes - old_modes):
        yield Change(s, f"STP mode {m}", None, "allowed", False)
    if a.default_self_trade_prevention_mode != b.default_self_trade_prevention_mode:
        default = b.default_self_trade_prevention_mode
        yield Change(
            s,
            "defaultSelfTradePreventionMode",
            a.default_self_trade_prevention_mode,
            default,
            b.allowed_self_trade_prevention_modes is not None and default not in new_modes,
        )
    if a.permissions != b.permissions:
        lost = set(a.permissions) - set(b.permissions)
        yield Change(s, "permissions", ",".join(a.permissions), ",".join(b.permissions), bool(lost))
    if a.permission_sets != b.permission_sets:
        old_sets = {frozenset(g) for g in a.permission_sets}
        new_sets = {frozenset(g) for g in b.permission_sets}
        yield Change(
            s,
            "permissionSets",
            _sets(a.permission_sets),
            _sets(b.permission_sets),
            # An account matching an old set may match none of the new ones.
            any(not any(n <= o for n in new_sets) for o in old_sets) or not old_sets,
        )
    if a.base_asset != b.base_asset or a.quote_asset != b.quote_asset:
        yield Change(
            s, "assets", f"{a.base_asset}/{a.quote_asset}", f"{b.base_asset}/{b.quote_asset}", True
        )
    yield from _filters_diff(s, "", a.filters, b.filters)


def _filters_diff(
    s: str, prefix: str, old: tuple[Filter, ...], new: tuple[Filter, ...]
) -> Iterator[Change]:
    pre = f"{prefix} " if prefix else ""
    a = {f.filter_type: f for f in reversed(old)}  # the first of a type wins, as in checks
    b = {f.filter_type: f for f in reversed(new)}
    for t in a:
        if t not in b:
            yield Change(s, f"{pre}{t}", _show(a[t]), None, False)
    for t in b:
        if t not in a:
            yield Change(s, f"{pre}{t}", None, _show(b[t]), not isinstance(b[t], UnknownFilter))
            continue
        x, y = a[t], b[t]
        if x == y:
            continue
        if isinstance(x, UnknownFilter) or isinstance(y, UnknownFilter):
            # Not modelled: filterlib lists it as unchecked either way.
            yield Change(s, f"{pre}{t} (not modelled)", _show(x), _show(y), False)
            continue
        for (wire, _, tightening), field in zip(
            type(x).wire_fields, attrs.fields(type(x)), strict=True
        ):
            u, v = getattr(x, field.name), getattr(y, field.name)
            if u != v:
                yield Change(s, f"{pre}{t} {wire}", _w(u), _w(v), tightens(tightening, u, v))


def _sors_diff(old: ExchangeInfo, new: ExchangeInfo) -> Iterator[Change]:
    if old.sors is None and new.sors is None:
        return
    a = {(s.base_asset, sym) for s in old.sors or () for sym in s.symbols}
    b = {(s.base_asset, sym) for s in new.sors or () for sym in s.symbols}
    for base, sym in sorted(a - b):
        yield Change(sym, f"SOR ({base})", "allowed", None, True)
    for base, sym in sorted(b - a):
        yield Change(sym, f"SOR ({base})", None, "allowed", False)


def _b(flag: bool | None) -> str | None:
    """A flag as the snapshot writes it; None for one the snapshot lacks."""
    return None if flag is None else "true" if flag else "false"


def _w(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _sets(groups: tuple[tuple[str, ...], ...]) -> str:
    return " | ".join("+".join(g) for g in groups)


def _show(flt: Filter) -> str:
    if isinstance(flt, UnknownFilter):
        return " ".join(f"{k}={v}" for k, v in flt.fields)
    return " ".join(
        f"{wire}={_w(getattr(flt, f.name))}"
        for (wire, _, _), f in zip(type(flt).wire_fields, attrs.fields(type(flt)), strict=True)
    )
