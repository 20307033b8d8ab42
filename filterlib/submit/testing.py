"""A fake Binance Spot on 127.0.0.1, for testing a bot end to end without the network.

:func:`serve` runs a real HTTP server on the loopback address (an unused port, in a thread)
for the duration of a ``with`` block. It checks the API key and the signature on its side, as
Binance does, and answers with recorded Binance bodies::

    from filterlib.submit import Guard, HmacSigner, RestSubmitter
    from filterlib.submit.testing import API_KEY, SECRET, serve

    with serve() as fake:
        rest = RestSubmitter(fake.url, API_KEY, HmacSigner(SECRET), timeout=5)
        response = rest.submit("/api/v3/order", params)  # placed: status NEW
        fake.requests[-1].params  # what arrived, signature included

Out of the box it places ``POST /api/v3/order`` (``status`` NEW, ``orderId`` counting from 1),
answers ``POST /api/v3/order/test`` with ``{}``, finds placed orders for ``GET /api/v3/order``
by ``origClientOrderId`` (``-2013 Order does not exist.`` otherwise) and serves
``GET /api/v3/exchangeInfo`` (the snapshot shipped in filterlib unless ``exchange_info`` is
given; ``symbols=[...]`` narrows it). A wrong API key gets ``-2015``, a bad signature ``-1022``,
no ``timestamp`` ``-1102``, any other path a 404.

A test scripts the next replies of a path with :meth:`FakeBinance.script` and :class:`Reply`:
any status, body and headers (a 429 with ``Retry-After``, a 5xx), a bounded ``hang`` for the
timeout path, a bounded ``trickle`` (a byte at a time) for the deadline, and ``place`` to keep
the order although the reply says otherwise (a 5xx after the order was placed). The server
listens on 127.0.0.1 only and sends nothing anywhere else; docs/submitting.md shows a whole test.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlsplit

__all__ = [
    "API_KEY",
    "BAD_KEY",
    "BAD_SIGNATURE",
    "INSUFFICIENT_BALANCE",
    "INVALID_SYMBOL",
    "LOT_SIZE",
    "MAX_HANG",
    "NO_SUCH_ORDER",
    "NO_TIMESTAMP",
    "SECRET",
    "TOO_MUCH_WEIGHT",
    "FakeBinance",
    "Recorded",
    "Reply",
    "Verifier",
    "hmac_verifier",
    "serve",
]

#: The only address the fake listens on.
LOOPBACK = "127.0.0.1"

#: The spec's example HMAC key pair ("SIGNED Endpoint Examples for POST /api/v3/order").
API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"

#: Recorded Binance error bodies.
LOT_SIZE = {"code": -1013, "msg": "Filter failure: LOT_SIZE"}
INSUFFICIENT_BALANCE = {
    "code": -2010,
    "msg": "Account has insufficient balance for requested action.",
}
BAD_SIGNATURE = {"code": -1022, "msg": "Signature for this request is not valid."}
BAD_KEY = {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}
NO_SUCH_ORDER = {"code": -2013, "msg": "Order does not exist."}
NO_TIMESTAMP = {
    "code": -1102,
    "msg": "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
}
INVALID_SYMBOL = {"code": -1121, "msg": "Invalid symbol."}
TOO_MUCH_WEIGHT = {
    "code": -1003,
    "msg": "Too much request weight used; current limit is 6000 request weight per 1 MINUTE.",
}

#: The longest a scripted hang may last; the server's stop ends it sooner.
MAX_HANG = 10.0

#: Checks a request's signature: called with the signed payload (the query string, then the
#: body, without ``signature``) and the signature sent; True when it is valid.
Verifier = Callable[[bytes, str], bool]


def hmac_verifier(secret: str = SECRET) -> Verifier:
    """A :data:`Verifier` for HMAC-SHA256 signatures with ``secret``, as Binance checks them."""

    def verify(payload: bytes, signature: str) -> bool:
        expected = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature.lower())  # "not case sensitive"

    return verify


@dataclass
class Reply:
    """One scripted answer: HTTP ``status``, a JSON ``body`` (None: empty), ``headers``; and how
    to send it: after ``hang`` seconds (at most :data:`MAX_HANG`), a byte at a time
    (``trickle``), having placed the order first (``place``)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0
    place: bool = False
    #: Seconds between bytes: the reply goes out one byte at a time (MAX_HANG in all at most),
    #: from its status line, or from its body when ``trickle_body`` (the head at once).
    trickle: float = 0.0
    trickle_body: bool = False


@dataclass
class Recorded:
    """One request as the fake received it (``headers`` with lower-case names)."""

    method: str
    path: str
    query: str
    body: str
    headers: dict[str, str]

    @property
    def params(self) -> dict[str, str]:
        """Query and body parameters; the query wins, as the spec says."""
        return {**dict(parse_qsl(self.body)), **dict(parse_qsl(self.query))}


class FakeBinance:
    """The fake's state, as :func:`serve` yields it: ``url`` (``http://127.0.0.1:PORT``), every
    request in ``requests``, the placed orders in ``orders`` (by client order id)."""

    def __init__(
        self, verify: Verifier, *, api_key: str, exchange_info: Mapping[str, Any] | None
    ) -> None:
        self.verify = verify
        self.api_key = api_key
        self._exchange_info_body = exchange_info
        self.requests: list[Recorded] = []
        self.orders: dict[str, dict[str, Any]] = {}
        self.url = ""
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._next_order_id = 1

    def script(self, path: str, *replies: Reply) -> None:
        """The next answers to ``path``, in order, instead of the default ones."""
        self._scripts[path].extend(replies)

    @property
    def exchange_info(self) -> Mapping[str, Any]:
        """The ``GET /api/v3/exchangeInfo`` body: the one given, or the shipped snapshot's."""
        if self._exchange_info_body is None:
            self._exchange_info_body = _shipped_exchange_info()
        return self._exchange_info_body

    def handle(self, method: str, target: str, body: str, headers: dict[str, str]) -> Reply:
        """The answer to one request (the HTTP handler calls it; a test may too)."""
        parts = urlsplit(target)
        record = Recorded(method, parts.path, parts.query, body, headers)
        with self._lock:
            self.requests.append(record)
            scripted = self._scripts[parts.path].popleft() if self._scripts[parts.path] else None
        if parts.path == "/api/v3/exchangeInfo":
            return scripted or self._exchange_info(record.params)
        if headers.get("x-mbx-apikey") != self.api_key:
            return Reply(401, BAD_KEY)
        if not self._signed_correctly(parts.query, body):
            return Reply(400, BAD_SIGNATURE)
        params = record.params
        if "timestamp" not in params:
            return Reply(400, NO_TIMESTAMP)
        if scripted is not None:
            if scripted.place:
                self._place(params)
            return scripted
        if (method, parts.path) == ("POST", "/api/v3/order"):
            return Reply(200, self._place(params))
        if (method, parts.path) == ("POST", "/api/v3/order/test"):
            return Reply(200, {})
        if (method, parts.path) == ("GET", "/api/v3/order"):
            order = self.orders.get(params.get("origClientOrderId", ""))
            return Reply(200, order) if order else Reply(400, NO_SUCH_ORDER)
        return Reply(404, {"code": -1000, "msg": "unknown path in the fake"})

    def hang(self, seconds: float) -> None:
        """Wait ``seconds`` (at most :data:`MAX_HANG`), or until the server stops."""
        self._stopping.wait(min(seconds, MAX_HANG))

    @property
    def stopped(self) -> bool:
        """Whether the ``with`` block of :func:`serve` has ended."""
        return self._stopping.is_set()

    def _signed_correctly(self, query: str, body: str) -> bool:
        signatures: list[str] = []

        def strip(part: str) -> str:
            kept = []
            for piece in part.split("&") if part else []:
                if piece.startswith("signature="):
                    signatures.append(unquote_plus(piece[len("signature=") :]))
                else:
                    kept.append(piece)
            return "&".join(kept)

        payload = strip(query) + strip(body)  # totalParams: query string, then body
        return len(signatures) == 1 and self.verify(payload.encode("ascii"), signatures[0])

    def _place(self, params: Mapping[str, str]) -> dict[str, Any]:
        with self._lock:
            order_id, self._next_order_id = self._next_order_id, self._next_order_id + 1
        # RestSubmitter always sends a newClientOrderId; Binance makes one up when none is sent.
        client_id = params.get("newClientOrderId") or f"fake-{order_id}"
        timestamp = params.get("timestamp", "")
        order = {
            "symbol": params.get("symbol", ""),
            "orderId": order_id,
            "orderListId": -1,
            "clientOrderId": client_id,
            "transactTime": int(timestamp) if timestamp.isdigit() else 0,
            "status": "NEW",
        }
        self.orders[client_id] = order
        return order

    def _exchange_info(self, params: Mapping[str, str]) -> Reply:
        info = dict(self.exchange_info)
        if "symbols" in params:
            wanted = json.loads(params["symbols"])
            known = {s["symbol"]: s for s in info["symbols"]}
            if any(w not in known for w in wanted):
                return Reply(400, INVALID_SYMBOL)
            info["symbols"] = [known[w] for w in wanted]
        return Reply(200, info)

    def stop(self) -> None:
        """End every hang and trickle at once (:func:`serve` calls it on leaving)."""
        self._stopping.set()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("ascii") if length else ""
        headers = {k.lower(): v for k, v in self.headers.items()}
        fake = self.server.fake
        try:
            reply = fake.handle(self.command, self.path, body, headers)
        except Exception as exc:  # a bug in the fake: answer, so the client is not left waiting
            reply = Reply(500, {"code": -1000, "msg": f"the fake failed: {exc!r}"})
        if reply.hang:
            fake.hang(reply.hang)
        data = b"" if reply.body is None else json.dumps(reply.body).encode()
        if reply.trickle:
            self._trickle(reply, data)
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up (the timeout path): nothing to answer

    def _trickle(self, reply: Reply, data: bytes) -> None:
        """Send the reply a byte at a time, ``reply.trickle`` seconds apart; give up when the
        client has gone, the server stops, or MAX_HANG has passed."""
        self.close_connection = True
        lines = [f"HTTP/1.1 {reply.status} Trickled"]
        lines += [f"{name}: {value}" for name, value in reply.headers.items()]
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}", "", ""]
        head = "\r\n".join(lines).encode("ascii")
        raw = head + data
        start = len(head) if reply.trickle_body else 0
        fake = self.server.fake
        until = time.monotonic() + MAX_HANG
        try:
            self.wfile.write(raw[:start])
            for i in range(start, len(raw)):
                if fake.stopped or time.monotonic() > until:
                    return
                self.wfile.write(raw[i : i + 1])
                fake.hang(reply.trickle)
        except OSError:
            return  # the client gave up: the deadline worked

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean; the requests are in FakeBinance.requests


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeBinance


@contextmanager
def serve(
    verify: Verifier | None = None,
    *,
    api_key: str = API_KEY,
    exchange_info: Mapping[str, Any] | None = None,
) -> Iterator[FakeBinance]:
    """Run a :class:`FakeBinance` on 127.0.0.1 (an unused port) for the ``with`` block.

    ``verify`` checks signatures (default: HMAC with :data:`SECRET`; :func:`hmac_verifier`
    makes one for your own secret), ``api_key`` is the key it expects in ``X-MBX-APIKEY``, and
    ``exchange_info`` the ``GET /api/v3/exchangeInfo`` body (default: the shipped snapshot's).
    """
    fake = FakeBinance(verify or hmac_verifier(), api_key=api_key, exchange_info=exchange_info)
    server = _Server((LOOPBACK, 0), _Handler)
    server.fake = fake
    host, port = server.server_address[:2]
    fake.url = f"http://{host!s}:{port}"
    thread = threading.Thread(target=server.serve_forever, name="fake-binance", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.stop()  # ends any hang first, so shutdown does not wait for it
        server.shutdown()
        server.server_close()
        thread.join(timeout=MAX_HANG)


def _shipped_exchange_info() -> Mapping[str, Any]:
    """The snapshot shipped in filterlib, as the JSON body Binance sent."""
    import gzip
    from importlib import resources

    from ..snapshot import DEFAULT_SNAPSHOT_NAME

    data = resources.files("filterlib").joinpath("data", f"{DEFAULT_SNAPSHOT_NAME}.json.gz")
    body: Mapping[str, Any] = json.loads(gzip.decompress(data.read_bytes()))
    return body
