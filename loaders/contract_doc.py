"""docs/upload-contract.md, the upload contract as the importer implements it: the parts written
from the code (column tables from loaders/columns.py, allowed values, regencies, nationalities
and ports from data/reference/), and the section of one kind of file that the upload page shows.

    .venv/bin/python -m loaders.contract_doc           # rewrite the generated parts
    .venv/bin/python -m loaders.contract_doc --check   # exit 1 while they are stale

A test fails while the document is stale, so a new permit code or column cannot be missing from it.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib

import pandas as pd

from domain.paths import REFERENCE, ROOT
from loaders.columns import KINDS, PERSONAL, SPECS, Column

DOC = ROOT / "docs" / "upload-contract.md"
_BLOCK = re.compile(
    r"(<!-- generated: (?P<name>[\w:]+) .*?-->\n)(?P<body>.*?)(<!-- end generated -->)", re.S
)


def _code(text: str) -> str:
    return f"`{text}`"


def _vocabularies() -> dict[str, dict[str, list[str]]]:
    """{vocabulary: {stored code: accepted spellings}} as written in vocabularies.toml."""
    raw = tomllib.loads((REFERENCE / "vocabularies.toml").read_text(encoding="utf-8"))
    return {name: table for name, table in raw.items() if isinstance(table, dict)}


def _values(col: Column) -> str:
    t = col.type
    if t.startswith("enum:"):
        vocab = t.split(":", 1)[1]
        codes = ", ".join(_code(c) for c in _vocabularies()[vocab])
        return f"one of {codes} (spellings: Allowed values, `{vocab}`)"
    return {
        "date": "a date, day first (Values)",
        "regency": "a regency: code, BPS code, name or short form (Regencies)",
        "nationality": "a country: ISO alpha-3 or alpha-2 code, or name (Nationalities)",
        "count": "a whole number, 0 or more",
        "coord": "decimal degrees inside NTB (Values)",
        "passport": "a passport number, 5–20 letters or digits; stored only as a pseudonym (Values)",
        "nik": "a NIK (e-KTP number), 16 digits; stored only as a keyed hash (Values)",
        "tps": "a polling station (TPS) number, e.g. `12`, `012`, `TPS 012`; stored as `012`",
        "bool": "yes or no (Allowed values, `boolean`)",
        "severity": "`1`–`5` or a word (Allowed values, `severity`)",
        "port": "a port id or its name (Ports)",
        "id": f"the sender's own id, text up to {col.max_len} characters",
        "text": f"free text up to {col.max_len} characters",
    }[t]


def columns_table(kind: str) -> str:
    rows = [
        "| column (English) | column (Indonesian) | also accepted | required | values |",
        "|---|---|---|---|---|",
    ]
    for c in SPECS[kind]:
        aliases = ", ".join(_code(a) for a in c.aliases) or "—"
        rows.append(
            f"| {_code(c.name)} | {_code(c.id_name)} | {aliases} | {'yes' if c.required else 'no'} | "
            f"{_values(c)} |"
        )
    return "\n".join(rows)


def vocabulary_tables() -> str:
    used_by: dict[str, list[str]] = {}
    for kind in KINDS:
        for c in SPECS[kind]:
            vocab = (
                c.type.split(":", 1)[1]
                if c.type.startswith("enum:")
                else {"bool": "boolean"}.get(c.type, c.type)
            )
            used_by.setdefault(vocab, [])
            label = f"{_code(c.name)} / {_code(c.id_name)} ({kind})"
            if label not in used_by[vocab]:
                used_by[vocab].append(label)
    out = []
    for vocab, table in _vocabularies().items():
        out += [
            f"### `{vocab}`",
            "",
            "Column: " + ("; ".join(used_by.get(vocab, [])) or "—") + ".",
            "",
            "| stored code | accepted spellings (besides the code itself) |",
            "|---|---|",
        ]
        for stored, spellings in table.items():
            others = [s for s in spellings if s.lower() != str(stored).lower()]
            out.append(f"| {_code(stored)} | {', '.join(_code(s) for s in others) or '—'} |")
        out.append("")
    return "\n".join(out).rstrip()


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / name, dtype=str, keep_default_na=False)


def regencies_table() -> str:
    aliases = _csv("regency_aliases.csv").groupby("code")["alias"].apply(list).to_dict()
    rows = [
        "| code | BPS code | name | kind | short forms and other spellings accepted |",
        "|---|---|---|---|---|",
    ]
    for r in _csv("regencies.csv").itertuples():
        short = ", ".join(_code(a) for a in aliases.get(r.code, [])) or "—"
        rows.append(f"| {_code(r.code)} | {_code(r.bps_code)} | {r.name} | {r.kind} | {short} |")
    return "\n".join(rows)


def nationalities_table() -> str:
    rows = ["| stored as | also written as |", "|---|---|"]
    for alpha3, aliases in _csv("nationality_aliases.csv").groupby("alpha3", sort=True)["alias"]:
        rows.append(f"| {_code(alpha3)} | {', '.join(_code(a) for a in aliases)} |")
    return "\n".join(rows)


def ports_table() -> str:
    rows = [
        "| port id | name | also written as | kind | immigration checkpoint (TPI) |",
        "|---|---|---|---|---|",
    ]
    for r in _csv("ports.csv").itertuples():
        also = ", ".join(a for a in str(r.also_written or "").split("|") if a)
        rows.append(f"| {_code(r.id)} | {r.name} | {also} | {r.kind} | {r.official_tpi} |")
    return "\n".join(rows)


def personal_list() -> str:
    return ", ".join(_code(n) for n in sorted(PERSONAL)) + "."


def generated(name: str) -> str:
    if name.startswith("columns:"):
        return columns_table(name.split(":", 1)[1])
    return {
        "vocabularies": vocabulary_tables,
        "regencies": regencies_table,
        "personal": personal_list,
        "nationalities": nationalities_table,
        "ports": ports_table,
    }[name]()


def refresh(text: str) -> str:
    """The document with every generated block written anew from the code and the data."""
    return _BLOCK.sub(lambda m: m.group(1) + generated(m.group("name")) + "\n" + m.group(4), text)


def section(heading: str, text: str | None = None) -> str:
    """The body of the `## heading` section (without the heading line), up to the next `## `;
    generated-block markers left out. '' when there is no such section."""
    text = DOC.read_text(encoding="utf-8") if text is None else text
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        return ""
    return re.sub(r"^<!-- .*-->\n", "", m.group(1), flags=re.M).strip()


def page_help(kind: str) -> str:
    """What the upload page shows for one kind of file: its section, then the value rules."""
    text = DOC.read_text(encoding="utf-8")
    return f"{section(kind, text)}\n\n#### Values\n\n{section('Values', text)}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m loaders.contract_doc", description=__doc__.splitlines()[0]
    )
    ap.add_argument(
        "--check", action="store_true", help="exit 1 when the document is stale; write nothing"
    )
    args = ap.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    new = refresh(text)
    if new == text:
        print(f"{DOC.relative_to(ROOT)} is up to date")
        return 0
    if args.check:
        print(f"{DOC.relative_to(ROOT)} is stale: run .venv/bin/python -m loaders.contract_doc")
        return 1
    DOC.write_text(new, encoding="utf-8")
    print(f"{DOC.relative_to(ROOT)} rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
