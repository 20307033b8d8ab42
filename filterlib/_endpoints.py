"""Every order-placing endpoint as data: its parameters, its orders (legs), what it adds.

A request carries one or more orders. Each order is a *leg*: a name (as the request spells it:
``above``/``below``, ``working``/``pending``, ``pendingAbove``/``pendingBelow``) and the map from
an order's fields (``price``, ``quantity`` ...) to the wire names that carry them
(``abovePrice``, the shared ``quantity`` ...). With that map one set of order rules serves every
endpoint, and each violation names the wire parameter and the leg at fault.

Parameter tables follow the spec's, in its order. Where the spec's "Type" column is a plain
slip (``aboveIcebergQty`` LONG, ``aboveTimeInForce`` DECIMAL, ``pendingTrailingDelta`` DECIMAL in
"New Order list - OCO/OTO/OTOCO"), the kind of the same field on POST /api/v3/order is used;
docs/rules.md lists each such reading.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from types import MappingProxyType

from attrs import frozen

from ._dates import AMEND, OPO, PEGS, AsOf, in_force
from ._wire import BOOLEAN as BOOLEAN
from ._wire import CANCEL_REPLACE_MODE as CANCEL_REPLACE_MODE
from ._wire import CANCEL_RESTRICTIONS as CANCEL_RESTRICTIONS
from ._wire import CLIENT_ID as CLIENT_ID
from ._wire import DECIMAL as DECIMAL
from ._wire import INT as INT
from ._wire import LONG as LONG
from ._wire import ORDER_TYPES
from ._wire import PEG_OFFSET_TYPE as PEG_OFFSET_TYPE
from ._wire import PEG_OFFSET_VALUE as PEG_OFFSET_VALUE
from ._wire import PEG_PRICE_TYPE as PEG_PRICE_TYPE
from ._wire import RATE_LIMIT_MODE as RATE_LIMIT_MODE
from ._wire import RECV_WINDOW as RECV_WINDOW
from ._wire import RESP as RESP
from ._wire import SIDE as SIDE
from ._wire import STP as STP
from ._wire import STRATEGY_TYPE as STRATEGY_TYPE
from ._wire import STRING as STRING
from ._wire import SYMBOL as SYMBOL
from ._wire import TIF as TIF
from ._wire import TYPE as TYPE

__all__ = ["ENDPOINTS", "ORDER_FIELDS", "Endpoint", "Leg"]

# Parameter kinds are the wire grammar's (filterlib._wire), named here as they always were.
ALL_TYPES = frozenset(ORDER_TYPES)
#: The types an OCO leg may have. The spec's belowType list omits LIMIT_MAKER while its
#: belowPrice text and the OTOCO mandatory table include it; a BUY OCO needs its limit leg below,
#: so LIMIT_MAKER is taken as allowed on both legs.
OCO_TYPES = frozenset(
    {"LIMIT_MAKER", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"}
)
WORKING_TYPES = frozenset({"LIMIT", "LIMIT_MAKER"})


@frozen
class Leg:
    """One order of a request.

    ``names`` maps the order's fields to wire names; ``type_of`` gives the order's type from the
    wire texts when no parameter carries it (the deprecated OCO's legs). ``types`` are the types
    this leg may take and ``type_rule`` the rule a valid type outside them breaks. ``pending``
    legs wait for the working order to fill, so the rules about the live market (a stop that
    would trigger, a maker that would take, the balance) do not apply to them at placement.
    """

    name: str | None
    names: Mapping[str, str]
    types: frozenset[str] = ALL_TYPES
    type_rule: str = "invalid_order_type"
    type_of: Callable[[Mapping[str, str]], str] | None = None
    pending: bool = False
    #: A missing parameter that breaks another rule than -1102 (wire name -> rule id).
    missing_rules: Mapping[str, str] = MappingProxyType({})

    def wire(self, field: str) -> str | None:
        return self.names.get(field)


@frozen
class Endpoint:
    """An endpoint: its parameters in the spec's order, its mandatory ones, its legs.

    ``adds`` is how many orders it adds to MAX_NUM_ORDERS and EXCHANGE_MAX_NUM_ORDERS (the
    spec's "This adds N orders"); ``engine`` is False for the test endpoints, which do not
    reach the matching engine; ``kind`` selects the request's own rules (order lists, SOR,
    cancel-replace, amend).
    """

    path: str
    parameters: Mapping[str, str]
    mandatory: tuple[str, ...]
    legs: tuple[Leg, ...]
    adds: int
    engine: bool = True
    kind: str = "order"
    #: The day Binance added the endpoint (None: before the first snapshot there is).
    since: dt.date | None = None

    def parameters_on(self, day: AsOf) -> Mapping[str, str]:
        """The parameters Binance read on ``day`` (None: today): those of kinds it had then."""
        if day is None:
            return self.parameters
        key = (self.path, day)
        known = _PARAMETERS_ON.get(key)
        if known is None:
            known = {
                name: kind
                for name, kind in self.parameters.items()
                if in_force(day, _DATED_KINDS.get(kind))
            }
            if len(_PARAMETERS_ON) > 4096:
                _PARAMETERS_ON.clear()
            known = _PARAMETERS_ON[key] = MappingProxyType(known)
        return known


#: Parameter kinds Binance added after the first snapshots, and the day it began to read them.
_DATED_KINDS: Mapping[str, dt.date] = {
    PEG_PRICE_TYPE: PEGS,
    PEG_OFFSET_TYPE: PEGS,
    PEG_OFFSET_VALUE: PEGS,
}
_PARAMETERS_ON: dict[tuple[str, dt.date], Mapping[str, str]] = {}


#: The fields of an order, named as POST /api/v3/order names them.
ORDER_FIELDS = (
    "type",
    "side",
    "timeInForce",
    "quantity",
    "quoteOrderQty",
    "price",
    "stopPrice",
    "trailingDelta",
    "icebergQty",
    "strategyType",
    "pegPriceType",
    "pegOffsetValue",
    "pegOffsetType",
)
#: The fields of a price peg, which the SOR does not take ("Currently, Smart Order Routing
#: (SOR) does not support pegged orders": docs 2026-07, 3a).
PEG_FIELDS = ("pegPriceType", "pegOffsetValue", "pegOffsetType")
_NO_PEGS = dict.fromkeys(PEG_FIELDS, "")


def _names(prefix: str = "", **overrides: str) -> Mapping[str, str]:
    """Field -> wire name: ``abovePrice`` for prefix "above"; shared fields via overrides."""
    names = {f: (prefix + f[0].upper() + f[1:]) if prefix else f for f in ORDER_FIELDS}
    names.update(overrides)
    return MappingProxyType({k: v for k, v in names.items() if v})


_SIGNED = {"recvWindow": RECV_WINDOW, "timestamp": LONG, "signature": STRING}

_NEW_ORDER = {
    "symbol": SYMBOL,
    "side": SIDE,
    "type": TYPE,
    "timeInForce": TIF,
    "quantity": DECIMAL,
    "quoteOrderQty": DECIMAL,
    "price": DECIMAL,
    "newClientOrderId": CLIENT_ID,
    "strategyId": LONG,
    "strategyType": STRATEGY_TYPE,
    "stopPrice": DECIMAL,
    "trailingDelta": LONG,
    "icebergQty": DECIMAL,
    "newOrderRespType": RESP,
    "selfTradePreventionMode": STP,
    "pegPriceType": PEG_PRICE_TYPE,
    "pegOffsetValue": PEG_OFFSET_VALUE,
    "pegOffsetType": PEG_OFFSET_TYPE,
    **_SIGNED,
}
_SINGLE = (Leg(None, _names()),)


def _leg_parameters(prefix: str, *, shared: tuple[str, ...] = ()) -> dict[str, str]:
    """An order-list leg's own parameters (``aboveType``, ``aboveClientOrderId`` ...)."""
    own = {
        "Type": TYPE,
        "Side": SIDE,
        "ClientOrderId": CLIENT_ID,
        "Price": DECIMAL,
        "StopPrice": DECIMAL,
        "TrailingDelta": LONG,
        "Quantity": DECIMAL,
        "IcebergQty": DECIMAL,
        "TimeInForce": TIF,
        "StrategyId": LONG,
        "StrategyType": STRATEGY_TYPE,
        "PegPriceType": PEG_PRICE_TYPE,
        "PegOffsetType": PEG_OFFSET_TYPE,
        "PegOffsetValue": PEG_OFFSET_VALUE,
    }
    return {prefix + k: v for k, v in own.items() if k[0].lower() + k[1:] not in shared}


def _oco_leg(
    name: str, side: str = "side", quantity: str = "quantity", *, pending: bool = False
) -> Leg:
    """A leg of an OCO pair, which shares the pair's side and quantity parameters."""
    return Leg(
        name,
        _names(name, side=side, quantity=quantity, quoteOrderQty=""),
        OCO_TYPES,
        "oco_order_type",
        pending=pending,
    )


_WORKING = Leg(
    "working",
    _names("working", stopPrice="", trailingDelta="", quoteOrderQty=""),
    WORKING_TYPES,
    "working_order_type",
)

_OCO_PARAMETERS = {
    "symbol": SYMBOL,
    "listClientOrderId": CLIENT_ID,
    "side": SIDE,
    "quantity": DECIMAL,
    **_leg_parameters("above", shared=("side", "quantity")),
    **_leg_parameters("below", shared=("side", "quantity")),
    "newOrderRespType": RESP,
    "selfTradePreventionMode": STP,
    **_SIGNED,
}


def _deprecated_stop_type(texts: Mapping[str, str]) -> str:
    # "stopLimitPrice: If provided, stopLimitTimeInForce is required": its presence makes the
    # stop leg a STOP_LOSS_LIMIT (spec: New OCO - Deprecated).
    return "STOP_LOSS_LIMIT" if texts.get("stopLimitPrice") else "STOP_LOSS"


_DEPRECATED_OCO_PARAMETERS = {
    "symbol": SYMBOL,
    "listClientOrderId": CLIENT_ID,
    "side": SIDE,
    "quantity": DECIMAL,
    "limitClientOrderId": CLIENT_ID,
    "price": DECIMAL,
    "limitStrategyId": LONG,
    "limitStrategyType": STRATEGY_TYPE,
    "limitIcebergQty": DECIMAL,
    "trailingDelta": LONG,
    "stopClientOrderId": CLIENT_ID,
    "stopPrice": DECIMAL,
    "stopStrategyId": LONG,
    "stopStrategyType": STRATEGY_TYPE,
    "stopLimitPrice": DECIMAL,
    "stopIcebergQty": DECIMAL,
    "stopLimitTimeInForce": TIF,
    "newOrderRespType": RESP,
    "selfTradePreventionMode": STP,
    **_SIGNED,
}
_DEPRECATED_OCO_LEGS = (
    Leg(
        "limit",
        MappingProxyType(
            {
                "side": "side",
                "quantity": "quantity",
                "price": "price",
                "icebergQty": "limitIcebergQty",
                "strategyType": "limitStrategyType",
            }
        ),
        type_of=lambda texts: "LIMIT_MAKER",
    ),
    Leg(
        "stop",
        MappingProxyType(
            {
                "side": "side",
                "quantity": "quantity",
                "price": "stopLimitPrice",
                "stopPrice": "stopPrice",
                "trailingDelta": "trailingDelta",
                "icebergQty": "stopIcebergQty",
                "timeInForce": "stopLimitTimeInForce",
                "strategyType": "stopStrategyType",
            }
        ),
        type_of=_deprecated_stop_type,
        # CHANGELOG 2019-11-13: a stopLimitPrice without stopLimitTimeInForce is -1128.
        missing_rules=MappingProxyType({"stopLimitTimeInForce": "oco_stop_limit_time_in_force"}),
    ),
)


def _working_list(*pending: Mapping[str, str]) -> dict[str, str]:
    """The parameters of a list with a working order (OTO, OTOCO, OPO, OPOCO) in the spec's
    order: the list's own, the working order's (a LIMIT or LIMIT_MAKER: no stop), then
    ``pending``'s."""
    working = _leg_parameters("working")
    del working["workingStopPrice"], working["workingTrailingDelta"]
    params = {
        "symbol": SYMBOL,
        "listClientOrderId": CLIENT_ID,
        "newOrderRespType": RESP,
        "selfTradePreventionMode": STP,
        **working,
    }
    for part in pending:
        params.update(part)
    return {**params, **_SIGNED}


_OTO_PARAMETERS = _working_list(_leg_parameters("pending"))
_PENDING_PAIR = (
    _leg_parameters("pendingAbove", shared=("side", "quantity")),
    _leg_parameters("pendingBelow", shared=("side", "quantity")),
)
_OTOCO_PARAMETERS = _working_list({"pendingSide": SIDE, "pendingQuantity": DECIMAL}, *_PENDING_PAIR)
#: OPO and OPOCO (docs 2026-07, 2c and 2d): an OTO and OTOCO whose pending orders take their
#: quantity from the working order's fill, so no pending quantity is sent.
_OPO_PARAMETERS = _working_list(_leg_parameters("pending", shared=("quantity",)))
_OPOCO_PARAMETERS = _working_list({"pendingSide": SIDE}, *_PENDING_PAIR)

_SOR_PARAMETERS = {
    k: v
    for k, v in _NEW_ORDER.items()
    if k not in ("quoteOrderQty", "stopPrice", "trailingDelta", *PEG_FIELDS)
}

_CANCEL_REPLACE_PARAMETERS = {
    "symbol": SYMBOL,
    "side": SIDE,
    "type": TYPE,
    "cancelReplaceMode": CANCEL_REPLACE_MODE,
    "timeInForce": TIF,
    "quantity": DECIMAL,
    "quoteOrderQty": DECIMAL,
    "price": DECIMAL,
    "cancelNewClientOrderId": CLIENT_ID,
    "cancelOrigClientOrderId": CLIENT_ID,
    "cancelOrderId": LONG,
    "newClientOrderId": CLIENT_ID,
    "strategyId": LONG,
    "strategyType": STRATEGY_TYPE,
    "stopPrice": DECIMAL,
    "trailingDelta": LONG,
    "icebergQty": DECIMAL,
    "newOrderRespType": RESP,
    "selfTradePreventionMode": STP,
    "pegPriceType": PEG_PRICE_TYPE,
    "pegOffsetValue": PEG_OFFSET_VALUE,
    "pegOffsetType": PEG_OFFSET_TYPE,
    "cancelRestrictions": CANCEL_RESTRICTIONS,
    "orderRateLimitExceededMode": RATE_LIMIT_MODE,
    **_SIGNED,
}

_AMEND_PARAMETERS = {
    "symbol": SYMBOL,
    "orderId": LONG,
    "origClientOrderId": CLIENT_ID,
    "newClientOrderId": CLIENT_ID,
    "newQty": DECIMAL,
    **_SIGNED,
}

_ENDPOINTS = (
    Endpoint("/api/v3/order", _NEW_ORDER, ("symbol", "side", "type"), _SINGLE, 1),
    # "In addition to all parameters accepted by POST /api/v3/order ... computeCommissionRates"
    Endpoint(
        "/api/v3/order/test",
        {**_NEW_ORDER, "computeCommissionRates": BOOLEAN},
        ("symbol", "side", "type"),
        _SINGLE,
        1,
        engine=False,
    ),
    Endpoint(
        "/api/v3/orderList/oco",
        _OCO_PARAMETERS,
        ("symbol", "side", "quantity", "aboveType", "belowType"),
        (_oco_leg("above"), _oco_leg("below")),
        2,
        kind="oco",
    ),
    Endpoint(
        "/api/v3/order/oco",
        _DEPRECATED_OCO_PARAMETERS,
        ("symbol", "side", "quantity", "price", "stopPrice"),
        _DEPRECATED_OCO_LEGS,
        2,
        kind="oco",
    ),
    Endpoint(
        "/api/v3/orderList/oto",
        _OTO_PARAMETERS,
        (
            "symbol",
            "workingType",
            "workingSide",
            "workingPrice",
            "workingQuantity",
            "pendingType",
            "pendingSide",
            "pendingQuantity",
        ),
        (
            _WORKING,
            Leg("pending", _names("pending", quoteOrderQty=""), ALL_TYPES, pending=True),
        ),
        2,
        kind="oto",
    ),
    Endpoint(
        "/api/v3/orderList/otoco",
        _OTOCO_PARAMETERS,
        (
            "symbol",
            "workingType",
            "workingSide",
            "workingPrice",
            "workingQuantity",
            "pendingSide",
            "pendingQuantity",
            "pendingAboveType",
            # The spec's table marks pendingBelowType optional, yet an OTOCO is three orders
            # by definition ("OTOCO has 2 pending orders"); it is taken as mandatory.
            "pendingBelowType",
        ),
        (
            _WORKING,
            _oco_leg("pendingAbove", "pendingSide", "pendingQuantity", pending=True),
            _oco_leg("pendingBelow", "pendingSide", "pendingQuantity", pending=True),
        ),
        3,
        kind="otoco",
    ),
    Endpoint(
        "/api/v3/orderList/opo",
        _OPO_PARAMETERS,
        (
            "symbol",
            "workingType",
            "workingSide",
            "workingPrice",
            "workingQuantity",
            "pendingType",
            "pendingSide",
        ),
        (
            _WORKING,
            Leg("pending", _names("pending", quoteOrderQty="", quantity=""), pending=True),
        ),
        2,  # "OPOs add 2 orders to the EXCHANGE_MAX_NUM_ORDERS filter and MAX_NUM_ORDERS"
        kind="opo",
        since=OPO,
    ),
    Endpoint(
        "/api/v3/orderList/opoco",
        _OPOCO_PARAMETERS,
        (
            "symbol",
            "workingType",
            "workingSide",
            "workingPrice",
            "workingQuantity",
            "pendingSide",
            "pendingAboveType",
            # Optional in the table, as for the OTOCO, yet an OPOCO's pending orders are an OCO
            # pair ("Unfilled Order Count: 3"); taken as mandatory, as for the OTOCO.
            "pendingBelowType",
        ),
        (
            _WORKING,
            _oco_leg("pendingAbove", "pendingSide", "", pending=True),
            _oco_leg("pendingBelow", "pendingSide", "", pending=True),
        ),
        3,  # the docs give no count; an OPOCO holds three orders, as the OTOCO that adds 3
        kind="opoco",
        since=OPO,
    ),
    Endpoint(
        "/api/v3/sor/order",
        _SOR_PARAMETERS,
        ("symbol", "side", "type", "quantity"),
        (
            Leg(
                None,
                _names(quoteOrderQty="", stopPrice="", trailingDelta="", **_NO_PEGS),
                frozenset({"LIMIT", "MARKET"}),
                "sor_order_type",
            ),
        ),
        1,
        kind="sor",
    ),
    Endpoint(
        "/api/v3/sor/order/test",
        {**_SOR_PARAMETERS, "computeCommissionRates": BOOLEAN},
        ("symbol", "side", "type", "quantity"),
        (
            Leg(
                None,
                _names(quoteOrderQty="", stopPrice="", trailingDelta="", **_NO_PEGS),
                frozenset({"LIMIT", "MARKET"}),
                "sor_order_type",
            ),
        ),
        1,
        engine=False,
        kind="sor",
    ),
    Endpoint(
        "/api/v3/order/cancelReplace",
        _CANCEL_REPLACE_PARAMETERS,
        ("symbol", "side", "type", "cancelReplaceMode"),
        _SINGLE,
        1,
        kind="cancelReplace",
    ),
    Endpoint(
        "/api/v3/order/amend/keepPriority",
        _AMEND_PARAMETERS,
        ("symbol", "newQty"),
        (),
        0,
        kind="amend",
        # CHANGELOG 2025-04-07 and 2025-04-21 (docs 2026-07, 6): the request and amendAllowed
        # appear on 2025-04-24; the feature is enabled on all symbols on 2025-05-07.
        since=AMEND,
    ),
)

#: Path -> endpoint, for every endpoint ``check`` knows.
ENDPOINTS: Mapping[str, Endpoint] = MappingProxyType({e.path: e for e in _ENDPOINTS})
