"""``filterlib diff`` reads each filter field's tightening from filters.py.

Every field of every modelled filter is changed in turn, up and down, and the change must be
marked as the field's declared tightening says; the expectations are written out here, not
computed by the code under test.
"""

from __future__ import annotations

import copy
import gzip
import io
import json
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from conftest import build_info
from test_filters_model import EXAMPLES

from filterlib.cli import main
from filterlib.diff import VOLATILE, Change, diff
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


# --- issue 18: volatile fields, groups, --only-tightening, permissions -----------------------

SNAPSHOTS = Path(__file__).resolve().parent.parent / "fixtures" / "snapshots"
APRIL = SNAPSHOTS / "spot_full_2023-04-14_mixed_min_notional_notional_sm2a.json.gz"


def _shipped_raw() -> dict[str, Any]:
    data_dir = resources.files("filterlib").joinpath("data")
    [name] = [p.name for p in data_dir.iterdir() if p.name.endswith(".json.gz")]
    doc: dict[str, Any] = json.loads(gzip.decompress(data_dir.joinpath(name).read_bytes()))
    return doc


def _symbol(doc: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in doc["symbols"] if s["symbol"] == name)
    return found


def _filter(symbol: dict[str, Any], ftype: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in symbol["filters"] if f["filterType"] == ftype)
    return found


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(args), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def _pair(tmp_path: Path, edit: Any) -> tuple[str, str]:
    """The shipped snapshot, and a copy that ``edit(doc)`` changed."""
    old = _shipped_raw()
    new = copy.deepcopy(old)
    edit(new)
    paths = []
    for name, doc in (("old.json", old), ("new.json", new)):
        (tmp_path / name).write_text(json.dumps(doc))
        paths.append(str(tmp_path / name))
    return paths[0], paths[1]


def test_every_volatile_field_is_a_field_of_its_filter() -> None:
    for ftype, wire in VOLATILE:
        assert wire in {key for key, _, _ in FILTER_TYPES[ftype].wire_fields}, (ftype, wire)


def test_a_lower_market_max_qty_is_left_out_unless_asked_for(tmp_path: Path) -> None:
    def lower(doc: dict[str, Any]) -> None:
        _filter(_symbol(doc, "BTCUSDT"), "MARKET_LOT_SIZE")["maxQty"] = "1.00000000"

    old, new = _pair(tmp_path, lower)
    status, out, _ = _cli("diff", old, new)
    assert status == 0  # a recomputed maxQty alone does not fail a scheduled diff
    assert out == (
        "0 changes; 0 can turn an accepted order into a rejected one\n"
        "1 change of volatile fields left out (MARKET_LOT_SIZE maxQty 1), which Binance "
        "recomputes from the market without a rule change; --include-volatile lists them\n"
    )
    was = _filter(_symbol(_shipped_raw(), "BTCUSDT"), "MARKET_LOT_SIZE")["maxQty"]
    status, out, _ = _cli("diff", old, new, "--include-volatile")
    assert status == 1
    assert f"! BTCUSDT: MARKET_LOT_SIZE maxQty: {was} -> 1.00000000\n" in out
    assert "volatile" not in out
    status, out, _ = _cli("diff", old, new, "--format", "json")
    body = json.loads(out)
    assert (body["changes"], body["volatileLeftOut"], status) == ([], 1, 0)
    status, out, _ = _cli("diff", old, new, "--format", "json", "--include-volatile")
    [change] = json.loads(out)["changes"]
    assert change == {
        "symbol": "BTCUSDT",
        "what": "MARKET_LOT_SIZE maxQty",
        "old": was,
        "new": "1.00000000",
        "tightens": True,
        "group": "MARKET_LOT_SIZE",
        "volatile": True,
    }


def test_real_snapshots_four_months_apart_leave_out_every_recomputed_max_qty() -> None:
    # Counted from the raw JSON: symbols in both whose MARKET_LOT_SIZE maxQty differs.
    def volatile(doc: dict[str, Any]) -> dict[str, Decimal]:
        return {
            s["symbol"]: Decimal(f["maxQty"])
            for s in doc["symbols"]
            for f in s["filters"]
            if f["filterType"] == "MARKET_LOT_SIZE"
        }

    april = volatile(json.loads(gzip.decompress(APRIL.read_bytes())))
    august = volatile(_shipped_raw())
    moved = sum(1 for k in april.keys() & august.keys() if april[k] != august[k])
    assert moved > 1000  # the 1,112 of 5,972 lines were of this kind
    _, out, _ = _cli("diff", str(APRIL), "--format", "json", _shipped_path())
    body = json.loads(out)
    assert body["volatileLeftOut"] == moved
    assert not any(c["what"] == "MARKET_LOT_SIZE maxQty" for c in body["changes"])
    # MAX_POSITION's maxPosition moved too, on the leveraged tokens, and stays in (docs/cli.md).
    assert any(c["what"] == "MAX_POSITION maxPosition" for c in body["changes"])
    assert body["count"] == len(body["changes"])
    _, out, _ = _cli("diff", str(APRIL), _shipped_path(), "--include-volatile", "--format", "json")
    everything = json.loads(out)
    assert everything["count"] == body["count"] + moved


def _shipped_path() -> str:
    data_dir = resources.files("filterlib").joinpath("data")
    [name] = [p.name for p in data_dir.iterdir() if p.name.endswith(".json.gz")]
    return str(data_dir.joinpath(name))


def _edits(doc: dict[str, Any]) -> None:
    eth, btc = _symbol(doc, "ETHUSDT"), _symbol(doc, "BTCUSDT")
    _filter(btc, "PRICE_FILTER")["tickSize"] = "0.10000000"  # tightens
    _filter(eth, "PRICE_FILTER")["maxPrice"] = "2000000.00000000"  # loosens
    _filter(eth, "LOT_SIZE")["minQty"] = "0.00100000"  # tightens
    _filter(btc, "LOT_SIZE")["maxQty"] = "100000.00000000"  # loosens
    eth["ocoAllowed"] = False  # tightens


def test_changes_are_grouped_by_filter_and_by_symbol_within(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, _edits)
    status, out, _ = _cli("diff", old, new)
    assert status == 1
    assert out == (
        "ocoAllowed: 1 change, 1 tightening\n"
        "! ETHUSDT: ocoAllowed: true -> false\n"
        "\n"
        "LOT_SIZE: 2 changes, 1 tightening\n"
        "  BTCUSDT: LOT_SIZE maxQty: 9000.00000000 -> 100000.00000000\n"
        "! ETHUSDT: LOT_SIZE minQty: 0.00010000 -> 0.00100000\n"
        "\n"
        "PRICE_FILTER: 2 changes, 1 tightening\n"
        "! BTCUSDT: PRICE_FILTER tickSize: 0.01000000 -> 0.10000000\n"
        "  ETHUSDT: PRICE_FILTER maxPrice: 1000000.00000000 -> 2000000.00000000\n"
        "\n"
        "5 changes; 3 can turn an accepted order into a rejected one (marked !)\n"
    )
    _, out, _ = _cli("diff", old, new, "--format", "json")
    body = json.loads(out)
    assert [(c["group"], c["symbol"]) for c in body["changes"]] == [
        ("ocoAllowed", "ETHUSDT"),
        ("LOT_SIZE", "BTCUSDT"),
        ("LOT_SIZE", "ETHUSDT"),
        ("PRICE_FILTER", "BTCUSDT"),
        ("PRICE_FILTER", "ETHUSDT"),
    ]
    assert body["byGroup"] == {
        "ocoAllowed": {"count": 1, "tightening": 1},
        "LOT_SIZE": {"count": 2, "tightening": 1},
        "PRICE_FILTER": {"count": 2, "tightening": 1},
    }


def test_only_tightening_lists_only_what_can_reject(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, _edits)
    status, out, _ = _cli("diff", old, new, "--only-tightening")
    assert status == 1
    assert out == (
        "ocoAllowed: 1 change\n"
        "! ETHUSDT: ocoAllowed: true -> false\n"
        "\n"
        "LOT_SIZE: 1 change\n"
        "! ETHUSDT: LOT_SIZE minQty: 0.00010000 -> 0.00100000\n"
        "\n"
        "PRICE_FILTER: 1 change\n"
        "! BTCUSDT: PRICE_FILTER tickSize: 0.01000000 -> 0.10000000\n"
        "\n"
        "3 changes can turn an accepted order into a rejected one; 2 other changes not shown "
        "(--only-tightening)\n"
    )
    _, out, _ = _cli("diff", old, new, "--only-tightening", "--format", "json")
    body = json.loads(out)
    assert all(c["tightens"] for c in body["changes"])
    assert (body["count"], body["tightening"], body["notTighteningLeftOut"]) == (3, 3, 2)
    # Loosening alone: nothing listed, exit 0.
    back_status, back, _ = _cli("diff", new, old, "--only-tightening")
    assert back_status == 1  # new -> old undoes two loosenings: they tighten
    assert "tickSize" not in back  # undoing a coarser tick loosens


def _permissions(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    return [c for c in diff(build_info(**old), build_info(**new)) if c.group == "permissions"]


@pytest.mark.parametrize(
    ("old", "new", "what", "shown", "tightens"),
    [
        # 2024: the same names moved from permissions to one permission set: one change.
        (
            {"permissions": ["SPOT", "MARGIN"], "permissionSets": []},
            {"permissions": [], "permissionSets": [["SPOT", "MARGIN"]]},
            "permissions -> permissionSets",
            ("(MARGIN or SPOT)", "(MARGIN or SPOT)"),
            False,
        ),
        # [["A", "B"]] is A or B; [["A"], ["B"]] is A and B (spec: Exchange information).
        (
            {"permissionSets": [["SPOT"]]},
            {"permissionSets": [["SPOT"], ["MARGIN"]]},
            "permissionSets",
            ("(SPOT)", "(SPOT) and (MARGIN)"),
            True,
        ),
        (
            {"permissionSets": [["SPOT"]]},
            {"permissionSets": [["SPOT", "MARGIN"]]},
            "permissionSets",
            ("(SPOT)", "(MARGIN or SPOT)"),
            False,
        ),
        (
            {"permissionSets": [["SPOT", "MARGIN"]]},
            {"permissionSets": [["SPOT"]]},
            "permissionSets",
            ("(MARGIN or SPOT)", "(SPOT)"),
            True,
        ),
        (
            {"permissions": ["SPOT", "MARGIN", "TRD_GRP_004"], "permissionSets": []},
            {"permissions": [], "permissionSets": [["SPOT", "TRD_GRP_004"]]},
            "permissions -> permissionSets",
            ("(MARGIN or SPOT or TRD_GRP_004)", "(SPOT or TRD_GRP_004)"),
            True,
        ),
        (
            {"permissionSets": []},
            {"permissionSets": [["SPOT"]]},
            "permissionSets",
            ("none", "(SPOT)"),
            True,
        ),
    ],
)
def test_permissions_are_one_change_judged_as_the_engine_reads_them(
    old: dict[str, Any], new: dict[str, Any], what: str, shown: tuple[str, str], tightens: bool
) -> None:
    [change] = _permissions(old, new)
    assert (change.what, (change.old, change.new), change.tightens) == (what, shown, tightens)


def test_permissions_in_another_order_are_no_change() -> None:
    assert (
        _permissions(
            {"permissionSets": [["SPOT", "MARGIN"]]}, {"permissionSets": [["MARGIN", "SPOT"]]}
        )
        == []
    )
    flat = {"permissions": ["SPOT", "MARGIN"], "permissionSets": []}
    assert _permissions(flat, {**flat, "permissions": ["MARGIN", "SPOT"]}) == []


def test_permissions_to_permission_sets_in_real_snapshots_is_one_line_each(tmp_path: Path) -> None:
    # 2023-08 lists permissions; in 2024 Binance sends permissions [] and permissionSets.
    def move(doc: dict[str, Any]) -> None:
        for s in doc["symbols"]:
            s["permissionSets"], s["permissions"] = [s["permissions"]], []

    old, new = _pair(tmp_path, move)
    status, out, _ = _cli("diff", old, new)
    assert status == 0
    lines = [line for line in out.splitlines() if line.startswith("  BTCUSDT:")]
    assert len(lines) == 1
    assert lines[0].startswith("  BTCUSDT: permissions -> permissionSets: (")
    assert "-> none" not in out
