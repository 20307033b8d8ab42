"""The request layer: what a client sends, decoded once into an :class:`Order`, and the -11xx rules.

A request is a mapping of Binance parameter names to values. Strings are the wire text; ints
and Decimals are written as a client writes them (no exponent); a float is written as
``str(value)``, as typical HTTP clients do, so ``1e-05`` fails here exactly as it fails at Binance;
None means "not sent", as HTTP clients drop None values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal

from attrs import evolve, frozen

from . import endpoints as kinds
from .catalogue import rule
from .dates import OPO, PEGS, AsOf, in_force
from .decimals import decimals_written
from .decimals import format_decimal as _format
from .endpoints import Endpoint, Leg
from .snapshot import SymbolInfo
from .verdict import Violation
from .wire import (
    CLIENT_ORDER_ID_PATTERN,
    DECIMAL_PATTERN,
    ENUM_VALUES,
    LONG_PATTERN,
    MAX_DECIMAL,
    MAX_PEG_OFFSET,
    MAX_RECV_WINDOW,
    MIN_STRATEGY_TYPE,
    ORDER_TYPES,
    RECV_WINDOW_DECIMALS,
    SYMBOL_PATTERN,
    is_client_id,
    is_symbol,
    parse_boolean,
    parse_decimal,
    parse_long,
)

__all__ = [
    "ORDER_TYPES",
    "LegOrder",
    "Order",
    "Request",
    "decode_request",
    "symbol_rules",
    "wire_text",
]

ALGO_TYPES = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})

#: Parameters a signed request carries even when the caller leaves them to its HTTP client.
SIGNING_PARAMETERS = ("timestamp", "signature")


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

#: Enum kinds: the values each takes (the wire grammar's) and the rule a value outside them breaks.
ENUMS: Mapping[str, tuple[frozenset[str], str]] = {
    kind: (ENUM_VALUES[kind], rule_id)
    for kind, rule_id in (
        (kinds.SIDE, "invalid_side"),
        (kinds.TYPE, "invalid_order_type"),
        (kinds.TIF, "invalid_time_in_force"),
        (kinds.RESP, "invalid_parameter"),
        (kinds.STP, "invalid_parameter"),
        (kinds.CANCEL_REPLACE_MODE, "invalid_parameter"),
        (kinds.CANCEL_RESTRICTIONS, "invalid_cancel_restrictions"),
        (kinds.RATE_LIMIT_MODE, "invalid_parameter"),
        (kinds.PEG_PRICE_TYPE, "invalid_peg_price_type"),
        (kinds.PEG_OFFSET_TYPE, "invalid_peg_offset_type"),
    )
}
#: Enum kinds Binance reads whatever the case: ``side=sell`` reached the OCO price check and
#: ``side=buy`` the symbol's order types (docs/evidence.md §22a, §23). No response on record
#: shows another enum read so, so the others stay exact.
CASE_INSENSITIVE = frozenset({kinds.SIDE})


@frozen
class Order:
    """One order's parameters, decoded. A field is None when it was not sent or not valid."""

    symbol: str | None = None
    side: str | None = None
    type: str | None = None
    time_in_force: str | None = None
    quantity: Decimal | None = None
    quote_order_qty: Decimal | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    iceberg_qty: Decimal | None = None
    trailing_delta: int | None = None
    stp_mode: str | None = None
    peg_price_type: str | None = None
    peg_offset_value: int | None = None

    @property
    def is_algo(self) -> bool:
        return self.type in ALGO_TYPES

    @property
    def is_iceberg(self) -> bool:
        return self.iceberg_qty is not None and self.iceberg_qty > 0

    @property
    def executes_at_market(self) -> bool:
        """MARKET, and STOP_LOSS / TAKE_PROFIT, which "execute a MARKET order" when triggered."""
        return self.type in ("MARKET", "STOP_LOSS", "TAKE_PROFIT")


@frozen
class LegOrder:
    """An order of a request and the leg that spells it."""

    leg: Leg
    order: Order


@frozen
class Request:
    """The request layer's result: wire texts, decoded values, orders and violations."""

    endpoint: Endpoint
    texts: Mapping[str, str]
    values: Mapping[str, object]
    orders: tuple[LegOrder, ...]
    violations: tuple[Violation, ...]

    @property
    def symbol(self) -> str | None:
        return _str_or_none(self.values.get("symbol"))


def wire_text(value: object) -> str:
    """The text an HTTP client sends for ``value`` (see the module docstring)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: bool is an int; clients write these in lowercase
        return "true" if value else "false"
    if isinstance(value, Decimal):
        # Beyond 40 digits the text fails Binance's format anyway; writing out 1E+99999999 digit
        # by digit would only cost time and memory.
        return _format(value) if value.is_finite() and abs(value.adjusted()) < 40 else str(value)
    if isinstance(value, int) and value.bit_length() > 256:
        return f"<integer of {value.bit_length()} bits>"  # str() would refuse past 4300 digits
    return _written(value)


def _name(key: object) -> str:
    """A parameter's name as text (a caller's mapping may use any hashable key)."""
    return key if type(key) is str else _written(key)


def _written(value: object) -> str:
    """``str(value)``, or a stand-in where str() fails: nested too deep, or holding an int of
    more than 4,300 digits. Either way the text fails Binance's format, as such a value would."""
    try:
        return str(value)
    except (RecursionError, ValueError):
        return f"<{type(value).__name__} too deep or too long to write>"


def _violation(rule_id: str, parameter: str | None, *args: str, **extra: object) -> Violation:
    r = rule(rule_id)
    msg = r.message % args if args else r.message
    return Violation(r.code, msg, rule_id, parameter, **extra)  # type: ignore[arg-type]


def decode_request(params: Mapping[str, object], endpoint: Endpoint, day: AsOf = None) -> Request:
    """Apply the request-layer rules that need no snapshot and decode what is valid, as
    Binance read the endpoint's parameters on ``day`` (None: today)."""
    known = endpoint.parameters_on(day)
    texts = {_name(k): wire_text(v) for k, v in params.items() if v is not None}
    found: list[Violation] = []
    add = found.append
    values: dict[str, object] = {}

    for name in known:
        if texts.get(name) == "":
            add(_violation("empty_parameter", name, name, detail=f"'{name}' was sent empty"))
    for name in endpoint.mandatory:
        if name not in texts and not _pegged_price(endpoint, name, texts):
            add(_violation("mandatory_parameter", name, name, detail=f"send '{name}'"))

    for name, kind in known.items():
        text = texts.get(name)
        if not text:
            continue
        parsed = _parse(name, kind, text, found, day)
        if parsed is not None:
            values[name] = parsed

    unknown = [name for name in texts if name not in known]
    if unknown:
        sent = len(texts) + sum(1 for p in SIGNING_PARAMETERS if p not in texts)
        add(
            _violation(
                "unread_parameters",
                unknown[0],
                str(sent - len(unknown)),
                str(sent),
                value=", ".join(unknown),
                detail=f"the endpoint does not read {', '.join(repr(u) for u in unknown)}",
            )
        )

    for name, kind in known.items():
        value = values.get(name)
        if kind == kinds.STRATEGY_TYPE and isinstance(value, int) and value < MIN_STRATEGY_TYPE:
            add(
                _violation(
                    "strategy_type",
                    name,
                    value=texts[name],
                    limit=str(MIN_STRATEGY_TYPE),
                    nearest=(str(MIN_STRATEGY_TYPE),),
                )
            )
        elif (
            kind == kinds.RECV_WINDOW
            and isinstance(value, int | Decimal)
            and value > MAX_RECV_WINDOW
        ):
            add(
                _violation(
                    "recv_window",
                    name,
                    value=texts[name],
                    limit=str(MAX_RECV_WINDOW),
                    nearest=(str(MAX_RECV_WINDOW),),
                )
            )
        elif kind == kinds.PEG_OFFSET_VALUE and isinstance(value, int) and value > MAX_PEG_OFFSET:
            add(
                _violation(
                    "peg_offset_value",
                    name,
                    name,
                    value=texts[name],
                    limit=str(MAX_PEG_OFFSET),
                    nearest=(str(MAX_PEG_OFFSET),),
                )
            )

    orders = tuple(_leg_order(leg, endpoint, texts, values, found) for leg in endpoint.legs)
    return Request(endpoint, texts, values, orders, tuple(found))


def _pegged_price(endpoint: Endpoint, name: str, texts: Mapping[str, str]) -> bool:
    """Whether ``name`` is the price of a leg whose peg is sent: "If pegPriceType is
    specified, price becomes optional" (docs 2026-07, 2b), taken to hold on every leg that
    takes a peg, as the pegged-orders FAQ (3a) lets each order of a list be pegged."""
    for leg in endpoint.legs:
        peg = leg.wire("pegPriceType")
        if leg.wire("price") == name and peg is not None and texts.get(peg):
            return True
    return False


def _leg_order(
    leg: Leg,
    endpoint: Endpoint,
    texts: Mapping[str, str],
    values: Mapping[str, object],
    found: list[Violation],
) -> LegOrder:
    """Decode one leg and apply the per-type parameter rules with the leg's wire names."""

    def value(field: str) -> object:
        wire = leg.wire(field)
        return values.get(wire) if wire is not None else None

    order_type: str | None
    if leg.type_of is not None:
        order_type = leg.type_of(texts)
    else:
        order_type = _str_or_none(value("type"))
        if order_type is not None and order_type not in leg.types:
            wire = leg.names["type"]
            found.append(
                _violation(
                    leg.type_rule,
                    wire,
                    *((wire,) if "%s" in rule(leg.type_rule).message else ()),
                    value=order_type,
                    limit=", ".join(sorted(leg.types)),
                    nearest=tuple(sorted(leg.types)),
                    leg=leg.name,
                    detail=f"{wire} takes {', '.join(sorted(leg.types))}",
                )
            )
            order_type = None
    if order_type is not None:
        before = len(found)
        _type_parameters(leg, endpoint, order_type, texts, found)
        found.extend(_peg_parameters(leg, order_type, texts, values))
        iceberg = leg.wire("icebergQty")
        tif = leg.wire("timeInForce")
        if (
            iceberg is not None
            and iceberg in values
            and tif is not None
            and values.get(tif, "GTC") != "GTC"
            and order_type != "LIMIT_MAKER"
        ):
            if leg.name is None:
                found.append(
                    _violation(
                        "iceberg_time_in_force",
                        tif,
                        value=texts[tif],
                        limit="GTC",
                        nearest=("GTC",),
                        detail="an iceberg order must be GTC",
                    )
                )
            else:
                found.append(
                    _violation(
                        "list_iceberg_time_in_force",
                        iceberg,
                        iceberg,
                        value=texts[tif],
                        limit="GTC",
                        nearest=("GTC",),
                        detail=f"{iceberg} needs {tif} GTC",
                    )
                )
        if leg.name is not None:
            found[before:] = [evolve(v, leg=leg.name) for v in found[before:]]

    order = Order(
        symbol=_str_or_none(values.get("symbol")),
        side=_str_or_none(value("side")),
        type=order_type,
        time_in_force=_str_or_none(value("timeInForce")),
        quantity=_dec_or_none(value("quantity")),
        quote_order_qty=_dec_or_none(value("quoteOrderQty")),
        price=_dec_or_none(value("price")),
        stop_price=_dec_or_none(value("stopPrice")),
        iceberg_qty=_dec_or_none(value("icebergQty")),
        trailing_delta=_int_or_none(value("trailingDelta")),
        stp_mode=_str_or_none(values.get("selfTradePreventionMode")),
        peg_price_type=_str_or_none(value("pegPriceType")),
        peg_offset_value=_int_or_none(value("pegOffsetValue")),
    )
    return LegOrder(leg, order)


def _parse(name: str, kind: str, text: str, found: list[Violation], day: AsOf = None) -> object:
    """The decoded value of one parameter, or None after recording why it is not valid."""
    if kind == kinds.RECV_WINDOW and in_force(day, PEGS):
        return _recv_window(name, text, found)
    if kind == kinds.DECIMAL:
        value = parse_decimal(text)
        if value is None:
            found.append(_illegal(name, text, DECIMAL_PATTERN))
        elif value > MAX_DECIMAL:
            found.append(
                _violation("parameter_overflow", name, name, value=text, limit=str(MAX_DECIMAL))
            )
            return None
        return value
    if kind in (
        kinds.LONG,
        kinds.INT,
        kinds.STRATEGY_TYPE,
        kinds.RECV_WINDOW,
        kinds.PEG_OFFSET_VALUE,
    ):
        number = parse_long(text)
        if number is None:
            found.append(_illegal(name, text, LONG_PATTERN))
        return number
    if kind == kinds.SYMBOL:
        if not is_symbol(text, unicode=in_force(day, OPO)):
            found.append(_illegal(name, text, SYMBOL_PATTERN))
            return None
        return text
    if kind == kinds.CLIENT_ID:
        if not is_client_id(text):
            found.append(_illegal(name, text, CLIENT_ORDER_ID_PATTERN))
            return None
        return text
    if kind in ENUMS:
        return _enum(name, kind, text, found)
    if kind == kinds.BOOLEAN:
        flag = parse_boolean(text)
        if flag is None:
            found.append(_violation("invalid_parameter", name, name, value=text))
        return flag
    return text


def _recv_window(name: str, text: str, found: list[Violation]) -> Decimal | None:
    """recvWindow since 2025-08-28: milliseconds with up to three decimals (microseconds).

    More decimals get -1111, the code of a DECIMAL parameter with too many (filterlib's
    reading: no response on record)."""
    value = parse_decimal(text)
    if value is None:
        found.append(_illegal(name, text, DECIMAL_PATTERN))
        return None
    written = decimals_written(text)
    if written > RECV_WINDOW_DECIMALS:
        found.append(
            _violation(
                "too_much_precision",
                name,
                name,
                value=text,
                limit=str(RECV_WINDOW_DECIMALS),
                detail=f"{name} is written with {written} decimals; it takes "
                f"{RECV_WINDOW_DECIMALS} (microseconds)",
            )
        )
        return None
    return value


def _enum(name: str, kind: str, text: str, found: list[Violation]) -> str | None:
    allowed, rule_id = ENUMS[kind]
    if text in allowed:
        return text
    if kind in CASE_INSENSITIVE and text.upper() in allowed:
        return text.upper()
    args = (name,) if "%s" in rule(rule_id).message else ()
    found.append(
        _violation(
            rule_id,
            name,
            *args,
            value=text,
            limit=", ".join(sorted(allowed)),
            detail=f"{name} must be one of {', '.join(sorted(allowed))}",
        )
    )
    return None


def _illegal(name: str, text: str, pattern: str) -> Violation:
    return _violation(
        "illegal_characters",
        name,
        name,
        pattern,
        value=text,
        limit=pattern,
        detail=f"{name} {text!r} is not written as Binance expects ({pattern})",
    )


def _type_parameters(
    leg: Leg, endpoint: Endpoint, order_type: str, texts: Mapping[str, str], found: list[Violation]
) -> None:
    """-1106 for what the type does not take, -1102 for what it needs, in the leg's names."""
    spec = TYPE_RULES[order_type]
    sent = {name for name, text in texts.items() if text}
    forbidden = {w for f in spec.forbidden if (w := leg.wire(f)) is not None}
    for param in endpoint.parameters:
        if param in sent and param in forbidden:
            found.append(
                _violation(
                    "parameter_not_required",
                    param,
                    param,
                    value=texts[param],
                    detail=f"a {order_type} order does not take '{param}'",
                )
            )
    quantity, quote = leg.wire("quantity"), leg.wire("quoteOrderQty")
    if spec.either == ("quantity", "quoteOrderQty") and quantity in sent and quote in sent:
        # Both sent: Binance names quoteOrderQty (research §4; docs/evidence.md §5).
        assert quote is not None
        found.append(
            _violation(
                "parameter_not_required",
                quote,
                quote,
                value=texts[quote],
                detail="send quantity or quoteOrderQty, not both",
            )
        )
    rule_ = rule("mandatory_for_type")
    pegged = leg.wire("pegPriceType") in sent
    for field in spec.required:
        name = leg.wire(field)
        if name is None or name in sent or name in endpoint.mandatory:
            continue  # a missing endpoint-mandatory parameter is already reported
        if field == "price" and pegged:
            continue  # "If pegPriceType is specified, price becomes optional" (docs 2026-07, 2b)
        rule_id = leg.missing_rules.get(name, "mandatory_for_type")
        r = rule(rule_id)
        found.append(
            Violation(
                r.code,
                r.message % name if "%s" in r.message else r.message,
                rule_id,
                name,
                detail=f"a {order_type} order needs '{name}'",
            )
        )
    if spec.either is None:
        return
    pair = [w for f in spec.either if (w := leg.wire(f)) is not None]
    if not pair or sent.intersection(pair) or any(w in endpoint.mandatory for w in pair):
        return  # no pair on this leg: an OPO's pending quantity comes from the working order
    if len(pair) == 2:
        msg = f"Param '{pair[0]}' or '{pair[1]}' must be sent, but both were empty/null!"
    else:
        msg = rule_.message % pair[0]
    found.append(
        Violation(
            rule_.code,
            msg,
            "mandatory_for_type",
            pair[0],
            detail=f"a {order_type} order needs " + " or ".join(f"'{w}'" for w in pair),
        )
    )


#: The order types a price peg may go on (docs 2026-07, 2b and 3a): not MARKET, nor STOP_LOSS
#: and TAKE_PROFIT, which "place a MARKET order once the stop condition is met".
PEGGABLE_TYPES = frozenset({"LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})


def _peg_parameters(
    leg: Leg, order_type: str, texts: Mapping[str, str], values: Mapping[str, object]
) -> Iterator[Violation]:
    """The rules of one leg's price peg: offset type and value together, then the order types
    and the peg each type takes (docs 2026-07, 2b and 3a)."""
    peg, offset_type, offset = (leg.wire(f) for f in kinds.PEG_FIELDS)
    if peg is None or offset_type is None or offset is None:
        return  # a leg that takes no peg (the SOR's, the deprecated OCO's)
    for given, missing in ((offset_type, offset), (offset, offset_type)):
        if texts.get(given) and not texts.get(missing):
            yield _violation(
                "peg_offset_together",
                missing,
                missing,
                detail=f"{given} and {missing} are sent together or not at all",
            )
    kind = values.get(peg)
    if not texts.get(peg):
        return
    if order_type not in PEGGABLE_TYPES:
        yield _violation(
            "peg_order_type",
            peg,
            value=texts[peg],
            limit=", ".join(sorted(PEGGABLE_TYPES)),
            detail=f"a {order_type} order cannot be pegged",
        )
        return
    tif = leg.wire("timeInForce")
    if order_type == "LIMIT_MAKER" and kind == "MARKET_PEG":
        wrong, right, why = peg, "PRIMARY_PEG", "a LIMIT_MAKER order takes only PRIMARY_PEG"
    elif order_type == "LIMIT" and kind == "PRIMARY_PEG" and tif is not None:
        if values.get(tif) in (None, "GTC"):
            return
        wrong, right, why = tif, "GTC", "a LIMIT order with PRIMARY_PEG must be GTC"
    else:
        return
    yield _violation(
        "peg_type_combination",
        wrong,
        value=texts[wrong],
        limit=right,
        nearest=(right,),
        detail=why,
    )


def symbol_rules(
    leg_order: LegOrder, texts: Mapping[str, str], symbol: SymbolInfo
) -> Iterator[Violation]:
    """The request-layer rules that need the symbol: precision (-1111), then zero values."""
    leg, order = leg_order.leg, leg_order.order
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
            yield _violation(
                "too_much_precision",
                name,
                name,
                value=texts[name],
                limit=str(precision),
                nearest=(_format(value.quantize(Decimal(1).scaleb(-precision))),)
                if _exactly_representable(value, precision)
                else (),
                detail=f"{name} is written with {written} decimals; the asset allows {precision}",
            )
    for field, value, rule_id in (
        ("quantity", order.quantity, "invalid_quantity"),
        ("quoteOrderQty", order.quote_order_qty, "invalid_quantity"),
        ("price", order.price, "invalid_price"),
    ):
        name = leg.wire(field)
        if value is not None and not value and name is not None:
            yield _violation(rule_id, name, value=texts[name])


def _exactly_representable(value: Decimal, precision: int) -> bool:
    # Suggest the shorter spelling only when it is the same number ("0.10000000000" -> "0.1").
    return value == value.quantize(Decimal(1).scaleb(-precision))


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _dec_or_none(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
