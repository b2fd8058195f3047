"""Admission control for script runs in one server process.

Why: Streamlit runs every session's script in its own thread and Python runs one thread at a
time. When a hundred people open the dashboard at once, their overview runs slice the CPU so
finely that even the sign-in form (~15 ms of work) waits seconds for its turn. So:

- arrivals first: while the first run of a new session (the sign-in form) is in progress, page
  runs wait, at most MAX_DEFER_S, so a crowd still sees its forms at once;
- then a few page runs at a time (SLOTS, first come first served): the others wait without
  using the CPU, and everyone gets the dashboard sooner on average than if all shared it.

The password check does not count as an arrival (it takes ~35 ms, queued one at a time in
storage.users). Upload and admin runs take no slot: a long commit must not hold the dashboard of
everybody else. NTB_RENDER_SLOTS sets the number of slots (default 2).
"""
from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager

UNGATED = {"unggah", "admin"}  # url paths of the pages that may run long (uploads, batch undo)
SLOTS = max(1, int(os.environ.get("NTB_RENDER_SLOTS", "2")))
MAX_DEFER_S = 2.0

_cond = threading.Condition()
_arrivals = 0  # sign-in form runs in progress
_busy = 0      # page runs holding a slot


def _wake_pages() -> None:  # with _cond held
    if not _arrivals and _busy < SLOTS:
        _cond.notify(SLOTS - _busy)


@contextmanager
def arriving():
    """Around a run that draws the sign-in form."""
    global _arrivals
    with _cond:
        _arrivals += 1
    try:
        yield
    finally:
        with _cond:
            _arrivals -= 1
            _wake_pages()


@contextmanager
def not_arriving():
    """Inside `arriving()`, around work that should not hold page runs back (the password check)."""
    global _arrivals
    with _cond:
        _arrivals -= 1
        _wake_pages()
    try:
        yield
    finally:
        with _cond:
            _arrivals += 1


@contextmanager
def page_slot(url_path: str):
    """Around a signed-in page run."""
    global _busy
    if url_path in UNGATED:
        yield
        return
    deadline = time.monotonic() + MAX_DEFER_S
    with _cond:
        while True:
            now = time.monotonic()
            if _busy < SLOTS and (not _arrivals or now >= deadline):
                break
            _cond.wait(deadline - now if _busy < SLOTS and now < deadline else None)
        _busy += 1
    try:
        yield
    finally:
        with _cond:
            _busy -= 1
            _wake_pages()
