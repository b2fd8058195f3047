"""Gather what a briefing shows from the database (the same queries as the map page)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine

from domain.filters import Filters
from domain.regions import areas_on, offices
from i18n import t
from storage import queries
from viz.briefing import BriefingInput


def metric_values(engine: Engine, f: Filters, metric: str) -> pd.Series:
    table = queries.regency_table(engine, f)
    if metric == "risk_score":
        from storage.alerts_store import risk_table  # noqa: PLC0415 - optional until alerts exist
        return risk_table(engine, f)["score"].reindex(table.index)
    return table[metric]


def briefing_input(engine: Engine, f: Filters, metric: str = "present", lang: str = "id",
                   marking: str = "TERBATAS", now: dt.datetime | None = None) -> BriefingInput:
    markers = queries.incident_markers(engine, f)
    n_batches = int((queries.batches(engine)["status"] == "committed").sum())
    return BriefingInput(
        values=metric_values(engine, f, metric).astype(float),
        metric_label=t(f"metric.{metric}", lang),
        start=f.start, end=f.end,
        as_of=now or dt.datetime.now(dt.UTC),
        office_areas=areas_on(f.as_of),
        alerts=markers[["lat", "lon", "severity", "election_related"]] if len(markers) else
        pd.DataFrame(columns=["lat", "lon", "severity", "election_related"]),
        lang=lang, marking=marking, demo=queries.shows_demo(engine),
        source=t("briefing.source_line", lang, batches=n_batches),
        office_label=offices().loc[f.office, "name"] if f.office else None, as_of_date=f.as_of,
    )
