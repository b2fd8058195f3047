"""Language (issue 18 item 8): every stored source has its Indonesian words, codes read as words
in English, and every code of the vocabularies has a word in both catalogues."""

import tomllib

import pandas as pd
import pytest

from domain.calendar import elections
from domain.paths import REFERENCE
from domain.regions import attribution
from i18n import catalogue, source_text
from ui.tables import FIELD_WORDS, code_text

VOCABULARY = tomllib.loads((REFERENCE / "vocabularies.toml").read_text())


def stored_sources() -> list[str]:
    out = [attribution()] + [e.source for e in elections().values()]
    for name in ("regencies", "office_areas", "offices"):
        out += list(pd.read_csv(REFERENCE / f"{name}.csv", dtype=str)["source"].dropna().unique())
    return out


def test_every_stored_source_has_indonesian_words():
    for text in stored_sources():
        shown = source_text(text, "id")
        assert shown != text, f"no sources.id.toml entry for {text!r}"
        assert "as reported" not in shown and "Immigration offices" not in shown, shown
        assert source_text(text, "en") == text
    assert source_text(attribution(), "id").startswith(
        "Batas kabupaten/kota: diturunkan dari cahyadsn/wilayah_boundaries"
    )


@pytest.mark.parametrize(
    "column,section",
    [
        ("permit_type", "permit_type"),
        ("activity", "activity"),
        ("action", "action"),
        ("category", "category"),
        ("status", "status"),
        ("direction", "direction"),
    ],
)
def test_every_code_has_a_word_in_both_languages(column, section):
    for code in VOCABULARY[section]:
        key = f"{FIELD_WORDS[column]}{code}"
        assert key in catalogue("id") and key in catalogue("en"), key


def test_codes_read_as_english_words():
    assert code_text("permit_type", "ITAS_KERJA", "en") == "Limited stay permit, work"
    assert code_text("activity", "bekerja", "en") == "Work"
    assert code_text("action", "diserahkan", "en") == "Handed over"
    assert code_text("status", "ditelaah", "en") == "Under review"
    assert code_text("direction", "datang", "en") == "arrivals"
    assert code_text("action", "peringatan", "id") == "Teguran"  # not the alerts' word
    assert code_text("permit_type", "UNKNOWN", "en") == "UNKNOWN"
    assert code_text("remarks", "bekerja", "en") == "bekerja"  # free text is never translated
