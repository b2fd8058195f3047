"""Data rinci (analysts): person-level presence records, searched (regency, nationality, permit,
activity, dates, batch, sender id), sorted and paged in the database; the export holds every
filtered record up to a cap, marked RAHASIA. Every view and export is audited."""

import streamlit as st

from domain.regions import regency_name
from i18n import formats
from loaders.values import allowed_values, country_name
from storage import records
from storage.queries import scope
from ui.auth import guard, role, user_name
from ui.components import any_of, as_sent, demo_banner, export_buttons, footer
from ui.data import engine, user_scope
from ui.lang import current, tr
from ui.sidebar import sidebar
from ui.tables import code_text
from viz.maps import fmt_number

guard("view_person_level")
f = sidebar()
lang = current()
st.title(tr("records.title"))
st.warning(tr("records.marking"), icon=":material/lock:")
demo_banner()
PAGE = 100

c1, c2, c3, c4 = st.columns(4)
regencies = any_of(tr("records.f_regency"), scope(f), "rec_regency", c1, format_func=regency_name)
nationalities = any_of(
    tr("records.f_nationality"),
    records.nationalities(engine(), user_scope()),
    "rec_nat",
    c2,
    format_func=lambda c: f"{country_name(c, lang)} ({c})",
)
permits = any_of(
    tr("records.f_permit"),
    allowed_values("permit_type"),
    "rec_permit",
    c3,
    format_func=lambda p: code_text("permit_type", p, lang),
)
activities = any_of(
    tr("records.f_activity"),
    allowed_values("activity"),
    "rec_activity",
    c4,
    format_func=lambda a: code_text("activity", a, lang),
)
# The period needs room for both dates: at 1440 px a fifth of the row cut its end year ("28/02/202").
c1, c2, c3, c4, c5 = st.columns([2.7, 1.9, 1.9, 1.9, 1.2], vertical_alignment="bottom")
period = c1.date_input(
    tr("records.f_period"), (f.start, f.end), format=formats.WIDGET_DATE, key="rec_period"
)
batches = records.presence_batches(engine(), account=user_scope())
batch = c2.selectbox(
    tr("records.f_batch"),
    [None, *batches],
    key="rec_batch",
    placeholder=tr("app.any"),
    format_func=lambda b: tr("app.any") if b is None else f"#{b} · {batches[b]}",
)
sender = c3.text_input(
    tr("records.f_sender"), key="rec_sender", max_chars=64, help=tr("records.f_sender_help")
)
sort = c4.selectbox(
    tr("records.sort"), records.SORTS, key="rec_sort", format_func=lambda s: tr(f"records.sort_{s}")
)
descending = c5.toggle(tr("records.descending"), value=True, key="rec_desc")

start, end = (
    (period[0], period[-1]) if period else (f.start, f.end)
)  # a range being picked has one date
search = records.RecordFilter(
    start,
    end,
    tuple(regencies) or tuple(scope(f)),
    tuple(nationalities),
    tuple(permits),
    tuple(activities),
    batch,
    sender,
    sort,
    descending,
    user_scope(),
)
if st.session_state.get("_rec_search") != search:  # a new search starts on its first page
    st.session_state["_rec_search"] = search
    st.session_state["records_page"] = 1
total = records.count(engine(), search)
pages = max(1, -(-total // PAGE))
if st.session_state.get("records_page", 1) > pages:  # the data shrank under a kept page number
    st.session_state["records_page"] = pages
page_no = st.number_input(
    tr("records.page", pages=fmt_number(pages, lang)),
    min_value=1,
    max_value=pages,
    step=1,
    key="records_page",
)
rows, total = records.page(
    engine(), search, role(), user_name(), limit=PAGE, offset=(page_no - 1) * PAGE, total=total
)
first, last = (page_no - 1) * PAGE + 1 if total else 0, min(page_no * PAGE, total)
st.caption(
    tr(
        "records.count",
        total=fmt_number(total, lang),
        first=fmt_number(first, lang),
        last=fmt_number(last, lang),
    )
)
st.dataframe(
    as_sent(records.for_people(rows, coordinates_as_text=True), "presence"),
    hide_index=True,
    width="stretch",
)

st.subheader(tr("records.export"))
if total > records.EXPORT_CAP:
    st.info(
        tr(
            "records.export_too_many",
            total=fmt_number(total, lang),
            cap=fmt_number(records.EXPORT_CAP, lang),
        )
    )
elif total:
    st.caption(tr("records.export_all", total=fmt_number(total, lang)))
    may = role()
    export_buttons(
        lambda: as_sent(
            records.for_people(records.export_rows(engine(), search, may)), "presence", lang
        ),
        "rincian_keberadaan",
        "RAHASIA",
        key="records_export",
    )
footer()
