"""filterlib.dask's Parquet path (check_table per partition) with 1 and 2 worker processes.

The orders are benchmarks/orders.py's LIMIT orders over the shipped snapshot's real symbols
(half valid, half breaking one of PRICE_FILTER, LOT_SIZE or NOTIONAL), ``--distinct`` of them
cycled to ``--orders`` rows, a column per parameter (wire strings) plus the symbol's avgPrice
as a context column and an ``id`` passthrough column, in ``--files`` Parquet files (one
partition each).

- **baseline**: this process, no Dask: ``pyarrow.parquet.read_table`` of the files and one
  ``check_table`` of the whole table, the snapshot loaded and the symbols learned.
- each cluster is a ``distributed.LocalCluster(n_workers=N, threads_per_worker=1,
  processes=True)``; ``cold`` is its first run (each worker loads the snapshot and learns
  the symbols), then the best of ``--repeats`` warm runs of:

  - ``summary``: ``summary(check_parquet(...))``, only the counts come back;
  - ``collect``: ``check_parquet(...)[id + result columns].compute()``, every row's answer
    brought back into this process.

- **per-line** (``--per-line-orders`` rows of the same orders, 0 to skip): the previous
  path, the JSON-column form (a ``params`` column of JSON text and a ``context`` column),
  each row decoded and checked alone by ``check_line``; its ``summary`` on the same clusters.

Every run's counts are asserted equal to the baseline's, the baseline's answers to
``filterlib.check``'s on a sample of rows, and the generator's intent (half pass) to the
counts. Run: ``python benchmarks/dask_speedup.py`` (about a minute and a half;
``pip install -e '.[dask]'``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client, LocalCluster
from orders import generate

import filterlib
import filterlib.dask as fdask

PARAMETERS = ("symbol", "side", "type", "timeInForce", "quantity", "price")
RESULTS = ["id", *fdask.RESULT_COLUMNS]


def _best(fn: Callable[[], Any], repeats: int, client: Client | None = None) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        if client is not None:
            _forgotten(client)
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def _forgotten(client: Client) -> None:
    """Wait until the scheduler holds no task: a run just after the same one would otherwise
    find results of it still in the workers' memory (same keys) and not compute them."""
    deadline = time.monotonic() + 30
    while client.run_on_scheduler(_task_count) and time.monotonic() < deadline:  # type: ignore[no-untyped-call]
        time.sleep(0.05)


def _task_count(dask_scheduler: Any) -> int:
    return len(dask_scheduler.tasks)


def _frame(info: filterlib.ExchangeInfo, n: int, distinct: int) -> pd.DataFrame:
    """``n`` rows cycling through ``distinct`` generated orders, a column per parameter."""
    orders, _ = generate(distinct, info=info)
    reps = -(-n // distinct)
    columns: dict[str, Any] = {"id": np.arange(n, dtype=np.int64)}
    for name in PARAMETERS:
        values = np.array([o.params[name] for o in orders], dtype=object)
        columns[name] = np.tile(values, reps)[:n]
    columns["avgPrice"] = np.tile(np.array([o.avg_price for o in orders], dtype=object), reps)[:n]
    return pd.DataFrame(columns)


def _write(frame: pd.DataFrame, folder: Path, files: int) -> str:
    folder.mkdir()
    per = -(-len(frame) // files)
    for i in range(files):
        part = frame.iloc[i * per : (i + 1) * per]
        pq.write_table(
            pa.Table.from_pandas(part, preserve_index=False), folder / f"{i:03d}.parquet"
        )
    return str(folder / "*.parquet")


def _json_column(frame: pd.DataFrame) -> pd.DataFrame:
    """The same rows in the JSON-column form: ``params`` and ``context`` as JSON text."""
    params = frame[list(PARAMETERS)].to_dict("records")
    return pd.DataFrame(
        {
            "id": frame["id"],
            "params": [orjson.dumps(p).decode() for p in params],
            "context": [orjson.dumps({"avgPrice": a}).decode() for a in frame["avgPrice"]],
        }
    )


def _counts(table: pa.Table) -> Counter[str]:
    columns = (table.column(name).to_pylist() for name in ("ok", "code", "msg"))
    return Counter("OK" if ok else f"{code} {msg}" for ok, code, msg in zip(*columns, strict=True))


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _sample_agrees(info: filterlib.ExchangeInfo, frame: pd.DataFrame, result: pa.Table) -> int:
    """check_table's answers equal check()'s on every 500th row; how many rows were compared."""
    rows = range(0, len(frame), 500)
    oks, codes = result.column("ok").to_pylist(), result.column("code").to_pylist()
    for i in rows:
        row = frame.iloc[i]
        params = {name: row[name] for name in PARAMETERS}
        verdict = filterlib.check(info, params, context={"avgPrice": row["avgPrice"]})
        error = verdict.error
        assert (verdict.ok, None if error is None else error.code) == (oks[i], codes[i]), i
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=100_000, help="generated, then cycled")
    parser.add_argument("--files", type=int, default=8, help="Parquet files (= partitions)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--per-line-orders", type=int, default=50_000)
    args = parser.parse_args(argv)

    print(
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs ({_cpu()}); "
        f"Python {platform.python_version()}, "
        + ", ".join(
            f"{name} {version(name)}"
            for name in ("dask", "distributed", "pandas", "pyarrow", "numpy")
        )
    )
    info = fdask.snapshot()
    start = time.perf_counter()
    frame = _frame(info, args.orders, min(args.distinct, args.orders))
    print(f"{len(frame):,} orders generated in {time.perf_counter() - start:.0f} s")

    with tempfile.TemporaryDirectory() as tmp:
        pattern = _write(frame, Path(tmp) / "columns", args.files)
        per_line = min(args.per_line_orders, len(frame))
        legacy = _write(_json_column(frame.iloc[:per_line]), Path(tmp) / "json", args.files)

        files = sorted(Path(tmp, "columns").iterdir())

        def baseline() -> pa.Table:
            table = pa.concat_tables([pq.read_table(f) for f in files])
            return filterlib.check_table(info, table.drop_columns(["id"]))

        base, result = _best(baseline, args.repeats)
        want = _counts(result)
        compared = _sample_agrees(info, frame, result)
        assert want["OK"] * 2 == len(frame), want  # the generator's half valid
        print(f"baseline agrees with check() on {compared:,} sampled rows; counts {dict(want)}")
        legacy_want = _counts(
            filterlib.check_table(
                info, pa.Table.from_pandas(frame.iloc[:per_line]).drop_columns(["id"])
            )
        )

        rows: list[tuple[str, int, float | None, float, float | None]] = [
            ("1 process, check_table", len(frame), None, base, None)
        ]
        print(f"load average before the clusters: {os.getloadavg()}")
        for n in args.workers:
            with (
                LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    worker_dashboard_address=":0",
                ) as cluster,
                Client(cluster) as client,  # type: ignore[no-untyped-call]
            ):
                client.wait_for_workers(n, timeout=60)
                checked = fdask.check_parquet(pattern, passthrough=["id"])
                start = time.perf_counter()
                assert fdask.summary(checked) == want, "the cluster's answers differ"
                cold = time.perf_counter() - start
                summ, counts = _best(partial(fdask.summary, checked), args.repeats, client)
                assert counts == want
                collect, got = _best(checked[RESULTS].compute, args.repeats, client)
                assert len(got) == len(frame)
                assert got["id"].is_monotonic_increasing
                rows.append((f"{n} worker(s), check_table", len(frame), cold, summ, collect))
                if per_line:
                    old = fdask.check_parquet(legacy)
                    _forgotten(client)
                    start = time.perf_counter()
                    assert fdask.summary(old) == legacy_want, "the per-line answers differ"
                    cold = time.perf_counter() - start
                    summ, counts = _best(partial(fdask.summary, old), args.repeats, client)
                    assert counts == legacy_want
                    rows.append((f"{n} worker(s), per line", per_line, cold, summ, None))
            print(f"load average after {n} worker(s): {os.getloadavg()}")

    print()
    print(
        f"{'':28} {'orders':>9} {'cold s':>7} {'summary s':>10} {'orders/s':>10} "
        f"{'collect s':>10} {'orders/s':>10}"
    )
    for name, count, first, counted, collected in rows:
        cold_text = "-" if first is None else f"{first:.2f}"
        texts = (
            ["-", "-"] if collected is None else [f"{collected:.2f}", f"{count / collected:,.0f}"]
        )
        print(
            f"{name:28} {count:>9,} {cold_text:>7} {counted:10.2f} {count / counted:>10,.0f} "
            f"{texts[0]:>10} {texts[1]:>10}"
        )
    by = {row[0]: (row[1], row[3], row[4]) for row in rows}
    one, two = by.get("1 worker(s), check_table"), by.get("2 worker(s), check_table")
    if one and two and one[2] and two[2]:
        print(
            f"2 workers / 1 worker, check_table: summary {one[1] / two[1]:.2f}x, "
            f"collect {one[2] / two[2]:.2f}x"
        )
    for n in args.workers:
        fast, slow = by.get(f"{n} worker(s), check_table"), by.get(f"{n} worker(s), per line")
        if fast and slow:
            ratio = (fast[0] / fast[1]) / (slow[0] / slow[1])
            print(f"{n} worker(s): check_table / per line, orders/s of summary: {ratio:.0f}x")
    one_old, two_old = by.get("1 worker(s), per line"), by.get("2 worker(s), per line")
    if one_old and two_old:
        print(f"2 workers / 1 worker, per line: summary {one_old[1] / two_old[1]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
