"""The language-neutral conformance suite (fixtures/cases/*.json), run in-process and via the CLI.

Each case names a snapshot, an endpoint, the request parameters and optional context, and the
answer Binance gives. See fixtures/cases/README.md for the format and the runner contract.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import filterlib

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "fixtures" / "cases"
SNAPSHOTS_DIR = ROOT / "fixtures" / "snapshots"
#: The one JSON file of fixtures/cases that is not a case file: the case format's JSON Schema.
SCHEMA = CASES_DIR / "schema.json"
#: The endpoints a case may name (fixtures/cases/README.md).
ENDPOINTS = frozenset(
    {
        "/api/v3/order",
        "/api/v3/order/test",
        "/api/v3/orderList/oco",
        "/api/v3/order/oco",
        "/api/v3/orderList/oto",
        "/api/v3/orderList/otoco",
        "/api/v3/orderList/opo",
        "/api/v3/orderList/opoco",
        "/api/v3/sor/order",
        "/api/v3/sor/order/test",
        "/api/v3/order/cancelReplace",
        "/api/v3/order/amend/keepPriority",
    }
)

#: Cases where the engine is known to disagree with the expected answer: case key -> reason.
KNOWN_DISAGREEMENTS: Mapping[str, str] = {}


def case_files() -> list[Path]:
    """The case files: every JSON file of fixtures/cases but the schema."""
    return sorted(p for p in CASES_DIR.glob("*.json") if p != SCHEMA)


def _load_cases() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    for path in case_files():
        doc = json.loads(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            cases.append((f"{path.stem}/{case['id']}", case))
    return cases


CASES = _load_cases()


def snapshot_path(name: str) -> Path:
    """Where a case's snapshot name resolves (see fixtures/cases/README.md): under
    fixtures/snapshots, never in the package."""
    for suffix in (".json", ".json.gz"):
        candidate = SNAPSHOTS_DIR / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"no snapshot named {name!r} in {SNAPSHOTS_DIR}")


@functools.cache
def snapshot(name: str) -> filterlib.ExchangeInfo:
    return filterlib.load_exchange_info(snapshot_path(name))


def _marks(key: str) -> list[pytest.MarkDecorator]:
    reason = KNOWN_DISAGREEMENTS.get(key)
    return [pytest.mark.xfail(reason=reason, strict=True)] if reason else []


def as_of(case: Mapping[str, Any]) -> dt.date | str | None:
    """The day a case is judged at: its ``as_of`` ("YYYY-MM-DD" or "latest"), else the
    snapshot's own day (fixtures/cases/README.md)."""
    text = case.get("as_of")
    if text is None or text == "latest":
        return text
    return dt.date.fromisoformat(text)


def _check_answer(key: str, expected: Mapping[str, Any], answer: Mapping[str, Any]) -> None:
    """Compare one answer (the CLI's JSON contract) with a case's expectation."""
    if expected.get("ok"):
        assert answer["ok"] is True, f"{key}: expected ok, got {answer['code']} {answer['msg']!r}"
        assert answer["code"] is None
        assert answer["msg"] is None
    else:
        assert answer["ok"] is False, f"{key}: expected {expected['code']}, got ok"
        assert (answer["code"], answer["msg"]) == (expected["code"], expected["msg"]), key
        if "data" in expected:
            assert answer.get("data") == expected["data"], key
        if "leg" in expected:
            assert answer["violations"], key
            assert answer["violations"][0]["leg"] == expected["leg"], key
    if "violations" in expected:
        assert [v["rule"] for v in answer["violations"]] == expected["violations"], key
    if "unchecked" in expected:
        got = sorted({u["rule"] for u in answer["unchecked"]})
        assert got == sorted(set(expected["unchecked"])), key


@pytest.mark.parametrize(
    ("key", "case"), [pytest.param(k, c, id=k, marks=_marks(k)) for k, c in CASES]
)
def test_case(key: str, case: dict[str, Any]) -> None:
    verdict = filterlib.check(
        snapshot(case["snapshot"]),
        case["params"],
        endpoint=case["endpoint"],
        context=case.get("context"),
        as_of=as_of(case),
    )
    _check_answer(key, case["expected"], verdict.to_dict())


#: The cases whose parameters were JSON numbers before every parameter was written as its wire
#: text, and those numbers. filterlib's own API takes a number where a string is expected and
#: sends it as ``str()`` writes it, as HTTP clients do (filterlib/_request.py): it must give the
#: answer the case gives for that text.
JSON_NUMBERS: Mapping[str, Mapping[str, int | float]] = {
    "changes_2025/duplicate-cancel-replace-reuses-id": {"cancelOrderId": 7},
    "order_lists/oco-quantity-exponent": {"quantity": 1e-05},
    "order_lists/oto-pending-quantity-exponent": {"pendingQuantity": 1e-05},
    "request/wire-json-numbers-plain": {"quantity": 0.001, "price": 30000},
    "request/wire-quantity-exponent-json-number": {"quantity": 1e-05},
    "request/wire-trailingdelta-json-int": {"trailingDelta": 100},
}


@pytest.mark.parametrize("key", sorted(JSON_NUMBERS))
def test_a_number_given_for_a_parameter_is_judged_as_its_text(key: str) -> None:
    case = dict(CASES)[key]
    numbers = JSON_NUMBERS[key]
    assert {k: case["params"][k] for k in numbers} == {k: str(v) for k, v in numbers.items()}
    verdict = filterlib.check(
        snapshot(case["snapshot"]),
        {**case["params"], **numbers},
        endpoint=case["endpoint"],
        context=case.get("context"),
        as_of=as_of(case),
    )
    _check_answer(key, case["expected"], verdict.to_dict())


def test_case_ids_are_unique_and_sourced() -> None:
    keys = [k for k, _ in CASES]
    assert len(keys) == len(set(keys))
    for key, case in CASES:
        assert case["source"], key
        assert case["description"], key
        assert case["endpoint"] in ENDPOINTS, key
        snapshot_path(case["snapshot"])
        as_of(case)  # a malformed as_of fails here, not only in its own case


def _by_snapshot() -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The cases by snapshot and the day they are judged at ("name" or "name@as_of")."""
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for key, case in CASES:
        group = case["snapshot"] + (f"@{case['as_of']}" if "as_of" in case else "")
        groups.setdefault(group, []).append((key, case))
    return groups


@pytest.mark.parametrize("group", sorted(_by_snapshot()))
def test_cli(group: str) -> None:
    """All cases of one snapshot and day through ``python -m filterlib check - --format json``
    (with ``--as-of`` for the cases judged at another day than the snapshot's)."""
    cases = _by_snapshot()[group]
    name, _, day = group.partition("@")
    lines = []
    for _, case in cases:
        request: dict[str, Any] = {"endpoint": case["endpoint"], "params": case["params"]}
        if "context" in case:
            request["context"] = case["context"]
        lines.append(json.dumps(request, ensure_ascii=False))
    command = [sys.executable, "-m", "filterlib", "check", "-"]
    command += ["--exchange-info", str(snapshot_path(name)), "--format", "json"]
    if day:
        command += ["--as-of", day]
    result = subprocess.run(
        command,
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(answers) == len(cases), result.stderr
    failures = []
    for (key, case), answer in zip(cases, answers, strict=True):
        try:
            _check_answer(key, case["expected"], answer)
        except AssertionError as exc:
            if key not in KNOWN_DISAGREEMENTS:
                failures.append(f"{key}: {exc} (got {answer.get('code')} {answer.get('msg')!r})")
    assert not failures, "\n".join(failures)
