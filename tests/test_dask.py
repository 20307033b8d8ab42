"""filterlib.dask on a real local cluster: same answers as in-process, one snapshot per worker."""

from __future__ import annotations

import datetime as dt
import io
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from random import Random
from types import FrameType
from typing import Any

import orjson
import pytest

import filterlib
from filterlib.cli import main as cli_main
from filterlib.lines import check_line

db = pytest.importorskip("dask.bag")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

import filterlib.dask as fdask  # noqa: E402  (after the skips: needs dask)

SNAPSHOTS = Path(__file__).resolve().parent.parent / "fixtures" / "snapshots"
TWO_SYMBOLS = SNAPSHOTS / "spot_2symbols_2021-10-22_nautilus.json"
TIMEOUT = 60  # seconds for any one computation; the whole module runs in ~10 s

LIMIT = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
AVG = {"avgPrice": {"mins": 5, "price": "29950.12"}}

# Passing, rejected (several rules), wrapped with context and endpoint, and unusable lines.
LINES: list[bytes] = [
    orjson.dumps({**LIMIT, "quantity": "0.001", "price": "30000.00"}),
    orjson.dumps({**LIMIT, "quantity": "0.00001", "price": "30000.00"}),
    orjson.dumps({**LIMIT, "quantity": "0.00001234", "price": "30000.001"}),
    orjson.dumps({**LIMIT, "symbol": "NOPEUSDT", "quantity": "1", "price": "1"}),
    orjson.dumps({"params": {**LIMIT, "quantity": "0.001", "price": "90000.00"}, "context": AVG}),
    orjson.dumps(
        {
            "endpoint": "/api/v3/order/test",
            "params": {"symbol": "ETHUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.01"},
            "context": {"avgPrice": {"mins": 5, "price": "1850.00"}},
        }
    ),
    orjson.dumps({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET"}),
    b"   ",
    b"{not json",
    b"[1, 2]",
    orjson.dumps({"endpoint": "/api/v3/nope", "params": {"symbol": "BTCUSDT"}}),
    orjson.dumps({"params": {"symbol": "BTCUSDT"}, "context": {"avgPrice": 0.5}}),
    b"",
]


def orders(n: int) -> list[bytes]:
    """``n`` lines cycling through LINES, with varying quantities so the partitions differ."""
    out = []
    for i in range(n):
        line = LINES[i % len(LINES)]
        if i % len(LINES) == 0:
            line = orjson.dumps({**LIMIT, "quantity": f"0.{i + 1:05d}", "price": "30000.00"})
        out.append(line)
    return out


def expected(lines: list[bytes], snapshot: Path | None = None) -> list[dict[str, Any]]:
    """What ``filterlib check --format json`` prints, line prefix dropped; asserted against
    ``filterlib.check`` itself for every line that could be checked."""
    args = ["check", "-", "--format", "json"]
    if snapshot is not None:
        args += ["--exchange-info", str(snapshot)]
    out = io.StringIO()
    cli_main(args, stdin=io.BytesIO(b"\n".join(lines) + b"\n"), stdout=out, stderr=io.StringIO())
    bodies = [orjson.loads(row) for row in out.getvalue().splitlines()]
    info = (
        filterlib.load_default_exchange_info()
        if snapshot is None
        else filterlib.load_exchange_info(snapshot)
    )
    for line, body in zip([x for x in lines if x.strip()], bodies, strict=True):
        if "error" in body:
            # "line N: ... (in standard input)" -> "...": a bag has no lines or files.
            body["error"] = body["error"].split(": ", 1)[1].removesuffix(" (in standard input)")
            continue
        doc = orjson.loads(line)
        if isinstance(doc.get("params"), dict):
            verdict = filterlib.check(
                info,
                doc["params"],
                endpoint=doc.get("endpoint", "/api/v3/order"),
                context=doc.get("context"),
            )
        else:
            verdict = filterlib.check(info, doc)
        assert verdict.to_dict() == body
    return bodies


@pytest.fixture(autouse=True)
def _deadline() -> Iterator[None]:
    """No test here may hang: SIGALRM fails it after 2 minutes."""

    def fail(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("test_dask: a test ran over 120 s")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(120)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """Two worker processes of one thread each, like a small real cluster."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            worker_dashboard_address=":0",
        ) as cluster,
        distributed.Client(cluster, timeout=TIMEOUT) as c,
    ):
        c.wait_for_workers(2, timeout=TIMEOUT)
        yield c


def compute(client: Any, collection: Any) -> Any:
    return client.compute(collection).result(timeout=TIMEOUT)


def test_core_import_pulls_in_no_dask() -> None:
    code = (
        "import sys, filterlib, filterlib.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('dask', 'distributed', 'pandas', 'pyarrow') or m == 'filterlib.dask'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=TIMEOUT
    ).stdout
    assert out.strip() == "[]"


def test_jsonl_files_give_the_cli_verdicts_in_order(client: Any, tmp_path: Path) -> None:
    lines = orders(120)
    for i in range(3):  # three files, each split into several blocks
        (tmp_path / f"part-{i}.jsonl").write_bytes(b"\n".join(lines[i * 40 : i * 40 + 40]) + b"\n")
    bag = fdask.check_jsonl(str(tmp_path / "part-*.jsonl"), blocksize=1000)
    assert bag.npartitions > 3
    assert compute(client, bag) == expected(lines)


def test_bag_of_lines_and_mappings(client: Any) -> None:
    items: list[object] = [
        LINES[0].decode(),
        LINES[1],
        orjson.loads(LINES[4]),
        {**LIMIT, "quantity": "0.001", "price": "30000.00"},
        "\n",
    ]
    got = compute(client, fdask.check_bag(db.from_sequence(items, npartitions=2)))
    as_lines = [
        orjson.dumps(x) if isinstance(x, dict) else x.encode() if isinstance(x, str) else x
        for x in items
    ]
    want = expected([x for x in as_lines if isinstance(x, bytes)])
    assert got == want


def test_bag_elements_that_are_not_orders() -> None:
    got = fdask._check_items([{"quantity": Decimal("1")}, 42], None)
    assert [g["ok"] for g in got] == [False, False]
    assert [g["code"] for g in got] == [None, None]
    assert "not JSON-compatible" in got[0]["error"]
    assert "got int" in got[1]["error"]


def parquet_rows(lines: list[bytes]) -> tuple[Any, list[bytes]]:
    """The object lines as a frame with a ``params`` JSON column (plus endpoint, context and
    an id), and the same rows as wrapped JSON Lines for :func:`expected`."""
    rows = []
    for x in lines:
        try:
            doc = orjson.loads(x)
        except orjson.JSONDecodeError:
            continue
        if isinstance(doc, dict):
            rows.append(doc)
    wrapped = [r if isinstance(r.get("params"), dict) else {"params": r} for r in rows]
    frame = pd.DataFrame(
        {
            "id": range(len(wrapped)),
            "params": [orjson.dumps(r["params"]).decode() for r in wrapped],
            "endpoint": [r.get("endpoint") for r in wrapped],
            "context": [
                orjson.dumps(r["context"]).decode() if "context" in r else None for r in wrapped
            ],
        }
    )
    return frame, [orjson.dumps(r) for r in wrapped]


def test_json_column_parquet_gives_the_cli_verdicts_row_for_row(
    client: Any, tmp_path: Path
) -> None:
    # The JSON-column form of filterlib 0.1: check_parquet still reads it, now with ``rule``.
    frame, lines = parquet_rows(orders(90))
    for i, part in enumerate((frame.iloc[:40], frame.iloc[40:])):
        part.to_parquet(tmp_path / f"part-{i}.parquet", index=False)
    result = fdask.check_parquet(str(tmp_path / "*.parquet"))
    columns = ["id", "params", "endpoint", "context", "ok", "code", "msg", "rule", "error"]
    assert list(result.columns) == columns
    got = compute(client, result)
    want = expected(lines)
    assert got["id"].tolist() == list(range(len(frame)))
    assert got["ok"].tolist() == [w["ok"] for w in want]
    assert [None if pd.isna(c) else int(c) for c in got["code"]] == [w["code"] for w in want]
    assert [None if pd.isna(m) else m for m in got["msg"]] == [w["msg"] for w in want]
    assert [None if pd.isna(r) else r for r in got["rule"]] == [
        w["violations"][0]["rule"] if w["code"] is not None else None for w in want
    ]
    assert [None if pd.isna(e) else e for e in got["error"]] == [w.get("error") for w in want]


def test_bad_cells_are_unusable_rows_not_failures() -> None:
    frame = pd.DataFrame(
        {
            "params": ["{oops", "[1]", orjson.dumps(LIMIT).decode(), None],
            "context": [None, None, "{bad", None],
        }
    )
    got = fdask._check_frame(frame, None, "params", "endpoint", "context")
    assert got["ok"].tolist() == [False] * 4
    assert got["code"].isna().all()
    errors = got["error"].tolist()
    assert "column 'params': not valid JSON" in errors[0]
    assert "column 'params': expected a JSON object" in errors[1]
    assert "column 'context': not valid JSON" in errors[2]
    assert "column 'params': expected a JSON object" in errors[3]


def test_check_json_column_refuses_misnamed_columns() -> None:
    frame = dd.from_pandas(pd.DataFrame({"order": ["{}"]}), npartitions=1)
    with pytest.raises(filterlib.UsageError, match="no column 'params'"):
        fdask.check_json_column(frame)
    clash = dd.from_pandas(pd.DataFrame({"params": ["{}"], "ok": [True]}), npartitions=1)
    with pytest.raises(filterlib.UsageError, match="already has result column"):
        fdask.check_dataframe(clash)


def test_own_snapshot_and_one_load_per_worker(client: Any, tmp_path: Path) -> None:
    lines = orders(60)
    bag = fdask.check_bag(db.from_sequence(lines, npartitions=12), TWO_SYMBOLS)
    frame = dd.from_pandas(parquet_rows(lines)[0], npartitions=6)
    columns = dd.from_pandas(pd.DataFrame(table_rows(60)), npartitions=6)
    (tmp_path / "orders.jsonl").write_bytes(b"\n".join(lines))
    for _ in range(2):  # many tasks per worker, twice over, in each form
        assert compute(client, bag) == expected(lines, TWO_SYMBOLS)
        compute(client, fdask.check_dataframe(frame, TWO_SYMBOLS))
        compute(client, fdask.check_dataframe(columns, TWO_SYMBOLS, passthrough=["id"]))
        jsonl = fdask.check_jsonl_dataframe(
            str(tmp_path / "orders.jsonl"), TWO_SYMBOLS, blocksize=500
        )
        assert jsonl.npartitions > 2
        compute(client, jsonl)
    loads = client.run(lambda: dict(fdask._loads), wait=True)
    assert len(loads) == 2
    assert all(count == 1 for per_worker in loads.values() for count in per_worker.values())
    assert {str(TWO_SYMBOLS)} <= {k for w in loads.values() for k in w}


def test_summary_counts_bags_and_dataframes(client: Any) -> None:
    lines = orders(52)
    want = Counter(
        "unusable" if "error" in w else "OK" if w["ok"] else f"{w['code']} {w['msg']}"
        for w in expected(lines)
    )
    bag = fdask.check_bag(db.from_sequence(lines, npartitions=4))
    assert fdask.summary(bag) == want
    pdf, rows = parquet_rows(lines)
    frame_want = Counter(
        "unusable" if "error" in w else "OK" if w["ok"] else f"{w['code']} {w['msg']}"
        for w in expected(rows)
    )
    frame = dd.from_pandas(pdf, npartitions=3)
    assert fdask.summary(fdask.check_dataframe(frame)) == frame_want
    assert list(fdask.summary(bag).values()) == sorted(want.values(), reverse=True)


# --- A column per parameter: check_table on each partition ---------------------------------------

#: The parameter columns of :func:`table_rows` (besides the avgPrice context column and an id).
PARAMETERS = ("symbol", "side", "type", "timeInForce", "quantity", "price", "newClientOrderId")
PRICES = {
    "BTCUSDT": ["30000.00", "30000.001", "29000.50", "90000.00", "0.001", "1e3", "", "30000"],
    "ETHUSDT": ["1850.00", "1850.005", "2500.00", "1849.99"],
    "NOPEUSDT": ["1"],
}
QUANTITIES = ["0.001", "0.00001", "0.00001234", "10000", "0.5", "-1", "0.01", "1.000000001"]
AVG_PRICES = {"BTCUSDT": "29950.12", "ETHUSDT": "1850.00", "NOPEUSDT": "1"}
SYMBOL_CONTEXT = {"BTCUSDT": {"avgPrice": "30100.00"}, "ETHUSDT": {"avgPrice": "1900.00"}}


def table_rows(n: int, seed: int = 7) -> list[dict[str, object]]:
    """``n`` rows of string cells (None: not sent): plain LIMIT orders that pass or break one
    filter or more, MARKET orders, unknown symbols, missing and extra parameters, badly written
    values, with an avgPrice cell that is the symbol's, another, missing or not a price."""
    rng = Random(seed)
    rows: list[dict[str, object]] = []
    for i in range(n):
        symbol = rng.choice(["BTCUSDT"] * 5 + ["ETHUSDT"] * 3 + ["NOPEUSDT"])
        kind = rng.choice(["LIMIT"] * 6 + ["MARKET"])
        limit = kind == "LIMIT"
        roll = rng.random()
        rows.append(
            {
                "id": i,
                "symbol": symbol,
                "side": rng.choice(["BUY", "SELL"]),
                "type": kind,
                "timeInForce": rng.choice(["GTC", "GTC", "IOC", None]) if limit else None,
                "quantity": rng.choice(QUANTITIES),
                "price": rng.choice(PRICES[symbol]) if limit else None,
                "newClientOrderId": "order-1" if roll < 0.1 else None,
                "avgPrice": (
                    None
                    if roll < 0.3
                    else "not a price"
                    if roll < 0.33
                    else "31000.00"
                    if roll < 0.4
                    else AVG_PRICES[symbol]
                ),
            }
        )
    return rows


def check_answer(
    info: filterlib.ExchangeInfo,
    row: Mapping[str, object],
    *,
    endpoint: str = "/api/v3/order",
    context: Mapping[str, object] | None = None,
    symbol_context: Mapping[str, Mapping[str, object]] | None = None,
) -> dict[str, Any]:
    """What filterlib.check answers to the order of one row: its non-null parameter cells, its
    context (``context`` under the symbol's under the row's avgPrice cell). A row check()
    refuses is one the result marks unusable, with check()'s message."""
    params = {k: v for k, v in row.items() if k in PARAMETERS and v is not None}
    layers = [
        context or {},
        (symbol_context or {}).get(str(params.get("symbol")), {}),
        {"avgPrice": row["avgPrice"]} if row.get("avgPrice") is not None else {},
    ]
    merged = {k: v for layer in layers for k, v in layer.items()}
    try:
        verdict = filterlib.check(info, params, endpoint=endpoint, context=merged or None)
    except filterlib.ContextError as exc:
        unusable = f"bad context: {exc}"
        return {"ok": False, "code": None, "msg": None, "rule": None, "error": unusable}
    found, error = verdict.violations, verdict.error
    return {
        "ok": verdict.ok,
        "code": None if error is None else error.code,
        "msg": None if error is None else error.msg,
        "rule": found[0].rule if found and not verdict.ok else None,
        "error": None,
        "violations": [v.to_dict() for v in found] if not verdict.ok else [],
        "unchecked": [u.rule for u in verdict.unchecked],
    }


def cell(value: object) -> object:
    return None if value is pd.NA or (isinstance(value, float) and value != value) else value


def answers(frame: Any, columns: tuple[str, ...] = ("ok", "code", "msg", "rule", "error")) -> Any:
    """The result columns of a computed frame, a dict per row, nulls as None."""
    rows = frame[list(columns)].astype(object).to_dict("records")
    return [{k: cell(v) for k, v in row.items()} for row in rows]


def test_parquet_columns_give_check_answers_row_for_row(client: Any, tmp_path: Path) -> None:
    rows = table_rows(400)
    frame = pd.DataFrame(rows)
    for i, (start, stop) in enumerate(((0, 150), (150, 170), (170, 400))):
        frame.iloc[start:stop].to_parquet(tmp_path / f"part-{i}.parquet", index=False)
    context = {"avgPrice": {"mins": 5, "price": "29950.12"}}
    result = fdask.check_parquet(str(tmp_path / "*.parquet"), passthrough=["id"], context=context)
    assert result.npartitions >= 3
    assert list(result.columns) == [*frame.columns, "ok", "code", "msg", "rule", "error"]
    got = compute(client, result)
    assert dict(got.dtypes.astype(str)) == dict(result._meta.dtypes.astype(str))
    assert got["id"].tolist() == list(range(len(rows)))
    info = filterlib.load_default_exchange_info()
    want = [check_answer(info, row, context=context) for row in rows]
    keys = ("ok", "code", "msg", "rule", "error")
    assert answers(got) == [{k: w[k] for k in keys} for w in want]
    # The rows cover what they should: passing, rejected on columns and one by one, unusable.
    assert {w["rule"] for w in want} >= {
        None,
        "PRICE_FILTER",
        "LOT_SIZE",
        "NOTIONAL",
        "PERCENT_PRICE_BY_SIDE",
        "unknown_symbol",
    }
    assert sum(w["ok"] for w in want) >= 40
    assert sum(w["error"] is not None for w in want) >= 5


def test_symbol_context_endpoint_and_the_detail_columns(client: Any) -> None:
    rows = table_rows(150, seed=11)
    frame = dd.from_pandas(pd.DataFrame(rows), npartitions=4)
    options: dict[str, Any] = {"endpoint": "/api/v3/order/test", "symbol_context": SYMBOL_CONTEXT}
    result = fdask.check_dataframe(
        frame, passthrough=["id"], violations=True, unchecked=True, **options
    )
    got = compute(client, result)
    info = filterlib.load_default_exchange_info()
    want = [check_answer(info, row, **options) for row in rows]
    keys = ("ok", "code", "msg", "rule", "error", "violations", "unchecked")
    usable = [w for w in want if w["error"] is None]
    assert [a for a in answers(got, keys) if a["error"] is None] == usable
    assert sum(not w["ok"] for w in usable) > 20


def test_empty_partitions_and_rows_all_unusable() -> None:
    rows = table_rows(30)
    for row in rows[10:20]:
        row["avgPrice"] = "not a price"
    frame = dd.from_pandas(pd.DataFrame(rows), npartitions=3)
    empty = fdask.check_dataframe(frame[frame["id"] < 0], passthrough=["id"])
    none = empty.compute(scheduler="sync")  # type: ignore[no-untyped-call]
    assert len(none) == 0
    assert list(none.columns)[-5:] == ["ok", "code", "msg", "rule", "error"]
    got = fdask.check_dataframe(frame, passthrough=["id"]).compute(scheduler="sync")  # type: ignore[no-untyped-call]
    info = filterlib.load_default_exchange_info()
    keys = ("ok", "code", "msg", "rule", "error")
    assert answers(got) == [{k: check_answer(info, r)[k] for k in keys} for r in rows]
    assert got["error"].iloc[10:20].notna().all()


def test_check_dataframe_refuses_wrong_calls_at_once() -> None:
    frame = dd.from_pandas(pd.DataFrame(table_rows(4)), npartitions=1)
    calls: list[tuple[dict[str, Any], str]] = [
        ({"passthrough": ["id", "nope"]}, "no passthrough column"),
        ({"passthrough": "id"}, "list of column names"),
        ({"passthrough": list(frame.columns)}, "no parameter columns"),
        ({"passthrough": ["id"], "endpoint": "/api/v3/nope"}, "unknown endpoint"),
        ({"passthrough": ["id"], "context": {"avgPrice": "x"}}, "avgPrice"),
        ({"passthrough": ["id"], "context": {"nope": 1}}, "unknown context key"),
        ({"passthrough": ["id"], "as_of": "yesterday"}, "as_of"),
        ({"passthrough": ["id"], "symbol_context": {"BTCUSDT": 5}}, "mapping"),
        ({"passthrough": ["id"], "context": filterlib.Context()}, "Context object"),
    ]
    for kwargs, message in calls:
        with pytest.raises(filterlib.UsageError, match=message):
            fdask.check_dataframe(frame, **kwargs)
    prices = frame.assign(avgPrice=frame["id"] * 1.5)
    with pytest.raises(filterlib.UsageError, match="context column 'avgPrice' is float64"):
        fdask.check_dataframe(prices, passthrough=["id"])
    info = filterlib.load_default_exchange_info()
    order = {**LIMIT, "quantity": "0.001", "price": "30000.00"}
    with pytest.raises(filterlib.ContextError):  # what check() says of each such row
        filterlib.check(info, order, context={"avgPrice": 1.5})
    clash = frame.assign(rule="x")
    with pytest.raises(filterlib.UsageError, match="already has result column"):
        fdask.check_dataframe(clash, passthrough=["id"])
    with pytest.raises(filterlib.UsageError, match="already has result column"):
        fdask.check_dataframe(frame.assign(violations=1), passthrough=["id"], violations=True)
    legacy = dd.from_pandas(parquet_rows(orders(3))[0], npartitions=1)
    with pytest.raises(filterlib.UsageError, match="own endpoint and context"):
        fdask.check_dataframe(legacy, endpoint="/api/v3/order/test")


def test_summary_counts_column_frames(client: Any) -> None:
    rows = table_rows(200)
    info = filterlib.load_default_exchange_info()
    want = Counter(
        "unusable" if w["error"] is not None else "OK" if w["ok"] else f"{w['code']} {w['msg']}"
        for w in (check_answer(info, row) for row in rows)
    )
    frame = dd.from_pandas(pd.DataFrame(rows), npartitions=5)
    got = fdask.summary(fdask.check_dataframe(frame, passthrough=["id"]))
    assert got == want
    assert list(got.values()) == sorted(want.values(), reverse=True)


# --- JSON Lines as a dataframe -------------------------------------------------------------------

#: Lines check_table takes (wrapped with string prices, another endpoint) and lines it leaves
#: to check_line (numbers, nulls, a parameter named as a context column, a price it refuses).
MORE_LINES: list[bytes] = [
    orjson.dumps(
        {"params": {**LIMIT, "quantity": "0.001", "price": "30000.00"}, "context": AVG_PRICES}
    ),
    orjson.dumps({"params": {**LIMIT, "quantity": "0.001", "price": "31000.00"}, "context": {}}),
    orjson.dumps(
        {
            "endpoint": "/api/v3/order/test",
            "params": {**LIMIT, "quantity": "0.00001", "price": "30000.00"},
            "context": {"avgPrice": "29950.12"},
        }
    ),
    orjson.dumps({"params": {**LIMIT, "quantity": "0.001"}, "context": {"avgPrice": "x"}}),
    orjson.dumps({**LIMIT, "quantity": 0.001, "price": 30000}),
    orjson.dumps({**LIMIT, "quantity": None, "price": "30000.00"}),
    orjson.dumps({**LIMIT, "quantity": "0.001", "price": "30000.00", "avgPrice": "30000"}),
    orjson.dumps({**LIMIT, "quantity": "0.001", "price": "30000.00", "recvWindow": "5000"}),
    orjson.dumps({"params": {**LIMIT}, "context": {"avgPrice": "1"}, "extra": 1}),
    b"{}",
    orjson.dumps({"params": {}, "context": {"avgPrice": "1"}}),
]


def jsonl_lines(n: int) -> list[bytes]:
    return [x for pair in zip(orders(n), MORE_LINES * n, strict=False) for x in pair]


def test_jsonl_dataframe_gives_the_bag_answers_in_order(client: Any, tmp_path: Path) -> None:
    lines = jsonl_lines(80)
    for i in range(2):
        chunk = lines[i * 80 : i * 80 + 80]
        (tmp_path / f"part-{i}.jsonl").write_bytes(b"\n".join(chunk) + b"\n")
    result = fdask.check_jsonl_dataframe(
        str(tmp_path / "part-*.jsonl"), blocksize=1500, violations=True, unchecked=True, line=True
    )
    assert result.npartitions > 2
    assert list(result.columns) == [*fdask.RESULT_COLUMNS, "violations", "unchecked", "line"]
    got = compute(client, result)
    want = expected(lines)  # the CLI's, themselves checked against filterlib.check
    kept = [x for x in lines if x.strip()]
    assert got["line"].tolist() == [x.decode() for x in kept]
    assert answers(got, ("ok", "code", "msg", "error", "violations", "unchecked")) == [
        {
            "ok": w["ok"],
            "code": w["code"],
            "msg": w["msg"],
            "error": w.get("error"),
            "violations": w["violations"],
            "unchecked": [u["rule"] for u in w["unchecked"]],
        }
        for w in want
    ]
    assert [cell(r) for r in got["rule"]] == [
        w["violations"][0]["rule"] if w["code"] is not None else None for w in want
    ]
    bag = compute(client, fdask.check_jsonl(str(tmp_path / "part-*.jsonl"), blocksize=1500))
    assert bag == want


def test_jsonl_dataframe_block_of_empty_objects(tmp_path: Path) -> None:
    # A block whose only plain lines carry no parameter at all: no column, yet rows.
    lines = [b"{}", orjson.dumps({"params": {}}), b"", b"{}"]
    (tmp_path / "empty.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    got = fdask.check_jsonl_dataframe(str(tmp_path / "empty.jsonl")).compute(scheduler="sync")  # type: ignore[no-untyped-call]
    assert answers(got, ("ok", "code", "msg", "error")) == [
        {"ok": w["ok"], "code": w["code"], "msg": w["msg"], "error": w.get("error")}
        for w in expected(lines)
    ]


def test_jsonl_dataframe_context_and_day_as_check_line(tmp_path: Path) -> None:
    lines = jsonl_lines(40)
    (tmp_path / "orders.jsonl").write_bytes(b"\n".join(lines))
    context = {"avgPrice": {"mins": 5, "price": "29950.12"}, "referencePrice": "30000.00"}
    info = filterlib.load_default_exchange_info()
    for as_of in (None, dt.date(2023, 1, 1)):
        got = fdask.check_jsonl_dataframe(
            str(tmp_path / "orders.jsonl"), blocksize=2000, context=context, as_of=as_of
        ).compute(scheduler="sync")  # type: ignore[no-untyped-call]
        want: list[tuple[bool, int | None, str | None, str | None]] = []
        for raw in (x for x in lines if x.strip()):
            try:
                verdict = check_line(info, raw, as_of, context).verdict
            except ValueError as exc:
                want.append((False, None, None, str(exc)))
            else:
                error = verdict.error
                code, msg = (None, None) if error is None else (error.code, error.msg)
                want.append((verdict.ok, code, msg, None))
        assert [(a["ok"], a["code"], a["msg"], a["error"]) for a in answers(got)] == want
