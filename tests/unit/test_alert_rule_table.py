"""The alert rule table (domain/alert_rules/table.py): each rule's explanations exist in both
catalogues and no catalogue explanation is left without a rule; the variant codes it picks; every
function runs once; and the rules and thresholds read no files, no environment and no catalogue."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from domain.alert_rules import RULE_NAMES, RULES, evaluate_all, explanation
from domain.alert_rules import table as rule_table
from domain.calendar import default_election
from i18n import catalogue, has
from loaders.thresholds import load_rules

ROOT = Path(__file__).resolve().parents[2]


def test_the_table_lists_every_rule_once_in_the_pages_order():
    assert RULE_NAMES == (
        "presence_surge",
        "election_sensitive_incident",
        "permit_activity_mismatch",
        "permit_activity_mismatch_cluster",
        "overstay",
        "expiring_permits",
        "crossing_spike",
        "reporting_gap",
        "foreigner_on_voter_list",
    )
    assert {r.section for r in RULES.values()} <= set(load_rules().__dataclass_fields__)
    assert {r.needs for r in RULES.values()} == {"presence", "incidents", "crossings", "voters"}


def test_every_rule_in_the_table_is_explained_in_both_languages():
    wanted = {
        f"alerts.{r.name}_detail" + (f"_{v}" if v else "")
        for r in RULES.values()
        for v in r.variants
    }
    assert len(wanted) == 17
    for lang in ("id", "en"):
        assert all(has(f"alerts.{name}", lang) for name in RULE_NAMES)
        assert {k for k in wanted if has(k, lang)} == wanted, lang
        # and no explanation in the catalogue that no rule can pick
        assert {
            k for k in catalogue(lang) if k.startswith("alerts.") and "_detail" in k
        } == wanted, lang


@pytest.mark.parametrize(
    "rule, detail, code",
    [
        ("presence_surge", {"increase_pct": 120}, ""),
        ("presence_surge", {"increase_pct": None}, "new"),
        ("election_sensitive_incident", {"escalated": False}, ""),
        ("election_sensitive_incident", {"escalated": True}, "escalated"),
        ("permit_activity_mismatch", {"kind": "kerja"}, ""),
        ("permit_activity_mismatch", {"kind": "politik"}, "politik"),
        ("permit_activity_mismatch_cluster", {"political": 2}, ""),
        ("overstay", {"days": 61, "action": "deportasi dan penangkalan"}, "deport"),
        ("overstay", {"days": 3, "charge_rp": 3_000_000, "confirmed": True}, "charge"),
        ("overstay", {"days": 3, "charge_rp": 3_000_000, "confirmed": False}, "charge_unconfirmed"),
        ("expiring_permits", {"days_left": 5}, ""),
        ("crossing_spike", {"z": 4.2}, ""),
        ("crossing_spike", {"z": None}, "flat"),
        ("reporting_gap", {"last_report": "2024-10-13"}, ""),
        ("reporting_gap", {"last_report": None}, "never"),
        ("foreigner_on_voter_list", {"found_list": "DPS"}, ""),
        ("foreigner_on_voter_list", {"struck_list": "DPT", "resolved": True}, "struck"),
    ],
)
def test_the_explanation_variant_is_a_code_the_table_declares(rule, detail, code):
    assert explanation(rule, detail) == code
    assert code in RULES[rule].variants


def test_evaluate_all_runs_each_function_once(monkeypatch):
    """The mismatch function writes two rules (single and cluster): it must not run twice."""
    calls = []

    def counting(run):
        def counted(*args, **kwargs):
            calls.append(run.__name__)
            return run(*args, **kwargs)

        return counted

    wrapped = {
        r.run: counting(r.run) for r in RULES.values()
    }  # one wrapper per function, as in the table
    for name, r in RULES.items():
        monkeypatch.setitem(rule_table.RULES, name, dataclasses.replace(r, run=wrapped[r.run]))
    presence = pd.DataFrame(
        {
            "id": [1],
            "report_date": [dt.date(2024, 11, 1)],
            "regency_code": ["52.01"],
            "permit_type": ["VOA"],
            "activity": ["wisata"],
        }
    )
    incidents = pd.DataFrame(
        {
            "id": [1],
            "incident_date": [dt.date(2024, 11, 1)],
            "regency_code": ["52.71"],
            "category": ["lainnya"],
            "severity": [1],
        }
    )
    crossings = pd.DataFrame(
        {
            "id": [1],
            "date": [dt.date(2024, 11, 1)],
            "port_id": ["LOP"],
            "direction": ["datang"],
            "count": [5],
        }
    )
    evaluate_all(
        presence, incidents, crossings, default_election(), dt.date(2024, 11, 30), load_rules()
    )
    assert sorted(calls) == [
        "crossing_spike",
        "election_sensitive_incident",
        "expiring_permits",
        "overstay",
        "permit_activity_mismatch",
        "presence_surge",
        "reporting_gap",
    ]


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
    return out


FORBIDDEN = ("os", "pathlib", "tomllib", "i18n", "domain.paths")


def test_the_rules_and_thresholds_read_no_file_environment_or_catalogue():
    """Files and NTB_ALERT_RULES are loaders/thresholds.py's business, words viz/alert_text.py's."""
    paths = [
        ROOT / "domain" / "alerts.py",
        ROOT / "domain" / "thresholds.py",
        *sorted((ROOT / "domain" / "alert_rules").glob("*.py")),
    ]
    found = {
        str(p.relative_to(ROOT)): sorted(
            m for m in _imports(p) if m.split(".")[0] in FORBIDDEN or m in FORBIDDEN
        )
        for p in paths
        if p.exists()
    }
    assert found and {k: v for k, v in found.items() if v} == {}
