"""The matching engine's rules (-2010): account state, open orders, the market; none of them is
evaluated by POST /api/v3/order/test."""

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
    open_order,
    order,
)

import filterlib

MARKET = {"type": "MARKET", "price": None, "timeInForce": None}


def account(
    *, can_trade: bool = True, permissions: list[str] | None = None, **free: str
) -> dict[str, Any]:
    return {
        "canTrade": can_trade,
        "permissions": ["SPOT"] if permissions is None else permissions,
        "balances": [
            {"asset": asset, "free": amount, "locked": "0.00000000"}
            for asset, amount in free.items()
        ],
    }


def test_iceberg_exceeds_quantity(make_info: MakeInfo) -> None:
    info = make_info()
    verdict = filterlib.check(info, order(icebergQty="1"), context=full_context())
    assert_fires(
        verdict,
        "iceberg_exceeds_quantity",
        -2010,
        "IcebergQty exceeds QTY.",
        "icebergQty",
        value="1",
    )
    assert_ok(filterlib.check(info, order(icebergQty="0.999"), context=full_context()))
    # Not judged by the test endpoint.
    test = filterlib.check(info, order(icebergQty="1"), endpoint="/api/v3/order/test")
    assert_ok(test)


def test_account_cannot_trade(make_info: MakeInfo) -> None:
    ctx = full_context(account=account(can_trade=False, USDT="100"))
    verdict = filterlib.check(make_info(), order(), context=ctx)
    assert_fires(
        verdict, "account_cannot_trade", -2010, "This account may not place or cancel orders.", None
    )
    assert_ok(filterlib.check(make_info(), order(), context=full_context()))
    unchecked = filterlib.check(make_info(), order(), context=full_context(account=None))
    assert ("account_cannot_trade", ("account",)) in [
        (u.rule, u.needs) for u in unchecked.unchecked
    ]


PERMITTED = "This symbol is not permitted for this account."


@pytest.mark.parametrize(
    ("sets", "held", "fires"),
    [
        ([["SPOT"]], ["MARGIN"], True),
        ([["SPOT"]], ["SPOT"], False),
        ([["SPOT", "TRD_GRP_004"]], ["TRD_GRP_004"], False),  # one inner list: any of them
        ([["SPOT"], ["TRD_GRP_004"]], ["SPOT"], True),  # two lists: each must be met
        ([["SPOT"], ["TRD_GRP_004"]], ["SPOT", "TRD_GRP_004"], False),
    ],
)
def test_symbol_not_permitted(
    make_info: MakeInfo, sets: list[list[str]], held: list[str], fires: bool
) -> None:
    ctx = full_context(account=account(permissions=held, USDT="100"))
    verdict = filterlib.check(make_info(permissionSets=sets), order(), context=ctx)
    if fires:
        assert_fires(verdict, "symbol_not_permitted", -2010, PERMITTED, "symbol", value=SYMBOL)
    else:
        assert_ok(verdict)


def test_symbol_without_spot_trading_is_not_permitted(make_info: MakeInfo) -> None:
    verdict = filterlib.check(make_info(isSpotTradingAllowed=False), order())
    assert_fires(verdict, "symbol_not_permitted", -2010, PERMITTED, "symbol")


def test_symbol_not_permitted_with_old_flat_permissions(make_info: MakeInfo) -> None:
    info = make_info(permissionSets=None, permissions=["SPOT", "MARGIN"])
    ok = full_context(account=account(permissions=["MARGIN"], USDT="100"))
    assert_ok(filterlib.check(info, order(), context=ok))
    bad = full_context(account=account(permissions=["LEVERAGED"], USDT="100"))
    assert_fires(
        filterlib.check(info, order(), context=bad),
        "symbol_not_permitted",
        -2010,
        PERMITTED,
        "symbol",
    )


# --- count filters -----------------------------------------------------------------------------

COUNTS: list[tuple[str, dict[str, Any], bool, dict[str, object], dict[str, object]]] = [
    # (rule, filter body, exchange filter?, the new order, an open order that counts)
    ("MAX_NUM_ORDERS", {"maxNumOrders": 2}, False, order(), {}),
    (
        "MAX_NUM_ALGO_ORDERS",
        {"maxNumAlgoOrders": 2},
        False,
        order(type="STOP_LOSS_LIMIT", side="SELL", stopPrice="9"),
        {"type": "TAKE_PROFIT"},
    ),
    (
        "MAX_NUM_ICEBERG_ORDERS",
        {"maxNumIcebergOrders": 2},
        False,
        order(icebergQty="0.1"),
        {"icebergQty": "0.5"},
    ),
    ("EXCHANGE_MAX_NUM_ORDERS", {"maxNumOrders": 2}, True, order(), {"symbol": "OTHERUSDT"}),
    (
        "EXCHANGE_MAX_NUM_ALGO_ORDERS",
        {"maxNumAlgoOrders": 2},
        True,
        order(type="STOP_LOSS", side="SELL", price=None, timeInForce=None, stopPrice="9"),
        {"symbol": "OTHERUSDT", "type": "STOP_LOSS_LIMIT"},
    ),
    (
        "EXCHANGE_MAX_NUM_ICEBERG_ORDERS",
        {"maxNumIcebergOrders": 2},
        True,
        order(icebergQty="0.1"),
        {"symbol": "OTHERUSDT", "icebergQty": "0.1"},
    ),
]


def _count_info(
    make_info: MakeInfo, name: str, body: dict[str, Any], exchange: bool
) -> filterlib.ExchangeInfo:
    if exchange:
        return make_info(exchange_filters=[{"filterType": name, **body}])
    return make_info(filters={name: body})


@pytest.mark.parametrize(
    ("name", "body", "exchange", "params", "counted"), COUNTS, ids=[c[0] for c in COUNTS]
)
def test_count_filter_fires_at_the_limit(
    make_info: MakeInfo,
    name: str,
    body: dict[str, Any],
    exchange: bool,
    params: dict[str, object],
    counted: dict[str, str],
) -> None:
    info = _count_info(make_info, name, body, exchange)
    ctx = full_context(openOrders=[open_order(**counted), open_order(**counted)])
    verdict = filterlib.check(info, params, context=ctx)
    assert_fires(verdict, name, -2010, f"Filter failure: {name}", None, value="2", limit="2")
    # Judged by the matching engine: the test endpoint does not evaluate it.
    assert_passes(filterlib.check(info, params, endpoint="/api/v3/order/test", context=ctx), name)


@pytest.mark.parametrize(
    ("name", "body", "exchange", "params", "counted"), COUNTS, ids=[c[0] for c in COUNTS]
)
def test_count_filter_passes_below_the_limit(
    make_info: MakeInfo,
    name: str,
    body: dict[str, Any],
    exchange: bool,
    params: dict[str, object],
    counted: dict[str, str],
) -> None:
    info = _count_info(make_info, name, body, exchange)
    ctx = full_context(openOrders=[open_order(**counted)])
    assert_ok(filterlib.check(info, params, context=ctx))
    unchecked = filterlib.check(info, params, context=full_context(openOrders=None))
    assert [u.needs for u in unchecked.unchecked if u.rule == name] == [("openOrders",)]


def test_symbol_counts_ignore_other_symbols(make_info: MakeInfo) -> None:
    info = make_info(filters={"MAX_NUM_ORDERS": {"maxNumOrders": 1}})
    ctx = full_context(openOrders=[open_order(symbol="OTHERUSDT")] * 3)
    assert_ok(filterlib.check(info, order(), context=ctx))


def test_algo_and_iceberg_counts_ignore_other_orders(make_info: MakeInfo) -> None:
    info = make_info(
        filters={
            "MAX_NUM_ALGO_ORDERS": {"maxNumAlgoOrders": 1},
            "MAX_NUM_ICEBERG_ORDERS": {"maxNumIcebergOrders": 1},
        }
    )
    ctx = full_context(openOrders=[open_order(type="LIMIT")] * 3)
    params = order(type="STOP_LOSS_LIMIT", side="SELL", stopPrice="9", icebergQty="0.1")
    assert_ok(filterlib.check(info, params, context=ctx))
    # A LIMIT order is not an algo order: the algo filter does not apply to it at all.
    full = full_context(openOrders=[open_order(type="STOP_LOSS")] * 3)
    assert_passes(filterlib.check(info, order(), context=full), "MAX_NUM_ALGO_ORDERS")


# --- MAX_POSITION --------------------------------------------------------------------------


def _position_context() -> dict[str, object]:
    # position = 5 free + 2 locked + (3 - 1) remaining on an open BUY = 9
    acct = account(USDT="1000000")
    acct["balances"].append({"asset": "TST", "free": "5", "locked": "2"})
    return full_context(
        account=acct,
        openOrders=[
            open_order(origQty="3", executedQty="1"),
            open_order(side="SELL", origQty="100"),
            open_order(symbol="OTHERUSDT", origQty="100"),
        ],
    )


def test_max_position_fires(make_info: MakeInfo) -> None:
    info = make_info(filters={"MAX_POSITION": {"maxPosition": "10.00000000"}})
    verdict = filterlib.check(info, order(quantity="1.001"), context=_position_context())
    v = assert_fires(
        verdict,
        "MAX_POSITION",
        -2010,
        "Filter failure: MAX_POSITION",
        "quantity",
        value="1.001",
        limit="10.00000000",
    )
    assert [float(n) for n in v.nearest] == [1.0]


def test_max_position_boundaries_pass(make_info: MakeInfo) -> None:
    info = make_info(filters={"MAX_POSITION": {"maxPosition": "10.00000000"}})
    assert_ok(filterlib.check(info, order(quantity="1"), context=_position_context()))
    # SELL orders are not limited by the position.
    sell = filterlib.check(info, order(side="SELL", quantity="5"), context=_position_context())
    assert_ok(sell)
    test = filterlib.check(info, order(quantity="100"), endpoint="/api/v3/order/test")
    assert_passes(test, "MAX_POSITION")


# --- the market -----------------------------------------------------------------------------

TRIGGER = "Stop price would trigger immediately."


@pytest.mark.parametrize(
    ("order_type", "side", "stop", "fires"),
    [
        ("STOP_LOSS", "BUY", "9.99", True),
        ("STOP_LOSS", "BUY", "10", True),
        ("STOP_LOSS", "BUY", "10.01", False),
        ("STOP_LOSS_LIMIT", "SELL", "10.01", True),
        ("STOP_LOSS_LIMIT", "SELL", "9.99", False),
        ("TAKE_PROFIT", "SELL", "10", True),
        ("TAKE_PROFIT", "SELL", "10.01", False),
        ("TAKE_PROFIT_LIMIT", "BUY", "10.01", True),
        ("TAKE_PROFIT_LIMIT", "BUY", "9.99", False),
    ],
)
def test_stop_would_trigger(
    make_info: MakeInfo, order_type: str, side: str, stop: str, fires: bool
) -> None:
    if order_type.endswith("LIMIT"):
        params = order(type=order_type, side=side, stopPrice=stop)
    else:
        params = order(type=order_type, side=side, price=None, timeInForce=None, stopPrice=stop)
    verdict = filterlib.check(make_info(), params, context=full_context())
    if fires:
        assert_fires(verdict, "stop_would_trigger", -2010, TRIGGER, "stopPrice", value=stop)
    else:
        assert_ok(verdict)


def test_stop_would_trigger_needs_last_price(make_info: MakeInfo) -> None:
    params = order(type="STOP_LOSS_LIMIT", stopPrice="1")
    verdict = filterlib.check(make_info(), params, context=full_context(lastPrice=None))
    assert verdict.ok
    assert [u.needs for u in verdict.unchecked if u.rule == "stop_would_trigger"] == [
        ("lastPrice",)
    ]


TAKE = "Order would immediately match and take."


@pytest.mark.parametrize(
    ("side", "price", "fires"),
    [("BUY", "10.01", True), ("BUY", "10", False), ("SELL", "9.99", True), ("SELL", "10", False)],
)
def test_limit_maker_would_take(make_info: MakeInfo, side: str, price: str, fires: bool) -> None:
    # The book: bid 9.99, ask 10.01.
    params = order(type="LIMIT_MAKER", timeInForce=None, side=side, price=price)
    verdict = filterlib.check(make_info(), params, context=full_context())
    if fires:
        assert_fires(verdict, "limit_maker_would_take", -2010, TAKE, "price", value=price)
    else:
        assert_ok(verdict)


def test_limit_maker_book_prices_as_separate_keys(make_info: MakeInfo) -> None:
    ctx = full_context(bookTicker=None, bidPrice="9.99", askPrice={"askPrice": "10.01"})
    params = order(type="LIMIT_MAKER", timeInForce=None, price="10.01")
    assert_fires(
        filterlib.check(make_info(), params, context=ctx),
        "limit_maker_would_take",
        -2010,
        TAKE,
        "price",
    )


BALANCE = "Account has insufficient balance for requested action."


@pytest.mark.parametrize(
    ("params", "usdt", "tst", "fires"),
    [
        (order(), "9.99999999", "0", True),  # BUY 1 at 10 costs 10 USDT
        (order(), "10", "0", False),
        (order(side="SELL"), "0", "0.999", True),
        (order(side="SELL"), "0", "1", False),
        (order(**MARKET, quantity=None, quoteOrderQty="10"), "9.99", "0", True),
        (order(**MARKET, quantity=None, quoteOrderQty="10"), "10", "0", False),
    ],
)
def test_insufficient_balance(
    make_info: MakeInfo, params: dict[str, object], usdt: str, tst: str, fires: bool
) -> None:
    ctx = full_context(account=account(USDT=usdt, TST=tst))
    verdict = filterlib.check(make_info(), params, context=ctx)
    if fires:
        assert_fires(verdict, "insufficient_balance", -2010, BALANCE, None)
    else:
        assert_ok(verdict)


def test_engine_rules_follow_filters_and_each_other(make_info: MakeInfo) -> None:
    info = make_info(filters={"MAX_NUM_ORDERS": {"maxNumOrders": 1}})
    ctx = full_context(
        account=account(can_trade=False, permissions=["MARGIN"]),
        openOrders=[open_order()],
    )
    params = order(type="LIMIT_MAKER", timeInForce=None, price="10.01", icebergQty="1")
    verdict = filterlib.check(info, params, context=ctx)
    assert [v.rule for v in verdict.violations] == [
        "iceberg_exceeds_quantity",
        "account_cannot_trade",
        "symbol_not_permitted",
        "MAX_NUM_ORDERS",
        "limit_maker_would_take",
        "insufficient_balance",
    ]
    assert of_rule(verdict, "insufficient_balance")[0].code == -2010
    test = filterlib.check(info, params, endpoint="/api/v3/order/test", context=ctx)
    assert_ok(test)


@pytest.mark.parametrize("side", ["BUY", "SELL"])
def test_balance_is_not_called_a_market_question_when_quantity_is_malformed(
    make_info: MakeInfo, side: str
) -> None:
    # The -1100 already says what is wrong; the balance rule has nothing to add for a LIMIT order.
    ctx = full_context(account=account(USDT="100", TST="100"))
    verdict = filterlib.check(make_info(), order(side=side, quantity="1e-05"), context=ctx)
    assert verdict.error is not None
    assert verdict.error.code == -1100
    assert "insufficient_balance" not in {u.rule for u in verdict.unchecked}


def test_market_buy_by_quantity_leaves_balance_unchecked_with_the_reason(
    make_info: MakeInfo,
) -> None:
    ctx = full_context(account=account(USDT="100", TST="100"))
    verdict = filterlib.check(make_info(), order(**MARKET), context=ctx)
    (entry,) = [u for u in verdict.unchecked if u.rule == "insufficient_balance"]
    assert "market BUY" in entry.reason


# --- the liquidity texts of quote-quantity MARKET orders, and the account texts -----------


QUOTE_MARKET = {**MARKET, "quantity": None, "quoteOrderQty": "20"}
WITH_MARKET_LOT = {"MARKET_LOT_SIZE": {"minQty": "0.01", "maxQty": "100", "stepSize": "0.01"}}


def _book(bids: list[list[str]], asks: list[list[str]]) -> dict[str, object]:
    return {"lastUpdateId": 7, "bids": bids, "asks": asks}


def _quote_market(make_info: MakeInfo, depth: object, side: str = "BUY") -> filterlib.Verdict:
    ctx = full_context(depth=depth)
    params = order(side=side, **QUOTE_MARKET)
    return filterlib.check(make_info(WITH_MARKET_LOT), params, context=ctx, as_of="latest")


@pytest.mark.parametrize(("side", "empty"), [("BUY", "asks"), ("SELL", "bids")])
def test_a_quote_market_order_on_an_empty_side_of_the_book(
    make_info: MakeInfo, side: str, empty: str
) -> None:
    full = [["10.00", "5"]]
    depth = _book([] if empty == "bids" else full, [] if empty == "asks" else full)
    verdict = _quote_market(make_info, depth, side)
    assert_fires(
        verdict,
        "liquidity_empty_book",
        -2010,
        "Order book liquidity is less than symbol minimum quantity.",
        "quoteOrderQty",
        value="20",
    )
    # The other side being empty does not concern it.
    other = _book([] if empty == "asks" else full, [] if empty == "bids" else full)
    assert_ok(_quote_market(make_info, other, side))


@pytest.mark.parametrize(
    ("asks", "unchecked"),
    [
        ([["10.00", "0.6"], ["10.01", "0.4"]], []),  # 1 in all: above both minima
        ([["10.00", "0.01"]], []),  # exactly MARKET_LOT_SIZE minQty 0.01 (LOT_SIZE's is 0.001)
        ([["10.00", "0.005"]], ["liquidity_market_lot_size"]),
        ([["10.00", "0.0005"]], ["liquidity_lot_size", "liquidity_market_lot_size"]),
    ],
)
def test_less_liquidity_than_min_qty_in_the_levels_given_is_unchecked_not_failed(
    make_info: MakeInfo, asks: list[list[str]], unchecked: list[str]
) -> None:
    # A depth body shows only the levels its limit asked for: more may lie beyond them.
    verdict = _quote_market(make_info, _book([["9.99", "1"]], asks))
    assert verdict.ok
    found = [u for u in verdict.decidable_unchecked if u.rule.startswith("liquidity")]
    assert [u.rule for u in found] == unchecked
    for u in found:
        assert u.needs == ()
        assert "levels beyond it are not known" in u.reason


def test_the_liquidity_texts_need_depth_and_concern_only_quote_market_orders(
    make_info: MakeInfo,
) -> None:
    verdict = _quote_market(make_info, None)
    assert [(u.rule, u.needs) for u in verdict.decidable_unchecked] == [
        ("liquidity_empty_book", ("depth",)),
        ("liquidity_lot_size", ("depth",)),
        ("liquidity_market_lot_size", ("depth",)),
    ]
    by_quantity = order(**{**MARKET, "quantity": "1"})
    ctx = full_context(depth=None)
    plain = filterlib.check(make_info(WITH_MARKET_LOT), by_quantity, context=ctx, as_of="latest")
    assert not [u for u in plain.unchecked if u.rule.startswith("liquidity")]


def test_the_liquidity_texts_start_on_2024_08_16(make_info: MakeInfo) -> None:
    import datetime as dt

    info = make_info(WITH_MARKET_LOT)
    params = order(**QUOTE_MARKET)
    ctx = full_context(depth=_book([], []))
    before = filterlib.check(info, params, context=ctx, as_of=dt.date(2024, 8, 15))
    after = filterlib.check(info, params, context=ctx, as_of=dt.date(2024, 8, 16))
    assert before.ok
    assert [v.rule for v in after.violations] == ["liquidity_empty_book"]


def test_the_account_texts_are_named_on_every_engine_order_and_never_decided(
    make_info: MakeInfo,
) -> None:
    verdict = filterlib.check(make_info(), order(), context=full_context())
    assert verdict.ok
    assert [(u.rule, u.decidable) for u in verdict.unchecked] == [
        ("action_disabled", False),
        ("symbol_restricted", False),
    ]
    assert verdict.decidable_unchecked == ()
    assert verdict.unchecked[0].to_dict() == {
        "rule": "action_disabled",
        "needs": [],
        "reason": "Binance alone knows the account's restrictions; no context key shows them",
        "decidable": False,
    }
    # Decidable entries carry no such key: the JSON of every other rule is as it was.
    bare = filterlib.check(make_info(), order())
    assert all("decidable" not in u.to_dict() for u in bare.decidable_unchecked)
    # The test endpoint does not reach the matching engine that decides them.
    test = filterlib.check(make_info(), order(), endpoint="/api/v3/order/test")
    assert test.unchecked == ()
