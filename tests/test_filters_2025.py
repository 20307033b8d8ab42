"""The filters of 2025 (docs 2026-07, 4): their context keys and their rules.

MAX_NUM_ORDER_LISTS and EXCHANGE_MAX_NUM_ORDER_LISTS count the open order lists of
``openOrders`` (each ``orderListId`` once); MAX_NUM_ORDER_AMENDS counts ``amendments``;
MAX_ASSET comes from ``myFilters``. Expected answers are written out by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest
from conftest import SYMBOL, FilterOverrides, build_info, full_context, order

from filterlib import ContextError, ExchangeInfo, Verdict, as_context, check
from filterlib._dates import MY_FILTERS, PEGS
from filterlib._endpoints import ENDPOINTS
from filterlib.catalogue import ORDER_LIST_KINDS, RULES_BY_ID
from filterlib.filters import MaxAsset

ORDER = {
    "symbol": "LISTUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "origQty": "1",
    "executedQty": "0",
    "icebergQty": "0",
}


# --- context -------------------------------------------------------------------------------


def test_open_orders_read_the_order_list_id_and_default_to_none() -> None:
    ctx = as_context({"openOrders": [{**ORDER, "orderListId": 7}, ORDER]})
    assert ctx.open_orders is not None
    assert [o.order_list_id for o in ctx.open_orders] == [7, -1]


@pytest.mark.parametrize("bad", ["7", 1.0, True, -2, None])
def test_a_bad_order_list_id_is_refused_with_its_place(bad: object) -> None:
    with pytest.raises(ContextError, match=r"openOrders\[0\]\.orderListId"):
        as_context({"openOrders": [{**ORDER, "orderListId": bad}]})


def test_amendments_are_counted() -> None:
    body = [
        {
            "symbol": "LISTUSDT",
            "orderId": 9,
            "executionId": 22,
            "origClientOrderId": "a",
            "newClientOrderId": "b",
            "origQty": "5.00000000",
            "newQty": "4.00000000",
            "time": 1741669661670,
        }
    ]
    assert as_context({"amendments": body * 3}).amendments == 3
    assert as_context({"amendments": []}).amendments == 0
    assert as_context({}).amendments is None


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ({"orderId": 1}, "amendments must be"),
        ("[]", "amendments must be"),
        ([1], r"amendments\[0\]"),
    ],
)
def test_bad_amendments_are_refused(value: object, named: str) -> None:
    with pytest.raises(ContextError, match=named):
        as_context({"amendments": value})


def test_my_filters_keep_the_max_asset_filters() -> None:
    body = {
        "exchangeFilters": [{"filterType": "EXCHANGE_MAX_NUM_ORDERS", "maxNumOrders": 1000}],
        "symbolFilters": [{"filterType": "MAX_NUM_ORDER_LISTS", "maxNumOrderLists": 20}],
        "assetFilters": [
            {"filterType": "MAX_ASSET", "asset": "JPY", "limit": "1000000.00000000"},
            {"filterType": "SOME_LATER_ASSET_FILTER", "asset": "JPY"},
            {"filterType": "MAX_ASSET", "asset": "USDC", "limit": "42.00000000"},
        ],
    }
    ctx = as_context({"myFilters": body})
    assert ctx.asset_filters == (
        MaxAsset("JPY", Decimal("1000000.00000000")),
        MaxAsset("USDC", Decimal(42)),
    )
    empty: dict[str, list[object]] = {
        "exchangeFilters": [],
        "symbolFilters": [],
        "assetFilters": [],
    }
    assert as_context({"myFilters": empty}).asset_filters == ()
    # Binance sends all three lists: one missing is no body of GET /api/v3/myFilters.
    with pytest.raises(ContextError, match="myFilters: missing exchangeFilters, symbolFilters"):
        as_context({"myFilters": {"assetFilters": []}})
    assert as_context({}).asset_filters is None


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ([], "myFilters must be"),
        ({"assetFilters": {"filterType": "MAX_ASSET"}}, "myFilters.assetFilters must be"),
        ({"symbolFilters": "x"}, "myFilters.symbolFilters must be"),
        ({"assetFilters": [{"asset": "USDC"}]}, r"myFilters.assetFilters\[0\] must be"),
        (
            {"assetFilters": [{"filterType": "MAX_ASSET", "asset": "USDC", "limit": "-1"}]},
            r"myFilters.assetFilters\[0\]: limit: expected a plain non-negative decimal",
        ),
        (
            {"assetFilters": [{"filterType": "MAX_ASSET", "limit": "1"}]},
            r"myFilters.assetFilters\[0\]: missing field asset",
        ),
    ],
)
def test_bad_my_filters_are_refused_with_their_place(value: object, named: str) -> None:
    with pytest.raises(ContextError, match=named):
        as_context({"myFilters": value})


# --- rules -----------------------------------------------------------------------------------
# One symbol of swapland BTCUSDT's shape, judged as of 2026 (the latest rules), with
# MAX_NUM_ORDER_LISTS 2, MAX_NUM_ORDER_AMENDS 3 and EXCHANGE_MAX_NUM_ORDER_LISTS 3.

LATEST = "latest"
LISTS = {"MAX_NUM_ORDER_LISTS": {"maxNumOrderLists": 2}}
AMENDS = {"MAX_NUM_ORDER_AMENDS": {"maxNumOrderAmends": 3}}
EXCHANGE_LISTS = [{"filterType": "EXCHANGE_MAX_NUM_ORDER_LISTS", "maxNumOrderLists": 3}]
OTO = "/api/v3/orderList/oto"
AMEND = "/api/v3/order/amend/keepPriority"
OTO_PARAMS = {
    "symbol": SYMBOL,
    "workingType": "LIMIT",
    "workingSide": "BUY",
    "workingPrice": "10",
    "workingQuantity": "1",
    "workingTimeInForce": "GTC",
    "pendingType": "LIMIT",
    "pendingSide": "SELL",
    "pendingPrice": "11",
    "pendingQuantity": "1",
    "pendingTimeInForce": "GTC",
}


def _info(
    filters: FilterOverrides | None = None,
    exchange_filters: Sequence[Mapping[str, Any]] = (),
) -> ExchangeInfo:
    return build_info(filters, exchange_filters, otoAllowed=True, amendAllowed=True)


def _open(symbol: str, list_id: int, n: int = 1) -> list[dict[str, object]]:
    """``n`` open orders of one order list (or of none: -1)."""
    return [
        {
            "symbol": symbol,
            "side": "BUY",
            "type": "LIMIT",
            "orderListId": list_id,
            "origQty": "1",
            "executedQty": "0",
            "icebergQty": "0",
            "price": "9",
        }
        for _ in range(n)
    ]


def _rules(verdict: Verdict) -> tuple[list[str], list[str]]:
    return [v.rule for v in verdict.violations], sorted(u.rule for u in verdict.decidable_unchecked)


def _lists(info: ExchangeInfo, open_orders: list[dict[str, object]], **kw: object) -> Verdict:
    ctx = full_context(openOrders=open_orders)
    return check(info, OTO_PARAMS, endpoint=OTO, context=ctx, as_of=LATEST, **kw)  # type: ignore[arg-type]


def test_an_order_list_counts_once_whatever_its_orders() -> None:
    info = _info(LISTS)
    # an OTOCO's three orders and an OTO's two: two lists, + 1 = 3 > 2
    verdict = _lists(info, _open(SYMBOL, 5, 3) + _open(SYMBOL, 6, 2))
    assert verdict.error is not None
    assert (verdict.error.code, verdict.error.msg) == (-2010, "Filter failure: MAX_NUM_ORDER_LISTS")
    (v,) = verdict.violations
    assert (v.rule, v.value, v.limit) == ("MAX_NUM_ORDER_LISTS", "2", "2")
    assert v.detail == f"2 open order lists on {SYMBOL} + 1 new; the limit is 2"
    # one list (of three orders) and orders in no list: 1 + 1 = 2 <= 2
    assert _lists(info, _open(SYMBOL, 5, 3) + _open(SYMBOL, -1, 4)).error is None


def test_the_exchange_filter_counts_lists_on_every_symbol() -> None:
    info = _info(LISTS, EXCHANGE_LISTS)
    other = _open("OTHERUSDT", 8) + _open("OTHERUSDT", 9)
    # symbol: 1 + 1 <= 2; exchange: 3 + 1 > 3
    verdict = _lists(info, _open(SYMBOL, 5) + other)
    assert _rules(verdict) == (["EXCHANGE_MAX_NUM_ORDER_LISTS"], [])
    assert verdict.error is not None
    assert verdict.error.msg == "Filter failure: EXCHANGE_MAX_NUM_ORDER_LISTS"
    assert (
        verdict.violations[0].detail == "3 open order lists on the exchange + 1 new; the limit is 3"
    )
    assert _lists(info, other).error is None  # 2 + 1 <= 3, and none on the symbol


@pytest.mark.parametrize(
    "endpoint", ["/api/v3/order", "/api/v3/order/cancelReplace", "/api/v3/sor/order", AMEND]
)
def test_only_order_list_requests_count_lists(endpoint: str) -> None:
    scope = RULES_BY_ID["MAX_NUM_ORDER_LISTS"].endpoints
    assert scope == ORDER_LIST_KINDS == ("oco", "oto", "otoco", "opo", "opoco")
    assert RULES_BY_ID["EXCHANGE_MAX_NUM_ORDER_LISTS"].endpoints == ORDER_LIST_KINDS
    for rule_id in ("MAX_NUM_ORDER_LISTS", "EXCHANGE_MAX_NUM_ORDER_LISTS"):
        assert not RULES_BY_ID[rule_id].applies_to(ENDPOINTS[endpoint])
    for path in ("/api/v3/orderList/oco", "/api/v3/order/oco", OTO, "/api/v3/orderList/otoco"):
        assert RULES_BY_ID["MAX_NUM_ORDER_LISTS"].applies_to(ENDPOINTS[path])


def test_list_counts_are_unchecked_without_open_orders() -> None:
    info = _info(LISTS, EXCHANGE_LISTS)
    ctx = full_context(openOrders=None)
    verdict = check(info, OTO_PARAMS, endpoint=OTO, context=ctx, as_of=LATEST)
    # (the test symbol has no MAX_NUM_ORDERS filter to leave unchecked as well)
    assert _rules(verdict) == ([], ["EXCHANGE_MAX_NUM_ORDER_LISTS", "MAX_NUM_ORDER_LISTS"])
    assert {u.needs for u in verdict.decidable_unchecked} == {("openOrders",)}


def test_list_counts_date_from_2025_08_28() -> None:
    info = _info(LISTS)
    full = _open(SYMBOL, 5) + _open(SYMBOL, 6)
    assert _lists(info, full).error is not None
    before = check(
        info,
        OTO_PARAMS,
        endpoint=OTO,
        context=full_context(openOrders=full),
        as_of=dt.date(2025, 8, 27),
    )
    assert before.error is None
    assert RULES_BY_ID["MAX_NUM_ORDER_LISTS"].since == PEGS == dt.date(2025, 8, 28)


AMEND_OPEN = [{**_open(SYMBOL, -1)[0], "orderId": 7, "origQty": "2"}]


def _amend(info: ExchangeInfo, amendments: object, **kw: object) -> Verdict:
    ctx = full_context(openOrders=AMEND_OPEN, amendments=amendments)
    params = {"symbol": SYMBOL, "orderId": "7", "newQty": "1"}
    return check(info, params, endpoint=AMEND, context=ctx, **kw)  # type: ignore[arg-type]


def test_amends_fail_at_the_limit() -> None:
    info = _info(AMENDS)
    assert _amend(info, [{}] * 2, as_of=LATEST).error is None
    for n in (3, 4):
        verdict = _amend(info, [{}] * n, as_of=LATEST)
        assert verdict.error is not None
        assert (verdict.error.code, verdict.error.msg) == (
            -2038,
            "Filter failure: MAX_NUM_ORDER_AMENDS",
        )
        assert verdict.violations[0].detail == f"the order was amended {n} times; the limit is 3"


def test_amends_unchecked_without_amendments_and_only_on_the_amend() -> None:
    info = _info(AMENDS)
    assert _rules(_amend(info, None, as_of=LATEST)) == ([], ["MAX_NUM_ORDER_AMENDS"])
    assert RULES_BY_ID["MAX_NUM_ORDER_AMENDS"].endpoints == ("amend",)
    # a new order on the symbol is no amend: nothing to count
    ctx = full_context(amendments=[{}] * 9)
    assert _rules(check(info, order(), context=ctx, as_of=LATEST)) == ([], [])


def test_amends_date_from_2025_08_28() -> None:
    info = _info(AMENDS)  # serverTime 2023-11-14, before the amend existed (2025-04-24)
    assert _amend(info, [{}] * 5, as_of=dt.date(2025, 8, 27)).error is None
    assert _amend(info, [{}] * 5, as_of=dt.date(2025, 8, 28)).error is not None


def _asset(limits: list[tuple[str, str]], params: dict[str, object], **kw: object) -> Verdict:
    body = {
        "exchangeFilters": [],
        "symbolFilters": [],
        "assetFilters": [{"filterType": "MAX_ASSET", "asset": a, "limit": x} for a, x in limits],
    }
    kw.setdefault("as_of", LATEST)
    return check(build_info(), params, context=full_context(myFilters=body), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("limits", "params", "failed"),
    [
        # base asset TST: the quantity
        ([("TST", "1")], order(quantity="1"), False),
        ([("TST", "1")], order(quantity="1.001"), True),
        ([("TST", "1")], order(side="SELL", quantity="1.001"), True),
        # quote asset USDT: price x quantity (10 x 1 = 10)
        ([("USDT", "10")], order(), False),
        ([("USDT", "9.99")], order(), True),
        # quoteOrderQty is the notional itself
        ([("USDT", "10")], order(type="MARKET", timeInForce=None, price=None, quantity=None,
                                 quoteOrderQty="10"), False),
        ([("USDT", "10")], order(type="MARKET", timeInForce=None, price=None, quantity=None,
                                 quoteOrderQty="10.01"), True),
        # an asset of another symbol
        ([("BNB", "0")], order(), False),
    ],
)  # fmt: skip
def test_max_asset_bounds_the_quantity_or_the_notional(
    limits: list[tuple[str, str]], params: dict[str, object], failed: bool
) -> None:
    verdict = _asset(limits, params)
    if not failed:
        assert _rules(verdict) == ([], [])
        return
    assert verdict.error is not None
    assert (verdict.error.code, verdict.error.msg) == (-2010, "Filter failure: MAX_ASSET")
    assert _rules(verdict) == (["max_asset"], [])


def test_max_asset_says_what_exceeds_what() -> None:
    (v,) = _asset([("USDT", "9.99")], order()).violations
    assert (v.parameter, v.value, v.limit) == ("quantity", "1", "USDT 9.99")
    assert v.detail == "notional 10 USDT exceeds the account's MAX_ASSET limit 9.99"


def test_max_asset_leaves_unknown_amounts_unchecked() -> None:
    market = order(type="MARKET", timeInForce=None, price=None)
    verdict = _asset([("USDT", "1")], market)
    assert [(u.rule, u.reason) for u in verdict.unchecked if u.rule == "max_asset"] == [
        ("max_asset", "the notional of a market order is known only when it fills")
    ]
    quote = order(type="MARKET", timeInForce=None, price=None, quantity=None, quoteOrderQty="10")
    verdict = _asset([("TST", "1")], quote)
    assert [u.reason for u in verdict.unchecked if u.rule == "max_asset"] == [
        "the quantity of a quoteOrderQty order is known only when it fills"
    ]


def test_max_asset_needs_my_filters_only_since_2025_09_29() -> None:
    info = build_info()
    verdict = check(info, order(), context=full_context(myFilters=None), as_of=LATEST)
    assert _rules(verdict) == ([], ["max_asset"])
    assert verdict.unchecked[0].needs == ("myFilters",)
    before = check(info, order(), context=full_context(myFilters=None), as_of=dt.date(2025, 9, 28))
    assert _rules(before) == ([], [])
    assert RULES_BY_ID["max_asset"].since == MY_FILTERS == dt.date(2025, 9, 29)
    on_the_day = _asset([("TST", "0.5")], order(), as_of=dt.date(2025, 9, 29))
    assert _rules(on_the_day) == (["max_asset"], [])


def test_max_asset_is_the_matching_engines() -> None:
    verdict = _asset([("TST", "0.5")], order(), endpoint="/api/v3/order/test")
    assert _rules(verdict) == ([], [])
