"""Binance's wire grammar, in one place: the parameter kinds, the values each enum kind takes,
the patterns and limits of the texts, and one parser per kind.

The request layer (:mod:`filterlib._request`), the engine's short cut, the submitter and the
CLI read parameters through this module, so a pattern or a limit is written once. The parsers
only read: they return the value a text denotes, or None when Binance refuses the text; which
rule a refused text breaks is the request layer's business (the catalogue's texts and codes).

:mod:`filterlib.strategies` keeps its own copy on purpose: it is the oracle the engine is
tested against, so it must not share the engine's reading of the grammar.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Final

__all__ = [
    "CLIENT_ORDER_ID_PATTERN",
    "DECIMAL_PATTERN",
    "ENUM_VALUES",
    "FIXED_POINT_DECIMALS",
    "LONG_PATTERN",
    "MAX_DECIMAL",
    "MAX_PEG_OFFSET",
    "MAX_RECV_WINDOW",
    "MAX_WIRE_DIGITS",
    "MIN_STRATEGY_TYPE",
    "ORDER_TYPES",
    "RECV_WINDOW_DECIMALS",
    "RESPONSE_TYPES",
    "SIDES",
    "SIGNING_PARAMETERS",
    "STP_MODES",
    "SYMBOL_PATTERN",
    "TIME_IN_FORCE",
    "is_client_id",
    "is_symbol",
    "parse_boolean",
    "parse_decimal",
    "parse_long",
]

# --- parameter kinds: each endpoint's table (filterlib._endpoints) names one per parameter ---

DECIMAL, LONG, INT, STRING, BOOLEAN = "DECIMAL", "LONG", "INT", "STRING", "BOOLEAN"
SYMBOL, CLIENT_ID, STRATEGY_TYPE, RECV_WINDOW = (
    "SYMBOL",
    "CLIENT_ID",
    "STRATEGY_TYPE",
    "RECV_WINDOW",
)
# The enum kinds name their own value sets (ENUM_VALUES).
SIDE, TYPE, TIF, RESP, STP = "SIDE", "TYPE", "TIF", "RESP", "STP"
#: Pegged orders (docs 2026-07, 2b: "pegPriceType ... pegOffsetValue ... pegOffsetType").
PEG_PRICE_TYPE, PEG_OFFSET_TYPE, PEG_OFFSET_VALUE = (
    "PEG_PRICE_TYPE",
    "PEG_OFFSET_TYPE",
    "PEG_OFFSET_VALUE",
)
CANCEL_REPLACE_MODE, CANCEL_RESTRICTIONS, RATE_LIMIT_MODE = (
    "CANCEL_REPLACE_MODE",
    "CANCEL_RESTRICTIONS",
    "RATE_LIMIT_MODE",
)

# --- enums -------------------------------------------------------------------------------------

ORDER_TYPES: Final = (
    "LIMIT",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
    "LIMIT_MAKER",
)
SIDES: Final = frozenset({"BUY", "SELL"})
TIME_IN_FORCE: Final = frozenset({"GTC", "IOC", "FOK"})
RESPONSE_TYPES: Final = frozenset({"ACK", "RESULT", "FULL"})
#: The spec's enum plus TRANSFER, added 2025-12 and allowed on all symbols from 2026-04-02
#: (research §9).
STP_MODES: Final = frozenset(
    {"NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER"}
)
#: Enum kind (:mod:`filterlib._endpoints`) -> the values it takes.
ENUM_VALUES: Final[Mapping[str, frozenset[str]]] = {
    SIDE: SIDES,
    TYPE: frozenset(ORDER_TYPES),
    TIF: TIME_IN_FORCE,
    RESP: RESPONSE_TYPES,
    STP: STP_MODES,
    CANCEL_REPLACE_MODE: frozenset({"STOP_ON_FAILURE", "ALLOW_FAILURE"}),
    CANCEL_RESTRICTIONS: frozenset({"ONLY_NEW", "ONLY_PARTIALLY_FILLED"}),
    RATE_LIMIT_MODE: frozenset({"DO_NOTHING", "CANCEL_ONLY"}),
    PEG_PRICE_TYPE: frozenset({"PRIMARY_PEG", "MARKET_PEG"}),
    PEG_OFFSET_TYPE: frozenset({"PRICE_LEVEL"}),
}

# --- limits ------------------------------------------------------------------------------------

#: Binance stores decimals as int64 with 8 decimals; larger values overflow (-1108).
FIXED_POINT_DECIMALS: Final = 8
MAX_DECIMAL: Final = Decimal("92233720368.54775807")
#: The digits a DECIMAL's integer and fraction parts, and a LONG, may each have.
MAX_WIRE_DIGITS: Final = 20
#: "The max cannot go beyond 60,000!" (Timing security; -1131 above it).
MAX_RECV_WINDOW: Final = 60_000
#: The most decimals recvWindow takes since microseconds (docs 2026-07, 2a; from 2025-08-28).
RECV_WINDOW_DECIMALS: Final = 3
#: The deepest price level a peg may name (docs 2026-07, 2b: "max: 100").
MAX_PEG_OFFSET: Final = 100
#: strategyType values below this are reserved by Binance.
MIN_STRATEGY_TYPE: Final = 1_000_000
#: Parameters a signed request carries even when the caller leaves them to its HTTP client.
SIGNING_PARAMETERS: Final = ("timestamp", "signature")

# --- patterns, as Binance quotes them in -1100 messages, and as compiled here -------------------

DECIMAL_PATTERN: Final = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"
LONG_PATTERN: Final = r"^[0-9]{1,20}$"
CLIENT_ORDER_ID_PATTERN: Final = "^[a-zA-Z0-9-_]{1,36}$"
#: Java's class intersection: word characters, '-', '.', '_', less the lower case letters.
SYMBOL_PATTERN: Final = "^[\\w\\-._&&[^a-z]]{1,50}$"

# re's \d would accept non-ASCII digits ("٣"); the explicit class does not, as Binance does not.
_DECIMAL_RE: Final = re.compile(r"[0-9]{1,20}(?:\.[0-9]{1,20})?")
_LONG_RE: Final = re.compile(r"[0-9]{1,20}")
_CLIENT_ID_RE: Final = re.compile(r"[a-zA-Z0-9\-_]{1,36}")
_SYMBOL_RE: Final = re.compile(r"[A-Z0-9_.\-]{1,50}")
#: The same class with a Unicode ``\w``, from 2025-12-02 ("symbol ... can now support Unicode
#: values encoded in UTF-8", docs 2026-07, 6): letters and digits of any script, less a-z.
_UNICODE_SYMBOL_RE: Final = re.compile(r"(?:(?![a-z])[\w.\-]){1,50}")

# --- one parser per kind -------------------------------------------------------------------------


def parse_decimal(text: str) -> Decimal | None:
    """The Decimal a DECIMAL text denotes, or None when Binance refuses it (-1100). The range
    (MAX_DECIMAL, -1108) is the caller's to apply: the text itself is legal."""
    if _DECIMAL_RE.fullmatch(text) is None:
        return None
    return Decimal(text)


def parse_long(text: str) -> int | None:
    """The integer a LONG (or INT) text denotes, or None unless it is 1 to 20 ASCII digits."""
    if _LONG_RE.fullmatch(text) is None:
        return None
    return int(text)


def is_symbol(text: str, unicode: bool = False) -> bool:
    """Whether ``text`` is a legal symbol name: ASCII, or any script's letters from 2025-12-02."""
    return (_UNICODE_SYMBOL_RE if unicode else _SYMBOL_RE).fullmatch(text) is not None


def is_client_id(text: str) -> bool:
    """Whether ``text`` is a legal client order id (``newClientOrderId`` and its kin)."""
    return _CLIENT_ID_RE.fullmatch(text) is not None


def parse_boolean(text: str) -> bool | None:
    """``true`` or ``false`` in any case, or None."""
    lowered = text.lower()
    if lowered == "true":
        return True
    return False if lowered == "false" else None
