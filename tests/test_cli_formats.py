"""``filterlib check``: every input form and output format, --fail-on, streaming, interruptions.

Most tests drive the real command line in a subprocess (``python -m filterlib``); expected
verdicts come from the JSON Lines path (tests/test_cli.py pins it against the raw snapshot), so
each new input form is shown to reach exactly the same verdicts.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import BTC_LIMIT

import filterlib as filterlib_module
from filterlib import cli
from filterlib.cli import check as cli_check
from filterlib.cli import outputs as cli_outputs
from filterlib.cli.inputs import _array_records, open_records
from filterlib.cli.outputs import Options, Renderer, render_verdict

REPO = Path(__file__).resolve().parent.parent
REAL_ERROR_BODY = Path("/work/shared/fixtures-real/error_restricted_location_2022-12-07_sm2a.json")
ERROR_BODY = (
    REAL_ERROR_BODY
    if REAL_ERROR_BODY.exists()
    else REPO / "fixtures" / "snapshots" / "error_restricted_location_2022-12-07_sm2a.json"
)

GOOD = dict(BTC_LIMIT)
REJECTED = {**GOOD, "quantity": "0.000012"}  # off the 0.00001 step: -1013 LOT_SIZE
AT_MIN_QTY = {**GOOD, "quantity": "0.00100000", "price": "30000.00"}
FULL_CONTEXT = {
    "avgPrice": {"mins": 5, "price": "30000.00"},
    "account": {
        "canTrade": True,
        "permissions": ["SPOT"],
        "balances": [{"asset": "USDT", "free": "1000000.00", "locked": "0"}],
    },
    "openOrders": [],
}
COLUMNS = ["symbol", "side", "type", "timeInForce", "quantity", "price"]


def filterlib(
    *args: str, data: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    p = subprocess.run(
        [sys.executable, "-m", "filterlib", *args],
        input=data,
        capture_output=True,
        cwd=REPO,
        timeout=300,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert b"Traceback" not in p.stderr, p.stderr.decode()
    return p


def jsonl(*orders: object) -> bytes:
    return b"".join(orjson.dumps(o) + b"\n" for o in orders)


def csv_bytes(*orders: dict[str, str]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for o in orders:
        writer.writerow([o.get(c, "") for c in COLUMNS])
    return buf.getvalue().encode()


def rows(p: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    return [json.loads(x) for x in p.stdout.splitlines()]


# --- inputs ----------------------------------------------------------------------------------


def test_csv_json_array_and_jsonl_give_the_same_verdicts(tmp_path: Path) -> None:
    orders = [GOOD, REJECTED, {**GOOD, "type": "MARKET", "timeInForce": "", "price": ""}]
    (tmp_path / "o.jsonl").write_bytes(
        jsonl(GOOD, REJECTED, {k: v for k, v in orders[2].items() if v})
    )
    (tmp_path / "o.csv").write_bytes(csv_bytes(*orders))
    array = [*orders[:2], json.loads(jsonl(orders[2]))]
    (tmp_path / "o.json").write_bytes(json.dumps(array, indent=2).encode())
    # The JSON array's third element sends empty timeInForce and price: -1105, unlike CSV.
    a = rows(filterlib("check", str(tmp_path / "o.jsonl"), "--format", "json"))
    c = rows(filterlib("check", str(tmp_path / "o.csv"), "--format", "json"))
    j = rows(filterlib("check", str(tmp_path / "o.json"), "--format", "json"))
    assert [r["ok"] for r in a] == [True, False, True]
    assert c == a  # empty CSV cells are not sent
    assert j[:2] == a[:2]
    assert j[2]["code"] == -1105  # '' is sent empty in JSON


def test_csv_values_stay_strings(tmp_path: Path) -> None:
    # "0.00001000" keeps its eight decimals; were it a float it would be 1e-05 (-1100).
    order = {**GOOD, "quantity": "0.00100000", "price": "30000.00000000"}
    path = tmp_path / "o.csv"
    path.write_bytes(csv_bytes(order))
    [r] = rows(filterlib("check", str(path), "--format", "json"))
    assert r["ok"] is True
    order["quantity"] = "0.001000000"  # nine decimals: more than BTC's precision of 8
    path.write_bytes(csv_bytes(order))
    [r] = rows(filterlib("check", str(path), "--format", "json"))
    assert r["code"] == -1111


def test_csv_bad_rows_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_bytes(
        csv_bytes(GOOD) + b"BTCUSDT,BUY\n" + b"\n" + csv_bytes(REJECTED).split(b"\n", 1)[1]
    )
    p = filterlib("check", str(path), "--format", "json")
    assert p.returncode == 2
    out = rows(p)
    assert [r["ok"] for r in out] == [True, False, False]
    assert out[1]["error"].startswith("line 3: 2 cells but the header (line 1) names 6 columns")
    assert str(path) in out[1]["error"]
    assert out[2]["code"] == -1013  # line 5, after a blank line


def test_json_array_streams_elements_split_anywhere() -> None:
    """Fed one byte at a time, the scanner finds the same elements on the same lines."""
    elements = [GOOD, {"params": REJECTED, "context": {"avgPrice": "1.5"}}, 42, "x, ]", [1, {}]]
    text = json.dumps(elements, indent=1).encode()
    whole = list(_array_records([text], "a.json"))
    bytewise = list(_array_records([text[i : i + 1] for i in range(len(text))], "a.json"))
    assert whole == bytewise
    assert [orjson.loads(e) for _, e in whole] == elements
    lines = text.splitlines()
    for line, element in whole:
        assert isinstance(element, bytes)
        assert lines[line - 1].strip().startswith(element[:1])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"[1, 2", "the array ends early"),
        (b"[1,, 2]", "an empty element"),
        (b"[1, 2,]", "an empty element"),
        (b"[1] [2]", "text after"),
    ],
)
def test_broken_json_array(tmp_path: Path, text: bytes, message: str) -> None:
    path = tmp_path / "o.json"
    path.write_bytes(text)
    p = filterlib("check", str(path), "--format", "json")
    assert p.returncode == 2
    assert message in p.stderr.decode()
    assert str(path) in p.stderr.decode()
    assert "line 1" in p.stderr.decode()


def test_gzip_by_magic_bytes_several_files_and_stdin(tmp_path: Path) -> None:
    a = tmp_path / "a.data"  # no .gz in the name: gzip is found by its magic bytes
    a.write_bytes(gzip.compress(jsonl(GOOD, REJECTED)))
    b = tmp_path / "b.csv.gz"
    b.write_bytes(gzip.compress(csv_bytes(GOOD)))
    p = filterlib("check", str(a), "-", str(b), "--format", "json", data=jsonl(REJECTED))
    assert p.returncode == 1
    assert [r["ok"] for r in rows(p)] == [True, False, False, True]
    t = filterlib("check", str(a), "-", str(b), data=jsonl(REJECTED))
    heads = [x for x in t.stdout.decode().splitlines() if x.startswith("==> ")]
    assert heads == [f"==> {a} <==", "==> standard input <==", f"==> {b} <=="]


def test_records_of_a_gzip_stream_without_read_ahead() -> None:
    stream = io.BytesIO(gzip.compress(jsonl(GOOD, GOOD)))
    records = list(open_records(stream, "x"))
    assert [line for line, _ in records] == [1, 2]


# --- empty and interrupted input ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
@pytest.mark.parametrize("out", ["text", "json", "github", "junit"])
def test_empty_input(fmt: str, out: str) -> None:
    data = {"jsonl": b"", "json": b"[]\n", "csv": b"symbol,side\n"}[fmt]
    p = filterlib("check", "--input-format", fmt, "--format", out, data=data)
    assert p.returncode == 0, p.stderr
    if out == "junit":
        assert ET.fromstring(p.stdout).get("tests") == "0"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_truncated_gzip(tmp_path: Path, jobs: str) -> None:
    data = gzip.compress(jsonl(*[GOOD] * 5000), compresslevel=0)
    path = tmp_path / "orders.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    p = filterlib("check", str(path), "--format", "json", "--jobs", jobs)
    assert p.returncode == 2
    err = p.stderr.decode()
    assert f"{path}: the gzip data is truncated or corrupt after line" in err
    checked = len(p.stdout.splitlines())
    assert 1000 < checked < 5000
    assert f"after line {checked}" in err  # the orders before it were all checked
    assert "gzip -t" in err  # what to do


def test_broken_pipe_on_output(tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_bytes(jsonl(*[GOOD] * 20000))
    cmd = [sys.executable, "-m", "filterlib", "check", str(path), "--format", "json"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away, as `| head -1` does
    err = proc.stderr.read().decode()
    status = proc.wait(timeout=120)
    assert status == 2
    assert "Traceback" not in err
    assert "broken pipe" in err


# --- a snapshot that is not an exchangeInfo -----------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--exchange-info", str(ERROR_BODY)],
        ["explain", "BTCUSDT", "--exchange-info", str(ERROR_BODY)],
        ["snapshot", "info", str(ERROR_BODY)],
        ["diff", str(ERROR_BODY), str(ERROR_BODY)],
    ],
)
def test_the_real_error_body_is_refused_by_every_command(command: list[str]) -> None:
    p = filterlib(*command, data=jsonl(GOOD))
    assert p.returncode == 2
    assert p.stdout == b""
    err = p.stderr.decode()
    assert str(ERROR_BODY) in err
    assert "error body from Binance" in err
    assert "Service unavailable from a restricted location" in err
    assert "snapshot fetch" in err or "exchangeInfo" in err


# --- outputs and exit statuses ---------------------------------------------------------------


CASES = {0: jsonl(GOOD), 1: jsonl(GOOD, REJECTED), 2: jsonl(GOOD, REJECTED) + b"{oops\n"}


@pytest.mark.parametrize("status", [0, 1, 2])
def test_text(status: int) -> None:
    p = filterlib("check", "--color", "never", data=CASES[status])
    assert p.returncode == status
    out = p.stdout.decode().splitlines()
    assert out[-1].endswith("1 unusable" if status == 2 else "0 unusable")
    assert "\x1b[" not in p.stdout.decode()
    if status:
        err = p.stderr.decode()
        assert "by rule:" in err
        assert "by symbol:" in err
        assert "LOT_SIZE: -1013 Filter failure: LOT_SIZE" in err


def test_text_colour_always_and_no_color() -> None:
    p = filterlib("check", "--color", "always", data=CASES[1])
    assert "\x1b[31m" in p.stdout.decode()  # the rejected order in red
    # auto: never when stdout is not a terminal, and NO_COLOR wins over a terminal.
    assert b"\x1b[" not in filterlib("check", data=CASES[1]).stdout

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    from filterlib.cli.outputs import use_colour

    assert use_colour("auto", Tty())
    os.environ["NO_COLOR"] = "1"
    try:
        assert not use_colour("auto", Tty())
    finally:
        del os.environ["NO_COLOR"]


@pytest.mark.parametrize("status", [0, 1, 2])
def test_json_contract_unchanged(status: int) -> None:
    p = filterlib("check", "--format", "json", data=CASES[status])
    assert p.returncode == status
    for r in rows(p):
        assert list(r) in (
            ["ok", "code", "msg", "violations", "unchecked"],
            ["ok", "code", "msg", "error", "violations", "unchecked"],
        )


@pytest.mark.parametrize("status", [0, 1, 2])
def test_github_annotations_point_at_file_and_line(tmp_path: Path, status: int) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_bytes(b"\n" + CASES[status])
    p = filterlib("check", str(path), "--format", "github")
    assert p.returncode == status
    lines = p.stdout.decode().splitlines()
    errors = [x for x in lines if x.startswith("::error ")]
    assert len(errors) == status
    if status >= 1:
        assert errors[0].startswith(f"::error file={path},line=3,title=BTCUSDT%3A -1013 ")
        assert "::" in errors[0][len("::error ") :]
    if status == 2:
        assert errors[1].startswith(f"::error file={path},line=4,")
    assert lines[-1].startswith("::notice title=filterlib check::")


@pytest.mark.parametrize("status", [0, 1, 2])
def test_junit_xml(tmp_path: Path, status: int) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_bytes(CASES[status])
    p = filterlib("check", str(path), "--format", "junit")
    assert p.returncode == status
    root = ET.fromstring(p.stdout)
    assert root.tag == "testsuites"
    [suite] = root
    assert suite.get("name") == str(path)
    cases = list(suite)
    # Every order is counted; only those that fail or cannot be checked are listed.
    assert suite.get("tests") == str(len(CASES[status].splitlines()))
    assert len(cases) == status
    assert suite.get("failures") == str(min(status, 1))
    assert suite.get("errors") == str(1 if status == 2 else 0)
    if status:
        failure = cases[0].find("failure")
        assert failure is not None
        assert failure.get("message") == "-1013 Filter failure: LOT_SIZE"
        assert cases[0].get("line") == "2"
    if status == 2:
        assert cases[1].find("error") is not None
        assert cases[1].get("line") == "3"


@pytest.mark.parametrize("fmt", ["text", "json", "github", "junit"])
def test_jobs_2_gives_the_same_bytes_in_every_format(tmp_path: Path, fmt: str) -> None:
    orders = [GOOD, REJECTED, AT_MIN_QTY] * 1500
    inputs = {
        "o.csv": csv_bytes(*orders),
        "o.json": json.dumps(orders).encode(),
        "o.jsonl.gz": gzip.compress(jsonl(*orders) + b"nope\n"),
    }
    for name, data in inputs.items():
        (tmp_path / name).write_bytes(data)
    args = ["check", *sorted(str(tmp_path / n) for n in inputs), "--format", fmt, "--warnings"]
    one = filterlib(*args)
    two = filterlib(*args, "--jobs", "2")
    assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)
    assert one.returncode == 2


# --- --fail-on ---------------------------------------------------------------------------------


def test_fail_on_unchecked() -> None:
    bare = jsonl(GOOD)
    full = jsonl({"params": GOOD, "context": FULL_CONTEXT})
    assert filterlib("check", data=bare).returncode == 0
    assert filterlib("check", "--fail-on", "unchecked", data=bare).returncode == 1
    p = filterlib("check", "--fail-on", "unchecked", "--format", "json", data=full)
    assert p.returncode == 0, p.stdout
    # Only the rules no context decides stay unchecked; they do not fail the run.
    assert [(u["rule"], u.get("decidable")) for u in rows(p)[0]["unchecked"]] == [
        ("action_disabled", False),
        ("symbol_restricted", False),
    ]


def test_fail_on_warnings_a_quantity_exactly_at_min_qty() -> None:
    at_min = {**GOOD, "quantity": "0.00001000", "price": "1000000.00"}  # maxPrice, minQty
    data = jsonl(at_min)
    assert filterlib("check", data=data).returncode == 0
    p = filterlib("check", "--fail-on", "warnings", "--format", "json", data=data)
    assert p.returncode == 1
    [r] = rows(p)
    assert list(r) == ["ok", "code", "msg", "violations", "unchecked", "warnings"]
    assert r["ok"] is True
    assert [(w["kind"], w["text"]) for w in r["warnings"]] == [
        ("on_bound", "price 1000000.00 is exactly PRICE_FILTER maxPrice"),
        ("on_bound", "quantity 0.00001000 is exactly LOT_SIZE minQty"),
        ("on_bound", "notional 10.0000000000 is exactly NOTIONAL minNotional"),
    ]
    g = filterlib("check", "--fail-on", "rejected,warnings", "--format", "github", data=data)
    assert g.returncode == 1
    assert g.stdout.decode().startswith("::error line=1,title=BTCUSDT%3A on a bound::")


def test_warning_on_a_band_edge_and_minimum_notional() -> None:
    # avgPrice 30000, BTCUSDT's BUY band is 0.2x-5x: 6000.00 is exactly the lower edge (and
    # 0.002 x 6000.00 = 12 is above the minimum notional, 10); 0.005 x 2000.00 is exactly 10.
    edge = {
        "params": {**GOOD, "quantity": "0.00200", "price": "6000.00"},
        "context": {"avgPrice": "30000.00"},
    }
    p = filterlib("check", "--warnings", "--format", "json", data=jsonl(edge))
    assert p.returncode == 0  # shown, not failed
    [r] = rows(p)
    assert [(w["kind"], w["text"]) for w in r["warnings"]] == [
        (
            "on_bound",
            "price 6000.00 is exactly the PERCENT_PRICE_BY_SIDE lower band edge "
            "(avgPrice 30000.00 x 0.2)",
        )
    ]
    notional = {**GOOD, "quantity": "0.00500", "price": "2000.00"}
    [r] = rows(filterlib("check", "--warnings", "--format", "json", data=jsonl(notional)))
    assert [(w["kind"], w["text"]) for w in r["warnings"]] == [
        ("on_bound", "notional 10.0000000 is exactly NOTIONAL minNotional")
    ]


def test_bad_fail_on_is_a_usage_error() -> None:
    p = filterlib("check", "--fail-on", "everything", data=jsonl(GOOD))
    assert p.returncode == 2
    assert "--fail-on" in p.stderr.decode()


# --- progress ----------------------------------------------------------------------------------


def test_progress_line_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_check, "PROGRESS_AFTER", 0.0)
    monkeypatch.setattr(cli_check, "PROGRESS_EVERY", 0.0)

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    data = jsonl(*[GOOD] * 600)
    for err, shown in ((Tty(), True), (io.StringIO(), False)):
        out = io.StringIO()
        status = cli.main(["check", "--format", "json"], stdin=io.BytesIO(data), stdout=out,
                          stderr=err)  # fmt: skip
        assert status == 0
        assert ("orders checked" in err.getvalue()) is shown
        assert len(out.getvalue().splitlines()) == 600  # never on stdout
    assert err.getvalue() == ""


# --- a very large file in constant memory --------------------------------------------------------


def _peak_rss_kib(args: list[str]) -> tuple[int, int]:
    """Exit status and peak RSS of ``python -m filterlib ARGS`` (>/dev/null), in a fresh parent."""
    probe = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run([sys.executable, '-m', 'filterlib', *sys.argv[1:]],"
        " stdout=subprocess.DEVNULL)\n"
        "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, cwd=REPO, timeout=600,
        check=True,
    )  # fmt: skip
    status, rss = p.stdout.split()
    return int(status), int(rss)


def test_a_200k_order_array_streams_in_constant_memory(tmp_path: Path) -> None:
    orders = [GOOD, REJECTED, {"params": GOOD, "context": {"avgPrice": "30000.00"}}]

    def write(path: Path, n: int) -> None:
        with gzip.open(path, "wb", compresslevel=1) as fh:
            fh.write(b"[\n")
            for i in range(n):
                fh.write(orjson.dumps(orders[i % 3]) + (b",\n" if i < n - 1 else b"\n"))
            fh.write(b"]\n")

    small, big = tmp_path / "small.json.gz", tmp_path / "big.json.gz"
    write(small, 20_000)
    write(big, 200_000)
    status_small, rss_small = _peak_rss_kib(["check", str(small), "--format", "json"])
    status_big, rss_big = _peak_rss_kib(["check", str(big), "--format", "json"])
    assert status_small == status_big == 1
    # Ten times the input, and memory does not follow: within 20% (and 15 MiB) of the small run.
    assert rss_big < rss_small * 1.2 + 15 * 1024, (rss_small, rss_big)


def test_a_stale_snapshot_warns_on_stderr_and_fails_only_when_asked() -> None:
    # The shipped snapshot's serverTime is 2023-08-13: far more than 24 hours ago.
    p = filterlib("check", "--max-age", "24", data=jsonl(GOOD))
    assert p.returncode == 0
    assert "filterlib: warning: the snapshot is " in p.stderr.decode()
    f = filterlib("check", "--max-age", "24", "--fail-on", "warnings", data=jsonl(GOOD))
    assert f.returncode == 1
    fresh = filterlib("check", "--max-age", "1e9", "--fail-on", "warnings", data=jsonl(GOOD))
    assert fresh.returncode == 0
    assert "warning" not in fresh.stderr.decode()
    bad = filterlib("check", "--max-age", "-3", data=jsonl(GOOD))
    assert bad.returncode == 2


def test_the_verdicts_own_warnings_and_the_clis_share_one_list() -> None:
    # A line whose context carries the current time gets the engine's stale warning; with
    # --warnings the CLI's bound warnings follow it in the same {kind, text} shape.
    line = {
        "params": {**GOOD, "quantity": "0.00001000", "price": "1000000.00"},
        "context": {"serverTime": {"serverTime": 1_800_000_000_000}},
    }
    [r] = rows(filterlib("check", "--warnings", "--format", "json", data=jsonl(line)))
    kinds = [w["kind"] for w in r["warnings"]]
    assert kinds[0] == "stale_snapshot"
    assert "on_bound" in kinds


# --- renderings kept for passing verdicts -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "github", "junit"])
@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize("fail_unchecked", [False, True])
def test_a_kept_rendering_is_the_rendering(fmt: str, colour: bool, fail_unchecked: bool) -> None:
    info = filterlib_module.load_default_exchange_info()
    opts = Options(fmt=fmt, colour=colour, fail_unchecked=fail_unchecked)
    renderer = Renderer("orders/a,b:c.jsonl", opts)
    eth = {**GOOD, "symbol": "ETHUSDT", "quantity": "0.0100", "price": "2000.00"}
    for line, params in [(1, GOOD), (7, GOOD), (10, eth), (12345, GOOD), (99, eth), (100, GOOD)]:
        verdict = filterlib_module.check(info, params)
        assert verdict.ok
        symbol = str(params["symbol"])
        expected = render_verdict(symbol, verdict, (), "orders/a,b:c.jsonl", str(line), opts)
        assert renderer.verdict(line, symbol, verdict, ()) == expected
    # The fast path hands out one verdict object per key: its rendering was made once and kept.
    kept = renderer._kept[id(filterlib_module.check(info, GOOD))]
    assert kept[0] is filterlib_module.check(info, GOOD)  # held, so its id is not reused


def test_kept_renderings_are_bounded_and_check_the_symbol(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_outputs, "MAX_RENDERINGS", 2)
    info = filterlib_module.load_default_exchange_info()
    opts = Options(fmt="text", verbose=True)
    renderer = Renderer("o.jsonl", opts)
    sides = [GOOD, {**GOOD, "side": "SELL"}, {**GOOD, "timeInForce": "IOC"}]
    verdicts = [filterlib_module.check(info, params) for params in sides]
    verdicts.append(filterlib_module.check(info, {**GOOD, "symbol": "ETHUSDT"}))
    for n, verdict in enumerate(verdicts, 1):
        renderer.verdict(n, "BTCUSDT", verdict, ())
        assert len(renderer._kept) <= 2
    # The same verdict object under another symbol (or a symbol holding the placeholder of the
    # line number) is rendered for that symbol.
    for symbol in ("OTHER", "A\x00B"):
        expected = render_verdict(symbol, verdicts[0], (), "o.jsonl", "5", opts)
        assert renderer.verdict(5, symbol, verdicts[0], ()) == expected
        assert expected.startswith(f"line 5: {symbol}: OK")


@pytest.mark.parametrize(
    ("endpoint", "params"),
    [
        ("/api/v3/order", REJECTED),
        ("/api/v3/order", {**GOOD, "price": "30000.001"}),
        ("/api/v3/order", {**GOOD, "quantity": "0.00001"}),
        ("/api/v3/order", {**GOOD, "symbol": "NOSUCHPAIR"}),
        ("/api/v3/order", {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT"}),
        ("/api/v3/order/test", {**GOOD, "type": "MARKET", "price": None}),
        (
            "/api/v3/orderList/oco",
            {
                "symbol": "BTCUSDT",
                "side": "SELL",
                "quantity": "0.000012",
                "aboveType": "LIMIT_MAKER",
                "abovePrice": "31000.00",
                "belowType": "STOP_LOSS",
                "belowStopPrice": "29000.00",
            },
        ),
    ],
)
def test_the_json_of_a_rejected_order_is_verdict_to_dict(
    endpoint: str, params: dict[str, Any]
) -> None:
    info = filterlib_module.load_default_exchange_info()
    sent = {k: v for k, v in params.items() if v is not None}
    for _ in range(2):  # the second time with the unchecked rules' JSON kept
        verdict = filterlib_module.check(info, sent, endpoint=endpoint)
        assert verdict.error is not None
        expected = orjson.dumps(verdict.to_dict()).decode() + "\n"
        assert render_verdict("BTCUSDT", verdict, (), "o", "1", Options(fmt="json")) == expected
