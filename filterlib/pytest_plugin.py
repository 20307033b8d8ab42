"""The pytest plugin: filterlib as the oracle in a trading program's own tests.

Registered through the ``pytest11`` entry point, so installing filterlib is enough. Fixtures:

- ``filterlib_info``: the exchangeInfo snapshot shipped with filterlib.
- ``filterlib_load``: a function that loads another snapshot (path, bytes, JSON text or
  mapping), each path once per session.

Assertions (plain functions, usable outside pytest too; import them from this module):

- ``assert_accepted(params, *, info=None, context=None, endpoint=...)``
- ``assert_rejected(params, *, code=None, msg=None, rule=None, info=None, context=None, ...)``

Their failure messages show Binance's answer, every violated rule with the offending value, the
limit and the nearest valid values, what was left unchecked, and the nearest valid order that
:func:`filterlib.repair.repair` finds; their own frames are hidden from pytest's tracebacks
(``__tracebackhide__``), so a failure points at the test's line. This module imports neither
hypothesis nor :mod:`filterlib.strategies`, so it loads without the test extra.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from ._context import Context
from ._engine import check
from ._verdict import Verdict
from .repair import repair
from .snapshot import ExchangeInfo, load_default_exchange_info, load_exchange_info

__all__ = ["assert_accepted", "assert_rejected", "explain", "filterlib_info", "filterlib_load"]

ContextArg = Context | Mapping[str, object] | None


@pytest.fixture(scope="session")
def filterlib_info() -> ExchangeInfo:
    """The exchangeInfo snapshot shipped with filterlib."""
    return load_default_exchange_info()


@pytest.fixture(scope="session")
def filterlib_load() -> Callable[[Any], ExchangeInfo]:
    """A loader for other snapshots: ``filterlib_load("exchangeInfo.json.gz")``."""
    cache: dict[str, ExchangeInfo] = {}

    def load(source: Any) -> ExchangeInfo:
        if isinstance(source, str | os.PathLike) and not str(source).lstrip().startswith(
            ("{", "[")
        ):
            key = os.fspath(source)
            if key not in cache:
                cache[key] = load_exchange_info(source)
            return cache[key]
        return load_exchange_info(source)

    return load


def explain(
    info: ExchangeInfo,
    params: Mapping[str, object],
    verdict: Verdict,
    *,
    context: ContextArg = None,
    endpoint: str = "/api/v3/order",
) -> str:
    """A verdict for people: the answer, each rule with its values, and the nearest valid order."""
    lines = [f"order:    {dict(params)}", f"endpoint: {endpoint}"]
    if verdict.error is None:
        lines.append("Binance would accept it.")
    else:
        lines.append(f"Binance would answer {verdict.error.code} {verdict.error.msg}")
    for v in verdict.violations:
        where = f" {v.parameter}={v.value}" if v.parameter else (f" {v.value}" if v.value else "")
        lines.append(f"  rule {v.rule}:{where}")
        if v.limit:
            lines.append(f"    limit:   {v.limit}")
        if v.detail:
            lines.append(f"    why:     {v.detail}")
        if v.nearest:
            lines.append(f"    nearest valid {v.parameter or 'value'}: {', '.join(v.nearest)}")
    for u in verdict.unchecked:
        lines.append(f"  unchecked {u.rule}: {u.reason}")
    if verdict.violations:
        try:
            fixed = repair(info, params, context=context)
        except Exception as exc:  # the explanation must never hide the real failure
            lines.append(f"nearest valid order: (repair failed: {exc!r})")
        else:
            if fixed.impossible is not None:
                lines.append(f"nearest valid order: none ({fixed.impossible})")
            else:
                lines.append(f"nearest valid order: {fixed.params}")
                lines.extend(
                    f"    {c.parameter}: {c.old} -> {c.new} ({c.why})" for c in fixed.changes
                )
    return "\n".join(lines)


def assert_accepted(
    params: Mapping[str, object],
    *,
    info: ExchangeInfo | None = None,
    context: ContextArg = None,
    endpoint: str = "/api/v3/order",
) -> Verdict:
    """Fail unless Binance would accept ``params`` (no checked rule fails); return the verdict."""
    __tracebackhide__ = True  # a failure points at the test's line, not at this helper
    info = info if info is not None else load_default_exchange_info()
    verdict = check(info, params, endpoint=endpoint, context=context)
    if not verdict.ok:
        raise AssertionError(
            "filterlib: expected the order to be accepted\n"
            + explain(info, params, verdict, context=context, endpoint=endpoint)
        )
    return verdict


def assert_rejected(
    params: Mapping[str, object],
    *,
    code: int | None = None,
    msg: str | None = None,
    rule: str | None = None,
    info: ExchangeInfo | None = None,
    context: ContextArg = None,
    endpoint: str = "/api/v3/order",
) -> Verdict:
    """Fail unless Binance would reject ``params`` with this ``code`` / ``msg`` (each optional),
    reported for catalogue rule ``rule`` (optional); return the verdict."""
    __tracebackhide__ = True  # a failure points at the test's line, not at this helper
    info = info if info is not None else load_default_exchange_info()
    verdict = check(info, params, endpoint=endpoint, context=context)
    wanted = ", ".join(
        f"{k} {v!r}" for k, v in (("code", code), ("msg", msg), ("rule", rule)) if v is not None
    )
    problem = None
    if verdict.error is None:
        problem = "expected a rejection" + (f" ({wanted})" if wanted else "") + ", got acceptance"
    else:
        got_rule = verdict.violations[0].rule
        if (
            (code is not None and verdict.error.code != code)
            or (msg is not None and verdict.error.msg != msg)
            or (rule is not None and got_rule != rule)
        ):
            problem = (
                f"expected {wanted}; got code {verdict.error.code}, msg {verdict.error.msg!r}, "
                f"rule {got_rule!r}"
            )
    if problem is not None:
        raise AssertionError(
            f"filterlib: {problem}\n"
            + explain(info, params, verdict, context=context, endpoint=endpoint)
        )
    return verdict
