"""Verdict's hand-written parts, each for the reason its docstring gives: a verdict whose
violations are found on first read (the fast path's, for a rejected order) is the verdict built
with them, in equality, hash, repr, pickling and to_dict; they are found once, only when read;
and :func:`filterlib._verdict.rejected` builds what attrs' constructor builds."""

from __future__ import annotations

import pickle

import attrs
import pytest

import filterlib
from filterlib._verdict import (
    BinanceError,
    Unchecked,
    Verdict,
    VerdictWarning,
    Violation,
    rejected,
)

ERROR = BinanceError(-1013, "Filter failure: LOT_SIZE")
UNCHECKED = (Unchecked("MAX_NUM_ORDERS", ("openOrders",)),)
FOUND = (
    Violation(
        -1013,
        "Filter failure: LOT_SIZE",
        "LOT_SIZE",
        parameter="quantity",
        limit="0.00001000",
        value="0.000015",
        nearest=("0.00001", "0.00002"),
        detail="quantity is not a multiple of stepSize",
    ),
)
OTHER = (Violation(-1013, "Filter failure: LOT_SIZE", "LOT_SIZE"),)


class Finder:
    """Finds ``found``, counting its calls."""

    def __init__(self, found: tuple[Violation, ...] = FOUND) -> None:
        self.found = found
        self.calls = 0

    def __call__(self) -> tuple[Violation, ...]:
        self.calls += 1
        return self.found


def test_rejected_builds_what_the_attrs_constructor_builds() -> None:
    finder = Finder()
    fast = rejected(ERROR, UNCHECKED, finder)
    slow = Verdict(ERROR, (), UNCHECKED, finder)
    # Every field attrs knows of, so a field added to Verdict and not set there fails here.
    for f in attrs.fields(Verdict):
        assert getattr(fast, f.name) == getattr(slow, f.name), f.name
    assert fast.violations == slow.violations == FOUND
    assert fast == slow
    assert repr(fast) == repr(slow)


def test_the_violations_are_found_once_and_only_when_read() -> None:
    finder = Finder()
    verdict = rejected(ERROR, UNCHECKED, finder)
    assert not verdict.ok
    assert verdict.error == ERROR
    assert verdict.unchecked == UNCHECKED
    with pytest.raises(filterlib.OrderRejected):
        verdict.raise_for_error()
    assert finder.calls == 0
    assert verdict.violations == FOUND
    assert verdict.violations is verdict.violations
    assert verdict == Verdict(ERROR, FOUND, UNCHECKED)
    hash(verdict)
    repr(verdict)
    verdict.to_dict()
    assert finder.calls == 1


def test_a_deferred_verdict_equals_and_hashes_as_the_one_built_with_its_violations() -> None:
    eager = Verdict(ERROR, FOUND, UNCHECKED)
    assert rejected(ERROR, UNCHECKED, Finder()) == eager
    assert eager == rejected(ERROR, UNCHECKED, Finder())
    assert hash(rejected(ERROR, UNCHECKED, Finder())) == hash(eager)
    assert {eager: "found"}[rejected(ERROR, UNCHECKED, Finder())] == "found"
    assert rejected(ERROR, UNCHECKED, Finder()) == rejected(ERROR, UNCHECKED, Finder())
    assert rejected(ERROR, UNCHECKED, Finder()).to_dict() == eager.to_dict()


def test_verdicts_that_differ_only_in_their_violations_are_not_equal() -> None:
    # attrs' own __eq__ would skip both the violations and the function that finds them.
    assert rejected(ERROR, UNCHECKED, Finder(OTHER)) != Verdict(ERROR, FOUND, UNCHECKED)
    assert rejected(ERROR, UNCHECKED, Finder(OTHER)) != rejected(ERROR, UNCHECKED, Finder())
    assert Verdict(ERROR, OTHER, UNCHECKED) != Verdict(ERROR, FOUND, UNCHECKED)
    assert len({Verdict(ERROR, OTHER), rejected(ERROR, (), Finder()), Verdict(ERROR, FOUND)}) == 2
    assert rejected(ERROR, UNCHECKED, Finder()) != ERROR


def test_the_repr_shows_the_violations_found_not_the_function() -> None:
    eager = Verdict(ERROR, FOUND, UNCHECKED)
    shown = repr(rejected(ERROR, UNCHECKED, Finder()))
    assert shown == repr(eager)
    assert "Finder" not in shown
    assert " at 0x" not in shown
    for part in ("LOT_SIZE", "'0.000015'", "nearest=('0.00001', '0.00002')", "MAX_NUM_ORDERS"):
        assert part in shown
    assert "warnings" not in shown
    warned = attrs.evolve(eager, warnings=(VerdictWarning("stale_snapshot", "old"),))
    assert "VerdictWarning(kind='stale_snapshot', text='old')" in repr(warned)


def test_a_deferred_verdict_pickles_with_its_violations_not_its_function() -> None:
    # A lambda does not pickle: the pickle carries what it found.
    verdict = rejected(ERROR, UNCHECKED, lambda: FOUND)
    back = pickle.loads(pickle.dumps(verdict))
    assert back == verdict == Verdict(ERROR, FOUND, UNCHECKED)
    assert back.violations == FOUND
    assert back.to_dict() == verdict.to_dict()
    warned = Verdict(None, (), (), warnings=(VerdictWarning("stale_snapshot", "old"),))
    assert pickle.loads(pickle.dumps(warned)) == warned


def test_a_verdict_is_frozen_to_its_users() -> None:
    verdict = rejected(ERROR, UNCHECKED, Finder())
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        verdict.error = None  # type: ignore[misc]
    assert verdict.error == ERROR


def test_check_answers_values() -> None:
    """check()'s verdicts for LIMIT orders (the second and later ones of a symbol take the
    fast path, which defers a rejected order's violations) equal the verdicts rebuilt from
    their parts, read or not, and after a pickle."""
    info = filterlib.load_default_exchange_info()
    base = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    for quantity, price, rules in (
        ("0.001", "30000.00", []),
        ("0.00100", "30000.005", ["PRICE_FILTER"]),
        ("0.000015", "30000.00", ["LOT_SIZE", "NOTIONAL"]),
        ("0.00100", "30000.005", ["PRICE_FILTER"]),
    ):
        params = {**base, "quantity": quantity, "price": price}
        unread, read = filterlib.check(info, params), filterlib.check(info, params)
        rebuilt = Verdict(read.error, tuple(read.violations), read.unchecked)
        assert [v.rule for v in rebuilt.violations] == rules
        assert unread == rebuilt
        assert hash(filterlib.check(info, params)) == hash(rebuilt)
        assert pickle.loads(pickle.dumps(filterlib.check(info, params))) == rebuilt
