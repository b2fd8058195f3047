"""Backup and restore.

    python -m storage.backup backup FILE [--db URL]     # SQLite: online backup API; PostgreSQL: pg_dump -Fc
    python -m storage.backup restore FILE [--db URL]    # SQLite: copy back (app stopped); PostgreSQL: pg_restore --clean

SQLite's online backup copies a consistent snapshot while the app keeps running (readers and the
writer are not blocked for long). For PostgreSQL the standard tools are used, so operators can
also run them directly.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.engine import configured_url


def _sqlite_path(url: str) -> str:
    return make_url(url).database


def _pg_args(url: str) -> tuple[list[str], dict]:
    u = make_url(url)
    args = ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password
    opts = u.query.get("options")
    return args + ["-d", u.database], env | ({"PGOPTIONS": opts} if opts else {})


def backup(url: str, out: Path) -> None:
    if url.startswith("sqlite"):
        src = sqlite3.connect(_sqlite_path(url))
        dst = sqlite3.connect(out)
        with dst:
            src.backup(dst, pages=4096)
        dst.close()
        src.close()
        return
    args, env = _pg_args(url)
    subprocess.run(["pg_dump", "-Fc", "--no-owner", "-f", str(out), *args], check=True, env=env)


def restore(url: str, src: Path) -> None:
    if url.startswith("sqlite"):
        source = sqlite3.connect(src)
        target = sqlite3.connect(_sqlite_path(url))
        with target:
            source.backup(target)
        target.close()
        source.close()
        return
    args, env = _pg_args(url)
    subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", *args, str(src)], check=True, env=env
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m storage.backup", description=__doc__.splitlines()[0]
    )
    ap.add_argument("action", choices=("backup", "restore"))
    ap.add_argument("file", type=Path)
    ap.add_argument("--db", help="SQLAlchemy URL (default: NTB_DB_URL or the embedded SQLite file)")
    args = ap.parse_args(argv)
    url = args.db or configured_url()
    (backup if args.action == "backup" else restore)(url, args.file)
    print(f"{args.action}: {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
