"""Migrations 0020 and 0021 on a real SQLite file and on PostgreSQL: voter_list's NIK hashes stored
as 64 hex characters (0019) become their 32 bytes, the prefix index covers 8 bytes, the batch index
is gone (0020); the lookup key becomes nik_key, those 8 bytes as an integer (0021). A list imported
before still matches a foreign resident and is still found the same when re-sent (the row
fingerprint is the hex one's); down again gives back the same hex text."""

import datetime as dt
import hashlib
import hmac
import re

import pytest
import sqlalchemy as sa
from alembic import command

from loaders.pipeline import import_file
from loaders.pseudonym import key
from storage import voter_lists
from storage.engine import make_engine, write_tx
from storage.schema import alembic_config, upgrade

NIKS = ["5201014107800001", "5201015507850002", "5271016508750003"]
RESIDENT = NIKS[1]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def url(request, tmp_path, pg_database):
    return f"sqlite:///{tmp_path / 'v.sqlite'}" if request.param == "sqlite" else pg_database()


def standard(nik: str) -> str:
    return hmac.new(key(), b"nik\0" + nik.encode(), hashlib.sha256).hexdigest()


def voter_file(niks: list[str]) -> bytes:
    rows = ["nik;kabupaten_kota;tps;jenis_daftar;tanggal_daftar"]
    rows += [
        f"{n};{'Kota Mataram' if n.startswith('5271') else 'Lombok Barat'};{i + 1};DPT;22/09/2024"
        for i, n in enumerate(niks)
    ]
    return ("\n".join(rows) + "\n").encode()


def to(engine, revision: str, down: bool = False) -> None:
    cfg = alembic_config()
    with write_tx(engine) as conn:
        cfg.attributes["connection"] = conn
        if down:
            command.downgrade(cfg, revision)
        else:
            command.upgrade(cfg, revision)


def stored(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            (r[0], r[1] if isinstance(r[1], str) else bytes(r[1]))
            for r in conn.exec_driver_sql("SELECT tps, nik_hash FROM voter_list ORDER BY id")
        ]


def keys(engine) -> list[int]:
    with engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT nik_key FROM voter_list ORDER BY id")]


def columns(engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("voter_list")}


def indexes(engine) -> dict[str, str]:
    """voter_list's secondary indexes: name -> the prefix length of a substr() index, else ""."""
    sql = (
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'voter_list' "
        "AND sql IS NOT NULL"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'voter_list' "
        "AND indexname <> 'pk_voter_list'"
    )
    with engine.connect() as conn:
        found = conn.exec_driver_sql(sql).all()
    return {
        n: (re.findall(r"substr\(\(?nik_hash\)?(?:::\w+)?, 1, (\d+)\)", d) or [""])[0]
        for n, d in found
    }


def test_hex_hashes_become_their_bytes_and_still_match(url):
    engine = make_engine(url)
    upgrade(engine)
    presence = (
        "tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;no_paspor;nik_ktp\n"
        f"01/06/2024;Lobar;AUS;ITAP;keluarga;P1000001;{RESIDENT}\n"
    ).encode()
    assert import_file(engine, presence, "itap.csv", "presence").rows_imported == 1
    assert import_file(engine, voter_file(NIKS), "dpt.csv", "voters").rows_imported == 3

    to(engine, "0019", down=True)  # as the lists were stored before: hex text, a batch index
    hexes = [standard(n) for n in NIKS]
    assert stored(engine) == [("001", hexes[0]), ("002", hexes[1]), ("003", hexes[2])]
    assert indexes(engine) == {"ix_voter_list_batch_id": "", "ix_voter_list_nik_prefix": "16"}
    with engine.connect() as conn:  # a row written by 0019's importer: hex text as it was
        conn.exec_driver_sql(
            "INSERT INTO voter_list (batch_id, row_hash, list_date, regency_code, list_name, tps, "
            f"nik_hash) SELECT batch_id, 7, list_date, regency_code, list_name, '009', '{'ab' * 32}' "
            "FROM voter_list WHERE id = (SELECT min(id) FROM voter_list)"
        )
        conn.commit()

    to(engine, "0020")
    assert indexes(engine) == {"ix_voter_list_nik_prefix": "8"}
    to(engine, "head")
    assert stored(engine) == [
        ("001", bytes.fromhex(hexes[0])),
        ("002", bytes.fromhex(hexes[1])),
        ("003", bytes.fromhex(hexes[2])),
        ("009", b"\xab" * 32),
    ]
    if engine.dialect.name == "sqlite":
        assert indexes(engine) == {"ix_voter_list_nik_key": ""}
    else:  # the lookup key leads the primary key instead (migration 0023)
        assert indexes(engine) == {}
        with engine.connect() as conn:
            assert (
                conn.exec_driver_sql(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'pk_voter_list'"
                ).scalar()
                == "PRIMARY KEY (nik_key, id, batch_id)"
            )
    assert keys(engine) == [
        int(hexes[0][:16], 16) - (1 << 64 if int(hexes[0][0], 16) >= 8 else 0),
        int(hexes[1][:16], 16) - (1 << 64 if int(hexes[1][0], 16) >= 8 else 0),
        int(hexes[2][:16], 16) - (1 << 64 if int(hexes[2][0], 16) >= 8 else 0),
        -0x5454545454545455,  # ab ab ab ab ab ab ab ab as a signed 64-bit integer
    ]
    # the resident is still found on the list converted, with the hex hash the alert keys use
    found = voter_lists.frame(engine, dt.date(2024, 9, 30))
    found = found[found["nik_hash"].notna()]
    assert found[["nik_hash", "regency_code", "tps", "list_name"]].values.tolist() == [
        [hexes[1], "52.01", "002", "DPT"]
    ]
    # the same rows re-sent in another file are found the same (row fingerprints unchanged)
    again = import_file(engine, voter_file(NIKS) + b"\n", "dpt-again.csv", "voters")
    assert (again.status, again.rows_imported, again.duplicates) == ("no_new_rows", 0, 3)

    to(engine, "0020", down=True)  # the lookup key back to the first 8 bytes
    assert indexes(engine) == {"ix_voter_list_nik_prefix": "8"}
    assert "nik_key" not in columns(engine)
    to(engine, "0019", down=True)  # and down: the same hex text back
    assert stored(engine)[:3] == [("001", hexes[0]), ("002", hexes[1]), ("003", hexes[2])]
    assert stored(engine)[3] == ("009", "ab" * 32)
    engine.dispose()
