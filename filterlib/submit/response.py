"""What a submitter answers: one frozen :class:`Response` whose :class:`Outcome` a bot switches on.

The outcomes follow the spec's "HTTP Return Codes": 4xx is the sender's fault (REJECTED, with
Binance's error), 429 and 418 are rate limits (RATE_LIMITED, with ``Retry-After``), 5xx and
timeouts leave the order's fate UNKNOWN (it may have been placed), so the response says how to
find out instead of pretending the order failed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from .._verdict import BinanceError, Unchecked, Verdict

__all__ = ["CAUSES", "Disagreement", "OrderLookup", "Outcome", "Response"]


class Outcome(enum.Enum):
    """The kind of answer; every :class:`Response` has exactly one."""

    #: Binance took the request (2xx with a JSON body).
    ACCEPTED = "accepted"
    #: Binance (or the guard, on Binance's behalf) refused it; ``error`` says why. Safe to fix
    #: and send again: a rejected order was not placed.
    REJECTED = "rejected"
    #: 429 or 418: wait ``retry_after`` seconds (None: Binance sent no Retry-After) first.
    RATE_LIMITED = "rate_limited"
    #: 5xx, a timeout, a broken connection or -1006/-1007: the order may or may not exist.
    #: Never treat it as failed and never resend blindly; query ``lookup`` first.
    UNKNOWN = "unknown"
    #: Not sent by the guard: rules needed context that was not given (``unchecked``).
    UNCHECKED = "unchecked"
    #: Connecting failed (refused, DNS, TLS): the request never left, nothing happened.
    NOT_SENT = "not_sent"


@frozen
class OrderLookup:
    """How to find out what became of an order: ``GET /api/v3/order`` by client order id."""

    symbol: str
    client_order_id: str
    endpoint: str = "/api/v3/order"
    method: str = "GET"

    @property
    def params(self) -> dict[str, str]:
        """The query parameters of the lookup (before signing)."""
        return {"symbol": self.symbol, "origClientOrderId": self.client_order_id}


#: The kinds of :attr:`Disagreement.cause`, from the most to the least likely to be the bot's
#: own to fix, with what each means.
CAUSES = {
    "missing_context": "a rule that can give this answer went unchecked: the context lacked what "
    "it needs (or filterlib does not model it)",
    "stale_context": "the rule that gives this answer passed with the context given: the market "
    "or account moved since the context was read",
    "stale_snapshot": "the rule that gives this answer passed on the snapshot: Binance's rules "
    "for the symbol changed since it was taken",
    "rules_differ": "a request rule that gives this answer passed: filterlib reads it otherwise "
    "than Binance",
    "unknown": "no rule of filterlib gives this answer",
}


@frozen
class Disagreement:
    """Binance rejected an order that the local snapshot accepted.

    A rule went unchecked for lack of context, the context or the snapshot is out of date, or
    filterlib's rules differ from Binance's. ``explained_by`` lists the unchecked rules that
    could have produced Binance's error (an empty tuple: the checked rules themselves
    disagree); ``cause`` says which explanation is the most likely (a key of :data:`CAUSES`)
    and ``advice`` says it in one sentence, naming the rule and what to do.
    """

    endpoint: str
    params: Mapping[str, object]
    error: BinanceError
    verdict: Verdict
    explained_by: tuple[str, ...] = ()
    cause: str = "unknown"
    advice: str = ""


@frozen(eq=False)
class Response:
    """One answer to one request.

    ``status`` is the HTTP status (None when no answer arrived: a timeout or a broken
    connection); ``body`` Binance's JSON body (None when there was none or it was not JSON);
    ``headers`` the response headers a bot needs, lower-cased (``retry-after``,
    ``x-mbx-used-weight-*``, ``x-mbx-order-count-*``). ``sent`` is False when the guard answered
    without sending. ``verdict`` is the guard's local check; ``disagreement`` is set when Binance
    rejected what that check accepted. ``reason`` is one sentence for logs.
    """

    outcome: Outcome
    status: int | None = None
    body: Any = None
    headers: Mapping[str, str] = field(factory=dict)
    retry_after: float | None = None
    lookup: OrderLookup | None = None
    reason: str = ""
    sent: bool = True
    verdict: Verdict | None = None
    disagreement: Disagreement | None = None

    @property
    def error(self) -> BinanceError | None:
        """Binance's ``{"code", "msg"}`` when the body is one, else None."""
        body = self.body
        if isinstance(body, Mapping) and isinstance(body.get("code"), int):
            msg = body.get("msg")
            return BinanceError(body["code"], msg if isinstance(msg, str) else "")
        return None

    @property
    def unchecked(self) -> tuple[Unchecked, ...]:
        """The rules the guard could not check (why an UNCHECKED response was not sent)."""
        return self.verdict.unchecked if self.verdict is not None else ()

    @classmethod
    def accepted(cls, body: Any = None, *, status: int = 200) -> Response:
        """A 2xx answer; ``body`` defaults to ``{}``, the answer of ``/api/v3/order/test``."""
        return cls(Outcome.ACCEPTED, status, {} if body is None else body)

    @classmethod
    def rejected(cls, code: int, msg: str, *, status: int = 400) -> Response:
        """A 4xx answer carrying Binance's error body."""
        return cls(Outcome.REJECTED, status, BinanceError(code, msg).to_dict())

    @classmethod
    def rate_limited(cls, retry_after: float | None, *, status: int = 429) -> Response:
        """A 429 (or 418: banned) answer asking to wait ``retry_after`` seconds."""
        headers = {} if retry_after is None else {"retry-after": f"{retry_after:g}"}
        return cls(Outcome.RATE_LIMITED, status, None, headers, retry_after)

    @classmethod
    def unknown(
        cls, reason: str, *, lookup: OrderLookup | None = None, status: int | None = None
    ) -> Response:
        """No reliable answer: the order may exist. ``lookup`` says how to find out."""
        return cls(Outcome.UNKNOWN, status, None, lookup=lookup, reason=reason)
