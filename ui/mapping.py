"""The upload page's column mapping (issue 19 item 1): when a file's headers do not match the
contract, each file column is shown with a guess (loaders/profiles.py: header names and sample
values) and the analyst picks the contract column, "place" or "ignore"; the mapping can be saved
under a name (services/profiles.py) and downloaded as the TOML file the command line reads. A
saved profile made for the same headers is offered first. Called from pages/upload.py."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from i18n import formats
from loaders.columns import SPECS
from loaders.errors import ImportRejected
from loaders.profiles import (
    IGNORE,
    PLACE,
    Profile,
    apply,
    from_choices,
    guess,
    place_capable,
    to_toml,
)
from loaders.reader import Limits, read_table
from services import profiles as saved_profiles
from ui.auth import user_name
from ui.data import engine
from ui.lang import current, tr
from ui.text import inert

SAMPLE_ROWS = 50


def _sample(pending: dict) -> tuple[list[str], pd.DataFrame] | None:
    """The file's headers and first rows, read once per file (kept with the pending upload)."""
    if "mapping_sample" not in pending:
        try:
            raw = read_table(pending["data"], pending["name"], Limits())
            pending["mapping_sample"] = (
                list(raw.frame.columns),
                raw.frame.head(SAMPLE_ROWS).copy(),
            )
        except ImportRejected:
            pending["mapping_sample"] = None  # unreadable: the page's check says why
    return pending["mapping_sample"]


def mapping_for(pending: dict, kind: str) -> Profile | None:
    """The profile to import the pending file with; None when its headers match the contract.
    Stops the page while required columns are still unmapped."""
    got = _sample(pending)
    if got is None:
        return None
    headers, sample = got
    if not apply(kind, headers, None).headers.missing:
        return None
    st.subheader(tr("mapping.title"))
    st.caption(tr("mapping.intro"))
    sha = pending["sha"][:12]
    chosen = _saved_choice(kind, headers, sha)
    choices = _editor(kind, headers, sample, chosen, sha)
    try:
        profile = from_choices(kind, choices, chosen.name if chosen else "")
    except ImportRejected as exc:
        st.error(inert(exc.message(current())))
        st.stop()
    missing = apply(kind, headers, profile).headers.missing
    if missing:
        st.warning(tr("mapping.still_missing", columns=", ".join(missing)))
    _save_and_download(profile, headers, sha)
    if missing:
        st.stop()
    return profile


def _saved_choice(kind: str, headers: list[str], sha: str) -> Profile | None:
    saved = saved_profiles.for_headers(engine(), kind, headers)
    if not saved:
        return None
    names = [p.name for p in saved]
    pick = st.selectbox(
        tr("mapping.saved_match"),
        ["", *names],
        index=1,
        key=f"map_profile_{sha}",
        format_func=lambda n: inert(n) if n else tr("mapping.none"),
    )
    chosen = next((p for p in saved if p.name == pick), None)
    if chosen is not None:
        st.success(tr("mapping.using", name=inert(chosen.name)))
    return chosen


def _label(target: str) -> str:
    if target == IGNORE:
        return tr("mapping.ignore")
    if target == PLACE:
        return tr("mapping.place")
    return target


def _editor(
    kind: str, headers: list[str], sample: pd.DataFrame, chosen: Profile | None, sha: str
) -> dict[str, str]:
    options = [IGNORE, *([PLACE] if place_capable(kind) else []), *(c.name for c in SPECS[kind])]
    guesses = guess(kind, headers, sample)
    by_profile = {}
    if chosen is not None:
        by_profile = {h: IGNORE for h in headers}
        for h, target in apply(kind, headers, chosen).headers.rename.items():
            by_profile[h] = target
        for h in chosen.place_from:
            by_profile.update({f: PLACE for f in headers if f.strip().lower() == h.strip().lower()})
    head = st.columns([2, 3, 3])
    for col, key in zip(head, ("mapping.header", "mapping.sample", "mapping.target")):
        col.markdown(f"**{tr(key)}**")
    choices = {}
    for i, h in enumerate(headers):
        g = guesses[h]
        default = by_profile.get(h, g.target)
        c1, c2, c3 = st.columns([2, 3, 3])
        c1.markdown(inert(h))
        values = [v for v in sample[h].astype(str).tolist() if v][:3]
        c2.caption(inert(" · ".join(values)) or "—")
        choices[h] = c3.selectbox(
            h,
            options,
            index=options.index(default),
            format_func=_label,
            key=f"map_{sha}_{chosen.name if chosen else ''}_{i}",
            label_visibility="collapsed",
        )
        if g.target != IGNORE and chosen is None:
            by = {"name": "by_name", "values": "by_values", "name+values": "by_name_values"}[g.by]
            c3.caption(
                tr(
                    "mapping.guess",
                    by=tr(f"mapping.{by}"),
                    score=formats.number(g.score, current(), 2),
                )
            )
    return choices


def _save_and_download(profile: Profile, headers: list[str], sha: str) -> None:
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    name = c1.text_input(
        tr("mapping.profile_name"), value=profile.name, key=f"map_name_{sha}", max_chars=120
    )
    if c2.button(tr("mapping.save"), key=f"map_save_{sha}"):
        if not name.strip():
            st.warning(tr("mapping.name_needed"))
        else:
            profile.name = name.strip()
            saved_profiles.save(engine(), profile, headers, user_name())
            st.success(tr("mapping.saved", name=inert(profile.name)))
    file_name = "".join(ch if ch.isalnum() else "_" for ch in (name.strip() or "profil")) + ".toml"
    c3.download_button(
        tr("mapping.download"),
        to_toml(profile),
        file_name,
        "application/toml",
        key=f"map_download_{sha}",
    )


def place_note(prep) -> None:
    """How many regencies the import took from place names (the check's summary)."""
    if prep.regencies_from_places:
        st.info(tr("mapping.from_places", n=prep.regencies_from_places))
