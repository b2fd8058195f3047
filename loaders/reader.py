"""Bytes of an uploaded file -> a table of raw text, with spreadsheet line numbers.

The reader only *reads*: it sniffs the format (by content, not by name), the encoding and the
delimiter, finds the header, and returns every value as stripped text. It never maps header
names, never converts values (``NA`` is Namibia, ``0012345`` keeps its zeros, ``03/04/1990``
stays text) and never validates them: that is the schema module's job.

Everything that makes a whole file unreadable raises :class:`ImportRejected` with a message key
in ``i18n/errors.*.toml``; nothing else ever escapes :func:`read_table`.

Line numbers are the ones the analyst sees in a spreadsheet: the header's line (1 unless blank
lines precede it), one line per record even when a quoted value holds a newline, and blank rows
counted although they are dropped from the table.

CSV is read by pyarrow, multi-threaded, for every well-formed file (1,000,000 rows x 15
columns in about a second). When some rows have a wrong number of fields (``RawTable.ragged``)
pyarrow reads it again single-threaded, setting those rows aside with their record numbers so
that they can be put back in place; only if that fails too does Python's ``csv`` module read the
file. All three give the same table (the tests compare them).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import PurePath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from loaders.errors import ImportRejected
from loaders.xlsx_budget import check_xlsx

log = logging.getLogger(__name__)

TEXT_EXTENSIONS = (".csv", ".tsv", ".txt")
ALLOWED_EXTENSIONS = TEXT_EXTENSIONS + (".xlsx",)
DELIMITERS = (",", ";", "\t")

# Stripped from both ends of every value, by both CSV paths and the XLSX path alike: ASCII
# whitespace, no-break spaces, Unicode spaces, zero-width space and stray byte-order marks.
WHITESPACE = (
    " \t\n\r\v\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
)

_MB = 1024 * 1024
_SNIFF_BYTES = 64 * 1024
_SNIFF_RECORDS = 20
_EOL = re.compile(rb"\r\n|\r|\n")
_ZERO_PADDED = re.compile(r"^0+$")
_STRING = pa.large_string()  # what pandas' "str" dtype stores: no copy when converting

_MAGIC = (  # (prefix, what it looks like); zip and OLE2 are handled separately
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"%PDF-", "PDF"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x1f\x8b", "GZIP"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 200 * 1024 * 1024
    max_rows: int = 2_000_000
    max_field_chars: int = 2_000
    max_columns: int = 100


@dataclass
class RawTable:
    frame: pd.DataFrame  # one column per header cell (stripped header text); every value a str
    lines: np.ndarray  # int64: spreadsheet line of each row of frame (header = line 1)
    fmt: str  # "csv" or "xlsx"
    encoding: str | None  # "utf-8", "utf-8-sig", "utf-16", "cp1252"; None for xlsx
    delimiter: str | None  # ",", ";", "\t"; None for xlsx
    # Lines of CSV rows with a wrong number of fields: fewer than the header's (without its
    # trailing empty cells), or extra non-empty fields. Such rows are padded with '' or cut to
    # the header's width, and always kept in frame, so the validator can report them.
    ragged: list[int] = field(default_factory=list)


def read_table(data: bytes, filename: str, limits: Limits = Limits()) -> RawTable:
    """Read an uploaded CSV or XLSX file; raise ImportRejected if it cannot be read."""
    try:
        return _read(bytes(data), filename or "", limits)
    except ImportRejected:
        raise
    except Exception as exc:  # a bug or an exotic file: still a clear message, never a traceback
        log.exception("unexpected error reading %r", filename)
        raise ImportRejected("unreadable_file") from exc


# --- format ---------------------------------------------------------------------------------


def _read(data: bytes, filename: str, limits: Limits) -> RawTable:
    if len(data) > limits.max_bytes:
        raise ImportRejected(
            "file_too_large", size_mb=_megabytes(len(data)), max_mb=_megabytes(limits.max_bytes)
        )
    if not data:
        raise ImportRejected("empty_file")
    ext = PurePath(filename).suffix.lower()
    looks_like = _sniff_binary(data)
    if looks_like == "XLSX":
        if ext == ".xlsx":
            return _read_xlsx(data, limits)
        if ext in TEXT_EXTENSIONS:
            raise ImportRejected("disguised_file", actual="XLSX", ext=ext)
    elif looks_like == "broken zip":
        if ext == ".xlsx":
            raise ImportRejected("bad_xlsx")
        raise ImportRejected("binary_file", kind="ZIP")
    elif looks_like == "encrypted":
        raise ImportRejected("encrypted_file")
    elif looks_like is not None:
        raise ImportRejected("binary_file", kind=looks_like)
    if ext not in ALLOWED_EXTENSIONS:
        raise ImportRejected(
            "unsupported_extension", ext=ext or "-", allowed=", ".join(ALLOWED_EXTENSIONS)
        )
    buf, encoding = _decode(data)
    if ext == ".xlsx":  # text content under an .xlsx name
        if not buf.decode("utf-8").strip(WHITESPACE):
            raise ImportRejected("empty_file")
        raise ImportRejected("disguised_file", actual="CSV", ext=ext)
    return _read_csv(buf, encoding, ext, limits)


def _megabytes(size: int) -> float | int:
    mb = round(size / _MB, 1)
    return int(mb) if mb.is_integer() else mb


def _sniff_binary(data: bytes) -> str | None:
    """What a non-text file looks like: "XLSX", "broken zip", "encrypted", a format name, or
    None for (possibly) text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(_OLE2):
        # Excel 97-2003, or an XLSX protected by a password (stored in an OLE2 container)
        return "encrypted" if _ENCRYPTED_PACKAGE in data else "Excel 97-2003 (.xls)"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
                mimetype = b""
                if "mimetype" in names:
                    with zf.open("mimetype") as member:  # 100 bytes, not the whole member
                        mimetype = member.read(100)
        except Exception:
            return "broken zip"
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "XLSX"
        if any(n.startswith("word/") for n in names):
            return "Word (.docx)"
        if any(n.startswith("ppt/") for n in names):
            return "PowerPoint (.pptx)"
        if b"opendocument" in mimetype:
            return "OpenDocument (.ods/.odt)"
        return "ZIP"
    return None


# --- encoding -------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes (without BOM), and the encoding it was in."""
    if data.startswith(b"\xef\xbb\xbf"):
        body = data[3:]
        _check_utf8(body, offset=3, whole=data)
        return _no_nul(body), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _no_nul(_from_utf16(data, "utf-16", data)), "utf-16"
    if b"\x00" in data:
        codec = _bomless_utf16(data)
        if codec is None:
            raise ImportRejected("binary_file", kind="NUL (0x00)")
        return _no_nul(_from_utf16(data, codec, data)), "utf-16"
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError as err:
        if (utf8_line := _utf8_line(data)) is not None:
            # some lines are UTF-8 with accents and others are not: reading all as cp1252
            # would garble the first kind (Café -> CafÃ©)
            raise ImportRejected(
                "mixed_encoding", line=_line_at(data, err.start), utf8_line=utf8_line
            ) from None
        if _mostly_utf8(data[: err.start + _MB]):
            # more valid UTF-8 letters than invalid bytes: a damaged or mixed UTF-8 file, not
            # cp1252 (whose accented letters are almost never valid UTF-8); don't garble it
            raise ImportRejected("bad_encoding", line=_line_at(data, err.start)) from None
    try:
        return data.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError as err:
        raise ImportRejected("bad_encoding", line=_line_at(data, err.start)) from None


# A multi-byte UTF-8 sequence. In cp1252 text these bytes read as a capital letter with an
# accent followed by a symbol (Ã©), which real text almost never holds.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _utf8_line(data: bytes) -> int | None:
    """The first line that holds a multi-byte UTF-8 sequence and decodes as UTF-8 whole, in
    a file that does not; None when there is none (a cp1252 file)."""
    pos = 0
    while m := _UTF8_SEQUENCE.search(data, pos):
        start = max(data.rfind(b"\n", 0, m.start()), data.rfind(b"\r", 0, m.start())) + 1
        end = _EOL.search(data, m.end())
        end = end.start() if end else len(data)
        try:
            data[start:end].decode("utf-8")
            return _line_at(data, m.start())
        except UnicodeDecodeError:
            pos = end  # a cp1252 line where two letters happen to form a sequence
    return None


def _mostly_utf8(data: bytes) -> bool:
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - invalid  # non-ASCII letters
    return valid > invalid


def _check_utf8(body: bytes, offset: int, whole: bytes) -> None:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ImportRejected("bad_encoding", line=_line_at(whole, offset + err.start)) from None


def _from_utf16(data: bytes, codec: str, whole: bytes) -> bytes:
    try:
        return data.decode(codec).lstrip("\ufeff").encode("utf-8")
    except UnicodeError as err:
        start = getattr(err, "start", 0)
        prefix = whole[:start].decode(codec, errors="replace")
        raise ImportRejected("bad_encoding", line=prefix.count("\n") + 1) from None


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark: mostly-ASCII text has a NUL in every other byte."""
    if len(data) % 2 or len(data) < 4:
        return None
    sample = np.frombuffer(data[:4096], dtype=np.uint8)
    even, odd = (sample[0::2] == 0).mean(), (sample[1::2] == 0).mean()
    if odd > 0.9 and even < 0.1:
        return "utf-16-le"
    if even > 0.9 and odd < 0.1:
        return "utf-16-be"
    return None


def _no_nul(buf: bytes) -> bytes:
    if b"\x00" in buf:
        raise ImportRejected("binary_file", kind="NUL (0x00)")
    return buf


def _line_at(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


# --- CSV ------------------------------------------------------------------------------------


class _PhysicalLines:
    """Decoded physical lines of a UTF-8 buffer, remembering where the last one ended."""

    def __init__(self, buf: bytes):
        self.buf, self.end = buf, 0

    def __iter__(self) -> Iterator[str]:
        buf, n = self.buf, len(self.buf)
        while self.end < n:
            m = _EOL.search(buf, self.end)
            start, self.end = self.end, (m.end() if m else n)
            yield buf[start : self.end].decode("utf-8")


def _sniff_delimiter(buf: bytes, ext: str) -> str:
    """The delimiter giving a header of more than one field and the most consistent field
    count over the first records (ties: more fields, then `,` `;` TAB, TAB first for .tsv)."""
    sample = buf[:_SNIFF_BYTES]
    if len(buf) > _SNIFF_BYTES and (cut := max(sample.rfind(b"\n"), sample.rfind(b"\r"))) > 0:
        sample = sample[:cut]
    text = sample.decode("utf-8", errors="ignore")
    order = ("\t", ",", ";") if ext == ".tsv" else DELIMITERS
    best, best_key = ("\t" if ext == ".tsv" else ","), None
    for rank, delim in enumerate(order):
        counts: list[int] = []
        for rec in csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False):
            if any(c.strip(WHITESPACE) for c in rec):
                counts.append(len(rec))
                if len(counts) > _SNIFF_RECORDS:
                    break
        if not counts or counts[0] < 2:
            continue
        rest = counts[1:]
        consistency = sum(c == counts[0] for c in rest) / len(rest) if rest else 1.0
        key = (consistency, counts[0], -rank)
        if best_key is None or key > best_key:
            best, best_key = delim, key
    return best


def _read_csv(buf: bytes, encoding: str, ext: str, limits: Limits) -> RawTable:
    delim = _sniff_delimiter(buf, ext)
    if buf.count(b'"') % 2:  # an odd number of quotes: maybe a quoted field never closed
        _check_quotes_closed(buf, delim.encode())
    lines_in = _PhysicalLines(buf)
    records = _numbered(csv.reader(lines_in, delimiter=delim, strict=False))
    header_line, header = _find_header(records)
    shape = _Header(header, limits)
    try:
        columns, row_lines = _csv_fast(buf, lines_in.end, delim, header_line, len(header))
        ragged = np.zeros(0, np.int64)
    except _REFUSED:  # rows with a wrong number of fields, records larger than a block, ...
        try:
            columns, row_lines, ragged = _csv_tolerant(buf, lines_in.end, delim, header_line, shape)
        except _REFUSED:
            columns, row_lines, ragged = _csv_slow(buf, delim, shape)
    frame, lines = _finish(columns, row_lines, shape, limits, keep=ragged)
    return RawTable(frame, lines, "csv", encoding, delim, row_lines[ragged].tolist())


def _check_quotes_closed(buf: bytes, delim: bytes) -> None:
    """Reject a file whose quoted field runs to the end of the file: every parser would swallow
    the following lines into it and silently lose them. A quote inside an unquoted field
    (12" screen) is literal text and fine."""
    starts = (delim[0], 10, 13)
    quoted, opened_at, skip = False, 0, -1
    for m in re.finditer(b'"', buf):  # visit only the quotes, not every byte
        i = m.start()
        if i == skip:
            continue
        if quoted:
            if buf[i + 1 : i + 2] == b'"':
                skip = i + 1  # "" is an escaped quote
            else:
                quoted = False
        elif i == 0 or buf[i - 1] in starts:
            quoted, opened_at = True, i
    if quoted:
        raise ImportRejected("unclosed_quote", line=_line_at(buf, opened_at))


def _find_header(records: Iterator[tuple[int, list]]) -> tuple[int, list[str]]:
    """The first non-blank record, stripped, and its line."""
    for line, cells in records:
        header = [c.strip(WHITESPACE) for c in cells]
        if any(header):
            return line, header
    raise ImportRejected("empty_file")


def _numbered(reader) -> Iterator[tuple[int, list[str]]]:
    line = 0
    try:
        for line, rec in enumerate(reader, start=1):
            yield line, rec
    except csv.Error:  # a field beyond csv's own size limit: a quote that never closes
        raise ImportRejected("unclosed_quote", line=line + 1) from None


def _csv_fast(buf: bytes, body_start: int, delim: str, header_line: int, n_cols: int):
    """pyarrow, for files where every record has as many fields as the header (blank lines
    included: pyarrow gives them as rows of '')."""
    names = [f"f{i}" for i in range(n_cols)]
    if body_start >= len(buf):
        return [pa.chunked_array([], _STRING) for _ in names], np.zeros(0, np.int64)
    table = pa_csv.read_csv(
        pa.BufferReader(pa.py_buffer(buf)[body_start:]),
        read_options=pa_csv.ReadOptions(column_names=names, use_threads=True, block_size=4 * _MB),
        parse_options=pa_csv.ParseOptions(
            delimiter=delim,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=buf.find(b'"', body_start) >= 0,
            ignore_empty_lines=False,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={n: _STRING for n in names},
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,
        ),
    )
    return table.columns, header_line + 1 + np.arange(table.num_rows, dtype=np.int64)


class _Unsure(ValueError):
    """The tolerant pyarrow read cannot place the rows it set aside: use the csv module."""


_REFUSED = (pa.ArrowException, ValueError, OverflowError)  # _Unsure is a ValueError


def _csv_tolerant(buf: bytes, body_start: int, delim: str, header_line: int, shape: _Header):
    """pyarrow again, single-threaded so that it numbers the records it sets aside: rows with
    a wrong number of fields are parsed alone by the csv module and put back in place."""
    n_cols = len(shape.names)
    names = [f"f{i}" for i in range(n_cols)]
    set_aside: list[tuple[int | None, str]] = []

    def set_row_aside(row) -> str:
        set_aside.append((row.number, row.text))
        return "skip"

    table = pa_csv.read_csv(
        pa.BufferReader(pa.py_buffer(buf)[body_start:]),
        read_options=pa_csv.ReadOptions(column_names=names, use_threads=False, block_size=4 * _MB),
        parse_options=pa_csv.ParseOptions(
            delimiter=delim,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=set_row_aside,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={n: _STRING for n in names},
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,
        ),
    )
    total = table.num_rows + len(set_aside)
    numbers = np.array([n if isinstance(n, int) else -1 for n, _ in set_aside], dtype=np.int64)
    if len(numbers) and (numbers[0] < 1 or numbers[-1] > total or (np.diff(numbers) <= 0).any()):
        raise _Unsure("record numbers")
    rows, ragged = [], []
    for k, (_, text) in enumerate(set_aside):
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=False))
        if len(records) > 1:
            raise _Unsure("one record became several")
        cells, wrong = _fit(records[0] if records else [], n_cols, shape.width)
        rows.append(cells)
        if wrong:
            ragged.append(k)
    # final position of every row: the rows set aside at their numbers, the others in order
    aside_at = numbers - 1
    source = np.empty(total, dtype=np.int64)
    others = np.ones(total, dtype=bool)
    others[aside_at] = False
    source[others] = np.arange(table.num_rows)
    source[aside_at] = table.num_rows + np.arange(len(set_aside))
    extra = _columns(rows, n_cols)
    columns = [
        pa.chunked_array(col.chunks + ext.chunks, _STRING).take(source)
        for col, ext in zip(table.columns, extra)
    ]
    row_lines = header_line + 1 + np.arange(total, dtype=np.int64)
    return columns, row_lines, aside_at[np.asarray(ragged, dtype=np.int64)]


def _fit(cells: list[str], n_cols: int, width: int) -> tuple[list[str], bool]:
    """A record cut or padded to the header's ``n_cols`` fields, and whether it had a wrong
    number of fields: extra non-empty fields, or fewer than the header's ``width`` (the
    header without its trailing empty cells). Blank records are never wrong."""
    n = len(cells)
    if n > n_cols:
        return cells[:n_cols], any(c.strip(WHITESPACE) for c in cells[n_cols:])
    if n < n_cols:
        wrong = n < width and any(c.strip(WHITESPACE) for c in cells)
        return cells + [""] * (n_cols - n), wrong
    return cells, False


def _csv_slow(buf: bytes, delim: str, shape: _Header):
    """Python's csv module, for files pyarrow refuses. Rows with a wrong number of fields are
    padded with '' or cut to the header's width; their positions are returned too, so that
    they are kept (and reported by the validator) even if all their data was cut off."""
    stream = io.TextIOWrapper(io.BytesIO(buf), encoding="utf-8", newline="")
    records = _numbered(csv.reader(stream, delimiter=delim, strict=False))
    _find_header(records)
    n_cols, width = len(shape.names), shape.width
    rows: list[list[str]] = []
    lines: list[int] = []
    ragged: list[int] = []
    for line, cells in records:
        if len(cells) != n_cols:
            cells, wrong = _fit(cells, n_cols, width)
            if wrong:
                ragged.append(len(rows))
        rows.append(cells)
        lines.append(line)
    return _columns(rows, n_cols), np.asarray(lines, dtype=np.int64), np.asarray(ragged, np.int64)


def _columns(rows: list[list[str]], n_cols: int) -> list[pa.ChunkedArray]:
    if not rows:
        return [pa.chunked_array([], _STRING) for _ in range(n_cols)]
    return [pa.chunked_array([pa.array(col, _STRING)]) for col in zip(*rows)]


# --- header and rows (shared) ---------------------------------------------------------------


class _Header:
    """The header row, checked: width, duplicate names, unnamed columns."""

    def __init__(self, cells: list[str], limits: Limits):
        self.names = cells
        self.width = max((i + 1 for i, c in enumerate(cells) if c), default=0)  # w/o trailing ''
        if self.width > limits.max_columns:
            raise ImportRejected(
                "too_many_columns", columns=self.width, max_columns=limits.max_columns
            )
        seen: set[str] = set()
        for name in cells:
            if name and name.lower() in seen:
                raise ImportRejected("duplicate_header", column=name)
            seen.add(name.lower())
        self.named = [j for j, c in enumerate(cells) if c]
        self.unnamed = [j for j, c in enumerate(cells) if not c]


def _finish(
    columns: list[pa.ChunkedArray],
    row_lines: np.ndarray,
    shape: _Header,
    limits: Limits,
    stray_column: int | None = None,
    keep: np.ndarray | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Strip values, drop blank rows, apply the limits, and build the frame. ``columns`` hold
    one value per header cell for each row in ``row_lines``; rows at positions ``keep`` are
    kept even if blank; ``stray_column`` is the 0-based position of a value found right of
    the header (XLSX)."""
    # the columns trimmed two at a time: Arrow and NumPy work without the GIL (4M voter-list
    # rows, seven columns: 0.446 -> 0.331 s, medians of 9)
    with ThreadPoolExecutor(max_workers=2) as pool:
        stripped = list(pool.map(_trimmed, columns))
    filled = np.zeros(len(row_lines), dtype=bool)
    if keep is not None:
        filled[keep] = True
    for _, lengths in stripped:
        filled |= lengths > 0
    keep = filled
    rows = np.flatnonzero(keep)
    if len(rows) > limits.max_rows:
        raise ImportRejected("too_many_rows", rows=len(rows), max_rows=limits.max_rows)
    unnamed = [j for j in shape.unnamed if stripped[j][1].any()]
    if stray_column is not None:
        unnamed.append(stray_column)
    if unnamed:
        raise ImportRejected("empty_header", position=min(unnamed) + 1)
    first_long = None  # (row, column, length) of the first value that is too long
    for j, (col, lengths) in enumerate(stripped):
        if lengths.max(initial=0) > limits.max_field_chars:  # bytes >= characters
            chars = pc.utf8_length(col).to_numpy(zero_copy_only=False)
            too_long = np.flatnonzero(chars > limits.max_field_chars)
            if too_long.size and (first_long is None or too_long[0] < first_long[0]):
                first_long = (int(too_long[0]), j, int(chars[too_long[0]]))
    if first_long:
        row, j, length = first_long
        raise ImportRejected(
            "field_too_long",
            line=int(row_lines[row]),
            column=shape.names[j],
            length=length,
            max=limits.max_field_chars,
        )
    if not len(rows):
        raise ImportRejected("no_rows")
    table = pa.table([stripped[j][0] for j in shape.named], names=[f"f{j}" for j in shape.named])
    if len(rows) < len(row_lines):
        table = table.filter(pa.array(keep))
    frame = table.to_pandas()
    frame.columns = [shape.names[j] for j in shape.named]
    return frame, row_lines[rows].astype(np.int64)


def _trimmed(col: pa.ChunkedArray) -> tuple[pa.ChunkedArray, np.ndarray]:
    """A column with its values stripped, and the byte length of each value. Trimming copies
    the column, so it is done only for chunks where a value starts or ends with a byte that
    may be whitespace (an ASCII space or control character, or any non-ASCII byte)."""
    chunks, lengths = [], []
    for chunk in col.chunks:
        offsets, data = _offsets_and_data(chunk)
        sizes = np.diff(offsets)
        filled = sizes > 0
        if filled.any() and (
            _maybe_space(data[offsets[:-1][filled]]) or _maybe_space(data[offsets[1:][filled] - 1])
        ):
            chunk = pc.utf8_trim(chunk, WHITESPACE)
            sizes = np.diff(_offsets_and_data(chunk)[0])
        chunks.append(chunk)
        lengths.append(sizes)
    return (
        pa.chunked_array(chunks, _STRING),
        np.concatenate(lengths) if lengths else np.zeros(0, np.int64),
    )


def _maybe_space(edge_bytes: np.ndarray) -> bool:
    """Whether some of these first/last bytes of values may be (part of) whitespace."""
    return bool(((edge_bytes <= 32) | (edge_bytes >= 128)).any())


def _offsets_and_data(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    _, offsets, data = chunk.buffers()
    offsets = np.frombuffer(offsets, dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(1, np.uint8)
    return offsets, data


# --- XLSX -----------------------------------------------------------------------------------


def _read_xlsx(data: bytes, limits: Limits) -> RawTable:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception:
        raise ImportRejected("bad_xlsx") from None
    with zf:
        check_xlsx(zf, limits)  # a bomb stops here, before openpyxl builds anything
    import openpyxl  # only XLSX uploads pay for the import

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportRejected("bad_xlsx") from None
    try:
        if not wb.worksheets:
            raise ImportRejected("empty_file")
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # some writers store a wrong size; read what is there
        records = _sheet_records(ws)
        shape = _Header(_find_header(records)[1], limits)
        columns, row_lines, stray = _xlsx_rows(records, shape, limits)
    finally:
        wb.close()
    frame, lines = _finish(columns, row_lines, shape, limits, stray)
    return RawTable(frame, lines, "xlsx", None, None, [])


def _xlsx_rows(records: Iterator[tuple[int, list[str]]], shape: _Header, limits: Limits):
    """Rows end at their last filled cell: short rows are normal. A value right of the header
    is a value under an empty header cell (its position is returned)."""
    n_cols = len(shape.names)
    rows: list[list[str]] = []
    lines: list[int] = []
    stray: int | None = None
    count = 0
    for line, cells in records:
        if not any(c.strip(WHITESPACE) for c in cells):
            continue
        count += 1
        if count > limits.max_rows:
            continue  # counted for the message, not kept
        n = len(cells)
        if n > n_cols:
            extra = next((j for j in range(n_cols, n) if cells[j].strip(WHITESPACE)), None)
            if extra is not None and (stray is None or extra < stray):
                stray = extra
            cells = cells[:n_cols]
        elif n < n_cols:
            cells = cells + [""] * (n_cols - n)
        rows.append(cells)
        lines.append(line)
    if count > limits.max_rows:
        raise ImportRejected("too_many_rows", rows=count, max_rows=limits.max_rows)
    return _columns(rows, n_cols), np.asarray(lines, dtype=np.int64), stray


def _sheet_records(ws) -> Iterator[tuple[int, list[str]]]:
    try:
        for line, row in enumerate(ws.iter_rows(min_row=1, min_col=1), start=1):
            yield line, [_cell_text(cell) for cell in row]
    except ImportRejected:
        raise
    except Exception:  # damaged sheet XML, found while streaming
        raise ImportRejected("bad_xlsx") from None


def _cell_text(cell) -> str:
    """A cell as the analyst typed it: dates as YYYY-MM-DD, 5 not 5.0, text untouched."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            text = format(value, ".15g")  # what Excel shows: 15 significant digits
            if "e" in text:
                text = np.format_float_positional(float(text), trim="-")
            return text
        text = str(int(value))
        fmt = getattr(cell, "number_format", "") or ""
        if _ZERO_PADDED.match(fmt) and value >= 0:  # a number formatted "00000": keep zeros
            text = text.zfill(len(fmt))
        return text
    return str(value)
