"""The guard checks first, sends only what passes, fails closed, and reports disagreements."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MakeInfo, full_context, order

from filterlib import UsageError, load_exchange_info
from filterlib.submit import (
    Disagreement,
    DryRunSubmitter,
    Guard,
    Outcome,
    RecordingSubmitter,
    Response,
    Submitter,
)


def test_a_failing_order_gets_binances_error_shape_and_is_not_sent(make_info: MakeInfo) -> None:
    inner = RecordingSubmitter()
    guard = Guard(inner, make_info(), allow_unchecked=True)
    response = guard.submit("/api/v3/order", order(quantity="0.0001"))
    assert response.outcome is Outcome.REJECTED
    assert (response.status, response.body) == (
        400,
        {"code": -1013, "msg": "Filter failure: LOT_SIZE"},
    )
    assert response.sent is False
    assert inner.calls == []


def test_fails_closed_on_unchecked_rules_and_names_them(make_info: MakeInfo) -> None:
    inner = RecordingSubmitter()
    response = Guard(inner, make_info()).submit("/api/v3/order", order())
    assert response.outcome is Outcome.UNCHECKED
    assert not response.sent
    assert inner.calls == []
    rules = {u.rule for u in response.unchecked}
    assert "insufficient_balance" in rules
    assert "insufficient_balance" in response.reason
    assert "needs account" in response.reason


def test_allowing_some_unchecked_rules_still_blocks_the_others(make_info: MakeInfo) -> None:
    probe = Guard(RecordingSubmitter(), make_info()).submit("/api/v3/order", order())
    names = [u.rule for u in probe.unchecked]
    inner = RecordingSubmitter()
    response = Guard(inner, make_info(), allow_unchecked=names[1:]).submit("/api/v3/order", order())
    assert response.outcome is Outcome.UNCHECKED
    assert names[0] in response.reason
    assert all(name not in response.reason for name in names[1:])
    assert (
        Guard(inner, make_info(), allow_unchecked=names).submit("/api/v3/order", order()).outcome
        is Outcome.ACCEPTED
    )


def test_a_passing_order_with_full_context_is_sent_once(make_info: MakeInfo) -> None:
    inner = RecordingSubmitter()
    seen: list[object] = []

    def context(params: object) -> dict[str, object]:
        seen.append(params)
        return full_context()

    guard = Guard(inner, make_info(), context_provider=context)
    response = guard.submit("/api/v3/order", order())
    assert response.outcome is Outcome.ACCEPTED
    assert response.verdict is not None
    assert response.verdict.ok
    assert [c.endpoint for c in inner.calls] == ["/api/v3/order"]
    assert inner.calls[0].params == order()
    assert seen == [order()]


def test_disagreement_is_its_own_event_on_the_response_and_the_callback(
    make_info: MakeInfo,
) -> None:
    events: list[Disagreement] = []
    inner = RecordingSubmitter([Response.rejected(-1013, "Filter failure: PERCENT_PRICE")])
    guard = Guard(inner, make_info(), allow_unchecked=True, on_disagreement=events.append)
    response = guard.submit("/api/v3/order", order())
    assert response.outcome is Outcome.REJECTED
    assert response.disagreement is not None
    assert events == [response.disagreement]
    assert response.disagreement.error.to_dict() == response.body
    assert response.disagreement.explained_by == ()  # no unchecked rule produces this


def test_rules_no_context_decides_do_not_hold_an_order_back(make_info: MakeInfo) -> None:
    # Fail closed, full context: only the account texts Binance alone decides stay unchecked.
    inner = RecordingSubmitter()
    guard = Guard(inner, make_info(), context_provider=lambda params: full_context())
    response = guard.submit("/api/v3/order", order())
    assert response.outcome is Outcome.ACCEPTED
    assert response.verdict is not None
    assert {u.rule for u in response.verdict.unchecked} == {"action_disabled", "symbol_restricted"}
    assert len(inner.calls) == 1


def test_binance_answering_an_account_text_is_explained_by_its_unchecked_rule(
    make_info: MakeInfo,
) -> None:
    msg = "This symbol is restricted for this account."
    inner = RecordingSubmitter([Response.rejected(-2010, msg)])
    guard = Guard(inner, make_info(), context_provider=lambda params: full_context())
    response = guard.submit("/api/v3/order", order())
    assert response.disagreement is not None
    assert response.disagreement.explained_by == ("symbol_restricted",)


def test_a_disagreement_an_unchecked_rule_explains_says_so(make_info: MakeInfo) -> None:
    msg = "Account has insufficient balance for requested action."
    inner = RecordingSubmitter([Response.rejected(-2010, msg)])
    response = Guard(inner, make_info(), allow_unchecked=True).submit("/api/v3/order", order())
    assert response.disagreement is not None
    assert response.disagreement.explained_by == ("insufficient_balance",)


@pytest.mark.parametrize(
    ("code", "msg"),
    [
        (-1022, "Signature for this request is not valid."),
        (-1021, "Timestamp for this request is outside of the recvWindow."),
    ],
)
def test_credential_and_clock_errors_are_not_disagreements(
    make_info: MakeInfo, code: int, msg: str
) -> None:
    events: list[Disagreement] = []
    inner = RecordingSubmitter([Response.rejected(code, msg)])
    guard = Guard(inner, make_info(), allow_unchecked=True, on_disagreement=events.append)
    response = guard.submit("/api/v3/order", order())
    assert response.outcome is Outcome.REJECTED
    assert response.disagreement is None
    assert events == []


def test_a_failing_callback_does_not_lose_the_answer(make_info: MakeInfo) -> None:
    def broken(event: Disagreement) -> None:
        raise RuntimeError("bug in the bot")

    inner = RecordingSubmitter([Response.rejected(-1013, "Filter failure: LOT_SIZE")])
    guard = Guard(inner, make_info(), allow_unchecked=True, on_disagreement=broken)
    assert guard.submit("/api/v3/order", order()).disagreement is not None


def test_the_dry_run_answers_like_the_test_endpoint(make_info: MakeInfo) -> None:
    dry = DryRunSubmitter()
    response = Guard(dry, make_info(), allow_unchecked=True).submit("/api/v3/order", order())
    assert (response.outcome, response.status, response.body) == (Outcome.ACCEPTED, 200, {})
    assert len(dry.calls) == 1


def test_every_submitter_satisfies_the_protocol(make_info: MakeInfo) -> None:
    for submitter in (
        RecordingSubmitter(),
        DryRunSubmitter(),
        Guard(DryRunSubmitter(), make_info()),
    ):
        assert isinstance(submitter, Submitter)


def test_a_scripted_fake_that_runs_out_says_so_with_a_usage_error(make_info: MakeInfo) -> None:
    # The protocol's contract: a submitter raises only UsageError (docs/submitting.md).
    inner = RecordingSubmitter([Response.accepted()])
    inner.submit("/api/v3/order", {})
    with pytest.raises(UsageError, match="no scripted response left for call 2"):
        inner.submit("/api/v3/order", {})
    guard = Guard(inner, make_info(), allow_unchecked=True)
    with pytest.raises(UsageError, match="no scripted response left for call 3"):
        guard.submit("/api/v3/order", order())


def test_guard_usage_errors(make_info: MakeInfo) -> None:
    with pytest.raises(UsageError):
        Guard(DryRunSubmitter(), make_info(), allow_unchecked="MAX_NUM_ORDERS")
    with pytest.raises(UsageError):
        Guard(DryRunSubmitter(), {})  # type: ignore[arg-type]


def test_the_core_does_not_import_the_submitters() -> None:
    code = (
        "import sys, filterlib; "
        "print(sorted(m for m in sys.modules if m.startswith('filterlib.submit') "
        "or m in ('http.client', 'urllib.request', 'ssl', 'cryptography')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


PEGGED_2026 = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "snapshots"
    / "spot_4symbols_2026-09-25_ai-trade-agent.json"
)


def test_the_guard_judges_on_the_snapshots_day_or_as_of() -> None:
    # A pegged order: taken on the 2026 capture's day, unread (-1104) before 2025-08-28.
    info = load_exchange_info(PEGGED_2026)
    pegged = {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.00100",
        "pegPriceType": "PRIMARY_PEG",
    }
    book = {"bidPrice": "30000.00", "askPrice": "30000.01"}
    inner = RecordingSubmitter()
    guard = Guard(inner, info, context_provider=lambda params: book, allow_unchecked=True)
    assert guard.submit("/api/v3/order", pegged).outcome is Outcome.ACCEPTED
    assert [c.params for c in inner.calls] == [pegged]
    before = Guard(
        RecordingSubmitter(), info, allow_unchecked=True, as_of=dt.date(2025, 8, 27)
    ).submit("/api/v3/order", pegged)
    assert before.outcome is Outcome.REJECTED
    assert before.body == {
        "code": -1104,
        "msg": "Not all sent parameters were read; read '7' parameter(s) but was sent '8'.",
    }
    assert before.sent is False


def test_a_bad_as_of_is_refused_when_the_guard_is_built(make_info: MakeInfo) -> None:
    with pytest.raises(UsageError, match=r"as_of must be a datetime\.date"):
        Guard(RecordingSubmitter(), make_info(), as_of="yesterday")


# --- what most likely explains a disagreement (issue 18) ----------------------------------------

BALANCE = (-2010, "Account has insufficient balance for requested action.")


def _disagree(
    make_info: MakeInfo, error: tuple[int, str], context: dict[str, object] | None = None
) -> Disagreement:
    inner = RecordingSubmitter([Response.rejected(*error)])
    guard = Guard(inner, make_info(), allow_unchecked=True, context_provider=lambda params: context)
    response = guard.submit("/api/v3/order", order())
    assert response.disagreement is not None
    return response.disagreement


def test_a_balance_answer_without_an_account_blames_the_context_not_the_snapshot(
    make_info: MakeInfo, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="filterlib.submit"):
        event = _disagree(make_info, BALANCE)
    assert event.cause == "missing_context"
    assert event.advice.startswith("the context had no account, so ")
    assert "insufficient_balance" in event.advice
    assert "snapshot" not in event.advice
    [record] = caplog.records
    assert event.advice in record.getMessage()
    assert "refresh the snapshot" not in record.getMessage()


def test_a_balance_answer_with_an_account_says_the_account_moved(make_info: MakeInfo) -> None:
    event = _disagree(make_info, BALANCE, full_context())
    assert event.explained_by == ()
    assert event.cause == "stale_context"
    assert event.advice.startswith("insufficient_balance passed with the context's account")
    assert "snapshot" not in event.advice


@pytest.mark.parametrize(
    ("error", "cause", "words"),
    [
        # A filter the snapshot has, checked and passed: Binance's rules moved.
        ((-1013, "Filter failure: LOT_SIZE"), "stale_snapshot", "LOT_SIZE passed on the snapshot"),
        # A filter the snapshot's symbol does not have.
        (
            (-1013, "Filter failure: PERCENT_PRICE"),
            "stale_snapshot",
            "gives TSTUSDT no PERCENT_PRICE filter",
        ),
        # A filter filterlib has never heard of.
        ((-1013, "Filter failure: T_PLUS_SELL"), "stale_snapshot", "does not know (T_PLUS_SELL)"),
        # A symbol the snapshot lists, gone since.
        ((-1121, "Invalid symbol."), "stale_snapshot", "unknown_symbol passed on the snapshot"),
        # A request rule that passed: filterlib reads it otherwise than Binance.
        ((-1105, "Parameter 'price' was empty."), "rules_differ", "empty_parameter passed"),
        ((-2010, "A brand new refusal."), "unknown", "no rule of filterlib gives this answer"),
    ],
)
def test_each_disagreement_names_its_likely_cause(
    make_info: MakeInfo, error: tuple[int, str], cause: str, words: str
) -> None:
    event = _disagree(make_info, error, full_context())
    assert (event.cause, event.explained_by) == (cause, ())
    assert words in event.advice
    if cause == "stale_snapshot":
        assert "filterlib snapshot fetch" in event.advice or "does not know" in event.advice
        assert "2023-11-14" in event.advice  # the snapshot's day (serverTime 1700000000000)


def test_an_account_filter_with_open_orders_given_blames_the_context(make_info: MakeInfo) -> None:
    # Account-state filters come as -2010 or as -1013 with the same text; either way the open
    # orders the context gave have moved.
    for code in (-2010, -1013):
        event = _disagree(make_info, (code, "Filter failure: MAX_NUM_ORDERS"), full_context())
        assert event.cause == "stale_context"
        assert "MAX_NUM_ORDERS passed with the context's openOrders" in event.advice
