"""Every file of the corpus (tests/corpus/cases.py) through the import path on real databases
(SQLite file and PostgreSQL), in both modes, with its exact expected outcome; a rejected file
leaves every table byte-for-byte as it was. A few representative files also go through the
command line `python -m loaders.ingest ... --json`.

A file the import rejects (in the mode at hand) never reaches the database: prepare() rejects it
while reading, or commit() before commit_batch (no valid rows; row errors in all-or-nothing).
Its outcome cannot depend on the engine, so those cases run on SQLite only, which checks that
the import issued no SQL at all; every case that writes runs on both engines."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import event, select, text

from domain.data_kinds import kind as data_kind
from i18n import has, t
from loaders.errors import ImportRejected
from loaders.pipeline import import_file
from loaders.pseudonym import pseudonymise
from storage.models import Crossing, Incident, Presence, VoterList
from tests.cli import ingest
from tests.conftest import fresh_engine
from tests.corpus.cases import BY_NAME, CASES, Case, Nik, Passport

ROOT = Path(__file__).resolve().parents[2]
TABLES = (
    "upload_batch",
    "batch_error",
    "presence",
    "incident",
    "crossing",
    "voter_list",
    "presence_daily",
    "incident_daily",
    "crossing_daily",
    "voter_list_daily",
    "audit_event",
)
MODELS = {"presence": Presence, "incidents": Incident, "crossings": Crossing, "voters": VoterList}

# Rows already in the database before each case, so that "unchanged" is checked on real content.
# Their dates (2001) and ids (BASE-…) cannot collide with any case.
BASELINE = {
    "presence": b"no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;no_paspor\n"
    b"BASE-1;01/01/2001;Lobar;AUS;VOA;wisata;BASE12345\n",
    "incidents": b"no_kejadian;tanggal_kejadian;kabupaten_kota;kategori;tingkat\nBASE-I1;01/01/2001;Lobar;overstay;2\n",
    "crossings": b"tanggal;tpi;arah;kewarganegaraan;jumlah\n01/01/2001;lop_lombok_airport;datang;AUS;7\n",
    "voters": b"nik;kabupaten_kota;tps;jenis_daftar;tanggal_daftar\n5201999999990001;Lobar;1;DPT;01/01/2001\n",
}


def snapshot(engine) -> dict:
    """Checksum of every table's content (ordered), as in tests/unit/test_import.py."""
    out = {}
    with engine.connect() as conn:
        for table in TABLES:
            rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY 1")).fetchall()
            out[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return out


def dump(engine) -> str:
    """Everything stored, as text (to prove some values are stored nowhere)."""
    parts = []
    with engine.connect() as conn:
        for table in TABLES:
            parts.append(repr(conn.execute(text(f"SELECT * FROM {table}")).fetchall()))
    return "\n".join(parts)


def seed(engine) -> None:
    for kind, data in BASELINE.items():
        res = import_file(engine, data, f"baseline_{kind}.csv", kind)
        assert (res.status, res.rows_imported) == ("imported", 1), res.summary("en")


@pytest.fixture
def engine(request, databases, tmp_path):
    """A fresh database holding the BASELINE rows (seeded once per session per engine)."""
    yield from fresh_engine(databases, request.param, tmp_path, "corpus baseline", seed)


def reaches_database(case: Case, mode: str) -> bool:
    return case.expected(mode)["status"] != "rejected" or bool(case.xfail)


def params(cases, mode: str):
    """(engine, case) pairs, ids as "<engine>-<case>": both engines for a case that reaches the
    database, SQLite alone for one rejected before it (see the module's docstring)."""
    out = []
    for c in cases:
        m = [pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else []
        out.append(pytest.param("sqlite", c, id=f"sqlite-{c.name}", marks=m))
        if reaches_database(c, mode):
            out.append(
                pytest.param("postgresql", c, id=f"postgresql-{c.name}", marks=[pytest.mark.pg, *m])
            )
    return out


def import_counting_sql(engine, case: Case, data: bytes, mode: str):
    """import_file, and how many SQL statements it sent; none for a case said not to reach the
    database (else it must run on PostgreSQL too: see reaches_database)."""
    sent = []

    def count(*_):
        sent.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        res = import_file(engine, data, case.file_name, case.kind, mode=mode, limits=case.limits)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    if not reaches_database(case, mode):
        assert not sent, f"{case.name} sent {len(sent)} SQL statements: run it on both engines"
    return res


def outcome(res) -> dict:
    return {
        "status": res.status,
        "exit_code": res.exit_code,
        "rows_read": res.rows_read,
        "rows_imported": res.rows_imported,
        "rows_rejected": res.rows_rejected,
        "code": res.rejection.code if res.rejection is not None else None,
        "errors": sorted((e.line, e.column, e.code) for e in res.errors if e.level == "error"),
        "warnings": sorted((e.line, e.column, e.code) for e in res.errors if e.level == "warning"),
        "duplicates": res.duplicates,
    }


def resolve(value, raw: bool = False):
    """`raw`: the column keeps the hash's 32 bytes (the registry's Stored.raw: voter lists)."""
    if isinstance(value, Passport):
        return pseudonymise(pd.Series([value.number], dtype=object))[0]
    if isinstance(value, Nik):
        return pseudonymise(pd.Series([value.digits], dtype=object), "nik", raw)[0]
    return value


def expected_rows(case: Case) -> dict:
    raw = {s.name for s in data_kind(case.kind).stored if s.raw}
    return {c: [resolve(v, c in raw) for v in vals] for c, vals in case.stored.items()}


def stored_rows(engine, kind: str, batch_id: int, columns) -> dict:
    model = MODELS[kind]
    columns = list(columns) or ["id"]
    with engine.connect() as conn:
        rows = conn.execute(
            select(*[getattr(model, c) for c in columns])
            .where(model.batch_id == batch_id)
            .order_by(model.id)
        ).all()
    return {c: [r[i] for r in rows] for i, c in enumerate(columns) if c != "id"}


def check_report(case: Case, res) -> None:
    """Values shown in the error report: exact where the case says so, passports masked."""
    shown = {(e.line, e.column): e.value for e in res.errors}
    for key, value in case.values.items():
        assert shown[key] == value, key
    for key, clear in case.masked.items():
        assert clear not in shown[key] and shown[key] and "*" in shown[key], (key, shown[key])
    lines = [e.line for e in res.errors]
    assert lines == sorted(lines), "errors are reported in line order"
    for e in res.errors:
        assert has(f"errors.row_{e.code}", "id") and has(f"errors.row_{e.code}", "en"), e.code
    report = json.dumps(res.to_json("id"), ensure_ascii=False, default=str)
    for secret in case.absent:
        assert secret not in report


@pytest.mark.parametrize("engine,case", params(CASES, "partial"), indirect=["engine"])
def test_case_import_valid_rows(engine, case: Case):
    """Mode "import valid rows" (partial): exact outcome; rejected = nothing changed; the same
    file again adds nothing."""
    before = snapshot(engine)
    data = case.build()
    res = import_counting_sql(engine, case, data, "partial")
    assert outcome(res) == case.expected("partial")
    assert sorted(res.dropped_columns + res.dropped_personal) == sorted(case.dropped)
    assert sorted(res.dropped_personal) == sorted(case.personal)
    check_report(case, res)
    if res.rejection is not None:
        msg_id, msg_en = res.rejection.message("id"), res.rejection.message("en")
        assert msg_id and msg_en and msg_id != msg_en and not msg_id.startswith("errors.")
    if case.status == "rejected":
        assert res.rows_imported == 0
        assert snapshot(engine) == before, (
            "a rejected file must leave the database exactly as it was"
        )
        return
    got = stored_rows(engine, case.kind, res.batch_id, list(case.stored))
    assert got == expected_rows(case)
    everything = dump(engine)
    for secret in case.absent:
        assert secret not in everything, f"{secret!r} is stored"
    after = snapshot(engine)
    again = import_file(
        engine, data, "copy_" + case.file_name, case.kind, mode="partial", limits=case.limits
    )
    assert (again.status, again.rows_imported) == ("already_imported", 0)
    assert snapshot(engine) == after, "the same file twice must add nothing"


ROW_LEVEL = [c for c in CASES if not c.file_rejected]


@pytest.mark.parametrize("engine,case", params(ROW_LEVEL, "all_or_nothing"), indirect=["engine"])
def test_case_all_or_nothing(engine, case: Case):
    """Mode "all or nothing": a file with any row error imports nothing and changes nothing;
    a clean file imports exactly as in the other mode."""
    before = snapshot(engine)
    res = import_counting_sql(engine, case, case.build(), "all_or_nothing")
    assert outcome(res) == case.expected("all_or_nothing")
    check_report(case, res)
    if case.errors:
        assert snapshot(engine) == before, "all or nothing with errors must change nothing"
    else:
        got = stored_rows(engine, case.kind, res.batch_id, list(case.stored))
        assert got == expected_rows(case)


# --- the corpus itself ---------------------------------------------------------------------


def test_corpus_is_large_and_covers_every_kind_and_outcome():
    assert len(CASES) >= 45
    assert {c.kind for c in CASES} == {"presence", "incidents", "crossings", "voters"}
    assert {c.status for c in CASES} == {"imported", "partial", "rejected"}
    assert sum(c.file_name.endswith(".xlsx") and c.status != "rejected" for c in CASES) >= 3
    for c in CASES:
        if c.status == "rejected":
            assert c.code and has(f"errors.{c.code}", "id") and has(f"errors.{c.code}", "en"), (
                c.name
            )
        assert c.rows_imported + c.rows_rejected + c.duplicates == c.rows_read or c.file_rejected, (
            c.name
        )


def test_passport_pseudonym_is_hmac_sha256_of_the_normalised_number():
    import hmac

    raw = os.environ["NTB_PSEUDONYM_KEY"]
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = raw.encode()
    expected = hmac.new(key, b"0012345", "sha256").hexdigest()
    assert resolve(Passport("0012345")) == expected


# --- command line --------------------------------------------------------------------------

CONTRACT_FIELDS = (
    "kind",
    "rows_read",
    "rows_imported",
    "rows_rejected",
    "duplicates",
    "errors",
    "dropped_columns",
)


def run_cli(
    tmp_path: Path, case: Case, db_url: str, *flags: str, name: str | None = None, capsys=None
):
    """Import the case's file through the command line: (exit code, its JSON). With `capsys`,
    loaders.ingest.main(argv) in this process (the same code; a child process spends ~1.5 s
    starting Python and importing before it reads a byte); without, `python -m loaders.ingest`
    in a child process, as a user runs it."""
    path = tmp_path / (name or case.file_name)
    path.write_bytes(case.build())
    argv = [case.kind, str(path), "--db", db_url, *flags, "--json"]
    if capsys is not None:
        done = ingest(capsys, argv)
        returncode, stdout, stderr = done.returncode, done.stdout, done.stderr
    else:
        env = dict(os.environ)
        env.setdefault("NTB_PSEUDONYM_KEY", "00" * 32)
        env.pop("NTB_DB_URL", None)
        proc = subprocess.run(
            [sys.executable, "-m", "loaders.ingest", *argv],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        returncode, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    assert stdout.strip(), stderr
    for secret in case.absent:
        assert secret not in stdout and secret not in stderr
    return returncode, json.loads(stdout)


def expected_json(case: Case, partial: bool, lang: str, shown: dict) -> dict:
    """The contract's fields for this case. `shown` supplies the masked passport values, which
    the contract only requires to be masked (checked separately)."""
    errors = []
    for line, column, code in sorted(case.errors):
        value = case.values.get((line, column), shown.get((line, column)))
        errors.append(
            {
                "line": line,
                "column": column,
                "value": value,
                "message": t(f"errors.row_{code}", lang),
            }
        )
    rows_imported, duplicates = case.rows_imported, case.duplicates
    if case.errors and not partial:
        rows_imported, duplicates = 0, 0
    return {
        "kind": case.kind,
        "rows_read": case.rows_read,
        "rows_imported": rows_imported,
        "rows_rejected": case.rows_rejected,
        "duplicates": duplicates,
        "errors": errors,
        "dropped_columns": sorted(case.dropped),
    }


def contract_part(out: dict) -> dict:
    part = {k: out[k] for k in CONTRACT_FIELDS}
    part["errors"] = [
        {k: e[k] for k in ("line", "column", "value", "message")}
        for e in out["errors"]
        if e.get("level", "error") == "error"
    ]
    part["dropped_columns"] = sorted(out["dropped_columns"])
    return part


CLI_CASES = [
    # (case, --partial?, lang, expected exit code)
    ("enc_utf8_bom_semicolon", False, "id", 0),
    ("row_passports", True, "id", 1),
    ("row_passports", False, "en", 2),
    ("inc_bad_values", True, "en", 1),
    ("cro_ports_by_id_and_name", False, "id", 0),
    ("hdr_personal_columns", True, "id", 0),
    ("xlsx_valid_presence", False, "id", 0),
    ("bin_png_named_csv", True, "id", 2),
    ("size_header_only", False, "en", 2),
    ("row_every_row_invalid", True, "id", 2),
]


@pytest.mark.parametrize(
    "name,partial,lang,exit_code",
    CLI_CASES,
    ids=[f"{n}-{'partial' if p else 'all'}-{lang}" for n, p, lang, _ in CLI_CASES],
)
def test_command_line(tmp_path, sqlite_url, capsys, monkeypatch, name, partial, lang, exit_code):
    case = BY_NAME[name]
    monkeypatch.delenv("NTB_DB_URL", raising=False)
    flags = (["--partial"] if partial else []) + (["--lang", "en"] if lang == "en" else [])
    code, out = run_cli(tmp_path, case, sqlite_url, *flags, capsys=capsys)
    assert code == exit_code
    shown = {(e["line"], e["column"]): e["value"] for e in out["errors"]}
    for key, clear in case.masked.items():
        assert clear not in shown[key] and "*" in shown[key]
    assert contract_part(out) == expected_json(case, partial, lang, shown)
    other = "en" if lang == "id" else "id"
    for (_line, _column, code_), e in zip(sorted(case.errors), out["errors"]):
        assert e["message"] == t(f"errors.row_{code_}", lang) != t(f"errors.row_{code_}", other)
        # Indonesian by default ("... tidak valid", "... tidak dikenal"), English with --lang en
        indonesian = ("tidak valid", "tidak dikenal", "harus", "wajib")
        assert any(w in e["message"].lower() for w in indonesian) == (lang == "id"), e["message"]


def test_command_line_same_file_twice_adds_nothing(tmp_path, sqlite_url, capsys, monkeypatch):
    """The first import runs as a user runs it, `python -m loaders.ingest` in a process of its
    own (its exit code and JSON on stdout); the second calls the same main() in this one."""
    case = BY_NAME["enc_utf8_comma_english"]
    first_code, first = run_cli(tmp_path, case, sqlite_url)
    assert (first_code, first["rows_imported"]) == (0, 3)
    monkeypatch.delenv("NTB_DB_URL", raising=False)
    code, again = run_cli(tmp_path, case, sqlite_url, name="again_" + case.file_name, capsys=capsys)
    assert code == 0
    assert (
        again["rows_read"],
        again["rows_imported"],
        again["rows_rejected"],
        again["errors"],
    ) == (3, 0, 0, [])
    assert again["duplicates"] == 3


def test_rejections_are_importrejected_codes():
    """Sanity: the codes used by the corpus are the importer's own message keys."""
    for c in CASES:
        if c.code:
            assert ImportRejected(c.code).message("id") != f"errors.{c.code}"
