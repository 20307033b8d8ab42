"""Fuzz ``check`` and the parameter decoder on every endpoint: a verdict or a documented error.

Parameters are drawn from every endpoint's own parameter names plus arbitrary ones, with
values of every JSON type and hostile text (exponents, NaN, negative zero, long strings,
non-ASCII digits); contexts are arbitrary too. The only exceptions allowed are UsageError
(ContextError is one), and only for a context not in Binance's shapes; every verdict must
render (``violations``, computed lazily by the fast path, and ``to_dict()``).
"""

from __future__ import annotations

from typing import Any

from conftest import BTC_LIMIT
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz_guard import FUZZ, bounded
from test_fuzz_snapshot import Deep, Huge, _expand, deep_or_huge, hostile, json_values

import filterlib
from filterlib._context import CONTEXT_KEYS
from filterlib._endpoints import ENDPOINTS

INFO = filterlib.load_default_exchange_info()
NAMES = sorted({p for e in ENDPOINTS.values() for p in e.parameters})
SYMBOLS = ["BTCUSDT", "ETHBTC", "BNBUSDT", "btcusdt", "NOPE", ""]
WIRE = st.sampled_from(
    ["0.001", "30000.00", "1", "0", "0.00000001", "99999999999999999999", "GTC", "BUY", "LIMIT"]
)

values = WIRE | hostile | json_values | st.text(max_size=30) | deep_or_huge
#: Parameter names beside the endpoint's own: any text, and keys too deep or too long to print.
odd_names: st.SearchStrategy[object] = (
    st.text(max_size=10)
    | st.builds(Deep, st.integers(1, 3000), st.just("tuple"))
    | st.builds(Huge, st.integers(4000, 6000), st.just(False))
)
#: Endpoints as a caller might pass them by mistake: unhashable, nested, huge, near misses.
odd_endpoints: st.SearchStrategy[object] = (
    st.sampled_from([None, b"/api/v3/order", "/api/v3/order/", "", 0, 1.5, True, (), frozenset()])
    | st.lists(st.sampled_from(sorted(ENDPOINTS)), max_size=2)
    | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)
    | st.sets(st.integers(), max_size=2)
    | st.builds(Deep, st.integers(1, 3000), st.sampled_from(["list", "tuple"]))
    | st.builds(Huge, st.integers(4000, 6000), st.booleans())
)
endpoints = st.sampled_from(sorted(ENDPOINTS)) | odd_endpoints
params = st.fixed_dictionaries(
    {"symbol": st.sampled_from(SYMBOLS) | values},
    optional={
        "side": st.sampled_from(["BUY", "SELL"]) | values,
        "type": st.sampled_from(["LIMIT", "MARKET", "STOP_LOSS_LIMIT", "LIMIT_MAKER"]) | values,
    },
).flatmap(
    lambda base: st.dictionaries(st.sampled_from(NAMES) | odd_names, values, max_size=8).map(
        lambda extra: {**extra, **base}
    )
)
contexts = st.none() | st.dictionaries(
    st.sampled_from(
        [
            "avgPrice",
            "lastPrice",
            "bidPrice",
            "askPrice",
            "bookTicker",
            "referencePrice",
            "account",
            "openOrders",
            "serverTime",
            "other",
        ]
    ),
    values,
    max_size=4,
)
#: A full, valid context with one value anywhere in it (a key, an account or open-order field)
#: replaced by a hostile one.
ACCOUNT = {"canTrade": True, "permissions": ["SPOT"], "balances": []}
BALANCE = {"asset": "BTC", "free": "1.00000000", "locked": "0.00000000"}
OPEN_ORDER = {
    "symbol": "BTCUSDT",
    "orderId": 1,
    "clientOrderId": "a",
    "side": "BUY",
    "type": "LIMIT",
    "price": "30000.00",
    "origQty": "0.00100",
    "executedQty": "0",
    "icebergQty": "0",
    "status": "NEW",
}


@st.composite
def deep_contexts(draw: st.DrawFn) -> dict[str, object]:
    value = draw(values)
    place = draw(st.sampled_from(["key", "account", "balance", "openOrder"]))
    if place == "key":
        return {draw(st.sampled_from(CONTEXT_KEYS)): value}
    balance: dict[str, object] = dict(BALANCE)
    order: dict[str, object] = dict(OPEN_ORDER)
    account: dict[str, object] = {**ACCOUNT, "balances": [balance]}
    if place == "account":
        account[draw(st.sampled_from(sorted(ACCOUNT)))] = value
    elif place == "balance":
        balance[draw(st.sampled_from(sorted(BALANCE)))] = value
    else:
        order[draw(st.sampled_from(sorted(OPEN_ORDER)))] = value
    return {"account": account, "openOrders": [order]}


def _judge(request: dict[str, Any], endpoint: object, context: object) -> None:
    built = _expand(request)
    assert isinstance(built, dict)
    endpoint, context = _expand(endpoint), _expand(context)
    with bounded("check()"):
        try:
            # Today's rules: the shipped snapshot predates some endpoints (the amend, OPO).
            verdict = filterlib.check(
                INFO,
                built,
                endpoint=endpoint,  # type: ignore[arg-type]
                context=context,  # type: ignore[arg-type]
                as_of="latest",
            )
        except filterlib.ContextError:
            assert context is not None, "ContextError without a context"
            return
        except filterlib.UsageError:
            known = isinstance(endpoint, str) and endpoint in ENDPOINTS
            assert not known, "UsageError on a known endpoint: only misuse may"
            return
        verdict.violations  # noqa: B018 - computed lazily: must not raise either
        body = verdict.to_dict()
        assert (body["code"] is None) == verdict.ok


@FUZZ
@given(params, endpoints, contexts | deep_contexts())
def test_check_gives_a_verdict_or_a_usage_error(
    request: dict[str, Any], endpoint: object, context: object
) -> None:
    _judge(request, endpoint, context)


@FUZZ
@given(st.sampled_from(sorted(ENDPOINTS)), deep_contexts())
def test_hostile_values_in_every_context_field(endpoint: str, context: dict[str, object]) -> None:
    _judge(dict(PLAIN), endpoint, context)


@FUZZ
@given(
    st.sampled_from(sorted(ENDPOINTS)),
    st.dictionaries(st.sampled_from(NAMES), hostile | deep_or_huge),
)
def test_hostile_values_in_every_parameter(endpoint: str, request: dict[str, Any]) -> None:
    _judge(request, endpoint, None)


#: A plain LIMIT order the fast path judges (it is checked once first, so its key is learned).
PLAIN = dict(BTC_LIMIT)


#: Digit strings around Binance's limits (20 digits each side of the dot) and far beyond them
#: (int() refuses more than 4,300 digits).
digit_texts = st.builds(
    lambda whole, fraction: "1" * whole + ("." + "5" * fraction if fraction >= 0 else ""),
    st.integers(0, 25) | st.integers(4000, 6000),
    st.integers(-1, 25) | st.integers(4000, 6000),
)


@FUZZ
@given(
    st.sampled_from(sorted(PLAIN)),
    values | digit_texts,
    st.sampled_from(["/api/v3/order", "/api/v3/order/test"]),
)
def test_a_plain_limit_order_with_any_one_value(name: str, value: object, endpoint: str) -> None:
    # The fast path reads these six parameters itself; whatever one of them holds, the answer
    # is a verdict (and the same from check_many).
    assert filterlib.check(INFO, PLAIN, endpoint=endpoint).ok
    _judge({**PLAIN, name: value}, endpoint, None)
    request = _expand({**PLAIN, name: value})
    assert isinstance(request, dict)
    many = filterlib.check_many(INFO, [request], endpoint=endpoint)
    assert many[0] == filterlib.check(INFO, request, endpoint=endpoint)
