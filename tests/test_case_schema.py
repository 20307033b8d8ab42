"""The conformance cases' JSON Schema (fixtures/cases/schema.json): every case file meets it,
and it refuses what the format rules out (fixtures/cases/README.md, "Format")."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from test_conformance import CASES_DIR, ENDPOINTS, SCHEMA, case_files

from filterlib._endpoints import ENDPOINTS as FILTERLIB_ENDPOINTS

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)  # the schema is itself valid 2020-12
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return Draft202012Validator(schema)


def errors(validator: Draft202012Validator, doc: Doc) -> list[tuple[tuple[Any, ...], str]]:
    """Every error as (where in the document, which keyword refused it)."""
    return sorted(
        ((tuple(e.absolute_path), str(e.validator)) for e in validator.iter_errors(doc)),
        key=repr,
    )


def test_the_schema_is_not_taken_for_a_case_file() -> None:
    assert SCHEMA not in case_files()
    assert len(case_files()) == len(list(CASES_DIR.glob("*.json"))) - 1


def test_the_schema_names_every_endpoint_filterlib_judges() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    named = set(schema["$defs"]["case"]["properties"]["endpoint"]["enum"])
    assert named == ENDPOINTS == set(FILTERLIB_ENDPOINTS)


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.name)
def test_every_case_file_meets_the_schema(validator: Draft202012Validator, path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert errors(validator, doc) == []


def test_the_readme_example_meets_the_schema(validator: Draft202012Validator) -> None:
    readme = (CASES_DIR / "README.md").read_text(encoding="utf-8")
    found = re.search(r"## Format\n\n```json\n(.*?)\n```", readme, re.S)
    assert found is not None
    assert errors(validator, json.loads(found.group(1))) == []


def valid() -> Doc:
    """A one-case file in the format, both answers' shapes used in the suite."""
    return {
        "description": "a LIMIT order on BTCUSDT",
        "cases": [
            {
                "id": "limit-on-the-grids",
                "description": "price on the tick, quantity on the step: accepted",
                "snapshot": "spot_full_2023-08-13_swapland",
                "endpoint": "/api/v3/order/test",
                "as_of": "2023-08-13",
                "context": {
                    "avgPrice": {"mins": 5, "price": "30000.00000000"},
                    "openOrders": [
                        {
                            "symbol": "BTCUSDT",
                            "orderId": 7,
                            "orderListId": -1,
                            "side": "SELL",
                            "type": "LIMIT",
                            "price": "40000.00",
                            "origQty": "0.00100",
                            "executedQty": "0",
                            "icebergQty": "0",
                            "status": "NEW",
                        }
                    ],
                },
                "params": {
                    "symbol": "BTCUSDT",
                    "side": "BUY",
                    "type": "LIMIT",
                    "timeInForce": "GTC",
                    "quantity": "0.001",
                    "price": "30000.00",
                },
                "expected": {"ok": True, "unchecked": []},
                "source": "spec: Filters > PRICE_FILTER",
            },
            {
                "id": "quantity-off-the-step",
                "description": "a quantity between two steps",
                "snapshot": "spot_full_2023-08-13_swapland",
                "endpoint": "/api/v3/order",
                "params": {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "1.5"},
                "expected": {
                    "code": -1013,
                    "msg": "Filter failure: LOT_SIZE",
                    "violations": ["LOT_SIZE"],
                    "leg": None,
                },
                "source": "spec: Filters > LOT_SIZE",
            },
        ],
    }


def test_the_examples_below_start_from_a_valid_file(validator: Draft202012Validator) -> None:
    assert errors(validator, valid()) == []


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _drop(path: tuple[Any, ...]) -> Callable[[Doc], None]:
    def change(doc: Doc) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


FIRST = ("cases", 0)
SECOND = ("cases", 1)

#: (what, the change to a valid file, where the schema must refuse it, with which keyword)
REFUSED: list[tuple[str, Callable[[Doc], None], tuple[Any, ...], str]] = [
    ("a case without expected", _drop((*FIRST, "expected")), FIRST, "required"),
    ("a case without a snapshot", _drop((*FIRST, "snapshot")), FIRST, "required"),
    (
        "a numeric quantity",
        _set((*FIRST, "params", "quantity"), 0.001),
        (*FIRST, "params", "quantity"),
        "type",
    ),
    (
        "an integer price",
        _set((*FIRST, "params", "price"), 30000),
        (*FIRST, "params", "price"),
        "type",
    ),
    (
        "a numeric price in the context",
        _set((*FIRST, "context", "avgPrice", "price"), 30000.0),
        (*FIRST, "context", "avgPrice", "price"),
        "type",
    ),
    (
        "an open order's quantity as a number",
        _set((*FIRST, "context", "openOrders", 0, "origQty"), 0.001),
        (*FIRST, "context", "openOrders", 0, "origQty"),
        "type",
    ),
    (
        "a number with a fraction in a field the schema does not list",
        _set((*FIRST, "context", "openOrders", 0, "newField"), 1.5),
        (*FIRST, "context", "openOrders", 0, "newField"),
        "anyOf",
    ),
    (
        "avgPrice's mins as a string",
        _set((*FIRST, "context", "avgPrice", "mins"), "5"),
        (*FIRST, "context", "avgPrice", "mins"),
        "type",
    ),
    (
        "an error code as a string",
        _set((*SECOND, "expected", "code"), "-1013"),
        (*SECOND, "expected"),
        "oneOf",
    ),
    (
        "an unknown key in a case",
        _set((*FIRST, "expect"), {"ok": True}),
        FIRST,
        "additionalProperties",
    ),
    ("an unknown key in the file", _set(("version",), 1), (), "additionalProperties"),
    (
        "an unknown context key",
        _set((*FIRST, "context", "ticker"), {"price": "1"}),
        (*FIRST, "context"),
        "additionalProperties",
    ),
    (
        "ok true beside an error code",
        _set((*FIRST, "expected", "code"), -1013),
        (*FIRST, "expected"),
        "oneOf",
    ),
    (
        "an endpoint Binance does not have",
        _set((*FIRST, "endpoint"), "/api/v3/orders"),
        (*FIRST, "endpoint"),
        "enum",
    ),
    (
        "an as_of that is not a day",
        _set((*FIRST, "as_of"), "2023-8-13"),
        (*FIRST, "as_of"),
        "anyOf",
    ),
    ("an upper-case id", _set((*FIRST, "id"), "Limit"), (*FIRST, "id"), "pattern"),
    (
        "unchecked named twice",
        _set((*FIRST, "expected", "unchecked"), ["NOTIONAL", "NOTIONAL"]),
        (*FIRST, "expected"),
        "oneOf",
    ),
]


@pytest.mark.parametrize(
    ("change", "where", "keyword"),
    [pytest.param(change, where, keyword, id=what) for what, change, where, keyword in REFUSED],
)
def test_the_schema_refuses(
    validator: Draft202012Validator,
    change: Callable[[Doc], None],
    where: tuple[Any, ...],
    keyword: str,
) -> None:
    doc = copy.deepcopy(valid())
    change(doc)
    assert errors(validator, doc) == [(where, keyword)]
