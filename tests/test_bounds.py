"""On-bound warnings come from the rules: the bands are measured as the rule measures them."""

from __future__ import annotations

from typing import Any

import filterlib
from filterlib.cli.outputs import warnings_for

INFO = filterlib.load_default_exchange_info()
#: BTCUSDT's PERCENT_PRICE_BY_SIDE allows a BUY up to 5x the market price (bidMultiplierUp).
BUY = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.001",
    "price": "150000",
}
EDGE = "price 150000 is exactly the PERCENT_PRICE_BY_SIDE upper band edge"


def _band_warnings(context: Any) -> list[str]:
    return [w for w in warnings_for(INFO, BUY, context) if "band edge" in w]


def test_the_band_edge_is_measured_against_the_reference_price_first() -> None:
    # The rule compares with referencePrice when the symbol has one: 31000 x 5 is not 150000.
    assert _band_warnings({"referencePrice": "31000", "avgPrice": "30000"}) == []
    assert filterlib.check(INFO, BUY, context={"referencePrice": "31000"}).ok
    # With referencePrice 30000 the price is on the edge, whatever avgPrice says.
    for average in ("30000", "1", "45000"):
        found = _band_warnings({"referencePrice": "30000", "avgPrice": average})
        assert found == [f"{EDGE} (referencePrice 30000 x 5)"], average


def test_without_a_reference_price_the_band_edge_is_measured_against_avg_price() -> None:
    assert _band_warnings({"avgPrice": "30000"}) == [f"{EDGE} (avgPrice 30000 x 5)"]
    assert _band_warnings({"avgPrice": "30001"}) == []
    assert _band_warnings(None) == []


def test_a_price_one_tick_above_the_edge_fails_the_rule_it_was_warned_about() -> None:
    # The warning's edge is the rule's: one tick past it, check() rejects by that filter.
    context = {"referencePrice": "30000", "avgPrice": "1"}
    past = filterlib.check(INFO, {**BUY, "price": "150000.01"}, context=context)
    assert past.error is not None
    assert past.violations[0].rule == "PERCENT_PRICE_BY_SIDE"
