"""Checking a parsed snapshot and building the model from it: the top level, each symbol, its
filters, rate limits and SOR entries (each field read by :mod:`filterlib.snapshot._fields`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import orjson

from ..exceptions import SnapshotError, SnapshotProblem
from ..filters import FILTER_TYPES, Filter, parse_filter
from ._fields import (
    _MISSING,
    _Caches,
    _fail,
    _json_type,
    _leaf,
    _opt_int,
    _opt_str,
    _permission_sets,
    _req,
    _req_int,
    _short,
    _str_list,
)
from ._model import ExchangeInfo, LazySymbols, RateLimit, Sor, SymbolInfo

#: How deep a filter filterlib does not model may nest (a value of it in an array in an object
#: is 3 deep). Binance's filters are flat; a deeper one would recurse when kept, compared or shown.
MAX_UNKNOWN_FILTER_DEPTH: Final = 16


def _build(
    doc: object,
    label: str | None,
    *,
    lazy: bool = False,
    pieces: list[tuple[object, bytes]] | None = None,
) -> ExchangeInfo:
    """Check ``doc`` and build the snapshot.

    Eager by default. With ``lazy``, symbols are only named and kept as JSON bytes. With
    ``pieces`` (from :func:`_split_symbols`), ``doc["symbols"]`` is a placeholder and
    ``pieces`` holds each symbol's ``symbol`` value and JSON bytes, in order (lazy too).
    """
    if not isinstance(doc, Mapping):
        raise _fail(
            f"the top level must be a JSON object, not a JSON {_json_type(doc)}",
            label,
            value=_short(doc),
        )
    if "symbols" not in doc:
        doc = _unwrap(doc, label)
    problems: list[SnapshotProblem] = []
    cache = _Caches()

    timezone = _opt_str(doc, "timezone", "timezone", problems)
    server_time = _opt_int(doc, "serverTime", "serverTime", problems)
    rate_limits = _rate_limits(doc.get("rateLimits", _MISSING), problems)
    # Every real snapshot sends "exchangeFilters": [], but the docs call all filters optional, so
    # a hand-made snapshot without the key means "no exchange filters", like an empty list.
    exchange_filters = _filters(
        doc.get("exchangeFilters", []), "exchangeFilters", None, problems, cache
    )
    symbols: Mapping[str, SymbolInfo]
    if pieces is not None:
        symbols = LazySymbols(_named(pieces, problems), label)
    elif lazy:
        symbols = LazySymbols(_named(_dumped(doc["symbols"], problems), problems), label)
    else:
        symbols = _symbols(doc["symbols"], problems, cache)  # ExchangeInfo makes it read-only
    sors = _sors(doc.get("sors", _MISSING), problems)

    if problems:
        raise SnapshotError(problems, source=label)
    return ExchangeInfo(
        timezone=timezone,
        server_time=server_time,
        rate_limits=rate_limits,
        exchange_filters=exchange_filters,
        symbols=symbols,
        sors=sors,
        source=label,
    )


def _dumped(raw: object, problems: list[SnapshotProblem]) -> list[tuple[object, bytes]]:
    """Each parsed symbol's ``symbol`` value and compact JSON (a lazy load parsed whole)."""
    if not isinstance(raw, list):
        problems.append(
            SnapshotProblem("symbols", "symbols must be a JSON array", value=_short(raw))
        )
        return []
    out: list[tuple[object, bytes]] = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            problems.append(
                SnapshotProblem(
                    f"symbols[{index}]", "a symbol must be a JSON object", value=_short(entry)
                )
            )
            out.append((_MISSING, b""))  # keeps the indexes; never kept (a problem is raised)
            continue
        try:
            piece = orjson.dumps(entry)
        except orjson.JSONEncodeError:  # nested past the 254 levels orjson writes
            problems.append(
                SnapshotProblem(f"symbols[{index}]", "a symbol nested too deep to keep")
            )
            piece = b""
        out.append((entry.get("symbol", _MISSING), piece))
    return out


def _named(
    pieces: list[tuple[object, bytes]], problems: list[SnapshotProblem]
) -> dict[str, SymbolInfo | bytes]:
    """Name -> JSON bytes, checking on load what a lazy snapshot needs: unique string names."""
    entries: dict[str, SymbolInfo | bytes] = {}
    first_seen: dict[str, int] = {}
    for index, (name, piece) in enumerate(pieces):
        if not piece:
            continue  # not an object: already reported
        if type(name) is not str or not name:
            problems.append(
                SnapshotProblem(
                    f"symbols[{index}].symbol",
                    "missing symbol" if name is _MISSING else "symbol must be a non-empty string",
                    field="symbol",
                    value=None if name is _MISSING else _short(name),
                )
            )
            continue
        if name in first_seen:
            problems.append(
                SnapshotProblem(
                    f"symbols[{index}].symbol",
                    f"duplicate symbol: also at symbols[{first_seen[name]}]",
                    symbol=name,
                    field="symbol",
                    value=name,
                )
            )
            continue
        first_seen[name] = index
        entries[name] = piece
    return entries


def _unwrap(doc: Mapping[str, Any], label: str | None) -> Mapping[str, Any]:
    """The exchangeInfo inside a WebSocket-API envelope, or an error naming what ``doc`` is."""
    error = doc.get("error")
    if "result" in doc and ("id" in doc or "status" in doc):
        result = doc["result"]
        if isinstance(result, Mapping) and "symbols" in result:
            return result
        if result is None and isinstance(error, Mapping):
            doc = error  # a WebSocket-API error reply: report its code and msg below
        else:
            raise _fail("the WebSocket-API reply's result has no symbols", label, path="result")
    elif isinstance(error, Mapping) and "code" in error:
        doc = error
    if "code" in doc and "msg" in doc:
        raise _fail(
            "this is an error body from Binance, not an exchangeInfo: "
            f"code {doc['code']!r}, msg {doc['msg']!r}",
            label,
        )
    keys = ", ".join(sorted(str(k) for k in doc)[:10]) or "none"
    raise _fail(f"not an exchangeInfo: there is no 'symbols' key (keys: {keys})", label)


def _symbols(raw: object, problems: list[SnapshotProblem], cache: _Caches) -> dict[str, SymbolInfo]:
    if not isinstance(raw, list):
        problems.append(
            SnapshotProblem("symbols", "symbols must be a JSON array", value=_short(raw))
        )
        return {}
    symbols: dict[str, SymbolInfo] = {}
    first_seen: dict[str, int] = {}
    for index, entry in enumerate(raw):
        path = f"symbols[{index}]"
        info = _symbol(entry, path, problems, cache)
        if info is None:
            continue
        name = info.symbol
        if name in first_seen:
            problems.append(
                SnapshotProblem(
                    f"{path}.symbol",
                    f"duplicate symbol: also at symbols[{first_seen[name]}]",
                    symbol=name,
                    field="symbol",
                    value=name,
                )
            )
            continue
        first_seen[name] = index
        symbols[name] = info
    return symbols


def _symbol(
    raw: object, path: str, problems: list[SnapshotProblem], cache: _Caches
) -> SymbolInfo | None:
    if not isinstance(raw, dict) and not isinstance(raw, Mapping):
        problems.append(SnapshotProblem(path, "a symbol must be a JSON object", value=_short(raw)))
        return None
    before = len(problems)
    name = raw.get("symbol", _MISSING)
    symbol = name if type(name) is str and name else None
    if symbol is None:
        problems.append(
            SnapshotProblem(
                f"{path}.symbol",
                "missing symbol" if name is _MISSING else "symbol must be a non-empty string",
                field="symbol",
                value=None if name is _MISSING else name,
            )
        )

    def text(key: str) -> str:
        return _req(raw, key, str, "a string", path, symbol, problems, "")

    def flag(key: str, absent: bool | None = None) -> bool:
        if absent is not None and key not in raw:
            return absent
        return _req(raw, key, bool, "a JSON boolean", path, symbol, problems, False)

    def count(key: str) -> int:
        return _req_int(raw, key, path, symbol, problems)

    status = text("status")
    base_asset = text("baseAsset")
    base_precision = count("baseAssetPrecision")
    quote_asset = text("quoteAsset")
    # quotePrecision is the older name; the docs say it goes away in a future API version.
    quote_precision = count(
        "quoteAssetPrecision" if "quoteAssetPrecision" in raw else "quotePrecision"
    )
    order_types = frozenset(_str_list(raw, "orderTypes", path, symbol, problems, required=True))
    iceberg = flag("icebergAllowed")
    oco = flag("ocoAllowed")
    qoq_market = flag("quoteOrderQtyMarketAllowed")
    spot = flag("isSpotTradingAllowed")
    margin = flag("isMarginTradingAllowed")
    # Absent means False: these flags were added with their features (trailing stops and
    # cancel-replace in 2022, OTO in 2024, amend in 2025); an older snapshot lacks them because
    # the feature did not exist yet.
    oto = flag("otoAllowed", absent=False)
    trailing = flag("allowTrailingStop", absent=False)
    cancel_replace = flag("cancelReplaceAllowed", absent=False)
    # The docs write allowAmend; live snapshots since 2025 write amendAllowed.
    amend = flag("amendAllowed" if "amendAllowed" in raw else "allowAmend", absent=False)
    # permissions is still sent (as [] since 2024, when permissionSets took over); absent = none.
    permissions = tuple(_str_list(raw, "permissions", path, symbol, problems, required=False))
    permission_sets = _permission_sets(raw, path, symbol, problems)
    # STP arrived in Dec 2022: None says "this snapshot predates STP", not "no modes allowed".
    default_stp = (
        text("defaultSelfTradePreventionMode") if "defaultSelfTradePreventionMode" in raw else None
    )
    allowed_stp = (
        frozenset(_str_list(raw, "allowedSelfTradePreventionModes", path, symbol, problems, True))
        if "allowedSelfTradePreventionModes" in raw
        else None
    )
    pegs = flag("pegInstructionsAllowed") if "pegInstructionsAllowed" in raw else None
    opo = flag("opoAllowed") if "opoAllowed" in raw else None
    filters = _filters(raw.get("filters", _MISSING), f"{path}.filters", symbol, problems, cache)

    if len(problems) != before or symbol is None:
        return None
    return SymbolInfo(
        symbol,
        status,
        base_asset,
        base_precision,
        quote_asset,
        quote_precision,
        order_types,
        iceberg,
        oco,
        oto,
        qoq_market,
        trailing,
        cancel_replace,
        amend,
        spot,
        margin,
        permissions,
        permission_sets,
        default_stp,
        allowed_stp,
        filters,
        pegs,
        opo,
    )


def _filters(
    raw: object,
    path: str,
    symbol: str | None,
    problems: list[SnapshotProblem],
    cache: _Caches,
) -> tuple[Filter, ...]:
    if raw is _MISSING:
        problems.append(SnapshotProblem(path, f"missing field {_leaf(path)}", symbol=symbol))
        return ()
    if not isinstance(raw, list):
        problems.append(
            SnapshotProblem(
                path, "filters must be a JSON array", symbol=symbol, field=_leaf(path), value=raw
            )
        )
        return ()
    out: list[Filter] = []
    for index, entry in enumerate(raw):
        if _too_deep(entry):
            problems.append(
                SnapshotProblem(
                    f"{path}[{index}]",
                    "a filter filterlib does not model, nested more than "
                    f"{MAX_UNKNOWN_FILTER_DEPTH} levels deep",
                    symbol=symbol,
                    filter_type=entry["filterType"],
                )
            )
            continue
        flt = parse_filter(
            entry, path, symbol, problems, cache.decimals, index=index, filter_cache=cache.filters
        )
        if flt is not None:
            out.append(flt)
    return tuple(out)


def _too_deep(entry: object) -> bool:
    """Whether ``entry`` is a filter of a type filterlib does not model (kept whole, as an
    UnknownFilter) that nests more than MAX_UNKNOWN_FILTER_DEPTH levels. Walks level by level,
    without recursion, whatever the depth."""
    if not isinstance(entry, Mapping):
        return False
    filter_type = entry.get("filterType")
    if type(filter_type) is not str or filter_type in FILTER_TYPES:
        return False  # a known filter's fields are read one by one; a bad filterType reported
    level: list[object] = [entry]
    for _ in range(MAX_UNKNOWN_FILTER_DEPTH):
        level = [
            inner
            for value in level
            if isinstance(value, Mapping | list | tuple)
            for inner in ((*value.keys(), *value.values()) if isinstance(value, Mapping) else value)
        ]
        if not level:
            return False
    return True


def _rate_limits(raw: object, problems: list[SnapshotProblem]) -> tuple[RateLimit, ...]:
    if raw is _MISSING:
        return ()  # the docs call every rate limit optional
    if not isinstance(raw, list):
        problems.append(SnapshotProblem("rateLimits", "rateLimits must be a JSON array", value=raw))
        return ()
    out: list[RateLimit] = []
    for index, entry in enumerate(raw):
        path = f"rateLimits[{index}]"
        if not isinstance(entry, Mapping):
            problems.append(
                SnapshotProblem(path, "a rate limit must be a JSON object", value=entry)
            )
            continue
        before = len(problems)
        kind = _req(entry, "rateLimitType", str, "a string", path, None, problems, "")
        interval = _req(entry, "interval", str, "a string", path, None, problems, "")
        interval_num = _req_int(entry, "intervalNum", path, None, problems)
        limit = _req_int(entry, "limit", path, None, problems)
        if len(problems) == before:
            out.append(RateLimit(kind, interval, interval_num, limit))
    return tuple(out)


def _sors(raw: object, problems: list[SnapshotProblem]) -> tuple[Sor, ...] | None:
    if raw is _MISSING:
        return None
    if not isinstance(raw, list):
        problems.append(SnapshotProblem("sors", "sors must be a JSON array", value=_short(raw)))
        return None
    out: list[Sor] = []
    for index, entry in enumerate(raw):
        path = f"sors[{index}]"
        if not isinstance(entry, Mapping):
            problems.append(
                SnapshotProblem(path, "a sors entry must be a JSON object", value=entry)
            )
            continue
        before = len(problems)
        base = _req(entry, "baseAsset", str, "a string", path, None, problems, "")
        names = tuple(_str_list(entry, "symbols", path, None, problems, required=True))
        if len(problems) == before:
            out.append(Sor(base, names))
    return tuple(out)
