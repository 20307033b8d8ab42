"""``filterlib explain``, ``filterlib diff`` and ``filterlib snapshot info``, run as a user would.

Expected values come from the raw JSON of the shipped snapshot (gzip + json, not filterlib).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import gzip
import io
import json
import os
import re
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from conftest import BTC_LIMIT

from filterlib import ExchangeInfo, check, load_default_exchange_info, load_exchange_info
from filterlib.cli.app import _build_parser

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


def _band(info: ExchangeInfo, context: dict[str, str]) -> str:
    """How check() judges BTC_LIMIT (BUY at 30000.00) against BTCUSDT's price band."""
    verdict = check(info, BTC_LIMIT, context=context)
    if any(v.rule == "PERCENT_PRICE_BY_SIDE" for v in verdict.violations):
        return "fail"
    if any(u.rule == "PERCENT_PRICE_BY_SIDE" for u in verdict.unchecked):
        return "unchecked"
    return "pass"


def test_explain_names_the_market_price_the_band_and_notional_are_judged_at() -> None:
    # The reference price when the symbol has one, else the average price over avgPriceMins
    # (CHANGELOG 2026-05-06; spec: Filters); either key decides the band.
    out = filterlib("explain", "BTCUSDT").stdout
    side, notional = FILTERS["PERCENT_PRICE_BY_SIDE"], FILTERS["NOTIONAL"]
    assert (
        f"  price band: BUY between {plain(side['bidMultiplierDown'])}x and "
        f"{plain(side['bidMultiplierUp'])}x, SELL between {plain(side['askMultiplierDown'])}x "
        f"and {plain(side['askMultiplierUp'])}x the market price: the reference price where the "
        f"symbol has one, else the {side['avgPriceMins']}-minute average price "
        "(PERCENT_PRICE_BY_SIDE; needs referencePrice or avgPrice)\n"
    ) in out
    assert (
        "MARKET (at the market price: the reference price where the symbol has one, else the "
        f"{notional['avgPriceMins']}-minute average price) (NOTIONAL)\n"
    ) in out
    # What the words say is what check() does: x0.2..x5 around 31000 holds 30000, around 5000
    # it does not.
    info = load_default_exchange_info()
    assert _band(info, {"referencePrice": "31000.00", "avgPrice": "5000.00"}) == "pass"
    assert _band(info, {"referencePrice": "31000.00"}) == "pass"
    assert _band(info, {"avgPrice": "5000.00"}) == "fail"
    assert _band(info, {"lastPrice": "5000.00"}) == "unchecked"


def test_explain_names_the_last_price_for_a_band_of_avg_price_mins_0(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "s.json.gz", _changed(_set_filter("PERCENT_PRICE_BY_SIDE", "avgPriceMins", 0))
    )
    out = filterlib("explain", "BTCUSDT", "--exchange-info", path).stdout
    assert (
        "x the market price: the reference price where the symbol has one, else the last price "
        "(PERCENT_PRICE_BY_SIDE; needs referencePrice or lastPrice)\n"
    ) in out
    assert "minute average price (PERCENT_PRICE_BY_SIDE" not in out
    info = load_exchange_info(Path(path))
    assert _band(info, {"lastPrice": "5000.00", "avgPrice": "31000.00"}) == "fail"
    assert _band(info, {"lastPrice": "31000.00", "avgPrice": "5000.00"}) == "pass"
    assert _band(info, {"referencePrice": "31000.00", "lastPrice": "5000.00"}) == "pass"
    assert _band(info, {"avgPrice": "31000.00"}) == "unchecked"


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


def _set_filter(ftype: str, key: str, value: str | int) -> Any:
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


def test_snapshot_info_gives_the_date_and_age_in_days() -> None:
    # The date is serverTime's UTC day, worked out here with the standard library.
    server = RAW["serverTime"]
    moment = dt.datetime.fromtimestamp(server / 1000, dt.UTC)
    before = time.time()
    p = filterlib("snapshot", "info", "--format", "json")
    after = time.time()
    facts = json.loads(p.stdout)
    assert facts["date"] == moment.date().isoformat() == "2023-08-13"
    low, high = int((before - server / 1000) // 86400), int((after - server / 1000) // 86400)
    assert low <= facts["ageDays"] <= high
    text = filterlib("snapshot", "info").stdout.splitlines()
    assert text[0] == "the shipped snapshot"
    days = facts["ageDays"]
    assert text[1].startswith(f"date: 2023-08-13 (UTC), {days:,} days old (")
    assert text[2] == f"serverTime: {server} (2023-08-13 16:47:31 UTC)"


def test_snapshot_info_of_a_snapshot_without_server_time(tmp_path: Path) -> None:
    doc = copy.deepcopy(RAW)
    del doc["serverTime"]
    p = filterlib("snapshot", "info", "--format", "json", _write(tmp_path / "s.json.gz", doc))
    assert p.returncode == 0, p.stderr
    facts = json.loads(p.stdout)
    assert (facts["date"], facts["ageDays"], facts["ageSeconds"]) == (None, None, None)
    text = filterlib("snapshot", "info", _write(tmp_path / "s.json.gz", doc)).stdout
    assert "date: unknown (no serverTime" in text


@pytest.mark.parametrize("action", ["info", "validate"])
def test_info_and_validate_default_to_the_shipped_snapshot_alike(
    action: str, tmp_path: Path
) -> None:
    p = filterlib("snapshot", action)
    assert p.returncode == 0, p.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"symbols": 1}')
    q = filterlib("snapshot", action, str(bad))
    assert q.returncode == 2
    assert q.stderr.startswith(f"filterlib: {bad} is not a usable exchangeInfo snapshot\n")
    assert q.stderr.endswith(
        "Save a fresh one with: filterlib snapshot fetch -o exchangeInfo.json.gz\n"
    )
    missing = filterlib("snapshot", action, str(tmp_path / "missing.json"))
    assert missing.returncode == 2
    assert f"filterlib: {tmp_path / 'missing.json'} is not a usable" in missing.stderr


def test_validate_without_a_file_names_the_shipped_snapshot_and_counts() -> None:
    p = filterlib("snapshot", "validate")
    assert p.stdout == ""
    assert p.stderr == f"the shipped snapshot: {len(RAW['symbols'])} symbols, 0 issues\n"


def test_validate_says_one_symbol_and_one_issue_in_the_singular(tmp_path: Path) -> None:
    doc = copy.deepcopy(RAW)
    doc["symbols"] = [copy.deepcopy(BTC)]
    price = next(f for f in doc["symbols"][0]["filters"] if f["filterType"] == "PRICE_FILTER")
    price["minPrice"] = "2000000.00000000"  # above maxPrice 1000000: min_above_max
    path = _write(tmp_path / "one.json.gz", doc)
    p = filterlib("snapshot", "validate", path)
    assert p.returncode == 1
    assert p.stderr == f"{path}: 1 symbol, 1 issue\n"
    q = filterlib("snapshot", "validate", path, "--format", "json")
    issue = json.loads(q.stdout)
    assert list(issue) == ["kind", "symbol", "filterType", "message"]
    assert (issue["kind"], issue["symbol"], issue["filterType"]) == (
        "min_above_max",
        "BTCUSDT",
        "PRICE_FILTER",
    )
    assert "2000000" in issue["message"]


# --- explain --format json ---------------------------------------------------------------------


def test_explain_json_without_an_order_gives_the_symbols_rules() -> None:
    p = filterlib("explain", "BTCUSDT", "--format", "json")
    assert p.returncode == 0, p.stderr
    body = json.loads(p.stdout)
    assert (body["symbol"], body["baseAsset"], body["quoteAsset"], body["status"]) == (
        "BTCUSDT",
        BTC["baseAsset"],
        BTC["quoteAsset"],
        BTC["status"],
    )
    assert body["filters"] == BTC["filters"]  # as the snapshot writes them
    assert body["orderTypes"] == sorted(BTC["orderTypes"])
    assert body["flags"]["ocoAllowed"] is BTC["ocoAllowed"]
    assert body["permissions"] == BTC["permissions"]
    text = filterlib("explain", "BTCUSDT").stdout.splitlines()
    assert body["words"] == [line.strip() for line in text[1:]]
    assert "verdict" not in body


def test_explain_json_with_an_order_walks_every_rule() -> None:
    from filterlib.catalogue import RULES

    args = ["side=BUY", "type=LIMIT", "timeInForce=GTC", "quantity=0.000012", "price=30000.005"]
    p = filterlib("explain", "BTCUSDT", *args, "--format", "json")
    assert p.returncode == 1
    body = json.loads(p.stdout)
    assert body["endpoint"] == "/api/v3/order"
    assert body["params"] == {
        "symbol": "BTCUSDT",
        **dict(a.split("=") for a in args),
    }
    assert body["asOf"] == "2023-08-13"
    assert (body["verdict"]["code"], body["verdict"]["msg"]) == (
        -1013,
        "Filter failure: PRICE_FILTER",
    )
    steps = {s["rule"]: s for s in body["walk"]}
    assert len(body["walk"]) == len(RULES)  # one step per rule; no rule failed twice here
    assert steps["PRICE_FILTER"] == {
        "rule": "PRICE_FILTER",
        "outcome": "fail",
        "leg": None,
        "parameter": "price",
        "detail": "price 30000.005 is not a multiple of 0.01000000",
        "nearest": ["30000.00000000", "30000.01000000"],
    }
    assert steps["PERCENT_PRICE_BY_SIDE"]["outcome"] == "unchecked"
    assert steps["PERCENT_PRICE_BY_SIDE"]["needs"] == ["avgPrice"]
    assert steps["invalid_side"]["outcome"] == "pass"
    assert steps["PERCENT_PRICE"]["outcome"] == "n/a"  # BTCUSDT has the _BY_SIDE band instead
    # The text walk says the same, rule by rule.
    text = filterlib("explain", "BTCUSDT", *args).stdout.split("\n\n")[-1].splitlines()
    words = {"fail": "FAIL", "pass": "pass", "unchecked": "unchecked", "n/a": "n/a"}
    assert [line.split()[0] for line in text] == [words[s["outcome"]] for s in body["walk"]]


def test_explain_states_permission_sets_as_binance_reads_them(tmp_path: Path) -> None:
    # [["A", "B"]] is A or B; [["A"], ["B"]] is A and B (spec: Exchange information).
    def sets(btc: dict[str, Any], doc: dict[str, Any]) -> None:
        btc["permissions"], btc["permissionSets"] = [], [["SPOT", "MARGIN"], ["TRD_GRP_004"]]

    path = _write(tmp_path / "s.json.gz", _changed(sets))
    p = filterlib("explain", "BTCUSDT", "--exchange-info", path)
    needed = "  account permissions needed: one of SPOT, MARGIN and TRD_GRP_004\n"
    assert needed in p.stdout
    q = filterlib("explain", "BTCUSDT")  # the 2023 snapshot's flat list: any one of them
    assert f"  account permissions needed: one of {', '.join(BTC['permissions'])}\n" in q.stdout


# --- one JSON key style ------------------------------------------------------------------------

#: Objects whose keys are data (statuses, filter types, group names), not field names.
DATA_KEYED = {"byStatus", "filterTypes", "byGroup"}
CAMEL = re.compile(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*\Z")


def _keys(value: object, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            if key not in DATA_KEYED:
                _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


def test_every_command_writes_json_keys_in_one_style(tmp_path: Path) -> None:
    # camelCase, as Binance writes its own JSON (serverTime, filterType) and as most keys were.
    doc = copy.deepcopy(RAW)
    price = next(f for f in doc["symbols"][0]["filters"] if f["filterType"] == "PRICE_FILTER")
    price["minPrice"] = "1000000000.00000000"
    odd = _write(tmp_path / "odd.json.gz", doc)
    order = json.dumps({**BTC_LIMIT, "quantity": "0.000012"})
    (tmp_path / "orders.jsonl").write_text(order + "\n")
    runs = [
        ["check", str(tmp_path / "orders.jsonl"), "--format", "json"],
        ["explain", "BTCUSDT", "side=BUY", "type=LIMIT", "quantity=1", "--format", "json"],
        ["diff", odd, _write(tmp_path / "s.json.gz", RAW), "--format", "json"],
        ["snapshot", "info", "--format", "json"],
        ["snapshot", "validate", odd, "--format", "json"],
    ]
    keys: set[str] = set()
    for args in runs:
        p = filterlib(*args)
        assert p.returncode in (0, 1), (args, p.stderr)
        indented = args[:2] == ["snapshot", "info"]
        for text in [p.stdout] if indented else p.stdout.splitlines():
            _keys(json.loads(text), keys)
    assert {"filterType", "serverTime", "byStatus", "volatileLeftOut", "walk"} <= keys
    assert sorted(k for k in keys if not CAMEL.match(k)) == []


def test_every_option_of_every_command_has_help() -> None:
    parser = _build_parser(io.StringIO(), io.StringIO())
    missing = []

    def walk(p: argparse.ArgumentParser, where: str) -> None:
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    walk(child, f"{where} {name}")
            elif not action.help and not isinstance(action, argparse._HelpAction):
                missing.append(f"{where} {'/'.join(action.option_strings) or action.dest}")

    walk(parser, "filterlib")
    assert missing == []
