"""The symbol layer: what the symbol allows at all, before any filter (-1013)."""

from __future__ import annotations

from collections.abc import Callable

from .._context import Context
from .._request import Order
from ..snapshot import SymbolInfo
from .common import Findings, fail

#: The words Binance uses for each order type in "... orders are not supported for this symbol."
TYPE_WORDS = {
    "MARKET": "Market",
    "STOP_LOSS": "Stop loss",
    "STOP_LOSS_LIMIT": "Stop loss limit",
    "TAKE_PROFIT": "Take profit",
    "TAKE_PROFIT_LIMIT": "Take profit limit",
    "LIMIT": "Limit",
    "LIMIT_MAKER": "Limit maker",
}


def market_closed(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if symbol.status != "TRADING":
        yield fail(
            "market_closed",
            "symbol",
            None,
            limit="TRADING",
            detail=f"{symbol.symbol} is {symbol.status}, not TRADING",
        )


#: The statuses an amend may act in: CANCEL_ONLY allows "only cancel and amend" (docs 2026-07,
#: 7a).
AMEND_STATUSES = frozenset({"TRADING", "CANCEL_ONLY"})


def amend_market_closed(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if symbol.status not in AMEND_STATUSES:
        yield fail(
            "amend_market_closed",
            "symbol",
            None,
            limit="TRADING, CANCEL_ONLY",
            detail=f"{symbol.symbol} is {symbol.status}; an amend needs TRADING or CANCEL_ONLY",
        )


def order_type_not_supported(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if order.type is not None and order.type not in symbol.order_types:
        allowed = sorted(symbol.order_types)
        yield fail(
            "order_type_not_supported",
            "type",
            order.type,
            args=(TYPE_WORDS[order.type],),
            limit=", ".join(allowed),
            nearest=tuple(allowed),
            detail=f"{symbol.symbol} takes {', '.join(allowed)}",
        )


def iceberg_not_supported(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if order.is_iceberg and not symbol.iceberg_allowed:
        yield fail("iceberg_not_supported", "icebergQty", order.iceberg_qty)


def quote_order_qty_not_supported(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if (
        order.type == "MARKET"
        and order.quote_order_qty is not None
        and not symbol.quote_order_qty_market_allowed
    ):
        yield fail(
            "quote_order_qty_not_supported",
            "quoteOrderQty",
            order.quote_order_qty,
            detail="send quantity instead",
        )


def trailing_stop_not_supported(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if order.trailing_delta is not None and not symbol.allow_trailing_stop:
        yield fail("trailing_stop_not_supported", "trailingDelta", order.trailing_delta)


def stp_mode_not_allowed(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    allowed = symbol.allowed_self_trade_prevention_modes
    if allowed is None:  # a snapshot from before STP existed (December 2022)
        return
    mode = order.stp_mode or symbol.default_self_trade_prevention_mode
    if mode is not None and mode not in allowed:
        yield fail(
            "stp_mode_not_allowed",
            "selfTradePreventionMode",
            mode,
            limit=", ".join(sorted(allowed)),
            nearest=tuple(sorted(allowed)),
            detail=f"{symbol.symbol} allows {', '.join(sorted(allowed))}",
        )


SymbolRule = Callable[[Order, SymbolInfo, Context], Findings]
