"""A foreigner on the voter list (WNA dalam daftar pemilih): a foreign resident's NIK found on a
regency's voter list. No foreigner may vote; the regency's KPU strikes the name off.

The frame (storage/voter_lists.py) holds, per regency, the lists it has sent (rows with no
nik_hash: list_name, list_date) and the rows of those lists whose NIK hash is also a foreign
resident's (id, nik_hash, tps, list_name, list_date, and the resident's nationality). Hashes only:
the clear NIK never reaches this module.

One alert per person, regency, polling station and episode: an episode runs over the regency's
consecutive lists that hold the NIK at that station; it is dated on the first of them (the list
and date it was found on). A later full list (DPS, DPSHP, DPT) of the regency that no longer holds
it ends the episode: the alert says so and is resolved (`detail["resolved"]`; the store closes it,
by "system"). A supplementary list (DPTb) adds voters; its silence about a NIK ends nothing.
Critical from the start of the voter-list stage up to voting day (as of the evaluation), high
otherwise. Routed to the regency's KPU (agency_routing.csv, category `pemilih_wna`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from domain.agencies import route
from domain.alert_rules.frames import _frame, as_day, empty_alerts
from domain.calendar import Election
from domain.regions import regency_name
from domain.thresholds import Rules

RULE = "foreigner_on_voter_list"
ROUTE = "pemilih_wna"  # data/reference/agency_routing.csv
STAGE = "pemutakhiran_dpt"  # the election calendar's voter-list stage
FULL_LISTS = ("DPS", "DPSHP", "DPT")  # each replaces the one before; DPTb only adds voters


def severity(election: Election, as_of: dt.date) -> str:
    """kritis from the voter-list stage's first day up to voting day, tinggi otherwise."""
    stage = election.phase_by_key(STAGE)
    start = stage.start if stage is not None else election.voting_day
    return "kritis" if start <= as_of <= election.voting_day else "tinggi"


def lead_agency(regency: str) -> str:
    """The regency's KPU: "KPU Kab. Lombok Barat", "KPU Kota Mataram"."""
    return f"{route(ROUTE).lead.split()[0]} {regency_name(regency)}"


def foreigner_on_voter_list(
    voters: pd.DataFrame, election: Election, as_of, rules: Rules, start=None
) -> pd.DataFrame:
    as_of = as_day(as_of)
    v = voters.copy()
    v["list_date"] = pd.to_datetime(v["list_date"]).dt.date
    v = v[v["list_date"] <= as_of]
    held = v[v["nik_hash"].isna()]
    found = v[v["nik_hash"].notna()]
    if found.empty:
        return empty_alerts()
    level = severity(election, as_of)
    rows = []
    for regency, lists in held.groupby("regency_code"):
        # the regency's snapshots in date order: (date, is a full list, names of its lists)
        snaps = []
        for day, same_day in lists.groupby("list_date"):
            names = sorted(set(same_day["list_name"]))
            snaps.append((day, any(n in FULL_LISTS for n in names), names))
        mine = found[found["regency_code"] == regency]
        for (nik, tps), hits in mine.groupby(["nik_hash", "tps"], sort=True):
            rows += _episodes(regency, nik, tps, hits, snaps, level)
    return _frame(rows, election, start, as_of)


def _episodes(
    regency: str, nik: str, tps: str, hits: pd.DataFrame, snaps: list, level: str
) -> list[dict]:
    by_day = {d: g for d, g in hits.groupby("list_date")}
    out, run = [], []
    for day, full, names in [*snaps, (None, True, [])]:  # a sentinel closes the last run
        if day in by_day:
            run.append(day)
            continue
        if not full or not run:  # a supplementary list says nothing about who left
            continue
        out.append(
            _alert(
                regency,
                nik,
                tps,
                [by_day[d] for d in run],
                level,
                None if day is None else (day, _main(names)),
            )
        )
        run = []
    return out


def _main(names: list[str]) -> str:
    """The list a snapshot is known by: its last full list (DPT before DPS), else what it holds."""
    full = [n for n in FULL_LISTS if n in names]
    return full[-1] if full else names[0]


def _alert(regency: str, nik: str, tps: str, runs: list[pd.DataFrame], level: str, struck) -> dict:
    first, last = runs[0], runs[-1]
    first_day, last_day = first["list_date"].iloc[0], last["list_date"].iloc[0]
    ids = sorted(int(i) for g in runs for i in g["id"])
    detail = {
        "route": ROUTE,
        "person": nik[:12],
        "tps": tps,
        "found_list": _main(sorted(set(first["list_name"]))),
        "found_date": first_day.isoformat(),
        "last_list": _main(sorted(set(last["list_name"]))),
        "last_date": last_day.isoformat(),
        "nationality": next(
            (n for n in last.get("nationality", pd.Series(dtype=object)) if isinstance(n, str)),
            None,
        ),
        "kecamatan": next(
            (k for k in last.get("kecamatan", pd.Series(dtype=object)) if isinstance(k, str)), None
        ),
        "village": next(
            (k for k in last.get("village", pd.Series(dtype=object)) if isinstance(k, str)), None
        ),
    }
    if struck is not None:
        detail.update(struck_list=struck[1], struck_date=struck[0].isoformat(), resolved=True)
    return {
        "rule": RULE,
        "regency_code": regency,
        "port_id": None,
        "date": first_day,
        "severity": level,
        "agency": lead_agency(regency),
        "trigger_ids": tuple(ids),
        "value": 1.0,
        "threshold": None,
        # person (16 characters of the hash), place, station and the episode's first list
        "key": f"{RULE}|{nik[:16]}|{regency}|{tps}|{first_day.isoformat()}",
        "detail": detail,
    }
