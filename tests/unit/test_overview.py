"""The overview's "what changed, what needs a decision" and the risk score's explanation, on a
small hand-built database (tests/overview_fixture.py). Every expected value is worked out by hand
from the rows there."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest

from domain.calendar import default_election
from domain.changes import previous_period
from domain.filters import Filters
from loaders.thresholds import load_rules
from services import overview
from services.alerts import risk_table
from storage.engine import make_engine
from tests.overview_fixture import PERIOD, build
from viz.explain import risk_explained

D = dt.date
AIRPORT = "Bandara Internasional Lombok Zainuddin Abdul Madjid (LOP)"


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('overview') / 'overview.sqlite'}"
    build(url)
    eng = make_engine(url)
    yield eng
    eng.dispose()


@pytest.mark.parametrize(
    "start, end, before",
    [
        (D(2024, 11, 24), D(2024, 11, 26), (D(2024, 11, 21), D(2024, 11, 23))),
        (D(2024, 11, 27), D(2024, 11, 27), (D(2024, 11, 26), D(2024, 11, 26))),
        (
            D(2024, 3, 1),
            D(2024, 3, 31),
            (D(2024, 1, 30), D(2024, 2, 29)),
        ),  # 31 days back over a leap February
    ],
)
def test_the_previous_period_has_the_same_length_and_ends_the_day_before(start, end, before):
    assert previous_period(start, end) == before


def test_headline_numbers_and_their_change_against_the_previous_period(engine):
    h = overview.headline(engine, PERIOD)
    assert h.previous == (D(2024, 11, 21), D(2024, 11, 23))
    # persons 6+3+1200+1 against 2+3+4+5; incidents K03-K07 against K01-K02; election-related K03, K04
    # against K01; open K03, K04, K06, K07 against K02; arrivals 30+50 against 40+60
    assert h.now == {
        "present": 1210,
        "incidents": 5,
        "election_incidents": 2,
        "open_incidents": 4,
        "arrivals": 80,
    }
    assert h.before == {
        "present": 14,
        "incidents": 2,
        "election_incidents": 1,
        "open_incidents": 1,
        "arrivals": 100,
    }
    assert h.delta == {
        "present": 1196,
        "incidents": 3,
        "election_incidents": 1,
        "open_incidents": 3,
        "arrivals": -20,
    }


def test_no_comparison_when_the_data_do_not_cover_the_previous_period(engine):
    h = overview.headline(engine, Filters(D(2024, 11, 21), D(2024, 11, 23), D(2024, 11, 23)))
    assert (h.previous, h.before, h.delta) == ((D(2024, 11, 18), D(2024, 11, 20)), None, None)
    assert overview.risk_risers(
        engine, Filters(D(2024, 11, 21), D(2024, 11, 23), D(2024, 11, 23)), default_election()
    ) == (D(2024, 11, 20), None)


COLUMNS = ["key", "severity", "rule", "place", "agency", "status", "age_days"]


def test_open_alerts_needing_a_decision_most_severe_then_newest(engine):
    """Left out: K04's alert (closed through the workflow), a closed one, a stale one, one dated
    before the period, and K01's (in the previous period). Age = 26/11/2024 - the alert's date."""
    got = overview.decisions(engine, PERIOD)
    assert got[COLUMNS].values.tolist() == [
        [
            "election_sensitive_incident|52.04|2024-11-26|K07",
            "kritis",
            "election_sensitive_incident",
            "Kab. Sumbawa",
            "Imigrasi",
            "baru",
            0,
        ],
        [
            "election_sensitive_incident|52.72|2024-11-24|K03",
            "kritis",
            "election_sensitive_incident",
            "Kota Bima",
            "Polda NTB",
            "baru",
            2,
        ],
        ["hand:port", "tinggi", "crossing_spike", AIRPORT, "Imigrasi", "ditelaah", 1],
        ["hand:overstay", "sedang", "overstay", "Kab. Lombok Barat", "Imigrasi", "baru", 0],
        [
            "hand:expiring",
            "rendah",
            "expiring_permits",
            "Kab. Dompu",
            "Imigrasi",
            "ditindaklanjuti",
            0,
        ],
        ["hand:older", "rendah", "overstay", "Kab. Lombok Timur", "Imigrasi", "baru", 1],
    ]
    # at most six; the seventh is the oldest of the mildest, an office's alert
    assert overview.decisions(engine, PERIOD, 7)[COLUMNS].values.tolist()[6] == [
        "hand:gap",
        "rendah",
        "reporting_gap",
        "Kantor Imigrasi Kelas II Non TPI Bima",
        "Imigrasi",
        "baru",
        2,
    ]


def test_decisions_keep_to_the_office_and_the_as_of_date(engine):
    bima = replace(
        PERIOD, office="kanim_bima"
    )  # Kota Bima, Bima, Dompu, and the office's own alerts
    assert overview.decisions(engine, bima)[["key", "age_days"]].values.tolist() == [
        ["election_sensitive_incident|52.72|2024-11-24|K03", 2],
        ["hand:expiring", 0],
        ["hand:gap", 2],
    ]
    on_25th = replace(PERIOD, as_of=D(2024, 11, 25))
    assert overview.decisions(engine, on_25th)[["key", "age_days"]].values.tolist() == [
        ["election_sensitive_incident|52.72|2024-11-24|K03", 1],
        ["hand:port", 0],
        ["hand:older", 0],
        ["hand:gap", 1],
    ]


def test_the_three_regencies_whose_risk_rose_most_and_the_component_that_moved(engine):
    """From 23/11 (campaign: proximity 0.7 x 20 = 14 points) to 26/11 (quiet period: 20 points).
    Kota Mataram 14.0 -> 39.9: K04, severity 5 (+10 points), 1 per 320,604 voters, its alert (closed,
    still counted). Kota Bima 31.7 -> 55.6: 3 incidents instead of 1 per 114,351 voters
    (4.4 -> 13.1 points, +8.7), a second sensitive alert (+8.3). Sumbawa 14.0 -> 37.2: K07's alert (+8.3)."""
    since, rose = overview.risk_risers(engine, PERIOD, default_election())
    assert since == D(2024, 11, 23)
    assert rose.reset_index().values.tolist() == [
        ["52.71", 14.0, 39.9, 25.9, "incident_severity", 10.0],
        ["52.72", 31.7, 55.6, 23.9, "incident_rate", 8.7],
        ["52.04", 14.0, 37.2, 23.2, "sensitive_incidents", 8.3],
    ]


def test_a_risk_score_of_zero_reads_as_one_sentence(engine):
    """10/01/2025 lies outside every phase and 28 days after the last incident: every score is 0."""
    day = D(2025, 1, 10)
    row = risk_table(engine, Filters(day, day, day), default_election()).loc["52.05"]
    rules, el = load_rules(), default_election()
    assert row["score"] == 0
    assert risk_explained(row, day, rules, el, "id") == (
        "Skor risiko 0 dari 100: tidak ada kejadian dalam 28 hari sampai dengan 10/01/2025 (14/12/2024–10/01/2025), "
        "tidak ada peringatan, kehadiran orang asing tidak naik, dan tanggal itu di luar tahapan pemilihan."
    )
    assert risk_explained(row, day, rules, el, "en") == (
        "Risk score 0 of 100: no incidents in the 28 days up to 10/01/2025 (14/12/2024–10/01/2025), no alerts, "
        "no rise in foreign nationals present, and that day lies outside every election phase."
    )


def test_the_risk_score_says_its_window_and_each_components_points(engine):
    row = risk_table(engine, PERIOD, default_election()).loc["52.72"]
    rules, el = load_rules(), default_election()
    assert risk_explained(row, PERIOD.as_of, rules, el, "id") == "\n".join(
        [
            "Skor risiko **55,6** dari 100, dihitung atas 28 hari sampai dengan 26/11/2024 (30/10/2024–26/11/2024):",
            "- Kedekatan dengan hari pemungutan: 20,0 poin (tahapan Masa tenang)",
            "- Kejadian sensitif Pilkada: 16,7 poin (2 peringatan; nilai penuh pada 3)",
            "- Kejadian per 100.000 pemilih: 13,1 poin (2,6 per 100.000 pemilih; nilai penuh pada 3,0)",
            "- Rata-rata tingkat kejadian: 5,8 poin (rata-rata 3,3 dari 5)",
            "\nTanpa sumbangan (0 poin): Keberadaan dibanding rata-rata, Ketidaksesuaian izin tinggal.",
        ]
    )
    assert risk_explained(row, PERIOD.as_of, rules, el, "en").splitlines()[:2] == [
        "Risk score **55.6** of 100, computed over the 28 days up to 26/11/2024 (30/10/2024–26/11/2024):",
        "- Election proximity: 20.0 points (phase: Quiet period)",
    ]


def test_needs_decision_leaves_its_input_unchanged():
    from domain.changes import needs_decision

    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "date": [D(2024, 11, 24), D(2024, 11, 25)],
            "severity": ["rendah", "kritis"],
            "status": ["baru", "selesai"],
            "stale": [False, False],
        }
    )
    before = frame.copy()
    assert needs_decision(frame, D(2024, 11, 26))[["id", "age_days"]].values.tolist() == [[1, 2]]
    pd.testing.assert_frame_equal(frame, before)
