"""Loading the shipped snapshot, eagerly and lazily, against ``orjson.loads``, as ratios.

The shipped ``.json.gz`` is gunzipped once (untimed); every side then takes the same JSON bytes,
and the loader is called on the bytes each time (never the cached ``load_default_exchange_info``):

* ``orjson.loads``: the baseline;
* ``eager``: ``load_exchange_info(data)``, every symbol decoded and checked on load;
* ``lazy``: ``load_exchange_info(data, lazy=True)``, the top level checked, each symbol kept
  as JSON bytes until first used (what ``load_default_exchange_info`` does).

Times are the best of ``--repeats`` interleaved runs, with the garbage collector on (as callers
run) and, for reference, off. Memory, each as a ratio to the JSON size:

* RSS delta: ``VmRSS`` from ``/proc/self/status`` (``resource`` maxrss where there is no /proc)
  before and after one load whose result is kept, after ``gc.collect()``, in a fresh
  interpreter per side, since a process's freed heap is reused by what follows;
* tracemalloc: the bytes still allocated once the load returns (what the snapshot keeps), and
  the peak during the load;

for orjson's parsed dict, the eager load, the lazy load, and the lazy load after
``validate()`` has decoded every symbol ("lazy, all decoded").

    python benchmarks/load.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import gc
import gzip
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from importlib import resources

import orjson

import filterlib
from filterlib.snapshot import DEFAULT_SNAPSHOT_NAME


def snapshot_json() -> bytes:
    """The shipped snapshot as plain JSON bytes."""
    name = f"{DEFAULT_SNAPSHOT_NAME}.json.gz"
    raw = resources.files("filterlib").joinpath("data").joinpath(name).read_bytes()
    return gzip.decompress(raw)


def rss_bytes() -> int:
    """The current resident set size, or the peak where /proc is missing."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def loaders(data: bytes) -> dict[str, Callable[[], object]]:
    """The measured sides, by name, each taking the same bytes."""

    def eager() -> object:
        return filterlib.load_exchange_info(data)

    def lazy() -> object:
        return filterlib.load_exchange_info(data, lazy=True)

    def lazy_all() -> object:
        return filterlib.load_exchange_info(data, lazy=True).validate()

    def parse() -> object:
        return orjson.loads(data)

    return {"orjson.loads": parse, "eager": eager, "lazy": lazy, "lazy, all decoded": lazy_all}


_RSS_CHILD = """
import gc, sys
sys.path.insert(0, {here!r})
from load import loaders, rss_bytes, snapshot_json
data = snapshot_json()
fn = loaders(data)[sys.argv[1]]
gc.collect()
before = rss_bytes()
kept = fn()
gc.collect()
print(rss_bytes() - before)
"""


def rss_in_child(which: str) -> int:
    """RSS delta of one load in a fresh interpreter (no heap left over from other work)."""
    here = os.path.dirname(os.path.abspath(__file__))
    code = _RSS_CHILD.format(here=here)
    out = subprocess.run(
        [sys.executable, "-c", code, which], check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip())


def traced(fn: Callable[[], object]) -> tuple[int, int]:
    """(bytes still allocated after ``fn`` returns with its result kept, peak during ``fn``)."""
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        kept = fn()
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del kept
    return current - base, peak - base


def timed(fn: Callable[[], object], gc_off: bool) -> int:
    gc.collect()
    if gc_off:
        gc.disable()
    try:
        start = time.perf_counter_ns()
        fn()
        return time.perf_counter_ns() - start
    finally:
        gc.enable()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="load_exchange_info (eager, lazy) vs orjson.loads")
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats (default 7)")
    args = parser.parse_args(argv)

    data = snapshot_json()
    size = len(data)
    sides = loaders(data)
    info = sides["lazy"]()
    assert isinstance(info, filterlib.ExchangeInfo)
    n_symbols = len(info.symbols)
    assert info == sides["eager"](), "a lazy load must equal an eager one"
    del info

    # Memory first, before timing has grown this process's heap.
    rss = {name: rss_in_child(name) for name in sides}
    traces = {name: traced(fn) for name, fn in sides.items()}

    timed_sides = {k: v for k, v in sides.items() if k != "lazy, all decoded"}
    best: dict[tuple[str, bool], int] = {}
    for _ in range(args.repeats):
        for gc_off in (False, True):
            for name, fn in timed_sides.items():
                ns = timed(fn, gc_off)
                best[name, gc_off] = min(best.get((name, gc_off), ns), ns)

    mib = 1024 * 1024
    print(f"python {sys.version.split()[0]}, orjson {orjson.__version__}; {DEFAULT_SNAPSHOT_NAME}:")
    print(f"  {n_symbols} symbols, {size} bytes of JSON ({size / mib:.2f} MiB)")
    print(f"time, best of {args.repeats}:")
    print(f"  {'':<14} {'GC on ms':>9} {'ratio':>7} {'GC off ms':>10} {'ratio':>7}")
    for name in timed_sides:
        on, off = best[name, False], best[name, True]
        base_on, base_off = best["orjson.loads", False], best["orjson.loads", True]
        print(
            f"  {name:<14} {on / 1e6:>9.2f} {on / base_on:>6.2f}x"
            f" {off / 1e6:>10.2f} {off / base_off:>6.2f}x"
        )
    print("  (target: loading <= 2x orjson.loads)")
    print("memory, as a ratio to the JSON size (target: a loaded snapshot < 4x):")
    print(f"  {'':<18} {'RSS fresh':>14} {'traced kept':>14} {'traced peak':>14}")
    for name in sides:
        kept, peak = traces[name]
        cells = " ".join(f"{v / mib:>6.2f} MiB {v / size:>4.2f}x" for v in (rss[name], kept, peak))
        print(f"  {name:<18} {cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
