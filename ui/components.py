"""Small building blocks shared by pages: the demo banner, KPI tiles, the footer."""
from __future__ import annotations

import streamlit as st

from domain.regions import attribution
from ui.data import q
from ui.lang import current, tr
from viz.maps import fmt_number


def demo_banner() -> None:
    if q("shows_demo"):
        st.warning(tr("app.demo_banner"), icon=":material/science:")


def kpi_row(values: dict[str, float], keys: list[str]) -> None:
    cols = st.columns(len(keys))
    for col, key in zip(cols, keys):
        col.metric(tr(f"kpi.{key}"), fmt_number(values[key], current()))


def footer() -> None:
    st.divider()
    st.caption(tr("app.footer") + "  \n" + attribution())
