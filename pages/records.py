"""Data rinci (analysts): person-level presence records, paged; every view is audited."""
import streamlit as st

from storage import queries
from ui.auth import guard, role, user_name
from ui.components import as_sent, demo_banner, export_buttons, footer
from ui.data import engine
from ui.lang import current, tr
from ui.sidebar import sidebar
from viz.maps import fmt_number

guard("view_person_level")
f = sidebar()
st.title(tr("records.title"))
st.warning(tr("records.marking"), icon=":material/lock:")
demo_banner()
PAGE = 100
page_no = st.number_input(tr("records.page"), min_value=1, value=1, step=1, key="records_page")
rows, total = queries.person_level_presence(engine(), f, role(), user_name(), limit=PAGE, offset=(page_no - 1) * PAGE)
lang = current()
first, last = (page_no - 1) * PAGE + 1 if total else 0, min(page_no * PAGE, total)
st.caption(tr("records.count", total=fmt_number(total, lang), first=fmt_number(first, lang),
              last=fmt_number(last, lang)))
rows = as_sent(rows, "presence")
st.dataframe(rows, hide_index=True, width="stretch")
export_buttons(rows, "rincian_keberadaan", "RAHASIA", key="records_export")
footer()
