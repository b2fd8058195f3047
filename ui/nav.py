"""The pages, once: file, URL path, title, icon and who may open each. dashboard.py builds its
navigation from this list, the sign-in form answers at the same URLs, and a link from one page to
another (the overview's alert links) takes its page from here, so a URL path changes in one place.

A link must point at the page as st.navigation registered it: by file name alone it would point
at /alerts, which st.navigation does not serve.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.lang import tr


@dataclass(frozen=True)
class Page:
    file: str
    url_path: str
    icon: str
    permission: str | None = None  # domain.roles permission needed besides being signed in
    long_running: bool = False  # takes no render slot (ui/gate.py): uploads, batch undo


# In the navigation's order; the first is the landing page.
PAGES = {
    "overview": Page("pages/overview.py", "overview", ":material/dashboard:"),
    "map": Page("pages/map.py", "peta", ":material/map:"),
    "alerts": Page("pages/alerts.py", "peringatan", ":material/notification_important:"),
    "timeline": Page("pages/timeline.py", "linimasa", ":material/timeline:"),
    "upload": Page(
        "pages/upload.py", "unggah", ":material/upload_file:", "upload", long_running=True
    ),
    "records": Page("pages/records.py", "rinci", ":material/table_view:", "view_person_level"),
    "admin": Page(
        "pages/admin.py",
        "admin",
        ":material/admin_panel_settings:",
        "manage_users",
        long_running=True,
    ),
    "about": Page("pages/about.py", "tentang", ":material/info:"),
}
LANDING = next(iter(PAGES))


def url_paths() -> list[str]:
    return [p.url_path for p in PAGES.values()]


def long_running_paths() -> set[str]:
    return {p.url_path for p in PAGES.values() if p.long_running}


def page(name: str) -> st.Page:
    """The st.Page of `name` as the navigation registers it (also the target of a page link)."""
    p = PAGES[name]
    return st.Page(
        p.file, title=tr(f"nav.{name}"), icon=p.icon, url_path=p.url_path, default=name == LANDING
    )


def pages_for(can) -> list[st.Page]:
    """The pages a role may open; `can(permission)` answers for the signed-in role."""
    return [page(name) for name, p in PAGES.items() if p.permission is None or can(p.permission)]
