"""A trading strategy's own tests, with filterlib as the oracle (see docs/testing.md).

``build_order`` and ``on_rejection`` stand for the code under test: a bot's order builder and
its handler for Binance's errors. Run with ``python -m pytest examples/test_my_strategy.py``;
filterlib's pytest plugin provides the ``filterlib_info`` fixture and the assertions.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import filterlib
from filterlib.filters import LotSize, Notional, PriceFilter
from filterlib.pytest_plugin import assert_accepted, assert_rejected
from filterlib.strategies import GeneratedOrder, invalid_orders, valid_orders

INFO = filterlib.load_default_exchange_info()
SYMBOL = "BTCUSDT"


# --- the code under test -------------------------------------------------------------------


def build_order(
    info: filterlib.ExchangeInfo, symbol: str, side: str, price: Decimal, budget: Decimal
) -> dict[str, str] | None:
    """A LIMIT order spending about ``budget`` quote at ``price``; None if it is too small."""
    sym = info.symbols[symbol]
    tick = next(f.tick_size for f in sym.filters if isinstance(f, PriceFilter))
    lot = next(f for f in sym.filters if isinstance(f, LotSize))
    minimum = next(f.min_notional for f in sym.filters if isinstance(f, Notional))
    # A BUY never pays more than asked, a SELL never gets less.
    rounding = ROUND_FLOOR if side == "BUY" else ROUND_CEILING
    price = (price / tick).to_integral_value(rounding=rounding) * tick
    quantity = (budget / price / lot.step_size).to_integral_value(ROUND_FLOOR) * lot.step_size
    quantity = min(quantity, lot.max_qty)
    if quantity < lot.min_qty or price * quantity < minimum:
        return None
    return {
        "symbol": symbol,
        "side": side,
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": format(quantity.normalize(), "f"),
        "price": format(price.normalize(), "f"),
    }


def on_rejection(code: int, msg: str) -> str:
    """What the bot does with a rejection: 'resize', 'reprice' or 'give up'."""
    if msg in ("Filter failure: LOT_SIZE", "Filter failure: NOTIONAL"):
        return "resize"
    if msg in ("Filter failure: PRICE_FILTER", "Filter failure: PERCENT_PRICE_BY_SIDE"):
        return "reprice"
    return "give up"


# --- the tests -----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    market=valid_orders(INFO, SYMBOL, order_types=("LIMIT",)),
    budget=st.decimals(min_value="1", max_value="100000", places=2),
)
def test_built_orders_are_accepted(market: GeneratedOrder, budget: Decimal) -> None:
    # The generated order supplies a realistic price and the market context around it.
    price = Decimal(market.params["price"])
    params = build_order(INFO, SYMBOL, market.params["side"], price, budget)
    if params is None:  # declined: only when the budget cannot reach the 10 USDT minimum
        assert budget < 10 + price * Decimal("0.00001")
        return
    # The market prices of the generated context; the bot's own account is not modelled here.
    context: dict[str, object] = {
        k: market.context[k] for k in ("avgPrice", "lastPrice") if k in market.context
    }
    if "referencePrice" in market.context:
        context["referencePrice"] = market.context["referencePrice"]
    assert_accepted(params, info=INFO, context=context)


@settings(max_examples=20, deadline=None)
@given(order=invalid_orders(INFO, "LOT_SIZE", SYMBOL, order_types=("LIMIT",)))
def test_lot_size_rejections_are_resized(order: GeneratedOrder) -> None:
    assert order.error is not None  # Binance's exact answer for this order
    assert on_rejection(order.error.code, order.error.msg) == "resize"


@settings(max_examples=20, deadline=None)
@given(order=invalid_orders(INFO, "PRICE_FILTER", SYMBOL, order_types=("LIMIT",)))
def test_price_filter_rejections_are_repriced(order: GeneratedOrder) -> None:
    assert order.error is not None
    assert on_rejection(order.error.code, order.error.msg) == "reprice"


def test_a_dust_order_is_rejected(filterlib_info: filterlib.ExchangeInfo) -> None:
    dust = {
        "symbol": SYMBOL,
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.00001",
        "price": "30000.00",
    }
    assert_rejected(dust, code=-1013, msg="Filter failure: NOTIONAL", info=filterlib_info)
