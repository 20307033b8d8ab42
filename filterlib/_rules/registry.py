"""Catalogue rule id -> the function that checks it: the one table the engine runs from.

As jsonschema's validators map each keyword to its function in one dict, this module maps
each rule of :data:`filterlib.catalogue.RULES` that has a function of its own to it, grouped by
what the function reads (its family: the request's parameters, one leg's, the symbol, a
filter, the account...). The engine selects, per endpoint, the entries whose catalogue rule
``applies_to`` it (:func:`select`), so the catalogue's endpoint scopes are both what
``filterlib explain`` shows and what runs. A function that finds several related rules (the
OCO placement rules, the OPO sides) is registered under the first of them; their scopes are
the same (tests/test_registry.py holds it so).

Rules with no entry are found elsewhere: while the wire grammar is read (-1100, -1108, the
enums, :mod:`filterlib._request`), by the symbol look-up (``unknown_symbol``), by a pegged
order's filters (:mod:`filterlib._rules.pegs`) and by the engine's answer to a cancel-replace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .._context import Context
from .._endpoints import Endpoint
from .._request import Request
from ..catalogue import rule
from ..snapshot import ExchangeInfo, SymbolInfo
from . import account, filters, lists, params, pegs, symbol
from .common import Findings
from .params import LegParameterRule, ParameterRule, SymbolParameterRule

__all__ = [
    "AMEND_RULES",
    "CAPABILITY_RULES",
    "COUNT_RULES",
    "FILTER_RULES",
    "LEG_ENGINE_RULES",
    "LEG_PARAMETER_RULES",
    "LEG_SYMBOL_RULES",
    "LIST_ENGINE_RULES",
    "LIST_RULES",
    "PARAMETER_RULES",
    "PENDING_LEG_ENGINE_RULES",
    "REGISTRY",
    "REQUEST_ENGINE_RULES",
    "REQUEST_SYMBOL_RULES",
    "SYMBOL_PARAMETER_RULES",
    "parameter_rules",
    "select",
]

# --- the request layer (-11xx) ------------------------------------------------------------------

#: Rules of the whole request's parameters (rules.params.Sent).
PARAMETER_RULES: Mapping[str, ParameterRule] = {
    "empty_parameter": params.empty_parameter,
    "mandatory_parameter": params.mandatory_parameter,
    "unread_parameters": params.unread_parameters,
    "strategy_type": params.strategy_type,
    "recv_window": params.recv_window,
    "peg_offset_value": params.peg_offset_value,
}
#: Rules of one leg's parameters under the order type it names.
LEG_PARAMETER_RULES: Mapping[str, LegParameterRule] = {
    "parameter_not_required": params.parameter_not_required,
    "mandatory_for_type": params.mandatory_for_type,
    "peg_offset_together": params.peg_offset_together,
    "peg_order_type": params.peg_order_type,
    "peg_type_combination": params.peg_type_combination,
    "iceberg_time_in_force": params.iceberg_time_in_force,
    "list_iceberg_time_in_force": params.list_iceberg_time_in_force,
}
#: Rules of one leg's parameters that need the symbol.
SYMBOL_PARAMETER_RULES: Mapping[str, SymbolParameterRule] = {
    "too_much_precision": params.too_much_precision,
    "invalid_quantity": params.invalid_quantity,
    "invalid_price": params.invalid_price,
}
#: Rules of a request of several orders, or acting on one (rules.lists).
LIST_RULES: Mapping[str, Callable[[Any], Any]] = {
    "oco_price_order": lists.oco_price_order,  # the deprecated OCO's price and stopPrice
    "oco_contingent": lists.oco_placement,  # and every oco_*_above/below placement rule
    "mandatory_one_of": lists.mandatory_one_of,
    "opo_working_side": lists.opo_sides,  # and opo_pending_side
    "duplicate_client_ids": lists.duplicate_client_ids,
}

# --- the symbol layer and the filters -------------------------------------------------------

#: Rules about the symbol alone, applied once per request.
REQUEST_SYMBOL_RULES: Mapping[str, symbol.SymbolRule] = {
    "market_closed": symbol.market_closed,
    "amend_market_closed": symbol.amend_market_closed,
    "stp_mode_not_allowed": symbol.stp_mode_not_allowed,
}
#: The symbol's flags for the kind of request (OCO, OTO, OPO, SOR, cancel-replace, amend): each
#: rule's catalogue scope is the endpoints of that kind.
CapabilityRule = Callable[[Request, SymbolInfo, ExchangeInfo], Findings]
CAPABILITY_RULES: Mapping[str, CapabilityRule] = {
    "oco_not_supported": lists.oco_not_supported,
    "oto_not_supported": lists.oto_not_supported,
    "opo_not_supported": lists.opo_not_supported,
    "sor_not_supported": lists.sor_not_supported,
    "cancel_replace_not_supported": lists.cancel_replace_not_supported,
    "amend_not_supported": lists.amend_not_supported,
}
#: Rules about each order of the request (price_quantity_zero is of the filter stage, ranked
#: with the filters, but reads no filter).
LEG_SYMBOL_RULES: Mapping[str, symbol.SymbolRule] = {
    "order_type_not_supported": symbol.order_type_not_supported,
    "iceberg_not_supported": symbol.iceberg_not_supported,
    "quote_order_qty_not_supported": symbol.quote_order_qty_not_supported,
    "trailing_stop_not_supported": symbol.trailing_stop_not_supported,
    "peg_not_supported": pegs.peg_not_supported,
    "price_quantity_zero": filters.price_quantity_zero,
}
#: Filter type -> the check of one order against it.
FILTER_RULES: Mapping[str, filters.FilterCheck] = filters.FILTER_CHECKS
#: Filter type -> the check of everything a request adds (open-order counts, the position).
COUNT_RULES: Mapping[str, filters.CountCheck] = filters.COUNT_CHECKS

# --- the matching engine --------------------------------------------------------------------

#: Its rules about the open order an amend names (-2038), applied before the amended order's
#: own rules (:func:`lists.amended_order` builds that order).
AmendRule = Callable[[Request, SymbolInfo, Context], Findings]
AMEND_RULES: Mapping[str, AmendRule] = {
    "amend_unknown_order": lists.amend_unknown_order,
    "amend_no_change": lists.amend_no_change,
    "amend_quantity_increase": lists.amend_quantity_increase,
}
#: Its rules about the account, applied once per request.
REQUEST_ENGINE_RULES: Mapping[str, account.EngineRule] = {
    "account_cannot_trade": account.account_cannot_trade,
    "action_disabled": account.action_disabled,
    "symbol_not_permitted": account.symbol_not_permitted,
    "symbol_restricted": account.symbol_restricted,
}
#: Its rules about each order.
LEG_ENGINE_RULES: Mapping[str, account.EngineRule] = {
    "iceberg_exceeds_quantity": account.iceberg_exceeds_quantity,
    "stop_would_trigger": account.stop_would_trigger,
    "limit_maker_would_take": account.limit_maker_would_take,
    "insufficient_balance": account.insufficient_balance,
    "liquidity_empty_book": account.liquidity_empty_book,
    "liquidity_lot_size": account.liquidity_lot_size,
    "liquidity_market_lot_size": account.liquidity_market_lot_size,
    "max_asset": account.max_asset,
}
#: Of those, the ones for a pending leg (OTO, OTOCO): it is placed only when the working order
#: fills, so only the rules that do not look at the live market apply to it at placement.
PENDING_LEG_ENGINE_RULES: Mapping[str, account.EngineRule] = {
    k: LEG_ENGINE_RULES[k] for k in ("iceberg_exceeds_quantity", "max_asset")
}
#: Its rules about the whole request (rules.lists).
LIST_ENGINE_RULES: Mapping[str, Callable[..., Any]] = {
    "duplicate_order": lists.duplicate_order,
    "oco_price_relationship": lists.oco_price_relationship,
    "cancel_unknown_order": lists.cancel_side,  # and cancel_restricted
}

#: Every rule id with a function of its own -> that function.
REGISTRY: Mapping[str, Callable[..., Any]] = {
    **PARAMETER_RULES,
    **LEG_PARAMETER_RULES,
    **SYMBOL_PARAMETER_RULES,
    **LIST_RULES,
    **REQUEST_SYMBOL_RULES,
    **CAPABILITY_RULES,
    **LEG_SYMBOL_RULES,
    **FILTER_RULES,
    **COUNT_RULES,
    **AMEND_RULES,
    **REQUEST_ENGINE_RULES,
    **LEG_ENGINE_RULES,
    **LIST_ENGINE_RULES,
}

F = TypeVar("F")


def select(family: Mapping[str, F], endpoint: Endpoint) -> dict[str, F]:
    """The entries of ``family`` whose catalogue rule applies to ``endpoint``, in order."""
    return {rule_id: f for rule_id, f in family.items() if rule(rule_id).applies_to(endpoint)}


def parameter_rules(
    endpoint: Endpoint,
) -> tuple[tuple[ParameterRule, ...], tuple[LegParameterRule, ...]]:
    """The request layer's rules for ``endpoint``: of the whole request, of each leg."""
    return (
        tuple(select(PARAMETER_RULES, endpoint).values()),
        tuple(select(LEG_PARAMETER_RULES, endpoint).values()),
    )
