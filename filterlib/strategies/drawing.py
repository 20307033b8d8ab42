"""From a build to a hypothesis strategy, for single orders and order lists alike.

A plan (what to build) is kept only when the run of the simplest choices builds it, so a
strategy fails at once when nothing can be drawn, and inside a test only a rare corner is left
to reject.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from attrs import evolve
from hypothesis import assume
from hypothesis import strategies as st

from .._dates import resolve_as_of
from ..catalogue import rule
from ..exceptions import FilterlibError
from ..snapshot import ExchangeInfo
from .grids import _Chooser, _Draws, _Infeasible, _Simplest
from .model import GeneratedOrder

_P = TypeVar("_P")
_T = TypeVar("_T")

#: A cache of feasible plans, keyed by the snapshot's id and the arguments; the snapshot is
#: kept beside the plans so that a reused id of a collected snapshot never hits.
_PlanCache = dict[tuple[object, ...], tuple[ExchangeInfo, tuple[_P, ...]]]
_Build = Callable[[_Chooser, ExchangeInfo, _P], GeneratedOrder]


def _feasible_plans(
    cache: _PlanCache[_P],
    key: tuple[object, ...],
    info: ExchangeInfo,
    candidates: Iterable[_P],
    build: _Build[_P],
) -> tuple[_P, ...]:
    """The candidates (in their order) for which the simplest build succeeds."""
    key = (id(info), *key)
    hit = cache.get(key)
    if hit is not None and hit[0] is info:
        return hit[1]
    found = []
    for plan in candidates:
        try:
            build(_Simplest(), info, plan)
        except (_Infeasible, ZeroDivisionError):
            continue
        found.append(plan)
    cache[key] = (info, tuple(found))
    return tuple(found)


def _attempt(draw: st.DrawFn, build: Callable[[_Chooser], _T]) -> _T:
    """``build`` on hypothesis' draws; an example that meets an infeasible corner is rejected."""
    try:
        return build(_Draws(draw))
    except _Infeasible:
        # Rare corners only: a grid with no point between two bounds the earlier
        # draws left (the simplest run of the same plan succeeded).
        assume(False)
        raise AssertionError("unreachable") from None


def _on_its_day(order: GeneratedOrder, info: ExchangeInfo) -> GeneratedOrder:
    """``order`` with Binance's text of the snapshot's day, which ``check`` answers by default
    (a rule's dated texts are in the catalogue: docs/rules.md)."""
    error = order.error
    day = resolve_as_of(None, info.server_time)
    if error is None or order.rule is None or day is None:
        return order
    text = rule(order.rule).message_on(day)
    if "%s" in text or text == error.msg:
        return order  # the dated texts so far have no parameter to fill in
    return evolve(order, error=evolve(error, msg=text))


def _drawn(
    info: ExchangeInfo,
    symbol: str | None,
    names: Sequence[str],
    plans_of: Callable[[str], Sequence[_P]],
    build_plan: _Build[_P],
    error: Callable[[str], FilterlibError],
) -> st.SearchStrategy[GeneratedOrder]:
    """Draw one of ``names``, one of its feasible plans (``plans_of``), then ``build_plan`` it.

    Raises ``error`` naming ``symbol`` (or the snapshot) when no name has a feasible plan.
    """
    # Fail at once, not inside the test, when no symbol takes the plan at all.
    if not any(plans_of(n) for n in names):
        raise error(symbol or "any symbol of the snapshot")

    @st.composite
    def build(draw: st.DrawFn) -> GeneratedOrder:
        name = names[0] if len(names) == 1 else draw(st.sampled_from(names))
        plans = plans_of(name)
        assume(plans)  # a symbol the first look let through but no plan fits (rare)
        plan = draw(st.sampled_from(plans))
        return _on_its_day(_attempt(draw, lambda ch: build_plan(ch, info, plan)), info)

    # Named build, as the strategies always were: hypothesis shows it as ``build()``.
    return build()
