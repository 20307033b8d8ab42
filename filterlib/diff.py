"""Every change between two exchangeInfo snapshots that can change a verdict.

Symbols added and removed; for each symbol in both: status, order types, each capability flag,
STP modes, precisions, permissions, and each field of each filter (filters added or removed
too); exchange filters and SOR entries. Each change says whether it *tightens*: whether some
order accepted under OLD can be rejected under NEW (a removed symbol, a status leaving TRADING,
a higher minimum or lower maximum, a tick or step whose grid does not contain the old grid, a
removed order type or STP mode, a flag turned off, a lower precision, a filter added, ...).

:func:`diff` gives the changes; :func:`grouped` orders them by filter (or by symbol field:
status, orderTypes, permissions, ...), and by symbol within a group. Fields Binance recomputes
from the market without any change of its rules are :data:`VOLATILE`. ``filterlib diff OLD
NEW`` (:mod:`filterlib.cli.diff`) prints them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

import attrs

from .filters import Filter, UnknownFilter, tightens
from .snapshot import ExchangeInfo, SymbolInfo

__all__ = ["VOLATILE", "Change", "diff", "grouped"]


#: Filter fields Binance recomputes from the market, day by day, without a change of its rules;
#: ``filterlib diff`` leaves their changes out unless ``--include-volatile``. The evidence, from the
#: real snapshots in fixtures/, and the fields examined and kept, are in docs/cli.md ("Volatile
#: fields").
VOLATILE: Final[Mapping[tuple[str, str], str]] = MappingProxyType(
    {
        # An 8-significant-digit figure (105.07867116) that moved on 40-99% of the symbols
        # between every two real full snapshots, both ways, while their other bounds stayed.
        ("MARKET_LOT_SIZE", "maxQty"): "recomputed from recent trading",
    }
)

#: The symbol fields' groups, in the order ``diff`` shows them; filter groups follow,
#: alphabetically by filter type.
_TOPICS: Final = (
    "symbol",
    "status",
    "orderTypes",
    "icebergAllowed",
    "ocoAllowed",
    "otoAllowed",
    "opoAllowed",
    "quoteOrderQtyMarketAllowed",
    "allowTrailingStop",
    "cancelReplaceAllowed",
    "allowAmend",
    "isSpotTradingAllowed",
    "pegInstructionsAllowed",
    "baseAssetPrecision",
    "quoteAssetPrecision",
    "allowedSelfTradePreventionModes",
    "defaultSelfTradePreventionMode",
    "permissions",
    "assets",
    "sors",
)

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
    """One difference: where (symbol or ``*`` for the exchange), what, old and new, whether it
    can turn an accepted order into a rejected one, its ``group`` (the filter type, or the
    symbol field: ``status``, ``orderTypes``, ``permissions``, ...) and whether the field is
    :data:`VOLATILE`."""

    symbol: str
    what: str
    old: str | None
    new: str | None
    tightens: bool
    group: str = ""
    volatile: bool = False

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def grouped(changes: Iterable[Change]) -> list[Change]:
    """``changes`` ordered by group (the symbol fields in :data:`_TOPICS` order, then filters
    alphabetically), by symbol within a group (``*``, the exchange, first), and otherwise as
    :func:`diff` gives them."""
    rank = {topic: i for i, topic in enumerate(_TOPICS)}
    items = list(changes)
    return [
        c
        for _, c in sorted(
            enumerate(items),
            key=lambda ic: (
                rank.get(ic[1].group, len(rank)),
                ic[1].group,
                ic[1].symbol,
                ic[0],
            ),
        )
    ]


def diff(old: ExchangeInfo, new: ExchangeInfo) -> Iterator[Change]:
    """Every verdict-relevant change from ``old`` to ``new``, symbols in ``new``'s order
    (:func:`grouped` orders them as the command line shows them)."""
    yield from _filters_diff("*", "exchange filter", old.exchange_filters, new.exchange_filters)
    yield from _sors_diff(old, new)
    for name in old.symbols:
        if name not in new.symbols:
            yield Change(name, "symbol", "listed", None, True, "symbol")
    for name in new.symbols:
        if name not in old.symbols:
            yield Change(name, "symbol", None, "listed", False, "symbol")
            continue
        yield from _symbol_diff(old.symbols[name], new.symbols[name])


def _symbol_diff(a: SymbolInfo, b: SymbolInfo) -> Iterator[Change]:
    s = a.symbol
    if a.status != b.status:
        yield Change(s, "status", a.status, b.status, a.status == "TRADING", "status")
    for t in sorted(a.order_types - b.order_types):
        yield Change(s, f"order type {t}", "allowed", None, True, "orderTypes")
    for t in sorted(b.order_types - a.order_types):
        yield Change(s, f"order type {t}", None, "allowed", False, "orderTypes")
    for wire, attr in _FLAGS:
        x, y = getattr(a, attr), getattr(b, attr)
        if x != y:
            yield Change(s, wire, _b(x), _b(y), bool(x) and not y, wire)
    for wire, attr in (
        ("baseAssetPrecision", "base_asset_precision"),
        ("quoteAssetPrecision", "quote_asset_precision"),
    ):
        x, y = getattr(a, attr), getattr(b, attr)
        if x != y:
            yield Change(s, wire, str(x), str(y), y < x, wire)
    old_modes = a.allowed_self_trade_prevention_modes or frozenset()
    new_modes = b.allowed_self_trade_prevention_modes or frozenset()
    stp = "allowedSelfTradePreventionModes"
    for m in sorted(old_modes - new_modes):
        yield Change(s, f"STP mode {m}", "allowed", None, True, stp)
    for m in sorted(new_modes - old_modes):
        yield Change(s, f"STP mode {m}", None, "allowed", False, stp)
    if a.default_self_trade_prevention_mode != b.default_self_trade_prevention_mode:
        default = b.default_self_trade_prevention_mode
        yield Change(
            s,
            "defaultSelfTradePreventionMode",
            a.default_self_trade_prevention_mode,
            default,
            b.allowed_self_trade_prevention_modes is not None and default not in new_modes,
            "defaultSelfTradePreventionMode",
        )
    yield from _permissions_diff(a, b)
    if a.base_asset != b.base_asset or a.quote_asset != b.quote_asset:
        yield Change(
            s,
            "assets",
            f"{a.base_asset}/{a.quote_asset}",
            f"{b.base_asset}/{b.quote_asset}",
            True,
            "assets",
        )
    yield from _filters_diff(s, "", a.filters, b.filters)


def _permissions_diff(a: SymbolInfo, b: SymbolInfo) -> Iterator[Change]:
    """One change for the account permissions a symbol needs, however the snapshots write them.

    Before 2024 a symbol listed ``permissions`` (any one of them will do); since then
    ``permissionSets`` (every set needs one of its permissions), with ``permissions`` empty.
    A symbol that moved from one field to the other is one change, ``permissions ->
    permissionSets``, judged on what an account needs under each, as the engine reads them.
    """
    if (a.permissions, a.permission_sets) == (b.permissions, b.permission_sets):
        return
    old, new = _needed(a), _needed(b)
    old_field, new_field = _field(a), _field(b)
    if old_field == new_field and set(old) == set(new):
        return  # the same names in another order: no account is judged otherwise
    what = old_field if old_field == new_field else f"{old_field} -> {new_field}"
    # An account meeting the old sets meets a new set as soon as one old set lies inside it
    # (the sets are 'and' of 'or's); a new set with no old set inside it can reject it.
    tightens = any(not any(o <= n for o in old) for n in new)
    yield Change(a.symbol, what, _show_needed(old), _show_needed(new), tightens, "permissions")


def _field(s: SymbolInfo) -> str:
    return "permissionSets" if s.permission_sets or not s.permissions else "permissions"


def _needed(s: SymbolInfo) -> list[frozenset[str]]:
    """The sets of permissions an account needs one of each of (rules/account.py's reading)."""
    sets = s.permission_sets or ((s.permissions,) if s.permissions else ())
    return [frozenset(g) for g in sets if g]


def _show_needed(sets: list[frozenset[str]]) -> str:
    """As the engine writes the limit: ``(SPOT or MARGIN) and (TRD_GRP_004)``; ``none``."""
    if not sets:
        return "none"
    return " and ".join("(" + " or ".join(sorted(g)) + ")" for g in sets)


def _filters_diff(
    s: str, prefix: str, old: tuple[Filter, ...], new: tuple[Filter, ...]
) -> Iterator[Change]:
    pre = f"{prefix} " if prefix else ""
    a = {f.filter_type: f for f in reversed(old)}  # the first of a type wins, as in checks
    b = {f.filter_type: f for f in reversed(new)}
    for t in a:
        if t not in b:
            yield Change(s, f"{pre}{t}", _show(a[t]), None, False, t)
    for t in b:
        if t not in a:
            yield Change(s, f"{pre}{t}", None, _show(b[t]), not isinstance(b[t], UnknownFilter), t)
            continue
        x, y = a[t], b[t]
        if x == y:
            continue
        if isinstance(x, UnknownFilter) or isinstance(y, UnknownFilter):
            # Not modelled: filterlib lists it as unchecked either way.
            yield Change(s, f"{pre}{t} (not modelled)", _show(x), _show(y), False, t)
            continue
        for (wire, _, tightening), field in zip(
            type(x).wire_fields, attrs.fields(type(x)), strict=True
        ):
            u, v = getattr(x, field.name), getattr(y, field.name)
            if u != v:
                yield Change(
                    s,
                    f"{pre}{t} {wire}",
                    _w(u),
                    _w(v),
                    tightens(tightening, u, v),
                    t,
                    (t, wire) in VOLATILE,
                )


def _sors_diff(old: ExchangeInfo, new: ExchangeInfo) -> Iterator[Change]:
    if old.sors is None and new.sors is None:
        return
    a = {(s.base_asset, sym) for s in old.sors or () for sym in s.symbols}
    b = {(s.base_asset, sym) for s in new.sors or () for sym in s.symbols}
    for base, sym in sorted(a - b):
        yield Change(sym, f"SOR ({base})", "allowed", None, True, "sors")
    for base, sym in sorted(b - a):
        yield Change(sym, f"SOR ({base})", None, "allowed", False, "sors")


def _b(flag: bool | None) -> str | None:
    """A flag as the snapshot writes it; None for one the snapshot lacks."""
    return None if flag is None else "true" if flag else "false"


def _w(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _show(flt: Filter) -> str:
    if isinstance(flt, UnknownFilter):
        return " ".join(f"{k}={v}" for k, v in flt.fields)
    return " ".join(
        f"{wire}={_w(getattr(flt, f.name))}"
        for (wire, _, _), f in zip(type(flt).wire_fields, attrs.fields(type(flt)), strict=True)
    )
