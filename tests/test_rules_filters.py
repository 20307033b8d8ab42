"""The symbol filters (-1013 "Filter failure: ..."): each fires, each passes at its boundary,
zero parts disable, and every product is exact."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from conftest import MakeInfo, assert_fires, assert_ok, assert_passes, order
from hypothesis import given, settings
from hypothesis import strategies as st

import filterlib
from filterlib import Unchecked, Violation

MARKET = {"type": "MARKET", "price": None, "timeInForce": None}
PF_LIMIT = "minPrice=0.01000000 maxPrice=100000.00000000 tickSize=0.01000000"
LOT_LIMIT = "minQty=0.00100000 maxQty=1000.00000000 stepSize=0.00100000"


def decimals(values: tuple[str, ...]) -> list[Decimal]:
    return [Decimal(v) for v in values]


def on_grid(value: Decimal, step: Decimal) -> bool:
    return step == 0 or value % step == 0


# --- PRICE_FILTER ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "parameter", "value", "nearest"),
    [
        (order(price="10.005"), "price", "10.005", ["10", "10.01"]),
        (order(price="0.001"), "price", "0.001", ["0.01"]),
        (order(price="100000.01"), "price", "100000.01", ["100000"]),
        (order(type="STOP_LOSS_LIMIT", stopPrice="9.005"), "stopPrice", "9.005", ["9", "9.01"]),
    ],
    ids=["off tick", "below min", "above max", "stopPrice off tick"],
)
def test_price_filter_fires(
    make_info: MakeInfo, params: dict[str, object], parameter: str, value: str, nearest: list[str]
) -> None:
    verdict = filterlib.check(make_info(), params)
    v = assert_fires(
        verdict,
        "PRICE_FILTER",
        -1013,
        "Filter failure: PRICE_FILTER",
        parameter,
        value=value,
        limit=PF_LIMIT,
    )
    assert decimals(v.nearest) == decimals(tuple(nearest))
    for n in decimals(v.nearest):
        assert on_grid(n, Decimal("0.01"))
        assert Decimal("0.01") <= n <= Decimal(100000)


@pytest.mark.parametrize("price", ["0.01", "100000", "100000.00000000", "12.34"])
def test_price_filter_boundaries_pass(make_info: MakeInfo, price: str) -> None:
    assert_ok(filterlib.check(make_info(), order(price=price, quantity="0.001")))


@pytest.mark.parametrize(
    ("override", "price"),
    [
        ({"tickSize": "0.00000000"}, "10.00500000"),
        # Below any minPrice, and 0.00001 * 0.001 is one unit of the 8-decimal fixed point, so
        # not "Price * QTY is zero or less." either.
        ({"minPrice": "0", "tickSize": "0"}, "0.00001"),
        ({"maxPrice": "0.00000000"}, "9000000000.00"),
    ],
    ids=["zero tick", "zero min", "zero max"],
)
def test_price_filter_zero_parts_are_disabled(
    make_info: MakeInfo, override: dict[str, str], price: str
) -> None:
    info = make_info(filters={"PRICE_FILTER": override})
    assert_ok(filterlib.check(info, order(price=price, quantity="0.001")))


# --- PERCENT_PRICE and PERCENT_PRICE_BY_SIDE -----------------------------------------------

PERCENT = {"multiplierUp": "1.1", "multiplierDown": "0.9", "avgPriceMins": 5}
BY_SIDE = {
    "bidMultiplierUp": "1.2",
    "bidMultiplierDown": "0.8",
    "askMultiplierUp": "1.5",
    "askMultiplierDown": "0.5",
    "avgPriceMins": 5,
}


def test_percent_price_fires(make_info: MakeInfo) -> None:
    info = make_info(filters={"PERCENT_PRICE": PERCENT})
    verdict = filterlib.check(info, order(price="11.01"), context={"avgPrice": "10"})
    v = assert_fires(
        verdict,
        "PERCENT_PRICE",
        -1013,
        "Filter failure: PERCENT_PRICE",
        "price",
        value="11.01",
        limit="9.0..11.0 (avgPrice 10)",
    )
    assert decimals(v.nearest) == [Decimal(11)]
    low = filterlib.check(info, order(price="8.99"), context={"avgPrice": "10"})
    v = assert_fires(low, "PERCENT_PRICE", -1013, "Filter failure: PERCENT_PRICE", "price")
    assert decimals(v.nearest) == [Decimal(9)]


@pytest.mark.parametrize("price", ["9", "11", "9.00", "11.00000000"])
def test_percent_price_boundaries_pass(make_info: MakeInfo, price: str) -> None:
    info = make_info(filters={"PERCENT_PRICE": PERCENT})
    assert_ok(filterlib.check(info, order(price=price), context={"avgPrice": "10"}))


def test_percent_price_reference_prices(make_info: MakeInfo) -> None:
    info = make_info(filters={"PERCENT_PRICE": {**PERCENT, "avgPriceMins": 0}})
    # avgPriceMins 0: the last price is the reference, not the average price.
    assert_ok(
        filterlib.check(info, order(price="11"), context={"lastPrice": "10", "avgPrice": "1"})
    )
    verdict = filterlib.check(info, order(price="11"), context={"avgPrice": "10"})
    assert verdict.ok
    assert Unchecked("PERCENT_PRICE", ("lastPrice",), "needs lastPrice in the context") in (
        verdict.unchecked
    )
    # A symbol's reference price takes the place of both.
    ref = {"referencePrice": "20", "lastPrice": "10"}
    assert_passes(filterlib.check(info, order(price="21"), context=ref), "PERCENT_PRICE")
    assert of_rule_ids(filterlib.check(info, order(price="11"), context=ref)) == ["PERCENT_PRICE"]


def of_rule_ids(verdict: filterlib.Verdict) -> list[str]:
    return [v.rule for v in verdict.violations]


def test_percent_price_unchecked_without_context(make_info: MakeInfo) -> None:
    info = make_info(filters={"PERCENT_PRICE": PERCENT})
    verdict = filterlib.check(info, order(price="1000"))
    assert verdict.ok
    found = [u for u in verdict.unchecked if u.rule == "PERCENT_PRICE"]
    assert [u.needs for u in found] == [("avgPrice",)]


def test_percent_price_does_not_apply_to_market(make_info: MakeInfo) -> None:
    info = make_info(filters={"PERCENT_PRICE": PERCENT, "PERCENT_PRICE_BY_SIDE": BY_SIDE})
    assert_ok(filterlib.check(info, order(**MARKET), context={"avgPrice": "10"}))


@pytest.mark.parametrize(
    ("side", "price", "limit", "nearest"),
    [
        ("BUY", "12.01", "8.0..12.0 (avgPrice 10)", "12"),
        ("BUY", "7.99", "8.0..12.0 (avgPrice 10)", "8"),
        ("SELL", "15.01", "5.0..15.0 (avgPrice 10)", "15"),
        ("SELL", "4.99", "5.0..15.0 (avgPrice 10)", "5"),
    ],
)
def test_percent_price_by_side_fires(
    make_info: MakeInfo, side: str, price: str, limit: str, nearest: str
) -> None:
    info = make_info(filters={"PERCENT_PRICE_BY_SIDE": BY_SIDE})
    verdict = filterlib.check(info, order(side=side, price=price), context={"avgPrice": "10"})
    v = assert_fires(
        verdict,
        "PERCENT_PRICE_BY_SIDE",
        -1013,
        "Filter failure: PERCENT_PRICE_BY_SIDE",
        "price",
        value=price,
        limit=limit,
    )
    assert decimals(v.nearest) == [Decimal(nearest)]


@pytest.mark.parametrize(
    ("side", "price"),
    [("BUY", "8"), ("BUY", "12"), ("SELL", "5"), ("SELL", "15"), ("SELL", "12.01")],
)
def test_percent_price_by_side_boundaries_pass(make_info: MakeInfo, side: str, price: str) -> None:
    info = make_info(filters={"PERCENT_PRICE_BY_SIDE": BY_SIDE})
    assert_ok(filterlib.check(info, order(side=side, price=price), context={"avgPrice": "10"}))


# --- LOT_SIZE ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "parameter", "value", "nearest"),
    [
        (order(quantity="0.0005"), "quantity", "0.0005", ["0.001"]),
        (order(quantity="1000.001"), "quantity", "1000.001", ["1000"]),
        (order(quantity="1.0005"), "quantity", "1.0005", ["1", "1.001"]),
        (order(quantity="2", icebergQty="0.1005"), "icebergQty", "0.1005", ["0.1", "0.101"]),
    ],
    ids=["below min", "above max", "off step", "icebergQty off step"],
)
def test_lot_size_fires(
    make_info: MakeInfo, params: dict[str, object], parameter: str, value: str, nearest: list[str]
) -> None:
    verdict = filterlib.check(make_info(), params)
    v = assert_fires(
        verdict,
        "LOT_SIZE",
        -1013,
        "Filter failure: LOT_SIZE",
        parameter,
        value=value,
        limit=LOT_LIMIT,
    )
    assert decimals(v.nearest) == decimals(tuple(nearest))
    for n in decimals(v.nearest):
        assert on_grid(n, Decimal("0.001"))
        assert Decimal("0.001") <= n <= Decimal(1000)


@pytest.mark.parametrize("quantity", ["0.001", "1000", "1000.00000000", "0.00100000"])
def test_lot_size_boundaries_pass(make_info: MakeInfo, quantity: str) -> None:
    assert_ok(filterlib.check(make_info(), order(quantity=quantity, price="0.01")))


@pytest.mark.parametrize(
    ("override", "quantity"),
    [
        ({"stepSize": "0.00000000"}, "1.00050000"),
        ({"minQty": "0", "stepSize": "0"}, "0.000001"),  # * 0.01: one 8-decimal unit
        ({"maxQty": "0"}, "5000000"),
    ],
    ids=["zero step", "zero min", "zero max"],
)
def test_lot_size_zero_parts_are_disabled(
    make_info: MakeInfo, override: dict[str, str], quantity: str
) -> None:
    info = make_info(filters={"LOT_SIZE": override})
    assert_ok(filterlib.check(info, order(quantity=quantity, price="0.01")))


def test_lot_size_not_applied_to_quote_order_qty(make_info: MakeInfo) -> None:
    params = order(**MARKET, quantity=None, quoteOrderQty="0.00000001")
    assert_ok(filterlib.check(make_info(), params))


def test_lot_size_nearest_respects_a_max_below_the_grid(make_info: MakeInfo) -> None:
    # maxQty is off the step grid: the nearest valid value is the largest grid value under it.
    info = make_info(filters={"LOT_SIZE": {"maxQty": "10.0005"}})
    v = assert_fires(
        filterlib.check(info, order(quantity="11")),
        "LOT_SIZE",
        -1013,
        "Filter failure: LOT_SIZE",
        "quantity",
    )
    assert decimals(v.nearest) == [Decimal("10")]


# --- MIN_NOTIONAL ------------------------------------------------------------------------------

MIN_NOTIONAL = {"minNotional": "10.00000000", "applyToMarket": True, "avgPriceMins": 5}


def test_min_notional_fires(make_info: MakeInfo) -> None:
    info = make_info(filters={"MIN_NOTIONAL": MIN_NOTIONAL})
    verdict = filterlib.check(info, order(quantity="0.999"))
    v = assert_fires(
        verdict,
        "MIN_NOTIONAL",
        -1013,
        "Filter failure: MIN_NOTIONAL",
        "quantity",
        value="0.999",
        limit="minNotional=10.00000000",
    )
    assert decimals(v.nearest) == [Decimal(1)]


def test_min_notional_market(make_info: MakeInfo) -> None:
    info = make_info(filters={"MIN_NOTIONAL": MIN_NOTIONAL})
    ctx = {"avgPrice": "10"}
    verdict = filterlib.check(info, order(**MARKET, quantity="0.5"), context=ctx)
    v = assert_fires(verdict, "MIN_NOTIONAL", -1013, "Filter failure: MIN_NOTIONAL", "quantity")
    assert decimals(v.nearest) == [Decimal(1)]
    assert_ok(filterlib.check(info, order(**MARKET, quantity="1"), context=ctx))
    qoq = filterlib.check(info, order(**MARKET, quantity=None, quoteOrderQty="9.99"))
    v = assert_fires(
        qoq, "MIN_NOTIONAL", -1013, "Filter failure: MIN_NOTIONAL", "quoteOrderQty", value="9.99"
    )
    assert decimals(v.nearest) == [Decimal(10)]
    assert_ok(filterlib.check(info, order(**MARKET, quantity=None, quoteOrderQty="10")))
    off = make_info(filters={"MIN_NOTIONAL": {**MIN_NOTIONAL, "applyToMarket": False}})
    assert_ok(filterlib.check(off, order(**MARKET, quantity="0.001")))


@pytest.mark.parametrize(("price", "quantity"), [("10", "1"), ("3.34", "3"), ("0.01", "1000")])
def test_min_notional_boundaries_pass(make_info: MakeInfo, price: str, quantity: str) -> None:
    info = make_info(filters={"MIN_NOTIONAL": MIN_NOTIONAL})
    assert_ok(filterlib.check(info, order(price=price, quantity=quantity)))


# --- NOTIONAL ----------------------------------------------------------------------------------

NOTIONAL = {
    "minNotional": "10.00000000",
    "applyMinToMarket": False,
    "maxNotional": "1000.00000000",
    "applyMaxToMarket": False,
    "avgPriceMins": 5,
}


def test_notional_fires_above_max(make_info: MakeInfo) -> None:
    info = make_info(filters={"NOTIONAL": NOTIONAL})
    verdict = filterlib.check(info, order(quantity="100.001"))
    v = assert_fires(
        verdict,
        "NOTIONAL",
        -1013,
        "Filter failure: NOTIONAL",
        "quantity",
        value="100.001",
        limit="maxNotional=1000.00000000",
    )
    assert decimals(v.nearest) == [Decimal(100)]


def test_notional_fires_below_min(make_info: MakeInfo) -> None:
    info = make_info(filters={"NOTIONAL": NOTIONAL})
    verdict = filterlib.check(info, order(price="3", quantity="3.333"))
    v = assert_fires(
        verdict,
        "NOTIONAL",
        -1013,
        "Filter failure: NOTIONAL",
        "quantity",
        limit="minNotional=10.00000000",
    )
    # 10 / 3 = 3.333..., up to the step: 3.334 (3 * 3.334 = 10.002).
    assert decimals(v.nearest) == [Decimal("3.334")]


def test_notional_is_exact(make_info: MakeInfo) -> None:
    # 1.1 * 3 is 3.3000000000000003 in binary floating point; in Decimal it is 3.3.
    info = make_info(filters={"NOTIONAL": {**NOTIONAL, "minNotional": "3.3", "maxNotional": "3.3"}})
    assert_ok(filterlib.check(info, order(price="1.1", quantity="3")))
    assert_ok(filterlib.check(info, order(price="1.10000000", quantity="3.00000000")))
    over = filterlib.check(info, order(price="1.1", quantity="3.001"))
    assert_fires(
        over, "NOTIONAL", -1013, "Filter failure: NOTIONAL", "quantity", limit="maxNotional=3.3"
    )
    under = filterlib.check(info, order(price="1.09", quantity="3"))
    assert_fires(
        under, "NOTIONAL", -1013, "Filter failure: NOTIONAL", "quantity", limit="minNotional=3.3"
    )


def test_notional_many_decimals(make_info: MakeInfo) -> None:
    # 0.00000001 * 999999999.999 = 9.99999999999 < 10; 0.00000001 * 1000000000 = 10 exactly.
    info = make_info(
        filters={
            "NOTIONAL": NOTIONAL,
            "PRICE_FILTER": {"minPrice": "0.00000001", "tickSize": "0.00000001"},
            "LOT_SIZE": {"maxQty": "9000000000"},
        }
    )
    below = filterlib.check(info, order(price="0.00000001", quantity="999999999.999"))
    assert_fires(below, "NOTIONAL", -1013, "Filter failure: NOTIONAL", "quantity")
    assert_ok(filterlib.check(info, order(price="0.00000001", quantity="1000000000")))


@pytest.mark.parametrize(("price", "quantity"), [("10", "1"), ("10", "100"), ("0.01", "1000")])
def test_notional_boundaries_pass(make_info: MakeInfo, price: str, quantity: str) -> None:
    info = make_info(filters={"NOTIONAL": NOTIONAL})
    assert_ok(filterlib.check(info, order(price=price, quantity=quantity)))


def test_notional_market_switches(make_info: MakeInfo) -> None:
    ctx = {"avgPrice": {"mins": 5, "price": "10"}}
    off = make_info(filters={"NOTIONAL": NOTIONAL})
    verdict = filterlib.check(off, order(**MARKET, quantity="0.5"))
    assert_ok(verdict)
    assert [u for u in verdict.unchecked if u.rule == "NOTIONAL"] == []
    on = make_info(
        filters={"NOTIONAL": {**NOTIONAL, "applyMinToMarket": True, "applyMaxToMarket": True}}
    )
    assert_fires(
        filterlib.check(on, order(**MARKET, quantity="0.5"), context=ctx),
        "NOTIONAL",
        -1013,
        "Filter failure: NOTIONAL",
        "quantity",
        limit="minNotional=10.00000000",
    )
    assert_fires(
        filterlib.check(on, order(**MARKET, quantity="100.5"), context=ctx),
        "NOTIONAL",
        -1013,
        "Filter failure: NOTIONAL",
        "quantity",
        limit="maxNotional=1000.00000000",
    )
    assert_ok(filterlib.check(on, order(**MARKET, quantity="100"), context=ctx))
    unchecked = filterlib.check(on, order(**MARKET, quantity="0.5"))
    assert [u.needs for u in unchecked.unchecked if u.rule == "NOTIONAL"] == [("avgPrice",)]


# --- ICEBERG_PARTS -------------------------------------------------------------------------


def test_iceberg_parts_fires(make_info: MakeInfo) -> None:
    info = make_info(filters={"ICEBERG_PARTS": {"limit": 10}})
    verdict = filterlib.check(info, order(icebergQty="0.099"))
    v = assert_fires(
        verdict,
        "ICEBERG_PARTS",
        -1013,
        "Filter failure: ICEBERG_PARTS",
        "icebergQty",
        value="0.099",
        limit="limit=10",
    )
    assert decimals(v.nearest) == [Decimal("0.1")]


@pytest.mark.parametrize("iceberg", ["0.1", "0.5", "0.10000000"])
def test_iceberg_parts_boundaries_pass(make_info: MakeInfo, iceberg: str) -> None:
    info = make_info(filters={"ICEBERG_PARTS": {"limit": 10}})
    assert_ok(filterlib.check(info, order(icebergQty=iceberg)))


# --- MARKET_LOT_SIZE -------------------------------------------------------------------------

MLS = {"minQty": "0.01000000", "maxQty": "100.00000000", "stepSize": "0.01000000"}


@pytest.mark.parametrize(
    ("quantity", "nearest"),
    [("0.005", ["0.01"]), ("100.01", ["100"]), ("1.005", ["1", "1.01"])],
)
def test_market_lot_size_fires(make_info: MakeInfo, quantity: str, nearest: list[str]) -> None:
    info = make_info(filters={"MARKET_LOT_SIZE": MLS})
    verdict = filterlib.check(info, order(**MARKET, quantity=quantity))
    v = assert_fires(
        verdict,
        "MARKET_LOT_SIZE",
        -1013,
        "Filter failure: MARKET_LOT_SIZE",
        "quantity",
        value=quantity,
        limit="minQty=0.01000000 maxQty=100.00000000 stepSize=0.01000000",
    )
    assert decimals(v.nearest) == decimals(tuple(nearest))


@pytest.mark.parametrize("quantity", ["0.01", "100", "1.01"])
def test_market_lot_size_boundaries_pass(make_info: MakeInfo, quantity: str) -> None:
    info = make_info(filters={"MARKET_LOT_SIZE": MLS})
    assert_ok(filterlib.check(info, order(**MARKET, quantity=quantity)))


def test_market_lot_size_not_applied_to_limit(make_info: MakeInfo) -> None:
    info = make_info(filters={"MARKET_LOT_SIZE": MLS})
    assert_ok(filterlib.check(info, order(quantity="100.005")))


def test_market_lot_size_zero_step_never_divides_by_zero(make_info: MakeInfo) -> None:
    # As in real snapshots: "0.00000000" everywhere but maxQty.
    info = make_info(
        filters={
            "MARKET_LOT_SIZE": {
                "minQty": "0.00000000",
                "maxQty": "169.00949758",
                "stepSize": "0.00000000",
            }
        }
    )
    assert_ok(filterlib.check(info, order(**MARKET, quantity="1.234")))
    verdict = filterlib.check(info, order(**MARKET, quantity="169.01"))
    v = assert_fires(
        verdict, "MARKET_LOT_SIZE", -1013, "Filter failure: MARKET_LOT_SIZE", "quantity"
    )
    assert decimals(v.nearest) == [Decimal("169.00949758")]


# --- TRAILING_DELTA ----------------------------------------------------------------------------

TD = {
    "minTrailingAboveDelta": 10,
    "maxTrailingAboveDelta": 2000,
    "minTrailingBelowDelta": 20,
    "maxTrailingBelowDelta": 1000,
}
ABOVE = "minTrailingAboveDelta=10 maxTrailingAboveDelta=2000"
BELOW = "minTrailingBelowDelta=20 maxTrailingBelowDelta=1000"


def trailing(order_type: str, side: str, delta: str) -> dict[str, object]:
    if order_type in ("STOP_LOSS", "TAKE_PROFIT"):
        return order(type=order_type, side=side, price=None, timeInForce=None, trailingDelta=delta)
    return order(type=order_type, side=side, trailingDelta=delta)


@pytest.mark.parametrize(
    ("order_type", "side", "delta", "limit", "nearest"),
    [
        ("STOP_LOSS", "BUY", "2001", ABOVE, "2000"),
        ("STOP_LOSS_LIMIT", "BUY", "9", ABOVE, "10"),
        ("TAKE_PROFIT", "SELL", "2001", ABOVE, "2000"),
        ("TAKE_PROFIT_LIMIT", "SELL", "9", ABOVE, "10"),
        ("STOP_LOSS", "SELL", "1001", BELOW, "1000"),
        ("STOP_LOSS_LIMIT", "SELL", "19", BELOW, "20"),
        ("TAKE_PROFIT", "BUY", "1001", BELOW, "1000"),
        ("TAKE_PROFIT_LIMIT", "BUY", "19", BELOW, "20"),
    ],
)
def test_trailing_delta_fires(
    make_info: MakeInfo, order_type: str, side: str, delta: str, limit: str, nearest: str
) -> None:
    info = make_info(filters={"TRAILING_DELTA": TD})
    verdict = filterlib.check(info, trailing(order_type, side, delta))
    assert_fires(
        verdict,
        "TRAILING_DELTA",
        -1013,
        "Filter failure: TRAILING_DELTA",
        "trailingDelta",
        value=delta,
        limit=limit,
        nearest=(nearest,),
    )


@pytest.mark.parametrize(
    ("order_type", "side", "delta"),
    [
        ("STOP_LOSS", "BUY", "10"),
        ("STOP_LOSS", "BUY", "2000"),
        ("STOP_LOSS", "BUY", "1500"),  # above the BELOW max, inside the ABOVE range
        ("TAKE_PROFIT_LIMIT", "BUY", "20"),
        ("TAKE_PROFIT_LIMIT", "BUY", "1000"),
    ],
)
def test_trailing_delta_boundaries_pass(
    make_info: MakeInfo, order_type: str, side: str, delta: str
) -> None:
    info = make_info(filters={"TRAILING_DELTA": TD})
    assert_ok(filterlib.check(info, trailing(order_type, side, delta)))


# --- order and combination -------------------------------------------------------------------


def test_filters_report_in_catalogue_order(make_info: MakeInfo) -> None:
    info = make_info(
        filters={
            "NOTIONAL": NOTIONAL,
            "PERCENT_PRICE_BY_SIDE": BY_SIDE,
            "ICEBERG_PARTS": {"limit": 2},
        }
    )
    params = order(price="20.005", quantity="0.0005", icebergQty="0.0001")
    verdict = filterlib.check(info, params, context={"avgPrice": "10"})
    rules = [v.rule for v in verdict.violations]
    assert rules[0] == "PRICE_FILTER"
    assert rules == sorted(rules, key=lambda r: filterlib.catalogue.RANK[r])
    assert set(rules) == {
        "PRICE_FILTER",
        "PERCENT_PRICE_BY_SIDE",
        "LOT_SIZE",
        "NOTIONAL",
        "ICEBERG_PARTS",
    }


def test_unknown_filter_type_is_unchecked_not_passed(make_info: MakeInfo) -> None:
    info = make_info(filters={"T_PLUS_SELL": {"endTime": 1}})
    verdict = filterlib.check(info, order())
    assert verdict.ok
    assert [u.reason for u in verdict.unchecked if u.rule == "T_PLUS_SELL"] == [
        "filterlib does not know this filter type"
    ]


def _violations(verdict: filterlib.Verdict) -> list[Violation]:
    return list(verdict.violations)


def test_zero_quantity_and_price_are_not_filter_failures(make_info: MakeInfo) -> None:
    overrides: dict[str, Any] = {"NOTIONAL": NOTIONAL}
    verdict = filterlib.check(make_info(filters=overrides), order(quantity="0", price="0"))
    assert [v.rule for v in _violations(verdict)] == ["invalid_quantity", "invalid_price"]


# --- inputs that once made check() raise --------------------------------------------------


def test_iceberg_parts_limit_zero_is_a_verdict_not_an_exception(make_info: MakeInfo) -> None:
    # CEIL(1 / 0.1) = 10 parts > limit 0: the filter fails; check must never raise for an order.
    info = make_info(filters={"ICEBERG_PARTS": {"limit": 0}})
    verdict = filterlib.check(info, order(icebergQty="0.1"))
    assert_fires(
        verdict, "ICEBERG_PARTS", -1013, "Filter failure: ICEBERG_PARTS", "icebergQty", value="0.1"
    )


def test_huge_context_price_is_refused_or_judged(make_info: MakeInfo) -> None:
    info = make_info(filters={"PERCENT_PRICE": PERCENT})
    try:
        verdict = filterlib.check(info, order(), context={"avgPrice": Decimal("1E+5000")})
    except filterlib.ContextError:
        return  # refusing the context up front is acceptable
    # price 10 is far below avg * 0.9: the band is broken.
    assert_fires(verdict, "PERCENT_PRICE", -1013, "Filter failure: PERCENT_PRICE", "price")


def test_nearest_values_keep_each_steps_own_decimals_across_calls() -> None:
    # The grid bounds are cached per filter; 0.01 and 0.0100 are equal Decimals but are
    # written differently, and a cached answer for one must not be given for the other.
    from filterlib._rules.common import grid_nearest

    for _ in range(2):
        assert grid_nearest(Decimal("0.001"), Decimal("0.01"), Decimal("100"), Decimal("0.01")) == (
            "0.01",
        )
        assert grid_nearest(
            Decimal("0.001"), Decimal("0.01"), Decimal("100"), Decimal("0.0100")
        ) == ("0.0100",)
        assert grid_nearest(
            Decimal("100.5"), Decimal("0.01"), Decimal("100"), Decimal("0.0100")
        ) == ("100.0000",)
        # Without a step (tickSize 0) the bounds are written as the filter writes them.
        for written in ("0.01", "0.0100", "0.010"):
            low = Decimal(written)
            assert grid_nearest(Decimal("0"), low, Decimal("0"), Decimal("0")) == (written,)
            high = Decimal(written)
            assert grid_nearest(Decimal("5"), Decimal("0"), high, Decimal("0")) == (written,)


_GRID_TEXTS = st.sampled_from(
    ["0", "0.00000001", "0.001", "0.0100", "0.01", "0.5", "1", "1.0", "5", "10", "100", "1000.00"]
)


@settings(max_examples=500, deadline=None)
@given(
    st.decimals(min_value=0, max_value=2000, places=4) | _GRID_TEXTS.map(Decimal),
    _GRID_TEXTS.map(Decimal),
    _GRID_TEXTS.map(Decimal),
    _GRID_TEXTS.map(Decimal),
)
def test_nearest_values_are_the_clamped_floor_and_ceiling_in_order(
    value: Decimal, low: Decimal, high: Decimal, step: Decimal
) -> None:
    # What grid_nearest promises, worked out another way: the floor and the ceiling of the
    # value on the step's grid, each clamped (max, then min) between the lowest and highest
    # grid values the filter allows, those above 0, ascending, equal values once (written as
    # the first). A zero low, high or step disables that part.
    from filterlib._decimals import ceil_to_step, floor_to_step, format_decimal
    from filterlib._rules.common import grid_nearest

    lowest = (ceil_to_step(low, step) if low else step) or None
    highest = floor_to_step(high, step) if high else None

    def clamped(x: Decimal) -> Decimal:
        x = x if lowest is None else max(x, lowest)
        return x if highest is None else min(x, highest)

    kept: dict[Decimal, Decimal] = {}
    for x in (floor_to_step(value, step), ceil_to_step(value, step)):
        if clamped(x) > 0:
            kept.setdefault(clamped(x), clamped(x))
    expected = tuple(format_decimal(kept[k]) for k in sorted(kept))
    assert grid_nearest(value, low, high, step) == expected
