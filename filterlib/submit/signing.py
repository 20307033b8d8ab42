"""Request signatures exactly as the spec's "SIGNED Endpoint Examples for POST /api/v3/order".

The signed payload is the query string followed by the request body, as sent (no ``&`` between
them: the spec's example 3). HMAC-SHA256 gives lower-case hex; RSA (PKCS#1 v1.5, SHA-256) and
Ed25519 give base64, which the request builder then URL-encodes like every other value.

Keys live in private attributes and every ``repr``/``str`` hides them, so a signer can be
logged, put in an exception or shown by pytest without leaking the secret. RSA and Ed25519 use
the optional ``cryptography`` package (``pip install 'filterlib[crypto]'``), imported only when
such a signer is built, so the core and HMAC users do not need it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any, Protocol, runtime_checkable

from ..exceptions import FilterlibError, UsageError

__all__ = [
    "Ed25519Signer",
    "HmacSigner",
    "MissingExtraError",
    "RsaSigner",
    "Signer",
    "check_credential",
]


class MissingExtraError(FilterlibError, ImportError):
    """An optional dependency is not installed; the message says which extra to install."""


#: Binance's API and secret keys are printable ASCII (64 letters and digits); anything else,
#: above all a file's trailing newline, would fail in the HTTP header or sign with a wrong key.
_PRINTABLE = re.compile(r"[!-~]+")


def check_credential(value: object, what: str, *, allow_bytes: bool = False) -> None:
    """Raise UsageError unless ``value`` is a non-empty key of printable ASCII, no spaces.

    The message says what is wrong with ``what`` (``"the API key"``) and never shows it.
    """
    if isinstance(value, str):
        text = value
    elif isinstance(value, bytes) and allow_bytes:
        text = value.decode("latin-1")  # one character per byte: the same test for both
    else:
        kinds = "str or bytes" if allow_bytes else "str"
        raise UsageError(f"{what} must be a {kinds}, not {type(value).__name__}")
    if not text:
        raise UsageError(f"{what} is empty")
    if _PRINTABLE.fullmatch(text) is not None:
        return
    if text != text.strip():
        problem = "starts or ends with a space or a line break (read from a file? strip it)"
    else:
        problem = "has a space, a control or a non-ASCII character"
    raise UsageError(f"{what} {problem}; it is not shown here")


@runtime_checkable
class Signer(Protocol):
    """Turns the payload (query string + body, ASCII) into the ``signature`` parameter's value."""

    def sign(self, payload: bytes) -> str: ...


class HmacSigner:
    """HMAC-SHA256 with the API secret key, as lower-case hex (``openssl dgst -hmac``)."""

    __slots__ = ("_secret",)

    def __init__(self, secret: str | bytes) -> None:
        check_credential(secret, "HmacSigner's secret key", allow_bytes=True)
        self._secret = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)

    def sign(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "HmacSigner(secret=<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        # Pickling would write the secret into whatever stores the pickle.
        raise TypeError("signers hold secrets and cannot be pickled")


class _PrivateKeySigner:
    """Shared by RSA and Ed25519: load a PEM (or DER) private key through ``cryptography``."""

    __slots__ = ("_key",)
    _kind = ""

    def __init__(self, private_key: bytes | str, password: bytes | str | None = None) -> None:
        serialization = _cryptography_serialization(type(self).__name__)
        data, secret = self._key_bytes(private_key, password)
        try:
            if data.lstrip().startswith(b"-----"):
                key = serialization.load_pem_private_key(data, password=secret)
            else:
                key = serialization.load_der_private_key(data, password=secret)
        except (ValueError, TypeError) as exc:
            # Not chained and not quoted: cryptography's message never needs the key to be
            # understood, and a chained traceback could carry the key bytes in its locals.
            raise UsageError(
                f"cannot load the {self._kind} private key ({type(exc).__name__}); give the "
                "PKCS#8 PEM file's bytes, and its password if it is encrypted"
            ) from None
        self._key = self._accept(key)

    def _key_bytes(self, private_key: object, password: object) -> tuple[bytes, bytes | None]:
        """The key and password as bytes; a UsageError that shows neither when they are not."""
        name = type(self).__name__
        if not isinstance(private_key, (str, bytes)):
            raise UsageError(f"{name} needs the key file's bytes, not {type(private_key).__name__}")
        if password is not None and not isinstance(password, (str, bytes)):
            raise UsageError(
                f"{name}'s password must be str or bytes, not {type(password).__name__}"
            )
        data = _encoded(private_key, "ascii")
        secret = None if password is None else _encoded(password, "utf-8")
        if data is None or (password is not None and secret is None):
            # Raised outside any except block: no chained error holds the key or password.
            raise UsageError(
                f"{name}: the key must be ASCII (PEM) and the password Unicode text; "
                "neither is shown here"
            )
        return data, secret

    def _accept(self, key: object) -> Any:
        raise NotImplementedError

    def sign(self, payload: bytes) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(private_key=<hidden>)"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("signers hold secrets and cannot be pickled")


class RsaSigner(_PrivateKeySigner):
    """RSASSA-PKCS1-v1_5 with SHA-256, base64 (the builder URL-encodes it, as the spec asks)."""

    __slots__ = ()
    _kind = "RSA"

    def _accept(self, key: object) -> Any:
        from cryptography.hazmat.primitives.asymmetric import rsa

        if not isinstance(key, rsa.RSAPrivateKey):
            raise UsageError(f"RsaSigner needs an RSA private key, not {type(key).__name__}")
        return key

    def sign(self, payload: bytes) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        raw = self._key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(raw).decode("ascii")


class Ed25519Signer(_PrivateKeySigner):
    """Ed25519, base64 (Binance's recommended key type)."""

    __slots__ = ()
    _kind = "Ed25519"

    def _accept(self, key: object) -> Any:
        from cryptography.hazmat.primitives.asymmetric import ed25519

        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise UsageError(
                f"Ed25519Signer needs an Ed25519 private key, not {type(key).__name__}"
            )
        return key

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self._key.sign(payload)).decode("ascii")


def _encoded(value: str | bytes, encoding: str) -> bytes | None:
    """``value`` as bytes, or None when it cannot be encoded."""
    if isinstance(value, bytes):
        return value
    try:
        return value.encode(encoding)
    except UnicodeEncodeError:
        return None


def _cryptography_serialization(who: str) -> Any:
    try:
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        raise MissingExtraError(
            f"{who} needs the 'cryptography' package: pip install 'filterlib[crypto]' "
            "(HmacSigner needs nothing extra)"
        ) from None
    return serialization
