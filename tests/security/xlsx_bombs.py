"""Minimal XLSX files written member by member with zipfile + deflate, streaming, so that a
workbook that unpacks to gigabytes is made without ever holding more than a chunk of it.

Used by the spreadsheet-bomb tests and by scripts/bench_xlsx.py (normal files of N rows)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>"
)
SHEET_TAIL = "</sheetData></worksheet>"
SST_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
_CHUNK = 1 << 20


def column_letter(j: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    name = ""
    j += 1
    while j:
        j, rem = divmod(j - 1, 26)
        name = chr(65 + rem) + name
    return name


def write_xlsx(path: Path, sheet_xml: Iterable[str], shared_xml: Iterable[str] = ()) -> Path:
    """An XLSX whose first sheet's <sheetData> is ``sheet_xml`` and whose shared-string table
    holds ``shared_xml`` (<si> elements), both written piece by piece, deflated."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        _stream(zf, "xl/sharedStrings.xml", [SST_HEAD, *shared_xml, "</sst>"])
        _stream(zf, "xl/worksheets/sheet1.xml", [SHEET_HEAD, *sheet_xml, SHEET_TAIL])
    return path


def _stream(zf: zipfile.ZipFile, name: str, parts: Iterable[str | Iterable[str]]) -> None:
    with zf.open(name, "w", force_zip64=True) as out:
        buf: list[str] = []
        size = 0
        for part in _flatten(parts):
            buf.append(part)
            size += len(part)
            if size >= _CHUNK:
                out.write("".join(buf).encode("utf-8"))
                buf, size = [], 0
        out.write("".join(buf).encode("utf-8"))


def _flatten(parts) -> Iterator[str]:
    for part in parts:
        if isinstance(part, str):
            yield part
        else:
            yield from part


def rows_xml(rows: Iterable[list[str]], start: int = 1) -> Iterator[str]:
    """Rows of inline strings."""
    for r, row in enumerate(rows, start=start):
        cells = "".join(
            f'<c r="{column_letter(j)}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
            for j, v in enumerate(row)
            if v != ""
        )
        yield f'<row r="{r}">{cells}</row>'


def huge_text(n_chars: int, char: str = "A") -> Iterator[str]:
    """``n_chars`` copies of ``char``, a megabyte at a time."""
    block = char * _CHUNK
    for _ in range(n_chars // _CHUNK):
        yield block
    yield char * (n_chars % _CHUNK)


def one_huge_cell(path: Path, n_chars: int = 1 << 30) -> Path:
    """A header row and one data row whose second cell is a shared string of ``n_chars``
    characters (1 GiB of 'A' deflates to about 1 MB)."""
    sheet = [
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>',
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>',
    ]
    shared = [
        "<si><t>no_paspor</t></si>",
        "<si><t>lokasi</t></si>",
        "<si><t>X1</t></si>",
        "<si><t>",
        huge_text(n_chars),
        "</t></si>",
    ]
    return write_xlsx(path, sheet, shared)


def many_rows(path: Path, n_rows: int = 3_100_000) -> Path:
    """A one-column sheet: a header and ``n_rows`` tiny numeric rows."""
    head = ['<row r="1"><c r="A1" t="inlineStr"><is><t>jumlah</t></is></c></row>']
    body = (
        f'<row r="{r}"><c r="A{r}"><v>{r * 7919 % 1000003}</v></c></row>'
        for r in range(2, n_rows + 2)
    )
    return write_xlsx(path, [*head, body])
