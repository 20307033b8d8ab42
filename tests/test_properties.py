"""Properties of ``check`` against the shipped snapshot, with hypothesis.

Expectations are computed here from the filter objects, in exact rational arithmetic
(:class:`fractions.Fraction`), never by asking the engine.
"""

from __future__ import annotations

import decimal
import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import filterlib
from filterlib.catalogue import RANK
from filterlib.filters import (
    LotSize,
    MinNotional,
    Notional,
    PercentPrice,
    PercentPriceBySide,
    PriceFilter,
)

INFO = filterlib.load_default_exchange_info()
ENDPOINTS = ("/api/v3/order", "/api/v3/order/test")
KNOWN = (
    "symbol",
    "side",
    "type",
    "timeInForce",
    "quantity",
    "quoteOrderQty",
    "price",
    "newClientOrderId",
    "strategyId",
    "strategyType",
    "stopPrice",
    "trailingDelta",
    "icebergQty",
    "newOrderRespType",
    "selfTradePreventionMode",
    "recvWindow",
    "timestamp",
    "signature",
    "computeCommissionRates",
)
FUZZ_SYMBOLS = ("BTCUSDT", "ETHBTC", "BNBUSDT", "XYZNOPE", "btcusdt", "")
BREAK_SYMBOLS = [s for s, i in INFO.symbols.items() if i.status != "TRADING"][:2]
ORDER_TYPES = (
    "LIMIT",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
    "LIMIT_MAKER",
)
DECIMAL_PARAMS = ("quantity", "quoteOrderQty", "price", "stopPrice", "icebergQty")
MAX_DECIMAL = Fraction(Decimal("92233720368.54775807"))


def context_for(symbol: str, price: str = "30000") -> dict[str, object]:
    return {
        "avgPrice": {"mins": 5, "price": price},
        "lastPrice": {"symbol": symbol, "price": price},
        "bookTicker": {"symbol": symbol, "bidPrice": price, "askPrice": price},
        "account": {
            "canTrade": True,
            "permissions": ["SPOT"],
            "balances": [{"asset": "BTC", "free": "1", "locked": "0"}],
        },
        "openOrders": [],
    }


# --- (a) check never raises --------------------------------------------------------------------

huge_decimals = st.builds(
    lambda m, e: Decimal(f"{m}E{e}"),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-3000, max_value=3000),
)
scalars = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789.-+eE, \u0661\u00b2", max_size=45),
    st.just("9" * 200),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity"), Decimal("-0")]),
    huge_decimals,
    st.none(),
    st.booleans(),
    st.sampled_from((*ORDER_TYPES, "BUY", "SELL", "GTC", "IOC", "FOK", "NONE")),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
keys = st.one_of(st.sampled_from(KNOWN), st.text(max_size=12))


@settings(max_examples=300, deadline=None)
@given(
    symbol=st.sampled_from((*FUZZ_SYMBOLS, *BREAK_SYMBOLS)),
    base=st.fixed_dictionaries(
        {},
        optional={"side": st.sampled_from(["BUY", "SELL"]), "type": st.sampled_from(ORDER_TYPES)},
    ),
    extra=st.dictionaries(keys, values, max_size=8),
    endpoint=st.sampled_from(ENDPOINTS),
    with_context=st.booleans(),
)
def test_check_never_raises(
    symbol: str,
    base: dict[str, object],
    extra: dict[str, object],
    endpoint: str,
    with_context: bool,
) -> None:
    params: dict[str, object] = {"symbol": symbol, **base, **extra}
    ctx = context_for(symbol) if with_context else None
    verdict = filterlib.check(INFO, params, endpoint=endpoint, context=ctx)
    assert isinstance(verdict, filterlib.Verdict)
    if verdict.violations:
        assert verdict.error == verdict.violations[0].error
        ranks = [RANK[v.rule] for v in verdict.violations]
        assert ranks == sorted(ranks)
    else:
        assert verdict.error is None
    verdict.to_dict()


# --- (b) the caller's decimal context has no effect -------------------------------------------

numbers = st.one_of(
    st.sampled_from(["0.1", "0.00000001", "30000", "29999.99", "1.23456789", "0"]),
    st.builds(
        lambda i, f: f"{i}.{f}" if f else str(i),
        st.integers(min_value=0, max_value=10**12),
        st.text(alphabet="0123456789", max_size=12),
    ),
)
ROUNDINGS = (
    decimal.ROUND_UP,
    decimal.ROUND_DOWN,
    decimal.ROUND_CEILING,
    decimal.ROUND_FLOOR,
    decimal.ROUND_HALF_UP,
    decimal.ROUND_HALF_DOWN,
    decimal.ROUND_HALF_EVEN,
    decimal.ROUND_05UP,
)
SIGNALS = (
    decimal.Inexact,
    decimal.Rounded,
    decimal.Subnormal,
    decimal.Underflow,
    decimal.Overflow,
    decimal.DivisionByZero,
    decimal.Clamped,
    decimal.FloatOperation,
)


@settings(max_examples=200, deadline=None)
@given(
    symbol=st.sampled_from(("BTCUSDT", "ETHBTC", "BNBUSDT")),
    order_type=st.sampled_from(ORDER_TYPES),
    side=st.sampled_from(("BUY", "SELL")),
    fields=st.dictionaries(st.sampled_from(DECIMAL_PARAMS), numbers, max_size=5),
    trailing=st.none() | st.integers(min_value=0, max_value=5000),
    ctx_price=st.none() | numbers,
    endpoint=st.sampled_from(ENDPOINTS),
    prec=st.integers(min_value=1, max_value=60),
    rounding=st.sampled_from(ROUNDINGS),
    traps=st.sets(st.sampled_from(SIGNALS)),
)
def test_callers_decimal_context_has_no_effect(
    symbol: str,
    order_type: str,
    side: str,
    fields: dict[str, str],
    trailing: int | None,
    ctx_price: str | None,
    endpoint: str,
    prec: int,
    rounding: str,
    traps: set[type[decimal.DecimalException]],
) -> None:
    params: dict[str, object] = {
        "symbol": symbol,
        "side": side,
        "type": order_type,
        "timeInForce": "GTC",
        **fields,
        "trailingDelta": trailing,
    }
    ctx = None if ctx_price is None else context_for(symbol, ctx_price)
    expected = filterlib.check(INFO, params, endpoint=endpoint, context=ctx).to_dict()
    with decimal.localcontext() as dc:
        dc.prec = prec
        dc.rounding = rounding
        for signal in SIGNALS:
            dc.traps[signal] = signal in traps
        got = filterlib.check(INFO, params, endpoint=endpoint, context=ctx).to_dict()
    assert got == expected


# --- (c) valid orders by construction pass ---------------------------------------------------


def _filter(symbol: filterlib.SymbolInfo, kind: type[Any]) -> Any:
    found = [f for f in symbol.filters if isinstance(f, kind)]
    return found[0] if found else None


def _grid_decimals(value: Decimal) -> int:
    exponent = value.normalize(decimal.Context(prec=60)).as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _eligible(symbol: filterlib.SymbolInfo) -> bool:
    pf, lot = _filter(symbol, PriceFilter), _filter(symbol, LotSize)
    return (
        symbol.status == "TRADING"
        and symbol.is_spot_trading_allowed
        and "LIMIT" in symbol.order_types
        and pf is not None
        and lot is not None
        and pf.tick_size > 0
        and lot.step_size > 0
        and _grid_decimals(pf.tick_size) + 1 <= symbol.quote_asset_precision
        and _grid_decimals(lot.step_size) + 1 <= symbol.base_asset_precision
        and (
            symbol.allowed_self_trade_prevention_modes is None
            or symbol.default_self_trade_prevention_mode
            in symbol.allowed_self_trade_prevention_modes
        )
    )


LIMIT_SYMBOLS = sorted(s for s, i in INFO.symbols.items() if _eligible(i))
INF = Fraction(10**30)


def _write(value: Fraction) -> str:
    """The plain wire text of a value with a finite decimal expansion."""
    if value.denominator == 1:
        return str(value.numerator)
    with decimal.localcontext(decimal.Context(prec=60)):
        d = Decimal(value.numerator) / Decimal(value.denominator)
        return format(d.normalize(), "f")


def _bounds(symbol: filterlib.SymbolInfo, side: str) -> dict[str, Fraction]:
    """Every bound a LIMIT order on ``symbol`` must meet, exactly, from the filter objects."""
    pf: PriceFilter = _filter(symbol, PriceFilter)
    lot: LotSize = _filter(symbol, LotSize)
    b = {
        "tick": Fraction(pf.tick_size),
        "min_price": max(Fraction(pf.min_price), Fraction(pf.tick_size)),
        "max_price": Fraction(pf.max_price) if pf.max_price else MAX_DECIMAL,
        "step": Fraction(lot.step_size),
        "min_qty": max(Fraction(lot.min_qty), Fraction(lot.step_size)),
        "max_qty": min(Fraction(lot.max_qty) if lot.max_qty else INF, MAX_DECIMAL),
        "min_notional": Fraction(0),
        "max_notional": INF,
        "down": Fraction(0),
        "up": INF,
    }
    b["max_price"] = min(b["max_price"], MAX_DECIMAL)
    notional, min_notional = _filter(symbol, Notional), _filter(symbol, MinNotional)
    if notional is not None:
        b["min_notional"] = Fraction(notional.min_notional)
        if notional.max_notional:
            b["max_notional"] = Fraction(notional.max_notional)
    if min_notional is not None:
        b["min_notional"] = max(b["min_notional"], Fraction(min_notional.min_notional))
    by_side, percent = _filter(symbol, PercentPriceBySide), _filter(symbol, PercentPrice)
    if by_side is not None:
        if side == "BUY":
            b["down"], b["up"] = (
                Fraction(by_side.bid_multiplier_down),
                Fraction(by_side.bid_multiplier_up),
            )
        else:
            b["down"], b["up"] = (
                Fraction(by_side.ask_multiplier_down),
                Fraction(by_side.ask_multiplier_up),
            )
    if percent is not None:
        b["down"] = max(b["down"], Fraction(percent.multiplier_down))
        b["up"] = min(b["up"], Fraction(percent.multiplier_up))
    return b


def _uses_last_price(symbol: filterlib.SymbolInfo) -> bool:
    return any(
        isinstance(f, PercentPrice | PercentPriceBySide) and f.avg_price_mins == 0
        for f in symbol.filters
    )


@st.composite
def valid_limit_orders(
    draw: st.DrawFn,
) -> tuple[dict[str, object], dict[str, object], dict[str, Fraction]]:
    name = draw(st.sampled_from(LIMIT_SYMBOLS))
    symbol = INFO.symbols[name]
    side = draw(st.sampled_from(("BUY", "SELL")))
    b = _bounds(symbol, side)
    tick, step = b["tick"], b["step"]
    # The average price: a grid price at which some valid quantity has a valid notional.
    avg_lo = max(b["min_price"], b["min_notional"] / b["max_qty"])
    avg_hi = min(b["max_price"], b["max_notional"] / b["min_qty"])
    k_lo, k_hi = math.ceil(avg_lo / tick), math.floor(avg_hi / tick)
    assume(k_lo <= k_hi)
    avg = draw(st.integers(min_value=k_lo, max_value=k_hi)) * tick
    # The price: on the tick, inside PRICE_FILTER and inside the band around avg.
    p_lo = max(b["min_price"], avg * b["down"])
    p_hi = min(b["max_price"], avg * b["up"])
    price = (
        draw(st.integers(min_value=math.ceil(p_lo / tick), max_value=math.floor(p_hi / tick)))
        * tick
    )
    # The quantity: on the step, inside LOT_SIZE, with the notional inside its bounds.
    q_lo = max(b["min_qty"], b["min_notional"] / price)
    q_hi = min(b["max_qty"], b["max_notional"] / price)
    j_lo, j_hi = math.ceil(q_lo / step), math.floor(q_hi / step)
    assume(j_lo <= j_hi)
    quantity = draw(st.integers(min_value=j_lo, max_value=j_hi)) * step
    params: dict[str, object] = {
        "symbol": name,
        "side": side,
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": _write(quantity),
        "price": _write(price),
    }
    key = "lastPrice" if _uses_last_price(symbol) else "avgPrice"
    context: dict[str, object] = {key: _write(avg)}
    b = {**b, "price": price, "quantity": quantity, "avg": avg}
    return params, context, b


@settings(max_examples=200, deadline=None, suppress_health_check=[])
@given(case=valid_limit_orders(), endpoint=st.sampled_from(ENDPOINTS))
def test_valid_limit_orders_pass(
    case: tuple[dict[str, object], dict[str, object], dict[str, Fraction]], endpoint: str
) -> None:
    params, context, _ = case
    verdict = filterlib.check(INFO, params, endpoint=endpoint, context=context)
    assert verdict.ok, (params, context, verdict)


# --- (d) breaking exactly one rule -------------------------------------------------------------


def _fits_precision(value: Fraction, places: int) -> bool:
    return bool((value * 10**places).denominator == 1)


@settings(max_examples=150, deadline=None)
@given(case=valid_limit_orders(), how=st.sampled_from(("below", "above")))
def test_price_off_the_tick_breaks_only_price_filter(
    case: tuple[dict[str, object], dict[str, object], dict[str, Fraction]], how: str
) -> None:
    params, context, b = case
    symbol = INFO.symbols[str(params["symbol"])]
    price = b["price"] + (b["tick"] / 2 if how == "above" else -b["tick"] / 2)
    quantity, avg = b["quantity"], b["avg"]
    # Keep every other rule satisfied: the band, the price bounds, the notional, the precision.
    assume(
        max(b["min_price"], avg * b["down"]) <= price <= min(b["max_price"], avg * b["up"])
        and b["min_notional"] <= price * quantity <= b["max_notional"]
        and _fits_precision(price, symbol.quote_asset_precision)
    )
    broken = {**params, "price": _write(price)}
    verdict = filterlib.check(INFO, broken, context=context, endpoint="/api/v3/order/test")
    assert verdict.error == filterlib.BinanceError(-1013, "Filter failure: PRICE_FILTER")
    assert [v.rule for v in verdict.violations] == ["PRICE_FILTER"]
    assert verdict.violations[0].parameter == "price"


@st.composite
def lot_breaks(draw: st.DrawFn) -> tuple[dict[str, object], dict[str, object], Fraction]:
    params, context, b = draw(valid_limit_orders())
    symbol = INFO.symbols[str(params["symbol"])]
    price, quantity, step = b["price"], b["quantity"], b["step"]
    lot: LotSize = _filter(symbol, LotSize)
    candidates = [
        quantity + step / 2,  # off the step
        Fraction(lot.min_qty) - step,  # one step below minQty
        Fraction(lot.max_qty) + step if lot.max_qty else Fraction(0),  # one step above maxQty
    ]
    fine = [
        q
        for q in candidates
        if 0 < q <= MAX_DECIMAL
        and b["min_notional"] <= price * q <= b["max_notional"]
        and _fits_precision(q, symbol.base_asset_precision)
    ]
    assume(fine)
    return params, context, draw(st.sampled_from(fine))


@settings(max_examples=150, deadline=None)
@given(case=lot_breaks())
def test_quantity_off_lot_size_breaks_only_lot_size(
    case: tuple[dict[str, object], dict[str, object], Fraction],
) -> None:
    params, context, quantity = case
    broken = {**params, "quantity": _write(quantity)}
    verdict = filterlib.check(INFO, broken, context=context, endpoint="/api/v3/order/test")
    assert verdict.error == filterlib.BinanceError(-1013, "Filter failure: LOT_SIZE")
    assert [v.rule for v in verdict.violations] == ["LOT_SIZE"]
    assert verdict.violations[0].parameter == "quantity"


# --- (e) wire format ---------------------------------------------------------------------------

DECIMAL_RANGE_MSG = (
    "Illegal characters found in parameter '{}'; legal range is "
    "'^([0-9]{{1,20}})(\\.[0-9]{{1,20}})?$'."
)


@st.composite
def plain_positive_decimals(draw: st.DrawFn) -> Decimal:
    integer = draw(st.integers(min_value=0, max_value=10**20 - 1))
    places = draw(st.integers(min_value=0, max_value=20))
    fraction = draw(st.integers(min_value=0, max_value=10**places - 1)) if places else 0
    assume(integer or fraction)
    text = f"{integer}.{fraction:0{places}d}" if places else str(integer)
    return Decimal(text)


@settings(max_examples=200, deadline=None)
@given(value=plain_positive_decimals(), name=st.sampled_from(DECIMAL_PARAMS))
def test_plain_decimals_always_parse(value: Decimal, name: str) -> None:
    text = format(value, "f")
    assert filterlib._decimals.parse_wire_decimal(text) == value
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", name: text}
    verdict = filterlib.check(INFO, params)
    assert [v for v in verdict.violations if v.rule == "illegal_characters"] == []
    # A Decimal object is written the same way.
    verdict = filterlib.check(INFO, {**params, name: value})
    assert [v for v in verdict.violations if v.rule == "illegal_characters"] == []


BAD_CHARS = ["e", "E", "-", "+", ",", " ", "\u0661", "\u06f5", "\uff11", "\u0966"]


@settings(max_examples=200, deadline=None)
@given(
    head=st.text(alphabet="0123456789.", max_size=10),
    bad=st.sampled_from(BAD_CHARS),
    tail=st.text(max_size=10),
    name=st.sampled_from(DECIMAL_PARAMS),
)
def test_bad_characters_get_1100_for_that_parameter(
    head: str, bad: str, tail: str, name: str
) -> None:
    text = head + bad + tail
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", name: text}
    verdict = filterlib.check(INFO, params)
    found = [v for v in verdict.violations if v.rule == "illegal_characters"]
    assert [(v.parameter, v.code, v.msg, v.value) for v in found] == [
        (name, -1100, DECIMAL_RANGE_MSG.format(name), text)
    ]
    assert verdict.error == filterlib.BinanceError(-1100, DECIMAL_RANGE_MSG.format(name))


def test_there_are_enough_symbols_to_draw_from() -> None:
    assert len(LIMIT_SYMBOLS) > 100
    assert BREAK_SYMBOLS


@pytest.mark.parametrize("name", ["BTCUSDT", "ETHBTC"])
def test_bounds_helper_matches_the_snapshot(name: str) -> None:
    b = _bounds(INFO.symbols[name], "BUY")
    assert b["tick"] > 0
    assert b["step"] > 0
