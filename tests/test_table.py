"""check_table answers every row as check() answers it: on generated tables, on every conformance
case, on orders over real snapshots, in every kind of table; and its own edges (the 128-bit
notional, the rows it leaves to check(), the context columns, the opt-in columns)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")
pytest.importorskip("numpy")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_conformance import CASES, as_of, snapshot  # noqa: E402
from test_shortcut import _orders  # noqa: E402

import filterlib  # noqa: E402
from filterlib import check_table  # noqa: E402
from filterlib.strategies import invalid_orders, valid_orders  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "fixtures" / "snapshots"
INFO = filterlib.load_default_exchange_info()
BTC = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.00100000",
    "price": "30000.00",
}


def answer(verdict: filterlib.Verdict) -> tuple[bool, int | None, str | None, str | None]:
    """What check_table's four columns must hold for a row check() answers with ``verdict``."""
    error = verdict.error
    if error is None:
        return (True, None, None, None)
    return (False, error.code, error.msg, verdict.violations[0].rule)


def rows_of(result: Any) -> list[tuple[Any, ...]]:
    return list(
        zip(
            *(result.column(name).to_pylist() for name in ("ok", "code", "msg", "rule")),
            strict=True,
        )
    )


def table_of(rows: list[dict[str, Any]]) -> Any:
    """The rows as a table of string columns, a missing key a null cell."""
    names = sorted({name for row in rows for name in row})
    return pa.table(
        {name: pa.array([row.get(name) for row in rows], pa.string()) for name in names}
    )


def agree(
    info: filterlib.ExchangeInfo,
    rows: list[dict[str, Any]],
    *,
    endpoint: str = "/api/v3/order",
    context: Any = None,
    as_of: Any = None,
    table: Any = None,
    contexts: list[Any] | None = None,
) -> list[tuple[Any, ...]]:
    """check_table over ``rows`` gives check()'s answer for each (``contexts``: each row's own
    context, when the table carries context columns); the answers."""
    result = check_table(
        info,
        table if table is not None else table_of(rows),
        endpoint=endpoint,
        context=context,
        as_of=as_of,
    )
    got = rows_of(result)
    assert len(got) == len(rows)
    for i, row in enumerate(rows):
        own = contexts[i] if contexts is not None else context
        want = answer(filterlib.check(info, row, endpoint=endpoint, context=own, as_of=as_of))
        assert got[i] == want, (i, row, own)
    return got


# --- Differential: generated orders, real snapshots ------------------------------------------


REAL = [
    None,  # the shipped snapshot, 2023-08-13
    SNAPSHOTS / "spot_full_2022-11-28_old_min_notional_sm2a.json.gz",
    SNAPSHOTS / "spot_full_2023-04-14_mixed_min_notional_notional_sm2a.json.gz",
    SNAPSHOTS / "spot_trading_only_2024-09-08_davijr.json.gz",
    SNAPSHOTS / "spot_4symbols_2026-09-25_ai-trade-agent.json",
    SNAPSHOTS / "spot_full_2020-11-01_legacy_cryptograph.json.gz",
]


@pytest.mark.parametrize("path", REAL, ids=lambda p: "shipped" if p is None else p.name)
def test_orders_over_real_snapshots_agree_with_check(path: Path | None) -> None:
    info = INFO if path is None else filterlib.load_exchange_info(path)
    by_context: dict[str, list[dict[str, Any]]] = defaultdict(list)
    contexts: dict[str, Any] = {}
    for params, context in _orders(7, 4000, info):
        key = json.dumps(context, sort_keys=True)
        contexts[key] = context
        by_context[key].append(params)
    outcomes: set[Any] = set()
    for key, rows in by_context.items():
        for endpoint in ("/api/v3/order", "/api/v3/order/test"):
            # A context check() refuses is refused for the table too (check raises).
            try:
                got = agree(info, rows, endpoint=endpoint, context=contexts[key])
            except filterlib.UsageError:
                with pytest.raises(filterlib.UsageError):
                    filterlib.check(info, rows[0], endpoint=endpoint, context=contexts[key])
                continue
            outcomes.update(g[3] for g in got)
    # Passes, and failures of the filters the columns decide.
    assert None in outcomes
    assert len(outcomes & {"PRICE_FILTER", "LOT_SIZE", "NOTIONAL", "MIN_NOTIONAL"}) >= 2


def test_the_columns_decide_the_plain_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain LIMIT rows are decided on columns: check() runs once per symbol, side and context
    (to learn the rules left unchecked), not once per row."""
    from filterlib import _table

    rows = [dict(BTC, price=f"{30000 + k}.00") for k in range(500)]
    rows += [dict(BTC, side="SELL", quantity="0.0000001") for _ in range(500)]
    calls = []
    real = filterlib.check

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(_table, "check", counted)
    got = rows_of(check_table(INFO, table_of(rows)))
    assert len(calls) <= 2
    assert got[0] == (True, None, None, None)
    assert got[-1] == (False, -1013, "Filter failure: LOT_SIZE", "LOT_SIZE")


# --- Property: generated tables ----------------------------------------------------------------

_SYMBOLS = ["BTCUSDT", "ETHBTC", "BNBUSDT", "XRPUSDT", "LTCBTC", "NOPEUSDT"]
_BREAK = [name for name, s in INFO.symbols.items() if s.status != "TRADING"][:2]
_PRICES = [
    "30000.00", "30000.01", "30000.001", "0.01", "0.00000001", "1", "1.", ".5", "-1", "1e3",
    "\uff10.\uff15", " 1", "00030000.0", "92233720368.54775807", "92233720368.54775808",
    "123456789012345678901", "0", "0.0", "1000000.00", "1000000.01", "0.12345678", "",
    "0.123456789", "10000000000.00000000",
]  # fmt: skip
_QUANTITIES = [
    "0.001", "0.00100000", "0.00001", "0.0001", "1", "9000", "9000.00001", "92233720368",
    "0.000000001", "100", "0", "x", "3.5", "0.00000100", "1000000",
]  # fmt: skip


@st.composite
def _row(draw: st.DrawFn) -> dict[str, Any]:
    row: dict[str, Any] = {
        "symbol": draw(st.sampled_from(_SYMBOLS + _BREAK)),
        "side": draw(st.sampled_from(["BUY", "SELL", "SELL", "buy", None])),
        "type": draw(st.sampled_from(["LIMIT", "LIMIT", "LIMIT", "MARKET", "LIMIT_MAKER", None])),
        "timeInForce": draw(st.sampled_from(["GTC", "IOC", "FOK", "GTX", None])),
        "quantity": draw(st.sampled_from([*_QUANTITIES, None])),
        "price": draw(st.sampled_from([*_PRICES, None])),
    }
    if draw(st.integers(0, 9)) == 0:
        row["newClientOrderId"] = draw(st.sampled_from(["a-1", "bad id", "x" * 40]))
    if draw(st.integers(0, 9)) == 0:
        row["recvWindow"] = draw(st.sampled_from(["5000", "60001"]))
    return {k: v for k, v in row.items() if v is not None}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(_row(), min_size=1, max_size=40),
    context=st.sampled_from(
        [
            None,
            {"avgPrice": "30000.00"},
            {"avgPrice": {"mins": 5, "price": "0.06"}},
            {"referencePrice": "29000", "avgPrice": "30000"},
            {"lastPrice": "30000.00"},
            {"openOrders": []},
        ]
    ),
    endpoint=st.sampled_from(["/api/v3/order", "/api/v3/order/test", "/api/v3/order/oco"]),
    per_row_prices=st.booleans(),
)
def test_generated_tables_agree_with_check(
    rows: list[dict[str, Any]], context: Any, endpoint: str, per_row_prices: bool
) -> None:
    table = table_of(rows)
    contexts = None
    if per_row_prices:
        prices = ["30000.00" if i % 3 else None for i in range(len(rows))]
        table = table.append_column("avgPrice", pa.array(prices, pa.string()))
        base = context if isinstance(context, dict) else {}
        contexts = [
            {**base, "avgPrice": p} if p is not None else (context if base else None)
            for p in prices
        ]
    agree(INFO, rows, endpoint=endpoint, context=context, table=table, contexts=contexts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order=st.one_of(
        valid_orders(INFO, order_types=["LIMIT"]),
        *(
            invalid_orders(INFO, rule, order_types=["LIMIT"])
            for rule in ("PRICE_FILTER", "LOT_SIZE", "NOTIONAL", "PERCENT_PRICE_BY_SIDE")
        ),
    )
)
def test_strategy_orders_get_the_oracles_answer(order: Any) -> None:
    """The oracle's orders (every filter the columns decide), each with its own context."""
    got = rows_of(check_table(INFO, table_of([order.params]), context=order.context))[0]
    if order.error is None:
        assert got[0] is True
    else:
        assert got[1:3] == (order.error.code, order.error.msg)


# --- The conformance suite ---------------------------------------------------------------------


def _groups() -> dict[tuple[str, str, str, str], list[tuple[str, dict[str, Any]]]]:
    groups: dict[tuple[str, str, str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for key, case in CASES:
        context = json.dumps(case.get("context"), sort_keys=True)
        groups[(case["snapshot"], case["endpoint"], context, str(case.get("as_of")))].append(
            (key, case)
        )
    return groups


def test_every_conformance_case_through_check_table() -> None:
    """Each case alone, as a one-row table (its parameters as JSON gives them, strings or not),
    and the cases of one snapshot, endpoint and context together as one table of strings."""
    checked = 0
    for (name, endpoint, _, _), cases in _groups().items():
        info = snapshot(name)
        context, day = cases[0][1].get("context"), as_of(cases[0][1])
        for key, case in cases:
            expected = case["expected"]
            result = check_table(
                info, pa.Table.from_pylist([case["params"]]), endpoint=endpoint, context=context,
                as_of=day, violations=True, unchecked=True,
            )  # fmt: skip
            ok, code, msg, _rule = rows_of(result)[0]
            if expected.get("ok"):
                assert ok, key
            else:
                assert (code, msg) == (expected["code"], expected["msg"]), key
            if "violations" in expected:
                got = [v["rule"] for v in result.column("violations").to_pylist()[0]]
                assert got == expected["violations"], key
            if "unchecked" in expected:
                got_unchecked = set(result.column("unchecked").to_pylist()[0])
                assert got_unchecked == set(expected["unchecked"]), key
            checked += 1
        strings = [c["params"] for _, c in cases]
        if all(isinstance(v, str) for p in strings for v in p.values()):
            agree(info, strings, endpoint=endpoint, context=context, as_of=day)
    assert checked == len(CASES)


# --- Kinds of table ---------------------------------------------------------------------------


def test_a_pandas_frame_gives_a_pandas_frame_with_its_index() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([BTC, dict(BTC, price="1.001")], index=[10, 20])
    result = check_table(INFO, frame)
    assert isinstance(result, pd.DataFrame)
    assert list(result.index) == [10, 20]
    assert list(result.columns) == ["ok", "code", "msg", "rule"]
    assert result["ok"].tolist() == [True, False]
    assert result["code"].isna().tolist() == [True, False]
    assert int(result["code"].iloc[1]) == -1013
    assert result["rule"].iloc[1] == "PRICE_FILTER"


def test_a_polars_frame_gives_a_polars_frame() -> None:
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame([BTC, dict(BTC, quantity="0.000001")])
    result = check_table(INFO, frame)
    assert isinstance(result, pl.DataFrame)
    assert result["ok"].to_list() == [True, False]
    assert result["msg"].to_list() == [None, "Filter failure: LOT_SIZE"]


def test_a_record_batch_and_dictionary_columns_are_read() -> None:
    batch = pa.RecordBatch.from_pylist([BTC, dict(BTC, price="0.001")])
    table = pa.Table.from_batches([batch])
    coded = pa.table({n: table.column(n).dictionary_encode() for n in table.column_names})
    for given_table in (
        batch,
        coded,
        table.cast(pa.schema([(n, pa.large_string()) for n in table.column_names])),
    ):
        assert [r[0] for r in rows_of(check_table(INFO, given_table))] == [True, False]


def test_anything_else_is_a_usage_error() -> None:
    with pytest.raises(filterlib.UsageError, match="pyarrow Table"):
        check_table(INFO, [BTC])
    with pytest.raises(filterlib.UsageError, match="ExchangeInfo"):
        check_table("info", table_of([BTC]))  # type: ignore[arg-type]


# --- The rows check() answers, and the columns' edges ------------------------------------------


def test_cells_that_are_not_strings_are_judged_as_check_judges_them() -> None:
    table = pa.table(
        {
            "symbol": ["BTCUSDT", "BTCUSDT"],
            "side": ["BUY", "BUY"],
            "type": ["LIMIT", "LIMIT"],
            "timeInForce": ["GTC", "GTC"],
            "quantity": [0.001, 0.0000001],
            "price": [30000, 30000],
        }
    )
    rows = [dict(BTC, quantity=0.001, price=30000), dict(BTC, quantity=1e-07, price=30000)]
    agree(INFO, rows, table=table)


def test_a_null_cell_is_a_parameter_not_sent() -> None:
    rows = [dict(BTC), {k: v for k, v in BTC.items() if k != "price"}]
    got = agree(INFO, rows)
    assert got[1][1] == -1102  # a mandatory parameter was not sent


def test_the_notional_is_exact_beyond_64_bits() -> None:
    """A product of two values near MAX_DECIMAL needs 128 bits; bounds on either side of it."""
    data = json.loads((SNAPSHOTS / "synthetic_symbols.json").read_text(encoding="utf-8"))
    base = next(s for s in data["symbols"] if s["status"] == "TRADING")
    wide = dict(base, symbol="WIDEUSDT", orderTypes=["LIMIT"], permissionSets=[["SPOT"]])
    unit = "0.00000001"
    wide["filters"] = [
        {"filterType": "PRICE_FILTER", "minPrice": unit, "maxPrice": "0", "tickSize": unit},
        {"filterType": "LOT_SIZE", "minQty": unit, "maxQty": "0", "stepSize": unit},
        {"filterType": "NOTIONAL", "minNotional": "10", "applyMinToMarket": True,
         "maxNotional": "8507059173023461586.58409659", "applyMaxToMarket": False,
         "avgPriceMins": 5},
    ]  # fmt: skip
    data["symbols"] = [wide]
    info = filterlib.load_exchange_info(data)
    assert info.compiled_plain("WIDEUSDT") is not None  # the columns judge its LIMIT orders
    limit = dict(BTC, symbol="WIDEUSDT")
    rows = [
        dict(limit, price="92233720368.54775807", quantity="92233720368.54775807"),
        dict(limit, price="92233720368", quantity="92233720368"),
        dict(limit, price="92233720368", quantity="0.00000001"),  # 922.33720368: passes
        dict(limit, price="1", quantity="9.99999999"),  # 9.99999999 < 10
        dict(limit, price="1", quantity="10"),
        dict(limit, price="0.00000001", quantity="0.00000001"),  # 1e-16: zero at Binance
    ]
    got = agree(info, rows)
    assert [g[3] for g in got[2:5]] == [None, "NOTIONAL", None]


def test_context_columns_and_symbol_context_are_each_rows_context() -> None:
    rows = [dict(BTC, price="150001.00")] * 3
    table = table_of(rows).append_column("avgPrice", pa.array(["20000", None, "44000"]))
    result = check_table(INFO, table, symbol_context={"BTCUSDT": {"avgPrice": "45000"}})
    want = [
        answer(filterlib.check(INFO, rows[0], context={"avgPrice": "20000"})),
        answer(filterlib.check(INFO, rows[1], context={"avgPrice": "45000"})),
        answer(filterlib.check(INFO, rows[2], context={"avgPrice": "44000"})),
    ]
    assert rows_of(result) == want
    assert want[0][3] == "PERCENT_PRICE_BY_SIDE"
    assert want[1][0] is True


def test_a_bad_context_cell_is_a_usage_error_naming_its_row() -> None:
    table = table_of([BTC, BTC]).append_column("avgPrice", pa.array(["30000", "abc"]))
    with pytest.raises(filterlib.ContextError, match="row 1"):
        check_table(INFO, table)


def test_violations_and_unchecked_are_the_verdicts_own() -> None:
    rows = [BTC, dict(BTC, price="30000.001", quantity="0.0000001"), dict(BTC, type="MARKET")]
    result = check_table(INFO, table_of(rows), violations=True, unchecked=True)
    for i, row in enumerate(rows):
        verdict = filterlib.check(INFO, row).to_dict()
        assert result.column("violations").to_pylist()[i] == (
            verdict["violations"] if not verdict["ok"] else []
        )
        assert result.column("unchecked").to_pylist()[i] == [
            u["rule"] for u in verdict["unchecked"]
        ]


def test_as_of_another_day_is_answered_for_that_day() -> None:
    old = filterlib.load_exchange_info(
        SNAPSHOTS / "spot_full_2022-11-28_old_min_notional_sm2a.json.gz"
    )
    rows = [dict(BTC, quantity="0.00001", price="1000.00"), BTC]
    for day in (None, dt.date(2022, 11, 28), dt.date(2025, 6, 1), "latest"):
        agree(old, rows, as_of=day)


def test_numbers_are_never_floats_on_the_way() -> None:
    """Values a float would round: a price and quantity whose product lands one unit of
    10**-16 on either side of the minimum notional."""
    rows = [
        dict(BTC, price="33333.33", quantity="0.00015001"),  # 5.0003329833
        dict(BTC, price="33333.33", quantity="0.00015000"),  # 4.9999995: below NOTIONAL 5
    ]
    got = agree(INFO, rows)
    product = Decimal("33333.33") * Decimal("0.00015000")
    assert product < 5
    assert got[1][3] == "NOTIONAL"


def test_tables_checked_in_threads_at_once_get_check_answers() -> None:
    """Threads meeting the same snapshot's groups as they are built (a fresh snapshot, so
    they are built while the threads run)."""
    from concurrent.futures import ThreadPoolExecutor

    info = filterlib.load_exchange_info(SNAPSHOTS / "spot_trading_only_2024-09-08_davijr.json.gz")
    orders = [params for params, _ in _orders(11, 2400, info)]
    parts = [orders[k::6] for k in range(6)]
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda rows: rows_of(check_table(info, table_of(rows))), parts))
    for rows, got in zip(parts, results, strict=True):
        assert got == [answer(filterlib.check(info, row)) for row in rows]


def test_a_malformed_symbol_of_a_lazy_snapshot_raises_its_own_error_naming_the_row() -> None:
    from test_lazy_snapshot import damaged

    from filterlib.exceptions import SnapshotError

    info = filterlib.load_exchange_info(json.dumps(damaged()).encode(), lazy=True)
    with pytest.raises(SnapshotError) as caught:
        check_table(info, table_of([dict(BTC, symbol="ETHUSDT", price="3000.00")]))
    assert "symbols[1].filters[0].tickSize" in str(caught.value)  # its problems, intact
    assert caught.value.__notes__ == ["in row 0 of the table"]


def test_a_bad_endpoint_or_symbol_context_is_refused_before_any_row() -> None:
    empty = table_of([BTC]).slice(0, 0)
    with pytest.raises(filterlib.UsageError, match="unknown endpoint"):
        check_table(INFO, empty, endpoint="/api/v3/nope")
    with pytest.raises(filterlib.UsageError, match="unknown endpoint"):
        check_table(INFO, empty, endpoint=["/api/v3/order"])  # type: ignore[arg-type]
    with pytest.raises(filterlib.UsageError, match="symbol_context"):
        check_table(INFO, empty, symbol_context=[("BTCUSDT", {})])  # type: ignore[arg-type]


def _hostile() -> dict[str, Any]:
    import datetime as dt_
    from decimal import Decimal as D

    t = table_of([BTC])

    def swap(name: str, values: Any) -> Any:
        return t.set_column(t.column_names.index(name), name, values)

    return {
        "a column of nulls": t.append_column("icebergQty", pa.nulls(1)),
        "a struct": t.append_column("x", pa.array([{"a": 1}])),
        "a list": t.append_column("x", pa.array([[1, 2]])),
        "binary": swap("price", pa.array([b"30000.00"])),
        "binary, not UTF-8": swap("symbol", pa.array([b"\xff\xfe"])),
        "an integer symbol": swap("symbol", pa.array([5])),
        "a million digits": swap("price", pa.array(["1" * 1_000_000])),
        "NaN": swap("quantity", pa.array([float("nan")])),
        "decimal128": swap("quantity", pa.array([D("0.001")])),
        "a timestamp": t.append_column("recvWindow", pa.array([dt_.datetime(2020, 1, 1)])),
        "string_view": swap("price", pa.array(["30000.00"], pa.string_view())),
        "a NUL": swap("symbol", pa.array(["BTC\x00USDT"])),
        "chunks": pa.concat_tables([t, swap("price", pa.array(["0.001"]))]),
        "no columns": pa.table({}),
    }


@pytest.mark.parametrize("name", sorted(_hostile()))
def test_hostile_tables_get_checks_answers(name: str) -> None:
    table = _hostile()[name]
    rows = [{k: v for k, v in row.items() if v is not None} for row in table.to_pylist()]
    got = rows_of(check_table(INFO, table))
    assert got == [answer(filterlib.check(INFO, row)) for row in rows]


def test_a_column_named_twice_is_a_usage_error() -> None:
    names = ["symbol", "symbol", "side", "type", "timeInForce", "quantity", "price"]
    values = ["BTCUSDT", "ETHBTC", "BUY", "LIMIT", "GTC", "0.001", "30000.00"]
    table = pa.Table.from_arrays([pa.array([v]) for v in values], names=names)
    with pytest.raises(filterlib.UsageError, match="more than one column named 'symbol'"):
        check_table(INFO, table)


def test_without_the_bulk_extra_check_table_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.delitem(sys.modules, "filterlib._table")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if not installed
    stub = filterlib.__getattr__("check_table")
    with pytest.raises(ImportError, match=r"pip install 'filterlib\[bulk\]'"):
        stub(INFO, None)
    namespace: dict[str, object] = {}
    exec("from filterlib import *", namespace)  # the star import still works
    assert "check_table" in namespace


def test_a_string_column_that_is_not_utf8_is_a_usage_error() -> None:
    bad = pa.array([b"30000\xff"], pa.binary()).view(pa.string())  # unchecked by pyarrow
    table = table_of([BTC]).drop_columns(["price"]).append_column("price", bad)
    with pytest.raises(filterlib.UsageError, match="not a valid Arrow table"):
        check_table(INFO, table)
