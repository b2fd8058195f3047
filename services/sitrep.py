"""The situation report pack (laporan situasi): gather what it shows, compare with the last pack
(or the previous period of the same length), have viz/sitrep.py draw it, store and audit it.

    python -m services.sitrep --out DIR [--db URL] [--as-of D] [--office O] [--marking M] [--lang id|en]

(`python -m viz.sitrep` is the same command.) Exit 0 with the files written and the pack stored;
2 with a one-line reason otherwise.

The fingerprint printed in every footer is the SHA-256 of the pack's figures: the canonical JSON
(sorted keys, no spaces, UTF-8) stored in sitrep_pack.figures. A file cannot hold its own hash;
the PDF's SHA-256 is stored beside it (sitrep_pack.pdf_sha256) and in each download's audit event.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import secrets
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from domain import changes
from domain import sitrep as rules
from domain.calendar import Election, default_election
from domain.filters import Filters
from domain.regions import areas_on, offices
from domain.scope import PROVINCE, Scope
from domain.thresholds import RISK_COMPONENTS
from i18n import LANGS, t
from services import overview, voter_check
from services.alerts import risk_table
from storage import alerts_store, queries, sitreps
from viz import sitrep as draw
from viz.style import DEFAULT_MARKING, MARKINGS

MAP_METRIC = "risk_score"  # the map page and its five highest: where to look first
DECISIONS_FROM = dt.date(2000, 1, 1)  # open alerts of any age wait for a decision


def _num(v, decimals: int = 1):
    """A JSON number: NaN -> None, whole numbers as int, others rounded (the hash must be stable)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    v = round(float(v), decimals)
    return int(v) if v == int(v) else v


def regency_figures(table: pd.DataFrame, risk: pd.DataFrame) -> dict:
    """code -> the numbers a pack shows for it (regencies outside the area left out)."""
    out = {}
    for code, row in table.iterrows():
        if pd.isna(row["present"]):
            continue
        r = risk.loc[code]
        out[code] = {
            "score": _num(r["score"]),
            "points": {k: _num(r[f"{k}_points"]) for k in RISK_COMPONENTS},
            "present": _num(row["present"]),
            "incidents": _num(row["incidents"]),
            "election_incidents": _num(row["election_incidents"]),
            "per_1000_voters": _num(row["per_1000_voters"], 2),
        }
    return out


def canonical(figures: dict) -> str:
    return json.dumps(
        figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def fingerprint(figures: dict) -> str:
    """SHA-256 of the figures' canonical JSON: what every footer prints the start of."""
    return hashlib.sha256(canonical(figures).encode("utf-8")).hexdigest()


def _baseline(
    engine: Engine, f: Filters, election: Election, last: dict | None, span
) -> tuple[dict, dict | None]:
    """(what the pack compares with, its figures): the last pack's, else the previous period's of
    the same length when the data cover it, else nothing."""
    if last is not None:
        return (
            {"kind": "pack", "id": last["id"], "made_at": last["made_at"], "as_of": last["as_of"]},
            last["figures"],
        )
    start, end = changes.previous_period(f.start, f.end)
    if not changes.covered((start, end), span):
        return {"kind": "none", "start": start, "end": end}, None
    g = replace(f, start=start, end=end, as_of=end)
    table = queries.regency_table(engine, g)
    figs = {
        "headline": queries.kpis(engine, g, table),
        "regencies": regency_figures(table, risk_table(engine, g, election)),
    }
    return {"kind": "period", "start": start, "end": end}, figs


def _closed_since(engine: Engine, f: Filters, since: dt.datetime) -> pd.DataFrame:
    """Alerts of the area closed after `since` (UTC), the latest closed first."""
    closed = alerts_store.alerts(
        engine,
        replace(f, start=DECISIONS_FROM),
        statuses=(changes.CLOSED,),
        include_stale=True,
        limit=100_000,
    )
    at = pd.to_datetime(closed["status_changed_at"])
    out = closed[at > pd.Timestamp(since.replace(tzinfo=None))].copy()
    out["place"] = [overview.place(r) for r in out.to_dict("records")]
    return out.sort_values(["status_changed_at", "id"], ascending=False).reset_index(drop=True)


def _daily(engine: Engine, f: Filters) -> pd.DataFrame:
    daily = queries.presence_trend(engine, f)
    inc = queries.incident_trend(engine, f)
    counts = (
        {pd.Timestamp(d).date(): int(n) for d, n in zip(inc["day"], inc["incidents"])}
        if len(inc)
        else {}
    )
    daily["incidents"] = [counts.get(d, 0) for d in daily["day"]]
    return daily


def gather(
    engine: Engine,
    as_of: dt.date | None = None,
    office: str | None = None,
    election: Election | None = None,
    now: dt.datetime | None = None,
    scope: Scope = PROVINCE,
) -> draw.Sitrep:
    """Everything the pack shows, in numbers (the renderer words them). `as_of` defaults to the
    data's last day; raises LookupError when the database holds no data. `scope`: the account's
    (domain/scope.py); an office-scoped account's pack is its office's, each row on its own date."""
    if not scope.province:
        office = scope.office
    span = queries.data_span(engine)
    if span is None:
        raise LookupError("no_data")
    election = election or default_election()
    now = now or dt.datetime.now(dt.UTC)
    as_of = as_of or span[1]
    f = Filters(
        as_of - dt.timedelta(days=rules.PERIOD_DAYS - 1),
        as_of,
        as_of,
        office=office if scope.province else None,
        scope=scope,
    )
    table = queries.regency_table(engine, f)
    risk = risk_table(engine, f, election)
    figures = {
        "as_of": as_of,
        "start": f.start,
        "end": f.end,
        "office": office,
        "headline": queries.kpis(engine, f, table),
        "regencies": regency_figures(table, risk),
    }
    last = sitreps.previous(engine, office, as_of)
    baseline, before = _baseline(engine, f, election, last, span)

    needing = overview.decisions(engine, replace(f, start=DECISIONS_FROM), n=1_000_000)
    decisions = rules.decision_list(needing)
    since = last["made_at"] if last else now.replace(tzinfo=None) - dt.timedelta(days=1)
    closed = _closed_since(engine, f, since)
    figures["decisions"] = [int(i) for i in decisions["id"]]
    figures["closed"] = [int(i) for i in closed["id"]]
    voters = voter_check.summary(engine, f)
    if voters is not None:  # only once a voter list is held: packs without one keep their figures
        figures["voter_matches"] = voters

    regs = pd.DataFrame.from_dict(
        {
            c: {
                "score": r["score"],
                **{f"{k}_points": r["points"][k] for k in RISK_COMPONENTS},
                "present": r["present"],
                "incidents": r["incidents"],
                "election_incidents": r["election_incidents"],
                "per_1000_voters": r["per_1000_voters"],
            }
            for c, r in figures["regencies"].items()
        },
        orient="index",
    )
    if before is not None:
        regs["score_before"] = [(before["regencies"].get(c) or {}).get("score") for c in regs.index]
    markers = queries.incident_markers(engine, f)
    batches = queries.batches(engine)
    return draw.Sitrep(
        as_of=as_of,
        start=f.start,
        end=f.end,
        made_at=now,
        office=office,
        areas={c: o for c, o in areas_on(as_of).items() if c in set(queries.scope(f))},
        election=election,
        headline=figures["headline"],
        headline_before=before["headline"] if before else None,
        baseline=baseline,
        regencies=regs,
        map_values=risk["score"].reindex(table.index).astype(float),
        changes=rules.regency_changes(before["regencies"], figures["regencies"]) if before else [],
        decisions=decisions,
        closed=closed,
        closed_since=since,
        daily=_daily(engine, f),
        markers=markers[["lat", "lon", "severity", "election_related"]] if len(markers) else None,
        demo=queries.shows_demo(engine),
        batches=int((batches["status"] == "committed").sum()) if len(batches) else 0,
        figures=figures,
        voter_matches=voters,
    )


def pack_name(data: draw.Sitrep, marking: str) -> str:
    """A name unique per pack (files and downloads never mix): marking, as-of date, time made, random."""
    return (
        f"laporan_situasi_{marking}_{data.as_of:%Y%m%d}_{data.made_at:%Y%m%dT%H%M%S}Z_"
        f"{secrets.token_hex(4)}"
    )


def make(
    engine: Engine,
    out: Path | None = None,
    as_of: dt.date | None = None,
    office: str | None = None,
    marking: str = DEFAULT_MARKING,
    lang: str = "id",
    actor: str = "system",
    now: dt.datetime | None = None,
    scope: Scope | None = None,
) -> dict:
    """Gather, draw, store and audit one pack (`scope`: the account's, as gather; None when no
    account makes it, the command line and the timer: the whole province); with `out`,
    write the PDF and one PNG per page there.
    Returns {"pack", "audit", "name", "pdf" (bytes), "pdf_path", "png_paths", "figures_sha256", "data"}."""
    if marking not in MARKINGS:
        raise ValueError(f"marking must be one of {MARKINGS}")
    data = gather(engine, as_of, office, now=now, scope=scope or PROVINCE)
    office = data.office
    data.figures_sha256 = fingerprint(data.figures)
    name = pack_name(data, marking)
    written: list[Path] = []
    made: dict = {}

    def render(event: int) -> tuple[bytes, int]:
        data.audit_event_id = event
        pages = draw.render(data, lang, marking, pngs=out is not None)
        made["pdf"] = pages.pdf
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            for path, blob in [
                (out / f"{name}.pdf", pages.pdf),
                *((out / f"{name}_p{n}.png", png) for n, png in enumerate(pages.pngs, 1)),
            ]:
                path.write_bytes(blob)
                written.append(path)
        return pages.pdf, pages.count

    values = {
        "name": name,
        "made_at": data.made_at.replace(tzinfo=None),
        "as_of": data.as_of,
        "period_start": data.start,
        "period_end": data.end,
        "office_id": office,
        "lang": lang,
        "marking": marking,
        "figures": canonical(data.figures),
        "figures_sha256": data.figures_sha256,
        "compared_with": data.baseline.get("id"),
        "baseline": canonical(data.baseline),
    }
    try:
        pack, event = sitreps.store(engine, values, actor, render, scope)
    except BaseException:
        for path in written:  # nothing stored: leave no files that claim otherwise
            path.unlink(missing_ok=True)
        raise
    return {
        "pack": pack,
        "audit": event,
        "name": name,
        "pdf": made["pdf"],
        "pdf_path": written[0] if written else None,
        "png_paths": written[1:],
        "figures_sha256": data.figures_sha256,
        "data": data,
    }


# --- command line ----------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """Errors as one line (argparse prints the usage first), exit 2."""

    def error(self, message: str):
        raise SystemExit(_fail(f"{self.prog}: {message}"))


def _fail(reason: str) -> int:
    print(reason.replace("\n", " "), file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--lang", default="id")
    lang = pre.parse_known_args(argv)[0].lang  # the language of the errors, before the real parse
    lang = lang if lang in LANGS else "id"
    p = _Parser(prog="python -m viz.sitrep", description=t("sitrep.cli_description", lang))
    p.add_argument("--out", required=True, type=Path, help=t("sitrep.cli_out", lang))
    p.add_argument("--db", default=None, help=t("sitrep.cli_db", lang))
    p.add_argument("--as-of", default=None, help="YYYY-MM-DD")
    p.add_argument("--office", default=None, help=", ".join(offices()["id"]))
    p.add_argument("--marking", default=DEFAULT_MARKING, choices=MARKINGS)
    p.add_argument("--lang", default="id", choices=LANGS)
    args = p.parse_args(argv)
    lang = args.lang
    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        return _fail(t("sitrep.cli_bad_date", lang, value=args.as_of))
    if args.office is not None and args.office not in set(offices()["id"]):
        return _fail(
            t("sitrep.cli_bad_office", lang, value=args.office, known=", ".join(offices()["id"]))
        )
    if args.out.exists() and not args.out.is_dir():
        return _fail(t("sitrep.cli_out_not_dir", lang, path=args.out))
    from sqlalchemy.exc import SQLAlchemyError

    from storage.engine import get_engine
    from storage.schema import upgrade

    try:
        engine = get_engine(args.db)
        upgrade(engine)  # idempotent: the pack table may be newer than the database
        made = make(engine, args.out, as_of, args.office, args.marking, lang, actor="sitrep")
    except LookupError:
        return _fail(t("sitrep.cli_no_data", lang))
    except OSError as e:
        return _fail(t("sitrep.cli_write_failed", lang, path=args.out, reason=e.strerror or e))
    except SQLAlchemyError as e:
        return _fail(
            t(
                "sitrep.cli_db_failed",
                lang,
                reason=str(e.orig if hasattr(e, "orig") else e).splitlines()[0],
            )
        )
    print(made["pdf_path"])
    for path in made["png_paths"]:
        print(path)
    print(
        t(
            "sitrep.cli_done",
            lang,
            pack=made["pack"],
            audit=made["audit"],
            sha=made["figures_sha256"][:12],
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
