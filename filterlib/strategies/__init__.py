"""Hypothesis strategies: orders Binance would accept, and orders that break exactly one rule.

``valid_orders(info)`` draws single orders for ``POST /api/v3/order`` (or ``/order/test``) with a
context (average or reference price, last price, book, account, open orders) in which every rule
filterlib can check passes. ``invalid_orders(info, rule)`` draws orders that break the one named
catalogue rule and nothing else. ``valid_order_lists`` and ``invalid_order_lists`` do the same for
the order lists, ``contexts(info, params)`` draws market and account states in which given
parameters pass.

The rules are encoded here on their own, from the filter objects and the spec, in exact rational
arithmetic; the engine (:func:`filterlib.check`) is never called, so a test that checks these
orders with the engine checks each against the other. Values are built on their grids by
construction (a price is ``k * tick``, a quantity ``j * step``, with ``k`` and ``j`` drawn between
bounds derived from every filter), never by filtering, so hypothesis' health checks pass and
examples shrink toward the simplest order: LIMIT, BUY, GTC, the smallest valid values.

The modules, each with one job: ``model`` (what is drawn, the shared vocabulary), ``grids``
(choosing values on grids), ``limits`` (a symbol's limits), ``state`` (the context), ``orders``
(single orders), ``list_shapes`` and ``lists`` (order lists), ``breaks`` (one rule broken and
Binance's answer), ``drawing`` (from a build to a strategy). The public API is what this package
exports. It imports hypothesis (the ``test`` extra); the core never imports it.
"""

from __future__ import annotations

# SIDES and MAX_DECIMAL are public but were never in __all__: importable, not star-exported.
from .grids import MAX_DECIMAL as MAX_DECIMAL
from .list_shapes import LIST_BREAKABLE_RULES, LIST_ENDPOINTS
from .lists import invalid_order_lists, valid_order_lists
from .model import ENDPOINTS, ORDER_TYPES, CannotBreak, GeneratedOrder, NoValidOrder
from .model import SIDES as SIDES
from .orders import BREAKABLE_RULES, invalid_orders, valid_orders
from .state import contexts

__all__ = [
    "BREAKABLE_RULES",
    "ENDPOINTS",
    "LIST_BREAKABLE_RULES",
    "LIST_ENDPOINTS",
    "ORDER_TYPES",
    "CannotBreak",
    "GeneratedOrder",
    "NoValidOrder",
    "contexts",
    "invalid_order_lists",
    "invalid_orders",
    "valid_order_lists",
    "valid_orders",
]
