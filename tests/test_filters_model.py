"""The filter classes and their parser: field types, wire rules, unknown types."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest

from filterlib.exceptions import SnapshotError, SnapshotProblem
from filterlib.filters import (
    FILTER_TYPES,
    ExchangeMaxNumAlgoOrders,
    ExchangeMaxNumIcebergOrders,
    ExchangeMaxNumOrderLists,
    ExchangeMaxNumOrders,
    Filter,
    IcebergParts,
    LotSize,
    MarketLotSize,
    MaxAsset,
    MaxNumAlgoOrders,
    MaxNumIcebergOrders,
    MaxNumOrderAmends,
    MaxNumOrderLists,
    MaxNumOrders,
    MaxPosition,
    MinNotional,
    Notional,
    PercentPrice,
    PercentPriceBySide,
    PriceFilter,
    TrailingDelta,
    UnknownFilter,
    parse_filter,
)

# One spec-format example per known type (from the spec's "Filters" section), and the object
# each one must become.
EXAMPLES: list[tuple[dict[str, Any], Filter]] = [
    (
        {
            "filterType": "PRICE_FILTER",
            "minPrice": "0.00000100",
            "maxPrice": "100000.00000000",
            "tickSize": "0.00000100",
        },
        PriceFilter(Decimal("0.000001"), Decimal("100000"), Decimal("0.000001")),
    ),
    (
        {
            "filterType": "PERCENT_PRICE",
            "multiplierUp": "1.3000",
            "multiplierDown": "0.7000",
            "avgPriceMins": 5,
        },
        PercentPrice(Decimal("1.3"), Decimal("0.7"), 5),
    ),
    (
        {
            "filterType": "PERCENT_PRICE_BY_SIDE",
            "bidMultiplierUp": "1.2",
            "bidMultiplierDown": "0.2",
            "askMultiplierUp": "5",
            "askMultiplierDown": "0.8",
            "avgPriceMins": 1,
        },
        PercentPriceBySide(Decimal("1.2"), Decimal("0.2"), Decimal(5), Decimal("0.8"), 1),
    ),
    (
        {
            "filterType": "LOT_SIZE",
            "minQty": "0.00100000",
            "maxQty": "100000.00000000",
            "stepSize": "0.00100000",
        },
        LotSize(Decimal("0.001"), Decimal(100000), Decimal("0.001")),
    ),
    (
        {
            "filterType": "MARKET_LOT_SIZE",
            "minQty": "0.00000000",
            "maxQty": "169.00949758",
            "stepSize": "0.00000000",
        },
        MarketLotSize(Decimal(0), Decimal("169.00949758"), Decimal(0)),
    ),
    (
        {
            "filterType": "MIN_NOTIONAL",
            "minNotional": "0.00100000",
            "applyToMarket": True,
            "avgPriceMins": 5,
        },
        MinNotional(Decimal("0.001"), True, 5),
    ),
    (
        {
            "filterType": "NOTIONAL",
            "minNotional": "10.00000000",
            "applyMinToMarket": False,
            "maxNotional": "10000.00000000",
            "applyMaxToMarket": False,
            "avgPriceMins": 5,
        },
        Notional(Decimal(10), False, Decimal(10000), False, 5),
    ),
    ({"filterType": "ICEBERG_PARTS", "limit": 10}, IcebergParts(10)),
    ({"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 25}, MaxNumOrders(25)),
    ({"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5}, MaxNumAlgoOrders(5)),
    (
        {"filterType": "MAX_NUM_ICEBERG_ORDERS", "maxNumIcebergOrders": 5},
        MaxNumIcebergOrders(5),
    ),
    ({"filterType": "MAX_POSITION", "maxPosition": "10.00000000"}, MaxPosition(Decimal(10))),
    (
        {
            "filterType": "TRAILING_DELTA",
            "minTrailingAboveDelta": 10,
            "maxTrailingAboveDelta": 2000,
            "minTrailingBelowDelta": 10,
            "maxTrailingBelowDelta": 2000,
        },
        TrailingDelta(10, 2000, 10, 2000),
    ),
    (
        {"filterType": "EXCHANGE_MAX_NUM_ORDERS", "maxNumOrders": 1000},
        ExchangeMaxNumOrders(1000),
    ),
    (
        {"filterType": "EXCHANGE_MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 200},
        ExchangeMaxNumAlgoOrders(200),
    ),
    (
        {"filterType": "EXCHANGE_MAX_NUM_ICEBERG_ORDERS", "maxNumIcebergOrders": 10000},
        ExchangeMaxNumIcebergOrders(10000),
    ),
    # The 2025 filters, as docs 2026-07 section 4 writes them.
    ({"filterType": "MAX_NUM_ORDER_LISTS", "maxNumOrderLists": 20}, MaxNumOrderLists(20)),
    ({"filterType": "MAX_NUM_ORDER_AMENDS", "maxNumOrderAmends": 10}, MaxNumOrderAmends(10)),
    (
        {"filterType": "MAX_ASSET", "asset": "USDC", "limit": "42.00000000"},
        MaxAsset("USDC", Decimal("42.00000000")),
    ),
    (
        {"filterType": "EXCHANGE_MAX_NUM_ORDER_LISTS", "maxNumOrderLists": 20},
        ExchangeMaxNumOrderLists(20),
    ),
]


def parse(raw: object) -> tuple[Filter | None, list[SnapshotProblem]]:
    problems: list[SnapshotProblem] = []
    result = parse_filter(raw, "symbols[0].filters[0]", "BTCUSDT", problems)
    return result, problems


@pytest.mark.parametrize(("raw", "expected"), EXAMPLES, ids=[r["filterType"] for r, _ in EXAMPLES])
def test_spec_examples_parse(raw: dict[str, Any], expected: Filter) -> None:
    result, problems = parse(raw)
    assert problems == []
    assert result == expected
    assert type(result) is type(expected)


def test_registry_covers_every_known_class_under_its_wire_name() -> None:
    assert {raw["filterType"] for raw, _ in EXAMPLES} == set(FILTER_TYPES)
    for name, cls in FILTER_TYPES.items():
        assert cls.filter_type == name
        # the wire table lists one entry per attribute, in attribute order
        assert len(cls.wire_fields) == len(attrs.fields(cls))


def test_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        FILTER_TYPES["X"] = PriceFilter  # type: ignore[index]


def test_decimal_values_keep_their_written_exponent_and_are_decimal() -> None:
    result, _ = parse(EXAMPLES[0][0])
    assert isinstance(result, PriceFilter)
    assert isinstance(result.tick_size, Decimal)
    assert str(result.tick_size) == "0.00000100"


def test_zero_step_market_lot_size_is_decimal_zero() -> None:
    result, _ = parse(EXAMPLES[4][0])
    assert isinstance(result, MarketLotSize)
    assert result.step_size == 0
    assert isinstance(result.step_size, Decimal)


def test_filters_are_frozen_and_hashable() -> None:
    result, _ = parse(EXAMPLES[0][0])
    assert isinstance(result, PriceFilter)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.tick_size = Decimal(1)  # type: ignore[misc]
    assert hash(result) == hash(PriceFilter(result.min_price, result.max_price, result.tick_size))


def test_ints_accepted_for_decimal_and_digit_strings_for_int_fields() -> None:
    result, problems = parse(
        {
            "filterType": "PERCENT_PRICE",
            "multiplierUp": 5,
            "multiplierDown": "0.2",
            "avgPriceMins": "5",
        }
    )
    assert problems == []
    assert result == PercentPrice(Decimal(5), Decimal("0.2"), 5)


def test_plain_floats_are_accepted_through_their_str_form() -> None:
    result, problems = parse({"filterType": "MAX_POSITION", "maxPosition": 0.25})
    assert problems == []
    assert result == MaxPosition(Decimal("0.25"))
    # str(1e-05) is '1e-05': exponent form, refused like the string would be
    result, problems = parse({"filterType": "MAX_POSITION", "maxPosition": 1e-05})
    assert result is None
    assert [p.value for p in problems] == [1e-05]


@pytest.mark.parametrize(
    "bad",
    [
        "1E+999999",
        "1e-8",
        "NaN",
        "nan",
        "Infinity",
        "-0.01",
        "+1",
        " 1",
        "1.",
        ".5",
        "",
        "1,5",
        "٣",  # an Arabic-Indic digit: Decimal() would accept it, Binance would not
        "1" * 21,
        True,
        None,
        [],
        -1,
        float("nan"),
        Decimal("1E+3"),
    ],
)
def test_bad_decimal_is_a_located_problem(bad: object) -> None:
    raw = {"filterType": "PRICE_FILTER", "minPrice": "0", "maxPrice": "0", "tickSize": bad}
    result, problems = parse(raw)
    assert result is None
    assert len(problems) == 1
    problem = problems[0]
    assert problem.path == "symbols[0].filters[0].tickSize"
    assert (problem.symbol, problem.filter_type, problem.field) == (
        "BTCUSDT",
        "PRICE_FILTER",
        "tickSize",
    )
    assert problem.value is bad
    text = str(problem)
    assert "BTCUSDT" in text
    assert "PRICE_FILTER" in text
    assert "tickSize" in text
    assert ("got null" if bad is None else repr(bad)) in text


@pytest.mark.parametrize("bad", [True, False, 1.0, 5.5, -1, "-1", "1.5", "", None, "5 "])
def test_bad_int_is_a_problem(bad: object) -> None:
    result, problems = parse({"filterType": "ICEBERG_PARTS", "limit": bad})
    assert result is None
    assert [(p.field, p.filter_type) for p in problems] == [("limit", "ICEBERG_PARTS")]
    assert problems[0].value == bad


@pytest.mark.parametrize("bad", [1, 0, "true", "false", None, "True"])
def test_bad_bool_is_a_problem(bad: object) -> None:
    raw = {
        "filterType": "MIN_NOTIONAL",
        "minNotional": "10",
        "applyToMarket": bad,
        "avgPriceMins": 5,
    }
    result, problems = parse(raw)
    assert result is None
    assert [(p.field, p.value) for p in problems] == [("applyToMarket", bad)]


def test_missing_fields_are_each_reported() -> None:
    result, problems = parse({"filterType": "NOTIONAL", "minNotional": "10", "avgPriceMins": 5})
    assert result is None
    assert [p.field for p in problems] == ["applyMinToMarket", "maxNotional", "applyMaxToMarket"]
    assert all(p.message.startswith("missing field") for p in problems)
    assert problems[1].path == "symbols[0].filters[0].maxNotional"


def test_several_bad_fields_of_one_filter_are_all_reported() -> None:
    raw = {"filterType": "LOT_SIZE", "minQty": "-1", "maxQty": "NaN", "stepSize": 0.1}
    result, problems = parse(raw)
    assert result is None
    assert [(p.field, p.value) for p in problems] == [("minQty", "-1"), ("maxQty", "NaN")]


def test_extra_keys_on_a_known_filter_are_ignored() -> None:
    raw = {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200, "futureField": "x"}
    assert parse(raw) == (MaxNumOrders(200), [])


@pytest.mark.parametrize("raw", [[], "PRICE_FILTER", None, 3])
def test_a_filter_that_is_not_an_object_is_a_problem(raw: object) -> None:
    result, problems = parse(raw)
    assert result is None
    assert [(p.path, p.symbol, p.value) for p in problems] == [
        ("symbols[0].filters[0]", "BTCUSDT", raw)
    ]


@pytest.mark.parametrize(("filter_type", "expected_value"), [(None, None), (7, 7), (["X"], ["X"])])
def test_missing_or_bad_filter_type_is_a_problem(
    filter_type: object, expected_value: object
) -> None:
    raw: dict[str, object] = {"limit": 10}
    if filter_type is not None:
        raw["filterType"] = filter_type
    result, problems = parse(raw)
    assert result is None
    assert [(p.path, p.field, p.value) for p in problems] == [
        ("symbols[0].filters[0].filterType", "filterType", expected_value)
    ]


def test_unknown_filter_type_is_kept_with_its_fields_and_hashable() -> None:
    raw = {
        "filterType": "T_PLUS_SELL",
        "asset": "USDC",
        "limit": "42.00000000",
        "nested": {"a": [1, 2]},
    }
    result, problems = parse(raw)
    assert problems == []
    assert result == UnknownFilter(
        "T_PLUS_SELL",
        (("asset", "USDC"), ("limit", "42.00000000"), ("nested", (("a", (1, 2)),))),
    )
    hash(result)  # frozen containers only, so this must not raise
    assert "T_PLUS_SELL" in repr(result)


@pytest.mark.parametrize(
    "raw",
    [
        {"filterType": "T_PLUS_SELL", "endTime": 1759881600000},
        {"filterType": "SOME_FILTER_OF_2027", "maxSomething": 20},
    ],
)
def test_newer_filter_types_are_unknown_not_errors(raw: dict[str, Any]) -> None:
    result, problems = parse(raw)
    assert problems == []
    assert isinstance(result, UnknownFilter)
    assert result.filter_type == raw["filterType"]
    assert dict(result.fields) == {k: v for k, v in raw.items() if k != "filterType"}


def test_from_dict_builds_or_raises_with_every_problem() -> None:
    assert LotSize.from_dict({"minQty": "1", "maxQty": "2", "stepSize": "1"}) == LotSize(
        Decimal(1), Decimal(2), Decimal(1)
    )
    with pytest.raises(SnapshotError) as info:
        LotSize.from_dict({"minQty": "1E+999999", "stepSize": "-1"})
    assert [(p.field, p.filter_type) for p in info.value.problems] == [
        ("minQty", "LOT_SIZE"),
        ("maxQty", "LOT_SIZE"),
        ("stepSize", "LOT_SIZE"),
    ]
    assert "'1E+999999'" in str(info.value)


def test_decimal_cache_shares_equal_wire_strings() -> None:
    cache: dict[str, Decimal] = {}
    problems: list[SnapshotProblem] = []
    first = parse_filter(EXAMPLES[0][0], "f", None, problems, cache)
    second = parse_filter(dict(EXAMPLES[0][0]), "f", None, problems, cache)
    assert isinstance(first, PriceFilter)
    assert isinstance(second, PriceFilter)
    assert first.tick_size is second.tick_size
    assert cache["0.00000100"] == Decimal("0.000001")


def test_index_builds_the_path() -> None:
    problems: list[SnapshotProblem] = []
    parse_filter({"filterType": "ICEBERG_PARTS"}, "symbols[4].filters", "X", problems, index=2)
    assert [p.path for p in problems] == ["symbols[4].filters[2].limit"]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"filterType": "MAX_ASSET", "asset": "", "limit": "1"}, "asset"),
        ({"filterType": "MAX_ASSET", "asset": 5, "limit": "1"}, "asset"),
        ({"filterType": "MAX_ASSET", "limit": "1"}, "asset"),
        ({"filterType": "MAX_ASSET", "asset": "USDC", "limit": "-1"}, "limit"),
        ({"filterType": "MAX_NUM_ORDER_LISTS", "maxNumOrderLists": -1}, "maxNumOrderLists"),
        ({"filterType": "MAX_NUM_ORDER_AMENDS", "maxNumOrderAmends": True}, "maxNumOrderAmends"),
        ({"filterType": "EXCHANGE_MAX_NUM_ORDER_LISTS"}, "maxNumOrderLists"),
    ],
)
def test_the_2025_filters_refuse_bad_fields(raw: dict[str, Any], field: str) -> None:
    result, problems = parse(raw)
    assert result is None
    assert [(p.field, p.filter_type) for p in problems] == [(field, raw["filterType"])]


def test_max_asset_reads_its_asset_as_written() -> None:
    result, _ = parse({"filterType": "MAX_ASSET", "asset": "USDC", "limit": "42.00000000"})
    assert isinstance(result, MaxAsset)
    assert (result.asset, str(result.limit)) == ("USDC", "42.00000000")
