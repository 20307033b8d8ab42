"""Outputs of ``filterlib check``: one rendered piece per order, and the run's tally.

Formats: ``text`` (for people; colour only when asked for, see :func:`use_colour`), ``json``
(``Verdict.to_dict()`` per order, the contract of docs/cli.md), ``github`` (workflow commands
``::error file=...,line=...::...``) and ``junit`` (``<testcase>`` elements; the CLI wraps them in
suites). Rendering happens where the order is checked (a worker with ``--jobs``), so everything
here is plain data that pickles.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Generic, TextIO, TypeVar
from xml.sax.saxutils import escape, quoteattr

import orjson
from attrs import define, field, frozen

from .context import Context, as_context
from .exceptions import UsageError
from .request import Order
from .rules.bounds import on_bound
from .snapshot import ExchangeInfo
from .verdict import BinanceError, Unchecked, Verdict

__all__ = [
    "FAIL_ON",
    "FORMATS",
    "Options",
    "Renderer",
    "Tally",
    "render_unusable",
    "render_verdict",
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
    #: The day the orders are judged at (``--as-of``): a date, "latest", or None for the
    #: snapshot's own day.
    as_of: dt.date | str | None = None


def warnings_for(info: ExchangeInfo, params: Mapping[str, Any], context: object) -> list[str]:
    """Values that pass but sit exactly on a bound: one order-book move or rounding away.

    Single orders only (``price``, ``stopPrice``, ``quantity``): PRICE_FILTER's min/max,
    LOT_SIZE's (MARKET_LOT_SIZE's for MARKET) min/max, (MIN_)NOTIONAL's bounds for an order with
    a price, and the PERCENT_PRICE(_BY_SIDE) band edges around the market price the rule uses
    (referencePrice, else avgPrice, or lastPrice): :func:`filterlib.rules.bounds.on_bound`.
    """
    name = params.get("symbol")
    symbol = info.symbols.get(name) if isinstance(name, str) else None
    if symbol is None:
        return []
    order = Order(
        side=_str(params.get("side")),
        type=_str(params.get("type")),
        price=_dec(params.get("price")),
        stop_price=_dec(params.get("stopPrice")),
        quantity=_dec(params.get("quantity")),
    )
    try:
        ctx = as_context(context) if isinstance(context, Mapping | Context) else Context()
    except UsageError:  # a context check() refused: the line is an error, not a warning
        ctx = Context()
    return list(on_bound(order, symbol, ctx))


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _dec(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# --- rendering one order --------------------------------------------------------------------

_T = TypeVar("_T")
_V = TypeVar("_V")


class _ById(Generic[_T, _V]):
    """``make(obj)`` kept per object, for immutable objects that recur (the same tuple of
    unchecked rules for every order of a symbol, side and context).

    Looked up by ``id``, which costs nothing, unlike hashing a tuple of rules; each entry holds
    its object, so the id cannot be reused while the entry exists. At most ``size`` entries:
    past that it starts afresh.
    """

    def __init__(self, make: Callable[[_T], _V], size: int = 4096) -> None:
        self._make, self._size = make, size
        self._kept: dict[int, tuple[_T, _V]] = {}

    def get(self, obj: _T) -> _V:
        kept = self._kept.get(id(obj))
        if kept is None:
            if len(self._kept) >= self._size:
                self._kept.clear()
            kept = self._kept[id(obj)] = (obj, self._make(obj))
        return kept[1]


#: Stands for the line number in a rendering kept for reuse by :class:`Renderer`.
_LINE: Final = "\x00"
#: Passing verdicts whose rendering a :class:`Renderer` keeps; past this it starts afresh.
MAX_RENDERINGS: Final = 4096


class Renderer:
    """Renders the orders of one source in one format, in this process.

    ``filterlib.check`` returns the *same* verdict object for every passing LIMIT order with the
    same symbol, endpoint, side and context prices, and a passing verdict renders the same but
    for its line number. So the rendering of a passing verdict without on-bound warnings is
    kept per verdict object, split around the line number, and reused. Each entry holds the
    verdict itself, so its ``id`` cannot be reused by another object while the entry exists; at
    most MAX_RENDERINGS entries are kept (verdicts built per order, e.g. by the full engine,
    would otherwise pile up).
    """

    def __init__(self, source: str, opts: Options) -> None:
        self.source = source
        self.opts = opts
        self._kept: dict[int, tuple[Verdict, str, list[str]]] = {}
        # How many line numbers a rendering has: text names the line once, JSON never, JUnit
        # twice (name and line attributes), GitHub once per workflow command (one a line).
        self._lines_in: int | None = {"text": 1, "json": 0, "junit": 2}.get(opts.fmt)

    def verdict(self, line: int, symbol: str, verdict: Verdict, warnings: tuple[str, ...]) -> str:
        """The output for a checked order."""
        if verdict.error is not None or warnings:
            return render_verdict(symbol, verdict, warnings, self.source, str(line), self.opts)
        kept = self._kept.get(id(verdict))
        if kept is None or kept[1] != symbol:
            marked = render_verdict(symbol, verdict, (), self.source, _LINE, self.opts)
            expected = marked.count("\n") if self._lines_in is None else self._lines_in
            parts = marked.split(_LINE)
            if len(parts) != expected + 1:  # the marker is in the symbol: render it each time
                return render_verdict(symbol, verdict, (), self.source, str(line), self.opts)
            if len(self._kept) >= MAX_RENDERINGS:
                self._kept.clear()
            kept = self._kept[id(verdict)] = (verdict, symbol, parts)
        parts = kept[2]
        return parts[0] if len(parts) == 1 else str(line).join(parts)

    def unusable(self, line: int, error: str) -> str:
        """The output for an order that could not be checked (``error`` is the whole message)."""
        return render_unusable(error, self.source, str(line), self.opts)


def render_verdict(
    symbol: str,
    verdict: Verdict,
    warnings: tuple[str, ...],
    source: str,
    line: str,
    opts: Options,
) -> str:
    """The output for a checked order in ``opts.fmt`` (junit: one ``<testcase>``)."""
    if opts.fmt == "json":
        return _json(verdict, warnings, opts)
    if opts.fmt == "github":
        return _github(symbol, verdict, warnings, source, line, opts)
    if opts.fmt == "junit":
        return _junit(symbol, verdict, warnings, source, line, opts)
    return _text(symbol, verdict, warnings, line, opts)


def render_unusable(error: str, source: str, line: str, opts: Options) -> str:
    """The output for an order that could not be checked, ``error`` saying why."""
    if opts.fmt == "json":
        body: dict[str, object] = {
            "ok": False,
            "code": None,
            "msg": None,
            "error": error,
            "violations": [],
            "unchecked": [],
        }
        return orjson.dumps(body).decode() + "\n"
    if opts.fmt == "github":
        title = "filterlib: unusable line"
        return f"::error {_gh_where(source, line)},title={_gh_prop(title)}::{_gh_data(error)}\n"
    if opts.fmt == "junit":
        return (
            f"{_junit_head(source, line, '(no symbol)')}>\n    <error message={quoteattr(error)} "
            f'type="unusable">{escape(error)}</error>\n  </testcase>\n'
        )
    return f"{_RED}{error}{_RESET}\n" if opts.colour else f"{error}\n"


def _json(verdict: Verdict, warnings: tuple[str, ...], opts: Options) -> str:
    error = verdict.error
    if error is not None and error.data is None and not verdict.warnings and not opts.warnings:
        # A rejected order: Verdict.to_dict()'s bytes, with the unchecked rules (the same tuple
        # for every order of a symbol, side and context) encoded once.
        head = orjson.dumps({"ok": False, "code": error.code, "msg": error.msg})
        violations = orjson.dumps([v.to_dict() for v in verdict.violations])
        unchecked = _UNCHECKED_JSON.get(verdict.unchecked)
        return (
            head[:-1] + b',"violations":' + violations + b',"unchecked":' + unchecked + b"}\n"
        ).decode()
    body = verdict.to_dict()
    if opts.warnings:
        # Beside the verdict's own warnings (a stale snapshot), in the same {kind, text} shape.
        found = body.get("warnings")
        body["warnings"] = [*(found if isinstance(found, list) else [])] + [
            {"kind": "on_bound", "text": w} for w in warnings
        ]
    return orjson.dumps(body).decode() + "\n"


def _text(
    symbol: str, verdict: Verdict, warnings: tuple[str, ...], line: str, opts: Options
) -> str:
    described = describe(verdict)
    if warnings:
        described += f" (warning: {'; '.join(warnings)})"
    if opts.colour:
        colour = _RED if not verdict.ok else _YELLOW if warnings else _GREEN
        head, sep, tail = described.partition(" (unchecked: ")
        described = f"{colour}{head}{_RESET}" + (f"{_DIM}{sep}{tail}{_RESET}" if sep else "")
    return f"line {line}: {symbol}: {described}\n"


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
        unchecked = _UNCHECKED_TEXT.get(verdict.unchecked)
        if unchecked:
            text += f" (unchecked: {unchecked})"
    return text


def summarise_unchecked(unchecked: Iterable[Unchecked]) -> str:
    """``PERCENT_PRICE_BY_SIDE needs avgPrice; a, b need account; X (reason)``. The rules no
    context decides (``Unchecked.decidable`` False) are left out: they stand on every order
    alike, and docs/rules.md names them."""
    groups: dict[tuple[str, str], list[str]] = {}
    for u in unchecked:
        if not u.decidable:
            continue
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


_UNCHECKED_TEXT: _ById[tuple[Unchecked, ...], str] = _ById(summarise_unchecked)
_UNCHECKED_JSON: _ById[tuple[Unchecked, ...], bytes] = _ById(
    lambda unchecked: orjson.dumps([u.to_dict() for u in unchecked])
)


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _gh_where(source: str, line: str) -> str:
    return f"line={line}" if source == "-" else f"file={_gh_prop(source)},line={line}"


def _github(
    symbol: str,
    verdict: Verdict,
    warnings: tuple[str, ...],
    source: str,
    line: str,
    opts: Options,
) -> str:
    where = _gh_where(source, line)
    out = []
    if verdict.error is not None:
        title = f"{symbol}: {verdict.error.code} {verdict.error.msg}"
        out.append(f"::error {where},title={_gh_prop(title)}::{_gh_data(describe(verdict))}\n")
    else:
        if opts.fail_unchecked and verdict.decidable_unchecked:
            title = f"{symbol}: rules not checked"
            msg = summarise_unchecked(verdict.unchecked)
            out.append(f"::error {where},title={_gh_prop(title)}::{_gh_data(msg)}\n")
        if warnings:
            level = "error" if opts.fail_warnings else "warning"
            title = f"{symbol}: on a bound"
            msg = "; ".join(warnings)
            out.append(f"::{level} {where},title={_gh_prop(title)}::{_gh_data(msg)}\n")
    return "".join(out)


def _junit_head(source: str, line: str, symbol: str) -> str:
    name = quoteattr(f"line {line}: {symbol}")
    head = f"  <testcase classname={quoteattr(source)} name={name} file={quoteattr(source)}"
    return head + f' line="{line}"'


def _junit(
    symbol: str,
    verdict: Verdict,
    warnings: tuple[str, ...],
    source: str,
    line: str,
    opts: Options,
) -> str:
    head = _junit_head(source, line, symbol)
    failure = None
    if verdict.error is not None:
        failure = (f"{verdict.error.code} {verdict.error.msg}", str(verdict.error.code))
    elif opts.fail_unchecked and verdict.decidable_unchecked:
        failure = ("rules not checked", "unchecked")
    elif opts.fail_warnings and warnings:
        failure = ("on a bound: " + "; ".join(warnings), "warning")
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

    def passed(self, verdict: Verdict, warned: bool) -> None:
        """Count an order that passes (with on-bound warnings when ``warned``)."""
        self.kinds[PASSED] += 1
        if verdict.unchecked and _UNCHECKED_TEXT.get(verdict.unchecked):
            self.unchecked += 1
        if warned:
            self.warned += 1

    def rejected(self, error: BinanceError, symbol: str) -> None:
        """Count a rejected order, by its error and its symbol."""
        self.kinds[REJECTED] += 1
        _bump(self.by_error, f"{error.code} {error.msg}", 1)
        _bump(self.by_symbol, symbol, 1)

    def unusable(self) -> None:
        """Count an order that could not be checked."""
        self.kinds[UNUSABLE] += 1
        _bump(self.by_error, "unusable line", 1)
        _bump(self.by_symbol, "(no symbol)", 1)

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
