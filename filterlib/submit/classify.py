"""From an HTTP answer (or its absence) to a :class:`Response`, by the spec's "HTTP Return Codes".

Kept apart from the transport so the rules are easy to read and to test on their own.
"""

from __future__ import annotations

from typing import Any

import orjson

from .http import HttpFailure, HttpReply
from .response import OrderLookup, Outcome, Response

__all__ = ["classify_failure", "classify_reply"]

#: "Execution status unknown" in the spec's error list, whatever the HTTP status that carries it.
UNKNOWN_STATUS_CODES = frozenset({-1006, -1007})

#: Headers a bot needs: the wait, and the used weight and order counts for pacing itself.
_KEPT_PREFIXES = ("x-mbx-used-weight", "x-mbx-order-count")


def classify_reply(reply: HttpReply, lookup: OrderLookup | None) -> Response:
    """The outcome of an answer; ``lookup`` is attached when the order's fate is unknown."""
    status = reply.status
    body = _json(reply.body)
    headers = {
        k: v for k, v in reply.headers.items() if k == "retry-after" or k.startswith(_KEPT_PREFIXES)
    }
    if status in (429, 418):
        retry_after = _seconds(headers.get("retry-after"))
        reason = "IP banned (418)" if status == 418 else "rate limit broken (429)"
        if retry_after is None:
            reason += "; no Retry-After (the unfilled order count, or a bad header)"
        return Response(Outcome.RATE_LIMITED, status, body, headers, retry_after, reason=reason)
    if 500 <= status <= 599:
        return Response(
            Outcome.UNKNOWN,
            status,
            body,
            headers,
            lookup=lookup,
            reason=f"HTTP {status}: Binance's side failed; the order may have been placed",
        )
    if isinstance(body, dict) and body.get("code") in UNKNOWN_STATUS_CODES:
        return Response(
            Outcome.UNKNOWN,
            status,
            body,
            headers,
            lookup=lookup,
            reason=f"{body['code']}: Binance says the execution status is unknown",
        )
    if 200 <= status <= 299:
        if body is None:
            return Response(
                Outcome.UNKNOWN,
                status,
                None,
                headers,
                lookup=lookup,
                reason=f"HTTP {status} without a JSON body; the order may have been placed",
            )
        return Response(Outcome.ACCEPTED, status, body, headers)
    if 400 <= status <= 499:
        reason = "" if isinstance(body, dict) else f"HTTP {status} without a Binance error body"
        return Response(Outcome.REJECTED, status, body, headers, reason=reason)
    return Response(
        Outcome.UNKNOWN,
        status,
        body,
        headers,
        lookup=lookup,
        reason=f"unexpected HTTP {status}; the order may have been placed",
    )


def classify_failure(failure: HttpFailure, lookup: OrderLookup | None) -> Response:
    """No answer: UNKNOWN if the request may have arrived, NOT_SENT if it never left."""
    if not failure.maybe_sent:
        return Response(Outcome.NOT_SENT, reason=str(failure), sent=False)
    return Response(Outcome.UNKNOWN, lookup=lookup, reason=f"{failure}; the order may exist")


def _json(data: bytes) -> Any:
    try:
        return orjson.loads(data) if data else None
    except orjson.JSONDecodeError:
        return None


def _seconds(value: str | None) -> float | None:
    """Retry-After in seconds (the spec sends an integer); None when absent or not a number."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 and seconds == seconds and seconds != float("inf") else None
