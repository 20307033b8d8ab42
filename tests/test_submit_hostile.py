"""Hostile or broken input at the submitter's edge: no leak, no hang, no stray exception.

Each test here failed before its fix (issue 17, items 15-20): credentials in a base URL were
echoed, cleartext HTTP went anywhere, a key with a newline escaped as a ValueError quoting it,
None was sent as the text "None", and a trickling server held a call past its timeout.
"""

from __future__ import annotations

import pytest
from fake_binance import API_KEY, SECRET

from filterlib import UsageError
from filterlib.submit import HmacSigner, RestSubmitter

#: Distinctive credentials to look for in every message.
USER = "u5er-Zq8TOKEN"
PASSWORD = "pa55-Wr3TOKEN"


def exception_text(exc: BaseException) -> str:
    """``str`` and ``repr`` of ``exc`` and of every exception chained to it."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None:
        parts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


def make(url: str, **kwargs: object) -> RestSubmitter:
    return RestSubmitter(url, API_KEY, HmacSigner(SECRET), timeout=1, **kwargs)  # type: ignore[arg-type]


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
    with pytest.raises(UsageError, match="cleartext"):
        make(url)
    assert "api_key=<hidden>" in repr(make(url, allow_http=True))  # the caller's choice


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9", "http://127.8.9.10", "http://localhost:9", "http://[::1]:9"]
)
def test_cleartext_http_to_loopback_needs_no_leave(url: str) -> None:
    assert "api_key=<hidden>" in repr(make(url))


def test_https_needs_no_leave() -> None:
    assert "api_key=<hidden>" in repr(make("https://api.binance.com"))
