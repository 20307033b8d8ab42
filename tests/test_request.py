"""The request layer (-11xx and the request-stage -1013 texts): one firing case and one boundary
case per rule, expectations written out from the spec and the catalogue's sources."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from conftest import SYMBOL, MakeInfo, assert_fires, assert_ok, assert_passes, of_rule, order

import filterlib
from filterlib._endpoints import ENDPOINTS
from filterlib._request import decode_request

DECIMAL_RANGE = "^([0-9]{1,20})(\\.[0-9]{1,20})?$"
LONG_RANGE = "^[0-9]{1,20}$"
SYMBOL_RANGE = "^[\\w\\-._&&[^a-z]]{1,50}$"
CLIENT_ID_RANGE = "^[a-zA-Z0-9-_]{1,36}$"


def illegal(name: str, legal: str) -> str:
    return f"Illegal characters found in parameter '{name}'; legal range is '{legal}'."


def mandatory(name: str) -> str:
    return f"Mandatory parameter '{name}' was not sent, was empty/null, or malformed."


MARKET = {"type": "MARKET", "price": None, "timeInForce": None}
STOP_LOSS = {"type": "STOP_LOSS", "price": None, "timeInForce": None, "stopPrice": "9"}

# (id, params, symbol overrides, endpoint, rule, code, msg, parameter, other Violation fields)
FIRING: list[
    tuple[str, dict[str, object], dict[str, Any], str, str, int, str, str | None, dict[str, object]]
] = [
    (
        "empty quantity",
        order(quantity=""),
        {},
        "/api/v3/order",
        "empty_parameter",
        -1105,
        "Parameter 'quantity' was empty.",
        "quantity",
        {},
    ),
    (
        "empty timeInForce on MARKET is -1105, not -1106",
        order(**{**MARKET, "timeInForce": ""}),
        {},
        "/api/v3/order",
        "empty_parameter",
        -1105,
        "Parameter 'timeInForce' was empty.",
        "timeInForce",
        {},
    ),
    (
        "misspelt timeInforce: read 7 of 8",
        order(timeInForce=None, timeInforce="GTC"),
        {},
        "/api/v3/order",
        "unread_parameters",
        -1104,
        "Not all sent parameters were read; read '7' parameter(s) but was sent '8'.",
        "timeInforce",
        {"value": "timeInforce"},
    ),
    (
        "-1104 wins over quantity=0",
        order(quantity="0", foo="1", timestamp="1", signature="x"),
        {},
        "/api/v3/order",
        "unread_parameters",
        -1104,
        "Not all sent parameters were read; read '8' parameter(s) but was sent '9'.",
        "foo",
        {},
    ),
    (
        "computeCommissionRates is not read by /api/v3/order",
        order(computeCommissionRates="true"),
        {},
        "/api/v3/order",
        "unread_parameters",
        -1104,
        "Not all sent parameters were read; read '8' parameter(s) but was sent '9'.",
        "computeCommissionRates",
        {},
    ),
    (
        "no side",
        order(side=None),
        {},
        "/api/v3/order",
        "mandatory_parameter",
        -1102,
        mandatory("side"),
        "side",
        {},
    ),
    (
        "no symbol",
        order(symbol=None),
        {},
        "/api/v3/order",
        "mandatory_parameter",
        -1102,
        mandatory("symbol"),
        "symbol",
        {},
    ),
    (
        "exponent quantity",
        order(quantity="1e-5"),
        {},
        "/api/v3/order",
        "illegal_characters",
        -1100,
        illegal("quantity", DECIMAL_RANGE),
        "quantity",
        {"value": "1e-5", "limit": DECIMAL_RANGE},
    ),
    (
        "float quantity written by str()",
        order(quantity=1e-05),
        {},
        "/api/v3/order",
        "illegal_characters",
        -1100,
        illegal("quantity", DECIMAL_RANGE),
        "quantity",
        {"value": "1e-05"},
    ),
    (
        "negative quantity",
        order(quantity="-1"),
        {},
        "/api/v3/order",
        "illegal_characters",
        -1100,
        illegal("quantity", DECIMAL_RANGE),
        "quantity",
        {"value": "-1"},
    ),
    (
        "21 decimals",
        order(price="1." + "0" * 21),
        {},
        "/api/v3/order",
        "illegal_characters",
        -1100,
        illegal("price", DECIMAL_RANGE),
        "price",
        {},
    ),
    (
        "lower-case symbol",
        order(symbol="tstusdt"),
        {},
        "/api/v3/order",
        "illegal_characters",
        -1100,
        illegal("symbol", SYMBOL_RANGE),
        "symbol",
        {"value": "tstusdt", "limit": SYMBOL_RANGE},
    ),
    (
        "negative strategyId",
        order(strategyId="-1"),
        {},
        "/api/v3/order",
        "illegal_characters",
        -1100,
        illegal("strategyId", LONG_RANGE),
        "strategyId",
        {},
    ),
    (
        "client order id with a space",
        order(newClientOrderId="my order"),
        {},
        "/api/v3/order",
        "illegal_characters",
        -1100,
        illegal("newClientOrderId", CLIENT_ID_RANGE),
        "newClientOrderId",
        {},
    ),
    (
        "client order id of 37 characters",
        order(newClientOrderId="a" * 37),
        {},
        "/api/v3/order",
        "illegal_characters",
        -1100,
        illegal("newClientOrderId", CLIENT_ID_RANGE),
        "newClientOrderId",
        {},
    ),
    (
        "no such side",
        order(side="HOLD"),
        {},
        "/api/v3/order",
        "invalid_side",
        -1117,
        "Invalid side.",
        "side",
        {"value": "HOLD"},
    ),
    (
        "unknown type",
        order(type="STOP"),
        {},
        "/api/v3/order",
        "invalid_order_type",
        -1116,
        "Invalid orderType.",
        "type",
        {"value": "STOP"},
    ),
    (
        "unknown timeInForce",
        order(timeInForce="GTD"),
        {},
        "/api/v3/order",
        "invalid_time_in_force",
        -1115,
        "Invalid timeInForce.",
        "timeInForce",
        {"value": "GTD"},
    ),
    (
        "unknown newOrderRespType",
        order(newOrderRespType="FAST"),
        {},
        "/api/v3/order",
        "invalid_parameter",
        -1130,
        "Data sent for parameter 'newOrderRespType' is not valid.",
        "newOrderRespType",
        {"value": "FAST"},
    ),
    (
        "unknown STP mode",
        order(selfTradePreventionMode="EXPIRE_ALL"),
        {},
        "/api/v3/order",
        "invalid_parameter",
        -1130,
        "Data sent for parameter 'selfTradePreventionMode' is not valid.",
        "selfTradePreventionMode",
        {},
    ),
    (
        "computeCommissionRates not a boolean",
        order(computeCommissionRates="yes"),
        {},
        "/api/v3/order/test",
        "invalid_parameter",
        -1130,
        "Data sent for parameter 'computeCommissionRates' is not valid.",
        "computeCommissionRates",
        {},
    ),
    (
        "price one unit above int64/1e8",
        order(price="92233720368.54775808"),
        {},
        "/api/v3/order",
        "parameter_overflow",
        -1108,
        "Parameter 'price' overflowed.",
        "price",
        {"value": "92233720368.54775808", "limit": "92233720368.54775807"},
    ),
    (
        "20-digit quantity",
        order(quantity="9" * 20),
        {},
        "/api/v3/order",
        "parameter_overflow",
        -1108,
        "Parameter 'quantity' overflowed.",
        "quantity",
        {},
    ),
    (
        "timeInForce on MARKET",
        order(**{**MARKET, "timeInForce": "GTC"}),
        {},
        "/api/v3/order",
        "parameter_not_required",
        -1106,
        "Parameter 'timeInForce' sent when not required.",
        "timeInForce",
        {"value": "GTC"},
    ),
    (
        "quantity and quoteOrderQty on MARKET name quoteOrderQty",
        order(**MARKET, quoteOrderQty="10"),
        {},
        "/api/v3/order",
        "parameter_not_required",
        -1106,
        "Parameter 'quoteOrderQty' sent when not required.",
        "quoteOrderQty",
        {},
    ),
    (
        "stopPrice on LIMIT",
        order(stopPrice="9"),
        {},
        "/api/v3/order",
        "parameter_not_required",
        -1106,
        "Parameter 'stopPrice' sent when not required.",
        "stopPrice",
        {},
    ),
    (
        "price on STOP_LOSS",
        order(**{**STOP_LOSS, "price": "10"}),
        {},
        "/api/v3/order",
        "parameter_not_required",
        -1106,
        "Parameter 'price' sent when not required.",
        "price",
        {},
    ),
    (
        "LIMIT without price",
        order(price=None),
        {},
        "/api/v3/order",
        "mandatory_for_type",
        -1102,
        mandatory("price"),
        "price",
        {},
    ),
    (
        "LIMIT without timeInForce",
        order(timeInForce=None),
        {},
        "/api/v3/order",
        "mandatory_for_type",
        -1102,
        mandatory("timeInForce"),
        "timeInForce",
        {},
    ),
    (
        "MARKET with neither quantity nor quoteOrderQty",
        order(**MARKET, quantity=None),
        {},
        "/api/v3/order",
        "mandatory_for_type",
        -1102,
        "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
        "quantity",
        {},
    ),
    (
        "STOP_LOSS with neither stopPrice nor trailingDelta",
        order(**{**STOP_LOSS, "stopPrice": None}),
        {},
        "/api/v3/order",
        "mandatory_for_type",
        -1102,
        "Param 'stopPrice' or 'trailingDelta' must be sent, but both were empty/null!",
        "stopPrice",
        {},
    ),
    (
        "iceberg IOC",
        order(icebergQty="0.1", timeInForce="IOC"),
        {},
        "/api/v3/order",
        "iceberg_time_in_force",
        -1013,
        "Unsupported order combination",
        "timeInForce",
        {"value": "IOC", "limit": "GTC", "nearest": ("GTC",)},
    ),
    (
        "strategyType 999999",
        order(strategyType="999999"),
        {},
        "/api/v3/order",
        "strategy_type",
        -1134,
        "strategyType was less than 1000000.",
        "strategyType",
        {"value": "999999", "limit": "1000000", "nearest": ("1000000",)},
    ),
    (
        "recvWindow 60001",
        order(recvWindow="60001"),
        {},
        "/api/v3/order",
        "recv_window",
        -1102,
        "'recvWindow' contains unexpected value. Cannot be greater than 60000.",
        "recvWindow",
        {"value": "60001", "limit": "60000", "nearest": ("60000",)},
    ),
    (
        "unlisted symbol",
        order(symbol="XYZUSDT"),
        {},
        "/api/v3/order",
        "unknown_symbol",
        -1121,
        "Invalid symbol.",
        "symbol",
        {"value": "XYZUSDT"},
    ),
    (
        "quantity with trailing zeros beyond baseAssetPrecision",
        order(quantity="1.000"),
        {"baseAssetPrecision": 2},
        "/api/v3/order",
        "too_much_precision",
        -1111,
        "Parameter 'quantity' has too much precision.",
        "quantity",
        {"value": "1.000", "limit": "2", "nearest": ("1.00",)},
    ),
    (
        "price beyond quoteAssetPrecision, not representable",
        order(price="10.005"),
        {"quoteAssetPrecision": 2},
        "/api/v3/order",
        "too_much_precision",
        -1111,
        "Parameter 'price' has too much precision.",
        "price",
        {"value": "10.005", "limit": "2", "nearest": ()},
    ),
    (
        "quantity 0",
        order(quantity="0"),
        {},
        "/api/v3/order",
        "invalid_quantity",
        -1013,
        "Invalid quantity.",
        "quantity",
        {"value": "0"},
    ),
    (
        "quantity 0.000",
        order(quantity="0.000"),
        {},
        "/api/v3/order",
        "invalid_quantity",
        -1013,
        "Invalid quantity.",
        "quantity",
        {"value": "0.000"},
    ),
    (
        "price 0.00",
        order(price="0.00"),
        {},
        "/api/v3/order",
        "invalid_price",
        -1013,
        "Invalid price.",
        "price",
        {"value": "0.00"},
    ),
]


@pytest.mark.parametrize(
    ("params", "fields", "endpoint", "rule", "code", "msg", "parameter", "extra"),
    [pytest.param(*case[1:], id=case[0]) for case in FIRING],
)
def test_rule_fires(
    make_info: MakeInfo,
    params: dict[str, object],
    fields: dict[str, Any],
    endpoint: str,
    rule: str,
    code: int,
    msg: str,
    parameter: str | None,
    extra: dict[str, object],
) -> None:
    verdict = filterlib.check(make_info(**fields), params, endpoint=endpoint, as_of="latest")
    assert_fires(verdict, rule, code, msg, parameter, **extra)


@pytest.mark.parametrize("side", ["buy", "Buy", "sell", "sELL"])
def test_a_side_is_read_whatever_its_case(make_info: MakeInfo, side: str) -> None:
    # side=sell and side=buy reached later checks at Binance (docs/design/evidence.md §22a, §23).
    verdict = filterlib.check(make_info(), order(side=side))
    assert "invalid_side" not in {v.rule for v in verdict.violations}
    decoded = decode_request(order(side=side), ENDPOINTS["/api/v3/order"])
    assert decoded.orders[0].order.side == side.upper()


@pytest.mark.parametrize(
    ("field", "value", "code", "msg"),
    [
        ("type", "limit", -1116, "Invalid orderType."),
        ("timeInForce", "gtc", -1115, "Invalid timeInForce."),
        (
            "newOrderRespType",
            "ack",
            -1130,
            "Data sent for parameter 'newOrderRespType' is not valid.",
        ),
    ],
)
def test_other_enums_are_read_exactly(
    make_info: MakeInfo, field: str, value: str, code: int, msg: str
) -> None:
    # No response on record shows Binance reading another enum whatever its case.
    verdict = filterlib.check(make_info(), order(**{field: value}))
    assert verdict.error is not None
    assert (verdict.error.code, verdict.error.msg) == (code, msg)


# (id, params, symbol overrides, endpoint, rule that must not fire)
BOUNDARY: list[tuple[str, dict[str, object], dict[str, Any], str, str]] = [
    ("quantity sent", order(), {}, "/api/v3/order", "empty_parameter"),
    (
        "timestamp and signature are read",
        order(timestamp="1700000000000", signature="ab"),
        {},
        "/api/v3/order",
        "unread_parameters",
    ),
    (
        "computeCommissionRates is read by the test endpoint",
        order(computeCommissionRates="true"),
        {},
        "/api/v3/order/test",
        "unread_parameters",
    ),
    ("side sent", order(side="SELL"), {}, "/api/v3/order", "mandatory_parameter"),
    (
        "20 integer and 20 fraction digits",
        order(price="1" * 11 + "." + "0" * 20),
        {},
        "/api/v3/order",
        "illegal_characters",
    ),
    (
        "symbol with digits, '-', '.' and '_'",
        order(symbol="1INCH-X.Y_Z"),
        {},
        "/api/v3/order",
        "illegal_characters",
    ),
    (
        "client order id of 36",
        order(newClientOrderId="a-_Z9" + "x" * 31),
        {},
        "/api/v3/order",
        "illegal_characters",
    ),
    ("integer quantity", order(quantity=1), {}, "/api/v3/order", "illegal_characters"),
    (
        "Decimal quantity",
        order(quantity=Decimal("1E+1")),
        {},
        "/api/v3/order",
        "illegal_characters",
    ),
    ("SELL", order(side="SELL"), {}, "/api/v3/order", "invalid_side"),
    (
        "LIMIT_MAKER",
        order(type="LIMIT_MAKER", timeInForce=None),
        {},
        "/api/v3/order",
        "invalid_order_type",
    ),
    ("FOK", order(timeInForce="FOK"), {}, "/api/v3/order", "invalid_time_in_force"),
    ("FULL", order(newOrderRespType="FULL"), {}, "/api/v3/order", "invalid_parameter"),
    (
        "computeCommissionRates false",
        order(computeCommissionRates=False),
        {},
        "/api/v3/order/test",
        "invalid_parameter",
    ),
    (
        "price exactly int64/1e8",
        order(price="92233720368.54775807"),
        {},
        "/api/v3/order",
        "parameter_overflow",
    ),
    ("MARKET with quantity only", order(**MARKET), {}, "/api/v3/order", "parameter_not_required"),
    (
        "MARKET with quoteOrderQty only",
        order(**MARKET, quantity=None, quoteOrderQty="10"),
        {},
        "/api/v3/order",
        "parameter_not_required",
    ),
    (
        "STOP_LOSS with trailingDelta only",
        order(**{**STOP_LOSS, "stopPrice": None}, trailingDelta="100"),
        {},
        "/api/v3/order",
        "mandatory_for_type",
    ),
    ("iceberg GTC", order(icebergQty="0.1"), {}, "/api/v3/order", "iceberg_time_in_force"),
    (
        "iceberg LIMIT_MAKER",
        order(type="LIMIT_MAKER", timeInForce=None, icebergQty="0.1"),
        {},
        "/api/v3/order",
        "iceberg_time_in_force",
    ),
    ("strategyType 1000000", order(strategyType="1000000"), {}, "/api/v3/order", "strategy_type"),
    ("recvWindow 60000", order(recvWindow="60000"), {}, "/api/v3/order", "recv_window"),
    ("listed symbol", order(), {}, "/api/v3/order", "unknown_symbol"),
    (
        "quantity written with exactly baseAssetPrecision",
        order(quantity="1.00"),
        {"baseAssetPrecision": 2},
        "/api/v3/order",
        "too_much_precision",
    ),
    (
        "price written with exactly quoteAssetPrecision",
        order(price="10.00"),
        {"quoteAssetPrecision": 2},
        "/api/v3/order",
        "too_much_precision",
    ),
    ("quantity one step", order(quantity="0.001"), {}, "/api/v3/order", "invalid_quantity"),
    ("price one tick", order(price="0.01"), {}, "/api/v3/order", "invalid_price"),
]


@pytest.mark.parametrize(
    ("params", "fields", "endpoint", "rule"),
    [pytest.param(*case[1:], id=case[0]) for case in BOUNDARY],
)
def test_rule_boundary_passes(
    make_info: MakeInfo,
    params: dict[str, object],
    fields: dict[str, Any],
    endpoint: str,
    rule: str,
) -> None:
    assert_passes(filterlib.check(make_info(**fields), params, endpoint=endpoint), rule)


def test_valid_orders_of_every_type_pass(make_info: MakeInfo) -> None:
    info = make_info()
    for params in (
        order(),
        order(type="LIMIT_MAKER", timeInForce=None),
        order(**MARKET),
        order(**MARKET, quantity=None, quoteOrderQty="10"),
        order(**STOP_LOSS),
        order(type="STOP_LOSS_LIMIT", stopPrice="9"),
        order(type="TAKE_PROFIT", price=None, timeInForce=None, stopPrice="11"),
        order(type="TAKE_PROFIT_LIMIT", stopPrice="11", trailingDelta="100"),
    ):
        assert_ok(filterlib.check(info, params, endpoint="/api/v3/order/test"))


def test_none_means_not_sent(make_info: MakeInfo) -> None:
    verdict = filterlib.check(make_info(), order(stopPrice=None, icebergQty=None) | {"x": None})
    assert_ok(verdict)


def test_several_violations_of_one_rule_follow_the_parameter_table(make_info: MakeInfo) -> None:
    verdict = filterlib.check(make_info(), order(price="-1", quantity="1e3"))
    found = of_rule(verdict, "illegal_characters")
    assert [v.parameter for v in found] == ["quantity", "price"]
    assert verdict.error == filterlib.BinanceError(-1100, illegal("quantity", DECIMAL_RANGE))


def test_symbol_is_case_sensitive(make_info: MakeInfo) -> None:
    assert SYMBOL.isupper()
    verdict = filterlib.check(make_info(), order(symbol=SYMBOL + "X"))
    assert verdict.error == filterlib.BinanceError(-1121, "Invalid symbol.")
