"""Deterministic LIMIT orders over the shipped snapshot's TRADING symbols, for the benchmarks.

Half the orders are valid: the price is on the tick inside PRICE_FILTER and inside the
PERCENT_PRICE_BY_SIDE band of the symbol's avgPrice, the quantity is on the step inside LOT_SIZE
and the notional is inside NOTIONAL. The other half break exactly one of PRICE_FILTER, LOT_SIZE
or NOTIONAL (in turn) and nothing else, not even the -1111 precision rule. Every bound comes from
the snapshot's filter objects; every candidate is re-classified by :func:`broken_rules` before it
is kept, so "breaks exactly one rule" is checked, not assumed.

Run it to print a few orders: ``python benchmarks/orders.py --orders 6``.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, localcontext

import filterlib
from filterlib.filters import LotSize, Notional, PercentPriceBySide, PriceFilter
from filterlib.snapshot import ExchangeInfo, SymbolInfo

__all__ = ["INVALID_KINDS", "Order", "Symbol", "broken_rules", "generate", "symbols"]

#: The rule each invalid order breaks, in turn.
INVALID_KINDS: tuple[str, ...] = ("PRICE_FILTER", "LOT_SIZE", "NOTIONAL")
#: Binance's largest DECIMAL parameter (the request layer's -1100 overflow bound).
_MAX_WIRE = Decimal("92233720368.54775807")
_CTX = Context(prec=80)


@dataclass(frozen=True)
class Symbol:
    """What the generator needs of one TRADING symbol, read from its filter objects."""

    name: str
    price_filter: PriceFilter
    lot_size: LotSize
    notional: Notional
    band: PercentPriceBySide
    base_precision: int
    quote_precision: int
    avg_price: Decimal


@dataclass(frozen=True)
class Order:
    """One generated order: its wire parameters, the context to check it with, and the intent."""

    params: dict[str, str]
    avg_price: str
    breaks: str | None  # the one rule it breaks, or None for a valid order


def _grid(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    """``value`` rounded onto the grid of ``step`` (unchanged for a zero step)."""
    if not step:
        return value
    units = (value / step).to_integral_value(rounding=rounding)
    return (units * step).quantize(step)


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _wire(value: Decimal, decimals: int) -> str:
    return format(value.quantize(Decimal(1).scaleb(-decimals)), "f")


def symbols(info: ExchangeInfo, rng: random.Random) -> list[Symbol]:
    """The spot TRADING symbols that take LIMIT orders and carry the four filters, with an avgPrice.

    The avgPrice is drawn log-uniformly on the tick between minPrice and a cap (so every symbol
    gets a plausible, seeded market price).
    """
    out: list[Symbol] = []
    for s in info.symbols.values():
        if s.status != "TRADING" or "LIMIT" not in s.order_types or not s.is_spot_trading_allowed:
            continue
        pf, ls, nt, bd = (
            s.filter(t) for t in ("PRICE_FILTER", "LOT_SIZE", "NOTIONAL", "PERCENT_PRICE_BY_SIDE")
        )
        if not (
            isinstance(pf, PriceFilter)
            and isinstance(ls, LotSize)
            and isinstance(nt, Notional)
            and isinstance(bd, PercentPriceBySide)
        ):
            continue
        out.append(_with_avg_price(s, pf, ls, nt, bd, rng))
    return out


def _with_avg_price(
    s: SymbolInfo,
    pf: PriceFilter,
    ls: LotSize,
    nt: Notional,
    bd: PercentPriceBySide,
    rng: random.Random,
) -> Symbol:
    with localcontext(_CTX):
        low = max(pf.min_price, pf.tick_size * 100)
        high = min(pf.max_price or _MAX_WIRE, Decimal(100_000), _MAX_WIRE / 10)
        if high <= low:
            high = pf.max_price or low * 10
        exp = rng.uniform(float(low.log10()), float(high.log10()))
        avg = _grid(Decimal(repr(10**exp)), pf.tick_size, ROUND_FLOOR)
        avg = max(avg, low)
    return Symbol(s.symbol, pf, ls, nt, bd, s.base_asset_precision, s.quote_asset_precision, avg)


def broken_rules(sym: Symbol, side: str, price: Decimal, qty: Decimal) -> set[str]:
    """The rules among the four a LIMIT order at ``price`` x ``qty`` breaks (reference code)."""
    pf, ls, nt, bd = sym.price_filter, sym.lot_size, sym.notional, sym.band
    broken: set[str] = set()
    with localcontext(_CTX):
        if (
            (pf.min_price and price < pf.min_price)
            or (pf.max_price and price > pf.max_price)
            or (pf.tick_size and price % pf.tick_size)
        ):
            broken.add("PRICE_FILTER")
        down, up = (
            (bd.bid_multiplier_down, bd.bid_multiplier_up)
            if side == "BUY"
            else (bd.ask_multiplier_down, bd.ask_multiplier_up)
        )
        if not sym.avg_price * down <= price <= sym.avg_price * up:
            broken.add("PERCENT_PRICE_BY_SIDE")
        if (
            (ls.min_qty and qty < ls.min_qty)
            or (ls.max_qty and qty > ls.max_qty)
            or (ls.step_size and qty % ls.step_size)
        ):
            broken.add("LOT_SIZE")
        notional = price * qty
        if (nt.min_notional and notional < nt.min_notional) or (
            nt.max_notional and notional > nt.max_notional
        ):
            broken.add("NOTIONAL")
    return broken


def _valid(sym: Symbol, side: str, rng: random.Random) -> tuple[Decimal, Decimal] | None:
    """A valid (price, quantity) for ``sym``, or None when this draw found none."""
    pf, ls, nt = sym.price_filter, sym.lot_size, sym.notional
    with localcontext(_CTX):
        avg, tick, step = sym.avg_price, pf.tick_size, ls.step_size
        # Stay well inside the band (0.95..1.05 of avgPrice) so a tick's nudge keeps it inside.
        p_lo = _grid(max(avg * Decimal("0.95"), pf.min_price), tick, ROUND_CEILING)
        p_hi = _grid(min(avg * Decimal("1.05"), pf.max_price or avg * 2), tick, ROUND_FLOOR)
        if p_hi < p_lo or not p_lo:
            return None
        units = int((p_hi - p_lo) / tick) if tick else 0
        price = p_lo + tick * rng.randint(0, units) if tick else p_lo
        q_lo = max(ls.min_qty, _grid(nt.min_notional / price, step, ROUND_CEILING))
        q_hi = ls.max_qty or _MAX_WIRE
        if nt.max_notional:
            q_hi = min(q_hi, _grid(nt.max_notional / price, step, ROUND_FLOOR))
        q_lo, q_hi = _grid(q_lo, step, ROUND_CEILING), _grid(q_hi, step, ROUND_FLOOR)
        if q_hi < q_lo or not q_lo:
            return None
        # Most real orders sit near the minimum: take 1x..20x the smallest valid quantity.
        q_top = min(q_hi, _grid(q_lo * 20, step, ROUND_FLOOR))
        qty = q_lo + step * rng.randint(0, int((q_top - q_lo) / step)) if step else q_lo
        return price.quantize(tick) if tick else price, qty.quantize(step) if step else qty


def _break(
    kind: str, sym: Symbol, price: Decimal, qty: Decimal, rng: random.Random
) -> tuple[Decimal, Decimal]:
    """``price``/``qty`` changed to break ``kind`` (maybe more; the caller re-classifies)."""
    ls, nt = sym.lot_size, sym.notional
    with localcontext(_CTX):
        if kind == "PRICE_FILTER":
            # Off the tick by the finest unit the asset precision allows to be written.
            return price + Decimal(1).scaleb(-sym.quote_precision), qty
        if kind == "LOT_SIZE":
            if rng.random() < 0.5 and ls.max_qty:
                return price, ls.max_qty + ls.step_size  # above maxQty, on the step
            return price, qty + Decimal(1).scaleb(-sym.base_precision)  # off the step
        # NOTIONAL: below the minimum with a valid quantity, or above the maximum.
        if rng.random() < 0.5 and nt.max_notional:
            return price, _grid(nt.max_notional / price, ls.step_size, ROUND_FLOOR) + ls.step_size
        return price, _grid(nt.min_notional / price, ls.step_size, ROUND_CEILING) - ls.step_size


def generate(
    n: int, seed: int = 20230813, info: ExchangeInfo | None = None
) -> tuple[list[Order], list[Symbol]]:
    """``n`` LIMIT orders: even indices valid, odd ones breaking INVALID_KINDS in turn."""
    info = info if info is not None else filterlib.load_default_exchange_info()
    rng = random.Random(seed)
    syms = symbols(info, rng)
    orders: list[Order] = []
    attempts = 0
    while len(orders) < n:
        attempts += 1
        if attempts > 50 * n + 1000:
            raise RuntimeError(f"gave up after {attempts} draws with {len(orders)} orders")
        sym = rng.choice(syms)
        side = rng.choice(("BUY", "SELL"))
        base = _valid(sym, side, rng)
        if base is None:
            continue
        price, qty = base
        kind = None if len(orders) % 2 == 0 else INVALID_KINDS[(len(orders) // 2) % 3]
        if kind is not None:
            price, qty = _break(kind, sym, price, qty, rng)
        if not (0 < price <= _MAX_WIRE and 0 < qty <= _MAX_WIRE):
            continue
        if broken_rules(sym, side, price, qty) != ({kind} if kind else set()):
            continue
        if _decimals(price) > sym.quote_precision or _decimals(qty) > sym.base_precision:
            continue
        params = {
            "symbol": sym.name,
            "side": side,
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": _wire(qty, max(_decimals(qty), _decimals(sym.lot_size.step_size))),
            "price": _wire(price, max(_decimals(price), _decimals(sym.price_filter.tick_size))),
        }
        orders.append(Order(params, format(sym.avg_price, "f"), kind))
    return orders, syms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=6, help="how many orders to print")
    parser.add_argument("--seed", type=int, default=20230813)
    args = parser.parse_args(argv)
    orders, syms = generate(args.orders, args.seed)
    print(f"{len(syms)} symbols; {len(orders)} orders")
    for o in orders:
        print(o.breaks or "valid", o.params, "avgPrice", o.avg_price)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
