"""Pegged orders for the strategies: a valid order pegged, and the change that breaks each peg rule.

The rules are encoded here on their own, from the docs (docs 2026-07, 2b and 3a), not from the
engine: a peg goes on LIMIT, LIMIT_MAKER, STOP_LOSS_LIMIT and TAKE_PROFIT_LIMIT orders; a
LIMIT_MAKER takes PRIMARY_PEG only and a LIMIT with PRIMARY_PEG is GTC; the pegged price is the
best price of the order's own side (PRIMARY_PEG) or of the other side (MARKET_PEG). A valid
pegged order gets a book whose pegged price is the order's own drawn price, which already passes
every filter, so the filters judged at the pegged price pass too.
"""

from __future__ import annotations

from decimal import Decimal

from attrs import evolve

from .._dates import PEGS, in_force, resolve_as_of
from .._verdict import BinanceError
from ..catalogue import rule
from ..snapshot import ExchangeInfo, SymbolInfo
from .grids import _Chooser, _Infeasible
from .model import GeneratedOrder

__all__ = ["PEG_RULES", "broken_peg", "maybe_pegged"]

#: The peg rules ``invalid_orders`` can break alone.
PEG_RULES = (
    "invalid_peg_price_type",
    "invalid_peg_offset_type",
    "peg_offset_together",
    "peg_order_type",
    "peg_type_combination",
    "peg_offset_value",
    "peg_not_supported",
)
_PEGGABLE = ("LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT")
_PEG_ENDPOINTS = ("/api/v3/order", "/api/v3/order/test")


def _pegs_taken(info: ExchangeInfo, order: GeneratedOrder) -> bool:
    """Binance read pegs on the snapshot's day, at this endpoint."""
    day = resolve_as_of(None, info.server_time)
    return in_force(day, PEGS) and order.endpoint in _PEG_ENDPOINTS


def _pegs(order_type: str, tif: str | None) -> tuple[str, ...]:
    """The pegs a valid order of this type (and timeInForce) may take."""
    if order_type == "LIMIT_MAKER":
        return ("PRIMARY_PEG",)
    if order_type == "LIMIT" and tif != "GTC":
        return ("MARKET_PEG",)
    return ("PRIMARY_PEG", "MARKET_PEG")


def _pegged(order: GeneratedOrder, peg: str, drop_price: bool) -> GeneratedOrder:
    """``order`` pegged with ``peg``, on a book whose pegged price is the order's price (for an
    order that enters the book now; a stop-limit order is pegged when it triggers)."""
    params = {**order.params, "pegPriceType": peg}
    context = dict(order.context)
    price = order.params.get("price")
    if order.params["type"] in ("LIMIT", "LIMIT_MAKER") and price is not None:
        own_bids = order.params["side"] == "BUY"
        bids = own_bids == (peg == "PRIMARY_PEG")
        given = context.get("bookTicker")
        book: dict[str, str] = dict(given) if isinstance(given, dict) else {"symbol": order.symbol}
        book["bidPrice" if bids else "askPrice"] = price
        # Keep the book uncrossed: the other best price on the far side of this one.
        other = "askPrice" if bids else "bidPrice"
        book.setdefault(other, price)
        book.setdefault("bidQty", "1")
        book.setdefault("askQty", "1")
        if (
            (Decimal(book[other]) < Decimal(price))
            if bids
            else (Decimal(book[other]) > Decimal(price))
        ):
            book[other] = price
        context["bookTicker"] = book
    if drop_price:
        params.pop("price", None)
    return evolve(order, params=params, context=context)


def maybe_pegged(
    ch: _Chooser, info: ExchangeInfo, sym: SymbolInfo, order: GeneratedOrder
) -> GeneratedOrder:
    """A valid order, pegged when the symbol and its day take pegs (the simplest is not)."""
    t = order.params["type"]
    if (
        t not in _PEGGABLE
        or sym.peg_instructions_allowed is not True
        or not _pegs_taken(info, order)
        or not ch.boolean()
    ):
        return order
    peg = ch.choice(_pegs(t, order.params.get("timeInForce")))
    pegged = _pegged(order, peg, drop_price=ch.boolean())
    if ch.boolean():  # the best level, named: "must be specified together"
        params = {**pegged.params, "pegOffsetType": "PRICE_LEVEL", "pegOffsetValue": "0"}
        pegged = evolve(pegged, params=params)
    return pegged


def _error(rule_id: str, *args: str) -> BinanceError:
    r = rule(rule_id)
    return BinanceError(r.code, r.message % args if args else r.message)


def broken_peg(
    ch: _Chooser, info: ExchangeInfo, sym: SymbolInfo, order: GeneratedOrder, rule_id: str
) -> GeneratedOrder:
    """``order`` (valid) changed to break the peg rule ``rule_id`` alone; _Infeasible when that
    cannot be done on this symbol, type or day."""
    t = order.params["type"]
    if not _pegs_taken(info, order):
        raise _Infeasible("no pegs on the snapshot's day or at this endpoint")
    if (sym.peg_instructions_allowed is False) != (rule_id == "peg_not_supported"):
        raise _Infeasible("pegInstructionsAllowed")
    if sym.peg_instructions_allowed is None:
        raise _Infeasible("the snapshot has no pegInstructionsAllowed")
    tif = order.params.get("timeInForce")
    if rule_id == "peg_order_type":
        if t in _PEGGABLE:
            raise _Infeasible("a peggable type")
        params = {**order.params, "pegPriceType": ch.choice(("PRIMARY_PEG", "MARKET_PEG"))}
        return evolve(order, params=params, rule=rule_id, error=_error(rule_id))
    if t not in _PEGGABLE:
        raise _Infeasible("not a peggable type")
    if rule_id == "peg_type_combination":
        if t == "LIMIT_MAKER":
            broken = _pegged(order, "MARKET_PEG", drop_price=False)
        elif t == "LIMIT" and tif != "GTC":
            broken = _pegged(order, "PRIMARY_PEG", drop_price=False)
        else:
            raise _Infeasible("every peg fits this type")
        return evolve(broken, rule=rule_id, error=_error(rule_id))
    valid = _pegged(order, ch.choice(_pegs(t, tif)), drop_price=False)
    params = dict(valid.params)
    args: tuple[str, ...] = ()
    if rule_id == "invalid_peg_price_type":
        params["pegPriceType"] = ch.choice(("BEST", "primary_peg", "PEG"))
    elif rule_id == "invalid_peg_offset_type":
        params.update(pegOffsetType=ch.choice(("LEVEL", "price_level")), pegOffsetValue="0")
    elif rule_id == "peg_offset_value":
        params.update(pegOffsetType="PRICE_LEVEL", pegOffsetValue=str(ch.integer(101, 10**6)))
        args = ("pegOffsetValue",)
    elif rule_id == "peg_offset_together":
        sent = ch.choice(("pegOffsetType", "pegOffsetValue"))
        missing = "pegOffsetValue" if sent == "pegOffsetType" else "pegOffsetType"
        params[sent] = "PRICE_LEVEL" if sent == "pegOffsetType" else "0"
        args = (missing,)
    elif rule_id != "peg_not_supported":
        raise ValueError(f"{rule_id!r} is not a peg rule")
    return evolve(valid, params=params, rule=rule_id, error=_error(rule_id, *args))
