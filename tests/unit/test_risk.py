"""Risk score per regency (domain/risk.py): every component at, below and above its cap, the
window edges, election proximity by phase (Kota Bima's watch), weights that add up, and the
published baseline kept beside the score."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from domain.alert_rules import empty_alerts, evaluate_all
from domain.calendar import OUTSIDE, Election, Phase, default_election
from domain.regions import regencies
from domain.risk import risk_scores
from domain.thresholds import RISK_COMPONENTS
from loaders.thresholds import load_rules

EL = default_election()
RULES = load_rules()
REG = regencies()
CODES = ["52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.71", "52.72"]
QUIET_DAY = dt.date(2024, 5, 15)  # outside every phase (before the voter-list stage): proximity 0


def presence(rows):
    out = pd.DataFrame(rows, columns=["report_date", "regency_code", "person_count"])
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out


def incidents(rows):
    out = pd.DataFrame(rows, columns=["incident_date", "regency_code", "severity"])
    out["category"] = "lainnya"
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out


def alerts(rows):
    a = empty_alerts()
    return (
        pd.concat(
            [a, pd.DataFrame([{"rule": r, "regency_code": g, "date": d} for r, g, d in rows])],
            ignore_index=True,
        )
        if rows
        else a
    )


NO_P, NO_I = presence([]), incidents([])


def scores(p=NO_P, i=NO_I, a=None, as_of=QUIET_DAY, rules=RULES, election=EL):
    return risk_scores(p, i, alerts([]) if a is None else a, REG, election, as_of, rules)


def points(k):
    return 100 * RULES.risk.weight(k)


def test_all_ten_regencies_and_the_columns():
    s = scores()
    assert s.index.tolist() == CODES
    for k in RISK_COMPONENTS:
        assert {k, f"{k}_measure", f"{k}_points"} <= set(s.columns)
    assert {"score", "explanation", "phase", "office_id", "name", "bawaslu_ikp_2024"} <= set(
        s.columns
    )
    assert (s["score"] == 0).all()
    assert s.loc["52.03", "office_id"] == "kanim_mataram"


def test_weights_add_up_and_points_add_up_to_the_score():
    assert sum(RULES.risk.weight(k) for k in RISK_COMPONENTS) == pytest.approx(1)
    as_of = dt.date(2024, 11, 27)
    start = as_of - dt.timedelta(days=34)
    p = presence(
        [(start + dt.timedelta(days=d), "52.72", 1) for d in range(28)] + [(as_of, "52.72", 200)]
    )
    i = incidents([(as_of, "52.72", 5)] * 10)
    a = alerts(
        [("election_sensitive_incident", "52.72", as_of)] * 3
        + [("permit_activity_mismatch", "52.72", as_of)] * 5
    )
    s = scores(p, i, a, as_of)
    assert s.loc["52.72", "score"] == 100.0  # every component at its cap
    for code in CODES:
        row = s.loc[code]
        assert sum(pts for _, pts in row["explanation"]) == pytest.approx(row["score"], abs=0.3)
        assert [pts for _, pts in row["explanation"]] == sorted(
            (pts for _, pts in row["explanation"]), reverse=True
        )
        assert 0 <= row["score"] <= 100


def _presence_case(recent_total, base_per_day=5, regency="52.04", as_of=QUIET_DAY):
    start = as_of - dt.timedelta(days=34)
    rows = [(start + dt.timedelta(days=d), regency, base_per_day) for d in range(28)]
    rows += [(as_of, regency, recent_total)] if recent_total else []
    return presence(rows)


@pytest.mark.parametrize(
    "recent, measure, value",
    [
        (0, -1.0, 0.0),  # below the baseline: 0
        (35, 0.0, 0.0),  # at the baseline (35 a week)
        (52, 17 / 35, 17 / 35),  # +48.6 %
        (69, 34 / 35, 34 / 35),  # just under the cap
        (70, 1.0, 1.0),  # doubled: at the cap
        (140, 3.0, 1.0),  # above the cap: capped
    ],
)
def test_presence_component(recent, measure, value):
    s = scores(_presence_case(recent))
    assert s.loc["52.04", "presence_measure"] == pytest.approx(measure)
    assert s.loc["52.04", "presence"] == pytest.approx(value)
    assert s.loc["52.04", "presence_points"] == pytest.approx(points("presence") * value)
    assert (
        s.loc["52.01", "presence"] == 0 and s.loc["52.01", "presence_measure"] == 0
    )  # nothing reported


def test_presence_needs_a_full_baseline_and_a_zero_baseline_uses_the_alert_minimum():
    short = _presence_case(200).iloc[1:]  # data starts 33 days before: no baseline yet
    s = scores(short)
    assert np.isnan(s.loc["52.04", "presence_measure"]) and s.loc["52.04", "presence"] == 0
    p = pd.concat(
        [
            _presence_case(0),
            presence([(QUIET_DAY, "52.72", 39), (QUIET_DAY, "52.71", 40)]).assign(id=[901, 902]),
        ]
    )
    s = scores(p)
    assert s.loc["52.72", "presence"] == 0 and s.loc["52.71", "presence"] == 1
    assert s.loc["52.71", "presence_measure"] == np.inf


@pytest.mark.parametrize("n, inside", [(1, True), (3, True), (4, True)])
def test_incident_rate_and_severity(n, inside):
    voters = REG.loc["52.72", "voters_dpt_2024"]
    i = incidents([(QUIET_DAY, "52.72", 1 + (k % 2) * 4) for k in range(n)])
    s = scores(i=i)
    rate = n / voters * 100_000
    assert s.loc["52.72", "incident_rate_measure"] == pytest.approx(rate)
    assert s.loc["52.72", "incident_rate"] == pytest.approx(min(1.0, rate / 3.0))
    mean = np.mean([1 + (k % 2) * 4 for k in range(n)])
    assert s.loc["52.72", "incident_severity_measure"] == pytest.approx(mean)
    assert s.loc["52.72", "incident_severity"] == pytest.approx((mean - 1) / 4)
    assert s.loc["52.71", "incident_rate"] == 0 and s.loc["52.71", "incident_severity"] == 0


def test_incident_window_edges_and_future_rows():
    i = incidents(
        [
            (QUIET_DAY - dt.timedelta(days=27), "52.01", 5),  # first day of the 28-day window
            (QUIET_DAY - dt.timedelta(days=28), "52.02", 5),  # just before it
            (QUIET_DAY + dt.timedelta(days=1), "52.03", 5),
        ]
    )  # after the as-of date
    s = scores(i=i)
    assert s.loc["52.01", "incident_severity"] == 1
    assert s.loc["52.02", "incident_severity"] == 0 and s.loc["52.03", "incident_severity"] == 0


@pytest.mark.parametrize("n, value", [(0, 0.0), (1, 1 / 3), (2, 2 / 3), (3, 1.0), (4, 1.0)])
def test_sensitive_incidents_component(n, value):
    a = alerts(
        [("election_sensitive_incident", "52.06", QUIET_DAY)] * n
        + [("election_sensitive_incident", "52.06", QUIET_DAY - dt.timedelta(days=28))]
    )  # outside the window
    s = scores(a=a)
    assert s.loc["52.06", "sensitive_incidents_measure"] == n
    assert s.loc["52.06", "sensitive_incidents"] == pytest.approx(value)


@pytest.mark.parametrize("n, value", [(4, 0.8), (5, 1.0), (6, 1.0)])
def test_mismatch_component_counts_people_not_clusters(n, value):
    a = alerts(
        [("permit_activity_mismatch", "52.08", QUIET_DAY)] * n
        + [("permit_activity_mismatch_cluster", "52.08", QUIET_DAY)]
    )
    s = scores(a=a)
    assert s.loc["52.08", "mismatches_measure"] == n
    assert s.loc["52.08", "mismatches"] == pytest.approx(value)


@pytest.mark.parametrize(
    "day, phase, value",
    [
        ("2024-05-15", OUTSIDE, 0.0),
        ("2024-07-15", "pemutakhiran_dpt", 0.1),
        ("2024-09-25", "kampanye", 0.7),
        ("2024-11-23", "kampanye", 0.7),
        ("2024-11-24", "masa_tenang", 1.0),
        ("2024-11-27", "pemungutan", 1.0),
        ("2024-11-28", "rekapitulasi", 0.6),
        ("2024-12-05", "sengketa", 0.5),
        ("2024-12-17", "sengketa", 0.5),
    ],
)
def test_election_proximity_by_phase(day, phase, value):
    d = dt.date.fromisoformat(day)
    s = scores(as_of=d)
    assert (s["phase"] == phase).all()
    assert (s["election_proximity"] == value).all()
    assert (s["score"] == round(points("election_proximity") * value, 1)).all()
    assert (s["election_proximity_measure"] == (EL.voting_day - d).days).all()


def test_kota_bima_keeps_its_post_vote_watch():
    s = scores(as_of=dt.date(2025, 2, 5))
    assert s.loc["52.72", "phase"] == "sengketa" and s.loc["52.72", "election_proximity"] == 0.5
    assert (s.drop("52.72")["election_proximity"] == 0).all()


def test_a_phase_missing_from_the_table_uses_the_defaults():
    other = Election(
        "x",
        "X",
        "X",
        dt.date(2029, 11, 28),
        "test",
        (
            Phase(
                "ronde_dua",
                "Putaran dua",
                "Run-off",
                dt.date(2029, 12, 1),
                dt.date(2029, 12, 10),
                True,
            ),
            Phase(
                "sosialisasi",
                "Sosialisasi",
                "Outreach",
                dt.date(2029, 6, 1),
                dt.date(2029, 6, 30),
                False,
            ),
        ),
    )
    assert (scores(as_of=dt.date(2029, 12, 5), election=other)["election_proximity"] == 0.5).all()
    assert (scores(as_of=dt.date(2029, 6, 5), election=other)["election_proximity"] == 0.1).all()


def test_published_baseline_is_beside_the_score_never_in_it():
    i = incidents([(QUIET_DAY, "52.05", 4)])
    s1 = scores(i=i)
    reg2 = REG.copy()
    reg2["bawaslu_ikp_2024"] = "rendah"
    s2 = risk_scores(NO_P, i, alerts([]), reg2, EL, QUIET_DAY, RULES)
    assert s1["bawaslu_ikp_2024"].tolist() != s2["bawaslu_ikp_2024"].tolist()
    assert s1["score"].tolist() == s2["score"].tolist()
    assert s1.loc["52.02", "bawaslu_ikp_2024"] == "tinggi"


def test_weights_come_from_the_rules():
    w = dict(RULES.risk.weights)
    w.update(
        election_proximity=1.0,
        presence=0,
        incident_rate=0,
        incident_severity=0,
        sensitive_incidents=0,
        mismatches=0,
    )
    rules = dataclasses.replace(
        RULES, risk=dataclasses.replace(RULES.risk, weights=tuple(w.items()))
    )
    s = scores(as_of=dt.date(2024, 11, 27), rules=rules)
    assert (s["score"] == 100).all()
    assert s.loc["52.01", "explanation"][0] == ("election_proximity", 100.0)


def test_demo_risk_scores(tmp_path_factory, capsys):
    """On the demo database (built once per session, shared with test_alerts.py): defined for every
    regency on voting day, proximity at its maximum."""
    from tests.unit.test_alerts import demo_tables

    p, i, c = demo_tables(tmp_path_factory)
    as_of = dt.date(2024, 11, 27)
    a = evaluate_all(p, i, c, EL, as_of, RULES)
    s = risk_scores(p, i, a, REG, EL, as_of, RULES)
    assert s.index.tolist() == CODES and s["score"].between(0, 100).all()
    assert (s["election_proximity"] == 1).all()
    with capsys.disabled():
        print("\n[risk] demo, voting day (points per component):")
        cols = ["score", "bawaslu_ikp_2024"] + [f"{k}_points" for k in RISK_COMPONENTS]
        print(s[cols].rename(columns=lambda c: c.removesuffix("_points")).round(1).to_string())
