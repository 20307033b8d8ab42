"""Check partitioned collections of orders with Dask: tables on columns, JSON Lines as lines.

``pip install 'filterlib[dask]'``. The core never imports this module (nor Dask).

Three forms, each mapped over the partitions (docs/dask.md has the recipes):

* **A column per parameter** (:func:`check_dataframe`, :func:`check_parquet`): each partition
  goes to :func:`filterlib.check_table` as it is, and comes back with its columns plus the
  result columns. A row's non-null cells are its parameters (wire strings); the columns
  ``avgPrice``, ``referencePrice`` and ``lastPrice`` are its context; the columns named in
  ``passthrough`` (an id, a timestamp) are not sent, only carried along.
* **JSON Lines as a dataframe** (:func:`check_jsonl_dataframe`): each block of lines is
  decoded; the lines that are plain parameter objects with string values (bare, or wrapped
  with an ``endpoint`` and string ``avgPrice``/``referencePrice``/``lastPrice`` context) go to
  ``check_table`` by endpoint, every other line to :func:`filterlib.lines.check_line` as the
  bag does, so each line gets the bag's answer.
* **JSON Lines as a bag** (:func:`check_bag`, :func:`check_jsonl`): each line decoded and
  checked by :func:`~filterlib.lines.check_line`, as ``filterlib check --format json`` does it
  (docs/cli.md): a verdict is ``Verdict.to_dict()``, and a line that cannot be checked gives
  ``{"ok": False, "code": None, "msg": None, "error": ..., "violations": [], "unchecked": []}``,
  with the CLI's message but without its ``line N:`` prefix and ``(in FILE)`` suffix. Kept as
  it was: it is the form that gives the full verdict of every line.

The dataframe forms add :data:`RESULT_COLUMNS`: ``ok``, ``code`` and ``msg`` (Binance's
answer, null when ok), ``rule`` (the catalogue rule the answer comes from, null when ok) and
``error`` (null unless the row could not be checked: then ``ok`` is false and ``code``,
``msg`` and ``rule`` are null). A row that cannot be checked never fails the computation:
``check_table`` refuses a whole table for one bad row, so a partition it refuses is checked
again in halves until each refused row stands alone and gets its ``error``.

A frame with a ``params`` column (no Binance parameter is called so) is the JSON-column form of
filterlib 0.1: :func:`check_dataframe` checks it row by row with :func:`check_json_column`, as
before, now with ``rule`` too.

Each worker process loads the snapshot **once**: the partition functions look it up in a
module-level cache keyed by the snapshot's path (``None``: the snapshot shipped in filterlib),
so every later task on that worker reuses the loaded :class:`~filterlib.ExchangeInfo`. Only the
path travels with the task graph; the snapshot object itself is never pickled.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import dask
import dask.bag as db
import dask.dataframe as dd
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._context import Context, ContextError, as_context
from ._dates import resolve_as_of
from ._endpoints import ENDPOINTS
from ._table import CONTEXT_COLUMNS, check_table
from .exceptions import FilterlibError, UsageError, shown
from .lines import DEFAULT_ENDPOINT, WRAPPER_KEYS, LineError, check_line
from .snapshot import ExchangeInfo, load_default_exchange_info, load_exchange_info

__all__ = [
    "DETAIL_COLUMNS",
    "RESULT_COLUMNS",
    "SnapshotPath",
    "check_bag",
    "check_dataframe",
    "check_json_column",
    "check_jsonl",
    "check_jsonl_dataframe",
    "check_parquet",
    "clear_snapshot_cache",
    "snapshot",
    "summary",
]

#: A snapshot file every worker can read (``.json`` or ``.json.gz``), or None for the shipped one.
SnapshotPath = str | os.PathLike[str] | None

#: The columns every dataframe result has, in order, with their dtypes.
RESULT_COLUMNS: dict[str, str] = {
    "ok": "bool",
    "code": "Int64",
    "msg": "string",
    "rule": "string",
    "error": "string",
}
#: The opt-in columns (``violations=True``, ``unchecked=True``): per row, a list of
#: ``Violation.to_dict()`` and a list of rule names, as :func:`filterlib.check_table` gives them.
DETAIL_COLUMNS: dict[str, str] = {"violations": "object", "unchecked": "object"}

_CACHE: dict[str | None, ExchangeInfo] = {}
_CACHE_LOCK = threading.Lock()
#: How many times this process loaded each snapshot (the tests read it on each worker).
_loads: Counter[str | None] = Counter()


def snapshot(path: SnapshotPath = None) -> ExchangeInfo:
    """The snapshot at ``path`` (None: the shipped one), loaded at most once per process."""
    key = None if path is None else os.fspath(path)
    info = _CACHE.get(key)
    if info is not None:
        return info
    with _CACHE_LOCK:  # threads of one worker wait for the first load instead of repeating it
        info = _CACHE.get(key)
        if info is None:
            info = load_default_exchange_info() if key is None else load_exchange_info(key)
            _CACHE[key] = info
            _loads[key] += 1
        return info


def clear_snapshot_cache() -> None:
    """Forget the loaded snapshots of this process (on a cluster: ``client.run(...)`` it)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _path(exchange_info: SnapshotPath) -> str | None:
    return None if exchange_info is None else os.fspath(exchange_info)


# --- JSON Lines as a bag ----------------------------------------------------------------------


def _error(message: str) -> dict[str, Any]:
    return {
        "ok": False,
        "code": None,
        "msg": None,
        "error": message,
        "violations": [],
        "unchecked": [],
    }


def _check_raw(info: ExchangeInfo, raw: bytes) -> dict[str, Any]:
    try:
        return check_line(info, raw).verdict.to_dict()
    except LineError as exc:
        return _error(str(exc))


def _check_items(items: Iterable[object], path: str | None) -> list[dict[str, Any]]:
    """One bag partition: each non-blank line (or JSON-compatible mapping) to its verdict dict."""
    info = snapshot(path)
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, str):
            item = item.encode()
        if isinstance(item, bytes):
            if item.strip():
                out.append(_check_raw(info, item))
        elif isinstance(item, Mapping):
            try:
                raw = orjson.dumps(item)
            except TypeError as exc:
                out.append(_error(f"not JSON-compatible ({exc}); use strings for values"))
            else:
                out.append(_check_raw(info, raw))
        else:
            out.append(
                _error(
                    f"expected a JSON Lines line or a mapping, got {type(item).__name__}; "
                    "see docs/dask.md"
                )
            )
    return out


def check_bag(orders: db.Bag, exchange_info: SnapshotPath = None) -> db.Bag:
    """The verdict dicts of a bag of orders, in input order (blank lines dropped).

    Each element is a JSON Lines line (``str`` or ``bytes``, as ``dask.bag.read_text`` gives
    them) or a JSON-compatible mapping in one of the CLI's two forms: a bare parameter object,
    or ``{"endpoint": ..., "params": {...}, "context": {...}}``.
    """
    verdicts: db.Bag = orders.map_partitions(_check_items, _path(exchange_info))  # type: ignore[no-untyped-call]
    return verdicts


def _read_lines(urlpath: str | list[str], blocksize: int | str | None) -> db.Bag:
    lines: db.Bag = db.read_text(urlpath, blocksize=blocksize, encoding="utf-8")  # type: ignore[no-untyped-call]
    return lines


def check_jsonl(
    urlpath: str | list[str],
    exchange_info: SnapshotPath = None,
    *,
    blocksize: int | str | None = "16 MiB",
) -> db.Bag:
    """The verdicts of JSON Lines files (a path, glob or list), one bag partition per block."""
    return check_bag(_read_lines(urlpath, blocksize), exchange_info)


# --- Result columns ---------------------------------------------------------------------------


def _result_meta(violations: bool, unchecked: bool) -> dict[str, str]:
    columns = dict(RESULT_COLUMNS)
    if violations:
        columns["violations"] = DETAIL_COLUMNS["violations"]
    if unchecked:
        columns["unchecked"] = DETAIL_COLUMNS["unchecked"]
    return columns


def _empty_results(columns: Mapping[str, str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _unusable(n: int, columns: Mapping[str, str]) -> pd.DataFrame:
    """``n`` rows that could not be checked (their ``error`` is filled in by the caller)."""
    out = pd.DataFrame(
        {
            "ok": pd.array([False] * n, dtype=RESULT_COLUMNS["ok"]),
            "code": pd.array([None] * n, dtype=RESULT_COLUMNS["code"]),
            "msg": pd.array([None] * n, dtype=RESULT_COLUMNS["msg"]),
            "rule": pd.array([None] * n, dtype=RESULT_COLUMNS["rule"]),
            "error": pd.array([None] * n, dtype=RESULT_COLUMNS["error"]),
        }
    )
    for name in DETAIL_COLUMNS:
        if name in columns:
            out[name] = pd.Series([[] for _ in range(n)], dtype=object)
    return out


def _from_arrow(result: pa.Table, columns: Mapping[str, str]) -> pd.DataFrame:
    """check_table's result columns (a pyarrow Table) in the dtypes of :data:`RESULT_COLUMNS`
    (the strings stay in their Arrow buffers)."""
    code = result.column("code").combine_chunks()
    string = pd.StringDtype()
    out = pd.DataFrame(
        {
            "ok": np.asarray(result.column("ok").to_numpy(), dtype=bool),
            "code": pd.arrays.IntegerArray(
                np.asarray(pc.fill_null(code, 0).to_numpy(), dtype=np.int64),
                np.asarray(pc.is_null(code).to_numpy(zero_copy_only=False), dtype=bool),
            ),
            "msg": pd.array(result.column("msg"), dtype=string),
            "rule": pd.array(result.column("rule"), dtype=string),
            "error": pd.array(pa.nulls(result.num_rows, pa.string()), dtype=string),
        }
    )
    for name in DETAIL_COLUMNS:
        if name in columns:
            out[name] = pd.Series(result.column(name).to_pylist(), dtype=object)
    return out


def _judge(
    info: ExchangeInfo, table: pa.Table, columns: Mapping[str, str], options: Mapping[str, Any]
) -> tuple[pd.DataFrame, dict[int, FilterlibError]]:
    """check_table's answer to every row of ``table``, and the rows it refuses (by position,
    with its error): check_table raises for a whole table when one row is refused (a context
    cell that is not a price, say), so a refused table is checked again in halves."""
    chunks: list[pd.DataFrame] = []
    refused: dict[int, FilterlibError] = {}

    def run(start: int, part: pa.Table) -> None:
        try:
            chunks.append(_from_arrow(check_table(info, part, **options), columns))
        except FilterlibError as exc:
            if part.num_rows == 1:
                refused[start] = exc
                chunks.append(_unusable(1, columns))
                return
            half = part.num_rows // 2
            run(start, part.slice(0, half))
            run(start + half, part.slice(half))

    if table.num_rows:
        run(0, table)
    out = pd.concat(chunks, ignore_index=True) if chunks else _empty_results(columns)
    return out, refused


def _row_error(exc: FilterlibError) -> str:
    """The message of a row check_table refused when checked alone: check()'s, as the command
    line words it (``bad context: ...`` for a context it cannot read)."""
    text = str(exc).removeprefix("row 0: ")
    return f"bad context: {text}" if isinstance(exc, ContextError) else text


# --- A column per parameter -------------------------------------------------------------------


def _validate(
    endpoint: str,
    context: Context | Mapping[str, object] | None,
    as_of: dt.date | str | None,
    symbol_context: Mapping[str, Mapping[str, object]] | None,
    context_columns: bool,
) -> None:
    """Refuse at once what check_table would refuse for every row (the same messages)."""
    if not isinstance(endpoint, str) or endpoint not in ENDPOINTS:
        raise UsageError(f"unknown endpoint {shown(endpoint)}; known: {', '.join(ENDPOINTS)}")
    if as_of is not None:
        resolve_as_of(as_of, None)
    as_context(context)
    if symbol_context is not None:
        if not isinstance(symbol_context, Mapping):
            raise UsageError(
                "symbol_context must map symbol names to contexts, "
                f"not {type(symbol_context).__name__}"
            )
        base = context if isinstance(context, Mapping) else {}
        for extra in symbol_context.values():
            if not isinstance(extra, Mapping):
                raise UsageError(
                    f"each symbol's context must be a mapping, not {type(extra).__name__}"
                )
            as_context({**base, **extra})
    if (symbol_context or context_columns) and not (
        context is None or isinstance(context, Mapping)
    ):
        raise UsageError(
            "a Context object applies to every row; with symbol_context or context "
            "columns, give the context as a mapping"
        )


def _check_columns(
    frame: pd.DataFrame,
    path: str | None,
    names: list[str],
    columns: dict[str, str],
    options: dict[str, Any],
) -> pd.DataFrame:
    """One partition of a column-per-parameter frame: its columns plus the result columns."""
    if len(frame):
        info = snapshot(path)
        try:
            table = pa.Table.from_pandas(frame[names], preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise UsageError(
                f"the parameter columns cannot be read as a table ({exc}); give each column "
                "one type: strings, as the values go on the wire"
            ) from None
        results, refused = _judge(info, table, columns, options)
        if refused:
            errors = results["error"].astype(object).tolist()
            for row, problem in refused.items():
                errors[row] = _row_error(problem)
            results["error"] = pd.array(errors, dtype=RESULT_COLUMNS["error"])
        results.index = frame.index
    else:
        results = _empty_results(columns)
        results.index = frame.index
    return frame.assign(**{name: results[name] for name in columns})


def check_dataframe(
    frame: dd.DataFrame,
    exchange_info: SnapshotPath = None,
    *,
    endpoint: str = DEFAULT_ENDPOINT,
    context: Context | Mapping[str, object] | None = None,
    as_of: dt.date | str | None = None,
    symbol_context: Mapping[str, Mapping[str, object]] | None = None,
    violations: bool = False,
    unchecked: bool = False,
    passthrough: Sequence[str] = (),
) -> dd.DataFrame:
    """The input dataframe plus the result columns, row for row: each partition checked by
    :func:`filterlib.check_table` on the snapshot ``exchange_info`` (loaded once per worker).

    Every column but those named in ``passthrough`` holds a parameter (Binance's name; the
    wire string; null: not sent) or, for ``avgPrice``, ``referencePrice`` and ``lastPrice``,
    the row's context price. ``endpoint``, ``context``, ``as_of`` and ``symbol_context`` are
    check_table's; so are ``violations`` and ``unchecked``, which add those columns. The
    result columns are ``ok``, ``code``, ``msg``, ``rule`` and ``error``
    (:data:`RESULT_COLUMNS`); every input column is kept as it is.

    A frame with a ``params`` column (not in ``passthrough``) is the JSON-column form:
    :func:`check_json_column` checks it, and then none of the keyword arguments apply.
    Raises :class:`~filterlib.UsageError` at once for a call check_table would refuse for
    every row, a missing ``passthrough`` column or a result column already in the frame.
    """
    if isinstance(passthrough, str):
        raise UsageError("passthrough must be a list of column names, not one string")
    names = [str(c) for c in frame.columns]
    keep = list(passthrough)
    if "params" in names and "params" not in keep:
        given = {
            "endpoint": endpoint != DEFAULT_ENDPOINT,
            "context": context is not None,
            "as_of": as_of is not None,
            "symbol_context": symbol_context is not None,
            "violations": violations,
            "unchecked": unchecked,
            "passthrough": bool(keep),
        }
        if any(given.values()):
            raise UsageError(
                "a frame with a 'params' column of JSON text is checked row by row with its "
                "own endpoint and context columns; "
                f"{', '.join(k for k, v in given.items() if v)} apply to a column per parameter"
            )
        return check_json_column(frame, exchange_info)
    missing = [c for c in keep if c not in names]
    if missing:
        raise UsageError(f"no passthrough column(s) {', '.join(missing)} in the dataframe")
    params = [c for c in frame.columns if c not in keep]
    if not params:
        raise UsageError("no parameter columns: every column of the dataframe is passthrough")
    odd = [shown(c) for c in params if not isinstance(c, str)]
    if odd:
        raise UsageError(f"parameter columns are named by strings, not {', '.join(odd)}")
    columns = _result_meta(violations, unchecked)
    clash = sorted(set(columns) & set(names))
    if clash:
        raise UsageError(f"the dataframe already has result column(s) {', '.join(clash)}")
    in_columns = [c for c in CONTEXT_COLUMNS if c in params]
    for name in in_columns:
        dtype = frame._meta[name].dtype
        if not (pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)):
            # check() refuses every number there; row by row, that is a refused partition
            # halved down to each row, a check_table call per row.
            raise UsageError(
                f"context column {name!r} is {dtype}: give the price as a string, as Binance "
                "returns it (a number is not a context price)"
            )
    _validate(endpoint, context, as_of, symbol_context, bool(in_columns))
    options: dict[str, Any] = {
        "endpoint": endpoint,
        "context": context,
        "as_of": as_of,
        "symbol_context": symbol_context,
        "violations": violations,
        "unchecked": unchecked,
    }
    meta = frame._meta.copy()
    for name, dtype in columns.items():
        meta[name] = pd.Series(dtype=dtype)
    checked: dd.DataFrame = frame.map_partitions(  # type: ignore[no-untyped-call]
        _check_columns,
        _path(exchange_info),
        params,
        columns,
        options,
        meta=meta,
        align_dataframes=False,
    )
    return checked


def check_parquet(
    urlpath: str | list[str],
    exchange_info: SnapshotPath = None,
    *,
    endpoint: str = DEFAULT_ENDPOINT,
    context: Context | Mapping[str, object] | None = None,
    as_of: dt.date | str | None = None,
    symbol_context: Mapping[str, Mapping[str, object]] | None = None,
    violations: bool = False,
    unchecked: bool = False,
    passthrough: Sequence[str] = (),
    **read_parquet: Any,
) -> dd.DataFrame:
    """:func:`check_dataframe` of ``dask.dataframe.read_parquet(urlpath, **read_parquet)``."""
    frame = dd.read_parquet(urlpath, **read_parquet)
    return check_dataframe(
        frame,
        exchange_info,
        endpoint=endpoint,
        context=context,
        as_of=as_of,
        symbol_context=symbol_context,
        violations=violations,
        unchecked=unchecked,
        passthrough=passthrough,
    )


# --- JSON Lines as a dataframe ----------------------------------------------------------------


def _plain_line(doc: object) -> tuple[str, dict[str, str], dict[str, str]] | None:
    """A decoded line check_table can take as a row: its endpoint, its parameters and its
    context cells (every value a string, no parameter named as a context column); else None
    (check_line answers the line)."""
    if type(doc) is not dict:
        return None
    params: object = doc
    endpoint: object = DEFAULT_ENDPOINT
    given: object = None
    if type(doc.get("params")) is dict:
        if any(k not in WRAPPER_KEYS for k in doc):
            return None
        params = doc["params"]
        endpoint = doc.get("endpoint", DEFAULT_ENDPOINT)
        given = doc.get("context")
    if type(endpoint) is not str or endpoint not in ENDPOINTS:
        return None
    assert type(params) is dict
    if (
        not params  # a table of no column has no rows
        or not all(type(v) is str for v in params.values())
        or any(k in CONTEXT_COLUMNS for k in params)
    ):
        return None
    if given is None:
        return endpoint, params, {}
    if type(given) is not dict or not all(
        k in CONTEXT_COLUMNS and type(v) is str for k, v in given.items()
    ):
        return None
    return endpoint, params, given


def _line_row(info: ExchangeInfo, raw: bytes, options: Mapping[str, Any]) -> dict[str, Any]:
    """check_line's answer to one line, as a row of the result columns."""
    try:
        verdict = check_line(info, raw, options["as_of"], options["context"]).verdict
    except LineError as exc:
        return {
            "ok": False,
            "code": None,
            "msg": None,
            "rule": None,
            "error": str(exc),
            "violations": [],
            "unchecked": [],
        }
    error, found = verdict.error, verdict.violations
    return {
        "ok": error is None,
        "code": None if error is None else error.code,
        "msg": None if error is None else error.msg,
        "rule": found[0].rule if error is not None and found else None,
        "error": None,
        "violations": [v.to_dict() for v in found] if error is not None else [],
        "unchecked": [u.rule for u in verdict.unchecked],
    }


def _check_lines(
    lines: Iterable[str | bytes],
    path: str | None,
    columns: dict[str, str],
    options: dict[str, Any],
    text: bool,
) -> pd.DataFrame:
    """One block of JSON Lines: a row of result columns per non-blank line, in order."""
    info = snapshot(path)
    raws: list[bytes] = []
    by_endpoint: dict[str, tuple[list[int], list[dict[str, str]], list[dict[str, str]]]] = {}
    alone: list[int] = []
    for line in lines:
        raw = line.encode() if isinstance(line, str) else line
        if not raw.strip():
            continue
        at = len(raws)
        raws.append(raw)
        try:
            plain = _plain_line(orjson.loads(raw))
        except orjson.JSONDecodeError:
            plain = None
        if plain is None:
            alone.append(at)
            continue
        endpoint, params, cells = plain
        rows, param_rows, cell_rows = by_endpoint.setdefault(endpoint, ([], [], []))
        rows.append(at)
        param_rows.append(params)
        cell_rows.append(cells)
    chunks: list[pd.DataFrame] = []
    positions: list[int] = []
    for endpoint, (rows, param_rows, cell_rows) in by_endpoint.items():
        names = [*dict.fromkeys(k for r in param_rows for k in r)]  # first seen, first
        cell_names = [*dict.fromkeys(k for c in cell_rows for k in c)]
        table = pa.table(
            {
                **{n: pa.array([r.get(n) for r in param_rows], pa.string()) for n in names},
                **{n: pa.array([c.get(n) for c in cell_rows], pa.string()) for n in cell_names},
            }
        )
        found, refused = _judge(info, table, columns, {**options, "endpoint": endpoint})
        if refused:  # those lines alone: check_line says what is wrong, as the bag does
            kept = [i for i in range(len(rows)) if i not in refused]
            found = found.iloc[kept]
            alone += [rows[i] for i in refused]
            rows = [rows[i] for i in kept]
        chunks.append(found)
        positions += rows
    if alone:
        answers = [_line_row(info, raws[at], options) for at in alone]
        chunks.append(pd.DataFrame(answers, columns=list(columns)).astype(columns))
        positions += alone
    out = (
        pd.concat([c[list(columns)] for c in chunks], ignore_index=True)
        if chunks
        else _empty_results(columns)
    )
    out.index = pd.Index(positions, dtype="int64")
    out = out.sort_index()
    out.index = pd.RangeIndex(len(out))
    if text:
        out["line"] = pd.array(
            [r.decode("utf-8", "replace").rstrip("\r\n") for r in raws], dtype="string"
        )
    return out


def _jsonl_meta(
    violations: bool, unchecked: bool, text: bool
) -> tuple[dict[str, str], pd.DataFrame]:
    columns = _result_meta(violations, unchecked)
    meta = _empty_results(columns)
    if text:
        meta["line"] = pd.Series(dtype="string")
    return columns, meta


def check_jsonl_dataframe(
    urlpath: str | list[str],
    exchange_info: SnapshotPath = None,
    *,
    blocksize: int | str | None = "16 MiB",
    context: Mapping[str, object] | None = None,
    as_of: dt.date | str | None = None,
    violations: bool = False,
    unchecked: bool = False,
    line: bool = False,
) -> dd.DataFrame:
    """The answers to the lines of JSON Lines files (a path, glob or list) as a dataframe: one
    row per non-blank line, in order, one partition per block of ``blocksize``.

    The columns are :data:`RESULT_COLUMNS` (plus ``violations`` and ``unchecked`` when asked
    for, and ``line``, the line's text, with ``line=True``). Each line gets the answer
    :func:`check_jsonl` gives it: the lines check_table can take (plain parameter objects,
    every value a string) are checked on columns, the others by
    :func:`filterlib.lines.check_line`. ``context`` is laid under every line's own context
    and ``as_of`` is the day of every line, as ``filterlib check --context/--as-of`` do.
    """
    if context is not None and not isinstance(context, Mapping):
        raise UsageError(f"context must be a mapping, not {type(context).__name__}")
    _validate(DEFAULT_ENDPOINT, context, as_of, None, False)
    columns, meta = _jsonl_meta(violations, unchecked, line)
    options: dict[str, Any] = {
        "context": None if context is None else dict(context),
        "as_of": as_of,
        "violations": violations,
        "unchecked": unchecked,
    }
    path = _path(exchange_info)
    blocks = _read_lines(urlpath, blocksize).to_delayed()  # type: ignore[no-untyped-call]
    parts = [
        dask.delayed(_check_lines)(block, path, columns, options, line)  # type: ignore[attr-defined]
        for block in blocks
    ]
    # The lists of ``violations`` and ``unchecked`` stay objects: by default Dask would make
    # every object column of a new collection's partitions pyarrow strings.
    with dask.config.set({"dataframe.convert-string": False}):
        frame: dd.DataFrame = dd.from_delayed(parts, meta=meta, verify_meta=False)
    return frame


# --- The JSON-column form (filterlib 0.1) ------------------------------------------------------


def _missing(value: object) -> bool:
    """A null cell: None, pandas.NA or NaN (pandas' missing text, depending on the dtype)."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _json_cell(value: object, column: str) -> tuple[object, str | None]:
    """A JSON text cell decoded, or the error for it; a null cell is None."""
    if _missing(value):
        return None, None
    if not isinstance(value, str | bytes):
        return None, f"column {column!r}: expected JSON text, got {type(value).__name__}"
    try:
        return orjson.loads(value), None
    except orjson.JSONDecodeError as exc:
        return None, f"column {column!r}: not valid JSON ({exc.msg} at column {exc.colno})"


def _check_frame(
    frame: pd.DataFrame, path: str | None, params: str, endpoint: str, context: str
) -> pd.DataFrame:
    """One partition of the JSON-column form: the input's columns plus the result columns."""
    info = snapshot(path)
    n = len(frame)
    missing = [None] * n
    endpoints = frame[endpoint].tolist() if endpoint in frame.columns else missing
    contexts = frame[context].tolist() if context in frame.columns else missing
    oks: list[bool] = []
    codes: list[int | None] = []
    msgs: list[str | None] = []
    rules: list[str | None] = []
    errors: list[str | None] = []
    for p_cell, e_cell, c_cell in zip(frame[params].tolist(), endpoints, contexts, strict=True):
        body = _check_row(info, p_cell, e_cell, c_cell, params, context)
        found = body["violations"]
        oks.append(body["ok"])
        codes.append(body["code"])
        msgs.append(body["msg"])
        rules.append(found[0]["rule"] if found and not body["ok"] else None)
        errors.append(body.get("error"))
    out = frame.copy()
    for name, values in (
        ("ok", oks),
        ("code", codes),
        ("msg", msgs),
        ("rule", rules),
        ("error", errors),
    ):
        out[name] = pd.array(values, dtype=RESULT_COLUMNS[name])
    return out


def _check_row(
    info: ExchangeInfo,
    p_cell: object,
    e_cell: object,
    c_cell: object,
    params: str,
    context: str,
) -> dict[str, Any]:
    doc, problem = _json_cell(p_cell, params)
    if problem is None and not isinstance(doc, dict):
        problem = f"column {params!r}: expected a JSON object of order parameters"
    if problem is not None:
        return _error(problem)
    wrapped: dict[str, object] = {"params": doc}
    if not _missing(e_cell):
        wrapped["endpoint"] = e_cell
    ctx, problem = _json_cell(c_cell, context)
    if problem is not None:
        return _error(problem)
    if ctx is not None:
        wrapped["context"] = ctx
    return _check_raw(info, orjson.dumps(wrapped))


def check_json_column(
    frame: dd.DataFrame,
    exchange_info: SnapshotPath = None,
    *,
    params: str = "params",
    endpoint: str = "endpoint",
    context: str = "context",
) -> dd.DataFrame:
    """The input dataframe plus the result columns, row for row, for orders held as JSON text.

    ``params`` names a column of JSON objects (text) holding each order's parameters;
    optional columns ``endpoint`` (text; null: ``/api/v3/order``) and ``context`` (JSON text;
    null: none). Each row is checked alone, as :func:`check_bag` checks the wrapped line
    ``{"endpoint": ..., "params": ..., "context": ...}``; ``error`` also says when a cell is
    not valid JSON or (``params``) not a JSON object. Every other column is kept as it is.
    """
    if params not in frame.columns:
        raise UsageError(f"no column {params!r} of order parameters (JSON text) in the dataframe")
    clash = sorted(set(RESULT_COLUMNS) & set(frame.columns))
    if clash:
        raise UsageError(f"the dataframe already has result column(s) {', '.join(clash)}")
    meta = frame._meta.copy()
    for name, dtype in RESULT_COLUMNS.items():
        meta[name] = pd.Series(dtype=dtype)
    checked: dd.DataFrame = frame.map_partitions(  # type: ignore[no-untyped-call]
        _check_frame,
        _path(exchange_info),
        params,
        endpoint,
        context,
        meta=meta,
        align_dataframes=False,
    )
    return checked


# --- Summary ----------------------------------------------------------------------------------


def _summary_key(body: Mapping[str, Any]) -> str:
    if body.get("error") is not None:
        return "unusable"
    if body["ok"]:
        return "OK"
    return f"{body['code']} {body['msg']}"


def _frame_counts(frame: pd.DataFrame) -> pd.Series:
    """One partition's counts by :func:`summary`'s keys (rejected rows grouped by answer)."""
    unusable = frame["error"].notna().to_numpy(dtype=bool)
    ok = frame["ok"].to_numpy(dtype=bool) & ~unusable
    answers = frame.loc[~ok & ~unusable, ["code", "msg"]]
    sizes = answers.groupby(["code", "msg"], dropna=False).size()
    counts = {"OK": int(ok.sum()), "unusable": int(unusable.sum())}
    for (code, msg), size in sizes.items():
        key = f"{code} {msg}"
        counts[key] = counts.get(key, 0) + int(size)
    return pd.Series({k: v for k, v in counts.items() if v}, dtype="int64")


def summary(verdicts: db.Bag | dd.DataFrame) -> Counter[str]:
    """Count verdicts (computing them): ``OK``, ``unusable`` or ``"<code> <msg>"``, most first."""
    if isinstance(verdicts, db.Bag):
        keys = verdicts.map(_summary_key)  # type: ignore[no-untyped-call]
        pairs = keys.frequencies().compute()
    else:
        counts = verdicts[["ok", "code", "msg", "error"]].map_partitions(
            _frame_counts, meta=pd.Series(dtype="int64")
        )
        pairs = counts.compute().groupby(level=0).sum().items()
    return Counter(dict(sorted(pairs, key=lambda kv: (-kv[1], kv[0]))))
