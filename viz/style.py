"""The look shared by the browser map, the printed briefing (viz/briefing.py) and the timeline:
one palette, one list of classification markings, one place for where regency names go.

No plotting library is imported here: plotly (the browser) and matplotlib (the briefing) both
read these plain values.
"""

from __future__ import annotations

import math

from plotly.colors import sample_colorscale, unlabel_rgb

# Classification markings (klasifikasi) for anything that leaves the screen: the briefing's
# banner and the browser map's banner use the same words and colours (background, text).
MARKINGS = ("BIASA", "TERBATAS", "RAHASIA")
DEFAULT_MARKING = "TERBATAS"
MARKING_COLOURS = {
    "BIASA": ("#1B7F3B", "white"),
    "TERBATAS": ("#F2A900", "black"),
    "RAHASIA": ("#C8102E", "white"),
}

# Sequential blues for the regency values: alerts are yellow-to-red, so the fill must not be.
# matplotlib's "Blues" from 0.12 to 0.95 (the palest end is cut so the lowest value is not
# mistaken for the "no data" grey), as hex stops both libraries read.
SEQUENTIAL = (
    "#dfecf7",
    "#cbdef1",
    "#aed1e7",
    "#87bddc",
    "#60a7d2",
    "#3e8ec4",
    "#2272b6",
    "#0e58a2",
    "#083c7d",
)
NO_DATA = "#E4E4E4"
NO_DATA_HATCH = "#9E9E9E"
REGENCY_EDGE = "white"
OFFICE = "#1C1C28"  # office markers, working-area outlines and their labels
SELECTED = "#C2185B"  # the chosen regency's outline: neither a value blue nor an alert red
PORT = "#1C1C28"
TEXT = "#1A1A1A"
LABEL_ON_DARK = "#FFFFFF"  # a regency's name on a dark fill (label_on)
SEA = "#F4F8FB"

# Severity, yellow to dark red: alerts (peringatan) by severity name, for charts and markers.
ALERT_SEVERITY = {
    "rendah": "#FFE033",
    "sedang": "#FF8C00",
    "tinggi": "#E31A1C",
    "kritis": "#7A0010",
}
# Streamlit's markdown colours only by name (:red[...]): the nearest names, for the severities
# that stand out in a line of text (the overview's decision list).
TEXT_SEVERITY = {"kritis": "red", "tinggi": "orange"}

# Incidents on the map by severity 1-5, coloured like the alert severity of the same word
# (vocabularies.toml [severity]: 2 rendah .. 5 kritis; 1, "sangat rendah", shares rendah's yellow):
# (colour, size in px on the browser map, area in pt² in print).
_INCIDENT_LOOK = {
    1: ("rendah", 7, 28.0),
    2: ("rendah", 8, 28.0),
    3: ("sedang", 10, 52.0),
    4: ("tinggi", 12, 82.0),
    5: ("kritis", 15, 125.0),
}
SEVERITY = {n: (ALERT_SEVERITY[name], px, pt2) for n, (name, px, pt2) in _INCIDENT_LOOK.items()}
ELECTION_EDGE = "black"  # an election-related incident has a black edge


def colorscale() -> list[list]:
    """SEQUENTIAL as a plotly colour scale."""
    n = len(SEQUENTIAL) - 1
    return [[i / n, c] for i, c in enumerate(SEQUENTIAL)]


TICK_STEPS = (1, 2, 2.5, 5, 10)  # × 10ⁿ: the colour bar's tick steps (as matplotlib's MaxNLocator)


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of "#rrggbb"."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def fill_at(fraction: float) -> str:
    """The regency fill at `fraction` (0-1) of the value scale, "#rrggbb", as plotly draws it."""
    r, g, b = unlabel_rgb(sample_colorscale(colorscale(), [min(max(fraction, 0.0), 1.0)])[0])
    return f"#{int(r):02x}{int(g):02x}{int(b):02x}"


def label_on(fill: str) -> str:
    """TEXT or LABEL_ON_DARK, whichever contrasts more with `fill` (WCAG contrast ratio): a
    regency's name in dark text on the pale blues, in white on the dark ones (a dark name with a
    white halo all but vanished on the darkest fill)."""
    lum = _luminance(fill)
    on_dark = (_luminance(LABEL_ON_DARK) + 0.05) / (lum + 0.05)
    on_light = (lum + 0.05) / (_luminance(TEXT) + 0.05)
    return LABEL_ON_DARK if on_dark > on_light else TEXT


def colourbar_ticks(
    top: float, integer: bool, label=None, room: float = math.inf
) -> tuple[list[float], int]:
    """The colour bar's ticks from 0 to `top` (steps of 1, 2, 2.5 or 5 × 10ⁿ; whole numbers when
    `integer`) and the decimals they need: as many as 6, fewer when their labels (`label(value,
    decimals)`, with two characters between them) would not fit in `room` characters. The browser
    map and the printed briefing both label them with the language's full numbers (400.000, not
    plotly's "400k")."""
    if not top > 0:
        return [0.0], 0
    for most in (5, 4, 3, 2, 1):
        ticks, decimals = _ticks(top, integer, most)
        if label is None or sum(len(label(v, decimals)) + 2 for v in ticks) <= room:
            break
    return ticks, decimals


def _ticks(top: float, integer: bool, most: int) -> tuple[list[float], int]:
    raw = top / most
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in TICK_STEPS if m * mag >= raw * (1 - 1e-9))
    if integer:
        step = max(1.0, round(step))
    digits = max(0, -math.floor(math.log10(step))) + 2  # float noise off (0.30000000000000004)
    ticks = [round(i * step, digits) for i in range(int(top / step + 1e-9) + 1)]
    decimals = next((d for d in range(4) if all(abs(round(v, d) - v) < 1e-9 for v in ticks)), 3)
    return ticks, decimals


# Election phases on the timeline: one colour per phase key (ColorBrewer Set3, pastel enough to
# sit behind a line). Voting day is drawn as a line in VOTING_DAY, not as a band.
PHASES = {
    "pemutakhiran_dpt": "#80B1D3",
    "verifikasi": "#8DD3C7",
    "pendaftaran": "#B3DE69",
    "penetapan": "#CCEBC5",
    "pengundian": "#FFED6F",
    "kampanye": "#FDB462",
    "masa_tenang": "#FB8072",
    "rekapitulasi": "#BEBADA",
    "pemungutan": "#B30000",
    "sengketa": "#FCCDE5",
    "pelantikan": "#BC80BD",
}
VOTING_DAY = PHASES["pemungutan"]
# For a calendar with phase keys not listed above (another election file): used in order.
SPARE_PHASE_COLOURS = (
    "#D9EF8B",
    "#A6CEE3",
    "#FDBF6F",
    "#CAB2D6",
    "#B2DF8A",
    "#FB9A99",
    "#E5D8BD",
    "#CCCCCC",
)


def phase_colours(keys) -> dict[str, str]:
    """A distinct colour for each phase key, known keys first, then the spare ones."""
    spare = iter(c for c in SPARE_PHASE_COLOURS if c not in PHASES.values())
    return {k: PHASES.get(k) or next(spare, "#DDDDDD") for k in dict.fromkeys(keys)}


# Where a regency's name goes when its interior point does not suit: (lon, lat, ha, leader line).
# The two small cities get a name in the sea with a leader line; others avoid offices and airports.
LABEL_AT = {
    "52.01": (115.950, -8.845, "center", False),  # Lombok Barat: off the Sekotong peninsula
    "52.03": (
        116.530,
        -8.538,
        "center",
        False,
    ),  # Lombok Timur: above its point, clear of its office
    "52.02": (116.300, -8.830, "center", False),  # Lombok Tengah: south of the airport (LOP)
    "52.71": (116.025, -8.520, "right", True),  # Kota Mataram: in the strait, clear of the edge
    "52.72": (118.930, -8.330, "left", True),  # Kota Bima: north-east
}
