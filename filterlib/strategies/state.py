"""The market and account state an order is built for, and the public ``contexts``.

The market price inside every band, the last price on the side that leaves a stop untriggered,
the book beyond a LIMIT_MAKER's price, balances that cover the order, permissions that meet the
symbol's, open orders under every count limit; or one of them past its rule, to break it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from hypothesis import strategies as st

from .._decimals import parse_wire_decimal
from ..snapshot import ExchangeInfo, SymbolInfo
from .drawing import _attempt
from .grids import _Chooser, _Con, _decimals, _f, _Infeasible, _pick, _Simplest, _text
from .limits import _Limits, _limits
from .model import _AT_MARKET, _STOPS, ORDER_TYPES, SIDES, NoValidOrder, _above, _check_args, _Plan


def _untriggered(
    order_type: str, side: str, stop: Fraction, name: str = "stop_would_trigger"
) -> _Con:
    """Where the last price leaves a stop at ``stop`` untriggered (below a stop above it)."""
    if _above(order_type, side):
        return _Con(name, hi=stop, hi_open=True)
    return _Con(name, lo=stop, lo_open=True)


def _market_price(
    ch: _Chooser, lim: _Limits, m_cons: Sequence[_Con], broken: str | None, key: str
) -> tuple[Fraction, dict[str, object]]:
    """The market price inside ``m_cons`` (outside ``broken``'s), and the context carrying it
    as ``avgPrice`` or ``referencePrice``."""
    # Inside every band and market-notional bound; a real price (inside PRICE_FILTER) too
    # where one fits.
    p_lo, p_hi = lim.price_extent()
    realistic = [_Con("_realistic", p_lo, p_hi)]
    try:
        m = _pick(ch, [*m_cons, *realistic], lim.fine, broken)
    except _Infeasible:
        m = _pick(ch, m_cons, lim.fine, broken)
    ctx: dict[str, object] = {}
    if key == "referencePrice":
        ctx["referencePrice"] = {"symbol": lim.sym.symbol, "referencePrice": _text(m)}
        ctx["avgPrice"] = {"mins": 5, "price": _text(m)}
    else:
        ctx["avgPrice"] = {"mins": 5, "price": _text(m)} if ch.boolean() else _text(m)
    return m, ctx


#: A side's quantity no LOT_SIZE or MARKET_LOT_SIZE minimum exceeds (the largest value Binance
#: takes, 2**63 - 1 at eight decimals, floored).
_DEEP = "92233720368"


def _book(symbol: str, bid: Fraction, ask: Fraction) -> dict[str, str]:
    """A bookTicker body with these best prices."""
    return {
        "symbol": symbol,
        "bidPrice": _text(bid),
        "bidQty": "1",
        "askPrice": _text(ask),
        "askQty": "1",
    }


def _market_cons(lim: _Limits, t: str, side: str, values: Mapping[str, Fraction]) -> list[_Con]:
    """Where the market (average or reference) price may lie for the order to pass."""
    cons: list[_Con] = []
    p = values.get("price")
    if p is not None:
        for name, down, up in lim.bands(side):
            if not up:
                raise _Infeasible("a zero multiplierUp admits no price")
            cons.append(_Con(name, p / up, p / down if down else None))
    q = values.get("quantity")
    if t in _AT_MARKET and q is not None:
        for name, lo, hi in lim.notional_bounds(True):
            cons.append(_Con(name, lo / q if lo else None, hi / q if hi else None))
    return cons


_COUNT_RULES = (
    "MAX_NUM_ORDERS",
    "MAX_NUM_ALGO_ORDERS",
    "MAX_NUM_ICEBERG_ORDERS",
    "EXCHANGE_MAX_NUM_ORDERS",
    "EXCHANGE_MAX_NUM_ALGO_ORDERS",
    "EXCHANGE_MAX_NUM_ICEBERG_ORDERS",
)


def _context(
    ch: _Chooser,
    lim: _Limits,
    plan: _Plan,
    params: Mapping[str, str],
    values: Mapping[str, Fraction],
    m_cons: list[_Con],
    key: str,
    tied: bool,
) -> dict[str, object]:
    sym, b, t, side = lim.sym, plan.broken, plan.order_type, plan.side
    m_broken = None
    if b in ("PERCENT_PRICE", "PERCENT_PRICE_BY_SIDE") or (
        b in ("NOTIONAL", "MIN_NOTIONAL") and t in _AT_MARKET and "quantity" in values
    ):
        m_broken = b
    if tied and b == "stop_would_trigger" and "stopPrice" in values:
        m_broken = b
    m, ctx = _market_price(ch, lim, m_cons, m_broken, key)
    # The last price: the market price, unless a stop price needs it on one side.
    last = m
    stop = values.get("stopPrice")
    if stop is not None and not tied:
        c = _untriggered(t, side, stop)
        last = _pick(ch, [c], lim.fine, b if b == "stop_would_trigger" else None)
    ctx["lastPrice"] = {"symbol": sym.symbol, "price": _text(last)}
    # The book: a LIMIT_MAKER rests, so the opposite best price lies beyond its price.
    bid = ask = m
    p = values.get("price")
    if t == "LIMIT_MAKER" and p is not None:
        lm = "limit_maker_would_take" if b == "limit_maker_would_take" else None
        if side == "BUY":
            ask = _pick(ch, [_Con("limit_maker_would_take", lo=p, lo_open=True)], lim.fine, lm)
            bid = min(p, ask)
        else:
            bid = _pick(ch, [_Con("limit_maker_would_take", hi=p, hi_open=True)], lim.fine, lm)
            ask = max(p, bid)
    elif b == "limit_maker_would_take":
        raise _Infeasible("not a LIMIT_MAKER")
    ctx["bookTicker"] = _book(sym.symbol, bid, ask)
    if "quoteOrderQty" in values:
        # A quote-quantity MARKET order meets the book's liquidity: the side it takes holds
        # plenty, or nothing at all when that is the rule to break.
        empty = "asks" if side == "BUY" else "bids"
        ctx["depth"] = {
            "lastUpdateId": 1,
            "bids": [[_text(bid), _DEEP]],
            "asks": [[_text(ask), _DEEP]],
            **({empty: []} if b == "liquidity_empty_book" else {}),
        }
    elif b == "liquidity_empty_book":
        raise _Infeasible("the liquidity texts are for quote-quantity MARKET orders")
    ctx["account"] = _account(ch, lim, plan, values)
    ctx["openOrders"] = _open_orders(ch, lim, plan, "icebergQty" in values)
    ctx["myFilters"] = no_asset_limits()
    return ctx


def no_asset_limits() -> dict[str, object]:
    """The body of GET /api/v3/myFilters for an account without MAX_ASSET filters: with it the
    context is complete on every day (the list and count filters come from the snapshot)."""
    return {"exchangeFilters": [], "symbolFilters": [], "assetFilters": []}


def _account(
    ch: _Chooser, lim: _Limits, plan: _Plan, values: Mapping[str, Fraction]
) -> dict[str, object]:
    sym, b, side = lim.sym, plan.broken, plan.side
    held = _held_permissions(ch, sym)
    sets = sym.permission_sets or ((sym.permissions,) if sym.permissions else ())
    if b == "symbol_not_permitted" and sym.is_spot_trading_allowed:
        if not any(sets):
            raise _Infeasible("the symbol asks for no permission")
        held = []
    # What the order needs: quote to BUY at a price (or the quoteOrderQty), base to SELL.
    q, p, qoq = values.get("quantity"), values.get("price"), values.get("quoteOrderQty")
    need: Fraction | None = None
    asset = sym.quote_asset if side == "BUY" else sym.base_asset
    unit = lim.quote_unit if side == "BUY" else lim.base_unit
    if side == "BUY":
        if qoq is not None:
            need = qoq
        elif p is not None and q is not None and plan.order_type not in _AT_MARKET:
            need = p * q
    elif q is not None:
        need = q
    balances: dict[str, Fraction] = {sym.base_asset: Fraction(0), sym.quote_asset: Fraction(0)}
    if need is not None:
        if b == "insufficient_balance":
            grid = Fraction(1, 10 ** _decimals(need))
            balances[asset] = need - grid * ch.integer(1, int(need / grid))
        else:
            balances[asset] = need + ch.integer(0, 10**6) * unit
    elif b == "insufficient_balance":
        raise _Infeasible("no balance check for this order")
    if side == "BUY" and lim.position is not None and q is not None:
        room = _f(lim.position.max_position) - q
        if b == "MAX_POSITION":
            balances[sym.base_asset] = room + lim.base_unit * ch.integer(1, 10**6)
        elif room >= 0:
            balances[sym.base_asset] = lim.base_unit * ch.integer(0, int(room / lim.base_unit))
    elif b == "MAX_POSITION":
        raise _Infeasible("MAX_POSITION applies to BUY orders with a quantity")
    return {
        "canTrade": b != "account_cannot_trade",
        "permissions": held,
        "balances": [{"asset": a, "free": _text(v), "locked": "0"} for a, v in balances.items()],
    }


def _held_permissions(ch: _Chooser, sym: SymbolInfo) -> list[str]:
    """Account permissions that meet every one of the symbol's permission sets."""
    sets = sym.permission_sets or ((sym.permissions,) if sym.permissions else ())
    held: list[str] = []
    for s in sets:
        if s and not set(held).intersection(s):
            held.append(ch.choice(sorted(s, key=lambda p: (p != "SPOT", p))))
    return held


def _count(ch: _Chooser, room: int) -> int:
    """A count from 0 up to ``room``: a few, or exactly ``room`` (the edge) when it is finite."""
    if room <= 0:
        return 0
    if room <= 1000 and ch.boolean():
        return room
    return ch.integer(0, min(room, 5))


def _open_orders(ch: _Chooser, lim: _Limits, plan: _Plan, iceberg: bool) -> list[dict[str, str]]:
    """Open orders on the symbol and elsewhere, each count at most its limit less one.

    To break one count rule, its count is exactly its limit while every other count stays
    under its own.
    """
    algo = 1 if plan.order_type in _STOPS else 0
    return _open_orders_for(ch, lim, plan.broken, 1, algo, 1 if iceberg else 0)


def _open_orders_for(
    ch: _Chooser, lim: _Limits, b: str | None, adds: int, algo: int, ice: int
) -> list[dict[str, str]]:
    """Open orders leaving room for ``adds`` new orders, ``algo`` of them algo orders and
    ``ice`` icebergs (an order list adds 2 or 3); or one count exactly at its limit."""
    c = lim.counts
    algo_order = algo > 0
    iceberg = ice > 0
    big = 10**9

    def room(name: str, applies: bool = True) -> int:
        n = {"ALGO": algo, "ICEBERG": ice}.get(name.split("_")[-2], adds)
        return c.get(name, big) - n if applies else big

    sym_room = min(room("MAX_NUM_ORDERS"), room("EXCHANGE_MAX_NUM_ORDERS"))
    algo_room = min(
        room("MAX_NUM_ALGO_ORDERS", algo_order), room("EXCHANGE_MAX_NUM_ALGO_ORDERS", algo_order)
    )
    ice_room = min(
        room("MAX_NUM_ICEBERG_ORDERS", iceberg), room("EXCHANGE_MAX_NUM_ICEBERG_ORDERS", iceberg)
    )
    all_room = room("EXCHANGE_MAX_NUM_ORDERS")
    n_plain = n_algo = n_ice = n_other = 0
    other_type, other_ice = "LIMIT", "0"
    if b not in _COUNT_RULES:
        if min(sym_room, algo_room, ice_room) < 0:
            raise _Infeasible("a count limit of zero")
        n_algo = _count(ch, min(algo_room, sym_room))
        n_ice = _count(ch, min(ice_room, sym_room - n_algo))
        n_plain = _count(ch, sym_room - n_algo - n_ice)
        n_other = _count(ch, all_room - n_algo - n_ice - n_plain)
    else:
        if b not in c:
            raise _Infeasible(f"no {b} filter")
        target = c[b]
        if "ALGO" in b and not algo_order:
            raise _Infeasible("not an algo order")
        if "ICEBERG" in b and not iceberg:
            raise _Infeasible("not an iceberg order")
        if b == "MAX_NUM_ORDERS":
            n_plain, ok = target, target <= all_room
        elif b == "MAX_NUM_ALGO_ORDERS":
            n_algo = target
            ok = target <= min(sym_room, room("EXCHANGE_MAX_NUM_ALGO_ORDERS"))
        elif b == "MAX_NUM_ICEBERG_ORDERS":
            n_ice = target
            ok = target <= min(sym_room, room("EXCHANGE_MAX_NUM_ICEBERG_ORDERS"))
        elif b == "EXCHANGE_MAX_NUM_ORDERS":
            n_other, ok = target, True
        elif b == "EXCHANGE_MAX_NUM_ALGO_ORDERS":
            n_other, other_type, ok = target, "STOP_LOSS_LIMIT", target <= all_room
        else:
            n_other, other_ice, ok = target, "0.1", target <= all_room
        if not ok or target > 5000:
            raise _Infeasible("another count limit is lower")
    name = lim.sym.symbol
    orders: list[dict[str, str]] = []

    def add(symbol: str, order_type: str, count: int, iceberg_qty: str = "0") -> None:
        orders.extend(
            {
                "symbol": symbol,
                "side": "SELL",
                "type": order_type,
                "origQty": "1",
                "executedQty": "0",
                "icebergQty": iceberg_qty,
            }
            for _ in range(count)
        )

    add(name, "LIMIT", n_plain)
    add(name, "STOP_LOSS_LIMIT", n_algo)
    add(name, "LIMIT", n_ice, "0.1")
    add("OTHER" + name, other_type, n_other, other_ice)
    return orders


def contexts(
    info: ExchangeInfo,
    params: Mapping[str, object],
    *,
    endpoint: str = "/api/v3/order",
) -> st.SearchStrategy[dict[str, object]]:
    """Contexts in which ``params`` (a valid order by the snapshot alone) passes every rule.

    The market price sits anywhere inside the bands and market-notional bounds (on their edges
    too), the last price on the side that does not trigger a stop, the book beyond a
    LIMIT_MAKER's price, balances at or above what the order needs, open orders at or under
    each count limit less one. Raises :class:`NoValidOrder` when no context can make the
    order pass (its price outside PRICE_FILTER, say).
    """
    symbol = str(params.get("symbol"))
    order_type = str(params.get("type"))
    side = str(params.get("side"))
    _check_args(info, symbol, (order_type,) if order_type in ORDER_TYPES else (), endpoint)
    if side not in SIDES:
        raise ValueError(f"side must be BUY or SELL, got {side!r}")
    values: dict[str, Fraction] = {}
    for name in ("quantity", "quoteOrderQty", "price", "stopPrice", "icebergQty"):
        raw = params.get(name)
        if raw is not None:
            parsed = parse_wire_decimal(str(raw))
            if parsed is None:
                raise NoValidOrder(f"{name} {raw!r} is not a wire decimal")
            values[name] = Fraction(parsed)
    plan = _Plan(symbol, order_type, side, endpoint)
    lim = _limits(info, info.symbols[symbol])
    text = {str(k): str(v) for k, v in params.items() if v is not None}

    def attempt(ch: _Chooser) -> dict[str, object]:
        tied = lim.tied()
        key = (
            "avgPrice"
            if tied and "stopPrice" in values
            else ch.choice(("avgPrice", "referencePrice"))
        )
        m_cons = _market_cons(lim, order_type, side, values)
        stop = values.get("stopPrice")
        is_tied = tied and key == "avgPrice"
        if is_tied and stop is not None:
            m_cons.append(_untriggered(order_type, side, stop))
        return _context(ch, lim, plan, text, values, m_cons, key, is_tied)

    try:
        attempt(_Simplest())
    except (_Infeasible, ZeroDivisionError) as exc:
        raise NoValidOrder(f"no context lets this order pass: {exc}") from None

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, object]:
        return _attempt(draw, attempt)

    return build()
