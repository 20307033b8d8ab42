"""Decimal safety: every verdict is the same under any caller decimal context and from many
threads at once, on every endpoint (order lists, SOR, cancel-replace, amend) and on the fast
path, for passing and failing orders alike. One test proves both (docs/reliability.md)."""

from __future__ import annotations

import decimal
import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import test_conformance as conformance

import filterlib
from filterlib._endpoints import ENDPOINTS

ROUNDINGS = [
    decimal.ROUND_CEILING,
    decimal.ROUND_DOWN,
    decimal.ROUND_FLOOR,
    decimal.ROUND_HALF_DOWN,
    decimal.ROUND_HALF_EVEN,
    decimal.ROUND_HALF_UP,
    decimal.ROUND_UP,
    decimal.ROUND_05UP,
]
ALL_TRAPS = list(decimal.Context().flags)
DEFAULT = filterlib.load_default_exchange_info()
PRICES = {"avgPrice": {"mins": 5, "price": "29000.00"}, "lastPrice": "29100.00"}

#: (snapshot, endpoint, params, context): every conformance case, then plain LIMIT orders the
#: fast path answers (passing and failing, with and without prices), then a stale snapshot.
REQUESTS: list[tuple[filterlib.ExchangeInfo, str, dict[str, Any], Any, Any]] = [
    (
        conformance.snapshot(c["snapshot"]),
        c["endpoint"],
        c["params"],
        c.get("context"),
        conformance.as_of(c),
    )
    for _, c in conformance.CASES
]
REQUESTS += [
    (
        DEFAULT,
        "/api/v3/order",
        {
            "symbol": s,
            "side": side,
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": q,
            "price": p,
        },
        ctx,
        None,
    )
    for s, side, q, p, ctx in itertools.product(
        ("BTCUSDT", "ETHBTC"),
        ("BUY", "SELL"),
        ("0.00001", "0.001", "0.0012345", "1"),
        ("29000.00", "29000.005", "0.06", "33333.33"),
        (None, PRICES),
    )
]
REQUESTS.append(
    (DEFAULT, "/api/v3/order", REQUESTS[-1][2], {"serverTime": 2_000_000_000_000}, None)
)

#: Caller contexts: every precision 1 to 60 and, at the extremes, every rounding with traps on
#: and off.
CALLER_CONTEXTS = [
    decimal.Context(prec=prec, rounding=ROUNDINGS[prec % 8], traps=ALL_TRAPS if prec % 2 else [])
    for prec in range(1, 61)
] + [
    decimal.Context(prec=prec, rounding=r, traps=traps)
    for prec in (1, 60)
    for r in ROUNDINGS
    for traps in (ALL_TRAPS, [])
]


#: Each caller context judges every SPREAD-th request (so each request meets about 30 of them),
#: which keeps the test within a few seconds.
SPREAD = 3


def _answers(job: tuple[int, decimal.Context]) -> list[dict[str, Any]]:
    index, caller = job
    decimal.setcontext(caller.copy())  # this thread only
    # Read every verdict whole: the fast path computes violations on first access, here,
    # under the caller's context.
    return [
        filterlib.check(info, params, endpoint=endpoint, context=ctx, as_of=day).to_dict()
        for info, endpoint, params, ctx, day in REQUESTS[index % SPREAD :: SPREAD]
    ]


def test_same_verdicts_under_any_decimal_context_from_many_threads() -> None:
    expected = [
        filterlib.check(info, params, endpoint=endpoint, context=ctx, as_of=day).to_dict()
        for info, endpoint, params, ctx, day in REQUESTS
    ]
    assert {endpoint for _, endpoint, _, _, _ in REQUESTS} == set(ENDPOINTS)
    assert any(e["ok"] for e in expected)
    assert not all(e["ok"] for e in expected)
    assert any("warnings" in e for e in expected)
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(_answers, enumerate(CALLER_CONTEXTS)))
    for index, (caller, result) in enumerate(zip(CALLER_CONTEXTS, results, strict=True)):
        mine = slice(index % SPREAD, None, SPREAD)
        for request, got, want in zip(REQUESTS[mine], result, expected[mine], strict=True):
            assert got == want, (caller, request[1], request[2])
