"""The day a verdict speaks for: Binance's rules change, and a snapshot is a picture of one day.

``check`` answers as Binance did on the snapshot's day (its ``serverTime``, in UTC) unless the
caller asks for another one (``as_of``). The days below are the changes filterlib models, each
from Binance's changelog (docs 2026-07, section 6; research §16); docs/rules.md lists them. A
rule, a text, a parameter or an endpoint with no start date applies from the first snapshot
there is evidence for.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from .exceptions import UsageError

__all__ = [
    "ACCOUNT_TEXTS",
    "AMEND",
    "CANCEL_ONLY",
    "LATEST",
    "LIQUIDITY",
    "MY_FILTERS",
    "OPO",
    "PEGS",
    "PRECISION_TEXT",
    "AsOf",
    "in_force",
    "resolve_as_of",
]

#: The account texts "This symbol is restricted for this account." and its kin (CHANGELOG
#: 2023-03-13; research §16).
ACCOUNT_TEXTS = dt.date(2023, 3, 13)
#: The order-book liquidity texts for quote-quantity MARKET orders (CHANGELOG 2024-08-16).
LIQUIDITY = dt.date(2024, 8, 16)
#: -1111's text became "Parameter '%s' has too much precision." (CHANGELOG 2023-12-04).
PRECISION_TEXT = dt.date(2023, 12, 4)
#: PUT /api/v3/order/amend/keepPriority and amendAllowed appear (CHANGELOG 2025-04-07, as
#: clarified 2025-04-21: amend enabled on all symbols from 2025-05-07).
AMEND = dt.date(2025, 4, 24)
#: Pegged orders, ``pegInstructionsAllowed``, recvWindow with microseconds, MAX_NUM_ORDER_LISTS
#: and MAX_NUM_ORDER_AMENDS (CHANGELOG 2025-08-12, "Future Changes": 2025-08-28 07:00 UTC).
PEGS = dt.date(2025, 8, 28)
#: ``GET /api/v3/myFilters`` and the MAX_ASSET filter it alone shows (CHANGELOG 2025-09-29,
#: "will be deployed on 2025-09-29, starting at 10:00 UTC").
MY_FILTERS = dt.date(2025, 9, 29)
#: OPO and OPOCO, ``opoAllowed`` and STP TRANSFER (CHANGELOG 2025-12-02; rolled out over up to
#: two weeks, so a snapshot of the fortnight after may or may not have them).
OPO = dt.date(2025, 12, 2)
#: The symbol status CANCEL_ONLY (CHANGELOG 2026-07-01: "will occur on 2026-07-07").
CANCEL_ONLY = dt.date(2026, 7, 7)

#: The newest change modelled: on or after it, every rule is in its latest form.
LATEST_CHANGE = max(
    ACCOUNT_TEXTS, LIQUIDITY, PRECISION_TEXT, AMEND, PEGS, MY_FILTERS, OPO, CANCEL_ONLY
)

#: ``as_of="latest"``: the rules as they stand now, whatever the snapshot's day.
LATEST = "latest"

#: A resolved day: None means the latest rules.
AsOf = dt.date | None


def in_force(day: AsOf, since: dt.date | None, until: dt.date | None = None) -> bool:
    """Whether something Binance applied from ``since`` until (not including) ``until`` was in
    force on ``day`` (None: the latest rules, so anything not yet ended)."""
    if day is None:
        return until is None
    return (since is None or since <= day) and (until is None or day < until)


def resolve_as_of(as_of: object, server_time: int | None) -> AsOf:
    """The day to answer for: ``as_of`` when given (a date, a datetime, ``"latest"``), else the
    UTC day of the snapshot's ``serverTime`` (milliseconds), else the latest rules.

    The day is made None (latest) when it is on or after the newest change modelled, so that
    callers can tell cheaply that no rule needs dating. Raises UsageError for anything else.
    """
    if as_of is None:
        return None if server_time is None else _day_of_ms(server_time)
    if as_of == LATEST and isinstance(as_of, str):
        return None
    if isinstance(as_of, dt.datetime):
        if as_of.tzinfo is not None:
            as_of = as_of.astimezone(dt.UTC)
        return _latest_or(as_of.date())
    if isinstance(as_of, dt.date):
        return _latest_or(as_of)
    raise UsageError(
        "as_of must be a datetime.date, a datetime.datetime or 'latest', "
        f"not {type(as_of).__name__}"
    )


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@lru_cache(maxsize=64)
def _day_of_ms(ms: int) -> AsOf:
    try:
        day = (_EPOCH + dt.timedelta(milliseconds=ms)).date()
    except OverflowError:
        return None  # a serverTime no calendar holds: judge by the latest rules
    return _latest_or(day)


def _latest_or(day: dt.date) -> AsOf:
    return None if day >= LATEST_CHANGE else day
