"""Loading real and malformed exchangeInfo snapshots."""

from __future__ import annotations

import copy
import gzip
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from filterlib.exceptions import SnapshotError, UsageError
from filterlib.filters import (
    ExchangeMaxNumAlgoOrders,
    ExchangeMaxNumIcebergOrders,
    ExchangeMaxNumOrderLists,
    ExchangeMaxNumOrders,
    MarketLotSize,
    MaxPosition,
    MinNotional,
    Notional,
    PercentPrice,
    PercentPriceBySide,
    PriceFilter,
    UnknownFilter,
)
from filterlib.snapshot import (
    DEFAULT_SNAPSHOT_NAME,
    ExchangeInfo,
    LazySymbols,
    RateLimit,
    Sor,
    SymbolInfo,
    load_default_exchange_info,
    load_exchange_info,
)

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "fixtures" / "snapshots"
SHIPPED = ROOT / "filterlib" / "data" / f"{DEFAULT_SNAPSHOT_NAME}.json.gz"

# File -> symbol count, as fixtures/snapshots/README.md states them.
REAL = {
    "shipped": 2276,
    "spot_trading_only_2024-09-08_davijr.json.gz": 1248,
    "spot_full_2023-04-14_mixed_min_notional_notional_sm2a.json.gz": 2187,
    "spot_full_2022-11-28_old_min_notional_sm2a.json.gz": 2124,
    "spot_full_2020-11-01_legacy_cryptograph.json.gz": 1141,
    "spot_testnet_2021-04-02_20symbols_chrisleekr.json": 20,
    "spot_2symbols_2021-10-22_nautilus.json": 2,
    "spot_wsapi_btcusdt_2024-06-02_minitrade.json": 1,
    "spot_4symbols_2026-09-25_ai-trade-agent.json": 4,
    "spot_testnet_btcusdt_2026-09-13_fastmm.json": 1,
}
ERROR_BODY = SNAPSHOTS / "error_restricted_location_2022-12-07_sm2a.json"


def real_path(name: str) -> Path:
    return SHIPPED if name == "shipped" else SNAPSHOTS / name


def raw_json(path: Path) -> Any:
    """The file's JSON via the standard library only, independent of the loader."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return json.loads(data)


def raw_doc(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = raw_json(path)
    result: dict[str, Any] = doc.get("result", doc)
    return result


@pytest.fixture(scope="module")
def loaded() -> dict[str, ExchangeInfo]:
    return {
        name: load_default_exchange_info()
        if name == "shipped"
        else load_exchange_info(SNAPSHOTS / name)
        for name in REAL
    }


def test_real_fixture_files_are_present_and_documented() -> None:
    names = {p.name for p in SNAPSHOTS.iterdir()}
    mine = (set(REAL) - {"shipped"}) | {ERROR_BODY.name}
    assert mine <= names
    readme = (SNAPSHOTS / "README.md").read_text(encoding="utf-8")
    for name in mine:
        assert f"### `{name}`" in readme
    # The conformance cases find every snapshot here, the shipped one too: its copy is the
    # package's file byte for byte, and documented like the others.
    copy = SNAPSHOTS / f"{DEFAULT_SNAPSHOT_NAME}.json.gz"
    assert copy.read_bytes() == SHIPPED.read_bytes()
    assert f"### `{copy.name}`" in readme


@pytest.mark.parametrize("name", list(REAL))
def test_real_snapshot_symbol_count(name: str, loaded: dict[str, ExchangeInfo]) -> None:
    info = loaded[name]
    assert len(info.symbols) == REAL[name]
    assert len(raw_doc(real_path(name))["symbols"]) == REAL[name]


@pytest.mark.parametrize("name", list(REAL))
def test_real_snapshot_filter_counts_match_the_raw_json(
    name: str, loaded: dict[str, ExchangeInfo]
) -> None:
    doc = raw_doc(real_path(name))
    expected = Counter(f["filterType"] for s in doc["symbols"] for f in s["filters"])
    got = Counter(f.filter_type for s in loaded[name].symbols.values() for f in s.filters)
    assert got == expected
    assert loaded[name].unknown_filter_types() == frozenset()


@pytest.mark.parametrize("name", list(REAL))
def test_real_snapshot_symbols_keep_order_and_filter_order(
    name: str, loaded: dict[str, ExchangeInfo]
) -> None:
    doc = raw_doc(real_path(name))
    info = loaded[name]
    assert list(info.symbols) == [s["symbol"] for s in doc["symbols"]]
    for raw in doc["symbols"]:
        sym = info.symbols[raw["symbol"]]
        assert [f.filter_type for f in sym.filters] == [f["filterType"] for f in raw["filters"]]
        assert sym.order_types == frozenset(raw["orderTypes"])
        assert sym.permissions == tuple(raw["permissions"])
    assert info.server_time == doc["serverTime"]
    assert info.timezone == "UTC"
    assert [(r.rate_limit_type, r.interval, r.interval_num, r.limit) for r in info.rate_limits] == [
        (r["rateLimitType"], r["interval"], r["intervalNum"], r["limit"]) for r in doc["rateLimits"]
    ]
    assert info.exchange_filters == ()
    assert info.sors is None


def test_readme_filter_counts_spot_check(loaded: dict[str, ExchangeInfo]) -> None:
    def count(name: str, cls: type) -> int:
        return sum(isinstance(f, cls) for s in loaded[name].symbols.values() for f in s.filters)

    assert count("shipped", MarketLotSize) == 2198
    assert count("shipped", MaxPosition) == 11
    assert count("shipped", Notional) == 2276
    mixed = "spot_full_2023-04-14_mixed_min_notional_notional_sm2a.json.gz"
    assert count(mixed, MinNotional) == 2177
    assert count(mixed, Notional) == 10
    old = "spot_full_2022-11-28_old_min_notional_sm2a.json.gz"
    assert count(old, PercentPrice) == 2124
    assert count(old, PercentPriceBySide) == 2
    assert count(old, MaxPosition) == 19


def test_old_format_has_both_percent_price_filters_on_dashbnb(
    loaded: dict[str, ExchangeInfo],
) -> None:
    info = loaded["spot_full_2022-11-28_old_min_notional_sm2a.json.gz"]
    dash = info.symbol("DASHBNB")
    assert dash is not None
    assert isinstance(dash.filter("PERCENT_PRICE"), PercentPrice)
    assert isinstance(dash.filter("PERCENT_PRICE_BY_SIDE"), PercentPriceBySide)
    assert isinstance(dash.filter("MIN_NOTIONAL"), MinNotional)
    assert dash.filter("NOTIONAL") is None
    # before STP: None, not "nothing allowed"
    assert dash.allowed_self_trade_prevention_modes is None
    assert dash.default_self_trade_prevention_mode is None


def test_modern_format_values(loaded: dict[str, ExchangeInfo]) -> None:
    btc = loaded["shipped"].symbol("BTCUSDT")
    assert btc is not None
    notional = btc.filter("NOTIONAL")
    assert notional == Notional(Decimal(10), True, Decimal(9000000), False, 5)
    assert isinstance(btc.filter("PERCENT_PRICE_BY_SIDE"), PercentPriceBySide)
    assert btc.filter("MIN_NOTIONAL") is None
    assert btc.allowed_self_trade_prevention_modes == frozenset(
        {"NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"}
    )
    assert btc.default_self_trade_prevention_mode == "NONE"
    assert btc.allow_trailing_stop is True
    assert btc.cancel_replace_allowed is True
    assert btc.oto_allowed is False  # 2023 snapshot: no otoAllowed key yet
    assert btc.permission_sets == ()
    lunc = loaded["shipped"].symbol("LUNCBUSD")
    assert lunc is not None
    assert lunc.filter("MAX_POSITION") == MaxPosition(Decimal("92233720368.54775807"))


def test_market_lot_size_zero_step_loads_as_decimal_zero(loaded: dict[str, ExchangeInfo]) -> None:
    eth = loaded["spot_2symbols_2021-10-22_nautilus.json"].symbol("ETHUSDT")
    assert eth is not None
    mls = eth.filter("MARKET_LOT_SIZE")
    assert isinstance(mls, MarketLotSize)
    assert mls.step_size == Decimal(0)
    assert isinstance(mls.step_size, Decimal)


def test_legacy_snapshot_absent_flags_are_false(loaded: dict[str, ExchangeInfo]) -> None:
    info = loaded["spot_full_2020-11-01_legacy_cryptograph.json.gz"]
    assert all(
        not s.allow_trailing_stop and not s.cancel_replace_allowed and not s.oto_allowed
        for s in info.symbols.values()
    )
    assert all(not s.allow_amend for s in info.symbols.values())
    assert all(s.filter("TRAILING_DELTA") is None for s in info.symbols.values())


def test_2024_snapshot_reads_oto_and_permission_sets(loaded: dict[str, ExchangeInfo]) -> None:
    info = loaded["spot_trading_only_2024-09-08_davijr.json.gz"]
    doc = raw_doc(real_path("spot_trading_only_2024-09-08_davijr.json.gz"))
    assert Counter(s.oto_allowed for s in info.symbols.values()) == Counter(
        s["otoAllowed"] for s in doc["symbols"]
    )
    assert all(s.permission_sets == (("SPOT",),) for s in info.symbols.values())
    assert all(s.permissions == () for s in info.symbols.values())


def test_precision_edge_cases_in_shipped_snapshot(loaded: dict[str, ExchangeInfo]) -> None:
    symbols = loaded["shipped"].symbols.values()
    assert sum(s.quote_asset_precision == 2 for s in symbols) == 35
    assert sum(s.base_asset_precision == 2 for s in symbols) == 19
    assert sum(s.base_asset_precision == 1 for s in symbols) == 4
    assert sum(not s.is_spot_trading_allowed for s in symbols) == 43
    assert sum(not s.quote_order_qty_market_allowed for s in symbols) == 8
    assert Counter(s.status for s in symbols) == {"TRADING": 1393, "BREAK": 883}


def test_wsapi_envelope_uses_the_result_rate_limits(loaded: dict[str, ExchangeInfo]) -> None:
    info = loaded["spot_wsapi_btcusdt_2024-06-02_minitrade.json"]
    # The file name and the fixtures-real README say BTCUSDT; the data holds ETHUSDT.
    assert list(info.symbols) == ["ETHUSDT"]
    # The envelope's own rateLimits (REQUEST_WEIGHT with a "count") is usage, not the rules.
    assert RateLimit("CONNECTIONS", "MINUTE", 5, 300) in info.rate_limits
    assert info.rate_limits[0] == RateLimit("REQUEST_WEIGHT", "MINUTE", 1, 6000)


def test_default_snapshot_is_cached_and_labelled() -> None:
    first = load_default_exchange_info()
    assert load_default_exchange_info() is first
    assert first.source == f"{DEFAULT_SNAPSHOT_NAME}.json.gz"
    # Loaded lazily (each symbol decoded on first use; see tests/test_lazy_snapshot.py).
    assert isinstance(first.symbols, LazySymbols)
    assert first.server_time == 1691945251489


def test_shipped_snapshot_is_the_swapland_file() -> None:
    doc = raw_doc(SHIPPED)
    assert len(doc["symbols"]) == 2276
    # 2023-08-13 16:47:31 UTC
    assert doc["serverTime"] // 1000 == 1691945251


def test_symbol_info_filter_lookup_and_read_only_maps(loaded: dict[str, ExchangeInfo]) -> None:
    info = loaded["spot_2symbols_2021-10-22_nautilus.json"]
    assert info.symbol("NOPE") is None
    assert info.symbol("btcusdt") is None
    btc = info.symbol("BTCUSDT")
    assert isinstance(btc, SymbolInfo)
    assert isinstance(btc.filter("PRICE_FILTER"), PriceFilter)
    assert btc.filter("MAX_POSITION") is None
    assert isinstance(info.symbols, MappingProxyType)
    assert isinstance(btc.filter_map, MappingProxyType)
    assert list(btc.filter_map) == [f.filter_type for f in btc.filters]


# --- synthetic data ------------------------------------------------------------------------


def small_doc() -> dict[str, Any]:
    """The real two-symbol snapshot, as a fresh dict to damage."""
    return copy.deepcopy(raw_json(SNAPSHOTS / "spot_2symbols_2021-10-22_nautilus.json"))


def load_error(source: Any) -> SnapshotError:
    with pytest.raises(SnapshotError) as info:
        load_exchange_info(source)
    return info.value


def test_exchange_filters_load() -> None:
    doc = small_doc()
    doc["exchangeFilters"] = [
        {"filterType": "EXCHANGE_MAX_NUM_ORDERS", "maxNumOrders": 1000},
        {"filterType": "EXCHANGE_MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 200},
        {"filterType": "EXCHANGE_MAX_NUM_ICEBERG_ORDERS", "maxNumIcebergOrders": 10000},
        {"filterType": "EXCHANGE_MAX_NUM_ORDER_LISTS", "maxNumOrderLists": 20},
    ]
    info = load_exchange_info(doc)
    assert info.exchange_filters == (
        ExchangeMaxNumOrders(1000),
        ExchangeMaxNumAlgoOrders(200),
        ExchangeMaxNumIcebergOrders(10000),
        ExchangeMaxNumOrderLists(20),
    )
    assert info.unknown_filter_types() == frozenset()


def test_bad_exchange_filter_is_located() -> None:
    doc = small_doc()
    doc["exchangeFilters"] = [{"filterType": "EXCHANGE_MAX_NUM_ORDERS", "maxNumOrders": -5}]
    error = load_error(doc)
    assert [(p.path, p.symbol, p.filter_type, p.value) for p in error.problems] == [
        ("exchangeFilters[0].maxNumOrders", None, "EXCHANGE_MAX_NUM_ORDERS", -5)
    ]


def test_unknown_symbol_filter_is_kept_and_listed() -> None:
    doc = small_doc()
    doc["symbols"][0]["filters"].append({"filterType": "T_PLUS_SELL", "endTime": 1759881600000})
    info = load_exchange_info(doc)
    btc = info.symbol("BTCUSDT")
    assert btc is not None
    assert btc.filters[-1] == UnknownFilter("T_PLUS_SELL", (("endTime", 1759881600000),))
    assert btc.filter("T_PLUS_SELL") == btc.filters[-1]
    assert info.unknown_filter_types() == frozenset({"T_PLUS_SELL"})


def test_duplicate_filter_type_first_wins_in_the_map() -> None:
    doc = small_doc()
    filters = doc["symbols"][0]["filters"]
    filters.append({**filters[0], "tickSize": "1.00000000"})
    btc = load_exchange_info(doc).symbol("BTCUSDT")
    assert btc is not None
    first = btc.filter("PRICE_FILTER")
    assert isinstance(first, PriceFilter)
    assert first.tick_size == Decimal("0.01")
    assert len(btc.filters) == len(filters)


def test_new_symbol_fields_and_sors_are_read() -> None:
    doc = small_doc()
    sym = doc["symbols"][0]
    sym.update(
        otoAllowed=True,
        allowTrailingStop=True,
        cancelReplaceAllowed=True,
        amendAllowed=True,
        permissionSets=[["SPOT", "MARGIN"], ["TRD_GRP_004"]],
        defaultSelfTradePreventionMode="EXPIRE_MAKER",
        allowedSelfTradePreventionModes=["EXPIRE_MAKER", "DECREMENT"],
    )
    doc["sors"] = [{"baseAsset": "BTC", "symbols": ["BTCUSDT", "BTCUSDC"]}]
    info = load_exchange_info(doc)
    btc = info.symbol("BTCUSDT")
    assert btc is not None
    assert (btc.oto_allowed, btc.allow_trailing_stop, btc.cancel_replace_allowed) == (
        True,
        True,
        True,
    )
    assert btc.allow_amend is True
    assert btc.permission_sets == (("SPOT", "MARGIN"), ("TRD_GRP_004",))
    assert btc.default_self_trade_prevention_mode == "EXPIRE_MAKER"
    assert btc.allowed_self_trade_prevention_modes == frozenset({"EXPIRE_MAKER", "DECREMENT"})
    assert info.sors == (Sor("BTC", ("BTCUSDT", "BTCUSDC")),)
    eth = info.symbol("ETHUSDT")
    assert eth is not None
    assert eth.allow_amend is False


def test_allow_amend_as_spelled_in_the_docs() -> None:
    doc = small_doc()
    doc["symbols"][0]["allowAmend"] = True
    btc = load_exchange_info(doc).symbol("BTCUSDT")
    assert btc is not None
    assert btc.allow_amend is True


def test_quote_precision_fallback() -> None:
    doc = small_doc()
    del doc["symbols"][0]["quoteAssetPrecision"]
    doc["symbols"][0]["quotePrecision"] = 6
    btc = load_exchange_info(doc).symbol("BTCUSDT")
    assert btc is not None
    assert btc.quote_asset_precision == 6


# --- malformed snapshots: one test per kind -------------------------------------------------


def test_bad_decimal_exponent() -> None:
    doc = small_doc()
    doc["symbols"][1]["filters"][0]["tickSize"] = "1E+999999"
    error = load_error(doc)
    (problem,) = error.problems
    assert problem.path == "symbols[1].filters[0].tickSize"
    text = str(error)
    for part in ("ETHUSDT", "PRICE_FILTER", "tickSize", "'1E+999999'"):
        assert part in text


def test_bad_decimal_nan() -> None:
    doc = small_doc()
    doc["symbols"][0]["filters"][2]["stepSize"] = "NaN"
    error = load_error(doc)
    text = str(error)
    for part in ("symbols[0].filters[2].stepSize", "BTCUSDT", "LOT_SIZE", "'NaN'"):
        assert part in text


def test_bad_decimal_negative() -> None:
    doc = small_doc()
    doc["symbols"][0]["filters"][3]["minNotional"] = "-0.01"
    error = load_error(doc)
    text = str(error)
    for part in ("symbols[0].filters[3].minNotional", "BTCUSDT", "MIN_NOTIONAL", "'-0.01'"):
        assert part in text


def test_missing_filter_field() -> None:
    doc = small_doc()
    del doc["symbols"][0]["filters"][1]["multiplierUp"]
    error = load_error(doc)
    (problem,) = error.problems
    assert (problem.symbol, problem.filter_type, problem.field) == (
        "BTCUSDT",
        "PERCENT_PRICE",
        "multiplierUp",
    )
    assert "missing field multiplierUp" in str(error)


def test_missing_symbol_field() -> None:
    doc = small_doc()
    del doc["symbols"][1]["baseAsset"]
    error = load_error(doc)
    assert [(p.path, p.symbol, p.field) for p in error.problems] == [
        ("symbols[1].baseAsset", "ETHUSDT", "baseAsset")
    ]


def test_wrong_type_bool_for_int() -> None:
    doc = small_doc()
    doc["symbols"][0]["filters"][4]["limit"] = True
    error = load_error(doc)
    text = str(error)
    for part in ("symbols[0].filters[4].limit", "BTCUSDT", "ICEBERG_PARTS", "True"):
        assert part in text


def test_wrong_type_int_for_bool() -> None:
    doc = small_doc()
    doc["symbols"][0]["filters"][3]["applyToMarket"] = 1
    doc["symbols"][1]["icebergAllowed"] = 0
    error = load_error(doc)
    assert [(p.path, p.symbol, p.filter_type, p.field, p.value) for p in error.problems] == [
        ("symbols[0].filters[3].applyToMarket", "BTCUSDT", "MIN_NOTIONAL", "applyToMarket", 1),
        ("symbols[1].icebergAllowed", "ETHUSDT", None, "icebergAllowed", 0),
    ]


def test_wrong_type_symbol_fields() -> None:
    doc = small_doc()
    doc["symbols"][0]["baseAssetPrecision"] = "8"
    doc["symbols"][0]["orderTypes"] = "LIMIT"
    doc["symbols"][0]["filters"] = {}
    error = load_error(doc)
    assert [(p.field, p.value) for p in error.problems] == [
        ("baseAssetPrecision", "8"),
        ("orderTypes", "LIMIT"),
        ("filters", {}),
    ]
    assert all(p.symbol == "BTCUSDT" for p in error.problems)


def test_duplicate_symbol() -> None:
    doc = small_doc()
    doc["symbols"].append(copy.deepcopy(doc["symbols"][0]))
    error = load_error(doc)
    (problem,) = error.problems
    assert problem.path == "symbols[2].symbol"
    assert problem.symbol == "BTCUSDT"
    assert "duplicate symbol" in str(error)
    assert "symbols[0]" in str(error)


def test_several_problems_are_all_reported() -> None:
    doc = small_doc()
    doc["symbols"][0]["filters"][0]["tickSize"] = "1E+999999"
    doc["symbols"][0]["filters"][0]["minPrice"] = "NaN"
    doc["symbols"][1]["filters"][2]["maxQty"] = "-1"
    doc["symbols"][1]["status"] = None
    doc["rateLimits"][0]["limit"] = "1200"
    error = load_error(doc)
    assert [p.path for p in error.problems] == [
        "rateLimits[0].limit",
        "symbols[0].filters[0].minPrice",
        "symbols[0].filters[0].tickSize",
        "symbols[1].status",
        "symbols[1].filters[2].maxQty",
    ]
    assert "(5 problems)" in str(error)
    assert "got null" in str(error)


def test_problem_list_is_capped_in_the_message_but_complete() -> None:
    doc = small_doc()
    doc["symbols"] = [
        {**copy.deepcopy(doc["symbols"][0]), "symbol": f"S{i}", "baseAssetPrecision": -1}
        for i in range(25)
    ]
    error = load_error(doc)
    assert len(error.problems) == 25
    assert "... and 5 more" in str(error)


def test_not_json() -> None:
    error = load_error(b'{"symbols": [}')
    assert "not valid JSON" in str(error)
    assert error.problems[0].value == '{"symbols": [}'


def test_not_utf8() -> None:
    error = load_error(b'{"timezone": "\xff\xfe", "symbols": []}')
    assert "not UTF-8" in str(error)
    assert "offset 14" in str(error)


def test_error_body() -> None:
    error = load_error(ERROR_BODY)
    text = str(error)
    assert "error body from Binance" in text
    assert "code 0" in text
    assert "Service unavailable from a restricted location" in text
    assert error.source == str(ERROR_BODY)


def test_wsapi_error_reply() -> None:
    reply = {"id": "x", "status": 400, "error": {"code": -1121, "msg": "Invalid symbol."}}
    text = str(load_error(reply))
    assert "error body from Binance" in text
    assert "-1121" in text
    assert "Invalid symbol." in text


def test_list_at_top_level() -> None:
    error = load_error(b"[1, 2]")
    assert "top level must be a JSON object, not a JSON array" in str(error)
    assert "top level must be a JSON object, not a JSON string" in str(load_error(b'"x"'))


def test_missing_symbols() -> None:
    doc = small_doc()
    del doc["symbols"]
    error = load_error(doc)
    assert "no 'symbols' key" in str(error)
    assert "exchangeFilters" in str(error)


def test_minimal_snapshot_needs_only_symbols() -> None:
    info = load_exchange_info({"symbols": []})
    assert (info.timezone, info.server_time, info.rate_limits, info.exchange_filters) == (
        None,
        None,
        (),
        (),
    )
    assert len(info.symbols) == 0


def test_symbols_not_a_list() -> None:
    error = load_error({"symbols": {"BTCUSDT": {}}})
    assert [(p.path, p.value) for p in error.problems] == [("symbols", {"BTCUSDT": {}})]


def test_symbol_not_an_object_and_symbol_name_bad() -> None:
    doc = small_doc()
    doc["symbols"].append("ETHBTC")
    doc["symbols"][0]["symbol"] = ""
    error = load_error(doc)
    assert [(p.path, p.value) for p in error.problems] == [
        ("symbols[0].symbol", ""),
        ("symbols[2]", "ETHBTC"),
    ]


def test_unreadable_file_is_a_snapshot_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(SnapshotError) as info:
        load_exchange_info(missing)
    assert isinstance(info.value.__cause__, FileNotFoundError)
    assert "cannot read the snapshot file" in str(info.value)
    assert str(missing) in str(info.value)


def test_gz_name_without_gzip_content(tmp_path: Path) -> None:
    fake = tmp_path / "x.json.gz"
    fake.write_bytes(b"{}")
    assert "not gzip" in str(load_error(fake))


def test_corrupt_gzip() -> None:
    good = gzip.compress(b'{"symbols": []}', mtime=0)
    assert "corrupt gzip" in str(load_error(good[:-6]))


def test_wrong_source_type_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        load_exchange_info(42)  # type: ignore[arg-type]


# --- source kinds ---------------------------------------------------------------------------


def test_every_source_kind_gives_the_same_result(tmp_path: Path) -> None:
    path = SNAPSHOTS / "spot_testnet_2021-04-02_20symbols_chrisleekr.json"
    data = path.read_bytes()
    gz_path = tmp_path / "snap.json.gz"
    gz_path.write_bytes(gzip.compress(data, mtime=0))
    results = [
        load_exchange_info(path),
        load_exchange_info(str(path)),
        load_exchange_info(data),
        load_exchange_info(bytearray(data)),
        load_exchange_info(gzip.compress(data, mtime=0)),
        load_exchange_info("\n  " + data.decode("utf-8")),
        load_exchange_info(json.loads(data)),
        load_exchange_info(gz_path),
        load_exchange_info(b"\xef\xbb\xbf" + data),  # a UTF-8 BOM is tolerated
    ]
    assert len(results[0].symbols) == 20
    for result in results[1:]:
        assert result == results[0]
    assert results[0].source == str(path)
    assert results[2].source is None
    assert results[7].source == str(gz_path)


def test_wsapi_envelope_from_bytes_equals_its_result_dict() -> None:
    path = SNAPSHOTS / "spot_wsapi_btcusdt_2024-06-02_minitrade.json"
    assert load_exchange_info(path.read_bytes()) == load_exchange_info(raw_doc(path))


def test_results_are_hashable_and_frozen(loaded: dict[str, ExchangeInfo]) -> None:
    info = loaded["spot_2symbols_2021-10-22_nautilus.json"]
    btc = info.symbol("BTCUSDT")
    assert btc is not None
    assert hash(btc) == hash(load_exchange_info(small_doc()).symbol("BTCUSDT"))
    hash(info)
    with pytest.raises(AttributeError):
        btc.status = "BREAK"  # type: ignore[misc]
