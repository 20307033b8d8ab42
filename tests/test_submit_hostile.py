"""Hostile or broken input at the submitter's edge: no leak, no hang, no stray exception.

Each test here failed before its fix (issue 17, items 15-20): credentials in a base URL were
echoed, cleartext HTTP went anywhere, a key with a newline escaped as a ValueError quoting it,
None was sent as the text "None", and a trickling server held a call past its timeout.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from conftest import MakeInfo, order

from filterlib import UsageError
from filterlib.submit import Guard, HmacSigner, Outcome, RestSubmitter
from filterlib.submit.testing import API_KEY, SECRET, FakeBinance, Reply, serve

#: Distinctive credentials to look for in every message.
USER = "u5er-Zq8TOKEN"
PASSWORD = "pa55-Wr3TOKEN"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeBinance]:
    with serve() as fake:
        yield fake


@pytest.fixture
def fake(server: FakeBinance) -> FakeBinance:
    """The module's loopback fake (one server: each stop waits out a poll), requests cleared."""
    server.requests.clear()
    return server


def exception_text(exc: BaseException) -> str:
    """``str`` and ``repr`` of ``exc`` and of every exception chained to it."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None:
        parts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def make(url: str, *, timeout: float = 1, allow_http: bool = False) -> RestSubmitter:
    return RestSubmitter(url, API_KEY, HmacSigner(SECRET), timeout=timeout, allow_http=allow_http)


@pytest.mark.parametrize(
    "url",
    [
        f"htps://{USER}:{PASSWORD}@api.binance.com",  # a typo in the scheme
        f"https://{USER}:{PASSWORD}@api.binance.com",
        f"https://{USER}@api.binance.com",
        f"{USER}:{PASSWORD}@api.binance.com",  # no scheme: it parses as scheme and path
        f"//{USER}:{PASSWORD}@api.binance.com",
        f"https://[{USER}:{PASSWORD}@api.binance.com",  # urlsplit's own ValueError
        f"https://{USER}:{PASSWORD}@api.binance.com:99999",
        f"http://{USER}:{PASSWORD}@127.0.0.1:9",
        f"https://api.binance.com/{USER}:{PASSWORD} ",
        f"{USER}:{PASSWORD}",
        f"https://api.binance.com:{PASSWORD}",  # urlsplit's error quotes the port's text
    ],
)
def test_a_base_url_is_refused_without_echoing_its_credentials(url: str) -> None:
    with pytest.raises(UsageError) as caught:
        make(url)
    text = exception_text(caught.value)
    assert "base URL" in text
    assert USER not in text
    assert PASSWORD not in text


@pytest.mark.parametrize(
    "url", ["http://api.binance.com", "http://10.0.0.1:8080", "http://[2001:db8::1]/api"]
)
def test_cleartext_http_to_another_machine_needs_allow_http(url: str) -> None:
    with pytest.raises(UsageError, match="cleartext") as caught:
        make(url)
    host = urlsplit(url).hostname
    assert host is not None
    assert host not in str(caught.value)  # no part of a URL is quoted
    assert "api_key=<hidden>" in repr(make(url, allow_http=True))  # the caller's choice


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9", "http://127.8.9.10", "http://localhost:9", "http://[::1]:9"]
)
def test_cleartext_http_to_loopback_needs_no_leave(url: str) -> None:
    assert "api_key=<hidden>" in repr(make(url))


def test_https_needs_no_leave() -> None:
    assert "api_key=<hidden>" in repr(make("https://api.binance.com"))


@pytest.mark.parametrize("bad", ["\n", "\r\n", " ", "\t", "\x00", "\u00e9", "\ud800"])
@pytest.mark.parametrize("where", ["end", "start", "middle"])
def test_an_api_key_that_cannot_go_in_a_header_is_refused_unquoted(
    fake: FakeBinance, bad: str, where: str
) -> None:
    key = {"end": API_KEY + bad, "start": bad + API_KEY, "middle": API_KEY[:9] + bad + API_KEY[9:]}
    with pytest.raises(UsageError, match="the API key") as caught:
        RestSubmitter(fake.url, key[where], HmacSigner(SECRET), timeout=1)
    assert fake.requests == []
    text = exception_text(caught.value)
    assert API_KEY[:9] not in text
    assert API_KEY[9:] not in text


@pytest.mark.parametrize("key", [b"key-as-bytes", 12345, None, ""])
def test_an_api_key_that_is_not_text_is_refused(key: object) -> None:
    with pytest.raises(UsageError, match="the API key"):
        RestSubmitter("https://api.binance.com", key, HmacSigner(SECRET), timeout=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "secret",
    [
        SECRET + "\n",
        SECRET.encode() + b"\r\n",
        " " + SECRET,
        SECRET[:9] + "\x00" + SECRET[9:],
        SECRET[:9] + "\u00e9" + SECRET[9:],
        12345,  # bytes(12345) was a key of 12345 zero bytes
        bytearray(SECRET.encode()),
    ],
)
def test_a_secret_that_is_not_a_binance_key_is_refused_unquoted(secret: object) -> None:
    with pytest.raises(UsageError, match="HmacSigner's secret key") as caught:
        HmacSigner(secret)  # type: ignore[arg-type]
    text = exception_text(caught.value)
    assert SECRET[:9] not in text
    assert SECRET[10:] not in text


@pytest.mark.parametrize(
    ("key", "password"),
    [
        ("-----BEGIN PRIVATE KEY-----\nKEYp\u00e9rt\n", None),
        (12345, None),
        (b"-----BEGIN PRIVATE KEY-----\n", "pw-\ud800-TOKEN"),
        (b"-----BEGIN PRIVATE KEY-----\n", 12345),
    ],
)
def test_a_private_key_or_password_of_the_wrong_kind_is_a_usage_error(
    key: object, password: object
) -> None:
    pytest.importorskip("cryptography")
    from filterlib.submit import RsaSigner

    with pytest.raises(UsageError) as caught:
        RsaSigner(key, password)  # type: ignore[arg-type]
    text = exception_text(caught.value)
    assert "KEYp" not in text
    assert "TOKEN" not in text


# The order's parameters as the fake receives them, less the four the submitter adds.
ADDED = ("recvWindow", "timestamp", "signature", "newClientOrderId")


def received(fake: FakeBinance) -> dict[str, str]:
    (request,) = fake.requests
    return {k: v for k, v in request.params.items() if k not in ADDED}


def test_none_is_not_sent_as_check_reads_it(fake: FakeBinance, make_info: MakeInfo) -> None:
    params = {**order(), "icebergQty": None, "stopPrice": None, "newClientOrderId": None}
    guard = Guard(make(fake.url), make_info(), allow_unchecked=True)
    response = guard.submit("/api/v3/order", params)
    assert response.outcome is Outcome.ACCEPTED, response
    assert received(fake) == {
        "symbol": "TSTUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "1",
        "price": "10",
    }
    # None is "not sent" for the client order id too: the submitter sets its own.
    assert fake.requests[0].params["newClientOrderId"].startswith("fl-")


def test_none_recv_window_means_the_default(
    fake: FakeBinance,
) -> None:
    make(fake.url).submit("/api/v3/order/test", {**order(), "recvWindow": None})
    assert fake.requests[0].params["recvWindow"] == "5000"


@pytest.mark.parametrize("client_id", [0, ""])
def test_a_falsy_client_order_id_is_sent_as_given(fake: FakeBinance, client_id: object) -> None:
    # check() reads 0 as "0" (valid) and "" as empty (an error): either way the judged text.
    make(fake.url).submit("/api/v3/order/test", order(newClientOrderId=client_id))
    assert fake.requests[0].params.get("newClientOrderId", "") == str(client_id)


@pytest.mark.parametrize(
    "endpoint", [None, ["/api/v3/order"], "/api/v3/ord er", "/api/v3/\u00e9", ""]
)
def test_an_endpoint_that_is_not_a_path_is_a_usage_error(
    fake: FakeBinance, endpoint: object
) -> None:
    with pytest.raises(UsageError, match="endpoint"):
        make(fake.url).submit(endpoint, order())  # type: ignore[arg-type]
    assert fake.requests == []


@pytest.mark.parametrize("params", [order(note="\ud800"), {**order(), "\ud800": "1"}])
def test_a_lone_surrogate_is_a_usage_error_not_a_unicode_error(
    fake: FakeBinance, params: dict[str, object]
) -> None:
    with pytest.raises(UsageError, match="surrogate"):
        make(fake.url).submit("/api/v3/order/test", params)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("gap", "timeout", "body"),
    [
        (0.4, 1.0, False),  # the case: a byte every 0.4 s from the status line on
        (0.1, 0.5, True),  # the head at once, then the body a byte at a time
    ],
)
def test_timeout_is_the_whole_calls_deadline_against_a_trickling_server(
    fake: FakeBinance, gap: float, timeout: float, body: bool
) -> None:
    # Each gap is shorter than the timeout, so a per-operation timeout never fires; the
    # trickled reply (over 60 bytes) would take the fake's MAX_HANG of 10 s to send.
    reply = Reply(200, {"orderId": 1, "padding": "x" * 40}, trickle=gap, trickle_body=body)
    fake.script("/api/v3/order", reply)
    start = time.monotonic()
    response = make(fake.url, timeout=timeout).submit("/api/v3/order", order())
    elapsed = time.monotonic() - start
    assert timeout <= elapsed < timeout + 0.5, elapsed
    assert response.outcome is Outcome.UNKNOWN  # it was sent: its fate is unknown
    assert response.status is None
    assert f"no complete answer within {timeout:g}s" in response.reason
    assert response.lookup is not None


def test_a_reply_that_ends_within_the_deadline_is_read_whole(
    fake: FakeBinance,
) -> None:
    reply = Reply(200, {"orderId": 7}, trickle=0.01, trickle_body=True)
    fake.script("/api/v3/order", reply)
    response = make(fake.url, timeout=5).submit("/api/v3/order", order())
    assert (response.outcome, response.body) == (Outcome.ACCEPTED, {"orderId": 7})


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("http://[::1]", ("::1", 80)),  # http.client alone took this for host "::", port 1
        ("https://[2001:db8::1]/api", ("2001:db8::1", 443)),
        ("http://127.0.0.1:8080", ("127.0.0.1", 8080)),
    ],
)
def test_the_connection_goes_to_the_base_urls_host_and_port(
    monkeypatch: pytest.MonkeyPatch, url: str, where: tuple[str, int]
) -> None:
    tried: list[tuple[str, int]] = []

    def connect(self: http.client.HTTPConnection) -> None:
        tried.append((self.host, self.port))
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(http.client.HTTPConnection, "connect", connect)
    monkeypatch.setattr(http.client.HTTPSConnection, "connect", connect)
    response = make(url, allow_http=True).submit("/api/v3/order", order())
    assert (response.outcome, tried) == (Outcome.NOT_SENT, [where])
