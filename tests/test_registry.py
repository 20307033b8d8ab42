"""The rule registry: every catalogue rule is either registered or found in a named place."""

from __future__ import annotations

import pytest

from filterlib._endpoints import ENDPOINTS
from filterlib._rules import registry
from filterlib.catalogue import RULES, rule

#: Rules with no function of their own, by where they are found instead.
FOUND_ELSEWHERE = {
    # while the wire grammar is read (filterlib._request._parse) or a leg's type is decoded
    "illegal_characters": "grammar",
    "invalid_side": "grammar",
    "invalid_order_type": "grammar",
    "oco_order_type": "grammar",
    "working_order_type": "grammar",
    "sor_order_type": "grammar",
    "invalid_time_in_force": "grammar",
    "invalid_peg_price_type": "grammar",
    "invalid_peg_offset_type": "grammar",
    "invalid_parameter": "grammar",
    "invalid_cancel_restrictions": "grammar",
    "parameter_overflow": "grammar",
    # a leg's missing parameter that names its own rule (Leg.missing_rules)
    "oco_stop_limit_time_in_force": "mandatory_for_type",
    # by a function registered under a sibling rule of the same scope
    "oco_limit_below": "oco_contingent",
    "oco_limit_above": "oco_contingent",
    "oco_stop_loss_above": "oco_contingent",
    "oco_stop_loss_below": "oco_contingent",
    "oco_take_profit_below": "oco_contingent",
    "oco_take_profit_above": "oco_contingent",
    "opo_pending_side": "opo_working_side",
    "cancel_restricted": "cancel_unknown_order",
    # the symbol look-up and the pegged price
    "unknown_symbol": "engine",
    "peg_liquidity": "rules.pegs",
}


def test_every_catalogue_rule_is_registered_or_found_in_a_named_place() -> None:
    ids = {r.id for r in RULES}
    assert set(registry.REGISTRY) <= ids
    assert {r.id for r in RULES if r.id not in registry.REGISTRY} == set(FOUND_ELSEWHERE)


def test_each_registered_rule_has_a_function_of_its_own() -> None:
    # A function registered under two rules would run wherever either applies; one that finds
    # several rules is registered once, its siblings named in FOUND_ELSEWHERE.
    by_function: dict[object, list[str]] = {}
    for rule_id, function in registry.REGISTRY.items():
        by_function.setdefault(function, []).append(rule_id)
    assert [ids for ids in by_function.values() if len(ids) > 1] == []


@pytest.mark.parametrize(
    ("sibling", "registered"),
    [(k, v) for k, v in FOUND_ELSEWHERE.items() if v in registry.REGISTRY],
)
def test_a_function_serves_only_rules_of_its_registered_rules_scope(
    sibling: str, registered: str
) -> None:
    # The engine selects a function by its registered rule's scope: wherever a rule it finds
    # applies, the function must run (a leg's own missing-parameter rule applies on fewer).
    applies = [e.path for e in ENDPOINTS.values() if rule(sibling).applies_to(e)]
    runs = [e.path for e in ENDPOINTS.values() if rule(registered).applies_to(e)]
    assert applies
    assert set(applies) <= set(runs)
    if registered != "mandatory_for_type":
        assert applies == runs  # siblings of one function share its scope


def test_the_families_do_not_overlap() -> None:
    families = [
        registry.PARAMETER_RULES,
        registry.LEG_PARAMETER_RULES,
        registry.SYMBOL_PARAMETER_RULES,
        registry.LIST_RULES,
        registry.REQUEST_SYMBOL_RULES,
        registry.CAPABILITY_RULES,
        registry.LEG_SYMBOL_RULES,
        registry.FILTER_RULES,
        registry.COUNT_RULES,
        registry.AMEND_RULES,
        registry.REQUEST_ENGINE_RULES,
        registry.LEG_ENGINE_RULES,
        registry.LIST_ENGINE_RULES,
    ]
    assert sum(len(f) for f in families) == len(registry.REGISTRY)
    assert set(registry.PENDING_LEG_ENGINE_RULES) < set(registry.LEG_ENGINE_RULES)
