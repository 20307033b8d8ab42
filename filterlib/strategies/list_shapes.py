"""Order-list shapes: the leg types and sides each list endpoint takes, the OCO placement
rule a pair breaks, and where on a list a rule can be broken."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from attrs import frozen

from .._endpoints import ENDPOINTS as _WIRE
from .._endpoints import Leg
from ..snapshot import SymbolInfo
from .model import _PRICED, _STOPS, _WITH_TIF, ORDER_TYPES, SIDES

#: The order-list endpoints ``valid_order_lists`` and ``invalid_order_lists`` draw for.
LIST_ENDPOINTS = (
    "/api/v3/orderList/oco",
    "/api/v3/order/oco",
    "/api/v3/orderList/oto",
    "/api/v3/orderList/otoco",
    "/api/v3/orderList/opo",
    "/api/v3/orderList/opoco",
)
_PLACEMENT_RULES = (
    "oco_limit_below",
    "oco_limit_above",
    "oco_contingent",
    "oco_stop_loss_above",
    "oco_stop_loss_below",
    "oco_take_profit_below",
    "oco_take_profit_above",
)
#: An OPO's working order buys and its pending orders sell (docs 2026-07, 3b): a list of the
#: wrong sides breaks these alone.
_OPO_SIDE_RULES = ("opo_working_side", "opo_pending_side")
#: The rules ``invalid_order_lists`` can break alone (where the endpoint and symbol allow it).
LIST_BREAKABLE_RULES: tuple[str, ...] = (
    "mandatory_parameter",
    "mandatory_for_type",
    "list_iceberg_time_in_force",
    *_PLACEMENT_RULES,
    "oco_price_order",
    "PRICE_FILTER",
    "PERCENT_PRICE",
    "PERCENT_PRICE_BY_SIDE",
    "LOT_SIZE",
    "MIN_NOTIONAL",
    "NOTIONAL",
    "TRAILING_DELTA",
    "oco_price_relationship",
    *_OPO_SIDE_RULES,
)
_LIMIT_SIDE = ("LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT")
_STOP_SIDE = ("STOP_LOSS", "STOP_LOSS_LIMIT")
_OCO_LEG_TYPES = (*_LIMIT_SIDE, *_STOP_SIDE)


@frozen
class _ListPlan:
    """An order list to build: the endpoint, each leg's type and side, the rule to break."""

    symbol: str
    endpoint: str
    types: tuple[str, ...]
    sides: tuple[str, ...]
    broken: str | None = None


def _misplaced(side: str, kind: str, is_above: bool) -> str | None:
    """The placement rule an OCO leg of type ``kind`` breaks in that position, if any."""
    sell = side == "SELL"
    if kind.startswith("STOP_LOSS") and is_above == sell:
        return "oco_stop_loss_below" if sell else "oco_stop_loss_above"
    if kind == "LIMIT_MAKER" and is_above != sell:
        return "oco_limit_above" if sell else "oco_limit_below"
    if kind.startswith("TAKE_PROFIT") and is_above != sell:
        return "oco_take_profit_above" if sell else "oco_take_profit_below"
    return None


def _placement(side: str, above: str, below: str) -> list[str]:
    """The OCO placement rules a pair breaks (spec: New Order list - OCO), in catalogue order:
    one leg LIMIT_MAKER/TAKE_PROFIT(_LIMIT), above for a SELL and below for a BUY, the other
    STOP_LOSS(_LIMIT) on the other side."""
    if above == below == "LIMIT_MAKER":
        return ["oco_contingent"]
    found = [_misplaced(side, above, True), _misplaced(side, below, False)]
    return sorted((r for r in found if r is not None), key=_PLACEMENT_RULES.index)


def _list_shapes(endpoint: str, broken: str | None) -> Iterator[tuple[tuple[str, ...], ...]]:
    """(types, sides) of every list the endpoint takes; misplaced OCO pairs for a placement
    rule (a pair that breaks that rule alone)."""
    kind = _WIRE[endpoint].kind
    wanted = [broken] if broken in _PLACEMENT_RULES else []
    if broken in _OPO_SIDE_RULES and kind not in ("opo", "opoco"):
        return

    def pairs(side: str) -> Iterator[tuple[str, str]]:
        for above in _OCO_LEG_TYPES:
            for below in _OCO_LEG_TYPES:
                if _placement(side, above, below) == wanted:
                    yield above, below

    if endpoint == "/api/v3/order/oco":
        if not wanted:
            for side in SIDES:
                for stop in _STOP_SIDE:
                    yield ("LIMIT_MAKER", stop), (side, side)
    elif kind == "oco":
        for side in SIDES:
            for pair in pairs(side):
                yield pair, (side, side)
    elif kind == "oto":
        if not wanted:
            for working in ("LIMIT", "LIMIT_MAKER"):
                for w_side in SIDES:
                    for pending in ORDER_TYPES:
                        for p_side in SIDES:
                            yield (working, pending), (w_side, p_side)
    elif kind in ("opo", "opoco"):
        # BUY then SELL; the side rule asked for puts that order on the other side.
        w_side = "SELL" if broken == "opo_working_side" else "BUY"
        p_side = "BUY" if broken == "opo_pending_side" else "SELL"
        for working in ("LIMIT", "LIMIT_MAKER"):
            if kind == "opo" and not wanted:
                for pending in ORDER_TYPES:
                    yield (working, pending), (w_side, p_side)
            elif kind == "opoco":
                for above, below in pairs(p_side):
                    yield (working, above, below), (w_side, p_side, p_side)
    else:
        for working in ("LIMIT", "LIMIT_MAKER"):
            for w_side in SIDES:
                for p_side in SIDES:
                    for above, below in pairs(p_side):
                        yield (working, above, below), (w_side, p_side, p_side)


def _list_targets(plan: _ListPlan, legs: Sequence[Leg], sym: SymbolInfo) -> list[str]:
    """Where the plan's rule can be broken: ``"<leg index>:<field>"`` labels (or the wire
    name of an endpoint-mandatory parameter)."""
    b, types = plan.broken, plan.types
    ep = _WIRE[plan.endpoint]
    out: list[str] = []
    for i, (leg, t) in enumerate(zip(legs, types, strict=True)):
        priced = t in _PRICED and leg.wire("price") is not None
        stop = t in _STOPS and leg.wire("stopPrice") is not None
        iceberg = priced and leg.wire("icebergQty") is not None and sym.iceberg_allowed
        # An OPO's pending order has no quantity until the working order fills: the filters
        # that read one are not judged on it at placement.
        sized = leg.wire("quantity") is not None
        if b == "PRICE_FILTER":
            out += [f"{i}:price"] * priced + [f"{i}:stopPrice"] * stop
        elif b == "LOT_SIZE":
            first = next(
                j for j, other in enumerate(legs) if other.wire("quantity") == leg.wire("quantity")
            )
            out += [f"{i}:quantity"] * (first == i and sized) + [f"{i}:icebergQty"] * (
                iceberg and sized
            )
        elif b in ("NOTIONAL", "MIN_NOTIONAL"):
            out += [f"{i}:price"] * (priced and sized)
        elif b in ("PERCENT_PRICE", "PERCENT_PRICE_BY_SIDE"):
            out += [f"{i}:price"] * priced
        elif b == "TRAILING_DELTA":
            out += [f"{i}:trailingDelta"] * (stop and leg.wire("trailingDelta") is not None)
        elif b == "list_iceberg_time_in_force":
            tif = leg.wire("timeInForce")
            out += [f"{i}:icebergQty"] * (iceberg and t in _WITH_TIF and tif is not None)
        elif b == "mandatory_for_type":
            for field in ("price", "timeInForce"):
                wire = leg.wire(field)
                # The deprecated OCO's stop type follows from stopLimitPrice: no price to drop.
                need = (
                    (t in _PRICED and leg.type_of is None) if field == "price" else t in _WITH_TIF
                )
                if (
                    need
                    and wire is not None
                    and wire not in ep.mandatory | leg.missing_rules.keys()
                ):
                    out.append(f"{i}:{field}")
            pair = (leg.wire("stopPrice"), leg.wire("trailingDelta"))
            if t in _STOPS and None not in pair and not set(pair) & set(ep.mandatory):
                out.append(f"{i}:either")
    if b == "mandatory_parameter":
        out = [n for n in ep.mandatory if n != "symbol"]
    return out
