"""Coverage-guided fuzzing with atheris (libFuzzer) of the snapshot loader, ``check`` and the
CLI line reader. Not part of the CI budget (atheris is not a test dependency); run it with
``python tests/test_fuzz_atheris.py -runs=200000`` (docs/reliability.md). The test below runs
the same harness on a few seed inputs, so it cannot rot."""

from __future__ import annotations

import contextlib
import io
import sys

import orjson

import filterlib
from filterlib._endpoints import ENDPOINTS
from filterlib.cli import main

INFO = filterlib.load_default_exchange_info()
PATHS = sorted(ENDPOINTS)


def one_input(data: bytes) -> None:
    """One fuzz input: as a snapshot, as a request to some endpoint, and as CLI input."""
    for lazy in (False, True):
        with contextlib.suppress(filterlib.SnapshotError):
            filterlib.load_exchange_info(data, lazy=lazy).validate()
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        doc = None
    if isinstance(doc, dict):
        endpoint = PATHS[len(data) % len(PATHS)]
        context = doc.pop("context", None)
        try:
            filterlib.check(INFO, doc, endpoint=endpoint, context=context).to_dict()
        except filterlib.UsageError:
            if context is None:
                raise
    out = io.StringIO()
    status = main(["check", "--format", "json"], stdin=io.BytesIO(data), stdout=out, stderr=out)
    assert status in (0, 1, 2)


def test_the_harness_on_seed_inputs() -> None:
    for seed in (
        b"{}",
        b'{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","quantity":"1","price":"1E+999999"}',
        b'{"symbols":[{"symbol":"A","filters":[{"filterType":"PRICE_FILTER","tickSize":"-0"}]}]}',
        b'{"symbol":"BTCUSDT","context":{"serverTime":{"serverTime":1}}}',
        b"\xff\xfe",
    ):
        one_input(seed)


if __name__ == "__main__":  # pragma: no cover
    import atheris  # type: ignore[import-untyped, unused-ignore]

    atheris.instrument_all()
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
