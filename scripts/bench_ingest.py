"""Benchmark (not a test): import N presence rows into SQLite vs the floor for the same work.

    python scripts/bench_ingest.py [--rows 1000000] [--repeat 3] [--json]

Full import = read + validate (pandera) + pseudonymise + one-transaction commit with roll-ups.
Floor = pyarrow.csv.read_csv of the file + a bare executemany of the parsed rows into an empty
SQLite table of the same columns, in one transaction. Prints medians and the ratio.
"""
from __future__ import annotations

import argparse
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


def make_file(path: Path, rows: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-06-01", "2025-02-28").strftime("%d/%m/%Y").to_numpy()
    regs = np.array(["52.01", "Lobar", "KLU", "52.02", "Kota Mataram", "52.07", "Dompu", "Kab. Sumbawa", "52.72", "Bima"])
    nats = np.array(["MYS", "AUS", "SGP", "CHN", "GBR", "DEU", "FRA", "NLD", "USA", "NA"])
    df = pd.DataFrame({
        "no_register": np.char.add("R", np.arange(rows).astype(str)),
        "tanggal_laporan": rng.choice(days, rows),
        "kabupaten_kota": rng.choice(regs, rows),
        "kewarganegaraan": rng.choice(nats, rows),
        "jenis_izin": rng.choice(["VOA", "ITAS", "BVK", "ITK"], rows),
        "kegiatan": rng.choice(["wisata", "bekerja", "bisnis", "keluarga"], rows),
        "no_paspor": np.char.add("P", np.char.zfill(rng.integers(0, rows // 2 + 1, rows).astype(str), 8)),
        "jumlah_orang": rng.integers(1, 5, rows),
        "tanggal_masuk": rng.choice(days, rows),
        "lokasi": rng.choice(["Gili Trawangan", "Senggigi", "Kuta", "Mataram"], rows),
        "sumber": "APOA",
    })
    df["tanggal_habis_izin"] = "31/12/2026"
    df.to_csv(path, index=False, sep=";")


def floor(path: Path, db: Path) -> float:
    import pyarrow.csv as pcsv

    t0 = time.perf_counter()
    table = pcsv.read_csv(path, parse_options=pcsv.ParseOptions(delimiter=";"))
    cols = table.column_names
    rows = list(zip(*[table.column(c).to_pylist() for c in cols]))
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


def full(path: Path, db: Path) -> tuple[float, dict]:
    from loaders.pipeline import import_file
    from storage.engine import make_engine
    from storage.schema import upgrade

    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    stages: dict[str, float] = {}
    last = [time.perf_counter(), "start"]

    def progress(_f, stage):
        now = time.perf_counter()
        stages[last[1]] = stages.get(last[1], 0) + now - last[0]
        last[:] = [now, stage]

    t0 = time.perf_counter()
    res = import_file(engine, path.read_bytes(), path.name, "presence", limits=bench_limits(),
                      progress=progress)
    total = time.perf_counter() - t0
    stages[last[1]] = time.perf_counter() - last[0]
    assert res.rows_imported == res.rows_read, res.summary("en")
    engine.dispose()
    return total, stages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        src = d / "presence.csv"
        make_file(src, args.rows)
        floors, fulls, stage_runs = [], [], []
        for i in range(args.repeat):
            floors.append(floor(src, d / f"floor{i}.sqlite"))
            t, stages = full(src, d / f"full{i}.sqlite")
            fulls.append(t)
            stage_runs.append(stages)
        out = {"rows": args.rows, "file_mb": round(src.stat().st_size / 1e6, 1),
               "floor_median_s": round(statistics.median(floors), 2),
               "import_median_s": round(statistics.median(fulls), 2),
               "ratio": round(statistics.median(fulls) / statistics.median(floors), 2),
               "stages_s": {k: round(statistics.median(r.get(k, 0) for r in stage_runs), 2) for k in stage_runs[0]}}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{out['rows']:,} presence rows ({out['file_mb']} MB CSV), median of {args.repeat}:")
        print(f"  floor (pyarrow read + bare executemany, one transaction): {out['floor_median_s']:.2f} s")
        print(f"  full import (read, validate, pseudonymise, commit + roll-ups): {out['import_median_s']:.2f} s")
        print(f"  ratio: {out['ratio']:.2f}x   stages: {out['stages_s']}")


if __name__ == "__main__":
    main()
