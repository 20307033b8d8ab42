"""filterlib: what Binance Spot would answer to an order, offline, exactly.

>>> import filterlib
>>> info = filterlib.load_default_exchange_info()
>>> verdict = filterlib.check(info, {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT",
...     "timeInForce": "GTC", "quantity": "0.001", "price": "0.001"})
>>> verdict.error
BinanceError(code=-1013, msg='Filter failure: PRICE_FILTER')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ._context import Context, ContextError, as_context
from ._engine import DEFAULT_MAX_AGE_MS, best_match, check, check_many, snapshot_age_warnings
from ._verdict import BinanceError, OrderRejected, Unchecked, Verdict, VerdictWarning, Violation
from .exceptions import FilterlibError, SnapshotError, SnapshotProblem, UsageError
from .snapshot import ExchangeInfo, SymbolInfo, load_default_exchange_info, load_exchange_info

if TYPE_CHECKING:
    from ._table import check_table

    #: The installed filterlib's version (``importlib.metadata``), e.g. ``"0.1.0"``.
    __version__: str
else:

    def __getattr__(name: str) -> object:
        """``__version__``, worked out on first use (filterlib/_version.py says why), and
        ``check_table``, imported on first use (it needs the ``bulk`` extra: the core does
        not import pyarrow). Without the extra, ``check_table`` is a function that says what
        to install when called, so that ``from filterlib import *`` still works. Hidden from
        type checkers, for whom a module __getattr__ makes every misspelt name valid."""
        if name == "check_table":
            try:
                from ._table import check_table
            except ImportError as exc:
                return _needs_bulk(exc)
            return check_table
        from ._version import module_getattr

        return module_getattr(name)


def _needs_bulk(missing: ImportError) -> Callable[..., object]:
    def check_table(*args: object, **kwargs: object) -> object:
        """filterlib.check_table without the bulk extra: raises ImportError."""
        raise ImportError(
            f"filterlib.check_table needs the bulk extra ({missing}): pip install 'filterlib[bulk]'"
        ) from missing

    return check_table


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
    "check_table",
    "load_default_exchange_info",
    "load_exchange_info",
    "snapshot_age_warnings",
]
