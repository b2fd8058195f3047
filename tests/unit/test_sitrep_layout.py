"""The situation report's pages as a reader sees them: no two texts on a page touch or overlap.

Each page is drawn (matplotlib's Agg renderer, no file written) from the overview's small
hand-built database (tests/overview_fixture.py, through services/sitrep.gather), in Indonesian
and English, with demo data shown (the watermark) and with and without a voter list's bullet on
the cover; every Text artist's window extent is taken and every pair on the page compared. The
only texts allowed to overlap others: the demo watermark (gid "watermark", drawn across the page
on purpose) and the place names inside the map (viz/briefing.py places them on the islands).

Two boxes "touch" when they are closer than TOUCH horizontally while sharing height (headings
that read as one, "ΔKehadiran"), or overlap at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest
from matplotlib.text import Text

from services import sitrep
from storage.engine import make_engine
from tests.overview_fixture import build
from viz import sitrep as draw

TOUCH = 0.04  # in: the least white space between two texts side by side (~ a space at 8 pt)

# a voter list held, with a match in every regency: the cover's longest bullet (two lines)
VOTERS = {
    "total": 1234,
    "by_regency": {
        "52.01": 210,
        "52.02": 190,
        "52.03": 150,
        "52.04": 120,
        "52.05": 100,
        "52.06": 95,
        "52.07": 90,
        "52.08": 85,
        "52.71": 114,
        "52.72": 80,
    },
}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('sitrep_layout') / 'fixture.sqlite'}"
    build(url)
    engine = make_engine(url)
    try:
        got = sitrep.gather(
            engine, as_of=dt.date(2024, 11, 26), now=dt.datetime(2024, 11, 26, 22, 0)
        )
    finally:
        engine.dispose()
    # no earlier pack: the cover's comparison line is the longer "compares with nothing" text
    assert got.baseline["kind"] in {"none", "period"}
    return dataclasses.replace(got, demo=True, figures_sha256="ab" * 32, audit_event_id=7)


def text_boxes(fig):
    """(text, axes label, window extent) of every visible, non-empty text of the drawn page."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip():
            continue
        box = text.get_window_extent(renderer)
        if box.width and box.height:
            out.append((text, box))
    return out


def clashes(fig) -> list[tuple[str, str]]:
    boxes = [(x, b) for x, b in text_boxes(fig) if x.get_gid() != "watermark"]
    pad = TOUCH * fig.dpi / 2
    found = []
    for (a, ba), (b, bb) in itertools.combinations(boxes, 2):
        if a.axes is not None and b.axes is a.axes and a.axes.get_label() == "map":
            continue  # place names on the map: viz/briefing.py's
        side_by_side = ba.y0 < bb.y1 and bb.y0 < ba.y1
        if (ba.overlaps(bb)) or (
            side_by_side and ba.x0 - pad < bb.x1 + pad and bb.x0 - pad < ba.x1 + pad
        ):
            found.append((a.get_text(), b.get_text()))
    return found


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("page", range(1, draw.PAGES + 1))
def test_no_two_texts_on_a_page_touch(data, lang, page):
    make = draw.PAGE_MAKERS[page - 1]
    fig = make(data, lang, "TERBATAS")
    assert clashes(fig) == []
    # the watermark is there (the one text allowed across the others) and is the only one
    assert [x.get_text() for x, _ in text_boxes(fig) if x.get_gid() == "watermark"] == [
        "DATA DEMO (sintetis)" if lang == "id" else "DEMO DATA (synthetic)"
    ]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_cover_makes_room_for_the_voter_list_bullet(data, lang):
    """One more bullet (two lines long) on the cover: the blocks below move down and their gaps
    close up; the contents still end above the fingerprint note."""
    fig = draw._cover(dataclasses.replace(data, voter_matches=VOTERS), lang, "TERBATAS")
    assert clashes(fig) == []
    boxes = {x.get_text(): b for x, b in text_boxes(fig)}
    bullet = [b for s, b in boxes.items() if s.startswith(("WNA penduduk", "Foreign residents"))]
    assert len(bullet) == 1  # its first line; the regencies run on to a second
    last = next(b for s, b in boxes.items() if s.startswith("6. "))
    note = next(b for s, b in boxes.items() if s.startswith(("Sidik (SHA-256)", "The fingerprint")))
    assert last.y0 > note.y1 and bullet[0].y0 > last.y1


def test_table_headings_wrap_by_measured_width_and_shrink_only_when_needed(data):
    """Page 5's headings: each line no wider than its column less the gap; in English and
    Indonesian the columns fit the headings' longest words at the full 6.5 pt."""
    for lang in ("id", "en"):
        heads = [draw.t("overview.regency", lang), draw.t("sitrep.col_delta", lang)] + [
            draw.t(draw.COMPONENT_SHORT[k], lang) for k in draw.RISK_COMPONENTS
        ]
        rows = [["Kab. Lombok Tengah", "+17,6"] + ["16,7"] * len(draw.RISK_COMPONENTS)]
        widths, size, lines = draw._table_columns(heads, rows, 5.0)
        assert size == draw.HEAD_SIZE and sum(widths) == pytest.approx(5.0)
        for w, ls in zip(widths, lines):
            assert all(draw.text_size(x, size, True)[0] <= w - draw.COL_GAP for x in ls)
    # squeezed into too little room, the headings shrink (never below HEAD_MIN)
    _w, size, _l = draw._table_columns(heads, rows, 3.6)
    assert draw.HEAD_MIN <= size < draw.HEAD_SIZE


def test_wrap_measures_words_and_keeps_a_too_wide_word_on_its_own_line():
    assert draw._wrap("Election-related", 0.45, 6.5, bold=True) == ["Election-", "related"]
    assert draw._wrap("Kejadian sensitif", 0.3, 6.5, bold=True) == ["Kejadian", "sensitif"]
    text = "Kantor Imigrasi Kelas I TPI Mataram: Kota Mataram, Kab. Lombok Barat, Kab. Lombok Utara"
    lines = draw._wrap(text, 3.0, 8.5)
    assert " ".join(lines) == text and len(lines) == 2
    assert all(draw.text_size(x, 8.5)[0] <= 3.0 for x in lines)
    change = "Kab. Bima: risk 8.4 → 16.5 (largest: Presence against baseline +7.5 points), foreign nationals present 3 → 6"
    assert draw._wrap(change, 7.02, 9.5)[-1] == "3 → 6"  # a change is never split at its arrow
    cut = draw._fit("Pelabuhan Lembar / Gili Mas cabang", 1.2, 7.5)
    assert cut == "Pelabuhan Lembar /…" and draw.text_size(cut, 7.5)[0] <= 1.2
    assert draw.text_size("Pelabuhan Lembar / G…", 7.5)[0] > 1.2  # one letter more: too wide
