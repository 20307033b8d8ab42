"""``RestSubmitter``: sends signed requests to Binance Spot's REST API over the HTTP layer.

Per the spec's "SIGNED (TRADE and USER_DATA) Endpoint security" and "Timing security": every
request carries ``timestamp`` (milliseconds, from ``clock``) and ``recvWindow`` (at most 60000),
the API key goes in the ``X-MBX-APIKEY`` header, and ``signature`` signs the query string
followed by the form-encoded body exactly as they are sent. POST parameters go in the body,
GET parameters in the query string ("General Information on Endpoints").
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from urllib.parse import urlencode

from .. import _wire as wire
from .._request import wire_text
from ..exceptions import UsageError
from .classify import classify_failure, classify_reply
from .http import HttpFailure, is_loopback, request, split_base_url
from .response import OrderLookup, Response
from .signing import Signer, check_credential

__all__ = [
    "MAX_RECV_WINDOW",
    "RestSubmitter",
    "as_sent",
    "new_client_order_id",
    "signed_query_and_body",
]

log = logging.getLogger("filterlib.submit")

#: "The max cannot go beyond 60,000!" (Timing security): the wire grammar's limit.
MAX_RECV_WINDOW = wire.MAX_RECV_WINDOW

#: Endpoints that create orders: they get a client order id, so an UNKNOWN can be looked up.
ORDER_ENDPOINTS = frozenset(
    {"/api/v3/order", "/api/v3/order/test", "/api/v3/sor/order", "/api/v3/sor/order/test"}
)
#: Of those, the ones that really place an order (the test endpoints never do).
PLACING_ENDPOINTS = frozenset({"/api/v3/order", "/api/v3/sor/order"})

#: A REST path: what http.client takes in a request line, with no query or fragment.
_ENDPOINT = re.compile(r"/[A-Za-z0-9/._~-]*")

#: Set by the submitter, so a caller's value would be silently wrong.
_OWNED = ("timestamp", "signature")


def new_client_order_id() -> str:
    """A fresh ``newClientOrderId``: 35 characters of ``^[a-zA-Z0-9-_]{1,36}$``."""
    return "fl-" + secrets.token_hex(16)


def signed_query_and_body(
    params: Mapping[str, object], signer: Signer, *, in_query: Collection[str] = ()
) -> tuple[str, str]:
    """The query string and form body of a signed request, ``signature`` appended to the last.

    ``params`` (already holding ``recvWindow`` and ``timestamp``) keep their order; the names in
    ``in_query`` go in the query string, the others in the body. The signature covers the query
    string immediately followed by the body, with no ``&`` between (the spec's example 3).
    """
    query = _encode((k, v) for k, v in params.items() if k in in_query)
    body = _encode((k, v) for k, v in params.items() if k not in in_query)
    signature = urlencode({"signature": signer.sign((query + body).encode("ascii"))})
    if body or not query:
        return query, f"{body}&{signature}" if body else signature
    return f"{query}&{signature}", body


def _encode(pairs: Iterable[tuple[str, object]]) -> str:
    # wire_text: the same text filterlib.check judged is the text that is sent and signed.
    texts = [(k, wire_text(v)) for k, v in pairs]
    if not all(_is_utf8(k) and _is_utf8(v) for k, v in texts):
        raise UsageError(
            "a parameter's name or value holds a lone surrogate: it is not text that can be sent"
        )
    return urlencode(texts)


def _is_utf8(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class RestSubmitter:
    """A :class:`~filterlib.submit.Submitter` for Binance Spot's REST API, standard library only.

    ``base_url`` is ``https://api.binance.com`` (or another base endpoint, or a test server);
    an ``http://`` one to another machine would send the API key in cleartext, so it is refused
    unless ``allow_http`` is True (loopback test servers need no such leave).
    ``timeout`` is each call's deadline in seconds, from connecting to the answer's last byte;
    ``recv_window`` is sent unless the parameters carry their own; ``clock`` gives the time in
    seconds for ``timestamp``.
    """

    __slots__ = ("_api_key", "_base_url", "_clock", "_recv_window", "_signer", "_timeout")

    def __init__(
        self,
        base_url: str,
        api_key: str,
        signer: Signer,
        *,
        timeout: float,
        recv_window: int = 5000,
        clock: Callable[[], float] = time.time,
        allow_http: bool = False,
    ) -> None:
        scheme, host, _, _ = split_base_url(base_url)  # fail now, not at the first order
        if scheme == "http" and not is_loopback(host) and allow_http is not True:
            raise UsageError(
                "an http:// base URL to a host that is not loopback would send the API key in "
                "cleartext: use https://, or pass allow_http=True if the network between is yours"
            )
        check_credential(api_key, "the API key")  # in the header, http.client would quote it
        if not isinstance(signer, Signer):
            raise UsageError("signer must have a sign(payload: bytes) -> str method")
        if not timeout > 0:
            raise UsageError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self._base_url = base_url
        self._api_key = api_key
        self._signer = signer
        self._timeout = float(timeout)
        self._recv_window = _recv_window(recv_window)
        self._clock = clock

    def __repr__(self) -> str:
        return (
            f"RestSubmitter(base_url={self._base_url!r}, api_key=<hidden>, "
            f"signer={self._signer!r}, timeout={self._timeout:g}, "
            f"recv_window={self._recv_window})"
        )

    __str__ = __repr__

    def submit(self, endpoint: str, params: Mapping[str, object]) -> Response:
        """POST ``params`` to ``endpoint``, signed; an order gets a ``newClientOrderId``.

        A parameter whose value is None is not sent, as :func:`filterlib.check` reads it.
        """
        _check_endpoint(endpoint)
        payload = as_sent(params)
        lookup = None
        if endpoint in ORDER_ENDPOINTS:
            # Without our own id an UNKNOWN order could not be looked up again. Only when the
            # caller sent none: a 0 or an "" of theirs is what check() judged, and is sent.
            if "newClientOrderId" not in payload:
                payload["newClientOrderId"] = new_client_order_id()
            symbol = payload.get("symbol")
            if endpoint in PLACING_ENDPOINTS and isinstance(symbol, str):
                lookup = OrderLookup(symbol, wire_text(payload["newClientOrderId"]))
        return self._send("POST", endpoint, payload, lookup)

    def query_order(self, lookup: OrderLookup) -> Response:
        """Ask Binance what became of an order whose outcome was UNKNOWN (signed GET).

        ACCEPTED carries the order (its ``status``: NEW, FILLED...); REJECTED with -2013
        ``Order does not exist.`` means it was never placed. Either way the fate is known."""
        params: dict[str, object] = dict(lookup.params)
        return self._send(lookup.method, lookup.endpoint, params, None)

    def _send(
        self, method: str, endpoint: str, params: dict[str, object], lookup: OrderLookup | None
    ) -> Response:
        _check_endpoint(endpoint)
        for name in _OWNED:
            if name in params:
                raise UsageError(f"do not pass {name!r}: the submitter sets it when signing")
        params["recvWindow"] = _recv_window(params.get("recvWindow", self._recv_window))
        params["timestamp"] = int(self._clock() * 1000)
        in_query = params.keys() if method == "GET" else ()
        query, body = signed_query_and_body(params, self._signer, in_query=in_query)
        headers = {"X-MBX-APIKEY": self._api_key}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            reply = request(
                method,
                self._base_url,
                endpoint,
                query=query,
                body=body.encode("ascii") if body else None,
                headers=headers,
                timeout=self._timeout,
            )
        except HttpFailure as failure:
            response = classify_failure(failure, lookup)
        else:
            response = classify_reply(reply, lookup)
        log.debug(
            "%s %s (newClientOrderId %s): %s %s",
            method,
            endpoint,
            params.get("newClientOrderId", "-"),
            response.outcome.value,
            response.status,
        )
        return response


def as_sent(params: Mapping[str, object]) -> dict[str, object]:
    """``params`` as :func:`filterlib.check` reads them: names as text, None dropped ("not
    sent"), so what was checked is exactly what is signed and sent."""
    return {str(name): value for name, value in params.items() if value is not None}


def _check_endpoint(endpoint: object) -> None:
    if not isinstance(endpoint, str):
        raise UsageError(
            f"endpoint must be a str such as /api/v3/order, not {type(endpoint).__name__}"
        )
    if _ENDPOINT.fullmatch(endpoint) is None:
        raise UsageError(f"endpoint must be a path such as /api/v3/order, not {endpoint[:80]!r}")


def _recv_window(value: object) -> int:
    try:
        window = int(wire_text(value))
    except ValueError:
        window = 0
    if isinstance(value, bool) or not 0 < window <= MAX_RECV_WINDOW:
        raise UsageError(
            f"recvWindow must be a whole number of milliseconds from 1 to {MAX_RECV_WINDOW} "
            f"(the spec's maximum), not {value!r}"
        )
    return window
