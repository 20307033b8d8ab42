"""``check`` against the tuned Decimal baseline in CPU instructions, not seconds (issue 4).

Wall-clock ratios on a shared machine move with whatever else runs (``check_limit.py`` has
read 4x to 10x on the same commit within minutes). Instructions executed hardly do: callgrind
counts them, whatever the load (two runs here agreed within 2% per figure, 0.03 per ratio;
memory addresses still differ between processes). This script
runs ``check_limit.py``'s variants under ``valgrind --tool=callgrind``, one process each,
every process doing the same set-up (load the snapshot and the orders, drawn once outside
valgrind; build the baseline's table; one untimed warm-up pass of ``check`` and of the
baselines), then ``--repeats`` passes of its own variant; a process that does only the
set-up is subtracted. So each figure is the instructions per order of that variant alone,
and the ratios compare like with like.

The ``violations`` variant is ``check`` followed by reading the verdict's violations (what the
command line renders for a rejected order); minus ``check``, it is what the violations cost.
The ``check_many`` variant checks the same orders with one ``check_many`` call per symbol and
its context, as ``ccxt_compare.py`` does.

It complements the timed benchmark, it does not replace it: instructions ignore cache misses
and branch mispredictions, which cost ``check`` (more code, more objects per order) more
than the baseline, so the time ratio is higher than the instruction ratio.

    python benchmarks/instructions.py [--orders 4000] [--repeats 2]   # about 2-4 minutes

Needs valgrind (``apt-get install valgrind``); without it the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

VARIANTS = ("setup", "tuned", "tuned+band", "check", "check_many", "violations")
SUBSETS = ("all", "valid", "invalid")


def child(variant: str, subset: str, drawn: str, repeats: int) -> None:
    """One measured process: the common set-up, then ``repeats`` passes of ``variant``."""
    from check_limit import bounds_table, contexts, run_check, run_tuned, run_tuned_band

    import filterlib

    info = filterlib.load_default_exchange_info()
    orders, syms = pickle.loads(Path(drawn).read_bytes())  # drawn once, outside valgrind
    if subset != "all":
        orders = [o for o in orders if (o.breaks is None) == (subset == "valid")]
    table = bounds_table(syms)
    ctx = contexts(syms)
    rows = [
        (o.params["symbol"], o.params["side"], o.params["price"], o.params["quantity"])
        for o in orders
    ]
    calls = [(o.params, ctx[o.params["symbol"]]) for o in orders]
    by_symbol: dict[str, list[dict[str, str]]] = {}
    for o in orders:
        by_symbol.setdefault(o.params["symbol"], []).append(o.params)
    groups = [(params, ctx[name]) for name, params in by_symbol.items()]
    run_check(info, calls)  # learns each key once, as a long-running bot has
    run_tuned(rows, table)
    run_tuned_band(rows, table)
    runs: dict[str, Callable[[], object]] = {
        "setup": lambda: None,
        "tuned": lambda: run_tuned(rows, table),
        "tuned+band": lambda: run_tuned_band(rows, table),
        "check": lambda: run_check(info, calls),
        # the same orders, one check_many per symbol with its context (as ccxt_compare.py does)
        "check_many": lambda: [filterlib.check_many(info, ps, context=c) for ps, c in groups],
        # check, then read each verdict's violations (what the CLI renders for a rejected line)
        "violations": lambda: [filterlib.check(info, p, context=c).violations for p, c in calls],
    }
    gc.collect()
    gc.disable()  # as the timed benchmark: no collection lands in one variant's passes only
    for _ in range(repeats):
        runs[variant]()
    print(len(orders))


def count(variant: str, subset: str, repeats: int, out: Path) -> tuple[int, int]:
    """(instructions, orders) of one child process under callgrind."""
    proc = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out / f'{variant}.{subset}.out'}",
            sys.executable,
            __file__,
            "--child",
            variant,
            subset,
            str(out / "orders.pickle"),
            str(repeats),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},  # the same dict and set layouts every run
    )
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from callgrind:\n{proc.stderr[-2000:]}")
    return int(found.group(1)), int(proc.stdout.split()[-1])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--child"]:
        child(args[1], args[2], args[3], int(args[4]))
        return 0
    parser = argparse.ArgumentParser(description="check vs tuned baseline, in instructions")
    parser.add_argument("--orders", type=int, default=4000, help="orders drawn (default 4000)")
    parser.add_argument("--repeats", type=int, default=2, help="measured passes (default 2)")
    parsed = parser.parse_args(args)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: nothing measured")
        return 0
    from orders import generate

    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(2) as pool:
        (Path(tmp) / "orders.pickle").write_bytes(pickle.dumps(generate(parsed.orders)))
        jobs = {
            (v, s): pool.submit(count, v, s, parsed.repeats, Path(tmp))
            for s in SUBSETS
            for v in VARIANTS
        }
        counted = {key: job.result() for key, job in jobs.items()}
    print(f"python {sys.version.split()[0]}; {parsed.orders} orders drawn; {parsed.repeats} passes")
    print(f"{'orders':<8} {'n':>6} " + " ".join(f"{v:>12}" for v in VARIANTS[1:]) + "  check/tuned")
    for subset in SUBSETS:
        base, n = counted[("setup", subset)]
        per = {v: (counted[(v, subset)][0] - base) / (n * parsed.repeats) for v in VARIANTS[1:]}
        cells = " ".join(f"{per[v]:>12,.0f}" for v in VARIANTS[1:])
        print(f"{subset:<8} {n:>6} {cells}  {per['check'] / per['tuned']:>10.2f}x")
    print("(instructions per order, each variant's set-up subtracted; target: check <= 3x tuned;")
    print(" violations: check and then reading the verdict's violations, as the CLI does)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
