"""``filterlib check --jobs N``: the same bytes and exit status as in-process, bounded read-ahead.

The expected output is the in-process run's (``--jobs 1``, covered by tests/test_cli.py); these
tests show ``--jobs 2`` changes nothing a reader of the output can see. Chunks (and the blocks
JSON Lines is sent in) are made tiny so that a small file crosses many of their boundaries.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import BTC_LIMIT

from filterlib import cli
from filterlib.cli import check as cli_check
from filterlib.cli.inputs import CsvBlock, open_chunks

GOOD = dict(BTC_LIMIT)
REJECTED = {**GOOD, "quantity": "0.000001"}  # below LOT_SIZE's minQty


def _mixed_lines() -> list[bytes]:
    """Orders that pass and fail, blank lines, and every kind of unusable line."""
    kinds = [
        orjson.dumps(GOOD),
        orjson.dumps(REJECTED),
        b"",
        b"   ",
        b'{"symbol": "BTCUSDT"',  # not JSON
        b"\xff\xfe not utf-8",
        b"[1, 2]",  # not an object
        orjson.dumps({"endpoint": "/api/v3/nope", "params": GOOD}),
        orjson.dumps({"params": GOOD, "context": {"avgPrice": {"mins": 5, "price": 1.5}}}),
        orjson.dumps({"params": GOOD, "extra": 1}),
        orjson.dumps({**GOOD, "symbol": "NOSUCHPAIR"}),
        orjson.dumps({"params": GOOD, "context": {"avgPrice": {"mins": 5, "price": "30000"}}}),
    ]
    return [kinds[(i * 7) % len(kinds)] for i in range(61)]


def _run(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(argv, stdin=io.BytesIO(stdin), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_check, "CHUNK_LINES", 4)
    monkeypatch.setattr(cli_check, "BLOCK_BYTES", 300)  # two or three lines; some lines are longer
    monkeypatch.setattr(cli_check, "COLUMN_BLOCK_BYTES", 300)  # the same with the bulk extra
    monkeypatch.setattr(cli_check, "IN_FLIGHT_PER_JOB", 2)


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("fmt", ["json", "text", "github", "junit"])
def test_jobs_2_writes_the_same_bytes_as_jobs_1(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(_mixed_lines()) + b"\n")
    one = _run(["check", str(path), "--format", fmt, "--jobs", "1"])
    two = _run(["check", str(path), "--format", fmt, "--jobs", "2"])
    assert two == one
    status, out, _ = one
    assert status == cli.EXIT_UNUSABLE
    if fmt in ("json", "text"):
        non_blank = sum(1 for line in _mixed_lines() if line.strip())
        failing = sum(1 for x in _run(["check", str(path), "--format", "json"])[1].splitlines()
                      if not orjson.loads(x)["ok"])  # fmt: skip
        # JSON: a line per order; text: a line per order that fails, and the counts.
        assert len(out.splitlines()) == (non_blank if fmt == "json" else failing + 1)
        assert "line 61: " in out or "line 60: " in out  # numbering runs to the end


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize(
    "shape",
    ["crlf and a byte-order mark", "no newline at the end", "a broken last line", "long lines"],
)
def test_jobs_2_reads_json_lines_blocks_as_jobs_1_reads_lines(shape: str) -> None:
    lines = _mixed_lines()
    if shape == "crlf and a byte-order mark":
        data = b"\xef\xbb\xbf" + b"\r\n".join(lines) + b"\r\n"
    elif shape == "no newline at the end":
        data = b"\n".join(lines)
    elif shape == "a broken last line":  # its column has no newline to count
        data = b"\n".join(lines) + b'\n{"symbol": "BTCUSDT"'
    else:  # lines longer than a block, and a block boundary inside a line
        long = orjson.dumps({**GOOD, "newClientOrderId": "x" * 30, "recvWindow": "5000"})
        data = b"\n".join([orjson.dumps(GOOD), b" " * 700 + long, *lines]) + b"\n"
    for fmt in ("json", "text"):
        one = _run(["check", "-", "--format", fmt], data)
        two = _run(["check", "-", "--format", fmt, "--jobs", "2"], data)
        assert two == one
    out = one[1]
    if shape == "a broken last line":
        assert f"line {len(lines) + 1}: not valid JSON (unexpected end of data at column 21)" in out
        assert "at column 1)" in out  # the same line with its newline, in the middle


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize(
    ("lines", "status"),
    [
        ([], cli.EXIT_OK),
        ([GOOD] * 9, cli.EXIT_OK),
        ([GOOD] * 9 + [REJECTED], cli.EXIT_REJECTED),
    ],
)
def test_exit_status_is_unchanged_from_standard_input(
    lines: list[dict[str, str]], status: int
) -> None:
    data = b"".join(orjson.dumps(line) + b"\n" for line in lines)
    one = _run(["check", "-", "--format", "json"], data)
    two = _run(["check", "-", "--format", "json", "--jobs", "2"], data)
    assert two == one
    assert two[0] == status


class _FailingReader:
    """Yields ``good`` lines then raises the OSError a failing disk would."""

    def __init__(self, good: int) -> None:
        self.good = good

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.good):
            yield orjson.dumps(GOOD)
        raise OSError(5, "Input/output error")


@pytest.mark.usefixtures("small_chunks")
def test_a_read_error_reports_the_same_line_and_keeps_the_lines_before() -> None:
    def run(jobs: int) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        if jobs == 1:
            info = cli_check._load_snapshot(None)
            status = cli_check._run(info, _FailingReader(10), "orders.jsonl", "json", out, err)
        else:
            status = cli_check._run_parallel(
                None, jobs, _FailingReader(10), "orders.jsonl", "json", out, err
            )
        return status, out.getvalue(), err.getvalue()

    one, two = run(1), run(2)
    assert two == one
    assert one[0] == cli.EXIT_UNUSABLE
    assert len(one[1].splitlines()) == 10
    assert one[2] == "filterlib: cannot read orders.jsonl after line 10: Input/output error\n"


class _FailingDisk(io.RawIOBase):
    """A file whose reads fail after ``good`` bytes, as a bad sector does: a read returns what
    comes before it, the next read raises."""

    def __init__(self, data: bytes, good: int) -> None:
        self.data, self.good, self.pos = data, good, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.pos >= self.good:
            raise OSError(5, "Input/output error")
        n = min(len(buffer), self.good - self.pos)
        buffer[:n] = self.data[self.pos : self.pos + n]
        self.pos += n
        return n


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("good", [0, 250, 3001])
def test_a_disk_error_in_json_lines_blocks_keeps_the_lines_before_it(good: int) -> None:
    data = b"".join(orjson.dumps(GOOD) + b"\n" for _ in range(40))
    whole_lines = data[:good].count(b"\n")  # a line cut by the error is not read

    def run(jobs: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        stdin = io.BufferedReader(_FailingDisk(data, good))
        status = cli.main(
            ["check", "--format", "json", "--jobs", jobs], stdin=stdin, stdout=out, stderr=err
        )
        return status, out.getvalue(), err.getvalue()

    one, two = run("1"), run("2")
    assert two == one
    status, out, err = one
    assert status == cli.EXIT_UNUSABLE
    assert len(out.splitlines()) == whole_lines
    message = f"cannot read standard input after line {whole_lines}: Input/output error"
    assert err == f"filterlib: {message}\n"


def test_json_lines_go_to_workers_as_blocks_of_whole_lines() -> None:
    lines = [orjson.dumps({**GOOD, "price": f"{30000 + i}.00"}) for i in range(50)]
    data = b"\n".join(lines[:20]) + b"\n\n  \n" + b"\n".join(lines[20:])  # no final newline
    read = [0]
    chunks = list(
        open_chunks(
            io.BytesIO(data), "o.jsonl", "auto", block_bytes=500, chunk_records=3, read=read
        )
    )
    assert all(isinstance(c, tuple) and not isinstance(c, CsvBlock) for c in chunks)
    blocks = [c for c in chunks if isinstance(c, tuple) and not isinstance(c, CsvBlock)]
    assert b"".join(block for _, block in blocks) == data
    longest = max(len(line) for line in lines) + 1
    for _, block in blocks[:-1]:  # whole lines, about 500 bytes
        assert block.endswith(b"\n")
        assert 500 - longest < len(block) < 500 + longest
    line = 1
    for first, block in blocks:
        assert first == line  # each block says where it starts
        line += block.count(b"\n")
    assert read[0] == data.count(b"\n") + 1  # the last line has no newline, and was read


def test_other_inputs_go_to_workers_as_lists_of_records() -> None:
    data = json.dumps([GOOD] * 7).encode()
    chunks = list(
        open_chunks(io.BytesIO(data), "o.json", "auto", block_bytes=10, chunk_records=3, read=[0])
    )
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert all(isinstance(c, list) for c in chunks)


def test_read_ahead_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output starts before the input is read to the end: at most the window is in flight."""
    monkeypatch.setattr(cli_check, "CHUNK_LINES", 5)
    monkeypatch.setattr(cli_check, "IN_FLIGHT_PER_JOB", 2)
    window_lines = 5 * 2 * 2  # CHUNK_LINES x IN_FLIGHT_PER_JOB x jobs
    read = [0]

    def lines() -> Iterator[bytes]:
        for _ in range(200):
            read[0] += 1
            yield orjson.dumps(GOOD)

    class Out(io.StringIO):
        read_at_first_write: int | None = None

        def write(self, s: str) -> int:
            if self.read_at_first_write is None:
                self.read_at_first_write = read[0]
            return super().write(s)

    out = Out()
    status = cli_check._run_parallel(None, 2, lines(), "-", "json", out, io.StringIO())
    assert status == cli.EXIT_OK
    assert len(out.getvalue().splitlines()) == 200
    assert out.read_at_first_write is not None
    assert out.read_at_first_write <= window_lines


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_a_bad_jobs_value_is_a_usage_error(value: str) -> None:
    status, out, err = _run(["check", "-", "--jobs", value])
    assert status == cli.EXIT_UNUSABLE
    assert out == ""
    assert "--jobs" in err


def test_the_command_line_runs_with_jobs_2(tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_bytes(b"\n".join(_mixed_lines()) + b"\n")
    runs = [
        subprocess.run(
            [sys.executable, "-m", "filterlib", "check", str(path), "--format", "json", *extra],
            capture_output=True,
            check=False,
        )
        for extra in ([], ["--jobs", "2"])
    ]
    assert runs[1].stdout == runs[0].stdout
    assert runs[1].stderr == runs[0].stderr == b""
    assert runs[1].returncode == runs[0].returncode == cli.EXIT_UNUSABLE


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_long_lines_among_those_read_to_tell_the_format_keep_their_answers(
    tmp_path: Path, jobs: str
) -> None:
    # The format is told from the first non-blank line: a line of spaces over the cap does not
    # tell it, so the next line (over the cap too) is read as well. Each keeps its answer.
    path = tmp_path / "orders.jsonl"
    short = orjson.dumps({"symbol": "BTCUSDT"})
    path.write_bytes(b" " * 100 + b"\n" + orjson.dumps(GOOD) + b"\n" + short + b"\n")
    status, out, _ = _run(["check", str(path), "--format", "json", "--max-line-bytes", "64",
                           "--jobs", jobs])  # fmt: skip
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a.get("error", "")[:7] for a in answers] == ["line 1:", "line 2:", ""]
    assert answers[2]["code"] == -1102
    assert status == 2
