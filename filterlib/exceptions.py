"""The exceptions filterlib raises. A bad order never raises: it gets its error in a Verdict."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

__all__ = ["FilterlibError", "SnapshotError", "SnapshotProblem", "UsageError", "shown"]


def shown(value: object, limit: int = 200) -> str:
    """``repr(value)`` for an error message, cut after ``limit`` characters.

    A message must never raise: a value nested too deep to print (``RecursionError``) or an
    integer of more than 4,300 digits (``ValueError``) is described by its type instead.
    """
    try:
        text = repr(value)
    except (RecursionError, ValueError):
        return f"<a {type(value).__name__} too deep or too long to show>"
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


class FilterlibError(Exception):
    """Base class of every exception filterlib raises on purpose."""


class UsageError(FilterlibError, TypeError):
    """The API was called wrongly (a params object that is not a mapping, an unknown endpoint)."""


@frozen
class SnapshotProblem:
    """One thing wrong in a snapshot, located: ``symbols[12].filters[3].tickSize``."""

    path: str
    message: str
    symbol: str | None = None
    filter_type: str | None = None
    field: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"symbol {self.symbol}" if self.symbol else "",
                f"filter {self.filter_type}" if self.filter_type else "",
                f"field {self.field}" if self.field else "",
            )
            if part
        )
        value = f" (value {shown(self.value)})" if self.value is not None else ""
        return f"{self.path}: {self.message}{value}" + (f" [{where}]" if where else "")


class SnapshotError(FilterlibError, ValueError):
    """A snapshot that is not a usable exchangeInfo; lists every problem found, each located."""

    def __init__(self, problems: Sequence[SnapshotProblem], source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        head = f"{source}: " if source else ""
        count = len(self.problems)
        lines = [f"{head}malformed exchangeInfo snapshot ({count} problem{'s' * (count != 1)})"]
        lines += [f"  {p}" for p in self.problems[:20]]
        if count > 20:
            lines.append(f"  ... and {count - 20} more")
        super().__init__("\n".join(lines))
