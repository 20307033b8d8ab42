"""The filters of an exchangeInfo snapshot, one frozen class per ``filterType``.

Each known class names its wire type in ``filter_type`` and describes its wire fields in
``wire_fields``: a small jsonschema-like table of ``(json key, kind, tightening)`` triples, in
the order of the class's attributes. One table-driven parser (:func:`parse_filter`) reads every
type, so the rules are the same everywhere:

* decimal fields take a JSON string (or a JSON int) in plain form ``[0-9]{1,20}(.[0-9]{1,20})?``,
  the form Binance itself writes: no sign, no exponent, no NaN or Infinity. A float (from a
  caller's own dict) is accepted only if its ``str()`` has that form.
* int fields take a JSON int (not a bool: ``True`` is an ``int`` to Python, not to JSON) or a
  string of ASCII digits; never negative.
* bool fields take a JSON boolean only.
* str fields (MAX_ASSET's ``asset``) take a non-empty JSON string.
* every field is required: every real snapshot in fixtures/snapshots carries every field of every
  filter it has, so there is no real-data omission that would justify a default.
* keys a known filter does not describe are ignored, so a field Binance adds later does not
  break loading.

The tightening says which change of a field can turn an order the old filter accepts into one
the new filter rejects (``filterlib diff``). It sits beside the field so that a new filter, or a
new field, cannot be added without saying it.

A ``filterType`` this module does not know (T_PLUS_SELL, ...) becomes an :class:`UnknownFilter`
that keeps the raw fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar, Final, Literal, Self, TypeAlias

from attrs import frozen

from filterlib._decimals import parse_wire_decimal, parse_wire_long
from filterlib.exceptions import SnapshotError, SnapshotProblem

__all__ = [
    "FILTER_TYPES",
    "ExchangeMaxNumAlgoOrders",
    "ExchangeMaxNumIcebergOrders",
    "ExchangeMaxNumOrderLists",
    "ExchangeMaxNumOrders",
    "Filter",
    "IcebergParts",
    "KnownFilter",
    "LotSize",
    "MarketLotSize",
    "MaxAsset",
    "MaxNumAlgoOrders",
    "MaxNumIcebergOrders",
    "MaxNumOrderAmends",
    "MaxNumOrderLists",
    "MaxNumOrders",
    "MaxPosition",
    "MinNotional",
    "Notional",
    "PercentPrice",
    "PercentPriceBySide",
    "PriceFilter",
    "Tightening",
    "TrailingDelta",
    "UnknownFilter",
    "parse_filter",
    "tightens",
]

#: Field kinds used in ``wire_fields``.
DEC: Final = "decimal"
INT: Final = "int"
BOOL: Final = "bool"
STR: Final = "str"

#: Which change of a field tightens its filter (see :func:`tightens`):
#: ``higher`` a minimum; ``lower`` a maximum; ``lower or set`` a maximum where 0 means none, so
#: 0 becoming a bound tightens too; ``grid`` a tick or step, tightening when the new grid does
#: not contain every point of the old one (0: no grid); ``on`` a flag that restricts when true;
#: ``any`` every change (``avgPriceMins``: another averaging window moves the price compared;
#: MAX_ASSET's ``asset``: the limit moves to other orders).
Tightening: TypeAlias = Literal["higher", "lower", "lower or set", "grid", "on", "any"]
HIGHER: Final = "higher"
LOWER: Final = "lower"
LOWER_OR_SET: Final = "lower or set"
GRID: Final = "grid"
ON: Final = "on"
ANY: Final = "any"

_WireFields: TypeAlias = tuple[tuple[str, str, Tightening], ...]


def tightens(
    tightening: Tightening, old: Decimal | int | bool | str, new: Decimal | int | bool | str
) -> bool:
    """Whether changing a field from ``old`` to ``new`` can reject an order ``old`` accepted."""
    if tightening == ON:
        return bool(new) and not old
    if tightening == ANY:
        return True
    assert not isinstance(old, str), "only ANY fits a str field"
    assert not isinstance(new, str), "only ANY fits a str field"
    if tightening == HIGHER:
        return new > old
    if tightening == LOWER:
        return new < old
    if tightening == LOWER_OR_SET:  # 0 means no maximum
        return new != 0 and (old == 0 or new < old)
    # GRID: every old multiple must stay a multiple
    if new == 0:
        return False
    if old == 0:
        return True
    return Decimal(old) % Decimal(new) != 0


class _FromWire:
    """Mixin: build a filter from its raw exchangeInfo dict (see :func:`parse_filter`)."""

    __slots__ = ()

    filter_type: ClassVar[str]
    wire_fields: ClassVar[_WireFields]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Self:
        """Build from a raw filter dict; raises :class:`SnapshotError` listing every problem.

        ``filterType`` itself is not checked here, so the caller chooses the class.
        """
        problems: list[SnapshotProblem] = []
        values = _read_fields(cls.wire_fields, raw, "filter", None, cls.filter_type, problems, {})
        if values is None:
            raise SnapshotError(problems)
        return cls(*values)


@frozen
class PriceFilter(_FromWire):
    """PRICE_FILTER: price bounds and tick; each part is disabled when it is zero."""

    filter_type: ClassVar[str] = "PRICE_FILTER"
    wire_fields: ClassVar[_WireFields] = (
        ("minPrice", DEC, HIGHER),
        ("maxPrice", DEC, LOWER_OR_SET),
        ("tickSize", DEC, GRID),
    )

    min_price: Decimal
    max_price: Decimal
    tick_size: Decimal


@frozen
class PercentPrice(_FromWire):
    """PERCENT_PRICE: price within multipliers of the ``avg_price_mins`` average price."""

    filter_type: ClassVar[str] = "PERCENT_PRICE"
    wire_fields: ClassVar[_WireFields] = (
        ("multiplierUp", DEC, LOWER),
        ("multiplierDown", DEC, HIGHER),
        ("avgPriceMins", INT, ANY),
    )

    multiplier_up: Decimal
    multiplier_down: Decimal
    avg_price_mins: int


@frozen
class PercentPriceBySide(_FromWire):
    """PERCENT_PRICE_BY_SIDE: like PERCENT_PRICE, with bid (BUY) and ask (SELL) multipliers."""

    filter_type: ClassVar[str] = "PERCENT_PRICE_BY_SIDE"
    wire_fields: ClassVar[_WireFields] = (
        ("bidMultiplierUp", DEC, LOWER),
        ("bidMultiplierDown", DEC, HIGHER),
        ("askMultiplierUp", DEC, LOWER),
        ("askMultiplierDown", DEC, HIGHER),
        ("avgPriceMins", INT, ANY),
    )

    bid_multiplier_up: Decimal
    bid_multiplier_down: Decimal
    ask_multiplier_up: Decimal
    ask_multiplier_down: Decimal
    avg_price_mins: int


@frozen
class LotSize(_FromWire):
    """LOT_SIZE: quantity (and icebergQty) bounds and step."""

    filter_type: ClassVar[str] = "LOT_SIZE"
    wire_fields: ClassVar[_WireFields] = (
        ("minQty", DEC, HIGHER),
        ("maxQty", DEC, LOWER_OR_SET),
        ("stepSize", DEC, GRID),
    )

    min_qty: Decimal
    max_qty: Decimal
    step_size: Decimal


@frozen
class MarketLotSize(_FromWire):
    """MARKET_LOT_SIZE: quantity bounds and step for MARKET orders (a zero step disables it)."""

    filter_type: ClassVar[str] = "MARKET_LOT_SIZE"
    wire_fields: ClassVar[_WireFields] = (
        ("minQty", DEC, HIGHER),
        ("maxQty", DEC, LOWER_OR_SET),
        ("stepSize", DEC, GRID),
    )

    min_qty: Decimal
    max_qty: Decimal
    step_size: Decimal


@frozen
class MinNotional(_FromWire):
    """MIN_NOTIONAL (before NOTIONAL replaced it in 2023): minimum ``price * quantity``."""

    filter_type: ClassVar[str] = "MIN_NOTIONAL"
    wire_fields: ClassVar[_WireFields] = (
        ("minNotional", DEC, HIGHER),
        ("applyToMarket", BOOL, ON),
        ("avgPriceMins", INT, ANY),
    )

    min_notional: Decimal
    apply_to_market: bool
    avg_price_mins: int


@frozen
class Notional(_FromWire):
    """NOTIONAL: minimum and maximum ``price * quantity``, each optionally for MARKET orders."""

    filter_type: ClassVar[str] = "NOTIONAL"
    wire_fields: ClassVar[_WireFields] = (
        ("minNotional", DEC, HIGHER),
        ("applyMinToMarket", BOOL, ON),
        ("maxNotional", DEC, LOWER_OR_SET),
        ("applyMaxToMarket", BOOL, ON),
        ("avgPriceMins", INT, ANY),
    )

    min_notional: Decimal
    apply_min_to_market: bool
    max_notional: Decimal
    apply_max_to_market: bool
    avg_price_mins: int


@frozen
class IcebergParts(_FromWire):
    """ICEBERG_PARTS: the most parts, ``CEIL(qty / icebergQty)``, an iceberg order may have."""

    filter_type: ClassVar[str] = "ICEBERG_PARTS"
    wire_fields: ClassVar[_WireFields] = (("limit", INT, LOWER),)

    limit: int


@frozen
class MaxNumOrders(_FromWire):
    """MAX_NUM_ORDERS: open orders (algo included) an account may have on the symbol."""

    filter_type: ClassVar[str] = "MAX_NUM_ORDERS"
    wire_fields: ClassVar[_WireFields] = (("maxNumOrders", INT, LOWER),)

    max_num_orders: int


@frozen
class MaxNumAlgoOrders(_FromWire):
    """MAX_NUM_ALGO_ORDERS: open STOP_LOSS*/TAKE_PROFIT* orders allowed on the symbol."""

    filter_type: ClassVar[str] = "MAX_NUM_ALGO_ORDERS"
    wire_fields: ClassVar[_WireFields] = (("maxNumAlgoOrders", INT, LOWER),)

    max_num_algo_orders: int


@frozen
class MaxNumIcebergOrders(_FromWire):
    """MAX_NUM_ICEBERG_ORDERS: open iceberg orders allowed on the symbol."""

    filter_type: ClassVar[str] = "MAX_NUM_ICEBERG_ORDERS"
    wire_fields: ClassVar[_WireFields] = (("maxNumIcebergOrders", INT, LOWER),)

    max_num_iceberg_orders: int


@frozen
class MaxPosition(_FromWire):
    """MAX_POSITION: the largest base-asset position (balances plus open BUYs) allowed."""

    filter_type: ClassVar[str] = "MAX_POSITION"
    wire_fields: ClassVar[_WireFields] = (("maxPosition", DEC, LOWER),)

    max_position: Decimal


@frozen
class TrailingDelta(_FromWire):
    """TRAILING_DELTA: bounds, in basis points, of ``trailingDelta`` above and below."""

    filter_type: ClassVar[str] = "TRAILING_DELTA"
    wire_fields: ClassVar[_WireFields] = (
        ("minTrailingAboveDelta", INT, HIGHER),
        ("maxTrailingAboveDelta", INT, LOWER),
        ("minTrailingBelowDelta", INT, HIGHER),
        ("maxTrailingBelowDelta", INT, LOWER),
    )

    min_trailing_above_delta: int
    max_trailing_above_delta: int
    min_trailing_below_delta: int
    max_trailing_below_delta: int


@frozen
class ExchangeMaxNumOrders(_FromWire):
    """EXCHANGE_MAX_NUM_ORDERS: open orders an account may have on the whole exchange."""

    filter_type: ClassVar[str] = "EXCHANGE_MAX_NUM_ORDERS"
    wire_fields: ClassVar[_WireFields] = (("maxNumOrders", INT, LOWER),)

    max_num_orders: int


@frozen
class ExchangeMaxNumAlgoOrders(_FromWire):
    """EXCHANGE_MAX_NUM_ALGO_ORDERS: open algo orders an account may have on the exchange."""

    filter_type: ClassVar[str] = "EXCHANGE_MAX_NUM_ALGO_ORDERS"
    wire_fields: ClassVar[_WireFields] = (("maxNumAlgoOrders", INT, LOWER),)

    max_num_algo_orders: int


@frozen
class ExchangeMaxNumIcebergOrders(_FromWire):
    """EXCHANGE_MAX_NUM_ICEBERG_ORDERS: open iceberg orders an account may have."""

    filter_type: ClassVar[str] = "EXCHANGE_MAX_NUM_ICEBERG_ORDERS"
    wire_fields: ClassVar[_WireFields] = (("maxNumIcebergOrders", INT, LOWER),)

    max_num_iceberg_orders: int


@frozen
class MaxNumOrderLists(_FromWire):
    """MAX_NUM_ORDER_LISTS: open order lists an account may have on the symbol; an OTOCO
    counts as one (docs 2026-07, 4; enabled 2025-08-28, CHANGELOG 2025-08-12)."""

    filter_type: ClassVar[str] = "MAX_NUM_ORDER_LISTS"
    wire_fields: ClassVar[_WireFields] = (("maxNumOrderLists", INT, LOWER),)

    max_num_order_lists: int


@frozen
class MaxNumOrderAmends(_FromWire):
    """MAX_NUM_ORDER_AMENDS: how many times one order on the symbol may be amended (docs
    2026-07, 4; enabled 2025-08-28, CHANGELOG 2025-08-12)."""

    filter_type: ClassVar[str] = "MAX_NUM_ORDER_AMENDS"
    wire_fields: ClassVar[_WireFields] = (("maxNumOrderAmends", INT, LOWER),)

    max_num_order_amends: int


@frozen
class MaxAsset(_FromWire):
    """MAX_ASSET: the most of ``asset`` one order may transact: its quantity where the asset is
    the symbol's base, its notional where it is the quote. Binance shows it in ``GET
    /api/v3/myFilters`` (``assetFilters``), never in exchangeInfo (docs 2026-07, 2g and 4;
    CHANGELOG 2025-09-29)."""

    filter_type: ClassVar[str] = "MAX_ASSET"
    wire_fields: ClassVar[_WireFields] = (("asset", STR, ANY), ("limit", DEC, LOWER))

    asset: str
    limit: Decimal


@frozen
class ExchangeMaxNumOrderLists(_FromWire):
    """EXCHANGE_MAX_NUM_ORDER_LISTS: open order lists an account may have on the exchange; an
    OTOCO counts as one (docs 2026-07, 4; CHANGELOG 2025-08-12)."""

    filter_type: ClassVar[str] = "EXCHANGE_MAX_NUM_ORDER_LISTS"
    wire_fields: ClassVar[_WireFields] = (("maxNumOrderLists", INT, LOWER),)

    max_num_order_lists: int


@frozen
class UnknownFilter:
    """A ``filterType`` filterlib does not model, kept so it can be shown, never enforced.

    ``fields`` holds the raw key/value pairs other than ``filterType``, in snapshot order; JSON
    arrays become tuples and objects become tuples of pairs, so the filter stays hashable.
    """

    filter_type: str
    fields: tuple[tuple[str, object], ...]


KnownFilter: TypeAlias = (
    PriceFilter
    | PercentPrice
    | PercentPriceBySide
    | LotSize
    | MarketLotSize
    | MinNotional
    | Notional
    | IcebergParts
    | MaxNumOrders
    | MaxNumAlgoOrders
    | MaxNumIcebergOrders
    | MaxPosition
    | TrailingDelta
    | MaxNumOrderLists
    | MaxNumOrderAmends
    | MaxAsset
    | ExchangeMaxNumOrders
    | ExchangeMaxNumAlgoOrders
    | ExchangeMaxNumIcebergOrders
    | ExchangeMaxNumOrderLists
)
Filter: TypeAlias = KnownFilter | UnknownFilter

_KNOWN: tuple[type[KnownFilter], ...] = (
    PriceFilter,
    PercentPrice,
    PercentPriceBySide,
    LotSize,
    MarketLotSize,
    MinNotional,
    Notional,
    IcebergParts,
    MaxNumOrders,
    MaxNumAlgoOrders,
    MaxNumIcebergOrders,
    MaxPosition,
    TrailingDelta,
    MaxNumOrderLists,
    MaxNumOrderAmends,
    MaxAsset,
    ExchangeMaxNumOrders,
    ExchangeMaxNumAlgoOrders,
    ExchangeMaxNumIcebergOrders,
    ExchangeMaxNumOrderLists,
)

_BY_TYPE: dict[str, type[KnownFilter]] = {cls.filter_type: cls for cls in _KNOWN}
#: Wire ``filterType`` -> class, for every filter type filterlib models.
FILTER_TYPES: Mapping[str, type[KnownFilter]] = MappingProxyType(_BY_TYPE)

_MISSING: Final[Any] = object()


def parse_filter(
    raw: object,
    path: str,
    symbol: str | None,
    problems: list[SnapshotProblem],
    decimal_cache: dict[str, Decimal] | None = None,
    *,
    index: int | None = None,
    filter_cache: dict[object, KnownFilter] | None = None,
) -> Filter | None:
    """One filter from its raw dict, or None after appending its problems to ``problems``.

    ``path`` locates the filter (``symbols[12].filters[3]``) and ``symbol`` names its symbol, for
    the problems. With ``index``, the location is ``f"{path}[{index}]"``, built only if needed.
    ``decimal_cache`` maps wire strings already parsed to their Decimal: snapshots repeat a few
    hundred distinct strings tens of thousands of times, so one cache per load spares most of
    the parsing. Decimals are immutable, so sharing them is safe. ``filter_cache`` does the same
    for whole filters: most symbols share their MAX_NUM_ORDERS, ICEBERG_PARTS, TRAILING_DELTA,
    NOTIONAL... dicts verbatim, so an identical raw dict yields the same (frozen) object.
    """
    if not isinstance(raw, dict) and not isinstance(raw, Mapping):
        path = _where(path, index)
        problems.append(
            SnapshotProblem(path, "a filter must be a JSON object", symbol=symbol, value=raw)
        )
        return None
    filter_type = raw.get("filterType", _MISSING)
    if type(filter_type) is not str:
        missing = filter_type is _MISSING
        problems.append(
            SnapshotProblem(
                f"{_where(path, index)}.filterType",
                "missing filterType" if missing else "filterType must be a string",
                symbol=symbol,
                field="filterType",
                value=None if missing else filter_type,
            )
        )
        return None
    cls = _BY_TYPE.get(filter_type)
    if cls is None:
        fields = tuple((k, _freeze(v)) for k, v in raw.items() if k != "filterType")
        return UnknownFilter(filter_type, fields)
    key: object = None
    if filter_cache is not None:
        # The value types are part of the key: True == 1 and hash(True) == hash(1), so without
        # them a valid avgPriceMins=1 would let a later, invalid avgPriceMins=true through.
        try:
            # One flat tuple (keys, values, value types): equal only for dicts of equal length
            # whose keys, values and types all match, and cheaper than nested pairs.
            key = (*raw, *raw.values(), *map(type, raw.values()))
            cached = filter_cache.get(key)
        except TypeError:  # an unhashable value (a list): parse without the cache
            key = cached = None
        if cached is not None:
            return cached
    cache = {} if decimal_cache is None else decimal_cache
    values = _read_fields(cls.wire_fields, raw, path, symbol, filter_type, problems, cache, index)
    if values is None:
        return None
    result = cls(*values)
    if key is not None and filter_cache is not None:
        filter_cache[key] = result
    return result


def _where(path: str, index: int | None) -> str:
    return path if index is None else f"{path}[{index}]"


def _read_fields(
    wire_fields: _WireFields,
    raw: Mapping[str, Any],
    path: str,
    symbol: str | None,
    filter_type: str,
    problems: list[SnapshotProblem],
    cache: dict[str, Decimal],
    index: int | None = None,
) -> list[Any] | None:
    # The happy path is one dict lookup and one type check per field (plus, for a decimal not
    # seen before, one regex match): no exception is raised unless the field is bad.
    values: list[Any] = []
    ok = True
    for key, kind, _ in wire_fields:
        value = raw.get(key, _MISSING)
        if kind == DEC:
            if type(value) is str:
                parsed = cache.get(value)
                if parsed is None:
                    parsed = parse_wire_decimal(value)
                    if parsed is not None:
                        cache[value] = parsed
            else:
                parsed = _decimal_slow(value)
            if parsed is not None:
                values.append(parsed)
                continue
            message = "expected a plain non-negative decimal string like '0.00100000'"
        elif kind == INT:
            if type(value) is int and value >= 0:
                values.append(value)
                continue
            number = parse_wire_long(value) if type(value) is str else None
            if number is not None:
                values.append(number)
                continue
            message = "expected a non-negative JSON integer"
        elif kind == STR:
            if type(value) is str and value:
                values.append(value)
                continue
            message = "expected a non-empty JSON string"
        else:
            if type(value) is bool:
                values.append(value)
                continue
            message = "expected a JSON boolean (true or false)"
        ok = False
        missing = value is _MISSING
        if value is None:
            message += ", got null"  # SnapshotProblem shows no value when it is None
        problems.append(
            SnapshotProblem(
                f"{_where(path, index)}.{key}",
                f"missing field {key}" if missing else message,
                symbol=symbol,
                filter_type=filter_type,
                field=key,
                value=None if missing else value,
            )
        )
    return values if ok else None


def _decimal_slow(value: object) -> Decimal | None:
    # Not a str: a JSON int, or a float/Decimal from a caller-built dict. Each must still write
    # itself in plain form, so 1e-05 and Decimal("1E+3") are refused like "1E+3" would be.
    if type(value) is bool or not isinstance(value, int | float | Decimal):
        return None
    return parse_wire_decimal(str(value))


def _freeze(value: object) -> object:
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, Mapping):
        return tuple((str(k), _freeze(v)) for k, v in value.items())
    return value
