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

from . import _endpoints as kinds
from ._dates import OPO, PEGS, AsOf, in_force
from ._decimals import decimals_written
from ._decimals import format_decimal as _format
from ._endpoints import Endpoint, Leg
from ._rules.common import fail
from ._rules.params import (
    PEGGABLE_TYPES,
    TYPE_RULES,
    LegParameterRule,
    ParameterRule,
    Sent,
    TypeRule,
)
from ._verdict import Violation
from ._wire import (
    CLIENT_ORDER_ID_PATTERN,
    DECIMAL_PATTERN,
    ENUM_VALUES,
    LONG_PATTERN,
    MAX_DECIMAL,
    ORDER_TYPES,
    RECV_WINDOW_DECIMALS,
    SYMBOL_PATTERN,
    is_client_id,
    is_symbol,
    parse_boolean,
    parse_decimal,
    parse_long,
)
from .catalogue import rule
from .snapshot import SymbolInfo

__all__ = [
    "ORDER_TYPES",
    "PEGGABLE_TYPES",
    "TYPE_RULES",
    "LegOrder",
    "Order",
    "Request",
    "TypeRule",
    "decode_request",
    "symbol_rules",
    "wire_text",
]

ALGO_TYPES = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})

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
#: ``side=buy`` the symbol's order types (docs/design/evidence.md §22a, §23). No response on record
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


def decode_request(
    params: Mapping[str, object],
    endpoint: Endpoint,
    day: AsOf = None,
    rules: ParameterRules | None = None,
) -> Request:
    """Read each parameter as Binance's wire grammar reads it on ``day`` (None: today), then
    apply the request layer's rules that need no snapshot (``rules``: those the engine selected
    for the endpoint; by default every one, from :mod:`filterlib._rules.registry`)."""
    if rules is None:
        from ._rules.registry import parameter_rules

        rules = parameter_rules(endpoint)
    known = endpoint.parameters_on(day)
    texts = {_name(k): wire_text(v) for k, v in params.items() if v is not None}
    found: list[Violation] = []
    values: dict[str, object] = {}
    for name, kind in known.items():
        text = texts.get(name)
        if not text:
            continue
        parsed = _parse(name, kind, text, found, day)
        if parsed is not None:
            values[name] = parsed
    sent = Sent(endpoint, known, texts, values)
    request_rules, leg_rules = rules
    for check in request_rules:
        found.extend(check(sent))
    orders = tuple(_leg_order(leg, sent, found, leg_rules) for leg in endpoint.legs)
    return Request(endpoint, texts, values, orders, tuple(found))


#: The request layer's rules for one endpoint: those of the whole request, those of each leg.
ParameterRules = tuple[tuple[ParameterRule, ...], tuple[LegParameterRule, ...]]


def _leg_order(
    leg: Leg, sent: Sent, found: list[Violation], rules: tuple[LegParameterRule, ...]
) -> LegOrder:
    """Decode one leg and apply the per-type parameter rules with the leg's wire names."""
    texts, values = sent.texts, sent.values

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
                fail(
                    leg.type_rule,
                    wire,
                    order_type,
                    args=(wire,) if "%s" in rule(leg.type_rule).message else (),
                    limit=", ".join(sorted(leg.types)),
                    nearest=tuple(sorted(leg.types)),
                    leg=leg.name,
                    detail=f"{wire} takes {', '.join(sorted(leg.types))}",
                )
            )
            order_type = None
    if order_type is not None:
        for check in rules:
            for v in check(sent, leg, order_type):
                found.append(v if leg.name is None else evolve(v, leg=leg.name))

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
                fail("parameter_overflow", name, text, args=(name,), limit=str(MAX_DECIMAL))
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
            found.append(fail("invalid_parameter", name, text, args=(name,)))
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
            fail(
                "too_much_precision",
                name,
                text,
                args=(name,),
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
    found.append(
        fail(
            rule_id,
            name,
            text,
            args=(name,) if "%s" in rule(rule_id).message else (),
            limit=", ".join(sorted(allowed)),
            detail=f"{name} must be one of {', '.join(sorted(allowed))}",
        )
    )
    return None


def _illegal(name: str, text: str, pattern: str) -> Violation:
    return fail(
        "illegal_characters",
        name,
        text,
        args=(name, pattern),
        limit=pattern,
        detail=f"{name} {text!r} is not written as Binance expects ({pattern})",
    )


def symbol_rules(
    leg_order: LegOrder, texts: Mapping[str, str], symbol: SymbolInfo
) -> Iterator[Violation]:
    """The request-layer rules that need the symbol: precision (-1111), then zero values."""
    from ._rules.registry import SYMBOL_PARAMETER_RULES

    for check in SYMBOL_PARAMETER_RULES.values():
        yield from check(leg_order, texts, symbol)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _dec_or_none(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
