"""SOR, cancel-replace and amend (issue 3): each rule firing and at its boundary, and the
-2021/-2022 answer shapes of cancel-replace with every ``data`` combination.

TSTUSDT: tick 0.01, step 0.001; expectations come from the values set here.
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
    order,
    symbol_dict,
    with_,
)

import filterlib
from filterlib import ExchangeInfo, Verdict

SOR = "/api/v3/sor/order"
SOR_TEST = "/api/v3/sor/order/test"
REPLACE = "/api/v3/order/cancelReplace"
AMEND = "/api/v3/order/amend/keepPriority"

UNKNOWN = {"code": -2011, "msg": "Unknown order sent."}
RESTRICTED = {"code": -2011, "msg": "Order was not canceled due to cancel restrictions."}
PRICE_FILTER = {"code": -1013, "msg": "Filter failure: PRICE_FILTER"}
BALANCE = {"code": -2010, "msg": "Account has insufficient balance for requested action."}
FAILED = "Order cancel-replace failed."
PARTIAL = "Order cancel-replace partially failed."


def open_entry(
    order_id: int = 7, client_id: str = "keep-me", status: str = "NEW", orig_qty: str = "1"
) -> dict[str, Any]:
    """One GET /api/v3/openOrders entry: a LIMIT BUY at 10 on TSTUSDT."""
    return {
        "symbol": SYMBOL,
        "orderId": order_id,
        "clientOrderId": client_id,
        "side": "BUY",
        "type": "LIMIT",
        "price": "10.00000000",
        "origQty": orig_qty,
        "executedQty": "0.00000000",
        "icebergQty": "0.00000000",
        "status": status,
    }


def replace(**changes: object) -> dict[str, object]:
    """A cancel-replace of order 7 by a LIMIT BUY of 1 at 10."""
    params: dict[str, object] = {
        "symbol": SYMBOL,
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "1",
        "price": "10",
        "cancelReplaceMode": "STOP_ON_FAILURE",
        "cancelOrderId": 7,
    }
    return with_(params, **changes)


def amend(**changes: object) -> dict[str, object]:
    params: dict[str, object] = {"symbol": SYMBOL, "orderId": 7, "newQty": "0.5"}
    return with_(params, **changes)


def sor(**changes: object) -> dict[str, object]:
    """A LIMIT BUY of 1 at 10 for the SOR endpoints: the single order of conftest."""
    return order(**changes)


def ctx(*entries: dict[str, Any], **overrides: object) -> dict[str, object]:
    return full_context(openOrders=list(entries), **overrides)


@pytest.fixture
def info(make_info: MakeInfo) -> ExchangeInfo:
    return make_info(allowAmend=True)


def check(info: ExchangeInfo, params: dict[str, object], endpoint: str, **context: Any) -> Verdict:
    """Today's answer: these tests are about the rules as they stand (the snapshots they use
    predate the amend)."""
    return filterlib.check(
        info, params, endpoint=endpoint, context=ctx(open_entry(), **context), as_of="latest"
    )


def data_of(verdict: Verdict) -> dict[str, Any]:
    assert verdict.error is not None, verdict
    assert verdict.error.data is not None, verdict
    return dict(verdict.error.data)


def sors_info(sors: object) -> ExchangeInfo:
    doc: dict[str, Any] = {
        "timezone": "UTC",
        "serverTime": 1700000000000,
        "rateLimits": [],
        "exchangeFilters": [],
        "symbols": [symbol_dict()],
    }
    if sors is not None:
        doc["sors"] = sors
    return filterlib.load_exchange_info(doc)


# --- SOR ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", [SOR, SOR_TEST])
@pytest.mark.parametrize("bad", ["LIMIT_MAKER", "STOP_LOSS_LIMIT"])
def test_sor_order_type(info: ExchangeInfo, endpoint: str, bad: str) -> None:
    params = sor(type=bad, timeInForce=None)
    verdict = filterlib.check(info, params, endpoint=endpoint)
    assert_fires(verdict, "sor_order_type", -1116, "Invalid orderType.", "type", leg=None)


def test_sor_takes_limit_and_market(info: ExchangeInfo) -> None:
    assert_ok(filterlib.check(info, sor(), endpoint=SOR, context=full_context()))
    market = sor(type="MARKET", timeInForce=None, price=None)
    assert_passes(filterlib.check(info, market, endpoint=SOR), "sor_order_type")


def test_sor_needs_quantity_and_reads_no_quote_order_qty(info: ExchangeInfo) -> None:
    market = sor(type="MARKET", timeInForce=None, price=None, quantity=None)
    verdict = filterlib.check(info, market, endpoint=SOR)
    assert_fires(
        verdict,
        "mandatory_parameter",
        -1102,
        "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.",
        "quantity",
    )
    verdict = filterlib.check(
        info, {**market, "quantity": "1", "quoteOrderQty": "10"}, endpoint=SOR
    )
    # 7 sent (with timestamp and signature), 6 read.
    assert_fires(
        verdict,
        "unread_parameters",
        -1104,
        "Not all sent parameters were read; read '6' parameter(s) but was sent '7'.",
        "quoteOrderQty",
    )


def test_sor_not_supported() -> None:
    other = sors_info([{"baseAsset": "BTC", "symbols": ["BTCUSDT"]}])
    verdict = filterlib.check(other, sor(), endpoint=SOR)
    assert_fires(
        verdict, "sor_not_supported", -1013, "This symbol has no SOR.", "symbol", value=SYMBOL
    )
    mine = sors_info([{"baseAsset": "TST", "symbols": [SYMBOL]}])
    assert_passes(filterlib.check(mine, sor(), endpoint=SOR), "sor_not_supported")
    # No sors key: the snapshot says nothing about SOR, so nothing is assumed.
    assert_passes(filterlib.check(sors_info(None), sor(), endpoint=SOR), "sor_not_supported")


# --- cancel-replace: its own parameters ---------------------------------------------------------


def test_cancel_replace_mandatory_one_of(info: ExchangeInfo) -> None:
    verdict = check(info, replace(cancelOrderId=None), REPLACE)
    assert_fires(
        verdict,
        "mandatory_one_of",
        -1102,
        "Param 'cancelOrderId' or 'cancelOrigClientOrderId' must be sent, but both were "
        "empty/null!",
        "cancelOrderId",
    )
    assert verdict.error is not None
    assert verdict.error.data is None
    assert_ok(check(info, replace(cancelOrderId=None, cancelOrigClientOrderId="keep-me"), REPLACE))


@pytest.mark.parametrize("bad", ["ONLY_CANCELED", "only_new", "NEW"])
def test_invalid_cancel_restrictions(info: ExchangeInfo, bad: str) -> None:
    verdict = check(info, replace(cancelRestrictions=bad), REPLACE)
    assert_fires(
        verdict,
        "invalid_cancel_restrictions",
        -1145,
        "cancelRestrictions has to be either ONLY_NEW or ONLY_PARTIALLY_FILLED.",
        "cancelRestrictions",
        value=bad,
    )
    assert "data" not in verdict.to_dict()


@pytest.mark.parametrize("good", ["ONLY_NEW", "ONLY_PARTIALLY_FILLED"])
def test_valid_cancel_restrictions(info: ExchangeInfo, good: str) -> None:
    assert_passes(
        check(info, replace(cancelRestrictions=good), REPLACE), "invalid_cancel_restrictions"
    )


def test_cancel_replace_not_supported(make_info: MakeInfo) -> None:
    verdict = check(make_info(cancelReplaceAllowed=False), replace(), REPLACE)
    assert_fires(
        verdict,
        "cancel_replace_not_supported",
        -1013,
        "Order cancel-replace is not supported for this symbol.",
        "symbol",
    )
    # A symbol-layer failure rejects the whole request: no -2022 shape.
    assert verdict.error is not None
    assert verdict.error.data is None
    assert_ok(check(make_info(cancelReplaceAllowed=True), replace(), REPLACE))


# --- cancel-replace: the cancel -----------------------------------------------------------------


def test_cancel_unknown_order_by_id(info: ExchangeInfo) -> None:
    verdict = check(info, replace(cancelOrderId=8), REPLACE)
    [v] = of_rule(verdict, "cancel_unknown_order")
    assert (v.code, v.msg, v.parameter) == (-2011, "Unknown order sent.", "cancelOrderId")
    assert_ok(check(info, replace(cancelOrderId=7), REPLACE))


def test_cancel_unknown_order_by_client_id(info: ExchangeInfo) -> None:
    params = replace(cancelOrderId=None, cancelOrigClientOrderId="other")
    [v] = of_rule(check(info, params, REPLACE), "cancel_unknown_order")
    assert (v.code, v.msg, v.parameter) == (-2011, "Unknown order sent.", "cancelOrigClientOrderId")


def test_cancel_id_and_client_id_must_name_the_same_order(info: ExchangeInfo) -> None:
    mismatch = replace(cancelOrigClientOrderId="other")
    assert of_rule(check(info, mismatch, REPLACE), "cancel_unknown_order")
    assert_ok(check(info, replace(cancelOrigClientOrderId="keep-me"), REPLACE))


def test_cancel_of_another_symbols_order_is_unknown(info: ExchangeInfo) -> None:
    elsewhere = {**open_entry(), "symbol": "OTHERUSDT"}
    verdict = filterlib.check(info, replace(), endpoint=REPLACE, context=ctx(elsewhere))
    assert of_rule(verdict, "cancel_unknown_order")


def test_cancel_unknown_order_needs_open_orders(info: ExchangeInfo) -> None:
    verdict = filterlib.check(
        info, replace(), endpoint=REPLACE, context=full_context(openOrders=None)
    )
    assert verdict.ok
    assert ("cancel_unknown_order", ("openOrders",)) in [
        (u.rule, u.needs) for u in verdict.unchecked
    ]


@pytest.mark.parametrize(
    ("restriction", "status", "fires"),
    [
        ("ONLY_NEW", "PARTIALLY_FILLED", True),
        ("ONLY_NEW", "NEW", False),
        ("ONLY_PARTIALLY_FILLED", "NEW", True),
        ("ONLY_PARTIALLY_FILLED", "PARTIALLY_FILLED", False),
    ],
)
def test_cancel_restricted(info: ExchangeInfo, restriction: str, status: str, fires: bool) -> None:
    context = ctx(open_entry(status=status))
    verdict = filterlib.check(
        info, replace(cancelRestrictions=restriction), endpoint=REPLACE, context=context
    )
    if fires:
        [v] = of_rule(verdict, "cancel_restricted")
        assert (v.code, v.msg, v.parameter, v.value) == (
            -2011,
            "Order was not canceled due to cancel restrictions.",
            "cancelRestrictions",
            restriction,
        )
        assert data_of(verdict) == {
            "cancelResult": "FAILURE",
            "newOrderResult": "NOT_ATTEMPTED",
            "cancelResponse": RESTRICTED,
            "newOrderResponse": None,
        }
    else:
        assert_ok(verdict)


# --- cancel-replace: the answer shapes ----------------------------------------------------------


@pytest.mark.parametrize("mode", ["STOP_ON_FAILURE", "ALLOW_FAILURE"])
@pytest.mark.parametrize("cancel_id", [7, 8], ids=["cancel-ok", "cancel-unknown"])
def test_filter_failure_fails_both(info: ExchangeInfo, mode: str, cancel_id: int) -> None:
    """Filters are evaluated before the cancel: both fail with the filter's error."""
    verdict = check(
        info, replace(price="10.001", cancelReplaceMode=mode, cancelOrderId=cancel_id), REPLACE
    )
    assert verdict.error is not None
    assert (verdict.error.code, verdict.error.msg) == (-2022, FAILED)
    assert data_of(verdict) == {
        "cancelResult": "FAILURE",
        "newOrderResult": "FAILURE",
        "cancelResponse": PRICE_FILTER,
        "newOrderResponse": PRICE_FILTER,
    }
    assert verdict.violations[0].rule == "PRICE_FILTER"


def test_count_failure_fails_both(make_info: MakeInfo) -> None:
    info = make_info(filters={"MAX_NUM_ORDERS": {"maxNumOrders": 1}})
    verdict = check(info, replace(), REPLACE)  # order 7 is open: 1 + 1 > 1
    count = {"code": -2010, "msg": "Filter failure: MAX_NUM_ORDERS"}
    assert verdict.error is not None
    assert verdict.error.code == -2022
    assert data_of(verdict) == {
        "cancelResult": "FAILURE",
        "newOrderResult": "FAILURE",
        "cancelResponse": count,
        "newOrderResponse": count,
    }


def test_unknown_cancel_stop_on_failure(info: ExchangeInfo) -> None:
    verdict = check(info, replace(cancelOrderId=8), REPLACE)
    assert verdict.error is not None
    assert (verdict.error.code, verdict.error.msg) == (-2022, FAILED)
    assert data_of(verdict) == {
        "cancelResult": "FAILURE",
        "newOrderResult": "NOT_ATTEMPTED",
        "cancelResponse": UNKNOWN,
        "newOrderResponse": None,
    }


def test_unknown_cancel_allow_failure_good_new_order(info: ExchangeInfo) -> None:
    verdict = check(info, replace(cancelOrderId=8, cancelReplaceMode="ALLOW_FAILURE"), REPLACE)
    assert verdict.error is not None
    assert (verdict.error.code, verdict.error.msg) == (-2021, PARTIAL)
    assert data_of(verdict) == {
        "cancelResult": "FAILURE",
        "newOrderResult": "SUCCESS",
        "cancelResponse": UNKNOWN,
        "newOrderResponse": None,
    }
    assert not verdict.ok


POOR = {
    "canTrade": True,
    "permissions": ["SPOT"],
    "balances": [{"asset": "USDT", "free": "9.99", "locked": "0"}],
}


def test_unknown_cancel_allow_failure_engine_failure(info: ExchangeInfo) -> None:
    params = replace(cancelOrderId=8, cancelReplaceMode="ALLOW_FAILURE")
    verdict = check(info, params, REPLACE, account=POOR)  # 1 x 10 USDT needed, 9.99 free
    assert verdict.error is not None
    assert (verdict.error.code, verdict.error.msg) == (-2022, FAILED)
    assert data_of(verdict) == {
        "cancelResult": "FAILURE",
        "newOrderResult": "FAILURE",
        "cancelResponse": UNKNOWN,
        "newOrderResponse": BALANCE,
    }


@pytest.mark.parametrize("mode", ["STOP_ON_FAILURE", "ALLOW_FAILURE"])
def test_cancel_fine_engine_failure(info: ExchangeInfo, mode: str) -> None:
    verdict = check(info, replace(cancelReplaceMode=mode), REPLACE, account=POOR)
    assert verdict.error is not None
    assert (verdict.error.code, verdict.error.msg) == (-2021, PARTIAL)
    assert data_of(verdict) == {
        "cancelResult": "SUCCESS",
        "newOrderResult": "FAILURE",
        "cancelResponse": None,
        "newOrderResponse": BALANCE,
    }
    rich = {**POOR, "balances": [{"asset": "USDT", "free": "10", "locked": "0"}]}
    assert_ok(check(info, replace(cancelReplaceMode=mode), REPLACE, account=rich))


@pytest.mark.parametrize(
    ("params", "code", "msg"),
    [
        (replace(cancelReplaceMode="MAYBE"), -1130,
         "Data sent for parameter 'cancelReplaceMode' is not valid."),
        (replace(cancelReplaceMode=None), -1102,
         "Mandatory parameter 'cancelReplaceMode' was not sent, was empty/null, or malformed."),
        (replace(price="10.000000001"), -1111, "Parameter 'price' has too much precision."),
        (replace(quantity="0"), -1013, "Invalid quantity."),
        (replace(timeInForce="GTX"), -1115, "Invalid timeInForce."),
        (replace(cancelOrderId=8, symbol="NOPE"), -1121, "Invalid symbol."),
    ],
    ids=["bad-mode", "no-mode", "precision", "zero-qty", "bad-tif", "unknown-symbol"],
)  # fmt: skip
def test_request_layer_errors_are_plain(
    info: ExchangeInfo, params: dict[str, object], code: int, msg: str
) -> None:
    verdict = check(info, params, REPLACE)
    assert verdict.error is not None
    assert (verdict.error.code, verdict.error.msg, verdict.error.data) == (code, msg, None)
    body = verdict.to_dict()
    assert "data" not in body
    assert verdict.error.to_dict() == {"code": code, "msg": msg}


def test_to_dict_carries_data_only_for_the_cancel_replace_shape(info: ExchangeInfo) -> None:
    shaped = check(info, replace(cancelOrderId=8), REPLACE)
    body = shaped.to_dict()
    assert body["code"] == -2022
    assert body["msg"] == FAILED
    assert body["data"] == {
        "cancelResult": "FAILURE",
        "newOrderResult": "NOT_ATTEMPTED",
        "cancelResponse": UNKNOWN,
        "newOrderResponse": None,
    }
    assert shaped.error is not None
    assert shaped.error.to_dict()["data"] == body["data"]
    assert "data" not in check(info, replace(), REPLACE).to_dict()  # passes
    single = filterlib.check(
        info,
        {
            k: v
            for k, v in replace(price="10.001").items()
            if k not in ("cancelReplaceMode", "cancelOrderId")
        },
    )
    assert single.error is not None
    assert "data" not in single.to_dict()  # the same filter failure on POST /api/v3/order


# --- amend --------------------------------------------------------------------------------------


def test_amend_mandatory_one_of(info: ExchangeInfo) -> None:
    verdict = check(info, amend(orderId=None), AMEND)
    assert_fires(
        verdict,
        "mandatory_one_of",
        -1102,
        "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!",
        "orderId",
    )
    assert_ok(check(info, amend(orderId=None, origClientOrderId="keep-me"), AMEND))


def test_amend_not_supported(make_info: MakeInfo) -> None:
    msg = "Order amend is not supported for this symbol."
    for flags in ({}, {"allowAmend": False}, {"amendAllowed": False}):
        verdict = check(make_info(**flags), amend(), AMEND)
        assert_fires(verdict, "amend_not_supported", -1013, msg, "symbol", value=SYMBOL)
    assert_ok(check(make_info(amendAllowed=True), amend(), AMEND))


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        (amend(orderId=8), "orderId"),
        (amend(orderId=None, origClientOrderId="other"), "origClientOrderId"),
        (amend(origClientOrderId="other"), "orderId"),  # id found, client id of another
    ],
)
def test_amend_unknown_order(info: ExchangeInfo, params: dict[str, object], parameter: str) -> None:
    verdict = check(info, params, AMEND)
    assert_fires(verdict, "amend_unknown_order", -2038, "Unknown order sent.", parameter)


def test_amend_unknown_order_needs_open_orders(info: ExchangeInfo) -> None:
    verdict = filterlib.check(
        info, amend(), endpoint=AMEND, context=full_context(openOrders=None), as_of="latest"
    )
    assert verdict.ok
    assert ("amend_unknown_order", ("openOrders",)) in [
        (u.rule, u.needs) for u in verdict.unchecked
    ]


def test_amend_no_change(info: ExchangeInfo) -> None:
    verdict = check(info, amend(newQty="1.000"), AMEND)  # the open order's origQty is 1
    assert_fires(
        verdict,
        "amend_no_change",
        -2038,
        "The requested action would change no state; rejecting",
        "newQty",
    )


@pytest.mark.parametrize(("new_qty", "fires"), [("1.001", True), ("5", True), ("0.999", False)])
def test_amend_quantity_increase(info: ExchangeInfo, new_qty: str, fires: bool) -> None:
    verdict = check(info, amend(newQty=new_qty), AMEND)
    if fires:
        assert_fires(
            verdict,
            "amend_quantity_increase",
            -2038,
            "Order amend (quantity increase) is not supported.",
            "newQty",
            value=new_qty,
        )
    else:
        assert_ok(verdict)


def test_amend_filters_judge_new_qty(make_info: MakeInfo) -> None:
    info = make_info(allowAmend=True, filters={"NOTIONAL": {
        "minNotional": "5", "applyMinToMarket": True, "maxNotional": "0",
        "applyMaxToMarket": False, "avgPriceMins": 5}})  # fmt: skip
    # LOT_SIZE on newQty: 0.0005 is under minQty 0.001.
    verdict = check(info, amend(newQty="0.0005"), AMEND)
    assert_fires(verdict, "LOT_SIZE", -1013, "Filter failure: LOT_SIZE", "newQty")
    # NOTIONAL at the open order's price 10: 0.499 x 10 < 5, 0.5 x 10 = 5 passes.
    verdict = check(info, amend(newQty="0.499"), AMEND)
    assert_fires(verdict, "NOTIONAL", -1013, "Filter failure: NOTIONAL", "newQty")
    assert_ok(check(info, amend(newQty="0.5"), AMEND))
    verdict = check(info, amend(newQty="0.5000000001"), AMEND)
    assert_fires(
        verdict,
        "too_much_precision",
        -1111,
        "Parameter 'newQty' has too much precision.",
        "newQty",
    )
