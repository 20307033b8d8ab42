"""Hypothesis strategies: orders Binance would accept, and orders that break exactly one rule.

The public API is what this package exports; its modules are its own business.
"""

from __future__ import annotations

from .orders import (
    BREAKABLE_RULES,
    ENDPOINTS,
    LIST_BREAKABLE_RULES,
    LIST_ENDPOINTS,
    ORDER_TYPES,
    CannotBreak,
    GeneratedOrder,
    NoValidOrder,
    contexts,
    invalid_order_lists,
    invalid_orders,
    valid_order_lists,
    valid_orders,
)
from .orders import (
    MAX_DECIMAL as MAX_DECIMAL,
)
from .orders import (
    SIDES as SIDES,
)

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
