"""``filterlib.lines.check_line``: one JSON Lines line, decoded and checked as the CLI does it."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from conftest import SYMBOL, build_info, order
from hypothesis import given, settings
from hypothesis import strategies as st

import filterlib
import filterlib.lines
from filterlib.lines import NO_SYMBOL, CheckedLine, LineError, check_line

INFO = build_info()


def test_a_bare_object_is_an_order_to_the_default_endpoint() -> None:
    params = order(quantity="0.5")
    checked = check_line(INFO, orjson.dumps(params) + b"\n")
    assert isinstance(checked, CheckedLine)
    symbol, verdict, got_params, context = checked  # still a plain 4-tuple to unpack
    assert symbol == SYMBOL
    assert verdict == filterlib.check(INFO, params)
    assert got_params == params
    assert context is None


def test_a_wrapped_request_is_checked_with_its_endpoint_and_context() -> None:
    params = order(price="100")
    context = {"avgPrice": {"mins": 5, "price": "10"}}
    line = {"endpoint": "/api/v3/order/test", "params": params, "context": context}
    checked = check_line(INFO, orjson.dumps(line))
    expected = filterlib.check(INFO, params, endpoint="/api/v3/order/test", context=context)
    assert checked.verdict == expected
    assert checked.params == params
    assert checked.context == context
    assert checked.symbol == SYMBOL


@pytest.mark.parametrize("symbol", [None, "", 7])
def test_an_order_without_a_usable_symbol_is_named_no_symbol(symbol: object) -> None:
    params: dict[str, Any] = {**order(), "symbol": symbol}
    checked = check_line(INFO, orjson.dumps(params))
    assert checked.symbol == NO_SYMBOL == "(no symbol)"
    assert not checked.verdict.ok


def test_params_that_are_not_an_object_make_a_bare_order() -> None:
    checked = check_line(INFO, orjson.dumps({**order(), "params": "x"}))
    assert checked.verdict.error is not None  # Binance rejects the unknown parameter
    assert checked.params["params"] == "x"


@pytest.mark.parametrize(
    ("raw", "start"),
    [
        (b"\xff\xfe{}", "not UTF-8 text (byte 0xff at byte 1); write the file in UTF-8"),
        (b'{"symbol": "BTCUSDT"', "not valid JSON (unexpected end of data at column 21)"),
        # The column counts the line ending: a line is checked as it is in the file.
        (b'{"symbol": "BTCUSDT"\n', "not valid JSON (unexpected end of data at column 1)"),
        (b"[1, 2]", "expected a JSON object, got an array"),
        (b"null", "expected a JSON object, got null"),
        (b'"BTCUSDT"', "expected a JSON object, got a string"),
        (b"42", "expected a JSON object, got a number"),
        (b"true", "expected a JSON object, got a boolean"),
        (b'{"params": {}, "id": 1, "a": 2}', "unknown key(s) a, id beside 'params'"),
        (b'{"params": {}, "endpoint": "/api/v3/nope"}', 'unknown endpoint "/api/v3/nope"'),
        (b'{"params": {}, "endpoint": 5}', "unknown endpoint 5"),
        (b'{"params": {}, "context": [1]}', "bad context: expected a JSON object, got an array"),
        (b'{"params": {}, "context": {"avgPrice": 1.5}}', "bad context: "),
        (b'{"params": {}, "context": {"nope": "1"}}', "bad context: "),
    ],
)
def test_a_line_that_cannot_be_checked_raises_line_error(raw: bytes, start: str) -> None:
    with pytest.raises(LineError) as caught:
        check_line(INFO, raw)
    assert str(caught.value).startswith(start)
    assert isinstance(caught.value, ValueError)


def test_a_long_unknown_endpoint_is_shortened() -> None:
    raw = orjson.dumps({"params": order(), "endpoint": "/api/" + "x" * 200})
    with pytest.raises(LineError, match=r"unknown endpoint \"/api/x+\.\.\.; use one of") as caught:
        check_line(INFO, raw)
    assert "x" * 100 not in str(caught.value)


@pytest.mark.parametrize("part", ["check", "judge"])
def test_a_failure_inside_filterlib_is_a_line_error_that_says_so(
    monkeypatch: pytest.MonkeyPatch, part: str
) -> None:
    def broken(*args: object, **kwargs: object) -> filterlib.Verdict:
        raise RuntimeError("boom")

    # A bare LIMIT order whose key is learned goes to judge() alone, a wrapped one to check().
    raw = orjson.dumps(order() if part == "judge" else {"params": order()})
    check_line(INFO, raw)
    monkeypatch.setattr(filterlib.lines, part, broken)
    with pytest.raises(LineError, match=r"^filterlib failed on this line \(RuntimeError: boom\)"):
        check_line(INFO, raw)


SHIPPED = filterlib.load_default_exchange_info()
_TEXTS = st.sampled_from(["30000.00", "0.00100", "0.00001", "1", "0", "1.", "1e3", "-1", "\u0661"])


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "symbol": st.sampled_from(["BTCUSDT", "ETHBTC", "BNBUSDT", "NOPE"]),
            "side": st.sampled_from(["BUY", "SELL", "buy"]),
            "type": st.sampled_from(["LIMIT", "LIMIT", "MARKET"]),
            "timeInForce": st.sampled_from(["GTC", "IOC", "GTX"]),
            "quantity": _TEXTS | st.decimals(0, 10, places=5).map(str),
            "price": _TEXTS | st.decimals(0, 100_000, places=2).map(str),
        },
        optional={
            "newClientOrderId": st.sampled_from(["abc-1", "bad id"]),
            "recvWindow": st.sampled_from(["5000", "60001", 7]),
            "params": st.sampled_from([None, "x", 1]),
            "icebergQty": st.sampled_from(["0.001"]),
        },
    )
)
def test_a_bare_line_gets_checks_answer(params: dict[str, Any]) -> None:
    # check_line answers a bare plain LIMIT order through the fast path directly, not through
    # check(): every bare line must still get check()'s verdict, cold and warm.
    raw = orjson.dumps(params)
    for _ in range(2):
        checked = check_line(SHIPPED, raw)
        assert checked.verdict.to_dict() == filterlib.check(SHIPPED, params).to_dict()
        assert checked.params == params
        assert checked.context is None


def test_the_line_ending_changes_no_verdict() -> None:
    raw = orjson.dumps(order(quantity="0.0001"))
    verdicts = {check_line(INFO, raw + end).verdict for end in (b"", b"\n", b"\r\n", b"  \n")}
    assert len(verdicts) == 1
