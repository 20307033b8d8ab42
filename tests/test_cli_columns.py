"""``filterlib check`` on columns (the bulk extra): the same output, byte for byte, as one order at
a time, for every format and --jobs, on inputs that mix plain orders with everything else; and
Parquet input."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import orjson
import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from conftest import BTC_LIMIT  # noqa: E402

import filterlib.lines  # noqa: E402
from filterlib import cli  # noqa: E402
from filterlib.cli import check as cli_check  # noqa: E402
from filterlib.cli import columns as cli_columns  # noqa: E402

GOOD: dict[str, Any] = dict(BTC_LIMIT)
PLAIN = [
    GOOD,
    {**GOOD, "price": "30000.001"},  # PRICE_FILTER
    {**GOOD, "side": "SELL", "quantity": "0.0000001"},  # LOT_SIZE
    {**GOOD, "symbol": "ETHBTC", "price": "0.06", "quantity": "0.0001"},  # NOTIONAL
    {**GOOD, "timeInForce": "IOC", "price": "150000.00"},
    {**GOOD, "symbol": "BNBUSDT", "price": "0.0000001"},  # -1111: one by one
]
#: Lines the columns must leave to the line-by-line reading, each beside plain ones.
ODD = [
    b"",  # blank
    b"   ",
    b"\xef\xbb\xbf" + orjson.dumps(GOOD),  # a byte-order mark in the middle: not JSON
    orjson.dumps(GOOD) + orjson.dumps(GOOD),  # two objects on a line
    orjson.dumps(GOOD) + b" x",
    orjson.dumps({**GOOD, "price": 30000}),  # a number
    orjson.dumps({**GOOD, "price": None}),
    orjson.dumps({**GOOD, "newClientOrderId": "abc"}),
    orjson.dumps({**GOOD, "type": "MARKET"}),
    orjson.dumps({"params": GOOD, "context": {"avgPrice": "30000"}}),
    b'{"symbol":"BTC\xffUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC",'
    b'"quantity":"0.001","price":"30000"}',  # not UTF-8
    b'{"symbol":"BTCUSDT","symbol":"ETHBTC","side":"BUY","type":"LIMIT","timeInForce":"GTC",'
    b'"quantity":"0.001","price":"0.06"}',  # a key twice: the last one counts, as in JSON
    b"not json",
    b'{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC","quantity":"0.001",'
    b'"price":"3\\u0030000"}',  # an escape
    b'{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC","quantity":"0.001",'
    b'"price":"\xef\xbc\x93"}',  # a full-width digit
    b"[1, 2]",
    b"{" + b" " * 300 + b"}",  # longer than --max-line-bytes 256
]


@pytest.fixture(autouse=True)
def columns_from_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of any size on columns (the command line reads fewer than MIN_LINES one by one),
    so that small files exercise them."""
    monkeypatch.setattr(cli_columns, "MIN_LINES", 1)


def run(*args: str, stdin: Any = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(
        ["check", "--no-progress", *args],
        stdin=stdin if stdin is not None else io.BytesIO(b""),
        stdout=out,
        stderr=err,
    )
    return status, out.getvalue(), err.getvalue()


def mixed_file(path: Path, repeat: int = 30) -> Path:
    lines = []
    for k in range(repeat):
        lines += [orjson.dumps(p) for p in PLAIN]
        lines.append(ODD[k % len(ODD)])
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.mark.parametrize("fmt", ["json", "text", "github", "junit", "sarif"])
@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("context", [None, '{"avgPrice": "20000.00"}', '{"account": {}}'])
def test_the_output_is_the_same_on_columns_and_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, jobs: str, context: str | None
) -> None:
    path = mixed_file(tmp_path / "orders.jsonl")
    args: tuple[str, ...] = (str(path), "--format", fmt, "--jobs", jobs, "--max-line-bytes", "256")
    if context is not None:
        args += ("--context", context)
    on = run(*args)
    monkeypatch.setattr(cli_columns, "available", lambda: False)
    off = run(*args)
    assert on == off
    assert on[0] == 2  # the odd lines include unusable ones


@pytest.fixture
def one_by_one(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The lines checked one by one (by check_line), as the run reads them."""
    seen: list[bytes] = []
    real = filterlib.lines.check_line

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(cli_check, "check_line", spy)
    return seen


def test_a_block_of_plain_orders_is_decided_on_columns(
    tmp_path: Path, one_by_one: list[bytes]
) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in PLAIN * 50))
    status, out, _ = run(str(path), "--format", "json")
    assert status == 1
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["msg"] for a in answers[:4]] == [
        None,
        "Filter failure: PRICE_FILTER",
        "Filter failure: LOT_SIZE",
        "Filter failure: NOTIONAL",
    ]
    # Only the BNBUSDT price with more decimals than the asset's precision, 50 times.
    assert len(one_by_one) == 50


def test_a_short_file_is_read_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_by_one: list[bytes]
) -> None:
    monkeypatch.setattr(cli_columns, "MIN_LINES", 1000)
    path = tmp_path / "orders.jsonl"
    path.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in PLAIN * 10))
    run(str(path), "--format", "json")
    assert len(one_by_one) == len(PLAIN) * 10


def test_a_failure_on_columns_falls_back_to_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = mixed_file(tmp_path / "orders.jsonl", repeat=3)
    expected = run(str(path), "--format", "json")

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    from filterlib import _table

    monkeypatch.setattr(_table, "judge_columns", broken)
    assert run(str(path), "--format", "json") == expected


# --- Parquet --------------------------------------------------------------------------------


def _parquet(path: Path, rows: list[dict[str, Any]], **kwargs: Any) -> Path:
    names = list(dict.fromkeys(name for row in rows for name in row))
    table = pa.table({name: [row.get(name) for row in rows] for name in names})
    pq.write_table(table, path, **kwargs)
    return path


ROWS: list[dict[str, Any]] = [
    *PLAIN,
    {**GOOD, "type": "MARKET", "price": None},
    {**GOOD, "side": "buy"},
]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_parquet_rows_get_the_answers_of_the_same_orders_as_json_lines(
    tmp_path: Path, jobs: str
) -> None:
    rows = ROWS * 40
    parquet = _parquet(tmp_path / "orders.parquet", rows, row_group_size=37)
    lines = tmp_path / "orders.jsonl"
    lines.write_bytes(
        b"".join(orjson.dumps({k: v for k, v in r.items() if v is not None}) + b"\n" for r in rows)
    )
    got = run(str(parquet), "--format", "json", "--jobs", jobs)
    assert got == run(str(lines), "--format", "json", "--jobs", jobs)
    assert got[1].count("\n") == len(rows)


def test_parquet_cells_that_are_not_strings_are_json_values(tmp_path: Path) -> None:
    table = pa.table(
        {
            "symbol": ["BTCUSDT"],
            "side": ["BUY"],
            "type": ["LIMIT"],
            "timeInForce": ["GTC"],
            "quantity": [0.001],
            "price": [30000],
        }
    )
    pq.write_table(table, tmp_path / "numbers.parquet")
    lines = tmp_path / "numbers.jsonl"
    lines.write_bytes(orjson.dumps({**GOOD, "quantity": 0.001, "price": 30000}) + b"\n")
    assert (
        run(str(tmp_path / "numbers.parquet"), "--format", "json")[:2]
        == run(str(lines), "--format", "json")[:2]
    )


def test_parquet_on_standard_input(tmp_path: Path) -> None:
    parquet = _parquet(tmp_path / "orders.parquet", ROWS)
    data = parquet.read_bytes()
    expected = run(str(parquet), "--format", "json")
    # A pipe: not seekable, no name; told, or seen by its first bytes.
    assert run("-", "--format", "json", "--input-format", "parquet", stdin=_Pipe(data)) == expected
    peeking = io.BufferedReader(_Pipe(data))
    assert run("-", "--format", "json", stdin=peeking) == expected


class _Pipe(io.RawIOBase):
    """Bytes that can be read once, forward only, as from a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_a_broken_parquet_file_is_a_file_problem(tmp_path: Path) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    status, out, err = run(str(path), "--format", "json")
    assert status == 2
    assert "not a readable Parquet file" in err
    assert "Traceback" not in out + err


def test_parquet_without_the_bulk_extra_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _parquet(tmp_path / "orders.parquet", ROWS)
    monkeypatch.setattr(cli_columns, "available", lambda: False)
    status, _, err = run(str(path), "--format", "json")
    assert status == 2
    assert "pip install 'filterlib[bulk]'" in err


def test_an_unusable_parquet_row_is_named_by_its_row(tmp_path: Path) -> None:
    rows: list[dict[str, Any]] = [GOOD, {"params": {"symbol": "BTCUSDT"}, "endpoint": "/nope"}]
    path = _parquet(tmp_path / "orders.parquet", rows)
    status, out, _ = run(str(path), "--format", "json")
    assert status == 2
    answers = [json.loads(line) for line in out.splitlines()]
    assert answers[0]["ok"] is True
    assert answers[1]["error"].startswith("row 2: unknown endpoint")


# --- CSV ----------------------------------------------------------------------------------------

CSV_HEADER = b"symbol,side,type,timeInForce,quantity,price\n"
CSV_PLAIN = [
    b"BTCUSDT,BUY,LIMIT,GTC,0.001,30000.00",
    b"BTCUSDT,BUY,LIMIT,GTC,0.001,30000.001",
    b"BTCUSDT,SELL,LIMIT,GTC,0.0000001,30000.00",
    b"ETHBTC,BUY,LIMIT,IOC,0.0001,0.06",
    b"BTCUSDT,BUY,MARKET,,0.001,",  # empty cells: not sent
]
CSV_ODD = [
    b"",
    b"   ",
    b",,,,,",  # a row of empty cells: blank
    b"BTCUSDT,BUY,LIMIT,GTC,0.001",  # a cell short
    b"BTCUSDT,BUY,LIMIT,GTC,0.001,30000.00,extra",
    b"BTC\xffUSDT,BUY,LIMIT,GTC,0.001,30000.00",  # not UTF-8
    b" BTCUSDT,BUY,LIMIT,GTC,0.001,30000.00",  # a space is part of the cell
    b"BTCUSDT,BUY,LIMIT,GTC,0.001," + b"9" * 300,  # over --max-line-bytes 256
]
#: Lines after which the csv module reads the rest (a quoted cell may span lines).
CSV_QUOTED = [
    b'"BTCUSDT",BUY,LIMIT,GTC,0.001,30000.00',
    b'BTCUSDT,"BUY\nSELL",LIMIT,GTC,0.001,30000.00',
    b"BTCUSDT,BUY,LIMIT,GTC,0.001,30000.00\r",
]


def _csv(path: Path, quoted: bool) -> Path:
    lines = CSV_PLAIN * 40  # blocks of plain rows only: on columns
    for k in range(40):
        lines += CSV_PLAIN
        lines.append(CSV_ODD[k % len(CSV_ODD)])
        if quoted and k == 30:
            lines += CSV_QUOTED
    path.write_bytes(CSV_HEADER + b"\n".join(lines) + b"\n")
    return path


@pytest.mark.parametrize("fmt", ["json", "text"])
@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("quoted", [False, True])
def test_csv_on_columns_gives_the_same_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, jobs: str, quoted: bool
) -> None:
    path = _csv(tmp_path / "orders.csv", quoted)
    monkeypatch.setattr(cli_check, "COLUMN_BLOCK_BYTES", 2000)  # many blocks, a switch midway
    args = (str(path), "--format", fmt, "--jobs", jobs, "--max-line-bytes", "256")
    on = run(*args)
    decided: list[int] = []
    real = cli_columns.csv_table

    def spy(*a: Any, **k: Any) -> Any:
        found = real(*a, **k)
        decided.append(0 if found is None else found.num_rows)
        return found

    monkeypatch.setattr(cli_columns, "csv_table", spy)
    assert run(*args) == on
    assert sum(decided) > 0 or jobs == "2"  # some blocks were read on columns (in this process)
    monkeypatch.setattr(cli_columns, "available", lambda: False)
    assert run(*args) == on
    assert on[0] == 2
