"""Column-mapping profiles (issue 19 item 1): a file with an agency's own headers imports with a
profile and is rejected without it naming its headers; the command line with --profile; a
profile naming a column the file lacks; saved profiles offered for the same headers."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from loaders.errors import ImportRejected
from loaders.pipeline import import_file
from loaders.profiles import headers_signature, parse, to_toml
from services import profiles as saved
from storage.models import Presence
from tests.cli import ingest

PROFILE = """kind = "presence"
[columns]                 # the file's header = the contract column
"Tgl Check In" = "report_date"
"No. Paspor" = "passport_no"
"Kebangsaan" = "nationality"
"Jenis Izin" = "permit_type"
"Keperluan" = "activity"
"No. Reg" = "record_id"
[place]
from = ["Alamat Hotel"]   # columns whose text names a village, district or regency
"""
APOA = (
    b'"Tgl Check In","No. Paspor","Kebangsaan","Jenis Izin","Keperluan","No. Reg","Alamat Hotel"\n'
    b"27/11/2024,X1234567,AUS,VOA,wisata,A1,Gili Trawangan\n"
    b'27/11/2024,X1234568,Jerman,ITAS kerja,bekerja,A2,"Jl. Raya Senggigi No 5, Batu Layar"\n'
    b'28/11/2024,X1234569,GBR,VOA,wisata,A3,"Hotel Kuta Indah, Kuta, Pujut"\n'
    b"28/11/2024,X1234570,GBR,VOA,wisata,A4,Kuta\n"
)


def regencies(engine) -> dict:
    with engine.connect() as conn:
        return {
            r: (g, k)
            for r, g, k in conn.execute(
                select(Presence.record_id, Presence.regency_code, Presence.kecamatan_code)
            )
        }


def test_with_the_profile_the_file_imports(engine):
    res = import_file(engine, APOA, "apoa.csv", "presence", mode="partial", profile=parse(PROFILE))
    assert (res.status, res.rows_imported, res.rows_rejected, res.regencies_from_places) == (
        "partial",
        3,
        1,
        3,
    )
    assert [(e.line, e.column, e.header, e.value, e.code, e.detail) for e in res.errors] == [
        (
            5,
            "regency",
            "Alamat Hotel",
            "Kuta",
            "ambiguous_place",
            "Kab. Lombok Tengah (52.02), Kab. Bima (52.06)",
        )
    ]
    assert regencies(engine) == {
        "A1": ("52.08", "52.08.05"),
        "A2": ("52.01", "52.01.14"),
        "A3": ("52.02", "52.02.04"),
    }
    assert res.dropped_columns == []


def test_without_it_the_file_is_rejected_naming_its_headers(engine):
    res = import_file(engine, APOA, "apoa.csv", "presence")
    assert res.status == "rejected" and res.rejection.code == "missing_columns_unmatched"
    assert res.rejection.message("en") == (
        "Required columns missing: report_date, regency, nationality, activity. Columns of the file not "
        'recognised: "Tgl Check In", "No. Paspor", "Kebangsaan", "Keperluan", "No. Reg", "Alamat Hotel". '
        "Map those columns on the upload page, or use a mapping profile (--profile)."
    )
    assert regencies(engine) == {}


def test_a_profile_naming_a_column_the_file_lacks(engine):
    other = APOA.replace(b'"Kebangsaan"', b'"Negara Asal"')
    res = import_file(engine, other, "apoa.csv", "presence", profile=parse(PROFILE))
    assert res.status == "rejected" and res.rejection.code == "profile_missing_columns"
    assert res.rejection.message("id") == (
        'Profil pemetaan menyebut kolom yang tidak ada di berkas ini: "Kebangsaan". '
        "Pilih profil lain atau petakan kolomnya lagi."
    )


def test_wrong_profiles_are_refused_with_a_reason():
    with pytest.raises(ImportRejected) as e:
        parse(PROFILE.replace('"passport_no"', '"report_date"'))
    assert (e.value.code, e.value.params) == ("profile_target_twice", {"columns": "report_date"})
    with pytest.raises(ImportRejected) as e:
        parse(PROFILE.replace('"activity"', '"hobby"'))
    assert e.value.code == "profile_unknown_target"
    with pytest.raises(ImportRejected) as e:
        parse('kind = "crossings"\n[place]\nfrom = ["Alamat"]\n')
    assert e.value.code == "profile_place_not_here"


def test_toml_round_trip_and_header_signature():
    p = parse(PROFILE)
    assert parse(to_toml(p)) == p
    assert p.columns["Tgl Check In"] == "report_date" and p.place_from == ["Alamat Hotel"]
    assert headers_signature(["Tgl Check In", "No. Reg"]) == headers_signature(
        ["no. reg", " TGL-CHECK IN "]
    )
    assert headers_signature(["Tgl Check In"]) != headers_signature(["Tgl Check In", "No. Reg"])


def test_saved_profiles_are_offered_for_the_same_headers(engine):
    headers = [
        "Tgl Check In",
        "No. Paspor",
        "Kebangsaan",
        "Jenis Izin",
        "Keperluan",
        "No. Reg",
        "Alamat Hotel",
    ]
    profile = parse(PROFILE)
    profile.name = "APOA Hotel Senggigi"
    saved.save(engine, profile, headers, "analis")
    assert [p.name for p in saved.for_headers(engine, "presence", list(reversed(headers)))] == [
        "APOA Hotel Senggigi"
    ]
    assert saved.for_headers(engine, "presence", headers[:-1]) == []
    assert saved.for_headers(engine, "incidents", headers) == []
    profile.columns.pop("No. Reg")
    saved.save(engine, profile, headers, "analis")  # the same name again replaces it
    [again] = saved.for_headers(engine, "presence", headers)
    assert "No. Reg" not in again.columns


def run_cli(tmp_path, capsys, *args) -> SimpleNamespace:
    """The import command in this process (tests/corpus/test_corpus.py also runs it as a process
    of its own)."""
    return ingest(capsys, [*args, "--db", f"sqlite:///{tmp_path / 'c.sqlite'}"])


def test_command_line_with_profile(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NTB_PSEUDONYM_KEY", "00" * 32)
    monkeypatch.delenv("NTB_MODE", raising=False)
    (tmp_path / "apoa.csv").write_bytes(APOA)
    (tmp_path / "apoa.toml").write_text(PROFILE, encoding="utf-8")
    without = run_cli(tmp_path, capsys, "presence", str(tmp_path / "apoa.csv"), "--json")
    assert without.returncode == 2 and json.loads(without.stdout)["status"] == "rejected"
    strict = run_cli(
        tmp_path,
        capsys,
        "presence",
        str(tmp_path / "apoa.csv"),
        "--profile",
        str(tmp_path / "apoa.toml"),
        "--json",
    )
    out = json.loads(strict.stdout)
    assert strict.returncode == 2 and (out["status"], out["rows_imported"]) == (
        "rejected",
        0,
    )  # all or nothing
    assert [(e["line"], e["column"], e["header"], e["value"]) for e in out["errors"]] == [
        (5, "regency", "Alamat Hotel", "Kuta")
    ]
    partial = run_cli(
        tmp_path,
        capsys,
        "presence",
        str(tmp_path / "apoa.csv"),
        "--profile",
        str(tmp_path / "apoa.toml"),
        "--partial",
        "--json",
    )
    out = json.loads(partial.stdout)
    assert partial.returncode == 1 and (out["rows_imported"], out["regencies_from_places"]) == (
        3,
        3,
    )
    (tmp_path / "bad.toml").write_text(
        'kind = "presence"\n[columns]\n"X" = "nope"\n', encoding="utf-8"
    )
    bad = run_cli(
        tmp_path,
        capsys,
        "presence",
        str(tmp_path / "apoa.csv"),
        "--profile",
        str(tmp_path / "bad.toml"),
        "--lang",
        "en",
    )
    assert bad.returncode == 2
    assert (
        bad.stderr.strip()
        == "The mapping profile names contract columns that presence does not have: nope."
    )
    missing = run_cli(
        tmp_path,
        capsys,
        "presence",
        str(tmp_path / "apoa.csv"),
        "--profile",
        str(tmp_path / "none.toml"),
    )
    assert (
        missing.returncode == 2
        and "none.toml" in missing.stderr
        and "Traceback" not in missing.stderr
    )
