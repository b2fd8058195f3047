"""The upload page: check, errors by line, commit, a page switch mid-way loses nothing, and
zero imported rows is never shown as success."""

from sqlalchemy import text

from i18n import t
from storage.engine import make_engine

GOOD_AND_BAD = (
    b"no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;no_paspor;jumlah_orang\n"
    b"UP1;15/11/2024;Lobar;NA;VOA;wisata;0012345;2\n"
    b"UP2;31/02/2024;Lobar;AUS;VOA;wisata;A7654321;1\n"
    b"UP3;15/11/2024;KLU;Tiongkok;ITAS;bekerja;B1234567;3\n"
)


def presence_rows(url) -> int:
    with make_engine(url).connect() as conn:
        return conn.execute(
            text("select count(*) from presence where replaced_by_batch is null")
        ).scalar()


def test_check_switch_page_and_commit(app, demo_db):
    before = presence_rows(demo_db)
    at = app("pages/upload.py", role="analyst").run()
    at.get("file_uploader")[0].upload("kiriman.csv", GOOD_AND_BAD, "text/csv").run()
    assert not at.exception
    errors = at.dataframe[-1].value
    assert errors.iloc[:, 0].tolist() == [3]  # line 3: 31/02/2024
    # the analyst looks at the map and comes back: the checked file is still there
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/upload.py").run()
    assert any(h.value.startswith(t("uploadpage.checking", file="")[:10]) for h in at.subheader)
    at.button(key="commit_upload").click().run()
    assert not at.exception
    assert [w.value for w in at.warning][-1].startswith("2 baris diimpor")
    assert presence_rows(demo_db) == before + 2


def test_nothing_valid_is_never_success(app, demo_db):
    bad = (
        b"tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan\n"
        b"31/02/2024;Atlantis;XX;ZZZ;wisata\n"
    )
    at = app("pages/upload.py", role="analyst").run()
    at.get("file_uploader")[0].upload("semua_salah.csv", bad, "text/csv").run()
    assert not at.exception
    assert at.button(key="commit_upload").disabled
    assert not at.success


def test_contract_help_is_the_project_document(app):
    """The contract expander shows docs/upload-contract.md's section of the chosen kind, in both languages."""
    from loaders.contract_doc import page_help

    for lang in ("id", "en"):
        at = app("pages/upload.py", lang=lang, role="analyst")
        at.session_state["upload_kind"] = (
            "incidents"  # the radio's format_func needs the page's context
        )
        at.run()
        assert not at.exception
        box = next(e for e in at.expander if e.label == t("uploadpage.contract_doc", lang))
        assert [m.value for m in box.markdown] == [page_help("incidents")]
        assert "| `category` | `kategori` |" in box.markdown[0].value


def test_a_voter_list_through_the_page(app, demo_db):
    """Issue 25: the kind is offered, its contract and template are there, the preview never shows
    a NIK (masked as read, "pseudonymised" as stored), and the list imports."""
    from loaders.contract_doc import page_help
    from loaders.templates import template_frame

    at = app("pages/upload.py", role="analyst").run()
    assert at.radio(key="upload_kind").options[-1] == t("uploadpage.kind_voters", "id")
    at.session_state["upload_kind"] = "voters"
    at.run()
    box = next(e for e in at.expander if e.label == t("uploadpage.contract_doc", "id"))
    assert [m.value for m in box.markdown] == [page_help("voters")]
    assert list(template_frame("voters").columns) == [
        "nik_ktp",
        "kabupaten_kota",
        "kecamatan",
        "desa_kelurahan",
        "tps",
        "jenis_daftar",
        "tanggal_daftar",
    ]
    data = (
        b"nik;kabupaten_kota;tps;jenis_daftar;tanggal_daftar;nama\n"
        b"5201.4107.8000.0001;Lobar;12;DPT;22/09/2024;Siti\n"
        b"5299410780000002;Lobar;3;DPT;22/09/2024;Made\n"
    )
    at.get("file_uploader")[0].upload("dpt.csv", data, "text/csv").run()
    assert not at.exception
    shown = "\n".join(repr(d.value) for d in at.dataframe)
    assert (
        "5201410780000001" not in shown and "4107" not in shown and "5299410780000002" not in shown
    )
    at.button(key="commit_upload").click().run()
    assert not at.exception
    with make_engine(demo_db).connect() as conn:
        assert conn.execute(text("select tps, list_name from voter_list")).all() == [("012", "DPT")]
