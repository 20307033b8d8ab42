"""Each filter field's declared tightening: present for every field, and true to the rules.

``filterlib diff`` marks a change as tightening from the declaration beside each wire field
(filters.py), so a field without one, or with the wrong one, would mislead it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import get_args

import attrs
import pytest
from conftest import build_info, order

import filterlib
from filterlib.filters import (
    ANY,
    BOOL,
    DEC,
    FILTER_TYPES,
    GRID,
    HIGHER,
    INT,
    LOWER,
    LOWER_OR_SET,
    ON,
    STR,
    Tightening,
    tightens,
)

FIELDS = [
    (cls.filter_type, key, kind, tightening)
    for cls in FILTER_TYPES.values()
    for key, kind, tightening in cls.wire_fields
]


def test_every_wire_field_of_every_filter_declares_how_it_tightens() -> None:
    for cls in FILTER_TYPES.values():
        assert len(cls.wire_fields) == len(attrs.fields(cls)), cls.filter_type
        for entry in cls.wire_fields:
            assert len(entry) == 3, (cls.filter_type, entry)
            key, kind, tightening = entry
            assert tightening in get_args(Tightening), (cls.filter_type, key)
            if kind == BOOL:
                assert tightening == ON, (cls.filter_type, key)
            elif kind == STR:  # a name (MAX_ASSET's asset): any change moves the filter
                assert tightening == ANY, (cls.filter_type, key)
            else:
                assert kind in (DEC, INT), (cls.filter_type, key)
                assert tightening != ON, (cls.filter_type, key)


@pytest.mark.parametrize(("filter_type", "key", "kind", "tightening"), FIELDS)
def test_the_declaration_matches_the_fields_name(
    filter_type: str, key: str, kind: str, tightening: str
) -> None:
    # A minimum (or a band's lower multiplier) tightens upwards, a maximum downwards.
    name = key.lower()
    if name.startswith("min") or name.endswith("multiplierdown"):
        assert tightening == HIGHER
    elif name.startswith("max") or name.endswith("multiplierup") or key == "limit":
        assert tightening in (LOWER, LOWER_OR_SET)
    elif key in ("tickSize", "stepSize"):
        assert tightening == GRID
    elif key == "avgPriceMins" or kind == STR:
        assert tightening == ANY
    else:
        assert kind == BOOL
        assert tightening == ON


@pytest.mark.parametrize(
    ("tightening", "old", "new", "expected"),
    [
        (HIGHER, Decimal("1"), Decimal("2"), True),
        (HIGHER, Decimal("2"), Decimal("1"), False),
        (LOWER, 10, 5, True),
        (LOWER, 5, 10, False),
        (LOWER_OR_SET, Decimal("10"), Decimal("5"), True),
        (LOWER_OR_SET, Decimal("0"), Decimal("5"), True),  # no maximum becomes one
        (LOWER_OR_SET, Decimal("5"), Decimal("0"), False),  # the maximum is dropped
        (GRID, Decimal("0.01"), Decimal("0.1"), True),
        (GRID, Decimal("0.01"), Decimal("0.03"), True),  # a shifted grid
        (GRID, Decimal("0.1"), Decimal("0.01"), False),  # finer: every old point stays
        (GRID, Decimal("0"), Decimal("0.01"), True),
        (GRID, Decimal("0.01"), Decimal("0"), False),
        (ON, False, True, True),
        (ON, True, False, False),
        (ANY, 5, 1, True),
        (ANY, 1, 5, True),
    ],
)
def test_tightens(tightening: Tightening, old: Decimal, new: Decimal, expected: bool) -> None:
    assert tightens(tightening, old, new) is expected


@pytest.mark.parametrize(
    ("filters", "field", "params"),
    [
        ({"PRICE_FILTER": {"maxPrice": "0"}}, ("PRICE_FILTER", "maxPrice"), {"price": "5000"}),
        ({"LOT_SIZE": {"maxQty": "0"}}, ("LOT_SIZE", "maxQty"), {"quantity": "5000"}),
        (
            {"NOTIONAL": {**dict.fromkeys(("minNotional", "maxNotional"), "0"),
                          "applyMinToMarket": False, "applyMaxToMarket": False,
                          "avgPriceMins": 5}},
            ("NOTIONAL", "maxNotional"),
            {"quantity": "500"},
        ),
    ],
)  # fmt: skip
def test_a_zero_maximum_is_no_maximum_so_setting_one_tightens(
    filters: dict[str, dict[str, object]], field: tuple[str, str], params: dict[str, str]
) -> None:
    # The rules skip a zero maximum; a positive one then rejects an order the zero let through.
    filter_type, key = field
    [declared] = [t for k, _, t in FILTER_TYPES[filter_type].wire_fields if k == key]
    assert declared == LOWER_OR_SET
    before = build_info(filters)
    after = build_info({filter_type: {**filters[filter_type], key: "100"}})
    assert filterlib.check(before, order(**params)).ok
    assert not filterlib.check(after, order(**params)).ok
    assert tightens(declared, Decimal(0), Decimal(100))
