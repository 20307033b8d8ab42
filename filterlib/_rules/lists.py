"""Rules of whole requests: order lists, SOR, cancel-replace and amend.

Each function looks at the request as a whole (its legs, its own parameters) rather than at one
order; the engine runs the ones the registry selects for the endpoint (the catalogue's scope).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal

from .._context import Context, OpenOrder
from .._endpoints import CLIENT_ID
from .._request import LegOrder, Order, Request
from .._verdict import Violation
from ..snapshot import ExchangeInfo, SymbolInfo
from .common import Findings, fail, unchecked

_LIMIT_LIKE = frozenset({"LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})


def one_of(request: Request, first: str, second: str) -> Iterator[Violation]:
    """-1102 when neither of two identifying parameters is sent."""
    if first not in request.texts and second not in request.texts:
        yield fail(
            "mandatory_one_of",
            first,
            None,
            args=(first, second),
            detail=f"send '{first}' or '{second}'",
        )


#: The two parameters that identify the order a request acts on, by endpoint kind.
IDENTIFIERS: Mapping[str, tuple[str, str]] = {
    "cancelReplace": ("cancelOrderId", "cancelOrigClientOrderId"),
    "amend": ("orderId", "origClientOrderId"),
}


def mandatory_one_of(request: Request) -> Iterator[Violation]:
    """-1102 when a cancel-replace or an amend names no order (IDENTIFIERS)."""
    pair = IDENTIFIERS.get(request.endpoint.kind)
    if pair is not None:
        yield from one_of(request, *pair)


def oco_pairs(request: Request) -> Iterator[tuple[LegOrder, LegOrder]]:
    """The (above, below) legs of each OCO pair a request holds."""
    by_name = {lo.leg.name: lo for lo in request.orders}
    for above, below in (("above", "below"), ("pendingAbove", "pendingBelow")):
        if above in by_name and below in by_name:
            yield by_name[above], by_name[below]


def opo_sides(request: Request) -> Iterator[Violation]:
    """-1222 and -1223: an OPO buys with its working order and sells with its pending ones
    (docs 2026-07, 3b: "Only working orders on the BUY side and pending order(s) on the SELL
    side are accepted")."""
    for lo in request.orders:
        side = lo.order.side
        if side is None:
            continue  # not sent or not a side: the request layer says so
        wire = lo.leg.wire("side")
        if lo.leg.pending and side != "SELL":
            yield fail("opo_pending_side", wire, side, limit="SELL", nearest=("SELL",))
        elif not lo.leg.pending and side != "BUY":
            yield fail("opo_working_side", wire, side, limit="BUY", nearest=("BUY",))


#: Client order ids that name no order of the request: the list's own, the cancel's, the
#: order an amend or a cancel-replace acts on.
_NOT_AN_ORDERS_ID = frozenset(
    {"listClientOrderId", "cancelNewClientOrderId", "cancelOrigClientOrderId", "origClientOrderId"}
)


def _client_ids(request: Request) -> list[tuple[str, str]]:
    """(wire name, id) of each order's client order id the request sends."""
    return [
        (name, value)
        for name, kind in request.endpoint.parameters.items()
        if kind == CLIENT_ID
        and name not in _NOT_AN_ORDERS_ID
        and isinstance(value := request.values.get(name), str)
    ]


def duplicate_client_ids(request: Request) -> Iterator[Violation]:
    """-1013 "Duplicate order sent." for two orders of one list with the same client id."""
    seen: dict[str, str] = {}
    for name, value in _client_ids(request):
        if value in seen:
            yield fail(
                "duplicate_client_ids",
                name,
                value,
                detail=f"{name} repeats {seen[value]}",
            )
        else:
            seen[value] = name


def duplicate_order(request: Request, symbol: SymbolInfo, ctx: Context) -> Findings:
    """-2010 "Duplicate order sent.": a client order id already in use by an open order on the
    symbol. A cancel-replace may reuse the id of the order it cancels first."""
    ids = _client_ids(request)
    if "listClientOrderId" in request.values:
        yield unchecked(
            "duplicate_order",
            reason="openOrders does not carry listClientOrderId (GET /api/v3/openOrderList does)",
        )
    if not ids:
        return
    if ctx.open_orders is None:
        yield unchecked("duplicate_order", "openOrders")
        return
    cancelled = None
    if request.endpoint.kind == "cancelReplace":
        cancelled = find_open_order(
            ctx,
            symbol.symbol,
            request.values.get("cancelOrderId"),
            request.values.get("cancelOrigClientOrderId"),
        )
    in_use = {
        o.client_order_id
        for o in ctx.open_orders
        if o.symbol == symbol.symbol and o is not cancelled and o.client_order_id is not None
    }
    for name, value in ids:
        if value in in_use:
            yield fail(
                "duplicate_order",
                name,
                value,
                detail=f"an open order on {symbol.symbol} has the client order id {value!r}",
            )


def oco_placement(request: Request) -> Iterator[Violation]:
    """Which leg holds which order: -1165, -1166, -1168, -1196 to -1199.

    "One of the orders must be a LIMIT_MAKER/TAKE_PROFIT/TAKE_PROFIT_LIMIT order and the other
    must be STOP_LOSS or STOP_LOSS_LIMIT"; in a SELL OCO the limit side is above the market and
    the stop below, in a BUY OCO the reverse (spec: New Order list - OCO).
    """
    for above, below in oco_pairs(request):
        side = above.order.side
        a, b = above.order.type, below.order.type
        if a is None or b is None or side is None:
            continue
        if a == b == "LIMIT_MAKER":
            yield _placed("oco_contingent", below, "type")
            continue
        sell = side == "SELL"
        for lo, is_above in ((above, True), (below, False)):
            kind = lo.order.type
            assert kind is not None
            if kind.startswith("STOP_LOSS") and is_above == sell:
                yield _placed("oco_stop_loss_below" if sell else "oco_stop_loss_above", lo, "type")
            elif kind == "LIMIT_MAKER" and is_above != sell:
                yield _placed("oco_limit_above" if sell else "oco_limit_below", lo, "type")
            elif kind.startswith("TAKE_PROFIT") and is_above != sell:
                yield _placed(
                    "oco_take_profit_above" if sell else "oco_take_profit_below", lo, "type"
                )


def oco_price_order(request: Request) -> Iterator[Violation]:
    """The deprecated OCO's legs must agree: SELL price > stopPrice, BUY price < stopPrice.

    A live SELL with its price below its stopPrice got -1013 with the relationship text
    (docs/design/evidence.md §22a); against the last price the same text comes as -2010.
    """
    price = request.values.get("price")
    stop = request.values.get("stopPrice")
    side = request.values.get("side")
    if not isinstance(price, Decimal) or not isinstance(stop, Decimal) or side is None:
        return
    if (price <= stop) if side == "SELL" else (price >= stop):
        sign = ">" if side == "SELL" else "<"
        yield fail(
            "oco_price_order",
            "price",
            price,
            limit=f"{sign} stopPrice {stop}",
            detail=f"a {side} OCO needs price {sign} stopPrice",
        )


def _placed(rule_id: str, lo: LegOrder, field: str) -> Violation:
    wire = lo.leg.wire(field) or field
    return fail(
        rule_id,
        wire,
        lo.order.type,
        leg=lo.leg.name,
        detail=f"the {lo.leg.name} leg is a {lo.order.type} in a {lo.order.side} OCO",
    )


def oco_price_relationship(request: Request, symbol: SymbolInfo, ctx: Context) -> Findings:
    """SELL: limit-side price > last price > stop price; BUY: the reverse (-2010)."""
    legs = [lo for lo in request.orders if lo.order.type is not None]
    stops = [
        lo for lo in legs if lo.order.type is not None and lo.order.type.startswith("STOP_LOSS")
    ]
    others = [lo for lo in legs if lo.order.type in _LIMIT_LIKE]
    if len(stops) != 1 or len(others) != 1:
        return
    stop, other = stops[0].order, others[0].order
    # A TAKE_PROFIT has no price: its stopPrice is what the rule compares.
    high = other.stop_price if other.type == "TAKE_PROFIT" else other.price
    low = stop.stop_price
    if high is None or low is None or stop.side is None:
        return
    if ctx.last_price is None:
        yield unchecked("oco_price_relationship", "lastPrice")
        return
    last = ctx.last_price
    ok = high > last > low if stop.side == "SELL" else high < last < low
    if not ok:
        sign = ">" if stop.side == "SELL" else "<"
        yield fail(
            "oco_price_relationship",
            None,
            None,
            limit=f"limit {sign} lastPrice {last} {sign} stopPrice",
            detail=f"{stop.side} OCO: {high} {sign} {last} {sign} {low} does not hold",
        )


# --- the symbol's flags for the request's kind: one rule each, scoped by the catalogue --------


def oco_not_supported(request: Request, symbol: SymbolInfo, info: ExchangeInfo) -> Findings:
    """An OCO (also in an OTOCO or OPOCO) on a symbol without ocoAllowed."""
    if not symbol.oco_allowed:
        yield fail("oco_not_supported", "symbol", symbol.symbol)


def oto_not_supported(request: Request, symbol: SymbolInfo, info: ExchangeInfo) -> Findings:
    """An OTO, OTOCO, OPO or OPOCO on a symbol without otoAllowed."""
    if not symbol.oto_allowed:
        yield fail("oto_not_supported", "symbol", symbol.symbol)


def opo_not_supported(request: Request, symbol: SymbolInfo, info: ExchangeInfo) -> Findings:
    """An OPO or OPOCO on a symbol without opoAllowed; unchecked on a snapshot without it."""
    if symbol.opo_allowed is None:
        yield unchecked(
            "opo_not_supported",
            reason="the snapshot has no opoAllowed (it predates 2025-12-02)",
        )
    elif not symbol.opo_allowed:
        yield fail("opo_not_supported", "symbol", symbol.symbol)


def sor_not_supported(request: Request, symbol: SymbolInfo, info: ExchangeInfo) -> Findings:
    """An SOR order on a symbol no SOR of the snapshot lists (a snapshot without sors says
    nothing)."""
    if info.sors is not None and not any(symbol.symbol in sor.symbols for sor in info.sors):
        yield fail("sor_not_supported", "symbol", symbol.symbol)


def cancel_replace_not_supported(
    request: Request, symbol: SymbolInfo, info: ExchangeInfo
) -> Findings:
    """A cancel-replace on a symbol without cancelReplaceAllowed."""
    if not symbol.cancel_replace_allowed:
        yield fail("cancel_replace_not_supported", "symbol", symbol.symbol)


def amend_not_supported(request: Request, symbol: SymbolInfo, info: ExchangeInfo) -> Findings:
    """An amend on a symbol without allowAmend."""
    if not symbol.allow_amend:
        yield fail("amend_not_supported", "symbol", symbol.symbol)


def find_open_order(
    ctx: Context, symbol: str, order_id: object, client_id: object
) -> OpenOrder | None:
    """The open order with that orderId (then checked against the client id) or client id."""
    assert ctx.open_orders is not None
    for o in ctx.open_orders:
        if o.symbol != symbol:
            continue
        if order_id is not None:
            if o.order_id == order_id:
                # "the cancelOrderId is searched first, then the cancelOrigClientOrderId from
                # that result is checked against that order" (spec: cancelReplace)
                return o if client_id is None or o.client_order_id == client_id else None
        elif client_id is not None and o.client_order_id == client_id:
            return o
    return None


def cancel_side(request: Request, symbol: SymbolInfo, ctx: Context) -> Findings:
    """Whether the cancel of a cancel-replace would succeed, as far as openOrders tells."""
    order_id = request.values.get("cancelOrderId")
    client_id = request.values.get("cancelOrigClientOrderId")
    if order_id is None and client_id is None:
        return
    if ctx.open_orders is None:
        yield unchecked("cancel_unknown_order", "openOrders")
        return
    target = find_open_order(ctx, symbol.symbol, order_id, client_id)
    if target is None:
        yield fail(
            "cancel_unknown_order",
            "cancelOrderId" if order_id is not None else "cancelOrigClientOrderId",
            None,
        )
        return
    restriction = request.values.get("cancelRestrictions")
    wanted = {"ONLY_NEW": "NEW", "ONLY_PARTIALLY_FILLED": "PARTIALLY_FILLED"}.get(str(restriction))
    if wanted is not None and target.status != wanted:
        yield fail(
            "cancel_restricted",
            "cancelRestrictions",
            str(restriction),
            detail=f"the order is {target.status}, not {wanted}",
        )


#: The rules whose failure is the cancel's, not the new order's (see the engine's answer).
CANCEL_RULES = frozenset({"cancel_unknown_order", "cancel_restricted"})


# --- the amend: the order it leaves, and its own rules (-2038) -------------------------------


def _new_qty(request: Request) -> Decimal | None:
    new_qty = request.values.get("newQty")
    return new_qty if isinstance(new_qty, Decimal) else None


def _amend_target(request: Request, symbol: SymbolInfo, ctx: Context) -> OpenOrder | None:
    """The open order an amend names, when it names one and openOrders lists it."""
    order_id = request.values.get("orderId")
    client_id = request.values.get("origClientOrderId")
    if (order_id is None and client_id is None) or ctx.open_orders is None:
        return None
    return find_open_order(ctx, symbol.symbol, order_id, client_id)


def amended_order(request: Request, symbol: SymbolInfo, ctx: Context) -> Order:
    """The order an amend leaves: the open order it names with newQty for its quantity.

    Without the open order (no openOrders, or none named) the order is newQty alone, which
    LOT_SIZE and the precision rule can still judge.
    """
    quantity = _new_qty(request)
    target = _amend_target(request, symbol, ctx)
    if target is None:
        return Order(symbol=symbol.symbol, quantity=quantity)
    return Order(
        symbol=symbol.symbol,
        side=target.side,
        type=target.type,
        quantity=quantity,
        price=target.price or None,
    )


def amend_unknown_order(request: Request, symbol: SymbolInfo, ctx: Context) -> Findings:
    """-2038: the order the amend names is not among the symbol's open orders."""
    order_id = request.values.get("orderId")
    client_id = request.values.get("origClientOrderId")
    if order_id is None and client_id is None:
        return  # mandatory_one_of says so
    if ctx.open_orders is None:
        yield unchecked("amend_unknown_order", "openOrders")
    elif find_open_order(ctx, symbol.symbol, order_id, client_id) is None:
        parameter = "orderId" if order_id is not None else "origClientOrderId"
        yield fail("amend_unknown_order", parameter, None)


def amend_no_change(request: Request, symbol: SymbolInfo, ctx: Context) -> Findings:
    """-2038: newQty is the open order's quantity."""
    quantity = _new_qty(request)
    target = _amend_target(request, symbol, ctx)
    if quantity is not None and target is not None and quantity == target.orig_qty:
        yield fail("amend_no_change", "newQty", quantity, limit=f"< {target.orig_qty}")


def amend_quantity_increase(request: Request, symbol: SymbolInfo, ctx: Context) -> Findings:
    """-2038: newQty is above the open order's quantity (an amend only reduces it)."""
    quantity = _new_qty(request)
    target = _amend_target(request, symbol, ctx)
    if quantity is not None and target is not None and quantity > target.orig_qty:
        yield fail("amend_quantity_increase", "newQty", quantity, limit=f"< {target.orig_qty}")
