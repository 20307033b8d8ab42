"""Stale snapshots: with the current time in the context (``serverTime``, Binance's own
``GET /api/v3/time`` body), a snapshot older than the maximum age gets a warning; ``check``
itself never reads the clock, and without ``serverTime`` nothing changes."""

from __future__ import annotations

import time
from typing import Any

import pytest

import filterlib
from filterlib._engine import DEFAULT_MAX_AGE_MS
from filterlib._verdict import VerdictWarning

INFO = filterlib.load_default_exchange_info()
TAKEN: int = INFO.server_time or 0
ORDER: dict[str, Any] = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.001",
    "price": "30000.00",
}


@pytest.mark.parametrize("now", [TAKEN + DEFAULT_MAX_AGE_MS + 1, {"serverTime": TAKEN + 10**10}])
def test_an_old_snapshot_warns(now: object) -> None:
    verdict = filterlib.check(INFO, ORDER, context={"serverTime": now})
    assert verdict.ok
    assert [w.kind for w in verdict.warnings] == ["stale_snapshot"]
    assert verdict.to_dict()["warnings"][0]["kind"] == "stale_snapshot"
    assert str(TAKEN) in verdict.warnings[0].text


def test_a_fresh_snapshot_and_no_server_time_change_nothing() -> None:
    plain = filterlib.check(INFO, ORDER)
    fresh = filterlib.check(INFO, ORDER, context={"serverTime": TAKEN + DEFAULT_MAX_AGE_MS})
    assert fresh == plain
    assert fresh.warnings == ()
    assert "warnings" not in fresh.to_dict()
    assert set(plain.to_dict()) == {"ok", "code", "msg", "violations", "unchecked"}


def test_the_maximum_age_is_configurable_and_checked() -> None:
    context = {"serverTime": TAKEN + 60_000}
    assert filterlib.check(INFO, ORDER, context=context, max_age_ms=59_999).warnings
    assert not filterlib.check(INFO, ORDER, context=context, max_age_ms=60_000).warnings
    many = filterlib.check_many(INFO, [ORDER, ORDER], context=context, max_age_ms=1)
    assert all(v.warnings for v in many)
    for bad in (0, -1, 1.5, "1", True):
        with pytest.raises(filterlib.UsageError, match="max_age_ms"):
            filterlib.check(INFO, ORDER, max_age_ms=bad)  # type: ignore[arg-type]


def test_a_rejected_order_warns_too_and_keeps_its_answer() -> None:
    bad = {**ORDER, "price": "30000.001"}
    verdict = filterlib.check(INFO, bad, context={"serverTime": TAKEN + 10**10})
    assert verdict.error == filterlib.check(INFO, bad).error
    assert verdict.warnings


def test_a_snapshot_without_server_time_has_an_unknown_age() -> None:
    info = filterlib.load_exchange_info({"symbols": []})
    verdict = filterlib.check(info, ORDER, context={"serverTime": 1})
    assert [w.kind for w in verdict.warnings] == ["snapshot_age_unknown"]


@pytest.mark.parametrize("bad", ["1691945251000", -1, 1.5, True, {"serverTime": "x"}, [1]])
def test_server_time_in_another_shape_is_a_context_error(bad: object) -> None:
    with pytest.raises(filterlib.ContextError, match="serverTime"):
        filterlib.check(INFO, ORDER, context={"serverTime": bad})


def test_check_does_not_read_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_clock() -> float:
        raise AssertionError("check read the clock")

    monkeypatch.setattr(time, "time", no_clock)
    monkeypatch.setattr(time, "time_ns", no_clock)
    filterlib.check(INFO, ORDER, context={"serverTime": TAKEN})
    filterlib.check(INFO, {**ORDER, "type": "MARKET"}, context={"serverTime": TAKEN})


def test_the_short_cut_declines_a_context_with_server_time() -> None:
    from filterlib import _engine as engine

    filterlib.check(INFO, ORDER)  # teach the short cut this key
    assert isinstance(engine.judge(INFO, ORDER, engine.ORDER_NO_CONTEXT), filterlib.Verdict)
    assert engine.where("/api/v3/order", {"serverTime": TAKEN + 10**10}) is None


def test_warnings_take_part_in_equality_and_pickling() -> None:
    import pickle

    verdict = filterlib.check(INFO, ORDER, context={"serverTime": TAKEN + 10**10})
    assert verdict != filterlib.check(INFO, ORDER)
    assert pickle.loads(pickle.dumps(verdict)) == verdict
    assert isinstance(verdict.warnings[0], VerdictWarning)
