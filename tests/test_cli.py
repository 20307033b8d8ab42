"""The ``filterlib check`` command line: input forms, both output formats, every exit status.

Expectations come from the raw JSON of the shipped snapshot (read here with gzip + json, not
through filterlib) and from Binance's documented error codes, never from the CLI's own output.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from decimal import ROUND_CEILING, Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import filterlib
import filterlib.lines
from filterlib import _engine as engine
from filterlib import cli
from filterlib.cli import columns as cli_columns

REPO = Path(__file__).resolve().parent.parent
ERROR_BODY_SNAPSHOT = (
    REPO / "fixtures" / "snapshots" / "error_restricted_location_2022-12-07_sm2a.json"
)
TOP_KEYS = ["ok", "code", "msg", "violations", "unchecked"]
ERROR_KEYS = ["ok", "code", "msg", "error", "violations", "unchecked"]


# --- the shipped snapshot, read independently ----------------------------------------------


def _shipped_raw() -> dict[str, Any]:
    data_dir = resources.files("filterlib").joinpath("data")
    names = [p.name for p in data_dir.iterdir() if p.name.endswith(".json.gz")]
    assert len(names) == 1, names
    doc: dict[str, Any] = json.loads(gzip.decompress(data_dir.joinpath(names[0]).read_bytes()))
    return doc


RAW = _shipped_raw()
BTCUSDT = next(s for s in RAW["symbols"] if s["symbol"] == "BTCUSDT")
FILTERS = {f["filterType"]: f for f in BTCUSDT["filters"]}
LOT = FILTERS["LOT_SIZE"]
TICK = Decimal(FILTERS["PRICE_FILTER"]["tickSize"])
MIN_NOTIONAL = Decimal(FILTERS["NOTIONAL"]["minNotional"])
PRICE = Decimal("30000.00")
assert PRICE % TICK == 0
assert Decimal(FILTERS["PRICE_FILTER"]["minPrice"]) <= PRICE
assert Decimal(FILTERS["PRICE_FILTER"]["maxPrice"]) >= PRICE


def _good_quantity() -> str:
    """The smallest quantity on the step grid that meets both minQty and minNotional."""
    step, min_qty = Decimal(LOT["stepSize"]), Decimal(LOT["minQty"])
    steps = (MIN_NOTIONAL / PRICE / step).to_integral_value(rounding=ROUND_CEILING)
    qty = max(min_qty, steps * step)
    assert qty % step == 0
    return format(qty.normalize(), "f")


GOOD_QTY = _good_quantity()
LOW_QTY = format((Decimal(LOT["minQty"]) / 10).normalize(), "f")  # below minQty, off the grid


def order(quantity: str = GOOD_QTY, price: str = str(PRICE), **extra: Any) -> dict[str, Any]:
    return {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": quantity,
        "price": price,
        **extra,
    }


def line(obj: object) -> bytes:
    return json.dumps(obj).encode() + b"\n"


GOOD = line(order())
LOW = line(order(LOW_QTY))


# --- driving main() in-process ---------------------------------------------------------------


class Run:
    def __init__(self, status: int, out: str, err: str) -> None:
        self.status, self.out, self.err = status, out, err

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def json(self) -> list[dict[str, Any]]:
        return [json.loads(x) for x in self.lines]


def run(data: bytes = b"", *args: str, fmt: str | None = None) -> Run:
    out, err = io.StringIO(), io.StringIO()
    argv = ["check", *args] + (["--format", fmt] if fmt else [])
    status = cli.main(argv, stdin=io.BytesIO(data), stdout=out, stderr=err)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return Run(status, out.getvalue(), err.getvalue())


def test_json_pass() -> None:
    r = run(GOOD, fmt="json")
    assert r.status == 0
    [v] = r.json
    assert list(v) == TOP_KEYS
    assert (v["ok"], v["code"], v["msg"], v["violations"]) == (True, None, None, [])
    # No avgPrice given: the BTCUSDT PERCENT_PRICE_BY_SIDE filter cannot be evaluated.
    assert "PERCENT_PRICE_BY_SIDE" in FILTERS
    assert {"rule": "PERCENT_PRICE_BY_SIDE", "needs": ["avgPrice"]}.items() <= next(
        u for u in v["unchecked"] if u["rule"] == "PERCENT_PRICE_BY_SIDE"
    ).items()


def test_json_reject_below_min_qty() -> None:
    r = run(LOW, fmt="json")
    assert r.status == 1
    [v] = r.json
    assert list(v) == TOP_KEYS
    assert (v["ok"], v["code"], v["msg"]) == (False, -1013, "Filter failure: LOT_SIZE")
    first = v["violations"][0]
    assert (first["code"], first["msg"]) == (-1013, "Filter failure: LOT_SIZE")
    assert (first["rule"], first["parameter"], first["value"]) == ("LOT_SIZE", "quantity", LOW_QTY)
    assert first["nearest"] == [LOT["minQty"]]
    assert all(isinstance(x, str) for x in first["nearest"])


def test_json_numbers_are_taken_like_an_http_client_sends_them() -> None:
    # 30000.0 goes out as "30000.0"; the int 1 as "1" (one BTC, on the step grid).
    r = run(line(order(quantity=1, price=30000.0)), fmt="json")  # type: ignore[arg-type]
    assert r.status == 0
    assert r.json[0]["ok"] is True


def test_text_shows_the_rejection_and_the_counts_not_the_pass() -> None:
    r = run(GOOD + LOW)
    assert r.status == 1
    assert r.lines[0].startswith("line 2: BTCUSDT: -1013 Filter failure: LOT_SIZE \u2014 ")
    assert LOW_QTY in r.lines[0]
    assert LOT["minQty"] in r.lines[0]
    assert f"nearest valid quantity: {LOT['minQty']}" in r.lines[0]
    assert "unchecked" not in r.lines[0]  # what went unchecked is for --verbose
    assert r.lines[1] == "2 checked, 1 passed, 1 rejected, 0 unusable"
    assert len(r.lines) == 2


def test_text_verbose_shows_the_pass_with_its_unchecked_rules() -> None:
    r = run(GOOD + LOW, "--verbose")
    assert r.status == 1
    assert r.lines[0].startswith("line 1: BTCUSDT: OK")
    assert "unchecked: " in r.lines[0]
    assert "PERCENT_PRICE_BY_SIDE needs avgPrice" in r.lines[0]
    assert r.lines[1].startswith("line 2: BTCUSDT: -1013 Filter failure: LOT_SIZE \u2014 ")
    assert "unchecked: " in r.lines[1]
    assert r.lines[2] == "2 checked, 1 passed, 1 rejected, 0 unusable"
    assert len(r.lines) == 3


def test_text_hint_lists_both_neighbours_for_off_grid_quantity() -> None:
    # Binance accepts at most baseAssetPrecision decimals; nearest values are written with them.
    places = Decimal(1).scaleb(-BTCUSDT["baseAssetPrecision"])
    step, min_qty = Decimal(LOT["stepSize"]), Decimal(LOT["minQty"])
    qty = (min_qty + step * Decimal("0.234")).quantize(places)  # between minQty and the next
    assert min_qty < qty < min_qty + step
    r = run(line(order(format(qty, "f"))))
    assert r.status == 1
    assert "-1013 Filter failure: LOT_SIZE" in r.lines[0]
    low, high = (format(x.quantize(places), "f") for x in (min_qty, min_qty + step))
    assert f"nearest valid quantity: {low}, {high}" in r.lines[0]


def test_bad_lines_among_good_ones_keep_numbering_and_exit_2() -> None:
    data = GOOD + b"not json\n" + LOW + b"\n" + b"[1, 2]\n" + GOOD
    r = run(data, fmt="json")
    assert r.status == 2  # unusable input wins over a rejection
    out = r.json
    assert len(out) == 5  # one per non-blank line; line 4 is blank
    assert out[0]["ok"] is True
    assert "error" not in out[0]
    assert list(out[1]) == ERROR_KEYS
    assert out[1]["error"].startswith("line 2: not valid JSON")
    assert (out[1]["ok"], out[1]["code"], out[1]["msg"]) == (False, None, None)
    assert (out[1]["violations"], out[1]["unchecked"]) == ([], [])
    assert out[2]["code"] == -1013
    assert out[3]["error"].startswith("line 5: expected a JSON object")
    assert out[4]["ok"] is True

    t = run(data, "--verbose")
    assert t.status == 2
    assert [x.split(":")[0] for x in t.lines[:-1]] == [f"line {n}" for n in (1, 2, 3, 5, 6)]
    assert t.lines[-1] == "3 checked, 2 passed, 1 rejected, 2 unusable"
    quiet = run(data)  # the lines that fail only
    assert [x.split(":")[0] for x in quiet.lines[:-1]] == [f"line {n}" for n in (2, 3, 5)]
    assert quiet.lines[-1] == t.lines[-1]


@pytest.mark.parametrize("text", ['"BTCUSDT"', "42", "null", "true", '[{"symbol": "BTCUSDT"}]'])
def test_non_object_line(text: str) -> None:
    r = run(GOOD + text.encode() + b"\n", fmt="json")
    assert r.status == 2
    assert r.json[0]["ok"] is True
    assert r.json[1]["error"].startswith("line 2: expected a JSON object")


def test_invalid_utf8_line_is_unusable_not_a_crash() -> None:
    r = run(b'{"symbol": "BTC\xffUSDT"}\n', fmt="json")
    assert r.status == 2
    assert r.json[0]["error"].startswith("line 1: not UTF-8")


def test_wrapped_form_with_test_endpoint_and_context() -> None:
    wrapped = {
        "endpoint": "/api/v3/order/test",
        "params": order(),
        "context": {"avgPrice": {"mins": 5, "price": str(PRICE)}},
    }
    r = run(line(wrapped), fmt="json")
    assert r.status == 0
    [v] = r.json
    assert v["ok"] is True
    assert "PERCENT_PRICE_BY_SIDE" not in {u["rule"] for u in v["unchecked"]}


def test_context_decides_percent_price_by_side() -> None:
    pps = FILTERS["PERCENT_PRICE_BY_SIDE"]
    avg = PRICE
    price = avg * Decimal(pps["bidMultiplierUp"]) * 2  # twice the highest BUY price allowed
    assert price % TICK == 0
    wrapped = {
        "params": order(quantity=LOT["minQty"], price=format(price, "f")),
        "context": {"avgPrice": {"mins": 5, "price": str(avg)}},
    }
    r = run(line(wrapped), fmt="json")
    assert r.status == 1
    assert (r.json[0]["code"], r.json[0]["msg"]) == (-1013, "Filter failure: PERCENT_PRICE_BY_SIDE")


def test_unknown_endpoint() -> None:
    r = run(line({"endpoint": "/api/v3/orderList", "params": order()}), fmt="json")
    assert r.status == 2
    [v] = r.json
    assert list(v) == ERROR_KEYS
    assert v["error"].startswith("line 1: unknown endpoint")
    assert "/api/v3/orderList" in v["error"]
    assert "/api/v3/order/test" in v["error"]


@pytest.mark.parametrize(
    ("context", "named"),
    [
        ({"avgPrice": 1.5}, "avgPrice"),  # a float has lost the exact value
        ({"avgPrice": "abc"}, "avgPrice"),
        ({"lastprice": "1.0"}, "lastprice"),  # unknown key
        ({"account": []}, "account"),
        ([1, 2], "context"),
    ],
)
def test_bad_context(context: object, named: str) -> None:
    data = line({"params": order(), "context": context}) + GOOD
    r = run(data, fmt="json")
    assert r.status == 2
    assert r.json[0]["error"].startswith("line 1: bad context")
    assert named in r.json[0]["error"]
    assert r.json[1]["ok"] is True  # the next line is still checked


def test_params_not_an_object_is_a_bare_order() -> None:
    # Without an object under "params", the line is a bare order with a parameter "params".
    r = run(line({"params": "x", **order()}), fmt="json")
    assert r.json[0]["code"] is not None
    assert r.json[0]["code"] < 0
    assert "error" not in r.json[0]


def test_unknown_wrapper_key() -> None:
    r = run(line({"params": order(), "id": 7}), fmt="json")
    assert r.status == 2
    assert r.json[0]["error"].startswith("line 1: unknown key(s) id")


def test_blank_lines_are_skipped_but_counted() -> None:
    r = run(b"\n   \r\n\t\n" + GOOD + b"\n", fmt="json")
    assert r.status == 0
    assert len(r.json) == 1
    t = run(b"\n\n" + LOW)
    assert t.lines[0].startswith("line 3: BTCUSDT: -1013")


def test_last_line_without_newline() -> None:
    r = run(GOOD.rstrip(b"\n"), fmt="json")
    assert r.status == 0
    assert len(r.json) == 1


def test_empty_input() -> None:
    assert run(b"", fmt="json").out == ""
    assert run(b"", fmt="json").status == 0
    t = run(b"")
    assert (t.status, t.lines) == (0, ["0 checked, 0 passed, 0 rejected, 0 unusable"])


def test_file_argument_and_dash(tmp_path: Path) -> None:
    f = tmp_path / "orders.jsonl"
    f.write_bytes(GOOD + LOW)
    r = run(b"", str(f), fmt="json")
    assert r.status == 1
    assert [v["ok"] for v in r.json] == [True, False]
    s = run(GOOD, "-", fmt="json")
    assert s.status == 0
    assert len(s.json) == 1


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_unreadable_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "nope.jsonl" if kind == "missing" else tmp_path
    r = run(GOOD, str(path), fmt="json")
    assert r.status == 2
    assert r.out == ""
    assert str(path) in r.err


def test_bad_snapshot_error_body(tmp_path: Path) -> None:
    snapshot = ERROR_BODY_SNAPSHOT
    if not snapshot.exists():
        snapshot = tmp_path / "error.json"
        snapshot.write_text('{"code": 0, "msg": "Service unavailable from a restricted location"}')
    body = json.loads(snapshot.read_text())
    r = run(GOOD, "--exchange-info", str(snapshot), fmt="json")
    assert r.status == 2
    assert r.out == ""  # stopped before reading any order
    assert str(snapshot) in r.err
    assert body["msg"][:40] in r.err


@pytest.mark.parametrize("content", [None, b"{not json", b'{"symbols": 5}'])
def test_bad_snapshot_file(tmp_path: Path, content: bytes | None) -> None:
    snapshot = tmp_path / "snap.json"
    if content is not None:
        snapshot.write_bytes(content)
    r = run(GOOD, "--exchange-info", str(snapshot))
    assert r.status == 2
    assert r.out == ""
    assert str(snapshot) in r.err


def _btcusdt_only(min_qty: str) -> dict[str, Any]:
    """The shipped snapshot cut to BTCUSDT, with LOT_SIZE minQty raised to ``min_qty``."""
    symbol = json.loads(json.dumps(BTCUSDT))
    for f in symbol["filters"]:
        if f["filterType"] == "LOT_SIZE":
            f["minQty"] = min_qty
    return {**RAW, "symbols": [symbol]}


@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_snapshot_file_is_used(tmp_path: Path, suffix: str) -> None:
    assert Decimal(GOOD_QTY) < 1
    payload = json.dumps(_btcusdt_only("1.00000000")).encode()
    snapshot = tmp_path / f"snap{suffix}"
    snapshot.write_bytes(gzip.compress(payload) if suffix.endswith(".gz") else payload)
    r = run(GOOD, "--exchange-info", str(snapshot), fmt="json")
    assert r.status == 1  # passes on the shipped snapshot, but not with minQty 1
    assert r.json[0]["msg"] == "Filter failure: LOT_SIZE"
    other = run(line({**order(), "symbol": "ETHUSDT"}), "--exchange-info", str(snapshot))
    assert other.status == 1  # ETHUSDT is not in this snapshot
    assert "ETHUSDT" in RAW_SYMBOLS


RAW_SYMBOLS = {s["symbol"] for s in RAW["symbols"]}


def test_engine_failure_is_reported_on_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = iter([RuntimeError("boom")])

    def flaky(real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            for exc in calls:
                raise exc
            return real(*args, **kwargs)

        return call

    # A line goes to engine.judge (the short cut) first when it is a bare order, else to check()
    # (without the bulk extra's columns, which tests/test_cli_columns.py covers).
    monkeypatch.setattr(cli_columns, "available", lambda: False)
    monkeypatch.setattr(filterlib.lines, "check", flaky(filterlib.check))
    monkeypatch.setattr(filterlib.lines, "judge", flaky(engine.judge))
    r = run(GOOD + GOOD, fmt="json")
    assert r.status == 2
    assert r.json[0]["error"].startswith("line 1: filterlib failed on this line (RuntimeError")
    assert r.json[1]["ok"] is True


class _LineByLine(io.BytesIO):
    """Input that records how much output existed when each line was read; refuses bulk reads."""

    def __init__(self, data: bytes, out: io.StringIO) -> None:
        super().__init__(data)
        self.out = out
        self.seen: list[int] = []

    def readline(self, size: int | None = -1) -> bytes:
        self.seen.append(len(self.out.getvalue().splitlines()))
        return super().readline(size)

    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("the CLI must stream, not read the whole input")

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        raise AssertionError("the CLI must stream, not read the whole input")


def test_streams_line_by_line() -> None:
    out = io.StringIO()
    stdin = _LineByLine(GOOD * 3, out)
    status = cli.main(["check", "--format", "json"], stdin=stdin, stdout=out, stderr=io.StringIO())
    assert status == 0
    assert stdin.seen == [0, 1, 2, 3]  # each answer is written before the next line is read


def test_usage_errors() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli.main([], stdout=out, stderr=err) == 2
    assert "usage:" in err.getvalue()
    assert out.getvalue() == ""
    err = io.StringIO()
    assert cli.main(["check", "--format", "xml"], stdout=out, stderr=err) == 2
    assert "xml" in err.getvalue()
    out = io.StringIO()
    assert cli.main(["check", "--help"], stdout=out, stderr=io.StringIO()) == 0
    assert "--exchange-info" in out.getvalue()


# --- the real module entry -------------------------------------------------------------------


def _python_m(*args: str, data: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "filterlib", *args],
        input=data,
        capture_output=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


def test_module_entry_json_from_stdin() -> None:
    p = _python_m("check", "--format", "json", data=GOOD + LOW)
    assert p.returncode == 1, p.stderr
    rows = [json.loads(x) for x in p.stdout.splitlines()]
    assert [r["ok"] for r in rows] == [True, False]
    assert rows[1]["code"] == -1013


def test_module_entry_text_from_file(tmp_path: Path) -> None:
    f = tmp_path / "orders.jsonl"
    f.write_bytes(GOOD)
    p = _python_m("check", str(f))
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode().splitlines()[-1] == "1 checked, 1 passed, 0 rejected, 0 unusable"


def test_module_entry_bad_snapshot_has_no_traceback(tmp_path: Path) -> None:
    p = _python_m("check", "--exchange-info", str(tmp_path / "missing.json"), data=GOOD)
    assert p.returncode == 2
    assert b"Traceback" not in p.stderr
    assert str(tmp_path / "missing.json").encode() in p.stderr


# --- --as-of ---------------------------------------------------------------------------------

NINE_DECIMALS = (
    b'{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC",'
    b'"quantity":"0.001000000","price":"30000.00"}\n'
)
AMEND_LINE = (
    b'{"endpoint":"/api/v3/order/amend/keepPriority",'
    b'"params":{"symbol":"BTCUSDT","orderId":1,"newQty":"0.001"}}\n'
)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_as_of_picks_the_text_of_the_day(jobs: str) -> None:
    # The shipped snapshot is of 2023-08-13; -1111's text changed on 2023-12-04.
    default = run(NINE_DECIMALS * 3, "--jobs", jobs, fmt="json")
    assert {v["msg"] for v in default.json} == {
        "Precision is over the maximum defined for this asset."
    }
    latest = run(NINE_DECIMALS * 3, "--jobs", jobs, "--as-of", "latest", fmt="json")
    assert {v["msg"] for v in latest.json} == {"Parameter 'quantity' has too much precision."}
    day = run(NINE_DECIMALS, "--as-of", "2023-12-03", fmt="json")
    assert day.json[0]["msg"] == "Precision is over the maximum defined for this asset."


def test_an_endpoint_the_day_lacks_is_an_unusable_line() -> None:
    r = run(AMEND_LINE, fmt="json")
    assert r.status == 2
    assert r.json[0]["error"] == (
        "line 1: /api/v3/order/amend/keepPriority did not exist on 2023-08-13 (Binance added it "
        "on 2025-04-24) (in standard input)"
    )
    # By today's rules it is a verdict: the 2023 snapshot's BTCUSDT has no amendAllowed.
    latest = run(AMEND_LINE, "--as-of", "latest", fmt="json")
    assert latest.status == 1
    assert latest.json[0]["msg"] == "Order amend is not supported for this symbol."


@pytest.mark.parametrize("text", ["yesterday", "2023-13-01", "2023-8-13"])
def test_a_bad_as_of_is_a_usage_error(text: str) -> None:
    r = run(GOOD, "--as-of", text)
    assert r.status == 2
    assert "is not a day: write YYYY-MM-DD or 'latest'" in r.err
    assert r.out == ""
