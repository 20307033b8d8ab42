"""``filterlib check --format sarif``: SARIF 2.1.0 for code-scanning tools (issue 18).

The shape is checked against what the SARIF 2.1.0 standard (OASIS, 2020) requires of each
object used (sections 3.13 sarifLog, 3.14 run, 3.18 tool, 3.19 toolComponent, 3.20
invocation, 3.27 result, 3.11 message, 3.28 location, 3.29 physicalLocation, 3.4
artifactLocation, 3.30 region, 3.49 reportingDescriptor), written out here; expected rules and
messages are Binance's, written out too.
"""

from __future__ import annotations

import errno
import io
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import BTC_LIMIT

from filterlib import cli

GOOD = dict(BTC_LIMIT)
OFF_STEP = {**GOOD, "quantity": "0.001005"}  # -1013 LOT_SIZE
OFF_TICK = {**GOOD, "price": "30000.001"}  # -1013 PRICE_FILTER
LEVELS = {"none", "note", "warning", "error"}


def jsonl(*orders: object) -> bytes:
    return b"".join(orjson.dumps(o) + b"\n" for o in orders)


def sarif(*args: str, data: bytes = b"") -> tuple[int, dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(
        ["check", "--format", "sarif", *args], stdin=io.BytesIO(data), stdout=out, stderr=err
    )
    doc = orjson.loads(out.getvalue())
    assert isinstance(doc, dict)
    return status, doc, err.getvalue()


def _message(obj: dict[str, Any]) -> None:
    assert isinstance(obj["text"], str)
    assert obj["text"]


def check_shape(doc: dict[str, Any]) -> None:
    """What SARIF 2.1.0 requires of a log with one run, for the objects filterlib writes."""
    assert doc["version"] == "2.1.0"
    assert doc["$schema"].startswith("https://")
    assert doc["$schema"].endswith("sarif-2.1.0.json")
    [run] = doc["runs"]
    driver = run["tool"]["driver"]
    assert isinstance(driver["name"], str)
    assert isinstance(driver["version"], str)
    ids = []
    for rule in driver["rules"]:
        assert isinstance(rule["id"], str)
        ids.append(rule["id"])
        _message(rule["shortDescription"])
        if "defaultConfiguration" in rule:
            assert rule["defaultConfiguration"]["level"] in LEVELS
    assert len(ids) == len(set(ids))  # each rule once
    for invocation in run["invocations"]:
        assert isinstance(invocation["executionSuccessful"], bool)
    for result in run["results"]:
        assert isinstance(result["ruleId"], str)
        assert result["ruleId"] in ids  # every rule a result names is described
        assert result["level"] in LEVELS
        _message(result["message"])
        for location in result["locations"]:
            physical = location["physicalLocation"]
            assert isinstance(physical["artifactLocation"]["uri"], str)
            if "region" in physical:
                line = physical["region"]["startLine"]
                assert isinstance(line, int)
                assert line >= 1


def test_a_log_with_the_failures_and_the_rules_that_occur(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "orders.jsonl").write_bytes(jsonl(GOOD, OFF_STEP, GOOD, OFF_TICK, OFF_STEP))
    monkeypatch.chdir(tmp_path)  # a relative path, as in a repository
    status, doc, _ = sarif("orders.jsonl")
    assert status == 1
    check_shape(doc)
    [run] = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "filterlib"
    assert driver["version"] == metadata.version("filterlib")
    assert [r["id"] for r in driver["rules"]] == ["PRICE_FILTER", "LOT_SIZE"]  # rule order
    lot = driver["rules"][1]
    assert lot["shortDescription"]["text"] == "-1013 Filter failure: LOT_SIZE"
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["LOT_SIZE", "PRICE_FILTER", "LOT_SIZE"]
    assert {r["level"] for r in results} == {"error"}
    where = [r["locations"][0]["physicalLocation"] for r in results]
    assert [w["artifactLocation"]["uri"] for w in where] == ["orders.jsonl"] * 3
    assert [w["region"]["startLine"] for w in where] == [2, 4, 5]
    assert results[0]["message"]["text"] == (
        "BTCUSDT: -1013 Filter failure: LOT_SIZE \u2014 quantity 0.001005 is not a multiple of "
        "0.00001000; nearest valid quantity: 0.00100000, 0.00101000"
    )
    assert results[0]["properties"] == {
        "symbol": "BTCUSDT",
        "code": -1013,
        "msg": "Filter failure: LOT_SIZE",
    }
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_it_grows_with_failures_not_with_passes() -> None:
    _, few, _ = sarif(data=jsonl(GOOD, OFF_STEP))
    _, many, _ = sarif(data=jsonl(*[GOOD] * 3000, OFF_STEP))
    assert len(few["runs"][0]["results"]) == len(many["runs"][0]["results"]) == 1
    assert few["runs"][0]["results"][0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "stdin"},
        "region": {"startLine": 2},
    }
    many_line = many["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert many_line == {"startLine": 3001}


def test_every_failure_is_a_result_none_is_capped() -> None:
    status, doc, _ = sarif(data=jsonl(*[OFF_STEP] * 40))
    assert status == 1
    assert len(doc["runs"][0]["results"]) == 40


def test_unusable_lines_unchecked_rules_and_warnings() -> None:
    at_min = {**GOOD, "quantity": "0.00001000", "price": "1000000.00"}  # on three bounds
    data = jsonl(GOOD, at_min) + b"{oops\n"
    status, doc, _ = sarif("--fail-on", "unchecked", "--warnings", data=data)
    assert status == 2
    check_shape(doc)
    results = doc["runs"][0]["results"]
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results]
    assert [(r["ruleId"], r["level"], n) for r, n in zip(results, lines, strict=True)] == [
        ("rules-not-checked", "error", 1),
        ("rules-not-checked", "error", 2),
        ("on-a-bound", "warning", 2),
        ("unusable-line", "error", 3),
    ]
    assert "PERCENT_PRICE_BY_SIDE needs avgPrice" in results[0]["message"]["text"]
    assert results[3]["message"]["text"].startswith("line 3: not valid JSON")


def test_passes_alone_are_an_empty_log() -> None:
    status, doc, err = sarif(data=jsonl(GOOD, GOOD))
    assert status == 0
    check_shape(doc)
    assert doc["runs"][0]["results"] == []
    assert doc["runs"][0]["tool"]["driver"]["rules"] == []
    assert "checked against the shipped snapshot of 2023-08-13" in err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jobs_2_writes_the_same_log(jobs: str, tmp_path: Path) -> None:
    path = tmp_path / "o.jsonl"
    path.write_bytes(jsonl(*[GOOD, OFF_STEP, OFF_TICK] * 700) + b"{oops\n")
    one = io.StringIO()
    two = io.StringIO()
    a = cli.main(["check", str(path), "--format", "sarif"], stdout=one, stderr=io.StringIO())
    b = cli.main(
        ["check", str(path), "--format", "sarif", "--jobs", jobs],
        stdout=two,
        stderr=io.StringIO(),
    )
    assert a == b == 2
    assert one.getvalue() == two.getvalue()
    assert len(orjson.loads(one.getvalue())["runs"][0]["results"]) == 1401


def test_an_absolute_path_is_a_file_uri(tmp_path: Path) -> None:
    path = tmp_path / "my orders.jsonl"
    path.write_bytes(jsonl(OFF_STEP))
    _, doc, _ = sarif(str(path))
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "file://" + str(path).replace(" ", "%20")


@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_no_room_for_the_spool_is_an_output_error(
    monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(
        ["check", "--format", fmt], stdin=io.BytesIO(jsonl(GOOD)), stdout=out, stderr=err
    )
    assert status == 2
    assert err.getvalue() == (
        "filterlib: cannot write the output: No space left on device; the output is "
        "incomplete. Make room, or write it elsewhere\n"
    )
