"""An exchangeInfo snapshot, checked once and then read-only.

:func:`load_exchange_info` reads the JSON of ``GET /api/v3/exchangeInfo`` (or the WebSocket-API
``exchangeInfo`` reply) from a path, bytes, text or an already-parsed dict, checks every field it
uses and raises one :class:`~filterlib.exceptions.SnapshotError` listing every problem, each
located (``symbols[12].filters[3].tickSize``) and naming the symbol, filter, field and value.

With ``lazy=True`` (and for the shipped snapshot) only the top level is checked on load; each
symbol is kept as its compact JSON bytes and decoded, with the same checks, the first time it
is used (see :class:`LazySymbols`). :meth:`ExchangeInfo.validate` decodes the rest and reports
every problem at once, as an eager load does.

The package is split by concern, behind this module's names: the immutable model
(``_model``: ExchangeInfo, SymbolInfo, LazySymbols), reading (``_read``: files, gzip, the size
cap, eager or lazy), checking a parsed document and building the model (``_decode``), the field
readers (``_fields``) and the JSON splitter of a lazy load (``_split``).
"""

from __future__ import annotations

from ._decode import MAX_UNKNOWN_FILTER_DEPTH
from ._model import ExchangeInfo, LazySymbols, RateLimit, Sor, SymbolInfo
from ._read import (
    DEFAULT_MAX_BYTES,
    DEFAULT_SNAPSHOT_NAME,
    load_default_exchange_info,
    load_exchange_info,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_SNAPSHOT_NAME",
    "MAX_UNKNOWN_FILTER_DEPTH",
    "ExchangeInfo",
    "LazySymbols",
    "RateLimit",
    "Sor",
    "SymbolInfo",
    "load_default_exchange_info",
    "load_exchange_info",
]
