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
from filterlib._endpoints import ENDPOINTS
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
    """A value nested ``depth`` arrays (or objects, or tuples) deep, built only when used, so
    hypothesis can print it (``repr`` of the built value would recurse too deep)."""

    def __init__(self, depth: int, kind: str = "list") -> None:
        self.depth = depth
        self.kind = kind

    def __repr__(self) -> str:
        return f"Deep({self.depth}, {self.kind!r})"

    def __eq__(self, other: object) -> bool:
        # Equal when they build equal values, so a strategy of dict keys draws each once:
        # two equal deep tuples as keys would recurse when the dict compares them.
        return isinstance(other, Deep) and (self.depth, self.kind) == (other.depth, other.kind)

    def __hash__(self) -> int:
        return hash((self.depth, self.kind))

    def build(self) -> object:
        value: object = "0.01"
        for _ in range(self.depth):
            if self.kind == "dict":
                value = {"price": value}
            else:
                value = (value,) if self.kind == "tuple" else [value]
        return value


class Huge:
    """An integer of ``digits`` digits (alone or in a list), built only when used: ``str`` and
    ``repr`` refuse one of more than 4,300 digits."""

    def __init__(self, digits: int, in_list: bool) -> None:
        self.digits = digits
        self.in_list = in_list

    def __repr__(self) -> str:
        return f"Huge({self.digits}, {self.in_list})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Huge) and (self.digits, self.in_list) == (
            other.digits,
            other.in_list,
        )

    def __hash__(self) -> int:
        return hash((self.digits, self.in_list))

    def build(self) -> object:
        value = 10 ** (self.digits - 1)
        return [value] if self.in_list else value


#: Values nested far deeper than JSON parsers allow, and integers too long to print.
deep_or_huge = st.builds(
    Deep, st.integers(1, 3000), st.sampled_from(["list", "dict", "tuple"])
) | st.builds(Huge, st.integers(4000, 6000), st.booleans())


def _expand(doc: object) -> object:
    """``doc`` with each :class:`Deep` and :class:`Huge` built, in keys too (the documents
    around them are shallow enough to recurse)."""
    if isinstance(doc, Deep | Huge):
        return doc.build()
    if isinstance(doc, dict):
        return {_expand(k): _expand(v) for k, v in doc.items()}
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
                [
                    "field",
                    "filter_field",
                    "empty_filters",
                    "duplicate",
                    "drop",
                    "deep",
                    "deep_unknown",
                    "junk",
                ]
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
                draw(st.integers(10, 5000)), draw(st.sampled_from(["list", "dict"]))
            )
        elif action == "deep_unknown":
            # A filter filterlib does not model keeps its fields: nested, they must not recurse.
            holder = target if "filters" in target else doc
            key = "filters" if holder is target else "exchangeFilters"
            if isinstance(holder.get(key), list):
                value = draw(deep_or_huge)
                holder[key].append({"filterType": draw(st.text(max_size=8)), "value": value})
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
@example(
    dict(
        SEED,
        symbols=[
            dict(
                SEED_SYMBOLS[0],
                filters=[*SEED_SYMBOLS[0]["filters"], {"filterType": "NEW", "v": Deep(1987)}],
            )
        ],
    )
)  # was a RecursionError out of load, check, diff and snapshot validate (issue 17)
@example(dict(SEED, exchangeFilters=[{"filterType": "NEW", "v": Deep(1987, "dict")}]))
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


#: A gzip member of 64 KiB of JSON whitespace; members concatenate into one gzip stream.
_BLANK_MEMBER = gzip.compress(b" " * (64 << 10))


@FUZZ
@given(st.integers(0, 200), st.integers(1, 4 << 20), st.booleans())
@example(64, 1 << 20, False)  # 4 MiB of blanks against a 1 MiB cap
def test_gzip_bombs_are_refused_before_they_are_expanded(
    members: int, cap: int, lazy: bool
) -> None:
    # Blanks, then a snapshot: it loads when the whole fits under the cap, and is a
    # SnapshotError naming the cap otherwise; memory stays near the cap either way.
    tail = json.dumps({"symbols": SEED_SYMBOLS[:1]}).encode()
    data = _BLANK_MEMBER * members + gzip.compress(tail)
    size = members * (64 << 10) + len(tail)
    with bounded("load_exchange_info(gzip bomb)", peak=3 * cap + (4 << 20)):
        try:
            info = filterlib.load_exchange_info(data, lazy=lazy, max_bytes=cap)
        except filterlib.SnapshotError as exc:
            message = str(exc)
        else:
            message = ""
    if message:
        assert size > cap, message
        assert "more than" in message
        return
    assert size <= cap
    assert list(info.symbols) == [SEED_SYMBOLS[0]["symbol"]]
