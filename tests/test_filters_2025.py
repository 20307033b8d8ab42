"""The filters of 2025 (docs 2026-07, 4): their context keys and their rules.

MAX_NUM_ORDER_LISTS and EXCHANGE_MAX_NUM_ORDER_LISTS count the open order lists of
``openOrders`` (each ``orderListId`` once); MAX_NUM_ORDER_AMENDS counts ``amendments``;
MAX_ASSET comes from ``myFilters``. Expected answers are written out by hand.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from filterlib import ContextError, as_context
from filterlib.filters import MaxAsset

ORDER = {"symbol": "LISTUSDT", "side": "BUY", "type": "LIMIT"}


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
    assert as_context({"myFilters": {"assetFilters": []}}).asset_filters == ()
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
