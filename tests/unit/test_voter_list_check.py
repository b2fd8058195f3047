"""Issue 25: foreign residents' NIKs against a regency's voter list, on both engines.

Three foreign residents with a NIK, a DPS of 1,000 rows holding two of them: exactly two alerts,
with their regency, polling station, list and date; a later DPT without one of them closes that
alert (by "system", with a history row). The clear NIKs are stored nowhere: not in any table, and
on SQLite not in the database file's bytes nor its WAL; undoing the lists leaves none of their
hashes or lookup keys in the file either (secure_delete, then the WAL emptied); on PostgreSQL
each list's partition, its files with it, is dropped (migration 0022)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select, text

from domain.filters import Filters
from domain.regions import regency_codes
from domain.roles import Forbidden
from loaders.pipeline import import_file
from loaders.pseudonym import key, pseudonymise
from services.alerts import evaluate_and_store
from services.briefing import metric_values
from services.sitrep import gather
from services.voter_check import matches_by_regency, summary, viewed
from storage.imports import undo_batch
from storage.models import Alert, AlertStatusChange, AuditEvent, VoterList
from tests.conftest import pg_file_sizes, pg_table_files, pg_table_paths
from viz.sitrep import _voter_line

# name: (NIK as the file writes it, regency, nationality)
RESIDENTS = {
    "A": ("5201.4107.8000.0001", "Lobar", "AUS"),
    "B": ("5271 6508 7500 0002", "Kota Mataram", "NLD"),
    "C": ("5171010101700003", "KLU", "JPN"),
}  # a NIK from Bali: not on NTB's lists
CLEAR = {k: v[0].replace(".", "").replace(" ", "") for k, v in RESIDENTS.items()}
DPS_DAY, DPT_DAY = "20/06/2024", "22/09/2024"


def presence_file() -> bytes:
    rows = ["tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;no_paspor;nik_ktp"]
    rows += [
        f"01/06/2024;{reg};{nat};ITAP;keluarga;P{i}000001;{nik}"
        for i, (nik, reg, nat) in enumerate(RESIDENTS.values())
    ]
    return ("\n".join(rows) + "\n").encode()


def citizens(n: int) -> list[str]:
    """n distinct NIKs of NTB citizens (Lombok Barat and Kota Mataram), none a resident's."""
    rng = np.random.default_rng(25)
    tails = rng.choice(10**12, size=n, replace=False)
    return [("5201" if i % 2 == 0 else "5271") + f"{t:012d}" for i, t in enumerate(tails)]


CITIZENS = citizens(998)


def voter_file(day: str, list_name: str, residents: dict[str, str]) -> bytes:
    """The citizens (half Lombok Barat, half Kota Mataram) plus these residents at these stations."""
    rows = ["nik;kabupaten_kota;kecamatan;desa_kelurahan;tps;jenis_daftar;tanggal_daftar"]
    for i, nik in enumerate(CITIZENS):
        reg = "Lombok Barat" if nik.startswith("5201") else "Kota Mataram"
        rows.append(f"{nik};{reg};;;{i % 40 + 1};{list_name};{day}")
    places = {
        "A": ("Lombok Barat", "Batu Layar", "Senggigi"),
        "B": ("Kota Mataram", "Ampenan", "Ampenan Utara"),
    }
    for who, tps in residents.items():
        reg, kec, village = places[who]
        rows.append(f"{RESIDENTS[who][0]};{reg};{kec};{village};{tps};{list_name};{day}")
    return ("\n".join(rows) + "\n").encode()


def voter_alerts(engine) -> list[tuple]:
    a = Alert
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(a.regency_code, a.severity, a.agency, a.status, a.detail)
                .where(a.rule == "foreigner_on_voter_list")
                .order_by(a.regency_code)
            )
        ]


def every_value(engine) -> str:
    """Every row of every table as text (PostgreSQL and SQLite alike)."""
    with engine.connect() as conn:
        names = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    if engine.dialect.name == "sqlite"
                    else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
            )
        ]
        return "\n".join(repr(conn.execute(text(f'SELECT * FROM "{n}"')).fetchall()) for n in names)


def file_bytes(engine) -> bytes:
    """The SQLite database file and its WAL, as they are on disk now; on PostgreSQL the files of
    the voter-list table and its indexes."""
    if engine.dialect.name == "postgresql":
        return pg_table_files(engine, "voter_list")
    path = Path(engine.url.database)
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def key_bytes(engine, digest: bytes) -> bytes:
    """nik_key's 8 bytes as the engine stores them: SQLite as written, PostgreSQL's int8 in the
    machine's byte order."""
    if engine.dialect.name == "postgresql" and sys.byteorder == "little":
        return digest[:8][::-1]
    return digest[:8]


def test_nik_hash_has_its_own_purpose_label():
    digits = CLEAR["A"]
    nik = pseudonymise(pd.Series([digits], dtype=object), "nik")[0]
    passport = pseudonymise(pd.Series([digits], dtype=object))[
        0
    ]  # 16 digits are a valid passport number too
    assert nik == hmac.new(key(), b"nik\0" + digits.encode(), hashlib.sha256).hexdigest()
    assert passport == hmac.new(key(), digits.encode(), hashlib.sha256).hexdigest()
    assert nik != passport


@pytest.mark.parametrize("part_rows", [None, 300], ids=["whole", "in_parts"])
def test_foreigners_on_the_voter_list_raise_alerts_that_close_on_a_later_list(
    engine, monkeypatch, part_rows
):
    if part_rows:  # the lists imported in parts of 300 rows, as a 4M-row list is (of 500,000)
        monkeypatch.setattr("loaders.pipeline.PART_ROWS", part_rows)
    res = import_file(engine, presence_file(), "itap.csv", "presence")
    assert (res.status, res.rows_imported) == ("imported", 3)
    dps = import_file(
        engine, voter_file(DPS_DAY, "DPS", {"A": "12", "B": "TPS 3"}), "dps.csv", "voters"
    )
    assert (dps.status, dps.rows_read, dps.rows_imported) == ("imported", 1000, 1000)

    evaluate_and_store(engine, as_of=dt.date(2024, 7, 1))
    found = voter_alerts(engine)
    assert [(r[0], r[1], r[2], r[3]) for r in found] == [
        ("52.01", "kritis", "KPU Kab. Lombok Barat", "baru"),
        ("52.71", "kritis", "KPU Kota Mataram", "baru"),
    ]
    details = [json.loads(r[4]) for r in found]
    assert [
        (d["tps"], d["found_list"], d["found_date"], d["last_date"], d["nationality"])
        for d in details
    ] == [
        ("012", "DPS", "2024-06-20", "2024-06-20", "AUS"),
        ("003", "DPS", "2024-06-20", "2024-06-20", "NLD"),
    ]
    assert [d["kecamatan"] for d in details] == ["Batu Layar", "Ampenan"]
    assert not any("resolved" in d for d in details)
    # leadership: counts per regency (map metric, overview line, situation report), never persons
    f = Filters(dt.date(2024, 6, 1), dt.date(2024, 7, 1), dt.date(2024, 7, 1))
    assert matches_by_regency(engine, f).to_dict() == {
        **dict.fromkeys(regency_codes(), 0.0),
        "52.01": 1.0,
        "52.71": 1.0,
    }
    assert summary(engine, f) == {"total": 2, "by_regency": {"52.01": 1, "52.71": 1}}
    assert (
        metric_values(engine, f, "voter_matches").to_dict()
        == matches_by_regency(engine, f).to_dict()
    )
    assert summary(engine, replace(f, office="kanim_bima")) == {"total": 0, "by_regency": {}}

    dpt = import_file(engine, voter_file(DPT_DAY, "DPT", {"A": "012"}), "dpt.csv", "voters")
    assert (dpt.status, dpt.rows_imported) == ("imported", 999)
    out = evaluate_and_store(engine, as_of=dt.date(2024, 9, 30))
    assert out["closed"] == 1
    found = voter_alerts(engine)
    details = [json.loads(r[4]) for r in found]
    assert [(r[0], r[3]) for r in found] == [("52.01", "baru"), ("52.71", "selesai")]
    assert (details[0]["last_list"], details[0]["last_date"]) == ("DPT", "2024-09-22")
    assert (details[1]["struck_list"], details[1]["struck_date"], details[1]["last_list"]) == (
        "DPT",
        "2024-09-22",
        "DPS",
    )
    with engine.connect() as conn:
        history = conn.execute(
            select(
                AlertStatusChange.from_status,
                AlertStatusChange.to_status,
                AlertStatusChange.changed_by,
            )
        ).all()
        audited = conn.execute(
            select(AuditEvent.actor, AuditEvent.target).where(AuditEvent.action == "alert_status")
        ).all()
    assert [tuple(h) for h in history] == [("baru", "selesai", "system")]
    assert summary(
        engine, Filters(dt.date(2024, 9, 1), dt.date(2024, 9, 30), dt.date(2024, 9, 30))
    ) == {"total": 1, "by_regency": {"52.01": 1}}
    pack = gather(engine, as_of=dt.date(2024, 9, 30))
    assert pack.figures["voter_matches"] == {"total": 1, "by_regency": {"52.01": 1}}
    assert _voter_line(pack, "en") == ["Foreign residents on voter lists: 1 (Kab. Lombok Barat 1)"]
    assert len(audited) == 1 and audited[0][0] == "system"
    # evaluating again closes nothing more (an analyst may reopen a closed alert)
    assert evaluate_and_store(engine, as_of=dt.date(2024, 9, 30))["closed"] == 0

    # no clear NIK anywhere: not in a table, and (SQLite) not in the file or its WAL
    stored = every_value(engine)
    clear = [*CLEAR.values(), *CITIZENS]
    assert not [n for n in clear if n in stored]
    if engine.dialect.name == "sqlite":
        raw = file_bytes(engine)
        assert Path(f"{engine.url.database}-wal").exists()  # the test reads a WAL that holds data
        assert not [n for n in clear if n.encode() in raw]
    # what is kept: the keyed hashes, as their 32 bytes (migration 0020), not as hex
    hashes = list(pseudonymise(pd.Series(CITIZENS, dtype=object), "nik", raw=True))
    assert all(len(h) == 32 and repr(h) in stored for h in hashes)
    assert not [h for h in hashes if h.hex() in stored]
    with engine.connect() as conn:  # the lookup key: the hash's first 8 bytes as an integer (0021)
        keys = {bytes(h): k for h, k in conn.execute(select(VoterList.nik_hash, VoterList.nik_key))}
    assert all(keys[h] == int.from_bytes(h[:8], "big", signed=True) for h in hashes)
    raw = file_bytes(engine)
    assert all(h in raw for h in hashes)  # the search below finds what is there
    assert all(key_bytes(engine, h) in raw for h in hashes)

    # undoing both lists removes their rows, and their hashes leave the database file
    pg = engine.dialect.name == "postgresql"
    if (
        pg
    ):  # a partition per list (migration 0022): its table and its key (0023), in files of their own
        files = {
            b: pg_table_paths(engine, f"voter_list_batch_{b}") for b in (dps.batch_id, dpt.batch_id)
        }
        assert [len(f) for f in files.values()] == [2, 2]
        assert all(s > 0 for f in files.values() for s in pg_file_sizes(engine, f))
    undo_batch(engine, dpt.batch_id, "admin")
    if pg:  # the undone list's files emptied when the undo committed, the other list's as they were
        assert pg_file_sizes(engine, files[dpt.batch_id]) == [0, 0]
        assert all(s > 0 for s in pg_file_sizes(engine, files[dps.batch_id]))
    undo_batch(engine, dps.batch_id, "admin")
    stored = every_value(engine)
    assert not [h for h in hashes if repr(h) in stored]
    # SQLite: secure_delete and the WAL emptied; PostgreSQL: what the table still has (nothing)
    raw = file_bytes(engine)
    if pg:  # removed at the checkpoint file_bytes asks for
        assert pg_file_sizes(engine, [*files[dps.batch_id], *files[dpt.batch_id]]) == [None] * 4
    assert not [h for h in hashes if h in raw]
    assert not [h for h in hashes if key_bytes(engine, h) in raw]  # nor their lookup keys
    out = evaluate_and_store(engine, as_of=dt.date(2024, 9, 30))
    assert [r[3] for r in voter_alerts(engine)] == ["baru", "selesai"]  # kept, with their history
    with engine.connect() as conn:
        assert (
            conn.scalar(
                select(Alert.stale).where(
                    Alert.regency_code == "52.01", Alert.rule == "foreigner_on_voter_list"
                )
            )
            is True
        )


def test_a_person_level_view_is_for_analysts_and_audited(sqlite_engine):
    viewed(sqlite_engine, 7, "foreigner_on_voter_list", "ana", "analyst")
    with pytest.raises(Forbidden):
        viewed(sqlite_engine, 7, "foreigner_on_voter_list", "pim", "viewer")
    with sqlite_engine.connect() as conn:
        events = conn.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.target).where(
                AuditEvent.action == "person_level_view"
            )
        ).all()
    assert [tuple(e) for e in events] == [("ana", "person_level_view", "alert:7")]
