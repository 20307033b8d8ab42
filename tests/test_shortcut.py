"""The engine's short cut answers exactly as the full rule run, on every conformance case and on
generated orders: the same verdicts, violations included."""

from __future__ import annotations

import json
import random
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest
from conftest import BTC_LIMIT
from hypothesis import given, settings
from hypothesis import strategies as st
from test_conformance import as_of, case_files

import filterlib
from filterlib import _engine as engine
from filterlib._context import as_context
from filterlib._dates import resolve_as_of
from filterlib._decimals import CONTEXT
from filterlib._endpoints import ENDPOINTS
from filterlib.filters import LotSize, PriceFilter

ROOT = Path(__file__).resolve().parent.parent
INFO = filterlib.load_default_exchange_info()


def short_cut(info: filterlib.ExchangeInfo, params: Any, endpoint: str, context: Any) -> Any:
    """The short cut alone: a Verdict, a key to learn, or None (the full rule run's)."""
    prices = engine.where(endpoint, context)
    return None if prices is None else engine.judge(info, params, prices)


def full(
    info: filterlib.ExchangeInfo, params: Any, endpoint: str, context: Any, as_of: Any = None
) -> dict[str, Any]:
    """The full rule run's answer, never through the short cut, on the snapshot's day (or
    ``as_of``), as check() answers."""
    day = resolve_as_of(as_of, info.server_time)
    with localcontext(CONTEXT):
        verdict = engine._check(info, params, ENDPOINTS[endpoint], as_context(context), day)
    return verdict.to_dict()


def _cases() -> list[dict[str, Any]]:
    cases = []
    for path in case_files():
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
            params, context, day = case["params"], case.get("context"), as_of(case)
            got = filterlib.check(INFO, params, endpoint=endpoint, context=context, as_of=day)
            assert got.to_dict() == full(INFO, params, endpoint, context, day), case["id"]


def _text(value: Decimal) -> str:
    return format(value, "f")


def _orders(
    seed: int, n: int, info: filterlib.ExchangeInfo = INFO
) -> list[tuple[dict[str, Any], Any]]:
    """LIMIT orders on and off every grid and bound, with contexts of every shape, over the
    first 300 TRADING symbols of ``info``."""
    rng = random.Random(seed)
    names = [s for s, i in info.symbols.items() if i.status == "TRADING"][:300]
    out: list[tuple[dict[str, Any], Any]] = []
    for _ in range(n):
        s = info.symbols[rng.choice(names)]
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
    params = dict(BTC_LIMIT)
    context = {"avgPrice": "30000.00"}
    first = filterlib.check(INFO, params, context=context)  # learns the passing verdict
    assert first.ok

    def no_full_engine(*args: object) -> None:
        raise AssertionError("the full rule run ran")

    monkeypatch.setattr(engine, "_check", no_full_engine)
    assert filterlib.check(INFO, {**params, "price": "30000.01"}, context=context) == first
    off_tick = filterlib.check(INFO, {**params, "price": "30000.001"}, context=context)
    assert off_tick.error is not None
    assert off_tick.error.msg == "Filter failure: PRICE_FILTER"
    assert off_tick.unchecked == first.unchecked


def test_the_short_cut_ignores_the_callers_decimal_context() -> None:
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


def test_a_failure_found_by_the_short_cut_reads_pickles_and_compares_as_the_full_answer() -> None:
    import pickle

    params = dict(BTC_LIMIT)
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
                    for _ in range(2):  # the first call may teach the short cut the key
                        got = filterlib.check(info, params, context=context).to_dict()
                    assert got == full(info, params, "/api/v3/order", context), (params, context)
                    if isinstance(
                        short_cut(info, params, "/api/v3/order", context),
                        filterlib.Verdict,
                    ):
                        answered += 1
    assert answered > 100  # the short cut judged these orders, not only the full rule run


#: A second, tighter copy of a filter type. Binance sends one of each; a snapshot that repeats
#: one is loaded as it is, and the engine runs every copy.
REPEATED: dict[str, dict[str, Any]] = {
    "PRICE_FILTER": {"minPrice": "9.00000000", "maxPrice": "11.00000000", "tickSize": "0.5"},
    "LOT_SIZE": {"minQty": "5.00000000", "maxQty": "10.00000000", "stepSize": "1.00000000"},
    "NOTIONAL": {**_NOTIONAL, "minNotional": "50"},
}


@pytest.mark.parametrize("filter_type", list(REPEATED))
def test_a_repeated_filter_type_gets_the_full_engines_answer(filter_type: str) -> None:
    from conftest import order, symbol_dict

    entry = symbol_dict({"NOTIONAL": _NOTIONAL})
    entry["filters"].append({"filterType": filter_type, **REPEATED[filter_type]})
    info = filterlib.load_exchange_info(
        {"timezone": "UTC", "rateLimits": [], "exchangeFilters": [], "symbols": [entry]}
    )
    outcomes = set()
    for price in [*EDGE_PRICES, "10.25"]:  # off the second copy's tick only
        for quantity in [*EDGE_QUANTITIES, "6"]:  # 6 x 10 passes every copy
            params = order(price=price, quantity=quantity)
            for _ in range(2):  # the first call may teach the short cut the key
                got = filterlib.check(info, params).to_dict()
            assert got == full(info, params, "/api/v3/order", None), params
            outcomes.add(got["ok"])
    assert outcomes == {True, False}


#: Texts around Binance's legal decimal pattern, [0-9]{1,20}(\.[0-9]{1,20})?, which the fast
#: path reads with string methods instead of a regular expression: each must get the full
#: engine's answer (-1100 for an illegal text, -1111 for too many decimals, or a filter's).
ODD_TEXTS = [
    "1.",
    ".5",
    "1.2.3",
    "+1",
    "-1",
    " 1",
    "1 ",
    "1e5",
    "1E-2",
    "",
    ".",
    "0x10",
    "1_000",
    "\u0661\u0662",  # Arabic-Indic digits: isdigit() says yes, Binance says no
    "\u00b2",  # superscript two: isdigit() says yes
    "\uff11\uff12",  # fullwidth digits
    "12345678901234567890",
    "123456789012345678901",
    "1.12345678901234567890",
    "1.123456789012345678901",
    "00010.50",
    "0.000000001",
    "10.00000000",
    "10.000000000",
    "5.5",
    "10.001",
    "1.05",
    "1" * 5000,  # beyond int()'s 4,300 digits
    "1." + "0" * 5000,
]


@pytest.mark.parametrize("field", ["price", "quantity"])
def test_odd_wire_texts_get_the_full_engines_answer(field: str) -> None:
    from conftest import build_info, order

    info = build_info(
        {"LOT_SIZE": {"minQty": "0.1", "maxQty": "100000000000", "stepSize": "0.1"}},
        baseAssetPrecision=8,
        quoteAssetPrecision=8,
    )
    assert filterlib.check(info, order(price="10.00", quantity="1.0")).ok  # teaches the key
    codes = set()
    for text in ODD_TEXTS:
        params = {**order(price="10.00", quantity="1.0"), field: text}
        got = filterlib.check(info, params).to_dict()
        assert got == full(info, params, "/api/v3/order", None), text
        codes.add(got["code"])
    # Illegal texts, too many decimals, too large, a filter failure, and texts that pass.
    assert {-1100, -1111, -1108, -1013, None} <= codes


BATCH_CONTEXTS: list[Any] = [
    None,
    {"avgPrice": "1.5"},
    {"avgPrice": {"mins": 5, "price": "30000.00"}},
    {"lastPrice": "2", "referencePrice": {"referencePrice": None}},
    {"referencePrice": "0.5", "avgPrice": "1"},
    {"avgPrice": "1", "serverTime": 1_700_000_000_000},  # not the short cut's: a warning
]


@pytest.mark.parametrize("context", BATCH_CONTEXTS, ids=range(len(BATCH_CONTEXTS)))
def test_check_many_answers_as_check_in_a_loop(context: Any) -> None:
    # A fresh snapshot, so the batch itself teaches the short cut its keys.
    info = filterlib.load_default_exchange_info()
    orders = [params for params, _ in _orders(7, 600)]
    orders += [{**orders[0], "type": "MARKET"}, {**orders[1], "side": "sell"}, {}]
    orders += [{**orders[2], "price": text} for text in ODD_TEXTS]
    for endpoint in ("/api/v3/order", "/api/v3/order/test", "/api/v3/sor/order"):
        many = filterlib.check_many(info, orders, endpoint=endpoint, context=context)
        one_by_one = [
            filterlib.check(info, params, endpoint=endpoint, context=context) for params in orders
        ]
        assert [v.to_dict() for v in many] == [v.to_dict() for v in one_by_one]
        assert {v.ok for v in many} == {True, False}


def test_check_many_reads_each_orders_side() -> None:
    from conftest import build_info, order

    # Bid and ask bands differ (x1.1 and x1.2 above avgPrice 10): a price of 11.5 is a valid
    # SELL and a PERCENT_PRICE_BY_SIDE failure as a BUY.
    info = build_info(SHAPES["grid"]["filters"])
    orders = [
        order(side=side, price=price, quantity="1")
        for price in ("8.00", "9.50", "10.00", "11.50", "12.50")
        for side in ("BUY", "SELL", "SELL", "BUY")
    ]
    context = {"avgPrice": "10"}
    filterlib.check_many(info, orders, context=context)  # teaches the short cut both sides
    prices = engine.where("/api/v3/order", context)
    assert prices is not None
    assert all(isinstance(engine.judge(info, o, prices), filterlib.Verdict) for o in orders)
    many = [v.to_dict() for v in filterlib.check_many(info, orders, context=context)]
    assert many == [full(info, params, "/api/v3/order", context) for params in orders]
    rules = {
        (o["side"], o["price"]): v["violations"][0]["rule"] if v["violations"] else None
        for o, v in zip(orders, many, strict=True)
    }
    assert rules[("SELL", "11.50")] is None
    assert rules[("BUY", "11.50")] == "PERCENT_PRICE_BY_SIDE"


def test_check_many_refuses_misuse_before_the_first_order() -> None:
    def never() -> Any:
        raise AssertionError("an order was read")
        yield {}

    with pytest.raises(filterlib.UsageError, match="ExchangeInfo"):
        filterlib.check_many({"symbols": []}, never())  # type: ignore[arg-type]
    with pytest.raises(filterlib.UsageError, match="max_age_ms"):
        filterlib.check_many(INFO, never(), max_age_ms=0)
    with pytest.raises(filterlib.ContextError):
        filterlib.check_many(INFO, never(), context={"avgPrice": "-1"})
    with pytest.raises(filterlib.UsageError, match="mapping"):
        filterlib.check_many(INFO, [{"symbol": "BTCUSDT"}, "not an order"])  # type: ignore[list-item]


@pytest.mark.parametrize("value", [["GTC"], {"x": 1}, {"GTC"}, 1.5, None, b"GTC"])
def test_any_value_of_any_parameter_gets_the_full_engines_answer(value: Any) -> None:
    params = dict(BTC_LIMIT)
    assert filterlib.check(INFO, params).ok  # the short cut has learned the key
    for name in params:
        odd = {**params, name: value}
        expected = full(INFO, odd, "/api/v3/order", None)
        assert filterlib.check(INFO, odd).to_dict() == expected, name
        assert [v.to_dict() for v in filterlib.check_many(INFO, [params, odd])] == [
            filterlib.check(INFO, params).to_dict(),
            expected,
        ], name


_PRICE_VALUES = st.one_of(
    st.none(),
    st.sampled_from(["1", "0", "0.5", "30000.00", "1.", ".5", "-1", "1e3", "\u0661", ""]),
    st.text(max_size=8),
    st.integers(),
    st.decimals(allow_nan=True),
)
_CONTEXTS = st.dictionaries(
    st.sampled_from(["avgPrice", "lastPrice", "referencePrice", "bidPrice", "serverTime", "x"]),
    _PRICE_VALUES
    | st.dictionaries(
        st.sampled_from(["price", "mins", "referencePrice", "symbol", "closeTime"]), _PRICE_VALUES
    ),
    max_size=3,
)


@settings(max_examples=400, deadline=None)
@given(_CONTEXTS, st.sampled_from(["/api/v3/order", "/api/v3/order/test"]))
def test_a_context_the_short_cut_reads_is_one_the_engine_accepts(
    context: dict[str, Any], endpoint: str
) -> None:
    # check() and check_many() skip as_context's validation when the short cut reads the
    # context; so where() may accept only contexts as_context accepts, with the same prices.
    prices = engine.where(endpoint, context)
    if prices is not None:
        parsed = as_context(context)
        reference, average, last, _ = prices
        for text, value in (
            (reference, parsed.reference_price),
            (average, parsed.avg_price),
            (last, parsed.last_price),
        ):
            assert (None if text is None else Decimal(text)) == value


_BOUNDS = st.sampled_from(
    ["0", "0.001", "0.01", "0.5", "1", "5", "10", "10.5", "1000", "92233720369"]
)
_MULTIPLIERS = st.sampled_from(["0.2", "0.8", "0.95", "1", "1.05", "1.2", "5"])
_FILTERS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "PRICE_FILTER": st.fixed_dictionaries(
        {"minPrice": _BOUNDS, "maxPrice": _BOUNDS, "tickSize": _BOUNDS}
    ),
    "LOT_SIZE": st.fixed_dictionaries({"minQty": _BOUNDS, "maxQty": _BOUNDS, "stepSize": _BOUNDS}),
    "NOTIONAL": st.fixed_dictionaries(
        {
            "minNotional": _BOUNDS,
            "applyMinToMarket": st.booleans(),
            "maxNotional": _BOUNDS,
            "applyMaxToMarket": st.booleans(),
            "avgPriceMins": st.sampled_from([0, 5]),
        }
    ),
    "MIN_NOTIONAL": st.fixed_dictionaries(
        {
            "minNotional": _BOUNDS,
            "applyToMarket": st.booleans(),
            "avgPriceMins": st.sampled_from([0, 5]),
        }
    ),
    "PERCENT_PRICE": st.fixed_dictionaries(
        {
            "multiplierUp": _MULTIPLIERS,
            "multiplierDown": _MULTIPLIERS,
            "avgPriceMins": st.sampled_from([0, 5]),
        }
    ),
    "PERCENT_PRICE_BY_SIDE": st.fixed_dictionaries(
        {
            "bidMultiplierUp": _MULTIPLIERS,
            "bidMultiplierDown": _MULTIPLIERS,
            "askMultiplierUp": _MULTIPLIERS,
            "askMultiplierDown": _MULTIPLIERS,
            "avgPriceMins": st.sampled_from([0, 5]),
        }
    ),
}
#: Filters a LIMIT order does not fail here but whose rules may be left unchecked (the
#: learned verdict carries them), and a type filterlib does not know.
_OTHER_FILTERS: list[dict[str, Any]] = [
    {"filterType": "ICEBERG_PARTS", "limit": 10},
    {"filterType": "MARKET_LOT_SIZE", "minQty": "0", "maxQty": "100", "stepSize": "0"},
    {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
    {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
    {"filterType": "MAX_POSITION", "maxPosition": "10"},
    {
        "filterType": "TRAILING_DELTA",
        "minTrailingAboveDelta": 10,
        "maxTrailingAboveDelta": 2000,
        "minTrailingBelowDelta": 10,
        "maxTrailingBelowDelta": 2000,
    },
    {"filterType": "NEW_FILTER_TYPE", "someBound": "1"},
]
#: Any set of the filters the short cut compiles, in any order, a type sometimes repeated,
#: among others.
_SYMBOL_FILTERS = st.lists(
    st.sampled_from(sorted(_FILTERS)).flatmap(
        lambda t: _FILTERS[t].map(lambda body: {"filterType": t, **body})
    )
    | st.sampled_from(_OTHER_FILTERS),
    max_size=8,
)
_WIRE = st.sampled_from(
    ["0", "0.001", "0.0015", "0.5", "1", "1.00", "5", "9.99", "10", "10.5", "10.25", "999", "1000"]
)


#: Symbol fields the symbol rules and the short cut's eligibility read (None: not in the
#: snapshot, as in one that predates the field).
_SYMBOL_FIELDS = st.fixed_dictionaries(
    {
        "baseAssetPrecision": st.sampled_from([0, 2, 8]),
        "quoteAssetPrecision": st.sampled_from([0, 2, 8]),
        "status": st.sampled_from(["TRADING", "TRADING", "BREAK", "HALT"]),
        "orderTypes": st.sampled_from([["LIMIT", "MARKET"], ["MARKET"], ["LIMIT_MAKER"]]),
        "isSpotTradingAllowed": st.booleans(),
        "defaultSelfTradePreventionMode": st.sampled_from(["EXPIRE_MAKER", "NONE", None]),
        "allowedSelfTradePreventionModes": st.sampled_from(
            [["NONE", "EXPIRE_MAKER"], ["EXPIRE_TAKER"], None]
        ),
    }
)


@settings(max_examples=300, deadline=None)
@given(
    _SYMBOL_FILTERS,
    _SYMBOL_FIELDS,
    st.lists(st.tuples(st.sampled_from(["BUY", "SELL"]), _WIRE, _WIRE), min_size=1, max_size=8),
    st.sampled_from(EDGE_CONTEXTS),
    st.sampled_from(["/api/v3/order", "/api/v3/order/test"]),
)
def test_any_symbol_of_the_compiled_filters_gets_the_full_engines_answer(
    filters: list[dict[str, Any]],
    fields: dict[str, Any],
    orders: list[tuple[str, str, str]],
    context: Any,
    endpoint: str,
) -> None:
    # Generated symbols, beyond SHAPES: any mix of the filters the grid compiles, bounds that
    # are zero, inverted or above MAX_DECIMAL, repeated types, any precision, and the symbol
    # fields that decide whether the short cut takes the symbol at all. Each order is checked
    # twice (the first call may teach the short cut its key), then by the full rule run.
    from conftest import order, symbol_dict

    entry = symbol_dict(**fields)
    entry["filters"] = filters
    try:
        info = filterlib.load_exchange_info(
            {"timezone": "UTC", "rateLimits": [], "exchangeFilters": [], "symbols": [entry]}
        )
    except filterlib.SnapshotError:
        return  # the loader refuses the shape: nothing to check orders against
    for side, price, quantity in orders:
        params = order(side=side, price=price, quantity=quantity)
        for _ in range(2):
            got = filterlib.check(info, params, endpoint=endpoint, context=context).to_dict()
        assert got == full(info, params, endpoint, context), (params, context)


#: Optional parameters of POST /api/v3/order by whether they can change a plain LIMIT order's
#: verdict beyond their own grammar (the short cut reads the first kind itself).
_PLAIN_OPTIONAL = {
    "newClientOrderId": ("my-order_1", "bad id"),
    "strategyId": ("42", "x"),
    "newOrderRespType": ("FULL", "FASTEST"),
    "recvWindow": ("5000", "60001"),
    "timestamp": ("1700000000000", "soon"),
    "signature": ("abc", ""),
}
_NOT_PLAIN = {
    "selfTradePreventionMode": "EXPIRE_BOTH",
    "stopPrice": "29000",
    "trailingDelta": "100",
    "icebergQty": "0.0001",
    "strategyType": "1000000",
    "quoteOrderQty": "30",
    "pegPriceType": "PRIMARY_PEG",
}


def test_the_short_cut_reads_the_plain_optional_parameters_and_leaves_the_rest() -> None:
    params = dict(BTC_LIMIT)
    assert filterlib.check(INFO, params).ok  # learns the key
    prices = engine.ORDER_NO_CONTEXT
    for name, (good, bad) in _PLAIN_OPTIONAL.items():
        for value in (good, bad):
            odd = {**params, name: value}
            for _ in range(2):  # a newClientOrderId is another key: the first call teaches it
                got = filterlib.check(INFO, odd)
            assert got.to_dict() == full(INFO, odd, "/api/v3/order", None), (name, value)
        answered = engine.judge(INFO, {**params, name: good}, prices)
        assert isinstance(answered, filterlib.Verdict), name
        assert engine.judge(INFO, {**params, name: bad}, prices) is None, name
    for name, value in _NOT_PLAIN.items():
        odd = {**params, name: value}
        assert engine.judge(INFO, odd, prices) is None, name
        assert filterlib.check(INFO, odd).to_dict() == full(INFO, odd, "/api/v3/order", None)
