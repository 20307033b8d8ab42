"""Hypothesis strategies: orders Binance would accept, and orders that break exactly one rule.

``valid_orders(info)`` draws single orders for ``POST /api/v3/order`` (or ``/order/test``) with a
context (average or reference price, last price, book, account, open orders) in which every rule
filterlib can check passes. ``invalid_orders(info, rule)`` draws orders that break the one named
catalogue rule and nothing else. ``contexts(info, params)`` draws market and account states in
which given parameters pass.

The rules are encoded here on their own, from the filter objects and the spec, in exact rational
arithmetic; the engine (:func:`filterlib.check`) is never called, so a test that checks these
orders with the engine checks each against the other. Values are built on their grids by
construction (a price is ``k * tick``, a quantity ``j * step``, with ``k`` and ``j`` drawn between
bounds derived from every filter), never by filtering, so hypothesis' health checks pass and
examples shrink toward the simplest order: LIMIT, BUY, GTC, the smallest valid values.

An order is built one value at a time, each inside the interval and on the grid that the earlier
values leave: quantity, price, quoteOrderQty, stopPrice, trailingDelta, icebergQty, then the
context (market price, last price, book, balances, open orders). A future order-list strategy
builds each leg with the same per-leg builder and adds the list's own constraints between legs.

This module imports hypothesis (the ``test`` extra); the core never imports it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Context as DecimalContext
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from attrs import evolve, field, frozen
from hypothesis import assume
from hypothesis import strategies as st

from ..catalogue import RULES, rule
from ..decimals import DECIMAL_PATTERN, parse_wire_decimal
from ..endpoints import ENDPOINTS as _WIRE
from ..endpoints import Leg
from ..exceptions import FilterlibError
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
from ..verdict import BinanceError

__all__ = [
    "BREAKABLE_RULES",
    "ENDPOINTS",
    "LIST_BREAKABLE_RULES",
    "LIST_ENDPOINTS",
    "ORDER_TYPES",
    "CannotBreak",
    "GeneratedOrder",
    "NoValidOrder",
    "contexts",
    "invalid_order_lists",
    "invalid_orders",
    "valid_order_lists",
    "valid_orders",
]

ORDER_TYPES = (
    "LIMIT",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
    "LIMIT_MAKER",
)
ENDPOINTS = ("/api/v3/order", "/api/v3/order/test")
SIDES = ("BUY", "SELL")
_PRICED = frozenset({"LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})
_STOPS = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})
_AT_MARKET = frozenset({"MARKET", "STOP_LOSS", "TAKE_PROFIT"})
_ICEBERG_RULES = frozenset(
    {
        "ICEBERG_PARTS",
        "iceberg_exceeds_quantity",
        "iceberg_time_in_force",
        "iceberg_not_supported",
        "MAX_NUM_ICEBERG_ORDERS",
        "EXCHANGE_MAX_NUM_ICEBERG_ORDERS",
    }
)
_WITH_TIF = frozenset({"LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})
_STP_MODES = ("NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER")
_TYPE_WORDS = {
    "MARKET": "Market",
    "STOP_LOSS": "Stop loss",
    "STOP_LOSS_LIMIT": "Stop loss limit",
    "TAKE_PROFIT": "Take profit",
    "TAKE_PROFIT_LIMIT": "Take profit limit",
    "LIMIT": "Limit",
    "LIMIT_MAKER": "Limit maker",
}
#: Binance's fixed-point range: int64 with 8 decimals (spec: -1108).
MAX_DECIMAL = Fraction(Decimal("92233720368.54775807"))
_ENGINE_ONLY = frozenset(r.id for r in RULES if r.stage == "engine")

#: The catalogue rules ``invalid_orders`` can break alone (on symbols whose limits allow it).
BREAKABLE_RULES: tuple[str, ...] = (
    "empty_parameter",
    "unread_parameters",
    "mandatory_parameter",
    "illegal_characters",
    "invalid_side",
    "invalid_order_type",
    "invalid_time_in_force",
    "invalid_parameter",
    "parameter_overflow",
    "parameter_not_required",
    "mandatory_for_type",
    "iceberg_time_in_force",
    "strategy_type",
    "recv_window",
    "unknown_symbol",
    "too_much_precision",
    "invalid_quantity",
    "invalid_price",
    "market_closed",
    "order_type_not_supported",
    "iceberg_not_supported",
    "quote_order_qty_not_supported",
    "trailing_stop_not_supported",
    "stp_mode_not_allowed",
    "PRICE_FILTER",
    "PERCENT_PRICE",
    "PERCENT_PRICE_BY_SIDE",
    "LOT_SIZE",
    "MIN_NOTIONAL",
    "NOTIONAL",
    "ICEBERG_PARTS",
    "MARKET_LOT_SIZE",
    "TRAILING_DELTA",
    "iceberg_exceeds_quantity",
    "account_cannot_trade",
    "symbol_not_permitted",
    "MAX_NUM_ORDERS",
    "MAX_NUM_ALGO_ORDERS",
    "MAX_NUM_ICEBERG_ORDERS",
    "MAX_POSITION",
    "EXCHANGE_MAX_NUM_ORDERS",
    "EXCHANGE_MAX_NUM_ALGO_ORDERS",
    "EXCHANGE_MAX_NUM_ICEBERG_ORDERS",
    "stop_would_trigger",
    "limit_maker_would_take",
    "insufficient_balance",
)


class NoValidOrder(FilterlibError, ValueError):
    """``valid_orders``: the symbol (or no symbol of the snapshot) admits no such valid order."""


class CannotBreak(FilterlibError, ValueError):
    """``invalid_orders``: the rule cannot be broken alone on that symbol (or on any symbol).

    For example LOT_SIZE cannot be broken by its step when the step is zero, and an
    engine rule cannot be broken on ``/api/v3/order/test``, which never reaches the engine.
    """


@frozen
class GeneratedOrder:
    """One drawn order: its ``params``, the ``context`` it was built for, and the ``endpoint``.

    ``rule`` names the one rule the order breaks (None for a valid order) and ``error`` the
    answer Binance gives for it. Unpacks as ``params, context = order``.
    """

    params: dict[str, str]
    context: dict[str, object]
    endpoint: str
    symbol: str
    rule: str | None = None
    error: BinanceError | None = None
    #: For an order list broken on one leg: that leg's name (``above``, ``working`` ...).
    leg: str | None = None

    def __iter__(self) -> Iterator[object]:
        yield self.params
        yield self.context


# --- choosing: one interface for hypothesis draws and for the deterministic feasibility run --


class _Chooser(Protocol):
    def integer(self, lo: int, hi: int) -> int: ...

    def choice(self, options: Sequence[str]) -> str: ...

    def boolean(self) -> bool: ...


class _Infeasible(Exception):
    """No value fits the constraints left by earlier choices."""


class _Draws:
    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw

    def integer(self, lo: int, hi: int) -> int:
        return lo if lo == hi else self._draw(st.integers(min_value=lo, max_value=hi))

    def choice(self, options: Sequence[str]) -> str:
        return options[0] if len(options) == 1 else self._draw(st.sampled_from(options))

    def boolean(self) -> bool:
        return self._draw(st.booleans())


class _Simplest:
    """Always the simplest choice: the run hypothesis shrinks toward, used to test feasibility."""

    def integer(self, lo: int, hi: int) -> int:
        return lo

    def choice(self, options: Sequence[str]) -> str:
        return options[0]

    def boolean(self) -> bool:
        return False


# --- exact arithmetic on grids -------------------------------------------------------------


def _f(value: Decimal | int) -> Fraction:
    return Fraction(value)


def _lcm(a: Fraction, b: Fraction) -> Fraction:
    d = math.lcm(a.denominator, b.denominator)
    return Fraction(math.lcm(int(a * d), int(b * d)), d)


@frozen
class _Con:
    """A closed (or open) interval and a grid a value must meet, named by the rule it encodes."""

    rule: str
    lo: Fraction | None = None
    hi: Fraction | None = None
    step: Fraction | None = None
    lo_open: bool = False
    hi_open: bool = False


def _krange(cons: Iterable[_Con], grid: Fraction) -> tuple[int, int]:
    k_lo, k_hi = 1, math.floor(MAX_DECIMAL / grid)
    for c in cons:
        if c.lo is not None:
            q = c.lo / grid
            k_lo = max(k_lo, math.floor(q) + 1 if c.lo_open else math.ceil(q))
        if c.hi is not None:
            q = c.hi / grid
            k_hi = min(k_hi, math.ceil(q) - 1 if c.hi_open else math.floor(q))
    return k_lo, k_hi


def _pick(
    ch: _Chooser, cons: Sequence[_Con], unit: Fraction, broken: str | None = None
) -> Fraction:
    """A value meeting every constraint (or all but ``broken``, which it then breaks)."""
    others = [c for c in cons if c.rule != broken]
    grid = unit
    for c in others:
        if c.step:
            grid = _lcm(grid, c.step)
    targets = [c for c in cons if broken is not None and c.rule == broken]
    if broken is None or not targets:
        if broken is not None:
            raise _Infeasible(broken)
        k_lo, k_hi = _krange(others, grid)
        if k_lo > k_hi:
            raise _Infeasible("empty range")
        return ch.integer(k_lo, k_hi) * grid
    t = targets[0]
    modes: dict[str, tuple[int, int, int]] = {}
    if t.lo is not None:
        k_lo, k_hi = _krange([*others, _Con("", hi=t.lo, hi_open=not t.lo_open)], grid)
        if k_lo <= k_hi:
            modes["below"] = (k_lo, k_hi, 0)
    if t.hi is not None:
        k_lo, k_hi = _krange([*others, _Con("", lo=t.hi, lo_open=not t.hi_open)], grid)
        if k_lo <= k_hi:
            modes["above"] = (k_lo, k_hi, 0)
    if t.step:
        r = int(_lcm(grid, t.step) / grid)
        inside = _Con("", t.lo, t.hi, None, t.lo_open, t.hi_open)
        k_lo, k_hi = _krange([*others, inside], grid)
        if r > 1 and (k_hi > k_lo or (k_lo == k_hi and k_lo % r)):
            modes["off the grid"] = (k_lo, k_hi, r)
    if not modes:
        raise _Infeasible(broken)
    k_lo, k_hi, r = modes[ch.choice(sorted(modes))]
    k = ch.integer(k_lo, k_hi)
    if r and k % r == 0:
        k = k + 1 if k < k_hi else k - 1
    return k * grid


def _text(value: Fraction, places: int = 0) -> str:
    """The plain wire text of a finite decimal, padded with zeros to ``places`` decimals."""
    ctx = DecimalContext(prec=100)
    d = ctx.divide(Decimal(value.numerator), Decimal(value.denominator))
    text = format(ctx.normalize(d), "f")
    written = len(text) - text.index(".") - 1 if "." in text else 0
    if places > written:
        text += ("" if written else ".") + "0" * (places - written)
    return text


def _decimals(value: Fraction) -> int:
    text = _text(value)
    return len(text) - text.index(".") - 1 if "." in text else 0


# --- the symbol's limits -------------------------------------------------------------------


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


# --- building one order --------------------------------------------------------------------


@frozen
class _Plan:
    """What to build: the symbol, the order type and side, and the one rule to break (if any)."""

    symbol: str
    order_type: str
    side: str
    endpoint: str
    broken: str | None = None


def _above(order_type: str, side: str) -> bool:
    """Stop price above the market: STOP_LOSS BUY and TAKE_PROFIT SELL (spec: New order)."""
    return order_type.startswith("STOP_LOSS") == (side == "BUY")


def _symbol_ok(lim: _Limits, plan: _Plan) -> None:
    """Raise _Infeasible unless the symbol's flags let this plan through (or break as asked)."""
    sym, b = lim.sym, plan.broken
    if (sym.status == "TRADING") == (b == "market_closed"):
        raise _Infeasible("status")
    if (plan.order_type in sym.order_types) == (b == "order_type_not_supported"):
        raise _Infeasible("order type")
    if (
        plan.endpoint == "/api/v3/order"
        and not sym.is_spot_trading_allowed
        and b != "symbol_not_permitted"
    ):
        raise _Infeasible("spot trading not allowed")
    allowed = sym.allowed_self_trade_prevention_modes
    default = sym.default_self_trade_prevention_mode
    if allowed is not None and not allowed and default is not None and b != "stp_mode_not_allowed":
        raise _Infeasible("no STP mode allowed")
    if b in _ENGINE_ONLY and plan.endpoint != "/api/v3/order":
        raise _Infeasible("the test endpoint does not reach the matching engine")


def _build(ch: _Chooser, info: ExchangeInfo, plan: _Plan) -> GeneratedOrder:
    sym = info.symbols[plan.symbol]
    lim = _limits(info, sym)
    _symbol_ok(lim, plan)
    b, t, side = plan.broken, plan.order_type, plan.side
    params: dict[str, str] = {"symbol": sym.symbol, "side": side, "type": t}
    values: dict[str, Fraction] = {}
    at_market = t in _AT_MARKET
    p_lo, p_hi = lim.price_extent()

    # -- quantity, or quoteOrderQty for a MARKET order --------------------------------------
    qoq_mode = False
    if b == "quote_order_qty_not_supported" and t != "MARKET":
        raise _Infeasible("quoteOrderQty is for MARKET orders")
    if t == "MARKET":
        can_qoq = sym.quote_order_qty_market_allowed != (b == "quote_order_qty_not_supported")
        forced = b in ("quote_order_qty_not_supported",)
        no_qoq = b in ("LOT_SIZE", "MARKET_LOT_SIZE", "invalid_quantity", "MAX_POSITION")
        if forced:
            qoq_mode = True
        elif can_qoq and not no_qoq and b != "parameter_not_required":
            qoq_mode = ch.boolean()
        if forced and not can_qoq:
            raise _Infeasible("quoteOrderQty")
    if not qoq_mode:
        cons = lim.lot_cons(t)
        if side == "BUY" and lim.position is not None:
            cons.append(_Con("MAX_POSITION", hi=_f(lim.position.max_position)))
        # Some price (or market price) must bring the notional inside its bounds.
        for name, lo, hi in lim.notional_bounds(at_market):
            cons.append(_Con(f"_{name}", lo / p_hi if lo else None, hi / p_lo if hi else None))
        if b in _ICEBERG_RULES:
            ice_min = _iceberg_min(lim)
            parts = lim.iceberg.limit if lim.iceberg is not None else 1
            need = ice_min * (parts + 1) if b == "ICEBERG_PARTS" else ice_min * 2
            cons.append(_Con("_iceberg room", lo=need))
        q_broken = b if b in ("LOT_SIZE", "MARKET_LOT_SIZE") else None
        if b == "MARKET_LOT_SIZE" and t != "MARKET":
            raise _Infeasible("MARKET_LOT_SIZE applies to MARKET orders")
        values["quantity"] = _pick(ch, cons, lim.base_unit, q_broken)

    # -- price -----------------------------------------------------------------------------
    q = values.get("quantity")
    if t in _PRICED:
        assert q is not None
        cons = lim.price_cons()
        for name, lo, hi in lim.notional_bounds(False):
            cons.append(_Con(name, lo / q if lo else None, hi / q if hi else None))
        p_broken = b if b in ("PRICE_FILTER", "NOTIONAL", "MIN_NOTIONAL") else None
        values["price"] = _pick(ch, cons, lim.quote_unit, p_broken)
    elif b in ("PRICE_FILTER",) and t not in _STOPS:
        raise _Infeasible("no price to break")
    if qoq_mode:
        cons = [_Con(n, lo, hi) for n, lo, hi in lim.notional_bounds(True)]
        qb = b if b in ("NOTIONAL", "MIN_NOTIONAL") else None
        values["quoteOrderQty"] = _pick(ch, cons, lim.quote_unit, qb)

    # -- the market price's range, needed before a stop price tied to it --------------------
    tied = lim.tied()
    key = "avgPrice"
    if not tied or t not in _STOPS:
        key = ch.choice(("avgPrice", "referencePrice"))
    if key == "referencePrice":
        tied = False
    m_cons = _market_cons(lim, t, side, values)

    # -- stopPrice and trailingDelta --------------------------------------------------------
    if t in _STOPS:
        modes = ["stopPrice"]
        trailing_ok = sym.allow_trailing_stop != (b == "trailing_stop_not_supported")
        if trailing_ok and b not in ("stop_would_trigger",):
            modes += ["trailingDelta", "both"]
        if b == "PRICE_FILTER" and t not in _PRICED:
            modes = ["stopPrice"]
        if b in ("TRAILING_DELTA", "trailing_stop_not_supported"):
            if not trailing_ok:
                raise _Infeasible("trailing stops")
            modes = ["trailingDelta"]
        mode = ch.choice(modes)
        if mode != "trailingDelta":
            cons = lim.price_cons()
            if tied:  # lastPrice is the market price: leave it room on the right side
                lo, hi = _span(m_cons)
                if _above(t, side):
                    cons.append(_Con("_room", lo=lo, lo_open=True))
                elif hi is not None:
                    cons.append(_Con("_room", hi=hi, hi_open=True))
            s_broken = b if b == "PRICE_FILTER" and t not in _PRICED else None
            values["stopPrice"] = _pick(ch, cons, lim.quote_unit, s_broken)
            if tied:
                s = values["stopPrice"]
                m_cons.append(
                    _Con("stop_would_trigger", hi=s, hi_open=True)
                    if _above(t, side)
                    else _Con("stop_would_trigger", lo=s, lo_open=True)
                )
        if mode != "stopPrice":
            params_delta = _trailing(ch, lim, t, side, b == "TRAILING_DELTA")
            params["trailingDelta"] = str(params_delta)
    elif b in ("TRAILING_DELTA", "trailing_stop_not_supported", "stop_would_trigger"):
        raise _Infeasible("not a stop order")

    # -- icebergQty -------------------------------------------------------------------------
    iceberg_wanted = b in _ICEBERG_RULES
    if t in _PRICED and q is not None:
        allowed = sym.iceberg_allowed != (b == "iceberg_not_supported")
        cons = lim.lot_cons(t)
        cons.append(_Con("iceberg_exceeds_quantity", hi=q, hi_open=True))
        if lim.iceberg is not None:
            if lim.iceberg.limit == 0:
                allowed = False
            else:
                cons.append(_Con("ICEBERG_PARTS", lo=q / lim.iceberg.limit))
        ib = b if b in ("ICEBERG_PARTS", "iceberg_exceeds_quantity") else None
        if allowed and (iceberg_wanted or (b is None and _feasible(cons, lim.base_unit))):
            if iceberg_wanted or ch.boolean():
                values["icebergQty"] = _pick(ch, cons, lim.base_unit, ib)
        elif iceberg_wanted:
            raise _Infeasible("iceberg")
        if iceberg_wanted and t == "LIMIT_MAKER" and b == "iceberg_time_in_force":
            raise _Infeasible("LIMIT_MAKER takes no timeInForce")
    elif iceberg_wanted:
        raise _Infeasible("iceberg")

    # -- timeInForce, STP and the optional parameters ----------------------------------------
    if t in _WITH_TIF:
        if b == "iceberg_time_in_force":
            params["timeInForce"] = ch.choice(("IOC", "FOK"))
        elif "icebergQty" in values:
            params["timeInForce"] = "GTC"
        else:
            params["timeInForce"] = ch.choice(("GTC", "IOC", "FOK"))
    allowed_stp = sym.allowed_self_trade_prevention_modes
    default_stp = sym.default_self_trade_prevention_mode
    if b == "stp_mode_not_allowed":
        outside = [m for m in _STP_MODES if allowed_stp is not None and m not in allowed_stp]
        if not outside:
            raise _Infeasible("every STP mode is allowed")
        params["selfTradePreventionMode"] = ch.choice(outside)
    elif allowed_stp is not None:
        modes_ok = sorted(allowed_stp)
        if (default_stp is not None and default_stp not in allowed_stp) or (
            modes_ok and ch.boolean()
        ):
            params["selfTradePreventionMode"] = ch.choice(modes_ok)

    # -- write the decimals (trailing zeros up to the asset's precision are fine) ------------
    precision = {
        "quantity": sym.base_asset_precision,
        "icebergQty": sym.base_asset_precision,
        "price": sym.quote_asset_precision,
        "stopPrice": sym.quote_asset_precision,
        "quoteOrderQty": sym.quote_asset_precision,
    }
    for name in ("quantity", "quoteOrderQty", "price", "stopPrice", "icebergQty"):
        if name in values:
            v = values[name]
            room = precision[name] - _decimals(v)
            if room < 0:
                raise _Infeasible("precision")
            pad = ch.integer(0, room) if b is None and room else 0
            params[name] = _text(v, _decimals(v) + pad if pad else 0)
    if b is None:
        _optional(ch, params, plan.endpoint)

    # -- the context ------------------------------------------------------------------------
    context = _context(ch, lim, plan, params, values, m_cons, key, tied)

    order = GeneratedOrder(params, context, plan.endpoint, sym.symbol)
    if b is not None:
        order = _break_request(ch, info, lim, plan, order, values)
    return order


def _iceberg_min(lim: _Limits) -> Fraction:
    cons = lim.lot_cons("LIMIT")
    grid = lim.base_unit
    for c in cons:
        if c.step:
            grid = _lcm(grid, c.step)
    k_lo, _ = _krange(cons, grid)
    return k_lo * grid


def _feasible(cons: Sequence[_Con], unit: Fraction) -> bool:
    try:
        _pick(_Simplest(), cons, unit)
    except _Infeasible:
        return False
    return True


def _span(cons: Sequence[_Con]) -> tuple[Fraction, Fraction | None]:
    lo, hi = Fraction(0), None
    for c in cons:
        if c.lo is not None:
            lo = max(lo, c.lo)
        if c.hi is not None:
            hi = c.hi if hi is None else min(hi, c.hi)
    return lo, hi


def _market_cons(lim: _Limits, t: str, side: str, values: Mapping[str, Fraction]) -> list[_Con]:
    """Where the market (average or reference) price may lie for the order to pass."""
    cons: list[_Con] = []
    p = values.get("price")
    if p is not None:
        for name, down, up in lim.bands(side):
            if not up:
                raise _Infeasible("a zero multiplierUp admits no price")
            cons.append(_Con(name, p / up, p / down if down else None))
    q = values.get("quantity")
    if t in _AT_MARKET and q is not None:
        for name, lo, hi in lim.notional_bounds(True):
            cons.append(_Con(name, lo / q if lo else None, hi / q if hi else None))
    return cons


def _trailing(ch: _Chooser, lim: _Limits, t: str, side: str, broken: bool) -> int:
    f = lim.trailing
    if f is None:
        if broken:
            raise _Infeasible("no TRAILING_DELTA filter")
        return ch.integer(10, 2000)
    if _above(t, side):
        lo, hi = f.min_trailing_above_delta, f.max_trailing_above_delta
    else:
        lo, hi = f.min_trailing_below_delta, f.max_trailing_below_delta
    if broken:
        modes = ([] if lo <= 1 else ["below"]) + ["above"]
        if ch.choice(modes) == "below":
            return ch.integer(1, lo - 1)
        return ch.integer(hi + 1, hi + 10000)
    if lo > hi:
        raise _Infeasible("empty TRAILING_DELTA range")
    return ch.integer(max(lo, 1), hi) if hi >= 1 else 0


def _optional(ch: _Chooser, params: dict[str, str], endpoint: str) -> None:
    """Optional parameters a client may add; the simplest order has none."""
    if ch.boolean():
        params["newClientOrderId"] = ch.choice(("my-order-1", "x_42", "A" * 36))
    if ch.boolean():
        params["newOrderRespType"] = ch.choice(("ACK", "RESULT", "FULL"))
    if ch.boolean():
        params["recvWindow"] = str(ch.integer(1, 60000))
    if ch.boolean():
        params["strategyType"] = str(ch.integer(1_000_000, 2_000_000))
    if endpoint == "/api/v3/order/test" and ch.boolean():
        params["computeCommissionRates"] = ch.choice(("true", "false"))


# --- the context ---------------------------------------------------------------------------

_COUNT_RULES = (
    "MAX_NUM_ORDERS",
    "MAX_NUM_ALGO_ORDERS",
    "MAX_NUM_ICEBERG_ORDERS",
    "EXCHANGE_MAX_NUM_ORDERS",
    "EXCHANGE_MAX_NUM_ALGO_ORDERS",
    "EXCHANGE_MAX_NUM_ICEBERG_ORDERS",
)


def _context(
    ch: _Chooser,
    lim: _Limits,
    plan: _Plan,
    params: Mapping[str, str],
    values: Mapping[str, Fraction],
    m_cons: list[_Con],
    key: str,
    tied: bool,
) -> dict[str, object]:
    sym, b, t, side = lim.sym, plan.broken, plan.order_type, plan.side
    p_lo, p_hi = lim.price_extent()
    # The market price: inside every band and market-notional bound; a real price otherwise.
    realistic = [_Con("_realistic", p_lo, p_hi)]
    m_broken = None
    if b in ("PERCENT_PRICE", "PERCENT_PRICE_BY_SIDE") or (
        b in ("NOTIONAL", "MIN_NOTIONAL") and t in _AT_MARKET and "quantity" in values
    ):
        m_broken = b
    if tied and b == "stop_would_trigger" and "stopPrice" in values:
        m_broken = b
    try:
        m = _pick(ch, [*m_cons, *realistic], lim.fine, m_broken)
    except _Infeasible:
        m = _pick(ch, m_cons, lim.fine, m_broken)
    ctx: dict[str, object] = {}
    if key == "referencePrice":
        ctx["referencePrice"] = {"symbol": sym.symbol, "referencePrice": _text(m)}
        ctx["avgPrice"] = {"mins": 5, "price": _text(m)}
    else:
        ctx["avgPrice"] = {"mins": 5, "price": _text(m)} if ch.boolean() else _text(m)
    # The last price: the market price, unless a stop price needs it on one side.
    last = m
    stop = values.get("stopPrice")
    if stop is not None and not tied:
        above = _above(t, side)
        c = (
            _Con("stop_would_trigger", hi=stop, hi_open=True)
            if above
            else _Con("stop_would_trigger", lo=stop, lo_open=True)
        )
        last = _pick(ch, [c], lim.fine, b if b == "stop_would_trigger" else None)
    ctx["lastPrice"] = {"symbol": sym.symbol, "price": _text(last)}
    # The book: a LIMIT_MAKER rests, so the opposite best price lies beyond its price.
    bid = ask = m
    p = values.get("price")
    if t == "LIMIT_MAKER" and p is not None:
        lm = "limit_maker_would_take" if b == "limit_maker_would_take" else None
        if side == "BUY":
            ask = _pick(ch, [_Con("limit_maker_would_take", lo=p, lo_open=True)], lim.fine, lm)
            bid = min(p, ask)
        else:
            bid = _pick(ch, [_Con("limit_maker_would_take", hi=p, hi_open=True)], lim.fine, lm)
            ask = max(p, bid)
    elif b == "limit_maker_would_take":
        raise _Infeasible("not a LIMIT_MAKER")
    ctx["bookTicker"] = {
        "symbol": sym.symbol,
        "bidPrice": _text(bid),
        "bidQty": "1",
        "askPrice": _text(ask),
        "askQty": "1",
    }
    ctx["account"] = _account(ch, lim, plan, values)
    ctx["openOrders"] = _open_orders(ch, lim, plan, "icebergQty" in values)
    return ctx


def _account(
    ch: _Chooser, lim: _Limits, plan: _Plan, values: Mapping[str, Fraction]
) -> dict[str, object]:
    sym, b, side = lim.sym, plan.broken, plan.side
    held = _held_permissions(ch, sym)
    sets = sym.permission_sets or ((sym.permissions,) if sym.permissions else ())
    if b == "symbol_not_permitted" and sym.is_spot_trading_allowed:
        if not any(sets):
            raise _Infeasible("the symbol asks for no permission")
        held = []
    # What the order needs: quote to BUY at a price (or the quoteOrderQty), base to SELL.
    q, p, qoq = values.get("quantity"), values.get("price"), values.get("quoteOrderQty")
    need: Fraction | None = None
    asset = sym.quote_asset if side == "BUY" else sym.base_asset
    unit = lim.quote_unit if side == "BUY" else lim.base_unit
    if side == "BUY":
        if qoq is not None:
            need = qoq
        elif p is not None and q is not None and plan.order_type not in _AT_MARKET:
            need = p * q
    elif q is not None:
        need = q
    balances: dict[str, Fraction] = {sym.base_asset: Fraction(0), sym.quote_asset: Fraction(0)}
    if need is not None:
        if b == "insufficient_balance":
            grid = Fraction(1, 10 ** _decimals(need))
            balances[asset] = need - grid * ch.integer(1, int(need / grid))
        else:
            balances[asset] = need + ch.integer(0, 10**6) * unit
    elif b == "insufficient_balance":
        raise _Infeasible("no balance check for this order")
    if side == "BUY" and lim.position is not None and q is not None:
        room = _f(lim.position.max_position) - q
        if b == "MAX_POSITION":
            balances[sym.base_asset] = room + lim.base_unit * ch.integer(1, 10**6)
        elif room >= 0:
            balances[sym.base_asset] = lim.base_unit * ch.integer(0, int(room / lim.base_unit))
    elif b == "MAX_POSITION":
        raise _Infeasible("MAX_POSITION applies to BUY orders with a quantity")
    return {
        "canTrade": b != "account_cannot_trade",
        "permissions": held,
        "balances": [{"asset": a, "free": _text(v), "locked": "0"} for a, v in balances.items()],
    }


def _held_permissions(ch: _Chooser, sym: SymbolInfo) -> list[str]:
    """Account permissions that meet every one of the symbol's permission sets."""
    sets = sym.permission_sets or ((sym.permissions,) if sym.permissions else ())
    held: list[str] = []
    for s in sets:
        if s and not set(held).intersection(s):
            held.append(ch.choice(sorted(s, key=lambda p: (p != "SPOT", p))))
    return held


def _count(ch: _Chooser, room: int) -> int:
    """A count from 0 up to ``room``: a few, or exactly ``room`` (the edge) when it is finite."""
    if room <= 0:
        return 0
    if room <= 1000 and ch.boolean():
        return room
    return ch.integer(0, min(room, 5))


def _open_orders(ch: _Chooser, lim: _Limits, plan: _Plan, iceberg: bool) -> list[dict[str, str]]:
    """Open orders on the symbol and elsewhere, each count at most its limit less one.

    To break one count rule, its count is exactly its limit while every other count stays
    under its own.
    """
    algo = 1 if plan.order_type in _STOPS else 0
    return _open_orders_for(ch, lim, plan.broken, 1, algo, 1 if iceberg else 0)


def _open_orders_for(
    ch: _Chooser, lim: _Limits, b: str | None, adds: int, algo: int, ice: int
) -> list[dict[str, str]]:
    """Open orders leaving room for ``adds`` new orders, ``algo`` of them algo orders and
    ``ice`` icebergs (an order list adds 2 or 3); or one count exactly at its limit."""
    c = lim.counts
    algo_order = algo > 0
    iceberg = ice > 0
    big = 10**9

    def room(name: str, applies: bool = True) -> int:
        n = {"ALGO": algo, "ICEBERG": ice}.get(name.split("_")[-2], adds)
        return c.get(name, big) - n if applies else big

    sym_room = min(room("MAX_NUM_ORDERS"), room("EXCHANGE_MAX_NUM_ORDERS"))
    algo_room = min(
        room("MAX_NUM_ALGO_ORDERS", algo_order), room("EXCHANGE_MAX_NUM_ALGO_ORDERS", algo_order)
    )
    ice_room = min(
        room("MAX_NUM_ICEBERG_ORDERS", iceberg), room("EXCHANGE_MAX_NUM_ICEBERG_ORDERS", iceberg)
    )
    all_room = room("EXCHANGE_MAX_NUM_ORDERS")
    n_plain = n_algo = n_ice = n_other = 0
    other_type, other_ice = "LIMIT", "0"
    if b not in _COUNT_RULES:
        if min(sym_room, algo_room, ice_room) < 0:
            raise _Infeasible("a count limit of zero")
        n_algo = _count(ch, min(algo_room, sym_room))
        n_ice = _count(ch, min(ice_room, sym_room - n_algo))
        n_plain = _count(ch, sym_room - n_algo - n_ice)
        n_other = _count(ch, all_room - n_algo - n_ice - n_plain)
    else:
        if b not in c:
            raise _Infeasible(f"no {b} filter")
        target = c[b]
        if "ALGO" in b and not algo_order:
            raise _Infeasible("not an algo order")
        if "ICEBERG" in b and not iceberg:
            raise _Infeasible("not an iceberg order")
        if b == "MAX_NUM_ORDERS":
            n_plain, ok = target, target <= all_room
        elif b == "MAX_NUM_ALGO_ORDERS":
            n_algo = target
            ok = target <= min(sym_room, room("EXCHANGE_MAX_NUM_ALGO_ORDERS"))
        elif b == "MAX_NUM_ICEBERG_ORDERS":
            n_ice = target
            ok = target <= min(sym_room, room("EXCHANGE_MAX_NUM_ICEBERG_ORDERS"))
        elif b == "EXCHANGE_MAX_NUM_ORDERS":
            n_other, ok = target, True
        elif b == "EXCHANGE_MAX_NUM_ALGO_ORDERS":
            n_other, other_type, ok = target, "STOP_LOSS_LIMIT", target <= all_room
        else:
            n_other, other_ice, ok = target, "0.1", target <= all_room
        if not ok or target > 5000:
            raise _Infeasible("another count limit is lower")
    name = lim.sym.symbol
    orders: list[dict[str, str]] = []

    def add(symbol: str, order_type: str, count: int, iceberg_qty: str = "0") -> None:
        orders.extend(
            {
                "symbol": symbol,
                "side": "SELL",
                "type": order_type,
                "origQty": "1",
                "executedQty": "0",
                "icebergQty": iceberg_qty,
            }
            for _ in range(count)
        )

    add(name, "LIMIT", n_plain)
    add(name, "STOP_LOSS_LIMIT", n_algo)
    add(name, "LIMIT", n_ice, "0.1")
    add("OTHER" + name, other_type, n_other, other_ice)
    return orders


# --- breaking the request layer ------------------------------------------------------------


def _msg(rule_id: str, *args: str) -> BinanceError:
    r = rule(rule_id)
    return BinanceError(r.code, r.message % args if args else r.message)


def _break_request(
    ch: _Chooser,
    info: ExchangeInfo,
    lim: _Limits,
    plan: _Plan,
    order: GeneratedOrder,
    values: Mapping[str, Fraction],
) -> GeneratedOrder:
    """Apply the one request-layer change ``plan.broken`` asks for, and name Binance's answer."""
    b, t = plan.broken, plan.order_type
    assert b is not None
    params = dict(order.params)
    sym = lim.sym
    present = [
        n for n in ("quantity", "quoteOrderQty", "price", "stopPrice", "icebergQty") if n in params
    ]
    if b == "empty_parameter":
        names = ["newClientOrderId", "newOrderRespType"]
        if not _stp_needed(sym):
            names.append("selfTradePreventionMode")
        name = ch.choice(names)
        params[name] = ""
        error = _msg(b, name)
    elif b == "unread_parameters":
        params[ch.choice(("timeinforce", "qty", "foo"))] = "1"
        sent = len(params) + sum(1 for p in ("timestamp", "signature") if p not in params)
        error = _msg(b, str(sent - 1), str(sent))
    elif b == "mandatory_parameter":
        del params["side"]
        error = _msg(b, "side")
    elif b == "illegal_characters":
        name = ch.choice(present)
        value = params[name]
        params[name] = ch.choice((f"{Decimal(value):E}", f"+{value}", f"{value} ", f"-{value}"))
        error = _msg(b, name, DECIMAL_PATTERN)
    elif b == "invalid_side":
        params["side"] = ch.choice(("HOLD", "buy", "LONG"))
        error = _msg(b)
    elif b == "invalid_order_type":
        params["type"] = ch.choice(("STOP", "limit", "OCO"))
        error = _msg(b)
    elif b == "invalid_time_in_force":
        if t not in _WITH_TIF:
            raise _Infeasible("no timeInForce")
        params["timeInForce"] = ch.choice(("GTD", "gtc", "DAY"))
        error = _msg(b)
    elif b == "invalid_parameter":
        params["newOrderRespType"] = ch.choice(("NONE", "ack", "FAST"))
        error = _msg(b, "newOrderRespType")
    elif b == "parameter_overflow":
        name = ch.choice([n for n in present if n in ("quantity", "price", "quoteOrderQty")])
        params[name] = str(math.floor(MAX_DECIMAL) + ch.integer(1, 10**6))
        error = _msg(b, name)
    elif b == "parameter_not_required":
        extra = _forbidden_extra(t, params, values)
        if extra is None:
            raise _Infeasible("nothing to add")
        error = _msg(b, extra)
    elif b == "mandatory_for_type":
        # A plain required parameter, or every sent member of an either-or pair.
        options: list[str] = [n for n in ("timeInForce", "quantity", "price") if n in params]
        pair: tuple[str, str] | None = None
        if t == "MARKET":
            options = []
            pair = ("quantity", "quoteOrderQty")
        elif t in _STOPS:
            pair = ("stopPrice", "trailingDelta")
        if pair is not None:
            options.append("either")
        name = ch.choice(options)
        if name == "either":
            assert pair is not None
            for n in pair:
                params.pop(n, None)
            error = BinanceError(
                -1102, f"Param '{pair[0]}' or '{pair[1]}' must be sent, but both were empty/null!"
            )
        else:
            del params[name]
            error = _msg(b, name)
    elif b == "strategy_type":
        params["strategyType"] = str(ch.integer(0, 999_999))
        error = _msg(b)
    elif b == "recv_window":
        params["recvWindow"] = str(ch.integer(60_001, 10**9))
        error = _msg(b)
    elif b == "unknown_symbol":
        name = "ZZNOTLISTED"
        while name in info.symbols:
            name += "Z"
        params["symbol"] = name
        error = _msg(b)
    elif b == "too_much_precision":
        name = ch.choice(present)
        places = (
            sym.base_asset_precision
            if name in ("quantity", "icebergQty")
            else sym.quote_asset_precision
        )
        if places + 1 > 20:
            raise _Infeasible("precision 20")
        params[name] = _text(values[name], places + ch.integer(1, 20 - places))
        error = _msg(b, name)
    elif b == "invalid_quantity":
        if "quantity" not in params:
            raise _Infeasible("no quantity")
        if "icebergQty" in params:
            raise _Infeasible("icebergQty")
        zeros = sym.base_asset_precision
        params["quantity"] = ch.choice(("0", "0." + "0" * zeros) if zeros else ("0",))
        error = _msg(b)
    elif b == "invalid_price":
        if "price" not in params or (t == "LIMIT_MAKER" and plan.side == "SELL"):
            raise _Infeasible("no price")
        params["price"] = ch.choice(("0", "0.00"))
        error = _msg(b)
    elif b == "order_type_not_supported":
        error = _msg(b, _TYPE_WORDS[t])
    else:
        error = _msg(b)
    return evolve(order, params=params, rule=b, error=error)


def _stp_needed(sym: SymbolInfo) -> bool:
    allowed = sym.allowed_self_trade_prevention_modes
    default = sym.default_self_trade_prevention_mode
    return allowed is not None and default is not None and default not in allowed


def _forbidden_extra(t: str, params: dict[str, str], values: Mapping[str, Fraction]) -> str | None:
    """Add a parameter the order type does not take, with a value that breaks nothing else."""
    if t in ("MARKET", "STOP_LOSS", "TAKE_PROFIT", "LIMIT_MAKER"):
        params["timeInForce"] = "GTC"
        return "timeInForce"
    if t == "LIMIT" and "price" in params:
        params["stopPrice"] = params["price"]  # on the tick; LIMIT orders have no trigger
        return "stopPrice"
    return None


# --- feasibility and the public strategies --------------------------------------------------

_PLANS_CACHE: dict[tuple[object, ...], tuple[ExchangeInfo, tuple[_Plan, ...]]] = {}


def _plans(
    info: ExchangeInfo,
    symbol: str,
    order_types: Sequence[str],
    endpoint: str,
    broken: str | None,
) -> tuple[_Plan, ...]:
    """The (type, side) plans for which the simplest build succeeds, simplest first."""
    key = (id(info), symbol, tuple(order_types), endpoint, broken)
    hit = _PLANS_CACHE.get(key)
    if hit is not None and hit[0] is info:
        return hit[1]
    found = []
    for t in order_types:
        for side in SIDES:
            plan = _Plan(symbol, t, side, endpoint, broken)
            try:
                _build(_Simplest(), info, plan)
            except (_Infeasible, ZeroDivisionError):
                continue
            found.append(plan)
    _PLANS_CACHE[key] = (info, tuple(found))
    return tuple(found)


def _check_args(
    info: ExchangeInfo, symbol: str | None, order_types: Sequence[str], endpoint: str
) -> None:
    if not isinstance(info, ExchangeInfo):
        raise TypeError(f"info must be an ExchangeInfo, not {type(info).__name__}")
    if symbol is not None and symbol not in info.symbols:
        raise ValueError(f"{symbol!r} is not in the snapshot")
    unknown = [t for t in order_types if t not in ORDER_TYPES]
    if unknown or not order_types:
        raise ValueError(f"order_types must be among {', '.join(ORDER_TYPES)}; got {unknown}")
    if endpoint not in ENDPOINTS:
        raise ValueError(f"endpoint must be one of {', '.join(ENDPOINTS)}")


_FILTER_OF = {
    "PRICE_FILTER": "price",
    "PERCENT_PRICE": "percent",
    "PERCENT_PRICE_BY_SIDE": "by_side",
    "LOT_SIZE": "lot",
    "MARKET_LOT_SIZE": "market_lot",
    "MIN_NOTIONAL": "min_notional",
    "NOTIONAL": "notional",
    "ICEBERG_PARTS": "iceberg",
    "TRAILING_DELTA": "trailing",
    "MAX_POSITION": "position",
}


def _may_work(lim: _Limits, order_types: Sequence[str], endpoint: str, broken: str | None) -> bool:
    """A cheap first look: can this symbol possibly take the plan? (The build decides.)"""
    sym = lim.sym
    if (sym.status == "TRADING") == (broken == "market_closed"):
        return False
    if broken == "order_type_not_supported":
        return bool(set(order_types) - sym.order_types)
    if not set(order_types) & sym.order_types:
        return False
    if endpoint == "/api/v3/order" and not sym.is_spot_trading_allowed:
        return broken == "symbol_not_permitted"
    if broken == "TRAILING_DELTA" and not sym.allow_trailing_stop:
        return False
    if broken in _FILTER_OF:
        return getattr(lim, _FILTER_OF[broken]) is not None
    if broken in _COUNT_RULES:
        return broken in lim.counts
    flags = {
        "iceberg_not_supported": not sym.iceberg_allowed,
        "quote_order_qty_not_supported": not sym.quote_order_qty_market_allowed,
        "trailing_stop_not_supported": not sym.allow_trailing_stop,
        "stp_mode_not_allowed": sym.allowed_self_trade_prevention_modes is not None
        and bool(set(_STP_MODES) - sym.allowed_self_trade_prevention_modes),
    }
    return flags.get(str(broken), True)


def _strategy(
    info: ExchangeInfo,
    symbol: str | None,
    order_types: Sequence[str],
    endpoint: str,
    broken: str | None,
    error: Callable[[str], FilterlibError],
) -> st.SearchStrategy[GeneratedOrder]:
    key = (id(info), symbol, tuple(order_types), endpoint, broken)
    hit = _STRATEGY_CACHE.get(key)
    if hit is not None and hit[0] is info:
        return hit[1]
    strategy = _new_strategy(info, symbol, order_types, endpoint, broken, error)
    _STRATEGY_CACHE[key] = (info, strategy)
    return strategy


_STRATEGY_CACHE: dict[
    tuple[object, ...], tuple[ExchangeInfo, st.SearchStrategy[GeneratedOrder]]
] = {}


def _new_strategy(
    info: ExchangeInfo,
    symbol: str | None,
    order_types: Sequence[str],
    endpoint: str,
    broken: str | None,
    error: Callable[[str], FilterlibError],
) -> st.SearchStrategy[GeneratedOrder]:
    if symbol is not None:
        names = [symbol]
    else:
        names = [
            n
            for n, s in info.symbols.items()
            if _may_work(_limits(info, s), order_types, endpoint, broken)
        ]
    # Fail at once, not inside the test, when no symbol takes the plan at all.
    if not any(_plans(info, n, order_types, endpoint, broken) for n in names):
        raise error(symbol or "any symbol of the snapshot")
    rank = {t: i for i, t in enumerate(order_types)}

    @st.composite
    def build(draw: st.DrawFn) -> GeneratedOrder:
        name = names[0] if len(names) == 1 else draw(st.sampled_from(names))
        plans = sorted(
            _plans(info, name, order_types, endpoint, broken),
            # Simplest first: the first order type asked for, BUY before SELL.
            key=lambda p: (rank[p.order_type], p.side != "BUY"),
        )
        assume(plans)  # a symbol the first look let through but no plan fits (rare)
        plan = draw(st.sampled_from(plans))
        try:
            return _build(_Draws(draw), info, plan)
        except _Infeasible:
            # Rare corners only: a grid with no point between two bounds the earlier
            # draws left (the simplest run of the same plan succeeded).
            assume(False)
            raise AssertionError("unreachable") from None

    return build()


def valid_orders(
    info: ExchangeInfo,
    symbol: str | None = None,
    *,
    order_types: Sequence[str] = ORDER_TYPES,
    endpoint: str = "/api/v3/order",
) -> st.SearchStrategy[GeneratedOrder]:
    """Orders (with their context) that pass every rule the context lets filterlib check.

    ``symbol`` None draws from every symbol of the snapshot that admits such an order. Raises
    :class:`NoValidOrder` at once when none does (a symbol that is not TRADING, say).
    """
    _check_args(info, symbol, order_types, endpoint)

    def error(where: str) -> FilterlibError:
        return NoValidOrder(f"no valid {'/'.join(order_types)} order on {where} for {endpoint}")

    return _strategy(info, symbol, order_types, endpoint, None, error)


def invalid_orders(
    info: ExchangeInfo,
    rule_id: str,
    symbol: str | None = None,
    *,
    order_types: Sequence[str] = ORDER_TYPES,
    endpoint: str = "/api/v3/order",
) -> st.SearchStrategy[GeneratedOrder]:
    """Orders that break the catalogue rule ``rule_id`` and nothing else.

    ``order.error`` is Binance's answer, ``order.rule`` the rule. Raises :class:`CannotBreak`
    when the rule cannot be broken alone on ``symbol`` (or on any symbol of the snapshot), and
    ``ValueError`` for a rule not in :data:`BREAKABLE_RULES`.
    """
    if rule_id not in BREAKABLE_RULES:
        raise ValueError(
            f"{rule_id!r} is not a rule invalid_orders can break; "
            f"known: {', '.join(BREAKABLE_RULES)}"
        )
    _check_args(info, symbol, order_types, endpoint)

    def error(where: str) -> FilterlibError:
        return CannotBreak(
            f"{rule_id} cannot be broken alone on {where} "
            f"({'/'.join(order_types)} orders, {endpoint})"
        )

    return _strategy(info, symbol, order_types, endpoint, rule_id, error)


def contexts(
    info: ExchangeInfo,
    params: Mapping[str, object],
    *,
    endpoint: str = "/api/v3/order",
) -> st.SearchStrategy[dict[str, object]]:
    """Contexts in which ``params`` (a valid order by the snapshot alone) passes every rule.

    The market price sits anywhere inside the bands and market-notional bounds (on their edges
    too), the last price on the side that does not trigger a stop, the book beyond a
    LIMIT_MAKER's price, balances at or above what the order needs, open orders at or under
    each count limit less one. Raises :class:`NoValidOrder` when no context can make the
    order pass (its price outside PRICE_FILTER, say).
    """
    symbol = str(params.get("symbol"))
    order_type = str(params.get("type"))
    side = str(params.get("side"))
    _check_args(info, symbol, (order_type,) if order_type in ORDER_TYPES else (), endpoint)
    if side not in SIDES:
        raise ValueError(f"side must be BUY or SELL, got {side!r}")
    values: dict[str, Fraction] = {}
    for name in ("quantity", "quoteOrderQty", "price", "stopPrice", "icebergQty"):
        raw = params.get(name)
        if raw is not None:
            parsed = parse_wire_decimal(str(raw))
            if parsed is None:
                raise NoValidOrder(f"{name} {raw!r} is not a wire decimal")
            values[name] = Fraction(parsed)
    plan = _Plan(symbol, order_type, side, endpoint)
    lim = _limits(info, info.symbols[symbol])
    text = {str(k): str(v) for k, v in params.items() if v is not None}

    def attempt(ch: _Chooser) -> dict[str, object]:
        tied = lim.tied()
        key = (
            "avgPrice"
            if tied and "stopPrice" in values
            else ch.choice(("avgPrice", "referencePrice"))
        )
        m_cons = _market_cons(lim, order_type, side, values)
        stop = values.get("stopPrice")
        is_tied = tied and key == "avgPrice"
        if is_tied and stop is not None:
            m_cons.append(
                _Con("stop_would_trigger", hi=stop, hi_open=True)
                if _above(order_type, side)
                else _Con("stop_would_trigger", lo=stop, lo_open=True)
            )
        return _context(ch, lim, plan, text, values, m_cons, key, is_tied)

    try:
        attempt(_Simplest())
    except (_Infeasible, ZeroDivisionError) as exc:
        raise NoValidOrder(f"no context lets this order pass: {exc}") from None

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, object]:
        try:
            return attempt(_Draws(draw))
        except _Infeasible:
            assume(False)
            raise AssertionError("unreachable") from None

    return build()


# --- order lists ----------------------------------------------------------------------------
#
# A list is built leg by leg with the single order's pieces (the lot, notional, price and band
# constraints of _Limits, _pick, _trailing, the count and permission helpers), plus what ties
# the legs together: one quantity for the legs that share it, one market price inside every
# leg's band, one last price on the right side of every live stop and of an OCO's pair, counts
# that leave room for 2 or 3 orders, and MAX_POSITION over every BUY leg.

#: The order-list endpoints ``valid_order_lists`` and ``invalid_order_lists`` draw for.
LIST_ENDPOINTS = (
    "/api/v3/orderList/oco",
    "/api/v3/order/oco",
    "/api/v3/orderList/oto",
    "/api/v3/orderList/otoco",
)
_PLACEMENT_RULES = (
    "oco_limit_below",
    "oco_limit_above",
    "oco_contingent",
    "oco_stop_loss_above",
    "oco_stop_loss_below",
    "oco_take_profit_below",
    "oco_take_profit_above",
)
#: The rules ``invalid_order_lists`` can break alone (where the endpoint and symbol allow it).
LIST_BREAKABLE_RULES: tuple[str, ...] = (
    "mandatory_parameter",
    "mandatory_for_type",
    "list_iceberg_time_in_force",
    *_PLACEMENT_RULES,
    "oco_price_order",
    "PRICE_FILTER",
    "PERCENT_PRICE",
    "PERCENT_PRICE_BY_SIDE",
    "LOT_SIZE",
    "MIN_NOTIONAL",
    "NOTIONAL",
    "TRAILING_DELTA",
    "oco_price_relationship",
)
_LIMIT_SIDE = ("LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
_STOP_SIDE = ("STOP_LOSS", "STOP_LOSS_LIMIT")
_OCO_LEG_TYPES = (*_LIMIT_SIDE, *_STOP_SIDE)


@frozen
class _ListPlan:
    """An order list to build: the endpoint, each leg's type and side, the rule to break."""

    symbol: str
    endpoint: str
    types: tuple[str, ...]
    sides: tuple[str, ...]
    broken: str | None = None


def _misplaced(side: str, kind: str, is_above: bool) -> str | None:
    """The placement rule an OCO leg of type ``kind`` breaks in that position, if any."""
    sell = side == "SELL"
    if kind.startswith("STOP_LOSS") and is_above == sell:
        return "oco_stop_loss_below" if sell else "oco_stop_loss_above"
    if kind == "LIMIT_MAKER" and is_above != sell:
        return "oco_limit_above" if sell else "oco_limit_below"
    if kind.startswith("TAKE_PROFIT") and is_above != sell:
        return "oco_take_profit_above" if sell else "oco_take_profit_below"
    return None


def _placement(side: str, above: str, below: str) -> list[str]:
    """The OCO placement rules a pair breaks (spec: New Order list - OCO), in catalogue order:
    one leg LIMIT_MAKER/TAKE_PROFIT(_LIMIT), above for a SELL and below for a BUY, the other
    STOP_LOSS(_LIMIT) on the other side."""
    if above == below == "LIMIT_MAKER":
        return ["oco_contingent"]
    found = [_misplaced(side, above, True), _misplaced(side, below, False)]
    return sorted((r for r in found if r is not None), key=_PLACEMENT_RULES.index)


def _list_shapes(endpoint: str, broken: str | None) -> Iterator[tuple[tuple[str, ...], ...]]:
    """(types, sides) of every list the endpoint takes; misplaced OCO pairs for a placement
    rule (a pair that breaks that rule alone)."""
    kind = _WIRE[endpoint].kind
    wanted = [broken] if broken in _PLACEMENT_RULES else []

    def pairs(side: str) -> Iterator[tuple[str, str]]:
        for above in _OCO_LEG_TYPES:
            for below in _OCO_LEG_TYPES:
                if _placement(side, above, below) == wanted:
                    yield above, below

    if endpoint == "/api/v3/order/oco":
        if not wanted:
            for side in SIDES:
                for stop in _STOP_SIDE:
                    yield ("LIMIT_MAKER", stop), (side, side)
    elif kind == "oco":
        for side in SIDES:
            for pair in pairs(side):
                yield pair, (side, side)
    elif kind == "oto":
        if not wanted:
            for working in ("LIMIT", "LIMIT_MAKER"):
                for w_side in SIDES:
                    for pending in ORDER_TYPES:
                        for p_side in SIDES:
                            yield (working, pending), (w_side, p_side)
    else:
        for working in ("LIMIT", "LIMIT_MAKER"):
            for w_side in SIDES:
                for p_side in SIDES:
                    for above, below in pairs(p_side):
                        yield (working, above, below), (w_side, p_side, p_side)


def _nonempty(cons: Sequence[_Con]) -> bool:
    lo, hi = _span(cons)
    return hi is None or lo <= hi


def _list_targets(plan: _ListPlan, legs: Sequence[Leg], sym: SymbolInfo) -> list[str]:
    """Where the plan's rule can be broken: ``"<leg index>:<field>"`` labels (or the wire
    name of an endpoint-mandatory parameter)."""
    b, types = plan.broken, plan.types
    ep = _WIRE[plan.endpoint]
    out: list[str] = []
    for i, (leg, t) in enumerate(zip(legs, types, strict=True)):
        priced = t in _PRICED and leg.wire("price") is not None
        stop = t in _STOPS and leg.wire("stopPrice") is not None
        iceberg = priced and leg.wire("icebergQty") is not None and sym.iceberg_allowed
        if b == "PRICE_FILTER":
            out += [f"{i}:price"] * priced + [f"{i}:stopPrice"] * stop
        elif b == "LOT_SIZE":
            first = next(
                j for j, other in enumerate(legs) if other.wire("quantity") == leg.wire("quantity")
            )
            out += [f"{i}:quantity"] * (first == i) + [f"{i}:icebergQty"] * iceberg
        elif b in ("NOTIONAL", "MIN_NOTIONAL", "PERCENT_PRICE", "PERCENT_PRICE_BY_SIDE"):
            out += [f"{i}:price"] * priced
        elif b == "TRAILING_DELTA":
            out += [f"{i}:trailingDelta"] * (stop and leg.wire("trailingDelta") is not None)
        elif b == "list_iceberg_time_in_force":
            tif = leg.wire("timeInForce")
            out += [f"{i}:icebergQty"] * (iceberg and t in _WITH_TIF and tif is not None)
        elif b == "mandatory_for_type":
            for field in ("price", "timeInForce"):
                wire = leg.wire(field)
                # The deprecated OCO's stop type follows from stopLimitPrice: no price to drop.
                need = (
                    (t in _PRICED and leg.type_of is None) if field == "price" else t in _WITH_TIF
                )
                if (
                    need
                    and wire is not None
                    and wire not in ep.mandatory | leg.missing_rules.keys()
                ):
                    out.append(f"{i}:{field}")
            pair = (leg.wire("stopPrice"), leg.wire("trailingDelta"))
            if t in _STOPS and None not in pair and not set(pair) & set(ep.mandatory):
                out.append(f"{i}:either")
    if b == "mandatory_parameter":
        out = [n for n in ep.mandatory if n != "symbol"]
    return out


def _build_list(ch: _Chooser, info: ExchangeInfo, plan: _ListPlan) -> GeneratedOrder:
    sym = info.symbols[plan.symbol]
    lim = _limits(info, sym)
    ep = _WIRE[plan.endpoint]
    legs, types, sides, b = ep.legs, plan.types, plan.sides, plan.broken
    n = len(legs)
    # -- the symbol's flags ----------------------------------------------------------------
    if sym.status != "TRADING" or not sym.is_spot_trading_allowed:
        raise _Infeasible("status")
    if not set(types) <= sym.order_types:
        raise _Infeasible("order type")
    if ep.kind in ("oco", "otoco") and not sym.oco_allowed:
        raise _Infeasible("ocoAllowed")
    if ep.kind in ("oto", "otoco") and not sym.oto_allowed:
        raise _Infeasible("otoAllowed")
    allowed_stp = sym.allowed_self_trade_prevention_modes
    default_stp = sym.default_self_trade_prevention_mode
    if allowed_stp is not None and not allowed_stp and default_stp is not None:
        raise _Infeasible("no STP mode allowed")
    target, t_leg, t_field = None, -1, ""
    if b is not None and b not in (*_PLACEMENT_RULES, "oco_price_order", "oco_price_relationship"):
        options = _list_targets(plan, legs, sym)
        if not options:
            raise _Infeasible(f"nowhere to break {b}")
        target = ch.choice(options)
        if ":" in target:
            head, t_field = target.split(":")
            t_leg = int(head)
    if b == "oco_price_order" and plan.endpoint != "/api/v3/order/oco":
        raise _Infeasible("the deprecated OCO's rule")
    vals: list[dict[str, Fraction]] = [{} for _ in legs]
    texts: list[dict[str, str]] = [{} for _ in legs]
    p_lo, p_hi = lim.price_extent()

    # -- quantities: one per quantity parameter, valid for every leg that uses it ------------
    n_buy = sides.count("BUY")
    sell_live = any(s == "SELL" and not leg.pending for leg, s in zip(legs, sides, strict=True))
    k_pos = n_buy + (1 if sell_live and n_buy else 0)
    groups: dict[str | None, list[int]] = {}
    for i, leg in enumerate(legs):
        groups.setdefault(leg.wire("quantity"), []).append(i)
    # Some price one tick inside the extremes must meet the notional limits: a list's prices
    # sit on both sides of the last price, so none may need the very highest or lowest.
    tick = _f(lim.price.tick_size) if lim.price is not None and lim.price.tick_size else None
    step = tick or lim.quote_unit
    q_hi_price = max(p_lo, p_hi - step)
    q_lo_price = min(p_hi, p_lo + step)
    for idxs in groups.values():
        cons: list[_Con] = []
        for i in idxs:
            cons += lim.lot_cons(types[i])
            for name, lo, hi in lim.notional_bounds(types[i] in _AT_MARKET):
                cons.append(
                    _Con(
                        f"_{name}", lo / q_hi_price if lo else None, hi / q_lo_price if hi else None
                    )
                )
        if lim.position is not None and n_buy:
            cons.append(_Con("MAX_POSITION", hi=_f(lim.position.max_position) / k_pos))
        if t_field == "icebergQty" and t_leg in idxs:
            cons.append(_Con("_iceberg room", lo=_iceberg_min(lim) * 2))
        q_broken = "LOT_SIZE" if t_field == "quantity" and t_leg in idxs else None
        q = _pick(ch, cons, lim.base_unit, q_broken)
        for i in idxs:
            vals[i]["quantity"] = q

    # -- the market price's room, narrowed by each priced leg's band ------------------------
    m_cons: list[_Con] = []
    for i, t in enumerate(types):
        if t in _AT_MARKET:
            q = vals[i]["quantity"]
            for name, lo, hi in lim.notional_bounds(True):
                m_cons.append(_Con(f"{name}@{i}", lo / q if lo else None, hi / q if hi else None))
    realistic = [_Con("_realistic", p_lo, p_hi)]

    def m_span() -> tuple[Fraction, Fraction | None]:
        both = [*m_cons, *realistic]
        return _span(both if _nonempty(both) else m_cons)

    # -- which values sit above or below the last price -------------------------------------
    kind = ep.kind
    stops = [i for i, t in enumerate(types) if t.startswith("STOP_LOSS")]
    limits = [i for i, t in enumerate(types) if t in _LIMIT_SIDE]
    relation = kind == "oco" and len(stops) == 1 and len(limits) == 1 and b != "oco_price_order"
    oco_side = sides[0]
    side_of: dict[tuple[int, str], str] = {}  # (leg, field) -> "above" / "below" the last price
    if relation:
        hi_leg = limits[0]
        hi_field = "stopPrice" if types[hi_leg] == "TAKE_PROFIT" else "price"
        side_of[(hi_leg, hi_field)] = "above" if oco_side == "SELL" else "below"
        side_of[(stops[0], "stopPrice")] = "below" if oco_side == "SELL" else "above"
    if b != "oco_price_order":
        for i, t in enumerate(types):
            if t in _STOPS and not legs[i].pending:
                side_of[(i, "stopPrice")] = "above" if _above(t, sides[i]) else "below"
    order: list[tuple[int, str]] = [k for k in side_of if k[1] == "price"]
    order += [
        (i, "price") for i, t in enumerate(types) if t in _PRICED and (i, "price") not in order
    ]
    order += [(i, "stopPrice") for i, t in enumerate(types) if t in _STOPS]
    last_lo: Fraction | None = None
    last_hi: Fraction | None = None
    deprecated = plan.endpoint == "/api/v3/order/oco"
    for pos, (i, fname) in enumerate(order):
        t, side = types[i], sides[i]
        cons = lim.price_cons()
        broken_here = b if t_leg == i and t_field == fname and b == "PRICE_FILTER" else None
        if fname == "price":
            q = vals[i]["quantity"]
            for name, lo, hi in lim.notional_bounds(False):
                cons.append(_Con(name, lo / q if lo else None, hi / q if hi else None))
            if t_leg == i and t_field == "price" and b in ("NOTIONAL", "MIN_NOTIONAL"):
                broken_here = b
            m_lo, m_hi = m_span()
            for name, down, up in lim.bands(side):
                if not up:
                    raise _Infeasible("a zero multiplierUp admits no price")
                cons.append(_Con(f"_{name}", m_lo * down, m_hi * up if m_hi is not None else None))
        where = side_of.get((i, fname))
        later = {side_of.get(k) for k in order[pos + 1 :]}
        if where == "above":
            if last_lo is not None:
                cons.append(_Con("_last", lo=last_lo, lo_open=True))
            if "below" in later:
                cons.append(_Con("_room", lo=p_lo, lo_open=True))
        elif where == "below":
            if last_hi is not None:
                cons.append(_Con("_last", hi=last_hi, hi_open=True))
            if "above" in later:
                cons.append(_Con("_room", hi=p_hi, hi_open=True))
        if deprecated and fname == "stopPrice":
            lm_price = vals[0]["price"]
            sell = oco_side == "SELL"
            cons.append(
                _Con("oco_price_order", hi=lm_price, hi_open=True)
                if sell
                else _Con("oco_price_order", lo=lm_price, lo_open=True)
            )
            if b == "oco_price_order":
                broken_here = b
        v = _pick(ch, cons, lim.quote_unit, broken_here)
        vals[i][fname] = v
        if where == "above":
            last_hi = v if last_hi is None else min(last_hi, v)
        elif where == "below":
            last_lo = v if last_lo is None else max(last_lo, v)
        if fname == "price":
            for name, down, up in lim.bands(side):
                m_cons.append(_Con(f"{name}@{i}", v / up, v / down if down else None))

    # -- trailingDelta, icebergQty, timeInForce ---------------------------------------------
    trailing_ok = sym.allow_trailing_stop
    for i, (leg, t) in enumerate(zip(legs, types, strict=True)):
        side = sides[i]
        if t in _STOPS and leg.wire("trailingDelta") is not None:
            breaking = b == "TRAILING_DELTA" and t_leg == i
            if breaking and not trailing_ok:
                raise _Infeasible("trailing stops")
            if breaking or (trailing_ok and ch.boolean()):
                texts[i]["trailingDelta"] = str(_trailing(ch, lim, t, side, breaking))
        q = vals[i]["quantity"]
        iceberg_target = t_leg == i and t_field == "icebergQty"
        if t in _PRICED and leg.wire("icebergQty") is not None:
            allowed = sym.iceberg_allowed
            cons = lim.lot_cons(t)
            cons.append(_Con("iceberg_exceeds_quantity", hi=q, hi_open=True))
            if lim.iceberg is not None:
                if lim.iceberg.limit == 0:
                    allowed = False
                else:
                    cons.append(_Con("ICEBERG_PARTS", lo=q / lim.iceberg.limit))
            ib = "LOT_SIZE" if iceberg_target and b == "LOT_SIZE" else None
            if allowed and (iceberg_target or (b is None and _feasible(cons, lim.base_unit))):
                if iceberg_target or ch.boolean():
                    vals[i]["icebergQty"] = _pick(ch, cons, lim.base_unit, ib)
            elif iceberg_target:
                raise _Infeasible("iceberg")
        if t in _WITH_TIF and leg.wire("timeInForce") is not None:
            if iceberg_target and b == "list_iceberg_time_in_force":
                texts[i]["timeInForce"] = ch.choice(("IOC", "FOK"))
            elif "icebergQty" in vals[i]:
                texts[i]["timeInForce"] = "GTC"
            else:
                texts[i]["timeInForce"] = ch.choice(("GTC", "IOC", "FOK"))

    # -- the parameters, on the wire ---------------------------------------------------------
    params: dict[str, str] = {"symbol": sym.symbol}
    precision = {
        "quantity": sym.base_asset_precision,
        "icebergQty": sym.base_asset_precision,
        "price": sym.quote_asset_precision,
        "stopPrice": sym.quote_asset_precision,
    }
    written: dict[str, str] = {}
    for i, leg in enumerate(legs):
        fields: dict[str, str] = {"type": types[i], "side": sides[i], **texts[i]}
        for name in ("quantity", "price", "stopPrice", "icebergQty"):
            if name in vals[i]:
                v = vals[i][name]
                room = precision[name] - _decimals(v)
                if room < 0:
                    raise _Infeasible("precision")
                wire = leg.wire(name)
                if wire in written:  # a shared parameter: written once
                    fields[name] = written[wire]
                    continue
                pad = ch.integer(0, room) if b is None and room else 0
                fields[name] = _text(v, _decimals(v) + pad if pad else 0)
        for name, text in fields.items():
            wire = leg.wire(name)
            if wire is not None:
                params[wire] = text
                written[wire] = text
    if b == "stp_mode_not_allowed":  # pragma: no cover - not offered for lists
        raise _Infeasible("stp")
    if allowed_stp is not None:
        modes_ok = sorted(allowed_stp)
        if (default_stp is not None and default_stp not in allowed_stp) or (
            modes_ok and ch.boolean()
        ):
            params["selfTradePreventionMode"] = ch.choice(modes_ok)
    if b is None:
        if ch.boolean():
            params["listClientOrderId"] = ch.choice(("my-list-1", "x_42", "L" * 36))
        if ch.boolean():
            params["newOrderRespType"] = ch.choice(("ACK", "RESULT", "FULL"))
        if ch.boolean():
            params["recvWindow"] = str(ch.integer(1, 60000))

    # -- the context -------------------------------------------------------------------------
    key = "referencePrice" if lim.tied() else ch.choice(("avgPrice", "referencePrice"))
    m_broken = None
    if b in ("PERCENT_PRICE", "PERCENT_PRICE_BY_SIDE"):
        m_broken = f"{b}@{t_leg}"
    try:
        m = _pick(ch, [*m_cons, *realistic], lim.fine, m_broken)
    except _Infeasible:
        m = _pick(ch, m_cons, lim.fine, m_broken)
    ctx: dict[str, object] = {}
    if key == "referencePrice":
        ctx["referencePrice"] = {"symbol": sym.symbol, "referencePrice": _text(m)}
        ctx["avgPrice"] = {"mins": 5, "price": _text(m)}
    else:
        ctx["avgPrice"] = {"mins": 5, "price": _text(m)} if ch.boolean() else _text(m)
    last_cons: list[_Con] = []
    for i, t in enumerate(types):
        s = vals[i].get("stopPrice")
        if t in _STOPS and s is not None and not legs[i].pending:
            last_cons.append(
                _Con(f"stop_would_trigger@{i}", hi=s, hi_open=True)
                if _above(t, sides[i])
                else _Con(f"stop_would_trigger@{i}", lo=s, lo_open=True)
            )
    if relation:
        high = vals[hi_leg][hi_field]
        low = vals[stops[0]]["stopPrice"]
        lo, hi = (low, high) if oco_side == "SELL" else (high, low)
        last_cons.append(_Con("oco_price_relationship", lo, hi, None, True, True))
    elif b == "oco_price_relationship":
        raise _Infeasible("no price relationship")
    if b != "oco_price_order":
        rb = b if b == "oco_price_relationship" else None
        last = _pick(ch, last_cons, lim.fine, rb) if last_cons else m
        ctx["lastPrice"] = {"symbol": sym.symbol, "price": _text(last)}
    # The book: a live LIMIT_MAKER rests, so the opposite best price lies beyond its price.
    bid = ask = m
    makers = {
        side: [
            vals[i]["price"]
            for i, t in enumerate(types)
            if t == "LIMIT_MAKER" and sides[i] == side and not legs[i].pending
        ]
        for side in SIDES
    }
    if makers["BUY"]:
        ask = _pick(ch, [_Con("_book", lo=max(makers["BUY"]), lo_open=True)], lim.fine)
        bid = min(bid, ask)
    elif makers["SELL"]:
        bid = _pick(ch, [_Con("_book", hi=min(makers["SELL"]), hi_open=True)], lim.fine)
        ask = max(ask, bid)
    ctx["bookTicker"] = {
        "symbol": sym.symbol,
        "bidPrice": _text(bid),
        "bidQty": "1",
        "askPrice": _text(ask),
        "askQty": "1",
    }
    # The account: enough of each asset for the most any one live leg needs.
    need = {sym.base_asset: Fraction(0), sym.quote_asset: Fraction(0)}
    for i, t in enumerate(types):
        if legs[i].pending:
            continue
        leg_q, leg_p = vals[i]["quantity"], vals[i].get("price")
        if sides[i] == "SELL":
            need[sym.base_asset] = max(need[sym.base_asset], leg_q)
        elif leg_p is not None and t not in _AT_MARKET:
            need[sym.quote_asset] = max(need[sym.quote_asset], leg_p * leg_q)
    balances = {
        sym.base_asset: need[sym.base_asset] + ch.integer(0, 10**6) * lim.base_unit,
        sym.quote_asset: need[sym.quote_asset] + ch.integer(0, 10**6) * lim.quote_unit,
    }
    if lim.position is not None and n_buy:
        pos_room = _f(lim.position.max_position) - sum(
            (vals[i]["quantity"] for i in range(n) if sides[i] == "BUY"), Fraction(0)
        )
        spare = pos_room - need[sym.base_asset]
        if spare < 0:
            raise _Infeasible("MAX_POSITION")
        balances[sym.base_asset] = need[sym.base_asset] + lim.base_unit * ch.integer(
            0, min(int(spare / lim.base_unit), 10**6)
        )
    ctx["account"] = {
        "canTrade": True,
        "permissions": _held_permissions(ch, sym),
        "balances": [{"asset": a, "free": _text(v), "locked": "0"} for a, v in balances.items()],
    }
    algo = sum(1 for t in types if t in _STOPS)
    ice = sum(1 for v in vals if "icebergQty" in v)
    ctx["openOrders"] = _open_orders_for(ch, lim, None, n, algo, ice)

    generated = GeneratedOrder(params, ctx, plan.endpoint, sym.symbol)
    if b is None:
        return generated
    return _break_list(plan, generated, legs, t_leg, t_field, target)


def _break_list(
    plan: _ListPlan,
    generated: GeneratedOrder,
    legs: Sequence[Leg],
    t_leg: int,
    t_field: str,
    target: str | None,
) -> GeneratedOrder:
    """Name Binance's answer to the one rule broken (and make the request-layer changes)."""
    b = plan.broken
    assert b is not None
    params = dict(generated.params)
    leg = legs[t_leg].name if t_leg >= 0 else None
    if b in _PLACEMENT_RULES:
        # The misplaced leg (the below one when both are LIMIT_MAKER).
        first = 0 if _WIRE[plan.endpoint].kind == "oco" else 1
        side = plan.sides[first]
        wrong = _misplaced(side, plan.types[first], True) == b
        leg = legs[first if wrong else first + 1].name
        return evolve(generated, params=params, rule=b, error=_msg(b), leg=leg)
    if b == "mandatory_parameter":
        assert target is not None
        del params[target]
        return evolve(generated, params=params, rule=b, error=_msg(b, target))
    if b == "mandatory_for_type":
        wire_leg = legs[t_leg]
        if t_field == "either":
            pair = (wire_leg.wire("stopPrice"), wire_leg.wire("trailingDelta"))
            for name in pair:
                params.pop(str(name), None)
            error = BinanceError(
                -1102, f"Param '{pair[0]}' or '{pair[1]}' must be sent, but both were empty/null!"
            )
        else:
            name = str(wire_leg.wire(t_field))
            del params[name]
            error = _msg(b, name)
        return evolve(generated, params=params, rule=b, error=error, leg=leg)
    if b == "list_iceberg_time_in_force":
        error = _msg(b, str(legs[t_leg].wire("icebergQty")))
        return evolve(generated, rule=b, error=error, leg=leg)
    return evolve(generated, rule=b, error=_msg(b), leg=leg)


_LIST_PLANS: dict[tuple[object, ...], tuple[ExchangeInfo, tuple[_ListPlan, ...]]] = {}


def _list_plans(
    info: ExchangeInfo, symbol: str, endpoint: str, broken: str | None
) -> tuple[_ListPlan, ...]:
    """The list shapes for which the simplest build succeeds, simplest first."""
    key = (id(info), symbol, endpoint, broken)
    hit = _LIST_PLANS.get(key)
    if hit is not None and hit[0] is info:
        return hit[1]
    found = []
    sym = info.symbols[symbol]
    for types, sides in _list_shapes(endpoint, broken):
        if not set(types) <= sym.order_types:
            continue
        plan = _ListPlan(symbol, endpoint, types, sides, broken)
        try:
            _build_list(_Simplest(), info, plan)
        except (_Infeasible, ZeroDivisionError):
            continue
        found.append(plan)
    _LIST_PLANS[key] = (info, tuple(found))
    return tuple(found)


def _may_list(sym: SymbolInfo, endpoint: str) -> bool:
    kind = _WIRE[endpoint].kind
    return (
        sym.status == "TRADING"
        and sym.is_spot_trading_allowed
        and (kind not in ("oco", "otoco") or sym.oco_allowed)
        and (kind not in ("oto", "otoco") or bool(sym.oto_allowed))
    )


def _list_strategy(
    info: ExchangeInfo,
    endpoint: str,
    symbol: str | None,
    broken: str | None,
    error: Callable[[str], FilterlibError],
) -> st.SearchStrategy[GeneratedOrder]:
    if not isinstance(info, ExchangeInfo):
        raise TypeError(f"info must be an ExchangeInfo, not {type(info).__name__}")
    if endpoint not in LIST_ENDPOINTS:
        raise ValueError(f"endpoint must be one of {', '.join(LIST_ENDPOINTS)}")
    if symbol is not None and symbol not in info.symbols:
        raise ValueError(f"{symbol!r} is not in the snapshot")
    names = (
        [symbol]
        if symbol is not None
        else [n for n, s in info.symbols.items() if _may_list(s, endpoint)]
    )
    # Fail at once, not inside the test, when no symbol takes such a list at all.
    if not any(_list_plans(info, n, endpoint, broken) for n in names):
        raise error(symbol or "any symbol of the snapshot")

    @st.composite
    def build(draw: st.DrawFn) -> GeneratedOrder:
        name = names[0] if len(names) == 1 else draw(st.sampled_from(names))
        plans = _list_plans(info, name, endpoint, broken)
        assume(plans)  # a symbol whose flags allow lists but whose filters admit none (rare)
        plan = draw(st.sampled_from(plans))
        try:
            return _build_list(_Draws(draw), info, plan)
        except _Infeasible:
            # Rare corners only, as for single orders: the simplest run of the plan succeeded.
            assume(False)
            raise AssertionError("unreachable") from None

    return build()


def valid_order_lists(
    info: ExchangeInfo, endpoint: str, symbol: str | None = None
) -> st.SearchStrategy[GeneratedOrder]:
    """Order lists (with their context) for ``endpoint`` that pass every rule filterlib checks.

    ``endpoint`` is one of :data:`LIST_ENDPOINTS`. OCOs come in both sides and every leg-type
    pairing the symbol's orderTypes allow, placed as the side requires, with the prices on the
    right sides of the drawn lastPrice; OTOs pair a LIMIT or LIMIT_MAKER working order with a
    pending order of any type (MARKET by quantity); OTOCOs pair it with a pending OCO. Raises
    :class:`NoValidOrder` at once when no symbol (or not ``symbol``) takes such a list.
    """

    def error(where: str) -> FilterlibError:
        return NoValidOrder(f"no valid order list on {where} for {endpoint}")

    return _list_strategy(info, endpoint, symbol, None, error)


def invalid_order_lists(
    info: ExchangeInfo, endpoint: str, rule_id: str, symbol: str | None = None
) -> st.SearchStrategy[GeneratedOrder]:
    """Order lists for ``endpoint`` that break ``rule_id`` on one leg (or the list) and nothing
    else; ``order.leg`` names the leg for a rule judged per leg.

    Raises :class:`CannotBreak` when the rule cannot be broken alone on ``symbol`` (or any
    symbol) at that endpoint, ``ValueError`` for a rule not in :data:`LIST_BREAKABLE_RULES`.
    """
    if rule_id not in LIST_BREAKABLE_RULES:
        raise ValueError(
            f"{rule_id!r} is not a rule invalid_order_lists can break; "
            f"known: {', '.join(LIST_BREAKABLE_RULES)}"
        )

    def error(where: str) -> FilterlibError:
        return CannotBreak(f"{rule_id} cannot be broken alone on {where} ({endpoint})")

    return _list_strategy(info, endpoint, symbol, rule_id, error)
