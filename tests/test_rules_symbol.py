"""The symbol layer: what the symbol allows at all (-1013), before any filter."""

from __future__ import annotations

import pytest
from conftest import ALL_ORDER_TYPES, MakeInfo, assert_fires, assert_ok, assert_passes, order

import filterlib

MARKET = {"type": "MARKET", "price": None, "timeInForce": None}

WORDS = {
    "MARKET": "Market",
    "STOP_LOSS": "Stop loss",
    "STOP_LOSS_LIMIT": "Stop loss limit",
    "TAKE_PROFIT": "Take profit",
    "TAKE_PROFIT_LIMIT": "Take profit limit",
    "LIMIT": "Limit",
    "LIMIT_MAKER": "Limit maker",
}
PARAMS_FOR_TYPE: dict[str, dict[str, object]] = {
    "MARKET": order(**MARKET),
    "STOP_LOSS": order(type="STOP_LOSS", price=None, timeInForce=None, stopPrice="11"),
    "STOP_LOSS_LIMIT": order(type="STOP_LOSS_LIMIT", stopPrice="11"),
    "TAKE_PROFIT": order(type="TAKE_PROFIT", price=None, timeInForce=None, stopPrice="9"),
    "TAKE_PROFIT_LIMIT": order(type="TAKE_PROFIT_LIMIT", stopPrice="9"),
    "LIMIT": order(),
    "LIMIT_MAKER": order(type="LIMIT_MAKER", timeInForce=None),
}


@pytest.mark.parametrize("status", ["BREAK", "HALT", "END_OF_DAY"])
def test_market_closed_fires(make_info: MakeInfo, status: str) -> None:
    verdict = filterlib.check(make_info(status=status), order())
    assert_fires(verdict, "market_closed", -1013, "Market is closed.", "symbol", limit="TRADING")


def test_market_closed_comes_before_the_filters(make_info: MakeInfo) -> None:
    verdict = filterlib.check(make_info(status="BREAK"), order(price="10.005", quantity="0.0001"))
    assert_fires(verdict, "market_closed", -1013, "Market is closed.", "symbol")
    assert {v.rule for v in verdict.violations} == {"market_closed", "PRICE_FILTER", "LOT_SIZE"}


def test_market_open_passes(make_info: MakeInfo) -> None:
    assert_ok(filterlib.check(make_info(status="TRADING"), order()))


@pytest.mark.parametrize("order_type", ALL_ORDER_TYPES)
def test_order_type_not_supported_fires(make_info: MakeInfo, order_type: str) -> None:
    allowed = sorted(t for t in ALL_ORDER_TYPES if t != order_type)
    verdict = filterlib.check(make_info(orderTypes=allowed), PARAMS_FOR_TYPE[order_type])
    assert_fires(
        verdict,
        "order_type_not_supported",
        -1013,
        f"{WORDS[order_type]} orders are not supported for this symbol.",
        "type",
        value=order_type,
        limit=", ".join(allowed),
        nearest=tuple(allowed),
    )


@pytest.mark.parametrize("order_type", ALL_ORDER_TYPES)
def test_order_type_supported_passes(make_info: MakeInfo, order_type: str) -> None:
    verdict = filterlib.check(make_info(orderTypes=[order_type]), PARAMS_FOR_TYPE[order_type])
    assert_ok(verdict)


def test_iceberg_not_supported_fires(make_info: MakeInfo) -> None:
    verdict = filterlib.check(make_info(icebergAllowed=False), order(icebergQty="0.1"))
    assert_fires(
        verdict,
        "iceberg_not_supported",
        -1013,
        "Iceberg orders are not supported for this symbol.",
        "icebergQty",
        value="0.1",
    )


def test_iceberg_allowed_passes(make_info: MakeInfo) -> None:
    assert_ok(filterlib.check(make_info(icebergAllowed=True), order(icebergQty="0.1")))


def test_quote_order_qty_not_supported_fires(make_info: MakeInfo) -> None:
    info = make_info(quoteOrderQtyMarketAllowed=False)
    verdict = filterlib.check(info, order(**MARKET, quantity=None, quoteOrderQty="10"))
    assert_fires(
        verdict,
        "quote_order_qty_not_supported",
        -1013,
        "Quote order qty market orders are not supported for this symbol.",
        "quoteOrderQty",
        value="10",
    )


def test_quote_order_qty_boundaries_pass(make_info: MakeInfo) -> None:
    allowed = make_info(quoteOrderQtyMarketAllowed=True)
    assert_ok(filterlib.check(allowed, order(**MARKET, quantity=None, quoteOrderQty="10")))
    # quantity MARKET orders are not concerned by the flag.
    refused = make_info(quoteOrderQtyMarketAllowed=False)
    assert_ok(filterlib.check(refused, order(**MARKET)))


@pytest.mark.parametrize("flag", [False, None], ids=["false", "absent (pre-2022 snapshot)"])
def test_trailing_stop_not_supported_fires(make_info: MakeInfo, flag: bool | None) -> None:
    params = order(type="STOP_LOSS", price=None, timeInForce=None, trailingDelta="100")
    verdict = filterlib.check(make_info(allowTrailingStop=flag), params)
    assert_fires(
        verdict,
        "trailing_stop_not_supported",
        -1013,
        "Trailing stop orders are not supported for this symbol.",
        "trailingDelta",
        value="100",
    )


def test_trailing_stop_allowed_passes(make_info: MakeInfo) -> None:
    params = order(type="STOP_LOSS", price=None, timeInForce=None, trailingDelta="100")
    assert_ok(filterlib.check(make_info(allowTrailingStop=True), params))


STP_TEXT = "This symbol does not allow the specified self-trade prevention mode."


def test_stp_mode_not_allowed_fires(make_info: MakeInfo) -> None:
    verdict = filterlib.check(make_info(), order(selfTradePreventionMode="DECREMENT"))
    assert_fires(
        verdict,
        "stp_mode_not_allowed",
        -1013,
        STP_TEXT,
        "selfTradePreventionMode",
        value="DECREMENT",
        limit="EXPIRE_BOTH, EXPIRE_MAKER, EXPIRE_TAKER, NONE",
        nearest=("EXPIRE_BOTH", "EXPIRE_MAKER", "EXPIRE_TAKER", "NONE"),
    )


def test_stp_default_mode_not_allowed_fires(make_info: MakeInfo) -> None:
    info = make_info(
        defaultSelfTradePreventionMode="EXPIRE_MAKER", allowedSelfTradePreventionModes=["NONE"]
    )
    verdict = filterlib.check(info, order())
    assert_fires(
        verdict,
        "stp_mode_not_allowed",
        -1013,
        STP_TEXT,
        "selfTradePreventionMode",
        value="EXPIRE_MAKER",
    )
    assert_ok(filterlib.check(info, order(selfTradePreventionMode="NONE")))


def test_stp_boundaries_pass(make_info: MakeInfo) -> None:
    assert_ok(filterlib.check(make_info(), order(selfTradePreventionMode="EXPIRE_BOTH")))
    pre_stp = make_info(defaultSelfTradePreventionMode=None, allowedSelfTradePreventionModes=None)
    verdict = filterlib.check(pre_stp, order(selfTradePreventionMode="DECREMENT"))
    assert_passes(verdict, "stp_mode_not_allowed")
    assert_ok(verdict)


def test_symbol_rules_in_catalogue_order(make_info: MakeInfo) -> None:
    info = make_info(
        status="HALT",
        orderTypes=["LIMIT"],
        icebergAllowed=False,
        allowedSelfTradePreventionModes=["NONE"],
    )
    params = order(type="LIMIT_MAKER", timeInForce=None, icebergQty="0.1")
    verdict = filterlib.check(info, params)
    assert [v.rule for v in verdict.violations] == [
        "market_closed",
        "order_type_not_supported",
        "iceberg_not_supported",
        "stp_mode_not_allowed",
    ]
