"""The fuzz tests' guard: each call finishes in bounded time and memory, or the test fails.

:func:`bounded` wraps one call under a SIGALRM deadline (wall clock, main thread) and
tracemalloc (peak bytes allocated during the call). :data:`EXAMPLES` is the hypothesis budget
per fuzz test: small in CI, larger with ``FILTERLIB_FUZZ_EXAMPLES=N`` (docs/reliability.md).
"""

from __future__ import annotations

import os
import signal
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import pytest
from hypothesis import HealthCheck, settings

#: Examples per fuzz test; the CI budget keeps all fuzz tests together well under a minute.
EXAMPLES = int(os.environ.get("FILTERLIB_FUZZ_EXAMPLES", "60"))
#: Generous bounds for one call (under tracemalloc, which slows Python down several times).
SECONDS = 10
PEAK_BYTES = 256 << 20

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the guard's own deadline is the bound; hypothesis's would be flaky
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,  # each run tries fresh inputs; failures print their reproducer
)


class Overrun(AssertionError):
    """A call that took too long or allocated too much."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Overrun(f"a single call ran longer than {SECONDS} s (a hang?)")


@contextmanager
def bounded(what: str, seconds: int = SECONDS, peak: int = PEAK_BYTES) -> Iterator[None]:
    """Run the block under a ``seconds`` alarm and a tracemalloc ``peak`` bound."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    signal.alarm(seconds)
    t0 = time.monotonic()
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        used = tracemalloc.get_traced_memory()[1] - base
        if started:
            tracemalloc.stop()
    if used > peak:
        raise Overrun(f"{what}: peak {used >> 20} MiB > {peak >> 20} MiB")
    assert time.monotonic() - t0 < seconds, what


def test_the_guard_stops_a_hang() -> None:
    with pytest.raises(Overrun, match="longer than"), bounded("sleep", seconds=1):
        time.sleep(5)


def test_the_guard_stops_a_memory_blow_up() -> None:
    with pytest.raises(Overrun, match="peak"), bounded("alloc", peak=1 << 20):
        bytearray(8 << 20)
