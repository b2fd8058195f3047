"""Figure builders on a small fixture database: exact values per regency, office outlines,
one marker per incident, colours that follow the metric."""

import datetime as dt

import pytest

from domain.filters import Filters
from domain.regions import areas_on
from i18n import catalogue
from loaders.pipeline import import_file
from storage import queries
from viz.maps import OFFICE_LINE, regency_map

PRESENCE = (
    "tanggal_laporan,kabupaten_kota,kewarganegaraan,jenis_izin,kegiatan,jumlah_orang\n"
    "01/11/2024,KLU,AUS,VOA,wisata,5\n01/11/2024,KLU,GBR,VOA,wisata,3\n"
    "02/11/2024,Lobar,MYS,BVK,wisata,2\n03/11/2024,Kota Bima,CHN,ITAS,bekerja,1\n"
    "20/12/2024,Sumbawa,AUS,VOA,wisata,9\n"
)  # outside the period below
INCIDENTS = (
    "tanggal_kejadian,kabupaten_kota,kategori,tingkat,terkait_pilkada,lintang,bujur\n"
    "25/11/2024,Kota Mataram,kegiatan_politik,4,ya,-8.583,116.116\n"
    "26/11/2024,Kota Mataram,ketertiban_umum,5,ya,,\n"
    "02/11/2024,KLU,overstay,2,tidak,-8.351,116.038\n"
)
F = Filters(dt.date(2024, 11, 1), dt.date(2024, 11, 30), dt.date(2024, 11, 30))


@pytest.fixture
def fixture_db(sqlite_engine):
    assert import_file(sqlite_engine, PRESENCE.encode(), "p.csv", "presence").rows_imported == 5
    assert import_file(sqlite_engine, INCIDENTS.encode(), "i.csv", "incidents").rows_imported == 3
    return sqlite_engine


def test_regency_table_exact_values(fixture_db):
    t = queries.regency_table(fixture_db, F)
    assert t["present"].to_dict() == {
        "52.01": 2,
        "52.02": 0,
        "52.03": 0,
        "52.04": 0,
        "52.05": 0,
        "52.06": 0,
        "52.07": 0,
        "52.08": 8,
        "52.71": 0,
        "52.72": 1,
    }
    assert (
        t["incidents"].to_dict()["52.71"] == 2 and t["election_incidents"].to_dict()["52.71"] == 2
    )
    assert t["incidents"].sum() == 3
    assert t.loc["52.08", "per_1000_voters"] == pytest.approx(8 / 185_461 * 1000)
    assert t.loc["52.03", "office"] == "kanim_mataram"
    k = queries.kpis(fixture_db, F)
    assert (k["present"], k["incidents"], k["election_incidents"], k["open_incidents"]) == (
        11,
        3,
        2,
        3,
    )


def test_office_scope_blanks_the_other_regencies(fixture_db):
    t = queries.regency_table(fixture_db, Filters(F.start, F.end, F.as_of, office="kanim_bima"))
    assert t["present"].notna().sum() == 3 and t.loc["52.72", "present"] == 1
    assert t["present"].isna().sum() == 7  # "no data", never zero


def regency_traces(fig):
    return [
        tr
        for tr in fig.data
        if tr.type == "choropleth" and tr.geojson.endswith("ntb_regencies.geojson")
    ]


def test_map_figure(fixture_db):
    t = queries.regency_table(fixture_db, F)
    t["value"] = t["present"]
    markers = queries.incident_markers(fixture_db, F)
    fig = regency_map(t, "present", "id", areas_on(F.as_of), markers)
    choro = regency_traces(fig)
    assert len(choro) == 1 and sorted(choro[0].locations) == sorted(t.index)
    assert dict(zip(choro[0].locations, choro[0].z)) == t["present"].to_dict()
    assert (
        choro[0].zmax == 8
    )  # colours follow the metric: the highest regency is the top of the scale
    assert choro[0].geojson == "/app/static/geo/ntb_regencies.geojson"  # fetched, not inlined
    outlines = [
        tr
        for tr in fig.data
        if tr.type == "choropleth" and tr.geojson.endswith("office_areas.geojson")
    ]
    assert (
        len(outlines) == 1
        and outlines[0].marker.line.color == OFFICE_LINE
        and outlines[0].hoverinfo == "skip"
    )
    assert sorted(outlines[0].locations) == [
        "52.01+52.02+52.03+52.08+52.71",
        "52.04+52.07",
        "52.05+52.06+52.72",
    ]
    labels = [tr for tr in fig.data if tr.name == "office_labels"]
    assert (
        len(labels) == 1 and len(labels[0].text) == 3 and "Kanim Bima" in " ".join(labels[0].text)
    )
    legend_line = [
        tr
        for tr in fig.data
        if tr.type == "scattergeo" and tr.mode == "lines" and tr.showlegend is not False
    ]
    assert len(legend_line) == 1 and legend_line[0].line.color == OFFICE_LINE
    assert len(fig.to_json()) < 40_000  # codes and numbers only: no polygons in the render
    alert_points = sum(len(tr.lon) for tr in fig.data if tr.legendgroup == "alerts")
    assert alert_points == len(markers) == 3
    assert markers["located"].tolist().count(False) == 1  # shown at its regency's centre
    assert fig.layout.uirevision == "ntb-map"


def test_no_data_regencies_get_their_own_grey_trace(fixture_db):
    t = queries.regency_table(
        fixture_db, Filters(F.start, F.end, F.as_of, office="kanim_sumbawa_besar")
    )
    t["value"] = t["present"]
    fig = regency_map(t, "present", "en", areas_on(F.as_of))
    choro = regency_traces(fig)
    assert [len(tr.locations) for tr in choro] == [8, 2]
    assert all(": no data<br>" in h for h in choro[0].hovertext)


def test_incident_markers_exact_values_on_both_engines(engine):
    """Most severe first; an incident without coordinates sits at its regency's centre."""
    assert import_file(engine, INCIDENTS.encode(), "i.csv", "incidents").rows_imported == 3
    m = queries.incident_markers(engine, F)
    centre = queries.regency_centre_points()["52.71"]
    assert m[
        [
            "incident_date",
            "regency_code",
            "category",
            "severity",
            "election_related",
            "located",
            "status",
        ]
    ].values.tolist() == [
        ["2024-11-26", "52.71", "ketertiban_umum", 5, True, False, "baru"],
        ["2024-11-25", "52.71", "kegiatan_politik", 4, True, True, "baru"],
        ["2024-11-02", "52.08", "overstay", 2, False, True, "baru"],
    ]  # KLU = Lombok Utara
    assert m[["lat", "lon"]].values.tolist() == [list(centre), [-8.583, 116.116], [-8.351, 116.038]]
    assert m["responsible_agency"].notna().all()
    assert m["severity"].dtype == "int64" and m["lat"].dtype == "float64"
    assert len(queries.incident_markers(engine, F, limit=2)) == 2


# --- the map as a slide (issue 18 item 4) -------------------------------------------------------


def _slide_figure(
    fixture_db, lang="id", demo=True, marking="TERBATAS", compact=False, selected=None
):
    from domain.calendar import default_election
    from viz.map_slide import Slide, slide_title

    f = Filters(dt.date(2024, 11, 24), dt.date(2024, 11, 26), dt.date(2024, 11, 26))
    e = default_election()
    t = queries.regency_table(fixture_db, f)
    t["value"] = t["present"]
    slide = Slide(
        title=slide_title(
            catalogue(lang)["metric.present"],
            f.start,
            f.end,
            e.phases_between(f.start, f.end),
            lang,
        ),
        subtitle="Wilayah: seluruh NTB · data per 26/11/2024",
        marking=marking,
        source="Sumber: data unggahan Timpora NTB (2 batch) · " + "batas wilayah " * 20,
        demo=demo,
    )
    return regency_map(
        t,
        "present",
        lang,
        areas_on(f.as_of),
        queries.incident_markers(fixture_db, f),
        selected=selected,
        height=540,
        slide=slide,
        compact=compact,
    )


def _annotations(fig, name):
    return [a for a in fig.layout.annotations if a.name == name]


def test_slide_title_names_metric_period_and_phase(fixture_db):
    fig = _slide_figure(fixture_db)
    (title,) = _annotations(fig, "title")
    assert (
        title.text
        == f"<b>{catalogue('id')['metric.present']} · 24/11/2024–26/11/2024 · Tahapan: Masa tenang</b>"
    )
    en = _slide_figure(fixture_db, lang="en")
    assert _annotations(en, "title")[0].text == (
        f"<b>{catalogue('en')['metric.present']} · 24/11/2024–26/11/2024 · Phase: Quiet period</b>"
    )


def test_phase_text_of_a_period_over_several_phases():
    from domain.calendar import default_election
    from viz.map_slide import phase_text

    e = default_election()
    assert phase_text(e.phases_between(dt.date(2024, 11, 20), dt.date(2024, 11, 30)), "id") == (
        "Kampanye – Penghitungan dan rekapitulasi"
    )
    assert (
        phase_text(e.phases_between(dt.date(2025, 3, 1), dt.date(2025, 3, 5)), "id")
        == "di luar tahapan"
    )


def test_marking_top_and_bottom_in_the_briefing_colours(fixture_db):
    from viz.briefing import MARKING_COLOURS as PRINTED

    for marking in ("BIASA", "TERBATAS", "RAHASIA"):
        fig = _slide_figure(fixture_db, marking=marking)
        bands = [s for s in fig.layout.shapes if s.name == "marking"]
        assert [(s.y0 > 0.5, s.fillcolor) for s in bands] == [
            (True, PRINTED[marking][0]),
            (False, PRINTED[marking][0]),
        ]
        assert (
            bands[0].y1 == 1 and bands[1].y0 == 0
        )  # the very top and the very bottom of the figure
        words = _annotations(fig, "marking")
        assert len(words) == 6 and {a.text for a in words} == {f"<b>{marking}</b>"}
        assert {a.font.color for a in words} == {PRINTED[marking][1]}


def test_source_line_and_demo_watermark(fixture_db):
    fig = _slide_figure(fixture_db)
    (source,) = _annotations(fig, "source")
    assert source.text.startswith("Sumber: data unggahan Timpora NTB (2 batch) · batas wilayah")
    assert all(len(line) <= 170 for line in source.text.split("<br>"))
    (mark,) = _annotations(fig, "watermark")
    assert mark.text == "<b>DATA DEMO (sintetis)</b>"
    assert _annotations(_slide_figure(fixture_db, demo=False), "watermark") == []


def test_scale_bar_is_50_km_long_at_its_latitude(fixture_db):
    from pyproj import Geod

    from viz.map_slide import km_per_degree_lon

    fig = _slide_figure(fixture_db)
    (bar,) = [tr for tr in fig.data if tr.name == "scale_bar"]
    lon0, lon1, lat = bar.lon[1], bar.lon[2], bar.lat[1]
    assert bar.lat[2] == lat
    _, _, metres = Geod(ellps="WGS84").inv(lon0, lat, lon1, lat)
    assert metres == pytest.approx(50_000, rel=1e-3)  # measured on the ellipsoid, independently
    assert km_per_degree_lon(-8.6) == pytest.approx(110.08, abs=0.01)
    (labels,) = [tr for tr in fig.data if tr.name == "scale_labels"]
    assert list(labels.text) == ["0", "25", "50 km"]
    (arrow,) = [tr for tr in fig.data if tr.name == "north_arrow"]
    assert arrow.lon[0] == arrow.lon[1] and arrow.lat[1] > arrow.lat[0]  # points north
    assert [tr.text for tr in fig.data if tr.name == "north_label"] == [("<b>U</b>",)]


def test_one_palette_with_the_briefing(fixture_db):
    from matplotlib import colors as mcolors

    from viz import briefing, style

    fig = _slide_figure(fixture_db)
    (values,) = [tr for tr in regency_traces(fig) if tr.showscale is not False]
    assert [c for _, c in values.colorscale] == list(style.SEQUENTIAL)
    for i, stop in enumerate(
        style.SEQUENTIAL
    ):  # the printed map's colormap runs through the same stops
        assert briefing.CMAP(i / 8)[:3] == pytest.approx(mcolors.to_rgb(stop), abs=2 / 255)
    sev4 = [tr for tr in fig.data if tr.legendgroup == "alerts" and tr.name == "Tingkat 4"]
    assert sev4[0].marker.color == briefing.ALERT_STYLE[4][0]


def test_legends_sit_inside_the_figure_below_the_map(fixture_db):
    for compact in (False, True):
        fig = _slide_figure(fixture_db, compact=compact)
        bottom_of_map = fig.layout.geo.domain.y[0]
        for name in ("legend", "legend2", "legend3"):
            legend = fig.layout[name]
            assert 0 < legend.y < bottom_of_map and 0 <= legend.x < 1 and legend.yanchor == "top", (
                compact,
                name,
            )
        assert {
            tr.legend for tr in fig.data if tr.showlegend is not False and tr.type == "scattergeo"
        } == {"legend", "legend2", "legend3"}
        assert fig.layout.margin.b == 0 and fig.layout.margin.t == 0


def test_regency_names_on_the_map(fixture_db):
    fig = _slide_figure(fixture_db)
    (names,) = [tr for tr in fig.data if tr.name == "regency_names"]
    assert sorted(names.text) == sorted(
        [
            "Lombok Barat",
            "Lombok Tengah",
            "Lombok Timur",
            "Sumbawa",
            "Dompu",
            "Bima",
            "Sumbawa Barat",
            "Lombok Utara",
            "Kota Mataram",
            "Kota Bima",
        ]
    )


def test_regency_names_read_on_their_fill(fixture_db):
    """A dark name with a white halo all but vanished on the darkest blue (Lombok Utara, seen on
    the demo map): a name on a dark fill is white with a dark halo; on a pale fill, grey (no
    data) or in the sea with a leader line (Kota Bima, whatever its value), dark with white."""
    from viz import style
    from viz.maps import DARK_HALO, HALO

    t = queries.regency_table(fixture_db, F)  # present: Lombok Utara 8 (the top), Lombok Barat 2
    t["value"] = t["present"].astype(float)
    t.loc["52.06", "value"] = float("nan")  # Dompu without data: the grey fill
    fig = regency_map(t, "present", "id", areas_on(F.as_of))
    (names,) = [tr for tr in fig.data if tr.name == "regency_names"]
    look = {n: (c, h) for n, c, h in zip(names.text, names.textfont.color, names.textfont.shadow)}
    white, dark = ("#FFFFFF", DARK_HALO), (style.TEXT, HALO)
    assert look == {
        "Lombok Utara": white,
        "Lombok Barat": dark,
        "Lombok Tengah": dark,
        "Lombok Timur": dark,
        "Sumbawa Barat": dark,
        "Sumbawa": dark,
        "Dompu": dark,
        "Bima": dark,
        "Kota Mataram": dark,
        "Kota Bima": dark,
    }
    # the turn from dark to white names lies between the scale's 6th and 7th stops
    assert [style.label_on(c) for c in style.SEQUENTIAL] == [style.TEXT] * 6 + ["#FFFFFF"] * 3
    assert style.fill_at(0) == "#dfecf7" and style.fill_at(1) == "#083c7d"
    assert style.fill_at(0.0625) == "#d5e5f4"  # halfway between the first two stops


def test_selected_regency_outlined_without_its_islets(fixture_db):
    """The chosen regency's thick outline comes from the islet-free outline file; the regency's
    own polygons keep the thin white edge (3 px black round every islet made black blobs)."""
    fig = _slide_figure(fixture_db, selected="52.06")
    (sel,) = [tr for tr in fig.data if tr.name == "selected"]
    assert sel.geojson == "/app/static/geo/regency_outlines.geojson" and list(sel.locations) == [
        "52.06"
    ]
    assert sel.marker.line.width == 2.5
    for tr in regency_traces(fig):
        assert tr.marker.line.color == "white" and tr.marker.line.width == 0.8


def test_office_labels_do_not_overlap_on_a_phone():
    """At the phone's ~350 px, with the four offices of 2026 (Lombok Timur's label is close to
    Mataram's), each label's extent (estimated generously) clears its neighbours."""
    from viz import map_slide

    for day in (dt.date(2024, 11, 27), dt.date(2026, 2, 1)):
        fig = regency_map(queries_table_stub(), "present", "id", areas_on(day), compact=True)
        (labels,) = [tr for tr in fig.data if tr.name == "office_labels"]
        spans = sorted(
            (
                lon - map_slide.text_half_width_deg(txt[3:-4], 10, True, True),
                lon + map_slide.text_half_width_deg(txt[3:-4], 10, True, True),
            )
            for lon, txt in zip(labels.lon, labels.text)
        )
        assert all(a[1] < b[0] for a, b in zip(spans, spans[1:])), spans
        assert spans[0][0] >= web_geo_extent()[0] and spans[-1][1] <= web_geo_extent()[1]
        assert all("Kanim" not in txt for txt in labels.text)  # short names on a phone


def queries_table_stub():
    import pandas as pd

    from domain.regions import regency_codes

    return pd.DataFrame({"value": [1.0] * 10}, index=regency_codes())


def web_geo_extent():
    from viz.web_geo import MAP_LON

    return MAP_LON


def test_spread_pushes_labels_apart_and_keeps_them_inside():
    from viz.map_slide import spread

    assert spread([1.0, 1.5, 4.0], [0.5, 0.5, 0.5], 0.0, 10.0) == [1.0, 2.0, 4.0]
    assert spread([8.0, 9.6], [0.5, 0.5], 0.0, 10.0) == pytest.approx(
        [7.9, 9.5]
    )  # the row pulled back west


@pytest.mark.parametrize(
    "variant",
    [
        dict(),
        dict(lang="en", demo=False, marking="BIASA"),
        dict(compact=True, selected="52.04"),
        dict(selected="52.71", marking="RAHASIA"),
    ],
)
def test_the_map_figure_passes_plotlys_full_validation(fixture_db, variant):
    """regency_map builds its figure without plotly re-validating it on every change (for
    speed); here the finished figure goes through plotly's full validation: every property
    exists and every value is allowed (an invalid one raises), and nothing changes on the way."""
    import json

    import plotly.graph_objects as go
    import plotly.io as pio

    fig = _slide_figure(fixture_db, **variant)
    checked = go.Figure(fig.to_plotly_json())  # validated: raises ValueError on anything invalid
    assert json.loads(pio.to_json(checked)) == json.loads(pio.to_json(fig))
    assert len(fig.data) >= 15 and len(fig.layout.annotations) >= 6  # a whole map, not a stub


def test_an_invalid_property_would_be_caught_by_that_validation(fixture_db):
    import plotly.graph_objects as go

    fig = _slide_figure(fixture_db).to_plotly_json()
    fig["layout"]["annotations"][0]["colour"] = "red"  # British spelling: not a plotly property
    with pytest.raises(ValueError, match="colour"):
        go.Figure(fig)


def test_colour_bar_ticks_are_the_languages_full_numbers(fixture_db):
    """plotly labelled the colour bar "100k 200k …" (English SI suffixes on an Indonesian map), and
    the printed briefing's "100.000200.000300.000400.000" ran together: the ticks are chosen in one
    place (viz.style.colourbar_ticks, for the browser map and the briefing), as many as the bar
    holds, and written as the language writes numbers."""
    from i18n import formats
    from viz import style

    def ticks(top, integer, room=float("inf")):
        return style.colourbar_ticks(top, integer, lambda v, d: formats.number(v, "id", d), room)

    assert ticks(412_345, True) == ([0, 100_000, 200_000, 300_000, 400_000], 0)
    # "0  100.000  200.000  300.000  400.000" is 39 characters with two between labels
    assert ticks(412_345, True, room=39) == ([0, 100_000, 200_000, 300_000, 400_000], 0)
    assert ticks(412_345, True, room=38) == ([0, 200_000, 400_000], 0)
    assert ticks(3, True) == ([0, 1, 2, 3], 0)
    assert ticks(2, True) == ([0, 1, 2], 0)  # no half persons
    assert ticks(87.3, False) == ([0, 20, 40, 60, 80], 0)
    assert ticks(0.6, False) == ([0, 0.2, 0.4, 0.6], 1)
    assert ticks(7.5, False) == ([0, 2, 4, 6], 0)
    assert ticks(0, True) == ([0], 0)

    t = queries.regency_table(fixture_db, F)
    t["value"] = t["present"] * 51_543.125  # the highest regency: 8 persons -> 412,345
    for lang, compact, text in (
        ("id", False, ["0", "200.000", "400.000"]),  # 0.22 of an 800 px plot: 27 digits
        ("en", False, ["0", "200,000", "400,000"]),
        ("id", True, ["0", "100.000", "200.000", "300.000", "400.000"]),  # 0.7 of 358 px: 39
    ):
        fig = regency_map(t, "present", lang, areas_on(F.as_of), compact=compact)
        (values,) = [tr for tr in regency_traces(fig) if tr.showscale is not False]
        assert list(values.colorbar.ticktext) == text
        assert list(values.colorbar.tickvals) == [
            int(x.replace(".", "").replace(",", "")) for x in text
        ]
    t["value"] = t["present"] * 0.075  # a rate: 0.6 at most
    fig = regency_map(t, "per_1000_voters", "id", areas_on(F.as_of))
    (values,) = [tr for tr in regency_traces(fig) if tr.showscale is not False]
    assert list(values.colorbar.ticktext) == ["0,0", "0,2", "0,4", "0,6"]
