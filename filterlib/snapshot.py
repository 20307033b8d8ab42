"""An exchangeInfo snapshot, checked once and then read-only.

:func:`load_exchange_info` reads the JSON of ``GET /api/v3/exchangeInfo`` (or the WebSocket-API
``exchangeInfo`` reply) from a path, bytes, text or an already-parsed dict, checks every field it
uses and raises one :class:`~filterlib.exceptions.SnapshotError` listing every problem, each
located (``symbols[12].filters[3].tickSize``) and naming the symbol, filter, field and value.

With ``lazy=True`` (and for the shipped snapshot) only the top level is checked on load; each
symbol is kept as its compact JSON bytes and decoded, with the same checks, the first time it
is used (see :class:`LazySymbols`). :meth:`ExchangeInfo.validate` decodes the rest and reports
every problem at once, as an eager load does.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from importlib import resources
from types import MappingProxyType
from typing import Any, Final, Self, TypeVar

import orjson
from attrs import Factory, field, fields, frozen

from filterlib.compiled import CompiledSymbol
from filterlib.exceptions import SnapshotError, SnapshotProblem, UsageError, shown
from filterlib.filters import FILTER_TYPES, Filter, KnownFilter, UnknownFilter, parse_filter

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

#: The snapshot shipped in ``filterlib/data`` (provenance in ``filterlib/data/README.md``).
DEFAULT_SNAPSHOT_NAME: Final = "spot_full_2023-08-13_swapland"

#: The most JSON a snapshot may hold, gunzipped: 256 MiB, about 14 times a full live snapshot
#: (about 18 MB in 2026; the shipped one, of 2023, is 3.5 MiB). ``load_exchange_info(...,
#: max_bytes=N)`` sets another. A gzip is expanded a chunk at a time, so one that would expand
#: past the cap (a gzip bomb) is refused with at most the cap in memory.
DEFAULT_MAX_BYTES: Final = 256 << 20
#: How deep a filter filterlib does not model may nest (a value of it in an array in an object
#: is 3 deep). Binance's filters are flat; a deeper one would recurse when kept, compared or shown.
MAX_UNKNOWN_FILTER_DEPTH: Final = 16

_GZIP_MAGIC: Final = b"\x1f\x8b"
_UTF8_BOM: Final = b"\xef\xbb\xbf"
_MISSING: Final[Any] = object()
_T = TypeVar("_T")


@frozen
class RateLimit:
    """One entry of ``rateLimits``: ``limit`` per ``interval_num`` ``interval``s."""

    rate_limit_type: str
    interval: str
    interval_num: int
    limit: int


@frozen
class Sor:
    """One entry of ``sors``: the symbols Smart Order Routing may use for ``base_asset``."""

    base_asset: str
    symbols: tuple[str, ...]


# Converters: a snapshot built by hand from lists, sets or a dict holds its own frozen copies, so
# nothing its caller changes afterwards reaches it (or the verdicts compiled from it).


def _names(value: Iterable[str]) -> frozenset[str]:
    return value if type(value) is frozenset else frozenset(value)


def _maybe_names(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else _names(value)


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return value if type(value) is tuple else tuple(value)


def _sets(value: Iterable[Iterable[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(_texts(group) for group in value)


def _filter_tuple(value: Iterable[Filter]) -> tuple[Filter, ...]:
    return value if type(value) is tuple else tuple(value)


def _rate_limit_tuple(value: Iterable[RateLimit]) -> tuple[RateLimit, ...]:
    return value if type(value) is tuple else tuple(value)


def _read_only(symbols: Mapping[str, SymbolInfo]) -> Mapping[str, SymbolInfo]:
    """The snapshot's own read-only copy of ``symbols`` (a LazySymbols has copied its own)."""
    return symbols if isinstance(symbols, LazySymbols) else MappingProxyType(dict(symbols))


def _maybe_sors(sors: Iterable[Sor] | None) -> tuple[Sor, ...] | None:
    return None if sors is None else tuple(sors)


def _filter_map(info: SymbolInfo) -> Mapping[str, Filter]:
    mapping: dict[str, Filter] = {}
    for flt in info.filters:
        mapping.setdefault(flt.filter_type, flt)  # first wins if a type is duplicated
    return MappingProxyType(mapping)


@frozen
class SymbolInfo:
    """One entry of ``symbols``: a symbol's trading rules.

    Capability flags that a snapshot lacks are False: ``allowTrailingStop`` and
    ``cancelReplaceAllowed`` (absent before 2022), ``otoAllowed`` (before 2024) and
    ``allowAmend``/``amendAllowed`` (before 2025) are missing from older snapshots because the
    feature did not exist then, so nobody could use it. ``permission_sets`` is ``()`` when the
    snapshot predates ``permissionSets``; the STP fields are None when it predates STP.
    ``pegInstructionsAllowed`` (2025-08) and ``opoAllowed`` (2025-12) are None when the
    snapshot lacks them: the rules that read them are then unchecked, not guessed.
    """

    symbol: str
    status: str
    base_asset: str
    base_asset_precision: int
    quote_asset: str
    quote_asset_precision: int
    order_types: frozenset[str] = field(converter=_names)
    iceberg_allowed: bool
    oco_allowed: bool
    oto_allowed: bool
    quote_order_qty_market_allowed: bool
    allow_trailing_stop: bool
    cancel_replace_allowed: bool
    allow_amend: bool
    is_spot_trading_allowed: bool
    is_margin_trading_allowed: bool
    permissions: tuple[str, ...] = field(converter=_texts)
    permission_sets: tuple[tuple[str, ...], ...] = field(converter=_sets)
    default_self_trade_prevention_mode: str | None
    allowed_self_trade_prevention_modes: frozenset[str] | None = field(converter=_maybe_names)
    filters: tuple[Filter, ...] = field(converter=_filter_tuple)
    #: ``filterType`` -> filter, derived from ``filters`` (the first wins if one is repeated).
    filter_map: Mapping[str, Filter] = field(
        init=False, eq=False, repr=False, default=Factory(_filter_map, takes_self=True)
    )
    peg_instructions_allowed: bool | None = None
    opo_allowed: bool | None = None
    #: Where :meth:`compiled` keeps the compiled form once built (empty until then).
    _compiled: list[CompiledSymbol] = field(init=False, eq=False, repr=False, factory=list)

    def filter(self, filter_type: str) -> Filter | None:
        """The symbol's filter of that wire type (``"LOT_SIZE"``), or None if it has none."""
        return self.filter_map.get(filter_type)

    def compiled(self) -> CompiledSymbol:
        """The symbol's filters as exact integers (:mod:`filterlib.compiled`), built on first
        use and kept (two threads may both build it; they build equal values)."""
        cell = self._compiled
        if not cell:
            cell.append(CompiledSymbol(self))
        return cell[0]

    def __reduce__(self) -> tuple[Any, ...]:
        # filter_map is a read-only view (which does not pickle), derived from filters anyway.
        return (SymbolInfo, tuple(getattr(self, f.name) for f in fields(SymbolInfo) if f.init))


@frozen
class ExchangeInfo:
    """A whole exchangeInfo snapshot.

    ``symbols`` is a read-only mapping from symbol name to :class:`SymbolInfo`, in snapshot order
    (a :class:`LazySymbols` when loaded lazily; a lazy and an eager load of the same snapshot
    compare equal, comparing decodes every symbol).
    ``sors`` is None when the snapshot has no ``sors`` key. ``source`` is only a label (a file
    name) and takes no part in equality, so the same snapshot read from a path and from bytes
    compares equal.

    Immutable, however it is built: ``symbols`` is a read-only copy of the mapping given (a
    :class:`LazySymbols` copies its entries), and lists and sets given become tuples and
    frozensets, here and in each :class:`SymbolInfo`. So a snapshot cannot change after a
    ``check`` has compiled its symbols.
    """

    timezone: str | None
    server_time: int | None
    rate_limits: tuple[RateLimit, ...] = field(converter=_rate_limit_tuple)
    exchange_filters: tuple[Filter, ...] = field(converter=_filter_tuple)
    symbols: Mapping[str, SymbolInfo] = field(hash=False, converter=_read_only)
    sors: tuple[Sor, ...] | None = field(default=None, converter=_maybe_sors)
    source: str | None = field(default=None, eq=False)
    #: Symbol name -> its compiled form when the engine's short cut may judge its LIMIT
    #: orders, else None; filled as orders name symbols (see ``compiled_plain``).
    _plain: dict[object, CompiledSymbol | None] = field(
        init=False, eq=False, repr=False, factory=dict
    )

    def compiled_plain(self, name: object) -> CompiledSymbol | None:
        """The compiled form of symbol ``name`` if the engine's short cut may judge its LIMIT
        orders (a TRADING symbol that takes them, see :class:`CompiledSymbol`), else None.
        Kept by name: the short cut reads ``_plain`` directly and calls this on a miss."""
        if type(name) is not str:
            return None
        s = self.symbol(name)
        compiled = s.compiled() if s is not None else None
        found = compiled if compiled is not None and compiled.plain else None
        self._plain[name] = found  # a benign race: both threads store equal values
        return found

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle (for process pools and Dask workers): an eager snapshot's read-only symbol
        view travels as a plain dict, a lazy one as its undecoded entries."""
        symbols = self.symbols
        state = symbols if isinstance(symbols, LazySymbols) else dict(symbols)
        return (
            _unpickle_exchange_info,
            (
                self.timezone,
                self.server_time,
                self.rate_limits,
                self.exchange_filters,
                state,
                self.sors,
                self.source,
            ),
        )

    def symbol(self, name: str) -> SymbolInfo | None:
        """The symbol of that name (``"BTCUSDT"``, case-sensitive), or None if it is not listed.

        On a lazily loaded snapshot the first call for a symbol decodes it, and raises
        :class:`SnapshotError` (naming the symbol, filter, field and value) if it is malformed.
        """
        return self.symbols.get(name)

    def validate(self) -> Self:
        """Decode every symbol not decoded yet; raise one :class:`SnapshotError` listing every
        problem in them. Returns ``self``. A no-op on an eagerly loaded snapshot, which was
        fully checked on load.
        """
        if isinstance(self.symbols, LazySymbols):
            self.symbols.decode_all()
        return self

    def unknown_filter_types(self) -> frozenset[str]:
        """The ``filterType`` names in this snapshot that filterlib does not model."""
        found = {f.filter_type for f in self.exchange_filters if isinstance(f, UnknownFilter)}
        for info in self.symbols.values():
            found.update(f.filter_type for f in info.filters if isinstance(f, UnknownFilter))
        return frozenset(found)


def _unpickle_exchange_info(
    timezone: str | None,
    server_time: int | None,
    rate_limits: tuple[RateLimit, ...],
    exchange_filters: tuple[Filter, ...],
    symbols: Mapping[str, SymbolInfo],
    sors: tuple[Sor, ...] | None,
    source: str | None,
) -> ExchangeInfo:
    return ExchangeInfo(timezone, server_time, rate_limits, exchange_filters, symbols, sors, source)


class LazySymbols(Mapping[str, SymbolInfo]):
    """The ``symbols`` of a lazily loaded snapshot: name -> :class:`SymbolInfo`, decoded on use.

    Each symbol is held as its JSON bytes until first looked up (``[]``, ``get``, ``values()``,
    ``items()``), then parsed with the same checks as an eager load and kept; a malformed symbol
    raises :class:`SnapshotError` naming its symbol, filter, field and value on every use.
    ``len``, ``in`` and iteration (snapshot order) decode nothing. Decoding is serialised by a
    lock and each symbol is published once, so concurrent ``check`` calls see one object per
    symbol. Equality is that of a mapping, so it equals an eager load's ``symbols`` (comparing
    decodes every symbol).
    """

    __slots__ = ("_cache", "_entries", "_lock", "_source")

    def __init__(self, entries: Mapping[str, SymbolInfo | bytes], source: str | None) -> None:
        self._entries = dict(entries)  # its own: a caller's dict changed later cannot reach it
        self._lock = threading.Lock()
        self._cache = _Caches()
        self._source = source

    def __getitem__(self, name: str) -> SymbolInfo:
        value = self._entries[name]
        if type(value) is SymbolInfo:
            return value
        return self._decode(name)

    def get(self, name: str, default: Any = None) -> Any:
        value = self._entries.get(name)
        if value is None:
            return default
        if type(value) is SymbolInfo:
            return value
        return self._decode(name)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __reduce__(self) -> tuple[Any, ...]:
        # The lock and the decode caches are per process; the entries travel as they are.
        return (LazySymbols, (dict(self._entries), self._source))

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<LazySymbols: {len(self)} symbols, {self.decoded_count()} decoded>"

    def decoded_count(self) -> int:
        """How many symbols have been decoded so far."""
        return sum(type(v) is SymbolInfo for v in list(self._entries.values()))

    def decode_all(self) -> None:
        """Decode every symbol; raise one :class:`SnapshotError` listing every problem found."""
        problems: list[SnapshotProblem] = []
        with self._lock:
            for index, name in enumerate(list(self._entries)):
                value = self._entries[name]
                if type(value) is bytes:
                    info = _symbol(orjson.loads(value), f"symbols[{index}]", problems, self._cache)
                    if info is not None:
                        self._entries[name] = info
        if problems:
            raise SnapshotError(problems, source=self._source)

    def _decode(self, name: str) -> SymbolInfo:
        with self._lock:
            value = self._entries[name]
            if type(value) is SymbolInfo:
                return value  # another thread decoded it while this one waited
            assert type(value) is bytes
            problems: list[SnapshotProblem] = []
            info = _symbol(orjson.loads(value), "symbols[?]", problems, self._cache)
            if info is None:
                # Malformed (rare): decode again with the symbol's real index in the path.
                index = next(i for i, key in enumerate(self._entries) if key == name)
                problems.clear()
                _symbol(orjson.loads(value), f"symbols[{index}]", problems, _Caches())
                raise SnapshotError(problems, source=self._source)
            self._entries[name] = info  # replaces an existing key: safe during iteration
            return info


def load_exchange_info(
    source: str | os.PathLike[str] | bytes | bytearray | Mapping[str, Any],
    *,
    lazy: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ExchangeInfo:
    """Read and check an exchangeInfo snapshot.

    ``source`` may be:

    * a mapping: the already-parsed JSON;
    * ``bytes``: JSON, or gzip-compressed JSON (recognised by its magic bytes ``1f 8b``);
    * a ``str`` whose first non-blank character is ``{`` or ``[``: JSON text;
    * any other ``str``, or an ``os.PathLike``: a file path, gunzipped when its content is gzip
      (a ``.gz`` name whose content is not gzip is an error).

    The WebSocket-API reply ``{"id": .., "status": 200, "result": {...}}`` is unwrapped.

    Raises :class:`SnapshotError` for anything that is not a usable exchangeInfo, including a
    Binance error body (``{"code": 0, "msg": "Service unavailable ..."}``), text that is not JSON
    or not UTF-8, and a file that cannot be read (the ``OSError`` is chained as ``__cause__``),
    so callers need catch one exception. All problems are collected before raising. Raises
    :class:`UsageError` when ``source`` is none of the types above.

    ``lazy=True`` checks only the top level on load (JSON syntax, the envelope and error body,
    ``timezone``, ``serverTime``, ``rateLimits``, ``exchangeFilters``, ``sors``, and that
    ``symbols`` is an array of objects with unique non-empty names); each symbol is decoded and
    checked the first time it is used, so a malformed symbol raises :class:`SnapshotError`
    then, from ``info.symbol(name)`` or ``info.symbols[name]``. Call
    :meth:`ExchangeInfo.validate` to check them all at once. Loading costs about one
    ``orjson.loads`` and keeps about the JSON's size in memory, instead of about 3-4x and twice
    that. Verdicts are the same either way. The default is eager (``lazy=False``) so a snapshot
    a user supplies is fully checked, every problem listed, before any order is judged. A
    mapping is always checked eagerly: it is already parsed, and its caller could change it
    afterwards.

    ``max_bytes`` caps the snapshot's JSON, after gunzipping (:data:`DEFAULT_MAX_BYTES`,
    256 MiB, by default): a larger one is a :class:`SnapshotError`. A gzip is expanded a chunk
    at a time and refused as soon as it passes the cap, so a gzip bomb costs at most the cap in
    memory, never what it would expand to. A mapping is not capped.
    """
    label: str | None = None
    if type(max_bytes) is not int or max_bytes <= 0:
        raise UsageError(f"max_bytes must be a positive number of bytes, not {shown(max_bytes)}")
    if isinstance(source, Mapping):
        return _build(source, None)
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, str) and source.lstrip()[:1] in ("{", "["):
        data = source.encode("utf-8", "surrogatepass")
    elif isinstance(source, str | os.PathLike):
        label = os.fspath(source)
        data = _read_file(label, max_bytes)
    else:
        raise UsageError(
            "load_exchange_info() takes a path, JSON bytes or text, or a mapping, "
            f"not {type(source).__name__}"
        )
    return _load_bytes(data, label, lazy, max_bytes)


@functools.cache
def load_default_exchange_info() -> ExchangeInfo:
    """The snapshot shipped with filterlib (:data:`DEFAULT_SNAPSHOT_NAME`), loaded once.

    It is loaded lazily (each symbol decoded when first used): the file is checked by the
    tests, so there is nothing to report up front, and most programs use a few symbols.
    """
    name = f"{DEFAULT_SNAPSHOT_NAME}.json.gz"
    data = resources.files("filterlib").joinpath("data").joinpath(name).read_bytes()
    return _load_bytes(data, name, True, DEFAULT_MAX_BYTES)


def _load_bytes(data: bytes, label: str | None, lazy: bool, max_bytes: int) -> ExchangeInfo:
    data = _plain(data, label, max_bytes)
    if lazy:
        split = _split_symbols(data)
        if split is not None:
            head, pieces = split
            return _build(head, label, pieces=pieces)
    return _build(_parse(data, label), label, lazy=lazy)


# --- reading -------------------------------------------------------------------------------


def _fail(message: str, label: str | None, value: object = None, path: str = "$") -> SnapshotError:
    return SnapshotError([SnapshotProblem(path, message, value=value)], source=label)


def _read_file(path: str, max_bytes: int) -> bytes:
    """The file's bytes; at most ``max_bytes`` + 1 are read (gzip expands, so the same cap
    holds for a gzip file: its JSON would be larger still)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise _fail(f"cannot read the snapshot file: {exc}", path) from exc
    if path.endswith(".gz") and not data.startswith(_GZIP_MAGIC):
        raise _fail("the file name ends in .gz but the content is not gzip", path)
    if len(data) > max_bytes:
        raise _too_large(max_bytes, path)
    return data


def _too_large(max_bytes: int, label: str | None) -> SnapshotError:
    size = f"{max_bytes >> 20} MiB" if max_bytes % (1 << 20) == 0 else f"{max_bytes} bytes"
    return _fail(
        f"the snapshot holds more than {size} of JSON (the cap; load_exchange_info's max_bytes "
        "sets another)",
        label,
    )


#: gzip data is fed to zlib this much at a time, and expanded this much at a time.
_GZIP_IN: Final = 1 << 16
_GZIP_OUT: Final = 1 << 20
_ZEROS: Final = re.compile(rb"\x00*")


def _gunzip(data: bytes, label: str | None, max_bytes: int) -> bytes:
    """``gzip.decompress(data)`` a chunk at a time: a SnapshotError as soon as the output
    passes ``max_bytes``. Reads every member (and skips zero padding between them) as
    gzip.decompress does; zlib checks each member's CRC and length."""
    view, end, pos = memoryview(data), len(data), 0
    out: list[bytes] = []
    size = 0
    while pos < end:
        member = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while not member.eof:
            piece = view[pos : pos + _GZIP_IN]
            chunk = member.decompress(piece, _GZIP_OUT)
            pos += len(piece) - len(member.unconsumed_tail) - len(member.unused_data)
            if not chunk and not piece:
                raise EOFError("compressed data ended before the end-of-stream marker")
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(max_bytes, label)
            out.append(chunk)
        padding = _ZEROS.match(data, pos)
        pos = padding.end() if padding else pos
    return b"".join(out)


def _plain(data: bytes, label: str | None, max_bytes: int) -> bytes:
    """The JSON bytes: gunzipped, without a UTF-8 BOM; at most ``max_bytes``."""
    if data.startswith(_GZIP_MAGIC):
        try:
            data = _gunzip(data, label, max_bytes)
        except (OSError, EOFError, zlib.error) as exc:
            raise _fail(f"corrupt gzip data: {exc}", label) from exc
    elif len(data) > max_bytes:
        raise _too_large(max_bytes, label)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    return data


def _parse(data: bytes, label: str | None) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as uexc:
            raise _fail(
                f"not UTF-8 text: byte {data[uexc.start : uexc.start + 1]!r} "
                f"at offset {uexc.start} is invalid",
                label,
            ) from exc
        raise _fail(f"not valid JSON: {exc}", label, value=_excerpt(data)) from exc


def _excerpt(data: bytes) -> str:
    text = data[:60].decode("utf-8", "replace")
    return text + ("..." if len(data) > 60 else "")


# --- checking ------------------------------------------------------------------------------


class _Caches:
    """Per-load memo of parsed decimal strings and whole filters (see ``parse_filter``)."""

    __slots__ = ("decimals", "filters")

    def __init__(self) -> None:
        self.decimals: dict[str, Decimal] = {}
        self.filters: dict[object, KnownFilter] = {}


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


# --- lazy loading --------------------------------------------------------------------------

_WS: Final = b" \t\n\r"  # JSON's whitespace, and nothing else
_SYMBOL_START: Final = re.compile(rb'\{[ \t\n\r]*"symbol"[ \t\n\r]*:')
_SYMBOLS_OPEN: Final = re.compile(rb'"symbols"[ \t\n\r]*:[ \t\n\r]*\[[ \t\n\r]*\Z')
_OBJECT_THEN_CLOSE: Final = re.compile(rb"\}[ \t\n\r]*\]")
_PLACEHOLDER: Final = "filterlib-lazy-symbols-placeholder"


def _split_symbols(data: bytes) -> tuple[dict[str, Any], list[tuple[object, bytes]]] | None:
    """Cut the ``symbols`` array out of the JSON without parsing the document whole.

    Candidate element starts are the objects whose first key is ``"symbol"`` (as Binance writes
    every symbol). Each element between two starts must parse on its own as a JSON object, the
    gaps must be whitespace and one comma, and the rest of the document, with the array
    replaced by a placeholder string, must parse and hold the placeholder where ``_build``
    reads ``symbols``. A valid JSON value ends exactly at its closing brace, so when all of
    that holds the cut is exact and the whole document is valid JSON. Otherwise (another
    layout, invalid JSON) returns None and the caller parses the document whole.

    Returns the rest of the document and, per element, its ``symbol`` value and compact JSON.
    The elements are parsed one at a time, so memory never holds the whole parsed document.
    """
    starts = [m.start() for m in _SYMBOL_START.finditer(data)]
    if not starts or _PLACEHOLDER.encode() in data:
        return None
    opened = _SYMBOLS_OPEN.search(data, max(0, starts[0] - 4096), starts[0])
    if opened is None:
        return None
    loads, dumps, ws = orjson.loads, orjson.dumps, _WS
    pieces: list[tuple[object, bytes]] = []
    close = -1
    try:
        for i, start in enumerate(starts):
            if i + 1 < len(starts):
                end = starts[i + 1]
                while data[end - 1] in ws:
                    end -= 1
                if data[end - 1] != 0x2C:  # ","
                    return None
                end -= 1
                while data[end - 1] in ws:
                    end -= 1
                piece = data[start:end]
                raw = loads(piece)
            else:
                for tries, found in enumerate(_OBJECT_THEN_CLOSE.finditer(data, start)):
                    if tries == 32:
                        return None
                    piece = data[start : found.start() + 1]
                    try:
                        raw = loads(piece)
                    except orjson.JSONDecodeError:
                        continue
                    close = found.end()
                    break
                else:
                    return None
            if type(raw) is not dict:
                return None
            if b"\n" in piece:  # pretty-printed: keep the compact form
                piece = dumps(raw)
            pieces.append((raw.get("symbol", _MISSING), piece))
        bracket = opened.start() + opened.group().rindex(b"[")
        placeholder = b'"' + _PLACEHOLDER.encode() + b'"'
        rest = loads(b"".join((data[:bracket], placeholder, data[close:])))
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):  # encode: a piece nested too deep
        return None
    if type(rest) is not dict:
        return None
    try:
        top = rest if "symbols" in rest else _unwrap(rest, None)
    except SnapshotError:
        return None
    if top.get("symbols") != _PLACEHOLDER:
        return None
    return rest, pieces


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


# --- field readers -------------------------------------------------------------------------


def _req(
    raw: Mapping[str, Any],
    key: str,
    kind: type[_T],
    described: str,
    path: str,
    symbol: str | None,
    problems: list[SnapshotProblem],
    fallback: _T,
) -> _T:
    value = raw.get(key, _MISSING)
    if type(value) is kind:
        return value
    _bad(raw, key, value, f"expected {described}", path, symbol, problems)
    return fallback


def _req_int(
    raw: Mapping[str, Any], key: str, path: str, symbol: str | None, problems: list[SnapshotProblem]
) -> int:
    value = raw.get(key, _MISSING)
    if type(value) is int and value >= 0:
        return value
    _bad(raw, key, value, "expected a non-negative JSON integer", path, symbol, problems)
    return 0


def _opt_str(
    raw: Mapping[str, Any], key: str, path: str, problems: list[SnapshotProblem]
) -> str | None:
    value = raw.get(key)
    if value is None or type(value) is str:
        return value
    problems.append(SnapshotProblem(path, "expected a string", field=key, value=value))
    return None


def _opt_int(
    raw: Mapping[str, Any], key: str, path: str, problems: list[SnapshotProblem]
) -> int | None:
    value = raw.get(key)
    if value is None or (type(value) is int and value >= 0):
        return value
    problems.append(
        SnapshotProblem(path, "expected a non-negative JSON integer", field=key, value=value)
    )
    return None


def _str_list(
    raw: Mapping[str, Any],
    key: str,
    path: str,
    symbol: str | None,
    problems: list[SnapshotProblem],
    required: bool,
) -> list[str]:
    value = raw.get(key, _MISSING)
    if value is _MISSING and not required:
        return []
    if isinstance(value, list) and all(type(item) is str for item in value):
        return value
    _bad(raw, key, value, "expected a JSON array of strings", path, symbol, problems)
    return []


def _permission_sets(
    raw: Mapping[str, Any], path: str, symbol: str | None, problems: list[SnapshotProblem]
) -> tuple[tuple[str, ...], ...]:
    value = raw.get("permissionSets", _MISSING)
    if value is _MISSING:
        return ()  # added in 2024; older snapshots carry only the flat permissions list
    if isinstance(value, list) and all(
        isinstance(group, list) and all(type(item) is str for item in group) for group in value
    ):
        return tuple(tuple(group) for group in value)
    _bad(
        raw,
        "permissionSets",
        value,
        "expected a JSON array of arrays of strings",
        path,
        symbol,
        problems,
    )
    return ()


def _bad(
    raw: Mapping[str, Any],
    key: str,
    value: object,
    message: str,
    path: str,
    symbol: str | None,
    problems: list[SnapshotProblem],
) -> None:
    missing = value is _MISSING
    if value is None:
        message += ", got null"  # SnapshotProblem shows no value when it is None
    problems.append(
        SnapshotProblem(
            f"{path}.{key}",
            f"missing field {key}" if missing else message,
            symbol=symbol,
            field=key,
            value=None if missing else _short(value),
        )
    )


def _leaf(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {list: "array", str: "string", type(None): "null"}.get(type(value), type(value).__name__)


def _short(value: object) -> object:
    # Keep huge values (a whole symbols list put where a string belongs) out of messages.
    if isinstance(value, list | dict):
        try:
            if len(repr(value)) <= 80:
                return value
        except RecursionError:  # nested too deep to print (a caller-built dict)
            pass
        return f"{type(value).__name__} of {len(value)} items"
    return value
