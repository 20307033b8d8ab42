"""A symbol's limits for one order, read once from its filters and the exchange's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

from attrs import field, frozen

from ..filters import (
    ExchangeMaxNumAlgoOrders,
    ExchangeMaxNumIcebergOrders,
    ExchangeMaxNumOrders,
    Filter,
    IcebergParts,
    LotSize,
    MarketLotSize,
    MaxNumAlgoOrders,
    MaxNumIcebergOrders,
    MaxNumOrders,
    MaxPosition,
    MinNotional,
    Notional,
    PercentPrice,
    PercentPriceBySide,
    PriceFilter,
    TrailingDelta,
)
from ..snapshot import ExchangeInfo, SymbolInfo
from .grids import _Con, _f, _Infeasible, _krange, _lcm
from .model import _AT_MARKET


def _first(filters: Iterable[Filter], kind: type[object]) -> object | None:
    for f in filters:
        if isinstance(f, kind):
            return f
    return None


@frozen
class _Limits:
    """Everything a single order on one symbol must respect, read once from the filters."""

    sym: SymbolInfo
    price: PriceFilter | None
    lot: LotSize | None
    market_lot: MarketLotSize | None
    min_notional: MinNotional | None
    notional: Notional | None
    percent: PercentPrice | None
    by_side: PercentPriceBySide | None
    iceberg: IcebergParts | None
    trailing: TrailingDelta | None
    position: MaxPosition | None
    counts: Mapping[str, int]
    base_unit: Fraction = field(init=False)
    quote_unit: Fraction = field(init=False)
    fine: Fraction = field(init=False)

    @base_unit.default
    def _bu(self) -> Fraction:
        return Fraction(1, 10**self.sym.base_asset_precision)

    @quote_unit.default
    def _qu(self) -> Fraction:
        return Fraction(1, 10**self.sym.quote_asset_precision)

    @fine.default
    def _fine(self) -> Fraction:
        return Fraction(1, 10 ** min(self.sym.quote_asset_precision + 2, 20))

    def tied(self) -> bool:
        """Whether a filter compares with lastPrice (avgPriceMins 0) when avgPrice is used."""
        filters = (self.min_notional, self.notional, self.percent, self.by_side)
        return any(f is not None and f.avg_price_mins == 0 for f in filters)

    def price_cons(self) -> list[_Con]:
        p = self.price
        if p is None:
            return []
        return [
            _Con(
                "PRICE_FILTER",
                _f(p.min_price) if p.min_price else None,
                _f(p.max_price) if p.max_price else None,
                _f(p.tick_size) if p.tick_size else None,
            )
        ]

    def price_extent(self) -> tuple[Fraction, Fraction]:
        """The smallest and largest valid price on the grid (before notional limits)."""
        cons = self.price_cons()
        grid = self.quote_unit
        for c in cons:
            if c.step:
                grid = _lcm(grid, c.step)
        k_lo, k_hi = _krange(cons, grid)
        if k_lo > k_hi:
            raise _Infeasible("no valid price")
        return k_lo * grid, k_hi * grid

    def lot_cons(self, order_type: str) -> list[_Con]:
        out = []
        for name, f in (("LOT_SIZE", self.lot), ("MARKET_LOT_SIZE", self.market_lot)):
            if f is None or (name == "MARKET_LOT_SIZE" and order_type not in _AT_MARKET):
                continue
            out.append(
                _Con(
                    name,
                    _f(f.min_qty) if f.min_qty else None,
                    _f(f.max_qty) if f.max_qty else None,
                    _f(f.step_size) if f.step_size else None,
                )
            )
        return out

    def iceberg_cons(self, order_type: str, quantity: Fraction) -> list[_Con] | None:
        """Where an icebergQty for ``quantity`` must lie; None when ICEBERG_PARTS allows none."""
        cons = self.lot_cons(order_type)
        cons.append(_Con("iceberg_exceeds_quantity", hi=quantity, hi_open=True))
        if self.iceberg is not None:
            if self.iceberg.limit == 0:
                return None
            cons.append(_Con("ICEBERG_PARTS", lo=quantity / self.iceberg.limit))
        return cons

    def places(self, name: str) -> int:
        """The decimals a parameter may carry: the base asset's for a quantity, else the quote's."""
        if name in ("quantity", "icebergQty"):
            return self.sym.base_asset_precision
        return self.sym.quote_asset_precision

    def notional_bounds(
        self, at_market: bool
    ) -> list[tuple[str, Fraction | None, Fraction | None]]:
        out: list[tuple[str, Fraction | None, Fraction | None]] = []
        mn = self.min_notional
        if mn is not None and mn.min_notional and (not at_market or mn.apply_to_market):
            out.append(("MIN_NOTIONAL", _f(mn.min_notional), None))
        n = self.notional
        if n is not None:
            lo = (
                _f(n.min_notional)
                if n.min_notional and (not at_market or n.apply_min_to_market)
                else None
            )
            hi = (
                _f(n.max_notional)
                if n.max_notional and (not at_market or n.apply_max_to_market)
                else None
            )
            if lo is not None or hi is not None:
                out.append(("NOTIONAL", lo, hi))
        return out

    def bands(self, side: str) -> list[tuple[str, Fraction, Fraction]]:
        out = []
        if self.percent is not None:
            out.append(
                ("PERCENT_PRICE", _f(self.percent.multiplier_down), _f(self.percent.multiplier_up))
            )
        b = self.by_side
        if b is not None:
            down, up = (
                (b.bid_multiplier_down, b.bid_multiplier_up)
                if side == "BUY"
                else (b.ask_multiplier_down, b.ask_multiplier_up)
            )
            out.append(("PERCENT_PRICE_BY_SIDE", _f(down), _f(up)))
        return out


_LIMITS_CACHE: dict[tuple[int, str], tuple[ExchangeInfo, _Limits]] = {}


def _limits(info: ExchangeInfo, sym: SymbolInfo) -> _Limits:
    key = (id(info), sym.symbol)
    hit = _LIMITS_CACHE.get(key)
    if hit is not None and hit[0] is info:
        return hit[1]
    fs = sym.filters
    ex = info.exchange_filters
    counts: dict[str, int] = {}
    for name, kind, attr, where in (
        ("MAX_NUM_ORDERS", MaxNumOrders, "max_num_orders", fs),
        ("MAX_NUM_ALGO_ORDERS", MaxNumAlgoOrders, "max_num_algo_orders", fs),
        ("MAX_NUM_ICEBERG_ORDERS", MaxNumIcebergOrders, "max_num_iceberg_orders", fs),
        ("EXCHANGE_MAX_NUM_ORDERS", ExchangeMaxNumOrders, "max_num_orders", ex),
        ("EXCHANGE_MAX_NUM_ALGO_ORDERS", ExchangeMaxNumAlgoOrders, "max_num_algo_orders", ex),
        (
            "EXCHANGE_MAX_NUM_ICEBERG_ORDERS",
            ExchangeMaxNumIcebergOrders,
            "max_num_iceberg_orders",
            ex,
        ),
    ):
        found = _first(where, kind)
        if found is not None:
            counts[name] = int(getattr(found, attr))
    limits = _Limits(
        sym,
        _first(fs, PriceFilter),  # type: ignore[arg-type]
        _first(fs, LotSize),  # type: ignore[arg-type]
        _first(fs, MarketLotSize),  # type: ignore[arg-type]
        _first(fs, MinNotional),  # type: ignore[arg-type]
        _first(fs, Notional),  # type: ignore[arg-type]
        _first(fs, PercentPrice),  # type: ignore[arg-type]
        _first(fs, PercentPriceBySide),  # type: ignore[arg-type]
        _first(fs, IcebergParts),  # type: ignore[arg-type]
        _first(fs, TrailingDelta),  # type: ignore[arg-type]
        _first(fs, MaxPosition),  # type: ignore[arg-type]
        counts,
    )
    _LIMITS_CACHE[key] = (info, limits)
    return limits


def _iceberg_min(lim: _Limits) -> Fraction:
    cons = lim.lot_cons("LIMIT")
    grid = lim.base_unit
    for c in cons:
        if c.step:
            grid = _lcm(grid, c.step)
    k_lo, _ = _krange(cons, grid)
    return k_lo * grid
