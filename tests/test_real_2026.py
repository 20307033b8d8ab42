"""A real snapshot of 2026 through every way in: check, explain, repair, diff, snapshot validate
and snapshot info. Expected answers are worked out from the capture's own JSON (BTCUSDT:
PRICE_FILTER 0.01/1000000/0.01, LOT_SIZE 0.00001/9000/0.00001, NOTIONAL 5..9000000, every 2025
flag true) and the docs of 2026-07, never from running filterlib."""

from __future__ import annotations

import io
import json
from pathlib import Path

import filterlib
from filterlib import cli
from filterlib.repair import repair

SNAPSHOTS = Path(__file__).resolve().parent.parent / "fixtures" / "snapshots"
LIVE = SNAPSHOTS / "spot_4symbols_2026-09-25_ai-trade-agent.json"
TESTNET = SNAPSHOTS / "spot_testnet_btcusdt_2026-09-13_fastmm.json"
INFO = filterlib.load_exchange_info(LIVE)
BOOK = {"bidPrice": "30000.00", "askPrice": "30000.01"}
PEGGED = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.00100",
    "pegPriceType": "PRIMARY_PEG",
}


def main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(list(argv), stdin=io.BytesIO(b""), stdout=out, stderr=err)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return status, out.getvalue(), err.getvalue()


def test_check_takes_what_binance_took_on_that_day() -> None:
    # Each was a false rejection before: a peg (-1104), microseconds (-1100), the OPO (an
    # unknown endpoint), a lower-case side (-1117).
    assert filterlib.check(INFO, PEGGED, context=BOOK).ok
    plain = {**PEGGED, "price": "30000.00"}
    del plain["pegPriceType"]
    assert filterlib.check(INFO, {**plain, "recvWindow": "5000.125"}).ok
    assert filterlib.check(INFO, {**plain, "side": "buy"}).ok
    opo = {
        "symbol": "BTCUSDT",
        "workingType": "LIMIT",
        "workingSide": "BUY",
        "workingTimeInForce": "GTC",
        "workingPrice": "30000.00",
        "workingQuantity": "0.00100",
        "pendingType": "LIMIT_MAKER",
        "pendingSide": "SELL",
        "pendingPrice": "35000.00",
    }
    assert filterlib.check(INFO, opo, endpoint="/api/v3/orderList/opo").ok


def test_an_oco_over_the_open_list_limit_is_refused() -> None:
    # MAX_NUM_ORDER_LISTS 20 on BTCUSDT: 20 lists open, an OCO is the 21st.
    opens = [
        {
            "symbol": "BTCUSDT",
            "orderId": i,
            "orderListId": i,
            "side": "SELL",
            "type": "LIMIT_MAKER",
            "price": "40000.00",
            "origQty": "0.00100",
            "executedQty": "0",
            "icebergQty": "0",
            "status": "NEW",
        }
        for i in range(1, 21)
    ]
    oco = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "quantity": "0.00100",
        "aboveType": "LIMIT_MAKER",
        "abovePrice": "35000.00",
        "belowType": "STOP_LOSS",
        "belowStopPrice": "25000.00",
    }
    verdict = filterlib.check(
        INFO, oco, endpoint="/api/v3/orderList/oco", context={"openOrders": opens}
    )
    assert verdict.error is not None
    assert (verdict.error.code, verdict.error.msg) == (-2010, "Filter failure: MAX_NUM_ORDER_LISTS")
    assert filterlib.check(
        INFO, oco, endpoint="/api/v3/orderList/oco", context={"openOrders": opens[:19]}
    ).ok


def test_explain_shows_the_2025_flags_and_walks_a_pegged_order() -> None:
    status, out, err = main("explain", "BTCUSDT", "--exchange-info", str(LIVE))
    assert status == 0, err
    allowed = next(line for line in out.splitlines() if line.startswith("  allowed: "))
    assert allowed.endswith("pegged orders, OPO")
    assert "  open order lists: at most 20 (MAX_NUM_ORDER_LISTS; needs openOrders)" in out
    params = [f"{k}={v}" for k, v in PEGGED.items() if k != "symbol"]
    context = json.dumps(BOOK)
    status, out, err = main(
        "explain", "BTCUSDT", *params, "--exchange-info", str(LIVE), "--context", context
    )
    assert status == 0, err
    lines = out.splitlines()
    assert "Binance would accept it (if the unchecked rules pass)." in lines
    assert any(line.startswith("pass      peg_not_supported:") for line in lines)
    assert any(line.startswith("pass      peg_type_combination:") for line in lines)


def test_repair_meets_the_notional_at_the_pegged_price() -> None:
    # 0.0001 at the best bid 30000.00 is 3 < 5: 5 / 30000 up to the step is 0.00017.
    result = repair(
        INFO, {**PEGGED, "quantity": "0.00010"}, context=BOOK, raise_to_min_notional=True
    )
    assert result.ok, result.impossible
    assert result.params["quantity"] == "0.00017"


def test_diff_of_the_two_2026_captures() -> None:
    # The test network's BTCUSDT allows STP NONE and needs SPOT; the live one allows no NONE
    # (tightening) and needs any one of SPOT, MARGIN and the trade groups ([[...]] is "or", so
    # an account with SPOT still may: not tightening); MARKET_LOT_SIZE's maxQty grows
    # (105.07867116 -> 119.27356195), a volatile field shown only when asked for; three symbols
    # are listed.
    status, out, err = main("diff", str(TESTNET), str(LIVE), "--format", "json")
    assert status == 1, err
    doc = json.loads(out)
    changes = {(c["symbol"], c["what"]): c for c in doc["changes"]}
    assert changes["BTCUSDT", "STP mode NONE"]["tightens"] is True
    permissions = changes["BTCUSDT", "permissionSets"]
    assert permissions["old"] == "(SPOT)"
    assert permissions["new"].startswith("(MARGIN or SPOT or TRD_GRP_004 or ")
    assert permissions["tightens"] is False
    assert ("BTCUSDT", "MARKET_LOT_SIZE maxQty") not in changes
    assert {s for s, what in changes if what == "symbol"} == {"ETHUSDT", "SOLUSDT", "BTCBRL"}
    assert (doc["count"], doc["tightening"], doc["volatileLeftOut"]) == (5, 1, 1)
    status, out, err = main(
        "diff", str(TESTNET), str(LIVE), "--format", "json", "--include-volatile"
    )
    changes = {(c["symbol"], c["what"]): c for c in json.loads(out)["changes"]}
    maxqty = changes["BTCUSDT", "MARKET_LOT_SIZE maxQty"]
    assert (maxqty["old"], maxqty["new"], maxqty["tightens"], maxqty["volatile"]) == (
        "105.07867116",
        "119.27356195",
        False,
        True,
    )


def test_snapshot_validate_and_info() -> None:
    status, out, err = main("snapshot", "validate", str(LIVE))
    assert status == 0, err
    assert out == ""  # problems, not passes: the summary goes to standard error
    assert err.strip().endswith("4 symbols, 0 issues")
    status, out, err = main("snapshot", "info", "--format", "json", str(LIVE))
    assert status == 0, err
    doc = json.loads(out)
    assert (doc["symbols"], doc["byStatus"], doc["serverTime"]) == (
        4,
        {"TRADING": 4},
        1790363028806,
    )
    assert doc["unknownFilterTypes"] == []  # no filter type of the 2026 docs is unknown
    assert doc["filterTypes"]["MAX_NUM_ORDER_LISTS"] == 4
    assert doc["filterTypes"]["MAX_NUM_ORDER_AMENDS"] == 4
