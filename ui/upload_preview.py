"""What the upload page shows about a checked file: each value as the file wrote it next to what
will be stored (regency name and code, country name, permit and activity as words, dates
dd/mm/yyyy), and the codes the contract accepts, in the user's language."""

from __future__ import annotations

import pandas as pd

from domain.data_kinds import kind as data_kind
from domain.regions import ports, regency_name
from i18n import t
from loaders.pipeline import Prepared
from loaders.values import _key, country_name, vocabularies
from ui.tables import code_text


def _stored_text(column: str, value, lang: str, coded: bool = False) -> str:
    """`coded`: a column of codes (enum:<vocabulary>), shown as words with the code."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if column == "regency":
        return f"{regency_name(value)} ({value})"
    if column == "nationality":
        return f"{country_name(value, lang)} ({value})"
    if column == "port":
        return f"{ports().loc[value, 'name']} ({value})" if value in ports().index else str(value)
    if coded:
        word = code_text(column, value, lang)
        return f"{word} ({value})" if word != value else str(value)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return f"{value:.5f}".rstrip("0").rstrip(".")
    return str(value)


def understood(prep: Prepared, lang: str, n: int = 10) -> pd.DataFrame:
    """The first `n` rows: for each shown column, the file's text and the stored reading side by
    side (a rejected row says so instead)."""
    file_rows = prep.preview.head(n)
    record = data_kind(prep.kind)
    names = {c.name: c.id_name if lang == "id" else c.name for c in record.columns}
    as_file, as_stored = t("uploadpage.as_file", lang), t("uploadpage.as_stored", lang)
    out = {t("uploadpage.row_no", lang): [i + 1 for i in range(len(file_rows))]}
    for col in record.preview:
        if col not in file_rows:
            continue
        stored = record.stored_name(col)
        out[f"{names[col]} · {as_file}"] = list(file_rows[col])
        readings = []
        for pos in range(len(file_rows)):
            if pos not in prep.rows.index:
                readings.append("✗ " + t("uploadpage.row_rejected", lang))
            elif record.column(
                col
            ).secret:  # passports, NIKs: never shown, only whether there is one
                readings.append(
                    t("uploadpage.pseudonymised", lang)
                    if prep.rows.at[pos, stored]
                    else "⚠ " + t("uploadpage.no_passport", lang)
                    if col == "passport_no"
                    else ""
                )
            else:
                readings.append(
                    _stored_text(
                        col,
                        prep.rows.at[pos, stored],
                        lang,
                        record.column(col).type.startswith("enum:"),
                    )
                )
        out[f"{names[col]} · {as_stored}"] = readings
    return pd.DataFrame(out)


def allowed_codes(kind: str, lang: str) -> list[tuple[str, pd.DataFrame]]:
    """(vocabulary, table of code, meaning in the language, other spellings accepted) for the
    coded columns of this kind of file (data/reference/vocabularies.toml)."""
    out = []
    for vocab in data_kind(kind).vocabularies:
        spellings: dict[str, list[str]] = {}
        for spelling, code in vocabularies()[vocab].items():
            if spelling != _key(code):
                spellings.setdefault(code, []).append(spelling)
        codes = list(dict.fromkeys(vocabularies()[vocab].values()))
        out.append(
            (
                vocab,
                pd.DataFrame(
                    {
                        t("uploadpage.codes_code", lang): codes,
                        t("uploadpage.codes_meaning", lang): [
                            code_text(vocab, c, lang) for c in codes
                        ],
                        t("uploadpage.codes_spellings", lang): [
                            ", ".join(spellings.get(c, [])) for c in codes
                        ],
                    }
                ),
            )
        )
    return out
