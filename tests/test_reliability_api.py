"""Hostile input at the snapshot loader and the public API (issue 17, items 9, 10, 12-14).

A snapshot that cannot be used is a SnapshotError, whatever it holds (a filter nested hundreds
deep, a gzip that expands to gigabytes); a bad order gets a verdict, whatever its values; misuse
is a UsageError (ContextError for a context); a context missing a field a rule reads is a
ContextError, never a silent pass; a snapshot cannot change under ``check``.
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import attrs
import pytest
from conftest import SYMBOL, build_info, full_context, open_order, order, symbol_dict

import filterlib
from filterlib._context import ContextError
from filterlib.filters import LotSize
from filterlib.snapshot import ExchangeInfo, SymbolInfo

MIB = 1 << 20


def nested(depth: int, leaf: object = "1", kind: type = list) -> object:
    """``leaf`` inside ``depth`` lists (or dicts, or tuples)."""
    value = leaf
    for _ in range(depth):
        value = {"price": value} if kind is dict else kind([value])
    return value


def _doc(**filters: Any) -> dict[str, Any]:
    """A one-symbol snapshot document with extra symbol and exchange filters."""
    entry = symbol_dict()
    entry["filters"] += filters.get("symbol", [])
    return {"symbols": [entry], "exchangeFilters": filters.get("exchange", [])}


# --- 9: an unknown filter nested deep ---------------------------------------------------------


@pytest.mark.parametrize("where", ["symbol", "exchange"])
@pytest.mark.parametrize("kind", [list, dict])
def test_a_deep_unknown_filter_is_a_snapshot_error_however_it_is_loaded(
    where: str, kind: type
) -> None:
    doc = _doc(**{where: [{"filterType": "SOMETHING_NEW", "value": nested(500, kind=kind)}]})
    data = json.dumps(doc).encode()
    for source, lazy in ((doc, False), (data, False), (data, True), (gzip.compress(data), True)):
        with pytest.raises(filterlib.SnapshotError) as caught:
            filterlib.load_exchange_info(source, lazy=lazy).validate()
        (problem,) = caught.value.problems
        assert "nested" in problem.message
        assert problem.filter_type == "SOMETHING_NEW"
        place = "symbols[0].filters[2]" if where == "symbol" else "exchangeFilters[0]"
        assert problem.path == place


def test_a_deep_unknown_filter_never_raises_out_of_a_lazy_check() -> None:
    doc = _doc(symbol=[{"filterType": "SOMETHING_NEW", "value": nested(500)}])
    info = filterlib.load_exchange_info(json.dumps(doc).encode(), lazy=True)
    for _ in range(2):  # every check, not only the first
        with pytest.raises(filterlib.SnapshotError, match="nested"):
            filterlib.check(info, order())


def test_a_shallow_unknown_filter_still_loads_and_is_shown_unchecked() -> None:
    doc = _doc(symbol=[{"filterType": "SOMETHING_NEW", "value": nested(8, kind=dict)}])
    info = filterlib.load_exchange_info(doc)
    assert info.unknown_filter_types() == {"SOMETHING_NEW"}
    assert "SOMETHING_NEW" in [u.rule for u in filterlib.check(info, order()).unchecked]


# --- 10: a gzip bomb --------------------------------------------------------------------------

#: One gzip member of 1 MiB of zeros (about 1 KiB); members concatenate into one gzip stream.
_MEMBER = gzip.compress(bytes(MIB))


def _bomb(mib: int) -> bytes:
    return _MEMBER * mib


def _one_member_bomb(mib: int) -> bytes:
    """A single gzip member (one deflate stream) of ``mib`` MiB of spaces."""
    squeeze = zlib.compressobj(1, zlib.DEFLATED, 31)
    chunk = b" " * MIB
    return b"".join([*(squeeze.compress(chunk) for _ in range(mib)), squeeze.flush()])


def _peak_of(call: Any) -> tuple[BaseException | None, int]:
    """Run ``call``; what it raised and the peak bytes it allocated meanwhile."""
    raised: BaseException | None = None
    tracemalloc.start()
    try:
        call()
    except Exception as exc:  # returned to the test, which asserts on it
        raised = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return raised, peak


def test_a_gigabyte_gzip_bomb_is_a_snapshot_error_within_the_default_cap() -> None:
    bomb = _bomb(1024)  # 1 GiB of zeros in about 1 MiB
    raised, peak = _peak_of(lambda: filterlib.load_exchange_info(bomb))
    assert isinstance(raised, filterlib.SnapshotError), raised
    assert "256 MiB" in str(raised)
    assert peak < 300 * MIB  # the cap and a chunk, never the gigabyte


@pytest.mark.parametrize("make", [_bomb, _one_member_bomb])
def test_the_cap_is_enforced_while_decompressing(make: Any) -> None:
    bomb = make(64)
    raised, peak = _peak_of(lambda: filterlib.load_exchange_info(bomb, max_bytes=MIB))
    assert isinstance(raised, filterlib.SnapshotError), raised
    assert "more than 1 MiB" in str(raised)
    assert peak < 8 * MIB


def test_a_bomb_file_is_a_snapshot_error(tmp_path: Path) -> None:
    path = tmp_path / "exchangeInfo.json.gz"
    path.write_bytes(_bomb(8))
    with pytest.raises(filterlib.SnapshotError, match="more than 4 MiB"):
        filterlib.load_exchange_info(path, max_bytes=4 * MIB, lazy=True)


def test_the_cap_counts_the_json_and_is_overridable() -> None:
    data = json.dumps(_doc()).encode()
    for source in (data, gzip.compress(data)):
        with pytest.raises(filterlib.SnapshotError, match="more than"):
            filterlib.load_exchange_info(source, max_bytes=len(data) - 1)
        assert filterlib.load_exchange_info(source, max_bytes=len(data)).symbol(SYMBOL)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "256", True, None])
def test_a_bad_cap_is_a_usage_error(bad: object) -> None:
    with pytest.raises(filterlib.UsageError, match="max_bytes"):
        filterlib.load_exchange_info(b"{}", max_bytes=bad)  # type: ignore[arg-type]


def test_the_shipped_snapshot_is_well_under_the_default_cap() -> None:
    from filterlib.snapshot import DEFAULT_MAX_BYTES, DEFAULT_SNAPSHOT_NAME

    shipped = Path(filterlib.__file__).parent / "data" / f"{DEFAULT_SNAPSHOT_NAME}.json.gz"
    assert len(gzip.decompress(shipped.read_bytes())) * 8 < DEFAULT_MAX_BYTES


# --- 12: a bad order never raises; misuse raises UsageError ----------------------------------

HOSTILE_VALUES = {
    "list 1000 deep": nested(1000),
    "dict 1000 deep": nested(1000, kind=dict),
    "tuple 1000 deep": nested(1000, kind=tuple),
    "a list of a 5000-digit int": [10**5000],
    "a 5000-digit int": 10**5000,
    "a set": {1, 2},
}


@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
@pytest.mark.parametrize("name", ["symbol", "side", "quantity", "price", "newClientOrderId"])
@pytest.mark.parametrize("endpoint", ["/api/v3/order", "/api/v3/orderList/oco"])
def test_a_nested_or_huge_parameter_value_gets_a_rejecting_verdict(
    value: object, name: str, endpoint: str
) -> None:
    info = build_info()
    verdict = filterlib.check(info, order(**{name: value}), endpoint=endpoint)
    assert verdict.error is not None
    assert verdict.to_dict()["code"] == verdict.error.code
    assert filterlib.check_many(info, [order(**{name: value})], endpoint=endpoint) == [verdict]


@pytest.mark.parametrize("key", [nested(1000, kind=tuple), 10**5000], ids=["deep", "huge"])
def test_a_nested_or_huge_parameter_name_gets_a_rejecting_verdict(key: object) -> None:
    verdict = filterlib.check(build_info(), {**order(), key: "1"})  # type: ignore[dict-item]
    assert [v.rule for v in verdict.violations] == ["unread_parameters"]


ODD_ENDPOINTS = {
    "list": ["/api/v3/order"],
    "dict": {},
    "set": set(),
    "None": None,
    "bytes": b"/api/v3/order",
    "tuple 1000 deep": nested(1000, kind=tuple),
    "a 5000-digit int": 10**5000,
}


@pytest.mark.parametrize("endpoint", ODD_ENDPOINTS.values(), ids=ODD_ENDPOINTS.keys())
def test_an_odd_endpoint_is_a_usage_error(endpoint: object) -> None:
    info = build_info()
    with pytest.raises(filterlib.UsageError, match="endpoint"):
        filterlib.check(info, order(), endpoint=endpoint)  # type: ignore[arg-type]
    with pytest.raises(filterlib.UsageError, match="endpoint"):
        filterlib.check_many(info, [order()], endpoint=endpoint)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [v for v in HOSTILE_VALUES.values() if type(v) is not int])
def test_a_nested_or_huge_max_age_is_a_usage_error(value: object) -> None:
    # (a 5000-digit int is a valid, if long, maximum age)
    with pytest.raises(filterlib.UsageError, match="max_age_ms"):
        filterlib.check(build_info(), order(), max_age_ms=value)  # type: ignore[arg-type]


def _context_places(value: object) -> dict[str, dict[Any, object]]:
    """``value`` in each context key, and in each field of the account and open-order bodies."""
    account = full_context()["account"]
    assert isinstance(account, dict)
    places: dict[str, dict[Any, object]] = {
        key: {key: value}
        for key in [*filterlib._context.CONTEXT_KEYS]
        if key not in ("account", "openOrders")
    }
    places["account"] = {"account": value}
    places["openOrders"] = {"openOrders": value}
    for key in ("canTrade", "permissions", "balances"):
        places[f"account.{key}"] = {"account": {**account, key: value}}
    for key in ("asset", "free", "locked"):
        balance = {"asset": "TST", "free": "1", "locked": "0", key: value}
        places[f"balance.{key}"] = {"account": {**account, "balances": [balance]}}
    for key in open_order():
        places[f"openOrders.{key}"] = {"openOrders": [{**open_order(), key: value}]}
    for key in ("orderId", "clientOrderId"):
        places[f"openOrders.{key}"] = {"openOrders": [{**open_order(), key: value}]}
    places["a context key"] = {value: "1"} if isinstance(value, int | tuple) else {}
    return places


#: Places where such a value is no misuse: a long int is an orderId; an object without
#: bidPrice and askPrice is a bookTicker that gives neither (their rules are then unchecked).
READ_AS_GIVEN = {("openOrders.orderId", int), ("bookTicker", dict)}


@pytest.mark.parametrize("value", HOSTILE_VALUES.values(), ids=HOSTILE_VALUES.keys())
def test_a_nested_or_huge_context_value_is_a_context_error(value: object) -> None:
    info = build_info()
    for where, context in _context_places(value).items():
        if not context:
            continue
        if (where, type(value)) in READ_AS_GIVEN:
            assert filterlib.check(info, order(), context=context).ok
            continue
        with pytest.raises(ContextError):
            filterlib.check(info, order(), context=context)
        assert where  # each place in turn: a failure names the context


# --- 13: a missing account or open-order field is never a silent yes -------------------------

MISSING = [
    ("account", "canTrade"),
    ("account", "balances"),
    ("balance", "free"),
    ("balance", "locked"),
    ("openOrders", "origQty"),
    ("openOrders", "executedQty"),
    ("openOrders", "icebergQty"),
]


def _without(body: str, key: str) -> dict[str, object]:
    context = full_context(openOrders=[open_order()])
    account = dict(context["account"])  # type: ignore[call-overload]
    if body == "account":
        del account[key]
    elif body == "balance":
        balances = account["balances"]
        account["balances"] = [{k: v for k, v in b.items() if k != key} for b in balances]
    else:
        context["openOrders"] = [{k: v for k, v in open_order().items() if k != key}]
    context["account"] = account
    return context


@pytest.mark.parametrize(("body", "key"), MISSING)
def test_a_missing_field_is_a_context_error_naming_it(body: str, key: str) -> None:
    with pytest.raises(ContextError, match=key):
        filterlib.check(build_info(), order(), context=_without(body, key))


def test_an_account_without_can_trade_is_not_read_as_can_trade() -> None:
    account = {"balances": [{"asset": "USDT", "free": "100", "locked": "0"}]}
    with pytest.raises(ContextError, match="canTrade"):
        filterlib.check(build_info(), order(), context={"account": account})


def test_optional_fields_may_still_be_left_out() -> None:
    # permissions missing leaves symbol_not_permitted unchecked; ids missing find no order.
    context = _without("account", "permissions")
    context["openOrders"] = [{k: v for k, v in open_order().items() if "rderId" not in k}]
    verdict = filterlib.check(build_info(), order(), context=context)
    assert verdict.ok
    assert [u.rule for u in verdict.decidable_unchecked] == ["symbol_not_permitted"]


# --- 14: a snapshot cannot change under check ------------------------------------------------


def _hand_built() -> tuple[ExchangeInfo, dict[str, SymbolInfo], SymbolInfo]:
    loaded = build_info().symbols[SYMBOL]
    raw = {SYMBOL: loaded}
    info = ExchangeInfo(None, None, (), (), raw)
    assert filterlib.check(info, order()).ok  # compiled and learned by the fast path
    return info, raw, loaded


def _tight(symbol: SymbolInfo) -> list[Any]:
    """``symbol``'s filters with a LOT_SIZE that refuses order()'s quantity of 1."""
    return [
        attrs.evolve(f, min_qty=f.min_qty * 10) if isinstance(f, LotSize) else f
        for f in symbol.filters
    ]


def test_a_hand_built_snapshot_does_not_follow_its_callers_dict() -> None:
    info, raw, loaded = _hand_built()
    raw[SYMBOL] = attrs.evolve(loaded, filters=tuple(_tight(loaded)))
    fresh = ExchangeInfo(None, None, (), (), dict(info.symbols))
    assert filterlib.check(info, order()) == filterlib.check(fresh, order())
    assert info.symbol(SYMBOL) is loaded


def test_a_snapshots_symbols_cannot_be_changed() -> None:
    info, _, loaded = _hand_built()
    with pytest.raises(TypeError):
        info.symbols[SYMBOL] = attrs.evolve(loaded, status="BREAK")  # type: ignore[index]


def test_a_hand_built_symbol_does_not_follow_its_callers_lists_and_sets() -> None:
    loaded = build_info().symbols[SYMBOL]
    filters, types = list(loaded.filters), set(loaded.order_types)
    symbol = attrs.evolve(loaded, filters=filters, order_types=types)
    info = ExchangeInfo(None, None, (), [], {SYMBOL: symbol})
    assert filterlib.check(info, order()).ok
    filters[:] = _tight(loaded)
    types.discard("LIMIT")
    assert filterlib.check(info, order()).ok
    assert symbol.filters == loaded.filters
    assert symbol.order_types == loaded.order_types
    assert isinstance(info.exchange_filters, tuple)
