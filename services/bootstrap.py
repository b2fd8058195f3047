"""First start: bring the schema to Alembic's head and, for the embedded default database only,
seed the demo data when it is empty. A database named by NTB_DB_URL is never seeded unless asked
(`--demo`): it may be a real one. A service, not part of storage/: seeding runs the importer
(loaders/demo.py), and the store imports no loaders.

    python -m services.bootstrap [--db URL] [--demo]
"""

from __future__ import annotations

import argparse
import os
import sys

from sqlalchemy import func, select

from domain.paths import LOCAL
from loaders import demo
from storage.engine import configured_url, get_engine, is_default_database
from storage.models import UploadBatch
from storage.schema import upgrade
from storage.users import create_demo_accounts

DEMO_ACCOUNTS_FILE = LOCAL / "demo_accounts.txt"


def schema_message(before: str | None, after: str | None) -> str:
    """What the upgrade did, in the operator's terms ("schema up to date" on a brand-new file misled)."""
    if before is None:
        return f"created a new database (schema {after})"
    if before == after:
        return f"schema up to date ({after})"
    return f"schema upgraded from {before} to {after}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="SQLAlchemy URL (default: NTB_DB_URL or the embedded SQLite file)")
    ap.add_argument(
        "--demo", action="store_true", help="seed the demo data even into a named database"
    )
    args = ap.parse_args(argv)
    url = args.db or configured_url()
    engine = get_engine(url)
    before, after = upgrade(engine)
    print(f"{schema_message(before, after)}: {engine.url.render_as_string(hide_password=True)}")
    with engine.connect() as conn:
        empty = conn.scalar(select(func.count()).select_from(UploadBatch)) == 0
    rc = 0
    if empty and (is_default_database(url) or args.demo):
        print("empty database: loading the synthetic demo data (labelled DATA DEMO)")
        rc = demo.main(["--db", url])
        made = create_demo_accounts(engine)
        if made:
            DEMO_ACCOUNTS_FILE.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(DEMO_ACCOUNTS_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.writelines(f"{name}\t{role}\t{password}\n" for name, role, password in made)
    if (is_default_database(url) or args.demo) and DEMO_ACCOUNTS_FILE.exists():
        print(f"demo accounts (refused in production mode; file {DEMO_ACCOUNTS_FILE}):")
        for line in DEMO_ACCOUNTS_FILE.read_text().splitlines():
            name, role, password = line.split("\t")
            print(f"  {name:10} {role:8} password: {password}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
