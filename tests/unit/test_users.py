"""Local accounts: hash parameters, and the upgrade of hashes made with other parameters."""

from argon2 import PasswordHasher
from sqlalchemy import select, update

from storage.models import AppUser
from storage.users import add_user, authenticate
from tests.conftest import ROOT

OWASP = "$argon2id$v=19$m=19456,t=2,p=1$"


def _hash(engine, name):
    with engine.connect() as conn:
        return conn.scalar(select(AppUser.password_hash).where(AppUser.username == name))


def test_new_hashes_use_the_owasp_parameters_and_no_clear_password(sqlite_engine):
    add_user(sqlite_engine, "rina", "correct horse battery", "analyst")
    h = _hash(sqlite_engine, "rina")
    assert h.startswith(OWASP) and "correct horse" not in h
    assert authenticate(sqlite_engine, "rina", "correct horse battery") == ("analyst", "ok")


def test_an_old_hash_is_upgraded_at_the_next_good_sign_in_only(sqlite_engine):
    add_user(sqlite_engine, "budi", "correct horse battery", "viewer")
    old = PasswordHasher().hash(
        "correct horse battery"
    )  # the library's defaults: m=65536, t=3, p=4
    with sqlite_engine.begin() as conn:
        conn.execute(update(AppUser).where(AppUser.username == "budi").values(password_hash=old))
    assert authenticate(sqlite_engine, "budi", "wrong password!") == (None, "bad_credentials")
    assert _hash(sqlite_engine, "budi") == old  # a failed attempt changes nothing
    assert authenticate(sqlite_engine, "budi", "correct horse battery") == ("viewer", "ok")
    new = _hash(sqlite_engine, "budi")
    assert new.startswith(OWASP) and new != old
    assert authenticate(sqlite_engine, "budi", "correct horse battery") == ("viewer", "ok")
    assert _hash(sqlite_engine, "budi") == new  # upgraded once


# Sign-in delays (issue 21 item 6), on a fixed clock.
import datetime as dt  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from sqlalchemy import text  # noqa: E402

from storage.users import delay, list_users, unlock  # noqa: E402

T0 = dt.datetime(2024, 11, 27, 8, 0)
ATTACKER, OWNER = "203.0.113.66", "10.20.0.7"
RIGHT = "correct horse battery"


def _at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def _fail(engine, name, client, n, when=T0):
    return [authenticate(engine, name, "wrong password", client, when) for _ in range(n)]


def test_delays_grow_from_the_fifth_failure_and_stop_at_an_hour():
    assert [delay(n, "account") // dt.timedelta(minutes=1) for n in range(1, 14)] == [
        0,
        0,
        0,
        0,
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
        60,
    ]
    assert [delay(n, "client") // dt.timedelta(minutes=1) for n in (19, 20, 21, 25, 1000)] == [
        0,
        1,
        2,
        32,
        60,
    ]


def test_a_stranger_failing_on_an_admin_delays_only_his_own_client(sqlite_engine):
    add_user(sqlite_engine, "admin", RIGHT, "admin")
    assert _fail(sqlite_engine, "admin", ATTACKER, 5) == [(None, "bad_credentials")] * 5
    assert authenticate(sqlite_engine, "admin", RIGHT, ATTACKER, _at(59)) == (None, "throttled")
    assert authenticate(sqlite_engine, "admin", RIGHT, OWNER, _at(59)) == (
        "admin",
        "ok",
    )  # the owner elsewhere
    # The attacker's client waits 1 minute, then 2 after the next failure, and so on.
    assert authenticate(sqlite_engine, "admin", "wrong password", ATTACKER, _at(60)) == (
        None,
        "bad_credentials",
    )
    assert authenticate(sqlite_engine, "admin", RIGHT, ATTACKER, _at(60 + 119)) == (
        None,
        "throttled",
    )
    assert authenticate(sqlite_engine, "admin", RIGHT, ATTACKER, _at(60 + 120)) == ("admin", "ok")
    # A success forgets that client's failures on the account: five fresh tries again.
    assert _fail(sqlite_engine, "admin", ATTACKER, 5, _at(200)) == [(None, "bad_credentials")] * 5


def test_an_unknown_name_is_answered_exactly_like_a_known_one(sqlite_engine):
    add_user(sqlite_engine, "admin", RIGHT, "admin")
    for name in ("admin", "nobody"):
        got = _fail(sqlite_engine, name, ATTACKER, 5) + [
            authenticate(sqlite_engine, name, RIGHT, ATTACKER, _at(1))
        ]
        assert got == [(None, "bad_credentials")] * 5 + [(None, "throttled")]


def test_one_client_guessing_many_names_is_delayed_after_twenty(sqlite_engine):
    add_user(sqlite_engine, "admin", RIGHT, "admin")
    for i in range(20):
        assert authenticate(sqlite_engine, f"user{i}", "guess", ATTACKER, T0) == (
            None,
            "bad_credentials",
        )
    assert authenticate(sqlite_engine, "admin", RIGHT, ATTACKER, _at(59)) == (None, "throttled")
    assert authenticate(sqlite_engine, "admin", RIGHT, ATTACKER, _at(60)) == ("admin", "ok")
    # Two quiet hours later the client's count starts again.
    assert authenticate(sqlite_engine, "user0", "guess", ATTACKER, _at(61)) == (
        None,
        "bad_credentials",
    )
    assert authenticate(sqlite_engine, "admin", RIGHT, ATTACKER, _at(62)) == (None, "throttled")
    assert authenticate(sqlite_engine, "admin", RIGHT, ATTACKER, _at(61 + 7200)) == ("admin", "ok")


def test_failures_are_forgotten_after_a_quiet_day(sqlite_engine):
    add_user(sqlite_engine, "admin", RIGHT, "admin")
    _fail(sqlite_engine, "admin", ATTACKER, 5)
    day = _at(86400)  # without forgetting, the next failure (the 6th) would mean a 2-minute wait
    assert _fail(sqlite_engine, "admin", ATTACKER, 4, day) == [(None, "bad_credentials")] * 4
    assert authenticate(sqlite_engine, "admin", RIGHT, ATTACKER, day) == ("admin", "ok")


def test_an_admin_unlocks_an_account_for_every_client(sqlite_engine, sqlite_url):
    add_user(sqlite_engine, "admin", RIGHT, "admin")
    _fail(sqlite_engine, "admin", ATTACKER, 5)
    _fail(sqlite_engine, "admin", OWNER, 5)
    _fail(sqlite_engine, "admin", OWNER, 1, _at(60))  # the 6th: 2 minutes
    shown = {u["username"]: u for u in list_users(sqlite_engine, _at(61))}["admin"]
    assert (shown["failed_attempts"], shown["locked_until"]) == (11, _at(180))
    assert unlock(sqlite_engine, "admin", actor="admin2") == 2
    assert {u["username"]: u for u in list_users(sqlite_engine, _at(61))}["admin"][
        "locked_until"
    ] is None
    assert authenticate(sqlite_engine, "admin", RIGHT, OWNER, _at(61)) == ("admin", "ok")
    # The command line does the same and the audit says who cleared how many.
    _fail(sqlite_engine, "admin", ATTACKER, 5)
    done = subprocess.run(
        [sys.executable, "-m", "ui.users", "--db", sqlite_url, "unlock", "admin"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert (done.returncode, done.stdout) == (0, "cleared the delays of 1 client(s)\nok\n")
    assert authenticate(sqlite_engine, "admin", RIGHT, ATTACKER, _at(2)) == ("admin", "ok")
    with sqlite_engine.connect() as conn:
        unlocks = conn.execute(
            text(
                "select actor, target, detail from audit_event where action = 'user_unlock' "
                "order by id"
            )
        ).all()
    assert [(a, t, json.loads(d)) for a, t, d in unlocks] == [
        ("admin2", "user:admin", {"clients": 2}),
        ("cli", "user:admin", {"clients": 1}),
    ]


def test_every_attempt_is_audited_with_its_client_and_reason(sqlite_engine):
    add_user(sqlite_engine, "admin", RIGHT, "admin")
    _fail(sqlite_engine, "admin", ATTACKER, 5)
    authenticate(sqlite_engine, "admin", RIGHT, ATTACKER, _at(1))
    authenticate(sqlite_engine, "admin", RIGHT, None, _at(2))
    with sqlite_engine.connect() as conn:
        events = conn.execute(
            text(
                "select actor, action, target, detail from audit_event "
                "where action like 'signin%' order by id"
            )
        ).all()
    assert [(a, b, c, json.loads(d)) for a, b, c, d in events] == [
        ("admin", "signin_failed", "user:admin", {"client": ATTACKER, "reason": "bad_credentials"})
    ] * 5 + [
        (
            "admin",
            "signin_failed",
            "user:admin",
            {"client": ATTACKER, "reason": "throttled", "until": "2024-11-27T08:01:00"},
        ),
        ("admin", "signin", "user:admin", {"client": "-", "method": "local", "role": "admin"}),
    ]
