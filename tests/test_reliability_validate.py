"""Snapshot sanity: ``validate_snapshot`` and ``filterlib snapshot validate FILE`` find every
kind of inconsistency, and accept every real snapshot Binance served without refusing it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import symbol_dict

import filterlib
from filterlib.cli import main
from filterlib.snapshot import DEFAULT_SNAPSHOT_NAME
from filterlib.validate import KINDS, validate_snapshot

ROOT = Path(__file__).resolve().parent.parent
REAL = sorted(
    p
    for p in (ROOT / "fixtures/snapshots").glob("*.json*")
    if not p.name.startswith(("synthetic", "error_"))
)


def _kinds(doc: dict[str, Any]) -> set[str]:
    return {i.kind for i in validate_snapshot(filterlib.load_exchange_info(doc))}


def _doc(*symbols: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"timezone": "UTC", "serverTime": 1, "symbols": list(symbols), **top}


CASES: list[tuple[str, dict[str, Any]]] = [
    ("min_above_max", _doc(symbol_dict({"PRICE_FILTER": {"minPrice": "2", "maxPrice": "1"}}))),
    ("min_above_max", _doc(symbol_dict({"LOT_SIZE": {"minQty": "2", "maxQty": "1"}}))),
    (
        "min_above_max",
        _doc(
            symbol_dict(
                {
                    "NOTIONAL": {
                        "minNotional": "10",
                        "applyMinToMarket": True,
                        "maxNotional": "5",
                        "applyMaxToMarket": False,
                        "avgPriceMins": 5,
                    }
                }
            )
        ),
    ),
    ("min_off_grid", _doc(symbol_dict({"PRICE_FILTER": {"minPrice": "0.015"}}))),
    ("min_off_grid", _doc(symbol_dict({"LOT_SIZE": {"minQty": "0.0015"}}))),
    ("grid_finer_than_precision", _doc(symbol_dict(quoteAssetPrecision=1))),
    ("grid_finer_than_precision", _doc(symbol_dict(baseAssetPrecision=2))),
    (
        "no_valid_notional",
        _doc(
            symbol_dict(
                {
                    "MIN_NOTIONAL": {
                        "minNotional": "100000001",
                        "applyToMarket": True,
                        "avgPriceMins": 5,
                    }
                }
            )
        ),
    ),
    (
        "no_valid_notional",
        _doc(
            symbol_dict(
                {
                    "PRICE_FILTER": {"minPrice": "10.00"},
                    "NOTIONAL": {
                        "minNotional": "0",
                        "applyMinToMarket": True,
                        "maxNotional": "0.001",
                        "applyMaxToMarket": False,
                        "avgPriceMins": 5,
                    },
                }
            )
        ),
    ),
    (
        "empty_percent_band",
        _doc(
            symbol_dict(
                {
                    "PERCENT_PRICE": {
                        "multiplierUp": "0.9",
                        "multiplierDown": "1.1",
                        "avgPriceMins": 5,
                    }
                }
            )
        ),
    ),
    (
        "empty_percent_band",
        _doc(
            symbol_dict(
                {
                    "PERCENT_PRICE_BY_SIDE": {
                        "bidMultiplierUp": "5",
                        "bidMultiplierDown": "0.2",
                        "askMultiplierUp": "1",
                        "askMultiplierDown": "2",
                        "avgPriceMins": 5,
                    }
                }
            )
        ),
    ),
    ("unknown_filter_type", _doc(symbol_dict({"NEW_FILTER": {"x": 1}}))),
    ("unknown_filter_type", _doc(symbol_dict(), exchangeFilters=[{"filterType": "NEW_X"}])),
    ("no_order_types", _doc(symbol_dict(orderTypes=[]))),
    ("no_room", _doc(symbol_dict({"MAX_NUM_ORDER_LISTS": {"maxNumOrderLists": 0}}))),
    (
        "no_room",
        _doc(symbol_dict({"MAX_NUM_ORDER_AMENDS": {"maxNumOrderAmends": 0}}, amendAllowed=True)),
    ),
    (
        "no_room",
        _doc(
            symbol_dict(),
            exchangeFilters=[{"filterType": "EXCHANGE_MAX_NUM_ORDER_LISTS", "maxNumOrderLists": 0}],
        ),
    ),
    (
        "unknown_sor_symbol",
        _doc(symbol_dict(), sors=[{"baseAsset": "TST", "symbols": ["TSTUSDT", "GONE"]}]),
    ),
]


@pytest.mark.parametrize(("kind", "doc"), CASES)
def test_each_inconsistency_is_found(kind: str, doc: dict[str, Any]) -> None:
    assert kind in _kinds(doc)


def test_every_kind_has_a_case_and_a_clean_snapshot_has_none() -> None:
    assert {k for k, _ in CASES} | {"duplicate_filter"} == set(KINDS)
    assert _kinds(_doc(symbol_dict())) == set()


@pytest.mark.parametrize(
    ("filters", "fields"),
    [
        ({"MAX_NUM_ORDER_LISTS": {"maxNumOrderLists": 0}}, {"ocoAllowed": False}),
        ({"MAX_NUM_ORDER_AMENDS": {"maxNumOrderAmends": 0}}, {}),  # amendAllowed absent: false
        ({"MAX_NUM_ORDER_LISTS": {"maxNumOrderLists": 1}}, {}),
        ({"MAX_NUM_ORDER_AMENDS": {"maxNumOrderAmends": 1}}, {"amendAllowed": True}),
    ],
)
def test_a_zero_limit_is_room_for_nothing_only_where_the_symbol_allows_it(
    filters: dict[str, Any], fields: dict[str, Any]
) -> None:
    assert "no_room" not in _kinds(_doc(symbol_dict(filters, **fields)))


def test_a_duplicated_filter_is_found() -> None:
    entry = symbol_dict()
    entry["filters"].append(dict(entry["filters"][0]))
    assert "duplicate_filter" in _kinds(_doc(entry))


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_snapshots_load_and_validate(path: Path) -> None:
    """What Binance served loads; the issues found in it are recorded in docs/reliability.md."""
    info = filterlib.load_exchange_info(path)
    assert all(i.kind in KINDS for i in validate_snapshot(info))


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["snapshot", "validate", *args], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_cli_exit_status(tmp_path: Path) -> None:
    shipped = str(ROOT / "filterlib/data" / f"{DEFAULT_SNAPSHOT_NAME}.json.gz")
    assert _cli(shipped)[0] == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(CASES[0][1]))
    status, out, err = _cli(str(bad), "--format", "json")
    assert status == 1, err
    assert json.loads(out.splitlines()[0])["kind"] == "min_above_max"
    status, out, _ = _cli(str(bad))
    assert status == 1
    assert "TSTUSDT PRICE_FILTER: min_above_max" in out
    error_body = ROOT / "fixtures/snapshots/error_restricted_location_2022-12-07_sm2a.json"
    assert _cli(str(error_body))[0] == 2
    assert _cli(str(tmp_path / "missing.json"))[0] == 2
