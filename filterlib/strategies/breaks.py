"""Breaking one rule: the request-layer change it takes, and Binance's exact answer to it.

``_break_request`` changes a built single order's parameters; ``_break_list`` names the answer
to an order list's break (and drops a parameter for the mandatory-parameter rules).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from attrs import evolve

from .._decimals import DECIMAL_PATTERN
from .._endpoints import ENDPOINTS as _WIRE
from .._endpoints import Leg
from .._verdict import BinanceError
from ..catalogue import rule
from ..snapshot import ExchangeInfo, SymbolInfo
from .grids import MAX_DECIMAL, _Chooser, _Infeasible, _text
from .limits import _Limits
from .list_shapes import _PLACEMENT_RULES, _ListPlan, _misplaced
from .model import _STOPS, _WITH_TIF, GeneratedOrder, _Plan

_TYPE_WORDS = {
    "MARKET": "Market",
    "STOP_LOSS": "Stop loss",
    "STOP_LOSS_LIMIT": "Stop loss limit",
    "TAKE_PROFIT": "Take profit",
    "TAKE_PROFIT_LIMIT": "Take profit limit",
    "LIMIT": "Limit",
    "LIMIT_MAKER": "Limit maker",
}


def _msg(rule_id: str, *args: str) -> BinanceError:
    r = rule(rule_id)
    return BinanceError(r.code, r.message % args if args else r.message)


def _break_request(
    ch: _Chooser,
    info: ExchangeInfo,
    lim: _Limits,
    plan: _Plan,
    order: GeneratedOrder,
    values: Mapping[str, Fraction],
) -> GeneratedOrder:
    """Apply the one request-layer change ``plan.broken`` asks for, and name Binance's answer."""
    b, t = plan.broken, plan.order_type
    assert b is not None
    params = dict(order.params)
    sym = lim.sym
    present = [
        n for n in ("quantity", "quoteOrderQty", "price", "stopPrice", "icebergQty") if n in params
    ]
    if b == "empty_parameter":
        names = ["newClientOrderId", "newOrderRespType"]
        if not _stp_needed(sym):
            names.append("selfTradePreventionMode")
        name = ch.choice(names)
        params[name] = ""
        error = _msg(b, name)
    elif b == "unread_parameters":
        params[ch.choice(("timeinforce", "qty", "foo"))] = "1"
        sent = len(params) + sum(1 for p in ("timestamp", "signature") if p not in params)
        error = _msg(b, str(sent - 1), str(sent))
    elif b == "mandatory_parameter":
        del params["side"]
        error = _msg(b, "side")
    elif b == "illegal_characters":
        name = ch.choice(present)
        value = params[name]
        params[name] = ch.choice((f"{Decimal(value):E}", f"+{value}", f"{value} ", f"-{value}"))
        error = _msg(b, name, DECIMAL_PATTERN)
    elif b == "invalid_side":
        # Binance reads a side whatever its case (docs/design/evidence.md §22a): "buy" is BUY.
        params["side"] = ch.choice(("HOLD", "LONG", "BUYS"))
        error = _msg(b)
    elif b == "invalid_order_type":
        params["type"] = ch.choice(("STOP", "limit", "OCO"))
        error = _msg(b)
    elif b == "invalid_time_in_force":
        if t not in _WITH_TIF:
            raise _Infeasible("no timeInForce")
        params["timeInForce"] = ch.choice(("GTD", "gtc", "DAY"))
        error = _msg(b)
    elif b == "invalid_parameter":
        params["newOrderRespType"] = ch.choice(("NONE", "ack", "FAST"))
        error = _msg(b, "newOrderRespType")
    elif b == "parameter_overflow":
        name = ch.choice([n for n in present if n in ("quantity", "price", "quoteOrderQty")])
        params[name] = str(math.floor(MAX_DECIMAL) + ch.integer(1, 10**6))
        error = _msg(b, name)
    elif b == "parameter_not_required":
        extra = _forbidden_extra(t, params, values)
        if extra is None:
            raise _Infeasible("nothing to add")
        error = _msg(b, extra)
    elif b == "mandatory_for_type":
        # A plain required parameter, or every sent member of an either-or pair.
        options: list[str] = [n for n in ("timeInForce", "quantity", "price") if n in params]
        pair: tuple[str, str] | None = None
        if t == "MARKET":
            options = []
            pair = ("quantity", "quoteOrderQty")
        elif t in _STOPS:
            pair = ("stopPrice", "trailingDelta")
        if pair is not None:
            options.append("either")
        name = ch.choice(options)
        if name == "either":
            assert pair is not None
            for n in pair:
                params.pop(n, None)
            error = BinanceError(
                -1102, f"Param '{pair[0]}' or '{pair[1]}' must be sent, but both were empty/null!"
            )
        else:
            del params[name]
            error = _msg(b, name)
    elif b == "strategy_type":
        params["strategyType"] = str(ch.integer(0, 999_999))
        error = _msg(b)
    elif b == "recv_window":
        params["recvWindow"] = str(ch.integer(60_001, 10**9))
        error = _msg(b)
    elif b == "unknown_symbol":
        name = "ZZNOTLISTED"
        while name in info.symbols:
            name += "Z"
        params["symbol"] = name
        error = _msg(b)
    elif b == "too_much_precision":
        name = ch.choice(present)
        places = lim.places(name)
        if places + 1 > 20:
            raise _Infeasible("precision 20")
        params[name] = _text(values[name], places + ch.integer(1, 20 - places))
        error = _msg(b, name)
    elif b == "invalid_quantity":
        if "quantity" not in params:
            raise _Infeasible("no quantity")
        if "icebergQty" in params:
            raise _Infeasible("icebergQty")
        zeros = sym.base_asset_precision
        params["quantity"] = ch.choice(("0", "0." + "0" * zeros) if zeros else ("0",))
        error = _msg(b)
    elif b == "invalid_price":
        if "price" not in params or (t == "LIMIT_MAKER" and plan.side == "SELL"):
            raise _Infeasible("no price")
        params["price"] = ch.choice(("0", "0.00"))
        error = _msg(b)
    elif b == "order_type_not_supported":
        error = _msg(b, _TYPE_WORDS[t])
    else:
        error = _msg(b)
    return evolve(order, params=params, rule=b, error=error)


def _stp_needed(sym: SymbolInfo) -> bool:
    allowed = sym.allowed_self_trade_prevention_modes
    default = sym.default_self_trade_prevention_mode
    return allowed is not None and default is not None and default not in allowed


def _forbidden_extra(t: str, params: dict[str, str], values: Mapping[str, Fraction]) -> str | None:
    """Add a parameter the order type does not take, with a value that breaks nothing else."""
    if t in ("MARKET", "STOP_LOSS", "TAKE_PROFIT", "LIMIT_MAKER"):
        params["timeInForce"] = "GTC"
        return "timeInForce"
    if t == "LIMIT" and "price" in params:
        params["stopPrice"] = params["price"]  # on the tick; LIMIT orders have no trigger
        return "stopPrice"
    return None


def _break_list(
    plan: _ListPlan,
    generated: GeneratedOrder,
    legs: Sequence[Leg],
    t_leg: int,
    t_field: str,
    target: str | None,
) -> GeneratedOrder:
    """Name Binance's answer to the one rule broken (and make the request-layer changes)."""
    b = plan.broken
    assert b is not None
    params = dict(generated.params)
    leg = legs[t_leg].name if t_leg >= 0 else None
    if b in _PLACEMENT_RULES:
        # The misplaced leg (the below one when both are LIMIT_MAKER).
        first = 0 if _WIRE[plan.endpoint].kind == "oco" else 1
        side = plan.sides[first]
        wrong = _misplaced(side, plan.types[first], True) == b
        leg = legs[first if wrong else first + 1].name
        return evolve(generated, params=params, rule=b, error=_msg(b), leg=leg)
    if b == "mandatory_parameter":
        assert target is not None
        del params[target]
        return evolve(generated, params=params, rule=b, error=_msg(b, target))
    if b == "mandatory_for_type":
        wire_leg = legs[t_leg]
        if t_field == "either":
            pair = (wire_leg.wire("stopPrice"), wire_leg.wire("trailingDelta"))
            for name in pair:
                params.pop(str(name), None)
            error = BinanceError(
                -1102, f"Param '{pair[0]}' or '{pair[1]}' must be sent, but both were empty/null!"
            )
        else:
            name = str(wire_leg.wire(t_field))
            del params[name]
            error = _msg(b, name)
        return evolve(generated, params=params, rule=b, error=error, leg=leg)
    if b == "list_iceberg_time_in_force":
        error = _msg(b, str(legs[t_leg].wire("icebergQty")))
        return evolve(generated, rule=b, error=error, leg=leg)
    return evolve(generated, rule=b, error=_msg(b), leg=leg)
