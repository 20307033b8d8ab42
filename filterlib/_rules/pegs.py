"""Pegged orders: the price a peg selects, and the filters judged at it (docs 2026-07, 3a).

"Pegged orders are required to pass all applicable filters with the selected price:
PRICE_FILTER, PERCENT_PRICE and PERCENT_PRICE_BY_SIDE, NOTIONAL and MIN_NOTIONAL. If a pegged
order specifies price, it must pass validation at both price and peggedPrice." The selected
price is the book's: PRIMARY_PEG takes the best price on the order's own side, MARKET_PEG the
best on the other side, ``pegOffsetValue`` levels deeper (0: the best). It comes from the
context's ``bidPrice``/``askPrice`` (level 0) or its ``depth`` (any level); without them those
filters are unchecked at the pegged price, never guessed. A stop-limit order, and a pending leg
of an order list, is priced when it reaches the book, and Binance validates it then ("Contingent
pegged orders as well as pegged pending orders of OTO order lists are (re)validated at the
trigger time"), so at placement its pegged price is unchecked.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from attrs import evolve

from .._context import Context
from .._endpoints import Leg
from .._request import PEGGABLE_TYPES, Order
from .._verdict import Violation
from ..snapshot import SymbolInfo
from .common import Finding, Findings, fail, unchecked
from .filters import FilterCheck

__all__ = ["PEGGED_FILTERS", "pegged_findings", "pegged_price"]

#: The filters a pegged order passes at the price its peg selects (docs 2026-07, 3a).
PEGGED_FILTERS = (
    "PRICE_FILTER",
    "PERCENT_PRICE",
    "PERCENT_PRICE_BY_SIDE",
    "MIN_NOTIONAL",
    "NOTIONAL",
)
#: Types that place their limit price on the book only when their stop triggers.
_TRIGGERED = frozenset({"STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})


def _book_side(order: Order) -> str | None:
    """``bids`` or ``asks``: where the peg of ``order`` reads its price."""
    if order.side not in ("BUY", "SELL") or order.peg_price_type is None:
        return None
    own = "bids" if order.side == "BUY" else "asks"
    if order.peg_price_type == "PRIMARY_PEG":
        return own
    return "asks" if own == "bids" else "bids"


def pegged_price(order: Order, ctx: Context) -> Decimal | Finding | None:
    """The price the peg of ``order`` selects now; an Unchecked naming the context it needs;
    the peg_liquidity violation when the ``depth`` given lacks that level; None when the order
    is not a pegged order that can be priced (an invalid peg is the request layer's)."""
    side = _book_side(order)
    if side is None:
        return None
    level = order.peg_offset_value or 0
    if ctx.depth is not None:
        levels = ctx.depth.bids if side == "bids" else ctx.depth.asks
        if level < len(levels):
            return levels[level]
        return fail(
            "peg_liquidity",
            "pegPriceType",
            order.peg_price_type,
            limit=f"level {level} of the {side}",
            detail=f"the depth given has {len(levels)} level(s) of {side}; the peg needs level "
            f"{level} (0 is the best)",
        )
    best = ctx.bid_price if side == "bids" else ctx.ask_price
    if level == 0 and best is not None:
        return best
    key = "bidPrice" if side == "bids" else "askPrice"
    return unchecked(
        "peg_liquidity",
        *(("depth",) if level else (key, "depth")),
        reason=f"the pegged price is level {level} of the {side}: needs "
        + ("depth" if level else f"{key} or depth")
        + " in the context",
    )


def pegged_findings(
    order: Order,
    leg: Leg,
    symbol: SymbolInfo,
    ctx: Context,
    filters: Mapping[str, FilterCheck],
    engine: bool,
) -> tuple[Order | None, list[Finding]]:
    """The findings of the filters judged at the pegged price of ``order`` (and the order at
    that price, for the matching engine's rules), or (None, []) for an order with no peg.

    ``filters`` maps the filter types the endpoint runs to their checks; ``engine`` says
    whether the request reaches the matching engine (not the test endpoints), where the book
    must have the level the peg names.
    """
    if order.peg_price_type is None or order.side is None or order.type not in PEGGABLE_TYPES:
        return None, []  # no peg, or one the request layer already rejects
    applicable = [f for f in symbol.filters if f.filter_type in PEGGED_FILTERS]
    applicable = [f for f in applicable if f.filter_type in filters]
    if leg.pending or order.type in _TRIGGERED:
        why = (
            "a pending order" if leg.pending else f"a {order.type} order"
        ) + " is pegged when it reaches the book, and Binance validates it then"
        return None, [unchecked(f.filter_type, reason=why) for f in applicable]
    price = pegged_price(order, ctx)
    if price is None:
        return None, []
    if isinstance(price, Violation):
        return None, [price] if engine else []
    if not isinstance(price, Decimal):  # what the peg needs: each filter at that price waits
        found: list[Finding] = [evolve(price, rule=f.filter_type) for f in applicable]
        if engine:
            found.append(price)
        return None, found
    priced = evolve(order, price=price)
    shown = f"at the pegged price {price}: "
    found = []
    for f in applicable:
        check = filters[f.filter_type]
        for finding in check(f, priced, symbol, ctx):
            if isinstance(finding, Violation):
                parameter = "pegPriceType" if finding.parameter == "price" else finding.parameter
                finding = evolve(finding, parameter=parameter, detail=shown + finding.detail)
            found.append(finding)
    return priced, found


def peg_not_supported(order: Order, symbol: SymbolInfo, ctx: Context) -> Findings:
    if order.peg_price_type is None:
        return
    allowed = symbol.peg_instructions_allowed
    if allowed is None:
        yield unchecked(
            "peg_not_supported",
            reason="the snapshot has no pegInstructionsAllowed (it predates 2025-08-28)",
        )
    elif not allowed:
        yield fail(
            "peg_not_supported",
            "pegPriceType",
            order.peg_price_type,
            detail=f"{symbol.symbol} has pegInstructionsAllowed false",
        )
