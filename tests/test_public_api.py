"""The public surface is small and the core stays pure: no CLI, hypothesis or pytest on import."""

from __future__ import annotations

import subprocess
import sys

import filterlib


def test_core_import_pulls_in_no_cli_and_no_test_tools() -> None:
    code = (
        "import sys, filterlib; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('hypothesis', 'pytest', 'argparse', 'http', 'socket') "
        "or m.startswith(('filterlib.cli', 'filterlib.strategies'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_all_names_exist_and_are_exported() -> None:
    for name in filterlib.__all__:
        assert hasattr(filterlib, name), name
    assert {"check", "load_exchange_info", "Verdict", "SnapshotError"} <= set(filterlib.__all__)
