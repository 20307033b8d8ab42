"""A symbol's filters compiled once into exact integers: the compiled form.

Prices and quantities are compared as integers of ``10**-scale``: a wire price ``p`` becomes
``P = p * 10**price_scale`` (likewise ``Q`` for a quantity), and PRICE_FILTER passes when
``min_p <= P <= max_p`` and ``P % tick == 0``, LOT_SIZE likewise, the notional filters when
``low <= P * Q <= high``. Exact: a scale covers every decimal of the symbol's bounds and the
asset's precision, and a value with more decimals is not compiled (the Decimal rules judge it).

The form is plain data, per symbol (integers and the few Decimal multipliers of the price
bands), built lazily and cached on the snapshot object itself: :meth:`SymbolInfo.compiled` and
the index ``ExchangeInfo.compiled`` keeps by symbol name. The engine's filter rules use it to
decide pass or fail (their Decimal code only builds a failing filter's details), and the
engine's short cut (:func:`filterlib._engine.judge`) decides plain LIMIT orders with it alone.
A columnar checker can read the same integers for a whole column at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from ._decimals import CONTEXT
from ._wire import FIXED_POINT_DECIMALS, MAX_DECIMAL, MAX_WIRE_DIGITS, is_symbol
from .catalogue import RANK
from .filters import LotSize, MinNotional, Notional, PercentPrice, PercentPriceBySide, PriceFilter

if TYPE_CHECKING:
    from ._verdict import Verdict
    from .snapshot import SymbolInfo

__all__ = [
    "Band",
    "CompiledSymbol",
    "RangeGrid",
    "compile_symbol",
    "market_price_keys",
    "scaled",
    "scaled_exact",
]

_ZERO = Decimal(0)
#: Powers of ten up to the widest scale (20 digits of a wire decimal, twice for a product).
POW: tuple[int, ...] = tuple(10**k for k in range(2 * MAX_WIRE_DIGITS + 1))
#: Above any P * Q of two wire decimals: a notional filter with no maximum.
UNBOUNDED = 10**90


def scaled(value: Decimal, scale: int, rounding: str = ROUND_FLOOR) -> int:
    """``value * 10**scale`` as an integer, rounded the given way where it is not one."""
    return int(value.scaleb(scale, CONTEXT).to_integral_value(rounding, CONTEXT))


def scaled_exact(value: Decimal, scale: int) -> int | None:
    """``value * 10**scale`` as an integer when it is one (None: more decimals than ``scale``)."""
    shifted = value.scaleb(scale, CONTEXT)
    whole = int(shifted)
    return whole if whole == shifted else None


#: MAX_DECIMAL as an integer of 10**-k: a scaled value above it is above MAX_DECIMAL.
MAX_SCALED = tuple(scaled(MAX_DECIMAL, k) for k in range(2 * MAX_WIRE_DIGITS + 1))


def _places(*values: Decimal) -> int:
    return max(0, *(-int(v.as_tuple().exponent) for v in values))


#: RangeGrid.failure's answers.
PASSES, BELOW, ABOVE, OFF_GRID, NOT_AT_SCALE = 0, 1, 2, 3, -1


class RangeGrid:
    """A min/max/step filter (PRICE_FILTER, LOT_SIZE) as integers of ``10**-scale``, exactly
    as Binance reads it: a zero part is disabled (``low`` 0, ``high`` None, ``step`` 1)."""

    __slots__ = ("high", "low", "scale", "source", "step")

    def __init__(self, source: object, low: Decimal, high: Decimal, step: Decimal, scale: int):
        self.source = source  # the filter compiled (a repeated type's other copies are not)
        self.scale = scale
        self.low = scaled(low, scale, ROUND_CEILING)
        self.high = scaled(high, scale) if high else None
        self.step = scaled(step, scale) or 1  # every value is a multiple of 10**-scale

    def failure(self, value: Decimal) -> int:
        """Which part of the filter ``value`` breaks, on the integers: PASSES, BELOW, ABOVE or
        OFF_GRID, checked in that order (as Binance's text names them); NOT_AT_SCALE when
        ``value`` has more decimals than the scale (the Decimal rule then decides)."""
        shifted = value.scaleb(self.scale, CONTEXT)
        v = int(shifted)
        if v != shifted:
            return NOT_AT_SCALE
        if v < self.low:
            return BELOW
        if self.high is not None and v > self.high:
            return ABOVE
        return OFF_GRID if v % self.step else PASSES

    def passes(self, value: Decimal) -> bool:
        """Whether ``value`` is within the bounds and on the grid (False also when it has more
        decimals than the scale)."""
        return self.failure(value) == PASSES


def market_price_keys(avg_price_mins: int) -> tuple[str, str]:
    """The context keys a filter with ``avg_price_mins`` reads its market price from, the one
    it prefers first: the reference price when the symbol has one (CHANGELOG 2026-05-06), else
    the average price over ``avgPriceMins``, or the last price when ``avgPriceMins`` is 0
    (spec: Filters). The rules (``_rules.common.market_price``) and the compiled form read it
    here."""
    return ("referencePrice", "lastPrice" if avg_price_mins == 0 else "avgPrice")


#: Where :data:`Bases` holds each context price.
BASE_INDEX = {"referencePrice": 0, "avgPrice": 1, "lastPrice": 2}


class Band:
    """One percent-price filter: its rule, (down, up) multipliers per side, avgPriceMins, the
    places in :data:`Bases` of the prices it is measured from (:func:`market_price_keys`),
    and its price bounds per base price text (a bot sends the same average price for many
    orders)."""

    __slots__ = ("bounds", "buy", "keys", "mins", "rule", "sell")

    def __init__(
        self, rule: str, buy: tuple[Decimal, Decimal], sell: tuple[Decimal, Decimal], mins: int
    ) -> None:
        self.rule, self.buy, self.sell, self.mins = rule, buy, sell, mins
        first, second = market_price_keys(mins)
        self.keys = (BASE_INDEX[first], BASE_INDEX[second])
        self.bounds: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {}

    def base(self, bases: Sequence[object]) -> str | None:
        """The text of the market price this band is measured from, of ``bases`` (the texts
        of referencePrice, avgPrice and lastPrice, None where not given); None: none given."""
        first, second = self.keys
        text = bases[first]
        if text is None:
            text = bases[second]
        return text if isinstance(text, str) else None

    def learn(self, text: str, scale: int) -> tuple[tuple[int, int], tuple[int, int]]:
        """The (low, high) bounds for BUY and for SELL around the base price ``text`` (a legal
        wire decimal), as integers of 10**-scale: a price passes when low <= P <= high."""
        base = Decimal(text)
        mul = CONTEXT.multiply
        (bd, bu), (sd, su) = self.buy, self.sell
        found = (
            (scaled(mul(base, bd), scale, ROUND_CEILING), scaled(mul(base, bu), scale)),
            (scaled(mul(base, sd), scale, ROUND_CEILING), scaled(mul(base, su), scale)),
        )
        if len(self.bounds) >= 64:
            self.bounds.clear()
        self.bounds[text] = found
        return found


#: The texts of a context's referencePrice, avgPrice and lastPrice (None: not given).
Bases = tuple[str | None, str | None, str | None]
#: A symbol's LIMIT-order arithmetic for the short cut: (price_scale, quantity_scale, min_p,
#: max_p, tick, min_q, max_q, step, low, high), the request layer's own bounds folded in
#: (above 0, at most MAX_DECIMAL) and the notional bounds the tightest of every notional
#: filter's.
Grid = tuple[int, int, int, int, int, int, int, int, int, int]


class CompiledSymbol:
    """One symbol's filters as integers (see the module docstring), compiled once."""

    __slots__ = (
        "bands",
        "columns",
        "grid",
        "learned",
        "lot",
        "notional_bounds",
        "notionals",
        "plain",
        "price",
        "price_places",
        "quantity_places",
        "symbol",
        "zero_product",
    )

    def __init__(self, s: SymbolInfo) -> None:
        self.symbol = s  # what a failing order's violations are worked out on
        # A wire value with more decimals than its asset's precision is -1111, the engine's.
        self.quantity_places = min(s.base_asset_precision, MAX_WIRE_DIGITS)
        self.price_places = min(s.quote_asset_precision, MAX_WIRE_DIGITS)
        price, lot = s.filter("PRICE_FILTER"), s.filter("LOT_SIZE")
        p = (
            (price.min_price, price.max_price, price.tick_size)
            if isinstance(price, PriceFilter)
            else (_ZERO, _ZERO, _ZERO)
        )
        q = (lot.min_qty, lot.max_qty, lot.step_size) if isinstance(lot, LotSize) else (_ZERO,) * 3
        sp = max(self.price_places, _places(*p))
        sq = max(self.quantity_places, _places(*q))
        #: PRICE_FILTER and LOT_SIZE as Binance reads them, for the filter rules.
        self.price = RangeGrid(price, *p, sp)
        self.lot = RangeGrid(lot, *q, sq)
        bands: list[Band] = []
        notionals: list[tuple[str, object, Decimal, Decimal]] = []
        for f in s.filters:
            if isinstance(f, MinNotional):
                notionals.append(("MIN_NOTIONAL", f, f.min_notional, _ZERO))
            elif isinstance(f, Notional):
                notionals.append(("NOTIONAL", f, f.min_notional, f.max_notional))
            elif isinstance(f, PercentPrice):
                both = (f.multiplier_down, f.multiplier_up)
                bands.append(Band("PERCENT_PRICE", both, both, f.avg_price_mins))
            elif isinstance(f, PercentPriceBySide):
                bands.append(
                    Band(
                        "PERCENT_PRICE_BY_SIDE",
                        (f.bid_multiplier_down, f.bid_multiplier_up),
                        (f.ask_multiplier_down, f.ask_multiplier_up),
                        f.avg_price_mins,
                    )
                )
        # In evaluation order, so the first failure found is the one Binance reports.
        self.bands = tuple(sorted(bands, key=lambda b: RANK[b.rule]))
        notionals.sort(key=lambda n: RANK[n[0]])
        #: Each notional filter's (rule, filter, low, high) as integers of 10**-(sp + sq),
        #: rounded inward; a disabled bound is 0 or UNBOUNDED.
        self.notional_bounds: tuple[tuple[str, Any, int, int], ...] = tuple(
            (
                rule,
                f,
                scaled(low, sp + sq, ROUND_CEILING),
                scaled(high, sp + sq) if high else UNBOUNDED,
            )
            for rule, f, low, high in notionals
        )
        self.notionals = tuple((rule, low, high) for rule, _, low, high in self.notional_bounds)
        top_p, top_q = MAX_SCALED[sp], MAX_SCALED[sq]
        self.grid: Grid = (
            sp,
            sq,
            max(self.price.low, 1),
            min(self.price.high, top_p) if self.price.high is not None else top_p,
            self.price.step,
            max(self.lot.low, 1),
            min(self.lot.high, top_q) if self.lot.high is not None else top_q,
            self.lot.step,
            # Passing every notional filter is passing the tightest of their bounds.
            max((n[1] for n in self.notionals), default=0),
            min((n[2] for n in self.notionals), default=UNBOUNDED),
        )
        # A product below 10**-8 is zero at Binance's fixed point: "Price * QTY is zero or
        # less.", which the full rule run answers (as it answers a zero price or quantity).
        self.zero_product = 10 ** max(sp + sq - FIXED_POINT_DECIMALS, 0)
        allowed = s.allowed_self_trade_prevention_modes
        #: Whether the engine's short cut may judge this symbol's LIMIT orders.
        self.plain = (
            s.status == "TRADING"
            and "LIMIT" in s.order_types
            and s.is_spot_trading_allowed
            and is_symbol(s.symbol)
            and (allowed is None or s.default_self_trade_prevention_mode in allowed)
            # A repeated filter type (which Binance does not send) is run once per copy by
            # the rules; the grid holds one of each.
            and len(s.filter_map) == len(s.filters)
        )
        #: The short cut's passing verdicts, learned from the full rule run, by slot
        #: (engine.Where). Engine state, not part of the compiled arithmetic.
        self.learned: list[Verdict | None] = [None] * 64
        #: check_table's integers per (slot, context prices), engine state too
        #: (filterlib._table._group_row).
        self.columns: dict[tuple[object, ...], tuple[int, ...]] = {}

    def notional_passes(self, f: object, price: Decimal, quantity: Decimal) -> bool:
        """Whether ``price * quantity`` passes the notional filter ``f`` of this symbol (a
        LIMIT-priced order's notional); False when the values are not at the symbol's scales
        or ``f`` is not the filter compiled: the Decimal rule then decides."""
        for _, compiled, low, high in self.notional_bounds:
            if compiled is f:
                # scaled_exact, inlined (the rule asks this of every priced order)
                p, q = price.scaleb(self.grid[0], CONTEXT), quantity.scaleb(self.grid[1], CONTEXT)
                pi, qi = int(p), int(q)
                return pi == p and qi == q and low <= pi * qi <= high
        return False


def compile_symbol(s: SymbolInfo) -> CompiledSymbol:
    """The compiled form of ``s`` (use :meth:`SymbolInfo.compiled`, which keeps it)."""
    return CompiledSymbol(s)


def grid_failure(
    c: CompiledSymbol,
    sells: bool,
    pi: int,
    qi: int,
    bases: Bases,
    every: list[str] | None = None,
) -> str | None:
    """The first filter a LIMIT order (price ``pi``, quantity ``qi``, scaled) fails, in
    evaluation order, or None; "" for a price or quantity of zero or above MAX_DECIMAL (the
    request layer's). ``bases`` are the texts of referencePrice, avgPrice and lastPrice (None:
    not given).

    Given ``every``, it goes on past the first failure and appends each failing filter to it:
    the violations need them all, the verdict only the first.
    """
    sp, sq, min_p, max_p, tick, min_q, max_q, step, _, _ = c.grid
    if not pi or not qi or pi > MAX_SCALED[sp] or qi > MAX_SCALED[sq]:
        return ""
    # Past that check the grid's folded-in request bounds (above 0, at most MAX_DECIMAL) are
    # met, so a failure below is the filter's own.
    if pi < min_p or pi > max_p or pi % tick:
        if every is None:
            return "PRICE_FILTER"
        every.append("PRICE_FILTER")
    for band in c.bands:
        # Band.base, inlined (every rejected plain order passes here).
        first, second = band.keys
        text = bases[first]
        if text is None:
            text = bases[second]
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
