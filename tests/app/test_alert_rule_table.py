"""The alert rule table (domain/alert_rules/table.py) is what the alerts page's rule filter and the
admin page's thresholds section list: each rule once (the filter listed the mismatch cluster twice),
in the table's order, under its catalogue name."""

from __future__ import annotations

RULES_ID = [
    "Lonjakan keberadaan orang asing",
    "Kejadian sensitif Pilkada",
    "Kegiatan tidak sesuai izin tinggal",
    "Kelompok ketidaksesuaian izin tinggal",
    "Melebihi izin tinggal (overstay)",
    "Izin tinggal habis pada masa kampanye/masa tenang",
    "Lonjakan perlintasan di TPI/pelabuhan",
    "Laporan keberadaan terhenti",
    "WNA dalam daftar pemilih",
]


def test_the_alert_page_rule_filter_lists_each_rule_once(app):
    at = app("pages/alerts.py").run()
    assert not at.exception
    assert at.multiselect(key="al_rule").options == RULES_ID


def test_the_admin_page_says_which_section_sets_which_alert(app):
    at = app("pages/admin.py", role="admin").run()
    assert not at.exception
    [table] = [d.value for d in at.dataframe if "Ambangnya di berkas" in d.value.columns]
    assert table.values.tolist() == [
        [RULES_ID[0], "[presence_surge]"],
        [RULES_ID[1], "[election_sensitive_incident]"],
        [RULES_ID[2], "[permit_activity_mismatch]"],
        [RULES_ID[3], "[permit_activity_mismatch]"],
        [RULES_ID[4], "[overstay]"],
        [RULES_ID[5], "[expiring_permits]"],
        [RULES_ID[6], "[crossing_spike]"],
        [RULES_ID[7], "[reporting_gap]"],
        [RULES_ID[8], "[general]"],
    ]
