"""Single orders: the build, valid or breaking one named rule, and the public strategies.

An order is built one value at a time, each inside the interval and on the grid that the earlier
values leave: quantity, price, quoteOrderQty, stopPrice, trailingDelta, icebergQty, then the
context (:mod:`.state`). The order lists (:mod:`.lists`) build each leg with the same pieces.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from hypothesis import strategies as st

from .._dates import LIQUIDITY, in_force, resolve_as_of
from ..catalogue import RULES
from ..exceptions import FilterlibError
from ..snapshot import ExchangeInfo, SymbolInfo
from .breaks import _break_request, _stp_needed
from .drawing import _drawn, _feasible_plans, _PlanCache
from .grids import (
    _Chooser,
    _Con,
    _f,
    _feasible,
    _Infeasible,
    _pick,
    _span,
    _wire_text,
)
from .limits import _iceberg_min, _Limits, _limits
from .model import (
    _AT_MARKET,
    _PRICED,
    _STOPS,
    _STP_MODES,
    _WITH_TIF,
    ORDER_TYPES,
    SIDES,
    CannotBreak,
    GeneratedOrder,
    NoValidOrder,
    _above,
    _check_args,
    _Plan,
)
from .pegs import PEG_RULES, broken_peg, maybe_pegged
from .state import _COUNT_RULES, _context, _market_cons, _untriggered

_ICEBERG_RULES = frozenset(
    {
        "ICEBERG_PARTS",
        "iceberg_exceeds_quantity",
        "iceberg_time_in_force",
        "iceberg_not_supported",
        "MAX_NUM_ICEBERG_ORDERS",
        "EXCHANGE_MAX_NUM_ICEBERG_ORDERS",
    }
)


_FIXED_POINT_UNIT = Fraction(1, 10**8)

_ENGINE_ONLY = frozenset(r.id for r in RULES if r.stage == "engine")


#: The catalogue rules ``invalid_orders`` can break alone (on symbols whose limits allow it).
BREAKABLE_RULES: tuple[str, ...] = (
    "empty_parameter",
    "unread_parameters",
    "mandatory_parameter",
    "illegal_characters",
    "invalid_side",
    "invalid_order_type",
    "invalid_time_in_force",
    "invalid_parameter",
    "parameter_overflow",
    "parameter_not_required",
    "mandatory_for_type",
    "iceberg_time_in_force",
    "strategy_type",
    "recv_window",
    "unknown_symbol",
    "too_much_precision",
    "invalid_quantity",
    "invalid_price",
    "market_closed",
    "order_type_not_supported",
    "iceberg_not_supported",
    "quote_order_qty_not_supported",
    "trailing_stop_not_supported",
    "stp_mode_not_allowed",
    "PRICE_FILTER",
    "PERCENT_PRICE",
    "PERCENT_PRICE_BY_SIDE",
    "LOT_SIZE",
    "MIN_NOTIONAL",
    "NOTIONAL",
    "ICEBERG_PARTS",
    "MARKET_LOT_SIZE",
    "TRAILING_DELTA",
    "iceberg_exceeds_quantity",
    "account_cannot_trade",
    "symbol_not_permitted",
    "MAX_NUM_ORDERS",
    "MAX_NUM_ALGO_ORDERS",
    "MAX_NUM_ICEBERG_ORDERS",
    "MAX_POSITION",
    "EXCHANGE_MAX_NUM_ORDERS",
    "EXCHANGE_MAX_NUM_ALGO_ORDERS",
    "EXCHANGE_MAX_NUM_ICEBERG_ORDERS",
    "stop_would_trigger",
    "limit_maker_would_take",
    "insufficient_balance",
    "liquidity_empty_book",
    *PEG_RULES,
)


def _symbol_ok(lim: _Limits, plan: _Plan) -> None:
    """Raise _Infeasible unless the symbol's flags let this plan through (or break as asked)."""
    sym, b = lim.sym, plan.broken
    if (sym.status == "TRADING") == (b == "market_closed"):
        raise _Infeasible("status")
    if (plan.order_type in sym.order_types) == (b == "order_type_not_supported"):
        raise _Infeasible("order type")
    if (
        plan.endpoint == "/api/v3/order"
        and not sym.is_spot_trading_allowed
        and b != "symbol_not_permitted"
    ):
        raise _Infeasible("spot trading not allowed")
    allowed = sym.allowed_self_trade_prevention_modes
    default = sym.default_self_trade_prevention_mode
    if allowed is not None and not allowed and default is not None and b != "stp_mode_not_allowed":
        raise _Infeasible("no STP mode allowed")
    if b in _ENGINE_ONLY and plan.endpoint != "/api/v3/order":
        raise _Infeasible("the test endpoint does not reach the matching engine")


def _build(ch: _Chooser, info: ExchangeInfo, plan: _Plan) -> GeneratedOrder:
    sym = info.symbols[plan.symbol]
    lim = _limits(info, sym)
    _symbol_ok(lim, plan)
    b, t, side = plan.broken, plan.order_type, plan.side
    if b == "liquidity_empty_book" and not in_force(
        resolve_as_of(None, info.server_time), LIQUIDITY
    ):
        raise _Infeasible("Binance had no liquidity texts on the snapshot's day")
    params: dict[str, str] = {"symbol": sym.symbol, "side": side, "type": t}
    values: dict[str, Fraction] = {}
    at_market = t in _AT_MARKET
    p_lo, p_hi = lim.price_extent()

    # -- quantity, or quoteOrderQty for a MARKET order --------------------------------------
    qoq_mode = False
    if b in ("quote_order_qty_not_supported", "liquidity_empty_book") and t != "MARKET":
        raise _Infeasible("quoteOrderQty is for MARKET orders")
    if t == "MARKET":
        can_qoq = sym.quote_order_qty_market_allowed != (b == "quote_order_qty_not_supported")
        forced = b in ("quote_order_qty_not_supported", "liquidity_empty_book")
        no_qoq = b in ("LOT_SIZE", "MARKET_LOT_SIZE", "invalid_quantity", "MAX_POSITION")
        if forced:
            qoq_mode = True
        elif can_qoq and not no_qoq and b != "parameter_not_required":
            qoq_mode = ch.boolean()
        if forced and not can_qoq:
            raise _Infeasible("quoteOrderQty")
    if not qoq_mode:
        cons = lim.lot_cons(t)
        if side == "BUY" and lim.position is not None:
            cons.append(_Con("MAX_POSITION", hi=_f(lim.position.max_position)))
        # Some price (or market price) must bring the notional inside its bounds.
        for name, lo, hi in lim.notional_bounds(at_market):
            cons.append(_Con(f"_{name}", lo / p_hi if lo else None, hi / p_lo if hi else None))
        if b in _ICEBERG_RULES:
            ice_min = _iceberg_min(lim)
            parts = lim.iceberg.limit if lim.iceberg is not None else 1
            need = ice_min * (parts + 1) if b == "ICEBERG_PARTS" else ice_min * 2
            cons.append(_Con("_iceberg room", lo=need))
        q_broken = b if b in ("LOT_SIZE", "MARKET_LOT_SIZE") else None
        if b == "MARKET_LOT_SIZE" and t != "MARKET":
            raise _Infeasible("MARKET_LOT_SIZE applies to MARKET orders")
        values["quantity"] = _pick(ch, cons, lim.base_unit, q_broken)

    # -- price -----------------------------------------------------------------------------
    q = values.get("quantity")
    if t in _PRICED:
        assert q is not None
        cons = lim.price_cons()
        for name, lo, hi in lim.notional_bounds(False):
            cons.append(_Con(name, lo / q if lo else None, hi / q if hi else None))
        # "Price * QTY is zero or less." below one unit of Binance's 8-decimal fixed point.
        cons.append(_Con("_price_quantity_zero", lo=_FIXED_POINT_UNIT / q))
        p_broken = b if b in ("PRICE_FILTER", "NOTIONAL", "MIN_NOTIONAL") else None
        values["price"] = _pick(ch, cons, lim.quote_unit, p_broken)
    elif b in ("PRICE_FILTER",) and t not in _STOPS:
        raise _Infeasible("no price to break")
    if qoq_mode:
        cons = [_Con(n, lo, hi) for n, lo, hi in lim.notional_bounds(True)]
        qb = b if b in ("NOTIONAL", "MIN_NOTIONAL") else None
        values["quoteOrderQty"] = _pick(ch, cons, lim.quote_unit, qb)

    # -- the market price's range, needed before a stop price tied to it --------------------
    tied = lim.tied()
    key = "avgPrice"
    if not tied or t not in _STOPS:
        key = ch.choice(("avgPrice", "referencePrice"))
    if key == "referencePrice":
        tied = False
    m_cons = _market_cons(lim, t, side, values)

    # -- stopPrice and trailingDelta --------------------------------------------------------
    if t in _STOPS:
        modes = ["stopPrice"]
        trailing_ok = sym.allow_trailing_stop != (b == "trailing_stop_not_supported")
        if trailing_ok and b not in ("stop_would_trigger",):
            modes += ["trailingDelta", "both"]
        if b == "PRICE_FILTER" and t not in _PRICED:
            modes = ["stopPrice"]
        if b in ("TRAILING_DELTA", "trailing_stop_not_supported"):
            if not trailing_ok:
                raise _Infeasible("trailing stops")
            modes = ["trailingDelta"]
        mode = ch.choice(modes)
        if mode != "trailingDelta":
            cons = lim.price_cons()
            if tied:  # lastPrice is the market price: leave it room on the right side
                lo, hi = _span(m_cons)
                if _above(t, side):
                    cons.append(_Con("_room", lo=lo, lo_open=True))
                elif hi is not None:
                    cons.append(_Con("_room", hi=hi, hi_open=True))
            s_broken = b if b == "PRICE_FILTER" and t not in _PRICED else None
            values["stopPrice"] = _pick(ch, cons, lim.quote_unit, s_broken)
            if tied:
                m_cons.append(_untriggered(t, side, values["stopPrice"]))
        if mode != "stopPrice":
            params_delta = _trailing(ch, lim, t, side, b == "TRAILING_DELTA")
            params["trailingDelta"] = str(params_delta)
    elif b in ("TRAILING_DELTA", "trailing_stop_not_supported", "stop_would_trigger"):
        raise _Infeasible("not a stop order")

    # -- icebergQty -------------------------------------------------------------------------
    iceberg_wanted = b in _ICEBERG_RULES
    if t in _PRICED and q is not None:
        allowed = sym.iceberg_allowed != (b == "iceberg_not_supported")
        ice_cons = lim.iceberg_cons(t, q)
        ib = b if b in ("ICEBERG_PARTS", "iceberg_exceeds_quantity") else None
        if (
            allowed
            and ice_cons is not None
            and (iceberg_wanted or (b is None and _feasible(ice_cons, lim.base_unit)))
        ):
            if iceberg_wanted or ch.boolean():
                values["icebergQty"] = _pick(ch, ice_cons, lim.base_unit, ib)
        elif iceberg_wanted:
            raise _Infeasible("iceberg")
        if iceberg_wanted and t == "LIMIT_MAKER" and b == "iceberg_time_in_force":
            raise _Infeasible("LIMIT_MAKER takes no timeInForce")
    elif iceberg_wanted:
        raise _Infeasible("iceberg")

    # -- timeInForce, STP and the optional parameters ----------------------------------------
    if t in _WITH_TIF:
        if b == "iceberg_time_in_force":
            params["timeInForce"] = ch.choice(("IOC", "FOK"))
        elif "icebergQty" in values:
            params["timeInForce"] = "GTC"
        else:
            params["timeInForce"] = ch.choice(("GTC", "IOC", "FOK"))
    allowed_stp = sym.allowed_self_trade_prevention_modes
    stp: str | None
    if b == "stp_mode_not_allowed":
        outside = [m for m in _STP_MODES if allowed_stp is not None and m not in allowed_stp]
        if not outside:
            raise _Infeasible("every STP mode is allowed")
        stp = ch.choice(outside)
    else:
        stp = _stp_mode(ch, sym)
    if stp is not None:
        params["selfTradePreventionMode"] = stp

    # -- write the decimals (trailing zeros up to the asset's precision are fine) ------------
    for name in ("quantity", "quoteOrderQty", "price", "stopPrice", "icebergQty"):
        if name in values:
            params[name] = _wire_text(ch, values[name], lim.places(name), b is None)
    if b is None:
        _optional(ch, params, plan.endpoint)

    # -- the context ------------------------------------------------------------------------
    context = _context(ch, lim, plan, params, values, m_cons, key, tied)

    order = GeneratedOrder(params, context, plan.endpoint, sym.symbol)
    if b is None:
        return maybe_pegged(ch, info, sym, order)
    if b in PEG_RULES:
        return broken_peg(ch, info, sym, order, b)
    return _break_request(ch, info, lim, plan, order, values)


def _trailing(ch: _Chooser, lim: _Limits, t: str, side: str, broken: bool) -> int:
    f = lim.trailing
    if f is None:
        if broken:
            raise _Infeasible("no TRAILING_DELTA filter")
        return ch.integer(10, 2000)
    if _above(t, side):
        lo, hi = f.min_trailing_above_delta, f.max_trailing_above_delta
    else:
        lo, hi = f.min_trailing_below_delta, f.max_trailing_below_delta
    if broken:
        modes = ([] if lo <= 1 else ["below"]) + ["above"]
        if ch.choice(modes) == "below":
            return ch.integer(1, lo - 1)
        return ch.integer(hi + 1, hi + 10000)
    if lo > hi:
        raise _Infeasible("empty TRAILING_DELTA range")
    return ch.integer(max(lo, 1), hi) if hi >= 1 else 0


def _stp_mode(ch: _Chooser, sym: SymbolInfo) -> str | None:
    """An allowed selfTradePreventionMode to send: always when the symbol's default is not
    allowed, sometimes otherwise; None to send none."""
    allowed = sym.allowed_self_trade_prevention_modes
    if allowed is None:
        return None
    modes_ok = sorted(allowed)
    if _stp_needed(sym) or (modes_ok and ch.boolean()):
        return ch.choice(modes_ok)
    return None


def _optional(ch: _Chooser, params: dict[str, str], endpoint: str) -> None:
    """Optional parameters a client may add; the simplest order has none."""
    if ch.boolean():
        params["newClientOrderId"] = ch.choice(("my-order-1", "x_42", "A" * 36))
    if ch.boolean():
        params["newOrderRespType"] = ch.choice(("ACK", "RESULT", "FULL"))
    if ch.boolean():
        params["recvWindow"] = str(ch.integer(1, 60000))
    if ch.boolean():
        params["strategyType"] = str(ch.integer(1_000_000, 2_000_000))
    if endpoint == "/api/v3/order/test" and ch.boolean():
        params["computeCommissionRates"] = ch.choice(("true", "false"))


_PLANS_CACHE: _PlanCache[_Plan] = {}


def _plans(
    info: ExchangeInfo,
    symbol: str,
    order_types: Sequence[str],
    endpoint: str,
    broken: str | None,
) -> tuple[_Plan, ...]:
    """The (type, side) plans for which the simplest build succeeds, simplest first."""
    candidates = (_Plan(symbol, t, side, endpoint, broken) for t in order_types for side in SIDES)
    key = (symbol, tuple(order_types), endpoint, broken)
    return _feasible_plans(_PLANS_CACHE, key, info, candidates, _build)


_FILTER_OF = {
    "PRICE_FILTER": "price",
    "PERCENT_PRICE": "percent",
    "PERCENT_PRICE_BY_SIDE": "by_side",
    "LOT_SIZE": "lot",
    "MARKET_LOT_SIZE": "market_lot",
    "MIN_NOTIONAL": "min_notional",
    "NOTIONAL": "notional",
    "ICEBERG_PARTS": "iceberg",
    "TRAILING_DELTA": "trailing",
    "MAX_POSITION": "position",
}


def _may_work(lim: _Limits, order_types: Sequence[str], endpoint: str, broken: str | None) -> bool:
    """A cheap first look: can this symbol possibly take the plan? (The build decides.)"""
    sym = lim.sym
    if (sym.status == "TRADING") == (broken == "market_closed"):
        return False
    if broken == "order_type_not_supported":
        return bool(set(order_types) - sym.order_types)
    if not set(order_types) & sym.order_types:
        return False
    if endpoint == "/api/v3/order" and not sym.is_spot_trading_allowed:
        return broken == "symbol_not_permitted"
    if broken == "TRAILING_DELTA" and not sym.allow_trailing_stop:
        return False
    if broken in _FILTER_OF:
        return getattr(lim, _FILTER_OF[broken]) is not None
    if broken in _COUNT_RULES:
        return broken in lim.counts
    flags = {
        "iceberg_not_supported": not sym.iceberg_allowed,
        "quote_order_qty_not_supported": not sym.quote_order_qty_market_allowed,
        "trailing_stop_not_supported": not sym.allow_trailing_stop,
        "stp_mode_not_allowed": sym.allowed_self_trade_prevention_modes is not None
        and bool(set(_STP_MODES) - sym.allowed_self_trade_prevention_modes),
        **dict.fromkeys(PEG_RULES, sym.peg_instructions_allowed is True),
        "peg_not_supported": sym.peg_instructions_allowed is False,
        "liquidity_empty_book": sym.quote_order_qty_market_allowed,
    }
    return flags.get(str(broken), True)


def _strategy(
    info: ExchangeInfo,
    symbol: str | None,
    order_types: Sequence[str],
    endpoint: str,
    broken: str | None,
    error: Callable[[str], FilterlibError],
) -> st.SearchStrategy[GeneratedOrder]:
    key = (id(info), symbol, tuple(order_types), endpoint, broken)
    hit = _STRATEGY_CACHE.get(key)
    if hit is not None and hit[0] is info:
        return hit[1]
    strategy = _new_strategy(info, symbol, order_types, endpoint, broken, error)
    _STRATEGY_CACHE[key] = (info, strategy)
    return strategy


_STRATEGY_CACHE: dict[
    tuple[object, ...], tuple[ExchangeInfo, st.SearchStrategy[GeneratedOrder]]
] = {}


def _new_strategy(
    info: ExchangeInfo,
    symbol: str | None,
    order_types: Sequence[str],
    endpoint: str,
    broken: str | None,
    error: Callable[[str], FilterlibError],
) -> st.SearchStrategy[GeneratedOrder]:
    if symbol is not None:
        names = [symbol]
    else:
        names = [
            n
            for n, s in info.symbols.items()
            if _may_work(_limits(info, s), order_types, endpoint, broken)
        ]
    rank = {t: i for i, t in enumerate(order_types)}

    def plans_of(name: str) -> list[_Plan]:
        return sorted(
            _plans(info, name, order_types, endpoint, broken),
            # Simplest first: the first order type asked for, BUY before SELL.
            key=lambda p: (rank[p.order_type], p.side != "BUY"),
        )

    return _drawn(info, symbol, names, plans_of, _build, error)


def valid_orders(
    info: ExchangeInfo,
    symbol: str | None = None,
    *,
    order_types: Sequence[str] = ORDER_TYPES,
    endpoint: str = "/api/v3/order",
) -> st.SearchStrategy[GeneratedOrder]:
    """Orders (with their context) that pass every rule the context lets filterlib check.

    ``symbol`` None draws from every symbol of the snapshot that admits such an order. Raises
    :class:`NoValidOrder` at once when none does (a symbol that is not TRADING, say).
    """
    _check_args(info, symbol, order_types, endpoint)

    def error(where: str) -> FilterlibError:
        return NoValidOrder(f"no valid {'/'.join(order_types)} order on {where} for {endpoint}")

    return _strategy(info, symbol, order_types, endpoint, None, error)


def invalid_orders(
    info: ExchangeInfo,
    rule_id: str,
    symbol: str | None = None,
    *,
    order_types: Sequence[str] = ORDER_TYPES,
    endpoint: str = "/api/v3/order",
) -> st.SearchStrategy[GeneratedOrder]:
    """Orders that break the catalogue rule ``rule_id`` and nothing else.

    ``order.error`` is Binance's answer, ``order.rule`` the rule. Raises :class:`CannotBreak`
    when the rule cannot be broken alone on ``symbol`` (or on any symbol of the snapshot), and
    ``ValueError`` for a rule not in :data:`BREAKABLE_RULES`.
    """
    if rule_id not in BREAKABLE_RULES:
        raise ValueError(
            f"{rule_id!r} is not a rule invalid_orders can break; "
            f"known: {', '.join(BREAKABLE_RULES)}"
        )
    _check_args(info, symbol, order_types, endpoint)

    def error(where: str) -> FilterlibError:
        return CannotBreak(
            f"{rule_id} cannot be broken alone on {where} "
            f"({'/'.join(order_types)} orders, {endpoint})"
        )

    return _strategy(info, symbol, order_types, endpoint, rule_id, error)
