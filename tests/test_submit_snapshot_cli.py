"""``filterlib snapshot fetch`` against the loopback fake: saved files load, failures write none."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import symbol_dict

import filterlib
from filterlib import cli
from filterlib.submit.testing import FakeBinance, Reply, serve

INFO = {
    "timezone": "UTC",
    "serverTime": 1700000000000,
    "rateLimits": [],
    "exchangeFilters": [],
    "symbols": [symbol_dict(), symbol_dict(symbol="ABCUSDT", baseAsset="ABC")],
}


@pytest.fixture
def fake() -> Iterator[FakeBinance]:
    with serve(exchange_info=INFO) as server:
        yield server


def fetch(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(["snapshot", "fetch", *args], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", ["info.json", "info.json.gz"])
def test_fetch_saves_a_snapshot_that_loads(fake: FakeBinance, tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    status, _, err = fetch("--base-url", fake.url, "-o", str(target))
    assert status == 0, err
    assert "saved 2 symbols" in err
    assert set(filterlib.load_exchange_info(target).symbols) == {"TSTUSDT", "ABCUSDT"}
    assert (fake.requests[0].method, fake.requests[0].path) == ("GET", "/api/v3/exchangeInfo")


def test_fetch_some_symbols_to_standard_output(fake: FakeBinance) -> None:
    status, out, _ = fetch("--base-url", fake.url, "--symbols", "ABCUSDT")
    assert status == 0
    assert fake.requests[0].params == {"symbols": '["ABCUSDT"]'}
    assert list(filterlib.load_exchange_info(out).symbols) == ["ABCUSDT"]


def test_a_binance_error_writes_no_file(fake: FakeBinance, tmp_path: Path) -> None:
    target = tmp_path / "info.json"
    status, _, err = fetch("--base-url", fake.url, "--symbols", "NOPE", "-o", str(target))
    assert status == 2
    assert "-1121 Invalid symbol." in err
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_answer_that_is_not_an_exchange_info_is_not_saved(
    fake: FakeBinance, tmp_path: Path
) -> None:
    fake.script("/api/v3/exchangeInfo", Reply(200, {"symbols": "oops"}))
    status, _, err = fetch("--base-url", fake.url, "-o", str(tmp_path / "x.json"))
    assert status == 2
    assert "not a usable exchangeInfo" in err
    assert list(tmp_path.iterdir()) == []


def test_rate_limit_and_bad_arguments(fake: FakeBinance) -> None:
    fake.script("/api/v3/exchangeInfo", Reply(429, None, {"Retry-After": "12"}))
    status, _, err = fetch("--base-url", fake.url)
    assert (status, "retry after 12 seconds" in err) == (2, True)
    assert fetch("--base-url", "ftp://x")[0] == 2
    assert fetch("--base-url", fake.url, "--symbols", "bad symbol!")[0] == 2


def test_check_still_works_beside_snapshot() -> None:
    out = io.StringIO()
    assert cli.main(["--help"], stdout=out, stderr=io.StringIO()) == 0
    assert "snapshot" in out.getvalue()
    assert "check" in out.getvalue()
