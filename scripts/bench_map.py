"""Benchmark (prints, never asserts): building the map figure, evaluating the alert rules and
rendering the briefing PNG on the demo data at scale 1 and 10.

    python scripts/bench_map.py [--scales 1 10] [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NTB_PSEUDONYM_KEY", "ab" * 32)


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from domain.filters import Filters
    from domain.regions import areas_on
    from loaders import demo
    from services.alerts import evaluate_and_store
    from services.briefing import briefing_input
    from storage import queries
    from storage.engine import make_engine
    from viz.briefing import render
    from viz.maps import regency_map

    for scale in args.scales:
        with tempfile.TemporaryDirectory() as d:
            url = f"sqlite:///{Path(d) / 'demo.sqlite'}"
            with contextlib.redirect_stdout(io.StringIO()):
                demo.main(["--db", url, "--scale", str(scale), "--out", str(Path(d) / "files")])
            engine = make_engine(url)
            span = queries.data_span(engine)
            f = Filters(span[0], span[1], span[1])
            table = queries.regency_table(engine, f)
            table["value"] = table["present"]
            markers = queries.incident_markers(engine, f)
            n_rows = int(table["reports"].sum())
            fig_s = median_time(
                lambda: regency_map(table, "present", "id", areas_on(f.as_of), markers), args.repeat
            )
            rules_s = median_time(
                lambda: evaluate_and_store(engine, actor="bench"), max(3, args.repeat // 2)
            )
            png_s = median_time(lambda: render(briefing_input(engine, f)), args.repeat)
            engine.dispose()
        print(
            f"scale {scale:g}: {n_rows:,} presence rows, {len(markers):,} markers -> map figure "
            f"{fig_s * 1000:.0f} ms, all alert rules (evaluate + store) {rules_s:.2f} s, "
            f"briefing PNG {png_s:.2f} s (medians of {args.repeat})"
        )


if __name__ == "__main__":
    main()
