"""The alert queue's state: which alerts are selected (by id, never by row position), the
follow-up form (a status is one click, one note for all selected alerts, assignment), and the
confirmation that survives the rerun after a save.

The list's row selection is only an input: a click in the table sets the selected ids (through
the table's callback, with the ids the table showed), and a link ?alert=<id> sets them too.
After a save the table is drawn afresh (a new key) with the same ids selected, so a row that
left the filtered list cannot hand its place to another alert, and the note is a new, empty box.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from domain.vocabularies import STATUSES
from storage import alerts_store
from storage.users import list_users
from ui.auth import role, user_name
from ui.data import engine, user_scope
from ui.lang import tr

SELECTED = "alert_sel"  # selected alert ids
_SHOWN = "alert_shown"  # ids of the rows the table showed, in its order
_GEN = "alert_gen"  # bumped by every save: a fresh table and an empty note
_FLASH = "alert_flash"  # confirmation shown after the rerun
_URL_SEEN = "alert_url_seen"


def selected() -> list[int]:
    """The selected ids; a new ?alert=<id> in the URL (a link from the overview) selects that alert."""
    raw = st.query_params.get("alert")
    if raw and raw != st.session_state.get(_URL_SEEN):
        st.session_state[_URL_SEEN] = raw
        try:
            st.session_state[SELECTED] = [int(raw)]
        except ValueError:  # a hand-made link: open nothing, never an error
            st.session_state[SELECTED] = []
    return list(st.session_state.get(SELECTED, []))


def _share(ids: list[int]) -> None:
    """Keep a single selection in the URL (?alert=<id>), so the address opens the same alert."""
    value = str(ids[0]) if len(ids) == 1 else None
    st.session_state[_URL_SEEN] = value
    if value is None:
        if "alert" in st.query_params:
            del st.query_params["alert"]
    elif st.query_params.get("alert") != value:
        st.query_params["alert"] = value


def table(view: pd.DataFrame, ids: list[int], **kwargs):
    """The list with multi-row selection; the selected ids are preselected."""
    ids = [int(i) for i in ids]
    st.session_state[_SHOWN] = ids
    chosen = set(selected())
    digest = hashlib.sha1(repr(ids).encode()).hexdigest()[:10]
    key = f"alert_table_{st.session_state.get(_GEN, 0)}_{digest}"

    def picked():
        rows = st.session_state[key].selection.rows
        shown = st.session_state.get(_SHOWN, [])
        st.session_state[SELECTED] = [shown[r] for r in rows if r < len(shown)]

    return st.dataframe(
        view,
        hide_index=True,
        width="stretch",
        on_select=picked,
        selection_mode="multi-row",
        selection_default={"selection": {"rows": [n for n, i in enumerate(ids) if i in chosen]}},
        key=key,
        **kwargs,
    )


def flash() -> None:
    """The confirmation of the last save (set before the rerun, shown once after it)."""
    if text := st.session_state.pop(_FLASH, None):
        st.success(text, icon=":material/check_circle:")
        st.toast(text)


def holders(current: str | None) -> list[str]:
    """People who may hold an alert: active analysts and admins, the user, the present holder."""
    # With single sign-on there are no local accounts: the user types the holder's name.
    people = [
        u["username"]
        for u in list_users(engine())
        if u["active"] and u["role"] in ("analyst", "admin")
    ]
    return list(dict.fromkeys([p for p in (user_name(), current, *people) if p]))


def form(alerts: pd.DataFrame) -> None:
    """One form for the selected alerts: a note, the holder, and one button per status. Each button
    is the whole action (saves the status with the note for every selected alert)."""
    ids = [int(i) for i in alerts["id"]]
    gen = st.session_state.get(_GEN, 0)
    single = alerts.iloc[0] if len(alerts) == 1 else None
    current = single["status"] if single is not None else None
    with st.form(f"status_form_{gen}", border=True):
        note = st.text_area(
            tr("alertpage.note"), key=f"alert_note_{gen}", max_chars=2000, height=80
        )
        holder_now = (
            single["assigned_to"]
            if single is not None and pd.notna(single["assigned_to"])
            else None
        )
        options = ["", *holders(holder_now)]
        holder = st.selectbox(
            tr("alertpage.holder"),
            options,
            key=f"alert_holder_{gen}",
            index=options.index(holder_now) if holder_now in options else 0,
            format_func=lambda p: p or tr("alertpage.nobody"),
            accept_new_options=True,
        )
        cols = st.columns(len(STATUSES) + 1)
        nxt = _next(current)
        pressed = None
        for col, s in zip(cols, STATUSES):
            if col.form_submit_button(
                tr("alertpage.to_status", status=tr(f"status.{s}")),
                key=f"alert_to_{s}",
                disabled=s == current,
                type="primary" if s == nxt else "secondary",
                width="stretch",
            ):
                pressed = s
        give = cols[-1].form_submit_button(
            tr("alertpage.assign"), key="alert_assign", width="stretch"
        )
    try:
        if pressed:
            done = alerts_store.set_status_many(
                engine(), ids, pressed, user_name(), role(), note.strip(), user_scope()
            )
            _saved(
                tr("alertpage.saved_n", n=len(done), status=tr(f"status.{pressed}"))
                if done
                else tr("alertpage.unchanged"),
                ids,
            )
        elif give:
            done = alerts_store.assign(
                engine(), ids, holder, user_name(), role(), note.strip(), user_scope()
            )
            _saved(
                tr("alertpage.assigned_n", n=len(done), holder=holder or tr("alertpage.nobody"))
                if done
                else tr("alertpage.unchanged"),
                ids,
            )
    except alerts_store.OutsideScope:  # another office's alert: nothing was changed
        st.error(tr("alertpage.outside_scope"))


def _next(status: str | None) -> str | None:
    s = STATUSES
    return s[s.index(status) + 1] if status in s and status != s[-1] else None


def _saved(message: str, ids: list[int]) -> None:
    st.session_state[_FLASH] = message
    st.session_state[SELECTED] = ids  # the same alerts stay selected
    st.session_state[_GEN] = st.session_state.get(_GEN, 0) + 1
    st.rerun()


def share_selection() -> None:
    _share(list(st.session_state.get(SELECTED, [])))
