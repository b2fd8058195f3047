"""`python -m services.briefing` on the demo database: a PNG of the requested size, a one-page PDF."""

import re
import subprocess
import sys

from PIL import Image

from tests.app.conftest import ROOT


def run(demo_db, out, *args):
    return subprocess.run(
        [sys.executable, "-m", "services.briefing", "--out", str(out), "--db", demo_db, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_png_a4_and_16x9(demo_db, tmp_path):
    assert run(demo_db, tmp_path / "a.png").returncode == 0
    assert Image.open(tmp_path / "a.png").size == (1754, 1240)  # A4 landscape at 150 dpi
    r = run(
        demo_db,
        tmp_path / "b.png",
        "--size",
        "16:9",
        "--lang",
        "en",
        "--marking",
        "RAHASIA",
        "--metric",
        "election_incidents",
        "--office",
        "kanim_bima",
    )
    assert r.returncode == 0, r.stderr
    assert Image.open(tmp_path / "b.png").size == (2000, 1125)


def test_pdf_has_one_page(demo_db, tmp_path):
    r = run(demo_db, tmp_path / "a.pdf", "--start", "2024-09-25", "--end", "2024-11-27")
    assert r.returncode == 0, r.stderr
    data = (tmp_path / "a.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", data)) == 1
