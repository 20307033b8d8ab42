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
from test_fuzz_snapshot import hostile, json_values

import filterlib
from filterlib.endpoints import ENDPOINTS

INFO = filterlib.load_default_exchange_info()
NAMES = sorted({p for e in ENDPOINTS.values() for p in e.parameters})
SYMBOLS = ["BTCUSDT", "ETHBTC", "BNBUSDT", "btcusdt", "NOPE", ""]
WIRE = st.sampled_from(
    ["0.001", "30000.00", "1", "0", "0.00000001", "99999999999999999999", "GTC", "BUY", "LIMIT"]
)

values = WIRE | hostile | json_values | st.text(max_size=30)
params = st.fixed_dictionaries(
    {"symbol": st.sampled_from(SYMBOLS) | values},
    optional={
        "side": st.sampled_from(["BUY", "SELL"]) | values,
        "type": st.sampled_from(["LIMIT", "MARKET", "STOP_LOSS_LIMIT", "LIMIT_MAKER"]) | values,
    },
).flatmap(
    lambda base: st.dictionaries(
        st.sampled_from(NAMES) | st.text(max_size=10), values, max_size=8
    ).map(lambda extra: {**extra, **base})
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


def _judge(request: dict[str, Any], endpoint: str, context: object) -> None:
    with bounded(f"check({endpoint})"):
        try:
            # Today's rules: the shipped snapshot predates some endpoints (the amend, OPO).
            verdict = filterlib.check(
                INFO,
                request,
                endpoint=endpoint,
                context=context,  # type: ignore[arg-type]
                as_of="latest",
            )
        except filterlib.UsageError:
            assert context is not None, "UsageError without a context: only a bad context may"
            return
        verdict.violations  # noqa: B018 - computed lazily: must not raise either
        body = verdict.to_dict()
        assert (body["code"] is None) == verdict.ok


@FUZZ
@given(params, st.sampled_from(sorted(ENDPOINTS)), contexts)
def test_check_gives_a_verdict_or_a_usage_error(
    request: dict[str, Any], endpoint: str, context: object
) -> None:
    _judge(request, endpoint, context)


@FUZZ
@given(st.sampled_from(sorted(ENDPOINTS)), st.dictionaries(st.sampled_from(NAMES), hostile))
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
    request = {**PLAIN, name: value}
    _judge(request, endpoint, None)
    many = filterlib.check_many(INFO, [request], endpoint=endpoint)
    assert many[0] == filterlib.check(INFO, request, endpoint=endpoint)
