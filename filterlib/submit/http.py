"""The HTTP layer: one request over the standard library's ``http.client``, no dependency.

It knows nothing about Binance. It returns every status as an :class:`HttpReply` (4xx and 5xx
are answers, not exceptions) and raises :class:`HttpFailure` only when no complete answer
arrived, saying whether the request may have reached the server: that is what decides between
"not sent" and "status UNKNOWN" for an order. Messages name the method and path only, never the
query string or headers, which carry the signature and the API key, nor the base URL. A call's
``timeout`` is its deadline as a whole, not each socket operation's.
"""

from __future__ import annotations

import http.client
import io
import re
import socket
import ssl
import time
from collections.abc import Mapping
from ipaddress import ip_address
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit

from attrs import frozen

from ..exceptions import UsageError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["HttpFailure", "HttpReply", "is_loopback", "request", "split_base_url"]

#: Binance answers are small; a bigger one is not Binance (exchangeInfo is about 20 MB at most).
MAX_BODY = 64 * 1024 * 1024

_BAD_URL = "base URL must be http(s)://host[:port][/path] (not shown: it may hold credentials)"
_PRINTABLE_ASCII = re.compile(r"[!-~]*")
#: A name's letters, digits, dots and dashes, or an IPv6 address without its brackets.
_HOST = re.compile(r"[a-z0-9.\-]+|[0-9a-f:.]+")


@frozen
class HttpReply:
    status: int
    headers: Mapping[str, str]  # lower-cased names
    body: bytes


class HttpFailure(Exception):
    """No complete answer. ``timed_out``: the timeout expired; ``maybe_sent``: the request may
    have reached the server (so an order's fate is unknown)."""

    def __init__(self, message: str, *, timed_out: bool, maybe_sent: bool) -> None:
        super().__init__(message)
        self.timed_out = timed_out
        self.maybe_sent = maybe_sent


def split_base_url(base_url: str) -> tuple[str, str, int | None, str]:
    """``(scheme, host, port, path prefix)`` of an ``http(s)://host[:port][/prefix]`` URL.

    Its messages never quote the URL: a mistyped one may carry credentials (``user:key@``),
    which it refuses, or be the key itself pasted in the wrong place.
    """
    if not isinstance(base_url, str):
        raise UsageError(f"base URL must be a str, not {type(base_url).__name__}")
    if "@" in base_url:
        raise UsageError(_BAD_URL + "; it must not carry credentials (user:password@)")
    if not _PRINTABLE_ASCII.fullmatch(base_url):
        raise UsageError(_BAD_URL + "; it has a space, a control or a non-ASCII character")
    parsed = _parsed(base_url)
    if parsed is None:  # raised here, not in the except block: no chained error quotes it
        raise UsageError(_BAD_URL + "; it does not parse (a bad port or IPv6 address)")
    parts, port = parsed
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(_BAD_URL)
    if not _HOST.fullmatch(parts.hostname):
        raise UsageError(_BAD_URL + "; the host has a character no host name has")
    if parts.query or parts.fragment:
        raise UsageError(_BAD_URL + "; it must not carry a query or a fragment")
    return parts.scheme, parts.hostname, port, parts.path.rstrip("/")


def _parsed(base_url: str) -> tuple[SplitResult, int | None] | None:
    try:
        parts = urlsplit(base_url)
        return parts, parts.port
    except ValueError:  # its message may quote the port's text
        return None


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1): nothing leaves the
    machine, so cleartext HTTP exposes nothing."""
    if host.lower() == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def request(
    method: str,
    base_url: str,
    path: str,
    *,
    query: str = "",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float,
) -> HttpReply:
    """Send one request and read the whole answer, all within ``timeout`` seconds.

    The deadline covers connecting, sending and every byte of the answer, so a server that
    trickles bytes cannot hold the call past it. Resolving the host name (DNS) is the
    system's and is not bounded by it.
    """
    deadline = time.monotonic() + timeout
    scheme, host, port, prefix = split_base_url(base_url)
    target = prefix + path + (f"?{query}" if query else "")
    # Always a port: given none, http.client reads an IPv6 address's last group as one.
    port = port or (443 if scheme == "https" else 80)
    conn: http.client.HTTPConnection
    if scheme == "https":
        conn = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    where = f"{method} {path}"
    try:
        _connect(conn, where, timeout, deadline)
        try:
            conn.sock.settimeout(_remaining(deadline))
            conn.request(method, target, body=body, headers=dict(headers or {}))
            response = _DeadlineResponse(conn.sock, deadline, method)
            response.begin()
            data = response.read(MAX_BODY + 1)
        except TimeoutError:
            raise HttpFailure(
                f"{where}: no complete answer within {timeout:g}s",
                timed_out=True,
                maybe_sent=True,
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            raise HttpFailure(
                f"{where}: connection lost before the answer ({type(exc).__name__})",
                timed_out=False,
                maybe_sent=True,
            ) from None
        if len(data) > MAX_BODY:
            raise HttpFailure(
                f"{where}: answer larger than {MAX_BODY} bytes", timed_out=False, maybe_sent=True
            )
        reply_headers = {name.lower(): value for name, value in response.getheaders()}
        return HttpReply(response.status, reply_headers, data)
    finally:
        conn.close()


def _connect(conn: http.client.HTTPConnection, where: str, timeout: float, deadline: float) -> None:
    try:
        conn.connect()
        _remaining(deadline)  # several addresses tried in turn may each take the timeout
    except TimeoutError as exc:
        raise HttpFailure(
            f"{where}: connecting timed out after {timeout:g}s", timed_out=True, maybe_sent=False
        ) from exc
    except (OSError, ValueError) as exc:  # ValueError: ssl's IDNA check of the host name
        strerror = exc.strerror if isinstance(exc, OSError) else None
        raise HttpFailure(
            f"{where}: cannot connect ({strerror or type(exc).__name__})",
            timed_out=False,
            maybe_sent=False,
        ) from None


def _remaining(deadline: float) -> float:
    """Seconds left before ``deadline``; TimeoutError when none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the call's deadline passed")
    return left


class _DeadlineReader(io.RawIOBase):
    """Reads a socket with each read's timeout cut to what is left of the call's deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        self._sock.settimeout(_remaining(self._deadline))
        return self._sock.recv_into(buffer)


class _DeadlineResponse(http.client.HTTPResponse):
    """An ``HTTPResponse`` whose status line, headers and body all read under the deadline."""

    def __init__(self, sock: socket.socket, deadline: float, method: str) -> None:
        super().__init__(sock, method=method)
        self.fp.close()  # the plain file http.client made; closing it lets the socket close
        self.fp = io.BufferedReader(_DeadlineReader(sock, deadline))
