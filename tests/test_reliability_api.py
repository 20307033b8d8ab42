"""Hostile input at the snapshot loader and the public API (issue 17, items 9, 10, 12-14).

A snapshot that cannot be used is a SnapshotError, whatever it holds (a filter nested hundreds
deep, a gzip that expands to gigabytes); a bad order gets a verdict, whatever its values; misuse
is a UsageError (ContextError for a context); a context missing a field a rule reads is a
ContextError, never a silent pass; a snapshot cannot change under ``check``.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import build_info, full_context, open_order, order, symbol_dict

import filterlib
from filterlib.context import ContextError

MIB = 1 << 20


def nested(depth: int, leaf: object = "1", kind: type = list) -> object:
    """``leaf`` inside ``depth`` lists (or dicts, or tuples)."""
    value = leaf
    for _ in range(depth):
        value = {"price": value} if kind is dict else kind([value])
    return value


def _doc(**filters: Any) -> dict[str, Any]:
    """A one-symbol snapshot document with extra symbol and exchange filters."""
    entry = symbol_dict()
    entry["filters"] += filters.get("symbol", [])
    return {"symbols": [entry], "exchangeFilters": filters.get("exchange", [])}


# --- 13: a missing account or open-order field is never a silent yes -------------------------

MISSING = [
    ("account", "canTrade"),
    ("account", "balances"),
    ("balance", "free"),
    ("balance", "locked"),
    ("openOrders", "origQty"),
    ("openOrders", "executedQty"),
    ("openOrders", "icebergQty"),
]


def _without(body: str, key: str) -> dict[str, object]:
    context = full_context(openOrders=[open_order()])
    account = dict(context["account"])  # type: ignore[call-overload]
    if body == "account":
        del account[key]
    elif body == "balance":
        balances = account["balances"]
        account["balances"] = [{k: v for k, v in b.items() if k != key} for b in balances]
    else:
        context["openOrders"] = [{k: v for k, v in open_order().items() if k != key}]
    context["account"] = account
    return context


@pytest.mark.parametrize(("body", "key"), MISSING)
def test_a_missing_field_is_a_context_error_naming_it(body: str, key: str) -> None:
    with pytest.raises(ContextError, match=key):
        filterlib.check(build_info(), order(), context=_without(body, key))


def test_an_account_without_can_trade_is_not_read_as_can_trade() -> None:
    account = {"balances": [{"asset": "USDT", "free": "100", "locked": "0"}]}
    with pytest.raises(ContextError, match="canTrade"):
        filterlib.check(build_info(), order(), context={"account": account})


def test_optional_fields_may_still_be_left_out() -> None:
    # permissions missing leaves symbol_not_permitted unchecked; ids missing find no order.
    context = _without("account", "permissions")
    context["openOrders"] = [{k: v for k, v in open_order().items() if "rderId" not in k}]
    verdict = filterlib.check(build_info(), order(), context=context)
    assert verdict.ok
    assert [u.rule for u in verdict.unchecked] == ["symbol_not_permitted"]
