"""The request layer's rules (-11xx): one small function per catalogue rule, like the filters'.

They read what a request sent (:class:`Sent`: the endpoint, the parameters it reads on the day,
the wire texts and the values decoded from them); the leg rules read one order of it under
the order type it names. Reading each parameter's text (-1100, -1108, the enums) is the wire
grammar's and stays with the decoding in :mod:`filterlib._request`; what it decodes is judged
here. :mod:`filterlib._rules.registry` maps each rule id to its function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from attrs import frozen

from .. import _endpoints as kinds
from .._decimals import decimals_written, format_decimal
from .._endpoints import Endpoint, Leg
from .._verdict import Violation
from .._wire import MAX_PEG_OFFSET, MAX_RECV_WINDOW, MIN_STRATEGY_TYPE, SIGNING_PARAMETERS
from ..catalogue import rule
from .common import fail

if TYPE_CHECKING:  # the request layer imports this module: no import back at run time
    from .._request import LegOrder
    from ..snapshot import SymbolInfo

Findings = Iterator[Violation]


@frozen
class Sent:
    """What a request sent, as the request layer reads it."""

    endpoint: Endpoint
    #: The parameters the endpoint reads on the day: wire name -> kind.
    known: Mapping[str, str]
    texts: Mapping[str, str]
    values: Mapping[str, object]


ParameterRule = Callable[[Sent], Iterator[Violation]]
LegParameterRule = Callable[[Sent, Leg, str], Iterator[Violation]]


def empty_parameter(sent: Sent) -> Iterator[Violation]:
    for name in sent.known:
        if sent.texts.get(name) == "":
            yield fail(
                "empty_parameter", name, None, args=(name,), detail=f"'{name}' was sent empty"
            )


def mandatory_parameter(sent: Sent) -> Iterator[Violation]:
    for name in sent.endpoint.mandatory:
        if name not in sent.texts and not _pegged_price(sent.endpoint, name, sent.texts):
            yield fail("mandatory_parameter", name, None, args=(name,), detail=f"send '{name}'")


def _pegged_price(endpoint: Endpoint, name: str, texts: Mapping[str, str]) -> bool:
    """Whether ``name`` is the price of a leg whose peg is sent: "If pegPriceType is
    specified, price becomes optional" (docs 2026-07, 2b), taken to hold on every leg that
    takes a peg, as the pegged-orders FAQ (3a) lets each order of a list be pegged."""
    for leg in endpoint.legs:
        peg = leg.wire("pegPriceType")
        if leg.wire("price") == name and peg is not None and texts.get(peg):
            return True
    return False


def unread_parameters(sent: Sent) -> Iterator[Violation]:
    texts = sent.texts
    unknown = [name for name in texts if name not in sent.known]
    if unknown:
        count = len(texts) + sum(1 for p in SIGNING_PARAMETERS if p not in texts)
        yield fail(
            "unread_parameters",
            unknown[0],
            ", ".join(unknown),
            args=(str(count - len(unknown)), str(count)),
            detail=f"the endpoint does not read {', '.join(repr(u) for u in unknown)}",
        )


def _above_or_below(
    rule_id: str, kind: str, sent: Sent, limit: int, below: bool, args: bool = False
) -> Iterator[Violation]:
    """``rule_id`` for each parameter of ``kind`` whose value is below (or above) ``limit``."""
    for name, k in sent.known.items():
        value = sent.values.get(name)
        if k != kind or not isinstance(value, int | Decimal) or isinstance(value, bool):
            continue
        if value < limit if below else value > limit:
            yield fail(
                rule_id,
                name,
                sent.texts[name],
                args=(name,) if args else (),
                limit=str(limit),
                nearest=(str(limit),),
            )


def strategy_type(sent: Sent) -> Iterator[Violation]:
    return _above_or_below("strategy_type", kinds.STRATEGY_TYPE, sent, MIN_STRATEGY_TYPE, True)


def recv_window(sent: Sent) -> Iterator[Violation]:
    return _above_or_below("recv_window", kinds.RECV_WINDOW, sent, MAX_RECV_WINDOW, False)


def peg_offset_value(sent: Sent) -> Iterator[Violation]:
    return _above_or_below(
        "peg_offset_value", kinds.PEG_OFFSET_VALUE, sent, MAX_PEG_OFFSET, False, args=True
    )


# --- the rules of one order (leg) of the request, under the type it names ---------------------


@frozen
class TypeRule:
    """The spec's "additional mandatory parameters" row for one order type, in order fields."""

    required: tuple[str, ...]
    either: tuple[str, str] | None
    forbidden: tuple[str, ...]


_STOP = TypeRule(
    ("quantity",),
    ("stopPrice", "trailingDelta"),
    ("timeInForce", "price", "quoteOrderQty", "icebergQty"),
)
_STOP_LIMIT = TypeRule(
    ("timeInForce", "quantity", "price"), ("stopPrice", "trailingDelta"), ("quoteOrderQty",)
)
TYPE_RULES: Mapping[str, TypeRule] = {
    "LIMIT": TypeRule(
        ("timeInForce", "quantity", "price"), None, ("quoteOrderQty", "stopPrice", "trailingDelta")
    ),
    "MARKET": TypeRule(
        (),
        ("quantity", "quoteOrderQty"),
        ("timeInForce", "price", "stopPrice", "trailingDelta", "icebergQty"),
    ),
    "STOP_LOSS": _STOP,
    "STOP_LOSS_LIMIT": _STOP_LIMIT,
    "TAKE_PROFIT": _STOP,
    "TAKE_PROFIT_LIMIT": _STOP_LIMIT,
    "LIMIT_MAKER": TypeRule(
        ("quantity", "price"), None, ("timeInForce", "quoteOrderQty", "stopPrice", "trailingDelta")
    ),
}


def _sent(texts: Mapping[str, str]) -> set[str]:
    return {name for name, text in texts.items() if text}


def parameter_not_required(sent: Sent, leg: Leg, order_type: str) -> Iterator[Violation]:
    """-1106 for what the type does not take, in the leg's names."""
    spec, texts = TYPE_RULES[order_type], sent.texts
    given = _sent(texts)
    forbidden = {w for f in spec.forbidden if (w := leg.wire(f)) is not None}
    for param in sent.endpoint.parameters:
        if param in given and param in forbidden:
            yield fail(
                "parameter_not_required",
                param,
                texts[param],
                args=(param,),
                detail=f"a {order_type} order does not take '{param}'",
            )
    quantity, quote = leg.wire("quantity"), leg.wire("quoteOrderQty")
    if spec.either == ("quantity", "quoteOrderQty") and quantity in given and quote in given:
        # Both sent: Binance names quoteOrderQty (research §4; docs/design/evidence.md §5).
        assert quote is not None
        yield fail(
            "parameter_not_required",
            quote,
            texts[quote],
            args=(quote,),
            detail="send quantity or quoteOrderQty, not both",
        )


def mandatory_for_type(sent: Sent, leg: Leg, order_type: str) -> Iterator[Violation]:
    """-1102 for what the type needs, in the leg's names (a leg may name another rule)."""
    spec, endpoint = TYPE_RULES[order_type], sent.endpoint
    given = _sent(sent.texts)
    pegged = leg.wire("pegPriceType") in given
    for field in spec.required:
        name = leg.wire(field)
        if name is None or name in given or name in endpoint.mandatory:
            continue  # a missing endpoint-mandatory parameter is already reported
        if field == "price" and pegged:
            continue  # "If pegPriceType is specified, price becomes optional" (docs 2026-07, 2b)
        rule_id = leg.missing_rules.get(name, "mandatory_for_type")
        yield fail(
            rule_id,
            name,
            None,
            args=(name,) if "%s" in rule(rule_id).message else (),
            detail=f"a {order_type} order needs '{name}'",
        )
    if spec.either is None:
        return
    pair = [w for f in spec.either if (w := leg.wire(f)) is not None]
    if not pair or given.intersection(pair) or any(w in endpoint.mandatory for w in pair):
        return  # no pair on this leg: an OPO's pending quantity comes from the working order
    yield fail(
        "mandatory_for_type",
        pair[0],
        None,
        args=tuple(pair),
        # The either-or text (the catalogue gives it under mandatory_one_of).
        template=rule("mandatory_one_of").message if len(pair) == 2 else None,
        detail=f"a {order_type} order needs " + " or ".join(f"'{w}'" for w in pair),
    )


#: The order types a price peg may go on (docs 2026-07, 2b and 3a): not MARKET, nor STOP_LOSS
#: and TAKE_PROFIT, which "place a MARKET order once the stop condition is met".
PEGGABLE_TYPES = frozenset({"LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})


def _peg_names(leg: Leg) -> tuple[str, str, str] | None:
    """The leg's (pegPriceType, pegOffsetType, pegOffsetValue) names; None if it takes no peg
    (the SOR's, the deprecated OCO's)."""
    peg, offset_type, offset = (leg.wire(f) for f in kinds.PEG_FIELDS)
    if peg is None or offset_type is None or offset is None:
        return None
    return peg, offset_type, offset


def peg_offset_together(sent: Sent, leg: Leg, order_type: str) -> Iterator[Violation]:
    names = _peg_names(leg)
    if names is None:
        return
    _, offset_type, offset = names
    for given, missing in ((offset_type, offset), (offset, offset_type)):
        if sent.texts.get(given) and not sent.texts.get(missing):
            yield fail(
                "peg_offset_together",
                missing,
                None,
                args=(missing,),
                detail=f"{given} and {missing} are sent together or not at all",
            )


def peg_order_type(sent: Sent, leg: Leg, order_type: str) -> Iterator[Violation]:
    names = _peg_names(leg)
    if names is not None and sent.texts.get(names[0]) and order_type not in PEGGABLE_TYPES:
        yield fail(
            "peg_order_type",
            names[0],
            sent.texts[names[0]],
            limit=", ".join(sorted(PEGGABLE_TYPES)),
            detail=f"a {order_type} order cannot be pegged",
        )


def peg_type_combination(sent: Sent, leg: Leg, order_type: str) -> Iterator[Violation]:
    """The peg each type takes (docs 2026-07, 2b and 3a)."""
    names = _peg_names(leg)
    if names is None or not sent.texts.get(names[0]) or order_type not in PEGGABLE_TYPES:
        return
    peg = names[0]
    kind = sent.values.get(peg)
    tif = leg.wire("timeInForce")
    if order_type == "LIMIT_MAKER" and kind == "MARKET_PEG":
        wrong, right, why = peg, "PRIMARY_PEG", "a LIMIT_MAKER order takes only PRIMARY_PEG"
    elif order_type == "LIMIT" and kind == "PRIMARY_PEG" and tif is not None:
        if sent.values.get(tif) in (None, "GTC"):
            return
        wrong, right, why = tif, "GTC", "a LIMIT order with PRIMARY_PEG must be GTC"
    else:
        return
    yield fail(
        "peg_type_combination",
        wrong,
        sent.texts[wrong],
        limit=right,
        nearest=(right,),
        detail=why,
    )


def _iceberg_not_gtc(sent: Sent, leg: Leg, order_type: str, listed: bool) -> Findings:
    """The iceberg rule of a single order (``listed`` False) or of an order list's leg: an
    iceberg must be GTC (a LIMIT_MAKER has no timeInForce)."""
    iceberg, tif = leg.wire("icebergQty"), leg.wire("timeInForce")
    if (
        iceberg is None
        or iceberg not in sent.values
        or tif is None
        or sent.values.get(tif, "GTC") == "GTC"
        or order_type == "LIMIT_MAKER"
        or (leg.name is not None) != listed
    ):
        return
    yield fail(
        "list_iceberg_time_in_force" if listed else "iceberg_time_in_force",
        iceberg if listed else tif,
        sent.texts[tif],
        args=(iceberg,) if listed else (),
        limit="GTC",
        nearest=("GTC",),
        detail=f"{iceberg} needs {tif} GTC" if listed else "an iceberg order must be GTC",
    )


def iceberg_time_in_force(sent: Sent, leg: Leg, order_type: str) -> Findings:
    return _iceberg_not_gtc(sent, leg, order_type, listed=False)


def list_iceberg_time_in_force(sent: Sent, leg: Leg, order_type: str) -> Findings:
    return _iceberg_not_gtc(sent, leg, order_type, listed=True)


# --- the request-layer rules that need the symbol: precision (-1111), then zero values ---------


def too_much_precision(lo: LegOrder, texts: Mapping[str, str], symbol: SymbolInfo) -> Findings:
    leg, order = lo.leg, lo.order
    for field, value, precision in (
        ("quantity", order.quantity, symbol.base_asset_precision),
        ("quoteOrderQty", order.quote_order_qty, symbol.quote_asset_precision),
        ("price", order.price, symbol.quote_asset_precision),
        ("stopPrice", order.stop_price, symbol.quote_asset_precision),
        ("icebergQty", order.iceberg_qty, symbol.base_asset_precision),
    ):
        name = leg.wire(field)
        if value is None or name is None:
            continue
        written = decimals_written(texts[name])
        if written > precision:
            shorter = value.quantize(Decimal(1).scaleb(-precision))
            yield fail(
                "too_much_precision",
                name,
                texts[name],
                args=(name,),
                limit=str(precision),
                # The shorter spelling only when it is the same number ("0.10000000000" -> "0.1").
                nearest=(format_decimal(shorter),) if value == shorter else (),
                detail=f"{name} is written with {written} decimals; the asset allows {precision}",
            )


def _zero(
    rule_id: str, lo: LegOrder, texts: Mapping[str, str], *fields: tuple[str, Decimal | None]
) -> Findings:
    for field, value in fields:
        name = lo.leg.wire(field)
        if value is not None and not value and name is not None:
            yield fail(rule_id, name, texts[name])


def invalid_quantity(lo: LegOrder, texts: Mapping[str, str], symbol: SymbolInfo) -> Findings:
    order = lo.order
    return _zero(
        "invalid_quantity",
        lo,
        texts,
        ("quantity", order.quantity),
        ("quoteOrderQty", order.quote_order_qty),
    )


def invalid_price(lo: LegOrder, texts: Mapping[str, str], symbol: SymbolInfo) -> Findings:
    return _zero("invalid_price", lo, texts, ("price", lo.order.price))


SymbolParameterRule = Callable[["LegOrder", Mapping[str, str], "SymbolInfo"], Findings]
