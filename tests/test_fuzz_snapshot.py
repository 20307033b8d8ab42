"""Fuzz the snapshot loader: only SnapshotError, in bounded time and memory, lazy or eager.

Inputs are arbitrary bytes and JSON, and real snapshot entries with hostile values put in:
huge and tiny exponents ("1E+999999", "1E-999999"), NaN, Infinity, negative zero, negative
tick sizes, empty filters, duplicate symbols, deep nesting, non-UTF-8 bytes, very long strings.
Whatever loads must also survive ``validate()``, :func:`filterlib.validate.validate_snapshot`
and ``check`` on every endpoint.
"""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st
from test_fuzz_guard import FUZZ, bounded

import filterlib
from filterlib.endpoints import ENDPOINTS
from filterlib.validate import validate_snapshot

ROOT = Path(__file__).resolve().parent.parent
SEED = json.loads((ROOT / "fixtures/snapshots/synthetic_symbols.json").read_text())
SEED_SYMBOLS: list[dict[str, Any]] = SEED["symbols"]

#: Values Binance never sends but a broken or hostile snapshot might.
HOSTILE: list[object] = [
    "1E+999999",
    "1E-999999",
    "1e5",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "-0",
    "-0.00000000",
    "0E-10",
    "-0.01000000",
    "0.00000000",
    " 1",
    "1 ",
    "١٢",  # Arabic-Indic digits: not ASCII
    "0x10",
    "",
    "9" * 25,
    "0." + "0" * 25 + "1",
    float("nan"),
    float("inf"),
    -0.0,
    -1,
    2**70,
    1e300,
    True,
    None,
    [],
    {},
    [[[[[[[[[[[]]]]]]]]]]],
]
LONG = "1" * 100_000  # a very long string


def _hostile(index: int) -> object:
    return HOSTILE[index] if index < len(HOSTILE) else LONG


# Drawn by index, so hypothesis never prints the 100 000-character value in its statistics.
hostile = st.integers(0, len(HOSTILE)).map(_hostile)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | hostile
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


class Deep:
    """Nesting ``depth`` arrays deep, built only when loaded (so hypothesis can print it)."""

    def __init__(self, depth: int) -> None:
        self.depth = depth

    def __repr__(self) -> str:
        return f"Deep({self.depth})"

    def build(self) -> object:
        value: object = "0.01"
        for _ in range(self.depth):
            value = [value]
        return value


def _expand(doc: object) -> object:
    """``doc`` with each :class:`Deep` built (the documents are shallow enough to recurse)."""
    if isinstance(doc, Deep):
        return doc.build()
    if isinstance(doc, dict):
        return {k: _expand(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_expand(v) for v in doc]
    return doc


@st.composite
def mutated_snapshots(draw: st.DrawFn) -> dict[str, Any]:
    """A real snapshot with a few of its values, filters, symbols or keys broken."""
    doc: dict[str, Any] = copy.deepcopy(SEED)
    symbols = doc["symbols"] = draw(
        st.lists(st.sampled_from(SEED_SYMBOLS), min_size=0, max_size=4).map(copy.deepcopy)
    )
    for _ in range(draw(st.integers(0, 6))):
        action = draw(
            st.sampled_from(
                ["field", "filter_field", "empty_filters", "duplicate", "drop", "deep", "junk"]
            )
        )
        target = draw(st.sampled_from(symbols)) if symbols else doc
        if action == "field":
            key = draw(st.sampled_from(sorted(target) or ["symbol"]))
            target[key] = draw(hostile | json_values)
        elif action == "filter_field" and isinstance(target.get("filters"), list):
            filters = [f for f in target["filters"] if isinstance(f, dict)]
            if filters:
                f = draw(st.sampled_from(filters))
                key = draw(st.sampled_from([*sorted(f), "tickSize", "stepSize", "minNotional"]))
                f[key] = draw(hostile)
        elif action == "empty_filters":
            target["filters"] = []
        elif action == "duplicate" and symbols:
            symbols.append(dict(draw(st.sampled_from(symbols))))
        elif action == "drop" and target:
            target.pop(draw(st.sampled_from(sorted(target))))
        elif action == "deep":
            target[draw(st.sampled_from(["filters", "symbols", "tickSize", "rateLimits"]))] = Deep(
                draw(st.integers(10, 5000))
            )
        else:
            target[draw(st.text(max_size=8))] = draw(json_values)
    return doc


ORDER = {
    "symbol": "TSTUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "1",
    "price": "1",
}


def _use(info: filterlib.ExchangeInfo) -> None:
    """Everything a caller does with a loaded snapshot; only SnapshotError may come out."""
    try:
        info.validate()
        validate_snapshot(info)
    except filterlib.SnapshotError:
        return
    for name in list(info.symbols)[:3]:
        for endpoint in ENDPOINTS:
            params = {**ORDER, "symbol": name}
            verdict = filterlib.check(info, params, endpoint=endpoint, as_of="latest")
            verdict.to_dict()


def _load_all_ways(doc: object) -> None:
    """The same document as a dict, bytes (plain and gzip), text, lazily and eagerly."""
    doc = _expand(doc)
    forms: list[Any] = []
    if isinstance(doc, dict):
        forms.append(doc)
    try:
        text = json.dumps(doc, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        text = None
    if text is not None:
        data = text.encode()
        forms += [data, gzip.compress(data), text]
    for form in forms:
        for lazy in (False, True):
            with bounded(f"load_exchange_info({type(form).__name__}, lazy={lazy})"):
                try:
                    info = filterlib.load_exchange_info(form, lazy=lazy)
                except filterlib.SnapshotError:
                    continue
                _use(info)


@FUZZ
@given(mutated_snapshots())
@example(dict(SEED, symbols=SEED_SYMBOLS + SEED_SYMBOLS[:1]))  # a duplicate symbol
@example(dict(SEED, symbols=[dict(SEED_SYMBOLS[0], filters=[])]))  # no filters at all
@example(dict(SEED, symbols=Deep(1987)))  # was a RecursionError from the loader, found here
@example(
    dict(
        SEED,
        symbols=[dict(SEED_SYMBOLS[0], filters=[{"filterType": "LOT_SIZE", "minQty": Deep(1987)}])],
    )
)  # was a RecursionError in SnapshotError's message
def test_mutated_snapshots_load_or_raise_snapshot_error(doc: dict[str, Any]) -> None:
    _load_all_ways(doc)


@FUZZ
@given(json_values)
def test_arbitrary_json_loads_or_raises_snapshot_error(doc: object) -> None:
    _load_all_ways(doc)
    _load_all_ways({"symbols": [doc]})


@FUZZ
@given(st.binary(max_size=2000))
@example(b"\xff\xfe{}")
@example(b"\x1f\x8b\x08\x00garbage")
@example(b'{"symbols": [{"symbol": "\xc3\x28"}]}')  # invalid UTF-8 inside a string
@example(b"[" * 100_000)
def test_arbitrary_bytes_load_or_raise_snapshot_error(data: bytes) -> None:
    for lazy in (False, True):
        with bounded("load_exchange_info(bytes)"):
            try:
                info = filterlib.load_exchange_info(data, lazy=lazy)
            except filterlib.SnapshotError:
                continue
            _use(info)


@FUZZ
@given(hostile, st.sampled_from(["tickSize", "minPrice", "maxPrice", "stepSize"]))
def test_each_hostile_value_in_each_grid_field(value: object, key: str) -> None:
    doc = copy.deepcopy(SEED)
    for symbol in doc["symbols"]:
        for f in symbol.get("filters", []):
            if key in f:
                f[key] = value
    # As a dict the value is read as given; as JSON text orjson refuses NaN and Infinity.
    _load_all_ways(doc)
