"""Data files and code cite the project's documents as `docs/<doc>.md, <section heading>`: every
such citation in a tracked file must name a heading the document has, so a renamed heading
cannot leave sources pointing nowhere."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("docs/domain-facts.md", "docs/upload-contract.md")
CITATION = re.compile(r"(docs/(?:domain-facts|upload-contract)\.md),\s*\"?([A-Z][^\n]*)")


def headings(doc: str) -> list[str]:
    return re.findall(r"^## (.+)$", (ROOT / doc).read_text(encoding="utf-8"), re.M)


def dangling_citations() -> list[str]:
    known = {doc: headings(doc) for doc in DOCS}
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    bad = []
    for name in tracked.decode().split("\0"):
        path = ROOT / name
        if not name or not path.is_file() or path.suffix not in (".csv", ".toml", ".py", ".md"):
            continue
        for doc, rest in CITATION.findall(path.read_text(encoding="utf-8", errors="replace")):
            if not any(rest.startswith(h) for h in known[doc]):
                bad.append(f"{name}: {doc}, {rest[:40]}")
    return bad


def test_every_cited_section_exists():
    assert dangling_citations() == []


def test_the_check_sees_a_wrong_heading():
    line = (
        'x,"' + DOCS[0] + ', Stay permit rules (E33G)"'
    )  # built here, so this file cites nothing wrong
    assert CITATION.findall(line) == [("docs/domain-facts.md", 'Stay permit rules (E33G)"')]
    assert not any(
        "Stay permit rules (E33G)".startswith(h) for h in headings("docs/domain-facts.md")
    )
    assert any("Stay permits (E33G)".startswith(h) for h in headings("docs/domain-facts.md"))
