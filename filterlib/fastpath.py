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
from typing import TypeVar

from .catalogue import RANK
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
from .request import MAX_DECIMAL, TIME_IN_FORCE, Order
from .rules.filters import FILTER_CHECKS
from .snapshot import ExchangeInfo, SymbolInfo
from .verdict import Verdict, Violation

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
#: also validates every value given.
_PRICE_KEYS = frozenset({"avgPrice", "lastPrice", "referencePrice"})
_DECIMAL = re.compile(r"([0-9]{1,20})(?:\.([0-9]{1,20}))?")
_LONG = re.compile(r"[0-9]{1,20}")
_CLIENT_ID = re.compile(r"[a-zA-Z0-9\-_]{1,36}")
_SYMBOL = re.compile(r"[A-Z0-9_.\-]{1,50}")
_RESPONSE_TYPES = frozenset({"ACK", "RESULT", "FULL"})
_ZERO = Decimal(0)

#: (symbol, endpoint, side, which of referencePrice / avgPrice / lastPrice the context gives)
FastKey = tuple[str, str, str, tuple[bool, bool, bool]]
_K = TypeVar("_K")
_V = TypeVar("_V")


class _Band:
    """One percent-price filter, per side: (down, up) multipliers and avgPriceMins."""

    __slots__ = ("buy", "mins", "sell")

    def __init__(self, buy: tuple[Decimal, Decimal], sell: tuple[Decimal, Decimal], mins: int):
        self.buy, self.sell, self.mins = buy, sell, mins


class _Compiled:
    """A symbol's LIMIT-order arithmetic, flattened for speed (zero disables a part)."""

    __slots__ = (
        "bands",
        "base_precision",
        "max_notional",
        "max_price",
        "max_qty",
        "min_notional",
        "min_price",
        "min_qty",
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
        mins, maxs = [], []
        bands = []
        for f in s.filters:
            if isinstance(f, MinNotional):
                mins.append(f.min_notional)
            elif isinstance(f, Notional):
                mins.append(f.min_notional)
                maxs.append(f.max_notional)
            elif isinstance(f, PercentPrice):
                both = (f.multiplier_down, f.multiplier_up)
                bands.append(_Band(both, both, f.avg_price_mins))
            elif isinstance(f, PercentPriceBySide):
                bands.append(
                    _Band(
                        (f.bid_multiplier_down, f.bid_multiplier_up),
                        (f.ask_multiplier_down, f.ask_multiplier_up),
                        f.avg_price_mins,
                    )
                )
        # Several notional filters (none seen in real data) all apply: keep the tightest.
        self.min_notional = max(mins, default=_ZERO)
        self.max_notional = min((m for m in maxs if m), default=_ZERO)
        self.bands = tuple(bands)


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


# Caches per snapshot, keyed by id() and dropped when the snapshot is collected: hashing an
# ExchangeInfo on every call (as a WeakKeyDictionary would) costs more than the check itself.
_COMPILED: dict[int, dict[str, _Compiled | None]] = {}
_VERDICTS: dict[int, dict[FastKey, Verdict]] = {}


def _per_info(cache: dict[int, dict[_K, _V]], info: ExchangeInfo) -> dict[_K, _V]:
    per_info = cache.get(id(info))
    if per_info is None:
        per_info = cache.setdefault(id(info), {})
        weakref.finalize(info, cache.pop, id(info), None)
    return per_info


def _compiled(info: ExchangeInfo, name: str) -> _Compiled | None:
    per_info = _per_info(_COMPILED, info)
    try:
        return per_info[name]
    except KeyError:
        s = info.symbol(name)
        compiled = _Compiled(s) if s is not None and _eligible(s) else None
        per_info[name] = compiled  # a benign race: both threads store equal values
        return compiled


def fast_check(
    info: ExchangeInfo,
    params: Mapping[str, object],
    endpoint: str,
    context: Mapping[str, object] | None,
) -> tuple[Verdict | None, FastKey | None]:
    """The verdict of a plain LIMIT order when the fast path can give it, with its key.

    Returns ``(verdict, key)`` for a passing order whose key has a stored verdict; ``(None,
    key)`` for a passing order whose key has none yet (the caller runs the full engine and may
    :func:`remember` its answer); ``(verdict, None)`` for an order that only fails filters;
    ``(None, None)`` when the full engine must answer.
    """
    if endpoint not in _ENDPOINTS or type(params) is not dict or not params.keys() <= _KEYS:
        return None, None
    if params.get("type") != "LIMIT":
        return None, None
    name = params.get("symbol")
    side = params.get("side")
    tif = params.get("timeInForce")
    quantity = params.get("quantity")
    price = params.get("price")
    if (
        type(name) is not str
        or type(tif) is not str
        or side not in ("BUY", "SELL")
        or tif not in TIME_IN_FORCE
        or type(quantity) is not str
        or type(price) is not str
    ):
        return None, None
    assert isinstance(side, str)
    if len(params) > 6 and not _optional_ok(params):
        return None, None
    c = _compiled(info, name)
    if c is None:
        return None, None
    q_match = _DECIMAL.fullmatch(quantity)
    p_match = _DECIMAL.fullmatch(price)
    if q_match is None or p_match is None:
        return None, None
    q_fraction, p_fraction = q_match.group(2), p_match.group(2)
    if (q_fraction is not None and len(q_fraction) > c.base_precision) or (
        p_fraction is not None and len(p_fraction) > c.quote_precision
    ):
        return None, None
    q, p = Decimal(quantity), Decimal(price)
    if not q or not p or q > MAX_DECIMAL or p > MAX_DECIMAL:
        return None, None
    prices = _context_prices(context)
    if prices is None:
        return None, None
    reference, average, last = prices
    key: FastKey = (
        name,
        endpoint,
        side,
        (reference is not None, average is not None, last is not None),
    )
    stored = _VERDICTS.get(id(info))
    known = stored.get(key) if stored is not None else None
    if _passes(c, side, p, q, reference, average, last):
        return known, key
    if known is None:
        return None, None  # no verdict learned for this key yet: the full engine answers
    return _filter_failures(info, name, side, tif, p, q, prices, known), None


def _passes(
    c: _Compiled,
    side: str,
    p: Decimal,
    q: Decimal,
    reference: Decimal | None,
    average: Decimal | None,
    last: Decimal | None,
) -> bool:
    """Whether a LIMIT order passes every filter it meets; exact, in the private context."""
    ctx = CONTEXT
    if (
        (c.min_price and p < c.min_price)
        or (c.max_price and p > c.max_price)
        or (c.tick and ctx.remainder(p, c.tick))
        or (c.min_qty and q < c.min_qty)
        or (c.max_qty and q > c.max_qty)
        or (c.step and ctx.remainder(q, c.step))
    ):
        return False
    notional = ctx.multiply(p, q)
    if (c.min_notional and notional < c.min_notional) or (
        c.max_notional and notional > c.max_notional
    ):
        return False
    for band in c.bands:
        # The reference price when the symbol has one, else the average over avgPriceMins, or
        # the last price when that is 0 (rules.common.market_price).
        base = reference if reference is not None else last if band.mins == 0 else average
        if base is None:
            continue  # unchecked for lack of context: part of the stored verdict
        down, up = band.buy if side == "BUY" else band.sell
        if p < ctx.multiply(base, down) or p > ctx.multiply(base, up):
            return False
    return True


def _filter_failures(
    info: ExchangeInfo,
    name: str,
    side: str,
    tif: str,
    p: Decimal,
    q: Decimal,
    prices: _Prices,
    known: Verdict,
) -> Verdict:
    """The verdict of a proven-clean LIMIT order that fails filters: the engine's filter rules
    on the parsed values, and the unchecked rules the key's passing verdict had."""
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
    violations = tuple(sorted(found, key=lambda v: RANK[v.rule]))
    return Verdict(violations[0].error, violations, known.unchecked)


def remember(info: ExchangeInfo, key: FastKey, verdict: Verdict) -> None:
    """Store the full engine's passing verdict for ``key`` (see :func:`prove_limit`)."""
    if verdict.error is None:
        _per_info(_VERDICTS, info)[key] = verdict


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


_Prices = tuple[Decimal | None, Decimal | None, Decimal | None]


def _context_prices(context: Mapping[str, object] | None) -> _Prices | None:
    """referencePrice, avgPrice and lastPrice from the context (None where not given), or None
    when the context holds anything the fast path does not read or cannot read."""
    if context is None:
        return None, None, None
    if type(context) is not dict or not context.keys() <= _PRICE_KEYS:
        return None
    reference = _price(context.get("referencePrice"), "referencePrice")
    average = _price(context.get("avgPrice"), "price")
    last = _price(context.get("lastPrice"), "price")
    if reference is False or average is False or last is False:
        return None
    return reference, average, last  # type: ignore[return-value]


def _price(value: object, inner: str) -> Decimal | bool | None:
    """A context price as the full engine reads it (context.as_context): None if not given,
    False for anything the fast path leaves to the full engine (ints, Decimals, bad text)."""
    if isinstance(value, Mapping):
        value = value.get(inner, value.get("price"))
    if value is None:
        return None
    if type(value) is not str or _DECIMAL.fullmatch(value) is None:
        return False
    return Decimal(value)
