"""First start: bring the schema to Alembic's head and, for the embedded default database only,
seed the demo data when it is empty. A database named by NTB_DB_URL is never seeded unless asked
(`--demo`): it may be a real one.

    python -m storage.bootstrap [--db URL] [--demo]
"""
from __future__ import annotations

import argparse
import sys

from sqlalchemy import func, select

from storage.engine import configured_url, get_engine, is_default_database
from storage.models import UploadBatch
from storage.schema import upgrade


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="SQLAlchemy URL (default: NTB_DB_URL or the embedded SQLite file)")
    ap.add_argument("--demo", action="store_true", help="seed the demo data even into a named database")
    args = ap.parse_args(argv)
    url = args.db or configured_url()
    engine = get_engine(url)
    upgrade(engine)
    print(f"schema up to date: {engine.url.render_as_string(hide_password=True)}")
    with engine.connect() as conn:
        empty = conn.scalar(select(func.count()).select_from(UploadBatch)) == 0
    if empty and (is_default_database(url) or args.demo):
        from loaders import demo

        print("empty database: loading the synthetic demo data (labelled DATA DEMO)")
        return demo.main(["--db", url])
    return 0


if __name__ == "__main__":
    sys.exit(main())
