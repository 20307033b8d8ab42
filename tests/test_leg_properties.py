"""Issue 3's property: a single order turned into a leg of an order list keeps its verdict for
the rules that apply to a leg.

Single orders are built from a real symbol's filters: prices on the tick within PRICE_FILTER
and the percent-price band, quantities on the step within LOT_SIZE and the notional bounds; or
the same with exactly one value moved off its grid or out of its bounds. Each order is put in
every leg position that takes its type, beside valid partner legs built the same way, and the
(rule, field) violations of the leg rules found on that leg must be the single order's.

The leg rules are the request-layer precision and zero rules and every "filter" stage rule.
A parameter two legs share (an OCO's ``quantity``, an OTOCO's ``pendingQuantity``) fails once
for the request: when the partner leg holds the same failure it may carry the partner's name,
so a violation on a shared parameter counts for either leg.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import filterlib
from filterlib import ExchangeInfo
from filterlib._endpoints import ENDPOINTS, Leg
from filterlib.catalogue import RULES
from filterlib.filters import LotSize, MarketLotSize, MinNotional, Notional, PriceFilter
from filterlib.snapshot import SymbolInfo

ROOT = Path(__file__).resolve().parent.parent
OTO_SNAPSHOT = ROOT / "fixtures" / "snapshots" / "spot_trading_only_2024-09-08_davijr.json.gz"
INFOS: dict[str, ExchangeInfo] = {
    "davijr-2024": filterlib.load_exchange_info(OTO_SNAPSHOT),
    "shipped": filterlib.load_default_exchange_info(),
}
#: Symbols and an average price on their tick, far inside each price band.
REFERENCE = {
    "BTCUSDT": Fraction(60000),
    "ETHBTC": Fraction(4, 100),
    "DOGEUSDT": Fraction(1, 10),
    "SHIBUSDT": Fraction(1, 100000),
}
LEG_RULES = frozenset(
    {"too_much_precision", "invalid_quantity", "invalid_price"}
    | {r.id for r in RULES if r.stage == "filter"}
)
SINGLE = ENDPOINTS["/api/v3/order"].legs[0]
LIMIT_SIDE = ("LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
STOP_SIDE = ("STOP_LOSS", "STOP_LOSS_LIMIT")
BREAKS = (None, None, "price_tick", "price_high", "stop_tick", "qty_step", "qty_low", "qty_high")

Order = dict[str, str]


def text(value: Fraction) -> str:
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return format(d.normalize(), "f")


def frac(value: Decimal) -> Fraction:
    return Fraction(value)


def price_filter(symbol: SymbolInfo) -> PriceFilter:
    f = symbol.filter("PRICE_FILTER")
    assert isinstance(f, PriceFilter)
    return f


def lot_size(symbol: SymbolInfo) -> LotSize:
    f = symbol.filter("LOT_SIZE")
    assert isinstance(f, LotSize)
    return f


def notional_bounds(symbol: SymbolInfo) -> tuple[Fraction, Fraction | None]:
    f = symbol.filter("NOTIONAL")
    if isinstance(f, Notional):
        return frac(f.min_notional), frac(f.max_notional) if f.max_notional else None
    g = symbol.filter("MIN_NOTIONAL")
    if isinstance(g, MinNotional):
        return frac(g.min_notional), None
    return Fraction(0), None


@st.composite
def single_order(
    draw: st.DrawFn,
    symbol: SymbolInfo,
    order_type: str,
    side: str,
    breaking: str | None,
) -> tuple[Order, str | None]:
    """A single order of ``order_type`` built from the symbol's filters, and what it breaks."""
    reference = REFERENCE[symbol.symbol]
    pf, lot = price_filter(symbol), lot_size(symbol)
    tick, step = frac(pf.tick_size), frac(lot.step_size)

    def on_tick() -> Fraction:
        factor = Fraction(draw(st.integers(50, 200)), 100)  # 0.5 to 2 times the average
        return tick * round(reference * factor / tick)

    order: Order = {"symbol": symbol.symbol, "side": side, "type": order_type}
    has_price = order_type in ("LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")
    has_stop = order_type in ("STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
    price = on_tick()
    if has_price:
        order["price"] = text(price)
    if has_stop:
        order["stopPrice"] = text(on_tick())
    if order_type in ("LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"):
        order["timeInForce"] = "GTC"
    # Quantity: on the step, within LOT_SIZE, and price x quantity within the notional bounds
    # (at the average price for orders without one).
    at = price if has_price else reference
    low, high = notional_bounds(symbol)
    k_min = max(math.ceil(frac(lot.min_qty) / step), math.ceil(low / (at * step)), 1)
    k_max = math.floor(frac(lot.max_qty) / step)
    if high is not None:
        k_max = min(k_max, math.floor(high / (at * step)))
    market = symbol.filter("MARKET_LOT_SIZE")
    if order_type == "MARKET" and isinstance(market, MarketLotSize) and market.max_qty:
        k_max = min(k_max, math.floor(frac(market.max_qty) / step))
    assert k_min <= k_max, (symbol.symbol, order_type)
    quantity = step * draw(st.integers(k_min, min(k_max, k_min + 10**6)))
    order["quantity"] = text(quantity)

    broken: str | None = None
    if breaking == "price_tick" and has_price:
        order["price"], broken = text(price + tick / 10), "price"
    elif breaking == "price_high" and has_price and pf.max_price:
        order["price"], broken = text(frac(pf.max_price) + tick), "price"
    elif breaking == "stop_tick" and has_stop:
        order["stopPrice"], broken = text(frac(Decimal(order["stopPrice"])) + tick / 10), "stop"
    elif breaking == "qty_step":
        order["quantity"], broken = text(quantity + step / 10), "quantity"
    elif breaking == "qty_low" and frac(lot.min_qty) > step:
        order["quantity"], broken = text(frac(lot.min_qty) - step), "quantity"
    elif breaking == "qty_high":
        order["quantity"], broken = text(frac(lot.max_qty) + step), "quantity"
    return order, broken


def on_wire(leg: Leg, order: Order) -> dict[str, str]:
    """The order's fields under the leg's wire names (a field the leg does not spell, such as
    the deprecated OCO's implied types, is left out)."""
    return {w: v for f, v in order.items() if f != "symbol" and (w := leg.wire(f)) is not None}


def leg_violations(
    verdict: filterlib.Verdict, legs: tuple[Leg, ...], index: int
) -> tuple[set[tuple[str, str | None]], set[tuple[str, str | None]]]:
    """(rule, field) of the leg rules on legs[index], and those on a parameter it shares that
    another leg carries."""
    leg = legs[index]
    field_of = {wire: field for field, wire in leg.names.items()}
    shared = {w for i, other in enumerate(legs) if i != index for w in other.names.values()} & set(
        field_of
    )
    own: set[tuple[str, str | None]] = set()
    borrowed: set[tuple[str, str | None]] = set()
    for v in verdict.violations:
        if v.rule not in LEG_RULES:
            continue
        field = field_of.get(v.parameter) if v.parameter is not None else None
        if v.leg == leg.name:
            own.add((v.rule, field))
        elif v.parameter in shared:
            borrowed.add((v.rule, field))
    return own, borrowed


#: Leg positions: (endpoint, leg index, the types that leg takes for a side).
def types_for(endpoint: str, index: int, side: str, symbol: SymbolInfo) -> list[str]:
    legs = ENDPOINTS[endpoint].legs
    name = legs[index].name
    if endpoint == "/api/v3/order/oco":
        wanted: tuple[str, ...] = ("LIMIT_MAKER",) if name == "limit" else ("STOP_LOSS_LIMIT",)
    elif name in ("above", "pendingAbove"):
        wanted = LIMIT_SIDE if side == "SELL" else STOP_SIDE
    elif name in ("below", "pendingBelow"):
        wanted = STOP_SIDE if side == "SELL" else LIMIT_SIDE
    elif name == "working":
        wanted = ("LIMIT", "LIMIT_MAKER")
    else:  # the OTO's pending leg: any type with a quantity
        wanted = tuple(filterlib._request.ORDER_TYPES)
    return [t for t in wanted if t in symbol.order_types]


POSITIONS = [
    (path, i)
    for path in (
        "/api/v3/orderList/oco",
        "/api/v3/order/oco",
        "/api/v3/orderList/oto",
        "/api/v3/orderList/otoco",
    )
    for i in range(len(ENDPOINTS[path].legs))
]


@st.composite
def cases(
    draw: st.DrawFn, info: ExchangeInfo
) -> tuple[SymbolInfo, str, int, Order, str | None, dict[str, str]]:
    """A symbol, a leg position, a single order for it, what it breaks, and the list params."""
    symbol = info.symbols[draw(st.sampled_from(sorted(REFERENCE)))]
    path, index = draw(st.sampled_from(POSITIONS))
    legs = ENDPOINTS[path].legs
    side = draw(st.sampled_from(["BUY", "SELL"]))
    order_type = draw(st.sampled_from(types_for(path, index, side, symbol)))
    breaking = draw(st.sampled_from(BREAKS))
    order, broken = draw(single_order(symbol, order_type, side, breaking))
    params: dict[str, str] = {"symbol": symbol.symbol}
    for i, leg in enumerate(legs):
        if i == index:
            continue
        # The OCO pair shares its side; a working or pending leg has its own.
        pair = leg.name in ("above", "below", "pendingAbove", "pendingBelow", "limit", "stop")
        mine = legs[index].name in (
            "above",
            "below",
            "pendingAbove",
            "pendingBelow",
            "limit",
            "stop",
        )
        partner_side = side if pair and mine else draw(st.sampled_from(["BUY", "SELL"]))
        partner_type = draw(st.sampled_from(types_for(path, i, partner_side, symbol)))
        partner, _ = draw(single_order(symbol, partner_type, partner_side, None))
        params.update(on_wire(leg, partner))
    params.update(on_wire(legs[index], order))  # shared parameters take the order's values
    return symbol, path, index, order, broken, params


@pytest.mark.parametrize("snapshot", sorted(INFOS))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_single_order_keeps_its_verdict_as_a_leg(snapshot: str, data: st.DataObject) -> None:
    info = INFOS[snapshot]
    symbol, path, index, order, broken, params = data.draw(cases(info))
    context: Mapping[str, object] = {
        "avgPrice": {"mins": 5, "price": text(REFERENCE[symbol.symbol])}
    }

    single = filterlib.check(info, order, context=context)
    expected = {(v.rule, v.parameter) for v in single.violations if v.rule in LEG_RULES}
    # The construction itself, judged independently of the list: a valid order breaks none of
    # the leg rules, a broken one breaks the filter of the value that was moved.
    if broken is None:
        assert expected == set(), (order, single.violations)
    elif broken == "price":
        assert ("PRICE_FILTER", "price") in expected, (order, single.violations)
    elif broken == "stop":
        assert ("PRICE_FILTER", "stopPrice") in expected, (order, single.violations)
    else:
        assert ("LOT_SIZE", "quantity") in expected, (order, single.violations)

    verdict = filterlib.check(info, params, endpoint=path, context=context)
    own, borrowed = leg_violations(verdict, ENDPOINTS[path].legs, index)
    assert own <= expected, (path, index, params, verdict.violations)
    assert expected <= own | borrowed, (path, index, params, verdict.violations)
