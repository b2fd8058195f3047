"""AppTest: every page renders on the demo database, in both languages, without exception."""

import dataclasses
import datetime as dt

import pandas as pd
import pytest

from i18n import t
from storage.engine import make_engine

PAGES = [
    "pages/overview.py",
    "pages/map.py",
    "pages/alerts.py",
    "pages/timeline.py",
    "pages/upload.py",
    "pages/about.py",
]
TITLES = {
    "pages/overview.py": "overview.title",
    "pages/map.py": "map.title",
    "pages/alerts.py": "alertpage.title",
    "pages/upload.py": "uploadpage.title",
    "pages/about.py": "about.title",
}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_page_renders(app, page, lang):
    at = app(page, lang).run()
    assert not at.exception, [e.value for e in at.exception]
    if page in TITLES:
        assert [x.value for x in at.title] == [t(TITLES[page], lang)]
    else:
        assert [x.value for x in at.title] == [
            t(
                "timeline.title",
                lang,
                name="Pilkada Serentak 2024"
                if lang == "id"
                else "2024 simultaneous regional elections",
            )
        ]


@pytest.mark.parametrize(
    "lang, shown", [("id", "Pilkada Serentak 2024"), ("en", "2024 regional elections")]
)
def test_sidebar_election_choice_fits(app, lang, shown):
    """The sidebar's election choice shows ~30 characters: in English the name ("2024
    simultaneous regional elections", 36) was cut, so the file gives a short form; the titles keep
    the full name (test_page_renders), and a file without a short form shows its name."""
    from domain.calendar import default_election

    at = app("pages/about.py", lang).run()
    (choice,) = [s for s in at.sidebar.selectbox if s.key == "election_id"]
    assert choice.options == [shown] and len(shown) <= 30
    e = default_election()
    assert dataclasses.replace(e, short_en=None).short_name("en") == e.name("en")


def test_timeline_shows_its_charts_before_the_calendar(app):
    """At 1440x900 the phase table above the charts pushed the first chart below the fold: the two
    charts come first, then the calendar under its heading, then alerts by phase."""
    at = app("pages/timeline.py").run()
    order = [
        el.type if el.type != "subheader" else el.value
        for el in at.main
        if el.type in ("plotly_chart", "dataframe", "subheader")
    ]
    assert order == [
        "plotly_chart",
        "plotly_chart",
        t("timeline.phases", "id"),
        "dataframe",
        t("timeline.by_phase", "id"),
        "dataframe",
    ]


@pytest.mark.parametrize("lang, every", [("id", "Semua"), ("en", "All")])
def test_empty_filters_say_all_in_the_users_language(app, lang, every):
    """An empty multiselect means every value; Streamlit's own placeholder ("Choose options") and its
    "Select all" entry are English, so the filters show neither. (The alert page's status filter
    is pills: tests/app/test_alert_queue.py.)"""
    for page, filters in (("pages/map.py", 5), ("pages/alerts.py", 2)):
        at = app(page, lang).run()
        assert [(m.placeholder, m.proto.select_all) for m in at.multiselect] == [
            (every, 0)
        ] * filters


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_alerts_who_acts_table_names_the_agency_column_in_the_users_language(app, lang):
    at = app("pages/alerts.py", lang).run()
    assert at.dataframe[0].value.index.name == t("alertpage.agency", lang)


def test_the_drill_down_who_acts_table_names_the_agency_column(app):
    at = app("pages/map.py").run()
    at.selectbox(key="drill_select").select("52.71").run()
    [who] = [d.value for d in at.dataframe if t("status.selesai") in d.value.columns]
    assert who.index.name == t("alertpage.agency")


def test_a_nationality_filter_narrows_the_map_incident_counts(known_app):
    """Incidents of other (or unknown) nationality leave the map's counts when nationalities are
    chosen. Lombok Utara (52.08) in tests/fixture_db.py: incidents I03 AUS, I04 DEU, I05 of unknown
    nationality; persons F09 700 AUS, F10 260 DEU."""
    at = known_app("pages/map.py").run()
    at.selectbox(key="drill_select").select("52.08").run()
    shown = {m.label: m.value for m in at.metric}
    assert (shown[t("metric.incidents")], shown[t("metric.present")]) == ("3", "960")  # 700 + 260
    at.multiselect(key="f_nat").select("AUS").run()
    assert not at.exception
    assert at.selectbox(key="drill_select").value == "52.08"
    shown = {m.label: m.value for m in at.metric}
    assert (shown[t("metric.incidents")], shown[t("metric.present")]) == ("1", "700")  # I03; F09


# The overview's headline over tests/fixture_db.py's whole span, 20/11/2024-27/11/2024:
KPIS = {
    "present": 4638,  # 640 + 420 + 150 + 530 + 60 + 310 + 220 + 960 + 1258 + 90 (per regency)
    "incidents": 10,  # I01-I10
    "election_incidents": 4,  # I02, I03, I06, I09
    "open_incidents": 7,  # all but the three selesai: I01, I05, I09
    "arrivals": 2090,  # datang: 310 + 450 + 1200 + 35 + 95 (the departures 120 and 1180 left out)
}


@pytest.mark.parametrize("lang, sep", [("id", "."), ("en", ",")])
def test_overview_kpis_are_the_known_figures(known_app, lang, sep):
    at = known_app(lang=lang).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = {m.label: m.value for m in at.metric}
    assert {k: shown[t(f"kpi.{k}", lang)] for k in KPIS} == {
        k: f"{v:,}".replace(",", sep) for k, v in KPIS.items()
    }


def test_office_areas_show_their_dates_and_a_dash_when_open_ended(app):
    """pandas 3 keeps a missing date missing through astype(str): the table showed "None"."""
    at = app("pages/about.py").run()
    [areas] = [d.value for d in at.dataframe if t("about.valid_from") in d.value.columns]
    dated = areas.set_index([t("about.office"), t("about.regency")])
    assert (
        dated.loc[("Kantor Imigrasi Kelas I TPI Mataram", "52.03"), t("about.valid_to")]
        == "25/01/2026"
    )
    assert dated.loc[("Kantor Imigrasi Kelas I TPI Mataram", "52.01"), t("about.valid_from")] == "–"
    assert areas[t("about.valid_from")].notna().all() and areas[t("about.valid_to")].notna().all()


def test_demo_data_is_labelled(app):
    at = app().run()
    assert any("DATA DEMO (sintetis)" in w.value for w in at.warning)


def test_drill_down_by_selectbox(app):
    at = app("pages/map.py").run()
    at.selectbox(key="drill_select").select("52.71").run()
    assert not at.exception
    assert any(h.value == "Rincian: Kota Mataram" for h in at.header)


def test_drill_down_explains_the_risk_score(app):
    at = app("pages/map.py").run()
    at.selectbox(key="drill_select").select("52.06").run()
    assert not at.exception
    assert any(i.value.startswith("Skor risiko") for i in at.info)


def test_alert_status_change_is_stored_with_its_author(app, demo_copy):
    from sqlalchemy import text

    at = app("pages/alerts.py", role="analyst").run()
    assert not at.exception
    table = at.dataframe[1].value
    assert len(table) > 0
    engine = make_engine(demo_copy)  # this test writes: the shared demo stays as seeded
    alert_id = int(table["id"].iloc[0])
    from storage.alerts_store import set_status

    set_status(engine, alert_id, "ditelaah", "test-analyst", "analyst", "checked with the hotel")
    with engine.connect() as conn:
        row = conn.execute(
            text("select status, status_changed_by from alert where id = :i"), {"i": alert_id}
        ).one()
        hist = conn.execute(
            text(
                "select from_status, to_status, changed_by, note from alert_status_change "
                "where alert_id = :i"
            ),
            {"i": alert_id},
        ).all()
        audit = conn.execute(
            text(
                "select actor, action, target from audit_event where action = 'alert_status' "
                "order by id desc limit 1"
            )
        ).one()
    assert tuple(row) == ("ditelaah", "test-analyst")
    assert [tuple(h) for h in hist] == [
        ("baru", "ditelaah", "test-analyst", "checked with the hotel")
    ]
    assert tuple(audit) == ("test-analyst", "alert_status", f"alert:{alert_id}")


def test_viewer_cannot_change_an_alert_status(demo_db):
    import pytest as _pytest

    from domain.roles import Forbidden
    from storage.alerts_store import set_status

    with _pytest.raises(Forbidden):
        set_status(make_engine(demo_db), 1, "selesai", "lead", "viewer")


@pytest.mark.parametrize("page, role", [("pages/about.py", "viewer"), ("pages/admin.py", "admin")])
def test_imported_batches_read_in_the_users_words_with_times_in_wita(app, demo_db, page, role):
    """The footer says times are WITA; storage keeps UTC. The batch table showed the UTC time,
    stored column names and codes (presence, partial, committed)."""
    from sqlalchemy import text

    engine = make_engine(demo_db)
    with engine.connect() as conn:
        uploaded = conn.execute(
            text("SELECT uploaded_at FROM upload_batch WHERE kind = 'presence'")
        ).scalar_one()
        stored = conn.execute(
            text("SELECT count(*) FROM presence")
        ).scalar_one()  # 29,505 at the demo's scale 0.05
    uploaded = pd.Timestamp(uploaded).to_pydatetime()
    at = app(page, role=role).run()
    assert not at.exception
    [batches] = [d.value for d in at.dataframe if t("table.uploaded_at") in d.value.columns]
    row = batches.set_index(t("table.kind")).loc[t("uploadpage.kind_presence")]
    wita = uploaded + dt.timedelta(hours=8)
    assert row[t("table.uploaded_at")] == wita.strftime("%d/%m/%Y %H:%M")
    assert (row[t("table.mode")], row[t("table.status")]) == (
        t("uploadpage.mode_partial"),
        "tersimpan",
    )
    assert stored == 29_505 and row[t("table.rows_imported")] == stored
