"""Check partitioned collections of orders with Dask: JSON Lines as a bag, Parquet as a dataframe.

``pip install 'filterlib[dask]'``. The core never imports this module (nor Dask).

Each worker process loads the snapshot **once**: the partition functions look it up in a
module-level cache keyed by the snapshot's path (``None``: the snapshot shipped in filterlib),
so every later task on that worker reuses the loaded :class:`~filterlib.ExchangeInfo`. Only the
path travels with the task graph; the snapshot object itself is never pickled.

A line is decoded and checked by :func:`filterlib.lines.check_line`, as ``filterlib check
--format json`` does it (docs/cli.md): a verdict is ``Verdict.to_dict()``, and a line that cannot
be checked gives ``{"ok": False, "code": None, "msg": None, "error": ..., "violations": [],
"unchecked": []}``, with the CLI's message but without its ``line N:`` prefix and ``(in FILE)``
suffix (collections keep the input order).
The recipe is in docs/dask.md.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import dask.bag as db
import dask.dataframe as dd
import orjson
import pandas as pd

from .exceptions import UsageError
from .lines import LineError, check_line
from .snapshot import ExchangeInfo, load_default_exchange_info, load_exchange_info

__all__ = [
    "RESULT_COLUMNS",
    "SnapshotPath",
    "check_bag",
    "check_dataframe",
    "check_jsonl",
    "check_parquet",
    "clear_snapshot_cache",
    "snapshot",
    "summary",
]

#: A snapshot file every worker can read (``.json`` or ``.json.gz``), or None for the shipped one.
SnapshotPath = str | os.PathLike[str] | None

#: The columns :func:`check_dataframe` adds, with their dtypes.
RESULT_COLUMNS: dict[str, str] = {"ok": "bool", "code": "Int64", "msg": "string", "error": "string"}

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
    path = None if exchange_info is None else os.fspath(exchange_info)
    verdicts: db.Bag = orders.map_partitions(_check_items, path)  # type: ignore[no-untyped-call]
    return verdicts


def check_jsonl(
    urlpath: str | list[str],
    exchange_info: SnapshotPath = None,
    *,
    blocksize: int | str | None = "16 MiB",
) -> db.Bag:
    """The verdicts of JSON Lines files (a path, glob or list), one bag partition per block."""
    lines = db.read_text(urlpath, blocksize=blocksize, encoding="utf-8")  # type: ignore[no-untyped-call]
    return check_bag(lines, exchange_info)


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
    """One dataframe partition: the input's columns plus ok/code/msg/error."""
    info = snapshot(path)
    n = len(frame)
    missing = [None] * n
    endpoints = frame[endpoint].tolist() if endpoint in frame.columns else missing
    contexts = frame[context].tolist() if context in frame.columns else missing
    oks: list[bool] = []
    codes: list[int | None] = []
    msgs: list[str | None] = []
    errors: list[str | None] = []
    for p_cell, e_cell, c_cell in zip(frame[params].tolist(), endpoints, contexts, strict=True):
        body = _check_row(info, p_cell, e_cell, c_cell, params, context)
        oks.append(body["ok"])
        codes.append(body["code"])
        msgs.append(body["msg"])
        errors.append(body.get("error"))
    out = frame.copy()
    out["ok"] = pd.array(oks, dtype=RESULT_COLUMNS["ok"])
    out["code"] = pd.array(codes, dtype=RESULT_COLUMNS["code"])
    out["msg"] = pd.array(msgs, dtype=RESULT_COLUMNS["msg"])
    out["error"] = pd.array(errors, dtype=RESULT_COLUMNS["error"])
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


def check_dataframe(
    frame: dd.DataFrame,
    exchange_info: SnapshotPath = None,
    *,
    params: str = "params",
    endpoint: str = "endpoint",
    context: str = "context",
) -> dd.DataFrame:
    """The input dataframe plus ``ok``, ``code``, ``msg`` and ``error`` columns, row for row.

    ``params`` names a column of JSON objects (text) holding each order's parameters;
    optional columns ``endpoint`` (text; null: ``/api/v3/order``) and ``context`` (JSON text;
    null: none). ``code``/``msg`` are Binance's answer (null when ``ok``); ``error`` says why a
    row could not be checked (then ``ok`` is false and ``code`` null). Every other column is
    kept as it is.
    """
    if params not in frame.columns:
        raise UsageError(f"no column {params!r} of order parameters (JSON text) in the dataframe")
    clash = sorted(set(RESULT_COLUMNS) & set(frame.columns))
    if clash:
        raise UsageError(f"the dataframe already has result column(s) {', '.join(clash)}")
    meta = frame._meta.copy()
    for name, dtype in RESULT_COLUMNS.items():
        meta[name] = pd.Series(dtype=dtype)
    path = None if exchange_info is None else os.fspath(exchange_info)
    checked: dd.DataFrame = frame.map_partitions(  # type: ignore[no-untyped-call]
        _check_frame, path, params, endpoint, context, meta=meta, align_dataframes=False
    )
    return checked


def check_parquet(
    urlpath: str | list[str],
    exchange_info: SnapshotPath = None,
    *,
    params: str = "params",
    **read_parquet: Any,
) -> dd.DataFrame:
    """:func:`check_dataframe` of ``dask.dataframe.read_parquet(urlpath, **read_parquet)``."""
    frame = dd.read_parquet(urlpath, **read_parquet)
    return check_dataframe(frame, exchange_info, params=params)


def _summary_key(body: Mapping[str, Any]) -> str:
    if body.get("error") is not None:
        return "unusable"
    if body["ok"]:
        return "OK"
    return f"{body['code']} {body['msg']}"


def _frame_keys(frame: pd.DataFrame) -> pd.Series:
    keys = frame["code"].astype("string") + " " + frame["msg"]
    keys = keys.where(~frame["ok"], "OK")
    return keys.where(frame["error"].isna(), "unusable").astype(object)


def summary(verdicts: db.Bag | dd.DataFrame) -> Counter[str]:
    """Count verdicts (computing them): ``OK``, ``unusable`` or ``"<code> <msg>"``, most first."""
    if isinstance(verdicts, db.Bag):
        keys = verdicts.map(_summary_key)  # type: ignore[no-untyped-call]
        pairs = keys.frequencies().compute()
    else:
        counts = verdicts[list(RESULT_COLUMNS)].map_partitions(
            _frame_keys, meta=pd.Series(dtype=object)
        )
        pairs = counts.value_counts().compute().items()
    return Counter(dict(sorted(pairs, key=lambda kv: (-kv[1], kv[0]))))
