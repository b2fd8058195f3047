"""Monthly roll-ups: a period is read as whole months from the monthly roll-ups plus the days
around them from the daily ones. The pages' figures must equal a plain computation over the
rows sent, for periods that start and end anywhere, after re-sent rows and after an undo."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from domain.filters import Filters
from loaders.pipeline import import_file
from storage import queries
from storage.imports import undo_batch
from storage.queries import split_by_month
from tests.unit.test_import import HEADER, assert_rollups_match

D = dt.date


@pytest.mark.parametrize(
    "start, end, days, months",
    [
        (D(2024, 9, 1), D(2025, 2, 28), [], (D(2024, 9, 1), D(2025, 2, 1))),
        (
            D(2024, 9, 1),
            D(2025, 2, 21),
            [(D(2025, 2, 1), D(2025, 2, 21))],
            (D(2024, 9, 1), D(2025, 1, 1)),
        ),
        (
            D(2024, 9, 15),
            D(2024, 12, 31),
            [(D(2024, 9, 15), D(2024, 9, 30))],
            (D(2024, 10, 1), D(2024, 12, 1)),
        ),
        (
            D(2024, 9, 15),
            D(2024, 11, 3),
            [(D(2024, 9, 15), D(2024, 9, 30)), (D(2024, 11, 1), D(2024, 11, 3))],
            (D(2024, 10, 1), D(2024, 10, 1)),
        ),
        (D(2024, 2, 1), D(2024, 2, 29), [], (D(2024, 2, 1), D(2024, 2, 1))),  # leap February
        (D(2024, 2, 1), D(2024, 2, 28), [(D(2024, 2, 1), D(2024, 2, 28))], None),  # one day short
        (
            D(2024, 9, 2),
            D(2024, 10, 30),
            [(D(2024, 9, 2), D(2024, 10, 30))],
            None,
        ),  # no whole month
        (D(2024, 11, 27), D(2024, 11, 27), [(D(2024, 11, 27), D(2024, 11, 27))], None),
    ],
)
def test_split_by_month(start, end, days, months):
    assert split_by_month(start, end) == (days, months)


REGENCIES = ["52.01", "52.03", "52.08", "52.71", "52.72"]
NATIONALITIES = ["AUS", "GBR", "MYS", "CHN", "NLD", "USA"]
FIRST = D(2024, 1, 20)


def presence_rows(changed: frozenset = frozenset()) -> list[dict]:
    """One row per report, every day from 20 Jan to 10 May 2024 (three whole months and two partial)."""
    rows = []
    for i in range(0, 112 * 3):
        day = FIRST + dt.timedelta(days=i // 3)
        rows.append(
            {
                "id": f"R{i:05d}",
                "day": day,
                "regency": REGENCIES[i % 5],
                "nationality": NATIONALITIES[i % 6],
                "persons": (i % 7 + 1) * (10 if i in changed else 1),
            }
        )
    return rows


def presence_csv(rows) -> bytes:
    return (
        HEADER
        + "".join(
            f"{r['id']};{r['day']:%d/%m/%Y};{r['regency']};{r['nationality']};VOA;wisata;"
            f"P{r['id'][1:]:0>8};{r['persons']}\n"
            for r in rows
        )
    ).encode()


def incident_rows() -> list[dict]:
    return [
        {
            "id": f"K{i}",
            "day": FIRST + dt.timedelta(days=i % 112),
            "regency": REGENCIES[(i // 2) % 5],
            "election": i % 4 == 0,
            "status": ["baru", "selesai", "ditelaah"][i % 3],
        }
        for i in range(250)
    ]


def incident_csv(rows) -> bytes:
    head = "tanggal_kejadian,kabupaten_kota,kategori,tingkat,no_kejadian,terkait_pilkada,status\n"
    return (
        head
        + "".join(
            f"{r['day']:%d/%m/%Y},{r['regency']},lainnya,3,{r['id']},"
            f"{'ya' if r['election'] else 'tidak'},{r['status']}\n"
            for r in rows
        )
    ).encode()


PERIODS = [
    (FIRST, D(2024, 5, 10)),
    (D(2024, 2, 1), D(2024, 4, 30)),
    (D(2024, 1, 25), D(2024, 3, 31)),
    (D(2024, 2, 1), D(2024, 5, 7)),
    (D(2024, 2, 10), D(2024, 4, 5)),
    (D(2024, 3, 1), D(2024, 3, 31)),
    (D(2024, 3, 2), D(2024, 3, 30)),
    (D(2024, 1, 31), D(2024, 3, 1)),
    (D(2023, 12, 1), D(2024, 12, 31)),
]


def assert_pages_match(engine, presence: list[dict], incidents: list[dict]) -> None:
    for start, end in PERIODS:
        f = Filters(start, end, end)
        inside = [r for r in presence if start <= r["day"] <= end]
        by_nat = Counter()
        for r in inside:
            by_nat[r["nationality"]] += r["persons"]
        top = queries.top_nationalities(engine, f, n=10)
        assert dict(zip(top["nationality"], top["persons"].astype(int))) == dict(by_nat), (
            start,
            end,
        )
        assert top["persons"].is_monotonic_decreasing

        table = queries.regency_table(engine, f)
        for code in REGENCIES:
            mine = [r for r in incidents if start <= r["day"] <= end and r["regency"] == code]
            row = table.loc[code]
            assert row["present"] == sum(r["persons"] for r in inside if r["regency"] == code), (
                start,
                end,
                code,
            )
            assert row["reports"] == sum(1 for r in inside if r["regency"] == code)
            assert row["incidents"] == len(mine), (start, end, code)
            assert row["election_incidents"] == sum(r["election"] for r in mine)
            assert row["open_incidents"] == sum(r["status"] != "selesai" for r in mine)
        nationality = Filters(start, end, end, nationalities=("AUS", "CHN"))
        assert queries.regency_table(engine, nationality)["present"].sum() == sum(
            r["persons"] for r in inside if r["nationality"] in ("AUS", "CHN")
        )


def test_periods_read_from_monthly_and_daily_roll_ups_equal_the_rows_sent(engine):
    rows, incidents = presence_rows(), incident_rows()
    assert import_file(engine, presence_csv(rows), "p.csv", "presence").rows_imported == len(rows)
    assert import_file(engine, incident_csv(incidents), "i.csv", "incidents").rows_imported == len(
        incidents
    )
    assert_pages_match(engine, rows, incidents)

    # Re-sent rows with new figures (replacement: the touched months are rebuilt), then undone.
    changed = frozenset({3, 95, 96, 200, 335})
    resend = presence_rows(changed)
    res = import_file(
        engine,
        presence_csv([r for i, r in enumerate(resend) if i in changed]),
        "p2.csv",
        "presence",
    )
    assert res.rows_updated == len(changed)
    assert_pages_match(engine, resend, incidents)
    undo_batch(engine, res.batch_id, "admin")
    assert_pages_match(engine, rows, incidents)
    with engine.connect() as conn:
        assert_rollups_match(
            conn, "presence", "presence", "report_date", "sum(person_count), count(*)"
        )
        assert_rollups_match(
            conn, "incidents", "incident", "incident_date", "count(*), sum(persons)"
        )


def test_the_migration_fills_the_monthly_roll_ups_from_the_daily_ones(engine):
    from alembic import command

    from storage.engine import write_tx
    from storage.schema import alembic_config, upgrade

    import_file(engine, presence_csv(presence_rows()), "p.csv", "presence")
    import_file(engine, incident_csv(incident_rows()), "i.csv", "incidents")
    cfg = alembic_config()
    with write_tx(engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0008")  # drops the monthly roll-ups
    upgrade(engine)  # creates and fills them again
    with engine.connect() as conn:
        assert_rollups_match(
            conn, "presence", "presence", "report_date", "sum(person_count), count(*)"
        )
        assert_rollups_match(
            conn, "incidents", "incident", "incident_date", "count(*), sum(persons)"
        )
    assert_pages_match(engine, presence_rows(), incident_rows())
