"""Fuzz the CLI's line reader in-process: an exit status of 0, 1 or 2, never an exception,
and with JSON Lines input exactly one output line per non-blank input line, in order."""

from __future__ import annotations

import io

import orjson
from hypothesis import example, given
from hypothesis import strategies as st
from test_fuzz_guard import FUZZ, bounded
from test_fuzz_snapshot import json_values

import filterlib.cli
from filterlib.cli import main

#: Force JSON Lines where the CLI can read other formats (a first "[" would mean a JSON array).
JSONL = ["--input-format", "jsonl"] if hasattr(filterlib.cli, "INPUT_FORMATS") else []

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
)


def run(stdin: bytes, *args: str) -> tuple[int, list[str], str]:
    out, err = io.StringIO(), io.StringIO()
    with bounded(f"filterlib check {' '.join(args)}"):
        status = main(["check", *args], stdin=io.BytesIO(stdin), stdout=out, stderr=err)
    # Split on "\n" only: answers may hold U+0085 or U+2028, which str.splitlines() splits on.
    return status, out.getvalue().split("\n")[:-1], err.getvalue()


@FUZZ
@given(st.lists(lines, max_size=12))
@example([ORDER, b"\xc3\x28", b"", b"[]", b'{"params": {}, "endpoint": "/nope"}'])
@example([b'{"\xc2\x85":false}'])  # U+0085 in an answer is not a line break
def test_every_non_blank_line_gets_one_answer(batch: list[bytes]) -> None:
    status, out, err = run(b"\n".join(batch) + b"\n", "--format", "json", *JSONL)
    assert status in (0, 1, 2), err
    expected = [i for i, line in enumerate(batch, 1) if line.strip()]
    assert len(out) == len(expected), err
    for line in out:
        orjson.loads(line)  # every answer is one JSON object


@FUZZ
@given(st.binary(max_size=3000))
@example(b"\xef\xbb\xbf[{}]")
@example(b"symbol,side\nBTCUSDT,\xff\n")
@example(b"\x1f\x8b\x08\x00\x00")
def test_any_bytes_in_any_detected_format(data: bytes) -> None:
    status, _, _ = run(data)
    assert status in (0, 1, 2)
