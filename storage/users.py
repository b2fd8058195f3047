"""Local accounts: argon2id password hashes, lock-out after repeated failures, audit events for
every sign-in and failed sign-in (in the same transaction as the counter update)."""
from __future__ import annotations

import datetime as dt
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, insert, select, update

from domain.roles import ROLES
from storage.audit import record
from storage.engine import read_tx, write_tx
from storage.models import AppUser, utcnow

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 10
# argon2id at the OWASP Password Storage Cheat Sheet's configuration (19 MiB, 2 passes, 1 lane):
# ~35 ms of one core per check here. The library's default (64 MiB, 3 passes, 4 lanes) took
# ~240 ms of CPU on both cores, and a morning rush of 100 sign-ins starved every page render.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# One check at a time per process: sign-ins queue for a few ms each while the other core keeps
# drawing pages for everybody already signed in.
_checks = threading.BoundedSemaphore(1)
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class UserError(ValueError):
    pass


def add_user(engine: Engine, username: str, password: str, role: str, actor: str = "cli", is_demo: bool = False) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD and not is_demo:
        raise UserError(f"password too short (minimum {MIN_PASSWORD} characters)")
    with write_tx(engine) as conn:
        if conn.scalar(select(AppUser.id).where(AppUser.username == username)) is not None:
            raise UserError(f"user {username!r} exists")
        conn.execute(insert(AppUser).values(username=username, password_hash=_hasher.hash(password), role=role,
                                            is_demo=is_demo))
        record(conn, actor, "user_add", f"user:{username}", {"role": role})


def set_password(engine: Engine, username: str, password: str, actor: str = "cli") -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password too short (minimum {MIN_PASSWORD} characters)")
    with write_tx(engine) as conn:
        n = conn.execute(update(AppUser).where(AppUser.username == username).values(
            password_hash=_hasher.hash(password), failed_attempts=0, locked_until=None)).rowcount
        if not n:
            raise UserError(f"no user {username!r}")
        record(conn, actor, "user_password", f"user:{username}")


def set_active(engine: Engine, username: str, active: bool, actor: str = "cli") -> None:
    with write_tx(engine) as conn:
        if not conn.execute(update(AppUser).where(AppUser.username == username).values(active=active)).rowcount:
            raise UserError(f"no user {username!r}")
        record(conn, actor, "user_enable" if active else "user_disable", f"user:{username}")


def list_users(engine: Engine) -> list[dict]:
    with read_tx(engine) as conn:
        rows = conn.execute(select(AppUser.username, AppUser.role, AppUser.active, AppUser.is_demo,
                                   AppUser.failed_attempts, AppUser.locked_until).order_by(AppUser.username))
        return [dict(r._mapping) for r in rows]


def authenticate(engine: Engine, username: str, password: str, now: dt.datetime | None = None) -> tuple[str | None, str]:
    """Return (role, reason). reason: ok | bad_credentials | locked | disabled.
    The slow hash check runs outside any transaction (sign-ins never queue behind each other on
    the write lock); only the short counter update and the audit event are written. The same work
    is done for unknown users, so timing does not reveal which names exist."""
    now = now or utcnow()
    with read_tx(engine) as conn:
        user = conn.execute(select(AppUser.id, AppUser.password_hash, AppUser.role, AppUser.active,
                                   AppUser.locked_until).where(AppUser.username == username)).one_or_none()
    locked = user is not None and user.locked_until is not None and user.locked_until > now
    good = _verify(user.password_hash if user is not None else _DUMMY_HASH, password) and user is not None
    # A hash made with other parameters is upgraded at the next good sign-in (hashed before the write lock).
    rehashed = _hasher.hash(password) if good and _hasher.check_needs_rehash(user.password_hash) else None
    with write_tx(engine) as conn:
        if user is None:
            record(conn, username, "signin_failed", f"user:{username}", {"reason": "bad_credentials"})
            return None, "bad_credentials"
        if locked:
            record(conn, username, "signin_failed", f"user:{username}", {"reason": "locked"})
            return None, "locked"
        if not good:
            # Counted in SQL, so concurrent failures all count.
            failures = conn.scalar(update(AppUser).where(AppUser.id == user.id)
                                   .values(failed_attempts=AppUser.failed_attempts + 1)
                                   .returning(AppUser.failed_attempts))
            lock = failures >= MAX_FAILURES
            if lock:
                conn.execute(update(AppUser).where(AppUser.id == user.id).values(
                    failed_attempts=0, locked_until=now + dt.timedelta(minutes=LOCK_MINUTES)))
            record(conn, username, "signin_failed", f"user:{username}", {"reason": "bad_credentials", "locked": lock})
            return None, "locked" if lock else "bad_credentials"
        if not user.active:
            record(conn, username, "signin_failed", f"user:{username}", {"reason": "disabled"})
            return None, "disabled"
        values = {"failed_attempts": 0, "locked_until": None} | ({"password_hash": rehashed} if rehashed else {})
        conn.execute(update(AppUser).where(AppUser.id == user.id).values(**values))
        record(conn, username, "signin", f"user:{username}", {"role": user.role, "method": "local"})
        return user.role, "ok"


def _verify(hash_: str, password: str) -> bool:
    try:
        with _checks:
            return _hasher.verify(hash_, password)
    except (VerificationError, InvalidHashError):
        return False


def demo_accounts_exist(engine: Engine) -> bool:
    with read_tx(engine) as conn:
        return bool(conn.scalar(select(func.count()).select_from(AppUser).where(
            AppUser.is_demo.is_(True), AppUser.active.is_(True))))


DEMO_USERS = (("pimpinan", "viewer"), ("analis", "analyst"), ("admin", "admin"))


def create_demo_accounts(engine: Engine) -> list[tuple[str, str, str]]:
    """Demo accounts with random passwords, printed once by `make run`. Never in production."""
    made = []
    for name, role in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        try:
            add_user(engine, name, password, role, actor="bootstrap", is_demo=True)
        except UserError:
            continue
        made.append((name, role, password))
    return made
