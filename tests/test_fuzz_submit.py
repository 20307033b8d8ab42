"""Fuzz the submitter's edge: hostile keys, secrets, base URLs and parameter values.

Every call ends in a ``Response`` or a ``UsageError``; no message, log line or ``repr`` shows a
credential; and what the guard checked is exactly what the loopback fake received. These
properties find each submitter item of issue 17 on the code before it (a key with a newline
escaped as ValueError quoting it, a URL with credentials was echoed, None went out as "None").
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from conftest import build_info, order
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz_guard import FUZZ, bounded
from test_fuzz_snapshot import hostile, json_values
from test_submit_hostile import exception_text

import filterlib
from filterlib import UsageError
from filterlib._endpoints import ENDPOINTS
from filterlib.submit import Guard, HmacSigner, RecordingSubmitter, Response, RestSubmitter
from filterlib.submit.testing import API_KEY, SECRET, FakeBinance, serve

INFO = build_info()
ENDPOINT = "/api/v3/order"
NAMES = sorted(ENDPOINTS[ENDPOINT].parameters)
#: Characters that a key read or pasted carelessly brings along.
STRAY = ["\n", "\r\n", "\r", " ", "\t", "\x00", "\x7f", "\u00e9", "\u2028", "\ufeff", "\ud800"]

#: A credential's distinctive core (what must never show): letters and digits between two
#: markers. Hypothesis also draws the code's own constants ("newClientOrderId" is 16 letters,
#: and in a log line): the markers keep a token, and each half of it, from meaning anything.
tokens = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=12, max_size=60
).map(lambda core: f"Qz7{core}Jx4")


@st.composite
def decorated(draw: st.DrawFn, token: str) -> str:
    """``token`` with stray characters at its start, end or middle, or none."""
    where = draw(st.sampled_from(["start", "end", "middle", "none"]))
    stray = "".join(draw(st.lists(st.sampled_from(STRAY), min_size=1, max_size=3)))
    cut = len(token) // 2
    return {
        "start": stray + token,
        "end": token + stray,
        "middle": token[:cut] + stray + token[cut:],
        "none": token,
    }[where]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeBinance]:
    with serve(api_key=API_KEY) as server:
        yield server


@contextmanager
def captured_logs() -> Iterator[list[str]]:
    """Every record logged anywhere during the block, formatted."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    root = logging.getLogger()
    handler, level = Keep(logging.DEBUG), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def leaks(text: str, *tokens: str) -> list[str]:
    """The credential cores (or either half of one) found in ``text``."""
    return [t for t in tokens for part in (t, t[: len(t) // 2], t[len(t) // 2 :]) if part in text]


@FUZZ
@given(data=st.data(), key_token=tokens, secret_token=tokens)
def test_hostile_keys_and_secrets_end_in_a_response_or_an_unshown_usage_error(
    fake: FakeBinance, data: st.DataObject, key_token: str, secret_token: str
) -> None:
    key = data.draw(decorated(key_token) | st.just(key_token.encode()), label="key")
    secret = data.draw(decorated(secret_token) | st.just(secret_token.encode() + b"\n"))
    shown: list[str] = []
    before = len(fake.requests)
    with captured_logs() as logs, bounded("RestSubmitter and Guard.submit"):
        try:
            rest = RestSubmitter(fake.url, key, HmacSigner(secret), timeout=5)  # type: ignore[arg-type]
            guard = Guard(rest, INFO, allow_unchecked=True)
            response = guard.submit(ENDPOINT, order())
        except UsageError as exc:
            shown.append(exception_text(exc))
        else:
            shown += [repr(rest), str(rest), repr(guard), repr(response), str(response.body)]
            # Accepted only when nothing stray came along; then the fake saw it as given
            # (when an answer came: a loaded machine may run out the call's deadline).
            assert key == key_token
            if response.status is not None:
                (sent,) = fake.requests[before:]
                assert sent.headers["x-mbx-apikey"] == key_token
    assert not leaks("\n".join(shown + logs), key_token, secret_token)


#: URL pieces, among them every way of writing credentials into one.
SCHEMES = st.sampled_from(["https", "http", "htps", "HTTPS", "ftp", ""])
SEPARATORS = st.sampled_from(["://", ":/", "//", ":", ""])
HOSTS = st.sampled_from(["127.0.0.1", "api.binance.com", "[::1]", "", "[bad", "h\u00e9st"])
PORTS = st.sampled_from(["", ":1", ":443", ":99999", ":x", ":"])
PATHS = st.sampled_from(["", "/", "/api", "/a b", "?q=1", "#f"])


@FUZZ
@given(
    user=tokens,
    password=tokens,
    scheme=SCHEMES,
    separator=SEPARATORS,
    host=HOSTS,
    port=PORTS,
    path=PATHS,
    form=st.sampled_from(["{u}:{p}@", "{u}@", ":{p}@", "{u}:{p}@@"]),
)
def test_a_url_with_credentials_is_refused_and_never_shown(
    user: str,
    password: str,
    scheme: str,
    separator: str,
    host: str,
    port: str,
    path: str,
    form: str,
) -> None:
    url = scheme + separator + form.format(u=user, p=password) + host + port + path
    with pytest.raises(UsageError) as caught:
        RestSubmitter(url, API_KEY, HmacSigner(SECRET), timeout=1, allow_http=True)
    assert not leaks(exception_text(caught.value), user, password)


@FUZZ
@given(token=tokens, before=st.text(max_size=20), after=st.text(max_size=20), http=st.booleans())
def test_any_base_url_is_taken_or_refused_unshown(
    token: str, before: str, after: str, http: bool
) -> None:
    message = ""
    try:
        RestSubmitter(
            before + token + after, API_KEY, HmacSigner(SECRET), timeout=1, allow_http=http
        )
    except UsageError as exc:
        message = exception_text(exc)
    assert not leaks(message, token)


# Values check() reads as the same text, and values it reads as absent (None).
ODD = (
    st.none()
    | hostile
    | json_values
    | st.decimals(allow_nan=True, places=None)
    | st.integers(-(10**30), 10**30)
    | st.text(max_size=12)
)
names = st.sampled_from(NAMES) | st.text(max_size=10) | st.integers(-3, 3)


@st.composite
def orders(draw: st.DrawFn) -> dict[object, object]:
    """A valid order with some values swapped for equal ones of other types, some odd values,
    and parameters set to None (not sent) under any name."""
    params: dict[object, object] = {}
    params.update(order())
    swaps = {"quantity": [1, Decimal("1"), Decimal("1.000")], "price": [10, Decimal("10.0")]}
    for name, choices in swaps.items():
        params[name] = draw(st.sampled_from([params[name], *choices]))
    for absent in draw(st.lists(names, max_size=4)):
        params[absent] = None
    for odd in draw(st.lists(names, max_size=2)):
        params[odd] = draw(ODD)
    return params


@FUZZ
@given(params=orders())
def test_the_guard_sends_exactly_what_it_checked(
    fake: FakeBinance, params: dict[object, object]
) -> None:
    rest = RestSubmitter(fake.url, API_KEY, HmacSigner(SECRET), timeout=5)
    before = len(fake.requests)
    with bounded("Guard.submit over RestSubmitter"):
        try:
            guard = Guard(rest, INFO, allow_unchecked=True)
            response = guard.submit(ENDPOINT, params)  # type: ignore[arg-type]
        except UsageError:
            assert len(fake.requests) == before  # refused before anything left
            return
    if not response.sent:
        assert len(fake.requests) == before
        return
    (sent,) = fake.requests[before:]
    given_names = {str(k) for k, v in params.items() if v is not None}
    added = {"timestamp", "signature"} | {"recvWindow", "newClientOrderId"} - given_names
    received = {k: v for k, v in sent.params.items() if k not in added}
    assert set(received) == given_names  # no None went out, nothing else was added
    recheck = filterlib.check(INFO, received, endpoint=ENDPOINT)
    assert response.verdict is not None
    assert recheck.error == response.verdict.error
    assert [v.rule for v in recheck.violations] == [v.rule for v in response.verdict.violations]
    assert [u.rule for u in recheck.unchecked] == [u.rule for u in response.verdict.unchecked]


@FUZZ
@given(params=orders())
def test_the_guard_over_a_recording_submitter_answers_or_says_usage_error(
    params: dict[object, object],
) -> None:
    inner = RecordingSubmitter([Response.accepted()])
    guard = Guard(inner, INFO, allow_unchecked=True)
    with bounded("Guard.submit over RecordingSubmitter"):
        for _ in range(2):  # a second call that passes runs past the one-reply script
            calls = len(inner.calls)
            try:
                response = guard.submit(ENDPOINT, params)  # type: ignore[arg-type]
            except UsageError:
                assert len(inner.calls) == 2  # the script ran out, and said so
                return
            assert len(inner.calls) == calls + response.sent
