"""The request layer: what a client sends, decoded once into an :class:`Order`, and the -11xx rules.

A request is a mapping of Binance parameter names to values. Strings are the wire text; ints
and Decimals are written as a client writes them (no exponent); a float is written as
``str(value)``, as typical HTTP clients do, so ``1e-05`` fails here exactly as it fails at Binance;
None means "not sent", as HTTP clients drop None values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal

from attrs import frozen

from .catalogue import rule
from .decimals import DECIMAL_PATTERN, LONG_PATTERN, decimals_written, parse_wire_decimal
from .decimals import format_decimal as _format
from .snapshot import SymbolInfo
from .verdict import Violation

__all__ = [
    "ENDPOINTS",
    "ORDER_TYPES",
    "Order",
    "decode_order",
    "symbol_rules",
    "wire_text",
]

ORDER_TYPES = (
    "LIMIT",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
    "LIMIT_MAKER",
)
ALGO_TYPES = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})
SIDES = frozenset({"BUY", "SELL"})
TIME_IN_FORCE = frozenset({"GTC", "IOC", "FOK"})
RESPONSE_TYPES = frozenset({"ACK", "RESULT", "FULL"})
# The spec's enum plus TRANSFER, added 2025-12 and allowed on all symbols from 2026-04-02
# (research §9).
STP_MODES = frozenset(
    {"NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER"}
)

#: Binance stores decimals as int64 with 8 decimals; larger values overflow (-1108).
MAX_DECIMAL = Decimal("92233720368.54775807")
CLIENT_ORDER_ID_PATTERN = "^[a-zA-Z0-9-_]{1,36}$"
_CLIENT_ORDER_ID_RE = re.compile(r"[a-zA-Z0-9\-_]{1,36}")
# Java's class intersection: word characters, '-', '.', '_', less the lower case letters.
SYMBOL_PATTERN = "^[\\w\\-._&&[^a-z]]{1,50}$"
_SYMBOL_RE = re.compile(r"[A-Z0-9_.\-]{1,50}")
_LONG_RE = re.compile(r"[0-9]{1,20}")

# Parameter kinds, as in the spec's tables.
DECIMAL, LONG, INT, ENUM, STRING, BOOLEAN = "DECIMAL", "LONG", "INT", "ENUM", "STRING", "BOOLEAN"
SYMBOL, CLIENT_ID = "SYMBOL", "CLIENT_ID"  # STRINGs with a legal range of their own

#: POST /api/v3/order's parameters in the spec's table order, which is also the order in which
#: filterlib reports several violations of one rule. ``signature`` is not in the table but is
#: read on every signed endpoint.
NEW_ORDER_PARAMETERS: Mapping[str, str] = {
    "symbol": SYMBOL,
    "side": ENUM,
    "type": ENUM,
    "timeInForce": ENUM,
    "quantity": DECIMAL,
    "quoteOrderQty": DECIMAL,
    "price": DECIMAL,
    "newClientOrderId": CLIENT_ID,
    "strategyId": LONG,
    "strategyType": INT,
    "stopPrice": DECIMAL,
    "trailingDelta": LONG,
    "icebergQty": DECIMAL,
    "newOrderRespType": ENUM,
    "selfTradePreventionMode": ENUM,
    "recvWindow": LONG,
    "timestamp": LONG,
    "signature": STRING,
}

#: The endpoints ``check`` knows, with the parameters each reads.
ENDPOINTS: Mapping[str, Mapping[str, str]] = {
    "/api/v3/order": NEW_ORDER_PARAMETERS,
    # "In addition to all parameters accepted by POST /api/v3/order ... computeCommissionRates"
    "/api/v3/order/test": {**NEW_ORDER_PARAMETERS, "computeCommissionRates": BOOLEAN},
}

#: Parameters a signed request carries even when the caller leaves them to its HTTP client.
SIGNING_PARAMETERS = ("timestamp", "signature")


@frozen
class TypeRule:
    """The spec's "additional mandatory parameters" row for one order type."""

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
    return str(value)


def _violation(rule_id: str, parameter: str | None, *args: str, **extra: object) -> Violation:
    r = rule(rule_id)
    msg = r.message % args if args else r.message
    return Violation(r.code, msg, rule_id, parameter, **extra)  # type: ignore[arg-type]


@frozen
class Decoded:
    """The result of the request layer: the order, the wire texts, and the violations."""

    order: Order
    texts: Mapping[str, str]
    violations: tuple[Violation, ...]


def decode_order(params: Mapping[str, object], endpoint: str) -> Decoded:
    """Apply the request-layer rules that need no snapshot and decode what is valid."""
    known = ENDPOINTS[endpoint]
    texts = {str(k): wire_text(v) for k, v in params.items() if v is not None}
    found: list[Violation] = []
    add = found.append
    values: dict[str, object] = {}

    for name in known:
        if texts.get(name) == "":
            add(_violation("empty_parameter", name, name, detail=f"'{name}' was sent empty"))
    for name in ("symbol", "side", "type"):
        if name not in texts:
            add(_violation("mandatory_parameter", name, name, detail=f"send '{name}'"))

    for name, kind in known.items():
        text = texts.get(name)
        if not text:
            continue
        parsed = _parse(name, kind, text, found)
        if parsed is not None:
            values[name] = parsed

    unknown = [name for name in texts if name not in known]
    if unknown:
        sent = len(texts) + sum(1 for p in SIGNING_PARAMETERS if p not in texts)
        read = sent - len(unknown)
        add(
            _violation(
                "unread_parameters",
                unknown[0],
                str(read),
                str(sent),
                value=", ".join(unknown),
                detail=f"the endpoint does not read {', '.join(repr(u) for u in unknown)}",
            )
        )

    order_type = values.get("type")
    if isinstance(order_type, str):
        _check_type_parameters(order_type, texts, known, found)
        if (
            "icebergQty" in values
            and values.get("timeInForce", "GTC") != "GTC"
            and order_type != "LIMIT_MAKER"
        ):
            add(
                _violation(
                    "iceberg_time_in_force",
                    "timeInForce",
                    value=texts["timeInForce"],
                    limit="GTC",
                    nearest=("GTC",),
                    detail="an iceberg order must be GTC",
                )
            )

    strategy_type = values.get("strategyType")
    if isinstance(strategy_type, int) and strategy_type < 1_000_000:
        add(
            _violation(
                "strategy_type",
                "strategyType",
                value=texts["strategyType"],
                limit="1000000",
                nearest=("1000000",),
            )
        )
    recv_window = values.get("recvWindow")
    if isinstance(recv_window, int) and recv_window > 60_000:
        add(
            _violation(
                "recv_window",
                "recvWindow",
                value=texts["recvWindow"],
                limit="60000",
                nearest=("60000",),
            )
        )

    order = Order(
        symbol=_str_or_none(values.get("symbol")),
        side=_str_or_none(values.get("side")),
        type=_str_or_none(order_type),
        time_in_force=_str_or_none(values.get("timeInForce")),
        quantity=_dec_or_none(values.get("quantity")),
        quote_order_qty=_dec_or_none(values.get("quoteOrderQty")),
        price=_dec_or_none(values.get("price")),
        stop_price=_dec_or_none(values.get("stopPrice")),
        iceberg_qty=_dec_or_none(values.get("icebergQty")),
        trailing_delta=_int_or_none(values.get("trailingDelta")),
        stp_mode=_str_or_none(values.get("selfTradePreventionMode")),
    )
    return Decoded(order, texts, tuple(found))


def _parse(name: str, kind: str, text: str, found: list[Violation]) -> object:
    """The decoded value of one parameter, or None after recording why it is not valid."""
    if kind == DECIMAL:
        value = parse_wire_decimal(text)
        if value is None:
            found.append(_illegal(name, text, DECIMAL_PATTERN))
        elif value > MAX_DECIMAL:
            found.append(
                _violation("parameter_overflow", name, name, value=text, limit=str(MAX_DECIMAL))
            )
            return None
        return value
    if kind in (LONG, INT):
        if _LONG_RE.fullmatch(text) is None:
            found.append(_illegal(name, text, LONG_PATTERN))
            return None
        return int(text)
    if kind == SYMBOL:
        if _SYMBOL_RE.fullmatch(text) is None:
            found.append(_illegal(name, text, SYMBOL_PATTERN))
            return None
        return text
    if kind == CLIENT_ID:
        if _CLIENT_ORDER_ID_RE.fullmatch(text) is None:
            found.append(_illegal(name, text, CLIENT_ORDER_ID_PATTERN))
            return None
        return text
    if kind == ENUM:
        return _enum(name, text, found)
    if kind == BOOLEAN:
        if text.lower() not in ("true", "false"):
            found.append(_violation("invalid_parameter", name, name, value=text))
            return None
        return text.lower() == "true"
    return text


_ENUMS: Mapping[str, tuple[frozenset[str], str]] = {
    "side": (SIDES, "invalid_side"),
    "type": (frozenset(ORDER_TYPES), "invalid_order_type"),
    "timeInForce": (TIME_IN_FORCE, "invalid_time_in_force"),
    "newOrderRespType": (RESPONSE_TYPES, "invalid_parameter"),
    "selfTradePreventionMode": (STP_MODES, "invalid_parameter"),
}


def _enum(name: str, text: str, found: list[Violation]) -> str | None:
    allowed, rule_id = _ENUMS[name]
    if text in allowed:
        return text
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


def _check_type_parameters(
    order_type: str, texts: Mapping[str, str], known: Mapping[str, str], found: list[Violation]
) -> None:
    spec = TYPE_RULES[order_type]
    sent = {name for name, text in texts.items() if text}
    for name in known:
        if name in sent and name in spec.forbidden:
            found.append(
                _violation(
                    "parameter_not_required",
                    name,
                    name,
                    value=texts[name],
                    detail=f"{order_type} orders do not take '{name}'",
                )
            )
    if spec.either == ("quantity", "quoteOrderQty") and {"quantity", "quoteOrderQty"} <= sent:
        # Both sent: Binance names quoteOrderQty (research §4; docs/evidence.md §5).
        found.append(
            _violation(
                "parameter_not_required",
                "quoteOrderQty",
                "quoteOrderQty",
                value=texts["quoteOrderQty"],
                detail="send quantity or quoteOrderQty, not both",
            )
        )
    rule_ = rule("mandatory_for_type")
    for name in spec.required:
        if name not in sent:
            found.append(
                Violation(
                    rule_.code,
                    rule_.message % name,
                    "mandatory_for_type",
                    name,
                    detail=f"{order_type} orders need '{name}'",
                )
            )
    if spec.either is not None and not (sent & set(spec.either)):
        first, second = spec.either
        found.append(
            Violation(
                rule_.code,
                f"Param '{first}' or '{second}' must be sent, but both were empty/null!",
                "mandatory_for_type",
                first,
                detail=f"{order_type} orders need '{first}' or '{second}'",
            )
        )


def symbol_rules(decoded: Decoded, symbol: SymbolInfo) -> Iterator[Violation]:
    """The request-layer rules that need the symbol: precision (-1111), then zero values."""
    order, texts = decoded.order, decoded.texts
    for name, value, precision in (
        ("quantity", order.quantity, symbol.base_asset_precision),
        ("quoteOrderQty", order.quote_order_qty, symbol.quote_asset_precision),
        ("price", order.price, symbol.quote_asset_precision),
        ("stopPrice", order.stop_price, symbol.quote_asset_precision),
        ("icebergQty", order.iceberg_qty, symbol.base_asset_precision),
    ):
        if value is not None and decimals_written(texts[name]) > precision:
            yield _violation(
                "too_much_precision",
                name,
                name,
                value=texts[name],
                limit=str(precision),
                nearest=(_format(value.quantize(Decimal(1).scaleb(-precision))),)
                if _exactly_representable(value, precision)
                else (),
                detail=f"{name} is written with {decimals_written(texts[name])} decimals; "
                f"the asset allows {precision}",
            )
    if order.quantity is not None and not order.quantity:
        yield _violation("invalid_quantity", "quantity", value=texts["quantity"])
    if order.price is not None and not order.price:
        yield _violation("invalid_price", "price", value=texts["price"])


def _exactly_representable(value: Decimal, precision: int) -> bool:
    # Suggest the shorter spelling only when it is the same number ("0.10000000000" -> "0.1").
    return value == value.quantize(Decimal(1).scaleb(-precision))


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _dec_or_none(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
