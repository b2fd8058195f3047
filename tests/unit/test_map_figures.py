"""Figure builders on a small fixture database: exact values per regency, office outlines,
one marker per incident, colours that follow the metric."""
import datetime as dt

import pytest

from domain.filters import Filters
from domain.regions import areas_on
from loaders.pipeline import import_file
from storage import queries
from viz.maps import OFFICE_LINE, regency_map

PRESENCE = ("tanggal_laporan,kabupaten_kota,kewarganegaraan,jenis_izin,kegiatan,jumlah_orang\n"
            "01/11/2024,KLU,AUS,VOA,wisata,5\n01/11/2024,KLU,GBR,VOA,wisata,3\n"
            "02/11/2024,Lobar,MYS,BVK,wisata,2\n03/11/2024,Kota Bima,CHN,ITAS,bekerja,1\n"
            "20/12/2024,Sumbawa,AUS,VOA,wisata,9\n")  # outside the period below
INCIDENTS = ("tanggal_kejadian,kabupaten_kota,kategori,tingkat,terkait_pilkada,lintang,bujur\n"
             "25/11/2024,Kota Mataram,kegiatan_politik,4,ya,-8.583,116.116\n"
             "26/11/2024,Kota Mataram,ketertiban_umum,5,ya,,\n"
             "02/11/2024,KLU,overstay,2,tidak,-8.351,116.038\n")
F = Filters(dt.date(2024, 11, 1), dt.date(2024, 11, 30), dt.date(2024, 11, 30))


@pytest.fixture
def fixture_db(sqlite_engine):
    assert import_file(sqlite_engine, PRESENCE.encode(), "p.csv", "presence").rows_imported == 5
    assert import_file(sqlite_engine, INCIDENTS.encode(), "i.csv", "incidents").rows_imported == 3
    return sqlite_engine


def test_regency_table_exact_values(fixture_db):
    t = queries.regency_table(fixture_db, F)
    assert t["present"].to_dict() == {"52.01": 2, "52.02": 0, "52.03": 0, "52.04": 0, "52.05": 0, "52.06": 0,
                                      "52.07": 0, "52.08": 8, "52.71": 0, "52.72": 1}
    assert t["incidents"].to_dict()["52.71"] == 2 and t["election_incidents"].to_dict()["52.71"] == 2
    assert t["incidents"].sum() == 3
    assert t.loc["52.08", "per_1000_voters"] == pytest.approx(8 / 185_461 * 1000)
    assert t.loc["52.03", "office"] == "kanim_mataram"
    k = queries.kpis(fixture_db, F)
    assert (k["present"], k["incidents"], k["election_incidents"], k["open_incidents"]) == (11, 3, 2, 3)


def test_office_scope_blanks_the_other_regencies(fixture_db):
    t = queries.regency_table(fixture_db, Filters(F.start, F.end, F.as_of, office="kanim_bima"))
    assert t["present"].notna().sum() == 3 and t.loc["52.72", "present"] == 1
    assert t["present"].isna().sum() == 7  # "no data", never zero


def regency_traces(fig):
    return [tr for tr in fig.data if tr.type == "choropleth" and tr.geojson.endswith("ntb_regencies.geojson")]


def test_map_figure(fixture_db):
    t = queries.regency_table(fixture_db, F)
    t["value"] = t["present"]
    markers = queries.incident_markers(fixture_db, F)
    fig = regency_map(t, "present", "id", areas_on(F.as_of), markers)
    choro = regency_traces(fig)
    assert len(choro) == 1 and sorted(choro[0].locations) == sorted(t.index)
    assert dict(zip(choro[0].locations, choro[0].z)) == t["present"].to_dict()
    assert choro[0].zmax == 8  # colours follow the metric: the highest regency is the top of the scale
    assert choro[0].geojson == "/app/static/geo/ntb_regencies.geojson"  # fetched, not inlined
    outlines = [tr for tr in fig.data if tr.type == "choropleth" and tr.geojson.endswith("office_areas.geojson")]
    assert len(outlines) == 1 and outlines[0].marker.line.color == OFFICE_LINE and outlines[0].hoverinfo == "skip"
    assert sorted(outlines[0].locations) == ["52.01+52.02+52.03+52.08+52.71", "52.04+52.07", "52.05+52.06+52.72"]
    labels = [tr for tr in fig.data if tr.type == "scattergeo" and tr.mode == "text"]
    assert len(labels) == 1 and len(labels[0].text) == 3 and "Kanim Bima" in " ".join(labels[0].text)
    legend_line = [tr for tr in fig.data if tr.type == "scattergeo" and tr.mode == "lines"]
    assert len(legend_line) == 1 and legend_line[0].line.color == OFFICE_LINE
    assert len(fig.to_json()) < 40_000  # codes and numbers only: no polygons in the render
    alert_points = sum(len(tr.lon) for tr in fig.data if tr.legendgroup == "alerts")
    assert alert_points == len(markers) == 3
    assert markers["located"].tolist().count(False) == 1  # shown at its regency's centre
    assert fig.layout.uirevision == "ntb-map"


def test_no_data_regencies_get_their_own_grey_trace(fixture_db):
    t = queries.regency_table(fixture_db, Filters(F.start, F.end, F.as_of, office="kanim_sumbawa_besar"))
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
    assert m[["incident_date", "regency_code", "category", "severity", "election_related", "located",
              "status"]].values.tolist() == [
        ["2024-11-26", "52.71", "ketertiban_umum", 5, True, False, "baru"],
        ["2024-11-25", "52.71", "kegiatan_politik", 4, True, True, "baru"],
        ["2024-11-02", "52.08", "overstay", 2, False, True, "baru"]]  # KLU = Lombok Utara
    assert m[["lat", "lon"]].values.tolist() == [list(centre), [-8.583, 116.116], [-8.351, 116.038]]
    assert m["responsible_agency"].notna().all()
    assert m["severity"].dtype == "int64" and m["lat"].dtype == "float64"
    assert len(queries.incident_markers(engine, F, limit=2)) == 2
