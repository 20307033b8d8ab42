"""Every rule filterlib enforces, as data: code, exact message, source, and evaluation order.

Binance returns one error per request, and no document says in which order it evaluates its
rules. The order below is filterlib's documented choice (docs/rules.md says why for each layer);
the engine finds every violation, then reports the one whose rule comes first here. Correcting
the order is a change to this table alone, pinned by the conformance cases.

Messages are Binance's exact texts. ``%s`` marks where Binance puts a parameter name or value.
Where sources disagree, ``message`` is what Binance sends today and ``variants`` records the other
texts with their sources, so that both are known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

from attrs import frozen

from ._dates import ACCOUNT_TEXTS, LIQUIDITY, MY_FILTERS, OPO, PEGS, PRECISION_TEXT, AsOf, in_force
from ._endpoints import ENDPOINTS, Endpoint

__all__ = [
    "ORDER_LIST_KINDS",
    "PLACING",
    "RANK",
    "RULES",
    "RULES_BY_ID",
    "STAGES",
    "Rule",
    "Variant",
    "rule",
]

#: The four layers of evaluation, in order. "engine" rules are the matching engine's: the test
#: endpoint (``POST /api/v3/order/test``) "does not send [the order] into the matching engine",
#: so they are not evaluated there.
STAGES = ("request", "symbol", "filter", "engine")


@frozen
class Variant:
    """Another text known for the same rule, and where it comes from. ``until``: Binance sent
    this text instead of the rule's until that day (the verdicts of earlier days carry it)."""

    message: str
    source: str
    until: dt.date | None = None


@frozen
class Rule:
    """One rule. ``endpoints`` names the endpoints whose requests it concerns, each by its kind
    (``Endpoint.kind``: every endpoint of that kind) or by its path; empty: every endpoint."""

    id: str
    code: int
    message: str
    stage: str
    checks: str
    source: str
    needs: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = ()
    endpoints: tuple[str, ...] = ()
    #: The days between which Binance applied the rule (``until`` excluded); None: from the
    #: first snapshot there is evidence for, or still in force.
    since: dt.date | None = None
    until: dt.date | None = None
    #: False: no context filterlib reads can decide it (Binance decides it from state only the
    #: server sees). Such a rule is always in ``unchecked``, with its reason; ``--fail-on
    #: unchecked`` and a fail-closed guard leave it out, as nothing a caller passes clears it.
    decidable: bool = True

    def in_force(self, day: AsOf) -> bool:
        """Whether Binance applied this rule on ``day`` (None: the latest rules)."""
        return in_force(day, self.since, self.until)

    def message_on(self, day: AsOf) -> str:
        """The text Binance sent for this rule on ``day``."""
        if day is not None:
            for v in self.variants:
                if v.until is not None and day < v.until:
                    return v.message
        return self.message

    def applies_to(self, endpoint: Endpoint) -> bool:
        """Whether this rule can concern a request to ``endpoint``: the rule belongs to it, and
        an engine rule needs an endpoint that reaches the matching engine (not a test one)."""
        if self.stage == "engine" and not endpoint.engine:
            return False
        scope = self.endpoints
        return not scope or endpoint.kind in scope or endpoint.path in scope


def _filter_rule(
    name: str, checks: str, needs: tuple[str, ...] = (), endpoints: tuple[str, ...] = ()
) -> Rule:
    return Rule(
        name,
        -1013,
        f"Filter failure: {name}",
        "filter",
        checks,
        f"spec: Filters > {name}; Errors > Filter failures",
        needs,
        endpoints=endpoints,
    )


def _engine_filter_rule(
    name: str,
    checks: str,
    needs: tuple[str, ...],
    where: str,
    endpoints: tuple[str, ...] = (),
    *,
    since: dt.date | None = None,
) -> Rule:
    """A filter the matching engine judges. ``where`` is the section that defines it: the
    spec's Filters section, or (with a ``since`` day) the changelog of a later filter."""
    return Rule(
        name,
        -2010,
        f"Filter failure: {name}",
        "engine",
        checks,
        (f"spec: Filters > {where}; Errors > Filter failures" if since is None else where)
        + ". Code -2010 as observed for MAX_NUM_ALGO_ORDERS in "
        "https://github.com/JKorf/Binance.Net/issues/1212 "
        "(account-state filters are judged by the matching engine)",
        needs,
        (Variant(f"-1013 Filter failure: {name}", "spec: Errors > -1013 INVALID_MESSAGE"),),
        endpoints=endpoints,
        since=since,
    )


LISTS = "Trading endpoints > New Order list - OCO"

# Endpoint scopes (see Rule.endpoints).
_OCO_PAIR = ("oco", "otoco", "opoco")  # the requests that hold an OCO pair
#: The requests whose OCO pair is an above and a below leg with their types sent (aboveType,
#: pendingBelowType ...): the new OCO and the OTOCO. The deprecated OCO (kind "oco" too) sends
#: no type and no above/below pair: its legs are a limit (LIMIT_MAKER) and a stop (STOP_LOSS, or
#: STOP_LOSS_LIMIT with stopLimitPrice), implied by its parameters, so the rules of a leg's
#: type and of which leg holds which order cannot concern it.
_OCO_TYPED_PAIR = ("/api/v3/orderList/oco", "otoco", "opoco")
#: The endpoint kinds that open an order list (the deprecated OCO too), whose legs the request
#: names (above, working, ...): the scope of the order-list rules and count filters.
ORDER_LIST_KINDS = ("oco", "oto", "otoco", "opo", "opoco")
#: The lists with a working order and pending ones.
_WORKING_LISTS = ("oto", "otoco", "opo", "opoco")
#: One Pays the Other (docs 2026-07, 3b): the OPO and the OPOCO.
_OPO_LISTS = ("opo", "opoco")
_DEPRECATED_OCO = ("/api/v3/order/oco",)
_CANCEL_REPLACE = ("cancelReplace",)
#: The requests that take price pegs: every placing kind but SOR ("Currently, Smart Order
#: Routing (SOR) does not support pegged orders", docs 2026-07, 3a) and the deprecated OCO.
_PEGGED = ("order", "/api/v3/orderList/oco", "oto", "otoco", "opo", "opoco", "cancelReplace")
_AMEND = ("amend",)
#: The endpoint kinds that place orders: every kind but the amend, which changes an open
#: order's quantity in place. An amend is judged by the amend rules, by LOT_SIZE and the
#: notional filters on newQty (research §14) and by the rules of the symbol and the account;
#: the rules of a new order's type, price, stop and iceberg, and the open-order counts (an
#: amend adds no order), are scoped to these kinds, as are the request rules of the parameters
#: an amend does not take (side, type, timeInForce, price, strategyType, the enums).
PLACING = ("order", "oco", "oto", "otoco", "opo", "opoco", "sor", "cancelReplace")
#: PLACING less the deprecated OCO, which sends no order type (see _OCO_TYPED_PAIR).
_TYPE_SENT = (
    "order",
    "/api/v3/orderList/oco",
    "oto",
    "otoco",
    "opo",
    "opoco",
    "sor",
    "cancelReplace",
)

_NOT_SUPPORTED = (
    "spec: Errors > Messages for -1010, -2010, -2011 and -2038; code -1013 as observed for "
    "'Stop loss orders are not supported for this symbol.' in "
    "https://github.com/binance-exchange/node-binance-api/issues/200"
)

RULES: tuple[Rule, ...] = (
    # -- request layer: the parameters themselves (-11xx) -------------------------------------
    Rule(
        "empty_parameter",
        -1105,
        "Parameter '%s' was empty.",
        "request",
        "no parameter the endpoint reads is sent with an empty value",
        "spec: Errors > -1105 PARAM_EMPTY. Live: "
        "https://github.com/binance-exchange/binacpp/issues/32 (an empty timeInForce on MARKET "
        "got -1105, not -1106), https://github.com/askmike/gekko/pull/1427 (quantity)",
        variants=(
            Variant(
                "Parameter '%s' was was empty.",
                "the text in 2017-2018 (same sources)",
            ),
        ),
    ),
    Rule(
        "mandatory_parameter",
        -1102,
        "Mandatory parameter '%s' was not sent, was empty/null, or malformed.",
        "request",
        "the parameters every request of the endpoint needs are sent (POST /api/v3/order: "
        "symbol, side, type; the order lists: their legs' types, sides and quantities)",
        "spec: Trading endpoints > New order (parameter table); Errors > -1102. Live text: "
        "https://github.com/ccxt/ccxt/issues/3097. Before -1104: an OCO sent with the old "
        "parameter names got -1102 for 'aboveType', not -1104 "
        "(https://github.com/sammchardy/python-binance/issues/1544, docs/design/evidence.md §21)",
    ),
    Rule(
        "unread_parameters",
        -1104,
        "Not all sent parameters were read; read '%s' parameter(s) but was sent '%s'.",
        "request",
        "every parameter sent is one the endpoint reads; the counts include timestamp and "
        "signature, which a signed request always carries",
        "spec: Errors > -1104. Live: https://github.com/binance/binance-connector-python/"
        "issues/172 (a misspelt timeInforce on LIMIT: read '7' of '8', the missing timeInForce "
        "not reported), https://github.com/sammchardy/python-binance/issues/472, "
        "https://github.com/ccxt/ccxt/issues/8449 (-1104 won over quantity=0)",
    ),
    Rule(
        "illegal_characters",
        -1100,
        "Illegal characters found in parameter '%s'; legal range is '%s'.",
        "request",
        "symbol matches ^[\\w\\-._&&[^a-z]]{1,50}$ (no lower case); DECIMAL parameters match "
        "^([0-9]{1,20})(\\.[0-9]{1,20})?$ (no sign, no exponent, ASCII digits); LONG and INT "
        "parameters match ^[0-9]{1,20}$; newClientOrderId matches ^[a-zA-Z0-9-_]{1,36}$",
        "spec: Errors > -1100 (template). Legal ranges from live messages: "
        "https://github.com/sammchardy/python-binance/issues/255, "
        "https://github.com/ccxt/ccxt/issues/26271 (decimal), "
        "https://github.com/sammchardy/python-binance/issues/123 (integer), "
        "https://github.com/binance/binance-spot-api-docs/pull/34 (client order id), "
        "https://github.com/ccxt/ccxt/issues/11667 (a negative quantity); the symbol pattern "
        "from a live klines response of 2025-12-25 (docs/design/evidence.md §8)",
        variants=(
            Variant(
                "Illegal characters found in parameter 'symbol'; legal range is "
                "'^[A-Z0-9-_.]{1,20}$'.",
                "the symbol pattern in older responses (docs/design/evidence.md §8)",
            ),
        ),
    ),
    Rule(
        "invalid_side",
        -1117,
        "Invalid side.",
        "request",
        "side is BUY or SELL",
        "spec: Errors > -1117 INVALID_SIDE; Enums > Order side",
        endpoints=PLACING,
    ),
    Rule(
        "invalid_order_type",
        -1116,
        "Invalid orderType.",
        "request",
        "type is one of the spec's order types",
        "spec: Errors > -1116 INVALID_ORDER_TYPE; Enums > Order types",
        endpoints=_TYPE_SENT,
    ),
    Rule(
        "oco_order_type",
        -1158,
        "Order type not supported in OCO.",
        "request",
        "an OCO leg (above/below, pendingAbove/pendingBelow) is LIMIT_MAKER, STOP_LOSS, "
        "STOP_LOSS_LIMIT, TAKE_PROFIT or TAKE_PROFIT_LIMIT",
        "spec: Errors > -1158; Trading endpoints > New Order list - OCO (aboveType, belowType)",
        endpoints=_OCO_TYPED_PAIR,
    ),
    Rule(
        "working_order_type",
        -1116,
        "Invalid orderType.",
        "request",
        "an OTO, OTOCO, OPO or OPOCO working order is LIMIT or LIMIT_MAKER",
        "spec: Trading endpoints > New Order list - OTO ('must be LIMIT or LIMIT_MAKER'); docs "
        "2026-07, 2c and 2d (workingType 'Supported values: LIMIT, LIMIT_MAKER'); the code and "
        "text are inferred from -1116, no live response was found",
        endpoints=_WORKING_LISTS,
    ),
    Rule(
        "sor_order_type",
        -1116,
        "Invalid orderType.",
        "request",
        "an SOR order is LIMIT or MARKET",
        "spec: Trading endpoints > New order using SOR ('only supports LIMIT and MARKET "
        "orders'); the code and text are inferred from -1116, no live response was found",
        endpoints=("sor",),
    ),
    Rule(
        "invalid_time_in_force",
        -1115,
        "Invalid timeInForce.",
        "request",
        "timeInForce is GTC, IOC or FOK",
        "spec: Errors > -1115 INVALID_TIF; Enums > Time in force",
        endpoints=PLACING,
    ),
    Rule(
        "invalid_peg_price_type",
        -1210,
        "Invalid pegPriceType.",
        "request",
        "pegPriceType is PRIMARY_PEG or MARKET_PEG",
        "docs 2026-07, 1 (-1210 INVALID_PEG_PRICE_TYPE) and 2b (New order: 'PRIMARY_PEG or "
        "MARKET_PEG'); CHANGELOG 2025-08-12 (pegged orders from 2025-08-28)",
        endpoints=_PEGGED,
        since=PEGS,
    ),
    Rule(
        "invalid_peg_offset_type",
        -1211,
        "Invalid pegOffsetType.",
        "request",
        "pegOffsetType is PRICE_LEVEL",
        "docs 2026-07, 1 (-1211 INVALID_PEG_OFFSET_TYPE) and 2b (New order: 'Only PRICE_LEVEL "
        "is supported'); CHANGELOG 2025-08-12",
        endpoints=_PEGGED,
        since=PEGS,
    ),
    Rule(
        "invalid_parameter",
        -1130,
        "Data sent for parameter '%s' is not valid.",
        "request",
        "newOrderRespType is ACK, RESULT or FULL; selfTradePreventionMode is an STP mode",
        "spec: Errors > -1130 INVALID_PARAMETER; Enums > Order Response Type, STP Modes. "
        "The code for an unknown enum value here is inferred (research §9)",
        endpoints=PLACING,
    ),
    Rule(
        "invalid_cancel_restrictions",
        -1145,
        "cancelRestrictions has to be either ONLY_NEW or ONLY_PARTIALLY_FILLED.",
        "request",
        "cancelRestrictions is ONLY_NEW or ONLY_PARTIALLY_FILLED",
        "spec: Errors > -1145 (its backticks taken as markdown)",
        variants=(
            Variant(
                "`cancelRestrictions` has to be either `ONLY_NEW` or `ONLY_PARTIALLY_FILLED`.",
                "spec: Errors > -1145, literally",
            ),
            Variant("Invalid cancelRestrictions", "spec: Trading endpoints > Cancel order"),
        ),
        endpoints=_CANCEL_REPLACE,
    ),
    Rule(
        "parameter_overflow",
        -1108,
        "Parameter '%s' overflowed.",
        "request",
        "DECIMAL values fit Binance's fixed-point range (at most 92233720368.54775807, "
        "int64 with 8 decimals)",
        "spec: Errors > -1108 PARAM_OVERFLOW; CHANGELOG 2022-12-05 (research §16). The bound is "
        "inferred from int64/1e8, the largest value seen in real snapshots (LUNCBUSD "
        "maxPosition)",
        variants=(
            Variant(
                "-1018 A parameter caused overflow.",
                "live before -1108 existed: https://github.com/ccxt/ccxt/issues/14289 (2022-07)",
            ),
        ),
    ),
    Rule(
        "parameter_not_required",
        -1106,
        "Parameter '%s' sent when not required.",
        "request",
        "no parameter the order type does not take (timeInForce on MARKET, STOP_LOSS, "
        "TAKE_PROFIT and LIMIT_MAKER; price on MARKET, STOP_LOSS, TAKE_PROFIT; stopPrice or "
        "trailingDelta on LIMIT, LIMIT_MAKER, MARKET; quoteOrderQty on anything but MARKET, or "
        "beside quantity; icebergQty on MARKET, STOP_LOSS, TAKE_PROFIT)",
        "spec: Trading endpoints > New order (type table); Errors > -1106. When both quantity and "
        "quoteOrderQty are sent, quoteOrderQty is named (https://github.com/ccxt/ccxt/issues/6396;"
        " not proven). Live: "
        "https://github.com/freqtrade/freqtrade/issues/1649, "
        "https://github.com/luzzif/binance-api-client/issues/9, "
        "https://github.com/ccxt/node-binance-api/issues/29, "
        "https://github.com/ccxt/ccxt/issues/6396",
        variants=(
            Variant(
                "-1114 TimeInForce parameter sent when not required.",
                "spec: Errors > -1114 (live responses show -1106 instead)",
            ),
        ),
        endpoints=PLACING,
    ),
    Rule(
        "mandatory_for_type",
        -1102,
        "Mandatory parameter '%s' was not sent, was empty/null, or malformed.",
        "request",
        "the parameters the order type requires (LIMIT: timeInForce, quantity, price; MARKET: "
        "quantity or quoteOrderQty; STOP_LOSS/TAKE_PROFIT: quantity, stopPrice or "
        "trailingDelta; *_LIMIT: timeInForce, quantity, price, stopPrice or trailingDelta; "
        "LIMIT_MAKER: quantity, price). For an either-or pair the text is \"Param '%s' or '%s' "
        'must be sent, but both were empty/null!"',
        "spec: Trading endpoints > New order (type table); Errors > -1102. Live: "
        "https://github.com/craysiii/binance/issues/24, "
        "https://github.com/JKorf/Binance.Net/issues/1085",
        endpoints=PLACING,
    ),
    Rule(
        "mandatory_one_of",
        -1102,
        "Param '%s' or '%s' must be sent, but both were empty/null!",
        "request",
        "cancelReplace sends cancelOrderId or cancelOrigClientOrderId; an amend sends orderId "
        "or origClientOrderId",
        "spec: Trading endpoints > Cancel an Existing Order and Send a New Order, Order Amend "
        "Keep Priority; Errors > -1102 (template); CHANGELOG 2025-04-07 (research §16)",
        endpoints=(*_CANCEL_REPLACE, *_AMEND),
    ),
    Rule(
        "oco_stop_limit_time_in_force",
        -1128,
        "Combination of optional parameters invalid. Recommendation: 'stopLimitTimeInForce' "
        "should also be sent.",
        "request",
        "the deprecated OCO's stopLimitPrice comes with stopLimitTimeInForce",
        "spec: Trading endpoints > New OCO - Deprecated ('If provided, stopLimitTimeInForce is "
        "required'); CHANGELOG 2019-11-13 (research §16). Live: "
        "https://github.com/JKorf/Binance.Net/issues/595",
        endpoints=_DEPRECATED_OCO,
    ),
    Rule(
        "peg_offset_together",
        -1128,
        "Combination of optional parameters invalid. Recommendation: '%s' should also be sent.",
        "request",
        "pegOffsetType and pegOffsetValue are sent together or not at all",
        "docs 2026-07, 2b ('These parameters must be specified together'). The text is "
        "filterlib's reading: -1128 in the form Binance sent for the old OCO's "
        "stopLimitTimeInForce (docs/design/evidence.md §22c), naming the parameter not sent",
        variants=(
            Variant(
                "Combination of optional fields invalid. Recommendation: '%s' and '%s' must "
                "both be sent.",
                "docs 2026-07, Appendix A (-1128; the FIX API's wording)",
            ),
        ),
        endpoints=_PEGGED,
        since=PEGS,
    ),
    Rule(
        "iceberg_time_in_force",
        -1013,
        "Unsupported order combination",
        "request",
        "an order with icebergQty has timeInForce GTC (or is LIMIT_MAKER)",
        "spec: Trading endpoints > New order ('Any order with an icebergQty MUST have "
        "timeInForce set to GTC'); text from Errors > Messages for -2010 ('Unsupported order "
        "combination'). The code is inferred: the check needs no market state",
        variants=(Variant("-1014 Unsupported order combination.", "spec: Errors > -1014"),),
        endpoints=("order", "sor", "cancelReplace"),
    ),
    Rule(
        "peg_order_type",
        -1013,
        "This order type may not use pegged price.",
        "request",
        "pegPriceType is sent only on LIMIT, LIMIT_MAKER, STOP_LOSS_LIMIT and TAKE_PROFIT_LIMIT "
        "orders",
        "docs 2026-07, 1 (-2010 table: 'You are using parameter pegPriceType with an "
        "unsupported order type. (e.g. MARKET)') and 3a ('What order types support pegged "
        "orders?'). Code -1013 is filterlib's reading, as for 'Unsupported order combination': "
        "the check needs no market state",
        variants=(Variant("-2010 This order type may not use pegged price.", "docs 2026-07, 1"),),
        endpoints=_PEGGED,
        since=PEGS,
    ),
    Rule(
        "peg_type_combination",
        -1013,
        "This price peg cannot be used with this order type.",
        "request",
        "a LIMIT_MAKER is pegged only with PRIMARY_PEG; a LIMIT with PRIMARY_PEG is GTC",
        "docs 2026-07, 1 (-2010 table: 'pegPriceType=MARKET_PEG for a LIMIT_MAKER order') and "
        "3a ('LIMIT: With pegPriceType=PRIMARY_PEG only timeInForce=GTC is allowed'; "
        "'LIMIT_MAKER: Only pegPriceType=PRIMARY_PEG'). That a LIMIT PRIMARY_PEG that is not "
        "GTC gets this text is filterlib's reading; code -1013 as for peg_order_type",
        variants=(
            Variant("-2010 This price peg cannot be used with this order type.", "docs 2026-07, 1"),
        ),
        endpoints=_PEGGED,
        since=PEGS,
    ),
    Rule(
        "list_iceberg_time_in_force",
        -1160,
        "Parameter '%s' is not supported if aboveTimeInForce/belowTimeInForce is not GTC.",
        "request",
        "an order-list leg's icebergQty comes with its timeInForce GTC (or a LIMIT_MAKER leg)",
        "spec: Errors > -1160 (its backticks taken as markdown); Trading endpoints > New Order "
        "list - OCO, OTO, OTOCO (the *IcebergQty parameters). The text names above/below for "
        "every list, as the spec gives only that one",
        endpoints=ORDER_LIST_KINDS,
    ),
    Rule(
        "oco_limit_below",
        -1165,
        "A limit order in a buy OCO must be below.",
        "request",
        "in a BUY OCO the LIMIT_MAKER leg is the below leg",
        f"spec: Errors > -1165; {LISTS} ('BUY: LIMIT_MAKER price < Last < stopPrice')",
        endpoints=_OCO_TYPED_PAIR,
    ),
    Rule(
        "oco_limit_above",
        -1166,
        "A limit order in a sell OCO must be above.",
        "request",
        "in a SELL OCO the LIMIT_MAKER leg is the above leg",
        f"spec: Errors > -1166; {LISTS}",
        endpoints=_OCO_TYPED_PAIR,
    ),
    Rule(
        "oco_contingent",
        -1168,
        "At least one OCO order must be contingent.",
        "request",
        "an OCO's legs are not both LIMIT_MAKER",
        f"spec: Errors > -1168 BOTH_OCO_ORDERS_CANNOT_BE_LIMIT; {LISTS}",
        endpoints=_OCO_TYPED_PAIR,
    ),
    Rule(
        "oco_stop_loss_above",
        -1196,
        "A stop loss order in a buy OCO must be above.",
        "request",
        "in a BUY OCO the STOP_LOSS(_LIMIT) leg is the above leg",
        f"spec: Errors > -1196; {LISTS}",
        endpoints=_OCO_TYPED_PAIR,
    ),
    Rule(
        "oco_stop_loss_below",
        -1197,
        "A stop loss order in a sell OCO must be below.",
        "request",
        "in a SELL OCO the STOP_LOSS(_LIMIT) leg is the below leg",
        f"spec: Errors > -1197; {LISTS}",
        endpoints=_OCO_TYPED_PAIR,
    ),
    Rule(
        "oco_take_profit_below",
        -1198,
        "A take profit order in a buy OCO must be below.",
        "request",
        "in a BUY OCO the TAKE_PROFIT(_LIMIT) leg is the below leg",
        f"spec: Errors > -1198; {LISTS}",
        endpoints=_OCO_TYPED_PAIR,
    ),
    Rule(
        "oco_take_profit_above",
        -1199,
        "A take profit order in a sell OCO must be above.",
        "request",
        "in a SELL OCO the TAKE_PROFIT(_LIMIT) leg is the above leg",
        f"spec: Errors > -1199; {LISTS}",
        endpoints=_OCO_TYPED_PAIR,
    ),
    Rule(
        "opo_working_side",
        -1222,
        "Working order in an OPO list must be a bid.",
        "request",
        "an OPO's or OPOCO's working order is a BUY",
        "docs 2026-07, 1 (-1222 OPO_WORKING_MUST_BE_BUY) and 3b ('Only working orders on the "
        "BUY side and pending order(s) on the SELL side are accepted'); CHANGELOG 2025-12-02",
        endpoints=_OPO_LISTS,
        since=OPO,
    ),
    Rule(
        "opo_pending_side",
        -1223,
        "Pending orders in an OPO list must be asks.",
        "request",
        "an OPO's or OPOCO's pending orders are SELLs",
        "docs 2026-07, 1 (-1223 OPO_PENDING_MUST_BE_SELL) and 3b; CHANGELOG 2025-12-02",
        endpoints=_OPO_LISTS,
        since=OPO,
    ),
    Rule(
        "oco_price_order",
        -1013,
        "The relationship of the prices for the orders is not correct.",
        "request",
        "the deprecated OCO's legs agree with each other: SELL price > stopPrice, BUY price < "
        "stopPrice",
        "live, code -1013, a SELL with price below stopPrice: "
        "https://github.com/ccxt/ccxt/issues/8241 (docs/design/evidence.md §22)",
        endpoints=_DEPRECATED_OCO,
    ),
    Rule(
        "strategy_type",
        -1134,
        "strategyType was less than 1000000.",
        "request",
        "strategyType is at least 1000000",
        "spec: Trading endpoints > New order; Errors > -1134 (the spec's backticks are taken "
        "as markdown, not part of the text; no live response was found)",
        variants=(
            Variant("`strategyType` was less than 1000000.", "spec: Errors > -1134, literally"),
        ),
        endpoints=PLACING,
    ),
    Rule(
        "recv_window",
        -1102,
        "'recvWindow' contains unexpected value. Cannot be greater than 60000.",
        "request",
        "recvWindow is at most 60000",
        "spec: Trading endpoints > New order ('cannot be greater than 60000'); Errors > -1102 "
        "template \"'%s' contains unexpected value. Cannot be greater than %s.\"",
        variants=(
            Variant(
                "-1131 'recvWindow' must be less than 60000.",
                "live 2019-2021: https://github.com/sammchardy/python-binance/issues/432, "
                "https://github.com/binance-exchange/binance-java-api/issues/313; the code is "
                "gone from the spec's error list",
            ),
        ),
    ),
    Rule(
        "peg_offset_value",
        -1102,
        "'%s' contains unexpected value. Cannot be greater than 100.",
        "request",
        "pegOffsetValue is at most 100",
        "docs 2026-07, 2b ('Price level to peg the price to (max: 100)'); the text is "
        "filterlib's reading: Errors > -1102's template \"'%s' contains unexpected value. Cannot "
        'be greater than %s.", as for recvWindow',
        endpoints=_PEGGED,
        since=PEGS,
    ),
    Rule(
        "unknown_symbol",
        -1121,
        "Invalid symbol.",
        "request",
        "the symbol is in the snapshot",
        "spec: Errors > -1121 BAD_SYMBOL",
    ),
    Rule(
        "too_much_precision",
        -1111,
        "Parameter '%s' has too much precision.",
        "request",
        "decimals written (trailing zeros count) do not exceed the asset's precision: "
        "baseAssetPrecision for quantity and icebergQty, quoteAssetPrecision for price, "
        "stopPrice and quoteOrderQty; recvWindow takes at most 3 since 2025-08-28 (docs "
        "2026-07, 2a; more is filterlib's reading of -1111)",
        "spec: Errors > -1111; CHANGELOG 2023-12-04 (research §5, §16). Live: "
        "https://github.com/veighna-global/vnpy_binance/pull/43",
        variants=(
            Variant(
                "Precision is over the maximum defined for this asset.",
                "the text before 2023-12-04: https://github.com/sammchardy/python-binance/"
                "issues/296",
                until=PRECISION_TEXT,
            ),
        ),
    ),
    Rule(
        "invalid_quantity",
        -1013,
        "Invalid quantity.",
        "request",
        "quantity is not zero, nor quoteOrderQty",
        "live: https://github.com/ccxt/binance-trade-bot/issues/357, "
        "https://github.com/fj317/PumpBot/issues/55. For a zero quoteOrderQty the text is "
        "filterlib's reading: a quote-quantity MARKET order of an amount that buys nothing got "
        "'Invalid quantity.' (https://github.com/Th0rgal/binance.py/issues/10)",
    ),
    Rule(
        "invalid_price",
        -1013,
        "Invalid price.",
        "request",
        "price is not zero",
        "live: https://github.com/binance-exchange/node-binance-api/issues/41, "
        "https://github.com/JKorf/Binance.Net/issues/158",
        endpoints=PLACING,
    ),
    Rule(
        "duplicate_client_ids",
        -1013,
        "Duplicate order sent.",
        "request",
        "the orders of one request have distinct client order ids",
        "live, code -1013: https://github.com/hughestu/MATLAB-Binance-API/issues/6 (a deprecated "
        "OCO sent with limitClientOrderId=0 and stopClientOrderId=0); text: spec: Errors > "
        "Messages for -2010 ('The clOrdId is already in use')",
        endpoints=ORDER_LIST_KINDS,
    ),
    # -- symbol layer: what the symbol allows (-1013, rejected before the matching engine) ----
    Rule(
        "market_closed",
        -1013,
        "Market is closed.",
        "symbol",
        "the symbol's status is TRADING (a new order on a CANCEL_ONLY symbol too: that status "
        "allows only cancels and amends)",
        "live: https://github.com/sammchardy/python-binance/issues/1329 (code -1013); spec: "
        "Errors > Messages for -2010",
        variants=(
            Variant(
                "-2010 Market is closed.",
                "spec: Errors > Messages for -1010, -2010, -2011 and -2038",
            ),
            Variant(
                "This order type is not possible in this trading phase.",
                "CHANGELOG 2023-03-13 (research §10), for some trading phases",
            ),
        ),
        endpoints=PLACING,
    ),
    Rule(
        "amend_market_closed",
        -1013,
        "Market is closed.",
        "symbol",
        "the symbol's status is TRADING, or CANCEL_ONLY, where users 'can only cancel and "
        "amend orders'",
        "docs 2026-07, 7a (glossary: CANCEL_ONLY) and 5a; CHANGELOG 2026-07-01 (from 2026-07-07). "
        "The text and code of market_closed, whose rule this is for the amend",
        endpoints=_AMEND,
    ),
    Rule(
        "order_type_not_supported",
        -1013,
        "%s orders are not supported for this symbol.",
        "symbol",
        "the order type is in the symbol's orderTypes (texts: 'Market orders ...', 'Stop loss "
        "orders ...', 'Stop loss limit orders ...', 'Take profit orders ...', 'Take profit "
        "limit orders ...', 'Limit orders ...', 'Limit maker orders ...')",
        _NOT_SUPPORTED + ". The LIMIT and LIMIT_MAKER texts follow the same pattern (inferred)",
        endpoints=PLACING,
    ),
    Rule(
        "iceberg_not_supported",
        -1013,
        "Iceberg orders are not supported for this symbol.",
        "symbol",
        "an order with icebergQty > 0 is on a symbol with icebergAllowed",
        _NOT_SUPPORTED,
        endpoints=PLACING,
    ),
    Rule(
        "quote_order_qty_not_supported",
        -1013,
        "Quote order qty market orders are not supported for this symbol.",
        "symbol",
        "a MARKET order with quoteOrderQty is on a symbol with quoteOrderQtyMarketAllowed",
        "live: https://github.com/sammchardy/python-binance/issues/1343, "
        "https://github.com/ccxt/ccxt/issues/17932 (code -1013)",
        variants=(
            Variant(
                "Quote order qty market orders are not support for this symbol.",
                "spec: Errors > Messages for -2010 (a typo there)",
            ),
        ),
        endpoints=PLACING,
    ),
    Rule(
        "trailing_stop_not_supported",
        -1013,
        "Trailing stop orders are not supported for this symbol.",
        "symbol",
        "an order with trailingDelta is on a symbol with allowTrailingStop",
        _NOT_SUPPORTED,
        endpoints=PLACING,
    ),
    Rule(
        "peg_not_supported",
        -1013,
        "Pegged orders are not supported for this symbol.",
        "symbol",
        "a pegged order is on a symbol with pegInstructionsAllowed",
        "docs 2026-07, 1 (-2010 table: 'pegInstructionsAllowed has not been enabled') and 3a "
        "('Which symbols allow pegged orders?'); code -1013 as for the other capability texts ("
        + _NOT_SUPPORTED
        + ")",
        variants=(
            Variant("-2010 Pegged orders are not supported for this symbol.", "docs 2026-07, 1"),
        ),
        endpoints=_PEGGED,
        since=PEGS,
    ),
    Rule(
        "stp_mode_not_allowed",
        -1013,
        "This symbol does not allow the specified self-trade prevention mode.",
        "symbol",
        "selfTradePreventionMode (or the symbol's default) is in allowedSelfTradePreventionModes"
        "; skipped for snapshots from before STP, which lack the field",
        "Binance STP FAQ (research §9)",
    ),
    Rule(
        "oco_not_supported",
        -1013,
        "OCO orders are not supported for this symbol",
        "symbol",
        "an OCO (or OTOCO or OPOCO, whose pending pair is an OCO) is on a symbol with ocoAllowed",
        _NOT_SUPPORTED + " (the spec's text has no final period); for the OPOCO: docs 2026-07, "
        "3b ('OPOCO: otoAllowed, opoAllowed, and ocoAllowed')",
        variants=(
            Variant(
                "OCO orders are not supported for this symbol.", "CHANGELOG 2019-08-15, with one"
            ),
        ),
        endpoints=_OCO_PAIR,
    ),
    Rule(
        "oto_not_supported",
        -1013,
        "OTO orders are not supported for this symbol.",
        "symbol",
        "an OTO, OTOCO, OPO or OPOCO is on a symbol with otoAllowed",
        "inferred from the other capability texts; otoAllowed: CHANGELOG 2024-04-02 "
        "(research §16); for the OPO and OPOCO: docs 2026-07, 3b ('OPO: otoAllowed and "
        "opoAllowed'). No live response was found",
        endpoints=_WORKING_LISTS,
    ),
    Rule(
        "opo_not_supported",
        -1013,
        "OPO orders are not supported for this symbol.",
        "symbol",
        "an OPO or OPOCO is on a symbol with opoAllowed; unchecked on a snapshot without the field",
        "docs 2026-07, 1 (-2010 table) and 3b ('Which symbols allow OPO orders?'); CHANGELOG "
        "2025-12-02 (opoAllowed appears); code -1013 as for the other capability texts ("
        + _NOT_SUPPORTED
        + ")",
        variants=(
            Variant("-2010 OPO orders are not supported for this symbol.", "docs 2026-07, 1"),
        ),
        endpoints=_OPO_LISTS,
        since=OPO,
    ),
    Rule(
        "sor_not_supported",
        -1013,
        "This symbol has no SOR.",
        "symbol",
        "an SOR order's symbol is in the snapshot's sors (checked only when the snapshot has "
        "that key: 'Present only when SOR is available')",
        "spec: Exchange information (sors); live: https://github.com/ccxt/ccxt/pull/18883, "
        "https://github.com/ccxt/ccxt/pull/20252",
        endpoints=("sor",),
    ),
    Rule(
        "cancel_replace_not_supported",
        -1013,
        "Order cancel-replace is not supported for this symbol.",
        "symbol",
        "a cancel-replace is on a symbol with cancelReplaceAllowed",
        _NOT_SUPPORTED,
        endpoints=_CANCEL_REPLACE,
    ),
    Rule(
        "amend_not_supported",
        -1013,
        "Order amend is not supported for this symbol.",
        "symbol",
        "an amend is on a symbol with allowAmend (amendAllowed)",
        _NOT_SUPPORTED,
        endpoints=_AMEND,
    ),
    # -- symbol filters (-1013), in the order the spec's Filters section lists them ----------
    _filter_rule(
        "PRICE_FILTER",
        "price and stopPrice: >= minPrice, <= maxPrice, a multiple of tickSize; a zero bound "
        "or tick disables that part",
        endpoints=PLACING,
    ),
    _filter_rule(
        "PERCENT_PRICE",
        "price within [avg * multiplierDown, avg * multiplierUp], avg being the reference price, "
        "else the average price (lastPrice when avgPriceMins is 0); orders without price are "
        "not checked",
        ("avgPrice",),
        endpoints=PLACING,
    ),
    Rule(
        "PERCENT_PRICE_BY_SIDE",
        -1013,
        "Filter failure: PERCENT_PRICE_BY_SIDE",
        "filter",
        "as PERCENT_PRICE with bidMultiplierUp/Down for BUY and askMultiplierUp/Down for SELL",
        "spec: Filters > PERCENT_PRICE_BY_SIDE. The text is not in the spec's list; live: "
        "https://github.com/sammchardy/python-binance/issues/1411, "
        "https://github.com/freqtrade/freqtrade/issues/10144",
        ("avgPrice",),
        endpoints=PLACING,
    ),
    _filter_rule(
        "LOT_SIZE",
        "quantity and icebergQty: >= minQty, <= maxQty, a multiple of stepSize (zero disables); "
        "not applied to quoteOrderQty MARKET orders, which execute on the step by themselves",
    ),
    Rule(
        "price_quantity_zero",
        -1013,
        "Price * QTY is zero or less.",
        "filter",
        "price * quantity is above zero at Binance's 8-decimal fixed point (at least "
        "0.00000001); ranked before the notional filters, which Binance did not report for it",
        "spec: Errors > Messages for -2010 ('price * quantity is too low'). Live, code -1013: "
        "https://github.com/ccxt/ccxt/issues/7168, "
        "https://github.com/ccxt/binance-api-node/issues/223 (2019, when every symbol had "
        "MIN_NOTIONAL). The 8-decimal fixed point: -1108's int64 with 8 decimals (research §17)",
        endpoints=PLACING,
    ),
    _filter_rule(
        "MIN_NOTIONAL",
        "price * quantity >= minNotional; for MARKET orders (and STOP_LOSS/TAKE_PROFIT, which "
        "execute as MARKET) only with applyToMarket, at the average price; quoteOrderQty is "
        "the notional itself",
        ("avgPrice",),
    ),
    _filter_rule(
        "NOTIONAL",
        "minNotional <= price * quantity <= maxNotional; MARKET-like orders use the average "
        "price and only the bounds applyMinToMarket / applyMaxToMarket switch on; "
        "quoteOrderQty is the notional itself",
        ("avgPrice",),
    ),
    _filter_rule(
        "ICEBERG_PARTS",
        "CEIL(quantity / icebergQty) <= limit",
        endpoints=PLACING,
    ),
    _filter_rule(
        "MARKET_LOT_SIZE",
        "MARKET orders' quantity: >= minQty, <= maxQty, a multiple of stepSize (zero disables)",
        endpoints=PLACING,
    ),
    _filter_rule(
        "TRAILING_DELTA",
        "trailingDelta within the ABOVE bounds for STOP_LOSS(_LIMIT) BUY and TAKE_PROFIT(_LIMIT) "
        "SELL, within the BELOW bounds for the other side",
        endpoints=PLACING,
    ),
    # -- the matching engine (-2010); not evaluated by POST /api/v3/order/test ----------------
    Rule(
        "iceberg_exceeds_quantity",
        -2010,
        "IcebergQty exceeds QTY.",
        "engine",
        "icebergQty < quantity",
        "spec: Errors > Messages for -1010, -2010, -2011 and -2038",
        endpoints=PLACING,
    ),
    Rule(
        "oco_price_relationship",
        -2010,
        "The relationship of the prices for the orders is not correct.",
        "engine",
        "SELL: the limit or take-profit leg's price (a TAKE_PROFIT's stopPrice) > lastPrice > "
        "the stop-loss leg's stopPrice; BUY: the reverse",
        "spec: Errors > Messages for -2010; Trading endpoints > New OCO - Deprecated, New Order "
        "list - OCO (price restrictions). Live, code -2010, a limit leg not clearing the last "
        "price: https://github.com/sammchardy/python-binance/issues/907 "
        "(docs/design/evidence.md §22). For the new OCO endpoint the same check is inferred",
        ("lastPrice",),
        endpoints=("oco",),
    ),
    Rule(
        "account_cannot_trade",
        -2010,
        "This account may not place or cancel orders.",
        "engine",
        "the account's canTrade is true",
        "spec: Errors > Messages for -2010; CHANGELOG 2023-03-13",
        ("account",),
    ),
    Rule(
        "action_disabled",
        -2010,
        "This action is disabled on this account.",
        "engine",
        "never decided offline: which actions Binance disabled on the account ('Contact customer "
        "support; some actions have been disabled on the account') shows in no endpoint a "
        "caller reads",
        "spec: Errors > Messages for -2010",
        decidable=False,
    ),
    Rule(
        "symbol_not_permitted",
        -2010,
        "This symbol is not permitted for this account.",
        "engine",
        "the symbol allows spot trading (isSpotTradingAllowed) and the account's permissions "
        "meet every set of the symbol's permissionSets (or, in older snapshots, share one of "
        "its permissions)",
        "spec: Errors > Messages for -2010; Exchange information (permission sets). Live, code "
        "-2010: https://github.com/freqtrade/freqtrade/issues/11071",
        ("account",),
    ),
    Rule(
        "symbol_restricted",
        -2010,
        "This symbol is restricted for this account.",
        "engine",
        "never decided offline: whether the account 'is unable to trade on that symbol' (the "
        "spec's example: an ISOLATED_MARGIN account placing SPOT orders) shows in no endpoint "
        "a caller reads; the permissions the account shows are symbol_not_permitted's",
        "spec: Errors > Messages for -2010; CHANGELOG 2023-03-13 (research §16)",
        since=ACCOUNT_TEXTS,
        decidable=False,
    ),
    _engine_filter_rule(
        "MAX_NUM_ORDERS",
        "open orders on the symbol + 1 <= maxNumOrders",
        ("openOrders",),
        "MAX_NUM_ORDERS",
        endpoints=PLACING,
    ),
    _engine_filter_rule(
        "MAX_NUM_ALGO_ORDERS",
        "for STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT: open algo orders on the "
        "symbol + 1 <= maxNumAlgoOrders",
        ("openOrders",),
        "MAX_NUM_ALGO_ORDERS",
        endpoints=PLACING,
    ),
    _engine_filter_rule(
        "MAX_NUM_ICEBERG_ORDERS",
        "for icebergQty > 0: open iceberg orders on the symbol + 1 <= maxNumIcebergOrders",
        ("openOrders",),
        "MAX_NUM_ICEBERG_ORDERS",
        endpoints=PLACING,
    ),
    _engine_filter_rule(
        "MAX_POSITION",
        "for BUY: free + locked base balance + remaining quantity of open BUY orders on the "
        "symbol + quantity <= maxPosition",
        ("account", "openOrders"),
        "MAX_POSITION",
        endpoints=PLACING,
    ),
    _engine_filter_rule(
        "MAX_NUM_ORDER_LISTS",
        "for an order list: distinct open order lists on the symbol (orderListId other than -1 "
        "among openOrders; an OTOCO counts once) + 1 <= maxNumOrderLists",
        ("openOrders",),
        "docs 2026-07, 4 (filters.md: MAX_NUM_ORDER_LISTS, 'OTOCOs count as one order list') "
        "and 1 (errors.md: 'Filter failure: MAX_NUM_ORDER_LISTS'); enabled 2025-08-28 "
        "(CHANGELOG 2025-08-12)",
        endpoints=ORDER_LIST_KINDS,
        since=PEGS,
    ),
    _engine_filter_rule(
        "EXCHANGE_MAX_NUM_ORDERS",
        "open orders on all symbols + 1 <= maxNumOrders",
        ("openOrders",),
        "EXCHANGE_MAX_NUM_ORDERS",
        endpoints=PLACING,
    ),
    _engine_filter_rule(
        "EXCHANGE_MAX_NUM_ALGO_ORDERS",
        "for algo types: open algo orders on all symbols + 1 <= maxNumAlgoOrders",
        ("openOrders",),
        "EXCHANGE_MAX_NUM_ALGO_ORDERS",
        endpoints=PLACING,
    ),
    _engine_filter_rule(
        "EXCHANGE_MAX_NUM_ICEBERG_ORDERS",
        "for icebergQty > 0: open iceberg orders on all symbols + 1 <= maxNumIcebergOrders",
        ("openOrders",),
        "EXCHANGE_MAX_NUM_ICEBERG_ORDERS",
        endpoints=PLACING,
    ),
    _engine_filter_rule(
        "EXCHANGE_MAX_NUM_ORDER_LISTS",
        "for an order list: distinct open order lists on all symbols + 1 <= maxNumOrderLists",
        ("openOrders",),
        "docs 2026-07, 4 (filters.md: EXCHANGE_MAX_NUM_ORDER_LISTS) and 1 (errors.md: 'Filter "
        "failure: EXCHANGE_MAX_NUM_ORDER_LISTS'); its SBE support came with the list filters "
        "of 2025-08-28 (CHANGELOG 2025-08-12), no other date is given",
        endpoints=ORDER_LIST_KINDS,
        since=PEGS,
    ),
    Rule(
        "max_asset",
        -2010,
        "Filter failure: MAX_ASSET",
        "engine",
        "for each MAX_ASSET filter of the account (myFilters' assetFilters): quantity <= limit "
        "where its asset is the symbol's base asset; price * quantity (or quoteOrderQty) <= "
        "limit where it is the quote asset. A market order's notional (and a quote order's "
        "quantity) is known only when it fills: unchecked",
        "docs 2026-07, 4 (filters.md: MAX_ASSET) and 2g (GET /api/v3/myFilters, the only "
        "endpoint that shows it); CHANGELOG 2025-09-29. The text follows the 'Filter failure: "
        "%s' pattern of every filter, and the code -2010 that of the account-state filters "
        "(https://github.com/JKorf/Binance.Net/issues/1212); no live response was found",
        ("myFilters",),
        (Variant("-1013 Filter failure: MAX_ASSET", "spec: Errors > -1013 INVALID_MESSAGE"),),
        endpoints=PLACING,
        since=MY_FILTERS,
    ),
    Rule(
        "stop_would_trigger",
        -2010,
        "Stop price would trigger immediately.",
        "engine",
        "stopPrice above lastPrice for STOP_LOSS(_LIMIT) BUY and TAKE_PROFIT(_LIMIT) SELL, "
        "below it for STOP_LOSS(_LIMIT) SELL and TAKE_PROFIT(_LIMIT) BUY",
        "spec: Trading endpoints > New order (trigger order price rules). Live: "
        "https://github.com/ccxt/ccxt/issues/8194, "
        "https://github.com/chrisleekr/binance-trading-bot/issues/165",
        ("lastPrice",),
        (
            Variant(
                "Order would trigger immediately.",
                "spec: Errors > Messages for -2010; live before late 2020: "
                "https://github.com/sammchardy/python-binance/issues/233",
            ),
        ),
        endpoints=PLACING,
    ),
    Rule(
        "limit_maker_would_take",
        -2010,
        "Order would immediately match and take.",
        "engine",
        "a LIMIT_MAKER BUY is priced below askPrice, a SELL above bidPrice",
        "spec: Errors > Messages for -2010. Live: "
        "https://github.com/hummingbot/hummingbot/issues/4554",
        ("bidPrice", "askPrice"),
        endpoints=PLACING,
    ),
    Rule(
        "peg_liquidity",
        -2010,
        "Order book liquidity is too low for this pegged order.",
        "engine",
        "the order book has the price level a pegged order that enters the book now pegs to "
        "(level pegOffsetValue, 0 the best, on the side pegPriceType names)",
        "docs 2026-07, 1 (-2010 table: 'The order book doesn't have the best price level to peg "
        "the price to.') and 3a",
        ("bidPrice", "askPrice", "depth"),
        endpoints=_PEGGED,
        since=PEGS,
    ),
    Rule(
        "insufficient_balance",
        -2010,
        "Account has insufficient balance for requested action.",
        "engine",
        "BUY: free quote balance >= price * quantity (quoteOrderQty for quote MARKET orders); "
        "SELL: free base balance >= quantity. Commission is not included",
        "spec: Errors > Messages for -2010. Live, code -2010: "
        "https://github.com/binance-exchange/node-binance-api/issues/222",
        ("account",),
        endpoints=PLACING,
    ),
    Rule(
        "liquidity_empty_book",
        -2010,
        "Order book liquidity is less than symbol minimum quantity.",
        "engine",
        "a quote-quantity MARKET order (quoteOrderQty) finds orders on the side of the book it "
        "takes from (asks for a BUY, bids for a SELL)",
        "spec: Errors > Messages for -2010 ('Quote quantity market orders cannot be placed when "
        "there are no orders on the book.'); CHANGELOG 2024-08-16 (research §4)",
        ("depth",),
        endpoints=PLACING,
        since=LIQUIDITY,
    ),
    Rule(
        "liquidity_lot_size",
        -2010,
        "Order book liquidity is less than `LOT_SIZE` filter minimum quantity.",
        "engine",
        "a quote-quantity MARKET order meets at least LOT_SIZE minQty on the side of the book it "
        "takes from; decided when the depth given holds that much (a side holding less in the "
        "levels given may hold more beyond them: unchecked)",
        "spec: Errors > Messages for -2010; CHANGELOG 2024-08-16 (research §4)",
        ("depth",),
        endpoints=PLACING,
        since=LIQUIDITY,
    ),
    Rule(
        "liquidity_market_lot_size",
        -2010,
        "Order book liquidity is less than `MARKET_LOT_SIZE` filter minimum quantity.",
        "engine",
        "as liquidity_lot_size, against MARKET_LOT_SIZE minQty",
        "spec: Errors > Messages for -2010; CHANGELOG 2024-08-16 (research §4)",
        ("depth",),
        endpoints=PLACING,
        since=LIQUIDITY,
    ),
    Rule(
        "duplicate_order",
        -2010,
        "Duplicate order sent.",
        "engine",
        "no open order on the symbol has the client order id of an order sent "
        "(newClientOrderId, or a list's leg ids); a cancel-replace may reuse the id of the "
        "order it cancels; an order list's listClientOrderId is unchecked (openOrders does not "
        "carry it)",
        "spec: Errors > Messages for -2010 ('The clOrdId is already in use'), Trading endpoints > "
        "New order ('A unique id among open orders'). Live, code -2010: "
        "https://github.com/JKorf/Binance.Net/issues/935",
        ("openOrders",),
        endpoints=PLACING,
    ),
    Rule(
        "cancel_unknown_order",
        -2011,
        "Unknown order sent.",
        "engine",
        "the order a cancel-replace cancels (cancelOrderId / cancelOrigClientOrderId) is open",
        "spec: Errors > Messages for -2011; the -2022 example of Cancel an Existing Order and "
        "Send a New Order (cancelResponse)",
        ("openOrders",),
        endpoints=_CANCEL_REPLACE,
    ),
    Rule(
        "cancel_restricted",
        -2011,
        "Order was not canceled due to cancel restrictions.",
        "engine",
        "cancelRestrictions ONLY_NEW meets a NEW order, ONLY_PARTIALLY_FILLED a PARTIALLY_FILLED "
        "one",
        "spec: Errors > Messages for -2011",
        ("openOrders",),
        endpoints=_CANCEL_REPLACE,
    ),
    Rule(
        "amend_unknown_order",
        -2038,
        "Unknown order sent.",
        "engine",
        "the order an amend names (orderId / origClientOrderId) is open",
        "spec: Errors > Messages for -1010, -2010, -2011 and -2038 ('Unknown order sent.'); "
        "the code -2038 is inferred (ORDER_AMEND_REJECTED)",
        ("openOrders",),
        endpoints=_AMEND,
    ),
    Rule(
        "amend_no_change",
        -2038,
        "The requested action would change no state; rejecting",
        "engine",
        "newQty differs from the order's quantity",
        "spec: Errors > Messages for -2038; Order Amend Keep Priority",
        ("openOrders",),
        endpoints=_AMEND,
    ),
    Rule(
        "amend_quantity_increase",
        -2038,
        "Order amend (quantity increase) is not supported.",
        "engine",
        "newQty is below the order's quantity",
        "spec: Errors > Messages for -2038; Order Amend Keep Priority ('newQty must be greater "
        "than 0 and less than the order's quantity')",
        ("openOrders",),
        endpoints=_AMEND,
    ),
    Rule(
        "MAX_NUM_ORDER_AMENDS",
        -2038,
        "Filter failure: MAX_NUM_ORDER_AMENDS",
        "engine",
        "amendments already made to the order (the items of GET /api/v3/order/amendments) "
        "< maxNumOrderAmends",
        "docs 2026-07, 4 (filters.md: MAX_NUM_ORDER_AMENDS, 'you will receive the -2038 error "
        "code') and 1 (errors.md: 'Filter failure: MAX_NUM_ORDER_AMENDS'); enabled 2025-08-28 "
        "(CHANGELOG 2025-08-12)",
        ("amendments",),
        endpoints=_AMEND,
        since=PEGS,
    ),
)

RULES_BY_ID: Mapping[str, Rule] = MappingProxyType({r.id: r for r in RULES})

#: A rule's place in the evaluation order: the lowest rank among the violations is reported.
RANK: Mapping[str, int] = MappingProxyType({r.id: i for i, r in enumerate(RULES)})


def rule(rule_id: str) -> Rule:
    """The catalogue entry for ``rule_id``."""
    return RULES_BY_ID[rule_id]


def markdown_table() -> str:
    """The rule table of docs/rules.md, generated here so the two cannot drift apart."""
    lines = [
        "| # | rule | stage | code | message | checks | needs | endpoints | in force | source |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(RULES, 1):
        message = f"`{r.message}`"
        for v in r.variants:
            until = f"; Binance's text until {v.until}" if v.until else ""
            message += f"<br>also known: `{v.message}` ({v.source}{until})"
        cells = (
            str(i),
            f"`{r.id}`",
            r.stage,
            str(r.code),
            message,
            r.checks,
            ", ".join(r.needs) or ("-" if r.decidable else "never decided offline"),
            _endpoints_cell(r),
            _period_cell(r),
            r.source,
        )
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _period_cell(r: Rule) -> str:
    """When Binance applied the rule: "always" is from the first snapshot there is evidence for."""
    if r.since is None and r.until is None:
        return "always"
    since = f"from {r.since}" if r.since else ""
    until = f"until {r.until}" if r.until else ""
    return " ".join(p for p in (since, until) if p)


def _endpoints_cell(r: Rule) -> str:
    if not r.endpoints:
        return "all" if r.stage != "engine" else "all but the test ones"
    if r.endpoints == PLACING:
        return "all but the amend" + (" and the test ones" if r.stage == "engine" else "")
    if r.endpoints == _TYPE_SENT and r.stage != "engine":
        return "all but the amend and the deprecated `/api/v3/order/oco`"
    return ", ".join(f"`{e.path}`" for e in ENDPOINTS.values() if r.applies_to(e))


TABLE_HEADING = "## The rules, in evaluation order\n\n"


def rewrite_rules_md(text: str) -> str:
    """docs/rules.md with its table (everything after TABLE_HEADING) generated anew."""
    head, _, _ = text.partition(TABLE_HEADING)
    return head + TABLE_HEADING + markdown_table()


if __name__ == "__main__":  # python -m filterlib.catalogue docs/rules.md
    import sys
    from pathlib import Path

    if len(sys.argv) > 1:
        path = Path(sys.argv[1])
        path.write_text(rewrite_rules_md(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(markdown_table(), end="")
