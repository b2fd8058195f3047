"""AppTest: the overview's situation report box (issue 23) for a viewer on the small hand-built
database: none yet, make one now, the latest offered for download; the pack is stored and audited
under the viewer's name."""

from __future__ import annotations

import time

from sqlalchemy import select

from storage.engine import make_engine
from storage.models import AuditEvent, SitrepPack
from tests.app.conftest import ROOT
from tests.overview_fixture import build


def test_a_viewer_makes_a_pack_and_is_offered_the_latest(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    url = f"sqlite:///{tmp_path / 'small.sqlite'}"
    build(url)
    monkeypatch.setenv("NTB_DB_URL", url)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    at.session_state["lang"] = "id"
    at.session_state["auth"] = {
        "name": "kepala",
        "role": "viewer",
        "method": "local",
        "last_seen": time.time(),
    }
    for k, v in {"from": "2024-11-24", "to": "2024-11-26"}.items():
        at.query_params[k] = v
    at.switch_page("pages/overview.py")
    at.run()
    assert "Belum ada laporan situasi untuk wilayah ini." in [c.value for c in at.caption]
    at.button(key="sitrep_make").click().run()
    assert [s.value for s in at.success] == ["Laporan no. 1 dibuat."]
    latest = [c.value for c in at.caption if c.value.startswith("Laporan terakhir")]
    assert latest and latest[0].startswith(
        "Laporan terakhir untuk wilayah ini: no. 1, data per 26/11/2024, dibuat "
    )
    assert latest[0].endswith("(TERBATAS).")
    engine = make_engine(url)
    with engine.connect() as conn:
        pack = conn.execute(select(SitrepPack.__table__)).one()
        event = conn.execute(
            select(AuditEvent.__table__).where(AuditEvent.id == pack.audit_event_id)
        ).one()
    engine.dispose()
    assert (pack.made_by, pack.lang, pack.as_of.isoformat(), pack.office_id) == (
        "kepala",
        "id",
        "2024-11-26",
        None,
    )
    assert (event.action, event.actor, event.target) == ("sitrep", "kepala", pack.name)
