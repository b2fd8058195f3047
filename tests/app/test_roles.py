"""Sign-in, roles per page, session expiry, and the audit events a scripted session produces."""

import json
import time

import pytest
import sqlalchemy.exc
from sqlalchemy import select, text

from i18n import t
from storage.engine import make_engine
from storage.models import AuditEvent
from storage.users import add_user, authenticate

ALL_PAGES = [
    "pages/overview.py",
    "pages/map.py",
    "pages/alerts.py",
    "pages/timeline.py",
    "pages/upload.py",
    "pages/records.py",
    "pages/admin.py",
    "pages/about.py",
]


def test_unauthenticated_session_sees_only_the_sign_in_view(app):
    at = app(role=None).run()
    assert not at.exception
    assert [x.value for x in at.title] == [t("auth.title")]
    assert len(at.text_input) == 2 and not at.metric and not at.dataframe


@pytest.mark.parametrize("page", ["pages/upload.py", "pages/records.py", "pages/admin.py"])
def test_viewer_reaching_a_hidden_page_by_url_sees_nothing(app, page):
    at = app(page, role="viewer").run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("auth.forbidden")]
    assert not at.dataframe and not at.get("file_uploader")


@pytest.mark.parametrize(
    "page",
    ["pages/overview.py", "pages/map.py", "pages/alerts.py", "pages/timeline.py", "pages/about.py"],
)
def test_viewer_pages_show_no_person_level_table(app, page):
    at = app(page, role="viewer").run()
    assert not at.exception
    assert not at.get("file_uploader")
    person_level = {
        "passport_pseudonym",
        "description",
        t("records.col_passport_pseudonym"),
        "uraian",
    }  # as shown
    for df in at.dataframe:
        assert not person_level & set(df.value.columns)


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_page_for_every_role(app, role, page):
    at = app(page, role=role).run()
    assert not at.exception, [e.value for e in at.exception]
    forbidden = (page in ("pages/upload.py", "pages/records.py") and role == "viewer") or (
        page == "pages/admin.py" and role != "admin"
    )
    assert ([e.value for e in at.error] == [t("auth.forbidden")]) == forbidden


def test_expired_session_is_signed_out(app):
    at = app(role="analyst", last_seen=time.time() - 31 * 60).run()
    assert [x.value for x in at.title] == [t("auth.title")]
    assert t("auth.expired") in [i.value for i in at.info]


def test_analyst_sees_records_and_the_view_is_audited(app, demo_db):
    engine = make_engine(demo_db)
    with engine.connect() as conn:
        before = conn.scalar(
            text("select count(*) from audit_event where action='person_level_view'")
        )
    at = app("pages/records.py", role="analyst").run()
    assert not at.exception
    shown = at.dataframe[0].value
    # The upload contract's names (what analysts send), blanks for missing values, the pseudonym shortened.
    assert list(shown.columns[:6]) == [
        "no_register",
        "tanggal_laporan",
        "kabupaten_kota",
        "kewarganegaraan",
        "jenis_izin",
        "kegiatan",
    ]
    # 12 characters where the report had a passport, blank where it had none (the demo's patrol sightings)
    assert set(shown["samaran_paspor"].str.len()) == {12, 0} and not shown.isna().any().any()
    assert (shown["samaran_paspor"] == "").tolist() == (
        shown["jumlah_orang"] > 1
    ).tolist()  # groups seen, no passport
    assert len(at.dataframe[0].value) == 100
    with engine.connect() as conn:
        after = conn.scalar(
            text("select count(*) from audit_event where action='person_level_view'")
        )
    assert after == before + 1


def test_sign_in_form_delay_and_audit(app, demo_db):
    engine = make_engine(demo_db)
    add_user(engine, "rina", "correct horse battery", "analyst")
    with engine.connect() as conn:
        start = conn.scalar(text("select coalesce(max(id),0) from audit_event"))
    at = app(role=None).run()
    at.text_input(key="signin_user").input("rina")
    at.text_input(key="signin_password").input("wrong password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == [t("auth.refused")]
    at.text_input(key="signin_password").input("correct horse battery")
    at.button[0].click().run()
    assert not at.exception
    assert t("overview.title") in [x.value for x in at.title]
    for _ in range(5):
        authenticate(engine, "rina", "nope")
    assert authenticate(engine, "rina", "correct horse battery") == (None, "throttled")
    with engine.connect() as conn:
        events = conn.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.id > start)
            .order_by(AuditEvent.id)
        ).all()
    assert [(a, b) for a, b, _ in events] == [("rina", "signin_failed"), ("rina", "signin")] + [
        ("rina", "signin_failed")
    ] * 6
    assert json.loads(events[-2][2]) == {"client": "-", "reason": "bad_credentials"}
    assert json.loads(events[-1][2])["reason"] == "throttled"
    for sql in ("update audit_event set actor='x'", "delete from audit_event"):
        with (
            pytest.raises(sqlalchemy.exc.IntegrityError, match="audit_event is append-only"),
            engine.begin() as conn,
        ):
            conn.execute(text(sql))


def test_admin_edits_thresholds_only_when_valid(app, demo_db, tmp_path, monkeypatch):
    import loaders.thresholds as alerts_mod

    local = tmp_path / "alert_rules.toml"
    monkeypatch.setattr(alerts_mod, "LOCAL_RULES_FILE", local)
    at = app("pages/admin.py", role="admin").run()
    original = at.text_area(key="rules_text").value
    at.text_area(key="rules_text").input(original.replace("[risk.weights]", "[risk.weightz]")).run()
    at.button(key="rules_save").click().run()
    assert not local.exists()
    assert any(e.value.startswith(t("admin.rules_invalid", reason="")[:20]) for e in at.error)
    edited = original.replace("min_days = 3", "min_days = 4")
    assert edited != original
    at.text_area(key="rules_text").input(edited).run()
    at.button(key="rules_save").click().run()
    assert not at.exception
    assert local.read_text() == edited
    assert alerts_mod.load_rules().reporting_gap.min_days == 4
    engine = make_engine(demo_db)
    with engine.connect() as conn:
        assert conn.scalar(text("select count(*) from audit_event where action='rules_edit'")) == 1
