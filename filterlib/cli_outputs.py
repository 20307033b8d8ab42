"""Outputs of ``filterlib check``: one rendered piece per order, and the run's tally.

Formats: ``text`` (for people; colour only when asked for, see :func:`use_colour`), ``json``
(``Verdict.to_dict()`` per order, the contract of docs/cli.md), ``github`` (workflow commands
``::error file=...,line=...::...``) and ``junit`` (``<testcase>`` elements; the CLI wraps them in
suites). Rendering happens where the order is checked (a worker with ``--jobs``), so everything
here is plain data that pickles.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TextIO
from xml.sax.saxutils import escape, quoteattr

import orjson
from attrs import define, field, frozen

from .filters import (
    LotSize,
    MarketLotSize,
    MinNotional,
    Notional,
    PercentPrice,
    PercentPriceBySide,
    PriceFilter,
)
from .snapshot import ExchangeInfo
from .verdict import Unchecked, Verdict

__all__ = [
    "FAIL_ON",
    "FORMATS",
    "Options",
    "Outcome",
    "Tally",
    "render",
    "use_colour",
    "warnings_for",
]

FORMATS: Final = ("text", "json", "github", "junit")
#: What ``--fail-on`` may name; rejected orders (and unusable lines) always fail.
FAIL_ON: Final = ("rejected", "unchecked", "warnings")

#: Distinct errors and symbols kept for the summary; the rest are counted as "(others)".
MAX_KEYS: Final = 5000

PASSED, REJECTED, UNUSABLE = 0, 1, 2

_RED, _GREEN, _YELLOW, _DIM, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[2m", "\x1b[0m"


def use_colour(choice: str, stream: TextIO) -> bool:
    """``--color``: always, never, or auto (a terminal, and NO_COLOR unset or empty)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@frozen
class Options:
    """How each order is rendered: the format, colour, and whether warnings are computed."""

    fmt: str = "text"
    colour: bool = False
    warnings: bool = False  # compute and show values exactly on a bound
    fail_unchecked: bool = False
    fail_warnings: bool = False


@frozen
class Outcome:
    """What one order came to: its kind, symbol, verdict or error, and warnings."""

    kind: int
    symbol: str
    verdict: Verdict | None = None
    error: str | None = None  # the whole message, "line N: ..."
    warnings: tuple[str, ...] = ()


def warnings_for(info: ExchangeInfo, params: Mapping[str, Any], context: object) -> list[str]:
    """Values that pass but sit exactly on a bound: one order-book move or rounding away.

    Single orders only (``price``, ``stopPrice``, ``quantity``): PRICE_FILTER's min/max,
    LOT_SIZE's (MARKET_LOT_SIZE's for MARKET) min/max, (MIN_)NOTIONAL's bounds for an order with
    a price, and the PERCENT_PRICE(_BY_SIDE) band edges when the context gives ``avgPrice``.
    """
    name = params.get("symbol")
    symbol = info.symbols.get(name) if isinstance(name, str) else None
    if symbol is None:
        return []
    found: list[str] = []
    price = _dec(params.get("price"))
    stop = _dec(params.get("stopPrice"))
    qty = _dec(params.get("quantity"))
    market = params.get("type") == "MARKET"
    for flt in symbol.filters:
        if isinstance(flt, PriceFilter):
            for pname, value in (("price", price), ("stopPrice", stop)):
                if value is None:
                    continue
                if flt.min_price and value == flt.min_price:
                    found.append(f"{pname} {_s(value)} is exactly PRICE_FILTER minPrice")
                if flt.max_price and value == flt.max_price:
                    found.append(f"{pname} {_s(value)} is exactly PRICE_FILTER maxPrice")
        elif isinstance(flt, LotSize | MarketLotSize) and qty is not None:
            if isinstance(flt, MarketLotSize) and (not market or not flt.step_size):
                continue
            if qty == flt.min_qty:
                found.append(f"quantity {_s(qty)} is exactly {flt.filter_type} minQty")
            if qty == flt.max_qty:
                found.append(f"quantity {_s(qty)} is exactly {flt.filter_type} maxQty")
        elif isinstance(flt, Notional | MinNotional) and price is not None and qty is not None:
            notional = price * qty
            if notional == flt.min_notional:
                found.append(f"notional {_s(notional)} is exactly {flt.filter_type} minNotional")
            if isinstance(flt, Notional) and notional == flt.max_notional:
                found.append(f"notional {_s(notional)} is exactly NOTIONAL maxNotional")
        elif isinstance(flt, PercentPrice | PercentPriceBySide) and price is not None:
            avg = _avg_price(context)
            if avg is None:
                continue
            if isinstance(flt, PercentPrice):
                up, down = flt.multiplier_up, flt.multiplier_down
            elif params.get("side") == "SELL":
                up, down = flt.ask_multiplier_up, flt.ask_multiplier_down
            else:
                up, down = flt.bid_multiplier_up, flt.bid_multiplier_down
            for edge, mult in (("upper", up), ("lower", down)):
                if price == avg * mult:
                    found.append(
                        f"price {_s(price)} is exactly the {flt.filter_type} {edge} band edge "
                        f"(avgPrice {_s(avg)} x {_s(mult)})"
                    )
    return found


def _dec(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _avg_price(context: object) -> Decimal | None:
    if not isinstance(context, Mapping):
        return None
    avg = context.get("avgPrice")
    if isinstance(avg, Mapping):
        avg = avg.get("price")
    return _dec(avg)


def _s(value: Decimal) -> str:
    return format(value, "f")


# --- rendering one order --------------------------------------------------------------------


def render(outcome: Outcome, source: str, line: int, opts: Options) -> str:
    """The output for one order in ``opts.fmt`` (junit: one ``<testcase>``)."""
    if opts.fmt == "json":
        return _json(outcome, opts)
    if opts.fmt == "github":
        return _github(outcome, source, line, opts)
    if opts.fmt == "junit":
        return _junit(outcome, source, line, opts)
    return _text(outcome, line, opts)


def _json(outcome: Outcome, opts: Options) -> str:
    if outcome.verdict is None:
        body: dict[str, object] = {
            "ok": False,
            "code": None,
            "msg": None,
            "error": outcome.error,
            "violations": [],
            "unchecked": [],
        }
    else:
        body = outcome.verdict.to_dict()
    if opts.warnings and outcome.verdict is not None:
        # Beside the verdict's own warnings (a stale snapshot), in the same {kind, text} shape.
        found = body.get("warnings")
        body["warnings"] = [*(found if isinstance(found, list) else [])] + [
            {"kind": "on_bound", "text": w} for w in outcome.warnings
        ]
    return orjson.dumps(body).decode() + "\n"


def _text(outcome: Outcome, line: int, opts: Options) -> str:
    if outcome.verdict is None:
        text = outcome.error or ""
        return f"{_RED}{text}{_RESET}\n" if opts.colour else f"{text}\n"
    described = describe(outcome.verdict)
    if outcome.warnings:
        described += f" (warning: {'; '.join(outcome.warnings)})"
    if opts.colour:
        colour = _RED if not outcome.verdict.ok else _YELLOW if outcome.warnings else _GREEN
        head, sep, tail = described.partition(" (unchecked: ")
        described = f"{colour}{head}{_RESET}" + (f"{_DIM}{sep}{tail}{_RESET}" if sep else "")
    return f"line {line}: {outcome.symbol}: {described}\n"


def describe(verdict: Verdict) -> str:
    """The text-format verdict: OK or the error with a hint, then what went unchecked."""
    if verdict.error is None:
        text = "OK"
    else:
        text = f"{verdict.error.code} {verdict.error.msg}"
        if verdict.violations:
            first = verdict.violations[0]
            hint = first.detail
            if first.nearest:
                hint += f"; nearest valid: {', '.join(first.nearest)}"
            if hint:
                text += f" \u2014 {hint}"
            others = [v.rule for v in verdict.violations[1:]]
            if others:
                text += f" (also: {', '.join(others)})"
    if verdict.unchecked:
        text += f" (unchecked: {summarise_unchecked(verdict.unchecked)})"
    return text


def summarise_unchecked(unchecked: Iterable[Unchecked]) -> str:
    """``PERCENT_PRICE_BY_SIDE needs avgPrice; a, b need account; X (reason)``."""
    groups: dict[tuple[str, str], list[str]] = {}
    for u in unchecked:
        key = ("needs", " and ".join(u.needs)) if u.needs else ("reason", u.reason)
        groups.setdefault(key, []).append(u.rule)
    parts = []
    for (kind, what), rules in groups.items():
        names = ", ".join(rules)
        if kind == "needs":
            parts.append(f"{names} {'needs' if len(rules) == 1 else 'need'} {what}")
        else:
            parts.append(f"{names} ({what})" if what else names)
    return "; ".join(parts)


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(outcome: Outcome, source: str, line: int, opts: Options) -> str:
    where = f"line={line}" if source == "-" else f"file={_gh_prop(source)},line={line}"
    verdict = outcome.verdict
    if verdict is None:
        title = "filterlib: unusable line"
        return f"::error {where},title={_gh_prop(title)}::{_gh_data(outcome.error or '')}\n"
    out = []
    if verdict.error is not None:
        title = f"{outcome.symbol}: {verdict.error.code} {verdict.error.msg}"
        out.append(f"::error {where},title={_gh_prop(title)}::{_gh_data(describe(verdict))}\n")
    else:
        if opts.fail_unchecked and verdict.unchecked:
            title = f"{outcome.symbol}: rules not checked"
            msg = summarise_unchecked(verdict.unchecked)
            out.append(f"::error {where},title={_gh_prop(title)}::{_gh_data(msg)}\n")
        if outcome.warnings:
            level = "error" if opts.fail_warnings else "warning"
            title = f"{outcome.symbol}: on a bound"
            msg = "; ".join(outcome.warnings)
            out.append(f"::{level} {where},title={_gh_prop(title)}::{_gh_data(msg)}\n")
    return "".join(out)


def _junit(outcome: Outcome, source: str, line: int, opts: Options) -> str:
    name = quoteattr(f"line {line}: {outcome.symbol}")
    head = f"  <testcase classname={quoteattr(source)} name={name} file={quoteattr(source)}"
    head += f' line="{line}"'
    verdict = outcome.verdict
    if verdict is None:
        msg = outcome.error or ""
        return (
            f'{head}>\n    <error message={quoteattr(msg)} type="unusable">'
            f"{escape(msg)}</error>\n  </testcase>\n"
        )
    failure = None
    if verdict.error is not None:
        failure = (f"{verdict.error.code} {verdict.error.msg}", str(verdict.error.code))
    elif opts.fail_unchecked and verdict.unchecked:
        failure = ("rules not checked", "unchecked")
    elif opts.fail_warnings and outcome.warnings:
        failure = ("on a bound: " + "; ".join(outcome.warnings), "warning")
    if failure is None:
        return f"{head}/>\n"
    message, kind = failure
    return (
        f"{head}>\n    <failure message={quoteattr(message)} type={quoteattr(kind)}>"
        f"{escape(describe(verdict))}</failure>\n  </testcase>\n"
    )


# --- the run's tally -------------------------------------------------------------------------


@define
class Tally:
    """Counts over a run (or a chunk of it, merged with :meth:`add`)."""

    kinds: list[int] = field(factory=lambda: [0, 0, 0])  # passed, rejected, unusable
    unchecked: int = 0
    warned: int = 0
    by_error: Counter[str] = field(factory=Counter)
    by_symbol: Counter[str] = field(factory=Counter)

    def count(self, outcome: Outcome) -> None:
        self.kinds[outcome.kind] += 1
        verdict = outcome.verdict
        if verdict is not None and verdict.ok and verdict.unchecked:
            self.unchecked += 1
        if outcome.warnings and verdict is not None and verdict.ok:
            self.warned += 1
        if outcome.kind == PASSED:
            return
        if verdict is not None and verdict.error is not None:
            key = f"{verdict.error.code} {verdict.error.msg}"
        else:
            key = "unusable line"
        _bump(self.by_error, key, 1)
        _bump(self.by_symbol, outcome.symbol, 1)

    def add(self, other: Tally) -> None:
        for i in range(3):
            self.kinds[i] += other.kinds[i]
        self.unchecked += other.unchecked
        self.warned += other.warned
        for key, n in other.by_error.items():
            _bump(self.by_error, key, n)
        for key, n in other.by_symbol.items():
            _bump(self.by_symbol, key, n)

    def status(self, fail_unchecked: bool, fail_warnings: bool) -> int:
        _, rejected, unusable = self.kinds
        if unusable:
            return 2
        if rejected or (fail_unchecked and self.unchecked) or (fail_warnings and self.warned):
            return 1
        return 0

    def count_line(self) -> str:
        passed, rejected, unusable = self.kinds
        return (
            f"{passed + rejected} checked, {passed} passed, {rejected} rejected, "
            f"{unusable} unusable\n"
        )

    def breakdown(self, top: int = 10) -> str:
        """Counts by error and by symbol (rejected and unusable orders), for people."""
        lines: list[str] = []
        extra = []
        if self.unchecked:
            extra.append(f"{self.unchecked} passed with rules unchecked")
        if self.warned:
            extra.append(f"{self.warned} passed on a bound (warnings)")
        if extra:
            lines.append("; ".join(extra))
        for title, counter in (("by error", self.by_error), ("by symbol", self.by_symbol)):
            if not counter:
                continue
            lines.append(f"{title}:")
            common = counter.most_common(top)
            lines.extend(f"  {n:>9,}  {key}" for key, n in common)
            rest = sum(counter.values()) - sum(n for _, n in common)
            if rest:
                lines.append(f"  {rest:>9,}  ({len(counter) - len(common)} more)")
        return "".join(f"{x}\n" for x in lines)


def _bump(counter: Counter[str], key: str, n: int) -> None:
    if key in counter or len(counter) < MAX_KEYS:
        counter[key] += n
    else:
        counter["(others)"] += n
