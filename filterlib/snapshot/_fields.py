"""The field readers: each reads one field of the JSON, checks its type and records a located
:class:`~filterlib.exceptions.SnapshotProblem` when it is wrong, so that a load lists every
problem at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final, TypeVar

from ..exceptions import SnapshotError, SnapshotProblem
from ..filters import KnownFilter

_MISSING: Final[Any] = object()


_T = TypeVar("_T")


def _fail(message: str, label: str | None, value: object = None, path: str = "$") -> SnapshotError:
    return SnapshotError([SnapshotProblem(path, message, value=value)], source=label)


class _Caches:
    """Per-load memo of parsed decimal strings and whole filters (see ``parse_filter``)."""

    __slots__ = ("decimals", "filters")

    def __init__(self) -> None:
        self.decimals: dict[str, Decimal] = {}
        self.filters: dict[object, KnownFilter] = {}


def _req(
    raw: Mapping[str, Any],
    key: str,
    kind: type[_T],
    described: str,
    path: str,
    symbol: str | None,
    problems: list[SnapshotProblem],
    fallback: _T,
) -> _T:
    value = raw.get(key, _MISSING)
    if type(value) is kind:
        return value
    _bad(raw, key, value, f"expected {described}", path, symbol, problems)
    return fallback


def _req_int(
    raw: Mapping[str, Any], key: str, path: str, symbol: str | None, problems: list[SnapshotProblem]
) -> int:
    value = raw.get(key, _MISSING)
    if type(value) is int and value >= 0:
        return value
    _bad(raw, key, value, "expected a non-negative JSON integer", path, symbol, problems)
    return 0


def _opt_str(
    raw: Mapping[str, Any], key: str, path: str, problems: list[SnapshotProblem]
) -> str | None:
    value = raw.get(key)
    if value is None or type(value) is str:
        return value
    problems.append(SnapshotProblem(path, "expected a string", field=key, value=value))
    return None


def _opt_int(
    raw: Mapping[str, Any], key: str, path: str, problems: list[SnapshotProblem]
) -> int | None:
    value = raw.get(key)
    if value is None or (type(value) is int and value >= 0):
        return value
    problems.append(
        SnapshotProblem(path, "expected a non-negative JSON integer", field=key, value=value)
    )
    return None


def _str_list(
    raw: Mapping[str, Any],
    key: str,
    path: str,
    symbol: str | None,
    problems: list[SnapshotProblem],
    required: bool,
) -> list[str]:
    value = raw.get(key, _MISSING)
    if value is _MISSING and not required:
        return []
    if isinstance(value, list) and all(type(item) is str for item in value):
        return value
    _bad(raw, key, value, "expected a JSON array of strings", path, symbol, problems)
    return []


def _permission_sets(
    raw: Mapping[str, Any], path: str, symbol: str | None, problems: list[SnapshotProblem]
) -> tuple[tuple[str, ...], ...]:
    value = raw.get("permissionSets", _MISSING)
    if value is _MISSING:
        return ()  # added in 2024; older snapshots carry only the flat permissions list
    if isinstance(value, list) and all(
        isinstance(group, list) and all(type(item) is str for item in group) for group in value
    ):
        return tuple(tuple(group) for group in value)
    _bad(
        raw,
        "permissionSets",
        value,
        "expected a JSON array of arrays of strings",
        path,
        symbol,
        problems,
    )
    return ()


def _bad(
    raw: Mapping[str, Any],
    key: str,
    value: object,
    message: str,
    path: str,
    symbol: str | None,
    problems: list[SnapshotProblem],
) -> None:
    missing = value is _MISSING
    if value is None:
        message += ", got null"  # SnapshotProblem shows no value when it is None
    problems.append(
        SnapshotProblem(
            f"{path}.{key}",
            f"missing field {key}" if missing else message,
            symbol=symbol,
            field=key,
            value=None if missing else _short(value),
        )
    )


def _leaf(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {list: "array", str: "string", type(None): "null"}.get(type(value), type(value).__name__)


def _short(value: object) -> object:
    # Keep huge values (a whole symbols list put where a string belongs) out of messages.
    if isinstance(value, list | dict):
        try:
            if len(repr(value)) <= 80:
                return value
        except RecursionError:  # nested too deep to print (a caller-built dict)
            pass
        return f"{type(value).__name__} of {len(value)} items"
    return value
