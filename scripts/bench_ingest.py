"""Benchmark (not a test): import N presence rows into SQLite vs the floor for the same work.

    python scripts/bench_ingest.py [--rows 1000000] [--repeat 3] [--json]
    python scripts/bench_ingest.py --db-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Full import = read + validate (pandera) + pseudonymise + one-transaction commit with roll-ups.
Floor = pyarrow.csv.read_csv of the file + the bare insert of the parsed rows into an empty table
of the same columns, in one transaction: executemany on SQLite, COPY on PostgreSQL. Prints
medians and the ratio. On PostgreSQL each run gets a throw-away database (created and dropped
through --db-url's server; the database named there is only used to connect).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NTB_PSEUDONYM_KEY", "ab" * 32)


def make_file(path: Path, rows: int, seed: int = 7, first_day: str = "2024-06-01") -> None:
    """A presence CSV as senders send it (codes and names mixed), dates over 273 days."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(first_day, periods=273).strftime("%d/%m/%Y").to_numpy()
    regs = np.array(
        [
            "52.01",
            "Lobar",
            "KLU",
            "52.02",
            "Kota Mataram",
            "52.07",
            "Dompu",
            "Kab. Sumbawa",
            "52.72",
            "Bima",
        ]
    )
    nats = np.array(["MYS", "AUS", "SGP", "CHN", "GBR", "DEU", "FRA", "NLD", "USA", "NA"])
    df = pd.DataFrame(
        {
            "no_register": np.char.add("R", np.arange(rows).astype(str)),
            "tanggal_laporan": rng.choice(days, rows),
            "kabupaten_kota": rng.choice(regs, rows),
            "kewarganegaraan": rng.choice(nats, rows),
            "jenis_izin": rng.choice(["VOA", "ITAS", "BVK", "ITK"], rows),
            "kegiatan": rng.choice(["wisata", "bekerja", "bisnis", "keluarga"], rows),
            "no_paspor": np.char.add(
                "P", np.char.zfill(rng.integers(0, rows // 2 + 1, rows).astype(str), 8)
            ),
            "jumlah_orang": rng.integers(1, 5, rows),
            "tanggal_masuk": rng.choice(days, rows),
            "lokasi": rng.choice(["Gili Trawangan", "Senggigi", "Kuta", "Mataram"], rows),
            "sumber": "APOA",
        }
    )
    df["tanggal_habis_izin"] = "31/12/2026"
    df.to_csv(path, index=False, sep=";")


def floor(path: Path, db: Path | str) -> float:
    """Seconds to parse `path` with pyarrow and insert its rows bare into `db` (a SQLite file or
    a PostgreSQL URL), one transaction."""
    import pyarrow.csv as pcsv

    t0 = time.perf_counter()
    table = pcsv.read_csv(path, parse_options=pcsv.ParseOptions(delimiter=";"))
    cols = table.column_names
    rows = list(zip(*[table.column(c).to_pylist() for c in cols]))
    if isinstance(db, str):  # PostgreSQL: COPY, as the importer uses there
        import psycopg

        with psycopg.connect(_libpq(db)) as conn:  # one transaction, committed on exit
            conn.execute(f"CREATE TABLE t ({', '.join(c + ' TEXT' for c in cols)})")
            with conn.cursor().copy(f"COPY t ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return time.perf_counter() - t0
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"CREATE TABLE t ({', '.join(c + ' TEXT' for c in cols)})")
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(cols))})", rows)
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - t0


def bench_limits():
    """The app's limits lifted for benchmark files (10M rows are 870 MB; the app takes 200 MB)."""
    from loaders.reader import Limits

    return Limits(max_rows=50_000_000, max_bytes=4 << 30)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextlib.contextmanager
def scratch_db(base: str | None, folder: Path, name: str):
    """A fresh empty database for one run: a SQLite file in `folder`, or (base = a PostgreSQL
    URL) a database created on that server and dropped afterwards. Yields the path or URL."""
    if not base:
        yield folder / f"{name}.sqlite"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    db = f"bench_{os.getpid()}_{name}"
    with psycopg.connect(_libpq(base), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{db}"')
    try:
        yield make_url(base).set(database=db).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(base), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def full(
    path: Path, db: Path | str, kind: str = "presence", cpu: dict | None = None
) -> tuple[float, dict]:
    """The app's import of `path` as `kind` into a fresh database: total seconds and per stage.
    `cpu`, when given, receives this process's CPU seconds per stage, and under "helpers" those of
    the processes it started (the keyed hashes' helper)."""
    from loaders.pipeline import import_file
    from storage.engine import make_engine
    from storage.schema import upgrade

    engine = make_engine(db if isinstance(db, str) else f"sqlite:///{db}")
    upgrade(engine)
    stages: dict[str, float] = {}
    cpu = {} if cpu is None else cpu
    last = [time.perf_counter(), "start", time.process_time()]

    def progress(_f, stage):
        now, used = time.perf_counter(), time.process_time()
        stages[last[1]] = stages.get(last[1], 0) + now - last[0]
        cpu[last[1]] = cpu.get(last[1], 0) + used - last[2]
        last[:] = [now, stage, used]

    helpers = _children_cpu()
    t0 = time.perf_counter()
    res = import_file(
        engine, path.read_bytes(), path.name, kind, limits=bench_limits(), progress=progress
    )
    total = time.perf_counter() - t0
    progress(1.0, "end")
    cpu["helpers"] = _children_cpu() - helpers
    assert res.rows_imported == res.rows_read, res.summary("en")
    engine.dispose()
    return total, stages


def _children_cpu() -> float:
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--db-url", help="a PostgreSQL server to measure on (default: SQLite files)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        src = d / "presence.csv"
        make_file(src, args.rows)
        floors, fulls, stage_runs = [], [], []
        for i in range(args.repeat):
            with scratch_db(args.db_url, d, f"floor{i}") as db:
                floors.append(floor(src, db))
            with scratch_db(args.db_url, d, f"full{i}") as db:
                t, stages = full(src, db)
            fulls.append(t)
            stage_runs.append(stages)
        out = {
            "rows": args.rows,
            "engine": "postgresql" if args.db_url else "sqlite",
            "file_mb": round(src.stat().st_size / 1e6, 1),
            "floor_median_s": round(statistics.median(floors), 2),
            "import_median_s": round(statistics.median(fulls), 2),
            "ratio": round(statistics.median(fulls) / statistics.median(floors), 2),
            "stages_s": {
                k: round(statistics.median(r.get(k, 0) for r in stage_runs), 2)
                for k in stage_runs[0]
            },
        }
    if args.json:
        print(json.dumps(out))
    else:
        bare = "COPY" if args.db_url else "executemany"
        print(
            f"{out['rows']:,} presence rows ({out['file_mb']} MB CSV) into {out['engine']}, median of {args.repeat}:"
        )
        print(
            f"  floor (pyarrow read + bare {bare}, one transaction): {out['floor_median_s']:.2f} s"
        )
        print(
            f"  full import (read, validate, pseudonymise, commit + roll-ups): {out['import_median_s']:.2f} s"
        )
        print(f"  ratio: {out['ratio']:.2f}x   stages: {out['stages_s']}")


if __name__ == "__main__":
    main()
