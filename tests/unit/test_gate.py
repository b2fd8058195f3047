"""The admission gate: page runs take turns, and give way to arrivals (sign-in forms) for at most
MAX_DEFER_S. Real threads, event order asserted (no timings)."""

import threading
import time

import pytest

from ui import gate


def _page(name, log, hold: threading.Event | None = None, url="overview"):
    def run():
        with gate.page_slot(url):
            log.append(f"{name} in")
            if hold:
                hold.wait(10)
            log.append(f"{name} out")

    t = threading.Thread(target=run)
    t.start()
    return t


def _wait_for(pred, timeout=5.0):
    end = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)


def test_pages_take_turns_in_arrival_order():
    log, hold = [], threading.Event()
    first = [_page(f"p{i}", log, hold) for i in range(gate.SLOTS)]
    _wait_for(lambda: len(log) == gate.SLOTS)
    waiting = _page("late", log)
    time.sleep(0.05)
    assert "late in" not in log  # every slot is taken
    hold.set()
    for t in first + [waiting]:
        t.join(5)
    assert log.index("late in") > min(log.index(f"p{i} out") for i in range(gate.SLOTS))


def test_uploads_take_no_slot():
    log, hold = [], threading.Event()
    busy = [_page(f"p{i}", log, hold) for i in range(gate.SLOTS)]
    _wait_for(lambda: len(log) == gate.SLOTS)
    upload = _page("upload", log, url="unggah")
    upload.join(5)
    assert "upload out" in log and not any(x.endswith("out") and x != "upload out" for x in log)
    hold.set()
    for t in busy:
        t.join(5)


def test_pages_wait_for_arrivals_then_go():
    log = []
    with gate.arriving():
        page = _page("page", log)
        time.sleep(0.1)
        assert log == []  # the sign-in form goes first
        with gate.giving_way():  # the password check does not hold pages back
            _wait_for(lambda: log == ["page in", "page out"])
    page.join(5)


def test_pages_go_after_the_longest_deferral(monkeypatch):
    monkeypatch.setattr(gate, "MAX_DEFER_S", 0.2)
    log = []
    with gate.arriving():
        page = _page("page", log)
        page.join(5)  # not blocked for ever by a stream of arrivals
        assert log == ["page in", "page out"]


@pytest.fixture(autouse=True)
def clean_gate():
    yield
    assert gate._arrivals == 0 and gate._busy == 0


def test_password_check_lets_the_forms_go_first():
    log = []
    other_form_done = threading.Event()

    def other_form():
        with gate.arriving():
            other_form_done.wait(5)
            log.append("form drawn")

    t = threading.Thread(target=other_form)
    t.start()
    _wait_for(lambda: gate._arrivals == 1)
    checked = []

    def sign_in():
        with gate.arriving(), gate.giving_way():
            checked.append(list(log))

    s = threading.Thread(target=sign_in)
    s.start()
    time.sleep(0.1)
    assert checked == []  # waits while another form is being drawn
    other_form_done.set()
    s.join(5)
    t.join(5)
    assert checked == [["form drawn"]]


def test_later_runs_of_a_session_not_signed_in_let_the_arriving_forms_go_first():
    log, form_done = [], threading.Event()

    def first_form():
        with gate.arriving():
            form_done.wait(5)
            log.append("form drawn")

    t = threading.Thread(target=first_form)
    t.start()
    _wait_for(lambda: gate._arrivals == 1)

    def submitted_form():  # not an arrival: its session has drawn its form before
        with gate.giving_way():
            log.append("submitted form redrawn")

    s = threading.Thread(target=submitted_form)
    s.start()
    time.sleep(0.1)
    assert log == [] and gate._arrivals == 1  # waiting, and not counted as an arrival
    page = _page("page", log)
    time.sleep(0.05)
    assert log == []  # a page run waits for the arrival too, not for the waiting submission
    form_done.set()
    for th in (t, s, page):
        th.join(5)
    assert log[0] == "form drawn" and set(log[1:]) == {
        "submitted form redrawn",
        "page in",
        "page out",
    }


def test_background_work_waits_for_a_quiet_moment():
    """ui.warm's thread goes between runs: while a page run holds a slot or a form is drawn it
    waits; when the last one ends it goes."""
    log, hold = [], threading.Event()
    page = _page("page", log, hold)
    _wait_for(lambda: log == ["page in"])
    assert gate.wait_quiet(timeout=0.05) is False  # a page run is in progress
    worker = threading.Thread(target=lambda: gate.wait_quiet() and log.append("warm"))
    worker.start()
    time.sleep(0.05)
    assert log == ["page in"]
    hold.set()
    page.join(5), worker.join(5)
    assert log == ["page in", "page out", "warm"]
    with gate.arriving():
        assert gate.wait_quiet(timeout=0.05) is False  # a sign-in form is being drawn
    assert gate.wait_quiet(timeout=0.05) is True
