"""docs/ci.md's GitHub Actions job and the shipped ``.pre-commit-hooks.yaml``, exercised.

The ``run:`` commands are taken from docs/ci.md and the hook's ``entry`` and ``files`` from
.pre-commit-hooks.yaml (read with a few lines of parsing, no YAML library), then run by bash in a
scratch checkout holding ``orders/`` and ``snapshots/``. ``filterlib`` is a shell function
calling this interpreter's ``python -m filterlib``; ``snapshot fetch`` (the network) is replaced
by copying a prepared "live" snapshot.
"""

from __future__ import annotations

import gzip
import json
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import pytest
from conftest import BTC_LIMIT

REPO = Path(__file__).resolve().parent.parent
DOC = (REPO / "docs" / "ci.md").read_text()
HOOKS = (REPO / ".pre-commit-hooks.yaml").read_text()

GOOD = dict(BTC_LIMIT)
REJECTED = {**GOOD, "quantity": "0.000012"}


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)


def _run_commands(block: str) -> list[str]:
    """The shell commands of every ``run:`` step of a workflow block (``|`` blocks included)."""
    commands: list[str] = []
    lines = block.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"(\s*)(?:- )?run: (.*)$", line)
        if not m:
            continue
        if m.group(2).strip() == "|":
            indent = len(m.group(1))
            for body in lines[i + 1 :]:
                if body.strip() and len(body) - len(body.lstrip()) <= indent:
                    break
                commands.append(body.strip())
        else:
            commands.append(m.group(2).strip())
    return [c for c in commands if c]


def _hook() -> dict[str, str]:
    """The scalar keys of the one hook in .pre-commit-hooks.yaml."""
    hook: dict[str, str] = {}
    for line in HOOKS.splitlines():
        m = re.match(r"[- ] (\w+): (.*)$", line)
        if m:
            value = m.group(2).strip()
            if value[:1] in "'\"":
                value = value[1:-1]
            hook[m.group(1)] = value
    return hook


def _shipped_raw() -> bytes:
    data_dir = resources.files("filterlib").joinpath("data")
    [name] = [p.name for p in data_dir.iterdir() if p.name.endswith(".json.gz")]
    return data_dir.joinpath(name).read_bytes()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A strategy repository: orders in JSON Lines (gzip) and CSV, and a pinned snapshot."""
    (tmp_path / "orders").mkdir()
    (tmp_path / "snapshots").mkdir()
    (tmp_path / "snapshots" / "exchangeInfo.json.gz").write_bytes(_shipped_raw())
    (tmp_path / "orders" / "backtest.jsonl.gz").write_bytes(
        gzip.compress(b"".join(json.dumps(o).encode() + b"\n" for o in [GOOD, GOOD]))
    )
    cols = list(GOOD)
    csv = ",".join(cols) + "\n" + ",".join(GOOD[c] for c in cols) + "\n"
    (tmp_path / "orders" / "manual.csv").write_text(csv)
    (tmp_path / "live.prepared.json.gz").write_bytes(_shipped_raw())
    return tmp_path


def _bash(commands: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run each command as its own step (as Actions does), stopping at the first failure."""
    prelude = (
        f"filterlib() {{\n"
        f'  if [ "$1 $2" = "snapshot fetch" ]; then cp live.prepared.json.gz "$4"; return; fi\n'
        f'  {shlex.quote(sys.executable)} -m filterlib "$@"\n'
        f"}}\n"
        "set -e\n"
    )
    script = prelude + "\n".join(commands) + "\n"
    p = subprocess.run(
        ["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert "Traceback" not in p.stderr, p.stderr
    return p


def test_the_doc_has_a_job_with_filterlib_steps() -> None:
    blocks = _yaml_blocks()
    assert "runs-on:" in blocks[0]
    commands = [c for c in _run_commands(blocks[0]) if c.startswith("filterlib")]
    formats = {f for c in commands for f in re.findall(r"--format (\w+)", c)}
    assert formats == {"github", "junit"}
    assert any(c.startswith("filterlib snapshot info") for c in commands)


def test_the_job_passes_on_good_orders(checkout: Path) -> None:
    commands = [c for c in _run_commands(_yaml_blocks()[0]) if c.startswith("filterlib")]
    p = _bash(commands, checkout)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "::notice title=filterlib check::3 checked, 3 passed" in p.stdout
    report = ET.parse(checkout / "filterlib-junit.xml").getroot()
    assert report.get("tests") == "3"
    assert report.get("failures") == "0"


def test_the_job_fails_with_annotations_on_a_rejected_order(checkout: Path) -> None:
    lines = [GOOD, REJECTED]
    (checkout / "orders" / "backtest.jsonl.gz").write_bytes(
        gzip.compress(b"".join(json.dumps(o).encode() + b"\n" for o in lines))
    )
    commands = [c for c in _run_commands(_yaml_blocks()[0]) if c.startswith("filterlib")]
    github = next(c for c in commands if "--format github" in c)
    p = _bash([github], checkout)
    assert p.returncode == 1
    assert "::error file=orders/backtest.jsonl.gz,line=2,title=BTCUSDT%3A -1013 " in p.stdout
    junit = next(c for c in commands if "--format junit" in c)
    q = _bash([junit], checkout)
    assert q.returncode == 1
    report = ET.parse(checkout / "filterlib-junit.xml").getroot()
    assert report.get("failures") == "1"


def _job() -> list[str]:
    return [c for c in _run_commands(_yaml_blocks()[0]) if c.startswith("filterlib")]


@pytest.mark.parametrize("keep", ["backtest.jsonl.gz", "manual.csv"])
def test_the_job_passes_whichever_form_of_orders_exists(checkout: Path, keep: str) -> None:
    # Issue 18: the job named two shell patterns, and failed with status 2 whenever one of
    # them matched nothing.
    for path in (checkout / "orders").iterdir():
        if path.name != keep:
            path.unlink()
    p = _bash(_job(), checkout)
    assert p.returncode == 0, p.stdout + p.stderr
    checked = 2 if keep.endswith(".gz") else 1
    assert f"::notice title=filterlib check::{checked} checked, {checked} passed" in p.stdout
    report = ET.parse(checkout / "filterlib-junit.xml").getroot()
    assert (report.get("tests"), report.get("errors")) == (str(checked), "0")


def test_patterns_that_match_nothing_are_a_file_error_on_the_annotations(checkout: Path) -> None:
    (checkout / "orders" / "manual.csv").unlink()
    github = next(c for c in _job() if "--format github" in c)
    with_patterns = github.replace(" orders ", " orders/*.jsonl.gz orders/*.csv ")
    assert with_patterns != github
    p = _bash([with_patterns], checkout)
    assert p.returncode == 2
    assert (
        "::error file=orders/*.csv,title=filterlib%3A file not read::orders/*.csv: no file "
        "matches this pattern" in p.stdout
    )
    assert "2 checked, 2 passed, 0 rejected, 0 unusable, 1 file unreadable" in p.stdout


def test_the_job_fails_on_an_empty_orders_folder(checkout: Path) -> None:
    for path in (checkout / "orders").iterdir():
        path.unlink()
    github = next(c for c in _job() if "--format github" in c)
    p = _bash([github], checkout)
    assert p.returncode == 2
    assert "::error file=orders,title=filterlib%3A file not read::orders: no order files" in (
        p.stdout
    )


def test_the_job_shows_a_truncated_file_on_its_annotation_and_in_junit(checkout: Path) -> None:
    data = gzip.compress(b"".join(json.dumps(GOOD).encode() + b"\n" for _ in range(3000)), 0)
    (checkout / "orders" / "backtest.jsonl.gz").write_bytes(data[: len(data) // 2])
    github, junit = (next(c for c in _job() if f"--format {f}" in c) for f in ("github", "junit"))
    p = _bash([github], checkout)
    assert p.returncode == 2
    assert "::error file=orders/backtest.jsonl.gz,title=filterlib%3A file not read::" in p.stdout
    q = _bash([junit], checkout)
    assert q.returncode == 2
    report = ET.parse(checkout / "filterlib-junit.xml").getroot()
    assert report.get("errors") == "1"
    [case] = [c for suite in report for c in suite if c.find("error") is not None]
    assert case.get("file") == "orders/backtest.jsonl.gz"


def test_the_sarif_step(checkout: Path) -> None:
    (checkout / "orders" / "manual.csv").write_text(
        ",".join(REJECTED) + "\n" + ",".join(REJECTED.values()) + "\n"
    )
    [block] = [b for b in _yaml_blocks() if "--format sarif" in b]
    commands = [c for c in _run_commands(block) if c.startswith("filterlib")]
    p = _bash(commands, checkout)
    assert p.returncode == 1, p.stdout + p.stderr
    doc = json.loads((checkout / "filterlib.sarif").read_text())
    [result] = doc["runs"][0]["results"]
    assert result["ruleId"] == "LOT_SIZE"
    where = result["locations"][0]["physicalLocation"]
    assert where == {"artifactLocation": {"uri": "orders/manual.csv"}, "region": {"startLine": 2}}
    assert "upload-sarif" in block


@pytest.mark.parametrize(("tick", "status"), [("0.10000000", 1), ("0.01000000", 0)])
def test_the_scheduled_diff_step(checkout: Path, tick: str, status: int) -> None:
    doc = json.loads(gzip.decompress(_shipped_raw()))
    btc = next(s for s in doc["symbols"] if s["symbol"] == "BTCUSDT")
    next(f for f in btc["filters"] if f["filterType"] == "PRICE_FILTER")["tickSize"] = tick
    (checkout / "live.prepared.json.gz").write_bytes(gzip.compress(json.dumps(doc).encode()))
    [block] = [b for b in _yaml_blocks() if "filterlib diff" in b]
    commands = _run_commands(block)
    assert commands[0].startswith("filterlib snapshot fetch")
    p = _bash(commands, checkout)
    assert p.returncode == status, p.stdout + p.stderr
    if status:
        assert "! BTCUSDT: PRICE_FILTER tickSize: 0.01000000 -> 0.10000000" in p.stdout


# --- the pre-commit hook -------------------------------------------------------------------------


def test_the_hook_definition() -> None:
    hook = _hook()
    assert hook["id"] == "filterlib-check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] == "true"
    assert hook["entry"].split()[:2] == ["filterlib", "check"]
    files = re.compile(hook["files"])
    assert "exclude" not in hook  # the pattern names order files; nothing to carve out

    def selected(path: str) -> bool:
        return bool(files.search(path))

    # docs/ci.md's convention (issue 18): names starting 'orders', or files under orders/.
    for path in (
        "orders.jsonl",
        "orders.json",
        "out/orders.json",
        "out/orders-2024-05.csv.gz",
        "orders_backtest.ndjson",
        "orders/backtest.jsonl.gz",
        "orders/manual.csv",
        "strategy/orders/2024/may.json",
    ):
        assert selected(path), path
    for path in (
        ".vscode/settings.json",  # the file the old pattern failed on
        "package.json",
        "tsconfig.json",
        "snapshots/exchangeInfo.json.gz",
        "README.md",
        "orders.txt",
        "backtest/fills.jsonl",
        "reorders.json",
        "ordersheet/notes.json",
    ):
        assert not selected(path), path
    # docs/ci.md shows the same entry and pattern.
    assert f"entry: {hook['entry']}" in DOC
    assert f"files: '{hook['files']}'" in DOC


def test_the_docs_rev_is_a_tag_that_exists_or_an_explained_placeholder() -> None:
    tags = subprocess.run(
        ["git", "tag", "--list"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.split()
    for text in (DOC, HOOKS):
        for rev in re.findall(r"rev: (\S+)", text):
            assert rev in tags or rev == "COMMIT_SHA", rev
    # The placeholder is explained where the hook is documented.
    assert "`rev:` must be a commit" in DOC
    assert "pre-commit autoupdate" in DOC


@pytest.mark.parametrize(("orders", "status"), [([GOOD], 0), ([GOOD, REJECTED], 1)])
def test_the_hook_entry_runs_as_pre_commit_runs_it(
    checkout: Path, orders: list[dict[str, str]], status: int
) -> None:
    (checkout / "orders" / "new.jsonl").write_text("".join(json.dumps(o) + "\n" for o in orders))
    staged = ["orders/new.jsonl", "orders/manual.csv"]  # pre-commit appends the file names
    entry = shlex.split(_hook()["entry"])
    assert entry[0] == "filterlib"
    cmd = [sys.executable, "-m", "filterlib", *entry[1:], *staged]
    p = subprocess.run(cmd, cwd=checkout, capture_output=True, text=True, check=False)
    assert p.returncode == status, p.stdout + p.stderr
    assert "==> orders/new.jsonl <==" in p.stdout
    assert "\x1b[" not in p.stdout
    if status:
        assert "line 2: BTCUSDT: -1013 Filter failure: LOT_SIZE" in p.stdout


def test_bash_is_available() -> None:
    assert shutil.which("bash")
