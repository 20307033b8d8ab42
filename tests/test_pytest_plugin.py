"""The pytest plugin: its entry point, fixtures and assertions, and the example test file.

The example file (examples/test_my_strategy.py, shown whole in docs/testing.md) runs here in a
pytest subprocess, so CI runs it exactly as a user would.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

import filterlib
from filterlib.pytest_plugin import assert_accepted, assert_rejected, explain

ROOT = Path(__file__).resolve().parent.parent
INFO = filterlib.load_default_exchange_info()
GOOD = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.01",
    "price": "30000.00",
}


def _pytest(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    installed = any(
        ep.name == "filterlib" and ep.value == "filterlib.pytest_plugin"
        for ep in entry_points(group="pytest11")
    )
    # Installed through the entry point (pip install), the plugin loads by itself; from a
    # plain checkout, name it.
    plugin = [] if installed else ["-p", "filterlib.pytest_plugin"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *plugin, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_entry_point_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"]["pytest11"] == {"filterlib": "filterlib.pytest_plugin"}


def test_assert_accepted_returns_the_verdict() -> None:
    assert assert_accepted(GOOD).ok
    assert assert_accepted(GOOD, info=INFO, endpoint="/api/v3/order/test").ok


def test_assert_accepted_shows_the_rule_the_values_and_the_nearest_valid_ones() -> None:
    with pytest.raises(AssertionError) as failure:
        assert_accepted({**GOOD, "quantity": "0.012345"})
    text = str(failure.value)
    assert "Binance would answer -1013 Filter failure: LOT_SIZE" in text
    assert "rule LOT_SIZE: quantity=0.012345" in text
    assert "limit:   minQty=0.00001000 maxQty=9000.00000000 stepSize=0.00001000" in text
    assert "nearest valid quantity: 0.01234" in text
    assert "nearest valid order: {" in text
    assert "quantity: 0.012345 -> 0.01234 (onto the step)" in text


def test_assert_accepted_says_when_no_valid_order_exists() -> None:
    with pytest.raises(AssertionError, match=r"nearest valid order: none \(notional"):
        assert_accepted({**GOOD, "quantity": "0.00001"})


def test_assert_rejected_matches_code_msg_and_rule() -> None:
    dust = {**GOOD, "quantity": "0.00001"}
    verdict = assert_rejected(dust, code=-1013, msg="Filter failure: NOTIONAL", rule="NOTIONAL")
    assert verdict.error == filterlib.BinanceError(-1013, "Filter failure: NOTIONAL")
    assert_rejected(dust)  # any rejection
    with pytest.raises(AssertionError, match="expected code -1013, msg 'Filter failure: LOT"):
        assert_rejected(dust, code=-1013, msg="Filter failure: LOT_SIZE")
    with pytest.raises(AssertionError, match="got acceptance"):
        assert_rejected(GOOD, code=-1013)


def test_explain_an_accepted_order() -> None:
    verdict = filterlib.check(INFO, GOOD)
    assert "Binance would accept it." in explain(INFO, GOOD, verdict)


def test_the_fixtures_work_in_a_users_test_suite(tmp_path: Path) -> None:
    snapshot = ROOT / "fixtures" / "snapshots" / "spot_2symbols_2021-10-22_nautilus.json"
    (tmp_path / "test_user.py").write_text(
        "def test_shipped(filterlib_info):\n"
        "    assert 'BTCUSDT' in filterlib_info.symbols\n"
        "\n"
        "def test_load(filterlib_load):\n"
        f"    info = filterlib_load({str(snapshot)!r})\n"
        f"    assert info is filterlib_load({str(snapshot)!r})\n"
        "    assert len(info.symbols) == 2\n",
        encoding="utf-8",
    )
    result = _pytest(str(tmp_path / "test_user.py"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_the_example_test_file_passes() -> None:
    result = _pytest(str(ROOT / "examples" / "test_my_strategy.py"), "-W", "ignore")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_the_example_is_the_one_in_docs_testing() -> None:
    example = (ROOT / "examples" / "test_my_strategy.py").read_text(encoding="utf-8")
    docs = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    assert example in docs


def test_a_failing_assertion_points_at_the_test_not_at_the_helper(tmp_path: Path) -> None:
    (tmp_path / "test_bot.py").write_text(
        "from filterlib.pytest_plugin import assert_accepted, assert_rejected\n"
        "\n"
        "GOOD = {'symbol': 'BTCUSDT', 'side': 'BUY', 'type': 'LIMIT', 'timeInForce': 'GTC',\n"
        "        'quantity': '0.01', 'price': '30000.00'}\n"
        "\n"
        "def test_accepted():\n"
        "    assert_accepted({**GOOD, 'quantity': '0.012345'})  # line 7\n"
        "\n"
        "def test_rejected():\n"
        "    assert_rejected(GOOD, code=-1013)  # line 10\n"
    )
    p = _pytest("--tb=long", "test_bot.py", cwd=tmp_path)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "2 failed" in p.stdout
    # Each failure's last frame is the test's own line; no frame of the plugin is shown.
    assert "test_bot.py:7: AssertionError" in p.stdout
    assert "test_bot.py:10: AssertionError" in p.stdout
    assert "pytest_plugin.py" not in p.stdout
    assert "expected the order to be accepted" in p.stdout
    assert "expected code -1013, got acceptance" not in p.stdout  # the message is its own
    assert "expected a rejection (code -1013), got acceptance" in p.stdout
