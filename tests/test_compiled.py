"""The compiled form: a symbol's filters as integers, kept on the snapshot, deciding as Decimals."""

from __future__ import annotations

import pickle
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import filterlib
from filterlib._compiled import NOT_AT_SCALE, RangeGrid, scaled_exact
from filterlib._rules.common import range_failure, range_grid_failure

INFO = filterlib.load_default_exchange_info()

_BOUNDS = st.sampled_from(
    ["0", "0.001", "0.01", "0.5", "1", "5", "10", "10.5", "1000", "92233720369", "0.00000001"]
)
_VALUES = st.sampled_from(
    [
        *("0", "0.0005", "0.001", "0.01", "0.015", "0.5", "1", "1.00", "5", "10", "10.5"),
        *("10.25", "999.99", "1000", "1000.001", "92233720368.54775807", "0.000000015"),
    ]
)


@settings(max_examples=500, deadline=None)
@given(_BOUNDS, _BOUNDS, _BOUNDS, _VALUES, st.sampled_from([0, 2, 8]))
def test_a_range_grid_decides_as_the_decimal_rule(
    low: str, high: str, step: str, value: str, precision: int
) -> None:
    lo, hi, st_, v = Decimal(low), Decimal(high), Decimal(step), Decimal(value)
    scale = max(precision, *(-d.as_tuple().exponent for d in (lo, hi, st_)))  # type: ignore[operator]
    grid = RangeGrid(None, lo, hi, st_, int(scale))
    decimal_reason = range_grid_failure(v, lo, hi, st_)
    # The rules' reading: the integers decide, the Decimal bounds only write the reason.
    assert range_failure(grid, v, lo, hi, st_) == decimal_reason, (low, high, step, value)
    if scaled_exact(v, grid.scale) is None:
        assert grid.failure(v) == NOT_AT_SCALE  # more decimals: the Decimal rule decides
        assert not grid.passes(v)
    else:
        assert grid.failure(v) != NOT_AT_SCALE
        assert grid.passes(v) == (decimal_reason is None), (low, high, step, value)


def test_the_compiled_form_is_kept_on_the_snapshot_and_built_once() -> None:
    btc = INFO.symbol("BTCUSDT")
    assert btc is not None
    assert btc.compiled() is btc.compiled()
    assert INFO.compiled_plain("BTCUSDT") is btc.compiled()
    assert INFO.compiled_plain("NOSUCHSYMBOL") is None
    assert INFO.compiled_plain(["not", "a", "name"]) is None
    # A copy (a process pool's) builds its own, equal in what it decides.
    copy = pickle.loads(pickle.dumps(INFO))
    other = copy.symbol("BTCUSDT")
    assert other is not None
    assert other.compiled() is not btc.compiled()
    assert other.compiled().grid == btc.compiled().grid


def test_btcusdt_compiles_to_binances_fixed_point() -> None:
    # BTCUSDT of the shipped snapshot: tickSize 0.01, stepSize 0.00001, 8-decimal assets, so
    # both scales are 8 and the integers are Binance's own int64 units.
    btc = INFO.symbol("BTCUSDT")
    assert btc is not None
    c = btc.compiled()
    assert c.grid[:2] == (8, 8)
    assert c.price.step == 1_000_000  # 0.01 at 10**-8
    assert c.lot.step == 1_000  # 0.00001 at 10**-8
    assert c.plain
