"""Warming the map page's caches for the phase shortcuts, in the background, so a shortcut is
never the first time the server is asked for that period.

The shortcuts are a small, known set (ui.sidebar.shortcuts: the election's phases, the whole
sensitive stretch, the last days of the data). For a `View` (what a person has chosen besides the
period: scope, office and filters, language, metric, marking, regency, phone or not) one thread
computes, for every shortcut's period, what the map page would ask for: the regency table, the
markers, the nationalities list and the map figure (ui.data's caches, shared between sessions).

- When: for each new view (or new data: the change counters are part of the key) a map page run
  reports (`request`, which returns at once), so the shortcuts are ready while the person looks at
  the map. Not when the server starts: that competed with the first sign-in for the CPU (a fresh
  server's first session: 4.29-4.43 s against 4.03-4.23 s per browser test) for one click.
- Never in the way: each period waits until no sign-in form is drawn and no page run holds a
  slot (ui.gate.wait_quiet), so warming uses the gaps between people's runs.
- Scoped: the thread runs with the view's scope as the account's (ui.data.acting_for); every
  cache key carries it, so what is warmed for one office is found only by that office's accounts.
- Bounded: the caches keep their own max_entries; at most QUEUE views wait (more are dropped,
  nothing breaks), and the last DONE_KEPT warmed views are remembered so a view is warmed once.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

from domain.filters import Filters
from domain.scope import PROVINCE, Scope

QUEUE = 8
DONE_KEPT = 64

_log = logging.getLogger(__name__)
_todo: queue.Queue = queue.Queue(maxsize=QUEUE)
_done: OrderedDict = OrderedDict()
_lock = threading.Lock()
_thread: threading.Thread | None = None


_ANY_DAY = dt.date(2000, 1, 1)  # a View's period: each shortcut's replaces it


@dataclass(frozen=True)
class View:
    """Everything the map page's figure and queries depend on, except the period."""

    filters: Filters  # its start, end and as-of date do not count (see `of`)
    lang: str
    metric: str
    marking: str
    election_id: str
    selected: str | None = None
    compact: bool = False

    @classmethod
    def of(cls, f: Filters, *rest, **more) -> View:
        """The view of filters `f` (scoped) whatever their period."""
        return cls(replace(f, start=_ANY_DAY, end=_ANY_DAY, as_of=_ANY_DAY), *rest, **more)


def default_view() -> View:
    """The first view of a province account: all of NTB, the default language, metric and
    marking, no regency chosen, a desktop browser."""
    from domain.calendar import elections
    from i18n import DEFAULT_LANG
    from viz.style import DEFAULT_MARKING

    return View.of(
        Filters(_ANY_DAY, _ANY_DAY, _ANY_DAY, scope=PROVINCE),
        DEFAULT_LANG,
        "present",
        DEFAULT_MARKING,
        next(iter(elections())),
    )


def _key(view: View) -> tuple:
    from ui.data import data_version

    return view, data_version()


def request(view: View) -> None:
    """Warm the shortcuts of `view` (a map page run calls this; it returns at once). Nothing to
    do when the server did not start the warming thread (tests, a bare `streamlit run`)."""
    if _thread is None:
        return
    key = _key(view)
    with _lock:
        if key in _done:
            _done.move_to_end(key)
            return
        _done[key] = True
        while len(_done) > DONE_KEPT:
            _done.popitem(last=False)
    try:
        _todo.put_nowait(view)
    except queue.Full:  # busy: this view is warmed when asked again after the queue drains
        with _lock:
            _done.pop(key, None)


def start() -> None:
    """Start the warming thread (once per process). Called by ui.serve before Streamlit starts:
    the thread waits for Streamlit's runtime."""
    global _thread
    with _lock:
        if _thread is not None:
            return
        _thread = threading.Thread(target=_run, name="ntb-warm", daemon=True)
    _thread.start()


def _run() -> None:
    from streamlit.runtime import Runtime

    while not Runtime.exists():
        time.sleep(0.2)
    while True:
        view = _todo.get()
        try:
            warm(view)
        except Exception:  # warming is an optimisation: a failure leaves the caches cold
            _log.warning("warming the shortcuts' caches failed", exc_info=True)


def warm(view: View, quiet=None) -> int:
    """Fill the caches a map page run with `view` asks for, for every shortcut's period; the
    number of periods. `quiet` waits for a gap between page runs (default ui.gate.wait_quiet)."""
    from domain.calendar import elections
    from ui import data, gate
    from ui.briefing import map_slide
    from ui.sidebar import bounds, shortcut_periods
    from viz.maps import MAP_HEIGHT

    quiet = quiet or gate.wait_quiet
    election = elections()[view.election_id]
    scope: Scope = view.filters.scope
    n = 0
    with data.acting_for(scope):
        for start, end in dict.fromkeys(shortcut_periods(*bounds(), election).values()):
            quiet()
            f = replace(view.filters, start=start, end=end, as_of=end)
            base = Filters(start, end, end, office=f.office, scope=scope)
            data.q(
                "top_nationalities", base, n=data.NATIONALITY_CHOICES
            )  # the page's nationality filter
            slide = map_slide(f, view.metric, election, view.lang, view.marking)
            data.map_figure(
                f,
                view.metric,
                view.lang,
                view.selected,
                MAP_HEIGHT,
                view.election_id,
                slide,
                compact=view.compact,
            )
            data.map_table(f, view.metric, view.election_id)
            n += 1
    return n
