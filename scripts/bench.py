"""Benchmark (prints figures; never asserted in tests):

    python scripts/bench.py [--rows 1000000] [--repeat 11] [--json]

At N presence rows (+ incidents at 10 %), in one process, medians over repeated runs:
- import time vs the floor (pyarrow parse + bare executemany into an empty table, one transaction;
  PostgreSQL against COPY: scripts/bench_ingest.py --db-url);
- time to compute everything the overview and map pages need for one filter change (from the
  roll-ups plus small detail queries), vs a DuckDB GROUP BY over the same raw CSV and vs a plain
  pandas groupby over the full frame;
- peak RSS of a fresh process doing what the app does for the pages on the loaded data;
- briefing render time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("NTB_PSEUDONYM_KEY", "ab" * 32)

from bench_ingest import bench_limits, floor, make_file  # noqa: E402


def make_incidents(path: Path, rows: int, seed: int = 11) -> None:
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-06-01", "2025-02-28").strftime("%d/%m/%Y").to_numpy()
    cats = [
        "overstay",
        "penyalahgunaan_izin",
        "bekerja_tanpa_izin",
        "kegiatan_politik",
        "ketertiban_umum",
        "lainnya",
    ]
    regs = [
        "52.01",
        "52.02",
        "52.03",
        "52.04",
        "52.05",
        "52.06",
        "52.07",
        "52.08",
        "52.71",
        "52.72",
    ]
    pd.DataFrame(
        {
            "incident_id": np.char.add("K", np.arange(rows).astype(str)),
            "incident_date": rng.choice(days, rows),
            "regency": rng.choice(regs, rows),
            "category": rng.choice(cats, rows),
            "severity": rng.integers(1, 6, rows),
            "status": rng.choice(["baru", "ditelaah", "ditindaklanjuti", "selesai"], rows),
            "election_related": rng.choice(["ya", "tidak"], rows, p=[0.05, 0.95]),
        }
    ).to_csv(path, index=False)


APP_SIDE = """
import datetime as dt, sys
from domain.filters import Filters
from domain.regions import areas_on
from storage import queries
from storage.engine import make_engine
from viz.briefing import render
from services.briefing import briefing_input
from viz.maps import regency_map
from storage.schema import upgrade
e = make_engine(sys.argv[1])
upgrade(e)  # as the app does on start
span = queries.data_span(e)
for months in (9, 3, 1):
    f = Filters(span[1] - dt.timedelta(days=30 * months), span[1], span[1])
    t = queries.kpis(e, f, queries.regency_table(e, f))
    table = queries.regency_table(e, f); table["value"] = table["present"]
    regency_map(table, "present", "id", areas_on(f.as_of), queries.incident_markers(e, f))
    queries.presence_trend(e, f); queries.top_nationalities(e, f); queries.who_acts(e, f)
render(briefing_input(e, f))
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024)
"""


def app_rss(url: str) -> float:
    """Peak RSS of a fresh process doing what the app process does for the pages (queries, map
    figure, briefing) on the loaded database: the app's memory, not this benchmark's."""
    import subprocess

    r = subprocess.run(
        [sys.executable, "-c", APP_SIDE, url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    return round(float(r.stdout.strip().splitlines()[-1]), 0)


def timed(fn, repeat: int) -> float:
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def interleaved(fns: dict, repeat: int) -> dict[str, list[float]]:
    """Seconds per call of each function, `repeat` rounds, each round calling every function once."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for i in range(repeat):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn(i)
            times[k].append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--app-rss",
        metavar="URL",
        help="only measure the app-side peak RSS on an existing database",
    )
    args = ap.parse_args()
    if args.app_rss:
        print(json.dumps({"app_peak_rss_mb": app_rss(args.app_rss)}))
        return

    import duckdb

    from domain.filters import Filters
    from loaders.pipeline import import_file
    from services.briefing import briefing_input
    from storage import queries
    from storage.engine import make_engine
    from storage.schema import upgrade
    from viz.briefing import render

    out: dict = {"rows": args.rows, "incidents": args.rows // 10, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        pres, inc = d / "presence.csv", d / "incidents.csv"
        make_file(pres, args.rows)
        make_incidents(inc, args.rows // 10)
        out["floor_s"] = round(floor(pres, d / "floor.sqlite"), 2)
        engine = make_engine(f"sqlite:///{d / 'bench.sqlite'}")
        upgrade(engine)
        t0 = time.perf_counter()
        r = import_file(engine, pres.read_bytes(), pres.name, "presence", limits=bench_limits())
        out["import_s"] = round(time.perf_counter() - t0, 2)
        out["import_ratio"] = round(out["import_s"] / out["floor_s"], 2)
        assert r.rows_imported == args.rows, r.summary("en")
        r = import_file(engine, inc.read_bytes(), inc.name, "incidents", limits=bench_limits())
        assert r.rows_imported == args.rows // 10, r.summary("en")

        # One filter change = a different period each run (no cache can answer it).
        ends = [dt.date(2025, 2, 28) - dt.timedelta(days=7 * i) for i in range(args.repeat)]

        def page_compute(i):
            f = Filters(dt.date(2024, 9, 1), ends[i], ends[i])
            queries.kpis(engine, f, queries.regency_table(engine, f))
            queries.incident_markers(
                engine, Filters(ends[i] - dt.timedelta(days=30), ends[i], ends[i])
            )
            queries.presence_trend(engine, f)
            queries.top_nationalities(engine, f)

        con = duckdb.connect()

        def duck(i):
            con.execute(f"""
                SELECT kabupaten_kota, sum(CAST(jumlah_orang AS INTEGER)) FROM read_csv('{pres}', delim=';', header=true, all_varchar=true)
                WHERE strptime(tanggal_laporan, '%d/%m/%Y') BETWEEN DATE '2024-09-01' AND DATE '{ends[i]}'
                GROUP BY 1""").fetchall()

        frame = pd.read_csv(pres, sep=";", dtype=str)
        frame["day"] = pd.to_datetime(frame["tanggal_laporan"], format="%d/%m/%Y")
        frame["n"] = frame["jumlah_orang"].astype(int)

        def pandas_groupby(i):
            m = (frame["day"] >= "2024-09-01") & (frame["day"] <= pd.Timestamp(ends[i]))
            frame[m].groupby("kabupaten_kota")["n"].sum()
            frame[m].groupby("kewarganegaraan")["n"].sum()
            frame[m].groupby("day")["n"].sum()

        page_compute(0)  # warm the SQLite page cache, as a running app is
        duck(0)
        # Interleaved rounds: on a shared machine the speed drifts within minutes, so each round
        # times the three side by side and the ratios are medians of per-round ratios.
        t = interleaved({"page": page_compute, "duck": duck, "pandas": pandas_groupby}, args.repeat)
        out["page_compute_ms"] = round(statistics.median(t["page"]) * 1000, 1)
        out["duckdb_scan_ms"] = round(statistics.median(t["duck"]) * 1000, 1)
        out["pandas_groupby_ms"] = round(statistics.median(t["pandas"]) * 1000, 1)
        out["page_compute_ms_min_max"] = [
            round(min(t["page"]) * 1000, 1),
            round(max(t["page"]) * 1000, 1),
        ]
        frame = None  # free the full frame before measuring RSS
        out["vs_duckdb"] = round(statistics.median(d / p for d, p in zip(t["duck"], t["page"])), 1)
        out["vs_pandas"] = round(
            statistics.median(d / p for d, p in zip(t["pandas"], t["page"])), 1
        )

        f = Filters(dt.date(2024, 6, 1), dt.date(2025, 2, 28), dt.date(2025, 2, 28))
        out["briefing_png_s"] = round(timed(lambda i: render(briefing_input(engine, f)), 3), 2)
        out["bench_process_peak_rss_mb"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0
        )
        out["app_peak_rss_mb"] = app_rss(engine.url.render_as_string(hide_password=False))
        engine.dispose()

    if args.json:
        print(json.dumps(out))
        return
    print(
        f"{out['rows']:,} presence rows + {out['incidents']:,} incidents, {out['cpus']} CPUs, medians of {args.repeat}"
    )
    print(
        f"  import {out['import_s']} s vs floor {out['floor_s']} s  -> ratio {out['import_ratio']}x"
    )
    print(
        f"  page compute for one filter change: {out['page_compute_ms']} ms (min {out['page_compute_ms_min_max'][0]}, max {out['page_compute_ms_min_max'][1]})"
    )
    print(
        f"    DuckDB GROUP BY over the raw CSV: {out['duckdb_scan_ms']} ms  (median of per-round ratios: {out['vs_duckdb']}x)"
    )
    print(
        f"    pandas groupby over the full frame: {out['pandas_groupby_ms']} ms  (median of per-round ratios: {out['vs_pandas']}x)"
    )
    print(f"  briefing PNG render: {out['briefing_png_s']} s")
    print(
        f"  app process peak RSS (pages, map, briefing on the loaded data): {out['app_peak_rss_mb']} MB"
    )
    print(
        f"  this benchmark's peak RSS (import + the pandas/DuckDB comparisons): {out['bench_process_peak_rss_mb']} MB"
    )


if __name__ == "__main__":
    main()
