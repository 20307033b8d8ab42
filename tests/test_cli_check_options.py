"""``filterlib check``'s options and notes of issue 18: --context, the CSV header, the note on a
terminal, the progress line in CI logs, the snapshot's age, nearest values named, help text.

Expected values come from the raw JSON of the shipped snapshot (read with gzip + json), from
Binance's documented messages, and from the clock, never from the CLI's own output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import json
import re
import time
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import BTC_LIMIT

from filterlib import cli
from filterlib.cli import app as cli_app
from filterlib.cli import columns as cli_columns

REPO = Path(__file__).resolve().parent.parent
GOOD = dict(BTC_LIMIT)
FULL_CONTEXT: dict[str, Any] = {
    "avgPrice": {"mins": 5, "price": "30000.00"},
    "account": {
        "canTrade": True,
        "permissions": ["SPOT"],
        "balances": [{"asset": "USDT", "free": "1000000.00", "locked": "0"}],
    },
    "openOrders": [],
}


def _shipped_raw() -> bytes:
    data_dir = resources.files("filterlib").joinpath("data")
    [name] = [p.name for p in data_dir.iterdir() if p.name.endswith(".json.gz")]
    return data_dir.joinpath(name).read_bytes()


RAW = json.loads(gzip.decompress(_shipped_raw()))


def jsonl(*orders: object) -> bytes:
    return b"".join(orjson.dumps(o) + b"\n" for o in orders)


def run(
    *args: str,
    data: bytes = b"",
    stdin: io.BytesIO | None = None,
    stderr: io.StringIO | None = None,
    clock: Callable[[], float] | None = None,
) -> tuple[int, str, str]:
    out, err = io.StringIO(), stderr or io.StringIO()
    status = cli.main(
        ["check", *args],
        stdin=stdin or io.BytesIO(data),
        stdout=out,
        stderr=err,
        clock=clock,
    )
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return status, out.getvalue(), err.getvalue()


def verdicts(out: str) -> list[dict[str, Any]]:
    return [orjson.loads(x) for x in out.splitlines()]


# --- --context ---------------------------------------------------------------------------------


def test_without_context_a_bare_order_cannot_pass_fail_on_unchecked() -> None:
    status, out, _ = run("--fail-on", "unchecked", "--format", "json", data=jsonl(GOOD))
    assert status == 1
    assert {u["rule"] for u in verdicts(out)[0]["unchecked"]} >= {"PERCENT_PRICE_BY_SIDE"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_context_for_every_order_makes_fail_on_unchecked_usable(jobs: str) -> None:
    data = jsonl(GOOD, {**GOOD, "quantity": "0.00200"}, GOOD)
    args = ["--context", json.dumps(FULL_CONTEXT), "--fail-on", "unchecked", "--jobs", jobs]
    status, out, _ = run(*args, "--format", "json", data=data)
    assert status == 0, out
    # Only the rules no context decides stay unchecked, and they do not fail the run.
    assert [(v["ok"], _decidable(v)) for v in verdicts(out)] == [(True, [])] * 3
    text = run(*args, data=data)
    assert text[0] == 0
    assert "rules unchecked" not in text[2]


def test_a_context_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "context.json"
    path.write_text(json.dumps(FULL_CONTEXT))
    status, out, _ = run(
        "--context", f"@{path}", "--fail-on", "unchecked", "--format", "json", data=jsonl(GOOD)
    )
    assert status == 0
    assert _decidable(verdicts(out)[0]) == []


def _decidable(verdict: dict[str, Any]) -> list[str]:
    return [u["rule"] for u in verdict["unchecked"] if u.get("decidable", True)]


def test_the_context_decides_and_a_lines_own_keys_win() -> None:
    # BTCUSDT's BUY band is bidMultiplierUp x avgPrice: with avgPrice 1000.00, 30000.00 is above.
    pps = next(f for f in _btcusdt()["filters"] if f["filterType"] == "PERCENT_PRICE_BY_SIDE")
    assert float(pps["bidMultiplierUp"]) * 1000 < 30000
    low = json.dumps({"avgPrice": "1000.00"})
    own = {"params": GOOD, "context": {"avgPrice": "30000.00"}}
    status, out, _ = run("--context", low, "--format", "json", data=jsonl(GOOD, own))
    assert status == 1
    first, second = verdicts(out)
    assert first["msg"] == "Filter failure: PERCENT_PRICE_BY_SIDE"
    assert second["ok"] is True  # its own avgPrice replaced the one of --context
    # The keys a line does not give still come from --context.
    both = json.dumps({"avgPrice": "1000.00", "openOrders": []})
    status, out, _ = run("--context", both, "--format", "json", data=jsonl(own))
    assert "MAX_NUM_ORDERS" not in {u["rule"] for u in verdicts(out)[0]["unchecked"]}


def _btcusdt() -> dict[str, Any]:
    symbol: dict[str, Any] = next(s for s in RAW["symbols"] if s["symbol"] == "BTCUSDT")
    return symbol


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("{nope", "--context is not valid JSON"),
        ("[1, 2]", "--context: expected a JSON object of context keys (avgPrice, account, ...), "
                   "got an array"),
        ('{"avgprice": "1.0"}', "--context: unknown context key(s) avgprice"),
        ('{"avgPrice": 1.5}', "--context: avgPrice"),
        ("@/nonexistent/context.json", "--context @/nonexistent/context.json: cannot read "
                                       "/nonexistent/context.json: No such file or directory"),
        ('{"account": ' + "[" * 3000 + "]" * 3000 + "}", "--context"),  # one line, all the same
    ],
    ids=["not JSON", "an array", "an unknown key", "a float", "a missing file", "deep"],
)  # fmt: skip
def test_a_bad_context_stops_the_run_before_any_order(given: str, said: str) -> None:
    status, out, err = run("--context", given, data=jsonl(GOOD))
    assert status == 2
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith(f"filterlib: {said}"), line


# --- a CSV header that names no order parameter --------------------------------------------------


@pytest.mark.parametrize(
    ("header", "hint"),
    [
        (b"Symbol;Side;Type;Quantity;Price", "separated by ','"),
        (b"Symbol,Side,Type,Quantity,Price", "case-sensitive"),
        (b"a,b,c", ""),
    ],
)
def test_a_csv_header_without_an_order_parameter_is_a_file_error(
    tmp_path: Path, header: bytes, hint: str
) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(header + b"\nBTCUSDT;BUY;LIMIT;0.001;30000.00\n" * 3)
    status, out, err = run(str(path), "--format", "json")
    assert status == 2
    assert out == ""  # not a -1102 per row
    assert err.startswith(f"filterlib: {path} line 1: the CSV header names no order parameter")
    assert hint in err
    # A header naming one parameter is read (the others are Binance's to reject).
    path.write_bytes(b"symbol,Side\nBTCUSDT,BUY\n")
    status, out, _ = run(str(path), "--format", "json")
    assert (status, len(out.splitlines())) == (1, 1)


def test_the_csv_header_check_on_standard_input() -> None:
    status, _, err = run("--input-format", "csv", data=b"Symbol;Side\nBTCUSDT;BUY\n")
    assert status == 2
    assert err.startswith("filterlib: standard input line 1: the CSV header names no order")


# --- standard input on a terminal ------------------------------------------------------------


class _TerminalInput(io.BytesIO):
    def isatty(self) -> bool:
        return True


NOTE = "filterlib: reading orders from standard input (Ctrl-D to end); see filterlib check --help\n"


def test_reading_a_terminal_says_so() -> None:
    status, _, err = run(stdin=_TerminalInput(jsonl(GOOD)))
    assert status == 0
    assert err.startswith(NOTE)
    assert NOTE not in run(data=jsonl(GOOD))[2]  # a pipe or a file: nothing to say


def test_no_note_when_files_are_named(tmp_path: Path) -> None:
    path = tmp_path / "o.jsonl"
    path.write_bytes(jsonl(GOOD))
    assert NOTE not in run(str(path), stdin=_TerminalInput(b""))[2]


# --- progress --------------------------------------------------------------------------------


def _clock(step: float) -> Callable[[], float]:
    """A clock that moves ``step`` seconds each time it is read."""
    ticks: Iterator[int] = iter(range(10**9))
    return lambda: next(ticks) * step


@pytest.fixture
def line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file read line by line, as without the bulk extra (with it, a file is read in blocks
    of thousands of orders, and progress is counted a block at a time)."""
    monkeypatch.setattr(cli_columns, "available", lambda: False)


@pytest.mark.usefixtures("line_by_line")
def test_a_plain_progress_line_in_a_ci_log(tmp_path: Path) -> None:
    # The clock is read at the start, then every 256 orders: 3 s apart, the first line comes
    # at 12 s, after 1,024 orders, and the next would be due at 24 s, past the last order.
    path = tmp_path / "orders.jsonl"
    lines = jsonl(*[GOOD] * 2000)
    path.write_bytes(lines)
    status, out, err = run(str(path), "--format", "json", clock=_clock(3.0))
    assert status == 0
    assert len(out.splitlines()) == 2000
    [line] = [x for x in err.splitlines() if "orders checked" in x]
    m = re.fullmatch(
        r"filterlib: 1,024 orders checked in 12 s \(85/s\); (\d+)% of the input read, "
        r"about (\d+) s left",
        line,
    )
    assert m, line
    share = 1024 / 2000  # the lines are all the same length
    assert abs(int(m[1]) - 100 * share) <= 1
    assert abs(int(m[2]) - 12 * (1 - share) / share) <= 1
    assert "\r" not in err  # a plain line, not one rewritten in place


@pytest.mark.usefixtures("line_by_line")
def test_the_share_read_counts_the_files_already_read(tmp_path: Path) -> None:
    # Two files of 1,000 orders: at the first line, after 1,024 orders, the first file has been
    # read whole and 24 lines of the second.
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_bytes(jsonl(*[GOOD] * 1000))
    second.write_bytes(jsonl(*[GOOD] * 1000))
    _, _, err = run(str(first), str(second), "--format", "json", clock=_clock(3.0))
    [line] = [x for x in err.splitlines() if "orders checked" in x]
    m = re.search(r"; (\d+)% of the input read", line)
    assert m, line
    assert abs(int(m[1]) - 100 * 1024 / 2000) <= 1


def test_no_eta_when_the_size_is_unknown() -> None:
    _, _, err = run("--format", "json", data=jsonl(*[GOOD] * 2000), clock=_clock(3.0))
    [line] = [x for x in err.splitlines() if "orders checked" in x]
    assert line == "filterlib: 1,024 orders checked in 12 s (85/s)"


def test_a_short_run_and_no_progress_say_nothing() -> None:
    data = jsonl(*[GOOD] * 2000)
    assert "orders checked" not in run("--format", "json", data=data, clock=_clock(0.001))[2]
    quiet = run("--format", "json", "--no-progress", data=data, clock=_clock(3.0))
    assert "orders checked" not in quiet[2]


def test_on_a_terminal_it_is_rewritten_in_place() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Tty()
    run("--format", "json", data=jsonl(*[GOOD] * 2000), stderr=err, clock=_clock(0.3))
    shown = err.getvalue()
    assert "\rfilterlib: 1,024 orders checked (" in shown
    assert shown.endswith("\r\x1b[K")  # erased at the end
    assert "\n" not in shown


# --- the snapshot's date and age ---------------------------------------------------------------


def _days_old(server_time: int) -> set[str]:
    """The age in days now and a moment later (the run falls between the two)."""
    before = int(time.time() * 1000)
    return {f"{(before - server_time) // 86_400_000 + k:,}" for k in (0, 1)}


def test_the_text_summary_says_how_old_the_snapshot_is() -> None:
    server = RAW["serverTime"]
    day = dt.datetime.fromtimestamp(server / 1000, dt.UTC).date().isoformat()
    assert day == "2023-08-13"
    ages = _days_old(server)
    _, _, err = run(data=jsonl(GOOD))
    m = re.search(
        r"^checked against the shipped snapshot of (\S+) \(([\d,]+) days old\)$", err, re.M
    )
    assert m, err
    assert m[1] == day
    assert m[2] in ages


def test_an_own_snapshot_is_named_and_one_without_server_time_says_nothing(
    tmp_path: Path,
) -> None:
    fresh = {**RAW, "serverTime": int(time.time() * 1000) - 5 * 3_600_000}
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(fresh))
    _, _, err = run("--exchange-info", str(path), data=jsonl(GOOD))
    assert re.search(
        rf"^checked against {re.escape(str(path))} of \S+ \([56] hours old\)$", err, re.M
    )
    undated = {k: v for k, v in RAW.items() if k != "serverTime"}
    path.write_text(json.dumps(undated))
    _, _, err = run("--exchange-info", str(path), data=jsonl(GOOD))
    assert "checked against" not in err


# --- nearest valid values name their parameter and leg ---------------------------------------

OCO = {
    "symbol": "BTCUSDT",
    "side": "SELL",
    "quantity": "0.001",
    "aboveType": "LIMIT_MAKER",
    "abovePrice": "31000.00",
    "belowType": "STOP_LOSS_LIMIT",
    "belowStopPrice": "29000.00",
    "belowPrice": "28900.00",
    "belowTimeInForce": "GTC",
}


def test_nearest_values_name_the_parameter_and_the_leg() -> None:
    lists = [
        {"endpoint": "/api/v3/orderList/oco", "params": {**OCO, "abovePrice": "31000.005"}},
        {"endpoint": "/api/v3/orderList/oco", "params": {**OCO, "quantity": "0.001005"}},
    ]
    _, out, _ = run(data=jsonl({**GOOD, "price": "30000.005"}, *lists))
    first, second, third = out.splitlines()[:3]
    assert first.endswith("nearest valid price: 30000.00000000, 30000.01000000")
    # A parameter of one leg names it; a parameter the legs share names the leg after it.
    assert second.endswith("nearest valid abovePrice: 31000.00000000, 31000.01000000")
    assert third.endswith("nearest valid quantity (above leg): 0.00100000, 0.00101000")


def test_the_readme_shows_what_the_first_command_prints() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^pip install \. && echo '(.*?)' \| filterlib check$", readme, re.M)
    assert command, "README.md's first command"
    shown = readme.split("The first command above prints", 1)[1]
    block = re.search(r"```text\n(.*?)```", shown, re.S)
    assert block
    _, out, _ = run(data=command[1].encode() + b"\n")
    assert out == block[1]


# --- help text and words ------------------------------------------------------------------------


def test_every_option_of_check_has_help_text() -> None:
    parser = cli_app._build_parser(io.StringIO(), io.StringIO())
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    check = sub.choices["check"]
    for action in check._actions:
        assert action.help, action.option_strings
        assert action.help != argparse.SUPPRESS, action.option_strings
    help_text = io.StringIO()
    assert cli.main(["check", "--help"], stdout=help_text, stderr=io.StringIO()) == 0
    for name in ("text", "json", "github", "junit", "sarif"):
        assert f"{name}:" in help_text.getvalue()


def test_counts_are_in_the_right_number(tmp_path: Path) -> None:
    off = {**GOOD, "quantity": "0.001005"}
    _, out, _ = run("--format", "github", "--max-annotations", "2", data=jsonl(*[off] * 3))
    assert "::1 more annotation not written" in out
    _, out, _ = run("--format", "github", "--max-annotations", "1", data=jsonl(*[off] * 3))
    assert "::2 more annotations not written" in out
    missing = [str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]
    assert run(missing[0])[1].endswith(", 1 file unreadable\n")
    assert run(*missing)[1].endswith(", 2 files unreadable\n")


def test_messages_about_lines_are_in_the_right_number() -> None:
    _, out, _ = run("--input-format", "csv", "--format", "json", data=b"symbol,side\nBTCUSDT\n")
    assert verdicts(out)[0]["error"].startswith(
        "line 2: 1 cell but the header (line 1) names 2 columns;"
    )
    _, out, _ = run("--max-line-bytes", "1", "--format", "json", data=b'{"a": 1}\n')
    assert verdicts(out)[0]["error"].startswith("line 1: longer than 1 byte, the longest line")
