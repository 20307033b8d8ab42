"""The matching engine's own rules (-2010): the account, the market, the order's own sizes.

``POST /api/v3/order/test`` "does not send [the order] into the matching engine", so none of
these is evaluated there; the count and position filters, judged by the matching engine too,
live with the other filters in :mod:`.filters` and carry the "engine" stage in the catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from .._context import Context
from .._decimals import format_decimal
from .._request import Order
from .._verdict import Unchecked
from ..filters import LotSize, MarketLotSize
from ..snapshot import SymbolInfo
from .common import Findings, fail, unchecked


def iceberg_exceeds_quantity(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if order.is_iceberg and order.quantity is not None and order.quantity:
        assert order.iceberg_qty is not None
        if order.iceberg_qty >= order.quantity:
            yield fail(
                "iceberg_exceeds_quantity",
                "icebergQty",
                order.iceberg_qty,
                limit=f"< quantity {order.quantity}",
                detail="icebergQty must be less than quantity",
            )


def account_cannot_trade(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if ctx.account is None:
        yield unchecked("account_cannot_trade", "account")
    elif not ctx.account.can_trade:
        yield fail("account_cannot_trade", None, None, detail="the account's canTrade is false")


def symbol_not_permitted(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if not symbol.is_spot_trading_allowed:
        yield fail(
            "symbol_not_permitted",
            "symbol",
            symbol.symbol,
            detail=f"{symbol.symbol} does not allow spot trading (isSpotTradingAllowed false)",
        )
        return
    if ctx.account is None or ctx.account.permissions is None:
        yield unchecked("symbol_not_permitted", "account")
        return
    held = ctx.account.permissions
    # [["A","B"]] means A or B; [["A"],["B"]] means A and B (spec: Exchange information).
    sets = symbol.permission_sets or ((symbol.permissions,) if symbol.permissions else ())
    missing = [s for s in sets if s and not held.intersection(s)]
    if missing:
        yield fail(
            "symbol_not_permitted",
            "symbol",
            symbol.symbol,
            limit=" and ".join("(" + " or ".join(s) + ")" for s in sets),
            detail=f"the account lacks {' and '.join('one of ' + '/'.join(s) for s in missing)}",
        )


#: Binance decides these from the account's own state, which no endpoint a caller can read
#: shows: they are unchecked on every order, with this reason (catalogue: ``decidable`` False).
_ACCOUNT_STATE = "Binance alone knows the account's restrictions; no context key shows them"
_SYMBOL_RESTRICTED = Unchecked("symbol_restricted", (), _ACCOUNT_STATE, decidable=False)
_ACTION_DISABLED = Unchecked("action_disabled", (), _ACCOUNT_STATE, decidable=False)


def action_disabled(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    yield _ACTION_DISABLED


def symbol_restricted(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    yield _SYMBOL_RESTRICTED


def stop_would_trigger(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if order.stop_price is None or not order.is_algo or order.side is None:
        return
    if ctx.last_price is None:
        yield unchecked("stop_would_trigger", "lastPrice")
        return
    assert order.type is not None
    # "Price above market price: STOP_LOSS BUY, TAKE_PROFIT SELL" (spec: New order).
    above = order.type.startswith("STOP_LOSS") == (order.side == "BUY")
    triggers = order.stop_price <= ctx.last_price if above else order.stop_price >= ctx.last_price
    if triggers:
        yield fail(
            "stop_would_trigger",
            "stopPrice",
            order.stop_price,
            limit=f"{'>' if above else '<'} lastPrice {ctx.last_price}",
            detail=f"stopPrice must be {'above' if above else 'below'} the last price "
            f"{ctx.last_price} for a {order.type} {order.side}",
        )


def limit_maker_would_take(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if order.type != "LIMIT_MAKER" or order.price is None or order.side is None:
        return
    if order.peg_price_type is not None:
        return  # a pegged maker takes PRIMARY_PEG, the best price of its own side: it rests
    if order.side == "BUY":
        if ctx.ask_price is None:
            yield unchecked("limit_maker_would_take", "askPrice")
        elif order.price >= ctx.ask_price:
            yield fail(
                "limit_maker_would_take",
                "price",
                order.price,
                limit=f"< askPrice {ctx.ask_price}",
                detail=f"a maker BUY must be priced below the best ask {ctx.ask_price}",
            )
    elif ctx.bid_price is None:
        yield unchecked("limit_maker_would_take", "bidPrice")
    elif order.price <= ctx.bid_price:
        yield fail(
            "limit_maker_would_take",
            "price",
            order.price,
            limit=f"> bidPrice {ctx.bid_price}",
            detail=f"a maker SELL must be priced above the best bid {ctx.bid_price}",
        )


def insufficient_balance(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if order.side is None or order.type is None:
        return
    if order.side == "BUY":
        asset = symbol.quote_asset
        if order.quote_order_qty is not None:
            need = order.quote_order_qty
        elif not order.executes_at_market:
            if order.price is None and order.peg_price_type is not None:
                yield unchecked(
                    "insufficient_balance",
                    reason="a pegged BUY costs its pegged price: needs the book's prices",
                )
                return
            if order.price is None or order.quantity is None:
                return  # the request layer already reports the missing or malformed value
            need = order.price * order.quantity
        else:
            yield unchecked(
                "insufficient_balance", reason="the cost of a market BUY depends on the book"
            )
            return
    else:
        asset = symbol.base_asset
        if order.quantity is None:
            if order.quote_order_qty is None:
                return  # the request layer already reports the missing or malformed value
            yield unchecked(
                "insufficient_balance", reason="the size of a quote SELL depends on the book"
            )
            return
        need = order.quantity
    if ctx.account is None:
        yield unchecked("insufficient_balance", "account")
        return
    free = ctx.account.free(asset)
    if free < need:
        yield fail(
            "insufficient_balance",
            None,
            need,
            limit=f"free {asset} {free}",
            detail=f"needs {need} {asset}; the account has {free} free",
        )


def _book_liquidity(order: Order, ctx: Context) -> Decimal | None:
    """The quantity on the side a quote-quantity MARKET order takes from (asks for a BUY)."""
    if ctx.depth is None:
        return None
    return ctx.depth.ask_quantity if order.side == "BUY" else ctx.depth.bid_quantity


def _is_quote_market(order: Order) -> bool:
    return order.type == "MARKET" and order.quote_order_qty is not None and order.side is not None


def liquidity_empty_book(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if not _is_quote_market(order):
        return
    total = _book_liquidity(order, ctx)
    if total is None:
        yield unchecked("liquidity_empty_book", "depth")
    elif not total:
        side = "asks" if order.side == "BUY" else "bids"
        yield fail(
            "liquidity_empty_book",
            "quoteOrderQty",
            order.quote_order_qty,
            detail=f"the order book has no {side} for a quote-quantity MARKET {order.side}",
        )


def _liquidity_below(
    rule_id: str, filter_type: str, order: Order, symbol: SymbolInfo, ctx: Context
) -> Findings:
    """A quote-quantity MARKET order against a book holding less than the filter's minQty.

    Only an empty side (``liquidity_empty_book``) is decided: a depth body shows the levels its
    ``limit`` asked for, so a side holding less than minQty in the levels given may hold more
    beyond them. Enough quantity in the levels given passes.
    """
    if not _is_quote_market(order):
        return
    f = symbol.filter(filter_type)
    if not isinstance(f, LotSize | MarketLotSize) or not f.min_qty:
        return
    total = _book_liquidity(order, ctx)
    if total is None:
        yield unchecked(rule_id, "depth")
    elif total and total < f.min_qty:
        yield unchecked(
            rule_id,
            reason=f"the depth given holds {format_decimal(total)} on the side this order "
            f"takes, below {filter_type} minQty {format_decimal(f.min_qty)}; the levels beyond "
            "it are not known",
        )


def liquidity_lot_size(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    return _liquidity_below("liquidity_lot_size", "LOT_SIZE", order, symbol, ctx)


def liquidity_market_lot_size(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    return _liquidity_below("liquidity_market_lot_size", "MARKET_LOT_SIZE", order, symbol, ctx)


def max_asset(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    """MAX_ASSET, the account's own limit per order (docs 2026-07, 4): on the base asset, the
    quantity; on the quote asset, the notional. The filters come from the context (myFilters),
    not the snapshot, so this is an account rule rather than a filter check."""
    if order.quantity is None and order.quote_order_qty is None:
        return  # the request layer already reports the missing or malformed value
    if ctx.asset_filters is None:
        yield unchecked("max_asset", "myFilters")
        return
    for f in ctx.asset_filters:
        if f.asset == symbol.base_asset:
            amount, parameter, what = order.quantity, "quantity", "quantity"
            why = "the quantity of a quoteOrderQty order is known only when it fills"
        elif f.asset == symbol.quote_asset:
            parameter, what = "quantity", "notional"
            if order.quote_order_qty is not None:
                amount, parameter = order.quote_order_qty, "quoteOrderQty"
            elif order.executes_at_market or order.price is None or order.quantity is None:
                amount = None
            else:
                amount = order.price * order.quantity
            why = "the notional of a market order is known only when it fills"
        else:
            continue
        if amount is None:
            yield unchecked("max_asset", reason=why)
        elif amount > f.limit:
            yield fail(
                "max_asset",
                parameter,
                order.quote_order_qty if parameter == "quoteOrderQty" else order.quantity,
                limit=f"{f.asset} {format_decimal(f.limit)}",
                detail=f"{what} {format_decimal(amount)} {f.asset} exceeds the account's "
                f"MAX_ASSET limit {format_decimal(f.limit)}",
            )


EngineRule = Callable[[Order, SymbolInfo, Context], Findings]
