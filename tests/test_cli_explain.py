"""``filterlib explain``'s walk: which rules it treats as concerning an endpoint.

The walk's n/a comes from the catalogue's endpoint scopes (``Rule.endpoints``) and the endpoint
specs. What the engine actually finds on each endpoint, over the conformance cases, must never be
n/a there, so a rule or endpoint added without its scope shows up here.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterable, Iterator

import attrs
import pytest
from test_conformance import CASES, snapshot

import filterlib
from filterlib import cli_explain
from filterlib.catalogue import RULES, rule
from filterlib.cli_explain import applicable_rules
from filterlib.endpoints import ENDPOINTS

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
            info, case["params"], endpoint=endpoint, context=case.get("context")
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
    monkeypatch.setattr(cli_explain, "RULES", narrowed)
    missing = _missing_from_view(FOUND)
    assert missing
    assert {(endpoint, rule_id) for _, endpoint, rule_id in missing} == {
        ("/api/v3/orderList/otoco", "oco_limit_above")
    }


def _walk(endpoint: str, *params: str, symbol: str = "BTCUSDT") -> dict[str, str]:
    """explain's walk as {rule: status}: what a user reads after the symbol's summary."""
    args = argparse.Namespace(
        exchange_info=None, symbol=symbol, params=list(params), endpoint=endpoint, context=None
    )
    out, err = io.StringIO(), io.StringIO()
    assert cli_explain.run(args, out, err) in (0, 1), err.getvalue()
    walk = out.getvalue().split("\n\n")[-1].splitlines()
    status: dict[str, str] = {}
    for line in walk:
        word, rest = line.split(maxsplit=1)
        rule_id = rest.split(":")[0].split(" [")[0]
        assert status.get(rule_id, word) == word, line  # only a rule's FAILs repeat
        status[rule_id] = word
    assert list(status) == [r.id for r in RULES]  # every rule, in evaluation order
    return status


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
    assert rule("PERCENT_PRICE").endpoints == ()
