"""Accounts scoped to an office's working area (issue 24), on SQLite and PostgreSQL: a hand-built
database imported through the real importer, queried with a Scope.

- Exact values: a Bima-scoped analyst's overview totals are the sums over 52.05, 52.06 and 52.72;
  the records export holds only those rows; a Lombok Timur (52.03) row of 1 Feb 2026 is outside
  Mataram's scope and inside Lombok Timur's, one of 20 Jan 2026 the other way round.
- Every query in storage/ that takes Filters (or a RecordFilter), found by introspection, gives on
  the whole database with a scope exactly what it gives on a database holding only that scope's
  rows: a query that forgets the scope (a new one included) sees the other rows and differs.
"""

from __future__ import annotations

import datetime as dt
import inspect
from dataclasses import replace

import pandas as pd
import pytest
from sqlalchemy import insert, select

from domain.data_kinds import kind as data_kind
from domain.data_kinds import kinds
from domain.filters import Filters
from domain.regions import ports, regency_codes
from domain.roles import Forbidden
from domain.scope import PROVINCE, Scope
from loaders.pipeline import import_file
from loaders.thresholds import load_rules
from services.overview import headline
from storage import alerts_store, kind_queries, queries, records
from storage.audit import log
from storage.models import Alert, AuditEvent
from tests.conftest import fresh_engine

D = dt.date
BIMA, MATARAM, LOTIM, SUMBAWA = (
    Scope("kanim_bima"),
    Scope("kanim_mataram"),
    Scope("kanim_lombok_timur"),
    Scope("kanim_sumbawa_besar"),
)
NOV = Filters(D(2024, 11, 20), D(2024, 11, 23), D(2024, 11, 23))
JAN_FEB_2026 = Filters(D(2026, 1, 1), D(2026, 2, 28), D(2026, 2, 28))
EVERYTHING = Filters(D(2024, 11, 1), D(2026, 2, 28), D(2026, 2, 28))

PRESENCE = """no_register;tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan;jumlah_orang
P01;20/11/2024;52.05;AUS;VOA;wisata;3
P02;21/11/2024;52.06;AUS;VOA;wisata;4
P03;22/11/2024;52.72;MYS;VOA;wisata;5
P04;23/11/2024;52.72;AUS;VOA;wisata;2
P05;20/11/2024;52.71;NZL;VOA;wisata;1000
P06;21/11/2024;52.04;NZL;VOA;wisata;2000
P07;22/11/2024;52.01;NZL;ITAS_KERJA;bekerja;3000
P08;23/11/2024;52.07;USA;VOA;wisata;1000
P09;20/01/2026;52.03;AUS;VOA;wisata;6
P10;01/02/2026;52.03;AUS;VOA;wisata;8
P11;01/02/2026;52.71;GBR;VOA;wisata;7
"""
INCIDENTS = """no_kejadian,tanggal_kejadian,kabupaten_kota,kategori,tingkat,status,terkait_pilkada
K01,21/11/2024,52.05,kegiatan_politik,3,baru,ya
K02,22/11/2024,52.72,overstay,2,selesai,tidak
K03,21/11/2024,52.71,kegiatan_politik,4,baru,ya
K04,22/11/2024,52.04,overstay,2,baru,tidak
K05,25/01/2026,52.03,overstay,2,baru,tidak
K06,02/02/2026,52.03,kegiatan_politik,5,baru,ya
"""
CROSSINGS = """tanggal,tpi,arah,jumlah
21/11/2024,bima_port,datang,7
22/11/2024,bmu_bima_airport,datang,5
22/11/2024,bmu_bima_airport,berangkat,9
21/11/2024,lop_lombok_airport,datang,1000
22/11/2024,badas_port,datang,2000
20/01/2026,kayangan_port,datang,11
01/02/2026,kayangan_port,datang,13
"""
SEEN = dt.datetime(2026, 2, 28, 8, 0)


def _alert(id_, rule, date, regency=None, office=None, port=None, status="baru"):
    return {
        "id": id_,
        "key": f"hand:{id_}",
        "rule": rule,
        "regency_code": regency,
        "office_id": office,
        "port_id": port,
        "date": date,
        "severity": "tinggi",
        "phase": "-",
        "agency": "Imigrasi",
        "trigger_ids": "[]",
        "detail": "{}",
        "status": status,
        "stale": False,
        "first_seen_at": SEEN,
        "evaluated_at": SEEN,
    }


ALERTS = [
    _alert(1, "overstay", D(2024, 11, 21), regency="52.01"),
    _alert(2, "overstay", D(2024, 11, 22), regency="52.72"),
    _alert(3, "overstay", D(2024, 11, 22), regency="52.04"),
    _alert(4, "crossing_spike", D(2024, 11, 21), office="kanim_bima", port="bima_port"),
    _alert(5, "crossing_spike", D(2024, 11, 21), office="kanim_mataram", port="lop_lombok_airport"),
    _alert(6, "overstay", D(2026, 1, 20), regency="52.03"),
    _alert(7, "overstay", D(2026, 2, 1), regency="52.03"),
    _alert(8, "reporting_gap", D(2024, 11, 23), office="kanim_sumbawa_besar"),
]


def _kept(text: str, sep: str, keep, place, day: int) -> str:
    """The CSV `text` with only the data rows `keep(regency, date)` accepts (place: cells -> regency;
    day: the date's column)."""
    head, *lines = text.strip().splitlines()
    cells = [line.split(sep) for line in lines]
    return (
        "\n".join(
            [
                head,
                *(
                    line
                    for line, c in zip(lines, cells)
                    if keep(place(c), dt.datetime.strptime(c[day], "%d/%m/%Y").date())
                ),
            ]
        )
        + "\n"
    )


def build(engine, keep=lambda regency, day: True) -> None:
    """The fixture's rows that `keep(regency, day)` accepts, imported and inserted in one order, so
    that ids and batch numbers are the same in a database holding fewer of them."""
    at = ports()["regency_code"]
    files = (
        ("presence", PRESENCE, ";", lambda c: c[2], 1),
        ("incidents", INCIDENTS, ",", lambda c: c[2], 1),
        ("crossings", CROSSINGS, ",", lambda c: at[c[1]], 0),
    )
    for kind, text, sep, place, day in files:
        res = import_file(engine, _kept(text, sep, keep, place, day).encode(), f"{kind}.csv", kind)
        assert res.rows_rejected == 0 and res.status in ("imported", "rejected"), res.summary("en")
    rows = [
        a
        for a in ALERTS
        if (keep(a["regency_code"], a["date"]) if a["regency_code"] else keep(a["office_id"], None))
    ]
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(Alert), rows)


def only(scope: Scope):
    """keep() for the rows of `scope`: a regency in its area on the row's date; an office's alert."""

    def keep(where, day):
        if day is None:  # an alert with no regency: kept for its own office
            return scope.province or where == scope.office
        return scope.allows(where, day)

    return keep


@pytest.fixture
def full(engine):
    build(engine)
    return engine


# --- exact values -----------------------------------------------------------------------------


def test_a_bima_analyst_sees_the_sums_over_its_three_regencies(full):
    f = replace(NOV, scope=BIMA)
    # presence 3 + 4 + 5 + 2; incidents K01 (election-related, open) and K02 (closed);
    # arrivals through bima_port (52.72) 7 and bmu_bima_airport (52.06) 5
    assert headline(full, f).now == {
        "present": 14,
        "incidents": 2,
        "election_incidents": 1,
        "open_incidents": 1,
        "arrivals": 12,
    }
    table = queries.regency_table(full, f)
    assert table["present"].dropna().to_dict() == {"52.05": 3.0, "52.06": 4.0, "52.72": 7.0}
    assert table["present"].isna().sum() == 7  # the rest of NTB: no values, not zeros
    # the whole province, for comparison
    assert headline(full, NOV).now == {
        "present": 7014,
        "incidents": 4,
        "election_incidents": 2,
        "open_incidents": 3,
        "arrivals": 3012,
    }


def test_the_records_export_holds_only_the_offices_rows(full):
    rf = records.RecordFilter(EVERYTHING.start, EVERYTHING.end, tuple(regency_codes()), scope=BIMA)
    rows = records.export_rows(full, rf, "analyst")
    assert sorted(rows["record_id"]) == ["P01", "P02", "P03", "P04"]
    assert records.count(full, rf) == 4
    # the same search province-wide holds all eleven
    assert records.count(full, replace(rf, scope=PROVINCE)) == 11


def test_the_records_pages_choices_show_only_the_offices_rows(full):
    """The nationality and upload-batch choices tell a scoped analyst nothing of other areas."""
    assert records.nationalities(full, BIMA) == ["AUS", "MYS"]
    assert records.nationalities(full, PROVINCE) == ["AUS", "GBR", "MYS", "NZL", "USA"]
    assert records.nationalities(full, MATARAM) == [
        "AUS",
        "GBR",
        "NZL",
    ]  # P09 of Jan 2026 is Mataram's
    assert (
        len(records.presence_batches(full, account=BIMA)) == 1
    )  # the one file holds rows of Bima's area
    assert records.presence_batches(
        full, account=Scope("kanim_lombok_timur")
    ) == records.presence_batches(full)
    assert records.nationalities(full, Scope("kanim_lombok_timur")) == ["AUS"]
    assert (
        records.nationalities(full, Scope("no_such_office")),
        records.presence_batches(full, account=Scope("no_such_office")),
    ) == ([], {})  # an office with no area sees no choice


def test_a_lombok_timur_row_belongs_to_the_office_of_its_own_date(full):
    mataram = records.export_rows(
        full,
        records.RecordFilter(
            JAN_FEB_2026.start, JAN_FEB_2026.end, tuple(regency_codes()), scope=MATARAM
        ),
        "analyst",
    )
    lotim = records.export_rows(
        full,
        records.RecordFilter(
            JAN_FEB_2026.start, JAN_FEB_2026.end, tuple(regency_codes()), scope=LOTIM
        ),
        "analyst",
    )
    assert sorted(mataram["record_id"]) == ["P09", "P11"]  # 52.03 on 20 Jan 2026, 52.71
    assert sorted(lotim["record_id"]) == ["P10"]  # 52.03 on 1 Feb 2026
    m = queries.regency_table(full, replace(JAN_FEB_2026, scope=MATARAM))
    t = queries.regency_table(full, replace(JAN_FEB_2026, scope=LOTIM))
    assert (m.loc["52.03", "present"], m.loc["52.71", "present"]) == (6.0, 7.0)
    assert (t.loc["52.03", "present"], pd.isna(t.loc["52.71", "present"])) == (8.0, True)
    assert (m.loc["52.03", "incidents"], t.loc["52.03", "incidents"]) == (1.0, 1.0)  # K05 / K06
    # the ferry port of Lombok Timur: its crossings follow the office of their date
    assert (
        queries.arrivals(full, replace(JAN_FEB_2026, scope=MATARAM)),
        queries.arrivals(full, replace(JAN_FEB_2026, scope=LOTIM)),
    ) == (11, 13)
    assert [a for a in alerts_store.alerts(full, replace(JAN_FEB_2026, scope=MATARAM))["id"]] == [6]
    assert [a for a in alerts_store.alerts(full, replace(JAN_FEB_2026, scope=LOTIM))["id"]] == [7]


def test_another_offices_alert_is_neither_opened_nor_changed(full):
    assert list(alerts_store.alerts_by_id(full, [1, 2, 3, 4, 5], BIMA)["id"]) == [2, 4]
    assert alerts_store.alerts_by_id(full, [1], SUMBAWA).empty
    with pytest.raises(alerts_store.OutsideScope):
        alerts_store.set_status_many(full, [2, 1], "ditelaah", "ana", "analyst", scope=BIMA)
    with pytest.raises(Forbidden):  # the role check stays
        alerts_store.set_status_many(full, [2], "ditelaah", "lead", "viewer", scope=BIMA)
    with pytest.raises(alerts_store.OutsideScope):
        alerts_store.assign(full, [3], "ana", "ana", "analyst", scope=BIMA)
    assert alerts_store.alerts_by_id(full, [1, 2])["status"].tolist() == [
        "baru",
        "baru",
    ]  # nothing changed
    assert alerts_store.set_status_many(full, [2, 4], "ditelaah", "ana", "analyst", scope=BIMA) == [
        2,
        4,
    ]
    with full.connect() as conn:
        scopes = conn.execute(
            select(AuditEvent.action, AuditEvent.target, AuditEvent.scope)
            .where(AuditEvent.action == "alert_status")
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(r) for r in scopes] == [
        ("alert_status", "alert:2", "kanim_bima"),
        ("alert_status", "alert:4", "kanim_bima"),
    ]


def test_the_audit_trail_keeps_each_events_scope_and_filters_by_it(full):
    log(full, "ana", "export", "a.csv", {}, BIMA)
    log(full, "kepala", "export", "b.csv", {}, PROVINCE)
    log(full, "cli", "export", "c.csv", {})
    trail = queries.audit_log(full, "admin", action="export")
    assert list(zip(trail["actor"], trail["scope"].fillna("-"))) == [
        ("cli", "-"),
        ("kepala", "ntb"),
        ("ana", "kanim_bima"),
    ]
    assert list(queries.audit_log(full, "admin", scope="kanim_bima")["target"]) == ["a.csv"]


# --- every query, by introspection ------------------------------------------------------------

MODULES = (queries, records, kind_queries, alerts_store)


def scoped_queries() -> list:
    """Every public function of the query modules that reads the database (an `engine` parameter)
    with a Filters or RecordFilter parameter."""
    found = []
    for module in MODULES:
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            params = inspect.signature(fn).parameters.values()
            if any(p.name == "engine" for p in params) and any(
                str(p.annotation) in ("Filters", "RecordFilter") for p in params
            ):
                found.append(fn)
    return found


def test_the_introspection_finds_the_known_queries():
    names = {f"{fn.__module__}.{fn.__name__}" for fn in scoped_queries()}
    assert {
        "storage.queries.regency_table",
        "storage.queries.arrivals",
        "storage.queries.incident_markers",
        "storage.records.export_rows",
        "storage.kind_queries.rows",
        "storage.alerts_store.alerts",
        "storage.alerts_store.alert_counts",
        "storage.alerts_store.risk_table",
    } <= names


def calls(fn, f: Filters):
    """Every way the test calls `fn` with `f`: (label, kwargs). A parameter it cannot fill fails the
    test, so a new query with a new kind of parameter is not skipped silently."""
    fills = {
        "f": [f],
        "rf": [records.RecordFilter(f.start, f.end, tuple(regency_codes()), scope=f.scope)],
        "kind": list(kinds()),
        "regency": [None, *regency_codes()],
        "role": ["admin"],
        "actor": ["test"],
        "election": [None],
        "rules": [load_rules()],
    }
    options = [{}]
    for p in inspect.signature(fn).parameters.values():
        if p.name == "engine":
            continue
        if p.name == "by":  # a kind's totals: by day and by each key of its roll-ups
            continue
        if p.name in fills and (p.default is inspect.Parameter.empty or p.name in ("regency",)):
            options = [{**o, p.name: v} for o in options for v in fills[p.name]]
        elif p.default is inspect.Parameter.empty:
            raise AssertionError(
                f"{fn.__module__}.{fn.__name__}: the test does not know how to fill {p.name!r}"
            )
    if "by" in inspect.signature(fn).parameters:
        options = [
            {**o, "by": by}
            for o in options
            for by in [
                "day",
                *dict.fromkeys(k for r in data_kind(o["kind"]).rollups for k in r.keys),
            ]
        ]
    return options


def _same(a, b, what: str) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(
            a.reset_index(drop=a.index.name is None and isinstance(a.index, pd.RangeIndex)),
            b.reset_index(drop=b.index.name is None and isinstance(b.index, pd.RangeIndex)),
            check_dtype=False,
            check_index_type=False,
            obj=what,
        )
    elif isinstance(a, tuple):
        assert len(a) == len(b), what
        for x, y in zip(a, b):
            _same(x, y, what)
    else:
        assert a == b, what


@pytest.mark.parametrize(
    "scope,f",
    [(BIMA, EVERYTHING), (MATARAM, EVERYTHING), (LOTIM, JAN_FEB_2026), (SUMBAWA, NOV)],
    ids=["bima", "mataram", "lombok_timur", "sumbawa"],
)
def test_every_query_with_a_scope_sees_only_the_scopes_rows(
    request, databases, tmp_path, full, scope, f
):
    """The whole database and one holding only the scope's rows give the same answers."""
    kind = "postgresql" if "postgresql" in request.node.callspec.id else "sqlite"
    gen = fresh_engine(databases, kind, tmp_path / "only")
    (tmp_path / "only").mkdir()
    small = next(gen)
    try:
        build(small, only(scope))
        f = replace(f, scope=scope)
        checked = 0
        for fn in scoped_queries():
            for kwargs in calls(fn, f):
                what = f"{fn.__module__}.{fn.__name__}({', '.join(f'{k}={v!r}' for k, v in kwargs.items() if k != 'f')})"
                _same(fn(full, **kwargs), fn(small, **kwargs), what)
                checked += 1
        assert checked > 30
    finally:
        gen.close()


# --- the domain value, accounts and uploads ---------------------------------------------------


def test_a_scope_is_cut_where_an_offices_area_changes():
    spans = MATARAM.spans(D(2026, 1, 1), D(2026, 2, 28))
    assert [(s.first, s.last, sorted(s.regencies)) for s in spans] == [
        (D(2026, 1, 1), D(2026, 1, 25), ["52.01", "52.02", "52.03", "52.08", "52.71"]),
        (D(2026, 1, 26), D(2026, 2, 28), ["52.01", "52.02", "52.08", "52.71"]),
    ]
    assert [(s.first, sorted(s.regencies)) for s in LOTIM.spans(D(2026, 1, 1), D(2026, 2, 28))] == [
        (D(2026, 1, 1), []),
        (D(2026, 1, 26), ["52.03"]),
    ]
    assert len(BIMA.spans(D(2024, 1, 1), D(2026, 12, 31))) == 1
    assert (MATARAM.allows("52.03", D(2026, 2, 1)), LOTIM.allows("52.03", D(2026, 2, 1))) == (
        False,
        True,
    )
    assert (MATARAM.allows("52.03", D(2026, 1, 25)), LOTIM.allows("52.03", D(2026, 1, 25))) == (
        True,
        False,
    )
    out = MATARAM.outside(
        pd.Series(["52.03", "52.03", "52.05", None]),
        pd.Series([D(2026, 1, 25), D(2026, 1, 26), D(2024, 11, 1), D(2024, 11, 1)]),
    )
    assert out.tolist() == [False, True, True, True]
    assert not PROVINCE.outside(pd.Series(["52.03"]), pd.Series([D(2026, 1, 26)])).any()


def test_accounts_get_an_office_scope_from_the_command_line(engine):
    from storage.users import UserError, account_scope, add_user, list_users, set_office
    from ui.users import main

    add_user(engine, "bima1", "a-long-password", "analyst", office="kanim_bima")
    assert account_scope(engine, "bima1") == BIMA
    with pytest.raises(UserError, match="unknown office"):
        add_user(engine, "x", "a-long-password", "viewer", office="kanim_atlantis")
    with pytest.raises(UserError, match="admin"):
        add_user(engine, "boss", "a-long-password", "admin", office="kanim_bima")
    assert set_office(engine, "bima1", "ntb", actor="root") == PROVINCE
    assert account_scope(engine, "bima1") == PROVINCE
    url = engine.url.render_as_string(hide_password=False)
    import io
    import sys

    sys.stdin = io.StringIO("another-long-password\n")
    try:
        assert (
            main(
                [
                    "--db",
                    url,
                    "add",
                    "sumb",
                    "--role",
                    "viewer",
                    "--office",
                    "kanim_sumbawa_besar",
                    "--password-stdin",
                ]
            )
            == 0
        )
    finally:
        sys.stdin = sys.__stdin__
    assert main(["--db", url, "office", "bima1", "kanim_bima"]) == 0
    assert main(["--db", url, "office", "bima1", "kanim_nowhere"]) == 2
    assert {u["username"]: u["office_id"] for u in list_users(engine)} == {
        "bima1": "kanim_bima",
        "sumb": "kanim_sumbawa_besar",
    }
    with engine.connect() as conn:
        events = conn.execute(
            select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.action.in_(("user_add", "user_office")))
            .order_by(AuditEvent.id)
        ).all()
    assert [(a, d) for a, d in events] == [
        ("user_add", '{"office": "kanim_bima", "role": "analyst"}'),
        ("user_office", '{"from": "kanim_bima", "to": "ntb"}'),
        ("user_add", '{"office": "kanim_sumbawa_besar", "role": "viewer"}'),
        ("user_office", '{"from": "ntb", "to": "kanim_bima"}'),
    ]


def test_a_scoped_upload_rejects_the_rows_of_another_area(engine):
    from loaders.pipeline import commit, error_message, prepare

    res = import_file(engine, PRESENCE.encode(), "presence.csv", "presence", scope=BIMA)
    assert (res.status, res.rows_imported, res.rows_rejected) == ("partial", 4, 7)
    first = res.errors[0]
    assert (first.line, first.code, first.value) == (6, "outside_scope", "52.71")
    assert error_message(first, "en") == (
        "Outside your office's working area on this row's date (the area of "
        "Kantor Imigrasi Kelas I TPI Mataram); row rejected. Send this row to "
        "that office."
    )
    lotim_row = next(e for e in res.errors if e.line == 11)  # P10: 52.03 on 1 Feb 2026
    assert lotim_row.detail == "Kantor Imigrasi Kelas II Lombok Timur"
    assert (
        records.count(
            engine, records.RecordFilter(EVERYTHING.start, EVERYTHING.end, tuple(regency_codes()))
        )
        == 4
    )
    with engine.connect() as conn:
        assert (
            conn.scalar(select(AuditEvent.scope).where(AuditEvent.action == "upload"))
            == "kanim_bima"
        )
    # a file prepared without the scope cannot be committed with it: nothing is written
    prep = prepare(INCIDENTS.encode(), "incidents.csv", "incidents")
    refused = commit(engine, prep, user="ana", scope=BIMA)
    assert (refused.status, refused.batch_id, refused.rejection.code) == (
        "rejected",
        None,
        "outside_scope",
    )
    assert (
        refused.summary("en") == "Nothing imported: 4 rows are outside your office's working area."
    )


def test_a_situation_report_for_a_bima_account_holds_its_area_only(full):
    from services.sitrep import gather

    data = gather(
        full, as_of=D(2024, 11, 23), scope=BIMA, now=dt.datetime(2024, 11, 23, 12, tzinfo=dt.UTC)
    )
    assert data.office == "kanim_bima"
    assert sorted(data.areas) == ["52.05", "52.06", "52.72"]
    assert data.headline == {
        "present": 14,
        "incidents": 2,
        "election_incidents": 1,
        "open_incidents": 1,
        "arrivals": 12,
    }
    assert sorted(data.map_values.dropna().index) == ["52.05", "52.06", "52.72"]
