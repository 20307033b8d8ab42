"""``filterlib explain SYMBOL [key=value ...]``: a symbol's rules in plain words.

Without order parameters: status, order types, tick and step, price and quantity bounds,
notional, price bands, flags, self-trade-prevention modes, precisions and permissions. With
them (``side=BUY type=LIMIT quantity=0.001 price=30000``; values stay strings), the order is
checked and every rule of the catalogue is walked through in evaluation order: pass, FAIL (with
the detail and the nearest valid values), unchecked (and the context it needs), or n/a.
``--format json`` gives the same as one JSON object (docs/cli.md).
Exit status: 0 the order passes (or no order was given), 1 it is rejected, 2 unusable input.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import attrs
import orjson

from .._context import ContextError
from .._dates import AsOf, resolve_as_of
from .._endpoints import ENDPOINTS
from .._engine import check
from .._rules.common import market_price_keys
from ..catalogue import RULES, Rule
from ..exceptions import SnapshotError, UsageError
from ..explain import applicable_rules
from ..filters import (
    ExchangeMaxNumAlgoOrders,
    ExchangeMaxNumIcebergOrders,
    ExchangeMaxNumOrderLists,
    ExchangeMaxNumOrders,
    Filter,
    IcebergParts,
    LotSize,
    MarketLotSize,
    MaxAsset,
    MaxNumAlgoOrders,
    MaxNumIcebergOrders,
    MaxNumOrderAmends,
    MaxNumOrderLists,
    MaxNumOrders,
    MaxPosition,
    MinNotional,
    Notional,
    PercentPrice,
    PercentPriceBySide,
    PriceFilter,
    TrailingDelta,
    UnknownFilter,
)
from ..lines import NESTED_TOO_DEEPLY
from ..snapshot import ExchangeInfo, SymbolInfo, load_default_exchange_info, load_exchange_info
from .inputs import not_utf8

__all__ = ["add_parser", "explain_symbol", "filter_dict", "run", "symbol_dict"]


def add_parser(
    sub: Any, out: TextIO, err: TextIO, add_snapshot: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add ``explain`` to the ``filterlib`` subcommands."""
    parser = sub.add_parser(
        "explain",
        help="a symbol's rules in plain words; with order parameters, every rule checked",
        description=(
            "Explain SYMBOL's trading rules. With order parameters (key=value ...), check the "
            "order and walk through every rule: pass, FAIL with the nearest valid values, "
            "unchecked, or n/a. Exit status: 0 passes (or no order), 1 rejected, 2 unusable."
        ),
    )
    parser.out, parser.err = out, err
    parser.add_argument(
        "symbol", metavar="SYMBOL", help="the symbol, as Binance writes it (BTCUSDT)"
    )
    parser.add_argument(
        "params",
        nargs="*",
        metavar="KEY=VALUE",
        help="order parameters as sent (side=BUY type=LIMIT timeInForce=GTC quantity=0.001 "
        "price=30000.00); symbol is SYMBOL",
    )
    add_snapshot(parser)
    parser.add_argument(
        "--endpoint",
        default="/api/v3/order",
        choices=tuple(ENDPOINTS),
        metavar="PATH",
        help="the endpoint the order goes to (default /api/v3/order)",
    )
    parser.add_argument(
        "--context",
        metavar="JSON",
        help='market and account state as JSON, e.g. \'{"avgPrice": "30000.00"}\'',
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default: the rules in plain words, then the walk through every rule) or "
        "json (one object: the symbol's rules, and with an order its verdict and the walk)",
    )


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``explain`` with parsed ``args``; returns the exit status."""
    try:
        info = (
            load_default_exchange_info()
            if args.exchange_info is None
            else load_exchange_info(Path(args.exchange_info), lazy=True)
        )
        symbol = info.symbol(args.symbol)
    except SnapshotError as exc:
        err.write(f"filterlib: unusable exchangeInfo snapshot\n{exc}\n")
        return 2
    if symbol is None:
        near = [s for s in info.symbols if s.startswith(args.symbol[:3].upper())][:8]
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        err.write(
            f"filterlib: {args.symbol} is not in the snapshot{hint}; symbols are upper case, "
            "e.g. BTCUSDT\n"
        )
        return 2
    params: dict[str, str] = {"symbol": args.symbol}
    for item in args.params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            err.write(
                f"filterlib: order parameter {item!r} is not KEY=VALUE; write e.g. "
                "quantity=0.001 (an empty value is sent empty: quantity=)\n"
            )
            return 2
        params[key] = value
    bad = next((item for item in args.params if not_utf8([item])), None)
    if bad is not None:
        err.write(
            f"filterlib: order parameter {bad!r} is not UTF-8 text; write parameters in UTF-8\n"
        )
        return 2
    context: object = None
    if args.context is not None:
        try:
            context = orjson.loads(args.context)
        except orjson.JSONDecodeError as exc:
            err.write(
                f"filterlib: --context is not valid JSON ({exc}); write e.g. "
                '\'{"avgPrice": "30000.00"}\'\n'
            )
            return 2
    as_json = getattr(args, "format", "text") == "json"  # a Namespace built by hand has none
    if not as_json:
        out.write(explain_symbol(info, symbol))
    if len(params) == 1 and context is None:
        if as_json:
            out.write(_json(symbol_dict(info, symbol)))
        return 0
    try:
        verdict = check(
            info,
            params,
            endpoint=args.endpoint,
            context=context,  # type: ignore[arg-type]
            as_of=args.as_of,
        )
    except ContextError as exc:
        err.write(f"filterlib: --context: {exc}\n")
        return 2
    except UsageError as exc:
        err.write(f"filterlib: {exc}\n")
        return 2
    except RecursionError:
        err.write(f"filterlib: --context: {NESTED_TOO_DEEPLY}\n")
        return 2
    day = resolve_as_of(args.as_of, info.server_time)
    lines, steps = _walk(info, symbol, params, args.endpoint, verdict, day)
    if as_json:
        body = symbol_dict(info, symbol)
        body.update(
            endpoint=args.endpoint,
            params=params,
            asOf=None if day is None else day.isoformat(),
            verdict=verdict.to_dict(),
            walk=steps,
        )
        out.write(_json(body))
    else:
        out.write("\n" + lines)
    return 0 if verdict.ok else 1


def _json(body: dict[str, Any]) -> str:
    return orjson.dumps(body).decode() + "\n"


def symbol_dict(info: ExchangeInfo, s: SymbolInfo) -> dict[str, Any]:
    """What ``explain SYMBOL --format json`` shows of the symbol: its fields in Binance's names,
    its filters and the exchange's in wire form, and ``words``, the text's lines."""
    return {
        "symbol": s.symbol,
        "baseAsset": s.base_asset,
        "quoteAsset": s.quote_asset,
        "status": s.status,
        "orderTypes": sorted(s.order_types),
        "filters": [filter_dict(f) for f in s.filters],
        "exchangeFilters": [filter_dict(f) for f in info.exchange_filters],
        "flags": {
            wire: getattr(s, attr)
            for wire, attr in _FLAGS
            if getattr(s, attr) is not None  # a flag the snapshot predates
        },
        "allowedSelfTradePreventionModes": (
            None
            if s.allowed_self_trade_prevention_modes is None
            else sorted(s.allowed_self_trade_prevention_modes)
        ),
        "defaultSelfTradePreventionMode": s.default_self_trade_prevention_mode,
        "baseAssetPrecision": s.base_asset_precision,
        "quoteAssetPrecision": s.quote_asset_precision,
        "permissions": list(s.permissions),
        "permissionSets": [list(g) for g in s.permission_sets],
        "words": [line.strip() for line in explain_symbol(info, s).splitlines()[1:]],
    }


_FLAGS = (
    ("icebergAllowed", "iceberg_allowed"),
    ("ocoAllowed", "oco_allowed"),
    ("otoAllowed", "oto_allowed"),
    ("opoAllowed", "opo_allowed"),
    ("quoteOrderQtyMarketAllowed", "quote_order_qty_market_allowed"),
    ("allowTrailingStop", "allow_trailing_stop"),
    ("cancelReplaceAllowed", "cancel_replace_allowed"),
    ("allowAmend", "allow_amend"),
    ("isSpotTradingAllowed", "is_spot_trading_allowed"),
    ("isMarginTradingAllowed", "is_margin_trading_allowed"),
    ("pegInstructionsAllowed", "peg_instructions_allowed"),
)


def filter_dict(flt: Filter) -> dict[str, Any]:
    """A filter as the snapshot writes it: ``filterType`` and its fields, decimals as strings."""
    body: dict[str, Any] = {"filterType": flt.filter_type}
    if isinstance(flt, UnknownFilter):
        body.update(flt.fields)
        return body
    for (wire, _, _), field in zip(type(flt).wire_fields, attrs.fields(type(flt)), strict=True):
        value = getattr(flt, field.name)
        body[wire] = format(value, "f") if isinstance(value, Decimal) else value
    return body


def _f(value: Decimal) -> str:
    """A decimal in plain form without trailing zeros: 0.01000000 -> 0.01."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def explain_symbol(info: ExchangeInfo, s: SymbolInfo) -> str:
    """The symbol's rules in plain words, one topic per line."""
    lines = [f"{s.symbol}: {s.base_asset}/{s.quote_asset}, status {s.status}"]
    if s.status != "TRADING":
        lines.append("  every new order is rejected: -1013 Market is closed.")
    lines.append(f"  order types: {', '.join(sorted(s.order_types))}")
    for flt in s.filters:
        lines.extend(f"  {text}" for text in _filter_words(flt))
    for flt in info.exchange_filters:
        lines.extend(f"  exchange-wide: {text}" for text in _filter_words(flt))
    flags = [
        ("iceberg orders", s.iceberg_allowed),
        ("OCO", s.oco_allowed),
        ("OTO", s.oto_allowed),
        ("MARKET by quoteOrderQty", s.quote_order_qty_market_allowed),
        ("trailing stops", s.allow_trailing_stop),
        ("cancel-replace", s.cancel_replace_allowed),
        ("amend", s.allow_amend),
        ("spot trading", s.is_spot_trading_allowed),
        ("margin trading", s.is_margin_trading_allowed),
    ]
    # The flags of 2025: None when the snapshot predates them.
    flags += [
        (name, on)
        for name, on in (("pegged orders", s.peg_instructions_allowed), ("OPO", s.opo_allowed))
        if on is not None
    ]
    allowed = [name for name, on in flags if on]
    refused = [name for name, on in flags if not on]
    lines.append(f"  allowed: {', '.join(allowed) or 'nothing'}")
    if refused:
        lines.append(f"  not allowed: {', '.join(refused)}")
    if s.allowed_self_trade_prevention_modes is None:
        lines.append("  self-trade prevention: not in this snapshot (it predates STP)")
    else:
        modes = ", ".join(sorted(s.allowed_self_trade_prevention_modes))
        lines.append(
            f"  self-trade prevention: default {s.default_self_trade_prevention_mode}; "
            f"allowed {modes}"
        )
    lines.append(
        f"  precision: at most {s.base_asset_precision} decimals in quantities "
        f"({s.base_asset}), {s.quote_asset_precision} in quote amounts ({s.quote_asset})"
    )
    # [["A", "B"]] is A or B, [["A"], ["B"]] A and B (spec: Exchange information); the older
    # flat permissions are one such set.
    sets = [g for g in s.permission_sets or ((s.permissions,) if s.permissions else ()) if g]
    if sets:
        needed = " and ".join(g[0] if len(g) == 1 else f"one of {', '.join(g)}" for g in sets)
        lines.append(f"  account permissions needed: {needed}")
    return "".join(f"{x}\n" for x in lines)


def _bounds(low: Decimal, high: Decimal) -> str:
    parts = []
    if low:
        parts.append(f"at least {_f(low)}")
    if high:
        parts.append(f"at most {_f(high)}")
    return " and ".join(parts) if parts else "unbounded"


#: What each context key the market price is read from holds, in words.
_MARKET_PRICE_WORDS = {
    "referencePrice": "the reference price where the symbol has one",
    "avgPrice": "the {mins}-minute average price",
    "lastPrice": "the last price",
}


def _market_price(avg_price_mins: int) -> str:
    """The market price the rules compare with, in words: the keys the rule itself reads
    (:func:`~filterlib._rules.common.market_price_keys`), the one it prefers first."""
    return ", else ".join(
        _MARKET_PRICE_WORDS[key].format(mins=avg_price_mins)
        for key in market_price_keys(avg_price_mins)
    )


def _market_price_needs(avg_price_mins: int) -> str:
    """The context keys any one of which lets the rule find its market price."""
    return " or ".join(market_price_keys(avg_price_mins))


def _filter_words(flt: Filter) -> list[str]:
    """One filter in plain words."""
    t = flt.filter_type
    if isinstance(flt, PriceFilter):
        tick = f"a multiple of {_f(flt.tick_size)}" if flt.tick_size else "any tick"
        return [f"price and stopPrice: {tick}, {_bounds(flt.min_price, flt.max_price)} ({t})"]
    if isinstance(flt, LotSize | MarketLotSize):
        scope = "quantity (and icebergQty)" if isinstance(flt, LotSize) else "MARKET quantity"
        if isinstance(flt, MarketLotSize) and not flt.step_size:
            return [f"{scope}: at most {_f(flt.max_qty)} ({t}; step 0: no step)"]
        step = f"a multiple of {_f(flt.step_size)}" if flt.step_size else "any step"
        return [f"{scope}: {step}, from {_f(flt.min_qty)} to {_f(flt.max_qty)} ({t})"]
    if isinstance(flt, Notional):
        scope = ", ".join(
            f"{which} {'applies' if on else 'does not apply'} to MARKET"
            for which, on in (
                ("minimum", flt.apply_min_to_market),
                ("maximum", flt.apply_max_to_market),
            )
        )
        return [
            f"notional (price x quantity): from {_f(flt.min_notional)} to "
            f"{_f(flt.max_notional)}; {scope} (at the market price: "
            f"{_market_price(flt.avg_price_mins)}) ({t})"
        ]
    if isinstance(flt, MinNotional):
        market = "also MARKET" if flt.apply_to_market else "not MARKET"
        return [
            f"notional (price x quantity): at least {_f(flt.min_notional)}; {market} (at the "
            f"market price: {_market_price(flt.avg_price_mins)}) ({t})"
        ]
    if isinstance(flt, PercentPrice):
        return [
            f"price band: between {_f(flt.multiplier_down)}x and {_f(flt.multiplier_up)}x the "
            f"market price: {_market_price(flt.avg_price_mins)} ({t}; needs "
            f"{_market_price_needs(flt.avg_price_mins)})"
        ]
    if isinstance(flt, PercentPriceBySide):
        return [
            f"price band: BUY between {_f(flt.bid_multiplier_down)}x and "
            f"{_f(flt.bid_multiplier_up)}x, SELL between {_f(flt.ask_multiplier_down)}x and "
            f"{_f(flt.ask_multiplier_up)}x the market price: "
            f"{_market_price(flt.avg_price_mins)} ({t}; needs "
            f"{_market_price_needs(flt.avg_price_mins)})"
        ]
    if isinstance(flt, IcebergParts):
        return [f"iceberg orders: at most {flt.limit} visible parts ({t})"]
    if isinstance(flt, MaxNumOrders | ExchangeMaxNumOrders):
        return [f"open orders: at most {flt.max_num_orders} ({t}; needs openOrders)"]
    if isinstance(flt, MaxNumAlgoOrders | ExchangeMaxNumAlgoOrders):
        return [
            f"open stop/take-profit orders: at most {flt.max_num_algo_orders} ({t}; needs "
            "openOrders)"
        ]
    if isinstance(flt, MaxNumIcebergOrders | ExchangeMaxNumIcebergOrders):
        return [f"open iceberg orders: at most {flt.max_num_iceberg_orders} ({t})"]
    if isinstance(flt, MaxNumOrderLists | ExchangeMaxNumOrderLists):
        return [f"open order lists: at most {flt.max_num_order_lists} ({t}; needs openOrders)"]
    if isinstance(flt, MaxNumOrderAmends):
        return [f"amendments per order: at most {flt.max_num_order_amends} ({t}; needs amendments)"]
    if isinstance(flt, MaxAsset):
        return [f"{flt.asset} per order: at most {_f(flt.limit)} ({t}; from myFilters)"]
    if isinstance(flt, MaxPosition):
        return [
            f"position: at most {_f(flt.max_position)} of the base asset, open BUYs included "
            f"({t}; needs account and openOrders)"
        ]
    if isinstance(flt, TrailingDelta):
        return [
            f"trailingDelta (basis points): {flt.min_trailing_above_delta}-"
            f"{flt.max_trailing_above_delta} above, {flt.min_trailing_below_delta}-"
            f"{flt.max_trailing_below_delta} below ({t})"
        ]
    if isinstance(flt, UnknownFilter):
        fields = ", ".join(f"{k}={v}" for k, v in flt.fields)
        return [f"{t}: not modelled by filterlib, never checked ({fields})"]
    return [t]  # pragma: no cover - every known type is handled above


def _walk(
    info: ExchangeInfo,
    symbol: SymbolInfo,
    params: Mapping[str, str],
    endpoint: str,
    verdict: Any,
    day: AsOf = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Every rule in evaluation order with its outcome for this order on ``day`` (a rule
    Binance did not apply that day is n/a, with its period): as text, and as the JSON steps
    (``rule``, ``outcome``: pass, fail, unchecked or n/a, and what the text says of it)."""
    failed: dict[str, list[Any]] = {}
    for v in verdict.violations:
        failed.setdefault(v.rule, []).append(v)
    unchecked = {u.rule: u for u in verdict.unchecked}
    applicable = set(applicable_rules(info, symbol, endpoint))
    lines = [f"{endpoint} {orjson.dumps(dict(params)).decode()}"]
    steps: list[dict[str, Any]] = []
    if verdict.error is None:
        maybe = " (if the unchecked rules pass)" if verdict.unchecked else ""
        lines.append(f"Binance would accept it{maybe}.")
    else:
        lines.append(f"Binance would answer: {verdict.error.code} {verdict.error.msg}")
    lines.append("")
    for rule in RULES:
        rid = rule.id
        if rid in failed:
            for v in failed[rid]:
                where = f" [{v.leg}]" if v.leg else ""
                text = f"FAIL      {rid}{where}: {v.detail or v.msg}"
                if v.nearest:
                    text += f"; nearest valid: {', '.join(v.nearest)}"
                lines.append(text)
                steps.append(
                    {
                        "rule": rid,
                        "outcome": "fail",
                        "leg": v.leg,
                        "parameter": v.parameter,
                        "detail": v.detail or v.msg,
                        "nearest": list(v.nearest),
                    }
                )
            continue
        if rid in unchecked:
            u = unchecked[rid]
            why = f"needs {' and '.join(u.needs)}" if u.needs else u.reason
            lines.append(f"unchecked {rid}: {why}")
            steps.append({"rule": rid, "outcome": "unchecked", "needs": list(u.needs), "why": why})
            continue
        if not rule.in_force(day):
            lines.append(f"n/a       {rid} (Binance applied it {_period(rule)})")
            steps.append(
                {"rule": rid, "outcome": "n/a", "why": f"Binance applied it {_period(rule)}"}
            )
            continue
        if rule not in applicable:
            lines.append(f"n/a       {rid}")
            steps.append({"rule": rid, "outcome": "n/a", "why": None})
            continue
        checks = rule.checks if len(rule.checks) <= 90 else rule.checks[:87] + "..."
        lines.append(f"pass      {rid}: {checks}")
        steps.append({"rule": rid, "outcome": "pass", "checks": rule.checks})
    for u in verdict.unchecked:
        if u.rule not in {r.id for r in RULES}:
            why = u.reason or "not modelled"
            lines.append(f"unchecked {u.rule}: {why}")
            steps.append(
                {"rule": u.rule, "outcome": "unchecked", "needs": list(u.needs), "why": why}
            )
    return "".join(f"{x}\n" for x in lines), steps


def _period(rule: Rule) -> str:
    since = f"from {rule.since}" if rule.since else ""
    until = f"until {rule.until}" if rule.until else ""
    return " ".join(p for p in (since, until) if p)
