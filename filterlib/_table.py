"""``check_table``: Binance's answer for every row of a table, worked out on columns.

``pip install 'filterlib[bulk]'`` (pyarrow and numpy); the core never imports this module.

A row is an order: its non-null cells are the request's parameters (wire strings), so a null
cell is a parameter not sent. The answer for each row is :func:`filterlib.check`'s, always;
what changes is how it is found:

* **On columns**, the rows the engine's short cut would judge (plain LIMIT orders of a plain
  symbol, every parameter a legal wire string, the context prices only): their price and
  quantity columns are read once into integers of ``10**-8`` (Binance's own fixed point,
  :data:`~filterlib._wire.FIXED_POINT_DECIMALS`), and each symbol's compiled form
  (:mod:`filterlib._compiled`: the same integers the filter rules decide with) is compared
  with whole columns at once, in evaluation order. The rules a passing row leaves unchecked
  are the engine's own learned verdict for its symbol, side and context
  (:func:`filterlib._engine.remember`), learned by checking one of those rows with ``check``.
* **One by one**, every other row (another order type or endpoint, a value the columns do not
  read as Binance's text, a non-string column, account context, ``as_of`` another day than
  the snapshot's): ``check`` on the row's parameters.

The products of price and quantity are exact 128-bit integers (two 64-bit halves); nothing is
ever a float. tests/test_table.py holds both ways to ``check``'s answers: generated tables, every
conformance case, and the real snapshots.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._compiled import MAX_SCALED, CompiledSymbol
from ._context import Context, ContextError
from ._dates import resolve_as_of
from ._engine import (
    FILTER_ERRORS,
    PLAIN_REQUIRED,
    PRICE_KEYS,
    SHORT_CUT_ENDPOINTS,
    Where,
    check,
    endpoint_named,
    filter_violations,
    where,
)
from ._verdict import Verdict, rejected
from ._wire import FIXED_POINT_DECIMALS, TIME_IN_FORCE
from .exceptions import FilterlibError, SnapshotError, UsageError
from .snapshot import ExchangeInfo

__all__ = ["RESULT_COLUMNS", "check_table"]

#: The columns every result has, in order (``violations`` and ``unchecked`` are opt-in).
RESULT_COLUMNS = ("ok", "code", "msg", "rule")
#: The context keys a column of the table may give per row (GET /api/v3/avgPrice's ``price``,
#: GET /api/v3/ticker/price's ``price`` and the referencePrice), as wire strings.
CONTEXT_COLUMNS = tuple(sorted(PRICE_KEYS))

_SCALE = FIXED_POINT_DECIMALS  # every value on columns is an integer of 10**-8
_U64 = np.uint64
_TOP = (1 << 64) - 1
_LOW32 = _U64(0xFFFFFFFF)
_32 = _U64(32)
#: 10**k as uint64, for the values read with k < 8 decimals.
_POW = np.array([10**k for k in range(_SCALE + 1)], dtype=_U64)
#: Up to two price bands and two notional filters per symbol fit the columns (real symbols have
#: one band and one or two notional filters); a symbol with more is checked row by row.
_BANDS = _NOTIONALS = 2


def check_table(
    info: ExchangeInfo,
    table: Any,
    *,
    endpoint: str = "/api/v3/order",
    context: Context | Mapping[str, object] | None = None,
    as_of: dt.date | str | None = None,
    symbol_context: Mapping[str, Mapping[str, object]] | None = None,
    violations: bool = False,
    unchecked: bool = False,
) -> Any:
    """Binance's answer to each row of ``table``: the same answers as :func:`filterlib.check`.

    ``table`` is a pyarrow Table (or RecordBatch), a pandas DataFrame or a polars DataFrame
    whose columns are Binance's parameter names; each row's non-null cells are its
    parameters. The result is the same kind of table, row for row (a pandas result keeps the
    input's index), with the columns ``ok`` (bool), ``code`` (int, null when ok), ``msg``
    (str, null when ok) and ``rule`` (the catalogue name of the rule Binance's answer comes
    from, null when ok); with ``violations=True`` also ``violations`` (every violation, as
    ``Violation.to_dict()``), with ``unchecked=True`` also ``unchecked`` (the rules left
    unchecked, by name).

    The context applies to every row: ``context`` to all, ``symbol_context`` per symbol
    (merged over ``context``), and the columns ``avgPrice``, ``referencePrice`` and
    ``lastPrice`` per row (merged over both; a null cell gives nothing). Raises
    :class:`~filterlib.UsageError` when called wrongly, as ``check`` does, naming the row.
    """
    if not isinstance(info, ExchangeInfo):
        raise UsageError(f"info must be an ExchangeInfo, not {type(info).__name__}")
    endpoint_named(endpoint)  # refused before any row, as check refuses it
    arrow, rebuild = _as_arrow(table)
    try:
        arrow.validate(full=True)  # a string that is not UTF-8, say: read by no one
    except pa.ArrowException as exc:
        raise UsageError(f"the table is not a valid Arrow table: {exc}") from None
    names = arrow.column_names
    if len(set(names)) < len(names):
        twice = sorted({name for name in names if names.count(name) > 1})
        raise UsageError(
            f"the table has more than one column named {', '.join(map(repr, twice))}; a "
            "request has each parameter once"
        )
    day_is_snapshots = as_of is None or resolve_as_of(as_of, None) == resolve_as_of(
        None, info.server_time
    )
    contexts = _Contexts(arrow, context, symbol_context)
    n = arrow.num_rows
    answers = _Answers(n, violations, unchecked)
    columnar = np.zeros(n, dtype=bool)
    if n and day_is_snapshots and endpoint in SHORT_CUT_ENDPOINTS and contexts.plain:
        judged = _on_columns(info, arrow, endpoint, contexts)
        answers.judged(judged)
        columnar[judged.rows] = True
    rest = np.flatnonzero(~columnar)
    if len(rest):
        _row_by_row(info, arrow, rest, endpoint, contexts, as_of, answers)
    return rebuild(answers.table())


# --- The input and the output table ---------------------------------------------------------


def _as_arrow(table: object) -> tuple[pa.Table, Callable[[pa.Table], Any]]:
    """``table`` as a pyarrow Table, and how to give a result table back in its kind."""
    if isinstance(table, pa.Table):
        return table, lambda result: result
    if isinstance(table, pa.RecordBatch):
        return pa.Table.from_batches([table]), lambda result: result
    module = type(table).__module__.split(".", 1)[0]
    if module == "pandas" and type(table).__name__ == "DataFrame":
        frame: Any = table
        arrow = pa.Table.from_pandas(frame, preserve_index=False)

        def to_pandas(result: pa.Table) -> Any:
            import pandas as pd

            out = result.to_pandas(types_mapper=_PANDAS_TYPES.get)
            out.index = frame.index
            return out if isinstance(out, pd.DataFrame) else out.to_frame()

        return arrow, to_pandas
    if module == "polars" and type(table).__name__ == "DataFrame":
        import polars as pl

        return table.to_arrow(), pl.from_arrow  # type: ignore[attr-defined]
    raise UsageError(
        "table must be a pyarrow Table or RecordBatch, a pandas DataFrame or a polars "
        f"DataFrame, not {type(table).__name__}"
    )


def _pandas_types() -> dict[pa.DataType, Any]:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pyarrow without pandas: no pandas tables either
        return {}
    return {
        pa.bool_(): pd.BooleanDtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.string(): pd.StringDtype(),
    }


class _LazyTypes(dict[pa.DataType, Any]):
    """The pandas dtypes of the result columns, looked up only when pandas is in use."""

    def get(self, key: pa.DataType, default: Any = None) -> Any:
        if not self:
            self.update(_pandas_types())
        return super().get(key, default)


_PANDAS_TYPES = _LazyTypes()


class _Answers:
    """The result columns as they are filled in: each row's answer, as an index into
    ``kinds`` (0: passes), and the opt-in columns."""

    def __init__(self, n: int, violations: bool, unchecked: bool) -> None:
        self.kind = np.zeros(n, dtype=np.int32)
        #: (rule, code, msg) of each kind of answer; kind 0 passes.
        self.kinds: list[tuple[str | None, int | None, str | None]] = [(None, None, None)]
        self._index: dict[tuple[str | None, int | None, str | None], int] = {self.kinds[0]: 0}
        self.violations: list[list[dict[str, Any]]] | None = (
            [[] for _ in range(n)] if violations else None
        )
        self.unchecked: list[list[str]] | None = [[] for _ in range(n)] if unchecked else None

    def kind_of(self, rule: str | None, code: int | None, msg: str | None) -> int:
        key = (rule, code, msg)
        found = self._index.get(key)
        if found is None:
            found = self._index[key] = len(self.kinds)
            self.kinds.append(key)
        return found

    def verdict(self, row: int, verdict: Verdict) -> None:
        """Row ``row``'s answer is ``verdict``."""
        error = verdict.error
        if error is not None:
            found = verdict.violations
            rule = found[0].rule if found else None
            self.kind[row] = self.kind_of(rule, error.code, error.msg)
        self.details(row, verdict)

    def judged(self, judged: Judged) -> None:
        """The answers the columns found."""
        kind_of = [0] + [
            self.kind_of(rule, e.code, e.msg)
            for rule, e in zip(FILTER_RULES[1:], _ERRORS, strict=True)
        ]
        self.kind[judged.rows] = np.asarray(kind_of, dtype=np.int32)[judged.rule]
        if self.violations is None and self.unchecked is None:
            return
        # The opt-in columns need each row's verdict (a rejected one's details are the
        # filter rules' own).
        for row, verdict in zip(judged.rows.tolist(), judged.verdicts(), strict=True):
            self.details(row, verdict)

    def details(self, row: int, verdict: Verdict) -> None:
        if self.violations is not None and verdict.error is not None:
            self.violations[row] = [v.to_dict() for v in verdict.violations]
        if self.unchecked is not None:
            self.unchecked[row] = [u.rule for u in verdict.unchecked]

    def table(self) -> pa.Table:
        kinds = self.kinds
        indices = pa.array(self.kind)
        rules = pa.array([k[0] for k in kinds], pa.string())
        codes = pa.array([k[1] for k in kinds], pa.int32())
        msgs = pa.array([k[2] for k in kinds], pa.string())
        columns: dict[str, pa.Array] = {
            "ok": pc.equal(indices, 0),
            "code": pc.take(codes, indices),
            "msg": pc.take(msgs, indices),
            "rule": pc.take(rules, indices),
        }
        if self.violations is not None:
            columns["violations"] = pa.array(self.violations)
        if self.unchecked is not None:
            columns["unchecked"] = pa.array(self.unchecked, pa.list_(pa.string()))
        return pa.table(columns)


# --- Context ----------------------------------------------------------------------------------


class _Contexts:
    """Each row's context: ``context``, merged with ``symbol_context[symbol]``, merged with the
    row's context columns."""

    def __init__(
        self,
        table: pa.Table,
        context: Context | Mapping[str, object] | None,
        symbol_context: Mapping[str, Mapping[str, object]] | None,
        context_columns: bool = True,
    ) -> None:
        self.base = context
        if symbol_context is not None and not isinstance(symbol_context, Mapping):
            raise UsageError(
                "symbol_context must map symbol names to contexts, "
                f"not {type(symbol_context).__name__}"
            )
        self.by_symbol = dict(symbol_context) if symbol_context is not None else {}
        self.columns = [
            name for name in CONTEXT_COLUMNS if context_columns and name in table.column_names
        ]
        if (self.by_symbol or self.columns) and not (
            context is None or isinstance(context, Mapping)
        ):
            raise UsageError(
                "a Context object applies to every row; with symbol_context or context "
                "columns, give the context as a mapping"
            )
        #: Whether the rows could be judged on columns at all (plain mappings only).
        self.plain = (context is None or type(context) is dict) and all(
            type(c) is dict for c in self.by_symbol.values()
        )

    def of(
        self, symbol: object, cells: Mapping[str, object]
    ) -> Context | Mapping[str, object] | None:
        """The context of a row of ``symbol`` whose context columns hold ``cells``."""
        merged: dict[str, object] | None = None
        extra = self.by_symbol.get(symbol) if isinstance(symbol, str) else None
        if extra is None and not cells:
            return self.base
        base = self.base
        merged = dict(base) if isinstance(base, Mapping) else {}
        if extra is not None:
            merged.update(extra)
        merged.update(cells)
        return merged


# --- Row by row -------------------------------------------------------------------------------


def _row_by_row(
    info: ExchangeInfo,
    table: pa.Table,
    rows: np.ndarray[Any, Any],
    endpoint: str,
    contexts: _Contexts,
    as_of: dt.date | str | None,
    answers: _Answers,
) -> None:
    """``check`` on each of ``rows``."""
    taken = table.take(pa.array(rows))
    params = [n for n in taken.column_names if n not in contexts.columns]
    values = [taken.column(n).to_pylist() for n in params]
    context_values = [taken.column(n).to_pylist() for n in contexts.columns]
    symbols = taken.column("symbol").to_pylist() if "symbol" in params else [None] * len(rows)
    for i, row in enumerate(rows.tolist()):
        order = {name: v[i] for name, v in zip(params, values, strict=True) if v[i] is not None}
        cells = {
            name: v[i]
            for name, v in zip(contexts.columns, context_values, strict=True)
            if v[i] is not None
        }
        try:
            verdict = check(
                info, order, endpoint=endpoint, context=contexts.of(symbols[i], cells), as_of=as_of
            )
        except (ContextError, UsageError) as exc:  # built from their message alone
            raise type(exc)(f"row {row}: {exc}") from None
        except FilterlibError as exc:  # a SnapshotError, say: its problems stay as they are
            exc.add_note(f"in row {row} of the table")
            raise
        answers.verdict(row, verdict)


# --- On columns -------------------------------------------------------------------------------


def _string_column(table: pa.Table, name: str) -> pa.Array | None:
    """Column ``name`` as one string array, or None when absent or not strings."""
    if name not in table.column_names:
        return None
    column = table.column(name)
    kind = column.type
    if (
        (pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type))
        or pa.types.is_large_string(kind)
        or pa.types.is_string_view(kind)
    ):
        column = column.cast(pa.string())
    elif not pa.types.is_string(kind):
        return None
    return column.combine_chunks()


def _mask(array: pa.Array) -> np.ndarray[Any, Any]:
    """A boolean array as numpy, null read as False."""
    return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)


def _scaled(
    array: pa.Array,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Each wire decimal of ``array`` as an integer of 10**-8 (uint64), whether it was read so
    (Binance's legal decimal ``[0-9]{1,20}(\\.[0-9]{1,20})?`` with at most 8 decimals, below
    10**11), and its count of decimals. (More decimals are -1111 at every real symbol, the
    engine's to answer.)"""
    dot = _numpy(pc.find_substring(array, "."), -1)
    length = _numpy(pc.binary_length(array), 0)
    decimals = np.where(dot >= 0, length - dot - 1, 0)
    digits = pc.replace_substring(array, ".", "", max_replacements=1)
    # ASCII digits only (as Binance's grammar: not other scripts' digits), one dot at most
    # (a second one is left in ``digits``), with digits before and after it.
    legal = _mask(pc.ascii_is_decimal(digits)) & (decimals <= _SCALE)
    legal &= np.where(dot >= 0, (dot > 0) & (dot <= 20) & (decimals > 0), length <= 20)
    trimmed = pc.utf8_ltrim(digits, "0")
    width = _numpy(pc.binary_length(trimmed), 0)
    # Below 10**19 at scale 8, which uint64 holds (MAX_DECIMAL, 9.2 * 10**18, is below it).
    read = legal & (width + _SCALE - decimals <= 19)
    safe = pc.if_else(pa.array(read & (width > 0)), trimmed, "0")
    whole = np.asarray(_numpy(pc.cast(safe, pa.uint64()), 0), dtype=_U64)
    shift = np.where(read, _SCALE - decimals, 0)
    return whole * _POW[shift], read, decimals


def _numpy(array: pa.Array, null: int) -> np.ndarray[Any, Any]:
    """An integer array as numpy, nulls read as ``null``."""
    return np.asarray(pc.fill_null(array, null).to_numpy(zero_copy_only=False))


def _product(
    a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``a * b`` exactly, as (high, low) 64-bit halves of the 128-bit product (a, b < 2**64)."""
    a_lo, a_hi = a & _LOW32, a >> _32
    b_lo, b_hi = b & _LOW32, b >> _32
    ll, lh, hl, hh = a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi
    mid = (ll >> _32) + (lh & _LOW32) + (hl & _LOW32)
    low = (mid << _32) | (ll & _LOW32)
    high = hh + (lh >> _32) + (hl >> _32) + (mid >> _32)
    return high, low


def _below(
    high: np.ndarray[Any, Any],
    low: np.ndarray[Any, Any],
    bound: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]],
) -> np.ndarray[Any, Any]:
    """Whether the 128-bit (high, low) is below ``bound`` (its halves)."""
    bh, bl = bound
    below: np.ndarray[Any, Any] = (high < bh) | ((high == bh) & (low < bl))
    return below


def _halves(value: int) -> tuple[int, int]:
    value = min(max(value, 0), (1 << 128) - 1)
    return value >> 64, value & _TOP


def _bands(compiled: CompiledSymbol, prices: Where, sells: bool) -> list[tuple[str, int, int]]:
    """The (rule, low, high) of each of the symbol's price bands that ``prices`` decide, in
    evaluation order, as integers of 10**-sp (the engine's short cut reads them so)."""
    found: list[tuple[str, int, int]] = []
    for band in compiled.bands:
        text = band.base(prices)
        if text is not None:  # else unchecked for lack of context: part of the known verdict
            low, high = (band.bounds.get(text) or band.learn(text, compiled.grid[0]))[sells]
            found.append((band.rule, low, high))
    return found


#: A group's slots, in evaluation order: the price, up to two bands, the quantity, up to two
#: notional filters (the order of :func:`filterlib._compiled.grid_failure`).
_PRICE, _BAND, _LOT, _NOTIONAL = 0, 1, 1 + _BANDS, 2 + _BANDS
_SLOTS = 2 + _BANDS + _NOTIONALS


class Judged:
    """What the columns decided: the rows judged, each one's answer (an index into
    :data:`FILTER_RULES`, 0: passes) and group (:attr:`groups`: its symbol's compiled form, the
    verdict of a passing row, the context prices), and its price and quantity in 10**-8."""

    __slots__ = ("columns", "group", "groups", "price", "quantity", "rows", "rule")

    def __init__(self, n: int = 0) -> None:
        empty = np.zeros(0, dtype=np.int64)
        self.rows, self.rule, self.group = empty, empty, empty
        self.price = self.quantity = np.zeros(0, dtype=_U64)
        self.groups: list[tuple[CompiledSymbol, Verdict, Where] | None] = []
        self.columns: Mapping[str, pa.Array] = {}

    def verdicts(self) -> list[Verdict]:
        """The verdict of each judged row, as ``check`` gives it: a passing row's is the
        engine's learned verdict itself, a rejected row's violations are the filter rules'
        own (worked out when first read, as the engine's short cut does)."""
        groups = self.groups
        # A passing row's verdict is its group's; a rejected one's is built below.
        out = [_known(groups[k]) for k in self.group.tolist()]
        bad = np.flatnonzero(self.rule)
        if not len(bad):
            return out
        taken = pa.array(self.rows[bad])
        sides, tifs, price_texts, quantity_texts = (
            self.columns[name].take(taken).to_pylist()
            for name in ("side", "timeInForce", "price", "quantity")
        )
        rows = zip(
            bad.tolist(),
            self.rule[bad].tolist(),
            sides,
            tifs,
            price_texts,
            quantity_texts,
            self.price[bad].tolist(),
            self.quantity[bad].tolist(),
            strict=True,
        )
        for j, rule, side, tif, price, quantity, p, q in rows:
            found = groups[self.group[j]]
            assert found is not None  # a judged row's group was usable
            compiled, known, prices = found
            sp, sq = compiled.grid[0], compiled.grid[1]
            # The integers of 10**-8 at the compiled scales (sp, sq <= 8: exact).
            pi, qi = p // _POWERS[_SCALE - sp], q // _POWERS[_SCALE - sq]
            pending = partial(
                filter_violations, compiled, side, tif, price, quantity, pi, qi, prices
            )
            out[j] = rejected(_ERRORS[rule - 1], known.unchecked, pending)
        return out


def _known(group: tuple[CompiledSymbol, Verdict, Where] | None) -> Verdict:
    assert group is not None  # a judged row's group was usable
    return group[1]


#: 10**k, as Python integers (_POW's).
_POWERS = tuple(int(p) for p in _POW)


#: The answers of the rows the columns decide, by index: 0 passes.
FILTER_RULES: tuple[str | None, ...] = (None, *FILTER_ERRORS)
_RULE_INDEX = {rule: i for i, rule in enumerate(FILTER_RULES)}
#: The error of each answer but the first (``_ERRORS[i - 1]`` for FILTER_RULES[i]).
_ERRORS = tuple(FILTER_ERRORS.values())


def judge_columns(
    info: ExchangeInfo,
    table: pa.Table,
    endpoint: str = "/api/v3/order",
    context: Mapping[str, object] | None = None,
    *,
    context_columns: bool = True,
) -> Judged:
    """The rows of ``table`` (string columns named by Binance's parameters) the columns can
    decide on the snapshot's day, and their answers (the rest is ``check``'s to answer).
    Without ``context_columns``, a column named like a context key is a parameter (as a
    key of a JSON Lines order is), and a row that has one is not judged here."""
    contexts = _Contexts(table, context, None, context_columns)
    if not (table.num_rows and endpoint in SHORT_CUT_ENDPOINTS and contexts.plain):
        return Judged()
    return _on_columns(info, table, endpoint, contexts)


#: The fields of a group's row of integers (:func:`_group_row`), by position.
_USABLE, _PLACES_P, _PLACES_Q, _MIN_P, _MIN_Q = 0, 1, 2, 3, 6  # min, max, step from _MIN_*
_BAND_BOUNDS = 9  # (low, high) per band
_NOTIONAL_BOUNDS = _BAND_BOUNDS + 2 * _BANDS  # (low high, low low, high high, high low) each
_ZERO = _NOTIONAL_BOUNDS + 4 * _NOTIONALS  # the smallest non-zero product, high and low
_KINDS = _ZERO + 2  # the answer (FILTER_RULES) of each slot that fails, 0: an empty slot
_WIDTH = _KINDS + _SLOTS
#: The row of a group the columns do not judge.
_NO_GROUP: tuple[int, ...] = (0,) * _WIDTH


def _group_row(compiled: CompiledSymbol, prices: Where, sells: bool) -> tuple[int, ...]:
    """What the rows of one symbol, side and context prices are compared with, as integers of
    10**-8 (10**-16 for the notional's, in 64-bit halves), in the order of the fields above;
    :data:`_NO_GROUP` when the columns cannot judge them (scales above 8, more bands or
    notional filters than the slots)."""
    sp, sq, min_p, max_p, tick, min_q, max_q, step, _, _ = compiled.grid
    if sp > _SCALE or sq > _SCALE:
        return _NO_GROUP
    bands = _bands(compiled, prices, sells)
    if len(bands) > _BANDS or len(compiled.notionals) > _NOTIONALS:
        return _NO_GROUP
    # The compiled integers are of 10**-sp and 10**-sq (sp, sq <= 8): times 10**(8 - sp)
    # they are of 10**-8, and a value read here, of at most sp (sq) decimals, compares with
    # them exactly as with the compiled ones.
    fp, fq = 10 ** (_SCALE - sp), 10 ** (_SCALE - sq)
    band_fields: list[int] = []
    kinds = [0] * _SLOTS
    kinds[_PRICE], kinds[_LOT] = _RULE_INDEX["PRICE_FILTER"], _RULE_INDEX["LOT_SIZE"]
    for j in range(_BANDS):
        if j < len(bands):
            rule, low, high = bands[j]
            band_fields += (min(low * fp, _TOP), min(high * fp, _TOP))
            kinds[_BAND + j] = _RULE_INDEX[rule]
        else:
            band_fields += (0, _TOP)
    notional_fields: list[int] = []
    for j in range(_NOTIONALS):
        if j < len(compiled.notionals):
            rule, low, high = compiled.notionals[j]
            notional_fields += (*_halves(low * fp * fq), *_halves(high * fp * fq))
            kinds[_NOTIONAL + j] = _RULE_INDEX[rule]
        else:
            notional_fields += (0, 0, _TOP, _TOP)
    row = (
        1,
        compiled.price_places,
        compiled.quantity_places,
        min_p * fp,
        max_p * fp,
        tick * fp,
        min_q * fq,
        max_q * fq,
        step * fq,
        *band_fields,
        *notional_fields,
        *_halves(compiled.zero_product * fp * fq),
        *kinds,
    )
    return tuple(min(v, _TOP) for v in row)


def _on_columns(info: ExchangeInfo, table: pa.Table, endpoint: str, contexts: _Contexts) -> Judged:
    """Judge the rows the columns can."""
    n = table.num_rows
    names = set(table.column_names) - set(contexts.columns)
    found = {name: _string_column(table, name) for name in PLAIN_REQUIRED}
    required = {name: column for name, column in found.items() if column is not None}
    if len(required) < len(found):
        return Judged()
    # Another parameter in a row is the engine's to read (some change the answer); rows
    # where every such cell is null are plain.
    eligible = np.ones(n, dtype=bool)
    for name in names - set(PLAIN_REQUIRED):
        eligible &= _mask(pc.is_null(table.column(name).combine_chunks()))
    for column in required.values():
        eligible &= _mask(pc.is_valid(column))
    kind, tif, side = required["type"], required["timeInForce"], required["side"]
    eligible &= _mask(pc.equal(kind, "LIMIT"))
    eligible &= _mask(pc.is_in(tif, pa.array(sorted(TIME_IN_FORCE))))
    sells = _mask(pc.equal(side, "SELL"))
    eligible &= sells | _mask(pc.equal(side, "BUY"))
    if not eligible.any():
        return Judged()
    price_column, quantity_column = required["price"], required["quantity"]
    price, price_read, price_decimals = _scaled(price_column)
    quantity, quantity_read, quantity_decimals = _scaled(quantity_column)
    eligible &= price_read & quantity_read
    symbol_codes, symbol_names = _codes(required["symbol"])
    batch = _Batch(table, endpoint, contexts, required, eligible, sells, symbol_codes, symbol_names)
    by_row = contexts.columns or contexts.by_symbol
    grouped = _groups_by_row(info, batch) if by_row else _groups_by_symbol(info, batch)
    if grouped is None:
        return Judged()
    group_of, table_of_groups, groups = grouped
    # Per row, from its group.
    row_usable = group_of >= 0
    every = bool(row_usable.all())
    rows = np.arange(n) if every else np.flatnonzero(row_usable)
    gi = group_of if every else group_of[rows]
    p, q = (price, quantity) if every else (price[rows], quantity[rows])
    if not every:
        price_decimals, quantity_decimals = price_decimals[rows], quantity_decimals[rows]

    def field(at: int) -> np.ndarray[Any, Any]:
        values: np.ndarray[Any, Any] = table_of_groups[at][gi]
        return values

    # The request layer's: more decimals than the asset's precision, zero, above MAX_DECIMAL
    # or a product below Binance's fixed point are the engine's to answer.
    fits = (
        (price_decimals <= field(_PLACES_P).astype(np.int64))
        & (quantity_decimals <= field(_PLACES_Q).astype(np.int64))
        & (p > 0)
        & (q > 0)
        & (p <= _U64(MAX_SCALED[_SCALE]))
        & (q <= _U64(MAX_SCALED[_SCALE]))
    )
    top, bottom = _product(p, q)  # the notional's 128 bits
    fits &= ~_below(top, bottom, (field(_ZERO), field(_ZERO + 1)))
    # Each slot's failures, in evaluation order (the slots of _group_row).
    failing = [(p < field(_MIN_P)) | (p > field(_MIN_P + 1)) | (p % field(_MIN_P + 2) != 0)]
    for j in range(_BANDS):
        at = _BAND_BOUNDS + 2 * j
        failing.append((p < field(at)) | (p > field(at + 1)))
    failing.append((q < field(_MIN_Q)) | (q > field(_MIN_Q + 1)) | (q % field(_MIN_Q + 2) != 0))
    for j in range(_NOTIONALS):
        at = _NOTIONAL_BOUNDS + 4 * j
        failing.append(
            _below(top, bottom, (field(at), field(at + 1)))
            | _below(field(at + 2), field(at + 3), (top, bottom))
        )
    # The first failing slot's answer: the slots from the last to the first, each failure
    # overwriting the later ones' (an empty slot's answer is 0, so it never fails).
    first: np.ndarray[Any, Any] = np.zeros(len(rows), dtype=_U64)
    for slot in reversed(range(_SLOTS)):
        kind = field(_KINDS + slot)
        first = np.where(failing[slot] & (kind != 0), kind, first)
    kinds = first.astype(np.int64)
    judged = Judged()
    judged.rows, judged.rule, judged.group = rows[fits], kinds[fits], gi[fits]
    judged.price, judged.quantity = p[fits], q[fits]
    judged.groups, judged.columns = groups, required
    return judged


class _Batch:
    """A table's rows as the groups read them: the table, its endpoint and contexts, its
    required columns, which rows are eligible, which sell, and each row's symbol (a code into
    the distinct names, 0 for none)."""

    __slots__ = (
        "contexts",
        "eligible",
        "endpoint",
        "required",
        "sells",
        "symbol_codes",
        "symbol_names",
        "table",
    )

    def __init__(
        self,
        table: pa.Table,
        endpoint: str,
        contexts: _Contexts,
        required: Mapping[str, pa.Array],
        eligible: np.ndarray[Any, Any],
        sells: np.ndarray[Any, Any],
        symbol_codes: np.ndarray[Any, Any],
        symbol_names: list[object],
    ) -> None:
        self.table, self.endpoint, self.contexts, self.required = (
            table,
            endpoint,
            contexts,
            required,
        )
        self.eligible, self.sells = eligible, sells
        self.symbol_codes, self.symbol_names = symbol_codes, symbol_names


_Found = tuple[
    np.ndarray[Any, Any], np.ndarray[Any, Any], list[tuple[CompiledSymbol, Verdict, Where] | None]
]


#: What :func:`_group` gives when the row it was given could not teach the engine its group's
#: verdict (the row breaks a rule of the request): its rows are checked one by one, and the
#: next table tries again.
_LATER: tuple[()] = ()


class _Groups:
    """The groups of rows of one snapshot under one context's prices, by symbol and side, kept
    on the snapshot (``ExchangeInfo._tables``) so that batch after batch of rows (the command
    line's) finds them built: each group's row of integers (:func:`_group_row`) and what its
    rows' verdicts are made of. Tables checked at once in several threads take ``lock``
    while they look groups up and add them (a symbol's id and a group's place must be one
    thread's); the lists only grow, so a place once given stays right."""

    __slots__ = ("_fields", "groups", "ids", "index", "lock", "rows")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: dict[str, int] = {}
        #: [symbol id, 1 for SELL] -> group; -1: not looked at yet, -2: not judged on columns.
        self.index = np.full((64, 2), -1, dtype=np.int64)
        self.rows: list[tuple[int, ...]] = []
        self.groups: list[tuple[CompiledSymbol, Verdict, Where] | None] = []
        self._fields: np.ndarray[Any, Any] | None = None

    def id(self, name: object) -> int:
        found = self.ids.get(name) if isinstance(name, str) else None
        if found is None:
            found = len(self.ids)
            if isinstance(name, str):
                self.ids[name] = found
            if found >= len(self.index):
                grown = np.full((2 * len(self.index), 2), -1, dtype=np.int64)
                grown[: len(self.index)] = self.index
                self.index = grown
        return found

    def add(self, row: tuple[int, ...], group: tuple[CompiledSymbol, Verdict, Where]) -> int:
        self.rows.append(row)
        self.groups.append(group)
        self._fields = None
        return len(self.rows) - 1

    def fields(self) -> np.ndarray[Any, Any]:
        """The groups' rows as one array, a row per field."""
        if self._fields is None:
            self._fields = np.array(self.rows or [_NO_GROUP], dtype=_U64).T.copy()
        return self._fields


def _groups_by_symbol(info: ExchangeInfo, batch: _Batch) -> _Found | None:
    """Each row's group (-1: not judged on columns) when one context applies to every row."""
    eligible, sells, symbol_codes = batch.eligible, batch.sells, batch.symbol_codes
    context = batch.contexts.base
    if not (context is None or type(context) is dict):
        return None
    prices = where(batch.endpoint, context)
    if prices is None:
        return None
    kept = info._tables
    state = kept.get(prices)
    if not isinstance(state, _Groups):
        if len(kept) >= 64:
            kept.clear()  # a caller with ever new context prices: keep memory bounded
        state = kept[prices] = _Groups()
    with state.lock:
        local = np.array([state.id(name) for name in batch.symbol_names] or [0], dtype=np.int64)
        symbol_ids = local[np.maximum(symbol_codes - 1, 0)]
        side = sells.astype(np.int64)
        group_of = np.where(eligible, state.index[symbol_ids, side], -2)
        missing = np.flatnonzero(group_of == -1)
        if len(missing):
            keys = symbol_ids[missing] * 2 + side[missing]
            _, first = np.unique(keys, return_index=True)
            for row in missing[first].tolist():
                name = batch.symbol_names[int(symbol_codes[row]) - 1]
                sells_row = bool(sells[row])
                found = _group(info, batch, context, prices, row, name, sells_row)
                if found is None:
                    state.index[symbol_ids[row], int(sells_row)] = -2
                elif found:
                    state.index[symbol_ids[row], int(sells_row)] = state.add(*found)
            group_of = np.where(eligible, state.index[symbol_ids, side], -2)
        return group_of, state.fields(), state.groups


def _group(
    info: ExchangeInfo,
    batch: _Batch,
    context: Context | Mapping[str, object] | None,
    prices: Where,
    row: int,
    name: object,
    sells: bool,
) -> tuple[tuple[int, ...], tuple[CompiledSymbol, Verdict, Where]] | tuple[()] | None:
    """The group of ``row`` (of symbol ``name``, on ``sells``' side, under ``prices``): its row
    of integers and what its verdicts are made of; None when the columns cannot judge it,
    :data:`_LATER` when ``row`` could not teach the engine the group's verdict."""
    try:
        compiled = info._plain.get(name) or info.compiled_plain(name)
    except SnapshotError:  # a lazy snapshot's malformed entry: check says so, for its row
        return None
    if compiled is None:
        return None
    slot = prices[3] | (8 if sells else 0)
    known = compiled.learned[slot]
    if known is None:
        # The engine learns the verdict of this key from one full rule run.
        check(
            info, _row(batch.table, row, batch.required), endpoint=batch.endpoint, context=context
        )
        known = compiled.learned[slot]
        if known is None:  # that row broke a rule of the request: another row may teach it
            return _LATER
    cache = compiled.columns
    cache_key = (slot, prices[0], prices[1], prices[2])
    group_row = cache.get(cache_key)
    if group_row is None:
        group_row = _group_row(compiled, prices, sells)
        if len(cache) >= 256:
            cache.clear()
        cache[cache_key] = group_row
    if group_row is _NO_GROUP:
        return None
    return group_row, (compiled, known, prices)


def _groups_by_row(info: ExchangeInfo, batch: _Batch) -> _Found | None:
    """Each row's group (-1: not judged on columns) when the context may differ by symbol or
    row: a group per symbol, side and context, built for this table."""
    table, contexts, eligible, sells = batch.table, batch.contexts, batch.eligible, batch.sells
    symbol_codes, symbol_names = batch.symbol_codes, batch.symbol_names
    n = table.num_rows
    combo = symbol_codes.astype(np.int64) * 2 + sells
    context_cells: list[tuple[np.ndarray[Any, Any], list[object]]] = []
    for column_name in contexts.columns:
        column = table.column(column_name).combine_chunks()
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            return None  # the engine says what is wrong with them
        codes, values = _codes(column)
        context_cells.append((codes, values))
        # Renumbered after each column, so the codes stay below the row count (no overflow).
        combo = _dense(combo * (len(values) + 1) + codes)[0]
    # The groups: 0 for the rows not eligible (-1), then one per symbol, side and context.
    inverse, g = _dense(np.where(eligible, combo, -1))
    first_row = np.full(g, n, dtype=np.int64)
    order = np.flatnonzero(eligible)
    np.minimum.at(first_row, inverse[order], order)  # the first eligible row of each group
    groups: list[tuple[CompiledSymbol, Verdict, Where] | None] = [None] * g
    found_rows: list[tuple[int, ...]] = [_NO_GROUP] * g
    for k, row in enumerate(first_row.tolist()):
        if row == n:
            continue
        name = symbol_names[int(symbol_codes[row]) - 1]
        cells = {
            column: values[int(codes[row]) - 1]
            for column, (codes, values) in zip(contexts.columns, context_cells, strict=True)
            if codes[row]
        }
        context = contexts.of(name, cells)
        prices = (
            where(batch.endpoint, context) if context is None or type(context) is dict else None
        )
        if prices is None:
            continue
        found = _group(info, batch, context, prices, row, name, bool(sells[row]))
        if found:
            found_rows[k], groups[k] = found
    fields = np.array(found_rows, dtype=_U64).T.copy()  # a row per field
    usable = fields[_USABLE].astype(bool)
    group_of = np.where(usable[inverse] & eligible, inverse, -1)
    return group_of, fields, groups


def _dense(values: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], int]:
    """``values`` (integers from -1 up) renumbered 0, 1, 2... in the same order, and how many
    distinct values there are. A count, not a sort, when they are few for the rows."""
    top = int(values.max(initial=-1)) + 2
    if top > 4 * len(values) + 64:
        found, inverse = np.unique(values, return_inverse=True)
        return np.asarray(inverse.reshape(-1), dtype=np.int64), len(found)
    present = np.zeros(top, dtype=np.int64)
    present[values + 1] = 1
    number = np.cumsum(present) - 1
    return number[values + 1], int(present.sum())


def _codes(column: pa.Array) -> tuple[np.ndarray[Any, Any], list[object]]:
    """Each value's code (0: null, else 1 + its index in the distinct values) and the values."""
    encoded = column.dictionary_encode()
    indices = encoded.indices
    values: list[object] = encoded.dictionary.to_pylist()
    codes = np.asarray(
        pc.fill_null(pc.add(indices.cast(pa.int64()), 1), 0).to_numpy(zero_copy_only=False)
    )
    return codes, values


def _row(table: pa.Table, row: int, required: Mapping[str, pa.Array]) -> dict[str, object]:
    """Row ``row``'s required parameters (the only non-null ones of a plain row)."""
    out: dict[str, object] = {}
    for name, column in required.items():
        out[name] = column[row].as_py()
    return out
