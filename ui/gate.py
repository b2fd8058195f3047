"""Admission control: at most a few signed-in page runs compute at the same time per process.

Why: Streamlit runs every session's script in its own thread and Python shares one core between
them. When a hundred people open the dashboard at once, a hundred overview runs slice the CPU
so finely that even the sign-in form (a few ms of work) waits seconds for its turn, and everyone
gets the dashboard at the very end. With a gate, page runs take turns (first come, first
served), the light sign-in form is never queued, and the average wait drops.

Upload and admin runs do not take a slot: a long commit must not hold everybody's dashboard.
NTB_RENDER_SLOTS sets the number of slots (default 2: one computing while another waits on the
database).
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager

UNGATED = {"unggah", "admin"}  # url paths of the pages that may run long (uploads, batch undo)
_slots = threading.BoundedSemaphore(max(1, int(os.environ.get("NTB_RENDER_SLOTS", "2"))))


@contextmanager
def render_slot(url_path: str):
    if url_path in UNGATED:
        yield
        return
    with _slots:
        yield
