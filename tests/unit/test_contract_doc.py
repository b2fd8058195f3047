"""docs/upload-contract.md states what the importer does: its generated tables match the code and
the reference data, it lists every allowed code, and the upload page shows its sections."""

from __future__ import annotations

import tomllib

from domain.paths import REFERENCE
from loaders import contract_doc
from loaders.columns import KINDS, PERSONAL, SPECS

DOC_TEXT = contract_doc.DOC.read_text(encoding="utf-8")


def test_the_document_is_up_to_date():
    assert contract_doc.refresh(DOC_TEXT) == DOC_TEXT, (
        "docs/upload-contract.md is stale: run .venv/bin/python -m loaders.contract_doc"
    )
    assert contract_doc.main(["--check"]) == 0


def test_every_code_of_every_vocabulary_is_listed():
    allowed = contract_doc.section("Allowed values", DOC_TEXT)
    vocabularies = tomllib.loads((REFERENCE / "vocabularies.toml").read_text(encoding="utf-8"))
    missing = [
        f"{name}: {code}"
        for name, table in vocabularies.items()
        if isinstance(table, dict)
        for code in table
        if f"| `{code}` |" not in allowed
    ]
    assert missing == []
    assert "| `ITAS_REMOTE` |" in allowed and "`e33g`" in allowed and "`vksk`" in allowed


def test_every_column_is_in_its_section():
    for kind in KINDS:
        body = contract_doc.section(kind, DOC_TEXT)
        for c in SPECS[kind]:
            assert f"| `{c.name}` | `{c.id_name}` |" in body, (kind, c.name)
    personal = contract_doc.section("Headers", DOC_TEXT)
    assert [n for n in PERSONAL if f"`{n}`" not in personal] == []


def test_refresh_rewrites_a_stale_block():
    stale = (
        "intro\n<!-- generated: columns:crossings (python -m loaders.contract_doc) -->\n"
        "| old |\n<!-- end generated -->\nafter\n"
    )
    lines = contract_doc.refresh(stale).splitlines()
    assert lines[:4] == [
        "intro",
        "<!-- generated: columns:crossings (python -m loaders.contract_doc) -->",
        "| column (English) | column (Indonesian) | also accepted | required | values |",
        "|---|---|---|---|---|",
    ]
    assert lines[4] == "| `date` | `tanggal` | — | yes | a date, day first (Values) |"
    assert lines[-2:] == ["<!-- end generated -->", "after"]


def test_section_and_page_help():
    text = "# T\n\n## one\n\nfirst\n<!-- generated: x (y) -->\n| a |\n<!-- end generated -->\n\n## two\nsecond\n"
    assert contract_doc.section("one", text) == "first\n| a |"
    assert contract_doc.section("two", text) == "second"
    assert contract_doc.section("three", text) == ""
    help_text = contract_doc.page_help("crossings")
    assert help_text.startswith("Aggregated arrivals and departures at ports of entry")
    assert (
        "| `port` | `tpi` |" in help_text
        and "\n\n#### Values\n\n| value | accepted | stored as |" in help_text
    )
    assert "<!--" not in help_text and "## " not in help_text.replace("#### Values", "")
