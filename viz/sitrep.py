"""The situation report pack (laporan situasi pimpinan): six A4 portrait pages drawn on the
server with matplotlib (no browser), as one PDF and one PNG per page (the PDF's page rasterised
by PDFium: each page is drawn once).

    1 cover: title, period, election phase and days to/since voting, headline numbers with their
      change, what they are compared with, the office area
    2 the map of risk scores with the five highest (viz/briefing.py's panels)
    3 critical and high alerts waiting for a decision, by lead agency; alerts closed since
    4 the last 14 days: persons present and incidents per day over the election phases
    5 the regency table: risk score, its components and change, presence, incidents, per 1,000 voters
    6 what changed since the last pack, in words

Every page carries the marking top and bottom (viz/style.py's list and colours), the demo
watermark when demo data shows, and a footer: page x of y, time made (WITA), data as of, the
start of the figures' SHA-256 and the audit event's id. The data come in a `Sitrep` (a service
gathers them: services/sitrep.py); this module reads no database.

`python -m viz.sitrep ...` runs the command line of services/sitrep.py (see the end of the file).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
from dataclasses import dataclass, field

import matplotlib
import matplotlib.dates as mdates
import pandas as pd
import pypdfium2 as pdfium
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.textpath import TextToPath
from PIL.PngImagePlugin import PngInfo

from domain import regions
from domain.calendar import Election
from domain.changes import WORSE_WHEN_UP
from domain.thresholds import RISK_COMPONENTS
from domain.wita import to_wita
from i18n import formats, source_text, t
from viz import briefing, style
from viz.timeline import phase_spans

PAGES = 6
DPI = 150
W, H = briefing.page_inches("a4", DPI)[::-1]  # portrait: 210 x 297 mm, whole pixels at DPI
M = 0.5  # side margin (in)
BANNER, HEADER, FOOTER = 0.3, 0.62, 0.42
TOP = H - BANNER - HEADER  # content box: M..W-M, BOTTOM..TOP (inches)
BOTTOM = BANNER + FOOTER + 0.1
HEADLINE = ("present", "incidents", "election_incidents", "open_incidents", "arrivals")
DECISION_ROWS = 24  # rows on page 3 before "and N more"
CLOSED_ROWS = 8
INK, GREY, WORSE = "#1A1A1A", "#555555", "#B00020"
PAD = 0.06  # in: a right-aligned table cell ends this far left of its column's edge
# page 5's table: headings' size (and the least they may shrink to), cells' size, and the least
# white space between two columns' texts (in)
HEAD_SIZE, HEAD_MIN, CELL_SIZE, COL_GAP = 6.5, 5.5, 7.5, 0.08


@dataclass
class Sitrep:
    """What one pack shows, in numbers and codes (words come from the catalogues here)."""

    as_of: dt.date
    start: dt.date
    end: dt.date
    made_at: dt.datetime  # aware or naive UTC; printed in WITA
    office: str | None  # office id; None = all of NTB
    areas: dict[str, str]  # regency code -> office id, the pack's area only
    election: Election
    headline: dict[str, float]
    headline_before: dict[str, float] | None
    baseline: dict  # {"kind": "pack"|"period"|"none", ...}
    regencies: pd.DataFrame  # index code: score, <k>_points, present, incidents, ... score_before?
    map_values: pd.Series  # risk score per regency code (NaN outside the area)
    changes: list[dict]  # domain.sitrep.regency_changes()
    decisions: pd.DataFrame  # domain.sitrep.decision_list() + place
    closed: pd.DataFrame  # alerts closed since `closed_since` (UTC), with place
    closed_since: dt.datetime
    daily: pd.DataFrame  # day, persons, incidents
    markers: pd.DataFrame | None = None  # lat, lon, severity, election_related
    demo: bool = False
    batches: int = 0
    figures: dict = field(default_factory=dict)
    figures_sha256: str = ""
    audit_event_id: int | None = None
    voter_matches: dict | None = (
        None  # services/voter_check.summary(): None while no voter list is held
    )


@dataclass
class Rendered:
    pdf: bytes
    pngs: list[bytes]
    count: int


# --- words -----------------------------------------------------------------------------------


def num(v, lang: str, decimals: int = 0) -> str:
    return formats.number(v, lang, decimals)


def signed(v: float, lang: str, decimals: int = 0) -> str:
    return formats.signed(v, lang, decimals)


def day(d, lang: str) -> str:
    return formats.long_date(d, lang)


def when(ts: dt.datetime, lang: str) -> str:
    """6 Des 2026 06:00 WITA (a stored UTC time as people read it)."""
    return briefing.format_as_of(ts, lang)


def voting_text(e: Election, as_of: dt.date, lang: str) -> str:
    days = e.days_to_voting(as_of)
    if days == 0:
        return t("overview.voting_today", lang)
    key = "overview.days_to_voting" if days > 0 else "overview.days_since_voting"
    return formats.plural(key, abs(days), lang)


def baseline_text(data: Sitrep, lang: str) -> str:
    b = data.baseline
    if b["kind"] == "pack":
        return t(
            "sitrep.compared_pack",
            lang,
            id=b["id"],
            made=when(b["made_at"], lang),
            as_of=day(b["as_of"], lang),
        )
    key = "sitrep.compared_period" if b["kind"] == "period" else "sitrep.compared_none"
    return t(key, lang, start=day(b["start"], lang), end=day(b["end"], lang))


def change_sentences(changes: list[dict], lang: str) -> list[str]:
    """ "Kab. Lombok Tengah: skor risiko 42 → 61 (...), kejadian terkait Pilkada 1 → 4"."""
    out = []
    for c in changes:
        parts = []
        if c["score"]:
            b, n = c["score"]
            part = t("sitrep.change_score", lang, before=num(b, lang, 1), now=num(n, lang, 1))
            if c["component"]:
                part += " " + t(
                    "sitrep.change_component",
                    lang,
                    component=t(f"alerts.risk_{c['component']}", lang),
                    points=signed(c["component_change"], lang, 1),
                )
            parts.append(part)
        for key in ("incidents", "election_incidents", "present"):
            if c[key]:
                parts.append(
                    t(
                        f"sitrep.change_{key}",
                        lang,
                        before=num(c[key][0], lang),
                        now=num(c[key][1], lang),
                    )
                )
        out.append(f"{regions.regency_name(c['code'])}: {', '.join(parts)}")
    return out


# --- page furniture --------------------------------------------------------------------------


def _page(data: Sitrep, lang: str, marking: str, n: int, title: str):
    """A portrait figure with banners, page title, footer and watermark; returns (fig, ax) where
    `ax` spans the page in inches (origin bottom-left) for text and tables."""
    fig = Figure(figsize=(W, H), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, W)
    ax.set_ylim(0, H)
    ax.set_axis_off()
    bg, fg = style.MARKING_COLOURS[marking]
    word = t(f"briefing.marking.{marking}", lang)
    for y in (H - BANNER, 0.0):
        ax.add_patch(Rectangle((0, y), W, BANNER, facecolor=bg, edgecolor="none"))
        for x, ha in ((0.15, "left"), (W / 2, "center"), (W - 0.15, "right")):
            ax.text(
                x,
                y + BANNER / 2,
                word,
                ha=ha,
                va="center",
                color=fg,
                fontweight="bold",
                fontsize=11 if ha == "center" else 8.5,
            )
    ax.text(
        M,
        H - BANNER - 0.16,
        t("sitrep.title", lang).upper(),
        ha="left",
        va="top",
        fontsize=8,
        color=GREY,
        fontweight="bold",
    )
    ax.text(
        M,
        H - BANNER - 0.32,
        title,
        ha="left",
        va="top",
        fontsize=14.5,
        fontweight="bold",
        color=INK,
    )
    ax.plot([M, W - M], [TOP + 0.02, TOP + 0.02], color="#C9D1DA", linewidth=0.8)
    foot = t(
        "sitrep.footer",
        lang,
        page=n,
        pages=PAGES,
        made=when(data.made_at, lang),
        as_of=day(data.as_of, lang),
        sha=data.figures_sha256[:12] or "–",
        audit=data.audit_event_id if data.audit_event_id else "–",
    )
    ax.plot(
        [M, W - M], [BANNER + FOOTER - 0.04, BANNER + FOOTER - 0.04], color="#C9D1DA", linewidth=0.8
    )
    ax.text(M, BANNER + FOOTER / 2 - 0.02, foot, ha="left", va="center", fontsize=7, color=GREY)
    if data.demo:
        angle = math.degrees(math.atan2(H, W))
        ax.text(
            W / 2,
            H / 2,
            t("briefing.watermark", lang),
            ha="center",
            va="center",
            rotation=angle,
            rotation_mode="anchor",
            fontsize=50,
            fontweight="bold",
            color="#B00020",
            alpha=0.13,
            zorder=100,
            gid="watermark",  # across the page on purpose (tests/unit/test_sitrep_layout.py)
        )
    return fig, ax


def _rows(
    ax,
    x: list[float],
    y: float,
    cells: list[str],
    size: float = 8,
    bold: bool = False,
    colours=None,
    align=None,
) -> None:
    """One table row: cells at the column edges `x` (inches); a column whose align is "right"
    ends at the next edge."""
    for i, text in enumerate(cells):
        ha = (align or ["left"] * len(cells))[i]
        xx = x[i + 1] - PAD if ha == "right" else x[i]
        ax.text(
            xx,
            y,
            text,
            ha=ha,
            va="center",
            fontsize=size,
            fontweight="bold" if bold else "normal",
            color=(colours or {}).get(i, INK),
        )


_TTP = TextToPath()


@functools.lru_cache(maxsize=8192)
def text_size(text: str, size: float, bold: bool = False, italic: bool = False):
    """(width, height) in inches of one line of `text` as matplotlib lays it out: the font's own
    advance widths, unhinted, as the PDF has them; the height is at least that of "lp", as
    matplotlib's Text makes it (so every line of one size is equally tall)."""
    prop = FontProperties(
        size=size, weight="bold" if bold else "normal", style="italic" if italic else "normal"
    )
    w, h, _d = _TTP.get_text_width_height_descent(text, prop, ismath=False)
    lp = _TTP.get_text_width_height_descent("lp", prop, ismath=False)[1] if text != "lp" else h
    return w / 72, max(h, lp) / 72


def line_height(size: float) -> float:
    """The height (in) of one line of text at `size` points."""
    return text_size("lp", size)[1]


def _wrap(
    text: str, width_in: float, size: float, bold: bool = False, italic: bool = False
) -> list[str]:
    """`text` in lines no wider than `width_in` at `size` points, measured with the font (words
    are broken only after a hyphen, never around "→"; a word wider than the width keeps a line of
    its own). Widths add up word by word (each measured once, cached): kerning across a space is
    negligible, and 2 % is kept spare for it and for Agg's hinting."""
    limit = width_in * 0.98
    space = text_size(" ", size, bold, italic)[0]
    lines: list[str] = []
    line, used = "", 0.0
    for word in _words(text):
        pieces = re.split(r"(?<=[^\s-]-)(?=[^-])", word)
        for i, piece in enumerate(pieces):
            joint = "" if i else " "
            w = text_size(piece, size, bold, italic)[0]
            extra = (space if joint and line else 0.0) + w
            if line and used + extra > limit:
                lines.append(line)
                line, used = piece, w
            else:
                line, used = (line + joint + piece if line else piece), used + extra
    if line:
        lines.append(line)
    return lines


def _words(text: str) -> list[str]:
    """`text`'s words, a change "3 → 6" kept together as one."""
    words: list[str] = []
    glue = False
    for word in text.split():
        if words and (glue or word == "→"):
            words[-1] += " " + word
        else:
            words.append(word)
        glue = word == "→"
    return words


def _fit(text, width_in: float, size: float, bold: bool = False) -> str:
    """`text` cut with "…" to `width_in` at `size` points (measured)."""
    text = str(text)
    if text_size(text, size, bold)[0] <= width_in:
        return text
    while len(text) > 1 and text_size(text + "…", size, bold)[0] > width_in:
        text = text[:-1]
    return text.rstrip() + "…"


# --- pages -----------------------------------------------------------------------------------


class _Flow:
    """Blocks laid out top-down on a page: each has a measured height and a gap before it. When
    they do not fit between `top` and `bottom`, every gap shrinks by the same factor (the blocks
    keep their size), so a longer block (one more bullet, a longer office list) never runs into
    what is below."""

    def __init__(self, ax):
        self.ax = ax
        self.items: list[tuple[float, float, object]] = []

    def add(self, gap: float, height: float, draw) -> None:
        """`draw(y)` draws the block with its top at `y` (inches)."""
        self.items.append((gap, height, draw))

    def text(self, gap: float, text: str, size: float, x: float = M, **kw) -> None:
        """One line of text, top-aligned at `x`."""
        kw.setdefault("color", INK)

        def draw(y):
            self.ax.text(x, y, text, ha="left", va="top", fontsize=size, **kw)

        self.add(gap, line_height(size), draw)

    def lines(self, gap: float, pitch: float, lines: list[str], size: float, **kw) -> None:
        """Wrapped lines `pitch` apart (the first after `gap`)."""
        for i, line in enumerate(lines):
            self.text(gap if i == 0 else pitch - line_height(size), line, size, **kw)

    def place(self, top: float, bottom: float) -> float:
        """Draws every block; returns the bottom of the last."""
        gaps = sum(g for g, _, _ in self.items)
        heights = sum(h for _, h, _ in self.items)
        room = top - bottom
        squeeze = 1.0 if gaps + heights <= room or gaps <= 0 else max(0.0, room - heights) / gaps
        y = top
        for gap, height, draw in self.items:
            y -= gap * squeeze
            draw(y)
            y -= height
        return y


def _cover(data: Sitrep, lang: str, marking: str) -> Figure:
    """The cover's blocks flow top-down from their measured heights (_Flow) above the fingerprint
    note, which stands at the foot of the page."""
    fig, ax = _page(data, lang, marking, 1, t("sitrep.cover_title", lang))
    flow = _Flow(ax)
    width = W - 2 * M
    area = (
        t("briefing.area_office", lang, office=regions.offices().loc[data.office, "name"])
        if data.office
        else t("briefing.area_all", lang)
    )
    flow.text(0.35, t("sitrep.subtitle", lang), 12)
    flow.text(
        0.3 - line_height(12),
        t(
            "sitrep.period",
            lang,
            start=day(data.start, lang),
            end=day(data.end, lang),
            days=(data.end - data.start).days + 1,
        ),
        11,
        fontweight="bold",
    )
    as_of = t("sitrep.as_of", lang, date=day(data.as_of, lang), made=when(data.made_at, lang))
    flow.text(0.3 - line_height(11), as_of, 10)
    flow.text(0.3 - line_height(10), area, 10)

    # election: phase on the as-of date and days to / since voting
    e = data.election
    phase = e.phase_on(data.as_of)
    phase_line = (
        f"{t('overview.phase', lang)}: {phase.name(lang) if phase else t('overview.no_phase', lang)}"
        f"   ·   {voting_text(e, data.as_of, lang)}"
    )

    def election_box(y):
        ax.add_patch(
            Rectangle(
                (M, y - 0.72), width, 0.72, facecolor="#F3F5F8", edgecolor="#C9D1DA", linewidth=0.8
            )
        )
        ax.text(
            M + 0.15,
            y - 0.2,
            e.name(lang),
            ha="left",
            va="center",
            fontsize=10,
            fontweight="bold",
            color=INK,
        )
        ax.text(M + 0.15, y - 0.5, phase_line, ha="left", va="center", fontsize=10, color=INK)
        if phase:
            ax.add_patch(
                Rectangle(
                    (W - M - 0.35, y - 0.58),
                    0.2,
                    0.44,
                    facecolor=style.phase_colours(p.key for p in e.phases)[phase.key],
                    edgecolor="#777777",
                    linewidth=0.5,
                )
            )

    flow.add(0.45 - line_height(10), 0.72, election_box)

    # headline numbers with their change
    flow.text(0.33, t("sitrep.headline", lang), 11.5, fontweight="bold")
    flow.lines(
        0.3 - line_height(11.5),
        0.19,
        _wrap(baseline_text(data, lang), width, 8.5, italic=True),
        8.5,
        color=GREY,
        style="italic",
    )
    cols = [M, M + 3.0, M + 4.3, M + 5.6, W - M]
    right = ["left", "right", "right", "right"]
    head_h, row_h = line_height(8.5), line_height(10.5)
    before = data.headline_before

    def headline_table(y):
        y -= head_h / 2  # rows are centred on their y
        heads = ["", t("sitrep.now", lang), t("sitrep.change", lang), t("sitrep.before", lang)]
        _rows(ax, cols, y, heads, 8.5, True, align=right)
        y -= 0.1
        ax.plot([M, W - M], [y, y], color="#C9D1DA", linewidth=0.6)
        for key in HEADLINE:
            y -= 0.3
            now = data.headline[key]
            cells = [t(f"kpi.{key}", lang), num(now, lang)]
            colours = {}
            if before is not None:
                delta = now - before[key]
                cells += [signed(delta, lang), num(before[key], lang)]
                if delta > 0 and key in WORSE_WHEN_UP:
                    colours[2] = WORSE
            else:
                cells += ["–", "–"]
            _rows(ax, cols, y, cells, 10.5, False, colours, align=right)

    flow.add(
        0.38 - line_height(8.5), head_h / 2 + 0.1 + 0.3 * len(HEADLINE) + row_h / 2, headline_table
    )

    # what needs doing, in bullets (one more when a voter list is held), wrapped to the page
    n_dec, n_closed = len(data.decisions), len(data.closed)
    bullets = (
        t("sitrep.cover_decisions", lang, n=num(n_dec, lang)),
        t("sitrep.cover_closed", lang, n=num(n_closed, lang), since=when(data.closed_since, lang)),
        t("sitrep.cover_changes", lang, n=num(len(data.changes), lang)),
        *_voter_line(data, lang),
    )
    indent = text_size("•  ", 9.5)[0]
    for i, text in enumerate(bullets):
        parts = _wrap(text, width - indent, 9.5)
        gap = 0.45 - row_h / 2 if i == 0 else 0.27 - line_height(9.5)
        for j, part in enumerate(parts):

            def draw(y, part=part, first=j == 0):
                if first:
                    ax.text(M, y, "•", ha="left", va="top", fontsize=9.5, color=INK)
                ax.text(M + indent, y, part, ha="left", va="top", fontsize=9.5, color=INK)

            flow.add(gap if j == 0 else 0.2 - line_height(9.5), line_height(9.5), draw)

    # office area: each office and the regencies it covers in the pack
    flow.text(0.52 - line_height(9.5), t("sitrep.office_area", lang), 11.5, fontweight="bold")
    offices = regions.offices().set_index("id")
    gap = 0.32 - line_height(11.5)
    for office in dict.fromkeys(data.areas.values()):
        codes = [c for c, o in data.areas.items() if o == office]
        line = f"{offices.loc[office, 'name']}: {', '.join(regions.regency_name(c) for c in codes)}"
        flow.lines(gap, 0.2, _wrap(line, width, 8.5), 8.5)
        gap = 0.26 - line_height(8.5)

    # contents
    flow.text(0.46 - line_height(8.5), t("sitrep.contents", lang), 11.5, fontweight="bold")
    keys = ("map_title", "decisions_title", "days_title", "table_title", "changes_title")
    flow.lines(
        0.3 - line_height(11.5),
        0.22,
        [f"{n}.  {t('sitrep.' + key, lang)}" for n, key in enumerate(keys, 2)],
        9,
    )

    # the fingerprint note at the foot, drawn upwards from the footer; the flow ends above it
    note = _wrap(t("sitrep.fingerprint_note", lang), width, 7)
    pitch = 0.125
    y = BOTTOM + 0.05 + (len(note) - 1) * pitch + line_height(7)
    note_top = y
    for part in note:
        ax.text(M, y, part, ha="left", va="top", fontsize=7, color=GREY)
        y -= pitch
    flow.place(TOP, note_top + 0.15)
    return fig


def _voter_line(data: Sitrep, lang: str) -> list[str]:
    """Foreign residents on the area's voter lists (issue 25), when a list is held: counts only."""
    v = data.voter_matches
    if v is None:
        return []
    where = ", ".join(
        f"{regions.regency_name(c)} {num(n, lang)}" for c, n in v["by_regency"].items()
    )
    return [t("sitrep.cover_voter_matches", lang, n=num(v["total"], lang), where=where or "–")]


def _map_page(data: Sitrep, lang: str, marking: str) -> Figure:
    fig, ax = _page(data, lang, marking, 2, t("sitrep.map_title", lang))
    inp = briefing.BriefingInput(
        values=data.map_values,
        metric_label=t("metric.risk_score", lang),
        start=data.start,
        end=data.end,
        as_of=data.made_at,
        office_areas=regions.areas_on(data.as_of),
        alerts=data.markers
        if data.markers is not None
        else pd.DataFrame(columns=["lat", "lon", "severity", "election_related"]),
        lang=lang,
        marking=marking,
        demo=data.demo,
        as_of_date=data.as_of,
    )
    width = W - 2 * M
    map_h = width / briefing.MAP_RATIO
    top = TOP - 0.45
    ax.text(
        M,
        TOP - 0.12,
        t(
            "sitrep.map_sub",
            lang,
            start=day(data.start, lang),
            end=day(data.end, lang),
            as_of=day(data.as_of, lang),
        ),
        ha="left",
        va="top",
        fontsize=9,
        color=GREY,
    )
    gap = 0.15
    half = (width - gap) / 2
    row = top - map_h - gap - 2.2  # bottom of the five highest
    boxes = {
        "map": (M, top - map_h, width, map_h),
        "top5": (M, row, half, 2.2),
        "legend_map": (M, row - 1.75, half, 1.6),
        "legend_values": (M + half + gap, row + 1.0, half, 1.2),
        "legend_alerts": (M + half + gap, row - 0.6, half, 1.5),
    }
    first = len(fig.axes)
    briefing.draw_panels(fig, briefing.Layout(W, H, boxes), inp)
    fig.axes[first].set_label("map")  # draw_panels' first axes; its place names are its own
    _top5_detail(ax, data, lang, row - 2.0)
    # the source line above the boundaries' attribution, stacked upwards from measured heights
    attribution = _wrap(source_text(regions.attribution(), lang), W - 2 * M, 6.5)
    y = BOTTOM + 0.02
    for part in reversed(attribution):
        ax.text(M, y, part, ha="left", va="bottom", fontsize=6.5, color=GREY)
        y += 0.11
    source = t("briefing.source_line", lang, batches=data.batches)
    y += 0.06 + line_height(6.5) - 0.11
    ax.text(M, y, source, ha="left", va="bottom", fontsize=7.5, color=GREY)
    return fig


def _top5_detail(ax, data: Sitrep, lang: str, y: float) -> None:
    """The five highest with what drives their score: change, largest component, incidents."""
    ax.text(
        M,
        y,
        t("sitrep.top5_detail", lang),
        ha="left",
        va="top",
        fontsize=9.5,
        fontweight="bold",
        color=INK,
    )
    y -= 0.38
    cols = [M, M + 1.9, M + 2.5, M + 3.1, M + 5.8, W - M]
    align = ["left", "right", "right", "left", "right"]
    _rows(
        ax,
        cols,
        y,
        [
            t("overview.regency", lang),
            t("sitrep.col_score", lang),
            t("sitrep.col_delta", lang),
            t("sitrep.col_largest", lang),
            t("sitrep.col_incidents_election", lang),
        ],
        7.5,
        True,
        align=align,
    )
    top = (
        data.regencies.dropna(subset=["score"])
        .sort_values("score", ascending=False, kind="stable")
        .head(5)
    )
    for code, r in top.iterrows():
        y -= 0.21
        k = max(RISK_COMPONENTS, key=lambda c: (r[f"{c}_points"], -RISK_COMPONENTS.index(c)))
        before = r.get("score_before")
        delta = (
            signed(r["score"] - before, lang, 1) if before is not None and pd.notna(before) else "–"
        )
        _rows(
            ax,
            cols,
            y,
            [
                regions.regency_name(code),
                num(r["score"], lang, 1),
                delta,
                f"{t('alerts.risk_' + k, lang)} ({num(r[k + '_points'], lang, 1)})",
                f"{num(r['incidents'], lang)} ({num(r['election_incidents'], lang)})",
            ],
            7.5,
            align=align,
        )


def _decisions_page(data: Sitrep, lang: str, marking: str) -> Figure:
    fig, ax = _page(data, lang, marking, 3, t("sitrep.decisions_title", lang))
    y = TOP - 0.2
    for part in _wrap(t("sitrep.decisions_sub", lang, as_of=day(data.as_of, lang)), W - 2 * M, 8.5):
        ax.text(M, y, part, ha="left", va="top", fontsize=8.5, color=GREY, style="italic")
        y -= 0.19
    y -= 0.23
    cols = [M, M + 0.65, M + 2.35, M + 4.35, M + 5.15, M + 5.7, W - M]
    heads = [
        t(f"sitrep.col_{k}", lang) for k in ("severity", "place", "rule", "date", "age", "holder")
    ]
    shown = data.decisions.head(DECISION_ROWS)
    if shown.empty:
        ax.text(M, y, t("sitrep.no_decisions", lang), ha="left", va="top", fontsize=10, color=INK)
        y -= 0.35
    else:
        _rows(ax, cols, y, heads, 8, True)
        y -= 0.08
    agency = None
    for a in shown.to_dict("records"):
        if a["agency"] != agency:
            agency = a["agency"]
            y -= 0.3
            n = int((data.decisions["agency"] == agency).sum())
            ax.add_patch(
                Rectangle((M, y - 0.12), W - 2 * M, 0.24, facecolor="#E8EDF3", edgecolor="none")
            )
            ax.text(
                M + 0.05,
                y,
                t("sitrep.agency", lang, agency=agency, n=n),
                ha="left",
                va="center",
                fontsize=8.5,
                fontweight="bold",
                color=INK,
            )
        y -= 0.24
        holder = (
            t(
                "sitrep.holder",
                lang,
                who=a["assigned_to"],
                since=day(to_wita(a["assigned_at"]).date(), lang),
            )
            if isinstance(a.get("assigned_to"), str)
            and a["assigned_to"]
            and pd.notna(a.get("assigned_at"))
            else a["assigned_to"]
            if isinstance(a.get("assigned_to"), str) and a["assigned_to"]
            else t("sitrep.nobody", lang)
        )
        age = formats.age(a["age_days"], lang)
        sev = t(f"alerts.severity_{a['severity']}", lang)
        cells = [
            sev,
            _fit(a["place"], cols[2] - cols[1] - 0.08, 7.5),
            _fit(t(f"alerts.{a['rule']}", lang), cols[3] - cols[2] - 0.08, 7.5),
            formats.date(a["date"], lang),
            age,
            _fit(holder, cols[6] - cols[5] - 0.06, 7.5),
        ]
        _rows(ax, cols, y, cells, 7.5, False, {0: style.ALERT_SEVERITY[a["severity"]]})
    more = len(data.decisions) - len(shown)
    if more > 0:
        y -= 0.28
        ax.text(
            M,
            y,
            t("sitrep.more", lang, n=num(more, lang)),
            ha="left",
            va="center",
            fontsize=8,
            color=GREY,
            style="italic",
        )
    # closed since the last pack
    y = min(y - 0.55, BOTTOM + 0.5 + 0.24 * (CLOSED_ROWS + 2))
    ax.text(
        M,
        y,
        t("sitrep.closed_title", lang, since=when(data.closed_since, lang)),
        ha="left",
        va="top",
        fontsize=11,
        fontweight="bold",
        color=INK,
    )
    y -= 0.45
    closed = data.closed.head(CLOSED_ROWS)
    if closed.empty:
        ax.text(M, y, t("sitrep.no_closed", lang), ha="left", va="center", fontsize=9, color=INK)
    else:
        cols2 = [M, M + 0.65, M + 2.35, M + 4.2, M + 5.7, W - M]
        _rows(
            ax,
            cols2,
            y,
            [
                t(f"sitrep.col_{k}", lang)
                for k in ("severity", "place", "rule", "closed_at", "closed_by")
            ],
            8,
            True,
        )
        for a in closed.to_dict("records"):
            y -= 0.24
            _rows(
                ax,
                cols2,
                y,
                [
                    t(f"alerts.severity_{a['severity']}", lang),
                    _fit(a["place"], cols2[2] - cols2[1] - 0.08, 7.5),
                    _fit(t(f"alerts.{a['rule']}", lang), cols2[3] - cols2[2] - 0.08, 7.5),
                    _fit(when(a["status_changed_at"], lang), cols2[4] - cols2[3] - 0.08, 7.5),
                    _fit(a["status_changed_by"] or "–", cols2[5] - cols2[4] - 0.06, 7.5),
                ],
                7.5,
            )
        if len(data.closed) > len(closed):
            y -= 0.26
            ax.text(
                M,
                y,
                t("sitrep.more", lang, n=num(len(data.closed) - len(closed), lang)),
                ha="left",
                va="center",
                fontsize=8,
                color=GREY,
                style="italic",
            )
    return fig


def _days_page(data: Sitrep, lang: str, marking: str) -> Figure:
    fig, ax = _page(data, lang, marking, 4, t("sitrep.days_title", lang))
    e = data.election
    colours = style.phase_colours(p.key for p in e.phases)
    spans = phase_spans(e, data.start, data.end)
    days = pd.to_datetime(pd.Series(data.daily["day"]))
    panels = [
        ("persons", t("chart.persons", lang), "#4A6FA5", TOP - 0.55 - 3.6),
        ("incidents", t("chart.incidents", lang), "#6B6B8D", TOP - 0.55 - 3.6 - 0.75 - 3.3),
    ]
    ax.text(
        M,
        TOP - 0.12,
        t("sitrep.days_sub", lang, start=day(data.start, lang), end=day(data.end, lang)),
        ha="left",
        va="top",
        fontsize=9,
        color=GREY,
    )
    lo, hi = (
        mdates.date2num(pd.Timestamp(data.start)),
        mdates.date2num(pd.Timestamp(data.end) + pd.Timedelta(days=1)),
    )
    for key, label, colour, y0 in panels:
        h = 3.6 if key == "persons" else 3.3
        cax = fig.add_axes([(M + 0.55) / W, y0 / H, (W - 2 * M - 0.6) / W, h / H])
        for p, first, last in spans:
            cax.axvspan(
                mdates.date2num(pd.Timestamp(first)),
                mdates.date2num(pd.Timestamp(last) + pd.Timedelta(days=1)),
                color=colours[p.key],
                alpha=0.45,
                linewidth=0,
                zorder=0,
            )
        if data.start <= e.voting_day <= data.end:
            x = mdates.date2num(pd.Timestamp(e.voting_day) + pd.Timedelta(hours=12))
            cax.axvline(x, color=style.VOTING_DAY, linewidth=1.6, linestyle="--", zorder=3)
        x = mdates.date2num(days + pd.Timedelta(hours=12))
        values = data.daily[key].to_numpy(dtype=float)
        cax.bar(x, values, width=0.7, color=colour, zorder=2)
        for xi, v in zip(x, values):
            cax.text(
                xi, v, num(v, lang), ha="center", va="bottom", fontsize=6.5, color=INK, zorder=4
            )
        cax.set_xlim(lo, hi)
        cax.set_ylim(0, max(1.0, float(values.max()) if len(values) else 1.0) * 1.15)
        cax.set_title(label, loc="left", fontsize=10, fontweight="bold", color=INK)
        cax.xaxis.set_major_locator(mdates.DayLocator())
        cax.xaxis.set_major_formatter(
            matplotlib.ticker.FuncFormatter(
                lambda v, _p: formats.date(mdates.num2date(v).date(), lang)[:5]
            )
        )  # dd/mm
        cax.tick_params(axis="x", labelsize=6.5, rotation=0)
        cax.tick_params(axis="y", labelsize=7)
        cax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _p: num(v, lang)))
        for side in ("top", "right"):
            cax.spines[side].set_visible(False)
    handles = [
        Patch(facecolor=colours[p.key], alpha=0.6, label=p.name(lang))
        for p in e.phases
        if p.key in {s[0].key for s in spans}
    ]
    if data.start <= e.voting_day <= data.end:
        handles.append(
            Line2D(
                [], [], color=style.VOTING_DAY, linestyle="--", label=t("timeline.voting_day", lang)
            )
        )
    if not handles:
        handles.append(
            Patch(facecolor="white", edgecolor="#999999", label=t("overview.no_phase", lang))
        )
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(M / W, (panels[1][3] - 0.45) / H),
        ncol=2,
        frameon=False,
        fontsize=8,
        title=t("sitrep.phases", lang),
        title_fontsize=8.5,
        alignment="left",
    )
    return fig


COMPONENT_SHORT = {k: f"sitrep.short_{k}" for k in RISK_COMPONENTS}


def _table_columns(heads: list[str], rows: list[list[str]], width: float):
    """Column widths (in) that fit each column's widest cell and its heading's widest word, with
    COL_GAP between columns; the room left over is shared equally. Returns (widths, heading
    size, heading lines): when the words do not fit at HEAD_SIZE, the headings shrink (at least
    to HEAD_MIN); each heading is wrapped, by measured width, to its column."""
    cells = [
        max([text_size(r[i], CELL_SIZE, bold=i == 1)[0] for r in rows] or [0.0])
        for i in range(len(heads))
    ]
    size = HEAD_SIZE
    while True:
        words = [
            max(text_size(w, size, True)[0] for w in _wrap(h, 0.01, size, True)) for h in heads
        ]
        need = [max(c, w) + COL_GAP for c, w in zip(cells, words)]
        need[0] += PAD  # the left-aligned first column: its text starts at the edge
        if sum(need) <= width or size <= HEAD_MIN:
            break
        size -= 0.25
    # where there is room, a heading of three words or more gets two lines, not three
    two = [
        max(n, _two_lines(h, size) + COL_GAP + (PAD if i == 0 else 0))
        for i, (n, h) in enumerate(zip(need, heads))
    ]
    if sum(two) <= width:
        need = two
    spare = max(0.0, width - sum(need)) / len(need)
    widths = [n + spare for n in need]
    lines = [_wrap(h, w - COL_GAP, size, True) for h, w in zip(heads, widths)]
    return widths, size, lines


def _two_lines(text: str, size: float) -> float:
    """The least width (in) in which `text` (bold, at `size`) wraps to at most two lines."""
    words = text.split()
    if len(words) < 3:
        return 0.0
    return (
        min(
            max(
                text_size(" ".join(words[:k]), size, True)[0],
                text_size(" ".join(words[k:]), size, True)[0],
            )
            for k in range(1, len(words))
        )
        / 0.98
    )


def _table_page(data: Sitrep, lang: str, marking: str) -> Figure:
    fig, ax = _page(data, lang, marking, 5, t("sitrep.table_title", lang))
    y = TOP - 0.2
    for part in _wrap(
        t("sitrep.table_sub", lang, start=day(data.start, lang), end=day(data.end, lang)),
        W - 2 * M,
        8.5,
    ):
        ax.text(M, y, part, ha="left", va="top", fontsize=8.5, color=GREY, style="italic")
        y -= 0.19
    regs = data.regencies.sort_values("score", ascending=False, kind="stable")
    heads = (
        [t("overview.regency", lang), t("sitrep.col_score", lang), t("sitrep.col_delta", lang)]
        + [t(COMPONENT_SHORT[k], lang) for k in RISK_COMPONENTS]
        + [
            t("sitrep.col_present", lang),
            t("sitrep.col_incidents", lang),
            t("sitrep.col_election", lang),
            t("sitrep.col_per_1000", lang),
        ]
    )
    rows, worse = [], []
    for code, r in regs.iterrows():
        before = r.get("score_before")
        delta = r["score"] - before if before is not None and pd.notna(before) else None
        rows.append(
            [
                regions.regency_name(code),
                num(r["score"], lang, 1),
                signed(delta, lang, 1) if delta is not None else "–",
            ]
            + [num(r[f"{k}_points"], lang, 1) for k in RISK_COMPONENTS]
            + [
                num(r["present"], lang),
                num(r["incidents"], lang),
                num(r["election_incidents"], lang),
                num(r["per_1000_voters"], lang, 2),
            ]
        )
        worse.append(delta is not None and delta > 0)
    widths, head_size, head_lines = _table_columns(heads, rows, W - 2 * M)
    cols = [M]
    for w in widths:
        cols.append(cols[-1] + w)
    align = ["left"] + ["right"] * (len(heads) - 1)
    pitch = head_size * 1.1 / 72  # the headings' line spacing
    tallest = max(len(lines) for lines in head_lines)
    y -= 0.3 + (tallest - 1) * pitch + line_height(head_size)  # the headings' bottom line
    for i, lines in enumerate(head_lines):  # headings wrapped to the column, bottom-aligned
        xx = cols[i + 1] - PAD if align[i] == "right" else cols[i]
        for j, part in enumerate(reversed(lines)):
            ax.text(
                xx,
                y + j * pitch,
                part,
                ha=align[i],
                va="bottom",
                fontsize=head_size,
                fontweight="bold",
                color=INK,
            )
    y -= 0.08
    ax.plot([M, cols[-1]], [y, y], color="#9AA5B1", linewidth=0.7)
    for n, (cells, up) in enumerate(zip(rows, worse)):
        y -= 0.3
        if n % 2 == 0:
            ax.add_patch(
                Rectangle((M, y - 0.15), cols[-1] - M, 0.3, facecolor="#F3F5F8", edgecolor="none")
            )
        _rows(ax, cols, y, cells, CELL_SIZE, False, {2: WORSE} if up else {}, align)
        ax.texts[-len(cells) + 1].set_fontweight("bold")
    y -= 0.45
    notes = [
        t("sitrep.table_note_score", lang),
        t("sitrep.table_note_delta", lang, baseline=baseline_text(data, lang)),
    ]
    notes += [
        f"{t(COMPONENT_SHORT[k], lang)} = {t('alerts.risk_' + k, lang)}" for k in RISK_COMPONENTS
    ]
    for note in notes:
        for part in _wrap(note, W - 2 * M, 7.5):
            ax.text(M, y, part, ha="left", va="top", fontsize=7.5, color=GREY)
            y -= 0.19
    return fig


def _changes_page(data: Sitrep, lang: str, marking: str) -> Figure:
    fig, ax = _page(data, lang, marking, 6, t("sitrep.changes_title", lang))
    y = TOP - 0.2
    for part in _wrap(baseline_text(data, lang), W - 2 * M, 9):
        ax.text(M, y, part, ha="left", va="top", fontsize=9, color=GREY, style="italic")
        y -= 0.22
    y -= 0.2
    sentences = change_sentences(data.changes, lang)
    if data.baseline["kind"] == "none":
        sentences = []
        ax.text(M, y, t("sitrep.no_baseline", lang), ha="left", va="top", fontsize=10, color=INK)
    elif not sentences:
        ax.text(M, y, t("sitrep.no_changes", lang), ha="left", va="top", fontsize=10, color=INK)
    for s in sentences:
        lines = _wrap(s, W - 2 * M - 0.25, 9.5)
        ax.text(M, y, "•", ha="left", va="top", fontsize=9.5, color=INK)
        for part in lines:
            ax.text(M + 0.2, y, part, ha="left", va="top", fontsize=9.5, color=INK)
            y -= 0.22
        y -= 0.1
    return fig


PAGE_MAKERS = (_cover, _map_page, _decisions_page, _days_page, _table_page, _changes_page)


def render(
    data: Sitrep, lang: str = "id", marking: str = style.DEFAULT_MARKING, pngs: bool = True
) -> Rendered:
    """The pack as one PDF (its text can be searched and read back) and, with `pngs`, one PNG
    per page: each page is drawn once, into the PDF, and the PNGs are that PDF's pages
    rasterised (PDFium), so a PNG shows exactly what its PDF page does. Drawing every page a
    second time with Agg cost 1.8 s CPU of the 3.2 s the drawing took on the demo data; PDFium
    rasterises the six pages in 0.4 s (scripts/bench_sitrep.py, README "Situation report")."""
    if marking not in style.MARKINGS:
        raise ValueError(f"marking must be one of {style.MARKINGS}, not {marking!r}")
    buf = io.BytesIO()
    with briefing.RENDER_LOCK:  # matplotlib's and PDFium's state: one render at a time
        with PdfPages(
            buf,
            metadata={
                "Title": t("sitrep.title", lang),
                "Subject": marking,
                "Creator": "Timpora NTB",
            },
        ) as pdf:
            for make in PAGE_MAKERS:
                pdf.savefig(make(data, lang, marking))
        pdf_bytes = buf.getvalue()
        images = page_pngs(pdf_bytes) if pngs else []
    return Rendered(pdf_bytes, images, len(PAGE_MAKERS))


def page_pngs(pdf: bytes, dpi: int = DPI) -> list[bytes]:
    """Each page of `pdf` as a PNG at `dpi`, W x H inches in whole pixels (1240 x 1754 at 150 dpi).
    Call it holding briefing.RENDER_LOCK (PDFium serves one thread at a time)."""
    size = (round(W * dpi), round(H * dpi))
    doc = pdfium.PdfDocument(pdf)
    out = []
    try:
        for page in doc:
            bitmap = page.render(scale=dpi / 72)
            # PDFium rounds the page (595.2 x 841.92 pt) up: cut to the page's whole pixels
            img = bitmap.to_pil().crop((0, 0, *size))
            png = io.BytesIO()
            img.save(png, format="png", dpi=(dpi, dpi), pnginfo=_PNG_INFO, compress_level=1)
            out.append(png.getvalue())  # compress_level 1: speed over a few kB
            bitmap.close()
            page.close()
    finally:
        doc.close()
    return out


_PNG_INFO = PngInfo()
_PNG_INFO.add_text("Software", "Timpora NTB")


if __name__ == "__main__":
    # The command line gathers from the database, which this layer never imports: it runs
    # services/sitrep.py's, by name, only when this file is run as a program (the renderer
    # itself, imported, loads no storage or services module; tests/unit/test_sitrep.py checks).
    import runpy

    runpy.run_module("services.sitrep", run_name="__main__", alter_sys=True)
