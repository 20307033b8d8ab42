"""The fast path: prove that a plain LIMIT order passes, in a few microseconds.

Most orders a bot or a backtest sends are LIMIT orders that pass. For them the full engine's
work (decoding every parameter into values, running every rule, building failure records) is
the cost, not the arithmetic. This module compiles, once per symbol, the arithmetic a LIMIT
order must satisfy, and answers only when it can prove the order passes every rule; anything
else (another type, an unusual parameter, account context, a failure) falls back to the full
engine, which remains the one place that decides what Binance answers.

The passing verdict itself (no error, the rules left unchecked for the context given) is taken
from the full engine: the first passing order for a (symbol, endpoint, side, context prices)
stores its verdict, and later orders with the same key reuse its unchecked rules. A LIMIT order
whose request and symbol layers are proven clean can only fail the symbol's price, quantity,
notional and percent-price filters; for it the fast path runs just those filter rules (the same
functions the engine runs) on the values it has parsed. Tests compare both paths on every
conformance case and on generated orders.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from decimal import Decimal, localcontext
from functools import partial

from .catalogue import RANK, RULES
from .context import Context
from .decimals import CONTEXT
from .filters import (
    LotSize,
    MinNotional,
    Notional,
    PercentPrice,
    PercentPriceBySide,
    PriceFilter,
)
from .request import MAX_DECIMAL, Order
from .rules.filters import FILTER_CHECKS
from .snapshot import ExchangeInfo, SymbolInfo
from .verdict import BinanceError, Verdict, Violation

__all__ = ["FastKey", "fast_check", "remember"]

_ENDPOINTS = frozenset({"/api/v3/order", "/api/v3/order/test"})
#: The parameters a plain LIMIT order may carry and still take the fast path.
_KEYS = frozenset(
    {
        "symbol",
        "side",
        "type",
        "timeInForce",
        "quantity",
        "price",
        "newClientOrderId",
        "newOrderRespType",
        "recvWindow",
        "timestamp",
        "signature",
    }
)
#: The context keys the fast path reads; any other sends the order to the full engine, which
#: also validates every value given. ``serverTime`` is not among them: a verdict that may carry
#: a stale-snapshot warning is always the full engine's.
_PRICE_KEYS = frozenset({"avgPrice", "lastPrice", "referencePrice"})
_DECIMAL = re.compile(r"([0-9]{1,20})(?:\.([0-9]{1,20}))?")
_LONG = re.compile(r"[0-9]{1,20}")
_CLIENT_ID = re.compile(r"[a-zA-Z0-9\-_]{1,36}")
_SYMBOL = re.compile(r"[A-Z0-9_.\-]{1,50}")
_RESPONSE_TYPES = frozenset({"ACK", "RESULT", "FULL"})
_ZERO = Decimal(0)

#: (symbol, endpoint, side, and whether the context gives referencePrice, avgPrice, lastPrice)
FastKey = tuple[str, str, str, bool, bool, bool]


class _Band:
    """One percent-price filter: its rule, (down, up) multipliers per side, avgPriceMins."""

    __slots__ = ("buy", "mins", "rule", "sell")

    def __init__(
        self, rule: str, buy: tuple[Decimal, Decimal], sell: tuple[Decimal, Decimal], mins: int
    ) -> None:
        self.rule, self.buy, self.sell, self.mins = rule, buy, sell, mins


class _Compiled:
    """A symbol's LIMIT-order arithmetic, flattened for speed (zero disables a part)."""

    __slots__ = (
        "bands",
        "base_precision",
        "max_price",
        "max_qty",
        "min_price",
        "min_qty",
        "notionals",
        "quote_precision",
        "step",
        "tick",
    )

    def __init__(self, s: SymbolInfo) -> None:
        self.base_precision = s.base_asset_precision
        self.quote_precision = s.quote_asset_precision
        price = s.filter("PRICE_FILTER")
        lot = s.filter("LOT_SIZE")
        self.min_price = price.min_price if isinstance(price, PriceFilter) else _ZERO
        self.max_price = price.max_price if isinstance(price, PriceFilter) else _ZERO
        self.tick = price.tick_size if isinstance(price, PriceFilter) else _ZERO
        self.min_qty = lot.min_qty if isinstance(lot, LotSize) else _ZERO
        self.max_qty = lot.max_qty if isinstance(lot, LotSize) else _ZERO
        self.step = lot.step_size if isinstance(lot, LotSize) else _ZERO
        bands: list[_Band] = []
        notionals: list[tuple[str, Decimal, Decimal]] = []
        for f in s.filters:
            if isinstance(f, MinNotional):
                notionals.append(("MIN_NOTIONAL", f.min_notional, _ZERO))
            elif isinstance(f, Notional):
                notionals.append(("NOTIONAL", f.min_notional, f.max_notional))
            elif isinstance(f, PercentPrice):
                both = (f.multiplier_down, f.multiplier_up)
                bands.append(_Band("PERCENT_PRICE", both, both, f.avg_price_mins))
            elif isinstance(f, PercentPriceBySide):
                bands.append(
                    _Band(
                        "PERCENT_PRICE_BY_SIDE",
                        (f.bid_multiplier_down, f.bid_multiplier_up),
                        (f.ask_multiplier_down, f.ask_multiplier_up),
                        f.avg_price_mins,
                    )
                )
        # In evaluation order, so the first failure found is the one Binance reports.
        self.bands = tuple(sorted(bands, key=lambda b: RANK[b.rule]))
        self.notionals = tuple(sorted(notionals, key=lambda n: RANK[n[0]]))


def _eligible(s: SymbolInfo) -> bool:
    """Symbols whose LIMIT orders the fast path may judge: anything else goes the full way."""
    allowed = s.allowed_self_trade_prevention_modes
    return (
        s.status == "TRADING"
        and "LIMIT" in s.order_types
        and s.is_spot_trading_allowed
        and _SYMBOL.fullmatch(s.symbol) is not None
        and (allowed is None or s.default_self_trade_prevention_mode in allowed)
    )


class _State:
    """What the fast path keeps per snapshot: compiled symbols and learned passing verdicts."""

    __slots__ = ("compiled", "verdicts")

    def __init__(self) -> None:
        self.compiled: dict[str, _Compiled | None] = {}
        self.verdicts: dict[FastKey, Verdict] = {}


# Keyed by id() and dropped when the snapshot is collected: hashing an ExchangeInfo on every
# call (as a WeakKeyDictionary would) costs more than the check itself.
_STATES: dict[int, _State] = {}


def _state(info: ExchangeInfo) -> _State:
    state = _STATES.get(id(info))
    if state is None:
        state = _STATES.setdefault(id(info), _State())
        weakref.finalize(info, _STATES.pop, id(info), None)
    return state


def _compile(state: _State, info: ExchangeInfo, name: str) -> _Compiled | None:
    s = info.symbol(name)
    compiled = _Compiled(s) if s is not None and _eligible(s) else None
    state.compiled[name] = compiled  # a benign race: both threads store equal values
    return compiled


_NO: tuple[None, None] = (None, None)


def fast_check(
    info: ExchangeInfo,
    params: Mapping[str, object],
    endpoint: str,
    context: Mapping[str, object] | None,
) -> tuple[Verdict | None, FastKey | None]:
    """The verdict of a plain LIMIT order when the fast path can give it, with its key.

    Returns ``(verdict, None)`` when it can (an order that passes, or one that only fails
    filters); ``(None, key)`` for an order it has proven clean up to the filters but whose key
    it has not learned yet (the caller runs the full engine and :func:`remember` s the
    answer); ``(None, None)`` when the full engine must answer.
    """
    if type(params) is not dict or endpoint not in _ENDPOINTS:
        return _NO
    get = params.get
    if get("type") != "LIMIT" or not params.keys() <= _KEYS:
        return _NO
    name, side, tif = get("symbol"), get("side"), get("timeInForce")
    quantity, price = get("quantity"), get("price")
    if (
        type(quantity) is not str
        or type(price) is not str
        or type(name) is not str
        or (side != "BUY" and side != "SELL")
        or (tif != "GTC" and tif != "IOC" and tif != "FOK")
    ):
        return _NO
    if len(params) > 6 and not _optional_ok(params):
        return _NO
    state = _STATES.get(id(info)) or _state(info)
    try:
        c = state.compiled[name]
    except KeyError:
        c = _compile(state, info, name)
    if c is None:
        return _NO
    if _DECIMAL.fullmatch(quantity) is None or _DECIMAL.fullmatch(price) is None:
        return _NO
    # Decimals written (trailing zeros count) against the assets' precisions (-1111).
    point = quantity.find(".")
    if point >= 0 and len(quantity) - point - 1 > c.base_precision:
        return _NO
    point = price.find(".")
    if point >= 0 and len(price) - point - 1 > c.quote_precision:
        return _NO
    q, p = Decimal(quantity), Decimal(price)
    if not q or not p or q > MAX_DECIMAL or p > MAX_DECIMAL:
        return _NO
    if context is None:
        reference = average = last = None
    else:
        if type(context) is not dict or not context.keys() <= _PRICE_KEYS:
            return _NO
        reference = average = last = None
        value = context.get("avgPrice")
        if value is not None and (average := _price(value, "price")) is False:
            return _NO
        if len(context) > 1 or value is None:
            value = context.get("referencePrice")
            if value is not None and (reference := _price(value, "referencePrice")) is False:
                return _NO
            value = context.get("lastPrice")
            if value is not None and (last := _price(value, "price")) is False:
                return _NO
    known = state.verdicts.get(
        (name, endpoint, side, reference is not None, average is not None, last is not None)
    )
    if known is None:
        key: FastKey = (
            name,
            endpoint,
            side,
            reference is not None,
            average is not None,
            last is not None,
        )
        return None, key  # nothing learned for this key yet: the full engine answers
    failed = _first_failure(c, side, p, q, reference, average, last)  # type: ignore[arg-type]
    if failed is None:
        return known, None
    prices = (reference, average, last)
    pending = partial(_filter_violations, info, name, side, tif, p, q, prices)  # type: ignore[arg-type]
    return Verdict(_ERRORS[failed], unchecked=known.unchecked, pending=pending), None


def _first_failure(
    c: _Compiled,
    side: str,
    p: Decimal,
    q: Decimal,
    reference: Decimal | None,
    average: Decimal | None,
    last: Decimal | None,
) -> str | None:
    """The first filter a LIMIT order fails, in evaluation order, or None; exact arithmetic."""
    ctx = CONTEXT
    if (
        (c.min_price and p < c.min_price)
        or (c.max_price and p > c.max_price)
        or (c.tick and ctx.remainder(p, c.tick))
    ):
        return "PRICE_FILTER"
    for band in c.bands:
        # The reference price when the symbol has one, else the average over avgPriceMins, or
        # the last price when that is 0 (rules.common.market_price).
        base = reference if reference is not None else last if band.mins == 0 else average
        if base is None:
            continue  # unchecked for lack of context: part of the stored verdict
        down, up = band.buy if side == "BUY" else band.sell
        if p < ctx.multiply(base, down) or p > ctx.multiply(base, up):
            return band.rule
    if (
        (c.min_qty and q < c.min_qty)
        or (c.max_qty and q > c.max_qty)
        or (c.step and ctx.remainder(q, c.step))
    ):
        return "LOT_SIZE"
    if c.notionals:
        notional = ctx.multiply(p, q)
        for rule_id, low, high in c.notionals:
            if (low and notional < low) or (high and notional > high):
                return rule_id
    return None


def _filter_violations(
    info: ExchangeInfo,
    name: str,
    side: str,
    tif: str,
    p: Decimal,
    q: Decimal,
    prices: tuple[Decimal | None, Decimal | None, Decimal | None],
) -> tuple[Violation, ...]:
    """Every filter violation of a proven-clean LIMIT order: the engine's own filter rules on
    the parsed values, in evaluation order (computed when a caller first reads them)."""
    symbol = info.symbol(name)
    assert symbol is not None
    reference, average, last = prices
    order = Order(symbol=name, side=side, type="LIMIT", time_in_force=tif, quantity=q, price=p)
    context = Context(avg_price=average, last_price=last, reference_price=reference)
    found: list[Violation] = []
    with localcontext(CONTEXT):
        for f in symbol.filters:
            check_filter = FILTER_CHECKS.get(f.filter_type)
            if check_filter is not None:
                findings = check_filter(f, order, symbol, context)
                found.extend(v for v in findings if isinstance(v, Violation))
    return tuple(sorted(found, key=lambda v: RANK[v.rule]))


#: The error of each filter the fast path judges.
_ERRORS = {
    r.id: BinanceError(r.code, r.message)
    for r in RULES
    if r.id in ("PRICE_FILTER", "PERCENT_PRICE", "PERCENT_PRICE_BY_SIDE", "LOT_SIZE")
    or r.id in ("MIN_NOTIONAL", "NOTIONAL")
}


def remember(info: ExchangeInfo, key: FastKey, verdict: Verdict) -> None:
    """Learn the passing verdict for ``key`` from the full engine's answer to a proven order.

    For a LIMIT order whose request and symbol layers are clean, the rules left unchecked
    depend only on the key (the symbol, the endpoint, the side and which prices the context
    gives), never on whether a filter fails; so any such order, passing or failing, teaches
    what a passing one gets: no error, no violation, those unchecked rules.
    """
    if all(v.rule in FILTER_CHECKS for v in verdict.violations):
        passing = verdict if verdict.error is None else Verdict(None, (), verdict.unchecked)
        _state(info).verdicts[key] = passing


def _optional_ok(params: Mapping[str, object]) -> bool:
    for key in ("newClientOrderId", "newOrderRespType", "recvWindow", "timestamp", "signature"):
        if key not in params:
            continue
        value = params[key]
        # None ("not sent") and non-strings are the full engine's to judge.
        if type(value) is not str or not value:
            return False
        if key == "newClientOrderId" and _CLIENT_ID.fullmatch(value) is None:
            return False
        if key == "newOrderRespType" and value not in _RESPONSE_TYPES:
            return False
        if key in ("recvWindow", "timestamp") and _LONG.fullmatch(value) is None:
            return False
        if key == "recvWindow" and int(value) > 60_000:
            return False
    return True


def _price(value: object, inner: str) -> Decimal | bool | None:
    """A context price as the full engine reads it (context.as_context): None if not given,
    False for anything the fast path leaves to the full engine (ints, Decimals, bad text)."""
    if value is None:
        return None
    if type(value) is dict:  # a Binance response body, e.g. GET /api/v3/avgPrice's
        value = value.get(inner, value.get("price"))
        if value is None:
            return None
    if type(value) is not str:
        return False
    # A bot passes the same price text for many orders (the average price moves once a
    # minute): texts already parsed are kept, a few thousand at most.
    parsed = _PRICES.get(value)
    if parsed is None:
        if _DECIMAL.fullmatch(value) is None:
            return False
        if len(_PRICES) >= 4096:
            _PRICES.clear()
        parsed = _PRICES[value] = Decimal(value)
    return parsed


_PRICES: dict[str, Decimal] = {}
