"""Order lists (OCO, the deprecated OCO, OTO, OTOCO): each rule of issue 3, firing and at its
boundary, with the wire parameter and the leg it names; counts, position and the pending legs.

Every expectation comes from the filter values and prices set here (TSTUSDT: tick 0.01, step
0.001, precision 8), never from the engine's output.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import (
    SYMBOL,
    MakeInfo,
    assert_fires,
    assert_ok,
    assert_passes,
    full_context,
    of_rule,
    with_,
)

import filterlib
from filterlib import ExchangeInfo, Verdict

OCO = "/api/v3/orderList/oco"
OLD_OCO = "/api/v3/order/oco"
OTO = "/api/v3/orderList/oto"
OTOCO = "/api/v3/orderList/otoco"

OCO_TYPE_MSG = "Order type not supported in OCO."
RELATIONSHIP = "The relationship of the prices for the orders is not correct."


def sell_oco(**changes: object) -> dict[str, object]:
    """A valid SELL OCO at lastPrice 10: LIMIT_MAKER above at 11, STOP_LOSS_LIMIT below at 9."""
    return with_(
        {
            "symbol": SYMBOL,
            "side": "SELL",
            "quantity": "1",
            "aboveType": "LIMIT_MAKER",
            "abovePrice": "11",
            "belowType": "STOP_LOSS_LIMIT",
            "belowPrice": "8.9",
            "belowStopPrice": "9",
            "belowTimeInForce": "GTC",
        },
        **changes,
    )


def buy_oco(**changes: object) -> dict[str, object]:
    """A valid BUY OCO at lastPrice 10: STOP_LOSS_LIMIT above at 11, LIMIT_MAKER below at 9."""
    return with_(
        {
            "symbol": SYMBOL,
            "side": "BUY",
            "quantity": "1",
            "aboveType": "STOP_LOSS_LIMIT",
            "abovePrice": "11.1",
            "aboveStopPrice": "11",
            "aboveTimeInForce": "GTC",
            "belowType": "LIMIT_MAKER",
            "belowPrice": "9",
        },
        **changes,
    )


def old_oco(**changes: object) -> dict[str, object]:
    """A valid deprecated SELL OCO: limit at 11, stop at 9 (limit 8.9)."""
    return with_(
        {
            "symbol": SYMBOL,
            "side": "SELL",
            "quantity": "1",
            "price": "11",
            "stopPrice": "9",
            "stopLimitPrice": "8.9",
            "stopLimitTimeInForce": "GTC",
        },
        **changes,
    )


def oto(**changes: object) -> dict[str, object]:
    """A valid OTO: a LIMIT BUY at 10 working, a LIMIT_MAKER SELL at 12 pending."""
    return with_(
        {
            "symbol": SYMBOL,
            "workingType": "LIMIT",
            "workingSide": "BUY",
            "workingPrice": "10",
            "workingQuantity": "1",
            "workingTimeInForce": "GTC",
            "pendingType": "LIMIT_MAKER",
            "pendingSide": "SELL",
            "pendingPrice": "12",
            "pendingQuantity": "1",
        },
        **changes,
    )


def otoco(**changes: object) -> dict[str, object]:
    """A valid OTOCO: a LIMIT BUY at 10 working, then a SELL OCO (LIMIT_MAKER 12 / stop 9)."""
    return with_(
        {
            "symbol": SYMBOL,
            "workingType": "LIMIT",
            "workingSide": "BUY",
            "workingPrice": "10",
            "workingQuantity": "1",
            "workingTimeInForce": "GTC",
            "pendingSide": "SELL",
            "pendingQuantity": "1",
            "pendingAboveType": "LIMIT_MAKER",
            "pendingAbovePrice": "12",
            "pendingBelowType": "STOP_LOSS_LIMIT",
            "pendingBelowPrice": "8.9",
            "pendingBelowStopPrice": "9",
            "pendingBelowTimeInForce": "GTC",
        },
        **changes,
    )


@pytest.fixture
def info(make_info: MakeInfo) -> ExchangeInfo:
    return make_info(otoAllowed=True)


def run(
    info: ExchangeInfo,
    params: dict[str, object],
    endpoint: str,
    as_of: str | None = None,
    **ctx: object,
) -> Verdict:
    return filterlib.check(
        info, params, endpoint=endpoint, context=full_context(**ctx), as_of=as_of
    )


def open_orders(n: int, **fields: str) -> list[dict[str, Any]]:
    return [
        {
            "symbol": fields.get("symbol", SYMBOL),
            "side": "BUY",
            "type": fields.get("type", "LIMIT"),
            "origQty": "1",
            "executedQty": "0",
            "icebergQty": fields.get("icebergQty", "0"),
            "price": "1",
            "status": "NEW",
        }
        for _ in range(n)
    ]


# --- the valid requests pass -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "endpoint"),
    [(sell_oco(), OCO), (buy_oco(), OCO), (old_oco(), OLD_OCO), (oto(), OTO), (otoco(), OTOCO)],
    ids=["sell-oco", "buy-oco", "deprecated-oco", "oto", "otoco"],
)
def test_valid_lists_pass(info: ExchangeInfo, params: dict[str, object], endpoint: str) -> None:
    assert_ok(run(info, params, endpoint))


# --- leg types: -1158 and -1116 ----------------------------------------------------------------


@pytest.mark.parametrize("bad", ["LIMIT", "MARKET"])
def test_oco_order_type_on_the_above_leg(info: ExchangeInfo, bad: str) -> None:
    verdict = run(info, sell_oco(aboveType=bad), OCO)
    assert_fires(
        verdict, "oco_order_type", -1158, OCO_TYPE_MSG, "aboveType", leg="above", value=bad
    )


def test_oco_order_type_on_the_below_and_pending_legs(info: ExchangeInfo) -> None:
    verdict = run(info, sell_oco(belowType="LIMIT", belowStopPrice=None), OCO)
    assert_fires(verdict, "oco_order_type", -1158, OCO_TYPE_MSG, "belowType", leg="below")
    verdict = run(info, otoco(pendingBelowType="MARKET"), OTOCO)
    assert_fires(
        verdict, "oco_order_type", -1158, OCO_TYPE_MSG, "pendingBelowType", leg="pendingBelow"
    )


def test_an_unknown_type_on_an_oco_leg_is_invalid_order_type(info: ExchangeInfo) -> None:
    verdict = run(info, sell_oco(aboveType="LIMITT"), OCO)
    assert_fires(verdict, "invalid_order_type", -1116, "Invalid orderType.", "aboveType")
    assert_passes(verdict, "oco_order_type")


@pytest.mark.parametrize(
    ("above", "extra"),
    [
        ("LIMIT_MAKER", {"abovePrice": "11"}),
        ("TAKE_PROFIT", {"aboveStopPrice": "11", "abovePrice": None}),
        (
            "TAKE_PROFIT_LIMIT",
            {"aboveStopPrice": "11", "abovePrice": "11.1", "aboveTimeInForce": "GTC"},
        ),
    ],
)
def test_every_limit_side_oco_type_is_accepted_above(
    info: ExchangeInfo, above: str, extra: dict[str, object]
) -> None:
    assert_ok(run(info, sell_oco(aboveType=above, **extra), OCO))


def test_stop_loss_below_is_accepted(info: ExchangeInfo) -> None:
    params = sell_oco(belowType="STOP_LOSS", belowPrice=None, belowTimeInForce=None)
    assert_ok(run(info, params, OCO))


@pytest.mark.parametrize("bad", ["MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT"])
def test_working_order_type(info: ExchangeInfo, bad: str) -> None:
    verdict = run(info, oto(workingType=bad), OTO)
    assert_fires(
        verdict,
        "working_order_type",
        -1116,
        "Invalid orderType.",
        "workingType",
        leg="working",
        value=bad,
    )


def test_working_limit_maker_is_accepted(info: ExchangeInfo) -> None:
    assert_ok(run(info, oto(workingType="LIMIT_MAKER", workingTimeInForce=None), OTO))
    verdict = run(info, otoco(workingType="MARKET", workingTimeInForce=None), OTOCO)
    assert_fires(
        verdict, "working_order_type", -1116, "Invalid orderType.", "workingType", leg="working"
    )


def test_any_type_on_the_oto_pending_leg(info: ExchangeInfo) -> None:
    market = oto(pendingType="MARKET", pendingPrice=None)
    assert_passes(run(info, market, OTO), "oco_order_type")
    assert_passes(run(info, market, OTO), "invalid_order_type")


# --- parameters per leg: -1128, -1160, -1106, -1102 --------------------------------------------


def test_oco_stop_limit_time_in_force(info: ExchangeInfo) -> None:
    verdict = run(info, old_oco(stopLimitTimeInForce=None), OLD_OCO)
    msg = (
        "Combination of optional parameters invalid. Recommendation: 'stopLimitTimeInForce' "
        "should also be sent."
    )
    assert_fires(
        verdict, "oco_stop_limit_time_in_force", -1128, msg, "stopLimitTimeInForce", leg="stop"
    )
    assert_passes(run(info, old_oco(), OLD_OCO), "oco_stop_limit_time_in_force")


def test_stop_limit_time_in_force_without_stop_limit_price_is_not_required(
    info: ExchangeInfo,
) -> None:
    verdict = run(info, old_oco(stopLimitPrice=None), OLD_OCO)
    assert_fires(
        verdict,
        "parameter_not_required",
        -1106,
        "Parameter 'stopLimitTimeInForce' sent when not required.",
        "stopLimitTimeInForce",
        leg="stop",
    )
    assert_ok(run(info, old_oco(stopLimitPrice=None, stopLimitTimeInForce=None), OLD_OCO))


def test_a_leg_missing_its_mandatory_parameter_names_it(info: ExchangeInfo) -> None:
    verdict = run(info, sell_oco(belowPrice=None), OCO)
    assert_fires(
        verdict,
        "mandatory_for_type",
        -1102,
        "Mandatory parameter 'belowPrice' was not sent, was empty/null, or malformed.",
        "belowPrice",
        leg="below",
    )


def list_iceberg_msg(name: str) -> str:
    return f"Parameter '{name}' is not supported if aboveTimeInForce/belowTimeInForce is not GTC."


@pytest.mark.parametrize("tif", ["IOC", "FOK"])
def test_list_iceberg_time_in_force(info: ExchangeInfo, tif: str) -> None:
    verdict = run(info, sell_oco(belowIcebergQty="0.1", belowTimeInForce=tif), OCO)
    assert_fires(
        verdict,
        "list_iceberg_time_in_force",
        -1160,
        list_iceberg_msg("belowIcebergQty"),
        "belowIcebergQty",
        leg="below",
        value=tif,
    )
    verdict = run(info, oto(workingIcebergQty="0.1", workingTimeInForce=tif), OTO)
    assert_fires(
        verdict,
        "list_iceberg_time_in_force",
        -1160,
        list_iceberg_msg("workingIcebergQty"),
        "workingIcebergQty",
        leg="working",
    )


def test_list_iceberg_with_gtc_or_limit_maker_passes(info: ExchangeInfo) -> None:
    assert_ok(run(info, sell_oco(belowIcebergQty="0.1"), OCO))
    assert_ok(run(info, sell_oco(aboveIcebergQty="0.1"), OCO))  # LIMIT_MAKER takes no TIF
    assert_ok(run(info, oto(workingIcebergQty="0.1"), OTO))


# --- placement: -1165, -1166, -1168, -1196 to -1199 --------------------------------------------

SL_ABOVE = {
    "aboveType": "STOP_LOSS_LIMIT",
    "abovePrice": "11.1",
    "aboveStopPrice": "11",
    "aboveTimeInForce": "GTC",
}
SL_BELOW = {
    "belowType": "STOP_LOSS_LIMIT",
    "belowPrice": "8.9",
    "belowStopPrice": "9",
    "belowTimeInForce": "GTC",
}
TP_ABOVE = {**SL_ABOVE, "aboveType": "TAKE_PROFIT_LIMIT"}
TP_BELOW = {**SL_BELOW, "belowType": "TAKE_PROFIT_LIMIT"}
LM_ABOVE = {"aboveType": "LIMIT_MAKER", "abovePrice": "11"}
LM_BELOW = {"belowType": "LIMIT_MAKER", "belowPrice": "9"}
NO_LEGS = dict.fromkeys(
    (
        "aboveType",
        "abovePrice",
        "aboveStopPrice",
        "aboveTimeInForce",
        "belowType",
        "belowPrice",
        "belowStopPrice",
        "belowTimeInForce",
    )
)

PLACEMENT = [
    # (side, above leg, below leg, rule, code, message, leg at fault)
    ("BUY", LM_ABOVE, SL_BELOW, "oco_limit_below", -1165,
     "A limit order in a buy OCO must be below.", "above"),
    ("SELL", SL_ABOVE, LM_BELOW, "oco_limit_above", -1166,
     "A limit order in a sell OCO must be above.", "below"),
    ("SELL", LM_ABOVE, LM_BELOW, "oco_contingent", -1168,
     "At least one OCO order must be contingent.", "below"),
    ("BUY", LM_ABOVE, LM_BELOW, "oco_contingent", -1168,
     "At least one OCO order must be contingent.", "below"),
    ("BUY", SL_ABOVE, SL_BELOW, "oco_stop_loss_above", -1196,
     "A stop loss order in a buy OCO must be above.", "below"),
    ("SELL", SL_ABOVE, SL_BELOW, "oco_stop_loss_below", -1197,
     "A stop loss order in a sell OCO must be below.", "above"),
    ("BUY", TP_ABOVE, TP_BELOW, "oco_take_profit_below", -1198,
     "A take profit order in a buy OCO must be below.", "above"),
    ("SELL", TP_ABOVE, TP_BELOW, "oco_take_profit_above", -1199,
     "A take profit order in a sell OCO must be above.", "below"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("side", "above", "below", "rule_id", "code", "msg", "leg"),
    PLACEMENT,
    ids=[f"{p[3]}-{p[0]}" for p in PLACEMENT],
)
def test_oco_placement(
    info: ExchangeInfo,
    side: str,
    above: dict[str, str],
    below: dict[str, str],
    rule_id: str,
    code: int,
    msg: str,
    leg: str,
) -> None:
    params = with_(sell_oco(**NO_LEGS), side=side, **above, **below)
    verdict = run(info, params, OCO)
    assert_fires(verdict, rule_id, code, msg, f"{leg}Type", leg=leg)
    assert len(of_rule(verdict, rule_id)) == 1


def test_misplaced_legs_both_reported(info: ExchangeInfo) -> None:
    """A BUY OCO with its limit above and its stop below breaks -1165 on one leg and -1196 on
    the other; -1165 comes first in the catalogue."""
    verdict = run(info, with_(sell_oco(**NO_LEGS), side="BUY", **LM_ABOVE, **SL_BELOW), OCO)
    assert [(v.rule, v.leg) for v in verdict.violations[:2]] == [
        ("oco_limit_below", "above"),
        ("oco_stop_loss_above", "below"),
    ]


@pytest.mark.parametrize(
    ("side", "above", "below"),
    [
        ("SELL", LM_ABOVE, SL_BELOW),
        ("SELL", TP_ABOVE, SL_BELOW),
        ("BUY", SL_ABOVE, LM_BELOW),
        ("BUY", SL_ABOVE, TP_BELOW),
    ],
)
def test_correct_placement_passes(
    info: ExchangeInfo, side: str, above: dict[str, str], below: dict[str, str]
) -> None:
    # Prices of the BUY ones: limit side 9 below last 10, stop 11 above it.
    params = with_(sell_oco(**NO_LEGS), side=side, **above, **below)
    if side == "BUY" and below is TP_BELOW:
        params.update(belowStopPrice="9", belowPrice="9")
    verdict = run(info, params, OCO)
    for rule_id in ("oco_limit_below", "oco_limit_above", "oco_contingent"):
        assert_passes(verdict, rule_id)
    for rule_id in ("oco_stop_loss_above", "oco_stop_loss_below"):
        assert_passes(verdict, rule_id)
    for rule_id in ("oco_take_profit_below", "oco_take_profit_above"):
        assert_passes(verdict, rule_id)


def test_otoco_placement_uses_the_pending_side(info: ExchangeInfo) -> None:
    params = otoco(
        pendingAboveType="STOP_LOSS_LIMIT",
        pendingAbovePrice="12.1",
        pendingAboveStopPrice="12",
        pendingAboveTimeInForce="GTC",
    )
    verdict = run(info, params, OTOCO)
    assert_fires(
        verdict,
        "oco_stop_loss_below",
        -1197,
        "A stop loss order in a sell OCO must be below.",
        "pendingAboveType",
        leg="pendingAbove",
    )


# --- the deprecated OCO's own price order (-1013) ----------------------------------------------


@pytest.mark.parametrize(
    ("side", "price", "stop", "fires"),
    [
        ("SELL", "9", "9", True),  # equal: SELL needs price > stopPrice
        ("SELL", "8.99", "9", True),
        ("SELL", "9.01", "9", False),
        ("BUY", "11", "11", True),
        ("BUY", "11.01", "11", True),
        ("BUY", "10.99", "11", False),
    ],
)
def test_oco_price_order(info: ExchangeInfo, side: str, price: str, stop: str, fires: bool) -> None:
    params = old_oco(side=side, price=price, stopPrice=stop, stopLimitPrice=stop)
    verdict = filterlib.check(info, params, endpoint=OLD_OCO)  # no context: request rules only
    if fires:
        assert_fires(verdict, "oco_price_order", -1013, RELATIONSHIP, "price", value=price)
        assert verdict.violations[0].leg is None
    else:
        assert_passes(verdict, "oco_price_order")


def test_oco_price_order_is_the_deprecated_endpoints_alone(info: ExchangeInfo) -> None:
    # On the new OCO, "price" is not a parameter; the same prices are judged against lastPrice.
    verdict = filterlib.check(info, sell_oco(abovePrice="9", belowStopPrice="9.5"), endpoint=OCO)
    assert_passes(verdict, "oco_price_order")


# --- price relationship against lastPrice (-2010) ----------------------------------------------


@pytest.mark.parametrize(
    ("last", "fires"),
    [("10", False), ("10.99", False), ("11", True), ("9.01", False), ("9", True), ("12", True)],
)
def test_oco_price_relationship_sell(info: ExchangeInfo, last: str, fires: bool) -> None:
    # SELL: abovePrice 11 > last > belowStopPrice 9.
    ctx = {"lastPrice": last, "bookTicker": None}
    verdict = filterlib.check(info, sell_oco(), endpoint=OCO, context=ctx)
    if fires:
        assert_fires(verdict, "oco_price_relationship", -2010, RELATIONSHIP, None, leg=None)
    else:
        assert_passes(verdict, "oco_price_relationship")


@pytest.mark.parametrize(("last", "fires"), [("10", False), ("9", True), ("11", True)])
def test_oco_price_relationship_buy(info: ExchangeInfo, last: str, fires: bool) -> None:
    # BUY: belowPrice 9 < last < aboveStopPrice 11.
    verdict = filterlib.check(info, buy_oco(), endpoint=OCO, context={"lastPrice": last})
    if fires:
        assert_fires(verdict, "oco_price_relationship", -2010, RELATIONSHIP, None)
    else:
        assert_passes(verdict, "oco_price_relationship")


def test_oco_price_relationship_uses_a_take_profits_stop_price(info: ExchangeInfo) -> None:
    params = sell_oco(aboveType="TAKE_PROFIT", abovePrice=None, aboveStopPrice="10.5")
    assert_passes(
        filterlib.check(info, params, endpoint=OCO, context={"lastPrice": "10.49"}),
        "oco_price_relationship",
    )
    verdict = filterlib.check(info, params, endpoint=OCO, context={"lastPrice": "10.5"})
    assert_fires(verdict, "oco_price_relationship", -2010, RELATIONSHIP, None)


def test_oco_price_relationship_on_the_deprecated_endpoint(info: ExchangeInfo) -> None:
    verdict = filterlib.check(info, old_oco(), endpoint=OLD_OCO, context={"lastPrice": "11"})
    assert_fires(verdict, "oco_price_relationship", -2010, RELATIONSHIP, None)
    ok = filterlib.check(info, old_oco(), endpoint=OLD_OCO, context={"lastPrice": "10"})
    assert_passes(ok, "oco_price_relationship")


def test_oco_price_relationship_needs_last_price(info: ExchangeInfo) -> None:
    verdict = filterlib.check(info, sell_oco(), endpoint=OCO)
    assert ("oco_price_relationship", ("lastPrice",)) in [
        (u.rule, u.needs) for u in verdict.unchecked
    ]


# --- capability flags --------------------------------------------------------------------------


def test_oco_not_supported(make_info: MakeInfo) -> None:
    msg = "OCO orders are not supported for this symbol"
    info = make_info(ocoAllowed=False, otoAllowed=True)
    for params, endpoint in ((sell_oco(), OCO), (old_oco(), OLD_OCO), (otoco(), OTOCO)):
        verdict = run(info, params, endpoint)
        assert_fires(verdict, "oco_not_supported", -1013, msg, "symbol", value=SYMBOL)
    assert_passes(run(info, oto(), OTO), "oco_not_supported")


def test_oto_not_supported(make_info: MakeInfo) -> None:
    msg = "OTO orders are not supported for this symbol."
    info = make_info()  # no otoAllowed: a snapshot from before OTO
    for params, endpoint in ((oto(), OTO), (otoco(), OTOCO)):
        assert_fires(run(info, params, endpoint), "oto_not_supported", -1013, msg, "symbol")
    assert_ok(run(info, sell_oco(), OCO))
    assert_ok(run(make_info(otoAllowed=True), otoco(), OTOCO))


def test_a_legs_type_missing_from_order_types_gets_the_symbols_text(make_info: MakeInfo) -> None:
    types = ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT"]
    info = make_info(orderTypes=types)
    params = sell_oco(belowType="STOP_LOSS", belowPrice=None, belowTimeInForce=None)
    verdict = run(info, params, OCO)
    assert_fires(
        verdict,
        "order_type_not_supported",
        -1013,
        "Stop loss orders are not supported for this symbol.",
        "belowType",
        leg="below",
    )


# --- filters and precision on legs -------------------------------------------------------------


def test_price_filter_names_the_legs_parameter(info: ExchangeInfo) -> None:
    verdict = run(info, sell_oco(belowStopPrice="9.005"), OCO)
    assert_fires(
        verdict,
        "PRICE_FILTER",
        -1013,
        "Filter failure: PRICE_FILTER",
        "belowStopPrice",
        leg="below",
        nearest=("9.00000000", "9.01000000"),  # written as the tickSize is
    )
    verdict = run(info, otoco(pendingAbovePrice="12.001"), OTOCO)
    assert_fires(
        verdict,
        "PRICE_FILTER",
        -1013,
        "Filter failure: PRICE_FILTER",
        "pendingAbovePrice",
        leg="pendingAbove",
    )


def test_lot_size_on_a_working_and_a_pending_quantity(info: ExchangeInfo) -> None:
    verdict = run(info, oto(pendingQuantity="0.0005"), OTO)
    assert_fires(
        verdict, "LOT_SIZE", -1013, "Filter failure: LOT_SIZE", "pendingQuantity", leg="pending"
    )
    verdict = run(info, oto(workingQuantity="1000.001"), OTO)
    assert_fires(
        verdict, "LOT_SIZE", -1013, "Filter failure: LOT_SIZE", "workingQuantity", leg="working"
    )


def test_too_much_precision_uses_the_legs_wire_name(info: ExchangeInfo) -> None:
    # The text names the parameter since 2023-12-04 (CHANGELOG); the snapshot is older.
    verdict = run(info, otoco(pendingAbovePrice="12.000000001"), OTOCO)
    assert verdict.error is not None
    assert verdict.error.msg == "Precision is over the maximum defined for this asset."
    verdict = run(info, otoco(pendingAbovePrice="12.000000001"), OTOCO, as_of="latest")
    assert_fires(
        verdict,
        "too_much_precision",
        -1111,
        "Parameter 'pendingAbovePrice' has too much precision.",
        "pendingAbovePrice",
        leg="pendingAbove",
    )
    verdict = run(info, sell_oco(belowStopPrice="9.000000000"), OCO, as_of="latest")
    assert_fires(
        verdict,
        "too_much_precision",
        -1111,
        "Parameter 'belowStopPrice' has too much precision.",
        "belowStopPrice",
        leg="below",
    )
    # Eight decimals is the precision itself.
    assert_ok(run(info, otoco(pendingAbovePrice="12.00000000"), OTOCO))


def test_too_much_precision_on_the_deprecated_stop_leg(info: ExchangeInfo) -> None:
    verdict = run(info, old_oco(stopLimitPrice="8.900000000"), OLD_OCO, as_of="latest")
    assert_fires(
        verdict,
        "too_much_precision",
        -1111,
        "Parameter 'stopLimitPrice' has too much precision.",
        "stopLimitPrice",
        leg="stop",
    )


# --- counts and position -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "endpoint", "adds"),
    [(sell_oco(), OCO, 2), (old_oco(), OLD_OCO, 2), (oto(), OTO, 2), (otoco(), OTOCO, 3)],
    ids=["oco", "deprecated-oco", "oto", "otoco"],
)
@pytest.mark.parametrize("exchange", [False, True], ids=["symbol", "exchange"])
def test_max_num_orders_counts_every_leg(
    make_info: MakeInfo, params: dict[str, object], endpoint: str, adds: int, exchange: bool
) -> None:
    limit = 5
    if exchange:
        name = "EXCHANGE_MAX_NUM_ORDERS"
        info = make_info(
            otoAllowed=True, exchange_filters=[{"filterType": name, "maxNumOrders": limit}]
        )
    else:
        name = "MAX_NUM_ORDERS"
        info = make_info(otoAllowed=True, filters={name: {"maxNumOrders": limit}})
    ok = run(info, params, endpoint, openOrders=open_orders(limit - adds))
    assert_ok(ok)
    verdict = run(info, params, endpoint, openOrders=open_orders(limit - adds + 1))
    assert_fires(verdict, name, -2010, f"Filter failure: {name}", None, value=str(limit - adds + 1))


def test_max_num_algo_orders_counts_the_algo_legs(make_info: MakeInfo) -> None:
    info = make_info(otoAllowed=True, filters={"MAX_NUM_ALGO_ORDERS": {"maxNumAlgoOrders": 3}})
    algo = open_orders(1, type="STOP_LOSS_LIMIT")
    # OCO: one algo leg (the stop); OTOCO with a take-profit above: two.
    assert_ok(run(info, sell_oco(), OCO, openOrders=algo * 2))
    verdict = run(info, sell_oco(), OCO, openOrders=algo * 3)
    assert_fires(verdict, "MAX_NUM_ALGO_ORDERS", -2010, "Filter failure: MAX_NUM_ALGO_ORDERS", None)
    tp = otoco(
        pendingAboveType="TAKE_PROFIT_LIMIT",
        pendingAbovePrice="12",
        pendingAboveStopPrice="12",
        pendingAboveTimeInForce="GTC",
    )
    assert_ok(run(info, tp, OTOCO, openOrders=algo))
    verdict = run(info, tp, OTOCO, openOrders=algo * 2)
    assert_fires(verdict, "MAX_NUM_ALGO_ORDERS", -2010, "Filter failure: MAX_NUM_ALGO_ORDERS", None)
    # An OTO of two LIMIT-like orders adds no algo order.
    assert_ok(run(info, oto(), OTO, openOrders=algo * 3))


def test_max_num_iceberg_orders_counts_the_iceberg_legs(make_info: MakeInfo) -> None:
    info = make_info(
        filters={"MAX_NUM_ICEBERG_ORDERS": {"maxNumIcebergOrders": 3}},
        exchange_filters=[],
    )
    iceberg = open_orders(1, icebergQty="0.1")
    both = sell_oco(aboveIcebergQty="0.1", belowIcebergQty="0.1")
    assert_ok(run(info, both, OCO, openOrders=iceberg))
    verdict = run(info, both, OCO, openOrders=iceberg * 2)
    assert_fires(
        verdict,
        "MAX_NUM_ICEBERG_ORDERS",
        -2010,
        "Filter failure: MAX_NUM_ICEBERG_ORDERS",
        None,
        value="2",
    )
    one = sell_oco(belowIcebergQty="0.1")
    assert_ok(run(info, one, OCO, openOrders=iceberg * 2))


def _position(make_info: MakeInfo, max_position: str) -> ExchangeInfo:
    return make_info(otoAllowed=True, filters={"MAX_POSITION": {"maxPosition": max_position}})


#: No TST held, plenty of USDT: the position is what the request buys.
NO_BASE = {
    "canTrade": True,
    "permissions": ["SPOT"],
    "balances": [{"asset": "USDT", "free": "1000", "locked": "0"}],
}


def test_max_position_sums_the_buy_legs_of_an_oco(make_info: MakeInfo) -> None:
    info = _position(make_info, "1.5")
    # Both legs of a BUY OCO are BUY orders: 2 x 0.75 = 1.5 fits, 2 x 0.751 does not.
    assert_ok(run(info, buy_oco(quantity="0.75"), OCO, account=NO_BASE))
    verdict = run(info, buy_oco(quantity="0.751"), OCO, account=NO_BASE)
    assert_fires(
        verdict,
        "MAX_POSITION",
        -2010,
        "Filter failure: MAX_POSITION",
        "quantity",
        value="1.502",
    )


def test_max_position_counts_only_the_buy_legs_of_an_oto(make_info: MakeInfo) -> None:
    info = _position(make_info, "1.5")
    # working BUY 1 + pending SELL 1: only the working order adds to the position.
    assert_ok(run(info, oto(), OTO, account=NO_BASE))
    pending_buy = oto(pendingSide="BUY", pendingPrice="9")
    verdict = run(info, pending_buy, OTO, account=NO_BASE)
    assert verdict.error is not None
    assert (verdict.error.code, verdict.error.msg) == (-2010, "Filter failure: MAX_POSITION")
    assert (verdict.violations[0].rule, verdict.violations[0].value) == ("MAX_POSITION", "2")
    half = oto(pendingSide="BUY", pendingPrice="9", pendingQuantity="0.5")
    assert_ok(run(info, half, OTO, account=NO_BASE))


def test_max_position_on_an_oto_names_a_parameter_the_endpoint_has(make_info: MakeInfo) -> None:
    info = _position(make_info, "1.5")
    verdict = run(info, oto(pendingSide="BUY", pendingPrice="9"), OTO, account=NO_BASE)
    [position] = of_rule(verdict, "MAX_POSITION")
    endpoint = filterlib._endpoints.ENDPOINTS[OTO]
    assert position.parameter is None or position.parameter in endpoint.parameters


# --- pending legs and the live market ----------------------------------------------------------


def test_pending_legs_skip_the_live_market_rules(info: ExchangeInfo) -> None:
    # Pending SELL STOP_LOSS at 11 over last 10 would trigger now; a pending LIMIT_MAKER SELL
    # at 9 under the bid 9.99 would take; 5 TST to sell with none held: none of it is judged
    # before the working order fills.
    broke = {
        "canTrade": True,
        "permissions": ["SPOT"],
        "balances": [{"asset": "USDT", "free": "10", "locked": "0"}],
    }
    stop = oto(pendingType="STOP_LOSS", pendingPrice=None, pendingStopPrice="11")
    assert_ok(run(info, stop, OTO, account=broke))
    take = oto(pendingPrice="9", pendingQuantity="5")
    assert_ok(run(info, take, OTO, account=broke))


def test_iceberg_exceeds_quantity_still_applies_to_a_pending_leg(info: ExchangeInfo) -> None:
    verdict = run(info, oto(pendingIcebergQty="1"), OTO)
    assert_fires(
        verdict,
        "iceberg_exceeds_quantity",
        -2010,
        "IcebergQty exceeds QTY.",
        "pendingIcebergQty",
        leg="pending",
    )


def test_the_working_leg_gets_the_live_market_rules(info: ExchangeInfo) -> None:
    # LIMIT_MAKER BUY at the ask 10.01 would take.
    maker = oto(workingType="LIMIT_MAKER", workingTimeInForce=None, workingPrice="10.01")
    verdict = run(info, maker, OTO)
    assert_fires(
        verdict,
        "limit_maker_would_take",
        -2010,
        "Order would immediately match and take.",
        "workingPrice",
        leg="working",
    )
    assert_ok(run(info, with_(maker, workingPrice="10"), OTO))
    # A BUY of 1 at 10 needs 10 USDT.
    poor = {
        "canTrade": True,
        "permissions": ["SPOT"],
        "balances": [{"asset": "USDT", "free": "9.99", "locked": "0"}],
    }
    verdict = run(info, oto(), OTO, account=poor)
    assert_fires(
        verdict,
        "insufficient_balance",
        -2010,
        "Account has insufficient balance for requested action.",
        None,
        leg="working",
    )
    assert_ok(run(info, oto(), OTO, account={**poor, "balances": [
        {"asset": "USDT", "free": "10", "locked": "0"}]}))  # fmt: skip


def test_an_oco_leg_is_live_and_gets_stop_would_trigger(info: ExchangeInfo) -> None:
    # SELL STOP_LOSS_LIMIT below at stop 10 = last 10: triggers now. The relationship rule
    # comes first in the catalogue; the trigger is still reported, on the below leg.
    verdict = run(info, sell_oco(belowStopPrice="10", belowPrice="9.9"), OCO)
    assert verdict.violations[0].rule == "oco_price_relationship"
    [trigger] = of_rule(verdict, "stop_would_trigger")
    assert (trigger.parameter, trigger.leg, trigger.msg) == (
        "belowStopPrice",
        "below",
        "Stop price would trigger immediately.",
    )


def test_otoco_pending_pair_skips_the_live_market_rules(info: ExchangeInfo) -> None:
    # The pending stop at 10.5 over last 10 (a SELL stop would trigger) and the pending maker
    # at 9.5 under the bid are both fine: they wait for the working order.
    params = otoco(pendingBelowStopPrice="10.5", pendingBelowPrice="10.4")
    verdict = run(info, params, OTOCO)
    assert_passes(verdict, "stop_would_trigger")
    assert_passes(verdict, "limit_maker_would_take")
    assert_passes(verdict, "oco_price_relationship")


def test_max_position_nearest_on_a_buy_oco_passes(make_info: MakeInfo) -> None:
    info = _position(make_info, "1.5")
    verdict = run(info, buy_oco(quantity="0.751"), OCO, account=NO_BASE)
    [position] = of_rule(verdict, "MAX_POSITION")
    assert position.nearest, position
    fixed = run(info, buy_oco(quantity=position.nearest[-1]), OCO, account=NO_BASE)
    assert_passes(fixed, "MAX_POSITION")
