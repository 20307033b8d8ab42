"""``check``: find every violation, then report the one Binance would (jsonschema's best_match).

Finding and choosing are apart: every rule runs on what could be decoded, and the violation whose
rule comes first in :data:`~filterlib.catalogue.RULES` is Binance's single answer. A request
holds one order or several (an order list's legs); the order rules run on each leg with the
leg's wire names, the rules of the whole request run once. Which function checks which rule is
the registry's (:mod:`filterlib._rules.registry`), selected per endpoint by the catalogue's
scopes. A plain LIMIT order takes a short cut (:func:`judge`) on its symbol's compiled form
(:mod:`filterlib._compiled`). docs/design/architecture.md draws the whole path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, localcontext
from functools import partial
from operator import itemgetter
from typing import Any, NoReturn, cast

from attrs import evolve, frozen

from . import _endpoints as kinds
from ._compiled import POW, CompiledSymbol, grid_failure
from ._context import Context, as_context
from ._dates import AsOf, in_force, resolve_as_of
from ._decimals import CONTEXT
from ._endpoints import ENDPOINTS, ORDER_FIELDS, Endpoint, Leg
from ._request import TYPE_RULES, LegOrder, Order, Request, decode_request
from ._rules import lists, pegs, registry
from ._rules.account import EngineRule
from ._rules.common import Finding, fail
from ._rules.filters import COUNT_CHECKS, FILTER_CHECKS, CountCheck, FilterCheck
from ._rules.params import LegParameterRule, ParameterRule, SymbolParameterRule
from ._rules.registry import AmendRule, CapabilityRule
from ._rules.symbol import SymbolRule
from ._verdict import BinanceError, Unchecked, Verdict, VerdictWarning, Violation, rejected
from ._wire import (
    MAX_RECV_WINDOW,
    RESPONSE_TYPES,
    TIME_IN_FORCE,
    is_client_id,
    parse_decimal,
    parse_long,
)
from .catalogue import RANK, RULES, RULES_BY_ID, rule
from .exceptions import UsageError, shown
from .snapshot import ExchangeInfo, SymbolInfo

__all__ = [
    "DEFAULT_MAX_AGE_MS",
    "FILTER_ERRORS",
    "ORDER_NO_CONTEXT",
    "PLAIN_OPTIONAL",
    "PLAIN_REQUIRED",
    "PRICE_KEYS",
    "SHORT_CUT_ENDPOINTS",
    "ShortCutKey",
    "Where",
    "best_match",
    "check",
    "check_many",
    "endpoint_named",
    "filter_violations",
    "judge",
    "remember",
    "snapshot_age_warnings",
    "where",
]

#: How old a snapshot may be (against the context's ``serverTime``) before a verdict warns: 24 h.
DEFAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000


def check(
    info: ExchangeInfo,
    params: Mapping[str, object],
    *,
    endpoint: str = "/api/v3/order",
    context: Context | Mapping[str, object] | None = None,
    max_age_ms: int = DEFAULT_MAX_AGE_MS,
    as_of: dt.date | str | None = None,
) -> Verdict:
    """What Binance Spot would answer to ``params`` sent to ``endpoint``, given ``context``,
    on the snapshot's day (its ``serverTime``) or on ``as_of``.

    Pure and thread-safe; the caller's ``decimal`` context has no effect. A bad order never
    raises: it gets its error in the verdict. Raises :class:`~filterlib.UsageError` only when
    called wrongly: ``info`` not an ExchangeInfo, ``params`` not a mapping, an unknown endpoint,
    a ``max_age_ms`` that is not a positive integer, or a context not in Binance's shapes
    (:class:`~filterlib.ContextError`).

    When the context has ``serverTime`` (the current time, as ``GET /api/v3/time`` gives it)
    and the snapshot's own ``serverTime`` is more than ``max_age_ms`` before it, the verdict
    carries a ``stale_snapshot`` warning (``snapshot_age_unknown`` when the snapshot has no
    ``serverTime``). ``check`` never reads the clock: without ``serverTime`` there is no warning.

    Binance's rules change (docs/rules.md gives each rule's period): by default the answer is
    Binance's on the snapshot's day, in UTC, and by the latest rules for a snapshot without
    ``serverTime``. ``as_of`` asks for another day: a ``datetime.date``, a
    ``datetime.datetime`` or ``"latest"``.
    """
    if not isinstance(info, ExchangeInfo):
        _not_exchange_info(info)
    if max_age_ms is not DEFAULT_MAX_AGE_MS:
        _check_max_age(max_age_ms)
    key = None
    if as_of is None:
        if context is None or type(context) is dict:
            # The short cut reads only plain dicts and known endpoints; it declines anything
            # else, including every misuse, which the checks below then report. It learns
            # from the full rule run on the snapshot's own day, so it answers for that day only.
            prices = where(endpoint, context)
            if prices is not None:
                proven = judge(info, params, prices)
                if isinstance(proven, Verdict):
                    return proven
                key = proven
        taken = info.server_time
        day = None if taken is None else resolve_as_of(None, taken)
    else:
        day = resolve_as_of(as_of, None)
    if not isinstance(params, Mapping):
        raise UsageError(
            f"params must be a mapping of parameter names to values, not {type(params).__name__}"
        )
    spec = endpoint_named(endpoint)
    ctx = as_context(context)
    with localcontext(CONTEXT):
        verdict = _check(info, params, spec, ctx, day)
    if key is not None:
        remember(key, verdict)
    if ctx.server_time is not None:
        verdict = evolve(verdict, warnings=snapshot_age_warnings(info, ctx.server_time, max_age_ms))
    return verdict


def endpoint_named(endpoint: object) -> Endpoint:
    """The endpoint of that path (``"/api/v3/order"``); UsageError for any other value."""
    spec = ENDPOINTS.get(endpoint) if isinstance(endpoint, str) else None
    if spec is None:
        raise UsageError(f"unknown endpoint {shown(endpoint)}; known: {', '.join(ENDPOINTS)}")
    return spec


def check_many(
    info: ExchangeInfo,
    requests: Iterable[Mapping[str, object]],
    *,
    endpoint: str = "/api/v3/order",
    context: Context | Mapping[str, object] | None = None,
    max_age_ms: int = DEFAULT_MAX_AGE_MS,
    as_of: dt.date | str | None = None,
) -> list[Verdict]:
    """:func:`check` for each of ``requests`` (one endpoint, one context), in order.

    The batch form for CI and backtests: the same answers as :func:`check` in a loop, except
    that misuse (``info`` not an ExchangeInfo, a bad ``max_age_ms``, a context not in Binance's
    shapes) is refused before the first order rather than at it. It is cheaper per order than
    that loop: the context's prices are read once for the batch, and each plain LIMIT order
    goes straight to the short cut's judgement.
    """
    if not isinstance(info, ExchangeInfo):
        _not_exchange_info(info)
    if max_age_ms is not DEFAULT_MAX_AGE_MS:
        _check_max_age(max_age_ms)
    if as_of is not None:
        resolve_as_of(as_of, None)  # refused before the first order, like the rest
    prices = None
    if as_of is None and (context is None or type(context) is dict):
        prices = where(endpoint, context)
    if prices is None:
        # A bad context is a UsageError before any order, not midway. (A context the short cut
        # reads is one as_context accepts: tests/test_shortcut.py holds it to that.)
        if isinstance(context, Mapping):
            as_context(context)
        return [
            check(
                info, params, endpoint=endpoint, context=context, max_age_ms=max_age_ms, as_of=as_of
            )
            for params in requests
        ]
    verdicts: list[Verdict] = []
    append = verdicts.append
    for params in requests:
        verdict = judge(info, params, prices)
        if not isinstance(verdict, Verdict):  # the full rule run's to answer (and to teach)
            verdict = check(info, params, endpoint=endpoint, context=context, max_age_ms=max_age_ms)
        append(verdict)
    return verdicts


# --- The short cut: plain LIMIT orders, decided on the compiled form alone -------------------
#
# Most orders a bot or a backtest sends are LIMIT orders that pass. For them the full rule run's
# work (decoding every parameter, running every rule, building failure records) is the cost,
# not the arithmetic. The short cut reads such an order's texts straight into the integers of
# its symbol's compiled form (filterlib._compiled, kept on the snapshot) and decides it there:
# it passes, or it fails one of the symbol's price, quantity, notional or price-band filters.
# Anything else (another type or endpoint, a parameter it does not read, a value it does not
# read as Binance's text, account context) goes the full way, which remains the one place that
# decides what Binance answers; the violations of an order the short cut rejects are the
# filter rules' own, run on its values when first read.
#
# The passing verdict itself (no error, the rules left unchecked for the context given) is
# learned from the full rule run: the first order for a (symbol, endpoint, side, context
# prices) key stores its verdict, and later orders with the same key reuse its unchecked rules.
# Tests (tests/test_shortcut.py) compare the short cut with the full rule run on every
# conformance case and on generated orders.

#: The endpoints whose plain LIMIT orders the short cut judges (the same parameters, one order).
SHORT_CUT_ENDPOINTS = frozenset({"/api/v3/order", "/api/v3/order/test"})
_TEST = "/api/v3/order/test"
#: The parameters a plain LIMIT order must carry: the endpoint's mandatory ones, then what a
#: LIMIT order needs (symbol, side, type, timeInForce, quantity, price).
PLAIN_REQUIRED = (*ENDPOINTS["/api/v3/order"].mandatory, *TYPE_RULES["LIMIT"].required)
_REQUIRED = frozenset(PLAIN_REQUIRED)
_FIELDS = itemgetter(*PLAIN_REQUIRED)


def _recv_window_ok(text: str) -> bool:
    window = parse_long(text)
    return window is not None and window <= MAX_RECV_WINDOW


#: The parameter kinds whose values change no rule but their own grammar's, and the test of
#: that grammar (filterlib._wire): a plain order may carry parameters of these kinds.
_PLAIN_KINDS: Mapping[str, Callable[[str], bool]] = {
    kinds.CLIENT_ID: is_client_id,
    kinds.RESP: RESPONSE_TYPES.__contains__,
    kinds.RECV_WINDOW: _recv_window_ok,
    kinds.LONG: lambda text: parse_long(text) is not None,
    kinds.STRING: bool,
}
#: The optional parameters the short cut reads, from the endpoint tables: those both its
#: endpoints take, of a plain kind, that are no order field (trailingDelta is a LONG).
PLAIN_OPTIONAL: Mapping[str, Callable[[str], bool]] = {
    name: _PLAIN_KINDS[kind]
    for name, kind in ENDPOINTS["/api/v3/order"].parameters.items()
    if kind in _PLAIN_KINDS
    and name not in ORDER_FIELDS
    and all(ENDPOINTS[e].parameters.get(name) == kind for e in SHORT_CUT_ENDPOINTS)
}
_KEYS = _REQUIRED | PLAIN_OPTIONAL.keys()
#: The context keys the short cut reads; any other sends the order the full way, which also
#: validates every value given. ``serverTime`` is not among them: a verdict that may carry a
#: stale-snapshot warning is always the full rule run's.
PRICE_KEYS = frozenset({"avgPrice", "lastPrice", "referencePrice"})

#: The context prices an order is judged against, parsed once (per call of check, per batch of
#: check_many): the validated texts of referencePrice, avgPrice and lastPrice (None: not given),
#: and the slot of the learned verdicts they select: 16 for the test endpoint, plus which
#: prices are given as bits (referencePrice 4, avgPrice 2, lastPrice 1). A SELL adds 8, a
#: newClientOrderId 32 (judge adds those two).
Where = tuple[str | None, str | None, str | None, int]
#: Where a passing verdict is learned: the compiled symbol and the slot (see Where). The same
#: key, the same rules left unchecked.
ShortCutKey = tuple[CompiledSymbol, int]

_NO_PRICES: tuple[Where, Where] = ((None, None, None, 0), (None, None, None, 16))
#: What :func:`where` gives for ``POST /api/v3/order`` without context.
ORDER_NO_CONTEXT: Where = _NO_PRICES[0]


def where(endpoint: str, context: Mapping[str, object] | None) -> Where | None:
    """The prices of ``context`` for orders sent to ``endpoint``, or None when the short cut
    leaves such orders to the full rule run (another endpoint, another context shape or key, a
    value it does not read as Binance's text; the full rule run also says what is wrong)."""
    try:
        if endpoint not in SHORT_CUT_ENDPOINTS:
            return None
    except TypeError:  # unhashable: the full engine refuses it (UsageError)
        return None
    test = 16 if endpoint == _TEST else 0
    if context is None:
        return _NO_PRICES[test >> 4]
    if type(context) is not dict:
        return None
    average = context.get("avgPrice")
    if type(average) is dict:  # GET /api/v3/avgPrice's body
        average = average.get("price")
    bits = 0
    if average is not None:
        if type(average) is not str or (average not in _PRICES and not _parse_price(average)):
            return None
        bits = 2
    reference = last = None
    if len(context) != bits >> 1:  # any key beside a given avgPrice
        if not context.keys() <= PRICE_KEYS:
            return None
        try:
            reference = _text(context.get("referencePrice"), "referencePrice")
            last = _text(context.get("lastPrice"), "price")
        except _Declined:
            return None
        bits |= (reference is not None) << 2 | (last is not None)
    return (reference, average, last, test | bits)


def judge(
    info: ExchangeInfo, params: Mapping[str, object], prices: Where
) -> Verdict | ShortCutKey | None:
    """The verdict of a plain LIMIT order under ``prices``, when the short cut can give it.

    Returns the verdict when it can (an order that passes, or one that only fails filters);
    the order's key when it has proven the order clean up to the filters but has not learned
    that key yet (the caller runs the full rules and :func:`remember` s the answer); None
    when the full rule run must answer. (No tuple is built per call: this is the hot path.)
    """
    if type(params) is not dict:
        return None
    try:
        name, side, kind, tif, quantity, price = _FIELDS(params)
        c = info._plain[name]
        if c is None or kind != "LIMIT" or tif not in TIME_IN_FORCE:
            return None
    except KeyError:
        # Not a plain LIMIT order, or its symbol is not compiled yet: compile it and look again.
        if params.keys() >= _REQUIRED and info.compiled_plain(params["symbol"]) is not None:
            return judge(info, params, prices)
        return None
    except TypeError:  # an unhashable value: the full rule run says what is wrong with it
        return None
    if side == "BUY":
        slot = prices[3]
    elif side == "SELL":
        slot = prices[3] | 8
    else:
        return None
    # Six parameters present and six in all: exactly the required ones, nothing to validate.
    if len(params) != 6:
        if not _optional_ok(params):
            return None
        if "newClientOrderId" in params:
            slot |= 32  # duplicate_order is unchecked without openOrders: another verdict

    if type(quantity) is not str or type(price) is not str:
        return None
    known = c.learned[slot]
    if known is None:
        return (c, slot)  # the full rule run answers, once
    # The wire texts as integers of 10**-sp and 10**-sq (see _scale).
    price_digits = price.replace(".", "", 1)
    quantity_digits = quantity.replace(".", "", 1)
    if not (
        price_digits.isdigit()
        and quantity_digits.isdigit()
        and price_digits.isascii()
        and quantity_digits.isascii()
    ):
        return None
    sp, sq, min_p, max_p, tick, min_q, max_q, step, low, high = c.grid
    pi = _scale(price, price_digits, c.price_places, sp)
    qi = _scale(quantity, quantity_digits, c.quantity_places, sq)
    if pi is None or qi is None:
        return None
    product = pi * qi
    if product < c.zero_product:
        return None
    if (
        min_p <= pi <= max_p
        and not pi % tick
        and min_q <= qi <= max_q
        and not qi % step
        and low <= product <= high
    ):
        if not c.bands:
            return known
        sells = slot & 8 > 0
        # Where's first three are the prices' texts (the fourth, the slot, no band reads).
        texts: Sequence[str | None] = prices  # type: ignore[assignment]
        for band in c.bands:
            # Band.base, inlined (the hot path): the text of the band's market price.
            first, second = band.keys
            text = texts[first]
            if text is None:
                text = texts[second]
            if text is None:
                continue  # unchecked for lack of context: part of the learned verdict
            band_low, band_high = (band.bounds.get(text) or band.learn(text, sp))[sells]
            if pi < band_low or pi > band_high:
                break
        else:
            return known
    failed = grid_failure(c, slot & 8 > 0, pi, qi, prices[:3])
    if failed is None:
        return known
    if failed == "":
        return None  # zero, or above MAX_DECIMAL: a request-layer error, the full run's
    pending = partial(filter_violations, c, side, tif, price, quantity, pi, qi, prices)
    return rejected(FILTER_ERRORS[failed], known.unchecked, pending)


def _scale(text: str, digits: str, places: int, scale: int) -> int | None:
    """``text`` times 10**scale as an integer, given ``digits``, its digits without the dot
    (the caller has checked they are ASCII digits, with at most one dot between them in
    ``text``); None unless it is Binance's legal decimal, ``[0-9]{1,20}(\\.[0-9]{1,20})?``,
    with at most ``places`` decimals (more is the request layer's -1111).

    String methods, not a regular expression: half the cost, on the hot path. (isdigit()
    alone would take other scripts' digits: the caller also asks isascii().) The length is
    checked before int() reads the digits, which refuses texts above 4,300 digits.
    """
    dot = text.find(".")
    if dot < 0:
        return int(digits) * POW[scale] if len(text) <= 20 else None
    decimals = len(text) - dot - 1
    if not 0 < dot <= 20 or not 0 < decimals <= places:
        return None
    return int(digits) * POW[scale - decimals]


def filter_violations(
    c: CompiledSymbol,
    side: str,
    tif: str,
    price: str,
    quantity: str,
    pi: int,
    qi: int,
    prices: Where,
) -> tuple[Violation, ...]:
    """Every filter violation of a proven-clean LIMIT order (computed when a caller first reads
    them): the filter rules themselves on its values, run for the filters the compiled form
    finds failing (the others pass: it has proven it). Pure, so two threads reading the
    violations at once compute the same."""
    symbol = c.symbol
    failing: list[str] = []
    grid_failure(c, side == "SELL", pi, qi, prices[:3], failing)
    order = Order(
        symbol=symbol.symbol,
        side=side,
        type="LIMIT",
        time_in_force=tif,
        quantity=Decimal(quantity),
        price=Decimal(price),
    )
    context = _CONTEXTS.get(prices) or _context(prices)
    found: list[Violation] = []
    with localcontext(CONTEXT):
        for filter_type in failing:  # one filter of each type: CompiledSymbol.plain
            findings = FILTER_CHECKS[filter_type](
                symbol.filter(filter_type), order, symbol, context
            )
            found.extend(v for v in findings if isinstance(v, Violation))
    found.sort(key=_rank)  # best_match, in place
    return tuple(found)


#: The error of each filter the short cut judges.
FILTER_ERRORS = {
    r.id: BinanceError(r.code, r.message)
    for r in RULES
    if r.id in ("PRICE_FILTER", "PERCENT_PRICE", "PERCENT_PRICE_BY_SIDE", "LOT_SIZE")
    or r.id in ("MIN_NOTIONAL", "NOTIONAL")
}


def remember(key: ShortCutKey, verdict: Verdict) -> None:
    """Learn the passing verdict for ``key`` from the full rule run's answer to a proven order.

    For a LIMIT order whose request and symbol layers are clean, the rules left unchecked
    depend only on the key (the symbol, the endpoint, the side and which prices the context
    gives), never on whether a filter fails; so any such order, passing or failing, teaches
    what a passing one gets: no error, no violation, those unchecked rules.
    """
    if all(v.rule in FILTER_CHECKS for v in verdict.violations):
        passing = verdict if verdict.error is None else Verdict(None, (), verdict.unchecked)
        compiled, slot = key
        compiled.learned[slot] = passing


def _optional_ok(params: Mapping[str, object]) -> bool:
    """Whether the parameters beyond the required ones are all plain and well written."""
    if not params.keys() <= _KEYS:
        return False
    for key, ok in PLAIN_OPTIONAL.items():
        if key in params:
            value = params[key]
            # None ("not sent") and non-strings are the full rule run's to judge.
            if type(value) is not str or not value or not ok(value):
                return False
    return True


def _context(prices: Where) -> Context:
    """The Context of validated (referencePrice, avgPrice, lastPrice) texts, kept: the orders
    of a symbol share their prices, and building a Context costs more than finding it."""
    reference, average, last = (_decimal(t) for t in prices[:3])
    if len(_CONTEXTS) >= 4096:
        _CONTEXTS.clear()
    found = _CONTEXTS[prices] = Context(
        avg_price=average, last_price=last, reference_price=reference
    )
    return found


_CONTEXTS: dict[Where, Context] = {}


def _decimal(text: str | None) -> Decimal | None:
    """A context price text :func:`_text` has validated, as a Decimal."""
    return None if text is None else _PRICES.get(text) or Decimal(text)


class _Declined(Exception):
    """A context value the short cut leaves to the full rule run (ints, Decimals, bad text)."""


def _text(value: object, inner: str) -> str | None:
    """A context price as the full engine reads it (context.as_context): its text once it is
    known to be legal, or None if not given; raises _Declined for anything else."""
    if value is None:
        return None
    if type(value) is dict:  # a Binance response body, e.g. GET /api/v3/avgPrice's
        value = value[inner] if inner in value else value.get("price")
        if value is None:
            return None
    if type(value) is not str or (value not in _PRICES and not _parse_price(value)):
        raise _Declined
    return value


def _parse_price(text: str) -> bool:
    """Parse a legal context price text into _PRICES; False if it is not legal.

    A bot passes the same price text for many orders (the average price moves once a minute):
    texts already parsed are kept, a few thousand at most.
    """
    value = parse_decimal(text)
    if value is None:
        return False
    if len(_PRICES) >= 4096:
        _PRICES.clear()
    _PRICES[text] = value
    return True


_PRICES: dict[str, Decimal] = {}


def _not_exchange_info(info: object) -> NoReturn:
    raise UsageError(
        f"info must be an ExchangeInfo (see load_exchange_info), not {type(info).__name__}"
    )


def _check_max_age(max_age_ms: object) -> None:
    if not isinstance(max_age_ms, int) or isinstance(max_age_ms, bool) or max_age_ms <= 0:
        raise UsageError(
            f"max_age_ms must be a positive number of milliseconds, not {shown(max_age_ms)}"
        )


def snapshot_age_warnings(
    info: ExchangeInfo, now: int, max_age_ms: int
) -> tuple[VerdictWarning, ...]:
    """The stale-snapshot warning for a snapshot taken at ``info.server_time``, seen at ``now``
    (milliseconds): none while it is at most ``max_age_ms`` old."""
    taken = info.server_time
    if taken is None:
        text = "the snapshot has no serverTime, so its age is unknown; rules may have changed"
        return (VerdictWarning("snapshot_age_unknown", text),)
    age = now - taken
    if age <= max_age_ms:
        return ()
    text = (
        f"the snapshot is {_duration(age)} old (serverTime {taken}), more than the maximum "
        f"{_duration(max_age_ms)}; rules may have changed: fetch a new one"
    )
    return (VerdictWarning("stale_snapshot", text),)


def _duration(ms: int) -> str:
    """``ms`` for people, in its two largest units: ``3 d 4 h``, ``5 h``, ``42 s``."""
    seconds = ms // 1000
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "min"), (seconds, "s")]
    first = next((i for i, (n, _) in enumerate(parts) if n), None)
    if first is None:
        return f"{ms} ms"
    return " ".join(f"{n} {unit}" for n, unit in parts[first : first + 2] if n)


def _check(
    info: ExchangeInfo,
    params: Mapping[str, object],
    endpoint: Endpoint,
    ctx: Context,
    day: AsOf = None,
) -> Verdict:
    if day is not None and not in_force(day, endpoint.since):
        raise UsageError(
            f"{endpoint.path} did not exist on {day} (Binance added it on {endpoint.since})"
        )
    checks = _checks_for(endpoint)
    request = decode_request(params, endpoint, day, checks.parameter_rules)
    findings: list[Finding] = list(request.violations)
    for list_rule in checks.list_rules:
        findings.extend(list_rule(request))
    name = request.symbol
    symbol = info.symbol(name) if name is not None else None
    if name is not None and symbol is None:
        findings.append(
            fail("unknown_symbol", "symbol", name, detail=f"{name} is not in the snapshot")
        )
    if symbol is not None:
        findings.extend(_symbol_findings(request, symbol, info, ctx))
    if day is not None:
        findings = _on_day(findings, day)
    violations = best_match(_unique(f for f in findings if isinstance(f, Violation)))
    unchecked = tuple(_unique(f for f in findings if isinstance(f, Unchecked)))
    error = violations[0].error if violations else None
    if error is not None and endpoint.kind == "cancelReplace":
        error = _cancel_replace_answer(request, violations)
    return Verdict(error, violations, unchecked)


def _on_day(findings: Iterable[Finding], day: dt.date) -> list[Finding]:
    """The findings of the rules Binance applied on ``day``, in the texts it sent then."""
    kept: list[Finding] = []
    for f in findings:
        r = RULES_BY_ID.get(f.rule)
        if r is None:  # a filter type filterlib does not know: unchecked on every day
            kept.append(f)
            continue
        if not r.in_force(day):
            continue
        if isinstance(f, Violation):
            message = r.message_on(day)
            if message is not r.message:
                msg = message % f.parameter if "%s" in message else message
                f = evolve(f, msg=msg)
        kept.append(f)
    return kept


@frozen
class _Checks:
    """The checks the engine runs on requests to one endpoint: the entries of each family of
    the registry (:mod:`filterlib._rules.registry`) whose catalogue rule ``applies_to`` it, in
    the family's order. The catalogue's endpoint scopes are thus both what ``filterlib
    explain`` shows and what runs: on an amend, LOT_SIZE and the notional filters on newQty
    but no rule of a new order's type, price or stop, and no count.
    """

    parameter_rules: tuple[tuple[ParameterRule, ...], tuple[LegParameterRule, ...]]
    list_rules: tuple[Callable[[Request], Iterable[Finding]], ...]
    symbol_parameter_rules: tuple[SymbolParameterRule, ...]
    request_rules: tuple[SymbolRule, ...]
    capability_rules: tuple[CapabilityRule, ...]
    amend_rules: tuple[AmendRule, ...]
    leg_rules: tuple[SymbolRule, ...]
    filters: Mapping[str, FilterCheck]
    request_engine_rules: tuple[EngineRule, ...]
    leg_engine_rules: tuple[EngineRule, ...]
    pending_leg_engine_rules: tuple[EngineRule, ...]
    counts: Mapping[str, CountCheck]
    list_engine_rules: tuple[Callable[[Request, SymbolInfo, Context], Iterable[Finding]], ...]

    @classmethod
    def of(cls, endpoint: Endpoint) -> _Checks:
        def selected(family: Mapping[str, Any]) -> tuple[Any, ...]:
            return tuple(registry.select(family, endpoint).values())

        return cls(
            registry.parameter_rules(endpoint),
            selected(registry.LIST_RULES),
            selected(registry.SYMBOL_PARAMETER_RULES),
            selected(registry.REQUEST_SYMBOL_RULES),
            selected(registry.CAPABILITY_RULES),
            selected(registry.AMEND_RULES),
            selected(registry.LEG_SYMBOL_RULES),
            registry.select(registry.FILTER_RULES, endpoint),
            selected(registry.REQUEST_ENGINE_RULES),
            selected(registry.LEG_ENGINE_RULES),
            selected(registry.PENDING_LEG_ENGINE_RULES),
            registry.select(registry.COUNT_RULES, endpoint),
            selected(registry.LIST_ENGINE_RULES),
        )


#: Endpoint path -> its checks, chosen once (``check`` is a hot path).
_CHECKS: dict[str, _Checks] = {path: _Checks.of(e) for path, e in ENDPOINTS.items()}


def _checks_for(endpoint: Endpoint) -> _Checks:
    """The checks the engine runs on requests to ``endpoint`` (cached by its path)."""
    checks = _CHECKS.get(endpoint.path)
    if checks is None:
        checks = _CHECKS[endpoint.path] = _Checks.of(endpoint)
    return checks


def _symbol_findings(
    request: Request, symbol: SymbolInfo, info: ExchangeInfo, ctx: Context
) -> Iterable[Finding]:
    endpoint = request.endpoint
    checks = _checks_for(endpoint)
    orders = request.orders
    for amend_rule in checks.amend_rules:
        yield from amend_rule(request, symbol, ctx)
    if endpoint.kind == "amend":
        orders = (LegOrder(_AMEND_LEG, lists.amended_order(request, symbol, ctx)),)
    first = orders[0].order if orders else None
    if first is not None:
        for request_rule in checks.request_rules:
            yield from request_rule(first, symbol, ctx)
    for capability_rule in checks.capability_rules:
        yield from capability_rule(request, symbol, info)
    for lo in orders:
        yield from _leg_findings(lo, request, symbol, ctx, checks)
    for f in symbol.filters:
        if f.filter_type not in FILTER_CHECKS and f.filter_type not in COUNT_CHECKS:
            yield Unchecked(f.filter_type, reason="filterlib does not know this filter type")
    if not endpoint.engine:
        return
    if first is not None:
        for engine_rule in checks.request_engine_rules:
            yield from engine_rule(first, symbol, ctx)
    if checks.counts:
        new = [lo.order for lo in orders]
        buy_legs = [lo.leg for lo in orders if lo.order.side == "BUY"]
        for f in (*symbol.filters, *info.exchange_filters):
            count = checks.counts.get(f.filter_type)
            if count is not None:
                for finding in count(f, new, symbol, ctx):
                    if isinstance(finding, Violation) and finding.parameter is not None:
                        finding = _position_parameter(finding, buy_legs)
                    yield finding
        for f in info.exchange_filters:
            if f.filter_type not in COUNT_CHECKS:
                yield Unchecked(f.filter_type, reason="filterlib does not know this filter type")
    for list_rule in checks.list_engine_rules:
        yield from list_rule(request, symbol, ctx)


def _position_parameter(finding: Violation, buy_legs: Sequence[Leg]) -> Violation:
    """A position's quantity is one BUY leg's, or a quantity the BUY legs share (an OCO's);
    BUY legs with quantities of their own (an OTO's) have no one parameter to name."""
    wires = {leg.wire("quantity") for leg in buy_legs}
    if len(buy_legs) == 1:
        return cast(Violation, _on_leg(finding, buy_legs[0]))
    return evolve(finding, parameter=wires.pop() if len(wires) == 1 else None)


def _leg_findings(
    lo: LegOrder, request: Request, symbol: SymbolInfo, ctx: Context, checks: _Checks
) -> Iterable[Finding]:
    """The order rules on one leg, named as the leg spells them."""
    order = lo.order
    found: list[Finding] = []
    for parameter_rule in checks.symbol_parameter_rules:
        found.extend(parameter_rule(lo, request.texts, symbol))
    for leg_rule in checks.leg_rules:
        found.extend(leg_rule(order, symbol, ctx))
    filters = checks.filters
    later = lo.leg.pending and lo.leg.wire("quantity") is None
    for f in symbol.filters:
        check_filter = filters.get(f.filter_type)
        if check_filter is None:
            continue
        reads_quantity = _QUANTITY_FILTERS.get(f.filter_type)
        if later and reads_quantity is not None:
            if reads_quantity(order):
                found.append(Unchecked(f.filter_type, reason=_OPO_QUANTITY))
        else:
            found.extend(check_filter(f, order, symbol, ctx))
    if order.peg_price_type is not None:
        priced, at_peg = pegs.pegged_findings(
            order, lo.leg, symbol, ctx, filters, request.endpoint.engine
        )
        found.extend(at_peg)
        order = priced or order  # the matching engine's rules see the price the peg selects
    pending = lo.leg.pending
    for engine_rule in checks.pending_leg_engine_rules if pending else checks.leg_engine_rules:
        found.extend(engine_rule(order, symbol, ctx))
    return [_on_leg(f, lo.leg) for f in found]


#: The filters that read an order's quantity. An OPO's pending orders have none until the
#: working order fills: "The quantity of the pending order(s) are evaluated (e.g. filters)
#: after the working order fully fills" (docs 2026-07, 3b), so at placement they are unchecked.
_QUANTITY_FILTERS: Mapping[str, Callable[[Order], bool]] = {
    "LOT_SIZE": lambda order: True,
    "MARKET_LOT_SIZE": lambda order: order.type == "MARKET",
    "MIN_NOTIONAL": lambda order: True,
    "NOTIONAL": lambda order: True,
    "ICEBERG_PARTS": lambda order: order.is_iceberg,
}
_OPO_QUANTITY = (
    "an OPO's pending order takes its quantity from the working order's fill; Binance applies "
    "this filter then"
)


def _on_leg(finding: Finding, leg: Leg) -> Finding:
    """Name the parameter as the leg spells it (``abovePrice``) and the leg itself."""
    if not isinstance(finding, Violation):
        return finding
    parameter = finding.parameter
    wire = parameter
    if parameter in ORDER_FIELDS:
        # A field the leg does not spell (the deprecated OCO's implied types) names no parameter.
        wire = leg.names.get(parameter)
    if wire == parameter and leg.name is None:
        return finding
    return evolve(finding, parameter=wire, leg=leg.name)


#: An amend's order is the open order with newQty for its quantity: "newQty ... fails the
#: filters" means LOT_SIZE and the notional filters on the new quantity (research §14), the
#: only filters the catalogue scopes to the amend (see catalogue.PLACING).
_AMEND_LEG = Leg(None, {"quantity": "newQty"})


def _unique(findings: Iterable[Finding]) -> list[Any]:
    """Drop repeats: a parameter shared by two legs (an OCO's quantity) fails once."""
    seen: set[tuple[object, ...]] = set()
    kept = []
    for f in findings:
        key = (
            (f.code, f.msg, f.rule, f.parameter, f.value)
            if isinstance(f, Violation)
            else (f.rule, f.needs, f.reason)
        )
        if key not in seen:
            seen.add(key)
            kept.append(f)
    return kept


def best_match(violations: Iterable[Violation]) -> tuple[Violation, ...]:
    """``violations`` in the order Binance reports them: the first is the error it returns.

    Sorted by the rule's place in the catalogue; within one rule, in the order found (which
    follows the spec's parameter table).
    """
    return tuple(sorted(violations, key=_rank))


def _rank(v: Violation) -> int:
    return RANK[v.rule]


def _body(v: Violation | None) -> dict[str, Any] | None:
    return None if v is None else {"code": v.code, "msg": v.msg}


def _cancel_replace_answer(request: Request, violations: Sequence[Violation]) -> BinanceError:
    """Binance's answer to a cancel-replace, in its -2021/-2022 shape where it has one.

    Request and symbol errors reject the whole request. "Filters and Order Count are evaluated
    before the processing of the cancellation", so a new order that fails them fails both
    ("both the cancel order placement and new order will fail because of the filter",
    CHANGELOG 2022-06-15). Otherwise the cancel runs first: its failure stops the new order under
    STOP_ON_FAILURE; the new order's own matching-engine failure comes after a cancel.
    """
    first = violations[0]
    cancel = next((v for v in violations if v.rule in lists.CANCEL_RULES), None)
    new = next((v for v in violations if v.rule not in lists.CANCEL_RULES), None)
    stage = rule(first.rule).stage
    if first is new and stage in ("request", "symbol"):
        return first.error
    if new is not None and (stage == "filter" or new.rule in COUNT_CHECKS) and first is new:
        return _replace_error(-2022, "FAILURE", "FAILURE", _body(new), _body(new))
    if cancel is not None:
        if request.values.get("cancelReplaceMode") == "STOP_ON_FAILURE":
            return _replace_error(-2022, "FAILURE", "NOT_ATTEMPTED", _body(cancel), None)
        if new is not None:
            return _replace_error(-2022, "FAILURE", "FAILURE", _body(cancel), _body(new))
        # The new order would be placed: a partial failure, the new order's report unknown.
        return _replace_error(-2021, "FAILURE", "SUCCESS", _body(cancel), None)
    # The cancel succeeds (or cannot be judged offline); the new order fails in the engine. The
    # cancel's report is not known offline.
    return _replace_error(-2021, "SUCCESS", "FAILURE", None, _body(new))


def _replace_error(
    code: int,
    cancel_result: str,
    new_result: str,
    cancel_response: dict[str, Any] | None,
    new_response: dict[str, Any] | None,
) -> BinanceError:
    msg = (
        "Order cancel-replace failed."
        if code == -2022
        else "Order cancel-replace partially failed."
    )
    return BinanceError(
        code,
        msg,
        {
            "cancelResult": cancel_result,
            "newOrderResult": new_result,
            "cancelResponse": cancel_response,
            "newOrderResponse": new_response,
        },
    )
