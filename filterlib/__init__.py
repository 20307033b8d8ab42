"""filterlib: what Binance Spot would answer to an order, offline, exactly.

>>> import filterlib
>>> info = filterlib.load_default_exchange_info()
>>> verdict = filterlib.check(info, {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
...     "timeInForce": "GTC", "quantity": "0.001", "price": "0.001"})
>>> verdict.error
BinanceError(code=-1013, msg='Filter failure: PRICE_FILTER')
"""

from __future__ import annotations

from .context import Context, ContextError, as_context
from .engine import DEFAULT_MAX_AGE_MS, best_match, check, check_many, snapshot_age_warnings
from .exceptions import FilterlibError, SnapshotError, SnapshotProblem, UsageError
from .snapshot import ExchangeInfo, SymbolInfo, load_default_exchange_info, load_exchange_info
from .verdict import BinanceError, OrderRejected, Unchecked, Verdict, VerdictWarning, Violation

__all__ = [
    "DEFAULT_MAX_AGE_MS",
    "BinanceError",
    "Context",
    "ContextError",
    "ExchangeInfo",
    "FilterlibError",
    "OrderRejected",
    "SnapshotError",
    "SnapshotProblem",
    "SymbolInfo",
    "Unchecked",
    "UsageError",
    "Verdict",
    "VerdictWarning",
    "Violation",
    "as_context",
    "best_match",
    "check",
    "check_many",
    "load_default_exchange_info",
    "load_exchange_info",
    "snapshot_age_warnings",
]
