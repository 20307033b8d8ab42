"""``filterlib explain``'s walk: which rules it treats as concerning an endpoint.

The walk's n/a comes from the catalogue's endpoint scopes (``Rule.endpoints``) and the endpoint
specs. What the engine actually finds on each endpoint, over the conformance cases, must never be
n/a there, so a rule or endpoint added without its scope shows up here.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterable, Iterator, Mapping
from types import CodeType, FrameType
from typing import Any

import attrs
import pytest
from test_conformance import CASES, as_of, snapshot

import filterlib
import filterlib.explain
from filterlib._context import as_context
from filterlib._endpoints import ENDPOINTS
from filterlib._rules import registry
from filterlib.catalogue import RULES, rule
from filterlib.cli import explain as cli_explain
from filterlib.explain import applicable_rules

INFO = filterlib.load_default_exchange_info()


def _found_on_endpoints() -> Iterator[tuple[str, str, str, str]]:
    """(case, endpoint, symbol, rule) for every rule the engine finds in a conformance case."""
    for key, case in CASES:
        info = snapshot(case["snapshot"])
        endpoint = case.get("endpoint", "/api/v3/order")
        symbol = case["params"].get("symbol")
        if not isinstance(symbol, str) or info.symbol(symbol) is None:
            continue  # no symbol to explain
        verdict = filterlib.check(
            info, case["params"], endpoint=endpoint, context=case.get("context"), as_of=as_of(case)
        )
        for rule_id in [v.rule for v in verdict.violations] + [u.rule for u in verdict.unchecked]:
            yield key, endpoint, symbol, rule_id


FOUND = list(_found_on_endpoints())
CATALOGUE_IDS = {r.id for r in RULES}


def _missing_from_view(found: Iterable[tuple[str, str, str, str]]) -> list[tuple[str, str, str]]:
    """The findings whose rule explain would show as n/a on their endpoint."""
    missing = []
    for key, endpoint, name, rule_id in found:
        if rule_id not in CATALOGUE_IDS:
            continue  # an unknown filter type: listed after the walk, never n/a
        info = snapshot(next(c for k, c in CASES if k == key)["snapshot"])
        symbol = info.symbol(name)
        assert symbol is not None
        if rule_id not in {r.id for r in applicable_rules(info, symbol, endpoint)}:
            missing.append((key, endpoint, rule_id))
    return missing


def test_the_corpus_reaches_every_endpoint_and_every_scoped_rule() -> None:
    assert {endpoint for _, endpoint, _, _ in FOUND} == set(ENDPOINTS)
    scoped = {r.id for r in RULES if r.endpoints}
    assert scoped <= {rule_id for *_, rule_id in FOUND}


def test_every_rule_the_engine_finds_is_in_explains_view_of_that_endpoint() -> None:
    assert _missing_from_view(FOUND) == []


def test_a_rule_scoped_away_from_an_endpoint_it_fires_on_is_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The check above must fail when the catalogue forgets an endpoint: here the OCO placement
    # rule loses the OTOCO endpoint, whose pending pair it also judges.
    narrowed = tuple(
        attrs.evolve(r, endpoints=("oco",)) if r.id == "oco_limit_above" else r for r in RULES
    )
    monkeypatch.setattr(filterlib.explain, "RULES", narrowed)
    missing = _missing_from_view(FOUND)
    assert missing
    assert {(endpoint, rule_id) for _, endpoint, rule_id in missing} == {
        ("/api/v3/orderList/otoco", "oco_limit_above"),
        ("/api/v3/orderList/opoco", "oco_limit_above"),
    }


def _walk(
    endpoint: str, *params: str, symbol: str = "BTCUSDT", as_of: object = "latest"
) -> dict[str, str]:
    """explain's walk as {rule: status}: what a user reads after the symbol's summary (by
    today's rules unless ``as_of`` says otherwise: the shipped snapshot predates the amend)."""
    args = argparse.Namespace(
        exchange_info=None,
        symbol=symbol,
        params=list(params),
        endpoint=endpoint,
        context=None,
        as_of=as_of,
    )
    out, err = io.StringIO(), io.StringIO()
    assert cli_explain.run(args, out, err) in (0, 1), err.getvalue()
    walk = out.getvalue().split("\n\n")[-1].splitlines()
    status: dict[str, str] = {}
    for line in walk:
        word, rest = line.split(maxsplit=1)
        rule_id = rest.split(":")[0].split(" [")[0].split(" (")[0]
        assert status.get(rule_id, word) == word, line  # only a rule's FAILs repeat
        status[rule_id] = word
    assert list(status) == [r.id for r in RULES]  # every rule, in evaluation order
    return status


def test_the_walk_on_the_snapshots_day_shows_later_rules_as_na_with_their_period() -> None:
    out, err = io.StringIO(), io.StringIO()
    args = argparse.Namespace(
        exchange_info=None,
        symbol="BTCUSDT",
        params=["side=BUY", "type=LIMIT", "timeInForce=GTC", "quantity=0.001", "price=30000"],
        endpoint="/api/v3/order",
        context=None,
        as_of=None,  # the shipped snapshot's own day, 2023-08-13
    )
    assert cli_explain.run(args, out, err) == 0, err.getvalue()
    walk = out.getvalue().splitlines()
    assert "n/a       peg_liquidity (Binance applied it from 2025-08-28)" in walk
    assert "n/a       max_asset (Binance applied it from 2025-09-29)" in walk
    args.as_of = "latest"
    out = io.StringIO()
    assert cli_explain.run(args, out, err) == 0, err.getvalue()
    assert "unchecked max_asset: needs myFilters" in out.getvalue().splitlines()


def test_explain_of_an_endpoint_the_snapshots_day_lacks_says_so() -> None:
    out, err = io.StringIO(), io.StringIO()
    args = argparse.Namespace(
        exchange_info=None,
        symbol="BTCUSDT",
        params=["newQty=0.001", "orderId=1"],
        endpoint="/api/v3/order/amend/keepPriority",
        context=None,
        as_of=None,
    )
    assert cli_explain.run(args, out, err) == 2
    assert err.getvalue() == (
        "filterlib: /api/v3/order/amend/keepPriority did not exist on 2023-08-13 (Binance added "
        "it on 2025-04-24)\n"
    )


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_the_walk_shows_na_exactly_for_the_rules_outside_the_view(endpoint: str) -> None:
    status = _walk(endpoint, "side=BUY")
    symbol = INFO.symbol("BTCUSDT")
    assert symbol is not None
    view = {r.id for r in applicable_rules(INFO, symbol, endpoint)}
    assert set(status) == CATALOGUE_IDS
    assert {rid for rid, word in status.items() if word == "n/a"} == CATALOGUE_IDS - view


def test_rules_of_other_endpoints_are_na() -> None:
    # Before the scopes came from the catalogue, the order-list rules showed "pass" on a
    # cancel-replace and an amend, and the OCO rules on an OTO.
    replace = _walk("/api/v3/order/cancelReplace", "side=BUY", "type=LIMIT")
    assert replace["oco_order_type"] == "n/a"
    assert replace["list_iceberg_time_in_force"] == "n/a"
    assert replace["invalid_cancel_restrictions"] == "pass"
    assert replace["iceberg_time_in_force"] == "pass"
    amend = _walk("/api/v3/order/amend/keepPriority", "newQty=0.001", "orderId=1")
    assert amend["oco_contingent"] == "n/a"
    assert amend["iceberg_time_in_force"] == "n/a"
    assert amend["amend_not_supported"] == "FAIL"  # BTCUSDT does not allow amend
    assert amend["amend_unknown_order"] == "unchecked"
    oto = _walk("/api/v3/orderList/oto", "workingType=LIMIT")
    assert oto["oco_limit_below"] == "n/a"
    assert oto["oco_not_supported"] == "n/a"
    assert oto["oto_not_supported"] == "FAIL"  # BTCUSDT does not allow OTO
    assert oto["working_order_type"] == "pass"
    otoco = _walk("/api/v3/orderList/otoco", "workingType=LIMIT")
    assert otoco["oco_price_relationship"] == "n/a"  # the pair is pending: no market to clear
    assert otoco["oco_limit_below"] == "pass"
    new_oco = _walk("/api/v3/orderList/oco", "aboveType=LIMIT_MAKER")
    assert new_oco["oco_price_order"] == "n/a"
    assert new_oco["oco_stop_limit_time_in_force"] == "n/a"
    assert new_oco["working_order_type"] == "n/a"
    old_oco = _walk("/api/v3/order/oco", "price=31000")
    assert old_oco["oco_price_order"] == "pass"
    assert old_oco["oco_stop_limit_time_in_force"] == "pass"


def test_engine_rules_are_na_on_the_test_endpoints_and_filters_the_symbol_lacks() -> None:
    test = _walk("/api/v3/order/test", "side=BUY")
    for r in RULES:
        if r.stage == "engine":
            assert test[r.id] == "n/a", r.id
    order = _walk("/api/v3/order", "side=BUY")
    assert order["account_cannot_trade"] == "unchecked"
    assert order["PERCENT_PRICE"] == "n/a"  # BTCUSDT has PERCENT_PRICE_BY_SIDE instead
    assert rule("PERCENT_PRICE").applies_to(ENDPOINTS["/api/v3/order"])  # n/a for the symbol


#: The rules of a new order that the engine never runs on an amend (it judges only newQty).
NOT_ON_AN_AMEND = (
    "order_type_not_supported",
    "iceberg_not_supported",
    "quote_order_qty_not_supported",
    "trailing_stop_not_supported",
    "PRICE_FILTER",
    "PERCENT_PRICE_BY_SIDE",
    "ICEBERG_PARTS",
    "MARKET_LOT_SIZE",
    "TRAILING_DELTA",
    "iceberg_exceeds_quantity",
    "MAX_NUM_ORDERS",
    "MAX_NUM_ALGO_ORDERS",
    "stop_would_trigger",
    "limit_maker_would_take",
    "insufficient_balance",
    # The request rules of parameters an amend does not take: it sends symbol, orderId,
    # origClientOrderId, newClientOrderId and newQty, no side, type, timeInForce, price,
    # strategyType or enum (newOrderRespType, selfTradePreventionMode).
    "invalid_side",
    "invalid_order_type",
    "invalid_time_in_force",
    "invalid_parameter",
    "parameter_not_required",
    "mandatory_for_type",
    "strategy_type",
    "invalid_price",
)
#: The request rules that do concern an amend: they read the parameters it sends.
ON_AN_AMEND = (
    "empty_parameter",
    "mandatory_parameter",
    "unread_parameters",
    "illegal_characters",
    "parameter_overflow",
    "mandatory_one_of",
    "recv_window",
    "unknown_symbol",
    "too_much_precision",
    "invalid_quantity",
)


def test_an_amend_shows_na_for_the_rules_never_run_on_it() -> None:
    # These showed "pass" on an amend though the engine never evaluated them. BTCUSDT has every
    # filter named above, so n/a here is the endpoint's scope, not a missing filter.
    symbol = INFO.symbol("BTCUSDT")
    assert symbol is not None
    has = {f.filter_type for f in symbol.filters}
    assert {"PRICE_FILTER", "TRAILING_DELTA", "MAX_NUM_ORDERS", "ICEBERG_PARTS"} <= has
    amend = _walk("/api/v3/order/amend/keepPriority", "newQty=0.001", "orderId=1")
    assert {rid: amend[rid] for rid in NOT_ON_AN_AMEND} == dict.fromkeys(NOT_ON_AN_AMEND, "n/a")
    assert {rid: amend[rid] for rid in ON_AN_AMEND} == dict.fromkeys(ON_AN_AMEND, "pass")
    assert amend["LOT_SIZE"] == "pass"  # on newQty
    assert amend["NOTIONAL"] == "pass"
    assert amend["amend_market_closed"] == "pass"
    assert amend["market_closed"] == "n/a"
    assert amend["account_cannot_trade"] == "unchecked"
    # The same rules still concern an order, and a failing newQty still fails LOT_SIZE.
    order = _walk("/api/v3/order", "side=BUY", "type=LIMIT")
    assert [rid for rid in NOT_ON_AN_AMEND if order[rid] == "n/a"] == []
    bad = _walk("/api/v3/order/amend/keepPriority", "newQty=0.000001", "orderId=1")
    assert bad["LOT_SIZE"] == "FAIL"
    zero = _walk("/api/v3/order/amend/keepPriority", "newQty=0", "orderId=1")
    assert zero["invalid_quantity"] == "FAIL"  # a request rule on newQty


#: The rules of an OCO pair's sent leg types and of which leg holds which order: the deprecated
#: OCO sends no type and no above/below pair (its limit and stop legs' types are implied).
NOT_ON_THE_DEPRECATED_OCO = (
    "invalid_order_type",
    "oco_order_type",
    "oco_limit_below",
    "oco_limit_above",
    "oco_contingent",
    "oco_stop_loss_above",
    "oco_stop_loss_below",
    "oco_take_profit_below",
    "oco_take_profit_above",
)


def test_the_deprecated_oco_shows_na_for_the_rules_of_sent_leg_types() -> None:
    # These showed "pass" on /api/v3/order/oco though nothing it sends can break them.
    old_oco = _walk(
        "/api/v3/order/oco",
        "side=SELL",
        "quantity=0.001",
        "price=31000",
        "stopPrice=29000",
        "stopLimitPrice=28900",
        "stopLimitTimeInForce=GTC",
    )
    assert {rid: old_oco[rid] for rid in NOT_ON_THE_DEPRECATED_OCO} == dict.fromkeys(
        NOT_ON_THE_DEPRECATED_OCO, "n/a"
    )
    # The deprecated OCO's own rules and the OCO rules it does concern are still walked.
    for rid in ("oco_price_order", "oco_stop_limit_time_in_force", "oco_not_supported"):
        assert old_oco[rid] == "pass", rid
    assert old_oco["invalid_side"] == "pass"
    # The same rules concern the new OCO, which sends aboveType and belowType.
    new_oco = _walk(
        "/api/v3/orderList/oco",
        "side=SELL",
        "quantity=0.001",
        "aboveType=LIMIT_MAKER",
        "abovePrice=31000",
        "belowType=STOP_LOSS",
        "belowStopPrice=29000",
    )
    assert [rid for rid in NOT_ON_THE_DEPRECATED_OCO if new_oco[rid] == "n/a"] == []
    wrong = _walk(
        "/api/v3/orderList/oco", "side=SELL", "aboveType=STOP_LOSS", "belowType=LIMIT_MAKER"
    )
    assert wrong["oco_stop_loss_below"] == "FAIL"


def _code_of(check: object) -> CodeType:
    code = getattr(check, "__code__", None)
    assert isinstance(code, CodeType), check
    return code


#: The engine's per-endpoint rule families: each check function's code -> its catalogue rule.
FAMILIES: Mapping[CodeType, str] = {
    _code_of(c): rule_id
    for family in (
        registry.REQUEST_SYMBOL_RULES,
        registry.CAPABILITY_RULES,
        registry.LEG_SYMBOL_RULES,
        registry.AMEND_RULES,
        registry.REQUEST_ENGINE_RULES,
        registry.LEG_ENGINE_RULES,
        registry.FILTER_RULES,
        registry.COUNT_RULES,
    )
    for rule_id, c in family.items()
}


def _run_traced(
    info: filterlib.ExchangeInfo, params: Any, endpoint: str, context: Any, as_of: Any = None
) -> tuple[filterlib.Verdict, set[str]]:
    """The verdict, and the rules of FAMILIES whose check functions the engine really ran
    (seen by a profiler, so independent of how the engine picks them)."""
    ran: set[str] = set()

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call":
            rule_id = FAMILIES.get(frame.f_code)
            if rule_id is not None:
                ran.add(rule_id)

    # A Context, not a dict: the fast path (plain dicts only) would answer some orders itself.
    ctx = as_context(context)
    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        verdict = filterlib.check(info, params, endpoint=endpoint, context=ctx, as_of=as_of)
    finally:
        sys.setprofile(previous)
    return verdict, ran


def test_the_engine_runs_on_each_endpoint_exactly_the_rules_the_catalogue_scopes_to_it() -> None:
    # One source of truth for explain and the engine: over the conformance cases, every rule
    # reported on an endpoint is in the catalogue's scope for it, and the rule checks the engine
    # runs there are exactly the catalogue's (less the filters no case's snapshot has). Before
    # the engine read the scopes, an amend ran no leg rule, no price filter and no count while
    # the catalogue (and so explain) said they applied.
    ran: dict[str, set[str]] = {path: set() for path in ENDPOINTS}
    reported: dict[str, set[str]] = {path: set() for path in ENDPOINTS}
    present: dict[str, set[str]] = {path: set() for path in ENDPOINTS}
    for _, case in CASES:
        info = snapshot(case["snapshot"])
        path = case.get("endpoint", "/api/v3/order")
        symbol = info.symbol(case["params"].get("symbol"))
        if symbol is None:
            continue  # rejected before any rule of the symbol runs
        verdict, checks = _run_traced(info, case["params"], path, case.get("context"), as_of(case))
        ran[path] |= checks
        reported[path] |= {v.rule for v in verdict.violations}
        reported[path] |= {u.rule for u in verdict.unchecked}
        present[path] |= {f.filter_type for f in (*symbol.filters, *info.exchange_filters)}
    filter_ids = set(registry.FILTER_RULES) | set(registry.COUNT_RULES)
    for path, endpoint in ENDPOINTS.items():
        scope = {r.id for r in RULES if r.applies_to(endpoint)}
        assert (path, (reported[path] & CATALOGUE_IDS) - scope) == (path, set())
        expected = {
            rule_id
            for rule_id in FAMILIES.values()
            if rule_id in scope and (rule_id not in filter_ids or rule_id in present[path])
        }
        assert expected, path  # the corpus reaches the endpoint's rule checks
        assert (path, ran[path] - expected, expected - ran[path]) == (path, set(), set())
