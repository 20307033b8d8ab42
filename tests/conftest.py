"""Shared builders: a minimal exchangeInfo each test overrides, default orders, assertions.

Every test states its own limits: :func:`build_info` starts from one symbol, ``TSTUSDT``, with
only a PRICE_FILTER and a LOT_SIZE, and takes overrides for filters and symbol fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

import filterlib
from filterlib import ExchangeInfo, Verdict, Violation

SYMBOL = "TSTUSDT"
#: A plain LIMIT order that passes on the shipped snapshot (BTCUSDT, 2023-08-13) without context.
BTC_LIMIT: dict[str, str] = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.00100",
    "price": "30000.00",
}
ALL_ORDER_TYPES = [
    "LIMIT",
    "LIMIT_MAKER",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
]

DEFAULT_FILTERS: dict[str, dict[str, Any]] = {
    "PRICE_FILTER": {
        "minPrice": "0.01000000",
        "maxPrice": "100000.00000000",
        "tickSize": "0.01000000",
    },
    "LOT_SIZE": {"minQty": "0.00100000", "maxQty": "1000.00000000", "stepSize": "0.00100000"},
}

FilterOverrides = Mapping[str, Mapping[str, Any] | None]


def with_(base: dict[str, Any], **changes: object) -> dict[str, Any]:
    """``base`` with ``changes``; a change to None removes the key (as a client drops None)."""
    out = dict(base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def symbol_dict(filters: FilterOverrides | None = None, **fields: object) -> dict[str, Any]:
    """One exchangeInfo symbol entry. ``filters`` merges into the defaults by filterType (None
    removes a filter; a type not among the defaults needs all its fields); ``fields`` replace
    symbol fields (None removes the field, as in a snapshot that predates it)."""
    merged: dict[str, dict[str, Any]] = {k: dict(v) for k, v in DEFAULT_FILTERS.items()}
    for name, override in (filters or {}).items():
        if override is None:
            merged.pop(name, None)
        else:
            merged[name] = {**merged.get(name, {}), **override}
    entry: dict[str, Any] = {
        "symbol": SYMBOL,
        "status": "TRADING",
        "baseAsset": "TST",
        "baseAssetPrecision": 8,
        "quoteAsset": "USDT",
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "orderTypes": list(ALL_ORDER_TYPES),
        "icebergAllowed": True,
        "ocoAllowed": True,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": True,
        "cancelReplaceAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
        "filters": [{"filterType": name, **body} for name, body in merged.items()],
    }
    return with_(entry, **fields)


def build_info(
    filters: FilterOverrides | None = None,
    exchange_filters: Sequence[Mapping[str, Any]] = (),
    **fields: object,
) -> ExchangeInfo:
    """A one-symbol ExchangeInfo, loaded through the public loader."""
    return filterlib.load_exchange_info(
        {
            "timezone": "UTC",
            "serverTime": 1700000000000,
            "rateLimits": [],
            "exchangeFilters": [dict(f) for f in exchange_filters],
            "symbols": [symbol_dict(filters, **fields)],
        }
    )


MakeInfo = Callable[..., ExchangeInfo]


@pytest.fixture
def make_info() -> MakeInfo:
    """The factory :func:`build_info`, as a fixture."""
    return build_info


def order(**params: object) -> dict[str, object]:
    """A valid LIMIT BUY of 1 TST at 10 USDT; keyword arguments replace (None removes) params."""
    base: dict[str, object] = {
        "symbol": SYMBOL,
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "1",
        "price": "10",
    }
    return with_(base, **params)


def full_context(**overrides: object) -> dict[str, object]:
    """Every context key, in Binance's shapes, with room for any order; overrides replace keys
    (None removes one)."""
    ctx: dict[str, object] = {
        "avgPrice": {"mins": 5, "price": "10.00000000"},
        "lastPrice": {"symbol": SYMBOL, "price": "10.00000000"},
        "bookTicker": {
            "symbol": SYMBOL,
            "bidPrice": "9.99000000",
            "bidQty": "1.00000000",
            "askPrice": "10.01000000",
            "askQty": "1.00000000",
        },
        "account": {
            "canTrade": True,
            "permissions": ["SPOT"],
            "balances": [
                {"asset": "TST", "free": "1000000.00000000", "locked": "0.00000000"},
                {"asset": "USDT", "free": "1000000.00000000", "locked": "0.00000000"},
            ],
        },
        "depth": {
            "lastUpdateId": 1,
            "bids": [["9.99000000", "1000000.00000000"]],
            "asks": [["10.01000000", "1000000.00000000"]],
        },
        "openOrders": [],
        "amendments": [],
        "myFilters": {"exchangeFilters": [], "symbolFilters": [], "assetFilters": []},
    }
    return with_(ctx, **overrides)


def open_order(
    *, symbol: str = SYMBOL, side: str = "BUY", type: str = "LIMIT", **fields: str
) -> dict[str, object]:
    """One entry of GET /api/v3/openOrders."""
    return {
        "symbol": symbol,
        "side": side,
        "type": type,
        "origQty": fields.get("origQty", "1.00000000"),
        "executedQty": fields.get("executedQty", "0.00000000"),
        "icebergQty": fields.get("icebergQty", "0.00000000"),
        "price": "10.00000000",
        "status": "NEW",
    }


def of_rule(verdict: Verdict, rule_id: str) -> list[Violation]:
    return [v for v in verdict.violations if v.rule == rule_id]


def assert_fires(
    verdict: Verdict,
    rule_id: str,
    code: int,
    msg: str,
    parameter: str | None,
    **fields: object,
) -> Violation:
    """``rule_id`` is the reported error, with this code, text, parameter and (given) fields."""
    assert verdict.error is not None, verdict
    assert (verdict.error.code, verdict.error.msg) == (code, msg), verdict
    first = verdict.violations[0]
    assert first.rule == rule_id, verdict
    assert (first.code, first.msg, first.parameter) == (code, msg, parameter), first
    for name, expected in fields.items():
        assert getattr(first, name) == expected, (name, first)
    return first


def assert_passes(verdict: Verdict, rule_id: str) -> None:
    """``rule_id`` found nothing (other rules may)."""
    assert of_rule(verdict, rule_id) == [], verdict


def assert_ok(verdict: Verdict) -> None:
    assert verdict.ok, verdict
    assert verdict.violations == (), verdict
