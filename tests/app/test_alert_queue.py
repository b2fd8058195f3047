"""The alert queue as a case list (issue 19 item 3), through the real page on a copy of the demo
database: saving keeps the same alert selected with an empty note and the confirmation; one click
and one note change several alerts (a history row and an audit event each); an alert is given to a
person and the list shows who holds it since when; an alert past its phase's response time is
marked and sorts first."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import bindparam, text

from i18n import t
from storage.engine import make_engine
from storage.models import utcnow
from storage.versions import bump
from ui.text import inert


@pytest.fixture
def queue(app, demo_copy):
    """(AppTest factory, engine) on a copy of the demo database: these tests change alerts."""
    engine = make_engine(demo_copy)
    yield app, engine
    engine.dispose()


def open_alerts(engine, n: int) -> list[int]:
    """n new alerts in the page's default period, newest first (the list's order)."""
    with engine.connect() as conn:
        return [
            r[0]
            for r in conn.execute(
                text(
                    "select id from alert where status = 'baru' and not stale order by date desc, id desc limit :n"
                ),
                {"n": n},
            )
        ]


def history(engine, alert_id: int) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "select from_status, to_status, changed_by, note, assigned_to from alert_status_change "
                    "where alert_id = :i order by id"
                ),
                {"i": alert_id},
            )
        ]


def audit(engine, action: str) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text("select actor, target, detail from audit_event where action = :a order by id"),
                {"a": action},
            )
        ]


def shown_alert(at) -> str:
    return at.markdown[0].value  # "**#<id> <rule>** — <where> · <date>"


def test_saving_keeps_the_same_alert_selected_empties_the_note_and_confirms(queue):
    app, engine = queue
    a, b = open_alerts(engine, 2)
    b_before = history(engine, b)
    at = app("pages/alerts.py")
    at.query_params["alert"] = str(a)  # a link from the overview's list opens this alert
    at.run()
    assert not at.exception
    assert shown_alert(at).startswith(f"**#{a} ")
    at.text_area(key="alert_note_0").input("dicek dengan hotel")  # sent with the form
    at.button(key="alert_to_selesai").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        t("alertpage.saved_n", n=1, status=t("status.selesai"))
    ]
    assert shown_alert(at).startswith(f"**#{a} ")  # still A, although A left the filtered list
    assert a not in list(at.dataframe[1].value["id"])
    assert [x.value for x in at.text_area] == [""]  # the note is a new, empty box
    assert at.query_params["alert"] == str(a)
    assert history(engine, a) == [("baru", "selesai", "test-analyst", "dicek dengan hotel", None)]
    assert history(engine, b) == b_before == []
    # the next save is about A again, never about the row that took A's place
    at.text_area(key="alert_note_1").input("dibuka lagi")  # sent with the form
    at.button(key="alert_to_ditelaah").click().run()
    assert history(engine, a)[-1] == ("selesai", "ditelaah", "test-analyst", "dibuka lagi", None)
    assert history(engine, b) == []


def test_one_click_changes_three_alerts_with_one_note(queue):
    app, engine = queue
    ids = open_alerts(engine, 4)
    three, other = ids[:3], ids[3]
    at = app("pages/alerts.py")
    at.session_state["alert_sel"] = three
    at.run()
    assert not at.exception
    assert at.markdown[0].value == t("alertpage.selected_n", n=3)
    at.text_area(key="alert_note_0").input("operasi gabungan 12/11")  # sent with the form
    at.button(key="alert_to_ditindaklanjuti").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        t("alertpage.saved_n", n=3, status=t("status.ditindaklanjuti"))
    ]
    for i in three:
        assert history(engine, i) == [
            ("baru", "ditindaklanjuti", "test-analyst", "operasi gabungan 12/11", None)
        ]
    assert history(engine, other) == []
    assert sorted(audit(engine, "alert_status")) == sorted(
        ("test-analyst", f"alert:{i}", '{"from": "baru", "to": "ditindaklanjuti"}') for i in three
    )
    assert at.session_state["alert_sel"] == three  # still selected


def test_an_alert_is_given_to_a_person_and_the_list_shows_who_since_when(queue):
    app, engine = queue
    a = open_alerts(engine, 1)[0]
    at = app("pages/alerts.py")
    at.session_state["alert_sel"] = [a]
    at.run()
    at.selectbox(key="alert_holder_0").select("test-analyst")  # sent with the form
    at.button(key="alert_assign").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [t("alertpage.assigned_n", n=1, holder="test-analyst")]
    with engine.connect() as conn:
        assigned_at = conn.scalar(text("select assigned_at from alert where id = :i"), {"i": a})
    since = (dt.datetime.fromisoformat(str(assigned_at)) + dt.timedelta(hours=8)).strftime(
        "%d/%m/%Y %H:%M"
    )
    table = at.dataframe[1].value.set_index("id")
    assert (table.at[a, t("alertpage.holder")], table.at[a, t("alertpage.holder_since")]) == (
        "test-analyst",
        since,
    )
    assert history(engine, a) == [("baru", "baru", "test-analyst", "", "test-analyst")]
    assert audit(engine, "alert_assign") == [
        ("test-analyst", f"alert:{a}", '{"from": "", "to": "test-analyst"}')
    ]
    held = t("alertpage.held", holder=inert("test-analyst"), since=since)  # a name is shown escaped
    assert any(held in c.value for c in at.caption)


def test_an_alert_past_its_response_time_is_marked_and_sorts_first(queue):
    app, engine = queue
    late, fresh = open_alerts(engine, 12)[10:12]
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            text(
                "update alert set phase = 'di_luar_tahapan', first_seen_at = :t, status_changed_at = null "
                "where id = :i"
            ),
            {"t": now - dt.timedelta(hours=200), "i": late},
        )  # one week + 32 h
        conn.execute(
            text("update alert set phase = 'kampanye', first_seen_at = :t where id = :i"),
            {"t": now - dt.timedelta(hours=70), "i": fresh},
        )  # 72 h allowed
    at = app("pages/alerts.py").run()
    at.selectbox(key="al_sort").select("overdue").run()
    assert not at.exception
    table = at.dataframe[1].value
    first = table.iloc[0]
    assert (first["id"], first[t("alertpage.late_mark")]) == (
        late,
        t("alertpage.late_cell", hours="32"),
    )
    assert table.set_index("id").at[fresh, t("alertpage.late_mark")] == ""
    assert (table[t("alertpage.late_mark")] != "").sum() == 1


@pytest.mark.parametrize("lang", ["id", "en"])
def test_alert_dates_read_dd_mm_yyyy_in_the_list_and_the_chosen_alert(queue, lang):
    """One date format in tables and filters alike (issue 18 item 8): the list's date column is
    a date column drawn as 27/11/2024 (so its header still sorts by date), and the chosen
    alert's line ends with the same date."""
    import json

    app, engine = queue
    (a,) = open_alerts(engine, 1)
    with engine.connect() as conn:
        day = conn.execute(text("select date from alert where id = :i"), {"i": a}).scalar()
    day = dt.date.fromisoformat(str(day)[:10])
    at = app("pages/alerts.py", lang)
    at.query_params["alert"] = str(a)
    at.run()
    assert not at.exception
    assert shown_alert(at).endswith(f" · {day:%d/%m/%Y}")
    grid = at.dataframe[1]
    column = t("alertpage.date", lang)
    assert str(grid.value[column].dtype).startswith("datetime64")
    config = json.loads(grid.proto.columns)[column]
    assert (config["type_config"]["type"], config["type_config"]["format"]) == (
        "date",
        "DD/MM/YYYY",
    )


def test_status_filter_shows_every_status_with_the_open_ones_chosen(queue):
    """The statuses are pills, all four in view (as chips in a multiselect the default three were
    cut off at 1440 px): the three open ones chosen by default; choosing only "selesai" lists the
    closed alerts, choosing none lists every alert."""
    app, engine = queue
    at = app("pages/alerts.py")
    at.run()
    assert not at.exception
    assert not [m for m in at.multiselect if m.key == "al_status"]

    def pills():
        (found,) = [b for b in at.button_group if b.key == "al_status"]
        return found

    def listed() -> int:  # the number in "Daftar peringatan (N) — ...", 0 when none is found
        if any(i.value == t("alertpage.none", "id") for i in at.info):
            return 0
        (head,) = [s.value for s in at.subheader if s.value.startswith("Daftar peringatan")]
        assert head == t("alertpage.list", "id", n=int(head.split("(")[1].split(")")[0]))
        return int(head.split("(")[1].split(")")[0])

    assert pills().options == ["Baru", "Ditelaah", "Ditindaklanjuti", "Selesai"]
    assert pills().value == ["baru", "ditelaah", "ditindaklanjuti"]
    open_before = listed()
    pills().set_value(["selesai"]).run()
    closed_before = listed()
    pills().set_value([]).run()
    assert listed() == open_before + closed_before

    closing = open_alerts(engine, 2)
    with engine.begin() as conn:  # two listed alerts closed
        conn.execute(
            text("update alert set status = 'selesai' where id in :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": closing},
        )
        bump(conn, "alerts")  # as every change through the app does (the page's caches follow)
    pills().set_value(["baru", "ditelaah", "ditindaklanjuti"]).run()
    assert listed() == open_before - 2
    pills().set_value(["selesai"]).run()
    assert listed() == closed_before + 2
