"""filterlib.dask on a real local cluster: same answers as in-process, one snapshot per worker."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any

import orjson
import pytest

import filterlib
from filterlib.cli import main as cli_main

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


def test_parquet_gives_the_in_process_verdicts_row_for_row(client: Any, tmp_path: Path) -> None:
    frame, lines = parquet_rows(orders(90))
    for i, part in enumerate((frame.iloc[:40], frame.iloc[40:])):
        part.to_parquet(tmp_path / f"part-{i}.parquet", index=False)
    result = fdask.check_parquet(str(tmp_path / "*.parquet"))
    columns = ["id", "params", "endpoint", "context", "ok", "code", "msg", "error"]
    assert list(result.columns) == columns
    got = compute(client, result)
    want = expected(lines)
    assert got["id"].tolist() == list(range(len(frame)))
    assert got["ok"].tolist() == [w["ok"] for w in want]
    assert [None if pd.isna(c) else int(c) for c in got["code"]] == [w["code"] for w in want]
    assert [None if pd.isna(m) else m for m in got["msg"]] == [w["msg"] for w in want]
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


def test_check_dataframe_refuses_misnamed_columns() -> None:
    frame = dd.from_pandas(pd.DataFrame({"order": ["{}"]}), npartitions=1)
    with pytest.raises(filterlib.UsageError, match="no column 'params'"):
        fdask.check_dataframe(frame)
    clash = dd.from_pandas(pd.DataFrame({"params": ["{}"], "ok": [True]}), npartitions=1)
    with pytest.raises(filterlib.UsageError, match="already has result column"):
        fdask.check_dataframe(clash)


def test_own_snapshot_and_one_load_per_worker(client: Any, tmp_path: Path) -> None:
    lines = orders(60)
    bag = fdask.check_bag(db.from_sequence(lines, npartitions=12), TWO_SYMBOLS)
    frame = dd.from_pandas(parquet_rows(lines)[0], npartitions=6)
    for _ in range(2):  # many tasks per worker, twice over
        assert compute(client, bag) == expected(lines, TWO_SYMBOLS)
        compute(client, fdask.check_dataframe(frame, TWO_SYMBOLS))
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
