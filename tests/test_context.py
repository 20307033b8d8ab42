"""Context parsing: every key in both forms, bad shapes refused with the key named."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import SYMBOL

from filterlib import Context, ContextError, UsageError, as_context

PRICE = "12.34000000"


@pytest.mark.parametrize(
    ("key", "response", "attribute"),
    [
        ("avgPrice", {"mins": 5, "price": PRICE, "closeTime": 1}, "avg_price"),
        ("lastPrice", {"symbol": SYMBOL, "price": PRICE}, "last_price"),
        ("bidPrice", {"symbol": SYMBOL, "bidPrice": PRICE, "bidQty": "1"}, "bid_price"),
        ("askPrice", {"symbol": SYMBOL, "askPrice": PRICE, "askQty": "1"}, "ask_price"),
        ("referencePrice", {"symbol": SYMBOL, "referencePrice": PRICE}, "reference_price"),
    ],
)
def test_price_keys_in_both_forms(key: str, response: dict[str, object], attribute: str) -> None:
    bare = as_context({key: PRICE})
    wrapped = as_context({key: response})
    assert getattr(bare, attribute) == Decimal("12.34")
    assert getattr(wrapped, attribute) == Decimal("12.34")
    assert as_context({key: 12}).__getattribute__(attribute) == Decimal(12)
    assert getattr(as_context({key: Decimal(PRICE)}), attribute) == Decimal("12.34")


def test_book_ticker() -> None:
    book = {"symbol": SYMBOL, "bidPrice": "1.5", "bidQty": "1", "askPrice": "1.6", "askQty": "1"}
    ctx = as_context({"bookTicker": book})
    assert (ctx.bid_price, ctx.ask_price) == (Decimal("1.5"), Decimal("1.6"))
    # The separate keys win over the book.
    ctx = as_context({"bookTicker": book, "bidPrice": "1.4"})
    assert (ctx.bid_price, ctx.ask_price) == (Decimal("1.4"), Decimal("1.6"))


def test_reference_price_null_means_none() -> None:
    assert as_context({"referencePrice": {"symbol": SYMBOL, "referencePrice": None}}) == Context()
    assert as_context({"referencePrice": None}).reference_price is None


def test_account() -> None:
    ctx = as_context(
        {
            "account": {
                "canTrade": False,
                "permissions": ["SPOT", "TRD_GRP_004"],
                "balances": [
                    {"asset": "BTC", "free": "0.50000000", "locked": "0.25000000"},
                    {"asset": "USDT", "free": "10", "locked": "0"},
                ],
            }
        }
    )
    assert ctx.account is not None
    assert ctx.account.can_trade is False
    assert ctx.account.permissions == frozenset({"SPOT", "TRD_GRP_004"})
    assert ctx.account.free("BTC") == Decimal("0.5")
    assert ctx.account.balances["BTC"].locked == Decimal("0.25")
    assert ctx.account.balances["USDT"].locked == 0
    assert ctx.account.free("ETH") == 0


def test_open_orders() -> None:
    ctx = as_context(
        {
            "openOrders": [
                {
                    "symbol": SYMBOL,
                    "side": "BUY",
                    "type": "LIMIT",
                    "origQty": "3.00000000",
                    "executedQty": "1.00000000",
                    "icebergQty": "0.00000000",
                    "price": "1.00000000",
                }
            ]
        }
    )
    assert ctx.open_orders is not None
    (o,) = ctx.open_orders
    assert (o.symbol, o.side, o.type, o.remaining, o.iceberg_qty) == (
        SYMBOL,
        "BUY",
        "LIMIT",
        Decimal(2),
        Decimal(0),
    )
    assert as_context({"openOrders": []}).open_orders == ()


def test_none_and_context_pass_through() -> None:
    assert as_context(None) == Context()
    ctx = Context(avg_price=Decimal(1))
    assert as_context(ctx) is ctx


@pytest.mark.parametrize(
    ("context", "named"),
    [
        ({"avgPrice": 1.5}, "avgPrice"),
        ({"avgPrice": {"mins": 5, "price": 1.5}}, "avgPrice"),
        ({"lastPrice": "1e3"}, "lastPrice"),
        ({"lastPrice": "-1"}, "lastPrice"),
        ({"bidPrice": Decimal("NaN")}, "bidPrice"),
        ({"askPrice": Decimal("Infinity")}, "askPrice"),
        ({"askPrice": True}, "askPrice"),
        ({"referencePrice": [1]}, "referencePrice"),
        ({"bookTicker": "1.5"}, "bookTicker"),
        ({"bookTicker": {"bidPrice": 1.5}}, "bookTicker.bidPrice"),
        ({"account": []}, "account"),
        ({"account": {"balances": {"BTC": "1"}}}, "account.balances"),
        ({"account": {"balances": [{"free": "1"}]}}, "account.balances[0]"),
        ({"account": {"balances": [{"asset": "BTC", "free": 1.0}]}}, "account.balances[0].free"),
        (
            {"account": {"balances": [{"asset": "BTC", "locked": "x"}]}},
            "account.balances[0].locked",
        ),
        ({"account": {"permissions": "SPOT"}}, "account.permissions"),
        ({"account": {"permissions": [1]}}, "account.permissions"),
        ({"account": {"canTrade": "true"}}, "account.canTrade"),
        ({"openOrders": {"symbol": SYMBOL}}, "openOrders"),
        ({"openOrders": "[]"}, "openOrders"),
        ({"openOrders": [1]}, "openOrders[0]"),
        ({"openOrders": [{"symbol": SYMBOL, "side": "BUY"}]}, "openOrders[0].type"),
        (
            {"openOrders": [{"symbol": SYMBOL, "side": "BUY", "type": "LIMIT", "origQty": 1.0}]},
            "openOrders[0].origQty",
        ),
        ({"avgprice": "1"}, "avgprice"),
    ],
)
def test_bad_shapes_raise_context_error_naming_the_key(
    context: dict[str, object], named: str
) -> None:
    with pytest.raises(ContextError, match=named.replace("[", r"\[").replace("]", r"\]")):
        as_context(context)


def test_context_error_is_a_usage_error() -> None:
    assert issubclass(ContextError, UsageError)
    assert issubclass(ContextError, ValueError)
    with pytest.raises(ContextError):
        as_context([("avgPrice", "1")])  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [1.0, 0.1, float("nan"), float("inf")])
def test_floats_are_rejected_everywhere(value: float) -> None:
    for ctx in (
        {"avgPrice": value},
        {"lastPrice": {"price": value}},
        {"bidPrice": value},
        {"askPrice": value},
        {"referencePrice": value},
        {"account": {"balances": [{"asset": "BTC", "free": value}]}},
    ):
        with pytest.raises(ContextError):
            as_context(ctx)


# --- depth (GET /api/v3/depth), for pegged orders ---------------------------------------------


def test_depth_keeps_each_sides_prices_best_first() -> None:
    body = {
        "lastUpdateId": 1027024,
        "bids": [["4.00000000", "431.00000000"], ["3.99000000", "9.00000000"]],
        "asks": [["4.00000200", "12.00000000"]],
    }
    depth = as_context({"depth": body}).depth
    assert depth is not None
    assert depth.bids == (Decimal("4.00000000"), Decimal("3.99000000"))
    assert depth.asks == (Decimal("4.00000200"),)
    assert as_context({}).depth is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "depth must be the JSON object of GET /api/v3/depth"),
        ({"bids": []}, "depth: missing asks; pass the body as Binance sends it"),
        ({"bids": "x", "asks": []}, "depth.bids must be a list of [price, quantity] pairs"),
        ({"bids": [["1"]], "asks": []}, "depth.bids[0] must be a [price, quantity] pair"),
        (
            {"bids": [], "asks": [[1.5, "1"]]},
            'depth.asks[0][0]: expected a decimal string like "1.25000000", got 1.5',
        ),
    ],
)
def test_a_depth_not_in_binances_shape_is_a_context_error(body: object, message: str) -> None:
    with pytest.raises(ContextError) as caught:
        as_context({"depth": body})
    assert str(caught.value) == message


def test_a_given_zero_bid_is_not_replaced_by_the_book_tickers() -> None:
    book = {"symbol": "X", "bidPrice": "5", "bidQty": "1", "askPrice": "6", "askQty": "1"}
    ctx = as_context({"bidPrice": "0", "bookTicker": book})
    assert (ctx.bid_price, ctx.ask_price) == (Decimal(0), Decimal(6))
