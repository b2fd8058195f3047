"""Shared fixtures: real databases, a fresh one per test (a SQLite file; a PostgreSQL database
when reachable).

Each engine is migrated once per session into a template that every test copies: the Alembic
migrations cost ~0.35 s on SQLite and ~1 s on PostgreSQL per test, a copy ~2 ms (the file) or
~0.1 s (CREATE DATABASE ... TEMPLATE). Dropping a PostgreSQL database waits for a checkpoint
(0.5-10 s on a busy machine), so used databases are dropped by a background thread, together."""

from __future__ import annotations

import os
import queue
import re
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NTB_PSEUDONYM_KEY", "00" * 32)  # tests never touch the demo key file

from storage.engine import make_engine  # noqa: E402
from storage.schema import upgrade  # noqa: E402

PG_URL = os.environ.get("NTB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_url(database: str) -> str:
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


def pg_admin() -> Engine:
    """An autocommit engine on PG_URL's database (CREATE/DROP DATABASE); skip (fail in CI) when
    the server cannot be reached."""
    try:
        import psycopg  # noqa: F401

        admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # pragma: no cover - depends on the machine
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL not reachable in CI at {PG_URL}: {exc}")
        pytest.skip(
            f"PostgreSQL not reachable at {PG_URL} ({exc.__class__.__name__}); start it or set NTB_TEST_PG_URL"
        )
    return admin


OURS = re.compile(r"^ntb_(?:t|tmpl)_([0-9a-f]{8})[0-9a-f]{4}_")  # group 1: when, in hex seconds
STALE_S = 6 * 3600


class Databases:
    """Fresh databases copied from templates made once per session: one per engine and `name`
    ("migrated" = the schema at head; a test module may add e.g. "migrated + baseline rows")."""

    def __init__(self, root: Path):
        self.root = root
        # Other sessions share the server: names of our own, starting with the time they were made
        self.session = f"{int(time.time()):08x}{uuid.uuid4().hex[:4]}"
        self.sqlite_templates: dict[str, Path] = {}
        self.pg_templates: dict[str, str] = {}
        self._admin: Engine | None = None
        self._drops: queue.Queue = queue.Queue()
        self._dropper: threading.Thread | None = None

    # --- SQLite: a migrated file, copied ---------------------------------------------------------
    def sqlite(
        self, path: Path, name: str = "migrated", build: Callable[[Engine], None] | None = None
    ) -> Engine:
        shutil.copyfile(self.sqlite_template(name, build), path)
        return make_engine(f"sqlite:///{path}")

    def sqlite_template(
        self, name: str = "migrated", build: Callable[[Engine], None] | None = None
    ) -> Path:
        """The template file itself (copy it, never open it)."""
        if name not in self.sqlite_templates:
            tmpl = self.root / f"{name.replace(' ', '_')}.sqlite"
            eng = make_engine(f"sqlite:///{tmpl}")
            upgrade(eng)
            if build is not None:
                build(eng)
            eng.dispose()  # the last connection closed moves the WAL into the file, which alone is copied
            assert not Path(f"{tmpl}-wal").exists(), "the template's WAL was not checkpointed"
            self.sqlite_templates[name] = tmpl
        return self.sqlite_templates[name]

    # --- PostgreSQL: a migrated database, used as CREATE DATABASE's template -----------------------
    @property
    def admin(self) -> Engine:
        if self._admin is None:
            self._admin = pg_admin()
            self._sweep()
        return self._admin

    def _sweep(self) -> None:
        """Drop what killed sessions left behind (a killed pytest runs no teardown): databases
        named as below and made more than STALE_S ago; no session runs that long."""
        with self.admin.connect() as conn:
            names = conn.scalars(
                text("SELECT datname FROM pg_database WHERE datname ~ :pattern"),
                {"pattern": OURS.pattern},
            ).all()
        old = [n for n in names if time.time() - int(OURS.match(n).group(1), 16) > STALE_S]
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(self._drop, old))

    def _create(self, database: str, template: str | None = None) -> None:
        with self.admin.connect() as conn:
            conn.execute(
                text(f"CREATE DATABASE {database}" + (f" TEMPLATE {template}" if template else ""))
            )

    def postgresql(
        self, name: str = "migrated", build: Callable[[Engine], None] | None = None
    ) -> tuple[Engine, str]:
        """A new database copied from the template `name`; returns (engine, database name)."""
        if name not in self.pg_templates:
            tmpl = f"ntb_tmpl_{self.session}_{len(self.pg_templates)}"
            self._create(tmpl)
            self.pg_templates[name] = tmpl  # dropped at the end even if building fails
            eng = make_engine(pg_url(tmpl))
            upgrade(eng)
            if build is not None:
                build(eng)
            eng.dispose()  # CREATE DATABASE ... TEMPLATE refuses a template with open connections
        database = f"ntb_t_{self.session}_{uuid.uuid4().hex[:8]}"
        self._create(database, self.pg_templates[name])
        return make_engine(pg_url(database)), database

    def drop_later(self, database: str) -> None:
        if self._dropper is None:
            self._dropper = threading.Thread(
                target=self._drop_loop, name="drop-test-databases", daemon=True
            )
            self._dropper.start()
        self._drops.put(database)

    def _drop_loop(self) -> None:
        """Drops whatever has queued up at once: concurrent DROP DATABASEs wait for one shared
        checkpoint (8 drops: ~1 s at once, 9-30 s one after another on this machine)."""
        with ThreadPoolExecutor(max_workers=8) as pool:
            while True:
                batch = [self._drops.get()]
                while not self._drops.empty():
                    batch.append(self._drops.get_nowait())
                list(pool.map(self._drop, [d for d in batch if d is not None]))
                if None in batch:
                    return

    def _drop(self, database: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))

    def close(self) -> None:
        if self._dropper is not None:
            self._drops.put(None)
            self._dropper.join()
        if self._admin is not None:
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(self._drop, self.pg_templates.values()))
            self._admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    dbs = Databases(tmp_path_factory.mktemp("templates"))
    yield dbs
    dbs.close()


def fresh_engine(
    databases: Databases,
    kind: str,
    tmp_path: Path,
    name: str = "migrated",
    build: Callable[[Engine], None] | None = None,
):
    """Generator for a fixture: a fresh database of `kind` ("sqlite" | "postgresql") copied from
    the template `name` (built by `build` after the migrations, once per session)."""
    if kind == "sqlite":
        eng = databases.sqlite(tmp_path / "test.sqlite", name, build)
        try:
            yield eng
        finally:
            eng.dispose()
        return
    eng, database = databases.postgresql(name, build)
    try:
        yield eng
    finally:  # also when the generator is closed early (gen.close()): the database is dropped
        eng.dispose()
        databases.drop_later(database)


# A table's leaves: each partition of a partitioned table, or a table not partitioned itself
PG_LEAVES = (
    "WITH leaf AS (SELECT relid FROM pg_partition_tree(%(t)s::regclass) WHERE isleaf "
    "UNION ALL SELECT %(t)s::regclass "
    "WHERE NOT EXISTS (SELECT FROM pg_partition_tree(%(t)s::regclass))) "
)


def pg_leaves(engine: Engine, table: str) -> list[tuple[str, int]]:
    """PostgreSQL: the tables holding a table's rows (PG_LEAVES), each with its number of indexes,
    by name."""
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.exec_driver_sql(
                PG_LEAVES + "SELECT relid::regclass::text, (SELECT count(*) FROM pg_index i "
                "WHERE i.indrelid = leaf.relid) FROM leaf ORDER BY 1",
                {"t": table},
            )
        ]


def pg_table_paths(engine: Engine, table: str) -> list[str]:
    """PostgreSQL: the files (paths under the data directory) of a table's leaves (PG_LEAVES) and
    of their indexes."""
    with engine.connect() as conn:
        return list(
            conn.exec_driver_sql(
                PG_LEAVES + "SELECT pg_relation_filepath(r) FROM (SELECT relid AS r FROM leaf "
                "UNION ALL SELECT i.indexrelid FROM leaf JOIN pg_index i ON i.indrelid = leaf.relid) f",
                {"t": table},
            ).scalars()
        )


def pg_table_files(engine: Engine, table: str) -> bytes:
    """PostgreSQL: the bytes of a table's files and of its indexes' (pg_table_paths), read by the
    server after a checkpoint has written its buffers (pg_read_binary_file: the tests' account is
    a superuser). What an undo must leave no keyed hash in."""
    paths = pg_table_paths(engine, table)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("CHECKPOINT")
        read = "SELECT pg_read_binary_file(%(p)s)"
        return b"".join(bytes(conn.exec_driver_sql(read, {"p": p}).scalar()) for p in paths)


def pg_file_sizes(engine: Engine, paths: list[str]) -> list[int | None]:
    """The sizes of `paths` in the server's data directory (None: no such file). A dropped table's
    files are emptied when the drop commits and removed at the next checkpoint."""
    with engine.connect() as conn:
        size = "SELECT (pg_stat_file(%(p)s, true)).size"
        return [conn.exec_driver_sql(size, {"p": p}).scalar() for p in paths]


def index_definitions(engine: Engine, table: str) -> list[str]:
    """A table's index and key definitions as the database keeps them (to check that indexes set
    aside during an import or undo come back as they were)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL"
            return sorted(conn.exec_driver_sql(sql, (table,)).scalars())
        sql = (
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = to_regclass(%(t)s) "
            "UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = to_regclass(%(t)s)"
        )
        return sorted(conn.exec_driver_sql(sql, {"t": table}).scalars())


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A path for a SQLite file that does not exist yet (sqlite_engine puts a migrated one there)."""
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def sqlite_engine(databases, tmp_path, sqlite_url):
    yield from fresh_engine(databases, "sqlite", tmp_path)


@pytest.fixture
def pg_engine(databases, tmp_path):
    """A fresh PostgreSQL database only (tests marked pg)."""
    yield from fresh_engine(databases, "postgresql", tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def engine(request, databases, tmp_path):
    """The same test against a real SQLite file and a real PostgreSQL server."""
    yield from fresh_engine(databases, request.param, tmp_path)


# The test files that take longest, longest first (sum of their tests' durations in a full run
# on 2 workers, issue 22 item 7, load 3-5: 62, 38, 31, 27, 23, 16, 16, 15, 14, 13, 13, 11, 11,
# 11, 10, 10, 9, 9 s). They start first and the short files fill in behind them, so the two
# workers end nearly together; in xdist's own order (files with the most tests first) the browser
# tests started late and one worker ran them alone at the end.
LONGEST_FIRST = (
    "tests/e2e/test_journeys.py",
    "tests/corpus/test_corpus.py",
    "tests/security/test_first_session.py",
    "tests/e2e/test_view_state.py",
    "tests/security/test_upload_flood.py",
    "tests/security/test_spreadsheet_bombs.py",
    "tests/corpus/test_properties.py",
    "tests/unit/test_office_scope.py",
    "tests/e2e/test_security.py",
    "tests/e2e/test_office_scope.py",
    "tests/unit/test_sitrep.py",
    "tests/e2e/test_language.py",
    "tests/app/test_pages.py",
    "tests/unit/test_fast_paths.py",
    "tests/e2e/test_map_slide.py",
    "tests/unit/test_import.py",
    "tests/security/test_inert_text.py",
    "tests/e2e/test_upload_mapping.py",
)


def pytest_configure(config):
    """Keep the order set below: pytest-xdist otherwise sorts the files by their number of tests."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config, items):
    """`make test` runs the suite on pytest-xdist workers (`-n 2 --dist loadfile`): each test
    file stays on one worker and the files in LONGEST_FIRST start first, in that order (the rest
    keep pytest's order). A worker that runs a browser test starts its own app servers
    (tests/e2e/conftest.py: the demo database is seeded once per run and copied).

    Not `--dist loadgroup` with an xdist_group mark per file, as before: pytest 9 reads a test's
    id from `Node._id`, so the group xdist 3.8 appends to `item._nodeid` is never seen and every
    test was scheduled on its own (a file's tests ran on both workers)."""
    rank = {path: n for n, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


# --------------------------------------------------------------------------- the one browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright, one per test session: Playwright's sync API keeps an
    event loop for its whole life, so a second instance (or asyncio.run) in the same session fails."""
    if not CHROMIUM.exists():
        msg = f"{CHROMIUM} is missing: `apt-get install chromium` (Debian's package; `playwright install` cannot work here)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
