"""The situation report's rules (laporan situasi), pure: which alerts its decision page lists and
in what order, and what changed per regency since the figures it compares with. No wording here:
viz/sitrep.py puts these into words.

A pack's figures are plain JSON (services/sitrep.py builds them): `regencies` maps a regency code
to its risk score, the points of each component, persons present, incidents, election-related
incidents and persons per 1,000 voters; regencies outside the pack's area are absent.
"""

from __future__ import annotations

import pandas as pd

from domain.changes import risers
from domain.thresholds import RISK_COMPONENTS

PERIOD_DAYS = 14  # every page covers the 14 days up to the as-of date
DECISION_SEVERITIES = ("kritis", "tinggi")
PRESENCE_NOTABLE = 0.10  # a change in persons present is worth a sentence from 10 % up
COUNTS = ("incidents", "election_incidents")


def decision_list(needing: pd.DataFrame) -> pd.DataFrame:
    """The critical and high alerts of `needing` (domain.changes.needs_decision's order: most
    severe, newest, highest id), grouped by lead agency: the agency with the most urgent alert
    first, each agency's alerts in that same order. The input is not changed."""
    out = needing[needing["severity"].isin(DECISION_SEVERITIES)]
    first = {a: n for n, a in reversed(list(enumerate(out["agency"])))}
    order = sorted(range(len(out)), key=lambda n: (first[out["agency"].iloc[n]], n))
    return out.iloc[order].reset_index(drop=True)


def risk_frame(regencies: dict) -> pd.DataFrame:
    """A figures' `regencies` as the frame domain.changes.risers() reads (score, <k>_points)."""
    rows = {
        code: {"score": r["score"], **{f"{k}_points": r["points"][k] for k in RISK_COMPONENTS}}
        for code, r in regencies.items()
        if r.get("score") is not None
    }
    cols = ["score", *(f"{k}_points" for k in RISK_COMPONENTS)]
    return pd.DataFrame.from_dict(rows, orient="index", columns=cols)


def _notable_presence(before: float, now: float) -> bool:
    return now != before and (before == 0 or abs(now - before) >= PRESENCE_NOTABLE * before)


def regency_changes(before: dict, now: dict) -> list[dict]:
    """What changed per regency between two figures' `regencies`, for the regencies in both:
    the risk score (when it moved by 0.1 or more), incidents and election-related incidents (any
    change), persons present (a change of PRESENCE_NOTABLE or more). One dict per regency with a
    change: {"code", "score": (before, now) | None, "component": k | None, "component_change",
    "incidents": (b, n) | None, "election_incidents": ..., "present": ...}; the largest risk
    change (either way) first, then the regency code."""
    rose = risers(risk_frame(before), risk_frame(now), n=len(now))
    out = []
    for code in sorted(set(before) & set(now)):
        b, n = before[code], now[code]
        item = {"code": code, "score": None, "component": None, "component_change": 0.0}
        if (
            b.get("score") is not None
            and n.get("score") is not None
            and round(n["score"] - b["score"], 1) != 0
        ):
            item["score"] = (b["score"], n["score"])
            if code in rose.index:
                item["component"] = rose.at[code, "component"]
                item["component_change"] = float(rose.at[code, "component_change"])
        for key in COUNTS:
            item[key] = (b[key], n[key]) if b[key] != n[key] else None
        item["present"] = (
            (b["present"], n["present"]) if _notable_presence(b["present"], n["present"]) else None
        )
        if any(item[k] is not None for k in ("score", *COUNTS, "present")):
            out.append(item)
    moved = {i["code"]: abs(i["score"][1] - i["score"][0]) if i["score"] else 0.0 for i in out}
    return sorted(out, key=lambda i: (-round(moved[i["code"]], 1), i["code"]))
