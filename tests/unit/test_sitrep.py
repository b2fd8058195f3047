"""The situation report pack (issue 23) on the overview's small hand-built database
(tests/overview_fixture.py: a few dozen rows through the real importer into a real SQLite file).

Two packs are made a day apart (data as of 25 and 26/11/2024), with K03's alert closed between
them. Every pack covers the 14 days up to its as-of date; the first has no earlier pack and the
data do not cover the 14 days before (they start on 21/11), so it compares with nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from PIL import Image
from sqlalchemy import select

from services import sitrep
from storage import alerts_store, sitreps
from storage.engine import make_engine
from storage.models import AuditEvent, SitrepPack
from tests.overview_fixture import alert_id, build
from viz import style
from viz.sitrep import PAGES, change_sentences

ROOT = Path(__file__).resolve().parents[2]
D = dt.date
K03 = "election_sensitive_incident|52.72|2024-11-24|K03"


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sitrep")
    url = f"sqlite:///{folder / 'sitrep.sqlite'}"
    build(url)
    engine = make_engine(url)
    first = sitrep.make(engine, folder / "out", as_of=D(2024, 11, 25), actor="test")
    alerts_store.set_status(engine, alert_id(url, K03), "selesai", "kepala", "analyst", "handled")
    second = sitrep.make(
        engine, folder / "out", as_of=D(2024, 11, 26), marking="RAHASIA", lang="en", actor="test"
    )
    yield {"url": url, "engine": engine, "first": first, "second": second, "folder": folder}
    engine.dispose()


def test_changes_since_the_last_pack_in_words(packs):
    """Against the first pack (14 days to 25/11): on 26/11 K07 (52.04, severity 4) and 1,200
    persons in Kab. Sumbawa, K05 and one person in Kota Bima (5 -> 6), K06 in Lombok Barat
    (K02 -> K02, K06). Kota Mataram's numbers did not move and get no sentence."""
    data = packs["second"]["data"]
    assert data.baseline["kind"] == "pack" and data.baseline["id"] == packs["first"]["pack"]
    assert change_sentences(data.changes, "id") == [
        "Kab. Sumbawa: skor risiko 20,0 → 37,2 (terbesar: Kejadian sensitif Pilkada +8,3 poin), kejadian 0 → 1, "
        "orang asing hadir 0 → 1.200",
        "Kota Bima: skor risiko 51,7 → 55,6 (terbesar: Kejadian per 100.000 pemilih +4,4 poin), kejadian 2 → 3, "
        "orang asing hadir 5 → 6",
        "Kab. Lombok Barat: skor risiko 23,5 → 23,2, kejadian 1 → 2",
    ]
    assert (
        change_sentences(data.changes, "en")[2]
        == "Kab. Lombok Barat: risk 23.5 → 23.2, incidents 1 → 2"
    )


def test_the_first_pack_compares_with_nothing_the_data_do_not_cover(packs):
    data = packs["first"]["data"]
    assert data.baseline == {"kind": "none", "start": D(2024, 10, 29), "end": D(2024, 11, 11)}
    assert (data.start, data.end, data.changes, data.headline_before) == (
        D(2024, 11, 12),
        D(2024, 11, 25),
        [],
        None,
    )
    # P01-P06 and K01-K04 (K04 closed, K01 arrived closed)
    assert data.headline == {
        "present": 23,
        "incidents": 4,
        "election_incidents": 3,
        "open_incidents": 3,
        "arrivals": 130,
    }


def test_decision_list_critical_and_high_by_lead_agency(packs):
    """Open critical and high alerts of any age up to the as-of date; the agency with the most
    urgent alert first, then needs_decision's order. Absent: K04's and K03's alerts (closed),
    hand:closed, hand:stale, and every medium or low alert."""
    got = packs["second"]["data"].decisions
    assert got[["key", "severity", "agency", "age_days"]].values.tolist() == [
        ["election_sensitive_incident|52.04|2024-11-26|K07", "kritis", "Imigrasi", 0],
        ["hand:before", "kritis", "Imigrasi", 6],
        ["hand:port", "tinggi", "Imigrasi", 1],
        ["election_sensitive_incident|52.72|2024-11-21|K01", "tinggi", "Bawaslu NTB", 5],
    ]
    assert K03 in packs["first"]["data"].decisions["key"].tolist()


def test_alerts_closed_since_the_last_pack(packs):
    """The first pack: closed in the day before it was made (K04, by the fixture); the second:
    closed after the first was made (K03)."""
    assert packs["first"]["data"].closed["key"].tolist() == [
        "election_sensitive_incident|52.71|2024-11-25|K04"
    ]
    assert packs["second"]["data"].closed[["key", "status_changed_by"]].values.tolist() == [
        [K03, "kepala"]
    ]


def test_the_pack_is_stored_with_its_hashes_and_audit_event(packs):
    engine, second = packs["engine"], packs["second"]
    with engine.connect() as conn:
        row = conn.execute(
            select(SitrepPack.__table__).where(SitrepPack.id == second["pack"])
        ).one()
        event = conn.execute(
            select(AuditEvent.__table__).where(AuditEvent.id == row.audit_event_id)
        ).one()
    pdf = second["pdf_path"].read_bytes()
    assert (row.compared_with, row.pages, row.marking, row.lang, row.as_of) == (
        packs["first"]["pack"],
        PAGES,
        "RAHASIA",
        "en",
        D(2024, 11, 26),
    )
    assert (
        row.figures_sha256
        == hashlib.sha256(row.figures.encode("utf-8")).hexdigest()
        == second["figures_sha256"]
    )
    assert row.pdf == pdf and row.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert (event.action, event.target, event.actor) == ("sitrep", second["name"], "test")
    assert json.loads(event.detail)["figures_sha256"] == row.figures_sha256
    assert json.loads(row.baseline)["id"] == packs["first"]["pack"]
    figures = json.loads(row.figures)
    assert figures["regencies"]["52.04"]["present"] == 1200 and figures["closed"] == [
        alert_id(packs["url"], K03)
    ]
    assert sitreps.latest(engine, None)["id"] == second["pack"]
    assert sitreps.previous(engine, None, D(2024, 11, 25))["id"] == packs["first"]["pack"]


@pytest.mark.parametrize(
    "which, marking, of", [("first", "TERBATAS", "dari"), ("second", "RAHASIA", "of")]
)
def test_pdf_pages_marked_top_and_bottom_with_page_x_of_y(packs, which, marking, of):
    made = packs[which]
    reader = pypdf.PdfReader(made["pdf_path"])
    assert len(reader.pages) == PAGES == 6
    height = float(reader.pages[0].mediabox.height)
    for n, page in enumerate(reader.pages, 1):
        at = []
        text = page.extract_text(
            visitor_text=lambda s, cm, tm, *_: at.append(cm[5] + tm[5]) if marking in s else None
        )
        assert f"{n} {of} 6" in text
        assert f"{made['figures_sha256'][:12]}" in text and f"#{made['audit']}" in text
        assert (
            max(at) > height - 0.3 * 72 and min(at) < 0.3 * 72
        )  # in the top and the bottom banner


def test_png_of_page_one_shows_the_marking_colour_in_its_top_band(packs):
    for which, marking in (("first", "TERBATAS"), ("second", "RAHASIA")):
        paths = packs[which]["png_paths"]
        assert len(paths) == PAGES
        img = Image.open(paths[0]).convert("RGB")
        assert img.size == (1240, 1754)
        want = Image.new("RGB", (1, 1), style.MARKING_COLOURS[marking][0]).getpixel((0, 0))
        band = img.crop((300, 2, 460, 40))  # right of the left word, left of the centred one
        assert {colour for _, colour in band.getcolors()} == {want}
        assert img.getpixel((400, img.height - 10)) == want


def test_file_names_are_unique_and_name_the_marking_and_date(packs):
    first, second = packs["first"], packs["second"]
    assert first["pdf_path"].name.startswith("laporan_situasi_TERBATAS_20241125_")
    assert second["pdf_path"].name.startswith("laporan_situasi_RAHASIA_20241126_")
    assert [p.name for p in second["png_paths"]] == [
        f"{second['name']}_p{n}.png" for n in range(1, 7)
    ]
    assert first["name"] != second["name"]


def _cli(*args, env_extra=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "viz.sitrep", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_command_line_makes_a_pack_and_says_why_it_did_not(packs, tmp_path):
    ok = _cli(
        "--out",
        str(tmp_path / "a"),
        "--db",
        packs["url"],
        "--as-of",
        "2024-11-26",
        "--office",
        "kanim_bima",
    )
    assert ok.returncode == 0, ok.stderr
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert (
        len(files) == 7
        and files[0].endswith(".pdf")
        and ok.stdout.splitlines()[-1].startswith("Laporan no. 3 ")
    )
    bad = [
        ("--out", str(tmp_path / "b"), "--db", packs["url"], "--office", "kanim_nowhere"),
        (
            "--out",
            str(tmp_path / "b"),
            "--db",
            packs["url"],
            "--as-of",
            "26/11/2024",
            "--lang",
            "en",
        ),
        ("--out", str(tmp_path / "b"), "--db", f"sqlite:///{tmp_path / 'empty.sqlite'}"),
        ("--db", packs["url"]),
    ]
    for args in bad:
        r = sitrep_main(args)
        assert r[0] == 2 and r[1].count("\n") == 1, r
    assert sitrep_main(bad[1])[1] == "Unknown --as-of date: 26/11/2024 (format YYYY-MM-DD).\n"
    assert sitrep_main(bad[2])[1] == "Tidak ada laporan dibuat: basis data belum berisi data.\n"
    assert not (tmp_path / "b").exists()


def sitrep_main(args):
    import contextlib

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            code = sitrep.main(list(args))
        except SystemExit as e:
            code = e.code
    return code, err.getvalue()


def test_the_renderer_imports_no_storage_or_service():
    """viz/ draws what it is handed: importing viz.sitrep loads neither layer (its __main__ block
    runs services/sitrep.py's command line by name)."""
    code = "import sys, viz.sitrep; print(sorted({m.split('.')[0] for m in sys.modules} & {'storage', 'services'}))"
    r = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.stdout.strip() == "[]", r.stderr
