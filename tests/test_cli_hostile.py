"""``filterlib check`` against hostile input and a broken machine: bad bytes and huge cells in
CSV, over-long lines and gzip bombs, deep nesting, closed and full streams, a killed worker.

Each test holds one promise of docs/cli.md: exit status 2 for anything that is not a verdict,
a one-line reason (on standard error, or on the line it concerns), one output line per order,
and memory that does not follow the input. Everything runs in this process but what needs a
real one (closed descriptors, /dev/full, a worker killed by a signal).
"""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import orjson
import pytest
from test_fuzz_guard import bounded

import filterlib
from filterlib import cli
from filterlib.cli import check as cli_check
from filterlib.snapshot import load_exchange_info

ORDER = (
    b'{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC",'
    b'"quantity":"0.001","price":"30000.00"}'
)
CSV_ROW = b"BTCUSDT,BUY,LIMIT,GTC,0.001,30000.00\n"
CSV_HEADER = b"symbol,side,type,timeInForce,quantity,price\n"


def run(argv: list[str], stdin: Any = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    source = io.BytesIO(stdin) if isinstance(stdin, bytes) else stdin
    status = cli.main(argv, stdin=source, stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def errors(out: str) -> dict[int, str]:
    """The ``error`` of each unusable line of a json run, by its line number."""
    found: dict[int, str] = {}
    for text in out.splitlines():
        error = orjson.loads(text).get("error")
        if error:
            found[int(error.split(":")[0].removeprefix("line "))] = error
    return found


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_check, "CHUNK_LINES", 4)
    monkeypatch.setattr(cli_check, "BLOCK_BYTES", 300)
    monkeypatch.setattr(cli_check, "IN_FLIGHT_PER_JOB", 2)


# --- CSV: bad bytes, huge cells, stray quotes ------------------------------------------------


def test_a_csv_header_that_is_not_utf8_stops_the_file_with_status_2(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_bytes(b"symbol,side\xff\nBTCUSDT,BUY\n")
    status, out, err = run(["check", str(path)])
    assert status == cli.EXIT_UNUSABLE
    message = f"{path} line 1: the CSV header is not UTF-8 text; write the file in UTF-8\n"
    # Said on the output (issue 18: every format shows a file that was not read) and on
    # standard error, then counted.
    assert out == message + "0 checked, 0 passed, 0 rejected, 0 unusable, 1 file unreadable\n"
    assert err.startswith(f"filterlib: {message}")


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_csv_cell_over_the_csv_limit_is_one_unusable_line(tmp_path: Path, jobs: str) -> None:
    path = tmp_path / "big.csv"
    huge = b"BTCUSDT,BUY,LIMIT,GTC,0.001," + b"1" * 140_000 + b"\n"
    path.write_bytes(CSV_HEADER + CSV_ROW + huge + CSV_ROW)
    status, out, err = run(["check", str(path), "--format", "json", "--jobs", jobs])
    assert status == cli.EXIT_UNUSABLE, err
    assert len(out.splitlines()) == 3
    assert errors(out) == {
        3: "line 3: a cell longer than 131,072 characters, the longest CSV cell read; "
        f"shorten it (in {path})"
    }


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_stray_quote_is_one_unusable_row_and_the_rows_after_are_checked(
    tmp_path: Path, jobs: str
) -> None:
    path = tmp_path / "quote.csv"
    rows = 12_000  # about 440 KB: the quoted cell passes the csv module's limit on the way
    path.write_bytes(CSV_HEADER + b'BTCUSDT,"BUY,LIMIT,GTC,0.001,30000.00\n' + CSV_ROW * rows)
    status, out, err = run(["check", str(path), "--format", "json", "--jobs", jobs])
    assert status == cli.EXIT_UNUSABLE, err
    lines = out.splitlines()
    (error,) = errors(out).values()
    match = re.fullmatch(r"line 2: a quoted cell that runs on to line (\d+), longer than .*", error)
    assert match, error
    last = int(match[1])
    assert len(lines) == 1 + (rows + 2 - last)  # the bad row, then one answer per row after it
    assert all(orjson.loads(line)["ok"] for line in lines[1:])


def test_a_csv_row_that_is_not_utf8_is_one_unusable_line(tmp_path: Path) -> None:
    path = tmp_path / "row.csv"
    path.write_bytes(CSV_HEADER + b"BTCUSDT,BUY\xff,LIMIT,GTC,0.001,30000.00\n" + CSV_ROW)
    status, out, _ = run(["check", str(path), "--format", "json"])
    assert status == cli.EXIT_UNUSABLE
    assert list(errors(out)) == [2]
    assert len(out.splitlines()) == 2


# --- the line-length cap ---------------------------------------------------------------------


class _Endless(io.RawIOBase):
    """``prefix``, then ``filler`` bytes up to ``size`` in all, then ``suffix``: a huge input
    that is never held in memory by the test itself."""

    def __init__(self, prefix: bytes, size: int, suffix: bytes, filler: bytes = b"A") -> None:
        self.parts = [prefix, suffix]
        self.left = size
        self.filler = filler * (1 << 16)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.parts[0]:
            data, self.parts[0] = self.parts[0][: len(buffer)], self.parts[0][len(buffer) :]
        elif self.left:
            data = self.filler[: min(len(buffer), self.left)]
            self.left -= len(data)
        else:
            data, self.parts[1] = self.parts[1][: len(buffer)], self.parts[1][len(buffer) :]
        buffer[: len(data)] = data
        return len(data)


def _long_line_input(size: int) -> io.BufferedReader:
    """An order, a line of ``size`` bytes, an order."""
    return io.BufferedReader(_Endless(ORDER + b'\n{"symbol":"', size, b'"}\n' + ORDER + b"\n"))


def _gzip_bomb(size: int) -> bytes:
    """gzip of an order, one line of ``size`` bytes, an order: about size / 1000 bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(ORDER + b'\n{"symbol":"')]
    block = b"A" * (1 << 20)
    for _ in range(size >> 20):
        parts.append(packer.compress(block))
    parts.append(packer.compress(b'"}\n' + ORDER + b"\n"))
    parts.append(packer.flush())
    return b"".join(parts)


TOO_LONG = (
    "line 2: longer than 1,048,576 bytes, the longest line filterlib reads; the line was "
    "skipped. Split it, or raise the limit with --max-line-bytes (in standard input)"
)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_line_over_the_cap_is_one_unusable_line_in_flat_memory(jobs: str) -> None:
    with bounded("a 64 MiB line", peak=16 << 20):
        status, out, err = run(
            ["check", "--format", "json", "--jobs", jobs], _long_line_input(64 << 20)
        )
    assert status == cli.EXIT_UNUSABLE, err
    assert len(out.splitlines()) == 3
    assert errors(out) == {2: TOO_LONG}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_gzip_bomb_of_one_long_line_is_one_unusable_line_in_flat_memory(jobs: str) -> None:
    bomb = _gzip_bomb(64 << 20)
    assert len(bomb) < 1 << 20
    with bounded("a gzip bomb", peak=16 << 20):
        status, out, err = run(["check", "--format", "json", "--jobs", jobs], bomb)
    assert status == cli.EXIT_UNUSABLE, err
    assert len(out.splitlines()) == 3
    assert errors(out) == {2: TOO_LONG}


@pytest.mark.usefixtures("small_blocks")
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_max_line_bytes_is_exact_and_the_same_with_jobs_2(fmt: str) -> None:
    cap = 60
    if fmt == "json":
        lines = [
            ORDER[:cap].ljust(cap),
            b"x" * (cap + 1),
            b" " * 5000,
            ORDER[: cap - 1],
            b"y" * 900,
        ]
        data = b"\n".join(lines) + b"\n" + b"z" * 700  # the last line has no newline
    else:
        row = b"BTCUSDT,BUY,LIMIT,GTC,0.001,1"
        lines = [
            b"symbol,side,type,timeInForce,quantity,price",
            row.ljust(cap, b"0"),
            row + b"0" * 40,
        ]
        data = b"\n".join(lines) + b"\n" + CSV_ROW
    argv = ["check", "-", "--format", "json", "--max-line-bytes", str(cap), "--input-format"]
    one = run([*argv, "jsonl" if fmt == "json" else "csv"], data)
    two = run([*argv, "jsonl" if fmt == "json" else "csv", "--jobs", "2"], data)
    assert two == one
    too_long = {n for n, error in errors(one[1]).items() if "longer than 60 bytes" in error}
    assert too_long == ({2, 3, 5, 6} if fmt == "json" else {3})
    assert one[0] == cli.EXIT_UNUSABLE


# --- deep nesting and bytes that are not text -------------------------------------------------

DEEP = 1000


def test_a_parameter_nested_1000_deep_is_a_bad_order_with_its_verdict() -> None:
    # A bad order never raises: Binance reads the value's text and refuses it (-1100).
    line = b'{"symbol":' + b"[" * DEEP + b"]" * DEEP + b"}"
    status, out, err = run(["check", "--format", "json"], line + b"\n" + ORDER + b"\n")
    assert status == 1, err
    first, second = (json.loads(x) for x in out.splitlines())
    assert first["ok"] is False
    assert "illegal_characters" in {v["rule"] for v in first["violations"]}
    assert (
        next(v for v in first["violations"] if v["rule"] == "illegal_characters")["parameter"]
        == "symbol"
    )
    assert "error" not in second


@pytest.mark.parametrize(
    "line",
    [
        b'{"params":{"symbol":"BTCUSDT"},"context":{"avgPrice":'
        + b"[" * DEEP
        + b"]" * DEEP
        + b"}}",
    ],
    ids=["context"],
)
def test_a_line_nested_1000_deep_is_bad_input_not_a_bug(line: bytes) -> None:
    status, out, err = run(["check", "--format", "json"], line + b"\n" + ORDER + b"\n")
    assert status == cli.EXIT_UNUSABLE, err
    assert len(out.splitlines()) == 2
    # The context names the key and says what it expects, without printing the nesting.
    assert errors(out) == {
        1: 'line 1: bad context: avgPrice: expected a decimal string like "1.25000000", got '
        "<a list too deep or too long to show> (in standard input)"
    }


def test_explain_refuses_a_parameter_that_is_not_utf8() -> None:
    # Bytes that are not UTF-8 reach sys.argv as lone surrogates.
    status, _, err = run(["explain", "BTCUSDT", "side=\udcff\udcfe"])
    assert status == cli.EXIT_UNUSABLE
    assert err == (
        "filterlib: order parameter 'side=\\udcff\\udcfe' is not UTF-8 text; write parameters "
        "in UTF-8\n"
    )


def test_explain_refuses_a_context_nested_1000_deep() -> None:
    context = '{"avgPrice":' + "[" * DEEP + "]" * DEEP + "}"
    status, _, err = run(["explain", "BTCUSDT", "side=BUY", "--context", context])
    assert status == cli.EXIT_UNUSABLE
    assert err == (
        'filterlib: --context: avgPrice: expected a decimal string like "1.25000000", got '
        "<a list too deep or too long to show>\n"
    )
    assert err.count("\n") == 1


# --- closed and full streams -----------------------------------------------------------------

FULL = (
    "filterlib: cannot write the output: No space left on device; the output is incomplete. "
    "Make room, or write it elsewhere\n"
)


class _FullDisk(io.StringIO):
    """An output on a full disk: every write fails as it would on /dev/full."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    ("fmt", "jobs"), [("json", "1"), ("text", "1"), ("junit", "1"), ("json", "2")]
)
def test_a_full_output_is_reported_as_the_output_not_the_input(fmt: str, jobs: str) -> None:
    err = io.StringIO()
    argv = ["check", "--format", fmt, "--jobs", jobs]
    status = cli.main(argv, stdin=io.BytesIO(ORDER + b"\n"), stdout=_FullDisk(), stderr=err)
    assert status == cli.EXIT_UNUSABLE
    assert err.getvalue() == FULL


def _python_m(shell: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``python -m filterlib`` under a shell, for the redirections (``>&-``) a test needs."""
    (tmp_path / "f.jsonl").write_bytes(ORDER + b"\n")
    command = shell.replace("FILTERLIB", f"{shlex.quote(sys.executable)} -m filterlib")
    return subprocess.run(
        ["bash", "-c", command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_dev_full_exits_2_with_one_line(tmp_path: Path, fmt: str) -> None:
    p = _python_m(f"FILTERLIB check f.jsonl --format {fmt} >/dev/full", tmp_path)
    assert (p.returncode, p.stderr) == (cli.EXIT_UNUSABLE, FULL)


def test_a_closed_standard_output_exits_2_with_one_line(tmp_path: Path) -> None:
    p = _python_m("FILTERLIB check f.jsonl >&-", tmp_path)
    assert (p.returncode, p.stderr) == (
        cli.EXIT_UNUSABLE,
        "filterlib: standard output is closed, so nothing could be written; give filterlib an "
        "output (> FILE, or | ...)\n",
    )


def test_a_closed_standard_input_exits_2_and_the_other_files_are_checked(tmp_path: Path) -> None:
    p = _python_m("FILTERLIB check - f.jsonl --format json <&-", tmp_path)
    assert p.returncode == cli.EXIT_UNUSABLE
    assert p.stderr == (
        "filterlib: cannot read standard input: it is closed; name the files to check, or give "
        "an input (< FILE)\n"
    )
    assert len(p.stdout.splitlines()) == 1


# --- a killed worker -------------------------------------------------------------------------

real_check_chunk = cli_check._check_chunk


def _killed_on_die(name: str, chunk: Any, opts: Any, max_line: int = 1 << 20) -> Any:
    """The worker's task, but the worker is killed (as by the OOM killer) on a block that
    holds the line ``{"die":1}``."""
    if isinstance(chunk, tuple) and b'{"die":1}' in chunk[1]:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_check_chunk(name, chunk, opts, max_line)


@pytest.mark.usefixtures("small_blocks")
def test_a_killed_worker_ends_the_run_with_status_2_not_a_hang(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli_check, "_check_chunk", _killed_on_die)  # forked workers inherit it
    data = (ORDER + b"\n") * 20 + b'{"die":1}\n' + (ORDER + b"\n") * 20
    with bounded("a killed worker", seconds=30):
        status, out, err = run(["check", "--format", "json", "--jobs", "2"], data)
    assert status == cli.EXIT_UNUSABLE
    match = re.fullmatch(
        r"filterlib: a worker process ended abruptly \(killed, perhaps by the out-of-memory "
        r"killer\) while checking standard input; the answers stop after line (\d+) and the "
        r"rest was not checked\. Run it again, with fewer --jobs if memory is short\n",
        err,
    )
    assert match, err
    assert len(out.splitlines()) == int(match[1]) < 21


# --- a snapshot given with --exchange-info is loaded lazily ------------------------------------


def _snapshot_with_a_bad_symbol(tmp_path: Path) -> Path:
    """The shipped snapshot, with ETHUSDT's tickSize made unusable."""
    doc = orjson.loads(gzip.decompress(_shipped_snapshot().read_bytes()))
    eth = next(s for s in doc["symbols"] if s["symbol"] == "ETHUSDT")
    next(f for f in eth["filters"] if f["filterType"] == "PRICE_FILTER")["tickSize"] = "abc"
    path = tmp_path / "bad.json"
    path.write_bytes(orjson.dumps(doc))
    return path


def _shipped_snapshot() -> Path:
    (path,) = Path(filterlib.__file__).parent.joinpath("data").glob("*.json.gz")
    return path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_snapshot_is_loaded_lazily_a_bad_symbol_fails_only_its_orders(
    tmp_path: Path, jobs: str
) -> None:
    snapshot = _snapshot_with_a_bad_symbol(tmp_path)
    eth = b'{"symbol":"ETHUSDT","side":"BUY","type":"MARKET","quantity":"1"}'
    argv = ["check", "--exchange-info", str(snapshot), "--format", "json", "--jobs", jobs]
    status, out, err = run(argv, ORDER + b"\n" + eth + b"\n")
    assert status == cli.EXIT_UNUSABLE, err
    first, second = (orjson.loads(line) for line in out.splitlines())
    assert first["ok"] is True
    assert second["error"] == (
        "line 2: the snapshot cannot be used for this order: symbols[12].filters[0].tickSize: "
        "expected a plain non-negative decimal string like '0.00100000' (value 'abc') [symbol "
        "ETHUSDT, filter PRICE_FILTER, field tickSize]; fix the snapshot or fetch it again "
        "('filterlib snapshot validate FILE' lists every problem) (in standard input)"
    )


def test_a_lazily_loaded_snapshot_gives_the_eager_answers(tmp_path: Path) -> None:
    snapshot = tmp_path / "snapshot.json.gz"
    snapshot.write_bytes(_shipped_snapshot().read_bytes())
    data = b"".join(
        orjson.dumps({**orjson.loads(ORDER), "symbol": symbol, "quantity": quantity}) + b"\n"
        for symbol in ("BTCUSDT", "ETHUSDT", "BNBBTC", "NOPE")
        for quantity in ("0.001", "1", "0.00000001")
    )
    out, err = io.StringIO(), io.StringIO()
    eager = load_exchange_info(snapshot)
    want = cli_check._run(eager, io.BytesIO(data), "-", "json", out, err)
    got = run(["check", "--exchange-info", str(snapshot), "--format", "json"], data)
    assert got[:2] == (want, out.getvalue())
