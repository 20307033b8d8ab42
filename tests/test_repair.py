"""``filterlib.repair``: its output passes the engine or it says why no valid order exists.

Properties run on every real snapshot across symbols, from valid orders (drawn by
``filterlib.strategies``) pushed off their grids and bounds; examples pin the rounding rules.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import build_info
from hypothesis import given, settings
from hypothesis import strategies as st

import filterlib
from filterlib import strategies as S
from filterlib.repair import Change, Repair, repair
from filterlib.snapshot import DEFAULT_SNAPSHOT_NAME

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = [
    "shipped",
    *sorted(
        p.name
        for p in (ROOT / "fixtures" / "snapshots").iterdir()
        if p.name.startswith("spot_") and not p.name.startswith(DEFAULT_SNAPSHOT_NAME)
    ),
]
INFO = filterlib.load_default_exchange_info()
TEST = "/api/v3/order/test"


@functools.cache
def snapshot(name: str) -> filterlib.ExchangeInfo:
    if name == "shipped":
        return INFO
    return filterlib.load_exchange_info(ROOT / "fixtures" / "snapshots" / name)


def _scale(text: str, factor: Fraction, places: int) -> str:
    value = Decimal(text) * Decimal(factor.numerator) / Decimal(factor.denominator)
    return format(value.quantize(Decimal(1).scaleb(-places)), "f")


factors = st.one_of(
    st.just(Fraction(1)),
    st.fractions(min_value=Fraction(1, 100), max_value=Fraction(100), max_denominator=1000),
)


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_repair_passes_or_explains_is_idempotent_and_safe(name: str) -> None:
    info = snapshot(name)

    @settings(max_examples=40, deadline=None, database=None)
    @given(
        order=S.valid_orders(info, endpoint=TEST),
        price_factor=factors,
        quantity_factor=factors,
        places=st.integers(min_value=0, max_value=12),
        raise_min=st.booleans(),
    )
    def run(
        order: S.GeneratedOrder,
        price_factor: Fraction,
        quantity_factor: Fraction,
        places: int,
        raise_min: bool,
    ) -> None:
        params = dict(order.params)
        for key, factor in (("price", price_factor), ("quantity", quantity_factor)):
            if key in params:
                params[key] = _scale(params[key], factor, places)
        # Only the market prices: repair does not move balances or open orders.
        context = {k: v for k, v in order.context.items() if k in ("avgPrice", "referencePrice")}
        fixed = repair(info, params, context=context, raise_to_min_notional=raise_min)
        if fixed.impossible is not None:
            assert fixed.params == params
            assert not fixed.changes
            return
        verdict = filterlib.check(info, fixed.params, endpoint=TEST, context=context)
        assert verdict.ok, (params, fixed, verdict.violations)
        for key in ("symbol", "side", "type"):
            assert fixed.params[key] == params[key]
        # A BUY never pays more, a SELL never gets less.
        if "price" in params and Decimal(params["price"]) > 0:
            old, new = Decimal(params["price"]), Decimal(fixed.params["price"])
            assert new <= old if params["side"] == "BUY" else new >= old
        for change in fixed.changes:
            assert change.new is not None
            assert "E" not in change.new.upper()
        again = repair(info, fixed.params, context=context, raise_to_min_notional=raise_min)
        assert again == Repair(fixed.params), "repair is not idempotent"

    run()


def order(**params: str) -> dict[str, str]:
    return {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.01",
        "price": "30000.00",
        **params,
    }


def test_a_buy_price_rounds_down_and_a_sell_price_up() -> None:
    assert repair(INFO, order(price="30000.129")).params["price"] == "30000.12"
    assert repair(INFO, order(side="SELL", price="30000.121")).params["price"] == "30000.13"
    assert repair(INFO, order(price="30000.125"), round_price="nearest").params["price"] == (
        "30000.12"
    )
    assert repair(INFO, order(price="30000.121"), round_price="up").params["price"] == "30000.13"


def test_quantity_rounds_down_to_the_step_by_default() -> None:
    fixed = repair(INFO, order(quantity="0.0123456"))
    assert fixed.params["quantity"] == "0.01234"
    assert fixed.changes == (Change("quantity", "0.0123456", "0.01234", "onto the step"),)
    assert repair(INFO, order(quantity="0.0123456"), quantity="up").params["quantity"] == "0.01235"


def test_exponents_and_floats_become_plain_wire_strings() -> None:
    tiny = repair(INFO, {**order(), "quantity": 1e-5}, raise_to_min_notional=True)
    assert tiny.changes[0] == Change("quantity", "1e-05", "0.00034", "up to the minimum notional")
    fixed = repair(INFO, {**order(), "quantity": 1e-3, "price": Decimal("3.0000001E+4")})
    assert fixed.ok
    assert fixed.params["quantity"] == "0.001"
    assert fixed.params["price"] == "30000.00"
    assert filterlib.check(INFO, fixed.params).ok


def test_the_minimum_notional_is_met_only_when_allowed() -> None:
    small = order(quantity="0.0001")  # 3 USDT, below the 10 USDT minimum
    refused = repair(INFO, small)
    assert refused.impossible is not None
    assert "raise_to_min_notional" in refused.impossible
    raised = repair(INFO, small, raise_to_min_notional=True)
    assert raised.params["quantity"] == "0.00034"
    assert filterlib.check(INFO, raised.params).ok


def test_no_valid_order_when_the_minimum_notional_needs_more_than_max_qty() -> None:
    info = build_info(
        filters={
            "LOT_SIZE": {"minQty": "0.001", "maxQty": "1", "stepSize": "0.001"},
            "NOTIONAL": {
                "minNotional": "1000",
                "applyMinToMarket": True,
                "maxNotional": "0",
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
        }
    )
    params = {
        "symbol": "TSTUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.5",
        "price": "100.00",
    }
    fixed = repair(info, params, raise_to_min_notional=True)
    assert fixed.impossible is not None
    assert "above the maximum 1" in fixed.impossible
    assert fixed.params == params


def test_a_safe_buy_is_never_raised_to_the_minimum_price() -> None:
    fixed = repair(INFO, order(price="0.001"))
    assert fixed.impossible is not None
    assert "pays more" in fixed.impossible
    raised = repair(INFO, order(price="0.001", quantity="1000"), round_price="up")
    assert raised.params["price"] == "0.01"


def test_iceberg_parts_are_respected() -> None:
    fixed = repair(INFO, order(quantity="1", icebergQty="0.01"))
    assert fixed.ok
    assert fixed.params["icebergQty"] == "0.10000"  # ICEBERG_PARTS limit 10
    assert filterlib.check(INFO, fixed.params).ok


def test_symbol_side_and_type_never_change() -> None:
    assert repair(INFO, order(symbol="NOPE")).impossible is not None
    assert repair(INFO, order(side="HOLD")).impossible is not None


# --- the market price: the rules' own -----------------------------------------------------


def test_the_price_band_is_the_one_around_the_reference_price() -> None:
    # BTCUSDT's band is x0.2..x5 of the market price, the reference price when the symbol has
    # one: 6200..155000 around 31000, where the average price's 6000 would still be in.
    context = {"referencePrice": "31000.00", "avgPrice": "30000.00"}
    sell = order(side="SELL", price="6000.00", quantity="0.01000")
    assert filterlib.check(INFO, sell, context={"avgPrice": "30000.00"}).ok
    assert not filterlib.check(INFO, sell, context=context).ok
    fixed = repair(INFO, sell, context=context)
    assert fixed.ok, fixed.impossible
    assert fixed.params["price"] == "6200.00"
    assert filterlib.check(INFO, fixed.params, context=context).ok
    buy = repair(INFO, order(price="160000.00", quantity="0.00100"), context=context)
    assert buy.params["price"] == "155000.00"
    assert filterlib.check(INFO, buy.params, context=context).ok


#: A minimum notional of 100 judged at the 5-minute average price, beside a price band judged
#: at the last price (avgPriceMins 0): two market prices, each rule reading its own.
TWO_PRICES = build_info(
    filters={
        "NOTIONAL": {
            "minNotional": "100",
            "applyMinToMarket": True,
            "maxNotional": "0",
            "applyMaxToMarket": False,
            "avgPriceMins": 5,
        },
        "PERCENT_PRICE": {"multiplierUp": "5", "multiplierDown": "0.2", "avgPriceMins": 0},
    }
)


@pytest.mark.parametrize(
    ("context", "quantity"),
    [
        ({"avgPrice": "50", "lastPrice": "200"}, "2.000"),  # 100 / 50, the average price
        ({"avgPrice": "200", "lastPrice": "50"}, "0.500"),  # 100 / 200
        ({"referencePrice": "40", "avgPrice": "200", "lastPrice": "50"}, "2.500"),  # 100 / 40
    ],
)
def test_a_market_order_meets_the_notional_at_the_price_the_rule_reads(
    context: dict[str, str], quantity: str
) -> None:
    params = {"symbol": "TSTUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.1"}
    fixed = repair(TWO_PRICES, params, context=context, raise_to_min_notional=True)
    assert fixed.ok, fixed.impossible
    assert fixed.params["quantity"] == quantity
    assert filterlib.check(TWO_PRICES, fixed.params, context=context).ok


# --- what repair does not change, and pegged orders ------------------------------------------

PEGGED_2026 = filterlib.load_exchange_info(
    ROOT / "fixtures" / "snapshots" / "spot_4symbols_2026-09-25_ai-trade-agent.json"
)
BOOK = {"bidPrice": "30000.00", "askPrice": "30000.01"}


def test_a_rejection_repair_does_not_mend_is_said() -> None:
    # A LIMIT order without timeInForce: repair changes no parameter a type needs.
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.001"}
    result = repair(INFO, {**params, "price": "30000.00"})
    assert not result.ok
    assert result.impossible is not None
    assert result.impossible.startswith(
        "still rejected: -1102 Mandatory parameter 'timeInForce' was not sent"
    )
    assert result.changes == ()


def test_a_pegged_order_meets_the_notional_at_its_pegged_price() -> None:
    # 0.0001 at the best bid 30000.00 is 3, below NOTIONAL's 5: the quantity that meets it
    # at that price is 0.00017 (5 / 30000 = 0.0001666..., up to the 0.00001 step).
    params = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.00010",
        "pegPriceType": "PRIMARY_PEG",
    }
    assert not repair(PEGGED_2026, params, context=BOOK).ok
    result = repair(PEGGED_2026, params, context=BOOK, raise_to_min_notional=True)
    assert result.ok, result.impossible
    assert result.params["quantity"] == "0.00017"
    assert "price" not in result.params  # the peg is kept, no price is invented
    assert filterlib.check(PEGGED_2026, result.params, context=BOOK).ok


def test_a_pegged_order_with_a_price_meets_the_notional_at_both() -> None:
    # price 10000.00 is below the pegged 30000.00: the minimum is met at the lower of the two,
    # 5 / 10000 = 0.0005.
    params = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.00010",
        "price": "10000.00",
        "pegPriceType": "PRIMARY_PEG",
    }
    result = repair(PEGGED_2026, params, context=BOOK, raise_to_min_notional=True)
    assert result.ok, result.impossible
    assert result.params["quantity"] == "0.00050"
    assert filterlib.check(PEGGED_2026, result.params, context=BOOK).ok


def test_a_peg_the_order_type_cannot_take_is_said() -> None:
    params = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "MARKET",
        "quantity": "0.00100",
        "pegPriceType": "PRIMARY_PEG",
    }
    result = repair(PEGGED_2026, params, context=BOOK)
    assert result.impossible == (
        "still rejected: -1013 This order type may not use pegged price. "
        "(peg_order_type: a MARKET order cannot be pegged)"
    )
