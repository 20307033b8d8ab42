"""The extras (issue 18): ``[test]`` holds what the tests need and nothing heavier, ``[dev]`` the
lint and type tools and the other extras, and ``.ci/run`` installs ``[dev]`` so CI runs every
test. The sizes each extra installs are in docs/testing.md."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRAS: dict[str, list[str]] = PROJECT["optional-dependencies"]


def _names(requirements: list[str]) -> set[str]:
    """Distribution names, without versions or extras: 'dask[dataframe]>=1' -> 'dask'."""
    return {re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower() for r in requirements}


def _top_level_imports(path: Path) -> set[str]:
    """The top-level modules a file imports unconditionally, at module level."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_the_test_extra_holds_what_the_tests_import_and_nothing_heavier() -> None:
    test = _names(EXTRAS["test"])
    assert {"pytest", "hypothesis"} <= test
    # Each of these distributions installs a module of its own name (pytest, attrs, orjson...).
    available = test | _names(PROJECT["dependencies"])
    local = {p.stem for p in (ROOT / "tests").glob("*.py")} | {"filterlib"}
    files = [*(ROOT / "tests").glob("*.py"), *(ROOT / "examples").glob("*.py")]
    files += [
        *(ROOT / "filterlib" / "strategies").glob("*.py"),
        ROOT / "filterlib/pytest_plugin.py",
    ]
    for path in files:
        third_party = _top_level_imports(path) - set(sys.stdlib_module_names) - local
        assert third_party <= available, path.name


def test_the_dev_extra_holds_the_tools_and_every_other_extra() -> None:
    dev = EXTRAS["dev"]
    assert {"ruff", "mypy"} <= _names(dev)
    [itself] = [r for r in dev if r.startswith("filterlib[")]
    assert set(itself[len("filterlib[") : itself.index("]")].split(",")) == {
        "test",
        "crypto",
        "bulk",
        "dask",
    }
    # polars only for the tests of check_table's polars frames: no extra depends on it.
    assert "polars" in _names(dev)
    for heavy in ("mypy", "ruff", "dask", "pyarrow", "numpy", "polars", "cryptography"):
        assert heavy not in _names(EXTRAS["test"]), heavy
    assert _names(EXTRAS["bulk"]) == {"pyarrow", "numpy"}


def test_ci_installs_dev_before_the_readme_test_run_and_the_tools() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = script.index("\npip install -e '.[dev]'\n")
    assert install < script.index('eval "$test_command"')
    assert install < script.index("\nruff check .")
    assert install < script.index("\nmypy\n")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # .ci/run greps the README for its test command; it stays the [test] one.
    assert re.search(r"^pip install -e '\.\[test\]' && python -m pytest$", readme, re.M)
