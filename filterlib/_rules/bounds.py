"""Values that pass a filter but sit exactly on one of its bounds: one order-book move or
rounding away from failing it (the CLI's ``--warnings``).

The bounds are the filter rules' own: the price bands are measured against the same market
price the rules use (:func:`~filterlib._rules.common.market_price`: the reference price when the
symbol has one, else avgPrice, or lastPrice for ``avgPriceMins`` 0).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from .._context import Context
from .._decimals import CONTEXT, format_decimal
from .._request import Order
from ..filters import (
    LotSize,
    MarketLotSize,
    MinNotional,
    Notional,
    PercentPrice,
    PercentPriceBySide,
    PriceFilter,
)
from ..snapshot import SymbolInfo
from .common import market_price

__all__ = ["on_bound"]


def on_bound(order: Order, symbol: SymbolInfo, ctx: Context) -> Iterator[str]:
    """Why each of ``order``'s values is exactly on a bound of one of the symbol's filters."""
    price, stop, qty = order.price, order.stop_price, order.quantity
    market = order.type == "MARKET"
    for flt in symbol.filters:
        if isinstance(flt, PriceFilter):
            for name, value in (("price", price), ("stopPrice", stop)):
                if value is None:
                    continue
                if flt.min_price and value == flt.min_price:
                    yield f"{name} {_s(value)} is exactly PRICE_FILTER minPrice"
                if flt.max_price and value == flt.max_price:
                    yield f"{name} {_s(value)} is exactly PRICE_FILTER maxPrice"
        elif isinstance(flt, LotSize | MarketLotSize) and qty is not None:
            if isinstance(flt, MarketLotSize) and (not market or not flt.step_size):
                continue
            if qty == flt.min_qty:
                yield f"quantity {_s(qty)} is exactly {flt.filter_type} minQty"
            if qty == flt.max_qty:
                yield f"quantity {_s(qty)} is exactly {flt.filter_type} maxQty"
        elif isinstance(flt, Notional | MinNotional) and price is not None and qty is not None:
            notional = CONTEXT.multiply(price, qty)
            if notional == flt.min_notional:
                yield f"notional {_s(notional)} is exactly {flt.filter_type} minNotional"
            if isinstance(flt, Notional) and notional == flt.max_notional:
                yield f"notional {_s(notional)} is exactly NOTIONAL maxNotional"
        elif isinstance(flt, PercentPrice | PercentPriceBySide) and price is not None:
            base, key = market_price(ctx, flt.avg_price_mins)
            if base is None:
                continue
            if isinstance(flt, PercentPrice):
                up, down = flt.multiplier_up, flt.multiplier_down
            elif order.side == "SELL":
                up, down = flt.ask_multiplier_up, flt.ask_multiplier_down
            else:
                up, down = flt.bid_multiplier_up, flt.bid_multiplier_down
            for edge, mult in (("upper", up), ("lower", down)):
                if price == CONTEXT.multiply(base, mult):
                    yield (
                        f"price {_s(price)} is exactly the {flt.filter_type} {edge} band edge "
                        f"({key} {_s(base)} x {_s(mult)})"
                    )


def _s(value: Decimal) -> str:
    return format_decimal(value)
