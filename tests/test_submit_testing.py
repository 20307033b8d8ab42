"""``filterlib.submit.testing``: the fake Binance a bot's tests use, shipped and loopback only."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import subprocess
import sys
from pathlib import Path

import filterlib
from filterlib import cli
from filterlib.submit import testing
from filterlib.submit.testing import API_KEY, SECRET, Reply, serve


def test_it_listens_on_the_loopback_address_only() -> None:
    with serve() as fake:
        assert fake.url.startswith("http://127.0.0.1:")
        assert int(fake.url.rsplit(":", 1)[1]) > 0
    assert testing.LOOPBACK == "127.0.0.1"


def test_it_serves_the_shipped_snapshot_unless_given_another(tmp_path: Path) -> None:
    target = tmp_path / "info.json"
    with serve() as fake:
        out, err = io.StringIO(), io.StringIO()
        args = ["snapshot", "fetch", "--base-url", fake.url, "--symbols", "BTCUSDT,ETHBTC"]
        status = cli.main([*args, "-o", str(target)], stdout=out, stderr=err)
    assert status == 0, err.getvalue()
    saved = filterlib.load_exchange_info(target)
    shipped = filterlib.load_default_exchange_info()
    assert list(saved.symbols) == ["BTCUSDT", "ETHBTC"]
    assert saved.server_time == shipped.server_time
    assert saved.symbols["BTCUSDT"] == shipped.symbols["BTCUSDT"]


def _signed(body: str) -> str:
    signature = hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
    return f"{body}&signature={signature}"


def test_an_order_sent_without_a_client_id_is_placed_with_one_made_up() -> None:
    # RestSubmitter always sends newClientOrderId; a bot's own client may not.
    with serve() as fake:
        body = _signed("symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1&timestamp=1700000000000")
        reply = fake.handle("POST", "/api/v3/order", body, {"x-mbx-apikey": API_KEY})
        assert reply.status == 200
        assert reply.body["clientOrderId"] == "fake-1"
        assert reply.body["transactTime"] == 1700000000000
        assert fake.orders["fake-1"]["symbol"] == "BTCUSDT"
        wrong = fake.handle("POST", "/api/v3/order", body, {"x-mbx-apikey": "other"})
        assert (wrong.status, wrong.body) == (401, testing.BAD_KEY)


def test_scripted_replies_come_in_turn_then_the_default() -> None:
    with serve() as fake:
        fake.script("/api/v3/order/test", Reply(429, {"code": -1003}, {"Retry-After": "7"}))
        body = _signed("symbol=BTCUSDT&timestamp=1")
        headers = {"x-mbx-apikey": API_KEY}
        first = fake.handle("POST", "/api/v3/order/test", body, headers)
        second = fake.handle("POST", "/api/v3/order/test", body, headers)
    assert (first.status, first.headers) == (429, {"Retry-After": "7"})
    assert (second.status, second.body) == (200, {})


def test_importing_the_submitters_does_not_import_the_fake() -> None:
    code = "import sys, filterlib.submit; print('filterlib.submit.testing' in sys.modules)"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert p.stdout.strip() == "False"
    assert set(testing.__all__) >= {"serve", "FakeBinance", "Reply", "API_KEY", "SECRET"}
    assert json.dumps(testing.LOT_SIZE) == '{"code": -1013, "msg": "Filter failure: LOT_SIZE"}'
