"""loaders.reader: bytes in, raw text table out, or ImportRejected with an exact code."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

# `pytest tests/unit/...` puts tests/unit, not the repo root, on sys.path (no __init__.py there)
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from i18n import has  # noqa: E402
from loaders import reader, xlsx_budget  # noqa: E402
from loaders.errors import ImportRejected  # noqa: E402
from loaders.reader import Limits, RawTable, read_table  # noqa: E402

HEADER = ["tanggal_laporan", "kabupaten_kota", "kewarganegaraan", "no_paspor", "lokasi", "lat"]
ROWS = [
    ["03/04/1990", "Lobar", "NA", "0012345", "Gili Trawangan", "-8,58"],
    ["2024-11-27", "Kota Mataram", "Tiongkok", "00A77", "Café Ümit, Senggigi", "-8.35"],
    ["27 Nov 2024", "52.01", "N/A", "", 'Kuta; "Mandalika"', ""],
    ["1/2/2024", "KLU", "null", "None", "nan", "-"],
]


def csv_bytes(rows, delimiter=",", encoding="utf-8", newline="\n", quoting=csv.QUOTE_MINIMAL):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=quoting).writerows(rows)
    text = out.getvalue()
    if encoding == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding)


def rejected(data: bytes, filename: str = "data.csv", limits: Limits = Limits()) -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        read_table(data, filename, limits)
    return info.value


def as_lists(rt: RawTable) -> dict[str, list[str]]:
    return {c: rt.frame[c].tolist() for c in rt.frame.columns}


def assert_clean(rt: RawTable) -> None:
    """Every value a str, no missing values, one int64 line number per row."""
    assert not rt.frame.isna().any().any()
    assert all(type(v) is str for c in rt.frame.columns for v in rt.frame[c].tolist())
    assert rt.lines.dtype == np.int64
    assert len(rt.lines) == len(rt.frame)
    assert list(rt.frame.index) == list(range(len(rt.frame)))


EXPECTED = {h: [r[i] for r in ROWS] for i, h in enumerate(HEADER)}


# --- encodings and delimiters ----------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding,reported",
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-be-bom", "utf-16"),
        ("cp1252", "cp1252"),
    ],
)
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_every_encoding_and_delimiter_gives_the_same_table(encoding, reported, delimiter, newline):
    data = csv_bytes([HEADER] + ROWS, delimiter, encoding, newline)
    rt = read_table(data, "presence.csv")
    assert_clean(rt)
    assert list(rt.frame.columns) == HEADER
    assert as_lists(rt) == EXPECTED
    assert rt.lines.tolist() == [2, 3, 4, 5]
    assert (rt.fmt, rt.encoding, rt.delimiter, rt.ragged) == ("csv", reported, delimiter, [])


def test_semicolon_file_keeps_decimal_commas_as_text():
    data = b"lat;lon;kabupaten_kota\n-8,58;116,10;Lobar\n-8,35;116,04;Lotim\n"
    rt = read_table(data, "x.csv")
    assert rt.delimiter == ";"
    assert as_lists(rt) == {
        "lat": ["-8,58", "-8,35"],
        "lon": ["116,10", "116,04"],
        "kabupaten_kota": ["Lobar", "Lotim"],
    }


def test_tab_file_with_commas_in_values():
    data = b"sponsor\tlokasi\nPT Maju, Jaya\tSenggigi, Lombok Barat\nCV A\tKuta\n"
    rt = read_table(data, "x.tsv")
    assert rt.delimiter == "\t"
    assert as_lists(rt) == {
        "sponsor": ["PT Maju, Jaya", "CV A"],
        "lokasi": ["Senggigi, Lombok Barat", "Kuta"],
    }


def test_nothing_becomes_missing_or_a_number_or_a_date():
    data = (
        b"kewarganegaraan,no_paspor,tanggal,jumlah\n"
        b"NA,0012345,03/04/1990,007\nN/A,00000,1990-04-03,1.50\n"
        b"null,-,nan,None\n NaN , #N/A ,NULL,-0\n"
    )
    rt = read_table(data, "x.csv")
    assert_clean(rt)
    assert as_lists(rt) == {
        "kewarganegaraan": ["NA", "N/A", "null", "NaN"],
        "no_paspor": ["0012345", "00000", "-", "#N/A"],
        "tanggal": ["03/04/1990", "1990-04-03", "nan", "NULL"],
        "jumlah": ["007", "1.50", "None", "-0"],
    }


def test_values_and_headers_are_stripped_of_all_kinds_of_space():
    data = "  Lokasi \u00a0, Kode\t\n\u00a0 Gili Air\u200b ,  0012 \n".encode()
    rt = read_table(data, "x.csv")
    assert as_lists(rt) == {"Lokasi": ["Gili Air"], "Kode": ["0012"]}


def test_cp1252_letters_are_decoded():
    data = "lokasi,sponsor\nCafé Ümit,Müller & Söhne\n".encode("cp1252")
    rt = read_table(data, "x.csv")
    assert rt.encoding == "cp1252"
    assert as_lists(rt) == {"lokasi": ["Café Ümit"], "sponsor": ["Müller & Söhne"]}


def test_utf8_and_cp1252_lines_mixed_are_rejected_naming_the_first_cp1252_line():
    """Mostly UTF-8 with a cp1252 line was read as cp1252 (Café -> CafÃ©), silently."""
    data = (
        ("no,lokasi\n1,Café\n2,Kuta\n3,Senggigi\n").encode()
        + b"4,Caf\xe9\n"
        + "5,Gili Air\n6,Hôtel\n".encode()
    )
    e = rejected(data, "x.csv")
    assert (e.code, e.params) == ("mixed_encoding", {"line": 5, "utf8_line": 2})
    assert e.message("id").startswith("Baris 5 bukan UTF-8 sedangkan baris 2 UTF-8")
    assert e.message("en").startswith("Line 5 is not UTF-8 while line 2 is")


def test_cp1252_lines_before_the_utf8_line_are_named_too():
    data = b"lokasi\nJos\xe9\nM\xfcller\n" + "Café\n".encode()
    e = rejected(data, "x.csv")
    assert (e.code, e.params) == ("mixed_encoding", {"line": 2, "utf8_line": 4})


def test_pure_cp1252_with_many_accents_is_still_cp1252():
    rows = ["Café", "José", "Müller", "Gili Trawangan", "Søren", "Ålesund", "Â¡ Ümit José"]
    data = ("lokasi\n" + "\n".join(rows) + "\n").encode("cp1252")
    rt = read_table(data, "x.csv")
    assert (rt.encoding, rt.frame["lokasi"].tolist()) == ("cp1252", rows)


def test_cp1252_with_a_chance_utf8_pair_is_still_cp1252():
    data = "lokasi\nÂ¡ Ümit José\n".encode("cp1252")  # C2 A1 happens to be valid UTF-8
    rt = read_table(data, "x.csv")
    assert (rt.encoding, rt.frame["lokasi"].tolist()) == ("cp1252", ["Â¡ Ümit José"])


def test_utf16_with_bom_little_and_big_endian():
    text = "lokasi;jumlah\r\nGili Trawangan;3\r\nSenggigi é;04\r\n"
    for data in (
        text.encode("utf-16"),
        b"\xff\xfe" + text.encode("utf-16-le"),
        b"\xfe\xff" + text.encode("utf-16-be"),
    ):
        rt = read_table(data, "x.txt")
        assert (rt.encoding, rt.delimiter) == ("utf-16", ";")
        assert as_lists(rt) == {"lokasi": ["Gili Trawangan", "Senggigi é"], "jumlah": ["3", "04"]}


def test_utf16_without_bom_is_recognised():
    rt = read_table("a\tb\r\n1\t02\r\n".encode("utf-16-le"), "x.txt")
    assert (rt.encoding, rt.delimiter, as_lists(rt)) == ("utf-16", "\t", {"a": ["1"], "b": ["02"]})


def test_single_column_file_is_allowed():
    rt = read_table(b"kewarganegaraan\nNA\nAUS\n", "x.csv")
    assert as_lists(rt) == {"kewarganegaraan": ["NA", "AUS"]}
    assert rt.lines.tolist() == [2, 3]


# --- line numbers ----------------------------------------------------------------------------


def test_quoted_newline_counts_as_one_line_and_blank_rows_are_counted():
    data = b'lokasi,uraian\nGili,"baris satu\nbaris dua"\nKuta,x\n\nSenggigi,y\n'
    rt = read_table(data, "x.csv")
    assert rt.lines.tolist() == [2, 3, 5]
    assert as_lists(rt) == {
        "lokasi": ["Gili", "Kuta", "Senggigi"],
        "uraian": ["baris satu\nbaris dua", "x", "y"],
    }


def test_blank_rows_of_delimiters_or_spaces_are_dropped_but_counted():
    data = b"a,b\r\n1,2\r\n,\r\n   ,  \r\n\r\n3,4"
    rt = read_table(data, "x.csv")
    assert rt.lines.tolist() == [2, 6]
    assert as_lists(rt) == {"a": ["1", "3"], "b": ["2", "4"]}


def test_blank_lines_before_the_header_are_counted():
    rt = read_table(b"\n ; \nlokasi;jumlah\nGili;3\n", "x.csv")
    assert rt.lines.tolist() == [4]
    assert as_lists(rt) == {"lokasi": ["Gili"], "jumlah": ["3"]}


def test_old_mac_line_endings():
    rt = read_table(b"a,b\r1,2\r\r3,4\r", "x.csv")
    assert rt.lines.tolist() == [2, 4]
    assert as_lists(rt) == {"a": ["1", "3"], "b": ["2", "4"]}


# --- ragged rows and header cells ------------------------------------------------------------


def test_rows_with_a_wrong_number_of_fields_are_listed_and_padded():
    data = b'a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12,\n"x\ny",13,14\n15\n'
    rt = read_table(data, "x.csv")
    assert rt.ragged == [3, 4, 7]  # 10,11,12, has an extra but empty field: not ragged
    assert rt.lines.tolist() == [2, 3, 4, 5, 6, 7]
    assert as_lists(rt) == {
        "a": ["1", "4", "6", "10", "x\ny", "15"],
        "b": ["2", "5", "7", "11", "13", ""],
        "c": ["3", "", "8", "12", "14", ""],
    }
    assert_clean(rt)


def test_a_row_whose_data_is_all_beyond_the_header_is_kept_for_reporting():
    rt = read_table(b"a,b\n1,2\n,,x\n", "x.csv")
    assert (rt.ragged, rt.lines.tolist()) == ([3], [2, 3])
    assert as_lists(rt) == {"a": ["1", ""], "b": ["2", ""]}


def test_trailing_empty_header_cells_without_data_are_dropped():
    rt = read_table(b"a;b;;\n1;2;;\n3;4\n", "x.csv")
    assert list(rt.frame.columns) == ["a", "b"]
    assert as_lists(rt) == {"a": ["1", "3"], "b": ["2", "4"]}
    assert rt.ragged == []


def test_empty_header_cell_with_data_is_rejected():
    e = rejected(b"a,,c\n1,2,3\n")
    assert (e.code, e.params) == ("empty_header", {"position": 2})
    e = rejected(b"a,b,\n1,2,\n3,4,x\n")
    assert (e.code, e.params) == ("empty_header", {"position": 3})


def test_empty_header_cell_without_data_is_dropped():
    rt = read_table(b"a,,c\n1,,3\n", "x.csv")
    assert as_lists(rt) == {"a": ["1"], "c": ["3"]}


def test_duplicate_headers_are_rejected_ignoring_case_and_spaces():
    e = rejected(b"Regency,lokasi, regency \n1,2,3\n")
    assert (e.code, e.params) == ("duplicate_header", {"column": "regency"})


# --- rejected files --------------------------------------------------------------------------


def make_xlsx(
    sheets: dict[str, list[list]], formats: dict[tuple[int, int], str] | None = None
) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        if title == next(iter(sheets)):
            for (r, c), fmt in (formats or {}).items():
                ws.cell(row=r, column=c).number_format = fmt
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@functools.cache
def small_xlsx() -> bytes:
    return make_xlsx({"data": [["a", "b"], [1, "x"]]})


@pytest.mark.parametrize(
    "data,filename,code,params",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "foto.csv", "binary_file", {"kind": "PNG"}),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "laporan.csv", "binary_file", {"kind": "PDF"}),
        (b"GIF89a\x01\x00", "x.txt", "binary_file", {"kind": "GIF"}),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "x.csv", "binary_file", {"kind": "JPEG"}),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "data.xls",
            "binary_file",
            {"kind": "Excel 97-2003 (.xls)"},
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "data.xlsx",
            "binary_file",
            {"kind": "Excel 97-2003 (.xls)"},
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
            "data.xlsx",
            "encrypted_file",
            {},
        ),
        (b"a,b\n1,\x002\n", "x.csv", "binary_file", {"kind": "NUL (0x00)"}),
        (b"\xef\xbb\xbfa,b\n1,\x002\n", "x.csv", "binary_file", {"kind": "NUL (0x00)"}),
        ("a,b\n1,\x002\n".encode("utf-16"), "x.csv", "binary_file", {"kind": "NUL (0x00)"}),
        (b"", "x.csv", "empty_file", {}),
        (b"\xef\xbb\xbf", "x.csv", "empty_file", {}),
        (b"\xff\xfe", "x.csv", "empty_file", {}),
        (b"\xef\xbb\xbf \r\n\t\r\n", "x.csv", "empty_file", {}),
        (b",,,\n,,\n", "x.csv", "empty_file", {}),
        (b"\t\t\n \t\n", "x.tsv", "empty_file", {}),
        (b"", "x.xlsx", "empty_file", {}),
        (b"a,b\n", "x.csv", "no_rows", {}),
        (b"a,b", "x.csv", "no_rows", {}),
        (b"a;b\r\n\r\n;\r\n", "x.csv", "no_rows", {}),
        (b"\xef\xbb\xbfa,b\n1,\xff\n", "x.csv", "bad_encoding", {"line": 2}),
        (
            "a,b\n\u00e9,\u00fc\n".encode() + b"\xe9\n",
            "x.csv",
            "mixed_encoding",
            {"line": 3, "utf8_line": 2},
        ),
        (b"a,b\n1,\x81\n", "x.csv", "bad_encoding", {"line": 2}),
        (b"\xff\xfea\x00,\x00\x00\xd8", "x.csv", "bad_encoding", {"line": 1}),
        (
            b"a,b\n1,2\n",
            "data.json",
            "unsupported_extension",
            {"ext": ".json", "allowed": ".csv, .tsv, .txt, .xlsx"},
        ),
        (
            b"a,b\n1,2\n",
            "data",
            "unsupported_extension",
            {"ext": "-", "allowed": ".csv, .tsv, .txt, .xlsx"},
        ),
        (b"a,b\n1,2\n", "data.xlsx", "disguised_file", {"actual": "CSV", "ext": ".xlsx"}),
        (b"PK\x03\x04 not really a zip", "data.xlsx", "bad_xlsx", {}),
        (b"PK\x03\x04 not really a zip", "data.csv", "binary_file", {"kind": "ZIP"}),
        # a quote opened on line 3 and never closed: named as such, not as a 200,000-character field
        (b'a,b\n1,2,3\n4,"' + b"x" * 200_000, "x.csv", "unclosed_quote", {"line": 3}),
        (
            b"a,b\n1,2,3\n4," + b"x" * 200_000,
            "x.csv",
            "field_too_long",
            {"line": 3, "column": "b", "length": 200_000, "max": 2000},
        ),
    ],
)
def test_rejected_with_exact_code(data, filename, code, params):
    e = rejected(data, filename)
    assert (e.code, e.params) == (code, params)


def test_xlsx_renamed_csv_is_rejected_as_disguised():
    for name in ("presence.csv", "presence.TXT"):
        e = rejected(small_xlsx(), name)
        assert (e.code, e.params) == (
            "disguised_file",
            {"actual": "XLSX", "ext": name[-4:].lower()},
        )


def test_other_office_zips_are_binary():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w/>")
    e = rejected(out.getvalue(), "x.csv")
    assert (e.code, e.params) == ("binary_file", {"kind": "Word (.docx)"})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("a.csv", "a,b\n1,2\n")
    assert rejected(out.getvalue(), "x.csv").params == {"kind": "ZIP"}


def test_damaged_xlsx_is_rejected():
    assert rejected(small_xlsx()[:-200], "x.xlsx").code == "bad_xlsx"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:  # looks like a workbook, is not one
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "not xml")
    assert rejected(out.getvalue(), "x.xlsx").code == "bad_xlsx"


def test_size_limit():
    data = b"a,b\n" + b"1,2\n" * 300_000  # 1.15 MB
    e = rejected(data, limits=Limits(max_bytes=1024 * 1024))
    assert (e.code, e.params) == ("file_too_large", {"size_mb": 1.1, "max_mb": 1})
    assert read_table(data, "x.csv", Limits(max_bytes=2 * 1024 * 1024)).lines[-1] == 300_001


def test_row_limit_counts_data_rows_only():
    data = b"a,b\n1,2\n\n,\n3,4\n5,6\n"
    e = rejected(data, limits=Limits(max_rows=2))
    assert (e.code, e.params) == ("too_many_rows", {"rows": 3, "max_rows": 2})
    assert len(read_table(data, "x.csv", Limits(max_rows=3)).frame) == 3


def test_field_length_limit_names_line_and_column():
    data = 'a,b\n1,2\n3,"' + "é" * 11 + '"\n' + "x" * 50 + ",4\n"
    e = rejected(data.encode(), limits=Limits(max_field_chars=10))
    assert (e.code, e.params) == (
        "field_too_long",
        {"line": 3, "column": "b", "length": 11, "max": 10},
    )
    rt = read_table(data.encode(), "x.csv", Limits(max_field_chars=50))
    assert rt.frame["b"].tolist() == ["2", "é" * 11, "4"]


def test_column_limit_ignores_trailing_empty_header_cells():
    header = ",".join(f"c{i}" for i in range(5))
    e = rejected(f"{header}\n1,2,3,4,5\n".encode(), limits=Limits(max_columns=4))
    assert (e.code, e.params) == ("too_many_columns", {"columns": 5, "max_columns": 4})
    rt = read_table(b"c0,c1,,,,,\n1,2,,,,,\n", "x.csv", Limits(max_columns=2))
    assert list(rt.frame.columns) == ["c0", "c1"]


# --- the slow path gives the same table as the fast path -------------------------------------


def read_slow(
    data: bytes, filename: str = "x.csv", limits: Limits = Limits(), path: str = "python"
) -> RawTable:
    """Read with pyarrow's fast path refused, and with path="python" its tolerant one too."""

    def refuse(*args, **kwargs):
        raise pa.ArrowInvalid("forced")

    saved = reader._csv_fast, reader._csv_tolerant
    reader._csv_fast = refuse
    if path == "python":
        reader._csv_tolerant = refuse
    try:
        return read_table(data, filename, limits)
    finally:
        reader._csv_fast, reader._csv_tolerant = saved


PATHS = ["tolerant", "python"]


@pytest.mark.parametrize(
    "data",
    [
        csv_bytes([HEADER] + ROWS, ";", "utf-8", "\r\n"),
        b'lokasi,uraian\nGili,"baris satu\r\nbaris dua"\nKuta,x\n\n  ,\nSenggigi,y',
        b"a,b\r1,2\r\r3,4\r",
        b"\n\nlokasi;;jumlah\n Gili ;;3\n",
    ],
)
@pytest.mark.parametrize("path", PATHS)
def test_fast_and_slow_paths_agree(data, path):
    fast, slow = read_table(data, "x.csv"), read_slow(data, path=path)
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.lines.tolist() == slow.lines.tolist()
    assert (fast.encoding, fast.delimiter, fast.ragged) == (slow.encoding, slow.delimiter, [])


RAGGED = b'a,b,c\n1,2,3\n"x\ny",5\n\n6,7,8,9\n"p\n\nq",r,s\n10,11,12,\n   \n15\n,,,z\n16,17,18'


@pytest.mark.parametrize("path", PATHS)
def test_ragged_rows_after_multiline_records_are_put_back_in_place(path):
    for rt in (read_table(RAGGED, "x.csv"), read_slow(RAGGED, path=path)):
        assert rt.lines.tolist() == [2, 3, 5, 6, 7, 9, 10, 11]
        assert rt.ragged == [3, 5, 9, 10]
        assert as_lists(rt) == {
            "a": ["1", "x\ny", "6", "p\n\nq", "10", "15", "", "16"],
            "b": ["2", "5", "7", "r", "11", "", "", "17"],
            "c": ["3", "", "8", "s", "12", "", "", "18"],
        }


def test_a_quote_that_never_closes_in_the_python_path():
    data = b'a,b\n1,2,3\n4,"' + b"x\n" * 70_000
    with pytest.raises(ImportRejected) as info:
        read_slow(data, path="python")
    assert (info.value.code, info.value.params) == ("unclosed_quote", {"line": 3})
    assert (rejected(data).code, rejected(data).params) == (
        "unclosed_quote",
        {"line": 3},
    )  # the full reader too


@pytest.mark.parametrize(
    "data,limits,code",
    [
        (b"a,b\n1,2\n3,4\n", Limits(max_rows=1), "too_many_rows"),
        (b"a,b\n1,2\n3,45678\n", Limits(max_field_chars=4), "field_too_long"),
        (b"a,,b\n1,2,3\n", Limits(), "empty_header"),
        (b"a,b\n\n", Limits(), "no_rows"),
    ],
)
@pytest.mark.parametrize("path", PATHS)
def test_fast_and_slow_paths_reject_alike(data, limits, code, path):
    fast = rejected(data, limits=limits)
    with pytest.raises(ImportRejected) as info:
        read_slow(data, limits=limits, path=path)
    slow = info.value
    assert (fast.code, fast.params) == (slow.code, slow.params)
    assert fast.code == code


# --- XLSX ------------------------------------------------------------------------------------


def test_xlsx_first_sheet_as_text():
    data = make_xlsx(
        {
            "presence": [
                [
                    "tanggal_laporan",
                    "kewarganegaraan",
                    "jumlah_orang",
                    "no_paspor",
                    "lat",
                    "kode",
                    "waktu",
                    "terkait_pilkada",
                ],
                [
                    dt.datetime(2024, 11, 27),
                    "NA",
                    5,
                    "007",
                    -8.58,
                    123,
                    dt.datetime(2024, 11, 27, 14, 30),
                    True,
                ],
                [None, None, None, None, None, None, None, None],
                [dt.date(2024, 1, 2), " AUS ", 5.0, "0012345", 116.1, 45, None, False],
            ],
            "second": [["x", "y"], ["ignored", "too"]],
        },
        formats={(2, 6): "00000", (4, 6): "00000"},
    )
    rt = read_table(data, "Presence.XLSX")
    assert_clean(rt)
    assert (rt.fmt, rt.encoding, rt.delimiter, rt.ragged) == ("xlsx", None, None, [])
    assert rt.lines.tolist() == [2, 4]
    assert as_lists(rt) == {
        "tanggal_laporan": ["2024-11-27", "2024-01-02"],
        "kewarganegaraan": ["NA", "AUS"],
        "jumlah_orang": ["5", "5"],
        "no_paspor": ["007", "0012345"],
        "lat": ["-8.58", "116.1"],
        "kode": ["00123", "00045"],
        "waktu": ["2024-11-27 14:30:00", ""],
        "terkait_pilkada": ["TRUE", "FALSE"],
    }


def test_xlsx_header_below_blank_rows_and_short_rows():
    data = make_xlsx({"s": [[None], [None, None], ["a", "b", "c"], ["1"], [None, None, "3"]]})
    rt = read_table(data, "x.xlsx")
    assert rt.lines.tolist() == [4, 5]
    assert as_lists(rt) == {"a": ["1", ""], "b": ["", ""], "c": ["", "3"]}
    assert rt.ragged == []


def test_xlsx_value_right_of_the_header_is_an_empty_header():
    data = make_xlsx({"s": [["a", "b"], [1, 2, None, "stray"]]})
    e = rejected(data, "x.xlsx")
    assert (e.code, e.params) == ("empty_header", {"position": 4})


@pytest.mark.parametrize(
    "sheet,code",
    [
        ([["a", "b"]], "no_rows"),
        ([["a", "A "], [1, 2]], "duplicate_header"),
        ([], "empty_file"),
    ],
)
def test_xlsx_rejections(sheet, code):
    assert rejected(make_xlsx({"s": sheet}), "x.xlsx").code == code


# --- messages --------------------------------------------------------------------------------

CODES = {
    "file_too_large": {"size_mb": 250.3, "max_mb": 200.0},
    "empty_file": {},
    "no_rows": {},
    "unsupported_extension": {"ext": ".json", "allowed": ".csv, .tsv, .txt, .xlsx"},
    "binary_file": {"kind": "PNG"},
    "disguised_file": {"actual": "XLSX", "ext": ".csv"},
    "encrypted_file": {},
    "bad_xlsx": {},
    "bad_encoding": {"line": 7},
    "mixed_encoding": {"line": 8, "utf8_line": 2},
    "xlsx_unpacked_too_large": {"max_mb": 1000, "factor": 5, "file_mb": 200},
    "xlsx_too_many_rows": {"max_rows": 2_000_000},
    "xlsx_too_many_cells": {"max_cells": 200_000_000, "max_rows": 2_000_000, "max_columns": 100},
    "xlsx_value_too_long": {"max": 2000},
    "duplicate_header": {"column": "regency"},
    "empty_header": {"position": 3},
    "too_many_rows": {"rows": 2_000_001, "max_rows": 2_000_000},
    "too_many_columns": {"columns": 101, "max_columns": 100},
    "field_too_long": {"line": 9, "column": "uraian", "length": 2001, "max": 2000},
    "unclosed_quote": {"line": 12},
    "unreadable_file": {},
}


@pytest.mark.parametrize("code", sorted(CODES))
@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_code_has_a_message(code, lang):
    assert has(f"errors.{code}", lang)
    text = ImportRejected(code, **CODES[code]).message(lang)
    assert text and "{" not in text and not text.startswith("errors.")
    for value in CODES[code].values():
        assert str(value) in text


def test_the_code_list_is_complete():
    """Every code the reader can raise is listed in CODES (so has a message)."""
    source = "".join(
        Path(module.__file__).read_text(encoding="utf-8") for module in (reader, xlsx_budget)
    )
    raised = set(re.findall(r'ImportRejected\(\s*"(\w+)"', source))
    assert raised == set(CODES)


# --- properties ------------------------------------------------------------------------------

FILENAMES = st.sampled_from(["x.csv", "x.tsv", "x.txt", "x.xlsx", "x.XLSX", "x.xls", "x", "x.pdf"])
PREFIXES = st.sampled_from(
    [
        b"",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xfe\xff",
        b"PK\x03\x04",
        b"PK\x05\x06",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"a,b\n",
        b"a;b;c\r\n",
        b'"a\tb"\tc\n',
        b"\x89PNG\r\n\x1a\n",
    ]
)
SMALL = Limits(max_bytes=64 * 1024, max_rows=50, max_field_chars=40, max_columns=8)


def check_outcome(data: bytes, filename: str, limits: Limits = SMALL) -> RawTable | None:
    try:
        rt = read_table(data, filename, limits)
    except ImportRejected as e:
        assert e.code in CODES and e.code != "unreadable_file", e.code
        e.message("id"), e.message("en")
        return None
    assert_clean(rt)
    assert len(rt.frame) > 0
    assert (np.diff(rt.lines) > 0).all() and rt.lines[0] >= 2
    assert all(line in set(rt.lines.tolist()) for line in rt.ragged)
    assert all(c == c.strip(reader.WHITESPACE) and c for c in rt.frame.columns)
    return rt


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=PREFIXES, body=st.binary(max_size=400), filename=FILENAMES)
def test_arbitrary_bytes_only_ever_raise_import_rejected(prefix, body, filename):
    check_outcome(prefix + body, filename)


TEXT = st.text(st.sampled_from(list('ab,;\t"\n\r  é\u00a0NA0-\x00ü\ufeff')), max_size=200)


@settings(max_examples=400, deadline=None)
@given(
    text=TEXT,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"]),
    filename=FILENAMES,
)
def test_arbitrary_text_in_any_encoding_only_ever_raises_import_rejected(text, encoding, filename):
    data = text.encode(encoding, errors="ignore")
    rt = check_outcome(data, filename)
    if rt is not None and encoding not in ("utf-16-le", "utf-16-be", "cp1252"):
        for path in PATHS:
            slow = read_slow(data, filename, SMALL, path)
            pd.testing.assert_frame_equal(rt.frame, slow.frame)
            assert (rt.lines.tolist(), rt.ragged) == (slow.lines.tolist(), slow.ragged)


CELL = st.text(
    st.characters(
        blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp", "Cf"), blacklist_characters="\ufeff"
    ),
    max_size=12,
) | st.sampled_from(
    ["NA", "0012", "-8,58", "a\nb", "a\r\nb", 'say "hi"', "x,y;z\tw", "", "Gili Air", " ", "N/A"]
)
NAMES = st.lists(
    st.from_regex(r"[a-z][a-z_0-9]{0,8}", fullmatch=True), min_size=1, max_size=6, unique=True
)


@settings(max_examples=200, deadline=None)
@given(
    names=NAMES,
    data=st.data(),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    quote_all=st.booleans(),
)
def test_round_trip_of_a_written_table(names, data, delimiter, encoding, newline, quote_all):
    rows = data.draw(
        st.lists(st.lists(CELL, min_size=len(names), max_size=len(names)), min_size=1, max_size=15)
    )
    if encoding == "cp1252":
        rows = [[c.encode("cp1252", "ignore").decode("cp1252") for c in r] for r in rows]
    rows = [[c.strip(reader.WHITESPACE) for c in r] for r in rows]
    if len(names) == 1:  # a one-column file cannot say which delimiter it uses
        rows = [[r[0].replace(",", "").replace(";", "").replace("\t", "")] for r in rows]
    raw = csv_bytes(
        [names] + rows,
        delimiter,
        encoding,
        newline,
        csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    if encoding == "cp1252":
        # cp1252 bytes that are also valid UTF-8 ("Â¡") are read as UTF-8, as they should be
        assume(not any(ord(ch) > 127 and ch != "\ufffd" for ch in raw.decode("utf-8", "replace")))
    expected = [(i + 2, r) for i, r in enumerate(rows) if any(r)]
    if not expected:
        assert rejected(raw).code == "no_rows"
        return
    for rt in (read_table(raw, "x.csv"), *(read_slow(raw, path=path) for path in PATHS)):
        assert list(rt.frame.columns) == names
        assert rt.frame.values.tolist() == [r for _, r in expected]
        assert rt.lines.tolist() == [line for line, _ in expected]
        assert rt.ragged == []
        if len(names) > 1:
            assert rt.delimiter == delimiter
