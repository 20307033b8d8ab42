"""Loading the shipped snapshot: ``load_exchange_info(bytes)`` against ``orjson.loads``, as ratios.

The shipped ``.json.gz`` is gunzipped once (untimed); both sides then take the same JSON bytes,
and the loader is called on the bytes each time (never the cached ``load_default_exchange_info``).
Memory is measured first, in a process that has not yet timed anything:

* RSS delta: ``VmRSS`` from ``/proc/self/status`` (``resource`` maxrss where there is no /proc)
  before and after a load whose result is kept, after ``gc.collect()``, both in this process
  and in a fresh interpreter per side ("fresh"), since freed heap is reused by what follows;
* tracemalloc: the bytes still allocated once the load returns (what the snapshot keeps) and
  the peak during the load (which includes orjson's transient dict);

each as a ratio to the JSON size, with orjson's parsed dict as the reference.

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


def rss_delta(fn: Callable[[], object]) -> tuple[int, object]:
    gc.collect()
    before = rss_bytes()
    kept = fn()
    gc.collect()
    return rss_bytes() - before, kept


_RSS_CHILD = """
import gc, sys
sys.path.insert(0, {here!r})
from load import rss_bytes, snapshot_json
data = snapshot_json()
import orjson, filterlib
fn = orjson.loads if sys.argv[1] == "orjson" else filterlib.load_exchange_info
gc.collect()
before = rss_bytes()
kept = fn(data)
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
    parser = argparse.ArgumentParser(description="load_exchange_info vs orjson.loads")
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats (default 7)")
    args = parser.parse_args(argv)

    data = snapshot_json()
    size = len(data)

    def load() -> object:
        return filterlib.load_exchange_info(data)

    def parse() -> object:
        return orjson.loads(data)

    # Memory first, before timing has grown the heap. RSS of the loader, then of orjson alone.
    rss_load, info = rss_delta(load)
    assert isinstance(info, filterlib.ExchangeInfo)
    n_symbols = len(info.symbols)
    rss_parse, doc = rss_delta(parse)
    del info, doc
    rss_load_child, rss_parse_child = rss_in_child("load"), rss_in_child("orjson")
    kept_load, peak_load = traced(load)
    kept_parse, peak_parse = traced(parse)

    variants: dict[str, Callable[[], object]] = {"orjson.loads": parse, "load_exchange_info": load}
    best: dict[tuple[str, bool], int] = {}
    for _ in range(args.repeats):
        for gc_off in (True, False):
            for name, fn in variants.items():
                ns = timed(fn, gc_off)
                best[name, gc_off] = min(best.get((name, gc_off), ns), ns)

    mib = 1024 * 1024
    print(f"python {sys.version.split()[0]}; {DEFAULT_SNAPSHOT_NAME}: {n_symbols} symbols, ")
    print(f"  {size} bytes of JSON ({size / mib:.2f} MiB); best of {args.repeats} repeats")
    print(f"{'':<20} {'GC off ms':>10} {'GC on ms':>10}")
    for name in variants:
        print(f"{name:<20} {best[name, True] / 1e6:>10.2f} {best[name, False] / 1e6:>10.2f}")
    for gc_off, label in ((True, "GC off"), (False, "GC on")):
        ratio = best["load_exchange_info", gc_off] / best["orjson.loads", gc_off]
        print(f"ratio load_exchange_info / orjson.loads ({label}) = {ratio:.1f}x (target <= 2x)")
    print("memory, as a ratio to the JSON size (target: loaded snapshot < 4x):")
    rows = (
        ("loaded snapshot, tracemalloc kept", kept_load),
        ("loaded snapshot, tracemalloc peak", peak_load),
        ("loaded snapshot, RSS delta", rss_load),
        ("loaded snapshot, RSS delta (fresh)", rss_load_child),
        ("orjson dict, tracemalloc kept", kept_parse),
        ("orjson dict, tracemalloc peak", peak_parse),
        ("orjson dict, RSS delta (after load)", rss_parse),
        ("orjson dict, RSS delta (fresh)", rss_parse_child),
    )
    for label, value in rows:
        print(f"  {label:<36} {value / mib:>7.2f} MiB = {value / size:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
