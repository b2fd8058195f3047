"""The upload page says what it understood (issue 19 item 4): the file's values beside the stored
reading for the first rows, a quoted decimal comma read in a comma-separated file, the passport
warning counted, and the accepted codes listed beside the template in the user's language."""

from __future__ import annotations

from i18n import t

FILE = (
    b"no_register,tanggal_laporan,kabupaten_kota,kewarganegaraan,jenis_izin,kegiatan,no_paspor,lintang,bujur\n"
    b'U1,27 Nov 2024,Lobar,NA,itas kerja,work,A1234567,"-8,49","116,045"\n'
    b"U2,28/11/2024,KLU,Tiongkok,VOA,tourism,,,\n"
    b"U3,31/02/2024,Lobar,AUS,VOA,wisata,B7654321,,\n"
)


def test_the_preview_shows_the_file_beside_the_stored_reading(app):
    at = app("pages/upload.py").run()
    at.get("file_uploader")[0].upload("hotel.csv", FILE, "text/csv").run()
    assert not at.exception
    stored = " · " + t("uploadpage.as_stored")
    infile = " · " + t("uploadpage.as_file")
    table = next(d.value for d in at.dataframe if "kabupaten_kota" + stored in d.value.columns)
    assert list(table["kabupaten_kota" + infile]) == ["Lobar", "KLU", "Lobar"]
    assert list(table["kabupaten_kota" + stored]) == [
        "Kab. Lombok Barat (52.01)",
        "Kab. Lombok Utara (52.08)",
        "✗ " + t("uploadpage.row_rejected"),
    ]
    assert list(table["kewarganegaraan" + stored])[:2] == ["Namibia (NAM)", "Tiongkok (CHN)"]
    assert list(table["jenis_izin" + stored])[:2] == [
        f"{t('code.permit_ITAS_KERJA')} (ITAS_KERJA)",
        f"{t('code.permit_VOA')} (VOA)",
    ]
    assert list(table["kegiatan" + stored])[:2] == [
        "bekerja",
        "wisata",
    ]  # "work" read as the code bekerja
    assert list(table["tanggal_laporan" + infile]) == ["27 Nov 2024", "28/11/2024", "31/02/2024"]
    assert list(table["tanggal_laporan" + stored])[:2] == ["27/11/2024", "28/11/2024"]
    assert (
        list(table["lintang" + infile])[0] == "-8,49"
        and list(table["lintang" + stored])[0] == "-8.49"
    )
    assert list(table["no_paspor" + stored])[:2] == [
        t("uploadpage.pseudonymised"),
        "⚠ " + t("uploadpage.no_passport"),
    ]
    assert list(table["no_paspor" + infile]) == [
        "******67",
        "",
        "******21",
    ]  # masked, never in clear
    assert t("upload.no_passport", n=1) in [w.value for w in at.warning]


def test_the_accepted_codes_are_listed_in_the_users_language(app):
    for lang in ("id", "en"):
        at = app("pages/upload.py", lang=lang)
        at.session_state["upload_kind"] = "presence"
        at.run()
        box = next(e for e in at.expander if e.label == t("uploadpage.codes_title", lang))
        assert [m.value for m in box.markdown] == [
            f"**{t('uploadpage.codes_vocab_permit_type', lang)}**",
            f"**{t('uploadpage.codes_vocab_activity', lang)}**",
        ]
        permits = box.dataframe[0].value.set_index(t("uploadpage.codes_code", lang))
        assert permits.at["ITAS_KERJA", t("uploadpage.codes_meaning", lang)] == t(
            "code.permit_ITAS_KERJA", lang
        )
        assert "kitas kerja" in permits.at["ITAS_KERJA", t("uploadpage.codes_spellings", lang)]
        at = app("pages/upload.py", lang=lang)
        at.session_state["upload_kind"] = (
            "incidents"  # the radio's format_func needs the page's context
        )
        at.run()
        box = next(e for e in at.expander if e.label == t("uploadpage.codes_title", lang))
        actions = box.dataframe[1].value.set_index(t("uploadpage.codes_code", lang))
        assert actions.at["deportasi", t("uploadpage.codes_meaning", lang)] == t(
            "code.action_deportasi", lang
        )
