"""The wire decimal rules and grid arithmetic, immune to the caller's decimal context."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filterlib._decimals import (
    CONTEXT,
    ceil_to_step,
    decimals_written,
    floor_to_step,
    format_decimal,
    is_multiple,
    parse_wire_decimal,
    parse_wire_long,
)


@pytest.mark.parametrize(
    "text",
    ["0", "1", "0.1", "0.10000000", "1" * 20, "1" * 20 + "." + "9" * 20, "00.00", "0." + "0" * 20],
)
def test_parse_wire_decimal_accepts_plain_text(text: str) -> None:
    assert parse_wire_decimal(text) == Decimal(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        ".1",
        "1.",
        "1e5",
        "1E5",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1,5",
        "1" * 21,
        "1." + "1" * 21,
        "NaN",
        "Infinity",
        "\u0661",  # ARABIC-INDIC DIGIT ONE
        "1\u00b2",  # SUPERSCRIPT TWO
        "1\n",
        "0x1",
        "1_000",
    ],
)
def test_parse_wire_decimal_refuses(text: str) -> None:
    assert parse_wire_decimal(text) is None


def test_parse_wire_long() -> None:
    assert parse_wire_long("0") == 0
    assert parse_wire_long("9" * 20) == int("9" * 20)
    for bad in ("", "-1", "1.0", "9" * 21, "\u0661", "1e3", " 1"):
        assert parse_wire_long(bad) is None


@pytest.mark.parametrize(
    ("text", "count"), [("1", 0), ("1.", 0), ("0.10", 2), ("1.00000000", 8), ("0.0", 1)]
)
def test_decimals_written_counts_trailing_zeros(text: str, count: int) -> None:
    assert decimals_written(text) == count


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1E+3"), "1000"),
        (Decimal("1E-10"), "0.0000000001"),
        (Decimal("0.00100000"), "0.00100000"),
        (Decimal("0E-8"), "0.00000000"),
    ],
)
def test_format_decimal_never_uses_an_exponent(value: Decimal, text: str) -> None:
    assert format_decimal(value) == text


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        ("1.23", "0.01", True),
        ("1.235", "0.01", False),
        ("1.23", "0.00000000", True),  # a zero step disables the grid
        ("1.23", "0", True),
        ("0.3", "0.1", True),  # 0.1 + 0.1 + 0.1 != 0.3 in binary; exact here
        ("92233720368.54775807", "0.00000001", True),
        ("92233720368.54775807", "0.00000010", False),
        ("7", "2.5", False),
        ("7.5", "2.5", True),
    ],
)
def test_is_multiple(value: str, step: str, expected: bool) -> None:
    assert is_multiple(Decimal(value), Decimal(step)) is expected


@pytest.mark.parametrize(
    ("value", "step", "floor", "ceil"),
    [
        ("1.235", "0.01", "1.23", "1.24"),
        ("1.23", "0.01", "1.23", "1.23"),
        ("7", "2.5", "5", "7.5"),
        ("0.000000015", "0.00000001", "0.00000001", "0.00000002"),
        ("1.2345", "0", "1.2345", "1.2345"),
    ],
)
def test_floor_and_ceil_to_step(value: str, step: str, floor: str, ceil: str) -> None:
    low, high = (
        floor_to_step(Decimal(value), Decimal(step)),
        ceil_to_step(Decimal(value), Decimal(step)),
    )
    assert (low, high) == (Decimal(floor), Decimal(ceil))
    assert is_multiple(low, Decimal(step))
    assert is_multiple(high, Decimal(step))


def test_grid_values_keep_the_step_decimals() -> None:
    assert format_decimal(floor_to_step(Decimal("0.12345"), Decimal("0.0010"))) == "0.1230"
    assert format_decimal(ceil_to_step(Decimal("5"), Decimal("0.01000000"))) == "5.00000000"


_WIRE = st.from_regex(r"[0-9]{1,20}(\.[0-9]{1,20})?", fullmatch=True)


@given(_WIRE, _WIRE.filter(lambda s: Decimal(s) > 0))
def test_floor_and_ceil_are_the_neighbouring_multiples(value_text: str, step_text: str) -> None:
    value, step = Decimal(value_text), Decimal(step_text)
    low, high = floor_to_step(value, step), ceil_to_step(value, step)
    with decimal.localcontext(decimal.Context(prec=100)):
        # Multiples of the step, on either side of the value, less than one step apart.
        assert low % step == 0
        assert high % step == 0
        assert low <= value <= high
        assert high - low == (0 if value % step == 0 else step)
    # Written with the step's decimals, as the nearest valid values are shown.
    assert low.as_tuple().exponent == high.as_tuple().exponent == step.as_tuple().exponent


def test_arithmetic_ignores_the_callers_context() -> None:
    value = Decimal("12345678901234567890.12345678901234567891")
    step = Decimal("0." + "0" * 19 + "2")
    expected = (is_multiple(value, step), floor_to_step(value, step), ceil_to_step(value, step))
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_UP
        ctx.traps[decimal.Inexact] = True
        ctx.traps[decimal.Rounded] = True
        assert (
            is_multiple(value, step),
            floor_to_step(value, step),
            ceil_to_step(value, step),
        ) == (expected)
    assert expected == (
        False,
        Decimal("12345678901234567890.12345678901234567890"),
        Decimal("12345678901234567890.12345678901234567892"),
    )


def test_private_context_is_wide_enough_for_products() -> None:
    # Two 40-digit wire values multiply exactly: 80 digits, no rounding.
    big = Decimal("9" * 20 + "." + "9" * 20)
    product = CONTEXT.multiply(big, big)
    assert product == Decimal(f"{(10**40 - 1) ** 2}E-40")
