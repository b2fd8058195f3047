"""The importer's fast paths give exactly what the plain ones give: HMAC, passport normalisation,
row fingerprints, and the indexes SQLite sets aside during a large insert."""

from __future__ import annotations

import datetime as dt
import fcntl
import hmac
import os
import random
import signal
import string
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy.exc
from sqlalchemy import text

import loaders.pseudonym as pseudonym_module
from loaders.pipeline import import_file, row_hash
from loaders.pseudonym import _Hmac, key, pseudonymise, pseudonyms
from loaders.values import (
    NIK_SAMPLE,
    nik_region_errors,
    normalise_nik,
    normalise_niks,
    normalise_passport,
    normalise_passports,
    parse_niks,
)
from storage.imports import InjectedFailure
from tests.unit.test_import import HEADER, assert_rollups_match, presence_file


@pytest.mark.parametrize(
    "secret", [b"", b"k", bytes(range(32)), bytes(range(64)), bytes(range(65)), b"x" * 200]
)
def test_hmac_equals_the_standard_library(secret):
    mac = _Hmac(secret)
    for message in (b"", b"A1234567", os.urandom(100)):
        assert mac.hexdigest(message) == hmac.digest(secret, message, "sha256").hex()


def test_pseudonymise_keeps_missing_numbers_missing():
    got = pseudonymise(pd.Series(["A1234567", None, "A1234567"], dtype=object))
    assert got[0] == got[2] and len(got[0]) == 64 and got[1] is None


def _digest(number: str, label: bytes) -> bytes:
    return hmac.digest(key(), label + number.encode(), "sha256")


def _standard(number: str, label: bytes) -> str:
    return _digest(number, label).hex()


def _numbers(odd: list[str]) -> np.ndarray:
    """2,001 NIK-like numbers, then `odd` ones, with a None among them (position 7)."""
    numbers = [f"52{i:014d}" for i in range(2001)] + odd
    return np.array([*numbers[:7], None, *numbers[7:]], dtype=object)


def test_the_compiled_loop_is_built():
    """`make install` builds loaders/native/hmac_many.c (a C compiler and the OpenSSL library
    hashlib uses); without it every import makes its keyed hashes in Python, ~5x the CPU."""
    assert pseudonym_module.COMPILED.exists() and pseudonym_module._compiled_hmac() is not None


ODD_NUMBERS = ["", "Ä1234567", "ÖÜ ß", "X" * 55, "X" * 56, "X" * 64, "X" * 300, "A\n4", "52" * 8]


@pytest.mark.parametrize("purpose,label", [("nik", b"nik\0"), ("passport", b"")])
@pytest.mark.parametrize("raw", [False, True])
def test_the_compiled_loop_makes_the_standard_hashes(monkeypatch, purpose, label, raw):
    """The compiled loop (loaders/native/hmac_many.c) gives hmac.digest's bytes for every number:
    empty, non-ASCII, messages that end just before, at and after a SHA-256 block's padding
    boundary, several blocks long, a line break; None stays None. No helper process is started."""
    helpers = []
    monkeypatch.setattr(pseudonym_module, "_helper", lambda *a: helpers.append(a))
    monkeypatch.setattr(pseudonym_module, "PARALLEL_FROM", 4)
    numbers = _numbers(ODD_NUMBERS)
    hashing = pseudonym_module.Hashing(numbers, purpose, raw=raw)
    got = hashing.result()
    standard = [None if n is None else _digest(n, label) for n in numbers]
    if raw:
        assert [None if g is None else bytes(g) for g in got] == standard
        assert {type(g) for g in got if g is not None} == {bytearray}  # bound by SQLite so
        assert pseudonym_module.Hashing(numbers, purpose, raw=True).arrow().to_pylist() == standard
    else:
        assert list(got) == [None if d is None else d.hex() for d in standard]
    made_there = hashing._digested is not None  # by the compiled loop, not Python's fallback
    assert (helpers, hashing.by_helper, made_there) == ([], 0, True)


def test_a_failing_compiled_loop_leaves_the_hashes_to_python(monkeypatch, caplog):
    """Any failure on the compiled loop's thread: the plain path makes the same hashes, and the
    log says so without quoting a number."""

    def broken(*args):
        raise OSError("5201000000000001")

    monkeypatch.setattr(pseudonym_module, "_compiled_hmac", lambda: broken)
    numbers = np.array([f"5201{i:012d}" for i in range(50)], dtype=object)
    got = pseudonyms(numbers, "nik", raw=True)
    assert list(got) == [_digest(n, b"nik\0") for n in numbers]
    assert "compiled keyed hashes failed (OSError): made in Python" in caplog.text
    assert "5201" not in caplog.text


@pytest.fixture
def helper_runs(monkeypatch):
    """Python's path (the compiled loop left out): the helper process takes part from 4 numbers
    up, on any machine, in pieces of 100 numbers; yields the helpers started."""
    started, helper = [], pseudonym_module._helper

    def spy(*args):
        started.append(helper(*args))
        return started[-1]

    monkeypatch.setattr(pseudonym_module, "_compiled_hmac", lambda: None)  # Python's path
    monkeypatch.setattr(pseudonym_module, "PARALLEL_FROM", 4)
    monkeypatch.setattr(pseudonym_module, "PIECE", 100)
    monkeypatch.setattr(pseudonym_module, "_cores", lambda: 2)
    monkeypatch.setattr(pseudonym_module, "_helper", spy)
    return started


def _answered(hashing, down_to: int) -> None:
    """Wait (up to a minute) until the helper has answered every number from `down_to` on."""
    deadline = time.monotonic() + 60
    while hashing._answers.low > down_to and time.monotonic() < deadline:
        time.sleep(0.001)
    assert hashing._answers.low <= down_to


@pytest.mark.parametrize("purpose,label", [("nik", b"nik\0"), ("passport", b"")])
def test_hashes_all_made_by_the_helper_equal_the_standard_library(helper_runs, purpose, label):
    """The helper hashes from the last piece back; here it has answered all before the hashes are
    asked for, and they are taken from it (this process hashes none)."""
    numbers = _numbers(["", "Ä1234567", "ÖÜ ß", "X" * 300])
    hashing = pseudonym_module.Hashing(numbers, purpose)
    if hasattr(fcntl, "F_GETPIPE_SZ"):  # Linux: the answer pipe holds a whole raw piece
        assert fcntl.fcntl(helper_runs[0].stdout.fileno(), fcntl.F_GETPIPE_SZ) == 1 << 20
    _answered(hashing, 0)
    got = hashing.result()
    assert len(helper_runs) == 1 and hashing.by_helper == 2005
    assert got[7] is None
    expected = [None if n is None else _standard(n, label) for n in numbers]
    assert list(got) == expected


def test_the_two_processes_meet_in_the_middle_with_the_standard_hashes(helper_runs):
    """The helper stopped after its first pieces: this process hashes from the first piece up to
    what the helper answered, the rest is the helper's; together, each number once, in order."""
    numbers = np.array([f"5201{i:012d}" for i in range(200_000)], dtype=object)
    hashing = pseudonym_module.Hashing(numbers, "nik", raw=True)
    _answered(hashing, 199_900)
    os.kill(helper_runs[0].pid, signal.SIGSTOP)
    got = hashing.result()
    assert 100 <= hashing.by_helper < 200_000 and hashing.by_helper % 100 == 0
    assert helper_runs[0].returncode == -signal.SIGKILL  # stopped once met
    assert list(got) == [hmac.digest(key(), b"nik\0" + n.encode(), "sha256") for n in numbers]


def test_raw_digests_from_the_helper_and_from_here_are_the_standard_bytes(helper_runs):
    """raw=True (a voter list's NIKs, migration 0020): the 32 bytes of each digest, the helper's
    share and this process's alike, None kept None."""
    numbers = np.array([f"5201{i:012d}" for i in range(250)] + [None, "52"], dtype=object)
    hashing = pseudonym_module.Hashing(numbers, "nik", raw=True)
    _answered(hashing, 200)  # the last 51 and the 100 before them, at least
    os.kill(helper_runs[0].pid, signal.SIGSTOP)
    got = hashing.result()
    assert hashing.by_helper in (51, 151, 251)
    assert list(got) == [
        None if n is None else hmac.digest(key(), b"nik\0" + n.encode(), "sha256") for n in numbers
    ]
    assert {len(g) for g in got if g is not None} == {32}
    assert {type(g) for g in got if g is not None} == {bytearray}  # bound by SQLite as they are


def test_a_number_with_a_line_break_is_hashed_here_not_by_the_helper(helper_runs):
    numbers = np.array(["A1", "A2", "A3", "A\n4", "A5", "A6"], dtype=object)
    got = pseudonyms(numbers)
    assert helper_runs == [None]
    assert list(got) == [_standard(n, b"") for n in numbers]


def test_no_helper_process_to_be_had_hashes_everything_here(helper_runs, monkeypatch):
    monkeypatch.setattr(pseudonym_module.sys, "executable", "/nonexistent/python")
    numbers = np.array([f"A{i:07d}" for i in range(10)], dtype=object)
    assert list(pseudonyms(numbers)) == [_standard(n, b"") for n in numbers]
    assert helper_runs == [None]


def test_a_stopped_helper_is_not_waited_for_its_share_is_hashed_here(helper_runs):
    """A helper that never answers (stopped here with SIGSTOP before its first piece) costs the
    import nothing: this process hashes every number and the helper is killed."""
    numbers = np.array([f"A{i:07d}" for i in range(1000)], dtype=object)
    hashing = pseudonym_module.Hashing(numbers)
    os.kill(helper_runs[0].pid, signal.SIGSTOP)
    got = hashing.result()
    assert hashing.by_helper in range(0, 1001, 100)  # whole pieces it wrote before the signal
    assert list(got) == [_standard(n, b"") for n in numbers]
    assert helper_runs[0].returncode == -signal.SIGKILL


def test_a_voter_list_hashed_with_the_helper_stores_the_standard_hashes(engine, helper_runs):
    """The validator starts the helper as soon as the NIKs are parsed (a share of them); the
    stored hashes are exactly HMAC-SHA256(key, "nik\\0" + digits), the bad NIK's row rejected."""
    niks = [f"5201{i:012d}" for i in range(39)]
    rows = ["nik;kabupaten_kota;tps;jenis_daftar;tanggal_daftar"]
    rows += [
        f"{n[:4]}.{n[4:8]}.{n[8:12]}.{n[12:]};Lombok Barat;{i % 3 + 1};DPT;22/09/2024"
        for i, n in enumerate(niks)
    ]
    rows.insert(5, "123;Lombok Barat;1;DPT;22/09/2024")
    res = import_file(engine, ("\n".join(rows) + "\n").encode(), "dpt.csv", "voters")
    assert (res.rows_imported, res.rows_rejected) == (39, 1)
    assert len(helper_runs) == 1 and helper_runs[0] is not None
    with engine.connect() as conn:
        stored = set(conn.scalars(text("SELECT nik_hash FROM voter_list")))
    assert stored == {bytes.fromhex(_standard(n, b"nik\0")) for n in niks}  # 32 bytes each


def test_raw_digests_as_one_arrow_array_are_the_standard_bytes(helper_runs):
    """Hashing.arrow(): the importer's form of a voter list's hashes (no Python object per NIK),
    the helper's share and this process's alike; a number that is not text is null."""
    numbers = np.array([f"5201{i:012d}" for i in range(250)] + [None, "52"], dtype=object)
    hashing = pseudonym_module.Hashing(numbers, "nik", raw=True)
    _answered(hashing, 200)
    os.kill(helper_runs[0].pid, signal.SIGSTOP)
    got = hashing.arrow()
    assert hashing.by_helper in (51, 151, 251)
    assert got.type == pa.binary(32) and got.null_count == 1
    assert got.to_pylist() == [
        None if n is None else hmac.digest(key(), b"nik\0" + n.encode(), "sha256") for n in numbers
    ]
    assert list(hashing.result()) == [None if d is None else bytearray(d) for d in got.to_pylist()]


def test_row_hash_of_digests_in_arrow_equals_that_of_their_bytes():
    """A voter list's row fingerprints are the same whether its hashes are Python bytes or one
    Arrow array (given as known distinct values, or as the frame's column)."""
    digests = [bytes(range(32)), None, b"\xff" * 32, bytes(range(32)), b"\x00" * 32]
    as_arrow = pa.array(digests, pa.binary(32))
    frame = pd.DataFrame({"n": [1, 2, 3, 4, 5], "h": pd.Series(digests, dtype=object)})
    expected = row_hash(frame, raw={"h"})
    assert len(set(expected)) == 5
    in_arrow = frame.assign(h=pd.arrays.ArrowExtensionArray(as_arrow))
    assert list(row_hash(in_arrow, raw={"h"})) == list(expected)
    known = {"h": (np.array([0, 1, 2, 0, 3]), as_arrow.take([0, 1, 2, 4]))}
    assert list(row_hash(frame, known, raw={"h"})) == list(expected)
    assert list(row_hash(in_arrow.iloc[1:], raw={"h"})) == list(expected[1:])  # an offset


def test_a_prepared_voter_list_keeps_its_hashes_and_fingerprints_typed(engine):
    """prepare() keeps a voter list's NIK hashes as one Arrow array and row_hash as int64 (neither
    made into a Python object per row); both engines store the same rows from it: the standard
    hashes, nik_key their first 8 bytes, the fingerprints, and repeated text, NULLs included."""
    from loaders.pipeline import commit, prepare
    from storage.voter_lists import nik_key

    niks = [f"5201{i:012d}" for i in range(1500)]
    lines = ["nik;kabupaten_kota;kecamatan;tps;jenis_daftar;tanggal_daftar"]
    lines += [
        f"{n};{['Lombok Barat', 'Kota Mataram'][i % 2]};{['Gunungsari', '', 'Ampenan'][i % 3]};"
        f"{i % 7 + 1};DPT;22/09/2024"
        for i, n in enumerate(niks)
    ]
    prep = prepare(("\n".join(lines) + "\n").encode(), "dpt.csv", "voters")
    assert str(prep.rows["nik_hash"].dtype) == "fixed_size_binary[32][pyarrow]"
    assert prep.rows["row_hash"].dtype == np.int64
    fingerprints = prep.rows["row_hash"].tolist()
    res = commit(engine, prep)
    assert (res.rows_imported, res.rows_rejected) == (1500, 0)
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT nik_hash, nik_key, row_hash, regency_code, kecamatan, tps, village "
                "FROM voter_list ORDER BY id"
            )
        ).all()
    hashes = [bytes.fromhex(_standard(n, b"nik\0")) for n in niks]
    assert [bytes(r[0]) for r in stored] == hashes
    assert [r[1] for r in stored] == [nik_key(h) for h in hashes]
    assert [r[2] for r in stored] == fingerprints
    assert [tuple(r[3:]) for r in stored[:3]] == [
        ("52.01", "Gunungsari", "001", None),
        ("52.71", None, "002", None),
        ("52.01", "Ampenan", "003", None),
    ]


@pytest.mark.parametrize("dtype", ["str", object])
def test_too_long_is_counted_in_characters_as_before(dtype):
    """The length check skips counting characters only when no value has more bytes than the
    limit: 80 "ß" (160 bytes) pass a limit of 80, 81 of them do not, as str.len() says."""
    from loaders.validate import _not_too_long

    for values in (["ß" * 80, "a", "", "x" * 81, "ß" * 81, "日" * 80], ["ß" * 40, "abc", ""]):
        column = pd.Series(values, dtype=dtype)
        assert list(_not_too_long(column, 80)) == list(column.str.len() <= 80)
    assert list(_not_too_long(pd.Series(["ß" * 80, "x" * 81], dtype=dtype), 80)) == [True, False]


def test_vectorised_passport_normalisation_equals_the_per_value_one():
    texts = [f"AB{chr(c)}12345" for c in range(128)] + [
        f"{chr(c)}abcde{chr(c)}" for c in range(128)
    ]
    rnd = random.Random(7)
    alphabet = string.printable + "ßäÄéü\u00a0\u2003\u200b\u3000ﬁ—–İı"
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 25))) for _ in range(5000)]
    texts += ["", "p 000-12345", "1234", "12345678901234567890", "123456789012345678901"]
    got = normalise_passports(np.array(texts, dtype=object))
    assert list(got) == [normalise_passport(t) for t in texts]


def _niks_cleaned_whole(texts: np.ndarray):
    """The NIK normalisation as first written: every text cleaned of separators (Arrow's RE2, whose
    \\s is ASCII whitespace), then checked. (normalised NIKs or None, NTB region errors)"""
    import pyarrow as pa
    import pyarrow.compute as pc

    from loaders.values import _NIK_SEPARATORS, _ntb_regency_digits

    cleaned = pc.replace_substring_regex(pa.array(texts, pa.large_string()), _NIK_SEPARATORS, "")
    ok = pc.match_substring_regex(cleaned, r"^[0-9]{16}$")
    ntb = pc.and_(ok, pc.equal(pc.utf8_slice_codeunits(cleaned, 0, 2), "52"))
    known = pc.is_in(
        pc.utf8_slice_codeunits(cleaned, 2, 4),
        pa.array(sorted(_ntb_regency_digits()), pa.large_string()),
    )
    bad = pc.and_(ntb, pc.invert(known)).to_numpy(zero_copy_only=False)
    ok = ok.to_numpy(zero_copy_only=False)
    return list(np.where(ok & ~bad, cleaned.to_numpy(zero_copy_only=False), None)), list(bad)


def test_nik_normalisation_of_texts_already_16_digits_equals_cleaning_every_text():
    """16 digits as they are (kept without cleaning), with separators, too short or long, letters,
    other provinces, NTB regency digits NTB has and has not, non-ASCII digits and spaces."""
    rnd = random.Random(25)
    texts = ["5201012345670001", "5271999999999999", "5299012345670001", "5171010101700003"]
    texts += [
        "5201.0123.4567.0001",
        "5201 0123 4567 0001",
        "5201-0123-4567-0001",
        " 5201012345670001",
    ]
    texts += [
        "520101234567000",
        "52010123456700011",
        "52010123456700O1",
        "",
        "５２０１０１２３４５６７０００１",
    ]
    texts += ["5201\u00a00123\u20034567\t0001", "5201..0123", "52 99 0123 4567 0001"]
    alphabet = "0123456789" * 6 + " .-\tx\u00a0٣"
    texts += [
        "".join(rnd.choice(alphabet) for _ in range(rnd.randint(12, 22))) for _ in range(5000)
    ]
    texts += ["52" + "".join(rnd.choice("0123456789") for _ in range(14)) for _ in range(2000)]
    regencies = ["01", "02", "03", "04", "05", "06", "07", "08", "71", "72"]
    texts += [
        "52" + rnd.choice(regencies) + "".join(rnd.choice("0123456789") for _ in range(12))
        for _ in range(2000)
    ]
    texts = np.array(texts, dtype=object)
    niks, region = _niks_cleaned_whole(texts)
    assert list(normalise_niks(texts)) == niks
    assert list(nik_region_errors(texts)) == region
    assert sum(region) > 100 and sum(n is not None for n in niks) > 1000  # both kinds are there
    assert niks[:5] == [
        "5201012345670001",
        "5271999999999999",
        None,
        "5171010101700003",
        "5201012345670001",
    ]
    assert region[:4] == [False, False, True, False]


@pytest.mark.parametrize("repeat", [1, 3])
def test_niks_parsed_row_by_row_equal_those_parsed_once_per_distinct_value(repeat):
    """A voter list's NIKs (all distinct) are parsed row by row, a presence file's (repeated) once
    per distinct value: the parsed column is the same, and one by one it is normalise_nik's."""
    rnd = random.Random(25)
    n = NIK_SAMPLE + 4_464
    distinct = [f"52{rnd.choice(['01', '71', '99'])}{i:012d}" for i in range(n // repeat)]
    bad = ["520101234567000", "52010123456700011", "52010123456700O1", ""]
    distinct[1:6] = [*bad, "5201.0123.4567.0001"]
    texts = (distinct * repeat)[:n]
    column = pd.Series(texts, dtype="str")
    codes, parsed = parse_niks(column)
    assert (len(parsed) == n) == (repeat == 1)  # row by row only when (nearly) all distinct
    assert list(parsed[codes]) == [normalise_nik(t) if t else None for t in texts]
    assert list(parsed[codes][1:6]) == [None, None, None, None, "5201012345670001"]


def test_row_hash_of_raw_digests_is_that_of_their_hex_text():
    digests = pd.Series([bytes(range(32)), None, bytearray(b"\xff" * 32), bytes(range(32))])
    as_hex = pd.Series([bytes(range(32)).hex(), None, "ff" * 32, bytes(range(32)).hex()])
    frame = pd.DataFrame({"n": [1, 2, 3, 4], "h": digests})
    assert (
        row_hash(frame, raw={"h"}) == _factorized_row_hash(frame.assign(h=as_hex.astype(object)))
    ).all()


def _factorized_row_hash(frame: pd.DataFrame) -> np.ndarray:
    """The fingerprint as first written: every column factorised with missing values as a value."""
    acc = np.zeros(len(frame), dtype=np.uint64)
    for col in frame.columns:
        codes, uniques = pd.factorize(frame[col], use_na_sentinel=False)
        text_ = np.array(["" if u is None or u != u else str(u) for u in uniques], dtype=object)
        acc = (acc * np.uint64(1_000_003)) ^ pd.util.hash_array(text_, categorize=False)[codes]
    return (acc >> np.uint64(1)).astype(np.int64)


def test_row_hash_is_unchanged_with_and_without_known_distinct_values():
    day = pd.Series([dt.date(2024, 11, 27), None, dt.date(2024, 11, 28), None], dtype=object)
    frame = pd.DataFrame(
        {
            "day": day,
            "n": [1, 2, 3, 4],
            "flag": [True, False, True, True],
            "lat": pd.Series([-8.5, None, 116.25, -8.5], dtype=object),
            "text": pd.Series(["a", None, "b", "a"], dtype=object),
            "built": pd.Series(["a|b", "c", "d", "a|b"], dtype="str"),
        }
    )
    assert (row_hash(frame) == _factorized_row_hash(frame)).all()
    distinct = np.array([dt.date(2024, 11, 27), None, dt.date(2024, 11, 28)], dtype=object)
    known = {"day": (np.array([0, 1, 2, 1]), distinct)}
    assert (row_hash(frame, known) == _factorized_row_hash(frame)).all()


def _index_sql(engine) -> list:
    """Every index (and, on PostgreSQL, every constraint) of the database, with its definition."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
            ).all()
        return conn.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() UNION ALL "
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2"
            )
        ).all()


def test_indexes_set_aside_for_a_large_insert_come_back_as_they_were(engine):
    before = _index_sql(engine)
    assert (
        any("fk_presence_batch_id" in name for name, _ in before) or engine.dialect.name == "sqlite"
    )
    import_file(engine, presence_file(300), "a.csv", "presence")  # empty table: indexes rebuilt
    import_file(engine, presence_file(20, start=1000), "b.csv", "presence")  # small batch: kept
    assert _index_sql(engine) == before
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            plan = " ".join(
                str(r)
                for r in conn.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT id FROM presence WHERE record_id = 'R0001' AND replaced_by_batch IS NULL"
                    )
                )
            )
            assert "ix_presence_record" in plan
        assert_rollups_match(
            conn, "presence", "presence", "report_date", "sum(person_count), count(*)"
        )


def test_a_failure_while_the_indexes_are_set_aside_restores_them(engine, monkeypatch):
    before = _index_sql(engine)

    def insert_then_fail(*args, **kwargs):
        raise InjectedFailure("in the insert")

    monkeypatch.setattr("storage.imports.bulk_insert", insert_then_fail)
    with pytest.raises(InjectedFailure):
        import_file(engine, presence_file(50), "a.csv", "presence")
    assert _index_sql(engine) == before


def test_foreign_keys_are_checked_again_after_a_large_insert(engine):
    """PostgreSQL sets the batch foreign key aside during a large insert: adding it back checks
    every row (a row of no batch would make the import fail, not land)."""
    from storage.engine import write_tx
    from storage.imports import _indexes_set_aside

    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite keeps its foreign keys")
    before = _index_sql(engine)
    with (
        pytest.raises(sqlalchemy.exc.IntegrityError, match="fk_presence_batch_id"),
        write_tx(engine) as conn,
        _indexes_set_aside(conn, "presence", 10),
    ):
        conn.execute(
            text(
                "INSERT INTO presence (batch_id, row_hash, report_date, regency_code, nationality, "
                "permit_type, activity, person_count) "
                "VALUES (999, 1, '2024-11-27', '52.71', 'AUS', 'VOA', 'wisata', 1)"
            )
        )
    assert _index_sql(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM presence")).scalar() == 0


def test_ids_outside_the_stored_range_are_new_rows_and_inside_it_updates(engine):
    import_file(engine, presence_file(10, start=100), "a.csv", "presence")  # R0100..R0109
    res = import_file(
        engine, presence_file(5, start=500), "b.csv", "presence"
    )  # beyond: no lookup needed
    assert (res.rows_imported, res.rows_updated) == (5, 0)
    edited = (HEADER + "R0105;27/11/2024;Lobar;NA;VOA;bisnis;00000105X;1\n").encode()
    res = import_file(engine, edited, "c.csv", "presence")
    assert (res.rows_imported, res.rows_updated) == (1, 1)


def test_a_large_resent_file_updates_through_the_id_join(engine):
    """More ids than the IN (...) lists take: the temporary-table join (its dates came back as
    text on SQLite and the import failed comparing them)."""
    import_file(engine, presence_file(4000), "a.csv", "presence")
    res = import_file(engine, presence_file(4000, changed={5, 3999}), "b.csv", "presence")
    assert (res.status, res.rows_imported, res.rows_updated, res.duplicates) == (
        "imported",
        2,
        2,
        3998,
    )
    with engine.connect() as conn:
        assert_rollups_match(
            conn, "presence", "presence", "report_date", "sum(person_count), count(*)"
        )


@pytest.mark.parametrize("grid_rows", [65_536, 4])
def test_bulk_insert_stores_every_kind_of_value_exactly(engine, grid_rows, monkeypatch):
    """COPY's payload (PostgreSQL) and the multi-row INSERTs (SQLite) store what the plain
    ORM would: quotes, commas, control characters, NULL apart from the empty text, a literal
    backslash-N, unicode, dates, floats, flags; ids consecutive, a second batch's after them.
    SQLite's rows go in blocks of `GRID_ROWS` (4: three whole blocks and one row)."""
    from sqlalchemy import select

    import storage.imports
    from storage.engine import write_tx
    from storage.imports import bulk_insert

    monkeypatch.setattr(storage.imports, "GRID_ROWS", grid_rows)
    from storage.models import Incident, UploadBatch

    texts = [
        "tab\there",
        "new\nline",
        "cr\rlf\r\n",
        "back\\slash",
        "\\N",
        "",
        "ßä 中文 ✓",
        None,
        "end\\",
        'say "hi", then go',
        '"',
        ",",
        " ",
    ]
    n = len(texts)
    frame = pd.DataFrame(
        {
            "record_id": [f"K{i}" for i in range(n)],
            "row_hash": [i * 2**59 - 7 for i in range(n)],
            "incident_date": [dt.date(2024, 11, 27) + dt.timedelta(days=i) for i in range(n)],
            "regency_code": ["52.71"] * n,
            "category": ["overstay"] * n,
            "severity": [1 + i % 5 for i in range(n)],
            "persons": [1] * n,
            "description": texts,
            "lat": [
                -8.583333333333334,
                None,
                1e-07,
                0.1 + 0.2,
                -0.0,
                None,
                116.1,
                -8.5,
                2.5,
                1e300,
                5e-324,
                -1.0,
                0.0,
            ],
            "lon": [116.11666666666666] * n,
            "status": ["baru"] * n,
            "responsible_agency": ["imigrasi"] * n,
            "election_related": [i % 2 == 0 for i in range(n)],
        },
        dtype=object,
    )
    with write_tx(engine) as conn:
        batch = conn.execute(insert_batch(UploadBatch)).scalar_one()
        bulk_insert(conn, Incident, frame, batch_id=batch)
        bulk_insert(conn, Incident, frame.assign(record_id="again").head(2), batch_id=batch)
    with engine.connect() as conn:
        got = conn.execute(
            select(
                Incident.id,
                Incident.record_id,
                Incident.row_hash,
                Incident.incident_date,
                Incident.severity,
                Incident.description,
                Incident.lat,
                Incident.election_related,
                Incident.batch_id,
            ).order_by(Incident.id)
        ).all()
    assert [tuple(r) for r in got[:n]] == [
        (
            i + 1,
            f"K{i}",
            i * 2**59 - 7,
            dt.date(2024, 11, 27) + dt.timedelta(days=i),
            1 + i % 5,
            texts[i],
            frame["lat"][i],
            i % 2 == 0,
            batch,
        )
        for i in range(n)
    ]
    assert [(r.id, r.record_id) for r in got[n:]] == [(n + 1, "again"), (n + 2, "again")]


@pytest.mark.parametrize("value", ["a\\b", "a\tb", "a\nb", "a\rb", 'a"b', "", "\\N", "ß", None])
def test_copy_stores_each_awkward_text_alone(engine, value):
    """A COPY whose only awkward value is this one (PostgreSQL): a backslash, tab, line break,
    quote or the text format's NULL marker is stored as sent, NULL stays NULL."""
    from storage.engine import copy_columns, write_tx

    if engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    with write_tx(engine) as conn:
        conn.exec_driver_sql("CREATE TEMPORARY TABLE t (v TEXT, n INT, d DATE)")
        copy_columns(
            conn,
            "t",
            ["v", "n", "d"],
            [
                np.array([value, "x"], dtype=object),
                np.array([1, None], dtype=object),
                np.array([dt.date(2024, 11, 27), None], dtype=object),
            ],
        )
        assert conn.exec_driver_sql("SELECT v, n, d FROM t ORDER BY n NULLS LAST").all() == [
            (value, 1, dt.date(2024, 11, 27)),
            ("x", None, None),
        ]


def insert_batch(UploadBatch):
    from sqlalchemy import insert

    return (
        insert(UploadBatch)
        .values(
            kind="incidents",
            file_name="f.csv",
            file_sha256="0" * 64,
            uploaded_by="t",
            mode="partial",
            rows_read=0,
            rows_rejected=0,
            dropped_columns="[]",
            is_demo=False,
        )
        .returning(UploadBatch.id)
    )


def test_many_roll_up_cells_are_added_exactly(engine, tmp_path, monkeypatch):
    """Thousands of roll-up cells per batch: inserted as they are for days a roll-up has nothing
    for yet (first and third batch), added to the existing cells otherwise (second batch; on
    PostgreSQL through a scratch table and one upsert). Every level equals a GROUP BY after each."""
    import sys

    from storage import rollups

    sys.path.insert(0, "scripts")
    from bench_ingest import make_file

    upserts = []
    plain_insert, plain_copy = rollups.insert_rows, rollups.copy_columns
    monkeypatch.setattr(
        rollups,
        "insert_rows",
        lambda conn, head, row, grid, tail="": (
            upserts.append(bool(tail)),
            plain_insert(conn, head, row, grid, tail),
        )[-1],
    )
    monkeypatch.setattr(
        rollups,
        "copy_columns",
        lambda conn, table, *a: (
            upserts.append(table == "delta_cells"),
            plain_copy(conn, table, *a),
        )[-1],
    )

    src = tmp_path / "presence.csv"
    make_file(src, 6000)
    first = src.read_bytes()
    second = first.replace(b"\nR", b"\nS")  # other sender ids: new rows, many in the same cells
    make_file(src, 6000, seed=8, first_day="2025-03-01")  # the 273 days after the first file's
    third = src.read_bytes().replace(b"\nR", b"\nT")
    levels = len(rollups.ROLLUPS["presence"])
    for name, data, upserted in (
        ("a.csv", first, False),
        ("b.csv", second, True),
        ("c.csv", third, False),
    ):
        upserts.clear()
        assert import_file(engine, data, name, "presence").rows_imported == 6000
        assert upserts == [upserted] * levels, name
        with engine.connect() as conn:
            cells, persons = conn.execute(
                text("SELECT count(*), sum(persons) FROM presence_daily")
            ).one()
            assert (
                cells > 1000
                and persons == conn.execute(text("SELECT sum(person_count) FROM presence")).scalar()
            )
            assert_rollups_match(
                conn, "presence", "presence", "report_date", "sum(person_count), count(*)"
            )


def test_blobs_bound_as_bytearrays_are_the_same_bytes():
    """SQLite's insert binds a LargeBinary column's values as bytearrays (no adapter lookup per
    value): same bytes, None kept, the frame's own values untouched."""
    from storage.imports import _bytearrays

    values = np.array([b"\x00\x01", None, b"\xff" * 32, b""], dtype=object)
    got = _bytearrays(values)
    assert [type(v).__name__ for v in got] == ["bytearray", "NoneType", "bytearray", "bytearray"]
    assert list(got) == [b"\x00\x01", None, b"\xff" * 32, b""]
    assert [type(v).__name__ for v in values] == ["bytes", "NoneType", "bytes", "bytes"]


def test_voter_lookup_keys_made_at_once_equal_one_by_one():
    """storage.voter_lists.nik_keys (an import's millions at once) and nik_key (the match's few
    residents) give each digest's first 8 bytes as the same signed big-endian integer."""
    from storage.voter_lists import nik_key, nik_keys

    digests = [bytes([0x7F] + [0xFF] * 31), bytes([0x80] + [0] * 31), bytes(32), b"\xab" * 32]
    digests.append(bytearray(hmac.digest(key(), b"nik\x005201014107800001", "sha256")))
    assert [nik_key(bytes(d)) for d in digests[:4]] == [
        2**63 - 1,
        -(2**63),
        0,
        -0x5454545454545455,
    ]
    assert nik_keys(np.array(digests, dtype=object)).tolist() == [nik_key(d) for d in digests]
    assert nik_keys(np.array([], dtype=object)).tolist() == []


def test_page_cache_sizes_nest_and_come_back(tmp_path):
    """An import's large page cache, the small one while indexes are built inside it, and the
    connection's own size again afterwards (it goes back to the pool)."""
    from storage.engine import bulk_cache, make_engine, sort_cache, write_tx

    engine = make_engine(f"sqlite:///{tmp_path / 'c.sqlite'}")

    def size(conn) -> int:
        return int(conn.exec_driver_sql("PRAGMA cache_size").scalar())

    def threads(conn) -> int:
        return int(conn.exec_driver_sql("PRAGMA threads").scalar())

    with write_tx(engine) as conn:
        own = size(conn)
        with bulk_cache(conn):
            assert size(conn) == -256 * 1024 and threads(conn) == 0
            with sort_cache(conn):
                assert size(conn) == -2 * 1024 and threads(conn) == 1  # a sorter thread
            assert size(conn) == -256 * 1024 and threads(conn) == 0
        assert size(conn) == own != -256 * 1024
    engine.dispose()


def test_a_column_of_one_value_is_stored_as_bound_values_are(tmp_path):
    """SQLite: a column holding one int or one text throughout is written into the INSERT as a
    literal; what is stored (value and type) is what binding each row stores, awkward values too."""
    from sqlalchemy import BigInteger, Column, Date, Integer, MetaData, String, Table

    from storage.engine import make_engine, write_tx
    from storage.imports import _literal, bulk_insert

    columns = {
        "quoted": ["it's; DROP", "it's; DROP", "it's; DROP"],
        "number": [2**63 - 1] * 3,
        "huge": [2**63] * 3,  # beyond 64 bits: bound (and refused) as before
        "flag_one": [1, True, 1],
        "float_one": [1, 1.0, 1],
        "nul": ["a\x00b"] * 3,
        "tab": ["a\tb"] * 3,
        "day": [dt.date(2024, 9, 22)] * 3,
        "varies": ["x", "y", "x"],
        "unicode": ["Désa ٣"] * 3,
    }
    types = {"number": BigInteger(), "huge": String(), "day": Date(), "flag_one": Integer()}
    engine = make_engine(f"sqlite:///{tmp_path / 'l.sqlite'}")
    stored = {}
    for name, literal in (("bound", False), ("literal", True)):
        table = Table(
            f"t_{name}",
            MetaData(),
            Column("id", Integer, primary_key=True),
            Column("batch_id", Integer),
            *(Column(c, types.get(c, String())) for c in columns),
        )
        table.create(engine)
        frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in columns.items()})
        frame["huge"] = frame["huge"].map(str)
        with write_tx(engine) as conn:
            if literal:
                bulk_insert(conn, table, frame, batch_id=7)
            else:
                sql = f"INSERT INTO t_bound (batch_id, {', '.join(columns)}) VALUES (7, {', '.join('?' * len(columns))})"
                rows = [
                    tuple(v.isoformat() if isinstance(v, dt.date) else v for v in r)
                    for r in frame.itertuples(index=False)
                ]
                conn.connection.dbapi_connection.executemany(sql, rows)
        with engine.connect() as conn:
            stored[name] = conn.exec_driver_sql(
                f"SELECT {', '.join(f'{c}, typeof({c})' for c in ['batch_id', *columns])} "
                f"FROM t_{name} ORDER BY id"
            ).all()
    assert stored["literal"] == stored["bound"]
    written = [c for c, v in columns.items() if _literal(np.array(v, dtype=object)) is not None]
    assert written == ["quoted", "number", "unicode"]  # the day: as ISO text, in bulk_insert
    assert _literal(np.array(["2024-09-22"] * 3, dtype=object)) == "'2024-09-22'"
    assert stored["literal"][1][:6] == (7, "integer", "it's; DROP", "text", 2**63 - 1, "integer")
    engine.dispose()
