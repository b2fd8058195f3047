"""Facts written once (issue 22 item 3): each list below is defined in one module and the others
import it, so changing it in that one place changes it everywhere."""

from domain import changes, follow_up, vocabularies
from loaders.values import parse_enum
from services import overview
from storage import alerts_store


def test_follow_up_statuses_come_from_the_vocabulary_file():
    """data/reference/vocabularies.toml [status]: the importer, the alert store, the overview and
    the alerts page read the same tuple."""
    assert vocabularies.STATUSES == ("baru", "ditelaah", "ditindaklanjuti", "selesai")
    assert (vocabularies.NEW, vocabularies.CLOSED) == ("baru", "selesai")
    assert alerts_store.STATUSES is vocabularies.STATUSES
    assert changes.CLOSED == follow_up.CLOSED == "selesai"
    assert overview.OPEN == ("baru", "ditelaah", "ditindaklanjuti")
    assert parse_enum("status", "Followed-Up") == "ditindaklanjuti"


def test_one_ntb_box_from_the_boundary_file():
    """The upload contract, the browser map and the briefing widen the same box (three hand-written
    boxes disagreed: 115.7-119.5, 115.75-119.40, 115.68-119.48)."""
    from domain.regions import ntb_bounds
    from loaders import validate
    from viz import briefing, web_geo

    assert ntb_bounds() == (115.821, -9.1097, 119.3461, -8.0801)
    assert (validate.LON_MIN, validate.LAT_MIN, validate.LON_MAX, validate.LAT_MAX) == (
        115.671,
        -9.2597,
        119.4961,
        -7.9301,
    )
    assert (briefing.LON0, briefing.LAT0, briefing.LON1, briefing.LAT1) == (
        115.671,
        -9.2597,
        119.4961,
        -7.9301,
    )
    assert (web_geo.MAP_LON, web_geo.MAP_LAT) == ((115.771, 119.3961), (-9.1597, -8.0301))


def test_severity_colours_are_one_palette():
    """Incident markers take the colour of the alert severity of the same word; the overview's
    markdown colours sit beside them."""
    from viz import briefing, style

    assert style.ALERT_SEVERITY == {
        "rendah": "#FFE033",
        "sedang": "#FF8C00",
        "tinggi": "#E31A1C",
        "kritis": "#7A0010",
    }
    assert {n: c for n, (c, _, _) in style.SEVERITY.items()} == {
        1: "#FFE033",
        2: "#FFE033",
        3: "#FF8C00",
        4: "#E31A1C",
        5: "#7A0010",
    }
    assert briefing.ALERT_STYLE[5] == ("#7A0010", 125.0)
    assert style.TEXT_SEVERITY == {"kritis": "red", "tinggi": "orange"}


def test_url_paths_are_listed_once():
    from ui import gate, nav

    assert nav.url_paths() == [
        "overview",
        "peta",
        "peringatan",
        "linimasa",
        "unggah",
        "rinci",
        "admin",
        "tentang",
    ]
    assert {"unggah", "admin"} == gate.UNGATED
    assert [p.file for p in nav.PAGES.values()] == [f"pages/{n}.py" for n in nav.PAGES]
