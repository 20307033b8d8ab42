"""docs/rules.md carries the catalogue's table verbatim, so the docs cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

from filterlib.catalogue import RULES, markdown_table

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_rules_md_ends_with_the_generated_table() -> None:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    regenerate = "python -m filterlib.catalogue docs/rules.md"
    assert text.endswith(markdown_table()), f"regenerate: {regenerate}"


def test_every_rule_has_a_row_with_its_code_and_message() -> None:
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    for r in RULES:
        assert f"| `{r.id}` | {r.stage} | {r.code} | `{r.message}`" in text
