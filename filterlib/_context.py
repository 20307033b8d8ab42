"""Market and account state, taken in Binance's own response shapes so a bot passes what it has.

Keys of the context mapping (each optional):

- ``avgPrice``: the body of ``GET /api/v3/avgPrice`` (``{"mins": 5, "price": "..."}``) or the price.
- ``lastPrice``: the body of ``GET /api/v3/ticker/price`` (``{"symbol": ..., "price": "..."}``)
  or the price.
- ``bidPrice`` / ``askPrice``: the prices of ``GET /api/v3/ticker/bookTicker``; the whole
  bookTicker body may also be given as ``bookTicker``.
- ``referencePrice``: the symbol's reference price, which since 2026-05 takes the place of the
  average price where a symbol has one; null means the symbol has none.
- ``account``: the body of ``GET /api/v3/account`` (balances, permissions, canTrade).
- ``openOrders``: the list of ``GET /api/v3/openOrders`` without a symbol (all symbols). An
  order's ``orderListId`` (-1, or absent: not in an order list) lets the order-list filters
  count each open list once.
- ``amendments``: the list of ``GET /api/v3/order/amendments`` for the order an amend names
  (one object per amendment already made); MAX_NUM_ORDER_AMENDS counts its items.
- ``myFilters``: the body of ``GET /api/v3/myFilters`` for the order's symbol
  (``{"exchangeFilters": [...], "symbolFilters": [...], "assetFilters": [...]}``); the MAX_ASSET
  filters among ``assetFilters`` are read, the rest are the snapshot's to give.
- ``depth``: the body of ``GET /api/v3/depth`` (``bids`` and ``asks``, best first): the price
  level a pegged order's ``pegOffsetValue`` names, and the liquidity a quote-quantity MARKET
  order meets (the total quantity on the other side).

An account or open order lacking a field the rules count with (``canTrade``, ``balances``, a
balance's ``free`` and ``locked``, an order's ``origQty``, ``executedQty`` and ``icebergQty``) is
a :class:`ContextError`: Binance always sends them, and a default in their place could pass an
order Binance refuses. ``permissions`` may be left out (the rule that reads it is then
unchecked), and so may an order's ``orderId``, ``clientOrderId``, ``price`` (0) and ``status``
(``NEW``).
- ``serverTime``: the current time, as the body of ``GET /api/v3/time``
  (``{"serverTime": 1691945251000}``) or its milliseconds; with it, a snapshot older than the
  maximum age (``check(..., max_age_ms=...)``) gets a warning in the verdict. ``check`` never
  reads the clock itself.

Prices are strings as Binance sends them (ints and Decimals are accepted too; floats are not,
since a float has already lost the exact value).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType

from attrs import frozen

from ._decimals import CONTEXT, format_decimal, parse_wire_decimal
from .exceptions import SnapshotError, UsageError, shown
from .filters import MaxAsset

__all__ = ["Account", "Balance", "Context", "ContextError", "OpenOrder", "as_context"]

CONTEXT_KEYS = (
    "avgPrice",
    "lastPrice",
    "bidPrice",
    "askPrice",
    "bookTicker",
    "referencePrice",
    "account",
    "openOrders",
    "serverTime",
    "depth",
    "amendments",
    "myFilters",
)


class ContextError(UsageError, ValueError):
    """A context value that is not in the shape Binance sends; names the key and the value."""


@frozen
class Balance:
    free: Decimal
    locked: Decimal


@frozen
class Account:
    balances: Mapping[str, Balance]
    permissions: frozenset[str] | None
    can_trade: bool

    def free(self, asset: str) -> Decimal:
        balance = self.balances.get(asset)
        return balance.free if balance is not None else Decimal(0)


@frozen
class OpenOrder:
    """What the count and position filters need of an open order."""

    symbol: str
    side: str
    type: str
    orig_qty: Decimal
    executed_qty: Decimal
    iceberg_qty: Decimal
    order_id: int | None = None
    client_order_id: str | None = None
    price: Decimal = Decimal(0)
    status: str = "NEW"
    #: The order list the order belongs to; -1 (Binance's value, and the default) for none.
    order_list_id: int = -1

    @property
    def remaining(self) -> Decimal:
        return self.orig_qty - self.executed_qty


@frozen
class Depth:
    """The price levels of ``GET /api/v3/depth``, best first: bids high to low, asks low to
    high, as Binance sends them, and each side's total quantity (the liquidity a quote-quantity
    MARKET order meets). A peg reads only the prices."""

    bids: tuple[Decimal, ...]
    asks: tuple[Decimal, ...]
    bid_quantity: Decimal = Decimal(0)
    ask_quantity: Decimal = Decimal(0)


@frozen
class Context:
    """Typed context; build it from a mapping with :func:`as_context`."""

    avg_price: Decimal | None = None
    last_price: Decimal | None = None
    bid_price: Decimal | None = None
    ask_price: Decimal | None = None
    reference_price: Decimal | None = None
    account: Account | None = None
    open_orders: tuple[OpenOrder, ...] | None = None
    #: The current time in milliseconds since the epoch, as ``GET /api/v3/time`` gives it.
    server_time: int | None = None
    #: The order book's price levels, best first (``GET /api/v3/depth``), for price pegs.
    depth: Depth | None = None
    #: How many times the order an amend names was amended already (``amendments``' length).
    amendments: int | None = None
    #: The account's MAX_ASSET filters on the symbol (``myFilters``' ``assetFilters``).
    asset_filters: tuple[MaxAsset, ...] | None = None


EMPTY = Context()


def as_context(context: Context | Mapping[str, object] | None) -> Context:
    """The typed context for a mapping with the keys above (or a Context, or None)."""
    if context is None:
        return EMPTY
    if isinstance(context, Context):
        return context
    if not isinstance(context, Mapping):
        raise ContextError(f"context must be a mapping or a Context, not {type(context).__name__}")
    unknown = sorted(k if type(k) is str else shown(k) for k in context if k not in CONTEXT_KEYS)
    if unknown:
        raise ContextError(
            f"unknown context key(s) {', '.join(unknown)}; known: {', '.join(CONTEXT_KEYS)}"
        )
    book = context.get("bookTicker")
    book_map: Mapping[str, object] = book if isinstance(book, Mapping) else {}
    if book is not None and not isinstance(book, Mapping):
        raise ContextError("bookTicker must be the JSON object of GET /api/v3/ticker/bookTicker")
    return Context(
        avg_price=_price(context, "avgPrice", "price"),
        last_price=_price(context, "lastPrice", "price"),
        bid_price=_either(
            _price(context, "bidPrice", "bidPrice"),
            _price(book_map, "bidPrice", "bidPrice", "bookTicker.bidPrice"),
        ),
        ask_price=_either(
            _price(context, "askPrice", "askPrice"),
            _price(book_map, "askPrice", "askPrice", "bookTicker.askPrice"),
        ),
        reference_price=_price(context, "referencePrice", "referencePrice"),
        account=_account(context.get("account")),
        open_orders=_open_orders(context.get("openOrders")),
        server_time=_server_time(context.get("serverTime")),
        depth=_depth(context.get("depth")),
        amendments=_amendments(context.get("amendments")),
        asset_filters=_asset_filters(context.get("myFilters")),
    )


def _either(given: Decimal | None, book: Decimal | None) -> Decimal | None:
    """The price given as its own key, else bookTicker's: a given 0 is a price, not absent."""
    return given if given is not None else book


def _depth(value: object) -> Depth | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ContextError("depth must be the JSON object of GET /api/v3/depth")
    bids, bid_quantity = _levels(value, "bids")
    asks, ask_quantity = _levels(value, "asks")
    return Depth(bids, asks, bid_quantity, ask_quantity)


def _levels(depth: Mapping[str, object], side: str) -> tuple[tuple[Decimal, ...], Decimal]:
    levels = depth.get(side)
    if levels is None:
        raise ContextError(f"depth: missing {side}; pass the body as Binance sends it")
    if not isinstance(levels, Sequence) or isinstance(levels, str | bytes):
        raise ContextError(f"depth.{side} must be a list of [price, quantity] pairs")
    prices = []
    total = Decimal(0)
    for i, level in enumerate(levels):
        if not isinstance(level, Sequence) or isinstance(level, str | bytes) or len(level) != 2:
            raise ContextError(f"depth.{side}[{i}] must be a [price, quantity] pair")
        prices.append(_decimal(level[0], f"depth.{side}[{i}][0]"))
        total = CONTEXT.add(total, _decimal(level[1], f"depth.{side}[{i}][1]"))
    return tuple(prices), total


def _server_time(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = value.get("serverTime")
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**15:
        return value
    raise ContextError(
        'serverTime: expected the body of GET /api/v3/time, like {"serverTime": '
        f"1691945251000}}, or its milliseconds, got {shown(value)}"
    )


def _decimal(value: object, where: str) -> Decimal:
    # Every form goes through Binance's own decimal format, so a context value has the same
    # range as a price Binance could send (20 integer and 20 fraction digits at most).
    if isinstance(value, Decimal) and value.is_finite() and -21 < value.adjusted() < 20:
        value = format_decimal(value)
    elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**20:
        value = str(value)
    if isinstance(value, str):
        parsed = parse_wire_decimal(value)
        if parsed is not None:
            return parsed
    raise ContextError(f'{where}: expected a decimal string like "1.25000000", got {shown(value)}')


def _price(
    source: Mapping[str, object], key: str, inner: str, where: str | None = None
) -> Decimal | None:
    value = source.get(key)
    if value is None:
        return None
    if isinstance(value, Mapping):
        value = value.get(inner, value.get("price"))
        if value is None:  # e.g. {"referencePrice": null}: the symbol has none
            return None
    return _decimal(value, where or key)


def _account(value: object) -> Account | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ContextError("account must be the JSON object of GET /api/v3/account")
    balances: dict[str, Balance] = {}
    raw_balances = value.get("balances", [])
    if not isinstance(raw_balances, Sequence) or isinstance(raw_balances, str):
        raise ContextError("account.balances must be a list")
    for i, entry in enumerate(raw_balances):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("asset"), str):
            raise ContextError(f"account.balances[{i}] must have an asset, free and locked")
        where = f"account.balances[{i}]"
        free, locked = _decimals(entry, ("free", "locked"), where)
        _require(entry, ("free", "locked"), where)
        balances[str(entry["asset"])] = Balance(free, locked)
    permissions = value.get("permissions")
    if permissions is not None and (
        not isinstance(permissions, Sequence)
        or isinstance(permissions, str)
        or not all(isinstance(p, str) for p in permissions)
    ):
        raise ContextError("account.permissions must be a list of strings")
    can_trade = value.get("canTrade")
    if can_trade is not None and not isinstance(can_trade, bool):
        raise ContextError(f"account.canTrade must be true or false, got {shown(can_trade)}")
    _require(value, ("balances", "canTrade"), "account")
    return Account(
        MappingProxyType(balances),
        frozenset(permissions) if permissions is not None else None,
        can_trade is True,
    )


def _decimals(body: Mapping[str, object], keys: tuple[str, ...], where: str) -> list[Decimal]:
    """The decimal fields ``keys`` of ``body`` (0 for one missing: see :func:`_require`)."""
    return [
        _decimal(body[k], f"{where}.{k}") if body.get(k) is not None else Decimal(0) for k in keys
    ]


def _require(body: Mapping[str, object], keys: tuple[str, ...], where: str) -> None:
    """A ContextError naming the fields of ``keys`` that ``body`` lacks or holds as null.

    Called once the fields present are checked, so a malformed field is named first. A rule
    reading a default in a missing field's place (canTrade true, no open iceberg orders) would
    pass an order Binance might refuse.
    """
    missing = [k for k in keys if body.get(k) is None]
    if missing:
        raise ContextError(
            f"{where}: missing {', '.join(missing)}; pass the body as Binance sends it"
        )


def _open_orders(value: object) -> tuple[OpenOrder, ...] | None:
    if value is None:
        return None
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ContextError("openOrders must be the JSON list of GET /api/v3/openOrders")
    return tuple(_open_order(entry, f"openOrders[{i}]") for i, entry in enumerate(value))


_ORDER_QUANTITIES = ("origQty", "executedQty", "icebergQty")


def _open_order(entry: object, where: str) -> OpenOrder:
    if not isinstance(entry, Mapping):
        raise ContextError(f"{where} must be an order object")
    for key in ("symbol", "side", "type"):
        if not isinstance(entry.get(key), str):
            raise ContextError(f"{where}.{key} must be a string, got {shown(entry.get(key))}")
    order_id = entry.get("orderId")
    if order_id is not None and (not isinstance(order_id, int) or isinstance(order_id, bool)):
        raise ContextError(f"{where}.orderId must be an integer, got {shown(order_id)}")
    client_id = entry.get("clientOrderId")
    if client_id is not None and not isinstance(client_id, str):
        raise ContextError(f"{where}.clientOrderId must be a string, got {shown(client_id)}")
    status = entry.get("status", "NEW")
    if not isinstance(status, str):
        raise ContextError(f"{where}.status must be a string, got {shown(status)}")
    list_id = entry.get("orderListId", -1)
    if not isinstance(list_id, int) or isinstance(list_id, bool) or list_id < -1:
        raise ContextError(f"{where}.orderListId must be an integer >= -1, got {shown(list_id)}")
    orig, executed, iceberg = _decimals(entry, _ORDER_QUANTITIES, where)
    _require(entry, _ORDER_QUANTITIES, where)
    price = _decimal(entry.get("price", "0"), f"{where}.price")
    return OpenOrder(
        str(entry["symbol"]),
        str(entry["side"]),
        str(entry["type"]),
        orig,
        executed,
        iceberg,
        order_id,
        client_id,
        price,
        status,
        list_id,
    )


def _amendments(value: object) -> int | None:
    # The body of GET /api/v3/order/amendments is a JSON list with one object per amendment;
    # only their number matters here, so any object counts as one.
    if value is None:
        return None
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ContextError("amendments must be the JSON list of GET /api/v3/order/amendments")
    for i, entry in enumerate(value):
        if not isinstance(entry, Mapping):
            raise ContextError(f"amendments[{i}] must be an amendment object, got {shown(entry)}")
    return len(value)


_MY_FILTERS_LISTS = ("exchangeFilters", "symbolFilters", "assetFilters")


def _asset_filters(value: object) -> tuple[MaxAsset, ...] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ContextError("myFilters must be the JSON object of GET /api/v3/myFilters")
    for key in _MY_FILTERS_LISTS:
        listed = value.get(key, [])
        if not isinstance(listed, Sequence) or isinstance(listed, str):
            raise ContextError(f"myFilters.{key} must be a list of filters")
    found = []
    for i, entry in enumerate(value.get("assetFilters", [])):
        where = f"myFilters.assetFilters[{i}]"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("filterType"), str):
            raise ContextError(f"{where} must be a filter object with a filterType")
        if entry["filterType"] != MaxAsset.filter_type:
            continue  # another asset filter Binance may add: not this key's to judge
        try:
            found.append(MaxAsset.from_dict(entry))
        except SnapshotError as exc:
            why = "; ".join(
                p.message if p.value is None else f"{p.field}: {p.message}, got {shown(p.value)}"
                for p in exc.problems
            )
            raise ContextError(f"{where}: {why}") from None
    _require(value, _MY_FILTERS_LISTS, "myFilters")  # the body whole, as Binance sends it
    return tuple(found)
