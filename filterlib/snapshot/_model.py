"""The immutable model of a snapshot: :class:`ExchangeInfo`, :class:`SymbolInfo` (each keeping
its compiled form, :mod:`filterlib._compiled`), :class:`RateLimit`, :class:`Sor`, and the
:class:`LazySymbols` mapping of a lazy load, which decodes a symbol on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Self

import orjson
from attrs import Factory, field, fields, frozen

from .._compiled import CompiledSymbol
from ..exceptions import SnapshotError, SnapshotProblem
from ..filters import Filter, UnknownFilter
from ._fields import _Caches


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
        """The symbol's filters as exact integers (:mod:`filterlib._compiled`), built on first
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
    #: check_table's groups of rows, by context prices (filterlib._table._Groups).
    _tables: dict[object, object] = field(init=False, eq=False, repr=False, factory=dict)

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
        # Imported here: filterlib.snapshot._decode builds this module's classes.
        from ._decode import _symbol

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
        # Imported here: filterlib.snapshot._decode builds this module's classes.
        from ._decode import _symbol

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
