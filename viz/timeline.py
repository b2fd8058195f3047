"""Charts placed against the election calendar (no Streamlit here): daily values over the
phases, incidents and alerts per day.

Each day is coloured by the phase the calendar tags it with (Election.phase_on: where phases
overlap, the more specific one wins), one colour per phase key (viz/style.PHASES), so bands never
overlap. Voting day is a line, not a band. The phase names are legend entries, not labels on the
bands: short phases (the one-day draw, the three-day quiet period) would otherwise print over
each other. The x-axis shows the period chosen in the sidebar.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from domain.calendar import Election
from i18n import t
from viz import style

DAY = dt.timedelta(days=1)


def phase_spans(election: Election, start: dt.date, end: dt.date, regency: str | None = None):
    """[(phase, first day, last day)] of the runs of days from `start` to `end` with the same phase,
    voting day left out (drawn as a line)."""
    spans: list[list] = []
    day = start
    while day <= end:
        p = election.phase_on(day, regency)
        if p is not None and day == election.voting_day and p.start == p.end:
            p = None
        if p is not None and spans and spans[-1][0].key == p.key and spans[-1][2] == day - DAY:
            spans[-1][2] = day
        elif p is not None:
            spans.append([p, day, day])
        day += DAY
    return [tuple(s) for s in spans]


def add_calendar(
    fig: go.Figure,
    election: Election,
    start: dt.date,
    end: dt.date,
    lang: str,
    regency: str | None = None,
    legend: bool = True,
) -> None:
    """Phase bands, the voting-day line and the x-range of the period on `fig`."""
    spans = phase_spans(election, start, end, regency)
    colours = style.phase_colours(p.key for p in election.phases)
    for p, first, last in spans:
        fig.add_vrect(
            x0=first,
            x1=last + DAY,
            fillcolor=colours[p.key],
            opacity=0.45,
            line_width=0,
            layer="below",
            name=p.key,
        )
    if legend:  # one entry per phase shown, in calendar order
        shown = {p.key for p, _, _ in spans}
        for p in election.phases:
            if p.key in shown:
                fig.add_trace(
                    go.Scatter(
                        x=[None],
                        y=[None],
                        mode="markers",
                        name=p.name(lang),
                        legendrank=2000,
                        marker=dict(symbol="square", size=12, color=colours[p.key], opacity=0.7),
                        hoverinfo="skip",
                    )
                )
    if start <= election.voting_day <= end:
        voting = election.phase_by_key("pemungutan")
        name = voting.name(lang) if voting else t("timeline.voting_day", lang)
        fig.add_vline(
            x=election.voting_day,
            line=dict(color=style.VOTING_DAY, width=2, dash="dash"),
            layer="above",
            name="voting_day",
        )
        if legend:
            fig.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="lines",
                    name=name,
                    legendrank=2000,
                    line=dict(color=style.VOTING_DAY, width=2, dash="dash"),
                    hoverinfo="skip",
                )
            )
    fig.update_xaxes(
        type="date", range=[start, end + DAY], tickformat="%d/%m/%Y", hoverformat="%d/%m/%Y"
    )


def _layout(fig: go.Figure, title: str, lang: str, height: int) -> None:
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        hovermode="x unified",
        separators=",." if lang == "id" else ".,",
        # one legend below the plot, the series first, then the phases: its entries wrap, never
        # print over each other (labels on the bands did: the three-day quiet period, the one-day draw)
        legend=dict(orientation="h", yanchor="top", y=-0.22, x=0, font=dict(size=11)),
    )


def trend_figure(
    trend: pd.DataFrame,
    election: Election,
    lang: str,
    title: str,
    start: dt.date,
    end: dt.date,
    y: str = "persons",
    regency: str | None = None,
    height: int = 400,
) -> go.Figure:
    """Daily values and their 7-day mean over the election's phases, on the period start..end."""
    fig = go.Figure()
    add_calendar(fig, election, start, end, lang, regency)
    fig.add_trace(
        go.Scatter(
            x=trend["day"],
            y=trend[y],
            mode="lines",
            line=dict(color="#4A6FA5", width=1.2),
            name=t(f"chart.{y}", lang),
        )
    )
    week = trend[y].rolling(7, min_periods=1).mean()
    fig.add_trace(
        go.Scatter(
            x=trend["day"],
            y=week,
            mode="lines",
            line=dict(color="#1A1A1A", width=2.5),
            name=t("chart.week_mean", lang),
        )
    )
    _layout(fig, title, lang, height)
    fig.update_layout(
        uirevision=f"trend-{start}-{end}"
    )  # a new period is a new x-range, not the old zoom
    return fig


def incidents_alerts_figure(
    incidents: pd.DataFrame,
    alerts: pd.DataFrame,
    election: Election,
    lang: str,
    title: str,
    start: dt.date,
    end: dt.date,
    severity_names: dict[str, str],
    height: int = 400,
) -> go.Figure:
    """Incidents per day as bars and the alerts raised per day by severity, over the phases."""
    fig = go.Figure()
    add_calendar(fig, election, start, end, lang)
    if len(incidents):
        fig.add_trace(
            go.Bar(
                x=incidents["day"],
                y=incidents["incidents"],
                name=t("chart.incidents", lang),
                marker_color="#6B6B8D",
            )
        )
    if len(alerts):
        counts = alerts.groupby(["date", "severity"]).size().reset_index(name="n")
        for sev, name in severity_names.items():
            sub = counts[counts["severity"] == sev]
            if len(sub):
                fig.add_trace(
                    go.Scatter(
                        x=sub["date"],
                        y=sub["n"],
                        mode="markers",
                        name=name,
                        marker=dict(
                            color=style.ALERT_SEVERITY[sev],
                            size=9,
                            line=dict(color="black", width=0.5),
                        ),
                    )
                )
    _layout(fig, title, lang, height)
    fig.update_layout(barmode="overlay", uirevision=f"incidents-{start}-{end}")
    return fig
