"""One check per filter type, and the table that maps filter types to checks.

A filter type with no entry here is reported as unchecked by the engine, never passed in silence.
The account-state filters (MAX_NUM_*, MAX_POSITION, EXCHANGE_MAX_NUM_*) are here too, though the
matching engine judges them: the catalogue's stage says when each runs, and its endpoint scope
where (the order-list counts on the order-list endpoints, MAX_NUM_ORDER_AMENDS on the amend).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from .._compiled import RangeGrid
from .._context import Context
from .._decimals import ceil_to_step, floor_to_step, format_decimal
from .._request import Order
from ..filters import (
    ExchangeMaxNumAlgoOrders,
    ExchangeMaxNumIcebergOrders,
    ExchangeMaxNumOrderLists,
    ExchangeMaxNumOrders,
    IcebergParts,
    LotSize,
    MarketLotSize,
    MaxNumAlgoOrders,
    MaxNumIcebergOrders,
    MaxNumOrderAmends,
    MaxNumOrderLists,
    MaxNumOrders,
    MaxPosition,
    MinNotional,
    Notional,
    PercentPrice,
    PercentPriceBySide,
    PriceFilter,
    TrailingDelta,
)
from ..snapshot import SymbolInfo
from .common import Findings, fail, grid_nearest, market_price, range_failure, unchecked


def price_filter(f: PriceFilter, order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    # Pass or fail on the compiled form's integers; the Decimal code below only explains a
    # failure (or decides a value with more decimals than the symbol's scale).
    grid = symbol.compiled().price
    compiled = grid if grid.source is f else None
    for name, value in (("price", order.price), ("stopPrice", order.stop_price)):
        if value is None or (not value and name == "price"):
            continue  # a zero price is the request layer's "Invalid price."; a zero stopPrice
            # is below minPrice like any other ("minPrice defines the minimum price/stopPrice")
        why = range_failure(compiled, value, f.min_price, f.max_price, f.tick_size)
        if why:
            yield fail(
                "PRICE_FILTER",
                name,
                value,
                limit=f"minPrice={_s(f.min_price)} maxPrice={_s(f.max_price)} "
                f"tickSize={_s(f.tick_size)}",
                nearest=grid_nearest(value, f.min_price, f.max_price, f.tick_size),
                detail=f"{name} {_s(value)} is {why}",
            )


def _band(
    rule_id: str,
    order: Order,
    symbol: SymbolInfo,
    ctx: Context,
    down: Decimal,
    up: Decimal,
    mins: int,
) -> Findings:
    # Defined on the order's price; MARKET, STOP_LOSS and TAKE_PROFIT have none (research §2).
    if order.price is None or not order.price or order.executes_at_market:
        return
    reference, key = market_price(ctx, mins)
    if reference is None:
        yield unchecked(rule_id, key)
        return
    low, high = reference * down, reference * up
    if low <= order.price <= high:
        return
    tick = _tick(symbol)
    nearest = (
        (format_decimal(ceil_to_step(low, tick)),)
        if order.price < low
        else (format_decimal(floor_to_step(high, tick)),)
    )
    yield fail(
        rule_id,
        "price",
        order.price,
        limit=f"{_s(low)}..{_s(high)} ({key} {_s(reference)})",
        nearest=nearest,
        detail=f"price must lie between {_s(low)} and {_s(high)} ({key} {_s(reference)} "
        f"x {_s(down)}..{_s(up)})",
    )


def percent_price(f: PercentPrice, order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    return _band(
        "PERCENT_PRICE", order, symbol, ctx, f.multiplier_down, f.multiplier_up, f.avg_price_mins
    )


def percent_price_by_side(
    f: PercentPriceBySide, order: Order, symbol: SymbolInfo, ctx: Context
) -> Findings:
    if order.side == "BUY":
        down, up = f.bid_multiplier_down, f.bid_multiplier_up
    elif order.side == "SELL":
        down, up = f.ask_multiplier_down, f.ask_multiplier_up
    else:
        return iter(())
    return _band("PERCENT_PRICE_BY_SIDE", order, symbol, ctx, down, up, f.avg_price_mins)


#: Binance's fixed point: 8 decimals (int64, hence -1108 above 92233720368.54775807).
_FIXED_POINT_UNIT = Decimal("0.00000001")


def price_quantity_zero(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    """ "Price * QTY is zero or less.": the product is below one unit of the 8-decimal fixed
    point, so it truncates to zero there (zero price or quantity is the request layer's)."""
    price, quantity = order.price, order.quantity
    if price is None or quantity is None or not price or not quantity:
        return
    if price * quantity < _FIXED_POINT_UNIT:
        yield fail(
            "price_quantity_zero",
            "quantity",
            quantity,
            limit=f"price * quantity >= {_s(_FIXED_POINT_UNIT)}",
            detail=f"{_s(price)} * {_s(quantity)} is {_s(price * quantity)}, zero at 8 decimals",
        )


def _lot(
    rule_id: str,
    f: LotSize | MarketLotSize,
    name: str,
    value: Decimal | None,
    grid: RangeGrid | None = None,
) -> Findings:
    if value is None or not value:
        return
    why = range_failure(grid, value, f.min_qty, f.max_qty, f.step_size)
    if why:
        yield fail(
            rule_id,
            name,
            value,
            limit=f"minQty={_s(f.min_qty)} maxQty={_s(f.max_qty)} stepSize={_s(f.step_size)}",
            nearest=grid_nearest(value, f.min_qty, f.max_qty, f.step_size),
            detail=f"{name} {_s(value)} is {why}",
        )


def lot_size(f: LotSize, order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    grid = symbol.compiled().lot
    compiled = grid if grid.source is f else None  # pass or fail on its integers
    yield from _lot("LOT_SIZE", f, "quantity", order.quantity, compiled)
    if order.is_iceberg:
        yield from _lot("LOT_SIZE", f, "icebergQty", order.iceberg_qty, compiled)


def market_lot_size(f: MarketLotSize, order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if order.type == "MARKET":
        yield from _lot("MARKET_LOT_SIZE", f, "quantity", order.quantity)


def _notional(
    rule_id: str,
    order: Order,
    symbol: SymbolInfo,
    ctx: Context,
    minimum: Decimal,
    maximum: Decimal | None,
    mins: int,
    f: MinNotional | Notional,
) -> Findings:
    """Check minimum <= notional (<= maximum); ``None`` or zero bounds are not applied.
    A priced order's notional passes or fails on the compiled form's integers."""
    if order.executes_at_market:
        if order.quote_order_qty is not None:
            # quoteOrderQty is the notional itself (research §3).
            notional, parameter, price = order.quote_order_qty, "quoteOrderQty", None
        elif order.quantity is not None and order.quantity:
            price, key = market_price(ctx, mins)
            if price is None:
                yield unchecked(rule_id, key)
                return
            notional, parameter = price * order.quantity, "quantity"
        else:
            return
    elif order.price is not None and order.quantity is not None and order.price and order.quantity:
        if symbol.compiled().notional_passes(f, order.price, order.quantity):
            return
        price, parameter = order.price, "quantity"
        notional = price * order.quantity
    else:
        return
    low = minimum if minimum and notional < minimum else None
    high = maximum if maximum and notional > maximum else None
    if low is None and high is None:
        return
    bound = low if low is not None else high
    assert bound is not None
    side = "below the minimum" if low is not None else "above the maximum"
    nearest: tuple[str, ...] = ()
    if parameter == "quoteOrderQty":
        nearest = (_s(bound),)
    elif price:  # a zero market price (from the context) has no quantity that reaches a bound
        step = _step(symbol)
        target = bound / price
        nearest = (
            _s(ceil_to_step(target, step) if low is not None else floor_to_step(target, step)),
        )
    yield fail(
        rule_id,
        parameter,
        order.quote_order_qty if parameter == "quoteOrderQty" else order.quantity,
        limit=f"{'minNotional' if low is not None else 'maxNotional'}={_s(bound)}",
        nearest=nearest,
        detail=f"notional {_s(notional)} is {side} {_s(bound)}"
        + ("" if price is None or order.price else f" at price {_s(price)}"),
    )


def min_notional(f: MinNotional, order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if order.executes_at_market and not f.apply_to_market:
        return iter(())
    return _notional("MIN_NOTIONAL", order, symbol, ctx, f.min_notional, None, f.avg_price_mins, f)


def notional(f: Notional, order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    minimum, maximum = f.min_notional, f.max_notional
    if order.executes_at_market:
        minimum = minimum if f.apply_min_to_market else Decimal(0)
        maximum = maximum if f.apply_max_to_market else Decimal(0)
        if not minimum and not maximum:
            return iter(())
    return _notional("NOTIONAL", order, symbol, ctx, minimum, maximum, f.avg_price_mins, f)


def iceberg_parts(f: IcebergParts, order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if not order.is_iceberg or order.quantity is None or not order.quantity:
        return
    assert order.iceberg_qty is not None
    parts = ceil_to_step(order.quantity / order.iceberg_qty, Decimal(1))
    if parts > f.limit:
        # With a limit of 0 no iceberg order passes, so there is no nearest icebergQty.
        smallest = ceil_to_step(order.quantity / f.limit, _step(symbol)) if f.limit else None
        yield fail(
            "ICEBERG_PARTS",
            "icebergQty",
            order.iceberg_qty,
            limit=f"limit={f.limit}",
            nearest=(_s(smallest),) if smallest is not None else (),
            detail=f"the order splits into {int(parts)} parts; the limit is {f.limit}",
        )


def trailing_delta(f: TrailingDelta, order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    delta = order.trailing_delta
    if delta is None or not order.is_algo or order.side is None:
        return
    assert order.type is not None
    above = (order.type.startswith("STOP_LOSS")) == (order.side == "BUY")
    low, high = (
        (f.min_trailing_above_delta, f.max_trailing_above_delta)
        if above
        else (f.min_trailing_below_delta, f.max_trailing_below_delta)
    )
    if not low <= delta <= high:
        which = "Above" if above else "Below"
        yield fail(
            "TRAILING_DELTA",
            "trailingDelta",
            delta,
            limit=f"minTrailing{which}Delta={low} maxTrailing{which}Delta={high}",
            nearest=(str(low if delta < low else high),),
            detail=f"trailingDelta {delta} must lie in {low}..{high} bips",
        )


def _count(
    rule_id: str, ctx: Context, limit: int, adding: int, symbol: str | None, what: str
) -> Findings:
    """Open orders (on ``symbol``, or on all symbols when None) + ``adding`` must fit ``limit``.

    ``what`` picks what counts: every order, the algo or iceberg ones, or (``order lists``)
    each open order list once, by its ``orderListId``: an OTOCO's three orders are one list.
    """
    if not adding:
        return
    if ctx.open_orders is None:
        yield unchecked(rule_id, "openOrders")
        return
    mine = [o for o in ctx.open_orders if symbol is None or o.symbol == symbol]
    if what == _LISTS:
        count = len({o.order_list_id for o in mine if o.order_list_id != -1})
    else:
        count = sum(
            1
            for o in mine
            if what == "orders" or (o.type in _ALGO if what == "algo" else o.iceberg_qty > 0)
        )
    if count + adding > limit:
        where = f"on {symbol}" if symbol else "on the exchange"
        kind = _LISTS if what == _LISTS else "orders" if what == "orders" else f"{what} orders"
        yield fail(
            rule_id,
            None,
            count,
            limit=str(limit),
            detail=f"{count} open {kind} {where} + {adding} new; the limit is {limit}",
        )


_LISTS = "order lists"


_ALGO = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})


def _algo(orders: Sequence[Order]) -> int:
    return sum(1 for o in orders if o.is_algo)


def _icebergs(orders: Sequence[Order]) -> int:
    return sum(1 for o in orders if o.is_iceberg)


def max_num_orders(
    f: MaxNumOrders, orders: Sequence[Order], symbol: SymbolInfo, ctx: Context
) -> Findings:
    return _count("MAX_NUM_ORDERS", ctx, f.max_num_orders, len(orders), symbol.symbol, "orders")


def max_num_algo_orders(
    f: MaxNumAlgoOrders, orders: Sequence[Order], symbol: SymbolInfo, ctx: Context
) -> Findings:
    return _count(
        "MAX_NUM_ALGO_ORDERS", ctx, f.max_num_algo_orders, _algo(orders), symbol.symbol, "algo"
    )


def max_num_iceberg_orders(
    f: MaxNumIcebergOrders, orders: Sequence[Order], symbol: SymbolInfo, ctx: Context
) -> Findings:
    return _count(
        "MAX_NUM_ICEBERG_ORDERS",
        ctx,
        f.max_num_iceberg_orders,
        _icebergs(orders),
        symbol.symbol,
        "iceberg",
    )


def exchange_max_num_orders(
    f: ExchangeMaxNumOrders, orders: Sequence[Order], symbol: SymbolInfo, ctx: Context
) -> Findings:
    return _count("EXCHANGE_MAX_NUM_ORDERS", ctx, f.max_num_orders, len(orders), None, "orders")


def exchange_max_num_algo_orders(
    f: ExchangeMaxNumAlgoOrders, orders: Sequence[Order], symbol: SymbolInfo, ctx: Context
) -> Findings:
    return _count(
        "EXCHANGE_MAX_NUM_ALGO_ORDERS", ctx, f.max_num_algo_orders, _algo(orders), None, "algo"
    )


def exchange_max_num_iceberg_orders(
    f: ExchangeMaxNumIcebergOrders, orders: Sequence[Order], symbol: SymbolInfo, ctx: Context
) -> Findings:
    return _count(
        "EXCHANGE_MAX_NUM_ICEBERG_ORDERS",
        ctx,
        f.max_num_iceberg_orders,
        _icebergs(orders),
        None,
        "iceberg",
    )


def max_num_order_lists(
    f: MaxNumOrderLists, orders: Sequence[Order], symbol: SymbolInfo, ctx: Context
) -> Findings:
    """An order-list request (the catalogue scopes it) opens one list, whatever its legs."""
    return _count(
        "MAX_NUM_ORDER_LISTS",
        ctx,
        f.max_num_order_lists,
        min(len(orders), 1),
        symbol.symbol,
        _LISTS,
    )


def exchange_max_num_order_lists(
    f: ExchangeMaxNumOrderLists, orders: Sequence[Order], symbol: SymbolInfo, ctx: Context
) -> Findings:
    return _count(
        "EXCHANGE_MAX_NUM_ORDER_LISTS",
        ctx,
        f.max_num_order_lists,
        min(len(orders), 1),
        None,
        _LISTS,
    )


def max_num_order_amends(
    f: MaxNumOrderAmends, orders: Sequence[Order], symbol: SymbolInfo, ctx: Context
) -> Findings:
    """An amend (the catalogue scopes it) fails once the order has had maxNumOrderAmends."""
    if ctx.amendments is None:
        yield unchecked("MAX_NUM_ORDER_AMENDS", "amendments")
    elif ctx.amendments >= f.max_num_order_amends:
        yield fail(
            "MAX_NUM_ORDER_AMENDS",
            None,
            ctx.amendments,
            limit=str(f.max_num_order_amends),
            detail=f"the order was amended {ctx.amendments} times; the limit is "
            f"{f.max_num_order_amends}",
        )


def max_position(
    f: MaxPosition, orders: Sequence[Order], symbol: SymbolInfo, ctx: Context
) -> Findings:
    """BUY orders only (spec: Filters > MAX_POSITION); an order list adds all its BUY legs,
    as Binance's position counts every open BUY order."""
    buys = [o for o in orders if o.side == "BUY"]
    if not buys:
        return
    if any(o.quantity is None for o in buys):
        if any(o.quote_order_qty is not None for o in buys):
            yield unchecked(
                "MAX_POSITION",
                reason="a quoteOrderQty order's quantity is known only when it fills",
            )
        return
    if ctx.account is None or ctx.open_orders is None:
        needs = tuple(
            k for k, v in (("account", ctx.account), ("openOrders", ctx.open_orders)) if v is None
        )
        yield unchecked("MAX_POSITION", *needs)
        return
    quantity = sum((o.quantity for o in buys if o.quantity is not None), Decimal(0))
    balance = ctx.account.balances.get(symbol.base_asset)
    held = balance.free + balance.locked if balance is not None else Decimal(0)
    buying = sum(
        (o.remaining for o in ctx.open_orders if o.symbol == symbol.symbol and o.side == "BUY"),
        Decimal(0),
    )
    position = held + buying
    if position + quantity > f.max_position:
        room = f.max_position - position
        # Each BUY leg adds its quantity: legs sharing one quantity (an OCO's) split the room.
        shared = len({o.quantity for o in buys}) == 1
        nearest = (
            (_s(floor_to_step(room / len(buys), _step(symbol))),) if room > 0 and shared else ()
        )
        yield fail(
            "MAX_POSITION",
            "quantity",
            quantity,
            limit=_s(f.max_position),
            nearest=nearest,
            detail=f"position {_s(position)} + quantity {_s(quantity)} exceeds "
            f"maxPosition {_s(f.max_position)}",
        )


def _s(value: Decimal) -> str:
    return format_decimal(value)


def _tick(symbol: SymbolInfo) -> Decimal:
    f = symbol.filter("PRICE_FILTER")
    return f.tick_size if isinstance(f, PriceFilter) else Decimal(0)


def _step(symbol: SymbolInfo) -> Decimal:
    f = symbol.filter("LOT_SIZE")
    return f.step_size if isinstance(f, LotSize) else Decimal(0)


FilterCheck = Callable[[Any, Order, SymbolInfo, Context], Findings]
CountCheck = Callable[[Any, Sequence[Order], SymbolInfo, Context], Findings]

#: Filter type -> check of one order.
FILTER_CHECKS: Mapping[str, FilterCheck] = {
    "PRICE_FILTER": price_filter,
    "PERCENT_PRICE": percent_price,
    "PERCENT_PRICE_BY_SIDE": percent_price_by_side,
    "LOT_SIZE": lot_size,
    "MIN_NOTIONAL": min_notional,
    "NOTIONAL": notional,
    "ICEBERG_PARTS": iceberg_parts,
    "MARKET_LOT_SIZE": market_lot_size,
    "TRAILING_DELTA": trailing_delta,
}

#: Filter type -> check of everything a request adds: the open-order counts and the position,
#: symbol and exchange filters alike (their names differ). The matching engine judges these.
COUNT_CHECKS: Mapping[str, CountCheck] = {
    "MAX_NUM_ORDERS": max_num_orders,
    "MAX_NUM_ALGO_ORDERS": max_num_algo_orders,
    "MAX_NUM_ICEBERG_ORDERS": max_num_iceberg_orders,
    "MAX_POSITION": max_position,
    "MAX_NUM_ORDER_LISTS": max_num_order_lists,
    "MAX_NUM_ORDER_AMENDS": max_num_order_amends,
    "EXCHANGE_MAX_NUM_ORDERS": exchange_max_num_orders,
    "EXCHANGE_MAX_NUM_ALGO_ORDERS": exchange_max_num_algo_orders,
    "EXCHANGE_MAX_NUM_ICEBERG_ORDERS": exchange_max_num_iceberg_orders,
    "EXCHANGE_MAX_NUM_ORDER_LISTS": exchange_max_num_order_lists,
}
