"""The docs hang together (issue 18): docs/README.md links every page (the user guides and the
design notes under docs/design/), and every relative link of README.md and the docs reaches a
file (and a heading, for a link with ``#``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md")), *sorted(DOCS.glob("design/*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def _prose(path: Path) -> str:
    """The page without its fenced blocks and inline code, where links are not links."""
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def _relative_links(path: Path) -> list[str]:
    return [t for t in LINK.findall(_prose(path)) if not re.match(r"[a-z][a-z0-9+.-]*:", t)]


def _anchors(path: Path) -> set[str]:
    """GitHub's ids for the page's headings: lower case, punctuation dropped, spaces to '-'."""
    seen: dict[str, int] = {}
    anchors = set()
    for heading in re.findall(r"^#{1,6} (.+)$", _fenced_out(path), re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def _fenced_out(path: Path) -> str:
    return re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)


def test_the_index_links_every_page_of_the_docs() -> None:
    index = DOCS / "README.md"
    linked = {t.split("#")[0] for t in _relative_links(index)}
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.glob("**/*.md")} - {"README.md"}
    assert pages - linked == set(), "add a line for each page to docs/README.md"
    assert "snapshot validate" in index.read_text(encoding="utf-8")
    assert "docs/README.md" in _relative_links(ROOT / "README.md")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for target in _relative_links(page):
        name, _, anchor = target.partition("#")
        resolved = (page.parent / name).resolve() if name else page
        missing_anchor = anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved)
        if not resolved.exists() or missing_anchor:
            broken.append(target)
    assert broken == []


def test_the_anchor_rule_reads_headings_as_github_does(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("# Title\n## filterlib's own tests\n## `filterlib diff OLD NEW`\n## Title\n")
    assert _anchors(page) == {"title", "filterlibs-own-tests", "filterlib-diff-old-new", "title-1"}
