"""Order-list strategies and the engine check each other (issue 6, order lists).

``valid_order_lists`` and ``invalid_order_lists`` build OCO, OTO and OTOCO lists by
construction, never calling the engine; every valid list must pass ``filterlib.check`` and every
one-rule break must get exactly its error, with that rule first and on the leg it was built on.
Run on the shipped snapshot, the 2024-09 snapshot (the first with otoAllowed) and the synthetic
one with every order type and flag. Budgets are fixed and small so the file stays fast.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import given, settings

import filterlib
from filterlib import strategies as S
from filterlib._endpoints import ENDPOINTS
from filterlib.catalogue import rule

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = {
    "shipped": None,
    "davijr-2024": ROOT / "fixtures" / "snapshots" / "spot_trading_only_2024-09-08_davijr.json.gz",
    "synthetic": ROOT / "fixtures" / "snapshots" / "synthetic_lists.json",
    # The only one whose day has OPO and OPOCO (2025-12-02).
    "real-2026": ROOT / "fixtures" / "snapshots" / "spot_4symbols_2026-09-25_ai-trade-agent.json",
}
#: A few symbols per real snapshot keep the first-draw cost of each symbol low.
SYMBOLS = {"shipped": "BTCUSDT", "davijr-2024": "ETHBTC", "synthetic": None, "real-2026": "BTCUSDT"}
#: The OPO and OPOCO rules need a snapshot of 2025-12-02 or later.
OPO_RULES = ("opo_working_side", "opo_pending_side")


@functools.cache
def snapshot(name: str) -> filterlib.ExchangeInfo:
    path = SNAPSHOTS[name]
    return (
        filterlib.load_default_exchange_info()
        if path is None
        else filterlib.load_exchange_info(path)
    )


def _available(name: str, endpoint: str) -> bool:
    try:
        S.valid_order_lists(snapshot(name), endpoint, SYMBOLS[name])
    except S.NoValidOrder:
        return False
    return True


@pytest.mark.parametrize("endpoint", S.LIST_ENDPOINTS)
@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_every_generated_valid_list_passes(name: str, endpoint: str) -> None:
    info = snapshot(name)
    if not _available(name, endpoint):
        pytest.skip(f"no symbol of {name} takes {endpoint}")

    @settings(max_examples=25, deadline=None, database=None)
    @given(order=S.valid_order_lists(info, endpoint, SYMBOLS[name]))
    def run(order: S.GeneratedOrder) -> None:
        verdict = filterlib.check(info, order.params, endpoint=endpoint, context=order.context)
        assert verdict.ok, (order, verdict.violations)
        for u in verdict.unchecked:  # the context is complete
            assert not u.needs, (order.params, u)

    run()


def test_valid_lists_cover_every_shape() -> None:
    info = snapshot("synthetic")
    seen: set[tuple[str, ...]] = set()

    # Derandomized: this asserts what was drawn, so it must not depend on the run's seed (an
    # unseeded run of 200 missed SELL LIMIT_MAKER/STOP_LOSS_LIMIT under 10 of 40 seeds,
    # @seed(19) for one: the first examples favour the simplest plans). 400 draws see all 12
    # shapes under every seed tried (30 of 30), so another hypothesis version's sequence keeps
    # a wide margin too.
    @settings(max_examples=400, deadline=None, database=None, derandomize=True)
    @given(order=S.valid_order_lists(info, "/api/v3/orderList/oco", "LISTUSDT"))
    def run(order: S.GeneratedOrder) -> None:
        p = order.params
        seen.add((p["side"], p["aboveType"], p["belowType"]))

    run()
    assert ("SELL", "LIMIT_MAKER", "STOP_LOSS_LIMIT") in seen
    assert ("BUY", "STOP_LOSS", "LIMIT_MAKER") in seen
    assert len(seen) >= 8


CASES = [
    (name, endpoint, rule_id)
    for name in sorted(SNAPSHOTS)
    for endpoint in S.LIST_ENDPOINTS
    for rule_id in S.LIST_BREAKABLE_RULES
]


@pytest.mark.parametrize(("name", "endpoint", "rule_id"), CASES)
def test_every_broken_list_gets_exactly_its_error(name: str, endpoint: str, rule_id: str) -> None:
    info = snapshot(name)
    try:
        strategy = S.invalid_order_lists(info, endpoint, rule_id, SYMBOLS[name])
    except S.CannotBreak:
        pytest.skip(f"{rule_id} cannot be broken alone on {name} at {endpoint}")
    leg_names = {leg.name: leg for leg in ENDPOINTS[endpoint].legs}

    @settings(max_examples=5, deadline=None, database=None)
    @given(order=strategy)
    def run(order: S.GeneratedOrder) -> None:
        verdict = filterlib.check(info, order.params, endpoint=endpoint, context=order.context)
        assert verdict.error == order.error, (order, verdict.violations)
        assert [v.rule for v in verdict.violations] == [rule_id], (order, verdict.violations)
        assert verdict.error is not None
        assert verdict.error.code == rule(rule_id).code
        first = verdict.violations[0]
        if order.leg is not None:
            # A parameter two legs share fails once, under either leg's name.
            spelled = first.parameter in leg_names[order.leg].names.values()
            assert first.leg == order.leg or spelled, (order, verdict.violations)

    run()


def test_the_synthetic_snapshot_breaks_every_rule_somewhere() -> None:
    info = snapshot("synthetic")
    for rule_id in S.LIST_BREAKABLE_RULES:
        if rule_id in ("PERCENT_PRICE", "MIN_NOTIONAL"):  # filters the synthetic symbols lack
            continue
        if rule_id in OPO_RULES:  # the synthetic snapshot's day (2023) has no OPO
            continue
        assert any(_breakable(info, e, rule_id) for e in S.LIST_ENDPOINTS), rule_id


def test_the_opo_rules_break_on_a_2026_snapshot() -> None:
    info = snapshot("real-2026")
    for rule_id in OPO_RULES:
        for endpoint in ("/api/v3/orderList/opo", "/api/v3/orderList/opoco"):
            S.invalid_order_lists(info, endpoint, rule_id, "BTCUSDT")  # no CannotBreak
    for endpoint in ("/api/v3/orderList/opo", "/api/v3/orderList/opoco"):
        with pytest.raises(S.NoValidOrder):  # the endpoint did not exist on the snapshot's day
            S.valid_order_lists(snapshot("synthetic"), endpoint)


def _breakable(info: filterlib.ExchangeInfo, endpoint: str, rule_id: str) -> bool:
    try:
        S.invalid_order_lists(info, endpoint, rule_id, "LISTUSDT")
    except S.CannotBreak:
        return False
    return True


def test_arguments_are_checked() -> None:
    info = snapshot("synthetic")
    with pytest.raises(ValueError, match="endpoint"):
        S.valid_order_lists(info, "/api/v3/order")
    with pytest.raises(ValueError, match="not a rule"):
        S.invalid_order_lists(info, "/api/v3/orderList/oco", "no_such_rule")
    with pytest.raises(S.CannotBreak):
        S.invalid_order_lists(info, "/api/v3/orderList/oto", "oco_price_relationship")
