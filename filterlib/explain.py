"""Which rules of the catalogue concern an order: :func:`applicable_rules`.

``filterlib explain`` (:mod:`filterlib.cli.explain`) walks these rules and shows every other one
as n/a; tests/test_cli_explain.py holds that every rule the engine finds on an endpoint is among
them.
"""

from __future__ import annotations

from ._endpoints import ENDPOINTS
from .catalogue import RULES, Rule
from .filters import FILTER_TYPES
from .snapshot import ExchangeInfo, SymbolInfo

__all__ = ["applicable_rules"]


def applicable_rules(info: ExchangeInfo, symbol: SymbolInfo, endpoint: str) -> tuple[Rule, ...]:
    """The catalogue's rules that can concern an order to ``endpoint`` on ``symbol``, in
    evaluation order: those of the endpoint (the catalogue's scope), less the rules of filters
    neither the symbol nor the exchange has."""
    has = {f.filter_type for f in symbol.filters} | {f.filter_type for f in info.exchange_filters}
    spec = ENDPOINTS[endpoint]
    return tuple(
        r for r in RULES if r.applies_to(spec) and (r.id not in FILTER_TYPES or r.id in has)
    )
