"""Alert rules (domain/alert_rules) on crafted frames at, just below and just above every threshold,
with exact expected alerts; phase escalation at the calendar's edges; idempotent keys; and a
check on the demo data loaded through the real import path (printed: counts and timing)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time

import numpy as np
import pandas as pd
import pytest

from domain.alert_rules import (
    COLUMNS,
    DEPORTATION,
    RULE_NAMES,
    crossing_spike,
    election_sensitive_incident,
    empty_alerts,
    evaluate_all,
    expiring_permits,
    overstay,
    permit_activity_mismatch,
    presence_surge,
    reporting_gap,
    tag_phases,
)
from domain.calendar import OUTSIDE, default_election
from domain.permits import allowed, allowed_many
from domain.regions import areas_on
from i18n import catalogue, has
from loaders.thresholds import RULES_FILE, load_rules
from viz.alert_text import describe, detail_key

EL = default_election()
RULES = load_rules()


def day(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


# --- frame builders (storage column names) ----------------------------------------------------


def presence(rows: list[dict]) -> pd.DataFrame:
    base = {
        "report_date": None,
        "regency_code": "52.01",
        "nationality": "AUS",
        "permit_type": "VOA",
        "activity": "wisata",
        "person_count": 1,
        "permit_expiry": None,
        "arrival_date": None,
        "passport_hash": None,
    }
    out = pd.DataFrame([{**base, **r} for r in rows])
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out


def daily_presence(start: dt.date, counts: list[int], regency="52.01") -> list[dict]:
    """One report a day with person_count = counts[i] (0 = no report that day)."""
    return [
        {"report_date": start + dt.timedelta(days=i), "regency_code": regency, "person_count": c}
        for i, c in enumerate(counts)
        if c
    ]


def incidents(rows: list[dict]) -> pd.DataFrame:
    base = {
        "incident_date": None,
        "regency_code": "52.71",
        "category": "kegiatan_politik",
        "severity": 3,
        "election_related": False,
        "status": "baru",
        "responsible_agency": "Polda NTB",
        "lat": None,
        "lon": None,
    }
    out = pd.DataFrame([{**base, **r} for r in rows])
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out


def crossings(rows: list[tuple]) -> pd.DataFrame:
    """rows: (date, port_id, count[, direction[, nationality]])"""
    recs = []
    for r in rows:
        recs.append(
            {
                "date": r[0],
                "port_id": r[1],
                "count": r[2],
                "direction": r[3] if len(r) > 3 else "datang",
                "nationality": r[4] if len(r) > 4 else None,
            }
        )
    out = pd.DataFrame(recs)
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out


def with_rules(section: str, **changes):
    return dataclasses.replace(
        RULES, **{section: dataclasses.replace(getattr(RULES, section), **changes)}
    )


def assert_alert_frame(a: pd.DataFrame):
    assert list(a.columns) == COLUMNS
    assert a["key"].is_unique
    assert set(a["severity"]) <= {"rendah", "sedang", "tinggi", "kritis"}
    for ids in a["trigger_ids"]:
        assert isinstance(ids, tuple) and all(isinstance(i, int) for i in ids)


# --- the rules file -------------------------------------------------------------------------------


def test_rules_file_loads_with_documented_defaults():
    r = RULES
    assert (r.presence_surge.window_days, r.presence_surge.baseline_days) == (7, 28)
    assert [
        (c.regulation, c.valid_from, c.valid_to, c.per_day_rp, c.confirmed)
        for c in r.overstay.charges
    ] == [
        ("PP 28/2019", None, dt.date(2024, 12, 17), 1_000_000, True),
        ("PP 45/2024", dt.date(2024, 12, 18), None, 1_000_000, False),
    ]
    assert r.overstay.deportation_from_days == 60
    assert sum(w for _, w in r.risk.weights) == pytest.approx(1.0)
    assert r.election_sensitive_incident.phase_floor("kampanye") == "tinggi"
    assert r.election_sensitive_incident.phase_floor("masa_tenang") == "kritis"
    assert r.election_sensitive_incident.phase_floor("pemungutan") == "kritis"
    assert r.general.lookback_days == 270
    hash(r)  # hashable: usable as a cache key


def test_every_threshold_in_the_file_is_commented():
    """Each key has a comment on its line or in the comment block that opens its group of keys."""
    lines = RULES_FILE.read_text(encoding="utf-8").splitlines()
    assert "LEGAL FACT" in "\n".join(lines) and "docs/domain-facts.md" in "\n".join(lines)

    def is_key(x):
        return "=" in x and not x.lstrip().startswith("#")

    for i, line in enumerate(lines):
        if not is_key(line):
            continue
        j = i
        while (
            j > 0
            and (is_key(lines[j]) or lines[j].startswith("["))
            and "#" not in lines[j].split("=", 1)[-1]
        ):
            j -= 1
        documented = (
            "#" in lines[j].split("=", 1)[-1]
            if is_key(lines[j])
            else lines[j].lstrip().startswith(("#", "["))
        )
        assert documented and lines[j].strip(), f"{line.split('=')[0].strip()} has no comment"


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("min_days = 3", "min_days = 3\nmin_dayz = 4", "unknown keys"),
        ("min_days = 3", "", "missing keys"),
        ('cluster_severity = "tinggi"', 'cluster_severity = "urgent"', "not one of"),
        ("presence = 0.15", "presence = 0.25", "sum to 1"),
        ("lead_days = 14", "lead_days = -1", "must not be negative"),
    ],
)
def test_rules_file_errors_are_refused(tmp_path, old, new, message):
    text = RULES_FILE.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "rules.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_rules(bad)


def test_rules_read_their_thresholds_from_the_rules_object():
    looser = with_rules("presence_surge", min_relative_increase=0.5, min_absolute_increase=20)
    assert presence_surge(surge_frame(5, 55), EL, AS_OF, RULES).empty
    assert len(presence_surge(surge_frame(5, 55), EL, AS_OF, looser)) == 1
    assert (
        len(
            crossing_spike(
                spike_frame([90, 110] * 14, 121),
                EL,
                "2024-12-31",
                with_rules("crossing_spike", min_z=2.0),
            )
        )
        == 1
    )
    assert reporting_gap(
        gap_frame(G - dt.timedelta(days=3)), EL, G, with_rules("reporting_gap", min_days=4)
    ).empty


# --- phases ------------------------------------------------------------------------------------------


def test_tag_phases_at_the_edges_and_per_regency():
    f = pd.DataFrame(
        {
            "d": [
                "2024-09-24",
                "2024-11-23",
                "2024-11-24",
                "2024-11-27",
                "2024-11-28",
                "2024-12-17",
                "2025-02-05",
                "2025-02-05",
            ],
            "regency_code": ["52.01"] * 7 + ["52.72"],
        }
    )
    out = tag_phases(f, "d", EL)
    assert out["phase"].tolist() == [
        OUTSIDE,
        "kampanye",
        "masa_tenang",
        "pemungutan",
        "rekapitulasi",
        "sengketa",
        OUTSIDE,
        "sengketa",
    ]
    assert "phase" not in f.columns  # input not mutated
    assert tag_phases(f.drop(columns="regency_code"), "d", EL)["phase"].iloc[-1] == OUTSIDE


# --- presence_surge ---------------------------------------------------------------------------------

AS_OF = day("2024-10-15")


def surge_frame(baseline_per_day: int, last7_total: int, regency="52.01") -> pd.DataFrame:
    """Data starts exactly 34 days before AS_OF: only AS_OF has a full 28-day baseline."""
    start = AS_OF - dt.timedelta(days=34)
    counts = [baseline_per_day] * 28 + [baseline_per_day] * 6 + [last7_total - 6 * baseline_per_day]
    return presence(daily_presence(start, counts, regency))


@pytest.mark.parametrize(
    "base_per_day, total, expected",
    [
        # weekly baseline 35: the absolute threshold binds (35 + 40 = 75 > 2 x 35 = 70)
        (5, 74, None),
        (5, 75, "sedang"),
        (5, 76, "sedang"),
        # weekly baseline 105: the relative threshold binds (2 x 105 = 210 > 105 + 40)
        (15, 209, None),
        (15, 210, "sedang"),
        (15, 211, "sedang"),
        # severity high from +200 % (tripled): 3 x 35 = 105
        (5, 104, "sedang"),
        (5, 105, "tinggi"),
        (5, 106, "tinggi"),
    ],
)
def test_presence_surge_thresholds(base_per_day, total, expected):
    a = presence_surge(surge_frame(base_per_day, total), EL, AS_OF, RULES)
    assert_alert_frame(a)
    if expected is None:
        assert a.empty
        return
    assert len(a) == 1
    row = a.iloc[0]
    assert (row["rule"], row["regency_code"], row["date"], row["severity"]) == (
        "presence_surge",
        "52.01",
        AS_OF,
        expected,
    )
    assert row["key"] == "presence_surge|52.01|2024-10-15"
    assert row["value"] == total
    assert row["threshold"] == max(base_per_day * 7 * 2, base_per_day * 7 + 40)
    assert (row["office_id"], row["port_id"], row["agency"], row["phase"]) == (
        "kanim_mataram",
        None,
        "Imigrasi",
        "kampanye",
    )
    assert len(row["trigger_ids"]) == 7  # the reports of the last 7 days
    assert row["detail"]["baseline"] == base_per_day * 7


def test_presence_surge_needs_a_full_baseline_and_ignores_rows_after_as_of():
    f = surge_frame(5, 500)
    assert presence_surge(
        f, EL, AS_OF - dt.timedelta(days=1), RULES
    ).empty  # 33 days of history only
    later = pd.concat(
        [
            f,
            presence([{"report_date": AS_OF + dt.timedelta(days=1), "person_count": 999}]).assign(
                id=999
            ),
        ]
    )
    a = presence_surge(later, EL, AS_OF, RULES)
    assert a["value"].tolist() == [500.0]


def test_presence_surge_from_zero_baseline_uses_the_absolute_threshold():
    start = AS_OF - dt.timedelta(days=34)
    other = daily_presence(
        start, [1] * 35, regency="52.71"
    )  # the data start is set by another regency
    for total, n in ((39, 0), (40, 1)):
        f = presence(
            other + [{"report_date": AS_OF, "regency_code": "52.01", "person_count": total}]
        )
        a = presence_surge(f, EL, AS_OF, RULES)
        a = a[a["regency_code"] == "52.01"]
        assert len(a) == n
        if n:
            assert a.iloc[0]["detail"]["increase_pct"] is None and a.iloc[0]["severity"] == "tinggi"
            assert detail_key(a.iloc[0]) == "alerts.presence_surge_detail_new"


def test_presence_surge_is_one_alert_per_episode():
    start = day("2024-07-01")
    counts = [5] * 60
    counts[40] += 100  # first surge: qualifies on days 40..46
    counts[50] += 200  # 4 days after it stopped qualifying: same episode (rearm 7)
    f = presence(daily_presence(start, counts))
    as_of = start + dt.timedelta(days=59)
    a = presence_surge(f, EL, as_of, RULES)
    assert a["date"].tolist() == [start + dt.timedelta(days=40)]
    assert a.iloc[0]["detail"]["peak_persons"] == 235
    counts[50] -= 200
    counts[58] += 200  # 12 days after: a new episode
    a = presence_surge(presence(daily_presence(start, counts)), EL, as_of, RULES)
    assert a["date"].tolist() == [start + dt.timedelta(days=40), start + dt.timedelta(days=58)]
    assert a["key"].tolist() == [
        "presence_surge|52.01|2024-08-10",
        "presence_surge|52.01|2024-08-28",
    ]
    # the same episodes with a later as-of date keep their keys (dated on the first day)
    b = presence_surge(
        presence(daily_presence(start, counts + [5, 5])), EL, as_of + dt.timedelta(days=2), RULES
    )
    assert b["key"].tolist() == a["key"].tolist()
    # and `start` only hides alerts dated before it
    assert (
        presence_surge(
            presence(daily_presence(start, counts)),
            EL,
            as_of,
            RULES,
            start=start + dt.timedelta(days=41),
        )["key"].tolist()
        == a["key"].tolist()[1:]
    )


# --- election_sensitive_incident -------------------------------------------------------------------


@pytest.mark.parametrize(
    "date, level, phase, severity",
    [
        ("2024-05-20", 1, OUTSIDE, "rendah"),
        ("2024-05-20", 2, OUTSIDE, "rendah"),
        ("2024-05-20", 3, OUTSIDE, "sedang"),
        ("2024-05-20", 4, OUTSIDE, "tinggi"),
        ("2024-05-20", 5, OUTSIDE, "kritis"),
        ("2024-07-01", 2, "pemutakhiran_dpt", "rendah"),  # the voter-list stage does not escalate
        ("2024-09-24", 2, OUTSIDE, "rendah"),  # the day before the campaign
        ("2024-09-25", 2, "kampanye", "tinggi"),  # first campaign day
        ("2024-11-23", 1, "kampanye", "tinggi"),  # last campaign day
        ("2024-11-23", 5, "kampanye", "kritis"),  # escalation never lowers
        ("2024-11-24", 1, "masa_tenang", "kritis"),  # quiet period
        ("2024-11-26", 2, "masa_tenang", "kritis"),
        ("2024-11-27", 1, "pemungutan", "kritis"),  # voting day
        ("2024-11-28", 3, "rekapitulasi", "sedang"),  # counting: from the incident's severity
        ("2024-12-17", 2, "sengketa", "rendah"),  # dispute window
    ],
)
def test_election_incident_severity_by_phase(date, level, phase, severity):
    f = incidents([{"incident_date": date, "severity": level}])
    a = election_sensitive_incident(f, EL, "2025-03-01", RULES)
    assert_alert_frame(a)
    assert len(a) == 1
    row = a.iloc[0]
    assert (row["date"], row["phase"], row["severity"]) == (day(date), phase, severity)
    assert row["key"] == f"election_sensitive_incident|52.71|{date}|id1"
    assert row["detail"]["escalated"] == (
        severity != {1: "rendah", 2: "rendah", 3: "sedang", 4: "tinggi", 5: "kritis"}[level]
    )
    assert (row["trigger_ids"], row["agency"], row["office_id"]) == (
        (1,),
        "Polda NTB",
        "kanim_mataram",
    )


def test_election_incident_categories_flags_and_agencies():
    f = incidents(
        [
            {"incident_date": "2024-07-01", "category": "kegiatan_politik"},
            {"incident_date": "2024-07-01", "category": "ketertiban_umum"},
            {
                "incident_date": "2024-07-01",
                "category": "dokumen_palsu",
                "responsible_agency": "Imigrasi",
            },
            {"incident_date": "2024-07-01", "category": "narkotika"},  # not sensitive
            {
                "incident_date": "2024-07-01",
                "category": "narkotika",
                "election_related": "ya",
            },  # flagged
            {
                "incident_date": "2024-07-01",
                "category": "kepabeanan",
                "election_related": 1,
                "responsible_agency": "",
            },
            {"incident_date": "2024-07-01", "category": "lingkungan", "election_related": "tidak"},
            {"incident_date": "2024-07-02", "category": "kegiatan_politik"},  # after as-of
        ]
    )
    a = election_sensitive_incident(f, EL, "2024-07-01", RULES)
    assert sorted(a["trigger_ids"].map(lambda t: t[0])) == [1, 2, 3, 5, 6]
    agencies = dict(zip(a["trigger_ids"].map(lambda t: t[0]), a["agency"]))
    assert (
        agencies[3] == "Imigrasi" and agencies[6] == "Bea Cukai"
    )  # blank agency derived from the category


def test_election_incident_key_uses_the_senders_id_and_kota_bima_keeps_its_watch():
    f = incidents(
        [
            {
                "incident_date": "2025-02-05",
                "regency_code": "52.72",
                "record_id": "KJD-7",
                "severity": 2,
            },
            {
                "incident_date": "2025-02-05",
                "regency_code": "52.06",
                "record_id": None,
                "severity": 2,
            },
        ]
    )
    a = election_sensitive_incident(f, EL, "2025-02-28", RULES).set_index("regency_code")
    assert a.loc["52.72", "phase"] == "sengketa" and a.loc["52.06", "phase"] == OUTSIDE
    assert a.loc["52.72", "key"] == "election_sensitive_incident|52.72|2025-02-05|KJD-7"
    assert a.loc["52.06", "key"] == "election_sensitive_incident|52.06|2025-02-05|id2"


# --- permits and permit_activity_mismatch ------------------------------------------------------------


@pytest.mark.parametrize(
    "permit, activity, ok",
    [
        ("BVK", "bekerja", False),
        ("VOA", "bekerja", False),
        ("ITK", "bekerja", False),
        ("ITAS", "bekerja", True),
        ("ITAS_KERJA", "bekerja", True),
        ("ITAS_REMOTE", "bekerja", False),
        ("ITAS_KELUARGA", "bekerja", False),
        ("ITAS_STUDI", "pendidikan", True),
        ("ITAS_INVESTASI", "investasi", True),
        ("ITAS_LANSIA", "bekerja", False),
        ("ITAS_KERJA", "politik", False),
        ("ITAS_REMOTE", "wisata", True),
        ("VOA", "wisata", True),
        ("voa", "Wisata", True),
        ("ITK", "jurnalistik", True),
        ("VOA", "jurnalistik", False),
        ("ITAS", "politik", False),
        ("ITAP", "politik", False),
        ("DIPLOMATIK", "politik", False),
        ("BVK", "politik", False),
        ("ITAP", "keluarga", True),
        ("DINAS", "bekerja", True),
        ("XYZ", "wisata", False),
    ],
)
def test_permit_rules(permit, activity, ok):
    assert allowed(permit, activity) is ok
    assert allowed_many(
        pd.Series([permit], index=[7]), pd.Series([activity], index=[7])
    ).tolist() == [ok]


def test_single_mismatches_per_person_and_per_row():
    f = presence(
        [
            {
                "report_date": "2024-10-01",
                "permit_type": "VOA",
                "activity": "bekerja",
                "passport_hash": "a" * 64,
            },
            {
                "report_date": "2024-10-02",
                "permit_type": "VOA",
                "activity": "bekerja",
                "passport_hash": "a" * 64,
            },
            {
                "report_date": "2024-10-03",
                "permit_type": "VOA",
                "activity": "bekerja",
                "passport_hash": "a" * 64,
                "regency_code": "52.08",
            },
            {
                "report_date": "2024-10-01",
                "permit_type": "ITAS",
                "activity": "politik",
                "regency_code": "52.72",
                "person_count": 3,
            },
            {"report_date": "2024-10-01", "permit_type": "ITAS", "activity": "bekerja"},  # allowed
            {
                "report_date": "2024-10-20",
                "permit_type": "BVK",
                "activity": "bekerja",
            },  # no passport
            {
                "report_date": "2024-10-20",
                "permit_type": "BVK",
                "activity": "bekerja",
            },  # another row
        ]
    )
    a = permit_activity_mismatch(f, EL, "2024-10-31", RULES)
    assert_alert_frame(a)
    assert (
        a["rule"] == "permit_activity_mismatch"
    ).all()  # 52.01: 1 Oct and twice 20 Oct, no cluster
    got = {(r.regency_code, str(r.date), r.severity, r.trigger_ids) for r in a.itertuples()}
    assert got == {
        ("52.01", "2024-10-01", "sedang", (1, 2, 3)),
        ("52.72", "2024-10-01", "tinggi", (4,)),
        ("52.01", "2024-10-20", "sedang", (6,)),
        ("52.01", "2024-10-20", "sedang", (7,)),
    }
    assert (
        a[a["trigger_ids"] == (6,)].iloc[0]["key"]
        == "permit_activity_mismatch|52.01|2024-10-20|id6|BVK|bekerja"
    )
    person = a[a["trigger_ids"] == (1, 2, 3)].iloc[0]
    assert person["key"] == f"permit_activity_mismatch|52.01|2024-10-01|p{'a' * 16}|VOA|bekerja"
    assert person["detail"]["reports"] == 3 and person["detail"]["last_seen"] == "2024-10-03"
    assert a[a["regency_code"] == "52.72"].iloc[0]["value"] == 3  # persons
    # work on a visit permit: immigration leads; political activity: Bawaslu leads (docs/domain-facts.md)
    assert dict(
        zip(a["regency_code"] + "|" + a["detail"].map(lambda d: d["kind"]), a["agency"])
    ) == {"52.01|bekerja": "Imigrasi", "52.72|politik": "Bawaslu NTB"}


@pytest.mark.parametrize(
    "offsets, cluster_day, count",
    [
        ([0, 3], None, 0),  # two: below the count
        ([0, 3, 7], None, 0),  # three, but over 8 days: just outside the window
        ([0, 3, 6], 6, 3),  # three within 7 days: at the threshold
        ([0, 1, 2, 6], 2, 3),  # four: one cluster, dated when the third arrives
    ],
)
def test_mismatch_cluster_thresholds(offsets, cluster_day, count):
    start = day("2024-10-01")
    f = presence(
        [
            {
                "report_date": start + dt.timedelta(days=o),
                "permit_type": "VOA",
                "activity": "bekerja",
                "passport_hash": f"{i:064d}",
            }
            for i, o in enumerate(offsets)
        ]
    )
    a = permit_activity_mismatch(f, EL, "2024-11-30", RULES)
    clusters = a[a["rule"] == "permit_activity_mismatch_cluster"]
    assert (a["rule"] == "permit_activity_mismatch").sum() == len(offsets)
    if cluster_day is None:
        assert clusters.empty
        return
    assert len(clusters) == 1
    c = clusters.iloc[0]
    d = start + dt.timedelta(days=cluster_day)
    assert (c["date"], c["severity"], c["value"], c["threshold"]) == (d, "tinggi", count, 3)
    assert c["key"] == f"permit_activity_mismatch_cluster|52.01|{d.isoformat()}"
    assert c["trigger_ids"] == tuple(range(1, len(offsets) + 1))
    assert c["detail"]["total"] == len(offsets)


def test_one_person_reported_three_times_is_not_a_cluster():
    f = presence(
        [
            {
                "report_date": f"2024-10-0{i}",
                "permit_type": "VOA",
                "activity": "bekerja",
                "passport_hash": "b" * 64,
            }
            for i in (1, 2, 3)
        ]
    )
    a = permit_activity_mismatch(f, EL, "2024-10-31", RULES)
    assert a["rule"].tolist() == ["permit_activity_mismatch"]


def test_two_separate_clusters_are_two_alerts():
    start = day("2024-10-01")
    offs = [0, 1, 2, 20, 21, 22]
    f = presence(
        [
            {
                "report_date": start + dt.timedelta(days=o),
                "permit_type": "BVK",
                "activity": "bekerja",
                "passport_hash": f"{i:064d}",
            }
            for i, o in enumerate(offs)
        ]
    )
    c = permit_activity_mismatch(f, EL, "2024-11-30", RULES)
    c = c[c["rule"] == "permit_activity_mismatch_cluster"]
    assert c["date"].tolist() == [day("2024-10-03"), day("2024-10-23")]


# --- overstay and expiring permits -----------------------------------------------------------------


@pytest.mark.parametrize(
    "days, severity, charge",
    [
        (0, None, None),  # reported on the expiry day: still valid
        (1, "sedang", 1_000_000),
        (59, "sedang", 59_000_000),  # just under 60 days: the charge
        (60, "tinggi", None),  # 60 days: deportation and entry ban
        (61, "tinggi", None),
    ],
)
def test_overstay_charge_and_deportation(days, severity, charge):
    report = day("2024-11-10")
    f = presence(
        [
            {
                "report_date": report,
                "permit_expiry": report - dt.timedelta(days=days),
                "passport_hash": "c" * 64,
            }
        ]
    )
    a = overstay(f, EL, report, RULES)
    if severity is None:
        assert a.empty
        return
    assert_alert_frame(a)
    row = a.iloc[0]
    expiry = (report - dt.timedelta(days=days)).isoformat()
    assert (len(a), row["severity"], row["value"], row["threshold"]) == (1, severity, days, 60)
    assert row["key"] == f"overstay|p{'c' * 16}|{expiry}"
    assert row["detail"].get("charge_rp") == charge
    assert row["detail"].get("action") == (None if charge else DEPORTATION)
    assert detail_key(row) == (
        "alerts.overstay_detail_charge" if charge else "alerts.overstay_detail_deport"
    )


def test_overstay_uses_the_latest_report_per_passport_and_keeps_its_key():
    exp = day("2024-10-01")
    rows = [
        {
            "report_date": exp + dt.timedelta(days=d),
            "permit_expiry": exp,
            "passport_hash": "d" * 64,
            "regency_code": "52.08",
        }
        for d in (10, 11, 12)
    ]
    rows += [
        {"report_date": exp + dt.timedelta(days=5), "permit_expiry": exp}
    ] * 2  # no passport: one per row
    f = presence(rows)
    a = overstay(f, EL, "2024-12-31", RULES)
    person = a[a["regency_code"] == "52.08"]
    assert len(a) == 3 and len(person) == 1
    p = person.iloc[0]
    assert (p["date"], p["value"], p["trigger_ids"]) == (day("2024-10-13"), 12, (1, 2, 3))
    assert p["detail"]["first_seen"] == "2024-10-11" and p["detail"]["charge_rp"] == 12_000_000
    earlier = overstay(f, EL, "2024-10-12", RULES)
    e = earlier[earlier["regency_code"] == "52.08"].iloc[0]
    assert e["key"] == p["key"] and e["value"] == 11


def test_no_expiry_no_overstay():
    assert overstay(presence([{"report_date": "2024-10-01"}]), EL, "2024-10-31", RULES).empty


@pytest.mark.parametrize(
    "expiry, report, expected",
    [
        ("2024-11-20", "2024-11-06", 14),  # campaign, reported 14 days before: at the lead time
        ("2024-11-20", "2024-11-05", None),  # 15 days before: not yet
        ("2024-11-20", "2024-11-20", 0),  # on the expiry day
        ("2024-11-25", "2024-11-20", 5),  # quiet period
        ("2024-11-27", "2024-11-20", None),  # voting day is not a watched expiry phase
        ("2024-09-24", "2024-09-20", None),  # the day before the campaign
        ("2024-09-25", "2024-09-20", 5),  # the first campaign day
        ("2024-11-23", "2024-11-24", None),  # already expired: that is an overstay
    ],
)
def test_expiring_permits(expiry, report, expected):
    f = presence([{"report_date": report, "permit_expiry": expiry, "passport_hash": "e" * 64}])
    a = expiring_permits(f, EL, "2024-12-31", RULES)
    if expected is None:
        assert a.empty
        return
    row = a.iloc[0]
    assert (len(a), row["date"], row["severity"], row["value"], row["threshold"]) == (
        1,
        day(report),
        "rendah",
        expected,
        14,
    )
    assert row["key"] == f"expiring_permits|p{'e' * 16}|{expiry}"


def test_expiring_permit_is_one_alert_per_person():
    f = presence(
        [
            {"report_date": d, "permit_expiry": "2024-11-20", "passport_hash": "f" * 64}
            for d in ("2024-11-01", "2024-11-08", "2024-11-15")
        ]
    )
    a = expiring_permits(f, EL, "2024-12-31", RULES)
    assert a["date"].tolist() == [day("2024-11-08")] and a.iloc[0]["trigger_ids"] == (2, 3)


# --- crossing_spike --------------------------------------------------------------------------------

C0 = day("2024-10-01")


def spike_frame(
    baseline: list[int], today: int, port="lop_lombok_airport", start=C0
) -> pd.DataFrame:
    rows = [(start + dt.timedelta(days=i), port, c) for i, c in enumerate(baseline)]
    return crossings(rows + [(start + dt.timedelta(days=len(baseline)), port, today)])


@pytest.mark.parametrize(
    "baseline, today, expected",
    [
        ([90, 110] * 14, 129, None),  # mean 100, sd 10: z 2.9
        ([90, 110] * 14, 130, "sedang"),  # z 3.0: at the threshold
        ([90, 110] * 14, 131, "sedang"),
        ([90, 110] * 14, 149, "sedang"),  # z 4.9
        ([90, 110] * 14, 150, "tinggi"),  # z 5.0: high
        ([25, 35] * 14, 49, None),  # z 3.8 but under the minimum count
        ([25, 35] * 14, 50, "sedang"),  # z 4.0, at the minimum count
        ([0] * 28, 50, "tinggi"),  # flat baseline: any count above it (sd 0)
        ([0] * 28, 49, None),
        ([90, 110] * 13 + [90], 500, None),  # 27 days of history: no full baseline
    ],
)
def test_crossing_spike_thresholds(baseline, today, expected):
    a = crossing_spike(spike_frame(baseline, today), EL, "2024-12-31", RULES)
    if expected is None:
        assert a.empty
        return
    assert_alert_frame(a)
    d = C0 + dt.timedelta(days=len(baseline))
    row = a.iloc[0]
    assert (len(a), row["date"], row["severity"], row["value"]) == (1, d, expected, today)
    assert (row["regency_code"], row["port_id"], row["office_id"]) == (
        None,
        "lop_lombok_airport",
        "kanim_mataram",
    )
    assert row["key"] == f"crossing_spike|lop_lombok_airport|{d.isoformat()}|datang"
    assert row["phase"] == EL.tag(pd.Series([pd.Timestamp(d)]), pd.Series(["52.02"])).iloc[0]


def test_crossing_spike_sums_nationalities_and_ignores_departures():
    rows = [
        (C0 + dt.timedelta(days=i), "lop_lombok_airport", c) for i, c in enumerate([90, 110] * 14)
    ]
    d = C0 + dt.timedelta(days=28)
    rows += [
        (d, "lop_lombok_airport", 70, "datang", "MYS"),
        (d, "lop_lombok_airport", 60, "datang", "AUS"),
        (d, "lop_lombok_airport", 900, "berangkat"),
    ]
    a = crossing_spike(crossings(rows), EL, "2024-12-31", RULES)
    assert a["value"].tolist() == [130.0] and a.iloc[0]["trigger_ids"] == (29, 30)


# --- reporting_gap ---------------------------------------------------------------------------------

G = day("2024-10-31")


OCT_1 = day("2024-10-01")


def gap_frame(last_bima: dt.date | None, start=OCT_1) -> pd.DataFrame:
    """Daily reports from every regency up to G, except the Bima office area (52.05, 52.06, 52.72)
    that stops after `last_bima` (None: never reported)."""
    rows = []
    n = (G - start).days + 1
    for reg in ("52.01", "52.04", "52.05"):
        for i in range(n):
            d = start + dt.timedelta(days=i)
            if reg == "52.05" and (last_bima is None or d > last_bima):
                continue
            rows.append({"report_date": d, "regency_code": reg})
    return presence(rows)


@pytest.mark.parametrize(
    "last, fired, days",
    [
        (G - dt.timedelta(days=2), None, None),  # two silent days: below
        (G - dt.timedelta(days=3), G, 3),  # three: at the threshold, fired on the as-of date
        (G - dt.timedelta(days=4), G - dt.timedelta(days=1), 4),
    ],
)
def test_reporting_gap_thresholds(last, fired, days):
    a = reporting_gap(gap_frame(last), EL, G, RULES)
    if fired is None:
        assert a.empty
        return
    assert_alert_frame(a)
    row = a.iloc[0]
    assert (len(a), row["office_id"], row["regency_code"], row["date"], row["severity"]) == (
        1,
        "kanim_bima",
        None,
        fired,
        "sedang",
    )
    assert (row["value"], row["threshold"], row["trigger_ids"]) == (days, 3, ())
    assert row["key"] == f"reporting_gap|kanim_bima|{last.isoformat()}"
    assert row["detail"]["open"] is True and row["detail"]["regencies"] == [
        "52.05",
        "52.06",
        "52.72",
    ]


def test_reporting_gap_keeps_its_key_as_the_gap_grows_and_finds_closed_gaps():
    f = gap_frame(G - dt.timedelta(days=5))
    a1 = reporting_gap(f, EL, G, RULES)
    a2 = reporting_gap(f, EL, G + dt.timedelta(days=1), RULES)
    b = a2[a2["office_id"] == "kanim_bima"]
    assert a1["key"].tolist() == b["key"].tolist() and b["value"].tolist() == [6.0]
    # a past gap closed by a later report, in the Sumbawa Besar area: 3 silent days, then 2
    f = f[
        ~(
            (f["regency_code"] == "52.04")
            & f["report_date"].isin(
                [
                    day("2024-10-10"),
                    day("2024-10-11"),
                    day("2024-10-12"),
                    day("2024-10-20"),
                    day("2024-10-21"),
                ]
            )
        )
    ]
    a = reporting_gap(f, EL, G, RULES)
    sb = a[a["office_id"] == "kanim_sumbawa_besar"]
    assert sb["date"].tolist() == [day("2024-10-12")] and sb.iloc[0]["detail"]["open"] is False
    assert sb["key"].tolist() == ["reporting_gap|kanim_sumbawa_besar|2024-10-09"]


def test_reporting_gap_office_that_never_reported_and_empty_data():
    a = reporting_gap(gap_frame(None), EL, G, RULES)
    row = a.iloc[0]
    assert (row["key"], row["date"], row["value"]) == (
        "reporting_gap|kanim_bima|never",
        day("2024-10-03"),
        31,
    )
    assert detail_key(row) == "alerts.reporting_gap_detail_never"
    assert reporting_gap(
        presence([]).reindex(columns=["id", "report_date", "regency_code"]), EL, G, RULES
    ).empty


def test_reporting_gap_phase_follows_kota_bimas_watch():
    as_of = day("2025-02-05")
    f = presence(
        [
            {"report_date": as_of - dt.timedelta(days=i), "regency_code": reg}
            for i in range(10)
            for reg in ("52.01", "52.04")
            if not (reg == "52.04" and i < 4)
        ]
        + [{"report_date": as_of - dt.timedelta(days=20), "regency_code": "52.05"}]
    )
    a = reporting_gap(f, EL, as_of, RULES)
    a = a[a["detail"].map(lambda d: d["open"])].set_index("office_id")
    assert a.loc["kanim_bima", "phase"] == "sengketa"  # Kota Bima is in its area
    assert a.loc["kanim_sumbawa_besar", "phase"] == OUTSIDE


def test_reporting_gap_uses_the_office_areas_in_force_on_the_as_of_date():
    as_of = day("2026-02-10")
    f = presence(
        [
            {"report_date": as_of - dt.timedelta(days=i), "regency_code": reg}
            for i in range(10)
            for reg in ("52.01", "52.04", "52.05")
        ]
    )
    a = reporting_gap(f, EL, as_of, RULES)
    assert set(areas_on(as_of).values()) >= {"kanim_lombok_timur"}
    assert a["office_id"].tolist() == [
        "kanim_lombok_timur"
    ]  # 52.03 has its own office from 26 Jan 2026


# --- evaluate_all ------------------------------------------------------------------------------------


def crafted_everything():
    start = AS_OF - dt.timedelta(days=34)
    p = surge_frame(5, 80)
    extra = presence(
        [
            {
                "report_date": AS_OF,
                "regency_code": "52.04",
                "permit_type": "VOA",
                "activity": "politik",
            },
            {
                "report_date": AS_OF,
                "regency_code": "52.05",
                "permit_expiry": AS_OF - dt.timedelta(days=3),
            },
            {
                "report_date": AS_OF - dt.timedelta(days=5),
                "regency_code": "52.05",
                "permit_expiry": "2024-10-19",
            },
        ]
    )
    extra["id"] += 1000
    p = pd.concat([p, extra], ignore_index=True)
    i = incidents(
        [{"incident_date": "2024-10-01"}, {"incident_date": start - dt.timedelta(days=300)}]
    )
    c = spike_frame([90, 110] * 14, 200, start=AS_OF - dt.timedelta(days=28))
    return p, i, c


def test_evaluate_all_runs_every_rule_and_is_deterministic():
    p, i, c = crafted_everything()
    a = evaluate_all(p, i, c, EL, AS_OF, RULES)
    b = evaluate_all(p.sample(frac=1, random_state=1), i.iloc[::-1], c.iloc[::-1], EL, AS_OF, RULES)
    assert_alert_frame(a)
    pd.testing.assert_frame_equal(a, b)
    assert a["key"].tolist() == evaluate_all(p, i, c, EL, AS_OF, RULES)["key"].tolist()
    assert set(a["rule"]) == {
        "presence_surge",
        "permit_activity_mismatch",
        "overstay",
        "expiring_permits",
        "election_sensitive_incident",
        "crossing_spike",
        "reporting_gap",
    }
    assert a["date"].is_monotonic_increasing
    assert a["date"].min() >= AS_OF - dt.timedelta(
        days=270
    )  # the old incident is outside the window
    assert len(evaluate_all(p, i, c, EL, AS_OF, RULES, start=AS_OF)) < len(a)
    assert a["regency_code"].map(lambda v: v is None or isinstance(v, str)).all()


def test_evaluate_all_on_nothing():
    e = pd.DataFrame(columns=["id", "report_date", "regency_code", "permit_type", "activity"])
    out = evaluate_all(e, pd.DataFrame(), pd.DataFrame(), EL, AS_OF, RULES)
    assert out.empty and list(out.columns) == COLUMNS
    assert list(empty_alerts().columns) == COLUMNS


# --- explanations ------------------------------------------------------------------------------------


def test_catalogues_have_the_same_alert_keys_and_every_variant():
    ids = {k for k in catalogue("id") if k.startswith("alerts.")}
    ens = {k for k in catalogue("en") if k.startswith("alerts.")}
    assert ids == ens
    for rule in RULE_NAMES:
        assert has(f"alerts.{rule}", "id") and has(f"alerts.{rule}", "en")
    for variant in (
        "presence_surge_detail",
        "presence_surge_detail_new",
        "election_sensitive_incident_detail",
        "election_sensitive_incident_detail_escalated",
        "permit_activity_mismatch_detail",
        "permit_activity_mismatch_detail_politik",
        "permit_activity_mismatch_cluster_detail",
        "overstay_detail_charge",
        "overstay_detail_deport",
        "expiring_permits_detail",
        "crossing_spike_detail",
        "crossing_spike_detail_flat",
        "reporting_gap_detail",
        "reporting_gap_detail_never",
    ):
        assert f"alerts.{variant}" in ids


def test_describe_fills_every_parameter_in_both_languages():
    p, i, c = crafted_everything()
    a = evaluate_all(p, i, c, EL, AS_OF, RULES)
    for _, row in a.iterrows():
        for lang in ("id", "en"):
            text = describe(row, lang, EL)
            assert "{" not in text and not text.startswith("alerts."), text
    over = a[a["rule"] == "overstay"].iloc[0]
    assert "Rp 3.000.000" in describe(over, "id") and "Rp 3,000,000" in describe(over, "en")


# --- demo data, loaded through the real import path ----------------------------------------------

_DEMO: dict = {}


def demo_tables(tmp_path_factory, seed: int = 2024, scale: float = 0.05):
    """Presence, incidents and crossings of a demo database built with `python -m loaders.demo`,
    once per test session (the file is shared with tests/unit/test_risk.py). Scale 0.05: a
    twentieth of the published volumes (~30,000 presence rows); every planted case is kept."""
    if (seed, scale) not in _DEMO:
        from sqlalchemy import create_engine

        from loaders.demo import main as demo_main

        folder = tmp_path_factory.getbasetemp() / f"demo_{seed}_{scale}"
        url = f"sqlite:///{folder / 'demo.sqlite'}"
        if not (folder / "demo.sqlite").exists():
            folder.mkdir(parents=True, exist_ok=True)
            assert (
                demo_main(
                    ["--db", url, "--out", str(folder), "--seed", str(seed), "--scale", str(scale)]
                )
                == 0
            )
        engine = create_engine(url)
        _DEMO[(seed, scale)] = tuple(
            pd.read_sql(f"SELECT * FROM {t} WHERE replaced_by_batch IS NULL", engine)
            for t in ("presence", "incident", "crossing")
        )
        engine.dispose()
    return _DEMO[(seed, scale)]


DEMO_START, DEMO_END = day("2024-06-01"), day("2025-02-28")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_tables(tmp_path_factory)


def test_demo_alerts(demo, capsys):
    p, i, c = demo
    t0 = time.perf_counter()
    a = evaluate_all(p, i, c, EL, DEMO_END, RULES, start=DEMO_START)
    elapsed = time.perf_counter() - t0
    assert_alert_frame(a)
    with capsys.disabled():
        print(
            f"\n[alerts] demo scale 0.05: {len(p):,} presence, {len(i):,} incidents, {len(c):,} crossings -> "
            f"{len(a)} alerts in {elapsed:.2f} s"
        )
        print(a.groupby(["rule", "phase", "severity"]).size().to_string())
    phases = set(a["phase"])
    assert {"kampanye", "masa_tenang"} <= phases
    # the demo plants one crowd (the MotoGP at Kuta–Mandalika, 27–29 Sep 2024): one surge, nowhere else —
    # ordinary weeks must not alert
    surge = a[a["rule"] == "presence_surge"]
    assert surge["regency_code"].tolist() == ["52.02"]
    assert day("2024-09-26") <= surge["date"].iloc[0] <= day("2024-10-02")
    # and one silent week in the Bima office area (14–19 Oct 2024): data, not calm
    gap = a[a["rule"] == "reporting_gap"]
    assert gap["office_id"].tolist() == ["kanim_bima"]
    assert day("2024-10-16") <= gap["date"].iloc[0] <= day("2024-10-20")
    # one mismatch alert per person with a not-allowed activity; none where nobody has one
    bad = p[~allowed_many(p["permit_type"], p["activity"])]
    got = a[a["rule"] == "permit_activity_mismatch"].groupby("regency_code").size()
    people = bad.sort_values(["report_date", "id"]).drop_duplicates(
        ["passport_hash", "permit_type", "activity"]
    )
    expected = people.groupby("regency_code").size()
    assert got.to_dict() == expected.to_dict()
    quiet = sorted(set(areas_on(DEMO_END)) - set(bad["regency_code"]))
    assert quiet, "the demo has a mismatch in every regency: pick another 'nothing unusual' check"
    for reg in quiet:
        assert a[
            (a["regency_code"] == reg) & a["rule"].str.startswith("permit_activity_mismatch")
        ].empty
    # every election-related incident of the demo in the quiet period is critical
    assert set(
        a[(a["rule"] == "election_sensitive_incident") & (a["phase"] == "masa_tenang")]["severity"]
    ) == {"kritis"}
    # details are JSON-safe for storage, values are numbers
    import json

    json.dumps(a["detail"].tolist())
    assert a["value"].dtype == float and a["threshold"].dtype == float
    # deterministic on real data too
    assert (
        a["key"].tolist()
        == evaluate_all(p, i, c, EL, DEMO_END, RULES, start=DEMO_START)["key"].tolist()
    )


def test_demo_alerts_on_voting_day(demo):
    """The demo plants two incidents on voting day (Kota Mataram, Kota Bima): both critical."""
    p, i, c = demo
    a = evaluate_all(p, i, c, EL, day("2024-11-30"), RULES)
    assert {"kampanye", "masa_tenang", "pemungutan"} <= set(a["phase"])
    voting = a[(a["phase"] == "pemungutan") & (a["rule"] == "election_sensitive_incident")]
    assert set(voting["regency_code"]) >= {"52.71", "52.72"}
    assert set(voting["severity"]) == {"kritis"}


@pytest.mark.skipif(
    not os.environ.get("NTB_BENCH"),
    reason="set NTB_BENCH=1 for the scale-1 benchmark (~20 s import)",
)
def test_benchmark_scale_1(tmp_path_factory, capsys):
    p, i, c = demo_tables(tmp_path_factory, scale=1)
    t0 = time.perf_counter()
    a = evaluate_all(p, i, c, EL, DEMO_END, RULES, start=DEMO_START)
    with capsys.disabled():
        print(
            f"\n[alerts] demo scale 1: {len(p):,} presence rows -> {len(a)} alerts in "
            f"{time.perf_counter() - t0:.2f} s"
        )
