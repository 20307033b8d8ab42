"""Decimal arithmetic the way Binance does it, immune to the caller's ``decimal`` settings.

Binance sends and accepts decimals as plain strings (``"0.00100000"``), never in exponent form.
Everything here parses those strings once into :class:`~decimal.Decimal` and formats them back
without an exponent. All arithmetic runs in :data:`CONTEXT`, a private context, because a caller's
global ``getcontext().prec = 8`` once broke other libraries' rounding in real bots.
"""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation

from ._wire import DECIMAL_PATTERN, LONG_PATTERN
from ._wire import parse_decimal as parse_wire_decimal
from ._wire import parse_long as parse_wire_long

__all__ = [
    "CONTEXT",
    "DECIMAL_PATTERN",
    "LONG_PATTERN",
    "ceil_to_step",
    "decimals_written",
    "floor_to_step",
    "format_decimal",
    "is_multiple",
    "parse_wire_decimal",
    "parse_wire_long",
]

# DECIMAL_PATTERN, LONG_PATTERN and the two parsers are the wire grammar's (filterlib._wire),
# named here as they always were.

#: 20 integer and 20 fraction digits fit in 40 significant digits; 80 leaves room for products
#: and quotients of two such values with no rounding. Traps make any inexact result loud.
CONTEXT = Context(prec=80, Emax=999, Emin=-999, traps=[InvalidOperation])


def decimals_written(text: str) -> int:
    """Digits after the point as written: Binance counts trailing zeros (``"0.10"`` has 2)."""
    point = text.find(".")
    return 0 if point < 0 else len(text) - point - 1


def format_decimal(value: Decimal) -> str:
    """A Decimal as Binance writes it: positional notation, never an exponent."""
    return format(value, "f")


def is_multiple(value: Decimal, step: Decimal) -> bool:
    """True when ``value`` lies on the grid of ``step``; a zero step disables the grid."""
    if not step:
        return True
    return not CONTEXT.remainder(value, step)


def floor_to_step(value: Decimal, step: Decimal) -> Decimal:
    """The largest multiple of ``step`` not above ``value`` (``value`` itself for a zero step).

    Written with the step's own number of decimals ("0.0010" step gives "0.1230"): the whole
    number of steps has exponent 0, so its product with ``step`` has the step's exponent.
    """
    if not step:
        return value
    units, rest = _DIVMOD(value, step)
    if rest < 0:  # divmod truncates towards zero; the floor of a negative value is one lower
        units = _SUBTRACT(units, 1)
    return _MULTIPLY(units, step)


def ceil_to_step(value: Decimal, step: Decimal) -> Decimal:
    """The smallest multiple of ``step`` not below ``value`` (``value`` itself for a zero step),
    written with the step's decimals."""
    if not step:
        return value
    units, rest = _DIVMOD(value, step)
    if rest > 0:
        units = _ADD(units, 1)
    return _MULTIPLY(units, step)


# Integer division and a product, not a division to 80 digits and a quantize: a quarter of the
# cost, and the nearest valid values of every rejected order go through here.
# (Steps are positive: wire decimals have no sign. Every operation runs in CONTEXT, never in
# the caller's context, where 40-digit values could round.)
_DIVMOD = CONTEXT.divmod
_MULTIPLY = CONTEXT.multiply
_ADD = CONTEXT.add
_SUBTRACT = CONTEXT.subtract
