"""The briefing's data: what the printed map shows, read from the database with the map page's
queries and handed to the renderer (viz/briefing.py draws frames, it never reads the store).

Command line: `python -m services.briefing --out briefing.png [--db URL] [--metric M] ...`
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from domain.filters import METRICS, Filters
from domain.regions import areas_on, offices
from domain.wita import WITA
from i18n import t
from services.alerts import risk_table
from services.voter_check import matches_by_regency
from storage import queries
from storage.engine import get_engine
from viz.briefing import FORMATS, SIZES, BriefingInput, render
from viz.style import DEFAULT_MARKING, MARKINGS

MARKER_COLUMNS = ["lat", "lon", "severity", "election_related"]


def metric_values(engine: Engine, f: Filters, metric: str) -> pd.Series:
    """The metric by regency code (all ten regencies; NaN outside the chosen office)."""
    table = queries.regency_table(engine, f)
    if metric == "risk_score":
        return risk_table(engine, f)["score"].reindex(table.index)
    if metric == "voter_matches":
        return matches_by_regency(engine, f).reindex(table.index)
    return table[metric]


def briefing_input(
    engine: Engine,
    f: Filters,
    metric: str = "present",
    lang: str = "id",
    marking: str = DEFAULT_MARKING,
    now: dt.datetime | None = None,
) -> BriefingInput:
    markers = queries.incident_markers(engine, f)
    n_batches = int((queries.batches(engine)["status"] == "committed").sum())
    return BriefingInput(
        values=metric_values(engine, f, metric).astype(float),
        metric_label=t(f"metric.{metric}", lang),
        start=f.start,
        end=f.end,
        as_of=now or dt.datetime.now(dt.UTC),
        office_areas=areas_on(f.as_of),
        alerts=markers[MARKER_COLUMNS] if len(markers) else pd.DataFrame(columns=MARKER_COLUMNS),
        lang=lang,
        marking=marking,
        demo=queries.shows_demo(engine),
        source=t("briefing.source_line", lang, batches=n_batches),
        office_label=offices().loc[office, "name"]
        if (office := f.office or f.scope.office)
        else None,
        as_of_date=f.as_of,
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m services.briefing", description="Render the briefing map (PNG/PDF)."
    )
    p.add_argument("--out", required=True, help="output file, .png or .pdf")
    p.add_argument(
        "--db",
        default=None,
        help="SQLAlchemy URL (default: NTB_DB_URL or the embedded SQLite file)",
    )
    p.add_argument("--metric", default="present", choices=METRICS)
    p.add_argument(
        "--start",
        type=dt.date.fromisoformat,
        default=None,
        help="YYYY-MM-DD (default: end - 29 days)",
    )
    p.add_argument(
        "--end", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: today, WITA)"
    )
    p.add_argument(
        "--office", default=None, help="office id, e.g. kanim_mataram (default: all of NTB)"
    )
    p.add_argument("--marking", default=DEFAULT_MARKING, choices=MARKINGS)
    p.add_argument("--lang", default="id", choices=("id", "en"))
    p.add_argument("--size", default="a4", choices=SIZES)
    p.add_argument("--dpi", type=int, default=150)
    args = p.parse_args(argv)

    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        p.error("--out must end in .png or .pdf")
    engine = get_engine(args.db)
    span = queries.data_span(engine)  # default period: the data's, like the app's sidebar
    end = args.end or (span[1] if span else dt.datetime.now(WITA).date())
    start = args.start or (span[0] if span else end - dt.timedelta(days=29))
    if start > end:
        p.error("--start is after --end")
    if args.office is not None and args.office not in set(offices()["id"]):
        p.error(f"unknown office {args.office!r}; known: {', '.join(offices()['id'])}")

    filters = Filters(start=start, end=end, as_of=end, office=args.office)
    inp = briefing_input(engine, filters, args.metric, args.lang, args.marking)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render(inp, fmt=fmt, size=args.size, dpi=args.dpi))
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
