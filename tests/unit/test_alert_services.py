"""services/alerts.py fills in the thresholds in force (loaders/thresholds.py) for callers that
pass none: the briefing's risk-score metric, and the rules run from the command line, whose
thresholds file NTB_ALERT_RULES can name. On the hand-built database of tests/overview_fixture.py."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from loaders.thresholds import RULES_FILE
from services import alerts
from services.briefing import metric_values
from storage.engine import make_engine
from tests.overview_fixture import PERIOD, build


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'services.sqlite'}"
    build(url)
    eng = make_engine(url)
    yield eng
    eng.dispose()


def sensitive(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "select regency_code, stale from alert where rule = 'election_sensitive_incident' order by key"
                )
            )
        ]


def test_the_briefings_risk_score_is_the_maps(engine):
    """The same scores as tests/unit/test_overview.py's risers on 26/11/2024 (it called storage
    without thresholds, which storage no longer reads)."""
    got = metric_values(engine, PERIOD, "risk_score").round(1)
    assert (got["52.71"], got["52.72"], got["52.04"]) == (39.9, 55.6, 37.2)


def test_the_rules_run_with_the_file_the_environment_names(engine, tmp_path, monkeypatch):
    # Sumbawa's K07, Kota Mataram's K04 and Kota Bima's two (tests/overview_fixture.py)
    assert sensitive(engine) == [
        ("52.04", False),
        ("52.71", False),
        ("52.72", False),
        ("52.72", False),
    ]
    quiet = tmp_path / "no_sensitive.toml"  # no sensitive category, the election flag ignored
    quiet.write_text(
        RULES_FILE.read_text(encoding="utf-8")
        .replace(
            'categories = ["kegiatan_politik", "ketertiban_umum", "dokumen_palsu"]',
            "categories = []",
        )
        .replace("include_election_related = true", "include_election_related = false"),
        encoding="utf-8",
    )
    monkeypatch.setenv("NTB_ALERT_RULES", str(quiet))
    assert alerts.main(["--db", str(engine.url), "--as-of", PERIOD.as_of.isoformat()]) == 0
    # none found with those thresholds: kept, marked stale, never deleted
    assert sensitive(engine) == [("52.04", True), ("52.71", True), ("52.72", True), ("52.72", True)]
