"""Choosing values on grids in exact rational arithmetic, and writing them on the wire.

One chooser interface serves hypothesis' draws (``_Draws``) and the run of the simplest
choices (``_Simplest``) that tells up front whether a plan is feasible. ``_pick`` chooses a value
on the common grid of its constraints, inside every interval, or outside exactly one of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Context as DecimalContext
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

from attrs import frozen
from hypothesis import strategies as st

#: Binance's fixed-point range: int64 with 8 decimals (spec: -1108).
MAX_DECIMAL = Fraction(Decimal("92233720368.54775807"))


# --- choosing: one interface for hypothesis draws and for the deterministic feasibility run --


class _Chooser(Protocol):
    def integer(self, lo: int, hi: int) -> int: ...

    def choice(self, options: Sequence[str]) -> str: ...

    def boolean(self) -> bool: ...


class _Infeasible(Exception):
    """No value fits the constraints left by earlier choices."""


class _Draws:
    def __init__(self, draw: st.DrawFn) -> None:
        self._draw = draw

    def integer(self, lo: int, hi: int) -> int:
        return lo if lo == hi else self._draw(st.integers(min_value=lo, max_value=hi))

    def choice(self, options: Sequence[str]) -> str:
        return options[0] if len(options) == 1 else self._draw(st.sampled_from(options))

    def boolean(self) -> bool:
        return self._draw(st.booleans())


class _Simplest:
    """Always the simplest choice: the run hypothesis shrinks toward, used to test feasibility."""

    def integer(self, lo: int, hi: int) -> int:
        return lo

    def choice(self, options: Sequence[str]) -> str:
        return options[0]

    def boolean(self) -> bool:
        return False


# --- exact arithmetic on grids -------------------------------------------------------------


def _f(value: Decimal | int) -> Fraction:
    return Fraction(value)


def _lcm(a: Fraction, b: Fraction) -> Fraction:
    d = math.lcm(a.denominator, b.denominator)
    return Fraction(math.lcm(int(a * d), int(b * d)), d)


@frozen
class _Con:
    """A closed (or open) interval and a grid a value must meet, named by the rule it encodes."""

    rule: str
    lo: Fraction | None = None
    hi: Fraction | None = None
    step: Fraction | None = None
    lo_open: bool = False
    hi_open: bool = False


def _krange(cons: Iterable[_Con], grid: Fraction) -> tuple[int, int]:
    k_lo, k_hi = 1, math.floor(MAX_DECIMAL / grid)
    for c in cons:
        if c.lo is not None:
            q = c.lo / grid
            k_lo = max(k_lo, math.floor(q) + 1 if c.lo_open else math.ceil(q))
        if c.hi is not None:
            q = c.hi / grid
            k_hi = min(k_hi, math.ceil(q) - 1 if c.hi_open else math.floor(q))
    return k_lo, k_hi


def _pick(
    ch: _Chooser, cons: Sequence[_Con], unit: Fraction, broken: str | None = None
) -> Fraction:
    """A value meeting every constraint (or all but ``broken``, which it then breaks)."""
    others = [c for c in cons if c.rule != broken]
    grid = unit
    for c in others:
        if c.step:
            grid = _lcm(grid, c.step)
    targets = [c for c in cons if broken is not None and c.rule == broken]
    if broken is None or not targets:
        if broken is not None:
            raise _Infeasible(broken)
        k_lo, k_hi = _krange(others, grid)
        if k_lo > k_hi:
            raise _Infeasible("empty range")
        return ch.integer(k_lo, k_hi) * grid
    t = targets[0]
    modes: dict[str, tuple[int, int, int]] = {}
    if t.lo is not None:
        k_lo, k_hi = _krange([*others, _Con("", hi=t.lo, hi_open=not t.lo_open)], grid)
        if k_lo <= k_hi:
            modes["below"] = (k_lo, k_hi, 0)
    if t.hi is not None:
        k_lo, k_hi = _krange([*others, _Con("", lo=t.hi, lo_open=not t.hi_open)], grid)
        if k_lo <= k_hi:
            modes["above"] = (k_lo, k_hi, 0)
    if t.step:
        r = int(_lcm(grid, t.step) / grid)
        inside = _Con("", t.lo, t.hi, None, t.lo_open, t.hi_open)
        k_lo, k_hi = _krange([*others, inside], grid)
        if r > 1 and (k_hi > k_lo or (k_lo == k_hi and k_lo % r)):
            modes["off the grid"] = (k_lo, k_hi, r)
    if not modes:
        raise _Infeasible(broken)
    k_lo, k_hi, r = modes[ch.choice(sorted(modes))]
    k = ch.integer(k_lo, k_hi)
    if r and k % r == 0:
        k = k + 1 if k < k_hi else k - 1
    return k * grid


def _text(value: Fraction, places: int = 0) -> str:
    """The plain wire text of a finite decimal, padded with zeros to ``places`` decimals."""
    ctx = DecimalContext(prec=100)
    d = ctx.divide(Decimal(value.numerator), Decimal(value.denominator))
    text = format(ctx.normalize(d), "f")
    written = len(text) - text.index(".") - 1 if "." in text else 0
    if places > written:
        text += ("" if written else ".") + "0" * (places - written)
    return text


def _decimals(value: Fraction) -> int:
    text = _text(value)
    return len(text) - text.index(".") - 1 if "." in text else 0


def _wire_text(ch: _Chooser, value: Fraction, places: int, pad: bool) -> str:
    """``value`` as a parameter of at most ``places`` decimals; with ``pad``, trailing zeros
    drawn up to that precision, as clients write them."""
    written = _decimals(value)
    room = places - written
    if room < 0:
        raise _Infeasible("precision")
    zeros = ch.integer(0, room) if pad and room else 0
    return _text(value, written + zeros if zeros else 0)


def _feasible(cons: Sequence[_Con], unit: Fraction) -> bool:
    try:
        _pick(_Simplest(), cons, unit)
    except _Infeasible:
        return False
    return True


def _span(cons: Sequence[_Con]) -> tuple[Fraction, Fraction | None]:
    lo, hi = Fraction(0), None
    for c in cons:
        if c.lo is not None:
            lo = max(lo, c.lo)
        if c.hi is not None:
            hi = c.hi if hi is None else min(hi, c.hi)
    return lo, hi


def _nonempty(cons: Sequence[_Con]) -> bool:
    lo, hi = _span(cons)
    return hi is None or lo <= hi
