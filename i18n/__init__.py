"""String catalogues: Bahasa Indonesia (default) and English.

Catalogues are TOML files named `<area>.<lang>.toml`; a key is `<area>.<name>`, e.g.
`t("errors.bad_date", "en", value="31/02/2024")`. A key missing in English falls back to
Indonesian, and a key missing everywhere shows the key itself (a test checks none is missing).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGS = ("id", "en")
DEFAULT_LANG = "id"
_DIR = Path(__file__).resolve().parent


@cache
def catalogue(lang: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted(_DIR.glob(f"*.{lang}.toml")):
        area = path.name.split(".")[0]
        for key, value in _flatten(tomllib.loads(path.read_text(encoding="utf-8"))):
            out[f"{area}.{key}"] = value
    return out


def _flatten(d: dict, prefix: str = ""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _flatten(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def t(key: str, lang: str = DEFAULT_LANG, **params) -> str:
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANG).get(key) or key
    return text.format(**params) if params else text


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    return key in catalogue(lang)


def source_text(text: str, lang: str = DEFAULT_LANG) -> str:
    """A stored source or attribution (kept in English in the data files) in `lang`: its
    translation in sources.<lang>.toml, keyed by the stored text; the stored text otherwise."""
    return catalogue(lang).get(f"sources.{text}", text) if text else text
