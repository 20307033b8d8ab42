"""``Guard``: a submitter that runs :func:`filterlib.check` first and sends only what passes.

A failing order gets Binance's own error shape (HTTP 400, ``{"code", "msg"}``) without reaching
the inner submitter. Rules that could not be checked for lack of context stop the order too
(fail closed) unless allowed, because "not checked" is not "passes". When Binance then rejects
an order the check passed, the guard reports a :class:`Disagreement`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Collection, Mapping

from attrs import evolve

from .._context import Context
from .._dates import resolve_as_of
from .._engine import check
from .._verdict import BinanceError, Unchecked, Verdict
from ..catalogue import RULES, Rule
from ..exceptions import UsageError
from ..snapshot import ExchangeInfo
from .protocol import Submitter
from .response import Disagreement, Outcome, Response

__all__ = ["NOT_ABOUT_THE_ORDER", "ContextProvider", "Guard", "likely_cause"]

log = logging.getLogger("filterlib.submit")

#: Called with the order's parameters; returns the context to check it with.
ContextProvider = Callable[[Mapping[str, object]], Context | Mapping[str, object] | None]

#: Rejections about the request's credentials, clock or pace, not the order: no snapshot would
#: have predicted them, so they are not disagreements.
NOT_ABOUT_THE_ORDER = frozenset(
    {
        -1002,  # UNAUTHORIZED
        -1003,  # TOO_MANY_REQUESTS
        -1008,  # SERVER_BUSY
        -1015,  # TOO_MANY_ORDERS
        -1016,  # SERVICE_SHUTTING_DOWN
        -1021,  # INVALID_TIMESTAMP
        -1022,  # INVALID_SIGNATURE
        -2014,  # BAD_API_KEY_FMT
        -2015,  # REJECTED_MBX_KEY
    }
)

# Rule message templates ("Parameter '%s' was empty.") as patterns, to tell which unchecked
# rule could have produced Binance's message.
_PATTERNS = {
    r.id: (r.code, re.compile(".*".join(re.escape(p) for p in r.message.split("%s")) + r"\Z"))
    for r in RULES
}


class Guard:
    """Wraps ``inner``: checks each order against ``info`` and sends only what passes.

    ``context_provider`` gives the context for an order (market prices, account, open orders);
    without it only the rules that need no context are checked. ``allow_unchecked`` is False
    (fail closed: an order with any unchecked rule is not sent, outcome UNCHECKED), True (send
    anyway) or the rule names that may go unchecked (``{"MAX_NUM_ORDERS"}``). The rules no
    context decides (``Unchecked.decidable`` False, such as "This symbol is restricted for this
    account.") never hold an order back: nothing the provider gives could clear them.
    ``on_disagreement`` is called with each :class:`Disagreement`; it is also on the response.
    Assign ``guard.info`` to use a refreshed snapshot. Orders are judged as of the snapshot's
    day (its ``serverTime``), or ``as_of`` (a ``datetime.date`` or ``"latest"``), as
    :func:`filterlib.check` judges them; a pegged order's price comes from the ``bidPrice`` /
    ``askPrice`` or ``depth`` the context provider gives.
    """

    def __init__(
        self,
        inner: Submitter,
        info: ExchangeInfo,
        *,
        context_provider: ContextProvider | None = None,
        allow_unchecked: bool | Collection[str] = False,
        on_disagreement: Callable[[Disagreement], None] | None = None,
        as_of: dt.date | str | None = None,
    ) -> None:
        if not isinstance(info, ExchangeInfo):
            raise UsageError(f"info must be an ExchangeInfo, not {type(info).__name__}")
        if as_of is not None:
            resolve_as_of(as_of, None)  # a bad day is refused here, not at the first order
        if isinstance(allow_unchecked, str):
            raise UsageError("allow_unchecked takes True, False or a collection of rule names")
        self.inner = inner
        self.info = info
        self._context_provider = context_provider
        self._allow = allow_unchecked
        self._on_disagreement = on_disagreement
        self._as_of = as_of

    def __repr__(self) -> str:
        return f"Guard({self.inner!r}, allow_unchecked={self._allow!r})"

    def submit(self, endpoint: str, params: Mapping[str, object]) -> Response:
        context = self._context_provider(params) if self._context_provider else None
        verdict = check(self.info, params, endpoint=endpoint, context=context, as_of=self._as_of)
        if verdict.error is not None:
            return Response(
                Outcome.REJECTED,
                400,  # what Binance answers with these errors
                verdict.error.to_dict(),
                reason="rejected by filterlib's check; not sent",
                sent=False,
                verdict=verdict,
            )
        blocking = [u for u in verdict.decidable_unchecked if not self._allowed(u)]
        if blocking:
            return Response(
                Outcome.UNCHECKED,
                reason="not sent: unchecked " + ", ".join(_describe(u) for u in blocking),
                sent=False,
                verdict=verdict,
            )
        response = evolve(self.inner.submit(endpoint, params), verdict=verdict)
        error = response.error
        if response.outcome is Outcome.REJECTED and error and error.code not in NOT_ABOUT_THE_ORDER:
            response = self._disagree(endpoint, params, error, verdict, response)
        return response

    def _allowed(self, unchecked: Unchecked) -> bool:
        if isinstance(self._allow, bool):
            return self._allow
        return unchecked.rule in self._allow

    def _disagree(
        self,
        endpoint: str,
        params: Mapping[str, object],
        error: BinanceError,
        verdict: Verdict,
        response: Response,
    ) -> Response:
        explained_by = tuple(u.rule for u in verdict.unchecked if _could_explain(u, error))
        cause, advice = likely_cause(self.info, params, error, verdict, explained_by)
        event = Disagreement(endpoint, dict(params), error, verdict, explained_by, cause, advice)
        log.warning(
            "Binance rejected an order filterlib accepted: %s %s %s (symbol %s): %s",
            endpoint,
            error.code,
            error.msg,
            params.get("symbol"),
            advice,
        )
        if self._on_disagreement is not None:
            try:
                self._on_disagreement(event)
            except Exception:
                # The order's answer matters more than the callback's bug: log it, keep going.
                log.exception("on_disagreement callback failed")
        return evolve(response, disagreement=event)


def likely_cause(
    info: ExchangeInfo,
    params: Mapping[str, object],
    error: BinanceError,
    verdict: Verdict,
    explained_by: tuple[str, ...],
) -> tuple[str, str]:
    """What most likely made Binance reject an order the check passed: a key of
    :data:`~filterlib.submit.response.CAUSES` and one sentence of advice.

    In order: an unchecked rule that gives Binance's answer (the context lacked what it
    needs); else the rule that gives it, by what it depends on: the context (it passed with
    the market or account given, which has moved since), the snapshot (a filter or symbol
    rule, the symbol's listing or its precision, or a filter the snapshot's symbol does not
    have: Binance's rules changed), or the request alone (filterlib reads the rule otherwise
    than Binance).
    """
    unchecked = {u.rule: u for u in verdict.unchecked}
    if explained_by:
        needs = sorted({n for r in explained_by for n in unchecked[r].needs})
        rules = ", ".join(explained_by)
        if needs:
            lacked = " and ".join(needs)
            return "missing_context", (
                f"the context had no {lacked}, so {rules} went unchecked and can give this "
                f"answer: give the guard's context_provider {lacked}"
            )
        return "missing_context", (
            f"filterlib does not check {rules}, which can give this answer (not modelled)"
        )
    symbol = params.get("symbol")
    entry = info.symbols.get(symbol) if isinstance(symbol, str) else None
    day = _snapshot_day(info)
    matched = [r for r in RULES if _gives(r, error)]
    if not matched:
        if error.msg.startswith("Filter failure: "):
            name = error.msg.removeprefix("Filter failure: ")
            return "stale_snapshot", (
                f"Binance applied a filter filterlib does not know ({name}): the snapshot "
                f"({day}) may predate it; refresh it (filterlib snapshot fetch) and report it "
                "if it persists"
            )
        return "unknown", (
            "no rule of filterlib gives this answer: refresh the snapshot (filterlib snapshot "
            "fetch), and report the event's fields if it persists"
        )
    rule = matched[0]
    has_filter = rule.stage == "filter" and (
        (entry is not None and entry.filter(rule.id) is not None)
        or any(f.filter_type == rule.id for f in info.exchange_filters)
    )
    if rule.stage == "filter" and not has_filter:
        where = f"{symbol}" if entry is not None else "the symbol"
        return "stale_snapshot", (
            f"the snapshot ({day}) gives {where} no {rule.id} filter, which Binance now "
            "applies: refresh it (filterlib snapshot fetch)"
        )
    if rule.needs:
        given = " and ".join(rule.needs)
        also = f", or the snapshot's {rule.id} ({day}) is stale" if rule.stage == "filter" else ""
        return "stale_context", (
            f"{rule.id} passed with the context's {given}, which may be out of date{also}: "
            "read it again just before sending"
        )
    if rule.stage in ("filter", "symbol") or rule.id in _SNAPSHOT_REQUEST_RULES:
        return "stale_snapshot", (
            f"{rule.id} passed on the snapshot of {day}: Binance's rules for {symbol} may have "
            "changed since; refresh it (filterlib snapshot fetch)"
        )
    return "rules_differ", (
        f"{rule.id} passed, but Binance reads it otherwise: report the event's fields "
        "(endpoint, params, error) if it persists"
    )


#: Request rules judged on the snapshot: the symbol's listing, its assets' precision.
_SNAPSHOT_REQUEST_RULES = frozenset({"unknown_symbol", "too_much_precision"})


def _gives(rule: Rule, error: BinanceError) -> bool:
    """Whether ``rule`` gives Binance's ``error`` (account-state filters come as -2010 or
    -1013 with the same text, so a filter failure's code is not compared)."""
    code, pattern = _PATTERNS[rule.id]
    if pattern.match(error.msg) is None:
        return False
    return code == error.code or error.msg.startswith("Filter failure: ")


def _snapshot_day(info: ExchangeInfo) -> str:
    if info.server_time is None:
        return "undated"
    return dt.datetime.fromtimestamp(info.server_time / 1000, dt.UTC).date().isoformat()


def _could_explain(unchecked: Unchecked, error: BinanceError) -> bool:
    known = _PATTERNS.get(unchecked.rule)
    if known is None:  # a filter type filterlib does not model: Binance names it in the message
        return error.code == -1013 and error.msg == f"Filter failure: {unchecked.rule}"
    code, pattern = known
    return code == error.code and pattern.match(error.msg) is not None


def _describe(unchecked: Unchecked) -> str:
    if unchecked.needs:
        return f"{unchecked.rule} (needs {' and '.join(unchecked.needs)})"
    return f"{unchecked.rule} ({unchecked.reason})" if unchecked.reason else unchecked.rule
