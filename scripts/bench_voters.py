"""Benchmark (prints figures; never asserted in tests): import a voter list of N rows vs the floor.

    python scripts/bench_voters.py [--rows 1000000] [--repeat 1] [--lists 1] [--db-url postgresql+psycopg://...] [--json]

The file is a DPT as a regency's KPU sends it (NIK, regency, kecamatan, village, TPS, list, list
date; NIKs distinct, 16 digits, NTB's regency codes). Full import = read + validate + keyed hashes
of every NIK + one-transaction commit with the roll-up (scripts/bench_ingest.py's `full`, for the
voters kind); floor = pyarrow parse + bare insert of the parsed text into an empty table
(executemany on SQLite, COPY on PostgreSQL), as for presence (README, Performance).
`--lists 3`: the same voters' DPS, DPSHP and DPT (a list stage each) imported one after the other
into one database, each timed against its floor: what a regency's KPU sends over an election;
`--lists 2 --later-rows 400000`: a regency's list after a province's; `--undo`: then each list
undone, the last first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
import bench_ingest  # noqa: E402  (sets the test key too)
from bench_ingest import floor, scratch_db  # noqa: E402

# A list stage each: the lists of one election as they come, dated inside the voter-list stage
# (31 May - 23 Sep 2024 for the Pilkada; issue 25)
STAGES = [("DPS", "24/06/2024"), ("DPSHP", "12/08/2024"), ("DPT", "22/09/2024")]
REGENCIES = ["5201", "5202", "5203", "5204", "5205", "5206", "5207", "5208", "5271", "5272"]


def make_voters(
    path: Path, rows: int, seed: int = 25, stage: tuple[str, str] = ("DPT", "22/09/2024")
) -> None:
    """A voter list of `rows` distinct NIKs over NTB's ten regencies, ~300 voters per TPS."""
    rng = np.random.default_rng(seed)
    reg = rng.integers(0, len(REGENCIES), rows)
    regs = np.array(REGENCIES)[reg]
    # digits 5-16: district, birth date and serial; made distinct by the row number
    tail = (rng.integers(0, 10**5, rows).astype(np.int64) * 10**7 + np.arange(rows)) % 10**12
    nik = np.char.add(regs, np.char.zfill(tail.astype(str), 12))
    pd.DataFrame(
        {
            "nik": nik,
            "kabupaten_kota": regs,
            "kecamatan": np.char.add("Kec ", (tail % 17).astype(str)),
            "desa_kelurahan": np.char.add("Desa ", (tail % 97).astype(str)),
            "tps": (np.arange(rows) // 300 % 900 + 1).astype(str),
            "jenis_daftar": stage[0],
            "tanggal_daftar": stage[1],
        }
    ).to_csv(path, index=False, sep=";")


def full(path: Path, db) -> tuple[float, dict, dict]:
    cpu: dict = {}
    total, stages = bench_ingest.full(path, db, "voters", cpu)
    return (
        total,
        {k: round(v, 2) for k, v in stages.items()},
        {k: round(v, 2) for k, v in cpu.items()},
    )


def lists(args) -> None:
    """Each of STAGES' lists imported after the ones before, into one database, against a floor."""
    out: dict = {"rows": args.rows, "engine": "postgresql" if args.db_url else "sqlite"}
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        paths = []
        for n, stage in enumerate(STAGES[: args.lists]):
            paths.append(d / f"{stage[0]}.csv")
            make_voters(
                paths[-1], args.later_rows if n and args.later_rows else args.rows, stage=stage
            )
        runs = []
        for i in range(args.repeat):
            with scratch_db(args.db_url, d, f"lists{i}") as db:
                stored = 0
                for n, path in enumerate(paths):
                    os.sync()
                    with scratch_db(args.db_url, d, f"floor{i}_{n}") as empty:
                        f = floor(path, empty)
                    os.sync()
                    t, stages, _ = full(path, db)
                    runs.append(
                        {
                            "list": path.stem,
                            "rows": int(len(pd.read_csv(path, usecols=[0], sep=";"))),
                            "stored_before": stored,
                            "import_s": round(t, 2),
                            "floor_s": round(f, 2),
                            "ratio": round(t / f, 2),
                            "stages_s": stages,
                        }
                    )
                    stored += runs[-1]["rows"]
                    if not args.json:
                        r = runs[-1]
                        print(
                            f"{r['list']} of {r['rows']:,} after {r['stored_before']:,} stored: import "
                            f"{r['import_s']} s, floor {r['floor_s']} s, {r['ratio']}x, {stages}",
                            flush=True,
                        )
                if args.undo:
                    out.setdefault("undo_s", []).extend(undo_all(db, args.json))
        out["runs"] = runs
        out["load"] = round(os.getloadavg()[0], 1)
    if args.json:
        print(json.dumps(out))


def undo_all(db, quiet: bool) -> list[dict]:
    """Undo the lists one by one, the last first (as an admin would a mistaken list), timed:
    on PostgreSQL the drop of a list's partition (SQLite: the delete and its checkpoint)."""
    from sqlalchemy import text

    from storage.engine import make_engine
    from storage.imports import undo_batch

    engine = make_engine(db if isinstance(db, str) else f"sqlite:///{db}")
    with engine.connect() as conn:
        batches = conn.execute(
            text("SELECT id, file_name, rows_imported FROM upload_batch ORDER BY id DESC")
        ).all()
    out = []
    for batch, name, rows in batches:
        stored = sum(r for b, _, r in batches if b <= batch) - rows
        t0 = time.perf_counter()
        undo_batch(engine, batch, "bench")
        out.append(
            {
                "list": name,
                "rows": rows,
                "others_stored": stored,
                "undo_s": round(time.perf_counter() - t0, 2),
            }
        )
        if not quiet:
            print(
                f"undo {name} of {rows:,} ({stored:,} others stored): {out[-1]['undo_s']} s",
                flush=True,
            )
    engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument(
        "--lists",
        type=int,
        default=1,
        choices=range(1, len(STAGES) + 1),
        help="import this many lists of the same voters one after the other (DPS, DPSHP, DPT)",
    )
    ap.add_argument(
        "--later-rows",
        type=int,
        help="rows of each list after the first (a regency's list after a province's: 400000)",
    )
    ap.add_argument(
        "--undo", action="store_true", help="with --lists: then undo each list, the last first"
    )
    ap.add_argument(
        "--db-url", help="a PostgreSQL URL: each run gets a throw-away database on that server"
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.lists > 1 or args.undo:
        lists(args)
        return
    out: dict = {"rows": args.rows, "engine": "postgresql" if args.db_url else "sqlite"}
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        path = d / "dpt.csv"
        t0 = time.perf_counter()
        make_voters(path, args.rows)
        out["file_mb"] = round(path.stat().st_size / 1e6, 1)
        out["make_s"] = round(time.perf_counter() - t0, 1)
        floors, imports, stages, cpus = [], [], [], []
        for i in range(args.repeat):  # interleaved: the machine's speed drifts
            # each run starts with nothing left to write back (the 220 MB file just made, the
            # run before's database): the disk's writeback slowed whichever run came first
            os.sync()
            with scratch_db(args.db_url, d, f"floor{i}") as db:
                floors.append(floor(path, db))
            os.sync()
            with scratch_db(args.db_url, d, f"full{i}") as db:
                t, s, c = full(path, db)
                imports.append(t)
                stages.append(s)
                cpus.append(c)
        out["floor_s"] = round(statistics.median(floors), 2)
        out["import_s"] = round(statistics.median(imports), 2)
        out["ratio"] = round(statistics.median(a / b for a, b in zip(imports, floors)), 2)
        out["runs"] = [  # each pair, in the order run: the floor swings with the server's disk
            {"import_s": round(a, 2), "floor_s": round(b, 2), "ratio": round(a / b, 2)}
            for a, b in zip(imports, floors)
        ]
        mid = sorted(range(len(imports)), key=imports.__getitem__)[len(imports) // 2]
        out["stages_s"], out["stages_cpu_s"] = stages[mid], cpus[mid]  # of the median import
        out["load"] = round(os.getloadavg()[0], 1)
    if args.json:
        print(json.dumps(out))
        return
    print(
        f"{out['rows']:,} voter rows ({out['file_mb']} MB), {out['engine']}, median of {args.repeat}"
    )
    print(f"  import {out['import_s']} s vs floor {out['floor_s']} s -> ratio {out['ratio']}x")
    for r in out["runs"]:
        print(f"    run: import {r['import_s']} s, floor {r['floor_s']} s, {r['ratio']}x")
    print(f"  stages, seconds: {out['stages_s']}")
    print(
        f"  stages, CPU seconds of the importing process: {out['stages_cpu_s']} (helpers: the "
        f"keyed hashes' helper process, on another core); load average at the end {out['load']}"
    )


if __name__ == "__main__":
    main()
