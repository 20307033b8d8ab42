"""Check one JSON Lines line, as ``filterlib check`` and :mod:`filterlib.dask` read it.

A line is one of the two forms of docs/cli.md: a bare parameter object (checked as
``POST /api/v3/order`` without context), or a wrapped request ``{"endpoint": ..., "params":
{...}, "context": {...}}``. :func:`check_line` decodes it, validates the wrapper, and returns
:func:`filterlib.check`'s verdict; a line that cannot be checked raises :class:`LineError`,
whose message says what is wrong and what to do (the command line prefixes it with ``line N:``
and suffixes the file).

This module uses orjson (a runtime dependency of filterlib) to decode the line; the core
(``import filterlib``) does not import it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final, NamedTuple

import orjson

from ._context import ContextError
from ._endpoints import ENDPOINTS
from ._engine import ORDER_NO_CONTEXT, check, judge
from ._verdict import Verdict
from .exceptions import SnapshotError, UsageError
from .snapshot import ExchangeInfo

__all__ = [
    "DEFAULT_ENDPOINT",
    "NESTED_TOO_DEEPLY",
    "NO_SYMBOL",
    "WRAPPER_KEYS",
    "CheckedLine",
    "LineError",
    "check_line",
]

#: The endpoint of a bare parameter object, or of a wrapped request without ``endpoint``.
DEFAULT_ENDPOINT: Final = "/api/v3/order"
#: The only keys a wrapped request (an object whose ``params`` is an object) may have.
WRAPPER_KEYS: Final = ("endpoint", "params", "context")
#: What :attr:`CheckedLine.symbol` is for an order without a usable ``symbol``.
NO_SYMBOL: Final = "(no symbol)"
#: The problem of a line whose values nest so deeply (hundreds of arrays or objects inside one
#: another) that Python's recursion limit stops the check: bad input, not a bug.
NESTED_TOO_DEEPLY: Final = (
    "a value nested too deeply to check (hundreds of arrays or objects inside one another); "
    "give parameters as strings or numbers, and a context in Binance's response shapes"
)


class LineError(ValueError):
    """A line that cannot be checked; the message says what is wrong and what to do."""


class CheckedLine(NamedTuple):
    """A checked line: its symbol (``"(no symbol)"`` when it has none), the verdict, and the
    parameters and context it was checked with (as decoded from the line, laid over the
    context given to :func:`check_line`)."""

    symbol: str
    verdict: Verdict
    params: Mapping[str, Any]
    context: object


def check_line(
    info: ExchangeInfo,
    raw: bytes,
    as_of: dt.date | str | None = None,
    context: Mapping[str, Any] | None = None,
) -> CheckedLine:
    """Decode one JSON Lines line and check it against ``info``.

    ``context`` (``filterlib check --context``) is the context of every line: a line's own
    ``context`` is laid over it, its keys replacing the same keys of ``context``.

    ``raw`` is the line's bytes; a line ending may be included or not and changes no verdict,
    but the column in a "not valid JSON" message counts it (the command line passes each line
    with its ``\\n``, as it is in the file). Raises :class:`LineError` when the line is not UTF-8,
    not JSON, not an object, a wrapped request with another key than ``endpoint``, ``params``
    and ``context``, names an unknown endpoint, has a bad context, nests values too deeply to check,
    names a symbol whose entry in a lazily loaded snapshot is malformed, or when filterlib
    itself fails on it (a bug, reported as such rather than raised).
    """
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as uexc:
            raise LineError(
                f"not UTF-8 text (byte 0x{raw[uexc.start]:02x} at byte {uexc.start + 1}); "
                "write the file in UTF-8"
            ) from None
        raise LineError(
            f"not valid JSON ({exc.msg} at column {exc.colno}); write one JSON object per "
            "line, e.g. "
            '{"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}'
        ) from None
    if type(doc) is not dict:
        raise LineError(
            f"expected a JSON object, got {_json_type(doc)}; write one order object per line"
        )
    endpoint: str = DEFAULT_ENDPOINT
    given: object = None
    params: dict[str, Any] = doc
    inner = doc.get("params")
    if type(inner) is dict:
        unknown = sorted(k for k in doc if k not in WRAPPER_KEYS)
        if unknown:
            raise LineError(
                f"unknown key(s) {', '.join(unknown)} beside 'params'; a line with 'params' "
                "may only have 'endpoint', 'params' and 'context' (put order parameters "
                "inside 'params')"
            )
        params = inner
        named = doc.get("endpoint", DEFAULT_ENDPOINT)
        if type(named) is not str or named not in ENDPOINTS:
            raise LineError(f"unknown endpoint {_short(named)}; use one of {', '.join(ENDPOINTS)}")
        endpoint = named
        given = doc.get("context")
        if given is not None and type(given) is not dict:
            raise LineError(
                f"bad context: expected a JSON object, got {_json_type(given)}; "
                "see docs/cli.md for the context keys"
            )
    if given is None:
        used = context
    else:
        assert type(given) is dict
        used = given if context is None else {**context, **given}
    try:
        # A bare line (the bulk of a backtest's) passes check()'s argument checks by
        # construction, so the fast path may answer it directly; check() answers the rest.
        bare = params is doc and as_of is None and used is None and isinstance(info, ExchangeInfo)
        proven = judge(info, doc, ORDER_NO_CONTEXT) if bare else None
        if type(proven) is Verdict:
            verdict = proven
        else:
            verdict = check(info, params, endpoint=endpoint, context=used, as_of=as_of)
    except ContextError as exc:
        raise LineError(f"bad context: {exc}") from None
    except UsageError as exc:
        raise LineError(str(exc)) from None
    except RecursionError:
        raise LineError(NESTED_TOO_DEEPLY) from None
    except SnapshotError as exc:  # a lazily loaded snapshot's entry for this symbol
        raise LineError(
            f"the snapshot cannot be used for this order: {exc.problems[0]}; fix the snapshot "
            "or fetch it again ('filterlib snapshot validate FILE' lists every problem)"
        ) from None
    except Exception as exc:  # a bug in filterlib: report it on this line, check the others
        raise LineError(
            f"filterlib failed on this line ({type(exc).__name__}: {exc}); this is a bug in "
            "filterlib, please report it with this line"
        ) from None
    symbol = params.get("symbol")
    return CheckedLine(
        symbol if type(symbol) is str and symbol else NO_SYMBOL, verdict, params, used
    )


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def _short(value: object) -> str:
    try:
        text = orjson.dumps(value).decode() if not isinstance(value, Mapping) else "{...}"
    except orjson.JSONEncodeError:  # nested deeper than orjson writes (255)
        text = "[...]"
    return text if len(text) <= 60 else text[:57] + "..."
