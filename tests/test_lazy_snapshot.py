"""Lazy loading (``load_exchange_info(..., lazy=True)``, the shipped snapshot) changes no verdict.

A lazy load keeps each symbol as JSON bytes and decodes it on first use. These tests prove it
is the same snapshot as an eager load: equal objects, identical verdicts for generated orders
on every symbol of every real snapshot and for every conformance case, the same problems for a
malformed symbol (on use, and all at once from ``validate()``), the same top-level checks on
load, and one decoded object per symbol when many threads use it at once.
"""

from __future__ import annotations

import copy
import gzip
import json
import random
import sys
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import orjson
import pytest
from test_conformance import as_of, case_files

import filterlib
from filterlib.exceptions import SnapshotError
from filterlib.filters import LotSize, PriceFilter
from filterlib.snapshot import (
    DEFAULT_SNAPSHOT_NAME,
    ExchangeInfo,
    LazySymbols,
    SymbolInfo,
    load_default_exchange_info,
    load_exchange_info,
)
from filterlib.snapshot._split import _split_symbols

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "fixtures" / "snapshots"
SHIPPED = ROOT / "filterlib" / "data" / f"{DEFAULT_SNAPSHOT_NAME}.json.gz"
ALL_SNAPSHOTS = [
    SHIPPED,
    *sorted(
        p
        for p in SNAPSHOTS.iterdir()
        if p.name.endswith((".json", ".json.gz"))
        and "error" not in p.name
        and not p.name.startswith(DEFAULT_SNAPSHOT_NAME)  # the shipped one, copied
    ),
]


def plain(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def small_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(plain(SNAPSHOTS / "spot_2symbols_2021-10-22_nautilus.json"))
    return doc


def both(source: Any) -> tuple[ExchangeInfo, ExchangeInfo]:
    return load_exchange_info(source, lazy=True), load_exchange_info(source)


def error_of(source: Any, *, lazy: bool) -> SnapshotError:
    with pytest.raises(SnapshotError) as caught:
        load_exchange_info(source, lazy=lazy)
    return caught.value


# --- the same snapshot ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_SNAPSHOTS, ids=lambda p: p.name)
def test_lazy_load_equals_eager_load(path: Path) -> None:
    lazy, eager = both(path)
    assert isinstance(lazy.symbols, LazySymbols)
    assert isinstance(eager.symbols, MappingProxyType)
    assert list(lazy.symbols) == list(eager.symbols)
    assert lazy.symbols.decoded_count() == 0  # listing names decodes nothing
    assert lazy == eager
    assert eager == lazy
    assert lazy.symbols == eager.symbols
    assert eager.symbols == lazy.symbols
    assert hash(lazy) == hash(eager)
    assert lazy.unknown_filter_types() == eager.unknown_filter_types()


@pytest.mark.parametrize("path", ALL_SNAPSHOTS, ids=lambda p: p.name)
def test_the_fast_split_is_taken_for_every_real_snapshot(path: Path) -> None:
    # Every real layout (compact, pretty-printed, WebSocket envelope) is cut without a whole
    # parse; the fallback is for other layouts (tested below).
    data = plain(path)
    split = _split_symbols(data)
    assert split is not None
    _rest, pieces = split
    assert [orjson.loads(piece) for _, piece in pieces] == _raw_symbols(orjson.loads(data))


def _raw_symbols(doc: Any) -> Any:
    return doc["symbols"] if "symbols" in doc else doc["result"]["symbols"]


def test_shipped_snapshot_is_lazy_and_valid() -> None:
    info = load_default_exchange_info()
    assert isinstance(info.symbols, LazySymbols)
    assert info.validate() is info
    assert info.symbols.decoded_count() == len(info.symbols) == 2276
    eager = load_exchange_info(SHIPPED)
    assert eager.validate() is eager  # a no-op when eager
    assert info == eager


def test_lazy_symbols_mapping_api() -> None:
    lazy, eager = both(SNAPSHOTS / "spot_testnet_2021-04-02_20symbols_chrisleekr.json")
    symbols = lazy.symbols
    assert isinstance(symbols, LazySymbols)
    names = list(eager.symbols)
    assert len(symbols) == 20
    assert list(symbols) == list(symbols.keys()) == names
    assert names[3] in symbols
    assert "NOPE" not in symbols
    not_a_name: object = 42
    assert not_a_name not in symbols
    assert "20 symbols, 0 decoded" in repr(symbols)
    assert symbols.get("NOPE") is None
    assert symbols.get("NOPE", "x") == "x"
    assert lazy.symbol("NOPE") is None
    with pytest.raises(KeyError):
        symbols["NOPE"]
    first = lazy.symbol(names[3])
    assert isinstance(first, SymbolInfo)
    assert first == eager.symbols[names[3]]
    assert symbols[names[3]] is first  # decoded once, kept
    assert symbols.get(names[3]) is first
    assert symbols.decoded_count() == 1
    assert list(symbols.items()) == list(eager.symbols.items())
    assert list(symbols.values()) == list(eager.symbols.values())
    assert symbols.decoded_count() == 20
    assert not hasattr(symbols, "__setitem__")


def test_a_mapping_source_is_always_checked_eagerly() -> None:
    info = load_exchange_info(small_doc(), lazy=True)
    assert isinstance(info.symbols, MappingProxyType)


def test_lazy_load_keeps_about_the_json_size() -> None:
    data = plain(SHIPPED)
    symbols = load_exchange_info(data, lazy=True).symbols
    assert isinstance(symbols, LazySymbols)
    kept = sum(len(v) for v in symbols._entries.values() if isinstance(v, bytes))
    assert kept < len(data)


# --- the same verdicts ---------------------------------------------------------------------


def _text(value: Decimal) -> str:
    return f"{value:f}"


def orders_for(s: SymbolInfo, n: int) -> Iterator[tuple[dict[str, str], dict[str, Any] | None]]:
    """A few deterministic orders for ``s``: on and off the tick and step, at and past bounds."""
    pf, lot = s.filter("PRICE_FILTER"), s.filter("LOT_SIZE")
    tick = pf.tick_size if isinstance(pf, PriceFilter) and pf.tick_size else Decimal("0.01")
    low = pf.min_price if isinstance(pf, PriceFilter) and pf.min_price else tick
    high = pf.max_price if isinstance(pf, PriceFilter) and pf.max_price else low * 10**6
    step = lot.step_size if isinstance(lot, LotSize) and lot.step_size else Decimal("0.001")
    qmin = lot.min_qty if isinstance(lot, LotSize) and lot.min_qty else step
    qmax = lot.max_qty if isinstance(lot, LotSize) and lot.max_qty else qmin * 10**6
    prices = [low, low + tick * 37, low + tick / 2, high + tick]
    qtys = [qmin, qmin + step * 1000, qmin + step / 2, qmax * 2]
    side = "BUY" if n % 2 else "SELL"
    for i, j in ((0, 0), (1, 1), (2, 1), (1, 2), (3, 1), (1, 3)):
        params = {
            "symbol": s.symbol,
            "side": side,
            "type": "LIMIT",
            "timeInForce": "GTC",
            "price": _text(prices[i]),
            "quantity": _text(qtys[j]),
        }
        context = {"avgPrice": {"mins": 5, "price": _text(prices[1])}} if (i + j) % 2 else None
        yield params, context
    yield {"symbol": s.symbol, "side": side, "type": "MARKET", "quantity": _text(qtys[1])}, None


@pytest.mark.parametrize("path", ALL_SNAPSHOTS, ids=lambda p: p.name)
def test_lazy_and_eager_verdicts_are_identical_on_every_symbol(path: Path) -> None:
    eager = load_exchange_info(path)
    lazy = load_exchange_info(path, lazy=True)
    count = 0
    for n, s in enumerate(eager.symbols.values()):
        # Two of the seven orders per symbol, in turn, to keep the test quick: every kind is
        # sent on about two sevenths of the symbols.
        orders = list(orders_for(s, n))
        for params, context in (orders[n % 7], orders[(n + 3) % 7]):
            want = filterlib.check(eager, params, context=context).to_dict()
            got = filterlib.check(lazy, params, context=context).to_dict()
            assert got == want, params
            count += 1
    assert count == 2 * len(eager.symbols)
    # An unknown symbol gets the same answer too.
    params = {"symbol": "NOPEUSDT", "side": "BUY", "type": "MARKET", "quantity": "1"}
    assert filterlib.check(lazy, params).to_dict() == filterlib.check(eager, params).to_dict()


def _cases() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for path in case_files():
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            out.append((f"{path.stem}/{case['id']}", case))
    return out


def _case_snapshot(name: str) -> Path:
    if name == DEFAULT_SNAPSHOT_NAME:
        return SHIPPED
    for suffix in (".json", ".json.gz"):
        if (SNAPSHOTS / f"{name}{suffix}").exists():
            return SNAPSHOTS / f"{name}{suffix}"
    raise FileNotFoundError(name)


def test_every_conformance_case_gets_the_same_verdict_lazily() -> None:
    loads: dict[str, tuple[ExchangeInfo, ExchangeInfo]] = {}
    cases = _cases()
    assert cases
    for key, case in cases:
        name = case["snapshot"]
        if name not in loads:
            loads[name] = both(_case_snapshot(name))
        lazy, eager = loads[name]
        kwargs: dict[str, Any] = {"context": case.get("context")}
        if "endpoint" in case:
            kwargs["endpoint"] = case["endpoint"]
        if "as_of" in case:
            kwargs["as_of"] = as_of(case)
        want = filterlib.check(eager, case["params"], **kwargs).to_dict()
        assert filterlib.check(lazy, case["params"], **kwargs).to_dict() == want, key


# --- errors --------------------------------------------------------------------------------


def damaged() -> dict[str, Any]:
    doc = small_doc()
    doc["symbols"][1]["filters"][0]["tickSize"] = "1E+3"
    doc["symbols"][1]["baseAssetPrecision"] = "8"
    doc["symbols"][0]["filters"][2]["stepSize"] = "NaN"
    return doc


def test_a_malformed_symbol_raises_when_used_naming_symbol_filter_field_value() -> None:
    info = load_exchange_info(json.dumps(damaged()).encode(), lazy=True)  # loads fine
    uses: tuple[Callable[[], object], ...] = (
        lambda: info.symbol("ETHUSDT"),
        lambda: info.symbols["ETHUSDT"],
        lambda: info.symbols.get("ETHUSDT"),
        lambda: dict(info.symbols.items())["ETHUSDT"],
        lambda: info.symbol("ETHUSDT"),  # again: nothing half-decoded was kept
    )
    for use in uses:
        with pytest.raises(SnapshotError) as caught:
            use()
        text = str(caught.value)
        if "ETHUSDT" not in text:  # items() met BTCUSDT's bad stepSize first
            assert "symbols[0].filters[2].stepSize" in text
            continue
        assert "symbols[1].baseAssetPrecision" in text
        tick = next(p for p in caught.value.problems if p.field == "tickSize")
        assert tick.path == "symbols[1].filters[0].tickSize"
        assert (tick.symbol, tick.filter_type, tick.value) == ("ETHUSDT", "PRICE_FILTER", "1E+3")
        assert "symbols[1].filters[0].tickSize" in text
        assert "'1E+3'" in text


def test_validate_reports_every_problem_as_an_eager_load_does() -> None:
    source = json.dumps(damaged()).encode()
    eager_error = error_of(source, lazy=False)
    info = load_exchange_info(source, lazy=True)
    with pytest.raises(SnapshotError) as caught:
        info.validate()
    assert caught.value.problems == eager_error.problems
    assert len(caught.value.problems) == 3
    assert str(caught.value) == str(eager_error)
    # A symbol's error on use lists exactly that symbol's problems, as eager located them.
    with pytest.raises(SnapshotError) as one:
        info.symbol("ETHUSDT")
    assert one.value.problems == tuple(p for p in eager_error.problems if p.symbol == "ETHUSDT")


def _top_level_damage() -> Iterator[tuple[str, Any]]:
    doc = small_doc()
    doc["rateLimits"][0]["limit"] = -1
    yield "bad rate limit", doc
    doc = small_doc()
    doc["symbols"][1]["symbol"] = doc["symbols"][0]["symbol"]
    yield "duplicate symbol", doc
    doc = small_doc()
    del doc["symbols"][1]["symbol"]
    yield "missing symbol name", doc
    doc = small_doc()
    doc["symbols"][0]["symbol"] = 7
    yield "symbol name not a string", doc
    doc = small_doc()
    doc["symbols"].append("BTCUSDT")
    yield "symbol not an object", doc
    doc = small_doc()
    doc["symbols"] = {"BTCUSDT": {}}
    yield "symbols not an array", doc
    doc = small_doc()
    doc["serverTime"] = "soon"
    doc["exchangeFilters"] = [{"filterType": "EXCHANGE_MAX_NUM_ORDERS"}]
    doc["sors"] = "none"
    yield "several top-level problems", doc
    yield (
        "error body",
        json.loads(plain(SNAPSHOTS / "error_restricted_location_2022-12-07_sm2a.json")),
    )
    yield "envelope without symbols", {"id": "1", "status": 200, "result": {"timezone": "UTC"}}
    yield "not an object", ["BTCUSDT"]


@pytest.mark.parametrize(
    "doc", [d for _, d in _top_level_damage()], ids=[k for k, _ in _top_level_damage()]
)
def test_top_level_problems_are_reported_on_a_lazy_load_as_eagerly(doc: Any) -> None:
    for data in (json.dumps(doc).encode(), json.dumps(doc, indent=2).encode()):
        assert str(error_of(data, lazy=True)) == str(error_of(data, lazy=False))


@pytest.mark.parametrize(
    "data",
    [
        b'{"symbols": [{"symbol": "BTCUSDT"}',
        b'{"symbols": [{"symbol": "BTCUSDT"}], }',
        b'{"symbols": [{"symbol": "A"} {"symbol": "B"}]}',
        b'{"symbols": [{"symbol": "A"},, {"symbol": "B"}]}',
        b'{"symbols": [{"symbol": "A"}], "x": [}',
        b'{"symbols": [{"symbol": "A\xff"}]}',
        b'{"symbols":\x0b[{"symbol": "A"}]}',
    ],
)
def test_invalid_json_is_reported_on_a_lazy_load_as_eagerly(data: bytes) -> None:
    assert str(error_of(data, lazy=True)) == str(error_of(data, lazy=False))


# --- other layouts: the cut, or the fallback, gives the same snapshot --------------------------


def _layouts() -> Iterator[tuple[str, bytes, bool]]:
    doc = small_doc()
    yield "compact", orjson.dumps(doc), True
    yield "indented", json.dumps(doc, indent=4).encode(), True
    yield "tabs and CRLF", json.dumps(doc, indent="\t").replace("\n", "\r\n").encode(), True
    yield "envelope", json.dumps({"id": "x", "status": 200, "result": doc}).encode(), True
    yield (
        "sors after",
        orjson.dumps({**doc, "sors": [{"baseAsset": "BTC", "symbols": ["BTCUSDT"]}]}),
        True,
    )
    first_key_last = copy.deepcopy(doc)
    first_key_last["symbols"] = [
        {**{k: v for k, v in s.items() if k != "symbol"}, "symbol": s["symbol"]}
        for s in first_key_last["symbols"]
    ]
    yield "symbol not the first key", orjson.dumps(first_key_last), False
    nested = copy.deepcopy(doc)
    nested["symbols"][0]["filters"].append({"filterType": "NEW_ONE", "x": {"symbol": "BTCUSDT"}})
    yield "a nested {'symbol': ...} object", orjson.dumps(nested), False
    quoted = copy.deepcopy(doc)
    quoted["symbols"][0]["baseAsset"] = '},{"symbol":"EVIL"}'
    yield "a symbol-like string inside a value", orjson.dumps(quoted), True
    other = copy.deepcopy(doc)
    other["notes"] = [{"symbol": "X"}]
    yield (
        "an object with a symbol key before symbols",
        orjson.dumps({"notes": [{"symbol": "X"}], **doc}),
        False,
    )
    yield (
        "placeholder in the data",
        orjson.dumps({**doc, "timezone": "filterlib-lazy-symbols-placeholder"}),
        False,
    )
    trailing = orjson.dumps(doc) + b"\n"
    yield "trailing newline", trailing, True


@pytest.mark.parametrize(
    ("data", "cut"), [(d, c) for _, d, c in _layouts()], ids=[k for k, _, _ in _layouts()]
)
def test_every_layout_loads_lazily_to_the_eager_snapshot(data: bytes, cut: bool) -> None:
    assert (_split_symbols(data) is not None) is cut
    lazy, eager = both(data)
    assert isinstance(lazy.symbols, LazySymbols)
    assert lazy == eager
    assert lazy.validate() == eager


# --- threads -------------------------------------------------------------------------------


def test_first_use_from_many_threads_decodes_each_symbol_once() -> None:
    info = load_exchange_info(SHIPPED, lazy=True)
    eager = load_exchange_info(SHIPPED)
    names = list(info.symbols)
    n_threads = 8
    barrier = threading.Barrier(n_threads)
    seen: list[dict[str, int]] = [{} for _ in range(n_threads)]
    verdicts: list[dict[str, tuple[dict[str, str], dict[str, Any]]]] = [
        {} for _ in range(n_threads)
    ]
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            order = names[:]
            random.Random(k).shuffle(order)
            barrier.wait()
            for i, name in enumerate(order):
                s = info.symbols[name] if i % 2 else info.symbol(name)
                assert s is not None
                seen[k][name] = id(s)
                if i % 50 == 0:
                    params = next(orders_for(s, i))[0]
                    verdicts[k][name] = (params, filterlib.check(info, params).to_dict())
        except BaseException as exc:  # reported below
            errors.append(exc)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert not errors
    assert isinstance(info.symbols, LazySymbols)
    assert info.symbols.decoded_count() == len(names)
    for name in names:  # every thread got the one published object
        assert {seen[k][name] for k in range(n_threads)} == {id(info.symbols[name])}
    for k in range(n_threads):
        for params, verdict in verdicts[k].values():
            assert verdict == filterlib.check(eager, params).to_dict()
    assert info == eager


@pytest.mark.parametrize("indent", [None, 1])
@pytest.mark.parametrize("named_first", [True, False])
def test_a_symbol_nested_past_what_orjson_writes_is_a_snapshot_error(
    indent: int | None, named_first: bool
) -> None:
    # A lazy load writes each symbol back as compact JSON when it was pretty-printed or had to
    # be parsed whole (its name not first); orjson writes 254 levels at most and raised a
    # TypeError out of the loader for a symbol nested deeper (found by a 1,000-example fuzz run).
    deep: object = "1"
    for _ in range(300):
        deep = [deep]
    symbol = {"symbol": "DEEPUSDT", "status": "TRADING", "filters": deep}
    if not named_first:
        symbol = {"status": "TRADING", "filters": deep, "symbol": "DEEPUSDT"}
    data = json.dumps({"symbols": [symbol]}, indent=indent).encode()
    with pytest.raises(SnapshotError):
        filterlib.load_exchange_info(data, lazy=True).validate()
