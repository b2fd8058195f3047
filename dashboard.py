"""Entry point: `streamlit run dashboard.py` (or `make run`).

Page config, language, the shared sidebar, then the page the user chose. Pages are thin: they
read widgets, call storage.queries through ui.data, and draw with viz.
"""
from __future__ import annotations

import streamlit as st

from ui.lang import tr

st.set_page_config(page_title="Timpora NTB", page_icon="🛂", layout="wide", initial_sidebar_state="expanded")

PAGES = [
    st.Page("pages/overview.py", title=tr("nav.overview"), icon=":material/dashboard:", default=True, url_path="overview"),
    st.Page("pages/map.py", title=tr("nav.map"), icon=":material/map:", url_path="peta"),
    st.Page("pages/upload.py", title=tr("nav.upload"), icon=":material/upload_file:", url_path="unggah"),
    st.Page("pages/about.py", title=tr("nav.about"), icon=":material/info:", url_path="tentang"),
]

st.navigation(PAGES).run()
