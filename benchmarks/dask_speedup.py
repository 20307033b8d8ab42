"""Speed-up of filterlib.dask with 1 and 2 worker processes vs one process, same orders, same run.

The orders are benchmarks/orders.py's LIMIT orders (half valid, half breaking one filter), each
written as a wrapped JSON Lines request with its symbol's avgPrice in the context, split over
``--files`` files. The baseline is this process doing exactly the per-line work of a worker
(decode, check, ``Verdict.to_dict()``) with the snapshot already loaded. Each cluster is a
``distributed.LocalCluster(n_workers=N, threads_per_worker=1, processes=True)``; its first run
(``cold``: workers load the snapshot) is reported apart from the best of ``--repeats`` warm runs:

- ``collect``: ``check_jsonl(...).compute()``, every verdict dict sent back to this process;
- ``summary``: ``summary(check_jsonl(...))``, only the counts come back.

Run: ``python benchmarks/dask_speedup.py`` (about a minute; ``pip install -e '.[dask]'``).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from distributed import Client, LocalCluster
from orders import generate

import filterlib.dask as fdask


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def _write(lines: list[bytes], folder: Path, files: int) -> str:
    per = -(-len(lines) // files)
    for i in range(files):
        (folder / f"orders-{i:03d}.jsonl").write_bytes(b"".join(lines[i * per : (i + 1) * per]))
    return str(folder / "orders-*.jsonl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=40_000)
    parser.add_argument("--files", type=int, default=8, help="JSON Lines files (= partitions)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)

    orders, _ = generate(args.orders)
    lines = [
        orjson.dumps(
            {"params": o.params, "context": {"avgPrice": {"mins": 5, "price": o.avg_price}}}
        )
        + b"\n"
        for o in orders
    ]
    print(f"{len(lines):,} orders in {args.files} files; cpus: {os.cpu_count()}")

    fdask.snapshot()  # loaded before timing, as it is on a warm worker
    base, want = _best(lambda: fdask._check_items(lines, None), args.repeats)
    want_summary = Counter(fdask._summary_key(v) for v in want)
    rows: list[tuple[str, str, float, float, int | None]] = [
        ("1 process (baseline)", "-", base, base, None)
    ]

    with tempfile.TemporaryDirectory() as tmp:
        pattern = _write(lines, Path(tmp), args.files)
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
                bag = fdask.check_jsonl(pattern, blocksize=None)
                start = time.perf_counter()
                got = bag.compute()  # type: ignore[no-untyped-call]
                cold = time.perf_counter() - start
                assert got == want, "the cluster's verdicts differ from the baseline's"
                collect, _ = _best(bag.compute, args.repeats)
                summ, counts = _best(partial(fdask.summary, bag), args.repeats)
                assert counts == want_summary
                rows.append((f"{n} worker(s)", f"{cold:.2f}", collect, summ, n))

    print(f"{'':22} {'cold s':>7} {'collect s':>10} {'summary s':>10} {'speed-up':>9} {'(sum)':>7}")
    for name, cold_text, collect, summ, _n in rows:
        print(
            f"{name:22} {cold_text:>7} {collect:10.2f} {summ:10.2f} "
            f"{base / collect:8.2f}x {base / summ:6.2f}x"
        )
    by_n = {n: (c, s) for _, _, c, s, n in rows if n is not None}
    if 1 in by_n and 2 in by_n:
        (c1, s1), (c2, s2) = by_n[1], by_n[2]
        print(f"2 workers vs 1 worker: collect {c1 / c2:.2f}x, summary {s1 / s2:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
