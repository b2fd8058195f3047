"""Alerts put into words: the catalogue key and parameters of an alert's explanation
(i18n alerts.<rule>_detail[_<variant>]). The rules (domain/alert_rules) return codes and numbers;
this module turns them into the reader's language: names for codes, numbers and dates the
language's way (i18n.formats, Babel)."""

from __future__ import annotations

import datetime as dt
import re

from domain.alert_rules import as_day, explanation
from domain.calendar import Election
from domain.regions import offices, ports, regency_name
from i18n import formats, has, t

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _fmt_number(v, lang: str) -> str:
    """1.000.000 and 2,5 in Indonesian (one decimal for a fraction)."""
    return formats.number(v, lang, 1 if isinstance(v, float) and not v.is_integer() else 0)


def _fmt_date(iso: str, lang: str) -> str:
    """27/11/2024 in both languages."""
    return formats.date(dt.date.fromisoformat(iso), lang)


def detail_key(alert) -> str:
    """The i18n key explaining this alert: alerts.<rule>_detail, or the variant the rule table picks."""
    variant = explanation(alert["rule"], alert["detail"])
    return f"alerts.{alert['rule']}_detail" + (f"_{variant}" if variant else "")


def detail_params(alert, lang: str = "id", election: Election | None = None) -> dict:
    """Parameters for the explanation: the detail dict plus the alert's date, severity, agency,
    office, port, regency and phase, with names instead of codes and numbers and dates written
    the language's way."""

    def phase_name(key):
        p = election.phase_by_key(key) if election is not None and key else None
        return p.name(lang) if p else (key or "–")

    def office_name(oid):
        return (
            offices()["name"].get(oid, oid) if oid and "name" in offices().columns else (oid or "–")
        )

    def reg_name(code):
        try:
            return regency_name(code)
        except KeyError:
            return code

    out: dict = {}
    for k, v in dict(alert["detail"]).items():
        if isinstance(v, (list, tuple)):
            out[k] = ", ".join(reg_name(x) if k == "regencies" else str(x) for x in v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[k] = _fmt_number(v, lang)
        elif isinstance(v, str) and _ISO_DATE.match(v):
            out[k] = _fmt_date(v, lang)
        else:
            out[k] = "–" if v is None else v
    detail = dict(alert["detail"])
    for k, area in (
        ("category", "category"),
        ("activity", "alerts.activity"),
        ("direction", "alerts.direction"),
    ):
        if isinstance(detail.get(k), str):
            key = f"{area}_{detail[k]}" if area.startswith("alerts") else f"{area}.{detail[k]}"
            out[k] = t(key, lang) if has(key, lang) or has(key) else detail[k]
    if isinstance(detail.get("expiry_phase"), str):
        out["expiry_phase"] = phase_name(detail["expiry_phase"])
    date = alert["date"]
    port = alert.get("port_id") if hasattr(alert, "get") else alert["port_id"]
    out.update(
        {
            "date": _fmt_date(as_day(date).isoformat(), lang),
            "severity": t(f"alerts.severity_{alert['severity']}", lang),
            "agency": alert["agency"],
            "office": office_name(alert["office_id"]),
            "port": ports()["name"].get(port, port) if port else "–",
            "regency": reg_name(alert["regency_code"]) if alert["regency_code"] else "–",
            "phase": phase_name(alert["phase"]),
        }
    )
    return out


def describe(alert, lang: str = "id", election: Election | None = None) -> str:
    """One or two sentences explaining an alert row in the language (i18n catalogue alerts.*)."""
    return t(detail_key(alert), lang, **detail_params(alert, lang, election))
