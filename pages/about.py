"""Tentang: data sources, licences, the election calendar and the upload contract in brief."""

import pandas as pd
import streamlit as st

from domain.paths import GEO
from domain.regions import attribution, office_areas, offices, regencies
from i18n import source_text
from ui.data import q
from ui.lang import current, tr
from ui.sidebar import election, sidebar
from ui.tables import BATCH_WORDS, day_text, readable
from ui.text import inert

sidebar()
lang = current()
st.title(tr("about.title"))
st.markdown(tr("about.purpose"))

st.subheader(tr("about.calendar", name=inert(election().name(lang))))
e = election()
st.dataframe(
    pd.DataFrame(
        [
            {
                tr("about.phase"): p.name(lang),
                tr("about.start"): day_text(p.start),
                tr("about.end"): day_text(p.end),
            }
            for p in e.phases
        ]
    ),
    hide_index=True,
    width="stretch",
)
st.caption(tr("about.source") + ": " + inert(source_text(e.source, lang)))

st.subheader(tr("about.offices"))
areas = office_areas().merge(offices()[["name"]], left_on="office_id", right_index=True)
st.dataframe(
    pd.DataFrame(
        {
            tr("about.office"): areas["name"],
            tr("about.regency"): areas["regency_code"],
            tr("about.valid_from"): areas["valid_from"].map(day_text),
            tr("about.valid_to"): areas["valid_to"].map(day_text),
            tr("about.source"): areas["source"].map(lambda s: source_text(s, lang)),
        }
    ),
    hide_index=True,
    width="stretch",
)

st.subheader(tr("about.regencies"))
headers = {
    "code": "about.code",
    "name": "about.regency",
    "kind": "about.regency_kind",
    "capital": "about.capital",
    "voters_dpt_2024": "about.voters",
    "polling_stations_2024": "about.polling_stations",
    "source": "about.source",
}
st.dataframe(
    regencies()[list(headers)]
    .assign(source=lambda r: r["source"].map(lambda s: source_text(s, lang)))
    .rename(columns={c: tr(k) for c, k in headers.items()}),
    hide_index=True,
    width="stretch",
)

st.subheader(tr("about.batches"))
st.dataframe(readable(q("batches"), BATCH_WORDS), hide_index=True, width="stretch")

st.subheader(tr("about.licences"))
st.markdown(source_text(attribution(), lang))
with st.expander(tr("about.licence_text")):
    st.code((GEO / "LICENSE-boundaries.txt").read_text(), language=None)
