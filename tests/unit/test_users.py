"""Local accounts: hash parameters, and the upgrade of hashes made with other parameters."""
from argon2 import PasswordHasher
from sqlalchemy import select, update

from storage.models import AppUser
from storage.users import add_user, authenticate

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
    old = PasswordHasher().hash("correct horse battery")  # the library's defaults: m=65536, t=3, p=4
    with sqlite_engine.begin() as conn:
        conn.execute(update(AppUser).where(AppUser.username == "budi").values(password_hash=old))
    assert authenticate(sqlite_engine, "budi", "wrong password!") == (None, "bad_credentials")
    assert _hash(sqlite_engine, "budi") == old  # a failed attempt changes nothing
    assert authenticate(sqlite_engine, "budi", "correct horse battery") == ("viewer", "ok")
    new = _hash(sqlite_engine, "budi")
    assert new.startswith(OWASP) and new != old
    assert authenticate(sqlite_engine, "budi", "correct horse battery") == ("viewer", "ok")
    assert _hash(sqlite_engine, "budi") == new  # upgraded once
