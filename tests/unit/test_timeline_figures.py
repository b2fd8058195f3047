"""The timeline's figures (viz/timeline.py) against the Pilkada 2024 calendar: voting day as a
line, the quiet period as its own band, one distinct colour per phase, phase names in the legend
(never printed over each other on the bands) and the x-axis on the period chosen (issue 18 item 7)."""

import datetime as dt

import pandas as pd
import pytest

from domain.calendar import default_election
from viz import style
from viz.timeline import incidents_alerts_figure, phase_spans, trend_figure

E = default_election()
START, END = dt.date(2024, 6, 1), dt.date(2025, 2, 28)


def _trend(start=START, end=END):
    days = pd.date_range(start, end, freq="D")
    return pd.DataFrame({"day": days.date, "persons": range(len(days))})


def _bands(fig):
    return {s.name: s for s in fig.layout.shapes if s.type == "rect"}


def test_voting_day_is_a_line_and_the_quiet_period_its_own_band():
    fig = trend_figure(_trend(), E, "id", "Tren", START, END)
    (line,) = [s for s in fig.layout.shapes if s.name == "voting_day"]
    assert (line.type, str(line.x0), str(line.x1)) == ("line", "2024-11-27", "2024-11-27")
    bands = _bands(fig)
    assert (str(bands["masa_tenang"].x0), str(bands["masa_tenang"].x1)) == (
        "2024-11-24",
        "2024-11-27",
    )  # 24-26/11
    assert "pemungutan" not in bands  # voting day is the line
    assert (str(bands["kampanye"].x0), str(bands["kampanye"].x1)) == ("2024-09-25", "2024-11-24")


def test_each_phase_has_its_own_colour_and_bands_do_not_overlap():
    fig = trend_figure(_trend(), E, "id", "Tren", START, END)
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    colours = {s.name: s.fillcolor for s in rects}
    assert len(set(colours.values())) == len(colours) == 10  # ten phases as bands, one colour each
    assert all(colours[k] == style.PHASES[k] for k in colours)
    spans = sorted((pd.Timestamp(s.x0), pd.Timestamp(s.x1)) for s in rects)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    # the voter-list update runs 31/05-23/09 but gives way to the phases listed after it
    assert [(p.key, a, b) for p, a, b in phase_spans(E, START, dt.date(2024, 9, 30))] == [
        ("pemutakhiran_dpt", START, dt.date(2024, 8, 26)),
        ("pendaftaran", dt.date(2024, 8, 27), dt.date(2024, 8, 29)),
        ("verifikasi", dt.date(2024, 8, 30), dt.date(2024, 9, 21)),
        ("penetapan", dt.date(2024, 9, 22), dt.date(2024, 9, 22)),
        ("pengundian", dt.date(2024, 9, 23), dt.date(2024, 9, 23)),
        ("kampanye", dt.date(2024, 9, 25), dt.date(2024, 9, 30)),
    ]


def test_phase_names_are_legend_entries_not_labels_on_the_bands():
    fig = trend_figure(_trend(), E, "en", "Trend", START, END)
    assert not fig.layout.annotations
    entries = [tr.name for tr in fig.data if tr.legendrank == 2000]
    assert entries[:2] == ["Voter-list update", "Verification"] and "Quiet period" in entries
    assert entries[-1] == "Voting day" and len(entries) == 11
    assert fig.layout.legend.orientation == "h"


@pytest.mark.parametrize(
    "start,end", [(START, END), (dt.date(2024, 11, 24), dt.date(2024, 11, 26))]
)
def test_x_axis_is_the_period(start, end):
    fig = trend_figure(_trend(start, end), E, "id", "Tren", start, end)
    assert (
        fig.layout.xaxis.range == (start, end + dt.timedelta(days=1))
        and fig.layout.xaxis.type == "date"
    )
    assert (
        fig.layout.uirevision == f"trend-{start}-{end}"
    )  # a new period is not kept at the old zoom
    if end < E.voting_day:
        assert not [s for s in fig.layout.shapes if s.name == "voting_day"]
        assert [s.name for s in fig.layout.shapes] == ["masa_tenang"]


def test_incidents_and_alerts_share_the_calendar():
    inc = pd.DataFrame({"day": [dt.date(2024, 11, 25)], "incidents": [2]})
    alerts = pd.DataFrame(
        {"date": [dt.date(2024, 11, 25)] * 2, "severity": ["tinggi", "kritis"], "id": [1, 2]}
    )
    fig = incidents_alerts_figure(
        inc,
        alerts,
        E,
        "id",
        "Kejadian",
        START,
        END,
        {"rendah": "Rendah", "sedang": "Sedang", "tinggi": "Tinggi", "kritis": "Kritis"},
    )
    assert [s.name for s in fig.layout.shapes if s.name == "voting_day"] == ["voting_day"]
    assert fig.layout.xaxis.range == (START, END + dt.timedelta(days=1))
    assert [
        (tr.name, tr.marker.color)
        for tr in fig.data
        if tr.type == "scatter" and tr.legendrank != 2000
    ] == [("Tinggi", style.ALERT_SEVERITY["tinggi"]), ("Kritis", style.ALERT_SEVERITY["kritis"])]
