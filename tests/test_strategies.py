"""The strategies and the engine check each other, on every real snapshot and across symbols.

``filterlib.strategies`` encodes the rules on its own (it never calls the engine), so every
generated valid order that the engine rejects, and every one-rule break that the engine reports
differently, is a bug in one of the two. Example budgets are fixed so the suite stays fast.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_info
from hypothesis import given, settings
from hypothesis import strategies as st

import filterlib
from filterlib import strategies as S
from filterlib.catalogue import rule
from filterlib.snapshot import DEFAULT_SNAPSHOT_NAME
from filterlib.strategies.grids import _Simplest
from filterlib.strategies.model import _Plan
from filterlib.strategies.orders import _build

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = [
    "shipped",
    *sorted(
        p.name
        for p in (ROOT / "fixtures" / "snapshots").iterdir()
        if p.name.startswith("spot_") and not p.name.startswith(DEFAULT_SNAPSHOT_NAME)
    ),
]


@functools.cache
def snapshot(name: str) -> filterlib.ExchangeInfo:
    if name == "shipped":
        return filterlib.load_default_exchange_info()
    return filterlib.load_exchange_info(ROOT / "fixtures" / "snapshots" / name)


#: Synthetic symbols for what no real snapshot has: every order type and filter (Binance
#: dropped STOP_LOSS and TAKE_PROFIT from orderTypes), exchange filters, and disabled flags.
FULL = build_info(
    filters={
        "PERCENT_PRICE_BY_SIDE": {
            "bidMultiplierUp": "5",
            "bidMultiplierDown": "0.2",
            "askMultiplierUp": "5",
            "askMultiplierDown": "0.2",
            "avgPriceMins": 5,
        },
        "NOTIONAL": {
            "minNotional": "5",
            "applyMinToMarket": True,
            "maxNotional": "9000000",
            "applyMaxToMarket": False,
            "avgPriceMins": 5,
        },
        "ICEBERG_PARTS": {"limit": 10},
        "MARKET_LOT_SIZE": {"minQty": "0", "maxQty": "500", "stepSize": "0"},
        "TRAILING_DELTA": {
            "minTrailingAboveDelta": 10,
            "maxTrailingAboveDelta": 2000,
            "minTrailingBelowDelta": 10,
            "maxTrailingBelowDelta": 2000,
        },
        "MAX_NUM_ORDERS": {"maxNumOrders": 20},
        "MAX_NUM_ALGO_ORDERS": {"maxNumAlgoOrders": 5},
        "MAX_NUM_ICEBERG_ORDERS": {"maxNumIcebergOrders": 2},
        "MAX_POSITION": {"maxPosition": "900"},
    },
    exchange_filters=[
        {"filterType": "EXCHANGE_MAX_NUM_ORDERS", "maxNumOrders": 60},
        {"filterType": "EXCHANGE_MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 8},
        {"filterType": "EXCHANGE_MAX_NUM_ICEBERG_ORDERS", "maxNumIcebergOrders": 4},
    ],
)
NO_FLAGS = build_info(
    icebergAllowed=False,
    quoteOrderQtyMarketAllowed=False,
    allowTrailingStop=False,
    orderTypes=["LIMIT", "MARKET", "STOP_LOSS_LIMIT"],
)


#: 2026 symbols with each 2025-2026 flag off on one of them (pegInstructionsAllowed ...).
FLAGS_2026 = filterlib.load_exchange_info(
    ROOT / "fixtures" / "snapshots" / "synthetic_2026_flags.json"
)


def infos() -> list[filterlib.ExchangeInfo]:
    return [*(snapshot(n) for n in SNAPSHOTS), FULL, NO_FLAGS, FLAGS_2026]


@functools.cache
def breakable(name: str, endpoint: str) -> tuple[str, ...]:
    found = []
    for r in S.BREAKABLE_RULES:
        try:
            S.invalid_orders(snapshot(name), r, endpoint=endpoint)
        except S.CannotBreak:
            continue
        found.append(r)
    return tuple(found)


# --- valid orders ---------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", S.ENDPOINTS)
@pytest.mark.parametrize("name", SNAPSHOTS)
def test_every_generated_valid_order_passes(name: str, endpoint: str) -> None:
    info = snapshot(name)

    @settings(max_examples=40, deadline=None, database=None)
    @given(order=S.valid_orders(info, endpoint=endpoint))
    def run(order: S.GeneratedOrder) -> None:
        verdict = filterlib.check(info, order.params, endpoint=endpoint, context=order.context)
        assert verdict.ok, (order, verdict.violations)
        # The context is complete: only what no context can settle stays unchecked.
        for u in verdict.unchecked:
            assert not u.needs, (order.params, u)

    run()


@pytest.mark.parametrize("order_type", S.ORDER_TYPES)
def test_each_order_type_is_covered(order_type: str) -> None:
    # Binance dropped STOP_LOSS and TAKE_PROFIT from orderTypes; older snapshots still have them.
    strategy = None
    for info in infos():
        try:
            strategy = S.valid_orders(info, order_types=(order_type,))
        except S.NoValidOrder:
            continue
        break
    assert strategy is not None

    @settings(max_examples=25, deadline=None, database=None)
    @given(order=strategy)
    def run(order: S.GeneratedOrder) -> None:
        assert order.params["type"] == order_type
        assert filterlib.check(info, order.params, context=order.context).ok

    run()


def test_the_simplest_choices_give_the_simplest_order() -> None:
    """Every choice at its simplest (what hypothesis tries first and shrinks toward)."""
    info = snapshot("shipped")
    order = _build(_Simplest(), info, _Plan("BTCUSDT", "LIMIT", "BUY", "/api/v3/order"))
    # BUY, GTC, no optional parameter, minQty at the lowest price that meets the minimum notional
    # (10 USDT), the average price on the band's edge, the balance exactly what the order needs.
    assert order.params == {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.00001",
        "price": "1000000",
    }
    assert order.context["avgPrice"] == "200000"
    account = order.context["account"]
    assert isinstance(account, dict)
    assert {"asset": "USDT", "free": "10", "locked": "0"} in account["balances"]
    assert order.context["openOrders"] == []
    assert filterlib.check(info, order.params, context=order.context).ok


def test_values_never_carry_more_decimals_than_the_asset_allows() -> None:
    info = snapshot("shipped")

    @settings(max_examples=60, deadline=None, database=None)
    @given(order=S.valid_orders(info))
    def run(order: S.GeneratedOrder) -> None:
        sym = info.symbols[order.symbol]
        for name in ("quantity", "icebergQty"):
            if name in order.params:
                assert _places(order.params[name]) <= sym.base_asset_precision
        for name in ("price", "stopPrice", "quoteOrderQty"):
            if name in order.params:
                assert _places(order.params[name]) <= sym.quote_asset_precision
            assert "E" not in order.params.get(name, "").upper()

    run()


def _places(text: str) -> int:
    return len(text) - text.index(".") - 1 if "." in text else 0


def test_a_symbol_with_no_valid_order_is_refused_at_once() -> None:
    info = snapshot("shipped")
    closed = next(n for n, s in info.symbols.items() if s.status != "TRADING")
    with pytest.raises(S.NoValidOrder, match=closed):
        S.valid_orders(info, closed)


# --- one broken rule -----------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", S.ENDPOINTS)
@pytest.mark.parametrize("name", SNAPSHOTS)
def test_every_order_built_to_break_one_rule_gets_exactly_that_error(
    name: str, endpoint: str
) -> None:
    info = snapshot(name)
    rules = breakable(name, endpoint)
    assert len(rules) >= 25  # the request layer alone offers that many

    @settings(max_examples=2 * len(rules), deadline=None, database=None)
    @given(data=st.data(), rule_id=st.sampled_from(rules))
    def run(data: st.DataObject, rule_id: str) -> None:
        order = data.draw(S.invalid_orders(info, rule_id, endpoint=endpoint))
        verdict = filterlib.check(info, order.params, endpoint=endpoint, context=order.context)
        assert verdict.error == order.error, (order, verdict.violations)
        assert [v.rule for v in verdict.violations] == [rule_id], (order, verdict.violations)
        assert verdict.error is not None
        assert verdict.error.code == rule(rule_id).code

    run()


@pytest.mark.parametrize("rule_id", S.BREAKABLE_RULES)
def test_each_rule_breaks_alone_somewhere(rule_id: str) -> None:
    """Every rule invalid_orders knows is breakable on some real snapshot, or on a synthetic one."""
    strategy = None
    for info in infos():
        try:
            strategy = S.invalid_orders(info, rule_id)
        except S.CannotBreak:
            continue
        break
    assert strategy is not None, rule_id

    @settings(max_examples=8, deadline=None, database=None)
    @given(order=strategy)
    def run(order: S.GeneratedOrder) -> None:
        verdict = filterlib.check(info, order.params, context=order.context)
        assert [v.rule for v in verdict.violations] == [rule_id], (order, verdict.violations)
        assert verdict.error == order.error

    run()


def test_a_rule_that_cannot_be_broken_alone_raises_cannot_break() -> None:
    # LOT_SIZE with every part disabled (zero bounds, zero step) admits every quantity.
    info = build_info(filters={"LOT_SIZE": {"minQty": "0", "maxQty": "0", "stepSize": "0"}})
    with pytest.raises(S.CannotBreak, match="LOT_SIZE"):
        S.invalid_orders(info, "LOT_SIZE", "TSTUSDT")
    # The test endpoint never reaches the matching engine.
    with pytest.raises(S.CannotBreak, match="insufficient_balance"):
        S.invalid_orders(info, "insufficient_balance", endpoint="/api/v3/order/test")
    with pytest.raises(ValueError, match="not a rule"):
        S.invalid_orders(info, "NO_SUCH_RULE")


# --- contexts -----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, database=None)
@given(data=st.data())
def test_contexts_let_a_given_order_pass(data: st.DataObject) -> None:
    info = snapshot("shipped")
    order = data.draw(S.valid_orders(info))
    context = data.draw(S.contexts(info, order.params))
    verdict = filterlib.check(info, order.params, context=context)
    assert verdict.ok, (order.params, context, verdict.violations)


def test_contexts_refuses_an_order_no_context_can_save() -> None:
    info = snapshot("shipped")
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "price": "30000.00"}
    assert S.contexts(info, params) is not None
    with pytest.raises(ValueError, match="side"):
        S.contexts(info, {**params, "side": "HOLD"})


# --- independence --------------------------------------------------------------------------


def test_the_strategies_never_call_the_engine() -> None:
    paths = sorted((ROOT / "filterlib" / "strategies").glob("*.py"))
    assert paths
    forbidden = (
        "..engine",
        "filterlib._engine",
        "import engine",
        "check(",
        "..rules",
        "best_match",
    )
    for path in paths:
        source = path.read_text(encoding="utf-8")
        for word in forbidden:
            assert word not in source, (path.name, word)


def test_the_core_and_the_plugin_import_without_hypothesis() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "import filterlib, filterlib.repair, filterlib.pytest_plugin\n"
        "assert 'filterlib.strategies' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
