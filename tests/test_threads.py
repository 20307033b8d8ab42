"""check() is pure: threads at once, each with its own decimal settings, get the same answers."""

from __future__ import annotations

import decimal
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import filterlib

INFO = filterlib.load_default_exchange_info()
CONTEXT = {
    "avgPrice": "29000.00",
    "lastPrice": "29100.00",
    "bidPrice": "29000",
    "askPrice": "29001",
}
ORDERS: list[dict[str, Any]] = [
    {"symbol": s, "side": side, "type": "LIMIT", "timeInForce": "GTC", "quantity": q, "price": p}
    for s in ("BTCUSDT", "ETHBTC", "BNBUSDT")
    for side in ("BUY", "SELL")
    for q in ("0.00001", "0.001", "0.0012345", "1")
    for p in ("29000.00", "29000.005", "0.06", "300.0")
] + [
    {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "type": "STOP_LOSS_LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.01",
        "price": "28000.00",
        "stopPrice": s,
    }
    for s in ("28000.00", "29100.00", "29200.00")
]


def _answers(prec: int) -> list[dict[str, Any]]:
    # A hostile caller: tiny precision, odd rounding, every trap on, in this thread only.
    decimal.setcontext(
        decimal.Context(prec=prec, rounding=decimal.ROUND_UP, traps=list(decimal.Context().flags))
    )
    return [filterlib.check(INFO, o, context=CONTEXT).to_dict() for o in ORDERS]


def test_threads_with_their_own_decimal_contexts_get_the_same_verdicts() -> None:
    expected = [filterlib.check(INFO, o, context=CONTEXT).to_dict() for o in ORDERS]
    assert any(e["ok"] for e in expected)
    assert not all(e["ok"] for e in expected)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(_answers, [1, 2, 3, 5, 8, 13, 28, 60] * 3))
    for result in results:
        assert result == expected
