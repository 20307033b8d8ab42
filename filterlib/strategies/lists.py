"""Order lists (OCO, OTO, OTOCO, OPO, OPOCO): the build, valid or breaking one rule, and the
strategies.

A list is built leg by leg with the single order's pieces (the lot, notional, price and band
constraints of _Limits, _pick, _trailing, the count and permission helpers), plus what ties
the legs together: one quantity for the legs that share it, one market price inside every
leg's band, one last price on the right side of every live stop and of an OCO's pair, counts
that leave room for 2 or 3 orders, and MAX_POSITION over every BUY leg.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from hypothesis import strategies as st

from .._dates import in_force, resolve_as_of
from .._endpoints import ENDPOINTS as _WIRE
from ..exceptions import FilterlibError
from ..snapshot import ExchangeInfo, SymbolInfo
from .breaks import _break_list
from .drawing import _drawn, _feasible_plans, _PlanCache
from .grids import (
    _Chooser,
    _Con,
    _f,
    _feasible,
    _Infeasible,
    _nonempty,
    _pick,
    _span,
    _text,
    _wire_text,
)
from .limits import _iceberg_min, _limits
from .list_shapes import (
    _LIMIT_SIDE,
    _OPO_SIDE_RULES,
    _PLACEMENT_RULES,
    LIST_BREAKABLE_RULES,
    LIST_ENDPOINTS,
    _list_shapes,
    _list_targets,
    _ListPlan,
)
from .model import (
    _AT_MARKET,
    _PRICED,
    _STOPS,
    _WITH_TIF,
    SIDES,
    CannotBreak,
    GeneratedOrder,
    NoValidOrder,
    _above,
)
from .orders import _FIXED_POINT_UNIT, _stp_mode, _trailing
from .state import (
    _book,
    _held_permissions,
    _market_price,
    _open_orders_for,
    _untriggered,
    no_asset_limits,
)


def _build_list(ch: _Chooser, info: ExchangeInfo, plan: _ListPlan) -> GeneratedOrder:
    sym = info.symbols[plan.symbol]
    lim = _limits(info, sym)
    ep = _WIRE[plan.endpoint]
    legs, types, sides, b = ep.legs, plan.types, plan.sides, plan.broken
    n = len(legs)
    # -- the symbol's flags ----------------------------------------------------------------
    if sym.status != "TRADING" or not sym.is_spot_trading_allowed:
        raise _Infeasible("status")
    if not set(types) <= sym.order_types:
        raise _Infeasible("order type")
    if not _may_list(sym, plan.endpoint) or not _on_its_day(info, plan.endpoint):
        raise _Infeasible("the symbol's flags, or the snapshot's day")
    allowed_stp = sym.allowed_self_trade_prevention_modes
    default_stp = sym.default_self_trade_prevention_mode
    if allowed_stp is not None and not allowed_stp and default_stp is not None:
        raise _Infeasible("no STP mode allowed")
    target, t_leg, t_field = None, -1, ""
    whole = (*_PLACEMENT_RULES, *_OPO_SIDE_RULES, "oco_price_order", "oco_price_relationship")
    if b is not None and b not in whole:
        options = _list_targets(plan, legs, sym)
        if not options:
            raise _Infeasible(f"nowhere to break {b}")
        target = ch.choice(options)
        if ":" in target:
            head, t_field = target.split(":")
            t_leg = int(head)
    if b == "oco_price_order" and plan.endpoint != "/api/v3/order/oco":
        raise _Infeasible("the deprecated OCO's rule")
    vals: list[dict[str, Fraction]] = [{} for _ in legs]
    texts: list[dict[str, str]] = [{} for _ in legs]
    p_lo, p_hi = lim.price_extent()

    # -- quantities: one per quantity parameter, valid for every leg that uses it ------------
    n_buy = sides.count("BUY")
    sell_live = any(s == "SELL" and not leg.pending for leg, s in zip(legs, sides, strict=True))
    k_pos = n_buy + (1 if sell_live and n_buy else 0)
    groups: dict[str | None, list[int]] = {}
    for i, leg in enumerate(legs):
        groups.setdefault(leg.wire("quantity"), []).append(i)
    # Some price one tick inside the extremes must meet the notional limits: a list's prices
    # sit on both sides of the last price, so none may need the very highest or lowest.
    tick = _f(lim.price.tick_size) if lim.price is not None and lim.price.tick_size else None
    step = tick or lim.quote_unit
    q_hi_price = max(p_lo, p_hi - step)
    q_lo_price = min(p_hi, p_lo + step)
    for idxs in groups.values():
        cons: list[_Con] = []
        for i in idxs:
            cons += lim.lot_cons(types[i])
            for name, lo, hi in lim.notional_bounds(types[i] in _AT_MARKET):
                cons.append(
                    _Con(
                        f"_{name}", lo / q_hi_price if lo else None, hi / q_lo_price if hi else None
                    )
                )
        if lim.position is not None and n_buy:
            cons.append(_Con("MAX_POSITION", hi=_f(lim.position.max_position) / k_pos))
        if t_field == "icebergQty" and t_leg in idxs:
            cons.append(_Con("_iceberg room", lo=_iceberg_min(lim) * 2))
        q_broken = "LOT_SIZE" if t_field == "quantity" and t_leg in idxs else None
        q = _pick(ch, cons, lim.base_unit, q_broken)
        for i in idxs:
            vals[i]["quantity"] = q

    # -- the market price's room, narrowed by each priced leg's band ------------------------
    m_cons: list[_Con] = []
    for i, t in enumerate(types):
        if t in _AT_MARKET:
            q = vals[i]["quantity"]
            for name, lo, hi in lim.notional_bounds(True):
                m_cons.append(_Con(f"{name}@{i}", lo / q if lo else None, hi / q if hi else None))
    realistic = [_Con("_realistic", p_lo, p_hi)]

    def m_span() -> tuple[Fraction, Fraction | None]:
        both = [*m_cons, *realistic]
        return _span(both if _nonempty(both) else m_cons)

    # -- which values sit above or below the last price -------------------------------------
    kind = ep.kind
    stops = [i for i, t in enumerate(types) if t.startswith("STOP_LOSS")]
    limits = [i for i, t in enumerate(types) if t in _LIMIT_SIDE]
    relation = kind == "oco" and len(stops) == 1 and len(limits) == 1 and b != "oco_price_order"
    oco_side = sides[0]
    side_of: dict[tuple[int, str], str] = {}  # (leg, field) -> "above" / "below" the last price
    if relation:
        hi_leg = limits[0]
        hi_field = "stopPrice" if types[hi_leg] == "TAKE_PROFIT" else "price"
        side_of[(hi_leg, hi_field)] = "above" if oco_side == "SELL" else "below"
        side_of[(stops[0], "stopPrice")] = "below" if oco_side == "SELL" else "above"
    if b != "oco_price_order":
        for i, t in enumerate(types):
            if t in _STOPS and not legs[i].pending:
                side_of[(i, "stopPrice")] = "above" if _above(t, sides[i]) else "below"
    order: list[tuple[int, str]] = [k for k in side_of if k[1] == "price"]
    order += [
        (i, "price") for i, t in enumerate(types) if t in _PRICED and (i, "price") not in order
    ]
    order += [(i, "stopPrice") for i, t in enumerate(types) if t in _STOPS]
    last_lo: Fraction | None = None
    last_hi: Fraction | None = None
    deprecated = plan.endpoint == "/api/v3/order/oco"
    for pos, (i, fname) in enumerate(order):
        t, side = types[i], sides[i]
        cons = lim.price_cons()
        broken_here = b if t_leg == i and t_field == fname and b == "PRICE_FILTER" else None
        if fname == "price":
            q = vals[i]["quantity"]
            for name, lo, hi in lim.notional_bounds(False):
                cons.append(_Con(name, lo / q if lo else None, hi / q if hi else None))
            # "Price * QTY is zero or less." below one unit of the 8-decimal fixed point.
            cons.append(_Con("_price_quantity_zero", lo=_FIXED_POINT_UNIT / q))
            if t_leg == i and t_field == "price" and b in ("NOTIONAL", "MIN_NOTIONAL"):
                broken_here = b
            m_lo, m_hi = m_span()
            for name, down, up in lim.bands(side):
                if not up:
                    raise _Infeasible("a zero multiplierUp admits no price")
                cons.append(_Con(f"_{name}", m_lo * down, m_hi * up if m_hi is not None else None))
        where = side_of.get((i, fname))
        later = {side_of.get(k) for k in order[pos + 1 :]}
        if where == "above":
            if last_lo is not None:
                cons.append(_Con("_last", lo=last_lo, lo_open=True))
            if "below" in later:
                cons.append(_Con("_room", lo=p_lo, lo_open=True))
        elif where == "below":
            if last_hi is not None:
                cons.append(_Con("_last", hi=last_hi, hi_open=True))
            if "above" in later:
                cons.append(_Con("_room", hi=p_hi, hi_open=True))
        if deprecated and fname == "stopPrice":
            lm_price = vals[0]["price"]
            sell = oco_side == "SELL"
            cons.append(
                _Con("oco_price_order", hi=lm_price, hi_open=True)
                if sell
                else _Con("oco_price_order", lo=lm_price, lo_open=True)
            )
            if b == "oco_price_order":
                broken_here = b
        v = _pick(ch, cons, lim.quote_unit, broken_here)
        vals[i][fname] = v
        if where == "above":
            last_hi = v if last_hi is None else min(last_hi, v)
        elif where == "below":
            last_lo = v if last_lo is None else max(last_lo, v)
        if fname == "price":
            for name, down, up in lim.bands(side):
                m_cons.append(_Con(f"{name}@{i}", v / up, v / down if down else None))

    # -- trailingDelta, icebergQty, timeInForce ---------------------------------------------
    trailing_ok = sym.allow_trailing_stop
    for i, (leg, t) in enumerate(zip(legs, types, strict=True)):
        side = sides[i]
        if t in _STOPS and leg.wire("trailingDelta") is not None:
            breaking = b == "TRAILING_DELTA" and t_leg == i
            if breaking and not trailing_ok:
                raise _Infeasible("trailing stops")
            if breaking or (trailing_ok and ch.boolean()):
                texts[i]["trailingDelta"] = str(_trailing(ch, lim, t, side, breaking))
        q = vals[i]["quantity"]
        iceberg_target = t_leg == i and t_field == "icebergQty"
        if t in _PRICED and leg.wire("icebergQty") is not None:
            ice_cons = lim.iceberg_cons(t, q)
            ib = "LOT_SIZE" if iceberg_target and b == "LOT_SIZE" else None
            if (
                sym.iceberg_allowed
                and ice_cons is not None
                and (iceberg_target or (b is None and _feasible(ice_cons, lim.base_unit)))
            ):
                if iceberg_target or ch.boolean():
                    vals[i]["icebergQty"] = _pick(ch, ice_cons, lim.base_unit, ib)
            elif iceberg_target:
                raise _Infeasible("iceberg")
        if t in _WITH_TIF and leg.wire("timeInForce") is not None:
            if iceberg_target and b == "list_iceberg_time_in_force":
                texts[i]["timeInForce"] = ch.choice(("IOC", "FOK"))
            elif "icebergQty" in vals[i]:
                texts[i]["timeInForce"] = "GTC"
            else:
                texts[i]["timeInForce"] = ch.choice(("GTC", "IOC", "FOK"))

    # -- the parameters, on the wire ---------------------------------------------------------
    params: dict[str, str] = {"symbol": sym.symbol}
    written: dict[str, str] = {}
    for i, leg in enumerate(legs):
        fields: dict[str, str] = {"type": types[i], "side": sides[i], **texts[i]}
        for name in ("quantity", "price", "stopPrice", "icebergQty"):
            if name in vals[i]:
                wire = leg.wire(name)
                if wire in written:  # a shared parameter (the same value): written once
                    fields[name] = written[wire]
                    continue
                fields[name] = _wire_text(ch, vals[i][name], lim.places(name), b is None)
        for name, text in fields.items():
            wire = leg.wire(name)
            if wire is not None:
                params[wire] = text
                written[wire] = text
    if b == "stp_mode_not_allowed":  # pragma: no cover - not offered for lists
        raise _Infeasible("stp")
    stp = _stp_mode(ch, sym)
    if stp is not None:
        params["selfTradePreventionMode"] = stp
    if b is None:
        if ch.boolean():
            params["listClientOrderId"] = ch.choice(("my-list-1", "x_42", "L" * 36))
        if ch.boolean():
            params["newOrderRespType"] = ch.choice(("ACK", "RESULT", "FULL"))
        if ch.boolean():
            params["recvWindow"] = str(ch.integer(1, 60000))

    # -- the context -------------------------------------------------------------------------
    key = "referencePrice" if lim.tied() else ch.choice(("avgPrice", "referencePrice"))
    m_broken = None
    if b in ("PERCENT_PRICE", "PERCENT_PRICE_BY_SIDE"):
        m_broken = f"{b}@{t_leg}"
    m, ctx = _market_price(ch, lim, m_cons, m_broken, key)
    last_cons: list[_Con] = []
    for i, t in enumerate(types):
        s = vals[i].get("stopPrice")
        if t in _STOPS and s is not None and not legs[i].pending:
            last_cons.append(_untriggered(t, sides[i], s, f"stop_would_trigger@{i}"))
    if relation:
        high = vals[hi_leg][hi_field]
        low = vals[stops[0]]["stopPrice"]
        lo, hi = (low, high) if oco_side == "SELL" else (high, low)
        last_cons.append(_Con("oco_price_relationship", lo, hi, None, True, True))
    elif b == "oco_price_relationship":
        raise _Infeasible("no price relationship")
    if b != "oco_price_order":
        rb = b if b == "oco_price_relationship" else None
        last = _pick(ch, last_cons, lim.fine, rb) if last_cons else m
        ctx["lastPrice"] = {"symbol": sym.symbol, "price": _text(last)}
    # The book: a live LIMIT_MAKER rests, so the opposite best price lies beyond its price.
    bid = ask = m
    makers = {
        side: [
            vals[i]["price"]
            for i, t in enumerate(types)
            if t == "LIMIT_MAKER" and sides[i] == side and not legs[i].pending
        ]
        for side in SIDES
    }
    if makers["BUY"]:
        ask = _pick(ch, [_Con("_book", lo=max(makers["BUY"]), lo_open=True)], lim.fine)
        bid = min(bid, ask)
    elif makers["SELL"]:
        bid = _pick(ch, [_Con("_book", hi=min(makers["SELL"]), hi_open=True)], lim.fine)
        ask = max(ask, bid)
    ctx["bookTicker"] = _book(sym.symbol, bid, ask)
    # The account: enough of each asset for the most any one live leg needs.
    need = {sym.base_asset: Fraction(0), sym.quote_asset: Fraction(0)}
    for i, t in enumerate(types):
        if legs[i].pending:
            continue
        leg_q, leg_p = vals[i]["quantity"], vals[i].get("price")
        if sides[i] == "SELL":
            need[sym.base_asset] = max(need[sym.base_asset], leg_q)
        elif leg_p is not None and t not in _AT_MARKET:
            need[sym.quote_asset] = max(need[sym.quote_asset], leg_p * leg_q)
    balances = {
        sym.base_asset: need[sym.base_asset] + ch.integer(0, 10**6) * lim.base_unit,
        sym.quote_asset: need[sym.quote_asset] + ch.integer(0, 10**6) * lim.quote_unit,
    }
    if lim.position is not None and n_buy:
        pos_room = _f(lim.position.max_position) - sum(
            (vals[i]["quantity"] for i in range(n) if sides[i] == "BUY"), Fraction(0)
        )
        spare = pos_room - need[sym.base_asset]
        if spare < 0:
            raise _Infeasible("MAX_POSITION")
        balances[sym.base_asset] = need[sym.base_asset] + lim.base_unit * ch.integer(
            0, min(int(spare / lim.base_unit), 10**6)
        )
    ctx["account"] = {
        "canTrade": True,
        "permissions": _held_permissions(ch, sym),
        "balances": [{"asset": a, "free": _text(v), "locked": "0"} for a, v in balances.items()],
    }
    algo = sum(1 for t in types if t in _STOPS)
    ice = sum(1 for v in vals if "icebergQty" in v)
    ctx["openOrders"] = _open_orders_for(ch, lim, None, n, algo, ice)
    ctx["myFilters"] = no_asset_limits()

    generated = GeneratedOrder(params, ctx, plan.endpoint, sym.symbol)
    if b is None:
        return generated
    return _break_list(plan, generated, legs, t_leg, t_field, target)


_LIST_PLANS: _PlanCache[_ListPlan] = {}


def _list_plans(
    info: ExchangeInfo, symbol: str, endpoint: str, broken: str | None
) -> tuple[_ListPlan, ...]:
    """The list shapes for which the simplest build succeeds, simplest first."""
    sym = info.symbols[symbol]
    candidates = (
        _ListPlan(symbol, endpoint, types, sides, broken)
        for types, sides in _list_shapes(endpoint, broken)
        if set(types) <= sym.order_types
    )
    return _feasible_plans(_LIST_PLANS, (symbol, endpoint, broken), info, candidates, _build_list)


def _may_list(sym: SymbolInfo, endpoint: str) -> bool:
    """The symbol's status and flags take lists of this endpoint: an OPO needs otoAllowed and
    opoAllowed, an OPOCO ocoAllowed too (docs 2026-07, 3b)."""
    kind = _WIRE[endpoint].kind
    return (
        sym.status == "TRADING"
        and sym.is_spot_trading_allowed
        and (kind not in ("oco", "otoco", "opoco") or sym.oco_allowed)
        and (kind not in ("oto", "otoco", "opo", "opoco") or bool(sym.oto_allowed))
        and (kind not in ("opo", "opoco") or sym.opo_allowed is True)
    )


def _on_its_day(info: ExchangeInfo, endpoint: str) -> bool:
    """Binance had the endpoint on the snapshot's day (OPO and OPOCO since 2025-12-02)."""
    return in_force(resolve_as_of(None, info.server_time), _WIRE[endpoint].since)


def _list_strategy(
    info: ExchangeInfo,
    endpoint: str,
    symbol: str | None,
    broken: str | None,
    error: Callable[[str], FilterlibError],
) -> st.SearchStrategy[GeneratedOrder]:
    if not isinstance(info, ExchangeInfo):
        raise TypeError(f"info must be an ExchangeInfo, not {type(info).__name__}")
    if endpoint not in LIST_ENDPOINTS:
        raise ValueError(f"endpoint must be one of {', '.join(LIST_ENDPOINTS)}")
    if symbol is not None and symbol not in info.symbols:
        raise ValueError(f"{symbol!r} is not in the snapshot")
    names = (
        [symbol]
        if symbol is not None
        else [n for n, s in info.symbols.items() if _may_list(s, endpoint)]
    )

    def plans_of(name: str) -> tuple[_ListPlan, ...]:
        return _list_plans(info, name, endpoint, broken)

    return _drawn(info, symbol, names, plans_of, _build_list, error)


def valid_order_lists(
    info: ExchangeInfo, endpoint: str, symbol: str | None = None
) -> st.SearchStrategy[GeneratedOrder]:
    """Order lists (with their context) for ``endpoint`` that pass every rule filterlib checks.

    ``endpoint`` is one of :data:`LIST_ENDPOINTS`. OCOs come in both sides and every leg-type
    pairing the symbol's orderTypes allow, placed as the side requires, with the prices on the
    right sides of the drawn lastPrice; OTOs pair a LIMIT or LIMIT_MAKER working order with a
    pending order of any type (MARKET by quantity); OTOCOs pair it with a pending OCO. Raises
    :class:`NoValidOrder` at once when no symbol (or not ``symbol``) takes such a list.
    """

    def error(where: str) -> FilterlibError:
        return NoValidOrder(f"no valid order list on {where} for {endpoint}")

    return _list_strategy(info, endpoint, symbol, None, error)


def invalid_order_lists(
    info: ExchangeInfo, endpoint: str, rule_id: str, symbol: str | None = None
) -> st.SearchStrategy[GeneratedOrder]:
    """Order lists for ``endpoint`` that break ``rule_id`` on one leg (or the list) and nothing
    else; ``order.leg`` names the leg for a rule judged per leg.

    Raises :class:`CannotBreak` when the rule cannot be broken alone on ``symbol`` (or any
    symbol) at that endpoint, ``ValueError`` for a rule not in :data:`LIST_BREAKABLE_RULES`.
    """
    if rule_id not in LIST_BREAKABLE_RULES:
        raise ValueError(
            f"{rule_id!r} is not a rule invalid_order_lists can break; "
            f"known: {', '.join(LIST_BREAKABLE_RULES)}"
        )

    def error(where: str) -> FilterlibError:
        return CannotBreak(f"{rule_id} cannot be broken alone on {where} ({endpoint})")

    return _list_strategy(info, endpoint, symbol, rule_id, error)
