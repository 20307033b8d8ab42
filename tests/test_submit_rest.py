"""RestSubmitter end to end against the loopback fake, which verifies signatures on its side."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest
from conftest import MakeInfo, order

from filterlib.submit import Guard, HmacSigner, Outcome, RestSubmitter, Signer
from filterlib.submit.testing import (
    API_KEY,
    INSUFFICIENT_BALANCE,
    LOT_SIZE,
    SECRET,
    TOO_MUCH_WEIGHT,
    FakeBinance,
    Reply,
    serve,
)

NOW = 1_700_000_000.0


@pytest.fixture
def fake() -> Iterator[FakeBinance]:
    with serve() as server:
        yield server


def rest(fake: FakeBinance, signer: Signer | None = None, timeout: float = 5) -> RestSubmitter:
    return RestSubmitter(
        fake.url, API_KEY, signer or HmacSigner(SECRET), timeout=timeout, clock=lambda: NOW
    )


def test_accepted_order_is_signed_timestamped_and_form_encoded(fake: FakeBinance) -> None:
    response = rest(fake).submit("/api/v3/order", order())
    assert response.outcome is Outcome.ACCEPTED
    assert response.status == 200
    sent = fake.requests[0]
    assert (sent.method, sent.path, sent.query) == ("POST", "/api/v3/order", "")
    assert sent.headers["x-mbx-apikey"] == API_KEY
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    params = sent.params
    assert (params["timestamp"], params["recvWindow"]) == ("1700000000000", "5000")
    assert sent.body.endswith("&signature=" + params["signature"])
    # The submitter set a client order id, so an UNKNOWN could be looked up.
    assert params["newClientOrderId"] == response.body["clientOrderId"]
    assert len(params["newClientOrderId"]) <= 36


def test_the_callers_client_order_id_is_kept(fake: FakeBinance) -> None:
    rest(fake).submit("/api/v3/order", order(newClientOrderId="mine-1"))
    assert fake.requests[0].params["newClientOrderId"] == "mine-1"


def test_the_test_endpoint_answers_empty(fake: FakeBinance) -> None:
    response = rest(fake).submit("/api/v3/order/test", order())
    assert (response.outcome, response.body) == (Outcome.ACCEPTED, {})


@pytest.mark.parametrize("body", [LOT_SIZE, INSUFFICIENT_BALANCE])
def test_rejections_carry_binances_error(fake: FakeBinance, body: dict[str, object]) -> None:
    fake.script("/api/v3/order", Reply(400, body))
    response = rest(fake).submit("/api/v3/order", order())
    assert response.outcome is Outcome.REJECTED
    assert response.error is not None
    assert response.error.to_dict() == body


def test_a_wrong_secret_is_rejected_by_the_fakes_signature_check(fake: FakeBinance) -> None:
    response = rest(fake, HmacSigner("not-the-secret")).submit("/api/v3/order", order())
    assert response.outcome is Outcome.REJECTED
    assert response.error is not None
    assert response.error.code == -1022
    assert fake.orders == {}


@pytest.mark.parametrize(("status", "banned"), [(429, False), (418, True)])
def test_rate_limits_carry_the_wait(fake: FakeBinance, status: int, banned: bool) -> None:
    fake.script("/api/v3/order", Reply(status, TOO_MUCH_WEIGHT, {"Retry-After": "37"}))
    response = rest(fake).submit("/api/v3/order", order())
    assert response.outcome is Outcome.RATE_LIMITED
    assert (response.status, response.retry_after) == (status, 37.0)
    assert ("banned" in response.reason) is banned


def test_a_429_without_retry_after_says_so(fake: FakeBinance) -> None:
    fake.script("/api/v3/order", Reply(429, TOO_MUCH_WEIGHT))
    response = rest(fake).submit("/api/v3/order", order())
    assert (response.outcome, response.retry_after) == (Outcome.RATE_LIMITED, None)
    assert "no Retry-After" in response.reason


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_unknown_and_the_lookup_finds_the_placed_order(
    fake: FakeBinance, status: int
) -> None:
    fake.script(
        "/api/v3/order", Reply(status, {"code": -1001, "msg": "Internal error"}, place=True)
    )
    submitter = rest(fake)
    response = submitter.submit("/api/v3/order", order())
    assert response.outcome is Outcome.UNKNOWN
    assert response.lookup is not None
    assert response.lookup.client_order_id == fake.requests[0].params["newClientOrderId"]
    found = submitter.query_order(response.lookup)
    assert found.outcome is Outcome.ACCEPTED
    assert found.body["status"] == "NEW"
    query = fake.requests[1]
    assert (query.method, query.body) == ("GET", "")
    assert query.params["origClientOrderId"] == response.lookup.client_order_id


def test_unknown_on_execution_status_unknown_codes(fake: FakeBinance) -> None:
    body = {"code": -1007, "msg": "Timeout waiting for response from backend server."}
    fake.script("/api/v3/order", Reply(408, body))
    response = rest(fake).submit("/api/v3/order", order())
    assert response.outcome is Outcome.UNKNOWN
    assert response.lookup is not None
    never = rest(fake).query_order(response.lookup)
    assert never.outcome is Outcome.REJECTED
    assert never.error is not None
    assert never.error.code == -2013


def test_a_hang_times_out_as_unknown_and_is_not_retried(fake: FakeBinance) -> None:
    fake.script("/api/v3/order", Reply(200, {}, hang=5, place=True))
    start = time.monotonic()
    response = rest(fake, timeout=0.3).submit("/api/v3/order", order())
    assert time.monotonic() - start < 3
    assert response.outcome is Outcome.UNKNOWN
    assert response.status is None
    assert "no complete answer within 0.3s" in response.reason
    assert response.lookup is not None
    assert len(fake.requests) == 1  # sent once, never again on its own


def test_a_refused_connection_was_never_sent() -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    submitter = RestSubmitter(f"http://127.0.0.1:{port}", API_KEY, HmacSigner(SECRET), timeout=1)
    response = submitter.submit("/api/v3/order", order())
    assert (response.outcome, response.sent) == (Outcome.NOT_SENT, False)


@pytest.mark.parametrize("kind", ["rsa", "ed25519"])
def test_rsa_and_ed25519_orders_verify_on_the_server(kind: str) -> None:
    pytest.importorskip("cryptography")
    import base64

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

    from filterlib.submit import Ed25519Signer, RsaSigner

    key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
    if kind == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ed25519.Ed25519PrivateKey.generate()
    public = key.public_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    def verify(payload: bytes, signature: str) -> bool:
        try:
            if isinstance(public, rsa.RSAPublicKey):
                public.verify(
                    base64.b64decode(signature), payload, padding.PKCS1v15(), hashes.SHA256()
                )
            else:
                assert isinstance(public, ed25519.Ed25519PublicKey)
                public.verify(base64.b64decode(signature), payload)
        except InvalidSignature:
            return False
        return True

    signer: Signer = RsaSigner(pem) if kind == "rsa" else Ed25519Signer(pem)
    with serve(verify) as fake:
        response = rest(fake, signer).submit("/api/v3/order", order())
        assert response.outcome is Outcome.ACCEPTED, response.body
        # The base64 signature travels URL-encoded (%2B, %2F, %3D), as the spec asks.
        raw = fake.requests[0].body.split("signature=")[1]
        assert "+" not in raw
        assert "/" not in raw
        assert "=" not in raw


def test_guard_over_rest_reports_a_disagreement_end_to_end(
    fake: FakeBinance, make_info: MakeInfo
) -> None:
    fake.script("/api/v3/order", Reply(400, LOT_SIZE))
    events: list[object] = []
    guard = Guard(rest(fake), make_info(), allow_unchecked=True, on_disagreement=events.append)
    response = guard.submit("/api/v3/order", order())
    assert response.outcome is Outcome.REJECTED
    assert response.sent
    assert response.disagreement is not None
    assert events == [response.disagreement]


def test_guard_over_rest_never_sends_a_failing_order(
    fake: FakeBinance, make_info: MakeInfo
) -> None:
    guard = Guard(rest(fake), make_info(), allow_unchecked=True)
    response = guard.submit("/api/v3/order", order(price="10.001"))
    assert response.body == {"code": -1013, "msg": "Filter failure: PRICE_FILTER"}
    assert fake.requests == []


def test_secrets_stay_out_of_logs_and_output(
    fake: FakeBinance,
    make_info: MakeInfo,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.script("/api/v3/order", Reply(400, LOT_SIZE), Reply(503, None))
    guard = Guard(rest(fake), make_info(), allow_unchecked=True)
    responses = [guard.submit("/api/v3/order", order()) for _ in range(2)]
    text = caplog.text + "".join(capsys.readouterr()) + "".join(map(repr, responses))
    assert "Binance rejected an order filterlib accepted" in caplog.text
    assert SECRET not in text
    assert API_KEY not in text
