"""AppTest: the overview's headline numbers with their change, the alerts needing a decision and
their links, the risers; the map drill-down's risk explanation. On the small hand-built database
(tests/overview_fixture.py), so every figure is known."""

from __future__ import annotations

import time

import pytest
from streamlit.proto.Metric_pb2 import Metric

from tests.app.conftest import ROOT
from tests.overview_fixture import alert_id, build
from ui.text import inert

RED, GRAY = Metric.MetricColor.RED, Metric.MetricColor.GRAY
UP, DOWN = Metric.MetricDirection.UP, Metric.MetricDirection.DOWN
QUIET = {"from": "2024-11-24", "to": "2024-11-26"}  # the quiet period; compared with 21-23/11/2024


@pytest.fixture(scope="module")
def small_db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('overview_app') / 'small.sqlite'}"
    build(url)
    return url


@pytest.fixture
def page(small_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("NTB_DB_URL", small_db)

    def make(path: str, lang: str, params: dict):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
        at.session_state["lang"] = lang
        at.session_state["auth"] = {
            "name": "test-viewer",
            "role": "viewer",
            "method": "local",
            "last_seen": time.time(),
        }
        for k, v in params.items():
            at.query_params[k] = v
        at.switch_page(path)
        return at.run()

    return make


METRICS = {
    "id": [
        ("Orang asing hadir", "1.210", "+1.196", GRAY, UP, "dari 14"),
        ("Kejadian", "5", "+3", RED, UP, "dari 2"),
        ("Terkait Pilkada", "2", "+1", RED, UP, "dari 1"),
        ("Belum selesai ditindaklanjuti", "4", "+3", RED, UP, "dari 1"),
        ("Kedatangan di TPI", "80", "-20", GRAY, DOWN, "dari 100"),
    ],
    "en": [
        ("Foreign nationals present", "1,210", "+1,196", GRAY, UP, "from 14"),
        ("Incidents", "5", "+3", RED, UP, "from 2"),
        ("Election-related", "2", "+1", RED, UP, "from 1"),
        ("Follow-up still open", "4", "+3", RED, UP, "from 1"),
        ("Arrivals at ports of entry", "80", "-20", GRAY, DOWN, "from 100"),
    ],
}
AIRPORT = inert("Bandara Internasional Lombok Zainuddin Abdul Madjid (LOP)")
SUMBAWA, LOBAR, DOMPU, LOTIM = (
    inert(f"Kab. {n}") for n in ("Sumbawa", "Lombok Barat", "Dompu", "Lombok Timur")
)
# (alert key, the link's label); names from files go through ui.text.inert, as on the page
DECISIONS = {
    "id": [
        (
            "election_sensitive_incident|52.04|2024-11-26|K07",
            f":red[**Kritis**] · {SUMBAWA} · Imigrasi · hari ini · Kejadian sensitif Pilkada",
        ),
        (
            "election_sensitive_incident|52.72|2024-11-24|K03",
            ":red[**Kritis**] · Kota Bima · Polda NTB · 2 hari · Kejadian sensitif Pilkada",
        ),
        (
            "hand:port",
            f":orange[**Tinggi**] · {AIRPORT} · Imigrasi · 1 hari · Lonjakan perlintasan di TPI/pelabuhan",
        ),
        (
            "hand:overstay",
            f"**Sedang** · {LOBAR} · Imigrasi · hari ini · Melebihi izin tinggal (overstay)",
        ),
        (
            "hand:expiring",
            f"**Rendah** · {DOMPU} · Imigrasi · hari ini · Izin tinggal habis pada masa kampanye/masa tenang",
        ),
        (
            "hand:older",
            f"**Rendah** · {LOTIM} · Imigrasi · 1 hari · Melebihi izin tinggal (overstay)",
        ),
    ],
    "en": [
        (
            "election_sensitive_incident|52.04|2024-11-26|K07",
            f":red[**Critical**] · {SUMBAWA} · Imigrasi · today · Election-sensitive incident",
        ),
        (
            "election_sensitive_incident|52.72|2024-11-24|K03",
            ":red[**Critical**] · Kota Bima · Polda NTB · 2 days · Election-sensitive incident",
        ),
        (
            "hand:port",
            f":orange[**High**] · {AIRPORT} · Imigrasi · 1 day · Spike in crossings at a port of entry",
        ),
        ("hand:overstay", f"**Medium** · {LOBAR} · Imigrasi · today · Overstay"),
        (
            "hand:expiring",
            f"**Low** · {DOMPU} · Imigrasi · today · Stay permit expiring in the campaign or quiet period",
        ),
        ("hand:older", f"**Low** · {LOTIM} · Imigrasi · 1 day · Overstay"),
    ],
}
RISERS = {
    "id": (
        "Skor risiko naik paling tajam sejak 23/11/2024",
        [
            "- **Kota Mataram** 14,0 → 39,9 (+25,9); perubahan terbesar: Rata-rata tingkat kejadian (+10,0 poin)",
            "- **Kota Bima** 31,7 → 55,6 (+23,9); perubahan terbesar: Kejadian per 100.000 pemilih (+8,7 poin)",
            f"- **{SUMBAWA}** 14,0 → 37,2 (+23,2); perubahan terbesar: Kejadian sensitif Pilkada (+8,3 poin)",
        ],
    ),
    "en": (
        "Risk score rose most since 23/11/2024",
        [
            "- **Kota Mataram** 14.0 → 39.9 (+25.9); largest change: Mean incident severity (+10.0 points)",
            "- **Kota Bima** 31.7 → 55.6 (+23.9); largest change: Incidents per 100,000 voters (+8.7 points)",
            f"- **{SUMBAWA}** 14.0 → 37.2 (+23.2); largest change: Election-sensitive incidents (+8.3 points)",
        ],
    ),
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_headline_numbers_show_their_change_against_the_previous_period(page, lang):
    at = page("pages/overview.py", lang, QUIET)
    assert not at.exception, [e.value for e in at.exception]
    assert [
        (
            m.label,
            m.value,
            m.proto.delta,
            m.proto.color,
            m.proto.direction,
            m.proto.delta_description,
        )
        for m in at.metric
    ] == METRICS[lang]
    compared = {
        "id": "Perubahan dibanding 21/11/2024–23/11/2024, periode sepanjang sama tepat sebelumnya.",
        "en": "Changes against 21/11/2024–23/11/2024, the period of the same length just before.",
    }
    assert compared[lang] in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_decision_list_links_each_open_alert_on_the_alerts_page(page, small_db, lang):
    at = page("pages/overview.py", lang, QUIET)
    alerts_path = "peringatan"  # the alerts page's url_path, as st.navigation serves it (ui/nav.py)
    links = [
        (p.proto.label, p.proto.page, p.proto.query_string)
        for p in at.page_link
        if p.proto.page == alerts_path  # not the link to the map below them
    ]
    assert links[:-1] == [
        (label, alerts_path, f"alert={alert_id(small_db, key)}") for key, label in DECISIONS[lang]
    ]
    assert links[-1] == ({"id": "Semua peringatan", "en": "All alerts"}[lang], alerts_path, "")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_regencies_whose_risk_rose_most(page, lang):
    at = page("pages/overview.py", lang, QUIET)
    title, lines = RISERS[lang]
    assert title in [h.value for h in at.subheader]
    assert "\n".join(lines) in [m.value for m in at.markdown]


def test_without_data_before_the_period_the_overview_says_there_is_no_comparison(page):
    at = page("pages/overview.py", "en", {"from": "2024-11-21", "to": "2024-11-23"})
    assert [m.proto.delta for m in at.metric] == [""] * 5
    note = (
        "No comparison: the previous period (18/11/2024–20/11/2024) begins before the first data "
        "(21/11/2024). Choose a shorter period, e.g. from the phase shortcuts."
    )
    assert [c.value for c in at.caption].count(note) == 2  # under the numbers and under the risers
    # the risers' heading names no date it cannot compare with ("... since 20/11/2024")
    assert "Risk score rose most" in [h.value for h in at.subheader]
    assert not [h.value for h in at.subheader if h.value.startswith("Risk score rose most since")]


@pytest.mark.parametrize(
    "lang, text",
    [
        (
            "id",
            "Skor risiko 0 dari 100: tidak ada kejadian dalam 28 hari sampai dengan 10/01/2025 "
            "(14/12/2024–10/01/2025), tidak ada peringatan, kehadiran orang asing tidak naik, dan tanggal itu di luar "
            "tahapan pemilihan.",
        ),
        (
            "en",
            "Risk score 0 of 100: no incidents in the 28 days up to 10/01/2025 (14/12/2024–10/01/2025), no alerts, "
            "no rise in foreign nationals present, and that day lies outside every election phase.",
        ),
    ],
)
def test_the_drill_down_says_a_zero_risk_score_in_a_sentence(page, lang, text):
    at = page(
        "pages/map.py",
        lang,
        {"from": "2024-11-21", "to": "2024-11-26", "asof": "2025-01-10", "regency": "52.05"},
    )
    assert not at.exception, [e.value for e in at.exception]
    assert [i.value for i in at.info] == [text]


@pytest.mark.parametrize("path", ["pages/overview.py", "pages/map.py"])
def test_a_page_reached_without_dashboard_py_shows_nothing_to_a_visitor(
    small_db, monkeypatch, path
):
    """Streamlit serves pages/<name>.py at /<name> to a new session before dashboard.py (and its
    sign-in) has run; the page itself refuses a visitor who has not signed in."""
    from streamlit.testing.v1 import AppTest

    from i18n import t

    monkeypatch.setenv("NTB_DB_URL", small_db)
    at = AppTest.from_file(str(ROOT / path), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [t("auth.forbidden")]
    assert (len(at.metric), len(at.title), len(at.page_link)) == (0, 0, 0)


TOP5 = {  # persons present in the quiet period (P05-P08), incidents K03-K07; then 0s in code order
    "id": [
        "| Kabupaten/kota | Orang asing hadir (orang) | Kejadian |",
        "| --- | ---: | ---: |",
        f"| {SUMBAWA} | 1.200 | 1 |",
        "| Kota Mataram | 6 | 1 |",
        f"| {LOBAR} | 3 | 1 |",
        "| Kota Bima | 1 | 2 |",
        f"| {inert('Kab. Lombok Tengah')} | 0 | 0 |",
    ],
    "en": [
        "| Regency/city | Foreign nationals present (persons) | Incidents |",
        "| --- | ---: | ---: |",
        f"| {SUMBAWA} | 1,200 | 1 |",
        "| Kota Mataram | 6 | 1 |",
        f"| {LOBAR} | 3 | 1 |",
        "| Kota Bima | 1 | 2 |",
        f"| {inert('Kab. Lombok Tengah')} | 0 | 0 |",
    ],
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_overview_map_is_a_picture_with_a_link_to_the_interactive_map(page, lang):
    """No plotly chart on the overview (the page after sign-in loads no plotly.js): the map is a
    PNG drawn on the server, described by its alt text; the interactive map is one click away; the
    five highest are a markdown table."""
    at = page("pages/overview.py", lang, QUIET)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.get("plotly_chart")) == 0
    [image] = at.get("image")
    assert image.proto.imgs[0].url.endswith(".png")
    alt = {
        "id": "Peta Orang asing hadir (orang) per kabupaten/kota, dengan wilayah kerja kantor "
        "imigrasi, pelabuhan dan kejadian menurut tingkat",
        "en": "Map of Foreign nationals present (persons) by regency/city, with the immigration "
        "offices' working areas, ports and incidents by level",
    }
    assert image.proto.imgs[0].alt == alt[lang]
    link = {
        "id": "Peta interaktif: arahkan kursor untuk angka, klik kabupaten/kota untuk rinciannya",
        "en": "Interactive map: hover for figures, click a regency/city for its details",
    }
    assert (link[lang], "peta") in [(p.proto.label, p.proto.page) for p in at.page_link]
    assert "\n".join(TOP5[lang]) in [m.value for m in at.markdown]
