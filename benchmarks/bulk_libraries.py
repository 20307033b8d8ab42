"""Which library should do a columnar checker's vectorised work: pyarrow compute, numpy or polars.

Every step is done exactly (integers only, never a float, not even in between), checked
against a pure-Python reference on every row before it is timed, and timed as the best (and
median) of ``--repeats`` runs over ``--rows`` rows, in ns per row, with the best run's CPU
time beside it (all threads summed: above the wall-clock time where a library ran threads):

1. parse: a column of Binance wire decimals (grammar ``[0-9]{1,20}(\\.[0-9]{1,20})?``) into
   ``value * 10**8`` as uint64, with a flag saying the row is parseable exactly (it matches the
   grammar, has at most 8 decimals and ``value * 10**8`` fits in uint64). A row that is not is
   flagged, never parsed, and never makes the whole column raise. About 1% of the test rows are
   malformed (``"1e5"``, ``""``, ``"-1"``, ``"1."``, ``".5"``, full-width digits, 9 decimals,
   a trailing newline or NUL, ...) and about 1% are edge cases (20 integer digits, the uint64
   boundary). The reference is ``int(Decimal(s).scaleb(8))`` on the rows an ASCII-only
   ``re.fullmatch`` accepts, in a 60-digit context;
2. check: int64 price P and quantity Q (scaled 10**8) against per-row bounds: PRICE_FILTER
   (``minP <= P <= maxP``, ``P % tick == 0``), then LOT_SIZE likewise, then the notional
   ``low <= P * Q <= high`` at scale 10**16, where P * Q reaches ~2**126 and the bounds exceed
   64 bits (maxNotional 9000000 is 9e22): 128-bit, as uint64 (hi, lo) halves, decimal256 or
   Int128. The answer is an int8 column: 0 passes, 1 PRICE_FILTER, 2 LOT_SIZE, 3 NOTIONAL;
3. convert: a 6-column DataFrame of strings, from pandas (its default ``str`` dtype, which
   pandas 3 keeps in Arrow memory, and ``object``) and from polars, to each library's own
   representation (a pyarrow Table, numpy StringDType arrays, a polars DataFrame).

Then reading the same orders as JSON Lines into string columns (pyarrow.json with an explicit
schema, polars.read_ndjson with a schema, and ``orjson.loads`` per line into Python lists as
the baseline), writing and reading them as Parquet (pyarrow.parquet and polars, each with its
default codec), each library's size on disk (``du`` of the directories its distribution
installs, polars' separate ``polars-runtime-*`` binary distribution included) and the time
``import X`` takes in a fresh interpreter (best of ``--repeats``).

pyarrow and polars may use their thread pools (the sizes are printed), numpy one thread.
Other work on the machine skews the figures; the load average is printed before and after.

Run: ``python benchmarks/bulk_libraries.py [--rows 1000000] [--repeats 5]`` (about a minute
and a half at a million rows on two cores; needs numpy, pandas, pyarrow and polars).
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
import pyarrow.parquet as pq
from numpy.dtypes import StringDType

U64Array = npt.NDArray[np.uint64]
I64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Int8Array = npt.NDArray[np.int8]
#: Code units of strings: UTF-8 bytes (uint8) or UCS-4 code points (uint32).
CodeArray = npt.NDArray[np.uint8] | npt.NDArray[np.uint32]

#: The scale of P and Q; P * Q and the notional bounds are at SCALE**2.
SCALE = 10**8
U64_MAX = 2**64 - 1
#: The longest string that can parse: 20 integer digits, the dot, 8 decimals.
MAX_WIDTH = 29
#: What the parsed value may not exceed, as 28 digits (20 integer ones, 8 decimals) and as
#: the two base-10**10 halves of value * 10**8.
U64_MAX_28 = f"{U64_MAX:028d}"
U64_MAX_DECIMAL = Decimal(U64_MAX).scaleb(-8)
U64_MAX_HI, U64_MAX_LO = divmod(U64_MAX, 10**10)
#: The parseable subset of the wire grammar: at most 8 decimals. Anchored, ASCII classes only;
#: RE2 (pyarrow) and Rust's regex (polars) read ``$`` as the end of the text and ``[0-9]`` as
#: ASCII, but Rust's ``\d`` takes every Unicode digit, as Python's ``re`` does.
PARSEABLE = r"^[0-9]{1,20}(?:\.[0-9]{1,8})?$"
PARSEABLE_PARTS = r"^(?P<units>[0-9]{1,20})(?:\.(?P<decimals>[0-9]{1,8}))?$"
#: The reference's grammar: Python's ``$`` also matches before a final newline, hence fullmatch.
_REFERENCE_GRAMMAR = re.compile(r"[0-9]{1,20}(?:\.[0-9]{1,8})?", re.ASCII)
#: Above every P * Q of two values <= 2**63 - 1 (< 2**126), and inside decimal128(38, 0),
#: Int128 and two uint64 halves: the compiled form's unbounded maximum (10**90) clamped.
UNBOUNDED = 10**38 - 1
#: Binance's largest DECIMAL parameter, 92233720368.54775807, at scale 10**8.
MAX_SCALED = 2**63 - 1

ORDER_FIELDS = ("symbol", "side", "type", "timeInForce", "quantity", "price")
CHECK_FIELDS = ("P", "Q", "minP", "maxP", "tick", "minQ", "maxQ", "step", "low", "high")


# ---------------------------------------------------------------------------------------------
# Test data


def _valid_wire(rng: random.Random) -> str:
    """A wire decimal as orders carry them: prices, quantities, integers, tick-padded forms."""
    r = rng.random()
    if r < 0.35:
        return f"{rng.randrange(1, 100_000)}.{rng.randrange(100):02d}"  # 30000.01
    if r < 0.55:
        return f"0.{rng.randrange(1, 10**8):08d}"  # 0.00001234
    if r < 0.70:
        return f"{rng.randrange(10)}.{rng.randrange(1, 10**5) * 1000:08d}"  # 0.00100000
    if r < 0.80:
        return str(rng.randrange(1, 1000))  # 12
    if r < 0.90:
        return f"{rng.randrange(1, 100_000)}.{rng.randrange(100):02d}000000"  # 30000.01000000
    places = rng.randrange(1, 9)
    return f"{rng.randrange(10**11)}.{rng.randrange(10**places):0{places}d}"


#: Rows that match the grammar (or come close) and sit on an edge of "parseable".
EDGE_ROWS = (
    "12345678901234567890",  # 20 integer digits: value * 10**8 does not fit
    "00000000000000000001",  # 20 integer digits that fit
    "184467440737.09551615",  # exactly 2**64 - 1 once scaled
    "184467440737.09551616",  # one above
    "99999999999999999999.99999999",  # the longest parseable-looking string
    "99999999999999999999.99999999999999999999",  # grammar's longest: too many decimals
    "0.00000000000000000001",  # 20 decimals
    "1.10000000000",  # 11 decimals, all trailing zeros: flagged (more than 8 decimals)
    "0",
    "0.0",
    "000.00000000",
    "1.00000001",
)
#: Malformed rows, including what Python's int() or Decimal() would accept.
INVALID_ROWS = (
    "1e5",
    "",
    "-1",
    "1.",
    ".5",
    "\uff11\uff12",  # full-width "12": int() and Decimal() take it, \d matches it
    "\u0663",  # ARABIC-INDIC DIGIT THREE
    "\u00b2",  # superscript two: str.isdigit() is True
    "1.123456789",  # 9 decimals
    "123456789012345678901",  # 21 integer digits
    "12\n",  # Python's re "$" matches before the newline
    " 1",
    "1 ",
    "+1",  # polars' string-to-integer cast takes it
    "1_000",  # int() and Decimal() take it
    "12\x00",  # numpy's string functions ignore trailing NULs
    "1\x002",
    "1..2",
    "1.2.3",
    "1,5",
    "NaN",
    "Infinity",
    "0x10",
)


def wire_decimals(n: int, rng: random.Random) -> list[str]:
    """``n`` strings: about 1% malformed, 1% edge cases, the rest valid wire decimals."""
    out: list[str] = []
    for _ in range(n):
        r = rng.random()
        if r < 0.01:
            out.append(rng.choice(INVALID_ROWS))
        elif r < 0.02:
            out.append(rng.choice(EDGE_ROWS))
        else:
            out.append(_valid_wire(rng))
    return out


@dataclass(frozen=True)
class Profile:
    """One symbol's bounds at scale 10**8 (notional at 10**16) and realistic price ranges."""

    min_p: int
    max_p: int
    tick: int
    min_q: int
    max_q: int
    step: int
    low: int
    high: int
    price_range: tuple[int, int]


def _profile(tick: int, step: int, low: int, high: int, prices: tuple[int, int]) -> Profile:
    """A symbol whose price and quantity bounds are Binance's usual ones for its tick and step:
    from one tick (step) up to 10**6 (9 * 10**10) units, at most 2**63 - 1 scaled."""
    return Profile(
        tick, min(10**6 * SCALE, MAX_SCALED), tick, step, min(9 * 10**10 * SCALE, MAX_SCALED),
        step, low, high, prices,
    )  # fmt: skip


PROFILES = (
    # BTCUSDT-like: tick 0.01, step 0.00001, notional 5 .. 9000000, prices 20000 .. 80000
    _profile(10**6, 10**3, 5 * 10**16, 9 * 10**22, (2 * 10**12, 8 * 10**12)),
    # ETHBTC-like: tick 0.00001, step 0.0001, notional 0.0001 .. 9000000, prices 0.01 .. 0.1
    _profile(10**3, 10**4, 10**12, 9 * 10**22, (10**6, 10**7)),
    # SHIBUSDT-like: tick 0.00000001, step 1, notional 5 .. 9000000, prices 0.000005 .. 0.00003
    _profile(1, 10**8, 5 * 10**16, 9 * 10**22, (500, 3000)),
    # Everything at Binance's limits: bounds 1 .. 2**63 - 1, the notional unbounded
    Profile(1, MAX_SCALED, 1, 1, MAX_SCALED, 1, 0, UNBOUNDED, (1, MAX_SCALED)),
)


def check_rows(n: int, rng: random.Random) -> list[tuple[int, ...]]:
    """``n`` rows of (P, Q, minP, maxP, tick, minQ, maxQ, step, low, high): most pass, the rest
    break PRICE_FILTER, LOT_SIZE or the notional (the reference decides which)."""
    rows: list[tuple[int, ...]] = []
    for _ in range(n):
        f = PROFILES[rng.choices(range(len(PROFILES)), weights=(45, 20, 25, 10))[0]]
        p = rng.randrange(*f.price_range) // f.tick * f.tick or f.tick
        # a quantity on the step whose notional is inside [low, high] when it can be
        lo_q = max(f.min_q, -(-f.low // p))
        hi_q = min(f.max_q, f.high // p)
        q = rng.randrange(lo_q, max(lo_q, hi_q) + 1) // f.step * f.step or f.step
        kind = rng.random()
        if kind < 0.06:  # PRICE_FILTER: off the tick, or outside the bounds
            p = rng.choice((p + 1 if f.tick > 1 else f.max_p + 1, f.min_p - 1, f.max_p + f.tick))
            p = min(max(p, 0), MAX_SCALED)
        elif kind < 0.12:  # LOT_SIZE
            q = rng.choice((q + 1 if f.step > 1 else f.max_q + 1, f.min_q - 1, f.max_q + f.step))
            q = min(max(q, 0), MAX_SCALED)
        elif kind < 0.18 and f.low:  # NOTIONAL: below the minimum
            q = max(f.min_q, (f.low // p) // f.step * f.step)
        elif kind < 0.21 and f.high < UNBOUNDED:  # NOTIONAL: above the maximum
            p = f.max_p // f.tick * f.tick
            q = f.max_q // f.step * f.step
        rows.append((p, q, f.min_p, f.max_p, f.tick, f.min_q, f.max_q, f.step, f.low, f.high))
    return rows


def orders(n: int, rng: random.Random) -> dict[str, list[str]]:
    """``n`` LIMIT orders as string columns, as a bot writes them to JSON Lines."""
    symbols = ("BTCUSDT", "ETHUSDT", "ETHBTC", "BNBUSDT", "SOLUSDT", "XRPUSDT", "SHIBUSDT")
    columns: dict[str, list[str]] = {name: [] for name in ORDER_FIELDS}
    for _ in range(n):
        columns["symbol"].append(rng.choice(symbols))
        columns["side"].append(rng.choice(("BUY", "SELL")))
        columns["type"].append("LIMIT")
        columns["timeInForce"].append("GTC")
        columns["quantity"].append(_valid_wire(rng))
        columns["price"].append(_valid_wire(rng))
    return columns


# ---------------------------------------------------------------------------------------------
# References (plain Python integers)


def reference_parse(text: str) -> int | None:
    """``value * 10**8`` for a parseable row, else None.

    ``int(Decimal(s).scaleb(8))`` alone is not exact outside the parseable set: Decimal and
    int take full-width digits, underscores and spaces; scaleb rounds to the context's 28
    digits; int() truncates a 9th decimal. Hence the ASCII grammar first and 60 digits.
    """
    if not _REFERENCE_GRAMMAR.fullmatch(text):
        return None
    with localcontext() as ctx:
        ctx.prec = 60
        shifted = Decimal(text).scaleb(8)
    value = int(shifted)
    assert value == shifted
    return value if value <= U64_MAX else None


def reference_check(row: Sequence[int]) -> int:
    """The first failing filter: 0 none, 1 PRICE_FILTER, 2 LOT_SIZE, 3 NOTIONAL."""
    p, q, min_p, max_p, tick, min_q, max_q, step, low, high = row
    if p < min_p or p > max_p or p % tick:
        return 1
    if q < min_q or q > max_q or q % step:
        return 2
    if not low <= p * q <= high:
        return 3
    return 0


# ---------------------------------------------------------------------------------------------
# Step 1, parse: each returns (value * 10**8 as uint64, 0 where not parseable; parseable)


def pyarrow_parse_decimal(column: pa.Array) -> tuple[pa.Array, pa.Array]:
    """RE2 grammar check, then Arrow's string-to-decimal128(28, 8) cast on the matching rows.

    The cast alone is not enough: it takes "1e5" and raises for the whole column on a 9th
    decimal. A decimal128 holds its unscaled integer (value * 10**8 here) as a 128-bit
    little-endian integer, so the same buffers read as decimal128(38, 0) are the answer.
    """
    ok = pc.fill_null(pc.match_substring_regex(column, PARSEABLE), False)
    dec_type = pa.decimal128(28, 8)
    dec = pc.cast(pc.if_else(ok, column, pa.scalar("0", column.type)), dec_type)
    ok = pc.and_(ok, pc.less_equal(dec, pa.scalar(U64_MAX_DECIMAL, dec_type)))
    dec = pc.if_else(ok, dec, pa.scalar(Decimal(0), dec_type))
    unscaled = pa.Array.from_buffers(
        pa.decimal128(38, 0), len(dec), dec.buffers(), null_count=dec.null_count, offset=dec.offset
    )
    return pc.cast(unscaled, pa.uint64()), ok


def pyarrow_parse_text(column: pa.Array) -> tuple[pa.Array, pa.Array]:
    """RE2 extract of the integer and decimal digits, padded to 28 digits, compared as text
    with 2**64 - 1 and cast (the last 20 digits) to uint64."""
    parts = pc.extract_regex(column, PARSEABLE_PARTS)
    units = pc.utf8_lpad(pc.struct_field(parts, "units"), 20, "0")
    decimals = pc.utf8_rpad(pc.struct_field(parts, "decimals"), 8, "0")
    digits = pc.binary_join_element_wise(units, decimals, pa.scalar("", column.type))
    ok = pc.fill_null(pc.less_equal(digits, pa.scalar(U64_MAX_28, column.type)), False)
    last20 = pc.utf8_slice_codeunits(digits, 8, 28)
    return pc.cast(pc.if_else(ok, last20, pa.scalar("0", column.type)), pa.uint64()), ok


def _grammar(length: I64Array, dots: I64Array, dot: I64Array) -> BoolArray:
    """Rows whose digits and single optional dot make 1-20 integer digits and 1-8 decimals
    (``dot`` is the dot's index, or the length when there is none)."""
    decimals = length - dot - 1
    no_dot: BoolArray = dots == 0  # numpy's stubs type == as Any
    return (dots <= 1) & (dot >= 1) & (dot <= 20) & (no_dot | ((decimals >= 1) & (decimals <= 8)))


def _digits_to_scaled(
    codes: CodeArray, start: I64Array, length: I64Array, dot: I64Array, ok: BoolArray
) -> U64Array:
    """``value * 10**8`` of the rows ``ok`` marks (their grammar already checked), clearing
    ``ok`` where it exceeds uint64. Row i's characters are ``codes[start[i]:][:length[i]]``.

    The rows are grouped by (length, dot index), so within a group each character column has
    one power of ten: the value is summed as two base-10**10 halves in uint64, exactly, and a
    digit at 10**20 or above means it does not fit.
    """
    value = np.zeros(len(ok), np.uint64)
    rows_ok = np.flatnonzero(ok)
    key = (length[rows_ok] * 32 + dot[rows_ok]).astype(np.uint16)
    order = np.argsort(key, kind="stable")  # a radix sort for 16-bit keys
    rows_ok, key = rows_ok[order], key[order]
    cuts = (np.flatnonzero(np.diff(key)) + 1).tolist()
    for begin, end in zip([0, *cuts], [*cuts, len(key)], strict=True):
        if begin == end:
            continue
        group_length, group_dot = divmod(int(key[begin]), 32)
        rows = rows_ok[begin:end]
        at = start[rows]
        hi = np.zeros(len(rows), np.uint64)
        lo = np.zeros(len(rows), np.uint64)
        big = np.zeros(len(rows), np.bool_)
        for j in range(group_length):
            if j == group_dot:
                continue
            power = group_dot + 7 - j + (j > group_dot)  # of this digit in value * 10**8
            digit = (codes[at + j] - 48).astype(np.uint64)
            if power >= 20:
                big |= digit != 0
            elif power >= 10:
                hi += digit * np.uint64(10 ** (power - 10))
            else:
                lo += digit * np.uint64(10**power)
        fits = ~big & ((hi < U64_MAX_HI) | ((hi == U64_MAX_HI) & (lo <= U64_MAX_LO)))
        value[rows] = np.where(fits, hi * np.uint64(10**10) + lo, np.uint64(0))
        ok[rows] = fits
    return value


def numpy_parse_arrow_buffers(column: pa.Array) -> tuple[U64Array, BoolArray]:
    """numpy on the column's Arrow buffers (offsets and UTF-8 bytes, zero-copy): the bytes are
    classified in one pass; the rows of the few non-digit bytes and of the dots are found by
    binary search in the offsets."""
    if column.type == pa.string():
        offset_type: type[np.signedinteger[Any]] = np.int32
    elif column.type == pa.large_string():
        offset_type = np.int64
    else:
        column = column.cast(pa.large_string())
        offset_type = np.int64
    n = len(column)
    _, offsets_buffer, data_buffer = column.buffers()
    offsets = np.frombuffer(offsets_buffer, offset_type)[column.offset : column.offset + n + 1]
    offsets = offsets.astype(np.int64)
    data = (
        np.frombuffer(data_buffer, np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    )
    first = int(offsets[0])
    text = data[first : int(offsets[-1])]
    length = np.diff(offsets)
    is_dot = text == 46
    bad_at = np.flatnonzero(((text - 48) > 9) & ~is_dot) + first  # uint8 wraps below "0"
    dot_at = np.flatnonzero(is_dot) + first
    dot_rows = np.searchsorted(offsets, dot_at, side="right") - 1
    dots = np.bincount(dot_rows, minlength=n)
    dot = length.copy()
    dot[dot_rows] = dot_at - offsets[dot_rows]  # rows with two dots are rejected anyway
    bad = np.bincount(np.searchsorted(offsets, bad_at, side="right") - 1, minlength=n)
    ok = _grammar(length, dots, dot) & (bad == 0)
    if column.null_count:
        ok &= pc.is_valid(column).to_numpy(zero_copy_only=False)
    return _digits_to_scaled(data, offsets[:-1], length, dot, ok), ok


def numpy_parse_strings(column: npt.NDArray[Any]) -> tuple[U64Array, BoolArray]:
    """numpy on its own variable-width StringDType: rows of 1-29 characters become a fixed
    ``U29`` block of UCS-4 code points, classified in one pass.

    numpy's string functions treat trailing NULs as padding (``str_len("12\\0")`` is 2, and
    ``U29`` drops them), so each row is compared with its ``U29`` copy; ``astype("U29")`` would
    also truncate a longer row silently, which the length filter rules out.
    """
    n = len(column)
    length_all = np.strings.str_len(column).astype(np.int64)
    rows = np.flatnonzero((length_all >= 1) & (length_all <= MAX_WIDTH))
    short = column[rows]
    fixed = short.astype(f"U{MAX_WIDTH}")
    intact = fixed.astype(StringDType()) == short
    codes = fixed.view(np.uint32).ravel()  # MAX_WIDTH code points a row, 0 after its end
    m = len(rows)
    length = length_all[rows]
    inside = (np.arange(MAX_WIDTH) < length[:, None]).ravel()
    is_dot = codes == 46
    bad_at = np.flatnonzero(inside & ~is_dot & ((codes - 48) > 9))
    dot_at = np.flatnonzero(is_dot)
    dot_rows = dot_at // MAX_WIDTH
    dots = np.bincount(dot_rows, minlength=m)
    dot = length.copy()
    dot[dot_rows] = dot_at % MAX_WIDTH
    bad = np.bincount(bad_at // MAX_WIDTH, minlength=m)
    ok_short = intact & _grammar(length, dots, dot) & (bad == 0)
    start = np.arange(m, dtype=np.int64) * MAX_WIDTH
    value_short = _digits_to_scaled(codes, start, length, dot, ok_short)
    value = np.zeros(n, np.uint64)
    ok = np.zeros(n, np.bool_)
    value[rows] = value_short
    ok[rows] = ok_short
    return value, ok


def polars_parse_decimal(column: pl.Series) -> pl.DataFrame:
    """Rust-regex grammar check, then ``str.to_decimal(scale=8)`` on the matching rows (it
    rounds a 9th decimal silently, so the regex is what keeps it exact), times 10**8."""
    text = pl.col("text")
    dec_type = pl.Decimal(38, 8)
    ok = text.str.contains(PARSEABLE).fill_null(False)
    dec = pl.when(pl.col("ok")).then(text).otherwise(pl.lit("0")).str.to_decimal(scale=8)
    fits = pl.col("ok") & (pl.col("dec") <= pl.lit(U64_MAX_DECIMAL, dtype=dec_type))
    zero = pl.lit(Decimal(0), dtype=dec_type)
    value = (pl.when(pl.col("ok")).then(pl.col("dec")).otherwise(zero) * SCALE).cast(pl.UInt64)
    return (
        column.to_frame("text")
        .lazy()
        .with_columns(ok=ok)
        .with_columns(dec=dec)
        .with_columns(ok=fits)
        .select(value=value, ok=pl.col("ok"))
        .collect()
    )


def polars_parse_text(column: pl.Series) -> pl.DataFrame:
    """Rust-regex extract of the digits, padded to 28, compared as text with 2**64 - 1 and cast
    (the last 20 digits) to UInt64, as pyarrow_parse_text."""
    parts = pl.col("text").str.extract_groups(PARSEABLE_PARTS)
    digits = parts.struct.field("units").str.zfill(20) + parts.struct.field("decimals").fill_null(
        ""
    ).str.pad_end(8, "0")
    ok = (pl.col("digits") <= U64_MAX_28).fill_null(False)
    last20 = pl.when(pl.col("ok")).then(pl.col("digits").str.slice(8)).otherwise(pl.lit("0"))
    return (
        column.to_frame("text")
        .lazy()
        .select(digits=digits)
        .with_columns(ok=ok)
        .select(value=last20.cast(pl.UInt64), ok=pl.col("ok"))
        .collect()
    )


# ---------------------------------------------------------------------------------------------
# Step 2, check: each returns the int8 failure column. P and Q are in [0, 2**63 - 1] (what the
# request layer admits) and tick and step at least 1 (the compiled form's disabled step).


def _mul128(p: I64Array, q: I64Array) -> tuple[U64Array, U64Array]:
    """P * Q as uint64 (hi, lo) from 32-bit halves: every partial product fits uint64, and
    ``ah * bl + al * bh < 2**64`` because ``ah, bh < 2**31``."""
    a, b = p.view(np.uint64), q.view(np.uint64)
    mask, shift = np.uint64(0xFFFFFFFF), np.uint64(32)
    ah, al, bh, bl = a >> shift, a & mask, b >> shift, b & mask
    low = al * bl
    mid = ah * bl + al * bh
    lo = low + (mid << shift)  # wraps: the carry is recovered below
    hi = ah * bh + (mid >> shift) + (lo < low).astype(np.uint64)
    return hi, lo


def numpy_check(c: Mapping[str, npt.NDArray[Any]]) -> Int8Array:
    """numpy int64 comparisons and remainders; the notional with uint64 halves."""
    p, q = c["P"], c["Q"]
    price = (p < c["minP"]) | (p > c["maxP"]) | (p % c["tick"] != 0)
    lot = (q < c["minQ"]) | (q > c["maxQ"]) | (q % c["step"] != 0)
    hi, lo = _mul128(p, q)
    low_hi, low_lo, high_hi, high_lo = c["low_hi"], c["low_lo"], c["high_hi"], c["high_lo"]
    below = (hi < low_hi) | ((hi == low_hi) & (lo < low_lo))
    above = (hi > high_hi) | ((hi == high_hi) & (lo > high_lo))
    return np.select(
        [price, lot, below | above], [np.int8(1), np.int8(2), np.int8(3)], np.int8(0)
    ).astype(np.int8)


def _pyarrow_filters(c: Mapping[str, pa.Array]) -> tuple[pa.Array, pa.Array]:
    p, q = c["P"], c["Q"]
    price = pc.or_(
        pc.or_(pc.less(p, c["minP"]), pc.greater(p, c["maxP"])),
        pc.not_equal(pc.remainder(p, c["tick"]), 0),
    )
    lot = pc.or_(
        pc.or_(pc.less(q, c["minQ"]), pc.greater(q, c["maxQ"])),
        pc.not_equal(pc.remainder(q, c["step"]), 0),
    )
    return price, lot


def _pyarrow_answer(price: pa.Array, lot: pa.Array, notional: pa.Array) -> pa.Array:
    one, two, three, zero = (pa.scalar(v, pa.int8()) for v in (1, 2, 3, 0))
    return pc.if_else(price, one, pc.if_else(lot, two, pc.if_else(notional, three, zero)))


def pyarrow_check_decimal(c: Mapping[str, pa.Array]) -> pa.Array:
    """pyarrow with the notional as decimal256: decimal128(19, 0) times itself needs precision
    39, which decimal128 lacks (Arrow raises rather than wrap)."""
    price, lot = _pyarrow_filters(c)
    d19 = pa.decimal256(19, 0)
    product = pc.multiply(pc.cast(c["P"], d19), pc.cast(c["Q"], d19))
    notional = pc.or_(pc.less(product, c["low"]), pc.greater(product, c["high"]))
    return _pyarrow_answer(price, lot, notional)


def pyarrow_check_halves(c: Mapping[str, pa.Array]) -> pa.Array:
    """pyarrow with the notional as uint64 halves (``multiply``, ``add`` and ``shift_left``
    wrap silently on uint64, which the carry relies on; the ``_checked`` kernels raise)."""
    price, lot = _pyarrow_filters(c)
    u64 = pa.uint64()
    a, b = pc.cast(c["P"], u64), pc.cast(c["Q"], u64)  # raises on a negative, never wraps
    mask, shift = pa.scalar(0xFFFFFFFF, u64), pa.scalar(32, u64)
    ah, al = pc.shift_right(a, shift), pc.bit_wise_and(a, mask)
    bh, bl = pc.shift_right(b, shift), pc.bit_wise_and(b, mask)
    low = pc.multiply(al, bl)
    mid = pc.add(pc.multiply(ah, bl), pc.multiply(al, bh))
    lo = pc.add(low, pc.shift_left(mid, shift))
    carry = pc.cast(pc.less(lo, low), u64)
    hi = pc.add(pc.add(pc.multiply(ah, bh), pc.shift_right(mid, shift)), carry)

    def less(h: pa.Array, l_: pa.Array, h2: pa.Array, l2: pa.Array) -> pa.Array:
        return pc.or_(pc.less(h, h2), pc.and_(pc.equal(h, h2), pc.less(l_, l2)))

    below = less(hi, lo, c["low_hi"], c["low_lo"])
    above = less(c["high_hi"], c["high_lo"], hi, lo)
    return _pyarrow_answer(price, lot, pc.or_(below, above))


def polars_check_int128(frame: pl.DataFrame) -> pl.Series:
    """polars with the notional as Int128 (exact here; Int128 products wrap silently past
    2**127, as Int64 ones do past 2**63)."""
    p, q = pl.col("P"), pl.col("Q")
    product = p.cast(pl.Int128) * q.cast(pl.Int128)
    return frame.select(
        pl.when((p < pl.col("minP")) | (p > pl.col("maxP")) | (p % pl.col("tick") != 0))
        .then(1)
        .when((q < pl.col("minQ")) | (q > pl.col("maxQ")) | (q % pl.col("step") != 0))
        .then(2)
        .when((product < pl.col("low")) | (product > pl.col("high")))
        .then(3)
        .otherwise(0)
        .cast(pl.Int8)
        .alias("failure")
    ).to_series()


# ---------------------------------------------------------------------------------------------
# Timing and reporting


@dataclass(frozen=True)
class Row:
    """One timed line of a table, in ns per row."""

    library: str
    variant: str
    best: float  # the fastest run's wall-clock time
    median: float  # the median run's
    cpu: float  # the fastest run's CPU time, every thread of the process summed


def measure(fn: Callable[[], object], repeats: int, rows: int) -> tuple[float, float, float]:
    """Best and median wall-clock ns per row over ``repeats`` calls, and the CPU ns per row of
    the best call (above its wall-clock time when threads ran in parallel). The garbage
    collector stays on, as callers run, but is emptied before each call."""
    runs: list[tuple[int, int]] = []
    for _ in range(repeats):
        gc.collect()
        wall, cpu = time.perf_counter_ns(), time.process_time_ns()
        fn()
        runs.append((time.perf_counter_ns() - wall, time.process_time_ns() - cpu))
    best = min(runs)
    return best[0] / rows, statistics.median(w for w, _ in runs) / rows, best[1] / rows


def print_table(title: str, rows: Sequence[Row]) -> None:
    print(f"\n{title}")
    print(f"  {'library':9} {'variant':58} {'best':>7} {'median':>7} {'cpu':>7}  ns/row")
    for r in rows:
        print(f"  {r.library:9} {r.variant:58} {r.best:7.1f} {r.median:7.1f} {r.cpu:7.1f}")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# ---------------------------------------------------------------------------------------------
# The steps


def step_parse(texts: list[str], repeats: int) -> list[Row]:
    n = len(texts)
    expected = [reference_parse(t) for t in texts]
    want_ok = [v is not None for v in expected]
    want_value = [v or 0 for v in expected]
    flagged = want_ok.count(False)
    print(f"\nparse: {n:,} rows, {flagged:,} not parseable ({flagged / n:.2%}), verified below")

    arrow_column = pa.array(texts, pa.string())
    numpy_column = np.array(texts, dtype=StringDType())
    polars_column = pl.Series("text", texts, dtype=pl.String)

    def from_pyarrow(out: tuple[pa.Array, pa.Array]) -> tuple[list[int], list[bool]]:
        return out[0].to_pylist(), out[1].to_pylist()

    def from_numpy(out: tuple[U64Array, BoolArray]) -> tuple[list[int], list[bool]]:
        return out[0].tolist(), out[1].tolist()

    def from_polars(out: pl.DataFrame) -> tuple[list[int], list[bool]]:
        return out["value"].to_list(), out["ok"].to_list()

    cases: list[tuple[str, str, Callable[[], Any], Callable[[Any], tuple[list[int], list[bool]]]]]
    cases = [
        ("pyarrow", "RE2 match + cast decimal128(28,8), buffers as unscaled",
         lambda: pyarrow_parse_decimal(arrow_column), from_pyarrow),
        ("pyarrow", "RE2 extract + pad to 28 digits + cast uint64",
         lambda: pyarrow_parse_text(arrow_column), from_pyarrow),
        ("numpy", "on the Arrow column's buffers (uint8), grouped by shape",
         lambda: numpy_parse_arrow_buffers(arrow_column), from_numpy),
        ("numpy", "on StringDType (to U29 code points), grouped by shape",
         lambda: numpy_parse_strings(numpy_column), from_numpy),
        ("polars", "regex + str.to_decimal(scale=8) * 10**8 + cast UInt64",
         lambda: polars_parse_decimal(polars_column), from_polars),
        ("polars", "extract_groups + pad to 28 digits + cast UInt64",
         lambda: polars_parse_text(polars_column), from_polars),
    ]  # fmt: skip
    out: list[Row] = []
    for library, variant, fn, to_python in cases:
        values, ok = to_python(fn())
        assert ok == want_ok, f"{library} {variant}: the parseable flags differ"
        values = [v if k else 0 for v, k in zip(values, ok, strict=True)]
        assert values == want_value, f"{library} {variant}: the values differ"
        out.append(Row(library, variant, *measure(fn, repeats, n)))
    return out


def check_inputs(
    rows: list[tuple[int, ...]],
) -> tuple[dict[str, npt.NDArray[Any]], dict[str, pa.Array], dict[str, pa.Array], pl.DataFrame]:
    """Each library's own form of the check columns: int64 columns, and the 128-bit bounds as
    uint64 halves (numpy, pyarrow), decimal256 (pyarrow) and Int128 (polars)."""
    columns = list(zip(*rows, strict=True))
    as_int64 = {name: np.array(columns[i], np.int64) for i, name in enumerate(CHECK_FIELDS[:8])}
    numpy_cols: dict[str, npt.NDArray[Any]] = dict(as_int64)
    for name, i in (("low", 8), ("high", 9)):
        numpy_cols[f"{name}_hi"] = np.array([v >> 64 for v in columns[i]], np.uint64)
        numpy_cols[f"{name}_lo"] = np.array([v & U64_MAX for v in columns[i]], np.uint64)
    halves = {name: pa.array(col) for name, col in numpy_cols.items()}
    decimals = {name: pa.array(col) for name, col in as_int64.items()}
    for name, i in (("low", 8), ("high", 9)):
        decimals[name] = pa.array(columns[i], pa.decimal256(39, 0))
    frame = pl.DataFrame(as_int64).with_columns(
        low=pl.Series(columns[8], dtype=pl.Int128), high=pl.Series(columns[9], dtype=pl.Int128)
    )
    return numpy_cols, halves, decimals, frame


def step_check(rows: list[tuple[int, ...]], repeats: int) -> list[Row]:
    n = len(rows)
    want = [reference_check(r) for r in rows]
    counts = Counter(want)
    wide = sum(1 for r in rows if r[0] * r[1] > U64_MAX)
    print(
        f"\ncheck: {n:,} rows; reference: {counts[0]:,} pass, {counts[1]:,} PRICE_FILTER, "
        f"{counts[2]:,} LOT_SIZE, {counts[3]:,} NOTIONAL; P*Q above 2**64 in {wide:,}"
    )
    numpy_cols, halves, decimals, frame = check_inputs(rows)
    cases: list[tuple[str, str, Callable[[], Any], Callable[[Any], list[int]]]] = [
        ("numpy", "int64; notional as uint64 (hi, lo) halves",
         lambda: numpy_check(numpy_cols), lambda a: a.tolist()),
        ("pyarrow", "int64; notional as decimal256 product",
         lambda: pyarrow_check_decimal(decimals), lambda a: a.to_pylist()),
        ("pyarrow", "int64; notional as uint64 (hi, lo) halves",
         lambda: pyarrow_check_halves(halves), lambda a: a.to_pylist()),
        ("polars", "Int64; notional as Int128 product",
         lambda: polars_check_int128(frame), lambda s: s.to_list()),
    ]  # fmt: skip
    out: list[Row] = []
    for library, variant, fn, to_python in cases:
        assert to_python(fn()) == want, f"{library} {variant}: the failures differ"
        out.append(Row(library, variant, *measure(fn, repeats, n)))
    return out


def step_convert(columns: dict[str, list[str]], repeats: int) -> list[Row]:
    n = len(columns["price"])
    pandas_str = pd.DataFrame(columns)
    pandas_object = pd.DataFrame(columns, dtype=object)
    polars_frame = pl.DataFrame(columns)
    print(
        f"\nconvert: {n:,} rows x {len(columns)} string columns; pandas default dtype "
        f"{pandas_str.dtypes.iloc[0]!r}, storage {pandas_str.dtypes.iloc[0].storage}"
    )

    def pandas_to_numpy(frame: pd.DataFrame) -> dict[str, npt.NDArray[Any]]:
        return {name: frame[name].to_numpy(dtype=StringDType()) for name in frame.columns}

    def polars_to_numpy(frame: pl.DataFrame) -> dict[str, npt.NDArray[Any]]:
        return {name: frame[name].to_numpy().astype(StringDType()) for name in frame.columns}

    want = columns["price"]
    cases: list[tuple[str, str, Callable[[], Any], Callable[[Any], list[str]]]] = []
    for label, frame in (("pandas str", pandas_str), ("pandas object", pandas_object)):
        cases += [
            ("pyarrow", f"{label} -> pa.Table.from_pandas",
             partial(pa.Table.from_pandas, frame, preserve_index=False),
             lambda t: t.column("price").to_pylist()),
            ("numpy", f"{label} -> StringDType (Series.to_numpy)",
             partial(pandas_to_numpy, frame), lambda d: d["price"].tolist()),
            ("polars", f"{label} -> pl.from_pandas",
             partial(pl.from_pandas, frame), lambda d: d["price"].to_list()),
        ]  # fmt: skip
    cases += [
        ("pyarrow", "polars -> DataFrame.to_arrow",
         lambda: polars_frame.to_arrow(), lambda t: t.column("price").to_pylist()),
        ("numpy", "polars -> StringDType (Series.to_numpy, astype)",
         lambda: polars_to_numpy(polars_frame), lambda d: d["price"].tolist()),
    ]  # fmt: skip
    out: list[Row] = []
    for library, variant, fn, to_python in cases:
        assert to_python(fn()) == want, f"{library} {variant}: the strings differ"
        out.append(Row(library, variant, *measure(fn, repeats, n)))
    return out


def read_orjson(path: Path) -> dict[str, list[str]]:
    """The baseline: ``orjson.loads`` per line, appended to one Python list per field."""
    columns: dict[str, list[str]] = {name: [] for name in ORDER_FIELDS}
    appends = [(name, columns[name].append) for name in ORDER_FIELDS]
    loads = orjson.loads
    for line in path.read_bytes().splitlines():
        order = loads(line)
        for name, append in appends:
            append(order[name])
    return columns


def step_files(columns: dict[str, list[str]], folder: Path, repeats: int) -> list[Row]:
    n = len(columns["price"])
    jsonl = folder / "orders.jsonl"
    with jsonl.open("wb") as f:
        for i in range(n):
            f.write(orjson.dumps({name: columns[name][i] for name in ORDER_FIELDS}) + b"\n")
    size = jsonl.stat().st_size
    print(f"\nfiles: {n:,} orders, JSON Lines {size / 1e6:.1f} MB ({size / n:.0f} bytes/order)")

    arrow_schema = pa.schema([(name, pa.string()) for name in ORDER_FIELDS])
    polars_schema = dict.fromkeys(ORDER_FIELDS, pl.String)
    parse_options = pa_json.ParseOptions(
        explicit_schema=arrow_schema, unexpected_field_behavior="error"
    )
    want = columns["price"]
    out: list[Row] = []

    def timed(
        library: str, variant: str, fn: Callable[[], Any], prices: Callable[[Any], Any] | None
    ) -> Any:
        result = fn()
        if prices is not None:
            assert prices(result) == want, f"{library} {variant}: the prices differ"
        out.append(Row(library, variant, *measure(fn, repeats, n)))
        return result

    timed("orjson", "JSON Lines: loads per line -> Python lists (baseline)",
          lambda: read_orjson(jsonl), lambda c: c["price"])  # fmt: skip
    table = timed("pyarrow", "JSON Lines: pyarrow.json.read_json (schema: strings)",
                  lambda: pa_json.read_json(jsonl, parse_options=parse_options),
                  lambda t: t.column("price").to_pylist())  # fmt: skip
    frame = timed("polars", "JSON Lines: polars.read_ndjson (schema: strings)",
                  lambda: pl.read_ndjson(jsonl, schema=polars_schema),
                  lambda f: f["price"].to_list())  # fmt: skip

    arrow_file, polars_file = folder / "pyarrow.parquet", folder / "polars.parquet"
    timed("pyarrow", "Parquet write: pq.write_table (default codec)",
          lambda: pq.write_table(table, arrow_file), None)  # fmt: skip
    timed("polars", "Parquet write: DataFrame.write_parquet (default codec)",
          lambda: frame.write_parquet(polars_file), None)  # fmt: skip
    for path, writer in ((arrow_file, "pyarrow"), (polars_file, "polars")):
        meta = pq.ParquetFile(path).metadata
        codec = meta.row_group(0).column(0).compression
        print(
            f"  {writer}'s file: {path.stat().st_size / 1e6:.1f} MB, {codec}, "
            f"{meta.num_row_groups} row group(s)"
        )
        timed("pyarrow", f"Parquet read {writer}'s file: pq.read_table",
              partial(pq.read_table, path), lambda t: t.column("price").to_pylist())  # fmt: skip
        timed("polars", f"Parquet read {writer}'s file: pl.read_parquet",
              partial(pl.read_parquet, path), lambda f: f["price"].to_list())  # fmt: skip
    return out


# ---------------------------------------------------------------------------------------------
# Sizes on disk and import times


def _distribution_dirs(name: str) -> list[Path]:
    """The top-level files and folders of an installed distribution (its dist-info included,
    scripts outside site-packages left out)."""
    dist = importlib.metadata.distribution(name)
    tops = {Path(str(f)).parts[0] for f in dist.files or () if not str(f).startswith("..")}
    base = Path(str(dist.locate_file("")))
    return sorted(base / t for t in tops)


def _runtime_distributions(name: str) -> list[str]:
    """Unconditional requirements of ``name`` that ship its binary apart, as polars does in
    ``polars-runtime-32`` (``polars-runtime-64`` and ``-compat`` are extras)."""
    return [d for d in _installed_requirements(name) if d.startswith(f"{name}-runtime")]


def _installed_requirements(name: str) -> list[str]:
    """The requirements of ``name`` outside its extras that are installed here (a marker such
    as ``sys_platform == "win32"`` is not evaluated: what is not installed is left out)."""
    found: list[str] = []
    for requirement in importlib.metadata.requires(name) or []:
        dep = re.split(r"[ ;<>=!~\[]", requirement, maxsplit=1)[0]
        if "extra ==" in requirement:
            continue
        try:
            importlib.metadata.distribution(dep)
        except importlib.metadata.PackageNotFoundError:
            continue
        found.append(dep)
    return found


def _disk_kib(paths: Sequence[Path]) -> int:
    du = shutil.which("du")
    if du is not None:
        result = subprocess.run(
            [du, "-sk", "-c", *map(str, paths)], capture_output=True, text=True, check=True
        )
        return int(result.stdout.splitlines()[-1].split()[0])
    total = 0  # no du: the sum of file sizes
    for path in paths:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        total += sum(p.stat().st_size for p in files)
    return total // 1024


def package_sizes() -> None:
    print("\ninstalled size (du -sk of each distribution's top-level folders and dist-info)")
    for name in ("numpy", "pyarrow", "polars", "pandas", "orjson"):
        dists = [name, *_runtime_distributions(name)]
        parts = []
        total = 0
        for dist in dists:
            dirs = _distribution_dirs(dist)
            kib = _disk_kib(dirs)
            total += kib
            shown = ", ".join(p.name for p in dirs if not p.name.endswith(".dist-info"))
            parts.append(f"{dist} {importlib.metadata.version(dist)} ({shown}) {kib / 1024:.1f}")
        hard = ", ".join(sorted(set(_installed_requirements(name)) - set(dists))) or "none"
        print(f"  {name:8} {total / 1024:7.1f} MiB = {' + '.join(parts)}; requires: {hard}")


_IMPORT_PROBE = """
import sys, time
t = time.perf_counter_ns()
import {module}
t = time.perf_counter_ns() - t
print(t, *(m for m in ("numpy", "pyarrow", "pandas", "polars") if m in sys.modules))
"""


def import_times(repeats: int) -> None:
    print(f"\nimport time in a fresh interpreter (best of {repeats}), and what it loads")
    modules = (
        "numpy",
        "pyarrow",
        "pyarrow.compute",
        "pyarrow.json",
        "pyarrow.parquet",
        "polars",
        "pandas",
        "orjson",
    )
    for module in modules:
        best = float("inf")
        loaded: list[str] = []
        for _ in range(repeats):
            result = subprocess.run(
                [sys.executable, "-c", _IMPORT_PROBE.format(module=module)],
                capture_output=True,
                text=True,
                check=True,
            )
            first, *loaded = result.stdout.split()
            best = min(best, int(first) / 1e6)
        print(f"  import {module:16} {best:7.1f} ms   loads: {', '.join(loaded) or '-'}")


# ---------------------------------------------------------------------------------------------


def environment() -> Iterator[str]:
    yield f"python {sys.version.split()[0]} on {sys.platform}"
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in ("pyarrow", "numpy", "polars", "pandas", "orjson")
    )
    yield versions
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    yield (
        f"cpus usable: {cpus}; pyarrow threads: {pa.cpu_count()}; "
        f"polars threads: {pl.thread_pool_size()}; numpy: 1 thread"
    )
    yield f"load average (1, 5, 15 min) at the start: {load_average()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20240611)
    args = parser.parse_args(argv)
    n, repeats = args.rows, args.repeats

    for line in environment():
        print(line)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    print_table("step 1, parse: wire decimal -> uint64 value * 10**8 + parseable flag",
                step_parse(wire_decimals(n, rng), repeats))  # fmt: skip
    print_table("step 2, check: PRICE_FILTER, LOT_SIZE, 128-bit notional -> int8 failure",
                step_check(check_rows(n, rng), repeats))  # fmt: skip
    columns = orders(n, rng)
    print_table("step 3, convert a DataFrame of 6 string columns",
                step_convert(columns, repeats))  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        print_table("files: 6 string columns", step_files(columns, Path(folder), repeats))
    package_sizes()
    import_times(repeats)
    print(
        f"\nload average at the end: {load_average()}; {time.perf_counter() - started:.0f} s in all"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
