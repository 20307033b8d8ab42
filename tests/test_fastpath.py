"""The fast path answers exactly as the full engine, on every case and on generated orders."""

from __future__ import annotations

import json
import random
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest

import filterlib
from filterlib import engine, fastpath
from filterlib.context import as_context
from filterlib.decimals import CONTEXT
from filterlib.endpoints import ENDPOINTS
from filterlib.filters import LotSize, PriceFilter

ROOT = Path(__file__).resolve().parent.parent
INFO = filterlib.load_default_exchange_info()


def full(info: filterlib.ExchangeInfo, params: Any, endpoint: str, context: Any) -> dict[str, Any]:
    """The full engine's answer, never through the fast path."""
    with localcontext(CONTEXT):
        verdict = engine._check(info, params, ENDPOINTS[endpoint], as_context(context))
    return verdict.to_dict()


def _cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted((ROOT / "fixtures" / "cases").glob("*.json")):
        cases += [
            c
            for c in json.loads(path.read_text(encoding="utf-8"))["cases"]
            if c["snapshot"] == "spot_full_2023-08-13_swapland"
        ]
    return cases


def test_every_conformance_case_on_the_shipped_snapshot_agrees_both_ways() -> None:
    cases = _cases()
    assert len(cases) > 100
    for _ in range(2):  # the second round meets a warm cache
        for case in cases:
            endpoint = case.get("endpoint", "/api/v3/order")
            params, context = case["params"], case.get("context")
            got = filterlib.check(INFO, params, endpoint=endpoint, context=context).to_dict()
            assert got == full(INFO, params, endpoint, context), case["id"]


def _text(value: Decimal) -> str:
    return format(value, "f")


def _orders(seed: int, n: int) -> list[tuple[dict[str, Any], Any]]:
    """LIMIT orders on and off every grid and bound, with contexts of every shape."""
    rng = random.Random(seed)
    names = [s for s, i in INFO.symbols.items() if i.status == "TRADING"][:300]
    out: list[tuple[dict[str, Any], Any]] = []
    for _ in range(n):
        s = INFO.symbols[rng.choice(names)]
        pf, lot = s.filter("PRICE_FILTER"), s.filter("LOT_SIZE")
        assert isinstance(pf, PriceFilter)
        assert isinstance(lot, LotSize)
        tick = pf.tick_size or Decimal("0.01")
        step = lot.step_size or Decimal("0.001")
        price = pf.min_price + tick * rng.choice([0, 1, 7, 100, 10**4, 10**6, 10**9])
        qty = lot.min_qty + step * rng.choice([-1, 0, 1, 3, 1000, 10**6])
        price += rng.choice([Decimal(0), Decimal(0), tick / 2])
        qty += rng.choice([Decimal(0), Decimal(0), step / 3])
        avg = price * Decimal(rng.choice(["1", "0.1", "10", "1.05", "0.95", "3"]))
        params: dict[str, Any] = {
            "symbol": s.symbol,
            "side": rng.choice(["BUY", "SELL"]),
            "type": "LIMIT",
            "timeInForce": rng.choice(["GTC", "IOC", "FOK"]),
            "quantity": _text(qty) + rng.choice(["", "", "0"]),
            "price": _text(price),
        }
        if rng.random() < 0.2:
            params["newClientOrderId"] = rng.choice(["abc-1", "bad id", ""])
        if rng.random() < 0.2:
            params["recvWindow"] = rng.choice(["5000", "60001", "x"])
        context = rng.choice(
            [
                None,
                {"avgPrice": _text(avg)},
                {"avgPrice": {"mins": 5, "price": _text(avg)}},
                {"lastPrice": {"symbol": s.symbol, "price": _text(avg)}},
                {"referencePrice": {"referencePrice": None}, "avgPrice": _text(avg)},
                {"referencePrice": _text(avg), "avgPrice": "1"},
                {"avgPrice": 5},
                {"bidPrice": _text(avg)},
            ]
        )
        out.append((params, context))
    return out


OLD = ROOT / "fixtures" / "snapshots" / "spot_full_2022-11-28_old_min_notional_sm2a.json.gz"


@pytest.mark.parametrize(("seed", "snapshot"), [(1, None), (2, None), (3, OLD)])
def test_generated_limit_orders_agree_both_ways(seed: int, snapshot: Path | None) -> None:
    # The 2022 snapshot has PERCENT_PRICE and MIN_NOTIONAL where 2023 has their successors.
    info = INFO if snapshot is None else filterlib.load_exchange_info(snapshot)
    outcomes = set()
    for params, context in _orders(seed, 3000):
        if params["symbol"] not in info.symbols:
            continue
        for endpoint in ("/api/v3/order", "/api/v3/order/test"):
            got = filterlib.check(info, params, endpoint=endpoint, context=context).to_dict()
            assert got == full(info, params, endpoint, context), (params, context)
            outcomes.add(got["ok"])
    assert outcomes == {True, False}


def test_a_proven_order_skips_the_full_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    params = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.00100",
        "price": "30000.00",
    }
    context = {"avgPrice": "30000.00"}
    first = filterlib.check(INFO, params, context=context)  # learns the passing verdict
    assert first.ok

    def no_full_engine(*args: object) -> None:
        raise AssertionError("the full engine ran")

    monkeypatch.setattr(engine, "_check", no_full_engine)
    assert filterlib.check(INFO, {**params, "price": "30000.01"}, context=context) == first
    off_tick = filterlib.check(INFO, {**params, "price": "30000.001"}, context=context)
    assert off_tick.error is not None
    assert off_tick.error.msg == "Filter failure: PRICE_FILTER"
    assert off_tick.unchecked == first.unchecked


def test_the_fast_path_ignores_the_callers_decimal_context() -> None:
    params = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.12345",
        "price": "30000.01",
    }
    expected = full(INFO, params, "/api/v3/order", None)
    with localcontext() as ctx:
        ctx.prec = 2
        for _ in range(2):
            assert filterlib.check(INFO, params).to_dict() == expected


def test_a_failure_found_fast_reads_pickles_and_compares_as_the_full_answer() -> None:
    import pickle

    params = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.00100",
        "price": "30000.00",
    }
    assert filterlib.check(INFO, params).ok  # learns the key
    off_step = {**params, "quantity": "0.001005"}
    verdict = filterlib.check(INFO, off_step)
    assert verdict.error is not None
    assert verdict.error.msg == "Filter failure: LOT_SIZE"
    again = pickle.loads(pickle.dumps(verdict))
    assert again == verdict
    assert again.to_dict() == full(INFO, off_step, "/api/v3/order", None)
    assert verdict.violations[0].nearest == ("0.00100000", "0.00101000")


_NOTIONAL = {
    "minNotional": "5",
    "applyMinToMarket": True,
    "maxNotional": "500",
    "applyMaxToMarket": False,
    "avgPriceMins": 5,
}
_BY_SIDE = {
    "bidMultiplierUp": "1.1",
    "bidMultiplierDown": "0.9",
    "askMultiplierUp": "1.2",
    "askMultiplierDown": "0.8",
    "avgPriceMins": 5,
}
#: Symbol shapes beyond the shipped snapshot's: every bound set, and zero (disabled) bounds or a
#: maximum above MAX_DECIMAL, which the integer grid must read as no bound and as MAX_DECIMAL.
SHAPES: dict[str, dict[str, Any]] = {
    "grid": {"filters": {"NOTIONAL": _NOTIONAL, "PERCENT_PRICE_BY_SIDE": _BY_SIDE}},
    "no max price": {"filters": {"PRICE_FILTER": {"maxPrice": "0"}, "NOTIONAL": _NOTIONAL}},
    "no tick": {"filters": {"PRICE_FILTER": {"tickSize": "0"}}},
    "no lot bounds": {"filters": {"LOT_SIZE": {"minQty": "0", "maxQty": "0", "stepSize": "0"}}},
    "huge max qty": {"filters": {"LOT_SIZE": {"maxQty": "92233720369"}}},
    "both notionals and bands": {
        "filters": {
            "MIN_NOTIONAL": {"minNotional": "2", "applyToMarket": True, "avgPriceMins": 5},
            "NOTIONAL": {**_NOTIONAL, "maxNotional": "0"},
            "PERCENT_PRICE": {"multiplierUp": "5", "multiplierDown": "0.2", "avgPriceMins": 0},
            "PERCENT_PRICE_BY_SIDE": _BY_SIDE,
        }
    },
    "few decimals": {
        "filters": {
            "PRICE_FILTER": {"minPrice": "0.5", "maxPrice": "100000", "tickSize": "0.5"},
            "LOT_SIZE": {"minQty": "1", "maxQty": "1000", "stepSize": "1"},
            # More decimals than price and quantity have between them: the bound is rounded up.
            "NOTIONAL": {**_NOTIONAL, "minNotional": "5.001"},
        },
        "baseAssetPrecision": 0,
        "quoteAssetPrecision": 2,
    },
    "band bounds between ticks": {
        "filters": {
            "PRICE_FILTER": {"minPrice": "0.01", "maxPrice": "100000", "tickSize": "0.01"},
            "PERCENT_PRICE_BY_SIDE": _BY_SIDE,
        },
        "quoteAssetPrecision": 2,
    },
}
EDGE_PRICES = [
    "5",
    "8.18",
    "10",
    "10.00",
    "10.005",
    "0.01",
    "0.001",
    "0",
    "100000",
    "100000.01",
    "9.5",
    "92233720368.54775808",
    "12.0000000",
]
EDGE_QUANTITIES = [
    "1",
    "0.001",
    "0.0005",
    "0",
    "1000",
    "1000.001",
    "2.5",
    "1.00000000",
    "92233720369",
]
EDGE_CONTEXTS: list[Any] = [
    None,
    {"avgPrice": "10"},
    {"avgPrice": {"mins": 5, "price": "10.00000000"}},
    {"avgPrice": "9.0909", "lastPrice": "50"},
    {"lastPrice": {"symbol": "TSTUSDT", "price": "2"}},
    {"referencePrice": "11", "avgPrice": "10"},
]


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_symbol_shape_agrees_both_ways_on_edges(shape: str) -> None:
    from conftest import build_info, order

    spec = SHAPES[shape]
    fields = {k: v for k, v in spec.items() if k != "filters"}
    info = build_info(spec["filters"], **fields)
    answered = 0
    for context in EDGE_CONTEXTS:
        for side in ("BUY", "SELL"):
            for price in EDGE_PRICES:
                for quantity in EDGE_QUANTITIES:
                    params = order(side=side, price=price, quantity=quantity)
                    for _ in range(2):  # the first call may teach the fast path the key
                        got = filterlib.check(info, params, context=context).to_dict()
                    assert got == full(info, params, "/api/v3/order", context), (params, context)
                    if isinstance(
                        fastpath.fast_check(info, params, "/api/v3/order", context),
                        filterlib.Verdict,
                    ):
                        answered += 1
    assert answered > 100  # the fast path judged these orders, not only the full engine
