"""``filterlib.check_table`` against the per-order paths, on one core, as ratios (issue 20).

Issue 20's targets: ``check_table`` at least 2x faster than the tuned per-order Decimal loop
and at least 20x faster than ccxt's pre-send path, on half-rejected real-symbol orders, with
orders per second on one core. Every figure comes from one run: same process, same orders.

The orders: ``--orders`` (default 1,000,000) LIMIT orders made by cycling the 100,000 distinct
orders of ``benchmarks/orders.py``'s ``generate(100_000)`` (``--distinct``) over the shipped
snapshot's real symbols: half valid, half breaking exactly one of PRICE_FILTER, LOT_SIZE or
NOTIONAL, each with its symbol's avgPrice. Each method gets the avgPrice as it takes context:
``check_table`` as an ``avgPrice`` column (one wire string per row), the others as
``context={"avgPrice": "<price>"}``, the same context ``check_table`` makes of the column.

Timed, in turn, in each of ``--repeats`` rounds (default 5):

* ``check_table arrow``: ``check_table(info, table)`` on a pyarrow Table of string columns,
  warm (steady state: the snapshot's compiled forms and learned verdicts already built);
* ``check_table pandas`` / ``check_table polars``: the same orders as a pandas / polars
  DataFrame of strings (each library's default string type), when the library is installed;
  the conversion to Arrow and of the result back is part of the call, so it is timed;
* ``check_table cold``: the first call on a snapshot loaded afresh in that round (the loading
  itself untimed): what a program's first table pays for the lazily decoded symbols, their
  compiled forms and the verdicts learned from one full rule run per symbol, side and context;
* ``table + build``: the pyarrow Table built from the request dicts (one list per column,
  then ``pa.array``) plus a warm ``check_table``: the figure for a program that holds dicts;
* ``tuned``, ``tuned+band``, ``tuned (dicts)``: ``benchmarks/check_limit.py``'s tuned Decimal
  loops (imported, not copied); ``tuned`` is the issue's baseline;
* ``check``: ``filterlib.check`` per order (``check_limit.run_check``);
* ``check_many``: one call per symbol with that symbol's context (``ccxt_compare``'s
  ``run_check_many``; the grouping by symbol is done beforehand, untimed);
* ``ccxt`` and ``ccxt request``: ccxt's pre-send path exactly as ``benchmarks/ccxt_compare.py``
  runs it (precision + the limits in floats; ``create_order_request`` + the limits), on the
  first ``--ccxt-orders`` orders (default 100,000, the distinct ones) because it is an order of
  magnitude slower; its figures are per order, scaled to the same unit as the others.

Each figure is the best of the rounds (GC off while timing, as timeit); the process's CPU time
of that run is printed beside it (below the wall time when something else held the core). The
ratios are best against best, and their spread over the rounds (each round runs every method
back to back) shows how much the load moved.

One core: the process (every thread it has) is pinned to one CPU with
``os.sched_setaffinity`` where the platform has it (``--cpu``, default the lowest allowed);
``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` and ``POLARS_MAX_THREADS``
are set to 1 before numpy or polars is imported, and ``pyarrow.set_cpu_count(1)``,
``pyarrow.set_io_thread_count(1)``.

Checked, untimed: every method agrees with ``check`` on ok/not-ok for every order (asserted);
every ``check_table`` result (arrow, pandas, polars, cold) agrees with ``check`` on ok, code,
msg and rule for every row (asserted; check's rule is taken once per distinct order). ccxt is
not a check of Binance's filters (it rounds rejected orders into other orders and sends
them): its agreement is counted, not asserted.

Needs the bulk extra (pyarrow, numpy); pandas, polars and ccxt are optional (ccxt is a
benchmark-only dependency: ``pip install ccxt``; without it the ccxt rows are skipped)::

    python benchmarks/check_table.py [--orders 1000000] [--repeats 5] [--ccxt-orders 100000]
        [--cpu N] [--profile]

``--profile`` also prints a cProfile of one warm and one cold ``check_table`` call. About three
minutes with the defaults on a shared 2-core machine, and about 2 GB of memory.
"""

from __future__ import annotations

import os

# One thread for the native pools, set before numpy, pyarrow or polars is imported.
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"
os.environ["POLARS_MAX_THREADS"] = "1"

import argparse
import gc
import importlib
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from types import ModuleType
from typing import Any, Generic, TypeVar

import numpy as np
import pyarrow as pa
from ccxt_compare import (
    CcxtRow,
    build_exchange,
    load_ccxt,
    run_ccxt,
    run_ccxt_request,
    run_check_many,
    snapshot_raw,
)
from check_limit import (
    Call,
    Row,
    bounds_table,
    profile,
    run_check,
    run_tuned,
    run_tuned_band,
)
from orders import Order, generate

import filterlib
from filterlib._table import judge_columns
from filterlib.snapshot import DEFAULT_SNAPSHOT_NAME

T = TypeVar("T")
#: A request dict's fields as check_limit's rows (its "tuned (dicts)" variant reads the same).
_ROW = itemgetter("symbol", "side", "price", "quantity")
#: The parameter columns, in the order of the generated request dicts, then the context's.
COLUMNS = ("symbol", "side", "type", "timeInForce", "quantity", "price")
#: Ratios to print per round: check_table arrow (warm) against these.
SPREAD_AGAINST = ("tuned", "ccxt", "check")
#: What one row of a result is compared on.
Answer = tuple[bool, int | None, str | None, str | None]


def optional(name: str) -> ModuleType | None:
    """Module ``name``, or None when it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def pin(cpu: int | None) -> str:
    """Pin every thread of this process to one CPU; say what was done."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no os.sched_setaffinity here): one core not guaranteed"
    allowed = sorted(os.sched_getaffinity(0))
    chosen = allowed[0] if cpu is None else cpu
    threads = [int(t) for t in os.listdir("/proc/self/task")] if os.path.isdir("/proc") else [0]
    for tid in threads:
        os.sched_setaffinity(tid, {chosen})
    return (
        f"pinned to CPU {chosen} with os.sched_setaffinity (of {allowed}; "
        f"{len(threads)} thread(s) at pin time)"
    )


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


@dataclass
class Timing(Generic[T]):
    """One timed call: wall and process CPU time (ns) and what it returned."""

    wall: int
    cpu: int
    result: T


def timed(fn: Callable[[], T]) -> Timing[T]:
    """One call of ``fn`` with the GC off (as timeit does), after emptying it."""
    gc.collect()
    gc.disable()
    try:
        wall, cpu = time.perf_counter_ns(), time.process_time_ns()
        result = fn()
        return Timing(time.perf_counter_ns() - wall, time.process_time_ns() - cpu, result)
    finally:
        gc.enable()


@dataclass
class Method:
    """A timed method: how to run it once, over how many orders, and its rounds."""

    name: str
    run: Callable[[], object]
    orders: int
    walls: list[int] = field(default_factory=list)
    cpus: list[int] = field(default_factory=list)
    last: object = None

    def once(self) -> None:
        t = timed(self.run)
        self.walls.append(t.wall)
        self.cpus.append(t.cpu)
        self.last = t.result

    def per_order(self, round_: int | None = None) -> float:
        """ns per order: the best round's, or round ``round_``'s."""
        wall = min(self.walls) if round_ is None else self.walls[round_]
        return wall / self.orders

    def cpu_of_best(self) -> float:
        return self.cpus[self.walls.index(min(self.walls))] / self.orders


def answers(table: Any) -> list[Answer]:
    """A check_table result (pyarrow, pandas or polars) as (ok, code, msg, rule) per row."""
    kind = type(table).__module__.split(".", 1)[0]
    if kind == "pandas":
        table = pa.Table.from_pandas(table, preserve_index=False)  # pd.NA as null
    if kind == "polars":
        columns = [table[c].to_list() for c in ("ok", "code", "msg", "rule")]
    else:
        columns = [table.column(c).to_pylist() for c in ("ok", "code", "msg", "rule")]
    ok, code, msg, rule = columns
    return [
        (bool(o), None if c is None else int(c), m, r)
        for o, c, m, r in zip(ok, code, msg, rule, strict=True)
    ]


def reference(
    info: filterlib.ExchangeInfo, calls: Sequence[Call], distinct: int
) -> tuple[list[Answer], list[bool]]:
    """``check``'s answer to every order: (ok, code, msg, rule) per row (the rule, which reads
    the violations, worked out once per distinct order), and ok alone."""
    rules: list[str | None] = []
    for params, ctx in calls[:distinct]:
        v = filterlib.check(info, params, context=ctx)
        rules.append(v.violations[0].rule if v.error is not None and v.violations else None)
    out: list[Answer] = []
    for i, (params, ctx) in enumerate(calls):
        v = filterlib.check(info, params, context=ctx)
        e = v.error
        code, msg = (None, None) if e is None else (e.code, e.msg)
        out.append((v.ok, code, msg, rules[i % distinct]))
    return out, [a[0] for a in out]


def table_from_dicts(params: Sequence[dict[str, str]], avg: Sequence[str]) -> Any:
    """The pyarrow Table of string columns a program holding request dicts would build."""
    arrays = {name: pa.array([p[name] for p in params], pa.string()) for name in COLUMNS}
    arrays["avgPrice"] = pa.array(avg, pa.string())
    return pa.table(arrays)


def spread(values: Sequence[float]) -> str:
    return (
        f"median {statistics.median(values):.2f}x, "
        f"{min(values):.2f}x to {max(values):.2f}x over {len(values)} rounds"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="check_table vs the per-order paths, one core")
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders (default 1000000)")
    parser.add_argument(
        "--distinct", type=int, default=100_000, help="distinct orders cycled (default 100000)"
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument(
        "--ccxt-orders", type=int, default=100_000, help="orders ccxt is timed on (default 100000)"
    )
    parser.add_argument("--cpu", type=int, default=None, help="the CPU to pin to")
    parser.add_argument("--seed", type=int, default=20230813)
    parser.add_argument("--profile", action="store_true", help="cProfile one warm, one cold call")
    parser.add_argument("--top", type=int, default=25, help="rows of each profile")
    args = parser.parse_args(argv)

    load_before = load_average()
    pinned = pin(args.cpu)
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    pd = optional("pandas")
    pl = optional("polars")
    ccxt = load_ccxt()
    check_table = filterlib.check_table

    info = filterlib.load_default_exchange_info()
    base, sym_list = generate(args.distinct, args.seed, info)
    n, distinct = args.orders, len(base)
    orders: list[Order] = [base[i % distinct] for i in range(n)]
    avg_of = {s.name: format(s.avg_price, "f") for s in sym_list}
    ctx_of: dict[str, dict[str, object]] = {name: {"avgPrice": p} for name, p in avg_of.items()}
    params_list = [o.params for o in orders]
    avg_list = [o.avg_price for o in orders]
    assert all(avg_of[o.params["symbol"]] == o.avg_price for o in base)
    calls: list[Call] = [(p, ctx_of[p["symbol"]]) for p in params_list]
    rows: list[Row] = [_ROW(p) for p in params_list]
    bounds = bounds_table(sym_list)
    by_symbol: dict[str, list[int]] = {}
    for i, p in enumerate(params_list):
        by_symbol.setdefault(p["symbol"], []).append(i)
    groups = [([params_list[i] for i in at], ctx_of[name]) for name, at in by_symbol.items()]
    group_order = [i for at in by_symbol.values() for i in at]

    table = table_from_dicts(params_list, avg_list)
    # The DataFrames as a program makes them from Python lists (each library's default
    # string type: pandas 3's str, polars' String).
    lists = {name: table.column(name).to_pylist() for name in table.column_names}
    frames: dict[str, Any] = {}
    if pd is not None:
        frames["pandas"] = pd.DataFrame(lists)
    if pl is not None:
        frames["polars"] = pl.DataFrame(lists)
    del lists
    raw_bytes = _snapshot_bytes()
    cold_method = Method("check_table cold", lambda: None, n)

    def cold_round() -> None:
        """check_table on a snapshot loaded afresh (the loading untimed), recorded as a round."""
        fresh = filterlib.load_exchange_info(raw_bytes, lazy=True)
        t = timed(lambda: check_table(fresh, table))
        cold_method.walls.append(t.wall)
        cold_method.cpus.append(t.cpu)
        cold_method.last = t.result

    methods: dict[str, Method] = {
        "check_table arrow": Method("check_table arrow", lambda: check_table(info, table), n),
    }
    for kind, frame in frames.items():
        methods[f"check_table {kind}"] = Method(
            f"check_table {kind}", partial(check_table, info, frame), n
        )
    methods["table + build"] = Method(
        "table + build",
        lambda: check_table(info, table_from_dicts(params_list, avg_list)),
        n,
    )
    methods["tuned"] = Method("tuned", lambda: run_tuned(rows, bounds), n)
    methods["tuned+band"] = Method("tuned+band", lambda: run_tuned_band(rows, bounds), n)
    methods["tuned (dicts)"] = Method(
        "tuned (dicts)", lambda: run_tuned(map(_ROW, params_list), bounds), n
    )
    methods["check"] = Method("check", lambda: run_check(info, calls), n)
    methods["check_many"] = Method("check_many", lambda: run_check_many(info, groups), n)
    ccxt_rows: list[CcxtRow] = []
    m = min(args.ccxt_orders, n)
    if ccxt is not None:
        ex = build_exchange(ccxt, snapshot_raw())
        base_error: type[Exception] = ccxt.BaseError
        unified = {mk["id"]: mk["symbol"] for mk in ex.markets.values()}
        ccxt_rows = [
            (
                unified[p["symbol"]],
                p["side"].lower(),
                float(p["quantity"]),
                float(p["price"]),
                ex.markets[unified[p["symbol"]]]["limits"],
            )
            for p in params_list[:m]
        ]
        methods["ccxt"] = Method("ccxt", lambda: run_ccxt(ex, ccxt_rows, base_error), m)
        methods["ccxt request"] = Method(
            "ccxt request", lambda: run_ccxt_request(ex, ccxt_rows, base_error), m
        )

    # Warm-up, untimed: the snapshot's compiled forms and learned verdicts (every filterlib
    # method shares them), and ccxt's first calls. The rounds below are the steady state.
    check_table(info, table)
    run_check(info, calls[:distinct])
    if ccxt is not None:
        run_ccxt(ex, ccxt_rows[:1000], base_error)
        run_ccxt_request(ex, ccxt_rows[:1000], base_error)
    rounds: dict[str, list[float]] = {name: [] for name in SPREAD_AGAINST}
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    for r in range(args.repeats):
        cold_round()
        for method in methods.values():  # interleaved, so drifting load hits all alike
            method.once()
        table_ns = methods["check_table arrow"].per_order(r)
        for name in SPREAD_AGAINST:
            if name in methods:
                rounds[name].append(methods[name].per_order(r) / table_ns)
    finished = time.strftime("%H:%M:%S UTC", time.gmtime())
    load_after = load_average()

    # Agreement, untimed.
    expected, expected_ok = reference(info, calls, distinct)
    for name in ("tuned", "tuned+band", "tuned (dicts)", "check"):
        got = methods[name].last
        assert got == expected_ok, f"{name} disagrees with check on ok/not-ok"
    many = methods["check_many"].last
    assert isinstance(many, list)
    regrouped: list[bool] = [False] * n
    for i, ok in zip(group_order, many, strict=True):
        regrouped[i] = ok
    assert regrouped == expected_ok, "check_many disagrees with check"
    results = {name: methods[name].last for name in methods if name.startswith("check_table")}
    results["table + build"] = methods["table + build"].last
    results["check_table cold"] = cold_method.last
    for name, result in results.items():
        got_answers = answers(result)
        wrong = sum(a != b for a, b in zip(got_answers, expected, strict=True))
        assert wrong == 0, f"{name} disagrees with check on {wrong} rows (ok, code, msg, rule)"
    judged = len(judge_columns(info, table).rows)
    ccxt_agree = ""
    if ccxt is not None:
        outcomes = methods["ccxt"].last
        assert isinstance(outcomes, list)
        same = sum((o[0] is None) == ok for o, ok in zip(outcomes, expected_ok[:m], strict=True))
        refused = sum(o[0] is not None for o in outcomes)
        ccxt_agree = (
            f"ccxt (not asserted: it rounds orders Binance rejects and sends them): refuses "
            f"{refused:,} of its {m:,}; its send/refuse matches check's ok/not-ok on {same:,}"
        )

    # The report.
    bad = sum(not ok for ok in expected_ok)
    print(
        f"python {sys.version.split()[0]}; pyarrow {pa.__version__}; numpy {np.__version__}; "
        + "; ".join(
            f"{label} {mod.__version__ if mod is not None else 'not installed'}"
            for label, mod in (("pandas", pd), ("polars", pl), ("ccxt", ccxt))
        )
    )
    print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}; {pinned}")
    print(
        f"threads: pyarrow cpu_count {pa.cpu_count()}, io {pa.io_thread_count()}"
        + (f"; polars pool {pl.thread_pool_size()}" if pl is not None else "")
        + "; OMP/OPENBLAS/MKL/POLARS_MAX_THREADS=1"
    )
    print(f"load average (1, 5, 15 min): {load_before} before, {load_after} after")
    print(f"run {started} to {finished}; filterlib snapshot {DEFAULT_SNAPSHOT_NAME}")
    print(
        f"orders: {n:,} LIMIT orders cycling the {distinct:,} distinct ones of "
        f"generate({distinct:,}) over {len(sym_list):,} real symbols; {n - bad:,} valid, "
        f"{bad:,} breaking one rule; avgPrice per row (a column for check_table, the context "
        "for the others)"
    )
    print(f"check_table judges {judged:,}/{n:,} rows on columns (the rest: check row by row)")
    print(
        f"best of {args.repeats} rounds, every method back to back in each, GC off while timing; "
        f"ccxt on the first {m:,} orders, per order"
    )
    print()
    print(f"{'method':<20} {'orders':>10} {'ns/order':>9} {'orders/s':>11} {'cpu/wall':>9}")
    for method in (*methods.values(), cold_method):
        per = method.per_order()
        print(
            f"{method.name:<20} {method.orders:>10,} {per:>9.0f} {1e9 / per:>11,.0f} "
            f"{method.cpu_of_best() / per:>9.2f}"
        )
    print()
    print("check_table's speed-up: the other method's ns per order / check_table's (best of")
    print("the rounds each); issue 20's targets are the warm arrow row against tuned and ccxt:")
    warm = methods["check_table arrow"].per_order()
    others = [k for k in methods if not k.startswith("check_table") and k != "table + build"]
    kinds = [k for k in methods if k.startswith("check_table")] + ["table + build"]
    print(f"  {'':<20}" + "".join(f" {name:>13}" for name in others))
    for kind in [*kinds, "check_table cold"]:
        this = methods.get(kind, cold_method).per_order()
        cells = "".join(f" {methods[name].per_order() / this:>12.2f}x" for name in others)
        print(f"  {kind:<20}{cells}")
    for name, goal in (("tuned", 2.0), ("ccxt", 20.0)):
        if name in methods:
            ratio = methods[name].per_order() / warm
            verdict = "met" if ratio >= goal else "NOT met"
            print(f"  target check_table >= {goal:.0f}x {name}: {ratio:.2f}x, {verdict}")
    print(f"  check_table cold (first call on a fresh snapshot) / warm: "
          f"{cold_method.per_order() / warm:.2f}x")  # fmt: skip
    print("per-round ratios (that round's other / that round's warm check_table arrow):")
    for name, values in rounds.items():
        if values:
            print(f"  {name:<6} {spread(values)}")
    shown = [k for k in ("check_table arrow", *SPREAD_AGAINST) if k in methods]
    print("each round, ns per order (cpu/wall of the warm check_table arrow call):")
    for r in range(args.repeats):
        arrow = methods["check_table arrow"]
        cells = ", ".join(f"{k} {methods[k].per_order(r):.0f}" for k in shown)
        print(f"  {r + 1}: {cells} ({arrow.cpus[r] / arrow.walls[r]:.2f})")
    print()
    print("agreement with check() on every order:")
    print("  tuned, tuned+band, tuned (dicts), check_many: ok/not-ok, asserted")
    print(
        f"  check_table ({', '.join(sorted(results))}): ok, code, msg and rule of every row, "
        "asserted"
    )
    if ccxt_agree:
        print(f"  {ccxt_agree}")

    if args.profile:
        print()
        print("cProfile of one warm check_table call on the pyarrow Table (profiling inflates):")
        print(profile(lambda: check_table(info, table), args.top))
        fresh = filterlib.load_exchange_info(raw_bytes, lazy=True)
        print("cProfile of one cold check_table call (a fresh snapshot):")
        print(profile(lambda: check_table(fresh, table), args.top))
    return 0


def _snapshot_bytes() -> bytes:
    """The shipped snapshot's file, as ``load_default_exchange_info`` reads it."""
    from importlib import resources

    data = resources.files("filterlib").joinpath("data", f"{DEFAULT_SNAPSHOT_NAME}.json.gz")
    return data.read_bytes()


if __name__ == "__main__":
    raise SystemExit(main())
