"""Admission control for script runs in one server process.

Why: Streamlit runs every session's script in its own thread and Python runs one thread at a
time. When a hundred people open the dashboard at once, their overview runs slice the CPU so
finely that even the sign-in form (~15 ms of work) waits seconds for its turn. So:

- arrivals first: while the first run of a new session (the sign-in form) is in progress, page
  runs wait, at most MAX_DEFER_S, so a crowd still sees its forms at once;
- then a few page runs at a time (SLOTS, first come first served): the others wait without
  using the CPU, and everyone gets the dashboard sooner on average than if all shared it.

Later runs of a session that is not signed in yet (the form submitted, the language changed)
are not arrivals: like password checks (~35 ms each, one at a time in storage.users) they first
let the forms go (at most MAX_DEFER_S). Without that, the first sign-ins of a crowd redrew their
forms side by side with the forms of those still arriving, and the last 40 of 100 waited 2-4 s. Upload and admin runs take no slot: a long commit must not hold the dashboard of
everybody else. NTB_RENDER_SLOTS sets the number of slots (default 2).
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager

from ui import nav

UNGATED = nav.long_running_paths()  # url paths of the pages that may run long (uploads, batch undo)
SLOTS = max(1, int(os.environ.get("NTB_RENDER_SLOTS", "2")))
MAX_DEFER_S = 2.0

_lock = threading.Lock()
_forms_drawn = threading.Condition(_lock)  # password checks wait on this
_slot_free = threading.Condition(_lock)  # page runs wait on this
_quiet = threading.Condition(_lock)  # background work waits on this (wait_quiet)
_arrivals = 0  # first runs of new sessions (the sign-in form) in progress
_busy = 0  # page runs holding a slot
_mine = threading.local()  # per script thread: does this run count as an arrival?


def _wake() -> None:  # with _lock held
    if not _arrivals:
        _forms_drawn.notify_all()
        if not _busy:
            _quiet.notify_all()
    if _busy < SLOTS:  # a woken page run checks the arrivals itself (and waits out its deferral)
        _slot_free.notify(SLOTS - _busy)


@contextmanager
def arriving():
    """Around the first run of a new session (it draws the sign-in form)."""
    global _arrivals
    with _lock:
        _arrivals += 1
        _mine.counted = True
    try:
        yield
    finally:
        with _lock:
            _stop_counting()
            _wake()


def _stop_counting() -> None:  # with _lock held
    global _arrivals
    if getattr(_mine, "counted", False):
        _arrivals -= 1
        _mine.counted = False


@contextmanager
def giving_way():
    """Around work that lets the arriving forms go first (a later run of a session not signed in
    yet, a password check): it waits while forms are being drawn, at most MAX_DEFER_S, and does
    not hold page runs back (inside `arriving()`, the run stops counting as an arrival)."""
    deadline = time.monotonic() + MAX_DEFER_S
    with _lock:
        _stop_counting()
        _wake()
        while _arrivals and (now := time.monotonic()) < deadline:
            _forms_drawn.wait(deadline - now)
    yield


@contextmanager
def page_slot(url_path: str):
    """Around a signed-in page run."""
    global _busy
    if url_path in UNGATED:
        yield
        return
    deadline = time.monotonic() + MAX_DEFER_S
    with _lock:
        while True:
            now = time.monotonic()
            if _busy < SLOTS and (not _arrivals or now >= deadline):
                break
            _slot_free.wait(deadline - now if _busy < SLOTS and now < deadline else None)
        _busy += 1
    try:
        yield
    finally:
        with _lock:
            _busy -= 1
            _wake()


def wait_quiet(timeout: float | None = None) -> bool:
    """Wait until no form is being drawn and no page run holds a slot (background work such as
    ui.warm goes in the gaps); False if `timeout` passed first."""
    deadline = None if timeout is None else time.monotonic() + timeout
    with _lock:
        while _arrivals or _busy:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            _quiet.wait(left)
    return True
