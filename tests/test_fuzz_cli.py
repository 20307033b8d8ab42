"""Fuzz the CLI's line reader in-process: an exit status of 0, 1 or 2, never an exception,
and with JSON Lines input exactly one output line per non-blank input line, in order.

The hostile cases: bytes that are not UTF-8, lines over the length cap, values nested up to
past the recursion limit (bad input, never "a bug"), CSV with bad bytes, huge cells and stray
quotes, closed and full standard streams, and a worker killed at any point of a run."""

from __future__ import annotations

import errno
import io
import os
import re
import signal
import sys
from typing import Any

import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_fuzz_guard import FUZZ, bounded
from test_fuzz_snapshot import json_values

import filterlib.cli.app
from filterlib.cli import check as cli_check
from filterlib.cli import main
from filterlib.cli.inputs import CsvBlock

#: Force JSON Lines where the CLI can read other formats (a first "[" would mean a JSON array).
JSONL = ["--input-format", "jsonl"] if hasattr(filterlib.cli.app, "INPUT_FORMATS") else []

ORDER = (
    b'{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC",'
    b'"quantity":"0.001","price":"30000.00"}'
)


def _json_line(value: object) -> bytes:
    try:
        return orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return b"null"


lines = st.one_of(
    st.just(ORDER),
    st.binary(max_size=200).map(lambda b: b.replace(b"\n", b" ")),
    json_values.map(_json_line),
    st.dictionaries(st.sampled_from(["endpoint", "params", "context"]), json_values).map(
        _json_line
    ),
    st.sampled_from(
        [b"", b"   ", b"\xff\xfe", b"{" * 5000, b'{"symbol": "' + b"A" * 200_000 + b'"}', b"[1,2"]
    ),
    st.builds(
        lambda depth, where, bracket: (where % (bracket[0] * depth + bracket[1] * depth)).encode(),
        st.integers(1, 1100),
        st.sampled_from(
            [
                '{"symbol":%s}',
                '{"symbol":"BTCUSDT","side":"BUY","quantity":%s}',
                '{"params":{"symbol":"BTCUSDT"},"context":{"avgPrice":%s}}',
                '{"params":{"symbol":"BTCUSDT"},"context":{"account":{"balances":%s}}}',
                '{"params":{"symbol":"BTCUSDT"},"context":%s}',
                '{"endpoint":%s,"params":{}}',
            ]
        ),
        st.sampled_from(["[]", ('{"a":', "}")]),
    ),
)


def run(stdin: bytes, *args: str, out: io.StringIO | None = None) -> tuple[int, list[str], str]:
    out, err = out or io.StringIO(), io.StringIO()
    with bounded(f"filterlib check {' '.join(args)}"):
        status = main(["check", *args], stdin=io.BytesIO(stdin), stdout=out, stderr=err)
    # Split on "\n" only: answers may hold U+0085 or U+2028, which str.splitlines() splits on.
    return status, out.getvalue().split("\n")[:-1], err.getvalue()


@FUZZ
@given(st.lists(lines, max_size=12), st.sampled_from([None, 1, 64, 4096]))
@example([ORDER, b"\xc3\x28", b"", b"[]", b'{"params": {}, "endpoint": "/nope"}'], None)
@example([b'{"\xc2\x85":false}'], None)  # U+0085 in an answer is not a line break
@example([b'{"symbol":' + b"[" * 1000 + b"]" * 1000 + b"}"], None)
@example([b" " * 100, ORDER], 64)  # a line of spaces over the cap is no blank line
@example([b"\xef\xbb\xbf"], None)  # a byte-order mark alone opens an empty input
def test_every_non_blank_line_gets_one_answer(batch: list[bytes], cap: int | None) -> None:
    limit = ["--max-line-bytes", str(cap)] if cap else []
    status, out, err = run(b"\n".join(batch) + b"\n", "--format", "json", *JSONL, *limit)
    assert status in (0, 1, 2), err
    longest = cap or 1 << 20
    # A byte-order mark opening the input is not data (docs/cli.md): a first line of only
    # that and spaces is blank.
    if batch and batch[0].startswith(b"\xef\xbb\xbf") and len(batch[0]) <= longest:
        batch = [batch[0][3:], *batch[1:]]
    expected = [i for i, line in enumerate(batch, 1) if line.strip() or len(line) > longest]
    assert len(out) == len(expected), err
    for line in out:
        answer = orjson.loads(line)  # every answer is one JSON object
        assert "this is a bug" not in (answer.get("error") or ""), answer["error"]


@FUZZ
@given(st.binary(max_size=3000))
@example(b"\xef\xbb\xbf[{}]")
@example(b"symbol,side\nBTCUSDT,\xff\n")
@example(b"\x1f\x8b\x08\x00\x00")
def test_any_bytes_in_any_detected_format(data: bytes) -> None:
    status, _, _ = run(data)
    assert status in (0, 1, 2)


# --- CSV: bad bytes, huge cells, stray quotes ------------------------------------------------

cells = st.one_of(
    st.sampled_from(["BTCUSDT", "BUY", "LIMIT", "GTC", "0.001", "30000.00", ""]),
    st.text(max_size=20),
    st.binary(max_size=8).map(lambda b: b.decode("latin-1")),  # re-encoded below as bytes
    st.sampled_from(['"', '""', '"BUY', 'BUY"', "a\rb", "x" * 140_000, '"' + "y" * 140_000]),
)


def _csv_bytes(rows: list[list[str]], raw: bool) -> bytes:
    encoding = "latin-1" if raw else "utf-8"  # latin-1: bytes that are not UTF-8
    text = "\n".join(",".join(row) for row in rows) + "\n"
    return text.encode(encoding, "replace")


@FUZZ
@given(
    st.lists(st.lists(cells, min_size=1, max_size=7), max_size=8),
    st.booleans(),
    st.sampled_from([None, 64]),
)
@example([["symbol", "side\xff"], ["BTCUSDT", "BUY"]], True, None)
@example([["symbol", "side"], ["BTCUSDT", "x" * 140_000], ["BTCUSDT", "BUY"]], False, None)
@example([["symbol", "side"], ["BTCUSDT", '"BUY'], *[["BTCUSDT", "BUY"]] * 15_000], False, None)
def test_hostile_csv_gets_answers_or_one_message(
    rows: list[list[str]], raw: bool, cap: int | None
) -> None:
    data = b"symbol,side,type,timeInForce,quantity,price\n" * (not rows) + _csv_bytes(rows, raw)
    limit = ["--max-line-bytes", str(cap)] if cap else []
    status, out, err = run(data, "--format", "json", "--input-format", "csv", *limit)
    assert status in (0, 1, 2), err
    assert len(out) <= max(len(data.split(b"\n")) - 1, 0)
    for line in out:
        answer = orjson.loads(line)
        assert "this is a bug" not in (answer.get("error") or ""), answer["error"]
    # Standard error: at most one message about the input, and nothing like a traceback.
    assert "Traceback" not in err
    assert sum(line.startswith("filterlib: ") for line in err.splitlines()) <= 1


# --- closed and full standard streams --------------------------------------------------------


class _FullAfter(io.StringIO):
    """An output that takes ``room`` writes, then fails as a full disk does."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room
        self.failed = False

    def write(self, text: str) -> int:
        if self.room <= 0:
            self.failed = True
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= 1
        return super().write(text)


FULL = (
    "filterlib: cannot write the output: No space left on device; the output is incomplete. "
    "Make room, or write it elsewhere\n"
)


@FUZZ
@given(
    st.lists(st.sampled_from([ORDER, b"", b"\xff", b"{}", b"[[["]), max_size=6),
    st.integers(0, 8),
    st.sampled_from(["text", "json", "github", "junit"]),
)
def test_a_full_output_at_any_write_is_status_2_and_one_message(
    batch: list[bytes], room: int, fmt: str
) -> None:
    out = _FullAfter(room)
    status, _, err = run(b"\n".join(batch) + b"\n", "--format", fmt, *JSONL, out=out)
    if not out.failed:  # everything fitted
        assert status in (0, 1, 2), err
        assert FULL not in err
    else:
        assert (status, err.endswith(FULL), err.count("filterlib: cannot")) == (2, True, 1), err


@pytest.mark.parametrize("closed", ["stdin", "stdout", "stderr", "stdout and stderr"])
def test_a_closed_standard_stream_is_status_2(closed: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Python sets sys.stdin/stdout/stderr to None when it starts with that descriptor closed.
    for name in closed.split(" and "):
        monkeypatch.setattr(sys, name, None)
    out = None if "stdout" in closed else io.StringIO()
    err = None if "stderr" in closed else io.StringIO()
    with bounded("a closed stream"):
        status = main(["check", "-"], stdin=None, stdout=out, stderr=err)
    assert status == 2
    if err is not None:  # one message (the text format's summary follows it)
        messages = [x for x in err.getvalue().splitlines() if x.startswith("filterlib: ")]
        assert len(messages) == 1, err.getvalue()
        assert "closed" in messages[0]


# --- a killed worker -------------------------------------------------------------------------

_real_check_chunk = cli_check._check_chunk
_KILL_AT = [0]  # the worker that gets the chunk holding this line kills itself


def _dies(name: str, chunk: Any, opts: Any, max_line: int = 1 << 20) -> Any:
    if isinstance(chunk, CsvBlock):  # plain CSV lines, with the bulk extra
        first = chunk.first
    else:
        first = chunk[0] if isinstance(chunk, tuple) else chunk[0][0]
    if first <= _KILL_AT[0] <= cli_check._last_line(chunk):
        os.kill(os.getpid(), signal.SIGKILL)
    return _real_check_chunk(name, chunk, opts, max_line)


@settings(FUZZ, max_examples=max(FUZZ.max_examples // 10, 1))  # a pool each: 6 in CI
@given(st.integers(2, 40), st.sampled_from(["jsonl", "csv"]))  # a CSV's line 1: header
def test_a_worker_killed_at_any_chunk_ends_the_run_with_status_2(kill_at: int, fmt: str) -> None:
    data = (ORDER + b"\n") * 40 if fmt == "jsonl" else b"symbol,side\n" + b"BTCUSDT,BUY\n" * 40
    saved = (
        cli_check._check_chunk,
        cli_check.BLOCK_BYTES,
        cli_check.COLUMN_BLOCK_BYTES,
        cli_check.CHUNK_LINES,
    )
    _KILL_AT[0] = kill_at
    cli_check._check_chunk = _dies  # forked workers inherit it
    cli_check.BLOCK_BYTES, cli_check.COLUMN_BLOCK_BYTES, cli_check.CHUNK_LINES = 300, 300, 4
    try:
        status, out, err = run(data, "--format", "json", "--input-format", fmt, "--jobs", "2")
    finally:
        (
            cli_check._check_chunk,
            cli_check.BLOCK_BYTES,
            cli_check.COLUMN_BLOCK_BYTES,
            cli_check.CHUNK_LINES,
        ) = saved
    match = re.search(r"the answers stop after line (\d+) ", err)
    assert status == 2
    assert match, err
    written = int(match[1]) - (fmt == "csv" and int(match[1]) > 0)  # a CSV's line 1: header
    assert len(out) == written < kill_at
