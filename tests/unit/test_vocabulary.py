"""One word for one thing (issue 18 item 5): incidents (kejadian) are field events, alerts
(peringatan) are what the rules raise. The strings that speak of one must not use the other's word;
words for neither (audit actions, upload warnings) use neither."""

import pytest

from i18n import catalogue, t

INCIDENT_KEYS = [  # incident markers, counts and categories: map, briefing, overview/map figures, uploads
    "map.incident_severity",
    "briefing.legend_incidents",
    "briefing.incident_count",
    "briefing.no_incidents",
    "kpi.incidents",
    "metric.incidents",
    "metric.election_incidents",
    "chart.incidents",
    "mappage.category",
    "mappage.who_acts",
    "mappage.incidents",
    "uploadpage.kind_incidents",
    "alerts.risk_incident_rate",
    "alerts.risk_incident_severity",
    "alerts.risk_sensitive_incidents",
]
ALERT_KEYS = [  # what the rules raise: alert page, navigation, overview's decisions, timeline, admin
    "nav.alerts",
    "alertpage.title",
    "alertpage.none",
    "alertpage.who_acts",
    "alertpage.list",
    "admin.rules",
    "timeline.by_phase",
    "overview.no_decisions",
    "overview.all_alerts",
]
NEITHER_KEYS = [  # audit actions and upload warnings are neither incidents nor alerts
    "table.action",
    "admin.audit_action",
    "uploadpage.check_summary",
    "uploadpage.level_warning",
    "errors.row_outside_regency",
]
WORDS = {"id": ("kejadian", "peringatan"), "en": ("incident", "alert")}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("key", INCIDENT_KEYS)
def test_incident_strings_say_incident(key, lang):
    incident, alert = WORDS[lang]
    text = catalogue(lang)[key].lower()
    assert incident in text and alert not in text, (key, lang, text)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("key", ALERT_KEYS)
def test_alert_strings_say_alert(key, lang):
    incident, alert = WORDS[lang]
    text = catalogue(lang)[key].lower()
    assert alert in text and incident not in text, (key, lang, text)


@pytest.mark.parametrize("key", NEITHER_KEYS)
def test_other_things_use_neither_word(key):
    text = catalogue("id")[key].lower()
    assert not any(w in text for w in WORDS["id"]), (key, text)


def test_the_briefing_counts_incidents_on_its_map():
    assert t("briefing.incident_count", "id", n="280") == "280 kejadian pada peta"
    assert t("briefing.incident_count", "en", n="280") == "280 incidents on the map"
    assert t("briefing.legend_incidents", "id") == "Kejadian menurut tingkat"
