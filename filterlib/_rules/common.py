"""Arithmetic and construction the rule functions share."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from functools import lru_cache

from .._compiled import (
    ABOVE,
    BELOW,
    NOT_AT_SCALE,
    OFF_GRID,
    PASSES,
    RangeGrid,
)
from .._compiled import market_price_keys as market_price_keys
from .._context import Context
from .._decimals import CONTEXT, ceil_to_step, floor_to_step, format_decimal, is_multiple
from .._verdict import Unchecked, Violation
from ..catalogue import rule

Finding = Violation | Unchecked
Findings = Iterator[Finding]


def fail(
    rule_id: str,
    parameter: str | None,
    value: Decimal | int | str | None,
    *,
    args: tuple[str, ...] = (),
    template: str | None = None,
    **extra: object,
) -> Violation:
    """A violation of ``rule_id`` with the catalogue's code and text (``args`` fill its %s;
    ``template`` is another catalogue text the rule answers with). The one way a rule builds a
    Violation."""
    r = rule(rule_id)
    shown = format_decimal(value) if isinstance(value, Decimal) else value
    text = r.message if template is None else template
    msg = text % args if args else text
    return Violation(
        r.code,
        msg,
        rule_id,
        parameter,
        value=None if shown is None else str(shown),
        **extra,  # type: ignore[arg-type]
    )


def unchecked(rule_id: str, *needs: str, reason: str = "") -> Unchecked:
    return Unchecked(rule_id, needs, reason or f"needs {' and '.join(needs)} in the context")


#: Each context key a market price is read from -> its value in a Context.
_MARKET_PRICES: Mapping[str, Callable[[Context], Decimal | None]] = {
    "referencePrice": lambda ctx: ctx.reference_price,
    "avgPrice": lambda ctx: ctx.avg_price,
    "lastPrice": lambda ctx: ctx.last_price,
}


def market_price(ctx: Context, avg_price_mins: int) -> tuple[Decimal | None, str]:
    """The price a price-band or market-notional filter compares with, and the context key it
    comes from: the first of :func:`market_price_keys` the context gives (None and the last
    key, the one to ask for, when it gives none)."""
    keys = market_price_keys(avg_price_mins)
    for key in keys:
        price = _MARKET_PRICES[key](ctx)
        if price is not None:
            return price, key
    return None, keys[-1]


def grid_nearest(value: Decimal, low: Decimal, high: Decimal, step: Decimal) -> tuple[str, ...]:
    """The valid values nearest ``value``: on the grid of ``step``, within [low, high], above 0.

    A zero ``low``, ``high`` or ``step`` disables that part, as Binance's filters do.
    """
    # Without a step the bounds are low and high as written, so the cache (keyed by their
    # values, and by the step's text) could hand out another filter's 0.01 for this one's 0.0100.
    lo, hi = _grid_bounds(low, high, step, str(step)) if step else (low, high or None)
    below = floor_to_step(value, step)
    # One step above the floor, unless the value is on the grid (one division, not two).
    above = below if not step or below == value else CONTEXT.add(below, step)
    # Clamping keeps below <= above (it is monotone, even for inverted bounds, where it is
    # constant), so the candidates come out in order and an equal pair is adjacent: no set to
    # hash the Decimals into and no sort (they cost half of a PRICE_FILTER violation).
    found: list[Decimal] = []
    for candidate in (below, above):
        if lo and candidate < lo:
            candidate = lo
        if hi is not None and candidate > hi:
            candidate = hi
        if candidate > 0 and not (found and found[-1] == candidate):
            found.append(candidate)
    return tuple(map(format_decimal, found))


@lru_cache(maxsize=4096)
def _grid_bounds(
    low: Decimal, high: Decimal, step: Decimal, step_text: str
) -> tuple[Decimal, Decimal | None]:
    """The lowest and highest valid values of a filter's grid (None: no highest), written with
    the step's decimals. The same few filters are asked again and again, so this is done once
    per filter; ``step_text`` keeps 0.01 and 0.0100 (equal Decimals) apart in the cache. For a
    non-zero step only: with a zero one the bounds keep their own decimals."""
    return (
        ceil_to_step(low, step) if low else step,
        floor_to_step(high, step) if high else None,
    )


def range_grid_failure(value: Decimal, low: Decimal, high: Decimal, step: Decimal) -> str | None:
    """Why ``value`` breaks a min/max/step rule (zero disables each part), or None."""
    if low and value < low:
        return _why(BELOW, low, high, step)
    if high and value > high:
        return _why(ABOVE, low, high, step)
    if not is_multiple(value, step):
        return _why(OFF_GRID, low, high, step)
    return None


def range_failure(
    grid: RangeGrid | None, value: Decimal, low: Decimal, high: Decimal, step: Decimal
) -> str | None:
    """:func:`range_grid_failure`, decided on ``grid`` (the filter's compiled form) when
    given and ``value`` is at its scale; the Decimal bounds only write the reason."""
    code = NOT_AT_SCALE if grid is None else grid.failure(value)
    if code == NOT_AT_SCALE:
        return range_grid_failure(value, low, high, step)
    return None if code == PASSES else _why(code, low, high, step)


def _why(code: int, low: Decimal, high: Decimal, step: Decimal) -> str:
    if code == BELOW:
        return f"below the minimum {format_decimal(low)}"
    if code == ABOVE:
        return f"above the maximum {format_decimal(high)}"
    return f"not a multiple of {format_decimal(step)}"
