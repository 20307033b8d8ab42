"""Outputs of ``filterlib check``: the output formats, and the run's tally.

A format (``--format NAME``) is a subclass of :class:`OutputFormat` registered under its name
with :func:`register`. It has two halves:

- **rendering**, the class methods :meth:`~OutputFormat.verdict` and
  :meth:`~OutputFormat.unusable`: one order to text, where the order is checked (a worker
  process with ``--jobs N``), so what they take and give is plain data that pickles. A rendering
  may be empty (a passing order the format does not list). :class:`Renderer` keeps the
  renderings of passing verdicts for reuse.
- **writing**, an instance made once per run in the main process. It gets, in input order, each
  source's start (:meth:`~OutputFormat.begin`), its renderings (:meth:`~OutputFormat.write`), a
  problem that stops the source (:meth:`~OutputFormat.file_problem`) and its end with its tally
  (:meth:`~OutputFormat.end`); then the run's end (:meth:`~OutputFormat.finish`).

A line of a rendering may start with a *key* and :data:`KEY` (``\\x1f``): the rule the line is
about, for a writer that caps or groups by rule (github, sarif); that writer takes it off.

The formats here: ``text`` (for people: what fails, then a summary; colour only when asked for,
see :func:`use_colour`), ``json`` (``Verdict.to_dict()`` per order, the contract of
docs/cli.md), ``github`` (workflow commands, at most ``max_annotations`` per rule), ``junit``
(XML: failures listed, passes counted) and ``sarif`` (SARIF 2.1.0, for code-scanning tools).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import IO, Any, ClassVar, Final, Generic, TextIO, TypeVar
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

import orjson
from attrs import define, field, frozen

from .._context import Context, as_context
from .._request import Order
from .._rules.bounds import on_bound
from .._verdict import Unchecked, Verdict, Violation
from ..catalogue import RANK, RULES_BY_ID
from ..exceptions import UsageError
from ..snapshot import ExchangeInfo

__all__ = [
    "FAIL_ON",
    "FORMATS",
    "KEY",
    "FileProblem",
    "Options",
    "OutputFormat",
    "Renderer",
    "RunFacts",
    "Tally",
    "describe",
    "register",
    "render_unusable",
    "render_verdict",
    "rule_key",
    "use_colour",
    "version",
    "warnings_for",
]

#: What ``--fail-on`` may name; rejected orders (and unusable lines) always fail.
FAIL_ON: Final = ("rejected", "unchecked", "warnings")

#: Distinct rules and symbols kept for the summary; the rest are counted as "(others)".
MAX_KEYS: Final = 5000
#: ``--max-annotations``' default: GitHub annotations per rule (GitHub shows 10 per step).
MAX_ANNOTATIONS: Final = 10

PASSED, REJECTED, UNUSABLE = 0, 1, 2

#: Ends the key that starts a line of a rendering (see the module's docstring).
KEY: Final = "\x1f"
#: The keys of what is not a rule of the catalogue: a line that could not be checked, a file
#: that could not be read to its end, an order that passes with rules not checked (with
#: ``--fail-on unchecked``), and a value exactly on a bound.
KEY_UNUSABLE: Final = "unusable-line"
KEY_UNREADABLE: Final = "unreadable-file"
KEY_UNCHECKED: Final = "rules-not-checked"
KEY_ON_BOUND: Final = "on-a-bound"
_KEY_TEXT: Final = {
    KEY_UNUSABLE: "a line that could not be checked (not JSON, not an order, a bad context, ...)",
    KEY_UNREADABLE: "a file that could not be read to its end (missing, unreadable, truncated)",
    KEY_UNCHECKED: "an order that passes with rules not checked for lack of context",
    KEY_ON_BOUND: "a value exactly on a bound: the least move of the market rejects it",
}

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
    """How each order is checked and rendered: the format, colour, what is shown and what
    fails, the day judged, and the context every order gets."""

    fmt: str = "text"
    colour: bool = False
    warnings: bool = False  # compute and show values exactly on a bound
    fail_unchecked: bool = False
    fail_warnings: bool = False
    #: The day the orders are judged at (``--as-of``): a date, "latest", or None for the
    #: snapshot's own day.
    as_of: dt.date | str | None = None
    #: ``--verbose``: text lists passing orders too (with their unchecked rules), junit a
    #: ``<testcase>`` for each.
    verbose: bool = False
    #: ``--max-annotations``: github annotations per rule; 0 for no cap.
    max_annotations: int = MAX_ANNOTATIONS
    #: ``--context``: the context every order is checked with (a line's own context keys
    #: win over it); None for none.
    context: Mapping[str, Any] | None = field(default=None, hash=False)


def label(source: str) -> str:
    """How messages name a source: its file name, or ``standard input`` for ``-``."""
    return "standard input" if source == "-" else source


def count(n: int, one: str, many: str | None = None) -> str:
    """``1 file``, ``2 files``, ``1,234 orders``: ``n`` with the noun in the right number."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


@frozen
class FileProblem:
    """A source that could not be read to its end, or at all (a missing file, a pattern no file
    matches, a truncated gzip, a broken JSON array, a CSV header, a worker that died).

    ``message`` names the source and says what to do (standard error gets it after
    ``filterlib: ``); ``line`` is the line it is about, when there is one.
    """

    source: str
    message: str
    line: int | None = None

    def located(self) -> str:
        """The message, starting with the source's name."""
        name = label(self.source)
        return self.message if self.message.startswith(name) else f"{name}: {self.message}"


@frozen
class RunFacts:
    """What a writer may tell about the run as a whole."""

    #: The sources, in order (``-`` for standard input), once patterns and folders are expanded.
    sources: tuple[str, ...] = ()
    #: ``--exchange-info``; None for the snapshot shipped in filterlib.
    snapshot: str | None = None
    #: The snapshot's serverTime (milliseconds), None when it has none.
    server_time: int | None = None
    #: When the run started (milliseconds since the epoch, the machine's clock).
    now: int = 0


def snapshot_note(facts: RunFacts) -> str:
    """``checked against the shipped snapshot of 2023-08-13 (1,212 days old)``, with its line
    end; empty when the snapshot has no serverTime."""
    taken = facts.server_time
    if taken is None:
        return ""
    what = "the shipped snapshot" if facts.snapshot is None else facts.snapshot
    day = dt.datetime.fromtimestamp(taken // 1000, dt.UTC).date().isoformat()
    return f"checked against {what} of {day} ({age(facts.now - taken)})\n"


def age(ms: int) -> str:
    """``1,212 days old``, ``5 hours old``, ``less than an hour old`` for ``ms`` milliseconds."""
    if ms < 0:
        return "dated after this machine's clock"
    days, hours = ms // 86_400_000, ms // 3_600_000
    if days:
        return f"{count(days, 'day')} old"
    return f"{count(hours, 'hour')} old" if hours else "less than an hour old"


def warnings_for(info: ExchangeInfo, params: Mapping[str, Any], context: object) -> list[str]:
    """Values that pass but sit exactly on a bound: one order-book move or rounding away.

    Single orders only (``price``, ``stopPrice``, ``quantity``): PRICE_FILTER's min/max,
    LOT_SIZE's (MARKET_LOT_SIZE's for MARKET) min/max, (MIN_)NOTIONAL's bounds for an order with
    a price, and the PERCENT_PRICE(_BY_SIDE) band edges around the market price the rule uses
    (referencePrice, else avgPrice, or lastPrice): :func:`filterlib._rules.bounds.on_bound`.
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
        self.format = FORMATS[opts.fmt]
        self._kept: dict[int, tuple[Verdict, str, list[str]]] = {}

    def verdict(
        self,
        line: int,
        symbol: str,
        verdict: Verdict,
        warnings: tuple[str, ...],
        params: Mapping[str, Any] | None = None,
    ) -> str:
        """The output for a checked order (``params``: its parameters)."""
        fmt, source, opts = self.format, self.source, self.opts
        if fmt.wants_params:
            return fmt.verdict(symbol, verdict, warnings, source, str(line), opts, params)
        if verdict.error is not None or warnings:
            return fmt.verdict(symbol, verdict, warnings, source, str(line), opts)
        kept = self._kept.get(id(verdict))
        if kept is None or kept[1] != symbol:
            marked = fmt.verdict(symbol, verdict, (), source, _LINE, opts)
            parts = marked.split(_LINE)
            if len(parts) != fmt.line_marks(marked) + 1:  # the marker is in the symbol
                return fmt.verdict(symbol, verdict, (), source, str(line), opts)
            if len(self._kept) >= MAX_RENDERINGS:
                self._kept.clear()
            kept = self._kept[id(verdict)] = (verdict, symbol, parts)
        parts = kept[2]
        return parts[0] if len(parts) == 1 else str(line).join(parts)

    def unusable(self, line: int, error: str) -> str:
        """The output for an order that could not be checked (``error`` is the whole message)."""
        return self.format.unusable(error, self.source, str(line), self.opts)


def render_verdict(
    symbol: str,
    verdict: Verdict,
    warnings: tuple[str, ...],
    source: str,
    line: str,
    opts: Options,
) -> str:
    """The output for a checked order in ``opts.fmt``."""
    return FORMATS[opts.fmt].verdict(symbol, verdict, warnings, source, line, opts)


def render_unusable(error: str, source: str, line: str, opts: Options) -> str:
    """The output for an order that could not be checked, ``error`` saying why."""
    return FORMATS[opts.fmt].unusable(error, source, line, opts)


def rule_key(verdict: Verdict) -> str:
    """The rule a rejected order is counted, capped and reported under: that of the violation
    Binance reports (the first)."""
    violations = verdict.violations
    if violations:
        return violations[0].rule
    error = verdict.error
    return KEY_UNCHECKED if error is None else f"error{error.code}"


def describe(verdict: Verdict, unchecked: bool = True) -> str:
    """The verdict in words: OK or the error with a hint, then (when ``unchecked``) what went
    unchecked."""
    if verdict.error is None:
        text = "OK"
    else:
        text = f"{verdict.error.code} {verdict.error.msg}"
        if verdict.violations:
            first = verdict.violations[0]
            hint = first.detail
            if first.nearest:
                hint += f"; nearest valid{_nearest_of(first)}: {', '.join(first.nearest)}"
            if hint:
                text += f" \u2014 {hint.removeprefix('; ')}"
            others = [v.rule for v in verdict.violations[1:]]
            if others:
                text += f" (also: {', '.join(others)})"
    if unchecked and verdict.unchecked:
        summary = _UNCHECKED_TEXT.get(verdict.unchecked)
        if summary:
            text += f" (unchecked: {summary})"
    return text


def _nearest_of(violation: Violation) -> str:
    """What the nearest valid values are of: `` quantity``, `` abovePrice`` (the leg in the
    name), `` quantity (above leg)`` (a parameter the legs share), or nothing."""
    parameter, leg = violation.parameter, violation.leg
    if leg and parameter and parameter.startswith(leg):
        return f" {parameter}"
    named = f" {parameter}" if parameter else ""
    return f"{named} ({leg} leg)" if leg else named


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


def _failing_pass(verdict: Verdict, warnings: tuple[str, ...], opts: Options) -> str | None:
    """Why a passing order fails the run (``--fail-on``): KEY_UNCHECKED, KEY_ON_BOUND, or
    None."""
    if opts.fail_unchecked and verdict.unchecked and _UNCHECKED_TEXT.get(verdict.unchecked):
        return KEY_UNCHECKED
    if opts.fail_warnings and warnings:
        return KEY_ON_BOUND
    return None


# --- the formats -----------------------------------------------------------------------------


class OutputFormat:
    """A ``--format``: how each order is rendered, and how the run is written.

    To add one, subclass this in a module of its own, set :attr:`name` and :attr:`help`, define
    :meth:`verdict` and :meth:`unusable` (and :meth:`line_marks` when a rendering holds its line
    number other than once per output line), override the writing methods it needs, and
    decorate the class with :func:`register`; importing the module (filterlib.cli does) adds
    the choice to ``--format``. The base writer writes each rendering to the output as it is.
    """

    #: The ``--format`` choice.
    name: ClassVar[str] = ""
    #: One phrase for ``--format``'s help.
    help: ClassVar[str] = ""
    #: Whether :meth:`verdict` is given each order's parameters. A passing order's rendering
    #: is then made for each order, not kept for reuse (see :class:`Renderer`).
    wants_params: ClassVar[bool] = False

    @classmethod
    def verdict(
        cls,
        symbol: str,
        verdict: Verdict,
        warnings: tuple[str, ...],
        source: str,
        line: str,
        opts: Options,
        params: Mapping[str, Any] | None = None,
    ) -> str:
        """The rendering of a checked order on line ``line`` of ``source``, with the on-bound
        ``warnings`` found for it (with ``opts.warnings``); may be empty. ``params`` (the
        order's parameters) is given only to a format whose :attr:`wants_params` is True."""
        raise NotImplementedError

    @classmethod
    def unusable(cls, error: str, source: str, line: str, opts: Options) -> str:
        """The rendering of a line that could not be checked; ``error`` is the whole message
        (``line N: ... (in FILE)``)."""
        raise NotImplementedError

    @classmethod
    def line_marks(cls, rendering: str) -> int:
        """How many times the rendering of a passing order holds its line number (once per
        output line, by default)."""
        return rendering.count("\n")

    def __init__(self, out: TextIO, err: TextIO, opts: Options, facts: RunFacts) -> None:
        self.out, self.err, self.opts, self.facts = out, err, opts, facts

    def begin(self, source: str) -> None:
        """A source starts (before it is opened)."""

    def write(self, text: str) -> None:
        """Renderings of the current source, in input order."""
        self.out.write(text)

    def file_problem(self, problem: FileProblem) -> None:
        """The current source could not be read to its end (standard error says so too)."""

    def end(self, source: str, tally: Tally) -> None:
        """The current source ends; ``tally`` counts its orders."""

    def finish(self, tally: Tally) -> None:
        """The run ends; ``tally`` counts all its orders."""


#: ``--format`` choices: the name of each format, and its class.
FORMATS: dict[str, type[OutputFormat]] = {}

_F = TypeVar("_F", bound=type[OutputFormat])


def register(cls: _F) -> _F:
    """Add ``cls`` to :data:`FORMATS` under its name (a class decorator)."""
    if not cls.name or (cls.name in FORMATS and FORMATS[cls.name] is not cls):
        raise ValueError(f"an output format needs a name of its own, not {cls.name!r}")
    FORMATS[cls.name] = cls
    return cls


def _with_summary(fmt: OutputFormat, tally: Tally) -> None:
    """The summary for people on standard error, after the output (flushed first, so a full
    disk fails the run before anything is said)."""
    fmt.out.flush()
    fmt.err.write(tally.breakdown() + snapshot_note(fmt.facts))


@register
class TextFormat(OutputFormat):
    """For people: one line per order that fails (and per line that cannot be checked), with
    ``==> FILE <==`` before each file of several; the counts; a summary on standard error."""

    name = "text"
    help = "the default, for people: the orders that fail and the counts (--verbose: all)"

    @classmethod
    def verdict(
        cls,
        symbol: str,
        verdict: Verdict,
        warnings: tuple[str, ...],
        source: str,
        line: str,
        opts: Options,
        params: Mapping[str, Any] | None = None,
    ) -> str:
        failing = verdict.error is not None or _failing_pass(verdict, warnings, opts)
        if not (failing or warnings or opts.verbose):
            return ""
        shown = opts.verbose or (verdict.error is None and opts.fail_unchecked)
        described = describe(verdict, unchecked=shown)
        if warnings:
            described += f" (warning: {'; '.join(warnings)})"
        if opts.colour:
            colour = _RED if failing else _YELLOW if warnings else _GREEN
            head, sep, tail = described.partition(" (unchecked: ")
            described = f"{colour}{head}{_RESET}" + (f"{_DIM}{sep}{tail}{_RESET}" if sep else "")
        return f"line {line}: {symbol}: {described}\n"

    @classmethod
    def unusable(cls, error: str, source: str, line: str, opts: Options) -> str:
        return f"{_RED}{error}{_RESET}\n" if opts.colour else f"{error}\n"

    def begin(self, source: str) -> None:
        if len(self.facts.sources) > 1:
            self.out.write(f"==> {label(source)} <==\n")

    def file_problem(self, problem: FileProblem) -> None:
        text = problem.located()
        self.out.write(f"{_RED}{text}{_RESET}\n" if self.opts.colour else f"{text}\n")

    def finish(self, tally: Tally) -> None:
        self.out.write(tally.count_line())
        _with_summary(self, tally)


@register
class JsonFormat(OutputFormat):
    """For programs: one JSON object per order, in input order (the contract of docs/cli.md);
    nothing else on the output."""

    name = "json"
    help = "one JSON object per order, for programs (the contract of docs/cli.md)"

    @classmethod
    def verdict(
        cls,
        symbol: str,
        verdict: Verdict,
        warnings: tuple[str, ...],
        source: str,
        line: str,
        opts: Options,
        params: Mapping[str, Any] | None = None,
    ) -> str:
        error = verdict.error
        if error is not None and error.data is None and not verdict.warnings and not opts.warnings:
            # A rejected order: Verdict.to_dict()'s bytes, with the unchecked rules (the same
            # tuple for every order of a symbol, side and context) encoded once.
            head = orjson.dumps({"ok": False, "code": error.code, "msg": error.msg})
            violations = orjson.dumps([v.to_dict() for v in verdict.violations])
            unchecked = _UNCHECKED_JSON.get(verdict.unchecked)
            return (
                head[:-1] + b',"violations":' + violations + b',"unchecked":' + unchecked + b"}\n"
            ).decode()
        body = verdict.to_dict()
        if opts.warnings:
            # Beside the verdict's own warnings (a stale snapshot), in the same {kind, text}
            # shape.
            found = body.get("warnings")
            body["warnings"] = [*(found if isinstance(found, list) else [])] + [
                {"kind": "on_bound", "text": w} for w in warnings
            ]
        return orjson.dumps(body).decode() + "\n"

    @classmethod
    def unusable(cls, error: str, source: str, line: str, opts: Options) -> str:
        body: dict[str, object] = {
            "ok": False,
            "code": None,
            "msg": None,
            "error": error,
            "violations": [],
            "unchecked": [],
        }
        return orjson.dumps(body).decode() + "\n"

    @classmethod
    def line_marks(cls, rendering: str) -> int:
        return 0


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _gh_where(source: str, line: str | None) -> str:
    where = [] if source == "-" else [f"file={_gh_prop(source)}"]
    return ",".join(where + ([f"line={line}"] if line else []))


def _gh_command(level: str, source: str, line: str | None, title: str, message: str) -> str:
    where = _gh_where(source, line)
    props = f"{where},title={_gh_prop(title)}" if where else f"title={_gh_prop(title)}"
    return f"::{level} {props}::{_gh_data(message)}\n"


@register
class GithubFormat(OutputFormat):
    """GitHub Actions workflow commands: an ``::error`` on the file and line of each order that
    fails, at most ``max_annotations`` per rule, then ``::notice`` s with what was left out and
    the counts; the summary on standard error."""

    name = "github"
    help = (
        "GitHub Actions annotations on the file and line of each order that fails (at most "
        "--max-annotations per rule) and a notice with the counts"
    )

    @classmethod
    def verdict(
        cls,
        symbol: str,
        verdict: Verdict,
        warnings: tuple[str, ...],
        source: str,
        line: str,
        opts: Options,
        params: Mapping[str, Any] | None = None,
    ) -> str:
        if verdict.error is not None:
            title = f"{symbol}: {verdict.error.code} {verdict.error.msg}"
            message = describe(verdict, unchecked=opts.verbose)
            return rule_key(verdict) + KEY + _gh_command("error", source, line, title, message)
        out = []
        if opts.fail_unchecked and verdict.decidable_unchecked:
            title = f"{symbol}: rules not checked"
            message = summarise_unchecked(verdict.unchecked)
            out.append(KEY_UNCHECKED + KEY + _gh_command("error", source, line, title, message))
        if warnings:
            level = "error" if opts.fail_warnings else "warning"
            message = "; ".join(warnings)
            command = _gh_command(level, source, line, f"{symbol}: on a bound", message)
            out.append(KEY_ON_BOUND + KEY + command)
        return "".join(out)

    @classmethod
    def unusable(cls, error: str, source: str, line: str, opts: Options) -> str:
        command = _gh_command("error", source, line, "filterlib: unusable line", error)
        return KEY_UNUSABLE + KEY + command

    def __init__(self, out: TextIO, err: TextIO, opts: Options, facts: RunFacts) -> None:
        super().__init__(out, err, opts, facts)
        self.annotated: Counter[str] = Counter()
        self.left_out: Counter[str] = Counter()

    def write(self, text: str) -> None:
        if not text:
            return
        cap, annotated, left_out = self.opts.max_annotations, self.annotated, self.left_out
        kept = []
        for line in text.split("\n")[:-1]:  # every line of a rendering ends with one
            key, _, command = line.partition(KEY)
            if cap and annotated[key] >= cap:
                left_out[key] += 1
                continue
            annotated[key] += 1
            kept.append(command + "\n")
        self.out.write("".join(kept))

    def file_problem(self, problem: FileProblem) -> None:
        line = None if problem.line is None else str(problem.line)
        self.out.write(
            _gh_command(
                "error", problem.source, line, "filterlib: file not read", problem.located()
            )
        )

    def finish(self, tally: Tally) -> None:
        left = sum(self.left_out.values())
        if left:
            which = ", ".join(f"{key} {n:,}" for key, n in self.left_out.most_common())
            message = (
                f"{count(left, 'more annotation')} not written (at most "
                f"{self.opts.max_annotations} per rule; --max-annotations N changes it): {which}"
            )
            self.out.write(f"::notice title=filterlib check::{_gh_data(message)}\n")
        self.out.write(f"::notice title=filterlib check::{tally.count_line()}")
        _with_summary(self, tally)


def _junit_head(source: str, line: str, symbol: str) -> str:
    name = quoteattr(f"line {line}: {symbol}")
    head = f"  <testcase classname={quoteattr(source)} name={name} file={quoteattr(source)}"
    return head + f' line="{line}"'


@register
class JunitFormat(OutputFormat):
    """JUnit XML: a ``<testsuite>`` per source, a ``<testcase>`` per order that fails (a
    ``<failure>``), per line that cannot be checked and per problem that stops a source (an
    ``<error>``); passing orders are counted in ``tests`` (listed with ``verbose``).

    The counts come first in the XML but are known only at the end, so each source's test
    cases are spooled to a temporary file: memory stays constant, the disk grows with the
    failures."""

    name = "junit"
    help = (
        "JUnit XML, a testsuite per file, a testcase per order that fails or line that cannot "
        "be checked; passing orders counted (listed with --verbose)"
    )

    @classmethod
    def verdict(
        cls,
        symbol: str,
        verdict: Verdict,
        warnings: tuple[str, ...],
        source: str,
        line: str,
        opts: Options,
        params: Mapping[str, Any] | None = None,
    ) -> str:
        failure = None
        if verdict.error is not None:
            failure = (f"{verdict.error.code} {verdict.error.msg}", str(verdict.error.code))
        elif opts.fail_unchecked and verdict.decidable_unchecked:
            failure = ("rules not checked", "unchecked")
        elif opts.fail_warnings and warnings:
            failure = ("on a bound: " + "; ".join(warnings), "warning")
        if failure is None:
            return f"{_junit_head(source, line, symbol)}/>\n" if opts.verbose else ""
        message, kind = failure
        return (
            f"{_junit_head(source, line, symbol)}>\n    <failure message={quoteattr(message)} "
            f"type={quoteattr(kind)}>{escape(describe(verdict))}</failure>\n  </testcase>\n"
        )

    @classmethod
    def unusable(cls, error: str, source: str, line: str, opts: Options) -> str:
        return (
            f"{_junit_head(source, line, '(no symbol)')}>\n    <error message={quoteattr(error)} "
            f'type="unusable">{escape(error)}</error>\n  </testcase>\n'
        )

    @classmethod
    def line_marks(cls, rendering: str) -> int:
        return 2 * rendering.count("<testcase ")  # its name and its line attribute

    def __init__(self, out: TextIO, err: TextIO, opts: Options, facts: RunFacts) -> None:
        super().__init__(out, err, opts, facts)
        self.suites: list[tuple[str, Tally, int, IO[str]]] = []
        self.spool: IO[str] | None = None
        self.failures = 0

    def begin(self, source: str) -> None:
        self.spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - see finish
        self.failures = 0

    def write(self, text: str) -> None:
        assert self.spool is not None, "write() before begin()"
        self.failures += text.count("\n    <failure ")
        self.spool.write(text)

    def file_problem(self, problem: FileProblem) -> None:
        assert self.spool is not None, "file_problem() before begin()"
        source, message = problem.source, problem.located()
        line = "" if problem.line is None else f' line="{problem.line}"'
        self.spool.write(
            f"  <testcase classname={quoteattr(source)} "
            f"name={quoteattr(label(source) + ': file not read')} file={quoteattr(source)}"
            f"{line}>\n    <error message={quoteattr(message)} "
            f'type="unreadable">{escape(message)}</error>\n  </testcase>\n'
        )

    def end(self, source: str, tally: Tally) -> None:
        assert self.spool is not None, "end() before begin()"
        self.suites.append((source, tally, self.failures, self.spool))
        self.spool = None

    def finish(self, tally: Tally) -> None:
        out = self.out

        def counts(t: Tally, failures: int) -> str:
            tests, errors = sum(t.kinds) + t.files, t.kinds[UNUSABLE] + t.files
            return f'tests="{tests}" failures="{failures}" errors="{errors}"'

        all_failures = sum(f for _, _, f, _ in self.suites)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<testsuites name="filterlib check" {counts(tally, all_failures)}>\n')
        for source, part, failures, spool in self.suites:
            out.write(f"<testsuite name={quoteattr(label(source))} {counts(part, failures)}>\n")
            spool.seek(0)
            while block := spool.read(1 << 16):
                out.write(block)
            spool.close()
            out.write("</testsuite>\n")
        out.write("</testsuites>\n")
        self.suites.clear()


SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"


def _sarif_uri(source: str) -> str:
    """The artifactLocation uri of a source: relative paths as they are (with ``/``),
    absolute ones as ``file://`` URIs, standard input as ``stdin``."""
    if source == "-":
        return "stdin"
    path = source.replace(os.sep, "/")
    if os.path.isabs(source):
        return "file://" + quote(path, safe="/")
    return quote(path, safe="/")


def _sarif_result(
    key: str, level: str, text: str, source: str, line: str | None, props: Mapping[str, Any]
) -> str:
    """One SARIF result as a line of a rendering (its key first). ``line`` is spliced in as
    it is, so that a Renderer may keep the rendering with its line-number marker."""
    head = orjson.dumps({"ruleId": key, "level": level, "message": {"text": text}})
    where = '{"artifactLocation":{"uri":' + orjson.dumps(_sarif_uri(source)).decode() + "}"
    if line:
        where += ',"region":{"startLine":' + line + "}"
    return (
        f'{key}{KEY}{head[:-1].decode()},"locations":[{{"physicalLocation":{where}}}}}],'
        f'"properties":{orjson.dumps(props).decode()}}}\n'
    )


def version() -> str:
    """filterlib's version, as installed."""
    import filterlib  # the package, imported by now

    known = getattr(filterlib, "__version__", None)
    if isinstance(known, str):
        return known
    from importlib import metadata

    try:
        return metadata.version("filterlib")
    except metadata.PackageNotFoundError:
        return "unknown"


@register
class SarifFormat(OutputFormat):
    """SARIF 2.1.0, one run: tool.driver filterlib with the rules that occur, a result per
    order that fails, per line that cannot be checked and per problem that stops a source
    (every one: it grows with the failures, not with the orders). Results are spooled to a
    temporary file, since the rules come before them and are known only at the end."""

    name = "sarif"
    help = "SARIF 2.1.0 for code-scanning tools, a result per order that fails"

    @classmethod
    def verdict(
        cls,
        symbol: str,
        verdict: Verdict,
        warnings: tuple[str, ...],
        source: str,
        line: str,
        opts: Options,
        params: Mapping[str, Any] | None = None,
    ) -> str:
        error = verdict.error
        if error is not None:
            props = {"symbol": symbol, "code": error.code, "msg": error.msg}
            text = f"{symbol}: {describe(verdict, unchecked=False)}"
            return _sarif_result(rule_key(verdict), "error", text, source, line, props)
        out = []
        if opts.fail_unchecked and verdict.decidable_unchecked:
            text = f"{symbol}: rules not checked: {summarise_unchecked(verdict.unchecked)}"
            props = {"symbol": symbol, "unchecked": [u.rule for u in verdict.decidable_unchecked]}
            out.append(_sarif_result(KEY_UNCHECKED, "error", text, source, line, props))
        if warnings:
            level = "error" if opts.fail_warnings else "warning"
            text = f"{symbol}: on a bound: {'; '.join(warnings)}"
            out.append(_sarif_result(KEY_ON_BOUND, level, text, source, line, {"symbol": symbol}))
        return "".join(out)

    @classmethod
    def unusable(cls, error: str, source: str, line: str, opts: Options) -> str:
        return _sarif_result(KEY_UNUSABLE, "error", error, source, line, {})

    def __init__(self, out: TextIO, err: TextIO, opts: Options, facts: RunFacts) -> None:
        super().__init__(out, err, opts, facts)
        self.spool: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.rules: dict[str, None] = {}
        self.results = 0
        self.problems = 0

    def write(self, text: str) -> None:
        if not text:
            return
        parts = []
        for line in text.split("\n")[:-1]:
            key, _, result = line.partition(KEY)
            self.rules.setdefault(key)
            parts.append(("," if self.results else "") + "\n" + result)
            self.results += 1
        self.spool.write("".join(parts))

    def file_problem(self, problem: FileProblem) -> None:
        self.problems += 1
        line = None if problem.line is None else str(problem.line)
        result = _sarif_result(KEY_UNREADABLE, "error", problem.located(), problem.source, line, {})
        self.write(result)

    def finish(self, tally: Tally) -> None:
        rules = sorted(self.rules, key=lambda r: (RANK.get(r, len(RANK)), r))
        driver = {
            "name": "filterlib",
            "version": version(),
            "rules": [_sarif_rule(r) for r in rules],
        }
        head = orjson.dumps(
            {
                "version": "2.1.0",
                "$schema": SARIF_SCHEMA,
                "runs": [{"tool": {"driver": driver}}],
            }
        ).decode()
        invocation = orjson.dumps({"executionSuccessful": self.problems == 0}).decode()
        out = self.out
        out.write(head[: -len("}]}")] + ',"invocations":[' + invocation + '],"results":[')
        self.spool.seek(0)
        while block := self.spool.read(1 << 16):
            out.write(block)
        self.spool.close()
        out.write("\n]}]}\n")
        _with_summary(self, tally)


def _sarif_rule(key: str) -> dict[str, Any]:
    """The reportingDescriptor of a rule of the catalogue, or of a key of filterlib's own."""
    rule = RULES_BY_ID.get(key)
    if rule is None:
        text = _KEY_TEXT.get(key, key)
        return {"id": key, "shortDescription": {"text": text}}
    return {
        "id": rule.id,
        "shortDescription": {"text": f"{rule.code} {rule.message}"},
        "fullDescription": {"text": rule.checks},
        "defaultConfiguration": {"level": "error"},
        "properties": {"code": rule.code, "stage": rule.stage},
    }


# --- the run's tally -------------------------------------------------------------------------


@define
class Tally:
    """Counts over a run (or a chunk of it, merged with :meth:`add`)."""

    kinds: list[int] = field(factory=lambda: [0, 0, 0])  # passed, rejected, unusable
    unchecked: int = 0
    warned: int = 0
    files: int = 0  # sources that could not be read to their end
    by_rule: Counter[str] = field(factory=Counter)
    by_symbol: Counter[str] = field(factory=Counter)
    #: Binance's code and message for each rule of ``by_rule``.
    errors: dict[str, str] = field(factory=dict)

    def passed(self, verdict: Verdict, warned: bool) -> None:
        """Count an order that passes (with on-bound warnings when ``warned``)."""
        self.kinds[PASSED] += 1
        if verdict.unchecked and _UNCHECKED_TEXT.get(verdict.unchecked):
            self.unchecked += 1
        if warned:
            self.warned += 1

    def rejected(self, verdict: Verdict, symbol: str) -> None:
        """Count a rejected order, by the rule Binance reports and by its symbol."""
        self.kinds[REJECTED] += 1
        key = _bump(self.by_rule, rule_key(verdict), 1)
        error = verdict.error
        if error is not None and key not in self.errors:
            self.errors[key] = f"{error.code} {error.msg}"
        _bump(self.by_symbol, symbol, 1)

    def unusable(self) -> None:
        """Count an order that could not be checked."""
        self.kinds[UNUSABLE] += 1
        _bump(self.by_rule, KEY_UNUSABLE, 1)
        _bump(self.by_symbol, "(no symbol)", 1)

    def add(self, other: Tally) -> None:
        for i in range(3):
            self.kinds[i] += other.kinds[i]
        self.unchecked += other.unchecked
        self.warned += other.warned
        self.files += other.files
        for key, n in other.by_rule.items():
            kept = _bump(self.by_rule, key, n)
            if key in other.errors and kept not in self.errors:
                self.errors[kept] = other.errors[key]
        for key, n in other.by_symbol.items():
            _bump(self.by_symbol, key, n)

    def status(self, fail_unchecked: bool, fail_warnings: bool) -> int:
        _, rejected, unusable = self.kinds
        if unusable or self.files:
            return 2
        if rejected or (fail_unchecked and self.unchecked) or (fail_warnings and self.warned):
            return 1
        return 0

    def count_line(self) -> str:
        passed, rejected, unusable = self.kinds
        files = f", {count(self.files, 'file')} unreadable" if self.files else ""
        return (
            f"{passed + rejected} checked, {passed} passed, {rejected} rejected, "
            f"{unusable} unusable{files}\n"
        )

    def breakdown(self, top: int = 10) -> str:
        """Counts by rule and by symbol (rejected and unusable orders), for people."""
        lines: list[str] = []
        extra = []
        if self.unchecked:
            extra.append(f"{self.unchecked:,} passed with rules unchecked")
        if self.warned:
            extra.append(f"{self.warned:,} passed on a bound (warnings)")
        if extra:
            lines.append("; ".join(extra))
        for title, counter in (("by rule", self.by_rule), ("by symbol", self.by_symbol)):
            if not counter:
                continue
            lines.append(f"{title}:")
            common = counter.most_common(top)
            lines.extend(f"  {n:>9,}  {self._named(key, counter)}" for key, n in common)
            rest = sum(counter.values()) - sum(n for _, n in common)
            if rest:
                lines.append(f"  {rest:>9,}  ({len(counter) - len(common):,} more)")
        return "".join(f"{x}\n" for x in lines)

    def _named(self, key: str, counter: Counter[str]) -> str:
        if counter is not self.by_rule:
            return key
        if key == KEY_UNUSABLE:
            return "(unusable line)"
        error = self.errors.get(key)
        return f"{key}: {error}" if error else key


def _bump(counter: Counter[str], key: str, n: int) -> str:
    """Add ``n`` to ``key`` (to "(others)" once MAX_KEYS keys are kept); the key counted."""
    if key not in counter and len(counter) >= MAX_KEYS:
        key = "(others)"
    counter[key] += n
    return key
