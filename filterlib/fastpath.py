"""The fast path: prove that a plain LIMIT order passes, in a few microseconds.

Most orders a bot or a backtest sends are LIMIT orders that pass. For them the full engine's
work (decoding every parameter into values, running every rule, building failure records) is
the cost, not the arithmetic. This module compiles, once per symbol, the arithmetic a LIMIT
order must satisfy, as exact integers, and answers for an order whose request and symbol
layers it can prove clean: it passes, or it fails one of the filters below. Anything else
(another type, an unusual parameter, account context, a zero or oversized value) falls back
to the full engine, which remains the one place that decides what Binance answers.

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
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from functools import partial
from operator import itemgetter

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
from .request import Order
from .rules.filters import FILTER_CHECKS
from .snapshot import ExchangeInfo, SymbolInfo
from .verdict import BinanceError, Verdict, Violation, rejected
from .wire import MAX_DECIMAL

__all__ = ["ORDER_NO_CONTEXT", "FastKey", "Where", "fast_check", "judge", "remember", "where"]

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


class _Band:
    """One percent-price filter: its rule, (down, up) multipliers per side, avgPriceMins, and
    its price bounds per base price text (a bot sends the same average price for many orders)."""

    __slots__ = ("bounds", "buy", "mins", "rule", "sell")

    def __init__(
        self, rule: str, buy: tuple[Decimal, Decimal], sell: tuple[Decimal, Decimal], mins: int
    ) -> None:
        self.rule, self.buy, self.sell, self.mins = rule, buy, sell, mins
        self.bounds: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {}

    def learn(self, text: str, scale: int) -> tuple[tuple[int, int], tuple[int, int]]:
        """The (low, high) bounds for BUY and for SELL around the base price ``text``, as
        integers of 10**-scale: a price passes when low <= price * 10**scale <= high."""
        base = _PRICES.get(text) or Decimal(text)  # ``text`` was validated by _text
        mul = CONTEXT.multiply
        (bd, bu), (sd, su) = self.buy, self.sell
        found = (
            (_scaled(mul(base, bd), scale, ROUND_CEILING), _scaled(mul(base, bu), scale)),
            (_scaled(mul(base, sd), scale, ROUND_CEILING), _scaled(mul(base, su), scale)),
        )
        if len(self.bounds) >= 64:
            self.bounds.clear()
        self.bounds[text] = found
        return found


#: A symbol's filters as integers: a price p passes PRICE_FILTER when min_p <= P <= max_p and
#: P % tick == 0, where P = p * 10**price_scale (and likewise Q for the quantity), and the
#: order's notional when low <= P * Q <= high. Exact: every wire price has at most price_scale
#: decimals (_scale enforces it), and a filter's bounds have at most 20.
_Grid = tuple[int, int, int, int, int, int, int, int, int, int]
_POW: tuple[int, ...] = tuple(10**k for k in range(41))
_UNBOUNDED = 10**90  # above any P * Q of two wire decimals


def _scaled(value: Decimal, scale: int, rounding: str = ROUND_FLOOR) -> int:
    """``value * 10**scale`` as an integer, rounded the given way where it is not one."""
    return int(value.scaleb(scale, CONTEXT).to_integral_value(rounding, CONTEXT))


#: MAX_DECIMAL as an integer of 10**-k: a scaled value above it is above MAX_DECIMAL.
_MAX_SCALED = tuple(_scaled(MAX_DECIMAL, k) for k in range(41))


def _places(*values: Decimal) -> int:
    return max(0, *(-int(v.as_tuple().exponent) for v in values))


def _range_grid(
    low: Decimal, high: Decimal, step: Decimal, precision: int
) -> tuple[int, int, int, int]:
    """(scale, low, high, step) of a min/max/step filter as integers of 10**-scale.

    A zero part is disabled, as in Binance's filters, and the request layer's own bounds are
    folded in: above 0 and at most MAX_DECIMAL. So passing proves the value is neither zero
    nor too large; a value that is fails the test, and _grid_failure then leaves it to the
    full engine before reading which filter failed.
    """
    scale = max(min(precision, 20), _places(low, high, step))
    top = _MAX_SCALED[scale]
    return (
        scale,
        max(_scaled(low, scale, ROUND_CEILING), 1),
        min(_scaled(high, scale), top) if high else top,
        _scaled(step, scale) or 1,  # every value is a multiple of 10**-scale
    )


class _Compiled:
    """A symbol's LIMIT-order arithmetic, as integers (see _Grid), compiled once."""

    __slots__ = (
        "bands",
        "grid",
        "learned",
        "notionals",
        "price_places",
        "quantity_places",
        "symbol",
        "zero_product",
    )

    def __init__(self, s: SymbolInfo) -> None:
        self.symbol = s  # what a failing order's violations are worked out on
        # A wire value with more decimals than its asset's precision is -1111, the engine's.
        self.quantity_places = min(s.base_asset_precision, 20)
        self.price_places = min(s.quote_asset_precision, 20)
        price = s.filter("PRICE_FILTER")
        lot = s.filter("LOT_SIZE")
        sp, min_p, max_p, tick = _range_grid(
            *(
                (price.min_price, price.max_price, price.tick_size)
                if isinstance(price, PriceFilter)
                else (_ZERO, _ZERO, _ZERO)
            ),
            s.quote_asset_precision,
        )
        sq, min_q, max_q, step = _range_grid(
            *(
                (lot.min_qty, lot.max_qty, lot.step_size)
                if isinstance(lot, LotSize)
                else (_ZERO, _ZERO, _ZERO)
            ),
            s.base_asset_precision,
        )
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
        # Each notional filter's bounds as integers of 10**-(sp + sq), rounded inward.
        self.notionals = tuple(
            (
                rule,
                _scaled(low, sp + sq, ROUND_CEILING),
                _scaled(high, sp + sq) if high else _UNBOUNDED,
            )
            for rule, low, high in sorted(notionals, key=lambda n: RANK[n[0]])
        )
        # Passing every notional filter is passing the tightest of their bounds.
        low = max((n[1] for n in self.notionals), default=0)
        high = min((n[2] for n in self.notionals), default=_UNBOUNDED)
        self.grid: _Grid = (sp, sq, min_p, max_p, tick, min_q, max_q, step, low, high)
        # A product below 10**-8 is zero at Binance's fixed point: "Price * QTY is zero or
        # less.", which the full engine answers (as it answers a zero price or quantity).
        self.zero_product = 10 ** max(sp + sq - 8, 0)
        # The passing verdicts learned from the full engine, by slot (see Where).
        self.learned: list[Verdict | None] = [None] * 64


def _eligible(s: SymbolInfo) -> bool:
    """Symbols whose LIMIT orders the fast path may judge: anything else goes the full way."""
    allowed = s.allowed_self_trade_prevention_modes
    return (
        s.status == "TRADING"
        and "LIMIT" in s.order_types
        and s.is_spot_trading_allowed
        and _SYMBOL.fullmatch(s.symbol) is not None
        and (allowed is None or s.default_self_trade_prevention_mode in allowed)
        # A repeated filter type (which Binance does not send) is run once per copy by the
        # engine; the grid holds one of each.
        and len(s.filter_map) == len(s.filters)
    )


# Compiled symbols per snapshot, keyed by id() and dropped when the snapshot is collected:
# hashing an ExchangeInfo on every call (as a WeakKeyDictionary would) costs more than the check.
_STATES: dict[int, dict[str, _Compiled | None]] = {}


def _compile(info: ExchangeInfo, name: object) -> _Compiled | None:
    """Compile symbol ``name`` of ``info`` (None: the fast path leaves its orders alone)."""
    state = _STATES.get(id(info))
    if state is None:
        state = _STATES.setdefault(id(info), {})
        weakref.finalize(info, _STATES.pop, id(info), None)
    if type(name) is not str:
        return None
    s = info.symbol(name)
    compiled = _Compiled(s) if s is not None and _eligible(s) else None
    state[name] = compiled  # a benign race: both threads store equal values
    return compiled


#: The context prices an order is judged against, parsed once (per call of check, per batch of
#: check_many): the validated texts of referencePrice, avgPrice and lastPrice (None: not given),
#: and the slot of the learned verdicts they select: 16 for the test endpoint, plus which
#: prices are given as bits (referencePrice 4, avgPrice 2, lastPrice 1). A SELL adds 8, a
#: newClientOrderId 32 (judge adds those two).
Where = tuple[str | None, str | None, str | None, int]
#: Where a passing verdict is learned: the compiled symbol and the slot (see Where). The same
#: key, the same rules left unchecked.
FastKey = tuple[_Compiled, int]

_TEST = "/api/v3/order/test"
_REQUIRED = frozenset({"symbol", "side", "type", "timeInForce", "quantity", "price"})
_FIELDS = itemgetter("symbol", "side", "type", "timeInForce", "quantity", "price")
_TIME_IN_FORCE = frozenset({"GTC", "IOC", "FOK"})
_NO_PRICES: tuple[Where, Where] = ((None, None, None, 0), (None, None, None, 16))
#: What :func:`where` gives for ``POST /api/v3/order`` without context.
ORDER_NO_CONTEXT: Where = _NO_PRICES[0]


def where(endpoint: str, context: Mapping[str, object] | None) -> Where | None:
    """The prices of ``context`` for orders sent to ``endpoint``, or None when the fast path
    leaves such orders to the full engine (another endpoint, another context shape or key, a
    value it does not read as Binance's text; the full engine also says what is wrong)."""
    try:
        if endpoint not in _ENDPOINTS:
            return None
    except TypeError:  # unhashable: the full engine refuses it (UsageError)
        return None
    test = 16 if endpoint == _TEST else 0
    if context is None:
        return _NO_PRICES[test >> 4]
    if type(context) is not dict:
        return None
    average = context.get("avgPrice")
    if type(average) is dict:  # GET /api/v3/avgPrice's body
        average = average.get("price")
    bits = 0
    if average is not None:
        if type(average) is not str or (average not in _PRICES and not _parse_price(average)):
            return None
        bits = 2
    reference = last = None
    if len(context) != bits >> 1:  # any key beside a given avgPrice
        if not context.keys() <= _PRICE_KEYS:
            return None
        try:
            reference = _text(context.get("referencePrice"), "referencePrice")
            last = _text(context.get("lastPrice"), "price")
        except _Declined:
            return None
        bits |= (reference is not None) << 2 | (last is not None)
    return (reference, average, last, test | bits)


def fast_check(
    info: ExchangeInfo,
    params: Mapping[str, object],
    endpoint: str,
    context: Mapping[str, object] | None,
) -> Verdict | FastKey | None:
    """The verdict of a plain LIMIT order when the fast path can give it: :func:`judge` under
    the prices of ``context`` (see there)."""
    prices = where(endpoint, context)
    return None if prices is None else judge(info, params, prices)


def judge(
    info: ExchangeInfo, params: Mapping[str, object], prices: Where
) -> Verdict | FastKey | None:
    """The verdict of a plain LIMIT order under ``prices``, when the fast path can give it.

    Returns the verdict when it can (an order that passes, or one that only fails filters);
    the order's key when it has proven the order clean up to the filters but has not learned
    that key yet (the caller runs the full engine and :func:`remember` s the answer); None
    when the full engine must answer. (No tuple is built per call: this is the hot path.)
    """
    if type(params) is not dict:
        return None
    try:
        name, side, kind, tif, quantity, price = _FIELDS(params)
        c = _STATES[id(info)][name]
        if c is None or kind != "LIMIT" or tif not in _TIME_IN_FORCE:
            return None
    except KeyError:
        # Not a plain LIMIT order, or its symbol is not compiled yet: compile it and look again.
        if params.keys() >= _REQUIRED and _compile(info, params["symbol"]) is not None:
            return judge(info, params, prices)
        return None
    except TypeError:  # an unhashable value: the full engine says what is wrong with it
        return None
    if side == "BUY":
        slot = prices[3]
    elif side == "SELL":
        slot = prices[3] | 8
    else:
        return None
    # Six parameters present and six in all: exactly the required ones, nothing to validate.
    if len(params) != 6:
        if not _optional_ok(params):
            return None
        if "newClientOrderId" in params:
            slot |= 32  # duplicate_order is unchecked without openOrders: another verdict

    if type(quantity) is not str or type(price) is not str:
        return None
    known = c.learned[slot]
    if known is None:
        return (c, slot)  # the full engine answers, once
    # The wire texts as integers of 10**-sp and 10**-sq (see _scale).
    price_digits = price.replace(".", "", 1)
    quantity_digits = quantity.replace(".", "", 1)
    if not (
        price_digits.isdigit()
        and quantity_digits.isdigit()
        and price_digits.isascii()
        and quantity_digits.isascii()
    ):
        return None
    sp, sq, min_p, max_p, tick, min_q, max_q, step, low, high = c.grid
    pi = _scale(price, price_digits, c.price_places, sp)
    qi = _scale(quantity, quantity_digits, c.quantity_places, sq)
    if pi is None or qi is None:
        return None
    product = pi * qi
    if product < c.zero_product:
        return None
    if (
        min_p <= pi <= max_p
        and not pi % tick
        and min_q <= qi <= max_q
        and not qi % step
        and low <= product <= high
    ):
        if not c.bands:
            return known
        sells = slot & 8 > 0
        reference, average, last, _ = prices
        for band in c.bands:
            # The reference price when the symbol has one, else the average over
            # avgPriceMins, or the last price when that is 0 (rules.common.market_price).
            text = reference if reference is not None else last if band.mins == 0 else average
            if text is None:
                continue  # unchecked for lack of context: part of the learned verdict
            band_low, band_high = (band.bounds.get(text) or band.learn(text, sp))[sells]
            if pi < band_low or pi > band_high:
                break
        else:
            return known
    failed = _grid_failure(c, slot & 8 > 0, pi, qi, prices)
    if failed is None:
        return known
    if failed == "":
        return None  # zero, or above MAX_DECIMAL: a request-layer error, the full engine's
    pending = partial(_filter_violations, c, side, tif, price, quantity, pi, qi, prices)
    return rejected(_ERRORS[failed], known.unchecked, pending)


def _scale(text: str, digits: str, places: int, scale: int) -> int | None:
    """``text`` times 10**scale as an integer, given ``digits``, its digits without the dot
    (the caller has checked they are ASCII digits, with at most one dot between them in
    ``text``); None unless it is Binance's legal decimal, ``[0-9]{1,20}(\\.[0-9]{1,20})?``,
    with at most ``places`` decimals (more is the engine's -1111).

    String methods, not a regular expression: half the cost, on the hot path. (isdigit()
    alone would take other scripts' digits: the caller also asks isascii().) The length is
    checked before int() reads the digits, which refuses texts above 4,300 digits.
    """
    dot = text.find(".")
    if dot < 0:
        return int(digits) * _POW[scale] if len(text) <= 20 else None
    decimals = len(text) - dot - 1
    if not 0 < dot <= 20 or not 0 < decimals <= places:
        return None
    return int(digits) * _POW[scale - decimals]


def _grid_failure(
    c: _Compiled,
    sells: bool,
    pi: int,
    qi: int,
    prices: Where,
    every: list[str] | None = None,
) -> str | None:
    """The first filter a LIMIT order fails, in evaluation order, or None; "" for a price or
    quantity of zero or above MAX_DECIMAL (the request layer's, so the full engine's).

    Given ``every``, it goes on past the first failure and appends each failing filter to it:
    the violations need them all, the verdict only the first (and check() is the hot path).
    """
    sp, sq, min_p, max_p, tick, min_q, max_q, step, _, _ = c.grid
    if not pi or not qi or pi > _MAX_SCALED[sp] or qi > _MAX_SCALED[sq]:
        return ""
    # Past that check the grid's folded-in request bounds (above 0, at most MAX_DECIMAL) are
    # met, so a failure below is the filter's own.
    reference, average, last, _ = prices
    if pi < min_p or pi > max_p or pi % tick:
        if every is None:
            return "PRICE_FILTER"
        every.append("PRICE_FILTER")
    for band in c.bands:
        text = reference if reference is not None else last if band.mins == 0 else average
        if text is not None:
            band_low, band_high = (band.bounds.get(text) or band.learn(text, sp))[sells]
            if pi < band_low or pi > band_high:
                if every is None:
                    return band.rule
                every.append(band.rule)
    if qi < min_q or qi > max_q or qi % step:
        if every is None:
            return "LOT_SIZE"
        every.append("LOT_SIZE")
    notional = pi * qi
    for rule_id, low, high in c.notionals:
        if notional < low or notional > high:
            if every is None:
                return rule_id
            every.append(rule_id)
    return every[0] if every else None


def _filter_violations(
    c: _Compiled,
    side: str,
    tif: str,
    price: str,
    quantity: str,
    pi: int,
    qi: int,
    prices: Where,
) -> tuple[Violation, ...]:
    """Every filter violation of a proven-clean LIMIT order (computed when a caller first reads
    them): the engine's own filter rules on its values, run for the filters the integer grid
    finds failing (the others pass: the grid has proven it). Pure, so two threads reading the
    violations at once compute the same."""
    symbol = c.symbol
    failing: list[str] = []
    _grid_failure(c, side == "SELL", pi, qi, prices, failing)
    order = Order(
        symbol=symbol.symbol,
        side=side,
        type="LIMIT",
        time_in_force=tif,
        quantity=Decimal(quantity),
        price=Decimal(price),
    )
    context = _CONTEXTS.get(prices) or _context(prices)
    found: list[Violation] = []
    with localcontext(CONTEXT):
        for filter_type in failing:  # one filter of each type: _eligible refuses repeats
            findings = FILTER_CHECKS[filter_type](
                symbol.filter(filter_type), order, symbol, context
            )
            found.extend(v for v in findings if isinstance(v, Violation))
    return tuple(sorted(found, key=lambda v: RANK[v.rule]))


#: The error of each filter the fast path judges.
_ERRORS = {
    r.id: BinanceError(r.code, r.message)
    for r in RULES
    if r.id in ("PRICE_FILTER", "PERCENT_PRICE", "PERCENT_PRICE_BY_SIDE", "LOT_SIZE")
    or r.id in ("MIN_NOTIONAL", "NOTIONAL")
}


def remember(key: FastKey, verdict: Verdict) -> None:
    """Learn the passing verdict for ``key`` from the full engine's answer to a proven order.

    For a LIMIT order whose request and symbol layers are clean, the rules left unchecked
    depend only on the key (the symbol, the endpoint, the side and which prices the context
    gives), never on whether a filter fails; so any such order, passing or failing, teaches
    what a passing one gets: no error, no violation, those unchecked rules.
    """
    if all(v.rule in FILTER_CHECKS for v in verdict.violations):
        passing = verdict if verdict.error is None else Verdict(None, (), verdict.unchecked)
        compiled, slot = key
        compiled.learned[slot] = passing


def _optional_ok(params: Mapping[str, object]) -> bool:
    if not params.keys() <= _KEYS:
        return False
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


def _context(prices: Where) -> Context:
    """The Context of validated (referencePrice, avgPrice, lastPrice) texts, kept: the orders
    of a symbol share their prices, and building a Context costs more than finding it."""
    reference, average, last = (_decimal(t) for t in prices[:3])
    if len(_CONTEXTS) >= 4096:
        _CONTEXTS.clear()
    found = _CONTEXTS[prices] = Context(
        avg_price=average, last_price=last, reference_price=reference
    )
    return found


_CONTEXTS: dict[Where, Context] = {}


def _decimal(text: str | None) -> Decimal | None:
    """A context price text :func:`_text` has validated, as a Decimal."""
    return None if text is None else _PRICES.get(text) or Decimal(text)


class _Declined(Exception):
    """A context value the fast path leaves to the full engine (ints, Decimals, bad text)."""


def _text(value: object, inner: str) -> str | None:
    """A context price as the full engine reads it (context.as_context): its text once it is
    known to be legal, or None if not given; raises _Declined for anything else."""
    if value is None:
        return None
    if type(value) is dict:  # a Binance response body, e.g. GET /api/v3/avgPrice's
        value = value[inner] if inner in value else value.get("price")
        if value is None:
            return None
    if type(value) is not str or (value not in _PRICES and not _parse_price(value)):
        raise _Declined
    return value


def _parse_price(text: str) -> bool:
    """Parse a legal context price text into _PRICES; False if it is not legal.

    A bot passes the same price text for many orders (the average price moves once a minute):
    texts already parsed are kept, a few thousand at most.
    """
    if _DECIMAL.fullmatch(text) is None:
        return False
    if len(_PRICES) >= 4096:
        _PRICES.clear()
    _PRICES[text] = Decimal(text)
    return True


_PRICES: dict[str, Decimal] = {}
