"""What the strategies draw, and the order vocabulary their modules share.

Public: ``GeneratedOrder``, ``NoValidOrder``, ``CannotBreak``, the order types, endpoints and
sides. ``_Plan`` names one single order to build; ``_check_args`` checks a strategy's arguments.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from attrs import frozen

from .._verdict import BinanceError
from ..exceptions import FilterlibError
from ..snapshot import ExchangeInfo

ORDER_TYPES = (
    "LIMIT",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
    "LIMIT_MAKER",
)
ENDPOINTS = ("/api/v3/order", "/api/v3/order/test")
SIDES = ("BUY", "SELL")
_PRICED = frozenset({"LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})
_STOPS = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})
_AT_MARKET = frozenset({"MARKET", "STOP_LOSS", "TAKE_PROFIT"})
_WITH_TIF = frozenset({"LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})
_STP_MODES = ("NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER")


class NoValidOrder(FilterlibError, ValueError):
    """``valid_orders``: the symbol (or no symbol of the snapshot) admits no such valid order."""


class CannotBreak(FilterlibError, ValueError):
    """``invalid_orders``: the rule cannot be broken alone on that symbol (or on any symbol).

    For example LOT_SIZE cannot be broken by its step when the step is zero, and an
    engine rule cannot be broken on ``/api/v3/order/test``, which never reaches the engine.
    """


@frozen
class GeneratedOrder:
    """One drawn order: its ``params``, the ``context`` it was built for, and the ``endpoint``.

    ``rule`` names the one rule the order breaks (None for a valid order) and ``error`` the
    answer Binance gives for it. Unpacks as ``params, context = order``.
    """

    params: dict[str, str]
    context: dict[str, object]
    endpoint: str
    symbol: str
    rule: str | None = None
    error: BinanceError | None = None
    #: For an order list broken on one leg: that leg's name (``above``, ``working`` ...).
    leg: str | None = None

    def __iter__(self) -> Iterator[object]:
        yield self.params
        yield self.context


@frozen
class _Plan:
    """What to build: the symbol, the order type and side, and the one rule to break (if any)."""

    symbol: str
    order_type: str
    side: str
    endpoint: str
    broken: str | None = None


def _above(order_type: str, side: str) -> bool:
    """Stop price above the market: STOP_LOSS BUY and TAKE_PROFIT SELL (spec: New order)."""
    return order_type.startswith("STOP_LOSS") == (side == "BUY")


def _check_args(
    info: ExchangeInfo, symbol: str | None, order_types: Sequence[str], endpoint: str
) -> None:
    if not isinstance(info, ExchangeInfo):
        raise TypeError(f"info must be an ExchangeInfo, not {type(info).__name__}")
    if symbol is not None and symbol not in info.symbols:
        raise ValueError(f"{symbol!r} is not in the snapshot")
    unknown = [t for t in order_types if t not in ORDER_TYPES]
    if unknown or not order_types:
        raise ValueError(f"order_types must be among {', '.join(ORDER_TYPES)}; got {unknown}")
    if endpoint not in ENDPOINTS:
        raise ValueError(f"endpoint must be one of {', '.join(ENDPOINTS)}")
