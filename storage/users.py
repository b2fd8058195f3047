"""Local accounts: argon2id password hashes, a sign-in delay after repeated failures, audit events
for every sign-in and failed sign-in (in the same transaction as the failure count).

Failures are counted per (client, user name as typed) and per client, never per account alone:
the client that keeps failing waits longer and longer, while the owner signing in from another
client is not held up, so nobody can lock an account out by guessing at it. Unknown names are
counted the same way, and every refusal gives the same answer, so nothing tells which names exist.
An admin clears an account's delays with `python -m ui.users unlock NAME`."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, and_, case, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from domain.roles import ROLES
from domain.scope import PROVINCE, Scope, parse
from storage.audit import clip, log, record
from storage.engine import read_tx, write_tx
from storage.models import AppUser, SigninThrottle, utcnow

MIN_PASSWORD = 10
USERNAME_MAX = AppUser.__table__.c.username.type.length
CLIENT_MAX = SigninThrottle.__table__.c.client.type.length


@dataclass(frozen=True)
class Throttle:
    free: int  # failures before the first delay
    forget: dt.timedelta  # a count with no failure for this long starts again


# Per (client, name): 5 tries, then 1, 2, 4 … minutes, at most an hour, until a success or a quiet day.
# Per client over all names (one client guessing many names): 20 tries, then the same delays, and
# forgotten after two quiet hours (an office behind one address makes typos every day).
THROTTLES = {
    "account": Throttle(5, dt.timedelta(hours=24)),
    "client": Throttle(20, dt.timedelta(hours=2)),
}
FIRST_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(hours=1)
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


def checked_scope(role: str, office: str | None) -> Scope:
    """The scope an account of `role` gets from `office` (an office id, "ntb" or None: the whole
    province). Admins keep the whole province: they manage every account and read the whole trail."""
    try:
        scope = parse(office)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    if role == "admin" and not scope.province:
        raise UserError("an admin sees the whole province: no --office for admins")
    return scope


def add_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    actor: str = "cli",
    is_demo: bool = False,
    office: str | None = None,
) -> None:
    """`office`: the office whose working area the account is limited to (None: the whole province)."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    scope = checked_scope(role, office)
    if len(password) < MIN_PASSWORD and not is_demo:
        raise UserError(f"password too short (minimum {MIN_PASSWORD} characters)")
    if not 0 < len(username) <= USERNAME_MAX:
        raise UserError(f"user names have 1 to {USERNAME_MAX} characters")
    with write_tx(engine) as conn:
        if conn.scalar(select(AppUser.id).where(AppUser.username == username)) is not None:
            raise UserError(f"user {username!r} exists")
        conn.execute(
            insert(AppUser).values(
                username=username,
                password_hash=_hasher.hash(password),
                role=role,
                is_demo=is_demo,
                office_id=scope.office,
            )
        )
        record(conn, actor, "user_add", f"user:{username}", {"role": role, "office": scope.key})


def set_office(
    engine: Engine,
    username: str,
    office: str | None,
    actor: str = "cli",
    actor_scope: Scope | None = None,
) -> Scope:
    """Limit an account to an office's working area, or (None / "ntb") give it the whole province.
    Takes effect at its next sign-in. Audited with the old and the new scope."""
    with write_tx(engine) as conn:
        row = conn.execute(
            select(AppUser.role, AppUser.office_id).where(AppUser.username == username)
        ).one_or_none()
        if row is None:
            raise UserError(f"no user {username!r}")
        scope = checked_scope(row.role, office)
        conn.execute(
            update(AppUser).where(AppUser.username == username).values(office_id=scope.office)
        )
        record(
            conn,
            actor,
            "user_office",
            f"user:{username}",
            {"from": Scope(row.office_id).key, "to": scope.key},
            scope=actor_scope,
        )
    return scope


def account_scope(engine: Engine, username: str) -> Scope:
    """The scope of a local account (the whole province for an unknown name: callers have just
    signed it in)."""
    with read_tx(engine) as conn:
        office = conn.scalar(select(AppUser.office_id).where(AppUser.username == username))
    return PROVINCE if office is None else Scope(office)


def set_password(engine: Engine, username: str, password: str, actor: str = "cli") -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password too short (minimum {MIN_PASSWORD} characters)")
    with write_tx(engine) as conn:
        n = conn.execute(
            update(AppUser)
            .where(AppUser.username == username)
            .values(password_hash=_hasher.hash(password))
        ).rowcount
        if not n:
            raise UserError(f"no user {username!r}")
        _clear_delays(conn, username)
        record(conn, actor, "user_password", f"user:{username}")


def set_active(engine: Engine, username: str, active: bool, actor: str = "cli") -> None:
    with write_tx(engine) as conn:
        if not conn.execute(
            update(AppUser).where(AppUser.username == username).values(active=active)
        ).rowcount:
            raise UserError(f"no user {username!r}")
        record(conn, actor, "user_enable" if active else "user_disable", f"user:{username}")


def unlock(engine: Engine, username: str, actor: str = "cli") -> int:
    """Clear the delays every client has earned on this account; returns how many clients had one."""
    with write_tx(engine) as conn:
        if conn.scalar(select(AppUser.id).where(AppUser.username == username)) is None:
            raise UserError(f"no user {username!r}")
        n = _clear_delays(conn, username)
        record(conn, actor, "user_unlock", f"user:{username}", {"clients": n})
        return n


def _clear_delays(conn: Connection, username: str) -> int:
    return conn.execute(
        delete(SigninThrottle).where(
            SigninThrottle.scope == "account", SigninThrottle.username == username
        )
    ).rowcount


def list_users(engine: Engine, now: dt.datetime | None = None) -> list[dict]:
    """Accounts, with the failed sign-ins counted on each (all clients) and the latest time a
    client must wait until before trying it again (None when nobody waits)."""
    now = now or utcnow()
    with read_tx(engine) as conn:
        users = conn.execute(
            select(
                AppUser.username, AppUser.role, AppUser.office_id, AppUser.active, AppUser.is_demo
            ).order_by(AppUser.username)
        ).all()
        counts = conn.execute(
            select(
                SigninThrottle.username, SigninThrottle.failures, SigninThrottle.last_failure
            ).where(SigninThrottle.scope == "account")
        ).all()
    out = []
    for u in users:
        mine = [
            (n, last)
            for name, n, last in counts
            if name == u.username and last > now - THROTTLES["account"].forget
        ]
        waits = [until for n, last in mine if (until := last + delay(n, "account")) > now]
        out.append(
            dict(u._mapping)
            | {"failed_attempts": sum(n for n, _ in mine), "locked_until": max(waits, default=None)}
        )
    return out


def delay(failures: int, scope: str) -> dt.timedelta:
    """How long a client waits after its `failures`-th failure in a row (of that scope)."""
    extra = failures - THROTTLES[scope].free
    return dt.timedelta(0) if extra < 0 else min(FIRST_DELAY * 2 ** min(extra, 16), MAX_DELAY)


def _keys(client: str, name: str) -> dict[str, tuple[str, str, str]]:
    return {"account": ("account", client, name), "client": ("client", client, "")}


def _waits_until(conn: Connection, keys, now: dt.datetime) -> dt.datetime | None:
    """The end of the longest delay these keys impose, if it is still running."""
    rows = conn.execute(
        select(SigninThrottle.scope, SigninThrottle.failures, SigninThrottle.last_failure).where(
            or_(
                *(
                    and_(
                        SigninThrottle.scope == a,
                        SigninThrottle.client == b,
                        SigninThrottle.username == c,
                    )
                    for a, b, c in keys.values()
                )
            )
        )
    ).all()
    ends = [
        last + delay(n, scope) for scope, n, last in rows if now - last < THROTTLES[scope].forget
    ]
    return max((e for e in ends if e > now), default=None)


def _count_failure(conn: Connection, keys, now: dt.datetime) -> None:
    """One more failure on each key (a stale count starts again at 1); stale rows are dropped."""
    dialect = {"sqlite": sqlite, "postgresql": postgresql}[conn.dialect.name]
    t = SigninThrottle.__table__
    for scope, client, name in keys.values():
        stale = t.c.last_failure <= now - THROTTLES[scope].forget
        ins = dialect.insert(t).values(
            scope=scope, client=client, username=name, failures=1, last_failure=now
        )
        conn.execute(
            ins.on_conflict_do_update(
                index_elements=[t.c.scope, t.c.client, t.c.username],
                set_={"failures": case((stale, 1), else_=t.c.failures + 1), "last_failure": now},
            )
        )
    oldest = now - max(th.forget for th in THROTTLES.values())
    conn.execute(delete(SigninThrottle).where(SigninThrottle.last_failure < oldest))


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    client: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[str | None, str]:
    """Return (role, reason). reason: ok | bad_credentials | throttled | disabled; the sign-in
    form says the same for bad_credentials and throttled (and disabled only after the right
    password). `client` is the caller's address (None when unknown).
    The slow hash check runs outside any transaction (sign-ins never queue behind each other on
    the write lock), and not at all while the client must wait; only the short count update and
    the audit event are written. Unknown users cost the same hash check, so timing does not
    reveal which names exist. A name longer than any account's is cut before it is stored."""
    now = now or utcnow()
    name = clip(username, USERNAME_MAX)
    keys = _keys(clip(client or "-", CLIENT_MAX), name)
    target, about = f"user:{name}", {"client": keys["client"][1]}
    with read_tx(engine) as conn:
        waits = _waits_until(conn, keys, now)
        user = (
            None
            if name != username
            else conn.execute(
                select(
                    AppUser.id,
                    AppUser.password_hash,
                    AppUser.role,
                    AppUser.active,
                    AppUser.office_id,
                ).where(AppUser.username == name)
            ).one_or_none()
        )
    if waits is not None:
        log(
            engine,
            name,
            "signin_failed",
            target,
            about | {"reason": "throttled", "until": waits.isoformat()},
        )
        return None, "throttled"
    good = (
        _verify(user.password_hash if user is not None else _DUMMY_HASH, password)
        and user is not None
    )
    # A hash made with other parameters is upgraded at the next good sign-in (hashed before the write lock).
    rehashed = (
        _hasher.hash(password) if good and _hasher.check_needs_rehash(user.password_hash) else None
    )
    with write_tx(engine) as conn:
        if not good:
            _count_failure(conn, keys, now)
            record(conn, name, "signin_failed", target, about | {"reason": "bad_credentials"})
            return None, "bad_credentials"
        if not user.active:
            record(conn, name, "signin_failed", target, about | {"reason": "disabled"})
            return None, "disabled"
        if rehashed:
            conn.execute(
                update(AppUser).where(AppUser.id == user.id).values(password_hash=rehashed)
            )
        conn.execute(
            delete(SigninThrottle).where(
                *(
                    getattr(SigninThrottle, c) == v
                    for c, v in zip(("scope", "client", "username"), keys["account"])
                )
            )
        )
        record(
            conn,
            name,
            "signin",
            target,
            about | {"role": user.role, "method": "local"},
            scope=Scope(user.office_id),
        )
        return user.role, "ok"


def _verify(hash_: str, password: str) -> bool:
    try:
        with _checks:
            return _hasher.verify(hash_, password)
    except (VerificationError, InvalidHashError):
        return False


def demo_accounts_exist(engine: Engine) -> bool:
    with read_tx(engine) as conn:
        return bool(
            conn.scalar(
                select(func.count())
                .select_from(AppUser)
                .where(AppUser.is_demo.is_(True), AppUser.active.is_(True))
            )
        )


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
