"""A streaming budget for XLSX uploads, checked before any spreadsheet parser sees the file.

An XLSX is a zip of XML parts, so a 1 MB upload can unpack to gigabytes (one 1 GB cell
deflates to about 1 MB) or hold millions of tiny rows. Every part is inflated here in 1 MiB
chunks, counting bytes and scanning the raw XML with byte searches only (no parsing, no
values kept), and reading stops at the first breach of:

- unpacked bytes: ``UNPACK_FACTOR`` x the file limit, checked first on the sizes the zip
  declares, then on the bytes actually inflated (declared sizes can lie);
- rows and cells of any part: at most the row limit, and rows x columns limits;
- one text: no stretch of more than ``TEXT_BYTES_PER_CHAR`` x the per-field limit without a
  ``<`` (text and attribute values cannot hold one), so a value that cannot fit the per-field
  limit stops the read after a few dozen kilobytes instead of being built in memory;
- DTDs and CDATA sections, which Excel never writes: entities can expand to gigabytes and
  CDATA can hide ``<`` inside a value.

Counts are upper bounds (``<row`` or ``:row`` anywhere, prefixed or not), so a file can be
refused by them only when it holds more than the limits anyway. Values within these bounds but
over the per-field limit are reported exactly, with line and column, by the reader.
"""

from __future__ import annotations

import zipfile

from loaders.errors import ImportRejected

# A sheet's XML takes 4 to 5 times the bytes of the same table as CSV (each cell is
# <c r="B17" t="s"><v>42</v></c>: measured 4.6x for the presence contract with inline strings,
# the most verbose writer). 5 x 200 MB lets through any sheet whose CSV would be within the
# file limit, and stops a bomb after 1,000 MB of XML at most.
UNPACK_FACTOR = 5
# The most bytes one character can take in XML text: a character reference such as &#x10FFFF;.
TEXT_BYTES_PER_CHAR = 10
_CHUNK = 1 << 20
_MB = 1024 * 1024
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY", b"<![CDATA[")
_CARRY = 16  # bytes kept from the end of a chunk so that no marker is split between two


def check_xlsx(zf: zipfile.ZipFile, limits) -> None:
    """Raise ImportRejected at the first part that breaks the budget derived from ``limits``."""
    max_unpacked = UNPACK_FACTOR * limits.max_bytes
    infos = zf.infolist()
    if sum(info.file_size for info in infos) > max_unpacked:
        raise _too_large(limits)
    unpacked = 0
    for info in infos:
        scan = _PartScan(limits)
        try:
            with zf.open(info) as part:
                while chunk := part.read(_CHUNK):
                    unpacked += len(chunk)
                    if unpacked > max_unpacked:
                        raise _too_large(limits)
                    scan.feed(chunk)
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            EOFError,
            OSError,
            ValueError,
            NotImplementedError,
            RuntimeError,
        ):  # RuntimeError: encrypted member
            raise ImportRejected("bad_xlsx") from None


def _too_large(limits) -> ImportRejected:
    return ImportRejected(
        "xlsx_unpacked_too_large",
        max_mb=UNPACK_FACTOR * limits.max_bytes // _MB,
        factor=UNPACK_FACTOR,
        file_mb=limits.max_bytes // _MB,
    )


class _PartScan:
    """Counts and the longest ``<``-free stretch of one part, fed chunk by chunk."""

    def __init__(self, limits):
        self.limits = limits
        self.max_run = TEXT_BYTES_PER_CHAR * limits.max_field_chars
        self.max_cells = limits.max_rows * limits.max_columns
        self.rows = self.cells = 0
        self.pos = 0  # absolute offset of the chunk being scanned (after the carry)
        self.last_lt = -1  # absolute offset of the last '<' seen
        self.carry = b""
        self.xml: bool | None = None

    def feed(self, chunk: bytes) -> None:
        if self.xml is None:  # first chunk
            self.xml = _kind(chunk)
        if not self.xml:  # an image or other binary part: its bytes are counted, no more
            return
        data = self.carry + chunk
        start = self.pos - len(self.carry)  # absolute offset of data[0]
        for bad in _FORBIDDEN:
            if bad in data:
                raise ImportRejected("bad_xlsx")
        # markers split by the chunk boundary are whole in `data`; those wholly in the carry
        # were counted last time, so count in data and subtract what the carry held alone
        self.rows += _count(data, b"row") - _count(self.carry, b"row")
        self.cells += _count(data, b"c") - _count(self.carry, b"c")
        if self.rows > self.limits.max_rows:
            raise ImportRejected("xlsx_too_many_rows", max_rows=self.limits.max_rows)
        if self.cells > self.max_cells:
            raise ImportRejected(
                "xlsx_too_many_cells",
                max_cells=self.max_cells,
                max_rows=self.limits.max_rows,
                max_columns=self.limits.max_columns,
            )
        self._runs(data, start)
        self.pos += len(chunk)
        self.carry = data[-_CARRY:]

    def _runs(self, data: bytes, start: int) -> None:
        """Reject a stretch of more than max_run bytes without '<'. Any such stretch covers a
        whole aligned window of max_run // 2 bytes, so only '<'-free windows are measured."""
        skip = len(self.carry)  # the carry's '<' were seen already
        window = max(self.max_run // 2, 1)
        first = data.find(b"<", skip)
        if first < 0:
            if start + len(data) - self.last_lt - 1 > self.max_run:
                raise self._too_long()
            return
        if self.last_lt >= 0 and start + first - self.last_lt - 1 > self.max_run:
            raise self._too_long()
        for i in range(first, len(data), window):
            if data.find(b"<", i, i + window) >= 0:
                continue
            before = data.rfind(b"<", 0, i)
            after = data.find(b"<", i + window)
            end = after if after >= 0 else len(data)
            if end - before - 1 > self.max_run:
                raise self._too_long()
        self.last_lt = start + data.rfind(b"<")

    def _too_long(self) -> ImportRejected:
        return ImportRejected("xlsx_value_too_long", max=self.limits.max_field_chars)


def _kind(head: bytes) -> bool:
    """Whether a part is XML (to be scanned) rather than binary. XML in UTF-16 or UTF-32 would
    hide its markers from the byte searches, and Excel never writes it: refused."""
    if (
        head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))
        or b"\x00<" in head[:8]
        or b"<\x00" in head[:8]
    ):
        raise ImportRejected("bad_xlsx")
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"<")


def _count(data: bytes, name: bytes) -> int:
    """Upper bound of the elements called ``name`` (any namespace prefix) starting in data."""
    return data.count(b"<" + name) + data.count(b":" + name)
