"""``filterlib diff`` reads each filter field's tightening from filters.py.

Every field of every modelled filter is changed in turn, up and down, and the change must be
marked as the field's declared tightening says; the expectations are written out here, not
computed by the code under test.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from conftest import build_info
from test_filters_model import EXAMPLES

from filterlib.cli_diff import Change, diff
from filterlib.filters import (
    ANY,
    BOOL,
    DEC,
    FILTER_TYPES,
    GRID,
    HIGHER,
    LOWER,
    LOWER_OR_SET,
    ON,
    STR,
)


def _info(raw: dict[str, Any]) -> Any:
    body = {k: v for k, v in raw.items() if k != "filterType"}
    if raw["filterType"].startswith("EXCHANGE_"):
        return build_info(exchange_filters=[raw])
    return build_info({raw["filterType"]: body})


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    return list(diff(_info(old), _info(new)))


CASES = [
    pytest.param(raw, key, kind, tightening, id=f"{raw['filterType']}.{key}")
    for raw, _ in EXAMPLES
    for key, kind, tightening in FILTER_TYPES[raw["filterType"]].wire_fields
]


@pytest.mark.parametrize(("raw", "key", "kind", "tightening"), CASES)
def test_each_field_change_is_marked_as_its_declaration_says(
    raw: dict[str, Any], key: str, kind: str, tightening: str
) -> None:
    old = raw[key]
    if kind == BOOL:
        [change] = _changes(raw, {**raw, key: not old})
        assert change.tightens is (tightening == ON and not old)
        return
    if kind == STR:  # MAX_ASSET's asset: the limit now concerns other orders
        [change] = _changes(raw, {**raw, key: old + "X"})
        assert change.tightens is True
        return
    value = Decimal(str(old))
    up = value * 2 if value else Decimal(1)
    # Raising a value: a minimum tightens; a maximum does not, unless it was 0 (none); a grid
    # twice as coarse drops every other old point; a window change always counts.
    expected_up = {
        HIGHER: True,
        LOWER: False,
        LOWER_OR_SET: not value,
        GRID: True,
        ANY: True,
    }[tightening]
    text_up = format(up, "f") if kind == DEC else int(up)
    [change] = _changes(raw, {**raw, key: text_up})
    assert change.what.endswith(f"{raw['filterType']} {key}")
    assert change.tightens is expected_up
    if value:
        # Lowering it: the reverse; a grid twice as fine keeps every old point.
        down = value / 2 if kind == DEC else int(value) // 2
        expected_down = {HIGHER: False, LOWER: True, LOWER_OR_SET: True, GRID: False, ANY: True}
        [change] = _changes(raw, {**raw, key: format(down, "f") if kind == DEC else down})
        assert change.tightens is expected_down[tightening]


def test_a_maximum_quantity_set_where_there_was_none_tightens() -> None:
    # LOT_SIZE's maxQty 0 means no maximum (rules/common.py: a zero bound is not applied), so
    # 0 -> 1000 can reject an order that passed; diff used to call it a loosening.
    lot = {"filterType": "LOT_SIZE", "minQty": "0.001", "stepSize": "0.001"}
    [change] = _changes({**lot, "maxQty": "0"}, {**lot, "maxQty": "1000"})
    assert (change.what, change.old, change.new) == ("LOT_SIZE maxQty", "0", "1000")
    assert change.tightens is True
    [back] = _changes({**lot, "maxQty": "1000"}, {**lot, "maxQty": "0"})
    assert back.tightens is False
