"""Spreadsheet bombs (issue 21, item 2) against the real import command, in a child process
whose peak memory is measured: each is refused with its exact reason, within the memory bound,
and the database is left as it was. Times are printed, not asserted (the machine is shared).

Before the streaming budget a 1 MB XLSX holding one 1 GB cell took 10.8 s and 3.3 GB, and
3.1 million tiny rows took 122 s and 1.1 GB, before being refused.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from loaders.errors import ImportRejected
from storage.engine import make_engine
from storage.schema import upgrade
from tests.security import xlsx_bombs

ROOT = Path(__file__).resolve().parents[2]
MAX_RSS_MB = 400
GIB = 1 << 30

# Runs one command as its child and reports that child's time and peak RSS (ru_maxrss of the
# children of this fresh process only, so nothing else the test suite ran is counted).
MEASURE = """
import json, resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": p.returncode, "seconds": time.monotonic() - t, "stdout": p.stdout,
                  "stderr": p.stderr[-2000:],
                  "rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bombs")
    one_gib = xlsx_bombs.one_huge_cell(d / "sel_1gb.xlsx", GIB)
    lying = d / "sel_1gb_ukuran_palsu.xlsx"
    shutil.copyfile(one_gib, lying)
    declare_size(lying, "xl/sharedStrings.xml", 1000)
    return {
        "one_gib_cell": one_gib,
        "one_gib_cell_declared_small": lying,
        "cell_under_the_byte_budget": xlsx_bombs.one_huge_cell(d / "sel_900mb.xlsx", 900 << 20),
        "many_rows": xlsx_bombs.many_rows(d / "baris_3juta.xlsx", 3_100_000),
    }


def declare_size(path: Path, member: str, size: int) -> None:
    """Make the zip lie: write ``size`` as the unpacked size of ``member`` in its local header
    and in the central directory."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    local = data.find(b"PK\x03\x04")
    while local >= 0:
        n = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + n] == name:
            struct.pack_into("<I", data, local + 22, size)
            break
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        n = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + n] == name:
            struct.pack_into("<I", data, central + 24, size)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def imported_once(tmp_path_factory) -> Path:
    """A database holding one earlier import, so that 'unchanged' means something: made once
    (the import command run as a process), copied for each test."""
    d = tmp_path_factory.mktemp("bomb_db")
    path = d / "ntb.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    good = d / "keberadaan.csv"
    good.write_text(
        "no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;"
        "no_paspor;jumlah_orang\nB1;15/11/2024;Lobar;AUS;VOA;wisata;PA1234567;2\n",
        encoding="utf-8",
    )
    run = ingest(good, url)
    assert run["rc"] == 0
    print(
        f"\nbaseline, a one-row CSV imported: {run['seconds']:.2f} s, peak RSS {run['rss_mb']:.0f} MB"
    )
    # the command's last connection closed moved the WAL into the file, which alone is copied
    assert not Path(f"{path}-wal").exists(), "the baseline database's WAL was not checkpointed"
    return path


@pytest.fixture
def db(imported_once, tmp_path) -> str:
    """A copy of the database holding the one earlier import, for this test alone."""
    shutil.copyfile(imported_once, tmp_path / "ntb.sqlite")
    return f"sqlite:///{tmp_path / 'ntb.sqlite'}"


def ingest(path: Path, url: str) -> dict:
    cmd = [
        sys.executable,
        "-m",
        "loaders.ingest",
        "presence",
        str(path),
        "--db",
        url,
        "--json",
        "--lang",
        "id",
    ]
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *cmd],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        check=True,
    )
    return json.loads(out.stdout)


READ_ONLY = """
import sys, time
from loaders.errors import ImportRejected
from loaders.reader import read_table
data = open(sys.argv[1], "rb").read()
t = time.monotonic()
try:
    read_table(data, "x.xlsx")
except ImportRejected:
    pass
print(time.monotonic() - t)
"""


def reader_seconds(path: Path) -> float:
    """The reader's own time to refuse the file, without interpreter and import start-up."""
    out = subprocess.run(
        [sys.executable, "-c", READ_ONLY, str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    return float(out.stdout)


def snapshot(url: str) -> dict[str, list]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: [tuple(r) for r in conn.execute(text(f'SELECT * FROM "{name}"'))]
                for name in sorted(inspect(conn).get_table_names())
            }
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "bomb,code,params",
    [
        ("one_gib_cell", "xlsx_unpacked_too_large", {"max_mb": 1000, "factor": 5, "file_mb": 200}),
        ("one_gib_cell_declared_small", "bad_xlsx", {}),
        ("cell_under_the_byte_budget", "xlsx_value_too_long", {"max": 2000}),
        ("many_rows", "xlsx_too_many_rows", {"max_rows": 2_000_000}),
    ],
)
def test_bomb_is_refused_within_the_memory_bound_and_changes_nothing(bombs, db, bomb, code, params):
    path = bombs[bomb]
    before = snapshot(db)
    run = ingest(path, db)
    print(
        f"\n{bomb}: {path.stat().st_size / 1e6:.1f} MB file, import command refused it in "
        f"{run['seconds']:.2f} s (reader alone {reader_seconds(path):.2f} s), "
        f"peak RSS {run['rss_mb']:.0f} MB"
    )
    assert run["rc"] == 2, run["stderr"]
    result = json.loads(run["stdout"])
    assert result["status"] == "rejected"
    assert ImportRejected(code, **params).message("id") in result["message"]
    assert run["rss_mb"] <= MAX_RSS_MB
    assert snapshot(db) == before


def test_the_bomb_files_are_what_they_claim(bombs):
    """The test files really are bombs: small on disk, huge unpacked (or claiming not to be)."""
    import zipfile

    def unpacked(name):
        with zipfile.ZipFile(bombs[name]) as zf:
            return sum(i.file_size for i in zf.infolist())

    assert bombs["one_gib_cell"].stat().st_size < 2_000_000 < GIB < unpacked("one_gib_cell")
    assert unpacked("one_gib_cell_declared_small") < 10_000
    assert 900 << 20 < unpacked("cell_under_the_byte_budget") < 1000 << 20
    with (
        zipfile.ZipFile(bombs["many_rows"]) as zf,
        zf.open("xl/worksheets/sheet1.xml") as sheet,
    ):
        rows, tail = 0, b""
        while chunk := sheet.read(1 << 20):
            rows += (tail + chunk).count(b"<row ") - tail.count(b"<row ")
            tail = chunk[-4:]
    assert rows == 3_100_001


# --- the budget's edges, in process (small files) ------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def read_rejected(path: Path, limits=None) -> ImportRejected:
    from loaders.reader import Limits, read_table

    with pytest.raises(ImportRejected) as info:
        read_table(path.read_bytes(), "x.xlsx", limits or Limits())
    return info.value


def test_a_value_over_the_field_limit_but_under_the_run_bound_is_named_by_line_and_column(tmp_path):
    rows = [["no_paspor", "uraian"], ["X1", "ok"], ["X2", "B" * 2500]]
    e = read_rejected(xlsx_bombs.write_xlsx(tmp_path / "x.xlsx", xlsx_bombs.rows_xml(rows)))
    assert (e.code, e.params) == (
        "field_too_long",
        {"line": 3, "column": "uraian", "length": 2500, "max": 2000},
    )


@pytest.mark.parametrize("n,code", [(19_990, "field_too_long"), (20_001, "xlsx_value_too_long")])
def test_the_run_bound_is_ten_bytes_per_allowed_character(tmp_path, n, code):
    # <t>AAA…</t>: the run between '<' holds "t>" and the value, so 19,990 A's stay under 20,000
    rows = [["uraian"], ["A" * n]]
    e = read_rejected(xlsx_bombs.write_xlsx(tmp_path / "x.xlsx", xlsx_bombs.rows_xml(rows)))
    assert e.code == code


def test_rows_with_a_namespace_prefix_are_counted_too(tmp_path):
    from loaders.reader import Limits

    rows = "".join(
        f'<x:row xmlns:x="{MAIN_NS}" r="{r}"><x:c r="A{r}"><x:v>{r}</x:v></x:c></x:row>'
        for r in range(1, 7)
    )
    e = read_rejected(xlsx_bombs.write_xlsx(tmp_path / "x.xlsx", [rows]), Limits(max_rows=5))
    assert (e.code, e.params) == ("xlsx_too_many_rows", {"max_rows": 5})


def test_cells_over_rows_times_columns_are_refused(tmp_path):
    from loaders.reader import Limits

    rows = xlsx_bombs.rows_xml([["a", "b", "c"]] * 4)  # 12 cells, 4 rows
    e = read_rejected(
        xlsx_bombs.write_xlsx(tmp_path / "x.xlsx", rows), Limits(max_rows=5, max_columns=2)
    )
    assert (e.code, e.params) == (
        "xlsx_too_many_cells",
        {"max_cells": 10, "max_rows": 5, "max_columns": 2},
    )


def test_an_entity_expansion_is_refused_before_any_parser_expands_it(tmp_path):
    path = xlsx_bombs.write_xlsx(tmp_path / "x.xlsx", xlsx_bombs.rows_xml([["a"], ["1"]]))
    import zipfile

    laughs = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<sst xmlns="{MAIN_NS}"><si><t>&b;</t></si></sst>'
    )
    bomb = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(
                info.filename,
                laughs if info.filename == "xl/sharedStrings.xml" else src.read(info.filename),
            )
    assert read_rejected(bomb).code == "bad_xlsx"


def test_a_huge_mimetype_member_is_not_read_whole_when_sniffing(tmp_path):
    """The format sniffer read the whole 'mimetype' member to look at its first 100 bytes."""
    import tracemalloc
    import zipfile

    from loaders.reader import read_table

    path = xlsx_bombs.write_xlsx(tmp_path / "x.xlsx", xlsx_bombs.rows_xml([["a"], ["1"]]))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        xlsx_bombs._stream(zf, "mimetype", xlsx_bombs.huge_text(200 << 20))
    tracemalloc.start()
    try:
        rt = read_table(path.read_bytes(), "x.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rt.frame["a"].tolist() == ["1"]  # 200 MiB unpacked is within the budget
    assert peak < 50 << 20
