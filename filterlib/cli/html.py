"""``filterlib check --format html``: one self-contained page with tables, charts and examples.

Each order is first turned into a *record*, one JSON line (:func:`record_verdict`,
:func:`record_unusable`), where it is checked (a worker process with ``--jobs``); the run hands
the records of each source, in input order, to a :class:`Report`, which counts them as they come
and keeps only capped examples, so memory stays bounded whatever the input. At the end
:meth:`Report.page` makes the page: the summary and tables as HTML (readable without
JavaScript), and the charts drawn by the vendored uPlot (``filterlib/report/``) from the data
embedded as JSON. Nothing is fetched when the page is viewed: its Content-Security-Policy
allows no request at all, and only its own two scripts, by their hashes.

Everything that comes from the input (symbols, messages, parameter values) is escaped: HTML
text with :func:`html.escape`, the embedded JSON with ``<``, ``>`` and ``&`` as ``\\u003c``...
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import heapq
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from string import Template
from typing import Any, Final, TextIO

import orjson

from .._verdict import Verdict
from .outputs import (
    PASSED,
    REJECTED,
    UNUSABLE,
    Options,
    OutputFormat,
    RunFacts,
    Tally,
    register,
)

__all__ = [
    "EXAMPLES_PER_RULE",
    "LINE_WIDTHS",
    "MAX_BUCKETS",
    "TIME_WIDTHS",
    "Buckets",
    "Report",
    "record_unusable",
    "record_verdict",
    "safe_json",
]

#: The examples kept per rule: the orders farthest from a valid value.
EXAMPLES_PER_RULE: Final = 5
#: The unusable lines whose messages are kept (the first ones).
UNUSABLE_EXAMPLES: Final = 10
#: The most buckets of the chart over the input's order (or time).
MAX_BUCKETS: Final = 100
#: Distinct rules and symbols counted; the rest are counted as "(others)".
MAX_KEYS: Final = 5000
#: Rows of the tables by rule and by symbol, and bars of their charts.
TABLE_ROWS: Final = 50
CHART_BARS: Final = 20
#: Characters kept of a symbol, a message or an order shown as an example.
SHORT: Final = 80
LONG: Final = 400

#: Bucket widths over line numbers, each a multiple of the one before so that buckets merge
#: exactly when the span grows (past the last, widths double).
LINE_WIDTHS: Final = (1, 5, 10, 50, 100, 500, 1000, 5000, 10_000, 50_000, 100_000, 500_000)
#: Bucket widths over time, in milliseconds: 1 ms to a week, each a multiple of the one before.
TIME_WIDTHS: Final = (
    1,
    10,
    100,
    1000,
    2000,
    10_000,
    30_000,
    60_000,
    300_000,
    600_000,
    1_800_000,
    3_600_000,
    7_200_000,
    21_600_000,
    43_200_000,
    86_400_000,
    604_800_000,
)
#: Timestamps taken as times (ms since the epoch, 2000-01-01 to 2100-01-01); others are not.
_EARLIEST_MS: Final = 946_684_800_000
_LATEST_MS: Final = 4_102_444_800_000

_REPORT: Final = "report"


# --- records: what a checked order becomes, where it is checked ----------------------------


def record_verdict(line: int, symbol: str, verdict: Verdict, params: Mapping[str, Any]) -> str:
    """The record of a checked order: ``[0, line, time, symbol]`` when it passes, and for a
    rejected one ``[1, line, time, symbol, code, msg, violations, order]``, each violation as
    ``[rule, parameter, value, nearest, detail, leg]`` and ``order`` the parameters as JSON,
    cut to LONG characters. ``time`` is the order's ``timestamp`` (ms) or None."""
    when = _timestamp(params.get("timestamp"))
    error = verdict.error
    if error is None:
        return orjson.dumps([PASSED, line, when, _cut(symbol, SHORT)]).decode() + "\n"
    violations = [
        [v.rule, v.parameter, _cut(v.value, LONG), list(v.nearest), _cut(v.detail, LONG), v.leg]
        for v in verdict.violations
    ]
    try:
        order = orjson.dumps(params).decode()
    except TypeError:  # not from a JSON line: show what can be shown
        order = str(dict(params))
    head = [REJECTED, line, when, _cut(symbol, SHORT), error.code, _cut(error.msg, LONG)]
    return orjson.dumps([*head, violations, order[:LONG]]).decode() + "\n"


def record_unusable(line: int, error: str) -> str:
    """The record of a line that could not be checked: ``[2, line, message]``."""
    return orjson.dumps([UNUSABLE, line, _cut(error, LONG)]).decode() + "\n"


def _timestamp(value: object) -> int | None:
    """A ``timestamp`` parameter as milliseconds since the epoch, if it is one."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 15:
        value = int(value)
    if type(value) is int and _EARLIEST_MS <= value < _LATEST_MS:
        return value
    return None


def _cut(text: str | None, size: int) -> str | None:
    if text is None or len(text) <= size:
        return text
    return text[: size - 1] + "\u2026"


# --- counting --------------------------------------------------------------------------------


class Buckets:
    """Counts of passed, rejected and unusable orders per bucket of an axis (line numbers or
    milliseconds), over at most MAX_BUCKETS buckets whatever the span: when the span needs
    more, the width steps up through ``widths`` (doubling past the last) and the buckets merge.
    Bucket ``k`` holds the positions ``k * width`` to ``(k + 1) * width - 1``.
    """

    def __init__(self, widths: Sequence[int], most: int = MAX_BUCKETS) -> None:
        self.widths, self.most = widths, most
        self.width = widths[0]
        self.counts: dict[int, list[int]] = {}
        self.low = self.high = 0

    def add(self, position: int, kind: int) -> None:
        key = position // self.width
        counts = self.counts.get(key)
        if counts is None:
            if not self.counts:
                self.low = self.high = key
            self.low, self.high = min(self.low, key), max(self.high, key)
            counts = self.counts[key] = [0, 0, 0]
            while self.high - self.low >= self.most:
                self._widen()
                counts = self.counts[position // self.width]
        counts[kind] += 1

    def _widen(self) -> None:
        later = [w for w in self.widths if w > self.width]
        width = later[0] if later else self.width * 2
        factor = width // self.width
        merged: dict[int, list[int]] = {}
        for key, counts in self.counts.items():
            into = merged.setdefault(key // factor, [0, 0, 0])
            for i in range(3):
                into[i] += counts[i]
        self.width, self.counts = width, merged
        self.low, self.high = self.low // factor, self.high // factor

    def series(self) -> tuple[list[int], list[list[int]]]:
        """Each bucket's first position, from the first to the last bucket (empty ones too),
        and the counts of each kind over them."""
        if not self.counts:
            return [], [[], [], []]
        keys = range(self.low, self.high + 1)
        rows = [self.counts.get(k, [0, 0, 0]) for k in keys]
        return [k * self.width for k in keys], [[row[i] for row in rows] for i in range(3)]


class _Example:
    """A rejected order kept as an example of its rule."""

    __slots__ = ("line", "nearest", "order", "parameter", "source", "symbol", "value", "where")

    def __init__(
        self, source: str, line: int, symbol: str, violation: list[Any], order: str
    ) -> None:
        self.source, self.line, self.symbol, self.order = source, line, symbol, order
        _rule, self.parameter, self.value, self.nearest, detail, leg = violation
        self.where = detail if not leg else f"{detail} (leg {leg})"


def distance(value: str | None, nearest: Iterable[str]) -> Decimal | None:
    """How far ``value`` is from the closest of ``nearest``: the ratio of the larger to the
    smaller in magnitude (1 is on it; Infinity when one is 0 and not the other), or None when
    they are not numbers. Exact: Decimal throughout."""
    try:
        v = abs(Decimal(value)) if value is not None else None
        if v is None or not v.is_finite():
            return None
        ratios = []
        for text in nearest:
            n = abs(Decimal(text))
            if not n.is_finite():
                continue
            low, high = min(v, n), max(v, n)
            ratios.append(Decimal(1) if high == 0 else high / low if low else Decimal("Infinity"))
        return min(ratios) if ratios else None
    except ArithmeticError:  # not a number (InvalidOperation), or out of Decimal's range
        return None


class Report:
    """Counts the records of a run, keeping capped examples, and writes the page.

    ``snapshot`` names the snapshot (None: the shipped one), ``server_time`` is its serverTime
    (ms) and ``as_of`` the day the orders are judged at, when given.
    """

    def __init__(
        self,
        snapshot: str | None = None,
        server_time: int | None = None,
        as_of: object = None,
    ) -> None:
        self.snapshot, self.server_time, self.as_of = snapshot, server_time, as_of
        self.sources: list[tuple[str, int]] = []  # name, and the position of its line 0
        self.source = "-"
        self.offset = 0  # the position of the current source's line 0
        self.last = 0  # the last position seen
        self.lines = Buckets(LINE_WIDTHS)
        self.times = Buckets(TIME_WIDTHS)
        self.checked = 0
        self.timed = 0  # checked orders with a timestamp
        self.by_rule: dict[tuple[str, int, str], int] = {}
        self.by_symbol: dict[str, list[int]] = {}  # checked, rejected
        self.examples: dict[str, list[tuple[tuple[int, Decimal, int], _Example]]] = {}
        self.unusable: list[str] = []
        self.count = 0  # records read, which orders the examples

    def start(self, name: str) -> Report:
        """Records from ``name`` follow (``-``: standard input); its lines are placed after
        those of the sources before it. Returns self, which takes them with :meth:`write`."""
        self.offset = self.last
        self.source = name
        self.sources.append((name, self.offset))
        return self

    def write(self, text: str) -> None:
        """Take records (one or more JSON lines, as the run writes them)."""
        for raw in text.split("\n"):
            if raw:
                self.add(orjson.loads(raw))

    def add(self, record: list[Any]) -> None:
        """Count one record (see :func:`record_verdict` and :func:`record_unusable`)."""
        kind, line = record[0], record[1]
        position = self.offset + line
        self.last = max(self.last, position)
        self.count += 1
        self.lines.add(position, kind)
        if kind == UNUSABLE:
            if len(self.unusable) < UNUSABLE_EXAMPLES:
                self.unusable.append(record[2])
            return
        self.checked += 1
        when = record[2]
        if when is not None:
            self.timed += 1
            self.times.add(when, kind)
        _bump(self.by_symbol, record[3], kind)
        if kind == PASSED:
            return
        _, _, _, symbol, code, msg, violations, order = record
        first = violations[0] if violations else ["(no rule)", None, None, [], "", None]
        rule = first[0]
        key = (rule, code, msg)
        if key in self.by_rule or len(self.by_rule) < MAX_KEYS:
            self.by_rule[key] = self.by_rule.get(key, 0) + 1
        else:
            self.by_rule[("(others)", 0, "")] = self.by_rule.get(("(others)", 0, ""), 0) + 1
        self._example(rule, line, symbol, first, order)

    def _example(self, rule: str, line: int, symbol: str, violation: list[Any], order: str) -> None:
        kept = self.examples.get(rule)
        if kept is None:
            if len(self.examples) >= MAX_KEYS:
                return
            kept = self.examples[rule] = []
        far = distance(violation[2], violation[3])
        # Farthest first; orders with no distance after those with one; earlier lines first.
        rank = (0, Decimal(0), -self.count) if far is None else (1, far, -self.count)
        if len(kept) >= EXAMPLES_PER_RULE and rank <= kept[0][0]:
            return
        example = _Example(self.source, line, symbol, violation, order)
        if len(kept) >= EXAMPLES_PER_RULE:
            heapq.heapreplace(kept, (rank, example))
        else:
            heapq.heappush(kept, (rank, example))

    # --- the page ----------------------------------------------------------------------------

    def data(self) -> dict[str, Any]:
        """What the charts draw, as embedded in the page."""
        rules: dict[str, int] = {}
        for (rule, _, _), n in self.by_rule.items():
            rules[rule] = rules.get(rule, 0) + n
        top_rules = _top(rules.items())[:CHART_BARS]
        top_symbols = sorted(self.by_symbol.items(), key=lambda kv: (-kv[1][1], kv[0]))
        top_symbols = [kv for kv in top_symbols if kv[1][1]][:CHART_BARS]
        timed = self.checked > 0 and self.timed == self.checked
        starts, kinds = (self.times if timed else self.lines).series()
        return {
            "rules": {"labels": [r for r, _ in top_rules], "rejected": [n for _, n in top_rules]},
            "symbols": {
                "labels": [s for s, _ in top_symbols],
                "checked": [c[0] for _, c in top_symbols],
                "rejected": [c[1] for _, c in top_symbols],
            },
            "order": {
                "axis": "time" if timed else "line",
                "width": (self.times if timed else self.lines).width,
                "starts": starts,
                "passed": kinds[PASSED],
                "rejected": kinds[REJECTED],
                "unusable": kinds[UNUSABLE],
            },
        }

    def page(self, tally: Tally, status: int, incomplete: bool) -> str:
        """The whole page: ``status`` is the run's exit status; ``incomplete`` when a source
        could not be read to its end."""
        lib = _asset("uplot/uPlot.iife.min.js")
        # The library's banner names its home page; keep the name, drop the scheme, so that
        # the page holds no URL at all.
        banner = re.match(r"/\*!.*?\*/", lib, re.S)
        if banner:
            lib = re.sub(r"https?://", "", banner.group()) + lib[banner.end() :]
        scripts = [_script_text(lib), _script_text(_asset("page.js"))]
        hashes = " ".join(f"'sha256-{_sha256(s)}'" for s in scripts)
        values = {
            "csp": html.escape(
                f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; "
                "img-src data:; base-uri 'none'; form-action 'none'",
            ),
            "style": _asset("uplot/uPlot.min.css") + "\n" + _asset("page.css"),
            "summary": self._summary(tally, status, incomplete),
            "rules": self._rules_table(),
            "symbols": self._symbols_table(),
            "order_note": self._order_note(),
            "examples": self._examples(),
            "unusable": self._unusable(tally),
            "data": safe_json(self.data()),
            "library": scripts[0],
            "script": scripts[1],
        }
        return Template(_asset("page.html")).substitute(values)

    def _summary(self, tally: Tally, status: int, incomplete: bool) -> str:
        passed, rejected, unusable = tally.kinds
        rows = [
            ("checked", passed + rejected, ""),
            ("passed", passed, "passed"),
            ("rejected", rejected, "rejected"),
            ("unusable lines", unusable, "unusable"),
        ]
        if tally.unchecked:
            rows.append(("passed with rules unchecked", tally.unchecked, ""))
        if tally.warned:
            rows.append(("passed on a bound (warnings)", tally.warned, ""))
        rows.append(("exit status", status, ""))
        body = "".join(
            f'<tr class="{cls if n else ""}"><th scope="row">{_e(name)}</th>'
            f'<td class="n">{n:,}</td></tr>'
            for name, n, cls in rows
        )
        facts = [f"input: {', '.join(_label(name) for name, _ in self.sources) or 'none'}"]
        facts.append(f"snapshot: {self.snapshot or 'the one shipped with filterlib'}")
        if self.server_time is not None:
            try:
                day = dt.datetime.fromtimestamp(self.server_time // 1000, dt.UTC)
                facts.append(f"its serverTime: {day:%Y-%m-%d %H:%M} UTC")
            except (OverflowError, ValueError, OSError):  # not a time: say it as it is
                facts.append(f"its serverTime: {self.server_time}")
        if self.as_of is not None:
            facts.append(f"judged as of: {self.as_of}")
        notes = "".join(f"<li>{_e(f)}</li>" for f in facts)
        warning = ""
        if incomplete:
            warning = (
                '<p class="warning">Some input could not be read to its end (standard error '
                "says why): the counts cover what was read.</p>"
            )
        return f'{warning}<table class="summary">{body}</table><ul class="facts">{notes}</ul>'

    def _rules_table(self) -> str:
        if not self.by_rule:
            return "<p>No order was rejected.</p>"
        rows = sorted(self.by_rule.items(), key=lambda kv: (-kv[1], kv[0]))
        body = "".join(
            f"<tr><td><code>{_e(rule)}</code></td><td class='n'>{code}</td>"
            f"<td>{_e(msg)}</td><td class='n'>{n:,}</td></tr>"
            for (rule, code, msg), n in rows[:TABLE_ROWS]
        )
        return _table(("rule", "code", "message", "rejected"), body, len(rows))

    def _symbols_table(self) -> str:
        rows = sorted(self.by_symbol.items(), key=lambda kv: (-kv[1][1], kv[0]))
        rows = [kv for kv in rows if kv[1][1]]
        if not rows:
            return "<p>No order was rejected.</p>"
        body = "".join(
            f"<tr><td><code>{_e(symbol)}</code></td><td class='n'>{checked:,}</td>"
            f"<td class='n'>{rejected:,}</td><td class='n'>{_percent(rejected, checked)}</td></tr>"
            for symbol, (checked, rejected) in rows[:TABLE_ROWS]
        )
        return _table(("symbol", "checked", "rejected", "rejected %"), body, len(rows))

    def _order_note(self) -> str:
        data_axis = "time" if self.checked and self.timed == self.checked else "line"
        if data_axis == "time":
            width = self.times.width
            return _e(
                f"By the orders' timestamp (UTC), in buckets of {_duration(width)}; passed, "
                "rejected."
            )
        width = self.lines.width
        note = f"By line number, in buckets of {width:,} line{'s' if width > 1 else ''}"
        if len(self.sources) > 1:
            starts = "; ".join(f"{_label(n)} from {o + 1:,}" for n, o in self.sources)
            note += f"; files one after another ({starts})"
        if self.timed:
            note += (
                f"; only {self.timed:,} of {self.checked:,} orders carry a timestamp, so not "
                "by time"
            )
        return _e(note + ". Passed, rejected, unusable.")

    def _examples(self) -> str:
        if not self.examples:
            return "<p>No order was rejected.</p>"
        rules = sorted(self.examples, key=lambda r: (-sum(_n(self.by_rule, r)), r))
        parts = []
        for rule in rules:
            kept = sorted(self.examples[rule], key=lambda x: x[0], reverse=True)
            rows = "".join(
                "<tr>"
                f"<td>{_e(_label(ex.source))}:{ex.line}</td>"
                f"<td><code>{_e(_cut(ex.symbol, SHORT) or '')}</code></td>"
                f"<td><code>{_e(ex.parameter or '')}</code></td>"
                f"<td><code>{_e(ex.value or '')}</code></td>"
                f"<td><code>{_e(', '.join(ex.nearest))}</code></td>"
                f"<td>{_e(ex.where)}</td>"
                f'<td><code class="order">{_e(ex.order)}</code></td>'
                "</tr>"
                for _, ex in kept
            )
            head = ("line", "symbol", "parameter", "value", "nearest valid", "why", "order")
            total = sum(_n(self.by_rule, rule))
            title = f"<code>{_e(rule)}</code>: {total:,} rejected, the worst {len(kept)}"
            parts.append(f"<h3>{title}</h3>{_table(head, rows, len(kept))}")
        return "".join(parts)

    def _unusable(self, tally: Tally) -> str:
        if not self.unusable:
            return ""
        more = tally.kinds[UNUSABLE] - len(self.unusable)
        items = "".join(f"<li><code>{_e(m)}</code></li>" for m in self.unusable)
        tail = f"<p>and {more:,} more.</p>" if more > 0 else ""
        return f"<h2>Unusable lines</h2><ul>{items}</ul>{tail}"


def _n(by_rule: dict[tuple[str, int, str], int], rule: str) -> Iterable[int]:
    return (n for (r, _, _), n in by_rule.items() if r == rule)


def _bump(counter: dict[str, list[int]], key: str, kind: int) -> None:
    """Count an order of ``key`` as checked, and as rejected when ``kind`` is REJECTED."""
    if key not in counter and len(counter) >= MAX_KEYS:
        key = "(others)"
    counts = counter.setdefault(key, [0, 0])
    counts[0] += 1
    counts[1] += kind == REJECTED


def _percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` in percent, one decimal, exactly rounded (half up)."""
    if not whole:
        return ""
    tenths = (part * 1000 * 2 + whole) // (2 * whole)
    return f"{tenths // 10}.{tenths % 10}"


def _top(items: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(items, key=lambda kv: (-kv[1], kv[0]))


def _table(head: Sequence[str], body: str, total: int) -> str:
    cells = "".join(f"<th>{_e(h)}</th>" for h in head)
    more = f"<p>and {total - TABLE_ROWS:,} more.</p>" if total > TABLE_ROWS else ""
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>{more}"


def _label(name: str) -> str:
    return "standard input" if name == "-" else name


def _duration(ms: int) -> str:
    for unit, size in (("day", 86_400_000), ("hour", 3_600_000), ("minute", 60_000)):
        if ms >= size and ms % size == 0:
            n = ms // size
            return f"{n} {unit}{'s' if n > 1 else ''}"
    return f"{ms / 1000:g} s" if ms >= 1000 else f"{ms} ms"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def safe_json(value: object) -> str:
    """``value`` as JSON that can sit inside a ``<script>`` element: ``<``, ``>`` and ``&``
    (and the line separators JavaScript once took for line ends) written as ``\\uXXXX``."""
    text = orjson.dumps(value).decode()
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _asset(name: str) -> str:
    return (resources.files("filterlib") / _REPORT / name).read_text(encoding="utf-8")


def _script_text(code: str) -> str:
    """``code`` as the text of a ``<script>`` element: no ``</script`` can end it early."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.I)


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


@register
class HtmlFormat(OutputFormat):
    """``--format html``: each order becomes a record where it is checked (in a worker with
    ``--jobs``), the :class:`Report` counts them in input order, and :meth:`finish` writes the
    page."""

    name = "html"
    help = (
        "one self-contained report page: summary tables, charts by rule, by symbol and over "
        "the input, and the worst examples"
    )
    wants_params = True

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
        return record_verdict(int(line), symbol, verdict, params or {})

    @classmethod
    def unusable(cls, error: str, source: str, line: str, opts: Options) -> str:
        return record_unusable(int(line), error)

    def __init__(self, out: TextIO, err: TextIO, opts: Options, facts: RunFacts) -> None:
        super().__init__(out, err, opts, facts)
        self.report = Report(facts.snapshot, facts.server_time, opts.as_of)

    def begin(self, source: str) -> None:
        self.report.start(source)

    def write(self, text: str) -> None:
        self.report.write(text)

    def finish(self, tally: Tally) -> None:
        status = tally.status(self.opts.fail_unchecked, self.opts.fail_warnings)
        self.out.write(self.report.page(tally, status, bool(tally.files)))
