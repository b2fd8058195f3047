"""Issue 21 items 6 and 7 against the real app and both engines: the sign-in form gives one answer
whether the password is wrong, the name unknown or the client delayed; and a stranger's huge user
name is cut before it reaches the append-only audit, yet the attempt is still audited."""

import json

import pytest
from sqlalchemy import text

from i18n import t
from storage.audit import DETAIL_MAX, record
from storage.engine import make_engine, write_tx
from storage.users import USERNAME_MAX, add_user, authenticate
from tests.app.conftest import app, demo_db  # noqa: F401  (AppTest fixtures: the demo database, signed-in sessions)

RIGHT = "correct horse battery"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_form_answers_the_same_for_a_wrong_password_an_unknown_name_and_a_delayed_client(
    app, demo_db, lang
):
    engine = make_engine(demo_db)
    add_user(engine, f"sari_{lang}", RIGHT, "analyst")
    add_user(engine, f"dewi_{lang}", RIGHT, "admin")
    for _ in range(5):  # AppTest sessions have no address: the same client ("-") as these
        authenticate(engine, f"dewi_{lang}", "wrong password")
    shown = []
    for name, password in (
        (f"sari_{lang}", "wrong password"),
        (f"nobody_{lang}", "wrong password"),
        (f"dewi_{lang}", RIGHT),
    ):
        at = app(role=None, lang=lang).run()
        at.text_input(key="signin_user").input(name)
        at.text_input(key="signin_password").input(password)
        at.button[0].click().run()
        assert not at.exception and [x.value for x in at.title] == [t("auth.title", lang)]
        shown.append([e.value for e in at.error])
    assert shown == [[t("auth.refused", lang)]] * 3
    assert "dikunci" not in shown[2][0].lower() and "locked" not in shown[2][0].lower()
    with engine.connect() as conn:
        reasons = conn.execute(
            text(
                "select actor, detail from audit_event where action = 'signin_failed' "
                "and actor in (:a, :b, :c) order by id desc limit 3"
            ),
            {"a": f"sari_{lang}", "b": f"nobody_{lang}", "c": f"dewi_{lang}"},
        ).all()
    assert [(a, json.loads(d)["reason"]) for a, d in reversed(reasons)] == [
        (f"sari_{lang}", "bad_credentials"),
        (f"nobody_{lang}", "bad_credentials"),
        (f"dewi_{lang}", "throttled"),
    ]


def _events(engine, after: int):
    with engine.connect() as conn:
        return conn.execute(
            text("select actor, action, target, detail from audit_event where id > :n order by id"),
            {"n": after},
        ).all()


def _last_id(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(text("select coalesce(max(id), 0) from audit_event"))


def test_a_megabyte_user_name_is_cut_before_the_audit_and_still_audited(engine):
    start = _last_id(engine)
    huge = "a" * 1_000_000
    got = [authenticate(engine, huge, "wrong password", "198.51.100.9") for _ in range(6)]
    assert got == [(None, "bad_credentials")] * 5 + [
        (None, "throttled")
    ]  # the cut name is counted too
    cut = "a" * 70 + "…[+999930]"
    assert len(cut) == USERNAME_MAX
    events = _events(engine, start)
    assert [(a, b, c) for a, b, c, _ in events] == [(cut, "signin_failed", f"user:{cut}")] * 6
    assert sum(len(a) + len(c) + len(d) for a, _, c, d in events) < 6 * 300


def test_a_name_just_over_the_limit_is_audited_on_both_engines(engine):
    """PostgreSQL refused a name longer than the actor column (120), so the attempt was not audited."""
    start = _last_id(engine)
    name = "b" * 121
    assert authenticate(engine, name, "wrong password") == (None, "bad_credentials")
    assert [(a, c) for a, _, c, _ in _events(engine, start)] == [
        ("b" * 74 + "…[+47]", "user:" + "b" * 74 + "…[+47]")
    ]


def test_a_name_as_long_as_an_account_may_be_signs_in(engine):
    name = "c" * USERNAME_MAX
    add_user(engine, name, RIGHT, "viewer")
    assert authenticate(engine, name, RIGHT) == ("viewer", "ok")
    assert authenticate(engine, name + "c", RIGHT) == (
        None,
        "bad_credentials",
    )  # cut, so never an account


def test_free_text_in_any_audit_event_is_bounded(engine):
    start = _last_id(engine)
    with write_tx(engine) as conn:
        record(conn, "x" * 500, "upload", "t" * 500, {"file": "é" * 100_000})
    [(actor, _, target, detail)] = _events(engine, start)
    assert (actor, target) == ("x" * 113 + "…[+387]", "t" * 193 + "…[+307]")
    assert len(detail) <= DETAIL_MAX
    parsed = json.loads(detail)
    assert (parsed["cut"], parsed["chars"], parsed["head"]) == (
        True,
        600_012,
        '{"file": "' + "\\u00e9" * 40,
    )


@pytest.mark.parametrize(
    "peer, forwarded, counted",
    [
        (
            "203.0.113.5",
            "10.0.0.1",
            "203.0.113.5",
        ),  # a direct visitor: its own address, headers ignored
        (
            None,
            "1.2.3.4, 198.51.100.7",
            "198.51.100.7",
        ),  # behind the local nginx: the address nginx appended
        (
            None,
            "198.51.100.7, not-an-address",
            None,
        ),  # a forged header from this machine: nothing usable
        (None, None, None),  # local development
    ],
)
def test_the_client_address_delays_are_counted_for(monkeypatch, peer, forwarded, counted):
    from types import SimpleNamespace

    import ui.auth

    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    monkeypatch.setattr(ui.auth.st, "context", SimpleNamespace(ip_address=peer, headers=headers))
    assert ui.auth.client_address() == counted
