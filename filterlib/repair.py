"""``repair``: the nearest order Binance would accept, or why there is none.

Given an order's parameters, ``repair`` moves each value the least it can onto what the symbol
allows: the price onto the tick in the safe direction (a BUY never pays more, a SELL never gets
less, unless ``round_price`` says otherwise), into PRICE_FILTER's bounds and the
PERCENT_PRICE(_BY_SIDE) band (when the context gives the market price); the quantity onto the
step (down by default) and into LOT_SIZE / MARKET_LOT_SIZE; the notional into
MIN_NOTIONAL / NOTIONAL (raising the quantity only when the caller allows it); the icebergQty
onto the step with no more parts than ICEBERG_PARTS allows; trailingDelta into TRAILING_DELTA.
Values are written as Binance wants them: plain decimals, no exponent, no more decimals than
the asset allows. Symbol, side and type never change; parameters repair does not understand are
passed through.

Out of scope: what the account or the market must change (balances, open-order counts,
MAX_POSITION, a stop price that would trigger, a LIMIT_MAKER that would take), and parameters
the order type does not take. Check the result with :func:`filterlib.check`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from math import lcm
from typing import Literal

from attrs import frozen

from ._context import Context, as_context
from ._decimals import CONTEXT, decimals_written, format_decimal, parse_wire_decimal
from ._engine import check
from ._request import Order, wire_text
from ._rules import pegs
from ._rules.common import market_price
from .filters import (
    IcebergParts,
    LotSize,
    MarketLotSize,
    MinNotional,
    Notional,
    PercentPrice,
    PercentPriceBySide,
    PriceFilter,
    TrailingDelta,
)
from .snapshot import ExchangeInfo, SymbolInfo

__all__ = ["Change", "Repair", "repair"]

Rounding = Literal["safe", "down", "up", "nearest"]
_AT_MARKET = frozenset({"MARKET", "STOP_LOSS", "TAKE_PROFIT"})
_PRICED = frozenset({"LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})
_MODES = {"down": ROUND_FLOOR, "up": ROUND_CEILING, "nearest": ROUND_HALF_EVEN}


@frozen
class Change:
    """One parameter repair changed: its ``old`` and ``new`` wire text, and ``why``."""

    parameter: str
    old: str | None
    new: str | None
    why: str


@frozen
class Repair:
    """The repaired order (``params``) and its ``changes``; or ``impossible``, the reason none
    exists (then ``params`` is the input, unchanged)."""

    params: dict[str, str]
    changes: tuple[Change, ...] = ()
    impossible: str | None = None

    @property
    def ok(self) -> bool:
        return self.impossible is None


class _Impossible(Exception):
    pass


def _grid(*steps: Decimal) -> Decimal:
    """The coarsest of power-of-ten-denominated steps that are multiples of each other, or the
    least common multiple of the steps otherwise (zero steps are ignored)."""
    result: Fraction | None = None
    for s in steps:
        if not s:
            continue
        f = Fraction(s)
        if result is None:
            result = f
        else:
            d = lcm(result.denominator, f.denominator)
            result = Fraction(lcm(int(result * d), int(f * d)), d)
    assert result is not None
    return Decimal(result.numerator) / Decimal(result.denominator)


def _to_grid(value: Decimal, grid: Decimal, rounding: str) -> Decimal:
    units = (value / grid).to_integral_value(rounding=rounding)
    out = units * grid
    exponent = grid.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return out.quantize(Decimal(1).scaleb(min(exponent, 0)))


def _parse(text: str | None) -> Decimal | None:
    """A lenient reading: whatever a client may have sent that denotes a positive number."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        return None
    return value if value.is_finite() and value > 0 else None


def _filter(symbol: SymbolInfo, kind: type[object]) -> object | None:
    for f in symbol.filters:
        if isinstance(f, kind):
            return f
    return None


def repair(
    info: ExchangeInfo,
    params: Mapping[str, object],
    *,
    context: Context | Mapping[str, object] | None = None,
    round_price: Rounding = "safe",
    quantity: Literal["down", "up", "nearest"] = "down",
    raise_to_min_notional: bool = False,
    as_of: dt.date | str | None = None,
) -> Repair:
    """The nearest order to ``params`` that the symbol's filters accept (see the module doc).

    ``round_price="safe"`` rounds a BUY price down and a SELL price up, and refuses (as
    ``impossible``) to raise a BUY or lower a SELL to reach a bound; "down", "up" and "nearest"
    round and move prices either way. ``quantity`` rounds the quantity (and icebergQty) to the
    step. ``raise_to_min_notional`` lets repair raise the quantity (or quoteOrderQty) to the
    minimum notional instead of reporting it impossible. The result is checked (as of the
    snapshot's day, or ``as_of``): an order Binance would still reject comes back
    ``impossible``, with the reason.

    A pegged order keeps its peg: the quantity meets the notional bounds at the price the peg
    selects (from ``bidPrice``/``askPrice`` or ``depth`` in the context) and at ``price``.
    """
    texts = {str(k): wire_text(v) for k, v in params.items() if v is not None}
    with localcontext(CONTEXT):
        try:
            new, changes = _repair(
                info, texts, as_context(context), round_price, quantity, raise_to_min_notional
            )
        except _Impossible as exc:
            return Repair(texts, (), str(exc))
    # What repair does not change (the type's parameters, a peg the order type does not take,
    # the account, the book ...) can still reject the order: then say so, never hand back a
    # rejected order as repaired.
    verdict = check(info, new, context=context, as_of=as_of)
    if verdict.error is not None:
        first = verdict.violations[0] if verdict.violations else None
        why = f" ({first.rule}: {first.detail})" if first is not None and first.detail else ""
        still = f"still rejected: {verdict.error.code} {verdict.error.msg}{why}"
        return Repair(texts, (), still)
    return Repair(new, tuple(changes))


def _repair(
    info: ExchangeInfo,
    texts: dict[str, str],
    ctx: Context,
    round_price: str,
    quantity_mode: str,
    raise_min: bool,
) -> tuple[dict[str, str], list[Change]]:
    symbol = info.symbol(texts.get("symbol", ""))
    if symbol is None:
        raise _Impossible(f"symbol {texts.get('symbol')!r} is not in the snapshot")
    side, order_type = texts.get("side"), texts.get("type")
    if side not in ("BUY", "SELL") or order_type not in (*_PRICED, *_AT_MARKET):
        raise _Impossible("side and type must be valid: repair never changes them")
    out = dict(texts)
    changes: list[Change] = []
    quote_unit = Decimal(1).scaleb(-symbol.quote_asset_precision)
    base_unit = Decimal(1).scaleb(-symbol.base_asset_precision)

    def put(name: str, value: Decimal, why: str) -> None:
        old = out.get(name)
        places = (
            symbol.base_asset_precision
            if name in ("quantity", "icebergQty")
            else symbol.quote_asset_precision
        )
        if old is not None and parse_wire_decimal(old) == value and decimals_written(old) <= places:
            return  # already the same value, written as Binance accepts it
        text = format_decimal(value)
        if old != text:
            changes.append(Change(name, out.get(name), text, why))
            out[name] = text

    # -- prices ----------------------------------------------------------------------------
    pf = _filter(symbol, PriceFilter)
    assert pf is None or isinstance(pf, PriceFilter)
    tick = pf.tick_size if pf is not None else Decimal(0)
    p_grid = _grid(tick, quote_unit)
    buy = side == "BUY"
    if round_price == "safe":
        price_rounding = ROUND_FLOOR if buy else ROUND_CEILING
    else:
        price_rounding = _MODES[round_price]
    low, high = _price_bounds(symbol, pf, ctx, side) if order_type in _PRICED else (None, None)
    for name in ("price", "stopPrice"):
        raw = out.get(name)
        if raw is None:
            continue
        value = _parse(raw)
        if value is None:
            raise _Impossible(f"{name} {raw!r} is not a positive number")
        rounded = _to_grid(value, p_grid, price_rounding)
        lo = _price_floor(pf, p_grid, low if name == "price" else None)
        hi = _price_ceiling(pf, p_grid, high if name == "price" else None)
        if lo is not None and hi is not None and lo > hi:
            raise _Impossible(f"no {name} lies on the tick between {lo} and {hi}")
        moved = rounded
        if lo is not None and moved < lo:
            if round_price == "safe" and buy and name == "price":
                raise _Impossible(
                    f"price {raw} is below the lowest valid price {format_decimal(lo)}; "
                    "raising a BUY price pays more (pass round_price='up' to allow it)"
                )
            moved = lo
        if hi is not None and moved > hi:
            if round_price == "safe" and not buy and name == "price":
                raise _Impossible(
                    f"price {raw} is above the highest valid price {format_decimal(hi)}; "
                    "lowering a SELL price gets less (pass round_price='down' to allow it)"
                )
            moved = hi
        if moved == 0:
            raise _Impossible(f"{name} rounds to zero")
        why = "onto the tick" if moved == rounded else "into the valid price range"
        put(name, moved, f"{why} ({format_decimal(tick)})" if moved == rounded else why)

    # -- quantities ------------------------------------------------------------------------
    lot = _filter(symbol, LotSize)
    mlot = _filter(symbol, MarketLotSize) if order_type == "MARKET" else None
    lots = [f for f in (lot, mlot) if isinstance(f, LotSize | MarketLotSize)]
    q_grid = _grid(*(f.step_size for f in lots), base_unit)
    q_lo = max((f.min_qty for f in lots if f.min_qty), default=Decimal(0))
    q_hi = min((f.max_qty for f in lots if f.max_qty), default=None)
    q_lo_grid = _to_grid(q_lo, q_grid, ROUND_CEILING) if q_lo else q_grid
    q_hi_grid = _to_grid(q_hi, q_grid, ROUND_FLOOR) if q_hi is not None else None
    if q_hi_grid is not None and q_lo_grid > q_hi_grid:
        raise _Impossible("no quantity lies on the step between minQty and maxQty")
    q_rounding = _MODES[quantity_mode]
    price = _parse(out.get("price")) if order_type in _PRICED else None
    market = _market_price(symbol, ctx)
    at = price if order_type in _PRICED else market if order_type in _AT_MARKET else None
    # A pegged order passes the notional filters at its pegged price and at price when sent
    # (docs 2026-07, 3a): the quantity must meet the bounds at both.
    at_low = at_high = at
    pegged = _pegged_price(texts, side, order_type, ctx)
    if pegged is not None:
        prices = [p for p in (price, pegged) if p is not None]
        at_low, at_high = min(prices), max(prices)
    n_lo, n_hi = _notional_bounds(symbol, order_type in _AT_MARKET)

    if "quantity" in out and "quoteOrderQty" not in out:
        raw = out["quantity"]
        value = _parse(raw)
        if value is None:
            raise _Impossible(f"quantity {raw!r} is not a positive number")
        q = _to_grid(value, q_grid, q_rounding)
        why = "onto the step"
        if q < q_lo_grid:
            q, why = q_lo_grid, "up to the minimum quantity"
        if q_hi_grid is not None and q > q_hi_grid:
            q, why = q_hi_grid, "down to the maximum quantity"
        if at_low is not None and at_high is not None and at_low > 0:
            at = at_low
            if n_lo and q * at < n_lo:
                need = _to_grid(n_lo / at, q_grid, ROUND_CEILING)
                if q_hi_grid is not None and need > q_hi_grid:
                    raise _Impossible(
                        f"the minimum notional {format_decimal(n_lo)} needs quantity "
                        f"{format_decimal(need)}, above the maximum {format_decimal(q_hi_grid)} "
                        f"at price {format_decimal(at)}"
                    )
                if not raise_min:
                    raise _Impossible(
                        f"notional {format_decimal(q * at)} is below the minimum "
                        f"{format_decimal(n_lo)}; quantity {format_decimal(need)} would meet it "
                        "(pass raise_to_min_notional=True)"
                    )
                q, why = need, "up to the minimum notional"
            if n_hi and q * at_high > n_hi:
                cap = _to_grid(n_hi / at_high, q_grid, ROUND_FLOOR)
                if cap < q_lo_grid or (n_lo and cap * at < n_lo):
                    raise _Impossible("no quantity on the step has a notional within bounds")
                q, why = cap, "down to the maximum notional"
        put("quantity", q, why)
        _iceberg(out, symbol, q, q_grid, q_lo_grid, q_rounding, put)
    elif "quoteOrderQty" in out and "quantity" not in out:
        raw = out["quoteOrderQty"]
        value = _parse(raw)
        if value is None:
            raise _Impossible(f"quoteOrderQty {raw!r} is not a positive number")
        v = _to_grid(value, quote_unit, ROUND_FLOOR)
        why = "to the quote asset's precision"
        if n_lo and v < n_lo:
            if not raise_min:
                raise _Impossible(
                    f"quoteOrderQty {raw} is below the minimum notional {format_decimal(n_lo)} "
                    "(pass raise_to_min_notional=True)"
                )
            v, why = _to_grid(n_lo, quote_unit, ROUND_CEILING), "up to the minimum notional"
        if n_hi and v > n_hi:
            v, why = _to_grid(n_hi, quote_unit, ROUND_FLOOR), "down to the maximum notional"
        if v <= 0:
            raise _Impossible("quoteOrderQty rounds to zero")
        put("quoteOrderQty", v, why)

    # -- trailingDelta ---------------------------------------------------------------------
    td = _filter(symbol, TrailingDelta)
    raw_delta = out.get("trailingDelta")
    if isinstance(td, TrailingDelta) and raw_delta is not None and raw_delta.isdigit():
        above = order_type.startswith("STOP_LOSS") == buy
        lo_d, hi_d = (
            (td.min_trailing_above_delta, td.max_trailing_above_delta)
            if above
            else (td.min_trailing_below_delta, td.max_trailing_below_delta)
        )
        delta = min(max(int(raw_delta), lo_d), hi_d)
        if str(delta) != raw_delta:
            changes.append(Change("trailingDelta", raw_delta, str(delta), "into TRAILING_DELTA"))
            out["trailingDelta"] = str(delta)
    return out, changes


def _iceberg(
    out: dict[str, str],
    symbol: SymbolInfo,
    q: Decimal,
    q_grid: Decimal,
    q_lo_grid: Decimal,
    rounding: str,
    put: Callable[[str, Decimal, str], None],
) -> None:
    raw = out.get("icebergQty")
    if raw is None:
        return
    value = _parse(raw)
    if value is None:
        if raw.strip() in ("0", "0.0") or _is_zero(raw):
            return  # icebergQty 0 is no iceberg
        raise _Impossible(f"icebergQty {raw!r} is not a positive number")
    ice = _to_grid(value, q_grid, rounding)
    why = "onto the step"
    if ice < q_lo_grid:
        ice, why = q_lo_grid, "up to the minimum quantity"
    parts = _filter(symbol, IcebergParts)
    if isinstance(parts, IcebergParts):
        if parts.limit == 0:
            raise _Impossible("ICEBERG_PARTS limit 0 admits no iceberg order")
        least = _to_grid(q / parts.limit, q_grid, ROUND_CEILING)
        if ice < least:
            ice, why = least, f"up to at most {parts.limit} parts"
    if ice >= q:
        raise _Impossible(
            f"icebergQty must be below quantity {format_decimal(q)} with at most "
            "ICEBERG_PARTS parts; no value on the step fits"
        )
    put("icebergQty", ice, why)


def _is_zero(text: str) -> bool:
    try:
        return Decimal(text) == 0
    except ArithmeticError:
        return False


def _pegged_price(
    texts: Mapping[str, str], side: str, order_type: str, ctx: Context
) -> Decimal | None:
    """The price a LIMIT or LIMIT_MAKER order's peg selects now, when the context has the book
    (a stop-limit order is pegged when it triggers: none now)."""
    if "pegPriceType" not in texts or order_type not in ("LIMIT", "LIMIT_MAKER"):
        return None
    offset = texts.get("pegOffsetValue", "0")
    order = Order(
        side=side,
        type=order_type,
        peg_price_type=texts["pegPriceType"],
        peg_offset_value=int(offset) if offset.isdigit() and len(offset) < 4 else None,
    )
    found = pegs.pegged_price(order, ctx)
    return found if isinstance(found, Decimal) else None


def _market_price(symbol: SymbolInfo, ctx: Context) -> Decimal | None:
    """The price the notional filters judge an order that executes at market with: each
    filter's own, the rule's :func:`~filterlib._rules.common.market_price` for its
    ``avgPriceMins``. None when the context lacks it, or when two filters read different
    prices (the result's check then says what is left)."""
    prices = {
        market_price(ctx, f.avg_price_mins)[0]
        for f in symbol.filters
        if (isinstance(f, MinNotional) and f.apply_to_market)
        or (isinstance(f, Notional) and (f.apply_min_to_market or f.apply_max_to_market))
    }
    return prices.pop() if len(prices) == 1 else None


def _price_bounds(
    symbol: SymbolInfo, pf: PriceFilter | None, ctx: Context, side: str
) -> tuple[Decimal | None, Decimal | None]:
    """The band the context's market price puts on the price (None where unknown)."""
    low: Decimal | None = None
    high: Decimal | None = None
    for f in symbol.filters:
        if isinstance(f, PercentPrice):
            down, up, mins = f.multiplier_down, f.multiplier_up, f.avg_price_mins
        elif isinstance(f, PercentPriceBySide):
            down, up = (
                (f.bid_multiplier_down, f.bid_multiplier_up)
                if side == "BUY"
                else (f.ask_multiplier_down, f.ask_multiplier_up)
            )
            mins = f.avg_price_mins
        else:
            continue
        ref, _ = market_price(ctx, mins)  # the rule's own market price
        if ref is None:
            continue
        low = ref * down if low is None else max(low, ref * down)
        high = ref * up if high is None else min(high, ref * up)
    return low, high


def _price_floor(pf: PriceFilter | None, grid: Decimal, band: Decimal | None) -> Decimal | None:
    bounds = [b for b in (pf.min_price if pf else None, band) if b]
    return _to_grid(max(bounds), grid, ROUND_CEILING) if bounds else None


def _price_ceiling(pf: PriceFilter | None, grid: Decimal, band: Decimal | None) -> Decimal | None:
    bounds = [b for b in (pf.max_price if pf else None, band) if b is not None and b]
    return _to_grid(min(bounds), grid, ROUND_FLOOR) if bounds else None


def _notional_bounds(symbol: SymbolInfo, at_market: bool) -> tuple[Decimal, Decimal]:
    """The minimum and maximum notional (zero: none) that apply to the order."""
    lo, hi = Decimal(0), Decimal(0)
    for f in symbol.filters:
        if isinstance(f, MinNotional) and (not at_market or f.apply_to_market):
            lo = max(lo, f.min_notional)
        elif isinstance(f, Notional):
            if not at_market or f.apply_min_to_market:
                lo = max(lo, f.min_notional)
            if f.max_notional and (not at_market or f.apply_max_to_market):
                hi = f.max_notional if not hi else min(hi, f.max_notional)
    return lo, hi
