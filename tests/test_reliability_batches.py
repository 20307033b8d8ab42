"""Nothing lost in batches: every non-blank input line gets exactly one output line, in input
order, whatever fails on it, in-process and over worker processes, as JSON and as text."""

from __future__ import annotations

import io

import orjson
import pytest

import filterlib.cli.app
from filterlib.cli import main

#: Force JSON Lines where the CLI can read other formats (a first "[" would mean a JSON array).
JSONL = ["--input-format", "jsonl"] if hasattr(filterlib.cli.app, "INPUT_FORMATS") else []

GOOD = (
    b'{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC",'
    b'"quantity":"0.001","price":"30000.00"}'
)
REJECTED = GOOD.replace(b'"0.001"', b'"0.00001"')
BROKEN = [
    b"not json at all",
    b"[1, 2, 3]",
    b'"a string"',
    b'{"params": {"symbol": "BTCUSDT"}, "context": {"avgPrice": "NaN"}}',
    b'{"params": {"symbol": "BTCUSDT"}, "context": {"serverTime": "yesterday"}}',
    b'{"params": {"symbol": "BTCUSDT"}, "endpoint": "/api/v3/nope"}',
    b'{"symbol": "\xc3\x28"}',
    b"\xff\xfe\xfd",
    b'{"symbol": "' + b"X" * 1_000_000 + b'"}',  # a verdict: -1100 for the symbol
    b"{" * 10_000,
    b'{"params": 5}',  # a verdict: an order with an unknown parameter "params"
    b"",
    b"   ",
]
#: The broken lines that still get a verdict (rejected), not an error.
JUDGED = 2


def _batch() -> tuple[bytes, list[int]]:
    """Broken lines between good and rejected ones; the numbers of the non-blank lines."""
    lines: list[bytes] = []
    for i, broken in enumerate(BROKEN * 2):
        lines += [GOOD if i % 2 else REJECTED, broken]
    lines.append(GOOD)
    numbers = [n for n, line in enumerate(lines, 1) if line.strip()]
    return b"\n".join(lines) + b"\n", numbers


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_every_line_gets_exactly_one_answer_in_order(jobs: str, fmt: str) -> None:
    data, numbers = _batch()
    out, err = io.StringIO(), io.StringIO()
    args = ["check", "--format", fmt, *JSONL, "--verbose", "--jobs", jobs]  # passes too
    status = main(args, stdin=io.BytesIO(data), stdout=out, stderr=err)
    assert status == 2, err.getvalue()  # some lines could not be checked
    answers = out.getvalue().split("\n")[:-1]
    if fmt == "text":
        summary = answers.pop()
        checked, unusable_count = summary.split()[0], summary.split(", ")[-1].split()[0]
        assert int(checked) + int(unusable_count) == len(numbers), summary
        assert [int(a.split(":", 1)[0].removeprefix("line ")) for a in answers] == numbers
    else:
        assert len(answers) == len(numbers)
        bodies = [orjson.loads(a) for a in answers]
        unusable = [b for b in bodies if b.get("error")]
        assert len(unusable) == 2 * (sum(1 for b in BROKEN if b.strip()) - JUDGED)
        for body in unusable:  # each says which line it was
            assert body["error"].startswith("line "), body
        shown = [int(b["error"].split(":", 1)[0].removeprefix("line ")) for b in unusable]
        assert shown == [n for n, b in zip(numbers, bodies, strict=True) if b.get("error")]
    # The same input gives the same output in-process and over workers.
    again = io.StringIO()
    other = "2" if jobs == "1" else "1"
    main([*args[:-1], other], stdin=io.BytesIO(data), stdout=again, stderr=io.StringIO())
    assert again.getvalue() == out.getvalue()
