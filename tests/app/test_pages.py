"""AppTest: every page renders on the demo database, in both languages, without exception."""
import pytest
from sqlalchemy import select

from i18n import t
from storage import queries
from storage.engine import make_engine

PAGES = ["pages/overview.py", "pages/map.py", "pages/upload.py", "pages/about.py"]
TITLES = {"pages/overview.py": "overview.title", "pages/map.py": "map.title",
          "pages/upload.py": "uploadpage.title", "pages/about.py": "about.title"}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_page_renders(app, page, lang):
    at = app(page, lang).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [x.value for x in at.title] == [t(TITLES[page], lang)]


def test_overview_kpis_match_the_database(app, demo_db):
    at = app().run()
    engine = make_engine(demo_db)
    span = queries.data_span(engine)
    from domain.filters import Filters
    k = queries.kpis(engine, Filters(span[0], span[1], span[1]))
    shown = {m.label: m.value for m in at.metric}
    assert shown[t("kpi.present")] == f"{k['present']:,}".replace(",", ".")
    assert shown[t("kpi.incidents")] == f"{k['incidents']:,}".replace(",", ".")
    assert shown[t("kpi.election_incidents")] == str(k["election_incidents"])
    assert k["present"] > 20_000 and k["election_incidents"] >= 6


def test_demo_data_is_labelled(app):
    at = app().run()
    assert any("DATA DEMO (sintetis)" in w.value for w in at.warning)


def test_drill_down_by_selectbox(app):
    at = app("pages/map.py").run()
    at.selectbox(key="drill_select").select("52.71").run()
    assert not at.exception
    assert any(h.value == "Rincian: Kota Mataram" for h in at.header)
