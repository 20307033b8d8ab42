"""``filterlib.check`` of LIMIT orders against tuned Decimal baselines, as ratios (issue 4).

Same process, same run, same orders (``benchmarks/orders.py``: half valid, half breaking exactly
one of PRICE_FILTER / LOT_SIZE / NOTIONAL). Each repeat times, in turn:

* ``parse``: the legal-pattern regex and ``Decimal()`` of the two wire strings, nothing else;
* ``tuned``: parse + PRICE_FILTER + LOT_SIZE + NOTIONAL from a flat per-symbol tuple of Decimal
  bounds (issue 4's "tuned Decimal baseline": comparisons, two remainders, one product);
* ``tuned+band``: ``tuned`` plus the PERCENT_PRICE_BY_SIDE band from the symbol's avgPrice, the
  fourth filter ``check`` evaluates for these orders;
* ``tuned (dicts)``: ``tuned`` reading each order's symbol, side, price and quantity from the
  same request dicts ``check`` is given (``map`` of an ``itemgetter``), not from tuples built
  beforehand. ``check`` has no choice but to read the dicts: this row shows what reading them
  costs by itself;
* ``check``: ``filterlib.check(info, params, context={"avgPrice": {...}})``.

The figure for each is the best of the repeats (timeit-style: ``perf_counter_ns``, GC off while
timing). Each repeat is a round of every variant back to back, and the script also prints the
median and the spread of the rounds' own check / tuned ratios: a wide spread says the load
moved during the run, and the figures of that run deserve less trust. The baselines and
``check`` must agree on ok/not-ok for every order, which is asserted.

    python benchmarks/check_limit.py [--orders 50000] [--repeats 5] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Context, Decimal, localcontext
from operator import itemgetter

from orders import Order, Symbol, generate

import filterlib

#: Binance's legal DECIMAL pattern (as filterlib._decimals.DECIMAL_PATTERN, used with fullmatch).
_DECIMAL_RE = re.compile(r"[0-9]{1,20}(?:\.[0-9]{1,20})?")
#: A request dict's fields as a baseline row (see Row).
_ROW = itemgetter("symbol", "side", "price", "quantity")
#: Enough digits that no product of two wire decimals is rounded (as filterlib._decimals.CONTEXT).
_CTX = Context(prec=80, Emax=999, Emin=-999)
_INF = Decimal("Infinity")

#: One order as the baselines take it: symbol, side, price string, quantity string.
Row = tuple[str, str, str, str]
#: min price, max price, tick, min qty, max qty, step, min notional, max notional,
#: avgPrice x bid down, x bid up, x ask down, x ask up (zero maxima read as infinity).
Bounds = tuple[
    Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal,
    Decimal, Decimal, Decimal, Decimal,
]  # fmt: skip


def bounds_table(syms: list[Symbol]) -> dict[str, Bounds]:
    """The flat per-symbol tuple of Decimal bounds the baselines read (built once, untimed)."""
    table: dict[str, Bounds] = {}
    with localcontext(_CTX):
        for s in syms:
            pf, ls, nt, bd, avg = s.price_filter, s.lot_size, s.notional, s.band, s.avg_price
            if not (pf.tick_size and ls.step_size):
                raise ValueError(f"{s.name}: a zero tick or step is not handled by the baseline")
            table[s.name] = (
                pf.min_price,
                pf.max_price or _INF,
                pf.tick_size,
                ls.min_qty,
                ls.max_qty or _INF,
                ls.step_size,
                nt.min_notional,
                nt.max_notional or _INF,
                avg * bd.bid_multiplier_down,
                avg * bd.bid_multiplier_up,
                avg * bd.ask_multiplier_down,
                avg * bd.ask_multiplier_up,
            )
    return table


def run_parse(rows: list[Row], table: Mapping[str, Bounds]) -> list[bool]:
    """Regex + Decimal() of the two strings; the floor under any checker of wire strings."""
    match, dec = _DECIMAL_RE.fullmatch, Decimal
    out: list[bool] = []
    append = out.append
    with localcontext(_CTX):
        for _sym, _side, p_s, q_s in rows:
            if match(p_s) is None or match(q_s) is None:
                append(False)
                continue
            dec(p_s)
            dec(q_s)
            append(True)
    return out


def run_tuned(rows: Iterable[Row], table: Mapping[str, Bounds]) -> list[bool]:
    """PRICE_FILTER + LOT_SIZE + NOTIONAL, and nothing else."""
    match, dec = _DECIMAL_RE.fullmatch, Decimal
    out: list[bool] = []
    append = out.append
    with localcontext(_CTX):
        for sym, _side, p_s, q_s in rows:
            if match(p_s) is None or match(q_s) is None:
                append(False)
                continue
            min_p, max_p, tick, min_q, max_q, step, min_n, max_n, _, _, _, _ = table[sym]
            p = dec(p_s)
            q = dec(q_s)
            append(
                min_p <= p <= max_p
                and not p % tick
                and min_q <= q <= max_q
                and not q % step
                and min_n <= p * q <= max_n
            )
    return out


def run_tuned_band(rows: list[Row], table: Mapping[str, Bounds]) -> list[bool]:
    """``run_tuned`` plus the PERCENT_PRICE_BY_SIDE band (precomputed from avgPrice)."""
    match, dec = _DECIMAL_RE.fullmatch, Decimal
    out: list[bool] = []
    append = out.append
    with localcontext(_CTX):
        for sym, side, p_s, q_s in rows:
            if match(p_s) is None or match(q_s) is None:
                append(False)
                continue
            min_p, max_p, tick, min_q, max_q, step, min_n, max_n, bl, bh, al, ah = table[sym]
            p = dec(p_s)
            q = dec(q_s)
            append(
                min_p <= p <= max_p
                and not p % tick
                and (bl <= p <= bh if side == "BUY" else al <= p <= ah)
                and min_q <= q <= max_q
                and not q % step
                and min_n <= p * q <= max_n
            )
    return out


Call = tuple[dict[str, str], dict[str, object]]


def run_check(info: filterlib.ExchangeInfo, calls: list[Call]) -> list[bool]:
    check = filterlib.check
    out: list[bool] = []
    append = out.append
    for params, ctx in calls:
        append(check(info, params, context=ctx).ok)
    return out


def best_ns(fn: Callable[[], list[bool]]) -> tuple[int, list[bool]]:
    """One timed run of ``fn`` with the GC off (as timeit does)."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        result = fn()
        elapsed = time.perf_counter_ns() - start
    finally:
        gc.enable()
    return elapsed, result


def contexts(syms: list[Symbol]) -> dict[str, dict[str, object]]:
    """The context each symbol's orders are checked with: GET /api/v3/avgPrice's body."""
    return {
        s.name: {"avgPrice": {"mins": s.band.avg_price_mins, "price": format(s.avg_price, "f")}}
        for s in syms
    }


def profile(fn: Callable[[], object], top: int) -> str:
    """cProfile of ``fn()``: the ``top`` functions by own time, then by cumulative time."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="filterlib.check vs tuned Decimal baselines")
    parser.add_argument("--orders", type=int, default=50_000, help="orders (default 50000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats (default 5)")
    parser.add_argument("--seed", type=int, default=20230813)
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of check")
    parser.add_argument("--top", type=int, default=25, help="rows of the profile")
    args = parser.parse_args(argv)

    info = filterlib.load_default_exchange_info()
    orders: list[Order]
    orders, syms = generate(args.orders, args.seed, info)
    table = bounds_table(syms)
    ctx_by_symbol = contexts(syms)
    rows: list[Row] = [
        (o.params["symbol"], o.params["side"], o.params["price"], o.params["quantity"])
        for o in orders
    ]
    calls: list[Call] = [(o.params, ctx_by_symbol[o.params["symbol"]]) for o in orders]
    params_list = [o.params for o in orders]
    n = len(orders)

    variants: dict[str, Callable[[], list[bool]]] = {
        "parse": lambda: run_parse(rows, table),
        "tuned": lambda: run_tuned(rows, table),
        "tuned+band": lambda: run_tuned_band(rows, table),
        "tuned (dicts)": lambda: run_tuned(map(_ROW, params_list), table),
        "check": lambda: run_check(info, calls),
    }
    best: dict[str, int] = {}
    # check / tuned within each round (the variants of a round run back to back): their spread
    # shows how much the machine's load moved during the run.
    rounds: list[float] = []
    results: dict[str, list[bool]] = {}
    for _ in range(args.repeats):
        round_ns: dict[str, int] = {}
        for name, fn in variants.items():  # interleaved, so drifting load hits all alike
            ns, results[name] = best_ns(fn)
            best[name] = min(best.get(name, ns), ns)
            round_ns[name] = ns
        rounds.append(round_ns["check"] / round_ns["tuned"])

    expected = [o.breaks is None for o in orders]
    for name in ("tuned", "tuned+band", "tuned (dicts)", "check"):
        disagree = sum(a != b for a, b in zip(results[name], expected, strict=True))
        assert disagree == 0, f"{name} disagrees with the generator on {disagree} orders"
    agree = sum(a == b for a, b in zip(results["tuned"], results["check"], strict=True))
    assert agree == n
    codes: dict[str, int] = {}
    for o in orders:
        if o.breaks is not None:
            v = filterlib.check(info, o.params, context=ctx_by_symbol[o.params["symbol"]])
            if v.error is not None and v.violations and v.violations[0].rule == o.breaks:
                codes[o.breaks] = codes.get(o.breaks, 0) + 1
    n_bad = sum(1 for o in orders if o.breaks is not None)

    print(f"python {sys.version.split()[0]}; {n} LIMIT orders over {len(syms)} symbols; ")
    print(f"  {n - n_bad} valid, {n_bad} breaking one rule; best of {args.repeats} repeats")
    print(f"agreement: tuned, tuned+band and check agree on ok/not-ok for {agree}/{n} orders")
    print(f"  check names the intended rule first for {sum(codes.values())}/{n_bad} bad orders")
    print(f"{'variant':<13} {'ns/order':>10} {'us/order':>9}")
    for name in variants:
        print(f"{name:<13} {best[name] / n:>10.0f} {best[name] / n / 1000:>9.3f}")
    print("ratios (same process, same orders, best of repeats):")
    print(f"  check / tuned      = {best['check'] / best['tuned']:.1f}x  (issue 4 target <= 3x)")
    print(f"  check / tuned+band = {best['check'] / best['tuned+band']:.1f}x")
    dicts = best["tuned (dicts)"]
    print(f"  check / tuned (dicts) = {best['check'] / dicts:.1f}x  (the same dicts check reads)")
    print(f"  check / parse      = {best['check'] / best['parse']:.1f}x")
    print(f"  tuned / parse      = {best['tuned'] / best['parse']:.2f}x")
    print(f"  tuned+band / tuned = {best['tuned+band'] / best['tuned']:.2f}x")
    print(
        f"  check / tuned within each round: median {statistics.median(rounds):.2f}x, "
        f"{min(rounds):.2f}x to {max(rounds):.2f}x over {len(rounds)} rounds"
    )

    if args.profile:
        print()
        print(f"cProfile of check over the same {n} orders (profiling inflates times):")
        print(profile(lambda: run_check(info, calls), args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
