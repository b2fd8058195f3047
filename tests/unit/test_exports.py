"""Safe exports: no cell a spreadsheet would evaluate, markings in the file, unique names;
and the escaping of user text in markdown and map hover text."""

import csv
import io

import openpyxl
import pandas as pd
import pytest

from viz.exports import TRIGGERS, to_csv, to_xlsx, unique_name

NASTY = [t + "1+1" for t in TRIGGERS] + [
    '=HYPERLINK("http://x","y")',
    '+cmd|" /C calc"!A0',
    "-2+3",
    "@SUM(A1)",
    'a "quoted" value',
    "semi;colon",
    "comma, inside",
    "line\nbreak",
    "plain",
]


def _evaluable(cell) -> bool:
    return isinstance(cell, str) and cell[:1] in TRIGGERS


def test_csv_has_no_evaluable_cell():
    df = pd.DataFrame({"description": NASTY, "n": range(len(NASTY))})
    data = to_csv(df, "TERBATAS").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows[0] == ["# TERBATAS"]
    cells = [c for r in rows[1:] for c in r]
    assert not [c for c in cells if _evaluable(c)]
    assert (
        '\'=HYPERLINK("http://x","y")' in cells
        and 'a "quoted" value' in cells
        and "comma, inside" in cells
    )


def test_xlsx_has_no_formula_and_carries_the_marking():
    df = pd.DataFrame({"=bad header": NASTY})
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(df, "RAHASIA")))
    ws = wb.active
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert values[0] == "RAHASIA"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert not [v for v in values if _evaluable(v)]
    assert "'=bad header" in values


def test_export_names_are_unique_and_marked():
    names = {unique_name("rincian", "csv", "RAHASIA") for _ in range(200)}
    assert len(names) == 200
    assert all(n.startswith("RAHASIA_rincian_") and n.endswith(".csv") for n in names)


@pytest.mark.parametrize(
    "payload",
    [
        "![x](http://evil.example/a.png)",
        "[click](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "**bold** _it_ `code`",
    ],
)
def test_markdown_escape_leaves_no_markup(payload):
    from ui.text import inert  # the UI layer owns markdown

    escaped = inert(payload)
    for ch in "[]()<>*_`!":
        assert f"\\{ch}" in escaped or ch not in payload


def test_map_hover_escapes_agency_names():
    import datetime as dt

    from domain.regions import areas_on, regencies
    from viz.maps import regency_map

    table = pd.DataFrame({"value": [1.0] * 10}, index=regencies().index)
    markers = pd.DataFrame(
        {
            "lat": [-8.58],
            "lon": [116.1],
            "severity": [4],
            "category": ["lainnya"],
            "incident_date": [dt.date(2024, 11, 1)],
            "responsible_agency": ["<script>alert(1)</script>"],
            "status": ["baru"],
            "located": [True],
            "election_related": [False],
        }
    )
    fig = regency_map(table, "present", "id", areas_on(dt.date(2024, 11, 1)), markers)
    hover = " ".join(str(h) for tr in fig.data for h in (tr.hovertext or []))
    assert "<script>" not in hover and "&lt;script&gt;" in hover
