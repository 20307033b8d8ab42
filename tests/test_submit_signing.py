"""Signing exactly as the spec's "SIGNED Endpoint Examples", and secrets that never show."""

from __future__ import annotations

import base64
import pickle
import sys
from urllib.parse import quote_plus

import pytest

from filterlib import UsageError
from filterlib.submit import (
    HmacSigner,
    MissingExtraError,
    RestSubmitter,
    RsaSigner,
    signed_query_and_body,
)
from filterlib.submit.testing import API_KEY, SECRET

# The spec's example parameters, in its order, recvWindow and timestamp last.
EXAMPLE = {
    "symbol": "LTCBTC",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "1",
    "price": "0.1",
    "recvWindow": "5000",
    "timestamp": "1499827319559",
}
TOTAL = (
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
    "&recvWindow=5000&timestamp=1499827319559"
)
SIG_1_2 = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
SIG_3 = "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"


def test_example_1_request_body() -> None:
    query, body = signed_query_and_body(EXAMPLE, HmacSigner(SECRET))
    assert (query, body) == ("", f"{TOTAL}&signature={SIG_1_2}")


def test_example_2_query_string() -> None:
    query, body = signed_query_and_body(EXAMPLE, HmacSigner(SECRET), in_query=EXAMPLE.keys())
    assert (query, body) == (f"{TOTAL}&signature={SIG_1_2}", "")


def test_example_3_mixed_query_and_body_has_no_ampersand_between() -> None:
    in_query = {"symbol", "side", "type", "timeInForce"}
    query, body = signed_query_and_body(EXAMPLE, HmacSigner(SECRET), in_query=in_query)
    assert query == "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
    assert body == f"quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature={SIG_3}"


def test_the_rsa_examples_base64_signature_is_url_encoded_as_documented() -> None:
    documented = (
        "HZ8HOjiJ1s/igS9JA+n7+7Ti/ihtkRF5BIWcPIEluJP6tlbFM/Bf44LfZka/iemtahZAZzcO9TnI5uaXh3++"
        "lrqtNonCwp6/245UFWkiW1elpgtVAmJPbogcAv6rSlokztAfWk296ZJXzRDYAtzGH0gq7CgSJKfH+XxaCmR0Wc"
        "vlKjNQnp12/eKXJYO4tDap8UCBLuyxDnR7oJKLHQHJLP0r0EAVOOSIbrFang/1WOq+Jaq4Efc4XpnTgnwlBbWTm"
        "hWDR1pvS9iVEzcSYLHT/fNnMRxFc7u+j3qI//5yuGuu14KR0MuQKKCSpViieD+fIti46sxPTsjSemoUKp0oXA=="
    )

    class Fixed:
        def sign(self, payload: bytes) -> str:
            return documented

    _, body = signed_query_and_body({"symbol": "BTCUSDT"}, Fixed())
    encoded = body.split("signature=")[1]
    assert encoded == quote_plus(documented)
    assert encoded.startswith("HZ8HOjiJ1s%2FigS9JA%2Bn7%2B7Ti%2Fihtk")
    assert encoded.endswith("KCSpViieD%2BfIti46sxPTsjSemoUKp0oXA%3D%3D")


def test_rsa_and_ed25519_sign_what_their_public_keys_verify() -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

    from filterlib.submit import Ed25519Signer

    pem = serialization.PrivateFormat.PKCS8
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_pem = rsa_key.private_bytes(serialization.Encoding.PEM, pem, serialization.NoEncryption())
    signature = RsaSigner(rsa_pem).sign(TOTAL.encode())
    rsa_key.public_key().verify(
        base64.b64decode(signature), TOTAL.encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    ed_key = ed25519.Ed25519PrivateKey.generate()
    ed_pem = ed_key.private_bytes(
        serialization.Encoding.PEM, pem, serialization.BestAvailableEncryption(b"pw")
    )
    signature = Ed25519Signer(ed_pem, password="pw").sign(TOTAL.encode())
    ed_key.public_key().verify(base64.b64decode(signature), TOTAL.encode())
    with pytest.raises(UsageError, match="RsaSigner needs an RSA private key"):
        RsaSigner(
            ed25519.Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, pem, serialization.NoEncryption()
            )
        )


def test_a_bad_key_error_does_not_quote_the_key() -> None:
    pytest.importorskip("cryptography")
    bogus = "-----BEGIN PRIVATE KEY-----\nTOPSECRETTOPSECRET\n-----END PRIVATE KEY-----\n"
    with pytest.raises(UsageError) as info:
        RsaSigner(bogus)
    assert "TOPSECRET" not in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_without_cryptography_rsa_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'filterlib\[crypto\]'"):
        RsaSigner(b"-----BEGIN PRIVATE KEY-----")


def test_secrets_never_appear_in_repr_str_or_pickles() -> None:
    signer = HmacSigner(SECRET)
    submitter = RestSubmitter("http://127.0.0.1:9", API_KEY, signer, timeout=1)
    for text in (repr(signer), str(signer), repr(submitter), str(submitter)):
        assert SECRET not in text
        assert API_KEY not in text
        assert "<hidden>" in text
    with pytest.raises(TypeError, match="secrets"):
        pickle.dumps(signer)


@pytest.mark.parametrize("window", [60001, 0, -1, "abc", True])
def test_recv_window_beyond_the_spec_maximum_is_refused(window: int) -> None:
    with pytest.raises(UsageError, match="60000"):
        RestSubmitter(
            "http://127.0.0.1:9", API_KEY, HmacSigner(SECRET), timeout=1, recv_window=window
        )


def test_recv_window_in_the_parameters_is_checked_too() -> None:
    submitter = RestSubmitter("http://127.0.0.1:9", API_KEY, HmacSigner(SECRET), timeout=1)
    with pytest.raises(UsageError, match="60000"):
        submitter.submit("/api/v3/order/test", {"symbol": "BTCUSDT", "recvWindow": "60001"})
    with pytest.raises(UsageError, match="timestamp"):
        submitter.submit("/api/v3/order/test", {"symbol": "BTCUSDT", "timestamp": "1"})
