"""Services: read what a page or a briefing needs through storage/, compute it with domain/, and
hand plain frames and dicts to the pages. No Streamlit here (ui/data.py caches these calls)."""
