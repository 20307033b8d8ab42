"""``filterlib explain``, ``filterlib diff`` and ``filterlib snapshot info``, run as a user would.

Expected values come from the raw JSON of the shipped snapshot (gzip + json, not filterlib).
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


def _shipped_raw() -> dict[str, Any]:
    data_dir = resources.files("filterlib").joinpath("data")
    [name] = [p.name for p in data_dir.iterdir() if p.name.endswith(".json.gz")]
    doc: dict[str, Any] = json.loads(gzip.decompress(data_dir.joinpath(name).read_bytes()))
    return doc


RAW = _shipped_raw()
BTC = next(s for s in RAW["symbols"] if s["symbol"] == "BTCUSDT")
FILTERS = {f["filterType"]: f for f in BTC["filters"]}


def filterlib(*args: str) -> subprocess.CompletedProcess[str]:
    p = subprocess.run(
        [sys.executable, "-m", "filterlib", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert "Traceback" not in p.stderr, p.stderr
    return p


def plain(text: str) -> str:
    """A wire decimal without trailing zeros, as explain writes it."""
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- explain -----------------------------------------------------------------------------------


def test_explain_states_the_rules_in_plain_words() -> None:
    p = filterlib("explain", "BTCUSDT")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert out.startswith(f"BTCUSDT: BTC/USDT, status {BTC['status']}\n")
    price, lot, notional = FILTERS["PRICE_FILTER"], FILTERS["LOT_SIZE"], FILTERS["NOTIONAL"]
    assert f"a multiple of {plain(price['tickSize'])}" in out
    assert f"a multiple of {plain(lot['stepSize'])}, from {plain(lot['minQty'])}" in out
    assert f"from {plain(notional['minNotional'])} to {plain(notional['maxNotional'])}" in out
    assert f"default {BTC['defaultSelfTradePreventionMode']}" in out
    for mode in BTC["allowedSelfTradePreventionModes"]:
        assert mode in out
    assert "OCO" in out.split("allowed: ")[1].split("\n")[0]  # ocoAllowed is true
    assert f"at most {BTC['baseAssetPrecision']} decimals" in out


def test_explain_walks_every_rule_with_nearest_values() -> None:
    p = filterlib(
        "explain", "BTCUSDT", "side=BUY", "type=LIMIT", "timeInForce=GTC",
        "quantity=0.000012", "price=30000.005",
    )  # fmt: skip
    assert p.returncode == 1
    out = p.stdout
    assert "Binance would answer: -1013 Filter failure: PRICE_FILTER" in out
    assert (
        "FAIL      PRICE_FILTER: price 30000.005 is not a multiple of 0.01000000; nearest "
        "valid: 30000.00000000, 30000.01000000"
    ) in out
    assert "FAIL      LOT_SIZE: quantity 0.000012 is not a multiple of" in out
    assert "unchecked PERCENT_PRICE_BY_SIDE: needs avgPrice" in out
    assert "pass      invalid_side" in out
    assert "n/a       oco_order_type" in out  # an order-list rule, not for a single order
    assert "n/a       PERCENT_PRICE\n" in out  # BTCUSDT has PERCENT_PRICE_BY_SIDE instead
    # The walk covers the whole catalogue, each rule once (besides repeated FAILs).
    from filterlib.catalogue import RULES

    walk = out.split("\n\n")[-1].splitlines()
    assert len(walk) == len(RULES)


def test_explain_with_context_and_a_passing_order() -> None:
    p = filterlib(
        "explain", "BTCUSDT", "side=SELL", "type=LIMIT", "timeInForce=GTC",
        "quantity=0.00100", "price=30000.00", "--context", '{"avgPrice": "30000.00"}',
    )  # fmt: skip
    assert p.returncode == 0
    assert "pass      PERCENT_PRICE_BY_SIDE" in p.stdout
    assert "Binance would accept it (if the unchecked rules pass)." in p.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["BTCUSD"], "BTCUSD is not in the snapshot (did you mean BTC"),
        (["BTCUSDT", "quantity"], "'quantity' is not KEY=VALUE"),
        (["BTCUSDT", "side=BUY", "--context", "{oops"], "--context is not valid JSON"),
        (["BTCUSDT", "side=BUY", "--context", '{"avgPrice": 1.5}'], "--context: "),
    ],
)
def test_explain_bad_input(args: list[str], message: str) -> None:
    p = filterlib("explain", *args)
    assert p.returncode == 2
    assert message in p.stderr


# --- diff --------------------------------------------------------------------------------------


def _write(path: Path, doc: dict[str, Any]) -> str:
    path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    return str(path)


def _changed(edit: Any) -> dict[str, Any]:
    doc = copy.deepcopy(RAW)
    btc = next(s for s in doc["symbols"] if s["symbol"] == "BTCUSDT")
    edit(btc, doc)
    return doc


def _set_filter(ftype: str, key: str, value: str | bool) -> Any:
    def edit(btc: dict[str, Any], doc: dict[str, Any]) -> None:
        next(f for f in btc["filters"] if f["filterType"] == ftype)[key] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "what", "tightens"),
    [
        (_set_filter("PRICE_FILTER", "tickSize", "0.10000000"), "PRICE_FILTER tickSize", True),
        (_set_filter("PRICE_FILTER", "tickSize", "0.00100000"), "PRICE_FILTER tickSize", False),
        (_set_filter("PRICE_FILTER", "tickSize", "0.03000000"), "PRICE_FILTER tickSize", True),
        (_set_filter("LOT_SIZE", "minQty", "0.00010000"), "LOT_SIZE minQty", True),
        (_set_filter("LOT_SIZE", "maxQty", "100000.00000000"), "LOT_SIZE maxQty", False),
        (_set_filter("NOTIONAL", "applyMaxToMarket", True), "NOTIONAL applyMaxToMarket", True),
        (
            _set_filter("PERCENT_PRICE_BY_SIDE", "bidMultiplierUp", "4"),
            "PERCENT_PRICE_BY_SIDE bidMultiplierUp",
            True,
        ),
        (lambda s, d: s.update(status="BREAK"), "status", True),
        (lambda s, d: s.update(ocoAllowed=False), "ocoAllowed", True),
        (lambda s, d: s.update(orderTypes=["LIMIT", "MARKET"]), "order type LIMIT_MAKER", True),
        (lambda s, d: s.update(baseAssetPrecision=6), "baseAssetPrecision", True),
        (
            lambda s, d: s.update(allowedSelfTradePreventionModes=["NONE"]),
            "STP mode EXPIRE_BOTH",
            True,
        ),
        (
            lambda s, d: s["filters"].append({"filterType": "MAX_POSITION", "maxPosition": "1.0"}),
            "MAX_POSITION",
            True,
        ),
        (lambda s, d: d["symbols"].remove(s), "symbol", True),
    ],
)
def test_diff_finds_each_change_and_whether_it_tightens(
    tmp_path: Path, edit: Any, what: str, tightens: bool
) -> None:
    old = _write(tmp_path / "old.json.gz", RAW)
    new = _write(tmp_path / "new.json.gz", _changed(edit))
    p = filterlib("diff", old, new, "--format", "json")
    assert p.returncode == (1 if tightens else 0), p.stdout
    body = json.loads(p.stdout)
    change = next(c for c in body["changes"] if c["symbol"] == "BTCUSDT" and c["what"] == what)
    assert change["tightens"] is tightens
    assert body["tightening"] == sum(c["tightens"] for c in body["changes"])
    text = filterlib("diff", old, new)
    assert text.returncode == p.returncode
    mark = "!" if tightens else " "
    assert f"{mark} BTCUSDT: {what}" in text.stdout
    # The other way round, a loosening is a tightening and vice versa (for bounds and flags).
    back = filterlib("diff", new, old, "--format", "json")
    if what in ("LOT_SIZE minQty", "ocoAllowed", "status", "symbol"):
        assert back.returncode == 0


def test_diff_of_a_snapshot_with_itself(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.json.gz", RAW)
    p = filterlib("diff", path, path)
    assert p.returncode == 0
    assert p.stdout == "0 changes; 0 can turn an accepted order into a rejected one\n"


def test_diff_of_real_snapshots_months_apart() -> None:
    snaps = REPO / "fixtures" / "snapshots"
    old = snaps / "spot_full_2022-11-28_old_min_notional_sm2a.json.gz"
    new = snaps / "spot_full_2023-04-14_mixed_min_notional_notional_sm2a.json.gz"
    p = filterlib("diff", str(old), str(new), "--format", "json")
    assert p.returncode == 1
    whats = {c["what"] for c in json.loads(p.stdout)["changes"]}
    assert "NOTIONAL" in whats  # the filter that replaced MIN_NOTIONAL in 2023
    assert "status" in whats


def test_diff_missing_file(tmp_path: Path) -> None:
    p = filterlib("diff", str(tmp_path / "nope.json"), str(tmp_path / "nope.json"))
    assert p.returncode == 2
    assert str(tmp_path / "nope.json") in p.stderr


# --- snapshot info -----------------------------------------------------------------------------


def test_snapshot_info_of_the_shipped_snapshot() -> None:
    p = filterlib("snapshot", "info", "--format", "json")
    assert p.returncode == 0, p.stderr
    facts = json.loads(p.stdout)
    assert facts["serverTime"] == RAW["serverTime"]
    assert facts["symbols"] == len(RAW["symbols"])
    statuses: dict[str, int] = {}
    for s in RAW["symbols"]:
        statuses[s["status"]] = statuses.get(s["status"], 0) + 1
    assert facts["byStatus"] == statuses
    assert facts["filterTypes"]["PRICE_FILTER"] == len(RAW["symbols"])
    assert facts["ageSeconds"] > 0
    text = filterlib("snapshot", "info")
    assert f"serverTime: {RAW['serverTime']} (" in text.stdout
    assert " days " in text.stdout


def test_snapshot_info_lists_unknown_filter_types(tmp_path: Path) -> None:
    doc = copy.deepcopy(RAW)
    doc["symbols"][0]["filters"].append({"filterType": "T_PLUS_SELL", "endTime": 1})
    p = filterlib("snapshot", "info", _write(tmp_path / "s.json.gz", doc))
    assert p.returncode == 0
    assert "T_PLUS_SELL  (not modelled: unchecked)" in p.stdout
    assert "not modelled by filterlib (listed as unchecked" in p.stdout


def test_snapshot_info_names_a_malformed_symbol(tmp_path: Path) -> None:
    doc = copy.deepcopy(RAW)
    doc["symbols"][3]["filters"][0]["tickSize"] = "-1"
    p = filterlib("snapshot", "info", _write(tmp_path / "s.json.gz", doc))
    assert p.returncode == 2
    assert "symbols[3].filters[0].tickSize" in p.stderr
    assert str(tmp_path / "s.json.gz") in p.stderr
