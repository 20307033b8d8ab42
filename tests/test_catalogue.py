"""The catalogue as data: unique ids, sources, stage order, filter coverage, known variants."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from filterlib import _endpoints as kinds
from filterlib._context import CONTEXT_KEYS
from filterlib._endpoints import ENDPOINTS, Endpoint, Leg
from filterlib._engine import _AMEND_LEG
from filterlib._request import ENUMS, TYPE_RULES, decode_request
from filterlib._rules.filters import COUNT_CHECKS, FILTER_CHECKS
from filterlib._rules.lists import oco_pairs
from filterlib.catalogue import PLACING, RANK, RULES, STAGES, Rule, rule


def test_rule_ids_are_unique() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(rule(r.id) is r for r in RULES)
    assert [RANK[r.id] for r in RULES] == list(range(len(RULES)))


def test_every_rule_has_a_source_code_and_message() -> None:
    for r in RULES:
        assert r.source.strip(), r.id
        assert r.checks.strip(), r.id
        assert r.message.strip(), r.id
        assert r.code < 0, r.id
        for v in r.variants:
            assert v.message.strip(), r.id
            assert v.source.strip(), r.id


def test_stages_are_known_and_in_order() -> None:
    assert STAGES == ("request", "symbol", "filter", "engine")
    positions = [STAGES.index(r.stage) for r in RULES]  # raises for an unknown stage
    assert positions == sorted(positions)


def test_every_filter_check_has_a_rule() -> None:
    ids = {r.id for r in RULES}
    assert set(FILTER_CHECKS) <= ids
    for name in FILTER_CHECKS:
        r = rule(name)
        assert r.message == f"Filter failure: {name}"
        assert r.stage in ("filter", "engine")
        assert r.code == (-1013 if r.stage == "filter" else -2010)


def test_filter_rules_follow_the_spec_order() -> None:
    spec = [
        "PRICE_FILTER",
        "PERCENT_PRICE",
        "PERCENT_PRICE_BY_SIDE",
        "LOT_SIZE",
        "MIN_NOTIONAL",
        "NOTIONAL",
        "ICEBERG_PARTS",
        "MARKET_LOT_SIZE",
        "TRAILING_DELTA",
    ]
    # "Price * QTY is zero or less." reads no filter; Binance reported it where MIN_NOTIONAL
    # also failed (ccxt#7168), so it ranks before the notional filters.
    filters = [r.id for r in RULES if r.stage == "filter"]
    assert filters == [*spec[:4], "price_quantity_zero", *spec[4:]]


def _variant_texts(r: Rule) -> list[str]:
    return [v.message for v in r.variants]


def test_quote_order_qty_text_and_the_spec_typo() -> None:
    r = rule("quote_order_qty_not_supported")
    assert r.code == -1013
    assert r.message == "Quote order qty market orders are not supported for this symbol."
    assert "Quote order qty market orders are not support for this symbol." in _variant_texts(r)


def test_precision_text_and_its_older_form() -> None:
    r = rule("too_much_precision")
    assert (r.code, r.message) == (-1111, "Parameter '%s' has too much precision.")
    assert "Precision is over the maximum defined for this asset." in _variant_texts(r)


def test_stop_trigger_text_and_its_older_form() -> None:
    r = rule("stop_would_trigger")
    assert (r.code, r.message) == (-2010, "Stop price would trigger immediately.")
    assert "Order would trigger immediately." in _variant_texts(r)


def test_market_closed_is_1013() -> None:
    r = rule("market_closed")
    assert (r.code, r.message, r.stage) == (-1013, "Market is closed.", "symbol")


def test_exact_texts_of_the_spec() -> None:
    expected = {
        "empty_parameter": (-1105, "Parameter '%s' was empty."),
        "unread_parameters": (
            -1104,
            "Not all sent parameters were read; read '%s' parameter(s) but was sent '%s'.",
        ),
        "mandatory_parameter": (
            -1102,
            "Mandatory parameter '%s' was not sent, was empty/null, or malformed.",
        ),
        "illegal_characters": (
            -1100,
            "Illegal characters found in parameter '%s'; legal range is '%s'.",
        ),
        "invalid_side": (-1117, "Invalid side."),
        "invalid_order_type": (-1116, "Invalid orderType."),
        "invalid_time_in_force": (-1115, "Invalid timeInForce."),
        "invalid_parameter": (-1130, "Data sent for parameter '%s' is not valid."),
        "parameter_overflow": (-1108, "Parameter '%s' overflowed."),
        "parameter_not_required": (-1106, "Parameter '%s' sent when not required."),
        "unknown_symbol": (-1121, "Invalid symbol."),
        "iceberg_exceeds_quantity": (-2010, "IcebergQty exceeds QTY."),
        "account_cannot_trade": (-2010, "This account may not place or cancel orders."),
        "symbol_not_permitted": (-2010, "This symbol is not permitted for this account."),
        "limit_maker_would_take": (-2010, "Order would immediately match and take."),
        "insufficient_balance": (-2010, "Account has insufficient balance for requested action."),
        "iceberg_not_supported": (-1013, "Iceberg orders are not supported for this symbol."),
        "trailing_stop_not_supported": (
            -1013,
            "Trailing stop orders are not supported for this symbol.",
        ),
    }
    for rule_id, pair in expected.items():
        r = rule(rule_id)
        assert (r.code, r.message) == pair, rule_id


def test_context_needs_are_known_keys() -> None:
    known = {
        "avgPrice",
        "lastPrice",
        "bidPrice",
        "askPrice",
        "account",
        "openOrders",
        "amendments",
        "myFilters",
        "depth",
    }
    assert known <= set(CONTEXT_KEYS)
    for r in RULES:
        assert set(r.needs) <= known, r.id
        if r.needs:
            assert r.stage in ("filter", "engine"), r.id


def test_endpoint_scopes_name_known_endpoint_kinds_or_paths() -> None:
    known = {e.kind for e in ENDPOINTS.values()} | set(ENDPOINTS)
    for r in RULES:
        assert set(r.endpoints) <= known, r.id
        if r.endpoints:  # a scope that matches no endpoint would hide the rule everywhere
            assert any(r.applies_to(e) for e in ENDPOINTS.values()), r.id


def test_the_rules_an_endpoint_spec_names_apply_to_it() -> None:
    # endpoints.py names rules of its own: the rule a leg's wrong type breaks, and the rules a
    # missing parameter breaks. The catalogue's scope must include that endpoint. A leg whose
    # type is implied (type_of: the deprecated OCO's) sends no type, so its type_rule is never
    # read (request._leg_order).
    for endpoint in ENDPOINTS.values():
        for leg in endpoint.legs:
            type_rules = (leg.type_rule,) if leg.type_of is None else ()
            for rule_id in (*type_rules, *leg.missing_rules.values()):
                assert rule(rule_id).applies_to(endpoint), (endpoint.path, rule_id)


def test_engine_rules_do_not_apply_where_the_engine_is_not_reached() -> None:
    for endpoint in ENDPOINTS.values():
        for r in RULES:
            if r.stage == "engine" and not endpoint.engine:
                assert not r.applies_to(endpoint), (endpoint.path, r.id)
            elif not r.endpoints:
                assert r.applies_to(endpoint), (endpoint.path, r.id)


def test_scoped_rules_apply_only_to_their_endpoints() -> None:
    applies = {
        r.id: {e.path for e in ENDPOINTS.values() if r.applies_to(e)} for r in RULES if r.endpoints
    }
    assert applies["oco_price_order"] == {"/api/v3/order/oco"}
    typed_pairs = {"/api/v3/orderList/oco", "/api/v3/orderList/otoco", "/api/v3/orderList/opoco"}
    for rule_id in ("oco_order_type", *_OCO_PLACEMENT):  # not the deprecated OCO: no type sent
        assert applies[rule_id] == typed_pairs, rule_id
    assert applies["oco_not_supported"] == {*typed_pairs, "/api/v3/order/oco"}
    assert applies["opo_working_side"] == {"/api/v3/orderList/opo", "/api/v3/orderList/opoco"}
    assert applies["invalid_order_type"] == set(ENDPOINTS) - {
        "/api/v3/order/oco",
        "/api/v3/order/amend/keepPriority",
    }
    assert applies["oco_price_relationship"] == {"/api/v3/orderList/oco", "/api/v3/order/oco"}
    assert applies["mandatory_one_of"] == {
        "/api/v3/order/cancelReplace",
        "/api/v3/order/amend/keepPriority",
    }
    assert applies["sor_not_supported"] == {"/api/v3/sor/order", "/api/v3/sor/order/test"}
    assert applies["cancel_unknown_order"] == {"/api/v3/order/cancelReplace"}


def test_placing_is_every_endpoint_kind_but_the_amend() -> None:
    kinds = {e.kind for e in ENDPOINTS.values()}
    assert set(PLACING) == kinds - {"amend"}
    assert set(PLACING) == {e.kind for e in ENDPOINTS.values() if e.adds}  # an amend adds none


def test_an_amend_is_judged_on_new_qty_alone() -> None:
    # The engine runs on an amend LOT_SIZE and the notional filters on newQty, no count of open
    # orders (it adds no order) but the count of the order's own amendments, and no rule of a
    # new order's type, price, stop or iceberg (research §14).
    amend = ENDPOINTS["/api/v3/order/amend/keepPriority"]
    filters = {r.id for r in RULES if r.id in FILTER_CHECKS and r.applies_to(amend)}
    assert filters == {"LOT_SIZE", "MIN_NOTIONAL", "NOTIONAL"}
    counts = [r.id for r in RULES if r.id in COUNT_CHECKS and r.applies_to(amend)]
    assert counts == ["MAX_NUM_ORDER_AMENDS"]
    for rule_id in (
        "order_type_not_supported",
        "trailing_stop_not_supported",
        "insufficient_balance",
    ):
        assert not rule(rule_id).applies_to(amend), rule_id
        assert rule(rule_id).endpoints == PLACING, rule_id
    for rule_id in ("amend_market_closed", "stp_mode_not_allowed", "account_cannot_trade"):
        assert rule(rule_id).applies_to(amend), rule_id


#: Request rules that read parameters by their kind (request._parse, decode_request, the engine's
#: symbol look-up), besides the enum kinds' own rules (request.ENUMS).
_KIND_READERS: Mapping[str, frozenset[str]] = {
    "illegal_characters": frozenset(
        {
            kinds.DECIMAL,
            kinds.LONG,
            kinds.INT,
            kinds.STRATEGY_TYPE,
            kinds.RECV_WINDOW,
            kinds.SYMBOL,
            kinds.CLIENT_ID,
            kinds.PEG_OFFSET_VALUE,
        }
    ),
    "parameter_overflow": frozenset({kinds.DECIMAL}),
    "strategy_type": frozenset({kinds.STRATEGY_TYPE}),
    "recv_window": frozenset({kinds.RECV_WINDOW}),
    # recvWindow's microseconds: more than three decimals is -1111 (request._recv_window).
    "too_much_precision": frozenset({kinds.RECV_WINDOW}),
    "peg_offset_value": frozenset({kinds.PEG_OFFSET_VALUE}),
    "unknown_symbol": frozenset({kinds.SYMBOL}),
    "invalid_parameter": frozenset({kinds.BOOLEAN}),
}
_OCO_PLACEMENT = (
    "oco_limit_below",
    "oco_limit_above",
    "oco_contingent",
    "oco_stop_loss_above",
    "oco_stop_loss_below",
    "oco_take_profit_below",
    "oco_take_profit_above",
)


def _wires(leg: Leg, fields: Iterable[str]) -> set[str]:
    return {w for f in fields if (w := leg.wire(f)) is not None}


def _request_reads(endpoint: Endpoint) -> dict[str, set[str]]:
    """Request-stage rule -> the parameters of ``endpoint`` its check reads, worked out from the
    request layer's own tables (parameter kinds, request.ENUMS and TYPE_RULES, the legs' wire
    names, the order the engine judges) and never from the catalogue's scopes."""
    params = endpoint.parameters
    reads: dict[str, set[str]] = {r.id: set() for r in RULES if r.stage == "request"}
    readers = {rule_id: set(found) for rule_id, found in _KIND_READERS.items()}
    for kind, (_, rule_id) in ENUMS.items():
        readers.setdefault(rule_id, set()).add(kind)
    for rule_id, found in readers.items():
        reads[rule_id] |= {name for name, kind in params.items() if kind in found}
    reads["empty_parameter"] |= set(params)
    reads["unread_parameters"] |= set(params)
    reads["mandatory_parameter"] |= set(endpoint.mandatory)
    # engine._request_rules: one of two ids on a cancel-replace and an amend; the deprecated
    # OCO's price against its stopPrice.
    reads["mandatory_one_of"] |= {"cancelOrderId", "cancelOrigClientOrderId"}
    reads["mandatory_one_of"] |= {"orderId", "origClientOrderId"}
    if endpoint.path == "/api/v3/order/oco":
        reads["oco_price_order"] |= {"side", "price", "stopPrice"}
    forbidden = {f for t in TYPE_RULES.values() for f in t.forbidden}
    required = {f for t in TYPE_RULES.values() for f in (*t.required, *(t.either or ()))}
    for leg in endpoint.legs:  # request._leg_order
        if leg.type_of is None:
            reads[leg.type_rule].add(leg.names["type"])
        for wire, rule_id in leg.missing_rules.items():
            reads[rule_id].add(wire)
        reads["parameter_not_required"] |= _wires(leg, {*forbidden, "quantity"})
        reads["mandatory_for_type"] |= _wires(leg, required)
        if leg.wire("pegPriceType") is not None:  # request._peg_parameters
            pegs = _wires(leg, ("pegPriceType", "pegOffsetType", "pegOffsetValue"))
            reads["peg_offset_together"] |= pegs
            reads["peg_order_type"] |= pegs
            reads["peg_type_combination"] |= pegs | _wires(leg, ("timeInForce",))
        if leg.wire("icebergQty") is not None and leg.wire("timeInForce") is not None:
            iceberg = "iceberg_time_in_force" if leg.name is None else "list_iceberg_time_in_force"
            reads[iceberg] |= _wires(leg, ("icebergQty", "timeInForce"))
    if len(endpoint.legs) > 1:  # lists.duplicate_client_ids: each order's client order id
        reads["duplicate_client_ids"] |= {
            name
            for name, kind in params.items()
            if kind == kinds.CLIENT_ID
            and name not in ("listClientOrderId", "cancelOrigClientOrderId", "origClientOrderId")
        }
    if endpoint.kind in ("opo", "opoco"):  # lists.opo_sides
        reads["opo_working_side"].add("workingSide")
        reads["opo_pending_side"].add("pendingSide")
    for above, below in oco_pairs(decode_request({}, endpoint)):  # lists.oco_placement
        for rule_id in _OCO_PLACEMENT:
            reads[rule_id] |= _wires(above.leg, ("type", "side"))
            reads[rule_id] |= _wires(below.leg, ("type", "side"))
    # request.symbol_rules, on the orders the engine judges: an amend's is newQty alone.
    for leg in endpoint.legs or (_AMEND_LEG,):
        precise = ("quantity", "quoteOrderQty", "price", "stopPrice", "icebergQty")
        reads["too_much_precision"] |= _wires(leg, precise)
        reads["invalid_quantity"] |= _wires(leg, ("quantity",))
        reads["invalid_price"] |= _wires(leg, ("price",))
    return {rule_id: found & set(params) for rule_id, found in reads.items()}


def test_a_request_rule_applies_exactly_where_the_endpoint_has_a_parameter_it_reads() -> None:
    # A request rule that reads none of an endpoint's parameters can never concern it, and
    # explain would show it as "pass" there: before the scope, an amend (symbol, orderId,
    # origClientOrderId, newClientOrderId, newQty) "passed" invalid_side, invalid_price ...
    # Conversely a rule that reads a parameter of an endpoint must not be n/a there.
    gaps, hidden = set(), set()
    for path, endpoint in ENDPOINTS.items():
        reads = _request_reads(endpoint)
        for r in RULES:
            if r.stage != "request":
                continue
            if r.applies_to(endpoint) and not reads[r.id]:
                gaps.add((path, r.id))
            if reads[r.id] and not r.applies_to(endpoint):
                hidden.add((path, r.id, frozenset(reads[r.id])))
    assert gaps == set()
    assert hidden == set()
    # The deprecated OCO (kind "oco", like the new one) sends no type and no above/below pair:
    # its legs' types are implied. The rules of a sent type and of the pair's placement read
    # nothing of it, so the catalogue scopes them to the new OCO and the OTOCO alone.
    old_oco = _request_reads(ENDPOINTS["/api/v3/order/oco"])
    new_oco = _request_reads(ENDPOINTS["/api/v3/orderList/oco"])
    for rule_id in ("invalid_order_type", "oco_order_type", *_OCO_PLACEMENT):
        assert old_oco[rule_id] == set(), rule_id
        assert new_oco[rule_id], rule_id
    assert old_oco["oco_price_order"] == {"side", "price", "stopPrice"}
    amend = _request_reads(ENDPOINTS["/api/v3/order/amend/keepPriority"])
    assert amend["invalid_quantity"] == {"newQty"}
    assert amend["too_much_precision"] == {"newQty", "recvWindow"}
    assert amend["illegal_characters"] == {
        "symbol",
        "orderId",
        "origClientOrderId",
        "newClientOrderId",
        "newQty",
        "recvWindow",
        "timestamp",
    }
