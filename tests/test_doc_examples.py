"""Every example in README.md and docs/*.md runs (issue 18): a doctest-style check.

Each page's ```python blocks run in order in one namespace, statement by statement, in a
scratch directory holding the files the examples name (orders.jsonl, exchangeInfo.json.gz, ...).
A ``print(...)`` followed by ``# `` comment lines must print those lines (``...`` stands for any
text). Functions a block defines named ``test_*`` are then called, as pytest would (the
``filterlib_info`` fixture is given). Each command of a ```sh block whose commands include
``filterlib`` runs in bash, ``filterlib`` being this interpreter's ``python -m filterlib``, and
must end with status 0 or 1 (a verdict) and no traceback.

A block that cannot run here is marked right before its fence with ``<!-- not run: REASON -->``
(a network, credentials, a cluster, your own data). :data:`NOT_RUN` counts the marks of each
page, so that a block cannot escape the check without this file saying so. A block that needs
an optional extra (dask, cryptography, ...) runs where it is installed, as in CI, and is
reported as skipped elsewhere. docs/testing.md describes the convention.
"""

from __future__ import annotations
import __future__

import ast
import contextlib
import gzip
import inspect
import io
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import filterlib

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: The ``<!-- not run: ... -->`` marks each page holds. A new mark is a decision: count it here.
NOT_RUN = {
    "README.md": 1,  # the guard over the live REST API
    "docs/dask.md": 2,  # a Dask cluster; your Parquet files
    "docs/submitting.md": 2,  # your RestSubmitter; snapshot fetch from Binance
    "docs/tables.md": 1,  # your Parquet file
    "docs/testing.md": 3,  # three signatures
}

#: Top-level modules of the optional extras: a block that needs one runs where it is installed.
EXTRAS = {"dask", "distributed", "pandas", "polars", "pyarrow", "numpy", "cryptography"}

FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
MARK = re.compile(r"^<!--\s*not run:(.*?)-->[ \t]*$", re.M)
GOOD = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.01",
    "price": "30000.00",
}
REJECTED = {**GOOD, "quantity": "0.000012"}


@dataclass(frozen=True)
class Block:
    page: str
    line: int  # of the opening fence
    lang: str
    text: str
    not_run: str | None  # the mark's reason

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def _blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    page = path.relative_to(ROOT).as_posix()
    blocks = []
    for m in FENCE.finditer(text):
        before = text[: m.start()].rstrip()
        mark = MARK.search(before.rsplit("\n", 1)[-1]) if before.endswith("-->") else None
        reason = mark.group(1).strip() if mark else None
        line = text[: m.start()].count("\n") + 1
        blocks.append(Block(page, line, m.group(1), m.group(2), reason))
    return blocks


def _commands(block: Block) -> list[str]:
    """A shell block's commands: lines joined at a trailing backslash, comments left out."""
    commands: list[str] = []
    pending = ""
    for raw in block.text.splitlines():
        line = pending + raw
        if line.rstrip().endswith("\\"):
            pending = line.rstrip()[:-1] + " "
            continue
        pending = ""
        if line.strip() and not line.lstrip().startswith("#"):
            commands.append(line.strip())
    return commands


def _runs_filterlib(block: Block) -> bool:
    return block.lang in ("sh", "bash") and any(
        c.startswith(("filterlib ", "python -m filterlib ")) for c in _commands(block)
    )


def _checked(block: Block) -> bool:
    """Whether the check concerns the block: Python, or shell that runs filterlib."""
    return block.lang == "python" or _runs_filterlib(block)


ALL_BLOCKS = [b for page in PAGES for b in _blocks(page)]


# --- the marks ---------------------------------------------------------------------------------


def test_each_page_has_the_marks_counted_here() -> None:
    marks = {
        page.relative_to(ROOT).as_posix(): len(MARK.findall(page.read_text(encoding="utf-8")))
        for page in PAGES
    }
    assert {page: n for page, n in marks.items() if n} == NOT_RUN


def test_every_mark_sits_on_a_checked_block_and_gives_a_reason() -> None:
    marked = [b for b in ALL_BLOCKS if b.not_run is not None]
    assert sum(NOT_RUN.values()) == len(marked)  # no mark away from a fence
    for block in marked:
        assert block.not_run, f"{block.where}: say why the block is not run"
        assert _checked(block), f"{block.where}: a mark on a block that is not checked anyway"


def test_the_check_finds_the_blocks_it_should() -> None:
    # A sanity check of the extraction itself, from the README's own blocks.
    readme = [b for b in ALL_BLOCKS if b.page == "README.md"]
    assert sum(b.lang == "python" for b in readme) >= 6
    assert any(_runs_filterlib(b) for b in readme)
    assert not any(_runs_filterlib(b) for b in readme if "pip install" in b.text)


# --- the scratch directory ---------------------------------------------------------------------


def _shipped_raw() -> bytes:
    data_dir = resources.files("filterlib").joinpath("data")
    [name] = [p.name for p in data_dir.iterdir() if p.name.endswith(".json.gz")]
    return data_dir.joinpath(name).read_bytes()


def _workspace(root: Path) -> Path:
    """The files the examples name, each holding a passing and a rejected order."""
    lines = "".join(json.dumps(o) + "\n" for o in (GOOD, REJECTED))
    header = ",".join(GOOD)
    csv = f"{header}\n" + "".join(",".join(o[k] for k in GOOD) + "\n" for o in (GOOD, REJECTED))
    for name in ("exchangeInfo.json.gz", "pinned.json.gz", "live.json.gz"):
        (root / name).write_bytes(_shipped_raw())
    for folder in ("snapshots", "orders", "backtest"):
        (root / folder).mkdir()
    (root / "snapshots" / "exchangeInfo.json.gz").write_bytes(_shipped_raw())
    (root / "orders.jsonl").write_text(lines)
    (root / "orders.json").write_text(json.dumps([GOOD, REJECTED]))
    (root / "orders.csv").write_text(csv)
    (root / "context.json").write_text(json.dumps({"avgPrice": {"mins": 5, "price": "30000.00"}}))
    (root / "orders" / "backtest.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
    (root / "orders" / "manual.csv").write_text(csv)
    (root / "backtest.csv.gz").write_bytes(gzip.compress(csv.encode()))
    (root / "backtest" / "day1.csv.gz").write_bytes(gzip.compress(csv.encode()))
    return root


# --- Python blocks -----------------------------------------------------------------------------


def _expected_output(lines: list[str], end: int) -> list[str] | None:
    """The ``# `` comment lines right after the statement ending on line ``end`` (1-based)."""
    expected = []
    for line in lines[end:]:
        if not line.startswith("# "):
            break
        expected.append(line[2:])
    return expected or None


def _matches(got: str, expected: list[str]) -> bool:
    pattern = ".*".join(re.escape(part) for part in "\n".join(expected).split("..."))
    return re.fullmatch(pattern, got.rstrip("\n"), re.S) is not None


def _is_print(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "print"
    )


def _run_python(block: Block, namespace: dict[str, Any]) -> None:
    source = block.text
    lines = source.splitlines()
    tree = ast.parse(source, filename=block.where)
    flags = 0
    if any(
        isinstance(n, ast.ImportFrom) and n.module == "__future__" and n.level == 0
        for n in tree.body
    ):
        flags = __future__.annotations.compiler_flag
    before = set(namespace)
    for node in tree.body:
        code = compile(ast.Module([node], []), block.where, "exec", flags=flags, dont_inherit=True)
        expected = _expected_output(lines, node.end_lineno or node.lineno)
        if _is_print(node) and expected is not None:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(code, namespace)
            where = f"{block.page}:{block.line + node.lineno}"
            assert _matches(out.getvalue(), expected), (
                f"{where} printed {out.getvalue()!r}, the page says {expected!r}"
            )
        else:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(code, namespace)
    fixtures = {"filterlib_info": filterlib.load_default_exchange_info()}
    for name in sorted(set(namespace) - before):
        test = namespace[name]
        if name.startswith("test_") and inspect.isfunction(test):
            wanted = inspect.signature(test).parameters
            missing = [p for p in wanted if p not in fixtures]
            assert not missing, f"{block.where}: {name} wants fixtures {missing}"
            test(**{p: fixtures[p] for p in wanted})


# --- shell blocks ------------------------------------------------------------------------------


def _run_shell(block: Block, cwd: Path) -> None:
    prelude = (
        f'filterlib() {{ {shlex.quote(sys.executable)} -m filterlib "$@"; }}\nexport -f filterlib\n'
    )
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    for command in _commands(block):
        p = subprocess.run(
            ["bash", "-c", prelude + command],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert "Traceback" not in p.stderr, f"{block.where}: {command}\n{p.stderr}"
        assert p.returncode in (0, 1), (
            f"{block.where}: `{command}` ended with status {p.returncode}\n{p.stderr[-2000:]}"
        )


# --- each page ---------------------------------------------------------------------------------


def _page_ids() -> Iterator[Any]:
    for page in PAGES:
        name = page.relative_to(ROOT).as_posix()
        if any(_checked(b) and b.not_run is None for b in _blocks(page)):
            yield pytest.param(page, id=name)


@pytest.mark.parametrize("page", list(_page_ids()))
def test_the_examples_of_each_page_run(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = _workspace(tmp_path)
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("NO_COLOR", "1")
    namespace: dict[str, Any] = {"__name__": "__doc_example__"}
    skipped = []
    for block in _blocks(page):
        if block.not_run is not None or not _checked(block):
            continue
        if block.lang == "python":
            try:
                _run_python(block, namespace)
            except ModuleNotFoundError as exc:
                if (exc.name or "").split(".")[0] not in EXTRAS:
                    raise
                skipped.append(f"{block.where} (needs {exc.name})")
        else:
            _run_shell(block, cwd)
    if skipped:
        pytest.skip("not installed here: " + ", ".join(skipped))
