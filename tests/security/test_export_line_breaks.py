"""Issue 21 item 4: a line break inside a cell must not start a new row, nor hide a formula after it,
in a CSV export read back by Python's csv module and by pandas."""

import csv
import io

import pandas as pd

from viz.exports import to_csv

CELLS = ["FORMULA-5-\r=1+1", "a\n+2", "b\r\n-3", "c\r@SUM(A1)", "d\n\n=4", "e\rplain", "=5\r=6"]
# What a reader must get back: one cell each, every formula character after a break (and at the start)
# behind an apostrophe, the breaks themselves kept.
EXPECTED = [
    "FORMULA-5-\r'=1+1",
    "a\n'+2",
    "b\r\n'-3",
    "c\r'@SUM(A1)",
    "d\n\n'=4",
    "e\rplain",
    "'=5\r'=6",
]


def _export() -> str:
    return to_csv(pd.DataFrame({"uraian": CELLS, "n": range(len(CELLS))}), "TERBATAS").decode(
        "utf-8-sig"
    )


def _lines_start_with_formula(text: str) -> list[str]:
    """Every piece of the file after any CR or LF: what a line-splitting reader sees as a row."""
    return [
        piece
        for piece in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if piece[:1] in ("=", "+", "-", "@")
    ]


def test_csv_module_reads_one_row_per_record_with_the_exact_cells():
    rows = list(csv.reader(io.StringIO(_export(), newline="")))
    assert rows == [["# TERBATAS"], ["uraian", "n"]] + [[c, str(i)] for i, c in enumerate(EXPECTED)]
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@")]


def test_pandas_reads_the_same_cells():
    back = pd.read_csv(io.StringIO(_export()), skiprows=1, dtype=str, keep_default_na=False)
    assert back.to_dict("list") == {"uraian": EXPECTED, "n": [str(i) for i in range(len(CELLS))]}


def test_no_line_of_the_file_starts_with_a_formula_character():
    assert _lines_start_with_formula(_export()) == []
