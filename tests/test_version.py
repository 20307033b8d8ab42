"""``filterlib.__version__``, ``filterlib --version``, and the licence and changelog (issue 18)."""

from __future__ import annotations

import importlib.metadata
import io
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import filterlib
from filterlib import _version
from filterlib.cli import main

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_version_is_the_installed_metadatas() -> None:
    try:
        installed = importlib.metadata.version("filterlib")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("filterlib is not installed here")
    assert filterlib.__version__ == installed


def test_a_checkout_that_was_never_installed_reads_pyproject(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    _version.version.cache_clear()
    try:
        assert filterlib.__version__ == PYPROJECT["project"]["version"]
    finally:
        _version.version.cache_clear()
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", PYPROJECT["project"]["version"])


def test_another_projects_pyproject_or_none_gives_an_unknown_version(tmp_path: Path) -> None:
    other = tmp_path / "pyproject.toml"
    other.write_text('[project]\nname = "other"\nversion = "9.9.9"\n')
    assert _version.source_version(other) == "0+unknown"
    assert _version.source_version(tmp_path / "missing.toml") == "0+unknown"
    broken = tmp_path / "broken.toml"
    broken.write_text("[project\n")
    assert _version.source_version(broken) == "0+unknown"


def test_filterlib_dash_dash_version() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main(["--version"], stdout=out, stderr=err) == 0
    assert out.getvalue() == f"filterlib {filterlib.__version__}\n"
    assert err.getvalue() == ""


def test_import_does_not_look_the_version_up_and_typos_still_fail() -> None:
    code = (
        "import sys, filterlib; print('importlib.metadata' in sys.modules); "
        "print(filterlib.__version__ != ''); print('importlib.metadata' in sys.modules)"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert p.stdout.split() == ["False", "True", "True"]
    with pytest.raises(AttributeError, match="no attribute 'chek'"):
        filterlib.chek  # type: ignore[attr-defined]  # noqa: B018


def test_the_licence_is_mit_as_the_readme_and_pyproject_say() -> None:
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n")
    assert re.search(r"^Copyright \(c\) \d{4} the filterlib authors$", licence, re.M)
    assert "WITHOUT WARRANTY OF ANY KIND" in licence
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}
    assert "filterlib is MIT-licensed" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_changelog_keeps_a_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert "https://keepachangelog.com/en/1.1.0/" in text
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[0] == "[Unreleased]"
    sections = set(re.findall(r"^### (\w+)$", text, re.M))
    assert sections <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    assert "`filterlib --version`" in text
