"""Sanity checks on a loaded snapshot: rules that load fine but contradict each other.

:func:`~filterlib.load_exchange_info` refuses only what it cannot read (a field of the wrong
type, a malformed decimal); it accepts whatever Binance serves, oddities included.
:func:`validate_snapshot` then looks for rules that cannot all hold: a minimum above its
maximum, a minimum off its own grid, a grid finer than the asset's precision, notional bounds
that leave no valid order, percent bands that are empty, unknown filter types, a TRADING symbol
with no order types, an order-list or amend limit of 0 where the symbol allows them. Each
finding is an :class:`Issue`; nothing here raises on odd data.

``filterlib snapshot validate FILE`` prints them (:mod:`filterlib.cli.snapshot`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, localcontext

from attrs import frozen

from ._decimals import CONTEXT, format_decimal, is_multiple
from .filters import (
    ExchangeMaxNumOrderLists,
    Filter,
    LotSize,
    MarketLotSize,
    MaxNumOrderAmends,
    MaxNumOrderLists,
    MinNotional,
    Notional,
    PercentPrice,
    PercentPriceBySide,
    PriceFilter,
    TrailingDelta,
    UnknownFilter,
)
from .snapshot import ExchangeInfo, SymbolInfo

__all__ = ["KINDS", "Issue", "validate_snapshot"]

#: Every kind of issue :func:`validate_snapshot` reports, with what it means.
KINDS = {
    "min_above_max": "a minimum above its maximum: no value passes the filter",
    "min_off_grid": "a minimum that is not a multiple of its own tick or step size",
    "grid_finer_than_precision": "a tick or step with more decimals than the asset's precision",
    "no_valid_notional": "notional bounds that no order within the price and quantity bounds meets",
    "empty_percent_band": "a percent-price multiplier down above the multiplier up",
    "unknown_filter_type": "a filterType filterlib does not model (shown, never enforced)",
    "duplicate_filter": "a filterType listed twice for one symbol (the first is enforced)",
    "no_order_types": "a TRADING symbol that allows no order type",
    "unknown_sor_symbol": "an SOR entry naming a symbol the snapshot does not list",
    "no_room": "an order-list or amend limit of 0 where the symbol allows them: none can pass",
}


@frozen
class Issue:
    """One inconsistency: its ``kind`` (a key of :data:`KINDS`), where it is, and why."""

    kind: str
    message: str
    symbol: str | None = None
    filter_type: str | None = None

    def __str__(self) -> str:
        where = " ".join(x for x in (self.symbol, self.filter_type) if x)
        return f"{where or 'exchange'}: {self.kind}: {self.message}"

    def to_dict(self) -> dict[str, str | None]:
        return {
            "kind": self.kind,
            "symbol": self.symbol,
            "filterType": self.filter_type,
            "message": self.message,
        }


def validate_snapshot(info: ExchangeInfo) -> list[Issue]:
    """Every inconsistency in ``info``, symbol by symbol in snapshot order, then exchange-wide.

    Decodes every symbol of a lazily loaded snapshot, so a malformed one raises
    :class:`~filterlib.SnapshotError` (as :meth:`ExchangeInfo.validate` does); consistent
    but odd data never raises. Arithmetic is exact, in filterlib's own decimal context.
    """
    info.validate()
    issues: list[Issue] = []
    with localcontext(CONTEXT):
        for symbol in info.symbols.values():
            issues.extend(_symbol_issues(symbol))
        lists = any(s.oco_allowed or s.oto_allowed for s in info.symbols.values())
        for f in info.exchange_filters:
            if isinstance(f, ExchangeMaxNumOrderLists) and not f.max_num_order_lists and lists:
                why = "maxNumOrderLists 0 while symbols allow order lists"
                issues.append(Issue("no_room", why, None, f.filter_type))
            if isinstance(f, UnknownFilter):
                issues.append(
                    Issue(
                        "unknown_filter_type", "exchange filter not modelled", None, f.filter_type
                    )
                )
        for sor in info.sors or ():
            for name in sor.symbols:
                if name not in info.symbols:
                    issues.append(
                        Issue(
                            "unknown_sor_symbol",
                            f"SOR for {sor.base_asset} names {name}, which is not listed",
                            name,
                        )
                    )
    return issues


def _symbol_issues(s: SymbolInfo) -> Iterator[Issue]:
    name = s.symbol
    if s.status == "TRADING" and not s.order_types:
        yield Issue("no_order_types", "status TRADING but orderTypes is empty", name)
    counts = Counter(f.filter_type for f in s.filters)
    for filter_type, n in counts.items():
        if n > 1:
            yield Issue("duplicate_filter", f"listed {n} times", name, filter_type)
    for f in s.filters:
        if isinstance(f, UnknownFilter):
            yield Issue("unknown_filter_type", "not modelled, so not enforced", name, f.filter_type)
        else:
            yield from _filter_issues(f, s)
    yield from _notional_issues(s)


def _filter_issues(f: Filter, s: SymbolInfo) -> Iterator[Issue]:
    name, t = s.symbol, f.filter_type
    if isinstance(f, PriceFilter):
        yield from _bounds(name, t, "minPrice", f.min_price, "maxPrice", f.max_price)
        yield from _grid(name, t, "minPrice", f.min_price, "tickSize", f.tick_size)
        yield from _precision(
            name, t, "tickSize", f.tick_size, "quoteAssetPrecision", s.quote_asset_precision
        )
    elif isinstance(f, LotSize | MarketLotSize):
        yield from _bounds(name, t, "minQty", f.min_qty, "maxQty", f.max_qty)
        yield from _grid(name, t, "minQty", f.min_qty, "stepSize", f.step_size)
        yield from _precision(
            name, t, "stepSize", f.step_size, "baseAssetPrecision", s.base_asset_precision
        )
    elif isinstance(f, Notional):
        yield from _bounds(name, t, "minNotional", f.min_notional, "maxNotional", f.max_notional)
    elif isinstance(f, PercentPrice):
        yield from _band(name, t, "multiplier", f.multiplier_down, f.multiplier_up)
    elif isinstance(f, PercentPriceBySide):
        yield from _band(name, t, "bidMultiplier", f.bid_multiplier_down, f.bid_multiplier_up)
        yield from _band(name, t, "askMultiplier", f.ask_multiplier_down, f.ask_multiplier_up)
    elif isinstance(f, MaxNumOrderLists) and not f.max_num_order_lists:
        if s.oco_allowed or s.oto_allowed:
            yield Issue("no_room", "maxNumOrderLists 0 but ocoAllowed or otoAllowed", name, t)
    elif isinstance(f, MaxNumOrderAmends) and not f.max_num_order_amends:
        if s.allow_amend:
            yield Issue("no_room", "maxNumOrderAmends 0 but amendAllowed", name, t)
    elif isinstance(f, TrailingDelta):
        for side in ("Above", "Below"):
            low = getattr(f, f"min_trailing_{side.lower()}_delta")
            high = getattr(f, f"max_trailing_{side.lower()}_delta")
            if high and low > high:
                yield Issue(
                    "min_above_max",
                    f"minTrailing{side}Delta {low} > maxTrailing{side}Delta {high}",
                    name,
                    t,
                )


def _bounds(
    name: str, t: str, low_name: str, low: Decimal, high_name: str, high: Decimal
) -> Iterator[Issue]:
    # A zero maximum disables the bound (Binance's convention), so only a non-zero one counts.
    if high and low > high:
        yield Issue(
            "min_above_max",
            f"{low_name} {format_decimal(low)} > {high_name} {format_decimal(high)}",
            name,
            t,
        )


def _grid(
    name: str, t: str, low_name: str, low: Decimal, step_name: str, step: Decimal
) -> Iterator[Issue]:
    if low and step and not is_multiple(low, step):
        yield Issue(
            "min_off_grid",
            f"{low_name} {format_decimal(low)} is not a multiple of {step_name} "
            f"{format_decimal(step)}",
            name,
            t,
        )


def _decimals(value: Decimal) -> int:
    """Significant decimals: ``0.01000000`` has 2."""
    if not value:
        return 0
    exponent = value.normalize(CONTEXT).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _precision(
    name: str, t: str, step_name: str, step: Decimal, precision_name: str, precision: int
) -> Iterator[Issue]:
    places = _decimals(step)
    if places > precision:
        yield Issue(
            "grid_finer_than_precision",
            f"{step_name} {format_decimal(step)} has {places} decimals, {precision_name} is "
            f"{precision}",
            name,
            t,
        )


def _band(name: str, t: str, prefix: str, down: Decimal, up: Decimal) -> Iterator[Issue]:
    if down > up:
        yield Issue(
            "empty_percent_band",
            f"{prefix}Down {format_decimal(down)} > {prefix}Up {format_decimal(up)}",
            name,
            t,
        )


def _notional_issues(s: SymbolInfo) -> Iterator[Issue]:
    """Notional bounds against the largest and smallest order the price and lot filters allow."""
    price, lot = s.filter("PRICE_FILTER"), s.filter("LOT_SIZE")
    max_price = price.max_price if isinstance(price, PriceFilter) else Decimal(0)
    min_price = price.min_price if isinstance(price, PriceFilter) else Decimal(0)
    max_qty = lot.max_qty if isinstance(lot, LotSize) else Decimal(0)
    min_qty = lot.min_qty if isinstance(lot, LotSize) else Decimal(0)
    largest = max_price * max_qty if max_price and max_qty else None
    smallest = min_price * min_qty
    for f in s.filters:
        if not isinstance(f, MinNotional | Notional):
            continue
        low = f.min_notional
        if largest is not None and low > largest:
            yield Issue(
                "no_valid_notional",
                f"minNotional {format_decimal(low)} > maxPrice x maxQty {format_decimal(largest)}",
                s.symbol,
                f.filter_type,
            )
        high = f.max_notional if isinstance(f, Notional) else Decimal(0)
        if high and smallest > high:
            yield Issue(
                "no_valid_notional",
                f"maxNotional {format_decimal(high)} < minPrice x minQty "
                f"{format_decimal(smallest)}",
                s.symbol,
                f.filter_type,
            )
