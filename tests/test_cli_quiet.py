"""``filterlib check`` as quiet as ruff (issue 18): what fails, located, capped, and counted.

Text and github show the orders that fail (and the lines and files that cannot be read), not
the ones that pass; github caps its annotations per rule; JUnit lists failures and counts
passes; ``-o`` writes any format to a file. Expected rule names and messages are Binance's
(docs/rules.md), written out here, never taken from the CLI's own output.
"""

from __future__ import annotations

import gzip
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import BTC_LIMIT

from filterlib import Verdict, cli
from filterlib.cli import check as cli_check
from filterlib.cli import outputs as cli_outputs
from filterlib.cli.outputs import Options, OutputFormat, Tally

GOOD = dict(BTC_LIMIT)
OFF_STEP = {**GOOD, "quantity": "0.001005"}  # off the 0.00001 step: -1013 LOT_SIZE
OFF_TICK = {**GOOD, "price": "30000.001"}  # off the 0.01 tick: -1013 PRICE_FILTER
FORMATS = ["text", "json", "github", "junit", "sarif"]


def jsonl(*orders: object) -> bytes:
    return b"".join(orjson.dumps(o) + b"\n" for o in orders)


class Run:
    def __init__(self, status: int, out: str, err: str) -> None:
        self.status, self.out, self.err = status, out, err

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


def run(*args: str, data: bytes = b"", stdout: io.StringIO | None = None) -> Run:
    out, err = stdout or io.StringIO(), io.StringIO()
    status = cli.main(["check", *args], stdin=io.BytesIO(data), stdout=out, stderr=err)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return Run(status, out.getvalue(), err.getvalue())


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_check, "CHUNK_LINES", 4)
    monkeypatch.setattr(cli_check, "BLOCK_BYTES", 300)
    monkeypatch.setattr(cli_check, "IN_FLIGHT_PER_JOB", 2)


# --- text: failures and a summary, passes with --verbose --------------------------------------


def test_text_output_grows_with_failures_not_with_passes() -> None:
    few = run(data=jsonl(GOOD, OFF_STEP, GOOD))
    many = run(data=jsonl(*[GOOD] * 1000, OFF_STEP))
    assert few.status == many.status == 1
    assert few.lines == [
        "line 2: BTCUSDT: -1013 Filter failure: LOT_SIZE \u2014 quantity 0.001005 is not a "
        "multiple of 0.00001000; nearest valid quantity: 0.00100000, 0.00101000",
        "3 checked, 2 passed, 1 rejected, 0 unusable",
    ]
    assert many.lines[0].startswith("line 1001: BTCUSDT: -1013 Filter failure: LOT_SIZE")
    assert many.lines[1] == "1001 checked, 1000 passed, 1 rejected, 0 unusable"
    assert len(many.lines) == 2


def test_the_summary_is_by_rule_and_by_symbol_on_standard_error() -> None:
    eth = {**OFF_TICK, "symbol": "ETHUSDT", "quantity": "0.0100", "price": "2000.001"}
    r = run(data=jsonl(OFF_STEP, OFF_STEP, OFF_TICK, eth, GOOD) + b"{oops\n")
    assert r.status == 2
    lines = r.err.splitlines()
    by_rule = lines[lines.index("by rule:") + 1 : lines.index("by symbol:")]
    assert [x.split() for x in by_rule] == [
        ["2", "LOT_SIZE:", "-1013", "Filter", "failure:", "LOT_SIZE"],
        ["2", "PRICE_FILTER:", "-1013", "Filter", "failure:", "PRICE_FILTER"],
        ["1", "(unusable", "line)"],
    ]
    by_symbol = lines[lines.index("by symbol:") + 1 : lines.index("by symbol:") + 4]
    assert [x.split() for x in by_symbol] == [
        ["3", "BTCUSDT"],
        ["1", "ETHUSDT"],
        ["1", "(no", "symbol)"],
    ]
    assert "1 passed with rules unchecked" in lines


def test_verbose_adds_the_passes_with_their_unchecked_rules() -> None:
    r = run("--verbose", data=jsonl(GOOD, OFF_STEP))
    assert r.lines[0].startswith(
        "line 1: BTCUSDT: OK (unchecked: PERCENT_PRICE_BY_SIDE needs avgPrice"
    )
    assert r.lines[1].startswith("line 2: BTCUSDT: -1013 Filter failure: LOT_SIZE")
    assert "(unchecked: " in r.lines[1]
    assert len(r.lines) == 3


def test_a_pass_that_fails_the_run_is_shown() -> None:
    # With --fail-on unchecked, a pass with rules unchecked fails: it is listed, with them.
    r = run("--fail-on", "unchecked", data=jsonl(GOOD))
    assert r.status == 1
    assert r.lines[0].startswith("line 1: BTCUSDT: OK (unchecked: PERCENT_PRICE_BY_SIDE needs")
    # With --warnings, a value on a bound is shown (not failed).
    at_min = {**GOOD, "quantity": "0.00001000", "price": "1000000.00"}
    w = run("--warnings", data=jsonl(at_min, GOOD))
    assert w.status == 0
    assert len(w.lines) == 2
    assert w.lines[0].startswith("line 1: BTCUSDT: OK (warning: price 1000000.00 is exactly")


# --- github: capped per rule, with a notice of the rest ---------------------------------------


def _errors(out: str) -> list[str]:
    return [x for x in out.splitlines() if x.startswith("::error ")]


def _notices(out: str) -> list[str]:
    return [x for x in out.splitlines() if x.startswith("::notice ")]


BULK = jsonl(*[OFF_STEP] * 25, *[OFF_TICK] * 3, *[GOOD] * 50) + b"{oops\n" * 12


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.usefixtures("small_chunks")
def test_github_annotations_are_capped_per_rule_by_default(jobs: str) -> None:
    r = run("--format", "github", "--jobs", jobs, data=BULK)
    assert r.status == 2
    errors = _errors(r.out)
    lot = [e for e in errors if "title=BTCUSDT%3A -1013 Filter failure%3A LOT_SIZE::" in e]
    tick = [e for e in errors if "title=BTCUSDT%3A -1013 Filter failure%3A PRICE_FILTER::" in e]
    bad = [e for e in errors if "title=filterlib%3A unusable line::" in e]
    assert (len(lot), len(tick), len(bad)) == (10, 3, 10)  # the default: 10 per rule
    assert len(errors) == 23
    # The first of each, in input order.
    assert [int(re.search(r"line=(\d+)", e)[1]) for e in lot] == list(range(1, 11))  # type: ignore[index]
    assert [int(re.search(r"line=(\d+)", e)[1]) for e in bad] == list(range(79, 89))  # type: ignore[index]
    [left, counts] = _notices(r.out)
    assert left == (
        "::notice title=filterlib check::17 more annotations not written (at most 10 per rule; "
        "--max-annotations N changes it): LOT_SIZE 15, unusable-line 2"
    )
    assert (
        counts == "::notice title=filterlib check::78 checked, 50 passed, 28 rejected, 12 unusable"
    )
    assert r.out.splitlines()[-1] == counts


@pytest.mark.parametrize(("cap", "shown"), [("1", 3), ("0", 40), ("30", 40)])
def test_max_annotations(cap: str, shown: int) -> None:
    r = run("--format", "github", "--max-annotations", cap, data=BULK)
    assert len(_errors(r.out)) == shown
    assert len(_notices(r.out)) == (2 if shown < 40 else 1)


def test_github_verbose_adds_the_unchecked_rules_to_each_annotation() -> None:
    [quiet] = _errors(run("--format", "github", data=jsonl(OFF_STEP)).out)
    [verbose] = _errors(run("--format", "github", "--verbose", data=jsonl(OFF_STEP)).out)
    assert "unchecked" not in quiet
    assert verbose.startswith(quiet)
    assert verbose[len(quiet) :].startswith(" (unchecked: PERCENT_PRICE_BY_SIDE needs avgPrice")


def test_max_annotations_must_be_a_whole_number() -> None:
    r = run("--format", "github", "--max-annotations", "-1", data=jsonl(GOOD))
    assert r.status == 2
    assert "--max-annotations" in r.err
    assert r.out == ""


def test_jobs_2_caps_exactly_as_jobs_1(small_chunks: None) -> None:
    one = run("--format", "github", data=BULK)
    two = run("--format", "github", "--jobs", "2", data=BULK)
    assert (two.status, two.out, two.err) == (one.status, one.out, one.err)


# --- junit: failures listed, passes counted -------------------------------------------------


def test_junit_grows_with_failures_not_with_passes() -> None:
    few = run("--format", "junit", data=jsonl(GOOD, OFF_STEP) + b"{oops\n")
    many = run("--format", "junit", data=jsonl(*[GOOD] * 2000, OFF_STEP) + b"{oops\n")
    for r, tests in ((few, "3"), (many, "2002")):
        assert r.status == 2
        root = ET.fromstring(r.out)
        assert (root.get("tests"), root.get("failures"), root.get("errors")) == (tests, "1", "1")
        [suite] = root
        assert suite.get("tests") == tests
        cases = list(suite)
        assert len(cases) == 2
        failure, error = cases[0].find("failure"), cases[1].find("error")
        assert failure is not None
        assert failure.get("message") == "-1013 Filter failure: LOT_SIZE"
        assert error is not None
        assert error.get("type") == "unusable"
    assert len(many.out) - len(few.out) < 40  # the line numbers and counts are longer


def test_junit_verbose_lists_the_passes() -> None:
    r = run("--format", "junit", "--verbose", data=jsonl(GOOD, OFF_STEP, GOOD))
    [suite] = ET.fromstring(r.out)
    assert [c.get("line") for c in suite] == ["1", "2", "3"]
    assert [c.find("failure") is not None for c in suite] == [False, True, False]


# --- a file that cannot be read, in every format ----------------------------------------------


def _problem_files(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """Each kind of problem that stops a file: the FILE argument, and the start of its
    message."""
    truncated = gzip.compress(jsonl(*[GOOD] * 3000), compresslevel=0)
    (tmp_path / "cut.jsonl.gz").write_bytes(truncated[: len(truncated) // 2])
    (tmp_path / "semicolons.csv").write_bytes(
        b"Symbol;Side;Type;Quantity;Price\nBTCUSDT;BUY;LIMIT;0.001;30000.00\n"
    )
    (tmp_path / "empty").mkdir()
    missing, pattern = tmp_path / "missing.jsonl", tmp_path / "none-*.csv"
    cut, csv, empty = tmp_path / "cut.jsonl.gz", tmp_path / "semicolons.csv", tmp_path / "empty"
    return {
        "missing": (str(missing), f"{missing}: cannot read: No such file or directory"),
        "pattern": (str(pattern), f"{pattern}: no file matches this pattern"),
        "truncated gzip": (str(cut), f"{cut}: the gzip data is truncated or corrupt after line"),
        "CSV header": (str(csv), f"{csv} line 1: the CSV header names no order parameter"),
        "empty folder": (str(empty), f"{empty}: no order files in this folder"),
    }


PROBLEMS = ["missing", "pattern", "truncated gzip", "CSV header", "empty folder"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", PROBLEMS)
def test_a_file_that_cannot_be_read_shows_in_every_format(
    tmp_path: Path, fmt: str, kind: str
) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(jsonl(GOOD, OFF_STEP))
    name, message = _problem_files(tmp_path)[kind]
    r = run(str(good), name, "--format", fmt)
    assert r.status == 2
    assert f"filterlib: {message}" in r.err  # standard error says so, as before
    if fmt == "text":
        assert len([x for x in r.lines if x.startswith(message)]) == 1
        assert r.lines[-1].endswith(", 1 file unreadable")
    elif fmt == "github":
        [error] = [x for x in _errors(r.out) if "title=filterlib%3A file not read" in x]
        assert error.startswith(f"::error file={name}")
        assert message in error
        assert r.lines[-1].endswith(", 1 file unreadable")
    elif fmt == "junit":
        root = ET.fromstring(r.out)
        unread = [s for s in root if s.get("name") == name]
        if kind != "truncated gzip":  # the file's own suite: its only test case is the error
            [suite] = unread
            [case] = suite
            element = case.find("error")
            assert element is not None
            assert element.get("type") == "unreadable"
            assert (element.get("message") or "").startswith(message)
            assert (suite.get("tests"), suite.get("errors")) == ("1", "1")
        assert root.get("errors") == "1"
    elif fmt == "sarif":
        doc = orjson.loads(r.out)
        [result] = [x for x in doc["runs"][0]["results"] if x["ruleId"] == "unreadable-file"]
        assert result["message"]["text"].startswith(message)
        assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is False
    else:  # json: one line per order, nothing else (its contract)
        assert [orjson.loads(x)["ok"] for x in r.lines[:2]] == [True, False]
        assert message not in r.out


def test_a_truncated_gzip_keeps_the_orders_before_it_in_junit(tmp_path: Path) -> None:
    name, _ = _problem_files(tmp_path)["truncated gzip"]
    r = run(name, "--format", "junit")
    [suite] = ET.fromstring(r.out)
    checked = int(re.search(r"after line (\d+)", r.err)[1])  # type: ignore[index]
    assert 1000 < checked < 3000
    assert (suite.get("tests"), suite.get("errors")) == (str(checked + 1), "1")


def test_text_on_a_terminal_says_a_file_problem_once(tmp_path: Path) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    missing = tmp_path / "missing.jsonl"
    r = run(str(missing), "--color", "never", stdout=Tty())
    assert r.status == 2
    assert r.lines[0].startswith(f"{missing}: cannot read: No such file or directory")
    assert str(missing) not in r.err


def test_a_folder_stands_for_its_order_files(tmp_path: Path) -> None:
    (tmp_path / "orders" / "deep").mkdir(parents=True)
    (tmp_path / "orders" / ".hidden").mkdir()
    (tmp_path / "orders" / "a.jsonl").write_bytes(jsonl(OFF_STEP))
    (tmp_path / "orders" / "deep" / "b.csv.gz").write_bytes(
        gzip.compress(b"symbol,side,type,timeInForce,quantity,price\n"
                      b"BTCUSDT,BUY,LIMIT,GTC,0.000012,30000.00\n")
    )  # fmt: skip
    (tmp_path / "orders" / ".hidden" / "c.jsonl").write_bytes(b"{oops\n")
    (tmp_path / "orders" / "notes.txt").write_text("not orders")
    (tmp_path / "orders" / ".vscode.json").write_text("{}")
    r = run(str(tmp_path / "orders"))
    assert r.status == 1
    heads = [x for x in r.lines if x.startswith("==> ")]
    assert heads == [
        f"==> {tmp_path / 'orders' / 'a.jsonl'} <==",
        f"==> {tmp_path / 'orders' / 'deep' / 'b.csv.gz'} <==",
    ]
    assert r.lines[-1] == "2 checked, 0 passed, 2 rejected, 0 unusable"


def test_a_quoted_pattern_is_expanded(tmp_path: Path) -> None:
    for name in ("b.jsonl", "a.jsonl", "c.csv"):
        (tmp_path / name).write_bytes(jsonl(OFF_STEP))
    r = run(str(tmp_path / "*.jsonl"), "--format", "github")
    files = [re.search(r"file=([^,]+),", e)[1] for e in _errors(r.out)]  # type: ignore[index]
    assert files == [str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]


# --- -o / --output -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_to_a_file_in_every_format(tmp_path: Path, fmt: str) -> None:
    orders = tmp_path / "orders.jsonl"
    orders.write_bytes(jsonl(GOOD, OFF_STEP) + b"{oops\n")
    there = tmp_path / "report.out"
    plain = run(str(orders), "--format", fmt)
    to_file = run(str(orders), "--format", fmt, "-o", str(there))
    assert to_file.status == plain.status == 2
    assert to_file.out == ""
    assert there.read_text(encoding="utf-8") == plain.out
    assert to_file.err == plain.err  # the summary on standard error is the same
    again = run(str(orders), "--format", fmt, "--output", str(there))  # replaced, not appended
    assert there.read_text(encoding="utf-8") == plain.out
    assert again.status == 2


def test_output_dash_is_standard_output() -> None:
    r = run("-o", "-", "--format", "json", data=jsonl(GOOD))
    assert r.status == 0
    assert orjson.loads(r.out)["ok"] is True


@pytest.mark.parametrize("where", ["no such folder", "a folder"])
def test_an_output_that_cannot_be_opened_is_status_2(tmp_path: Path, where: str) -> None:
    target = tmp_path / "nope" / "report.xml" if where == "no such folder" else tmp_path
    r = run("--format", "junit", "-o", str(target), data=jsonl(GOOD))
    assert r.status == 2
    assert r.out == ""
    [line] = r.err.splitlines()
    assert line.startswith(f"filterlib: cannot write {target}: ")
    assert not (tmp_path / "nope").exists()


def test_no_colour_in_a_file_on_auto(tmp_path: Path) -> None:
    there = tmp_path / "report.txt"
    run("-o", str(there), data=jsonl(OFF_STEP))
    assert "\x1b[" not in there.read_text()
    run("-o", str(there), "--color", "always", data=jsonl(OFF_STEP))
    assert "\x1b[31m" in there.read_text()


def test_output_to_a_file_with_jobs_2(tmp_path: Path, small_chunks: None) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    data = jsonl(*[GOOD, OFF_STEP, OFF_TICK] * 20)
    a = run("--format", "json", "-o", str(one), data=data)
    b = run("--format", "json", "-o", str(two), "--jobs", "2", data=data)
    assert a.status == b.status == 1
    assert one.read_bytes() == two.read_bytes()
    assert len(one.read_bytes().splitlines()) == 60


def test_output_onto_an_input_is_refused(tmp_path: Path) -> None:
    orders = tmp_path / "orders.jsonl"
    orders.write_bytes(jsonl(GOOD, OFF_STEP))
    r = run(str(tmp_path), "-o", str(orders))  # the folder holds it
    assert r.status == 2
    assert r.err.startswith(f"filterlib: -o {orders} is the input {orders}: ")
    assert orders.read_bytes() == jsonl(GOOD, OFF_STEP)  # untouched


# --- a format added by another module ------------------------------------------------------


class _Quantities(OutputFormat):
    """A format of a test: each order's line, quantity and answer, then the counts."""

    name = "quantities-test"
    help = "a format of the tests"
    wants_params = True

    @classmethod
    def verdict(
        cls,
        symbol: str,
        verdict: Verdict,
        warnings: tuple[str, ...],
        source: str,
        line: str,
        opts: Options,
        params: Mapping[str, Any] | None = None,
    ) -> str:
        assert params is not None
        return f"{line} {params['quantity']} {'ok' if verdict.ok else verdict.error.code}\n"  # type: ignore[union-attr]

    @classmethod
    def unusable(cls, error: str, source: str, line: str, opts: Options) -> str:
        return f"{line} unusable\n"

    def begin(self, source: str) -> None:
        self.out.write(f"begin {source}\n")

    def end(self, source: str, tally: Tally) -> None:
        self.out.write(f"end {source}: {sum(tally.kinds)}\n")

    def finish(self, tally: Tally) -> None:
        self.out.write(f"finish: {tally.count_line()}")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_registered_format_is_a_choice_and_gets_each_orders_parameters(
    monkeypatch: pytest.MonkeyPatch, jobs: str, small_chunks: None
) -> None:
    monkeypatch.setitem(cli_outputs.FORMATS, _Quantities.name, _Quantities)
    data = jsonl(GOOD, {**GOOD, "quantity": "0.00200"}, OFF_STEP) + b"{oops\n"
    r = run("--format", "quantities-test", "--jobs", jobs, data=data)
    assert r.status == 2
    assert r.lines == [
        "begin -",
        "1 0.00100 ok",
        "2 0.00200 ok",  # not the first pass's rendering again: this format wants the params
        "3 0.001005 -1013",
        "4 unusable",
        "end -: 4",
        "finish: 3 checked, 2 passed, 1 rejected, 1 unusable",
    ]


def test_register_refuses_a_name_taken_by_another_format() -> None:
    class Text(OutputFormat):
        name = "text"

    with pytest.raises(ValueError, match="a name of its own"):
        cli_outputs.register(Text)
    assert cli_outputs.register(cli_outputs.FORMATS["text"]) is cli_outputs.FORMATS["text"]
