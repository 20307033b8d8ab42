"""``filterlib check --format html``: the counting, the page's safety, and the page in a browser.

The counting is tested on records built from hand-made verdicts, with expected values worked
out here; the page on real runs of the command line; the charts in Debian's chromium, headless
(skipped only where /usr/bin/chromium is absent: .ci/run installs it).
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import random
import re
import struct
import subprocess
import tomllib
import zlib
from collections import Counter
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import BTC_LIMIT

from filterlib import BinanceError, Verdict, Violation, cli
from filterlib.cli.html import (
    EXAMPLES_PER_RULE,
    LINE_WIDTHS,
    MAX_BUCKETS,
    MAX_KEYS,
    TIME_WIDTHS,
    Buckets,
    Report,
    distance,
    record_unusable,
    record_verdict,
    safe_json,
)
from filterlib.cli.outputs import Tally

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "filterlib"
CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = "</script><script>alert(1)</script>"
RED = (0xD3, 0x2F, 0x2F)  # the rejected bars (filterlib/report/page.js)
GREY = (0xB0, 0xBE, 0xC5)  # the checked (or passed) bars

PASS = Verdict(None)


def rejected(
    rule: str, value: str | None, nearest: tuple[str, ...] = (), code: int = -1013
) -> Verdict:
    msg = f"Filter failure: {rule}"
    violation = Violation(code, msg, rule, "quantity", "limit", value, nearest, f"{rule} detail")
    return Verdict(BinanceError(code, msg), (violation,))


# --- counting --------------------------------------------------------------------------------


def test_bucket_widths_divide_one_another() -> None:
    for widths in (LINE_WIDTHS, TIME_WIDTHS):
        assert all(b % a == 0 and b > a for a, b in itertools.pairwise(widths))


def test_lines_1_to_1000_fall_in_21_buckets_of_50() -> None:
    buckets = Buckets(LINE_WIDTHS)
    for line in range(1, 1001):
        buckets.add(line, 0)
    # Width 10 would need buckets 0..100 (101 > MAX_BUCKETS): the next width, 50, needs 21.
    starts, (passed, rejected_, unusable) = buckets.series()
    assert buckets.width == 50
    assert starts == list(range(0, 1001, 50))
    assert passed == [49] + [50] * 19 + [1]
    assert rejected_ == unusable == [0] * 21


@pytest.mark.parametrize("seed", range(5))
def test_buckets_merge_exactly_whatever_the_order(seed: int) -> None:
    rng = random.Random(seed)
    positions = [
        (1_700_000_000_000 + rng.randrange(10 ** rng.randint(1, 9)), rng.randrange(3))
        for _ in range(3000)
    ]
    buckets = Buckets(TIME_WIDTHS)
    for position, kind in positions:
        buckets.add(position, kind)
    starts, kinds = buckets.series()
    width = buckets.width
    assert len(starts) <= MAX_BUCKETS
    # The same counts as putting every position straight into a bucket of the final width.
    expected = Counter((p // width * width, kind) for p, kind in positions)
    got: Counter[tuple[int, int]] = Counter()
    for kind in range(3):
        for start, n in zip(starts, kinds[kind], strict=True):
            if n:
                got[(start, kind)] = n
    assert got == expected
    # And the width is the smallest of the ladder that fits the span.
    smaller = [w for w in TIME_WIDTHS if w < width]
    if smaller:
        low, high = min(p for p, _ in positions), max(p for p, _ in positions)
        assert high // smaller[-1] - low // smaller[-1] + 1 > MAX_BUCKETS


def test_distance_is_an_exact_ratio() -> None:
    assert distance("0.000012", ["0.00001000", "0.00002000"]) == Decimal("1.2")
    assert distance("0.5", ["0.001"]) == Decimal(500)
    assert distance("0", ["0.001"]) == Decimal("Infinity")
    assert distance("0", ["0"]) == Decimal(1)
    assert distance(None, ["1"]) is None
    assert distance("abc", ["1"]) is None
    assert distance("1", []) is None


def report_of(*records: str, name: str = "orders.jsonl") -> Report:
    report = Report()
    report.start(name).write("".join(records))
    return report


def page_data(page: str) -> Any:
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page)
    assert found, "no data block"
    return json.loads(found.group(1))


def test_counts_by_rule_symbol_and_line() -> None:
    report = report_of(
        record_verdict(1, "BTCUSDT", rejected("LOT_SIZE", "0.5", ("0.1",)), {}),
        record_verdict(2, "BTCUSDT", PASS, {}),
        record_verdict(3, "ETHUSDT", rejected("PRICE_FILTER", "1.001", ("1.00",)), {}),
        record_unusable(4, "line 4: not valid JSON"),
        record_verdict(5, "ETHUSDT", rejected("LOT_SIZE", "7", ("1",)), {}),
        record_verdict(6, "BNBUSDT", PASS, {}),
    )
    data = report.data()
    assert data["rules"] == {"labels": ["LOT_SIZE", "PRICE_FILTER"], "rejected": [2, 1]}
    assert data["symbols"] == {
        "labels": ["ETHUSDT", "BTCUSDT"],  # BNBUSDT: nothing rejected
        "checked": [2, 2],
        "rejected": [2, 1],
    }
    assert data["order"] == {
        "axis": "line",
        "width": 1,
        "starts": [1, 2, 3, 4, 5, 6],
        "passed": [0, 1, 0, 0, 0, 1],
        "rejected": [1, 0, 1, 0, 1, 0],
        "unusable": [0, 0, 0, 1, 0, 0],
    }


def test_time_axis_when_every_checked_order_has_a_timestamp() -> None:
    start = 1_700_000_000_000
    records = [
        record_verdict(i + 1, "BTCUSDT", PASS, {"timestamp": start + i * 60_000}) for i in range(5)
    ]
    records.append(record_unusable(6, "line 6: not valid JSON"))  # no order, no time: fine
    data = report_of(*records).data()["order"]
    # 4 minutes: 1 ms to 2 s are too narrow for 100 buckets; 10 s makes 25.
    assert data["axis"] == "time"
    assert data["width"] == 10_000
    assert data["starts"] == [start + i * 10_000 for i in range(25)]
    assert data["passed"] == [1 if i % 6 == 0 else 0 for i in range(25)]
    # A timestamp given as a string counts; one order without (or with a nonsense one) does not.
    as_text = record_verdict(7, "BTCUSDT", PASS, {"timestamp": str(start)})
    assert report_of(*records, as_text).data()["order"]["axis"] == "time"
    for odd in ({}, {"timestamp": 12}, {"timestamp": True}, {"timestamp": "17e11"}):
        late = record_verdict(7, "BTCUSDT", PASS, odd)
        assert report_of(*records, late).data()["order"]["axis"] == "line"


def example_lines(page: str, rule: str) -> list[int]:
    section = page.split(f"<h3><code>{rule}</code>", 1)[1].split("<h3>", 1)[0]
    return [int(n) for n in re.findall(r"orders\.jsonl:(\d+)", section)]


def test_examples_are_capped_per_rule_farthest_first() -> None:
    # Line: (value, with 0.001 the nearest valid quantity) -> how far, as a ratio.
    values = {
        1: "0.0005",  # 2
        2: "0.00002",  # 50
        3: "0.00025",  # 4
        4: "0.00002",  # 50
        5: "0.0008",  # 1.25
        6: "0.000001",  # 1000
        7: "0.0002",  # 5
        8: "0.00002",  # 50
        9: "0.0001",  # 10
        10: "0.000125",  # 8
        11: "0.00002",  # 50, as far as lines 2, 4 and 8 but later: not kept
        12: "0.5",  # 500 (above)
    }
    records = [
        record_verdict(line, "BTCUSDT", rejected("LOT_SIZE", value, ("0.001",)), {})
        for line, value in values.items()
    ]
    records += [
        record_verdict(20 + i, "BTCUSDT", rejected("mandatory", None, (), -1102), {})
        for i in range(8)
    ]
    report = report_of(*records)
    page = report.page(Tally(), 1, False)
    assert EXAMPLES_PER_RULE == 5
    assert example_lines(page, "LOT_SIZE") == [6, 12, 2, 4, 8]
    # Without a distance, the first ones.
    assert example_lines(page, "mandatory") == [20, 21, 22, 23, 24]


def test_memory_stays_bounded() -> None:
    report = Report()
    target = report.start("big.jsonl")
    for i in range(1, 30_001):
        rule = f"RULE_{i % 7}"
        target.write(record_verdict(i, f"S{i % 6000}", rejected(rule, str(i), ("1",)), {}))
    assert len(report.by_symbol) == MAX_KEYS + 1
    # Symbols S0..S4999 came first; every order of S5000..S5999 went to "(others)".
    assert report.by_symbol["(others)"] == [5000, 5000]
    assert len(report.lines.counts) <= MAX_BUCKETS
    assert all(len(kept) == EXAMPLES_PER_RULE for kept in report.examples.values())
    assert len(report.examples) == 7


# --- the page --------------------------------------------------------------------------------


def order(**changes: str) -> dict[str, str]:
    return {**BTC_LIMIT, **changes}


ETH = {**BTC_LIMIT, "symbol": "ETHUSDT", "quantity": "0.1000", "price": "1800.00"}
#: Lines 1-12: three LOT_SIZE, two PRICE_FILTER, a -1102, a hostile symbol, four passes, and
#: one unusable line.
ORDERS = [
    order(quantity="0.000012"),
    order(),
    {**ETH, "price": "1800.001"},
    order(quantity="0.000013"),
    {k: v for k, v in BTC_LIMIT.items() if k != "timeInForce"},
    order(),
    "not json",
    order(symbol=HOSTILE),
    {**ETH, "price": "1800.005"},
    order(quantity="0.000014"),
    order(),
    order(),
]


def jsonl(*orders: object) -> bytes:
    return b"".join((o if isinstance(o, str) else json.dumps(o)).encode() + b"\n" for o in orders)


def run(args: list[str], data: bytes = b"") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(["check", *args], stdin=io.BytesIO(data), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def page() -> str:
    status, text, err = run(["--format", "html"], jsonl(*ORDERS))
    assert status == 2, err  # an unusable line
    return text


def test_page_counts_the_run(page: str) -> None:
    data = page_data(page)
    assert data["rules"] == {
        "labels": ["LOT_SIZE", "PRICE_FILTER", "illegal_characters", "mandatory_for_type"],
        "rejected": [3, 2, 1, 1],
    }
    assert data["symbols"] == {
        "labels": ["BTCUSDT", "ETHUSDT", HOSTILE],
        "checked": [8, 2, 1],
        "rejected": [4, 2, 1],
    }
    assert data["order"]["axis"] == "line"
    assert data["order"]["starts"] == list(range(1, 13))
    assert data["order"]["rejected"] == [1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0]
    assert data["order"]["unusable"] == [0] * 6 + [1] + [0] * 5
    summary = page.split('<section id="summary">')[1].split("</table>")[0]
    assert re.findall(r'<th scope="row">([^<]*)</th><td class="n">([^<]*)</td>', summary) == [
        ("checked", "11"),
        ("passed", "4"),
        ("rejected", "7"),
        ("unusable lines", "1"),
        ("passed with rules unchecked", "4"),
        ("exit status", "2"),
    ]
    assert "its serverTime: 2023-08-13 16:47 UTC" in page  # the shipped snapshot's
    # The LOT_SIZE examples: the farthest from its nearest valid value first (0.000012 is
    # 1.2 times 0.00001, 0.000013 1.3 times, 0.000014 1.4 / 1.43 times 0.00001 / 0.00002...).
    lot = page.split("<h3><code>LOT_SIZE</code>")[1].split("<h3>")[0]
    assert re.findall(r"standard input:(\d+)", lot) == ["10", "4", "1"]
    assert "0.00001000, 0.00002000" in lot  # nearest valid values


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.code: list[str] = []
        self._in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
        self._in_code = tag == "code"

    def handle_data(self, data: str) -> None:
        if self._in_code:
            self.code.append(data)


def test_a_hostile_symbol_stays_text(page: str) -> None:
    parsed = _Scripts()
    parsed.feed(page)
    # Three scripts: the data, uPlot, the page's own; none from the input.
    assert [s.get("type") for s in parsed.scripts] == ["application/json", None, None]
    assert HOSTILE in parsed.code  # shown, as text, in the tables
    assert page.count("alert(1)") == page.count("&lt;script&gt;alert(1)") + page.count(
        "\\u003cscript\\u003ealert(1)"
    )
    block = page.split('id="report-data">')[1].split("</script>")[0]
    assert not set("<>&") & set(block)
    assert HOSTILE in page_data(page)["symbols"]["labels"]


def test_a_snapshot_time_out_of_range_is_shown_as_is() -> None:
    for server_time in (10**25, -(10**25)):
        page = Report(server_time=server_time).page(Tally(), 0, False)
        assert f"its serverTime: {server_time}<" in page


def test_safe_json_round_trips() -> None:
    value = {"a</script>": ["<!--", "&amp;", "\u2028", ">"]}
    text = safe_json(value)
    assert not set("<>&\u2028") & set(text)
    assert json.loads(text) == value


def test_the_page_needs_no_network(page: str) -> None:
    assert re.search(r"(?i)(https?|wss?|ftp):", page) is None
    assert re.search(r"(?i)[\s\"'](src|href|srcset|action|formaction)\s*=", page) is None
    assert "@import" not in page
    assert "url(" not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp
    policy = csp.group(1).replace("&#x27;", "'")
    assert policy.startswith("default-src 'none'; script-src 'sha256-")
    # The policy allows exactly the page's two scripts, by their hashes.
    bodies = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(bodies) == 2
    hashes = re.findall(r"'sha256-([^']+)'", policy)
    assert hashes == [
        base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() for b in bodies
    ]


def test_exit_status_is_the_same_as_with_json() -> None:
    for orders in ([order()], [order(), order(quantity="1e-9")], [order(), "[]"]):
        data = jsonl(*orders)
        assert run(["--format", "html"], data)[0] == run(["--format", "json"], data)[0]


def test_jobs_2_writes_the_same_page(tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_bytes(jsonl(*ORDERS * 50))
    one = run(["--format", "html", str(path)])
    two = run(["--format", "html", "--jobs", "2", str(path)])
    assert one == two
    assert page_data(one[1])["rules"]["rejected"] == [150, 100, 50, 50]


def test_a_file_that_cannot_be_read_is_said(tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_bytes(jsonl(order()))
    status, text, err = run(["--format", "html", str(path), str(tmp_path / "missing.jsonl")])
    assert status == 2
    assert "cannot read" in err
    assert "could not be read to its end" in text


# --- what ships ------------------------------------------------------------------------------


def test_the_vendored_library_is_the_one_the_readme_names() -> None:
    readme = (PACKAGE / "report" / "README.md").read_text()
    named = dict(re.findall(r"\| `(uplot/[^`]+)` \|[^|]*sha256 `([0-9a-f]{64})`", readme))
    files = sorted(p.name for p in (PACKAGE / "report" / "uplot").iterdir())
    assert sorted(Path(n).name for n in named) == files
    for name, digest in named.items():
        assert hashlib.sha256((PACKAGE / "report" / name).read_bytes()).hexdigest() == digest
    lib = (PACKAGE / "report" / "uplot" / "uPlot.iife.min.js").read_text()
    assert lib.startswith("/*! https://github.com/leeoniya/uPlot (v1.6.32) */")
    assert "uPlot 1.6.32" in readme
    assert (PACKAGE / "report" / "uplot" / "LICENSE").read_text().startswith("The MIT License")


def test_package_data_ships_every_report_file() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    globs = pyproject["tool"]["setuptools"]["package-data"]["filterlib"]
    shipped = {p for g in globs for p in PACKAGE.glob(g)}
    files = {p for p in (PACKAGE / "report").rglob("*") if p.is_file()}
    assert files
    assert files <= shipped


# --- in a browser ----------------------------------------------------------------------------


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent (apt-get install chromium; .ci/run does)")
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--window-size=1280,2000",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB bytes of an 8-bit RGB or RGBA PNG, without a library."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, []
    width = height = channels = 0
    while pos < len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + size]
        pos += 12 + size
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, interlace) == (8, 0)
            assert colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows: list[bytes] = []
    prev = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, cur = raw[start], raw[start + 1 : start + 1 + stride]
        if kind == 0:
            row = bytes(cur)
        elif kind == 2:  # up: byte-wise sums, in 16-bit lanes of one big integer
            a, b = bytearray(2 * stride), bytearray(2 * stride)
            a[1::2], b[1::2] = cur, prev
            total = int.from_bytes(a, "big") + int.from_bytes(b, "big")
            row = total.to_bytes(2 * stride + 1, "big")[2::2]
        else:
            out = bytearray(cur)
            for i in range(stride):
                left = out[i - channels] if i >= channels else 0
                up = prev[i]
                if kind == 1:
                    guess = left
                elif kind == 3:
                    guess = (left + up) >> 1
                else:
                    corner = prev[i - channels] if i >= channels else 0
                    pa, pb = abs(up - corner), abs(left - corner)
                    pc = abs(left + up - 2 * corner)
                    guess = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                out[i] = (out[i] + guess) & 255
            row = bytes(out)
        rows.append(row)
        prev = row
    if channels == 4:
        rows = [bytes(b for i, b in enumerate(r) if i % 4 != 3) for r in rows]
    return width, height, rows


def pixels(rows: list[bytes], box: tuple[int, int, int, int], colour: tuple[int, int, int]) -> int:
    left, top, width, height = box
    needle = bytes(colour)
    return sum(
        1
        for y in range(top, min(top + height, len(rows)))
        for x in range(left, left + width)
        if rows[y][3 * x : 3 * x + 3] == needle
    )


def test_the_charts_draw_in_chromium(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    orders = [*ORDERS, *({**o, "symbol": "BNBUSDT"} for o in ORDERS if isinstance(o, dict))]
    status, text, err = run(["--format", "html"], jsonl(*orders))
    assert status == 2, err
    page.write_text(text, encoding="utf-8")
    url = page.as_uri()

    dom = chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", dom.stdout)
    assert body, dom.stdout[:2000]
    assert 'data-charts-drawn="3"' in body.group(1), re.findall(
        r"data-chart-error=\"[^\"]*\"", dom.stdout
    )
    boxes = {}
    for chart in ("chart-rules", "chart-symbols", "chart-order"):
        tag = re.search(rf'<div class="chart[^"]*" id="{chart}"([^>]*)>', dom.stdout)
        assert tag, chart
        assert "data-chart-error" not in tag.group(1)
        box = re.search(r'data-plot-box="(\d+),(\d+),(\d+),(\d+)"', tag.group(1))
        assert box, tag.group(1)
        left, top, width, height = map(int, box.groups())
        assert width > 100
        assert height > 40
        assert top + height < 2000
        boxes[chart] = (left, top, width, height)
        # uPlot's canvas, sized.
        section = dom.stdout.split(f'id="{chart}"', 1)[1].split('<div class="chart', 1)[0]
        canvas = re.search(r'<canvas width="(\d+)" height="(\d+)"', section)
        assert canvas
        assert int(canvas.group(1)) > 0
        assert int(canvas.group(2)) > 0
    # The data reached the page intact, hostile symbol and all, and added no script.
    assert dom.stdout.count("<script") == 3

    shot = tmp_path / "report.png"
    done = chromium(tmp_path, f"--screenshot={shot}", url)
    assert shot.exists(), done.stderr[-2000:]
    width, height, rows = read_png(shot)
    assert (width, height) == (1280, 2000)
    # Bars drawn in every chart: red for rejected orders; grey for all orders by symbol and
    # over the input. A bar is at least a few hundred pixels.
    assert pixels(rows, boxes["chart-rules"], RED) > 500
    assert pixels(rows, boxes["chart-symbols"], RED) > 500
    assert pixels(rows, boxes["chart-symbols"], GREY) > 500
    assert pixels(rows, boxes["chart-order"], RED) > 500
    assert pixels(rows, boxes["chart-order"], GREY) > 500
