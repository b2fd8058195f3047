"""The controlled vocabularies (data/reference/vocabularies.toml): the stored codes of each coded
column and the spellings accepted for them. Reference data, read here once: the importer parses
with it (loaders/values.py), the store filters and counts by it, pages list its codes.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache

from domain.paths import REFERENCE


def key(text: str) -> str:
    """A spelling as it is looked up: lower case, runs of spaces, '_' and '-' as one space."""
    return re.sub(r"[\s_\-]+", " ", str(text).strip().lower())


@lru_cache(maxsize=1)
def spellings() -> dict[str, dict[str, str]]:
    """{vocabulary: {accepted spelling (as `key` writes it): stored code}}"""
    raw = tomllib.loads((REFERENCE / "vocabularies.toml").read_text(encoding="utf-8"))
    out: dict[str, dict[str, str]] = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            continue
        out[name] = {}
        for stored, accepted in table.items():
            for s in [stored, *accepted]:
                out[name][key(s)] = stored
    return out


def codes(vocabulary: str) -> list[str]:
    """The stored codes of `vocabulary`, in the file's order."""
    return list(dict.fromkeys(spellings()[vocabulary].values()))


# Follow-up statuses (status tindak lanjut) of incidents and alerts, in their order: the first is
# where every alert starts, the last closes it.
STATUSES: tuple[str, ...] = tuple(codes("status"))
NEW, CLOSED = STATUSES[0], STATUSES[-1]
