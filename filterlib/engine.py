"""``check``: find every violation, then report the one Binance would (jsonschema's best_match).

Finding and choosing are apart: every rule runs on what could be decoded, and the violation whose
rule comes first in :data:`~filterlib.catalogue.RULES` is Binance's single answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import localcontext

from .catalogue import RANK, rule
from .context import Context, as_context
from .decimals import CONTEXT
from .exceptions import UsageError
from .request import ENDPOINTS, decode_order, symbol_rules
from .rules.account import ENGINE_RULES
from .rules.common import Finding
from .rules.filters import FILTER_CHECKS
from .rules.symbol import SYMBOL_RULES
from .snapshot import ExchangeInfo
from .verdict import Unchecked, Verdict, Violation

__all__ = ["best_match", "check"]

#: Endpoints whose orders reach the matching engine; the test endpoint's do not.
REACHES_MATCHING_ENGINE = frozenset({"/api/v3/order"})


def check(
    info: ExchangeInfo,
    params: Mapping[str, object],
    *,
    endpoint: str = "/api/v3/order",
    context: Context | Mapping[str, object] | None = None,
) -> Verdict:
    """What Binance Spot would answer to ``params`` sent to ``endpoint``, given ``context``.

    Pure and thread-safe; the caller's ``decimal`` context has no effect. A bad order never
    raises: it gets its error in the verdict. Raises :class:`~filterlib.UsageError` only when
    called wrongly: ``info`` not an ExchangeInfo, ``params`` not a mapping, an unknown endpoint,
    or a context not in Binance's shapes (:class:`~filterlib.ContextError`).
    """
    if not isinstance(info, ExchangeInfo):
        raise UsageError(
            f"info must be an ExchangeInfo (see load_exchange_info), not {type(info).__name__}"
        )
    if not isinstance(params, Mapping):
        raise UsageError(
            f"params must be a mapping of parameter names to values, not {type(params).__name__}"
        )
    if endpoint not in ENDPOINTS:
        raise UsageError(f"unknown endpoint {endpoint!r}; known: {', '.join(ENDPOINTS)}")
    ctx = as_context(context)
    with localcontext(CONTEXT):
        return _check(info, params, endpoint, ctx)


def _check(
    info: ExchangeInfo, params: Mapping[str, object], endpoint: str, ctx: Context
) -> Verdict:
    decoded = decode_order(params, endpoint)
    order = decoded.order
    findings: list[Finding] = list(decoded.violations)
    symbol = info.symbol(order.symbol) if order.symbol is not None else None
    if order.symbol is not None and symbol is None:
        r = rule("unknown_symbol")
        findings.append(
            Violation(
                r.code,
                r.message,
                r.id,
                "symbol",
                value=order.symbol,
                detail=f"{order.symbol} is not in the snapshot",
            )
        )
    if symbol is not None:
        engine = endpoint in REACHES_MATCHING_ENGINE
        findings.extend(symbol_rules(decoded, symbol))
        for symbol_rule in SYMBOL_RULES:
            findings.extend(symbol_rule(order, symbol, ctx))
        for f in (*symbol.filters, *info.exchange_filters):
            name = f.filter_type
            check_filter = FILTER_CHECKS.get(name)
            if check_filter is None:
                findings.append(Unchecked(name, reason="filterlib does not know this filter type"))
            elif engine or rule(name).stage != "engine":
                findings.extend(check_filter(f, order, symbol, ctx))
        if engine:
            for engine_rule in ENGINE_RULES:
                findings.extend(engine_rule(order, symbol, ctx))
    violations = best_match(f for f in findings if isinstance(f, Violation))
    unchecked = tuple(f for f in findings if isinstance(f, Unchecked))
    return Verdict(violations[0].error if violations else None, violations, unchecked)


def best_match(violations: Iterable[Violation]) -> tuple[Violation, ...]:
    """``violations`` in the order Binance reports them: the first is the error it returns.

    Sorted by the rule's place in the catalogue; within one rule, in the order found (which
    follows the spec's parameter table).
    """
    return tuple(sorted(violations, key=lambda v: RANK[v.rule]))
