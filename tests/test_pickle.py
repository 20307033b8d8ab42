"""Snapshots and verdicts pickle, so process pools and Dask workers can receive them."""

from __future__ import annotations

import pickle
from pathlib import Path

import filterlib

ROOT = Path(__file__).resolve().parent.parent
ORDERS = [
    {"symbol": s, "side": side, "type": "LIMIT", "timeInForce": "GTC", "quantity": q, "price": p}
    for s in ("BTCUSDT", "ETHUSDT")
    for side in ("BUY", "SELL")
    for q in ("0.001", "0.0012345", "0")
    for p in ("30000.00", "1000.001")
]


def test_a_lazy_snapshot_pickles_undecoded_and_answers_the_same() -> None:
    info = filterlib.load_default_exchange_info()
    back = pickle.loads(pickle.dumps(info))
    assert back == info
    for params in ORDERS:
        assert filterlib.check(back, params).to_dict() == filterlib.check(info, params).to_dict()


def test_an_eager_snapshot_pickles_and_answers_the_same() -> None:
    info = filterlib.load_exchange_info(
        ROOT / "fixtures" / "snapshots" / "spot_2symbols_2021-10-22_nautilus.json"
    )
    back = pickle.loads(pickle.dumps(info))
    assert back == info
    assert back.symbol("BTCUSDT") is not None
    for params in ORDERS:
        assert filterlib.check(back, params).to_dict() == filterlib.check(info, params).to_dict()


def test_a_verdict_pickles() -> None:
    info = filterlib.load_default_exchange_info()
    for params in ORDERS:
        verdict = filterlib.check(info, params)
        assert pickle.loads(pickle.dumps(verdict)) == verdict
