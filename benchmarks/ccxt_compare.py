"""``filterlib.check`` against ccxt's pre-send path for Binance, on the same LIMIT orders (issue 4).

ccxt is a benchmark-only dependency, not a dependency of filterlib or of its tests::

    pip install ccxt            # then
    python benchmarks/ccxt_compare.py [--orders 50000] [--repeats 5]

Without ccxt the script says so and exits with status 0.

ccxt's ``binance`` markets are built offline from the same shipped snapshot filterlib loads
(``parse_markets`` of its ``symbols`` + ``set_markets``; ``fetch`` is replaced by a function that
raises, so nothing can reach the network). The orders are ``benchmarks/orders.py``'s (half
valid, half breaking exactly one of PRICE_FILTER / LOT_SIZE / NOTIONAL), handed to ccxt as a ccxt
user holds them: unified symbol, lower-case side, ``float`` amount and price (converted untimed).

What ccxt does before sending a LIMIT order (``binance.create_order`` ->
``create_order_request``): look up the market, check the type is in the symbol's
``orderTypes``, ``amount_to_precision`` (TRUNCATE onto stepSize) and ``price_to_precision``
(ROUND onto tickSize), which raise only when the result is 0. It checks no limit. So two ccxt
variants are timed, both with the limit checks a careful ccxt user adds from
``market['limits']`` (amount min/max, price min/max, cost min/max; a zero or missing bound is
no bound), in floats on the rounded values, as ccxt's numbers are:

* ``ccxt``: ``amount_to_precision`` + ``price_to_precision`` + the limits (issue 4's peer path);
* ``ccxt request``: ``create_order_request(symbol, "limit", side, amount, price)`` (ccxt's
  whole pre-send code, including the client order id) + the limits;
* ``check``: ``filterlib.check(info, params, context={"avgPrice": ...})`` per order (it also
  checks PERCENT_PRICE_BY_SIDE and the symbol's rules, which ccxt does not);
* ``check_many`` (when filterlib has it): the same orders, one call per symbol with its context.

Each figure is the best of the repeats, interleaved, GC off while timing. Then each order's ccxt
outcome is set against filterlib's verdict: where ccxt rounds an order Binance would reject into
a different order and sends that, where it sends an order Binance rejects unchanged, and where
it refuses an order Binance accepts (float notional).
"""

from __future__ import annotations

import argparse
import gc
import gzip
import importlib
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

import orjson
from orders import Order, Symbol, generate

import filterlib
from filterlib.snapshot import DEFAULT_SNAPSHOT_NAME

#: One order as a ccxt user holds it: unified symbol, side, amount, price, the market's limits.
CcxtRow = tuple[str, str, float, float, dict[str, Any]]
#: ccxt's outcome for one order: (refusal reason or None, quantity sent, price sent).
Outcome = tuple[str | None, str, str]
Call = tuple[dict[str, str], dict[str, object]]


def load_ccxt() -> Any | None:
    """The ccxt module, or None when it is not installed."""
    try:
        return importlib.import_module("ccxt")
    except ImportError:
        return None


def snapshot_raw() -> dict[str, Any]:
    """The shipped snapshot as a plain dict (the bytes filterlib's default snapshot is from)."""
    data = resources.files("filterlib").joinpath("data", f"{DEFAULT_SNAPSHOT_NAME}.json.gz")
    doc: dict[str, Any] = orjson.loads(gzip.decompress(data.read_bytes()))
    return doc


def _no_network(*args: object, **kwargs: object) -> Any:
    raise RuntimeError("ccxt_compare: ccxt tried to reach the network; markets are offline")


def build_exchange(ccxt: Any, raw: dict[str, Any]) -> Any:
    """ccxt's binance with markets parsed from ``raw`` (exchangeInfo), no network, no currencies."""
    ex = ccxt.binance(
        {
            "options": {
                "fetchCurrencies": False,
                "fetchMarkets": ["spot"],
                "crossMarginPairsData": [],
                "isolatedMarginPairsData": [],
            }
        }
    )
    ex.fetch = _no_network
    markets = [m for m in ex.parse_markets(raw["symbols"]) if m is not None]
    ex.set_markets(markets)
    return ex


def limits_refusal(limits: dict[str, Any], amount: float, price: float) -> str | None:
    """Which of ``market['limits']`` the rounded float amount/price break, or None."""
    lim = limits["amount"]
    lo, hi = lim["min"], lim["max"]
    if lo and amount < lo:
        return "amount.min"
    if hi and amount > hi:
        return "amount.max"
    lim = limits["price"]
    lo, hi = lim["min"], lim["max"]
    if lo and price < lo:
        return "price.min"
    if hi and price > hi:
        return "price.max"
    lim = limits["cost"]
    lo, hi = lim["min"], lim["max"]
    cost = amount * price
    if lo and cost < lo:
        return "cost.min"
    if hi and cost > hi:
        return "cost.max"
    return None


def run_ccxt(ex: Any, rows: list[CcxtRow], base_error: type[Exception]) -> list[Outcome]:
    """amount_to_precision + price_to_precision + the limits, per order."""
    a2p, p2p = ex.amount_to_precision, ex.price_to_precision
    out: list[Outcome] = []
    append = out.append
    for sym, _side, amount, price, limits in rows:
        try:
            q_s: str = a2p(sym, amount)
            p_s: str = p2p(sym, price)
        except base_error as exc:
            append((f"precision ({type(exc).__name__})", "", ""))
            continue
        append((limits_refusal(limits, float(q_s), float(p_s)), q_s, p_s))
    return out


def run_ccxt_request(ex: Any, rows: list[CcxtRow], base_error: type[Exception]) -> list[Outcome]:
    """create_order_request (ccxt's whole pre-send code) + the limits, per order."""
    build = ex.create_order_request
    out: list[Outcome] = []
    append = out.append
    for sym, side, amount, price, limits in rows:
        try:
            req: dict[str, Any] = build(sym, "limit", side, amount, price)
        except base_error as exc:
            append((f"precision ({type(exc).__name__})", "", ""))
            continue
        q_s, p_s = req["quantity"], req["price"]
        append((limits_refusal(limits, float(q_s), float(p_s)), q_s, p_s))
    return out


def run_check(info: filterlib.ExchangeInfo, calls: list[Call]) -> list[bool]:
    check = filterlib.check
    return [check(info, params, context=ctx).ok for params, ctx in calls]


def run_check_many(
    info: filterlib.ExchangeInfo, groups: list[tuple[list[dict[str, str]], dict[str, object]]]
) -> list[bool]:
    check_many: Callable[..., list[filterlib.Verdict]] = getattr(filterlib, "check_many")  # noqa: B009
    out: list[bool] = []
    for params, ctx in groups:
        out.extend(v.ok for v in check_many(info, params, endpoint="/api/v3/order", context=ctx))
    return out


def timed(fn: Callable[[], object]) -> int:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter_ns()
        fn()
        return time.perf_counter_ns() - start
    finally:
        gc.enable()


@dataclass(frozen=True)
class Compared:
    """One order: what it breaks (finer than orders.py's intent), filterlib's and ccxt's answers."""

    kind: str
    filterlib_ok: bool
    ccxt: str
    sent_ok: bool | None  # filterlib's verdict on the order ccxt would send, when it sends one


def kind_of(order: Order, sym: Symbol) -> str:
    """The generator's intent, split by which bound: above maxQty vs off the step, etc."""
    if order.breaks is None:
        return "valid"
    price, qty = Decimal(order.params["price"]), Decimal(order.params["quantity"])
    if order.breaks == "PRICE_FILTER":
        return "PRICE_FILTER off the tick"
    if order.breaks == "LOT_SIZE":
        above = sym.lot_size.max_qty and qty > sym.lot_size.max_qty
        return "LOT_SIZE above maxQty" if above else "LOT_SIZE off the step"
    above = sym.notional.max_notional and price * qty > sym.notional.max_notional
    return "NOTIONAL above maxNotional" if above else "NOTIONAL below minNotional"


def compare(
    info: filterlib.ExchangeInfo,
    orders: list[Order],
    syms: dict[str, Symbol],
    calls: list[Call],
    outcomes: list[Outcome],
) -> list[Compared]:
    out: list[Compared] = []
    for order, (params, ctx), (refusal, q_s, p_s) in zip(orders, calls, outcomes, strict=True):
        fl_ok = filterlib.check(info, params, context=ctx).ok
        if refusal is not None:
            out.append(Compared(kind_of(order, syms[params["symbol"]]), fl_ok, refusal, None))
            continue
        q_changed = Decimal(q_s) != Decimal(params["quantity"])
        p_changed = Decimal(p_s) != Decimal(params["price"])
        if q_changed or p_changed:
            what = " and ".join(n for n, c in (("quantity", q_changed), ("price", p_changed)) if c)
            label = f"sent, {what} rounded"
        else:
            label = "sent unchanged"
        sent = {**params, "quantity": q_s, "price": p_s}
        sent_ok = filterlib.check(info, sent, context=ctx).ok
        out.append(Compared(kind_of(order, syms[params["symbol"]]), fl_ok, label, sent_ok))
    return out


def float_notional_examples(
    orders: list[Order], syms: dict[str, Symbol], compared: list[Compared], limit: int
) -> list[str]:
    lines: list[str] = []
    for order, c in zip(orders, compared, strict=True):
        if c.filterlib_ok and c.ccxt == "cost.min" and len(lines) < limit:
            p, q = order.params["price"], order.params["quantity"]
            exact = Decimal(p) * Decimal(q)
            lines.append(
                f"    {order.params['symbol']} {q} x {p}: exact notional {exact.normalize()} >= "
                f"minNotional {syms[order.params['symbol']].notional.min_notional.normalize()}"
                f", float {float(q)!r} * {float(p)!r} = {float(q) * float(p)!r}"
            )
    return lines


def report(compared: list[Compared], lines: Iterable[str]) -> None:
    table = Counter((c.kind, c.ccxt, c.sent_ok) for c in compared)
    kinds = sorted({c.kind for c in compared}, key=lambda k: (k != "valid", k))
    print("ccxt (precision + limits) vs filterlib, order by order:")
    for kind in kinds:
        n = sum(v for (k, _, _), v in table.items() if k == kind)
        fl = Counter(c.filterlib_ok for c in compared if c.kind == kind)
        print(f"  {kind} ({n} orders; filterlib: {fl[True]} pass, {fl[False]} rejected)")
        for (k, what, sent_ok), v in sorted(table.items(), key=lambda kv: -kv[1]):
            if k != kind:
                continue
            tail = ""
            if sent_ok is not None:
                tail = "; Binance accepts what ccxt sends" if sent_ok else "; Binance rejects it"
            if what.startswith(("sent", "precision")):
                print(f"    {v:>6}  ccxt: {what}{tail}")
            else:
                print(f"    {v:>6}  ccxt: refused by limits['{what}']")
    rounds = sum(1 for c in compared if not c.filterlib_ok and c.ccxt.startswith("sent, "))
    as_is = sum(1 for c in compared if not c.filterlib_ok and c.ccxt == "sent unchanged")
    false_rej = sum(1 for c in compared if c.filterlib_ok and c.sent_ok is None)
    changed_ok = sum(1 for c in compared if c.filterlib_ok and c.ccxt.startswith("sent, "))
    bad = sum(1 for c in compared if not c.filterlib_ok)
    good = len(compared) - bad
    print("summary:")
    print(
        f"  {rounds}/{bad} orders Binance rejects are rounded by ccxt into another order and sent"
    )
    print(f"  {as_is}/{bad} orders Binance rejects are sent unchanged by ccxt")
    print(f"  {false_rej}/{good} orders Binance accepts are refused by ccxt")
    print(f"  {changed_ok}/{good} orders Binance accepts are changed by ccxt before sending")
    examples = list(lines)
    if examples:
        print("  valid orders refused on limits['cost']['min'] in floats, e.g.:")
        for line in examples:
            print(line)


def _divisors(n: int) -> list[int]:
    """Divisors of ``n`` when its prime factors are all below 100 (else none: skipped)."""
    factors: dict[int, int] = {}
    rest = n
    for prime in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73,
                  79, 83, 89, 97):  # fmt: skip
        while rest % prime == 0:
            factors[prime] = factors.get(prime, 0) + 1
            rest //= prime
    if rest != 1:
        return []
    divs = [1]
    for prime, power in factors.items():
        divs = [d * prime**e for d in divs for e in range(power + 1)]
    return divs


def exact_minimum_orders(syms: Iterable[Symbol]) -> list[dict[str, str]]:
    """Every LIMIT order whose notional is exactly minNotional, on the tick and the step.

    price = a x tickSize and quantity = b x stepSize with a x b = minNotional / (tick x step),
    inside PRICE_FILTER and LOT_SIZE: orders Binance's filters accept (NOTIONAL's minimum is
    inclusive), where a float product may land just below the float minimum.
    """
    out: list[dict[str, str]] = []
    for s in syms:
        pf, ls, nt = s.price_filter, s.lot_size, s.notional
        unit = pf.tick_size * ls.step_size
        if not nt.min_notional or nt.min_notional % unit:
            continue
        n = int(nt.min_notional / unit)
        for a in _divisors(n):
            price, qty = pf.tick_size * a, ls.step_size * (n // a)
            if not (pf.min_price <= price and (not pf.max_price or price <= pf.max_price)):
                continue
            if not (ls.min_qty <= qty and (not ls.max_qty or qty <= ls.max_qty)):
                continue
            out.append(
                {
                    "symbol": s.name,
                    "side": "BUY",
                    "type": "LIMIT",
                    "timeInForce": "GTC",
                    "quantity": format(qty.quantize(ls.step_size), "f"),
                    "price": format(price.quantize(pf.tick_size), "f"),
                }
            )
    return out


def probe_float_notional(
    info: filterlib.ExchangeInfo,
    ex: Any,
    syms: list[Symbol],
    unified: dict[str, str],
    base_error: type[Exception],
) -> None:
    """ccxt's float cost check on the orders sitting exactly on minNotional."""
    probe = exact_minimum_orders(syms)
    rows: list[CcxtRow] = [
        (
            unified[p["symbol"]],
            "buy",
            float(p["quantity"]),
            float(p["price"]),
            ex.markets[unified[p["symbol"]]]["limits"],
        )
        for p in probe
    ]
    outcomes = run_ccxt(ex, rows, base_error)
    refused = [(p, o) for p, o in zip(probe, outcomes, strict=True) if o[0] is not None]
    # filterlib without context: the band is unchecked, every filter that applies is checked.
    accepted = [(p, o) for p, o in refused if filterlib.check(info, p).ok]
    reasons = Counter(o[0] for _, o in accepted)
    print(
        f"probe: {len(probe)} orders with notional exactly minNotional (on tick and step, inside "
        f"PRICE_FILTER and LOT_SIZE) over {len({p['symbol'] for p in probe})} symbols:"
    )
    print(
        f"  filterlib passes {len(accepted)} of the {len(refused)} ccxt refuses "
        f"({', '.join(f'{k}: {v}' for k, v in reasons.items()) or 'none'}), e.g.:"
    )
    for p, _ in accepted[:5]:
        q, pr = float(p["quantity"]), float(p["price"])
        m = syms_min(syms, p["symbol"])
        print(
            f"    {p['symbol']} {p['quantity']} x {p['price']} = {m} exactly; in floats "
            f"{q!r} * {pr!r} = {q * pr!r} < {float(m)!r}"
        )


def syms_min(syms: list[Symbol], name: str) -> str:
    return next(format(s.notional.min_notional.normalize(), "f") for s in syms if s.name == name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="filterlib.check vs ccxt's binance pre-send path")
    parser.add_argument("--orders", type=int, default=50_000, help="orders (default 50000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats (default 5)")
    parser.add_argument("--seed", type=int, default=20230813)
    args = parser.parse_args(argv)

    ccxt = load_ccxt()
    if ccxt is None:
        print(
            "ccxt is not installed; it is a benchmark-only dependency of this script, not of "
            "filterlib. Install it with 'pip install ccxt' and run again."
        )
        return 0
    raw = snapshot_raw()
    ex = build_exchange(ccxt, raw)
    base_error: type[Exception] = ccxt.BaseError

    info = filterlib.load_default_exchange_info()
    orders, sym_list = generate(args.orders, args.seed, info)
    syms = {s.name: s for s in sym_list}
    ctx_by_symbol: dict[str, dict[str, object]] = {
        s.name: {"avgPrice": {"mins": s.band.avg_price_mins, "price": format(s.avg_price, "f")}}
        for s in sym_list
    }
    calls: list[Call] = [(o.params, ctx_by_symbol[o.params["symbol"]]) for o in orders]
    unified = {m["id"]: m["symbol"] for m in ex.markets.values()}
    rows: list[CcxtRow] = [
        (
            unified[o.params["symbol"]],
            o.params["side"].lower(),
            float(o.params["quantity"]),
            float(o.params["price"]),
            ex.markets[unified[o.params["symbol"]]]["limits"],
        )
        for o in orders
    ]
    by_symbol: dict[str, list[dict[str, str]]] = {}
    for o in orders:
        by_symbol.setdefault(o.params["symbol"], []).append(o.params)
    groups = [(params, ctx_by_symbol[name]) for name, params in by_symbol.items()]

    variants: dict[str, Callable[[], object]] = {
        "ccxt": lambda: run_ccxt(ex, rows, base_error),
        "ccxt request": lambda: run_ccxt_request(ex, rows, base_error),
        "check": lambda: run_check(info, calls),
    }
    if hasattr(filterlib, "check_many"):
        variants["check_many"] = lambda: run_check_many(info, groups)
    best: dict[str, int] = {}
    for _ in range(args.repeats):
        for name, fn in variants.items():
            ns = timed(fn)
            best[name] = min(best.get(name, ns), ns)

    outcomes = run_ccxt(ex, rows, base_error)
    via_request = run_ccxt_request(ex, rows, base_error)
    same = sum(a[1:] == b[1:] for a, b in zip(outcomes, via_request, strict=True))
    assert same == len(orders), f"create_order_request rounds differently on {len(orders) - same}"
    if "check_many" in variants:
        by_call = dict(
            zip(map(id, (o.params for o in orders)), run_check(info, calls), strict=True)
        )
        grouped = [by_call[id(p)] for params, _ in groups for p in params]
        assert run_check_many(info, groups) == grouped, "check_many disagrees with check"

    n = len(orders)
    print(f"python {sys.version.split()[0]}; ccxt {ccxt.__version__}; {n} LIMIT orders over")
    print(f"  {len(sym_list)} symbols ({sum(o.breaks is None for o in orders)} valid); best of")
    print(f"  {args.repeats} repeats, interleaved, GC off")
    print(f"{'variant':<14} {'ns/order':>10} {'us/order':>9} {'orders/s':>10}")
    for name in variants:
        per = best[name] / n
        print(f"{name:<14} {per:>10.0f} {per / 1000:>9.2f} {1e9 / per:>10.0f}")
    print("throughput ratios (same process, same orders):")
    print(f"  filterlib check / ccxt         = {best['ccxt'] / best['check']:.2f}x  (target >= 5x)")
    print(f"  filterlib check / ccxt request = {best['ccxt request'] / best['check']:.2f}x")
    if "check_many" in best:
        print(f"  filterlib check_many / ccxt    = {best['ccxt'] / best['check_many']:.2f}x")
    print()
    compared = compare(info, orders, syms, calls, outcomes)
    report(compared, float_notional_examples(orders, syms, compared, 5))
    print()
    probe_float_notional(info, ex, sym_list, unified, base_error)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
