"""The import corpus: generated files (built here in code, never committed as binaries), each
with the exact outcome the upload contract (docs/upload-contract.md) demands.

Every expectation below was worked out by hand from the contract, not by running the importer:
status (imported | partial | rejected, for the mode "import valid rows"), exit code, rows read /
imported / rejected, the rejection code for a rejected file, and for row errors the exact list
of (line, column, code), lines counted as the analyst's spreadsheet counts them (header = line
1, one line per record even when a quoted value holds a newline, blank rows counted).

Columns in errors are the contract's (English) column names; codes are the message keys of
i18n/errors.*.toml (`errors.row_<code>` for row errors, `errors.<code>` for rejected files).
Where the contract is silent the expectation is what an analyst would expect; those choices
are commented.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from loaders.reader import Limits

# --- expected-value helpers ----------------------------------------------------------------


@dataclass(frozen=True)
class Passport:
    """Expected stored value of a passport column: the keyed hash of this normalised number."""

    number: str


@dataclass(frozen=True)
class Nik:
    """Expected stored value of a NIK column: the keyed hash of these 16 digits (NIK purpose label)."""

    digits: str


@dataclass(frozen=True)
class Prefix:
    """Expected stored text starting with this (e.g. "Polda" for Polda NTB)."""

    text: str

    def __eq__(self, other):  # noqa: D105
        return isinstance(other, str) and other.startswith(self.text)

    def __hash__(self):
        return hash(self.text)


D = dt.date


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    file_name: str
    build: Callable[[], bytes]
    status: str  # in mode "partial": imported | partial | rejected
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    code: str | None = None  # rejection code when status == rejected
    errors: tuple = ()  # ((line, column, code), ...) level "error"
    warnings: tuple = ()  # ((line, column, code), ...) level "warning"
    dropped: tuple = ()  # dropped_columns: unknown then personal, as in the file
    personal: tuple = ()  # the personal ones among them
    duplicates: int = 0
    limits: Limits = Limits()
    stored: dict = field(
        default_factory=dict
    )  # stored column -> values of the new rows, in file order
    values: dict = field(default_factory=dict)  # (line, column) -> value shown in the error report
    masked: dict = field(
        default_factory=dict
    )  # (line, column) -> clear passport that must not be shown
    absent: tuple = ()  # texts that must appear nowhere in the database afterwards
    xfail: str | None = None  # importer bug (reported): the case asserts the correct outcome

    @property
    def exit_code(self) -> int:
        return {"imported": 0, "partial": 1, "rejected": 2}[self.status]

    @property
    def file_rejected(self) -> bool:
        """Rejected before any row was validated (the mode makes no difference)."""
        return self.status == "rejected" and self.code not in ("no_valid_rows",)

    def expected(self, mode: str) -> dict:
        """The outcome in `mode` ("partial" = import valid rows, "all_or_nothing")."""
        out = {
            "status": self.status,
            "exit_code": self.exit_code,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_rejected": self.rows_rejected,
            "code": self.code,
            "errors": sorted(self.errors),
            "warnings": sorted(self.warnings),
            "duplicates": self.duplicates,
        }
        if mode == "all_or_nothing" and self.errors:
            out.update(
                status="rejected",
                exit_code=2,
                rows_imported=0,
                duplicates=0,
                code="rejected_all_or_nothing",
            )
        return out


# --- file builders -------------------------------------------------------------------------


def encode(text: str, encoding: str = "utf-8") -> bytes:
    if encoding == "utf-16-le-bom":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding)


def T(text: str, encoding: str = "utf-8") -> Callable[[], bytes]:
    """A text file, exactly these characters in this encoding."""
    return lambda: encode(text, encoding)


def lines(*rows: str, eol: str = "\n") -> str:
    return eol.join(rows) + eol


def xlsx(rows: list, formats: dict | None = None, extra_sheet: list | None = None) -> bytes:
    """A workbook whose first sheet holds `rows` (None = blank row); formats: {(row, col): fmt},
    1-based. Cells are written one by one so that blank rows really are blank."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row or [], start=1):
            if value is not None:
                ws.cell(row=i, column=j, value=value)
    for (i, j), fmt in (formats or {}).items():
        ws.cell(row=i, column=j).number_format = fmt
    if extra_sheet is not None:  # a second sheet, left as the active one: still the first is read
        ws2 = wb.create_sheet("Catatan")
        for row in extra_sheet:
            ws2.append(row)
        wb.active = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def X(
    rows: list, formats: dict | None = None, extra_sheet: list | None = None
) -> Callable[[], bytes]:
    return lambda: xlsx(rows, formats, extra_sheet)


def empty_workbook() -> bytes:
    import openpyxl

    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("laporan.csv", "tanggal_laporan;kabupaten_kota\n27/11/2024;Lobar\n")
    return out.getvalue()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
OLE2 = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    + b"\x00" * 16
    + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    + b"\x00" * 480
)

# Headers used again and again
P_ID = "tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin;kegiatan"
P_EN = "report_date,regency,nationality,permit_type,activity"
OK_ID = "27/11/2024;Lobar;AUS;VOA;wisata"
OK_EN = "2024-11-27,Lobar,AUS,VOA,wisata"
NOV27 = D(2024, 11, 27)

LONG_ID = "R" * 80  # longer than any sensible sender id (the database keeps 64 characters)


def _many(n: int) -> str:
    return lines(P_ID, *[f"{(i % 28) + 1:02d}/11/2024;Lobar;AUS;VOA;wisata" for i in range(n)])


_BIG = lines(
    P_ID + ";lokasi", *[f"27/11/2024;Lobar;AUS;VOA;wisata;Lokasi nomor {i:04d}" for i in range(60)]
)


CASES: list[Case] = [
    # --- encodings --------------------------------------------------------------------------
    Case(
        "enc_utf8_comma_english",
        "presence",
        "presence_en.csv",
        T(
            lines(
                "report_date,regency,nationality,permit_type,activity,passport_no,person_count",
                "2024-11-27,Lobar,AUS,VOA,wisata,A1234567,1",
                "27/11/2024,Kota Mataram,GBR,BVK,tourism,B7654321,2",
                "27-11-2024,KLU,DEU,ITAS,work,C5550001,",
            )
        ),
        "imported",
        3,
        3,
        0,
        stored={
            "regency_code": ["52.01", "52.71", "52.08"],
            "nationality": ["AUS", "GBR", "DEU"],
            "permit_type": ["VOA", "BVK", "ITAS"],
            "activity": ["wisata", "wisata", "bekerja"],
            "report_date": [NOV27] * 3,
            "person_count": [1, 2, 1],
            "passport_hash": [Passport("A1234567"), Passport("B7654321"), Passport("C5550001")],
        },
        absent=("A1234567", "B7654321", "C5550001"),
    ),
    Case(
        "enc_utf8_bom_semicolon",
        "presence",
        "keberadaan_bom.csv",
        T(
            lines(
                P_ID + ";no_paspor;jumlah_orang",
                "27/11/2024;Lobar;NA;VOA;wisata;0012345;1",
                "28/11/2024;Lotim;Tiongkok;ITK;bisnis;E9876543;3",
            ),
            "utf-8-sig",
        ),
        "imported",
        2,
        2,
        0,
        stored={
            "nationality": ["NAM", "CHN"],
            "regency_code": ["52.01", "52.03"],
            "report_date": [NOV27, D(2024, 11, 28)],
            "person_count": [1, 3],
            "passport_hash": [Passport("0012345"), Passport("E9876543")],
        },
        absent=("0012345", "E9876543"),
    ),
    Case(
        "enc_utf16le_bom_tab",
        "presence",
        "keberadaan_utf16le.csv",
        T(
            lines(
                "tanggal_laporan\tkabupaten_kota\tkewarganegaraan\tjenis_izin\tkegiatan\tpenjamin\tlokasi",
                "01/12/2024\tLoteng\tAustralia\tVOA\twisata\tCafé Müller\tSeñor Beach, Kuta",
                "02/12/2024\tKSB\tJepang\tITAS\tbekerja\tPT Ñusa Tenggara\tMaluk",
            ),
            "utf-16-le-bom",
        ),
        "imported",
        2,
        2,
        0,
        stored={
            "sponsor": ["Café Müller", "PT Ñusa Tenggara"],
            "location": ["Señor Beach, Kuta", "Maluk"],
            "nationality": ["AUS", "JPN"],
            "regency_code": ["52.02", "52.07"],
            "report_date": [D(2024, 12, 1), D(2024, 12, 2)],
        },
    ),
    Case(
        "enc_utf16be_bom_semicolon",
        "presence",
        "keberadaan_utf16be.csv",
        T(
            lines(
                "report_date;regency;nationality;permit_type;activity;sponsor",
                "2024-12-03;Kota Bima;Malaysia;ITAP;keluarga;Zoë Ünal",
            ),
            "utf-16-be-bom",
        ),
        "imported",
        1,
        1,
        0,
        stored={
            "sponsor": ["Zoë Ünal"],
            "regency_code": ["52.72"],
            "nationality": ["MYS"],
            "permit_type": ["ITAP"],
            "activity": ["keluarga"],
            "report_date": [D(2024, 12, 3)],
        },
    ),
    Case(
        "enc_cp1252_semicolon",
        "presence",
        "keberadaan_ansi.csv",
        T(
            lines(
                P_ID + ";penjamin;lokasi",
                "27/11/2024;Lobar;Prancis;VOA;wisata;Hôtel Café Élan;Senggigi",
                "27/11/2024;Mataram;Spanyol;BVK;wisata;Señora Núñez;Ampenan, Müller-Straße",
            ),
            "cp1252",
        ),
        "imported",
        2,
        2,
        0,
        stored={
            "sponsor": ["Hôtel Café Élan", "Señora Núñez"],
            "location": ["Senggigi", "Ampenan, Müller-Straße"],
            "nationality": ["FRA", "ESP"],
            "regency_code": ["52.01", "52.71"],
        },
    ),
    Case(
        "enc_cp1252_comma_quoted",
        "presence",
        "presence_ansi.csv",
        T(
            lines(
                P_EN + ",location",
                '2024-11-27,Lobar,Belanda,VOA,wisata,"Café del Mar, Senggigi"',
                "2024-11-27,Lobar,XX,VOA,wisata,Pantai Nipah",
            ),
            "cp1252",
        ),
        "partial",
        2,
        1,
        1,
        errors=((3, "nationality", "unknown_nationality"),),
        values={(3, "nationality"): "XX"},
        stored={"location": ["Café del Mar, Senggigi"], "nationality": ["NLD"]},
    ),
    # --- dialects ---------------------------------------------------------------------------
    Case(
        "dia_tab_decimal_comma",
        "presence",
        "keberadaan_tab.csv",
        T(
            lines(
                "tanggal_laporan\tkabupaten_kota\tkewarganegaraan\tjenis_izin\tkegiatan\tlat\tlon",
                "27/11/2024\tKLU\tAUS\tVOA\twisata\t-8,3506\t116,0420",
                "27/11/2024\tKota Mataram\tAUS\tVOA\twisata\t-8.5833\t116.1167",
            )
        ),
        "imported",
        2,
        2,
        0,
        stored={
            "lat": [-8.3506, -8.5833],
            "lon": [116.042, 116.1167],
            "regency_code": ["52.08", "52.71"],
        },
    ),
    Case(
        "dia_quoted_multiline_then_error",
        "presence",
        "multiline.csv",
        T(
            P_EN + ",sponsor,location\n"
            '2024-11-27,Lobar,AUS,VOA,wisata,"PT Lombok\nJaya","Kuta, ""Mandalika"" Resort"\n'
            "31/02/2024,Lobar,AUS,VOA,wisata,,Senggigi\n"
        ),
        # the quoted newline keeps the record on spreadsheet line 2: the bad date is line 3
        "partial",
        2,
        1,
        1,
        errors=((3, "report_date", "bad_date"),),
        values={(3, "report_date"): "31/02/2024"},
        stored={"sponsor": ["PT Lombok\nJaya"], "location": ['Kuta, "Mandalika" Resort']},
    ),
    Case(
        "dia_quoted_delimiters_semicolon",
        "presence",
        "kutip.csv",
        T(
            lines(
                P_ID + ";penjamin;lokasi",
                '27/11/2024;Lobar;AUS;VOA;wisata;"PT A; B";"Kuta; ""Mandalika"""',
                '27/11/2024;Lobar;AUS;VOA;wisata;"";"Gili ""Meno"""',
            ),
            "utf-8-sig",
        ),
        "imported",
        2,
        2,
        0,
        stored={"sponsor": ["PT A; B", None], "location": ['Kuta; "Mandalika"', 'Gili "Meno"']},
    ),
    Case(
        "dia_crlf_semicolon",
        "presence",
        "crlf.csv",
        T(
            lines(
                P_ID + ";lokasi",
                "27/11/2024;Lobar;AUS;VOA;wisata;Senggigi",
                "27/11/2024;KLU;AUS;VOA;wisata;Gili Air",
                "27/11/2024;Atlantis;AUS;VOA;wisata;Kuta",
                eol="\r\n",
            )
        ),
        "partial",
        3,
        2,
        1,
        errors=((4, "regency", "unknown_regency"),),
        values={(4, "regency"): "Atlantis"},
        stored={"location": ["Senggigi", "Gili Air"], "regency_code": ["52.01", "52.08"]},
    ),
    Case(
        "dia_trailing_delimiter",
        "presence",
        "trailing.csv",
        T(lines(P_ID + ";", OK_ID + ";", "28/11/2024;Loteng;NZL;VOA;wisata;")),
        "imported",
        2,
        2,
        0,
        stored={"regency_code": ["52.01", "52.02"], "nationality": ["AUS", "NZL"]},
    ),
    Case(
        "dia_trailing_delimiter_rows_only",
        "presence",
        "trailing_rows.csv",
        T(lines(P_ID, OK_ID + ";", "28/11/2024;Loteng;NZL;VOA;wisata;")),
        # an empty field after the last column holds nothing: not a wrong number of fields
        "imported",
        2,
        2,
        0,
        stored={"regency_code": ["52.01", "52.02"]},
    ),
    Case(
        "dia_blank_lines",
        "presence",
        "blank_lines.csv",
        T(
            lines(
                P_EN,  # line 1
                OK_EN,  # line 2
                "",  # line 3 blank
                ",,,,",  # line 4: a row of empty cells is blank too
                "2024-11-27,Lobar,Wakanda,VOA,wisata",  # line 5
                "",  # line 6
                "2024-11-28,Lobar,AUS,VOA,wisata",
            )
        ),  # line 7
        "partial",
        3,
        2,
        1,
        errors=((5, "nationality", "unknown_nationality"),),
        stored={"report_date": [NOV27, D(2024, 11, 28)]},
    ),
    Case(
        "dia_blank_lines_before_header",
        "presence",
        "blank_top.csv",
        T(
            lines(
                "",
                "",
                P_ID,  # line 3 in the spreadsheet
                "27/11/2024;Atlantis;AUS;VOA;wisata",  # line 4
                OK_ID,
            )
        ),  # line 5
        "partial",
        2,
        1,
        1,
        errors=((4, "regency", "unknown_regency"),),
    ),
    Case(
        "dia_unclosed_quote_last_column",
        "presence",
        "kutip_terbuka.csv",
        T(
            lines(
                P_ID + ";lokasi",
                OK_ID + ";Senggigi",
                OK_ID + ';"Kuta',  # line 3: the quote is never closed (end of file)
                OK_ID + ";Gili Air",
                OK_ID + ";Mandalika",
            )
        ),
        # the reader's own message for exactly this: "From line 3 on, a quote is opened but never
        # closed, so the rest of the file reads as one value" -- never swallow lines 4-5 silently
        "rejected",
        code="unclosed_quote",
    ),
    Case(
        "dia_unclosed_quote_mid_row",
        "presence",
        "kutip_terbuka2.csv",
        T(
            lines(
                P_ID + ";lokasi",
                OK_ID + ";Senggigi",
                '27/11/2024;"Lobar;AUS;VOA;wisata;Kuta',  # line 3: the quote is never closed
                OK_ID + ";Gili Air",
                OK_ID + ";Mandalika",
            )
        ),
        "rejected",
        code="unclosed_quote",
    ),
    Case(
        "dia_comma_file_decimal_comma",
        "presence",
        "koma.csv",
        T(
            lines(
                P_EN + ",lat,lon",
                '2024-11-27,KLU,AUS,VOA,wisata,"-8,3506","116,0420"',  # quoted: the comma is the decimal separator
                "2024-11-27,KLU,AUS,VOA,wisata,-8.3506,116.0420",
                '2024-11-27,KLU,AUS,VOA,wisata,"-8,35,06",116.0420',  # two commas: not a number
                '2024-11-27,KLU,AUS,VOA,wisata,"-8,3506.1",116.0420',
            )
        ),  # a comma and a point: not a coordinate
        "partial",
        4,
        2,
        2,
        errors=((4, "lat", "bad_coordinate"), (5, "lat", "bad_coordinate")),
        stored={"lat": [-8.3506, -8.3506], "lon": [116.042, 116.042]},
    ),
    Case(
        "row_presence_without_passport_warns",
        "presence",
        "paspor.csv",
        T(
            lines(
                P_ID + ";no_paspor;jumlah_orang",
                "27/11/2024;Lobar;AUS;VOA;wisata;A1234567;1",
                "27/11/2024;Lobar;AUS;VOA;wisata;;2",  # no passport: imported, a warning
                "27/11/2024;Lobar;AUS;VOA;wisata;12;1",  # not a passport number: an error
                "27/11/2024;Lobar;XX;VOA;wisata;;1",
            )
        ),  # rejected for its country: no warning as well
        "partial",
        4,
        2,
        2,
        errors=((4, "passport_no", "bad_passport"), (5, "nationality", "unknown_nationality")),
        warnings=((3, "passport_no", "no_passport"),),
        stored={"person_count": [1, 2], "passport_hash": [Passport("A1234567"), None]},
    ),
    # --- headers ----------------------------------------------------------------------------
    Case(
        "hdr_mixed_case_spaces_hyphens",
        "presence",
        "judul.csv",
        T(
            lines(
                "Tanggal Laporan;KABUPATEN-KOTA; Kewarganegaraan ;Jenis Izin;KEGIATAN;No-Paspor;Jumlah Orang",
                "27 Nov 2024;KAB. LOMBOK BARAT;NA;VOA;wisata;0012345;2",
            )
        ),
        "imported",
        1,
        1,
        0,
        stored={
            "regency_code": ["52.01"],
            "nationality": ["NAM"],
            "person_count": [2],
            "report_date": [NOV27],
            "passport_hash": [Passport("0012345")],
        },
    ),
    Case(
        "hdr_english_indonesian_mixed",
        "presence",
        "campur.csv",
        T(
            lines(
                "report_date,kabupaten_kota,nationality,jenis_izin,activity,no_paspor,person_count,"
                "tanggal_masuk,tanggal_habis_izin,source,record_id",
                "2024-11-27,Kab. Dompu,Inggris,ITAS,bekerja,N00012345,1,01/10/2024,30/09/2025,APOA,000123",
            )
        ),
        "imported",
        1,
        1,
        0,
        stored={
            "regency_code": ["52.05"],
            "nationality": ["GBR"],
            "arrival_date": [D(2024, 10, 1)],
            "permit_expiry": [D(2025, 9, 30)],
            "source": ["APOA"],
            "record_id": ["000123"],
            "passport_hash": [Passport("N00012345")],
        },
    ),
    Case(
        "hdr_unknown_extra_columns",
        "presence",
        "ekstra.csv",
        T(
            lines(
                "report_date,regency,catatan,nationality,permit_type,activity,Petugas Lapangan",
                "2024-11-27,Lobar,cek ulang besok,AUS,VOA,wisata,Regu Tiga",
            )
        ),
        "imported",
        1,
        1,
        0,
        dropped=("catatan", "Petugas Lapangan"),
        absent=("cek ulang besok", "Regu Tiga"),
    ),
    Case(
        "hdr_personal_columns",
        "presence",
        "pribadi.csv",
        T(
            lines(
                "nama;tanggal_lahir;alamat;no_register;" + P_ID + ";no_paspor",
                "John Smith;01/01/1980;Jl. Pantai Indah 1;R1;27/11/2024;KLU;GBR;VOA;wisata;X9Q7W2E5R8",
            )
        ),
        "imported",
        1,
        1,
        0,
        dropped=("nama", "tanggal_lahir", "alamat"),
        personal=("nama", "tanggal_lahir", "alamat"),
        stored={"record_id": ["R1"], "passport_hash": [Passport("X9Q7W2E5R8")]},
        absent=("John Smith", "Jl. Pantai Indah", "01/01/1980", "1980-01-01", "X9Q7W2E5R8"),
    ),
    Case(
        "hdr_missing_required_column",
        "presence",
        "kurang.csv",
        T(
            lines(
                "tanggal_laporan;kabupaten_kota;kewarganegaraan;jenis_izin",
                "27/11/2024;Lobar;AUS;VOA",
            )
        ),
        "rejected",
        code="missing_columns",
    ),
    Case(
        "hdr_duplicate_header",
        "presence",
        "ganda.csv",
        T(lines(P_ID + ";Tanggal_Laporan", OK_ID + ";28/11/2024")),
        "rejected",
        code="duplicate_header",
    ),
    Case(
        "hdr_empty_header_with_data",
        "presence",
        "tanpa_judul.csv",
        T(lines(P_ID + ";;lokasi", OK_ID + ";catatan;Senggigi")),
        # the contract is silent; a column of data without a header is refused with a clear reason
        "rejected",
        code="empty_header",
    ),
    # --- rows and values: presence ------------------------------------------------------------
    Case(
        "row_impossible_and_month_first_dates",
        "presence",
        "tanggal_salah.csv",
        T(
            lines(
                P_ID,
                "31/02/2024;Lobar;AUS;VOA;wisata",  # impossible
                "11/27/2024;Lobar;AUS;VOA;wisata",  # month first: day first always, month 27 -> error
                OK_ID,
            )
        ),
        "partial",
        3,
        1,
        2,
        errors=((2, "report_date", "bad_date"), (3, "report_date", "bad_date")),
        values={(2, "report_date"): "31/02/2024", (3, "report_date"): "11/27/2024"},
        stored={"report_date": [NOV27]},
    ),
    Case(
        "row_named_and_short_dates",
        "presence",
        "tanggal_nama.csv",
        T(
            lines(
                P_ID + ";tanggal_masuk",
                "27 Nopember 2024;Lobar;AUS;VOA;wisata;17 Agustus 2024",
                "27 Nov 2024;Lobar;AUS;VOA;wisata;1 Mei 2024",
                "27 November 2024;Lobar;AUS;VOA;wisata;5/1/2024",
                "2024-11-27;Lobar;AUS;VOA;wisata;03-04-2024",
                "1 Desember 2024;Lobar;AUS;VOA;wisata;",
            )
        ),
        "imported",
        5,
        5,
        0,
        stored={
            "report_date": [NOV27] * 4 + [D(2024, 12, 1)],
            "arrival_date": [D(2024, 8, 17), D(2024, 5, 1), D(2024, 1, 5), D(2024, 4, 3), None],
        },
    ),
    Case(
        "row_regency_aliases",
        "presence",
        "kabupaten.csv",
        T(
            lines(
                P_ID + ";lokasi",
                *[
                    f"27/11/2024;{r};AUS;VOA;wisata;{r}"
                    for r in (
                        "Lobar",
                        "KAB. LOMBOK BARAT",
                        "5201",
                        "52.01",
                        "Kota Bima",
                        "Bima",
                        "Kabupaten Bima",
                        "Loteng",
                        "Lotim",
                        "KLU",
                        "KSB",
                        "Mataram",
                        "lombok tengah",
                        "SUMBAWA BARAT",
                        "Kabupaten Sumbawa",
                        "Dompu",
                        "kota mataram",
                        "Kab Lombok Timur",
                        "5272",
                    )
                ],
            )
        ),
        "imported",
        19,
        19,
        0,
        stored={
            "regency_code": [
                "52.01",
                "52.01",
                "52.01",
                "52.01",
                "52.72",
                "52.06",
                "52.06",
                "52.02",
                "52.03",
                "52.08",
                "52.07",
                "52.71",
                "52.02",
                "52.07",
                "52.04",
                "52.05",
                "52.71",
                "52.03",
                "52.72",
            ]
        },
    ),
    Case(
        "row_regency_unknown",
        "presence",
        "kabupaten_salah.csv",
        T(
            lines(
                P_ID,
                "27/11/2024;Atlantis;AUS;VOA;wisata",
                "27/11/2024;;AUS;VOA;wisata",
                "27/11/2024;52.99;AUS;VOA;wisata",
                "27/11/2024;Denpasar;AUS;VOA;wisata",
                OK_ID,
            )
        ),
        "partial",
        5,
        1,
        4,
        errors=(
            (2, "regency", "unknown_regency"),
            (3, "regency", "required"),
            (4, "regency", "unknown_regency"),
            (5, "regency", "unknown_regency"),
        ),
        values={(2, "regency"): "Atlantis", (5, "regency"): "Denpasar"},
    ),
    Case(
        "row_nationalities",
        "presence",
        "negara.csv",
        T(
            lines(
                P_ID + ";lokasi",
                *[
                    f"27/11/2024;Lobar;{n};VOA;wisata;{n}"
                    for n in (
                        "NA",
                        "Tiongkok",
                        "Amerika Serikat",
                        "AU",
                        "Australia",
                        "China",
                        "DEU",
                        "Jerman",
                        "Namibia",
                        "NAM",
                        "United States",
                        "Korea Selatan",
                        "Inggris",
                    )
                ],
            )
        ),
        "imported",
        13,
        13,
        0,
        stored={
            "nationality": [
                "NAM",
                "CHN",
                "USA",
                "AUS",
                "AUS",
                "CHN",
                "DEU",
                "DEU",
                "NAM",
                "NAM",
                "USA",
                "KOR",
                "GBR",
            ]
        },
    ),
    Case(
        "row_nationality_unknown",
        "presence",
        "negara_salah.csv",
        T(
            lines(
                P_ID,
                "27/11/2024;Lobar;Wakanda;VOA;wisata",
                "27/11/2024;Lobar;XX;VOA;wisata",
                "27/11/2024;Lobar;N/A;VOA;wisata",  # not Namibia's code: an unknown country
                "27/11/2024;Lobar;;VOA;wisata",  # required
                "27/11/2024;Lobar;NA;VOA;wisata",
            )
        ),
        "partial",
        5,
        1,
        4,
        errors=(
            (2, "nationality", "unknown_nationality"),
            (3, "nationality", "unknown_nationality"),
            (4, "nationality", "unknown_nationality"),
            (5, "nationality", "required"),
        ),
        stored={"nationality": ["NAM"]},
    ),
    Case(
        "row_passports",
        "presence",
        "paspor.csv",
        T(
            lines(
                P_ID + ";no_paspor",
                "27/11/2024;Lobar;AUS;VOA;wisata;0012345",
                "27/11/2024;Lobar;AUS;VOA;wisata;P1234567890123456789012",  # 23 characters
                "27/11/2024;Lobar;AUS;VOA;wisata;AB#12345",
                "27/11/2024;Lobar;AUS;VOA;wisata;",
            )
        ),
        "partial",
        4,
        2,
        2,
        errors=((3, "passport_no", "bad_passport"), (4, "passport_no", "bad_passport")),
        warnings=((5, "passport_no", "no_passport"),),  # blank: imported, with a warning
        masked={(3, "passport_no"): "P1234567890123456789012", (4, "passport_no"): "AB#12345"},
        stored={"passport_hash": [Passport("0012345"), None]},
        absent=("0012345", "P1234567890123456789012", "AB#12345"),
    ),
    Case(
        "row_coordinates_outside_ntb",
        "presence",
        "luar_ntb.csv",
        T(
            lines(
                P_EN + ",lat,lon",
                "2024-11-27,Lobar,AUS,VOA,wisata,-6.2000,106.8166",  # Jakarta
                "2024-11-27,Lobar,AUS,VOA,wisata,-8.49,116.045",
            )
        ),  # Senggigi, in Lombok Barat
        "partial",
        2,
        1,
        1,
        errors=((2, "lat", "outside_ntb"),),
        stored={"lat": [-8.49], "lon": [116.045]},
    ),
    Case(
        "row_point_outside_stated_regency",
        "presence",
        "luar_kabupaten.csv",
        T(
            lines(
                P_EN + ",lat,lon",
                "2024-11-27,Lobar,AUS,VOA,wisata,-8.3506,116.0420",  # Gili Trawangan is in Lombok Utara
                "2024-11-27,KLU,AUS,VOA,wisata,-8.3506,116.0420",
            )
        ),
        "imported",
        2,
        2,
        0,
        warnings=((2, "lat", "outside_regency"),),
        stored={"regency_code": ["52.01", "52.08"], "lat": [-8.3506, -8.3506]},
    ),
    Case(
        "row_lat_without_lon",
        "presence",
        "setengah.csv",
        T(
            lines(
                P_EN + ",lat,lon",
                "2024-11-27,KLU,AUS,VOA,wisata,-8.3506,",
                "2024-11-27,KLU,AUS,VOA,wisata,,116.0420",
                "2024-11-27,KLU,AUS,VOA,wisata,,",
            )
        ),
        "partial",
        3,
        1,
        2,
        errors=((2, "lon", "coordinate_pair"), (3, "lat", "coordinate_pair")),
        stored={"lat": [None], "lon": [None]},
    ),
    Case(
        "row_bad_coordinate_text",
        "presence",
        "koordinat.csv",
        T(
            lines(
                P_EN + ",lat,lon",
                "2024-11-27,KLU,AUS,VOA,wisata,abc,116.0420",
                "2024-11-27,KLU,AUS,VOA,wisata,8.3506,116.0420",  # north of the equator: not NTB
                "2024-11-27,KLU,AUS,VOA,wisata,-8.3506,116.0420",
            )
        ),
        "partial",
        3,
        1,
        2,
        errors=((2, "lat", "bad_coordinate"), (3, "lat", "outside_ntb")),
    ),
    Case(
        "row_counts",
        "presence",
        "jumlah.csv",
        T(
            lines(
                P_ID + ";jumlah_orang;lokasi",
                "27/11/2024;Lobar;AUS;VOA;wisata;-3;a",
                "27/11/2024;Lobar;AUS;VOA;wisata;1.234;b",  # Indonesian thousands separator
                "27/11/2024;Lobar;AUS;VOA;wisata;2,5;c",
                "27/11/2024;Lobar;AUS;VOA;wisata;0;d",
                "27/11/2024;Lobar;AUS;VOA;wisata;dua;e",
                "27/11/2024;Lobar;AUS;VOA;wisata;;f",
            )
        ),
        "partial",
        6,
        3,
        3,
        errors=(
            (2, "person_count", "bad_count"),
            (4, "person_count", "bad_count"),
            (6, "person_count", "bad_count"),
        ),
        stored={"person_count": [1234, 0, 1], "location": ["b", "d", "f"]},
    ),
    Case(
        "row_ragged_extra_field",
        "presence",
        "lebih.csv",
        T(lines(P_EN, OK_EN, OK_EN + ",extra", "2024-11-28,Lobar,AUS,VOA,wisata")),
        "partial",
        3,
        2,
        1,
        errors=((3, "", "wrong_field_count"),),
    ),
    Case(
        "row_ragged_short_row",
        "presence",
        "kurang_kolom.csv",
        T(lines(P_ID + ";lokasi", OK_ID + ";Senggigi", OK_ID)),
        "partial",
        2,
        1,
        1,
        errors=((3, "", "wrong_field_count"),),
        stored={"location": ["Senggigi"]},
    ),
    Case(
        "row_required_and_vocabularies",
        "presence",
        "kosakata.csv",
        T(
            lines(
                P_EN,
                "2024-11-27,Lobar,AUS,,wisata",
                "2024-11-27,Lobar,AUS,TOURIST,wisata",
                "2024-11-27,Lobar,AUS,VOA,surfing",
                "2024-11-27,Lobar,AUS,VOA,tourism",
                "2024-11-27,Lobar,AUS,ITAP,religious",
                ",Lobar,AUS,VOA,wisata",
            )
        ),
        "partial",
        6,
        2,
        4,
        errors=(
            (2, "permit_type", "required"),
            (3, "permit_type", "bad_value"),
            (4, "activity", "bad_value"),
            (7, "report_date", "required"),
        ),
        stored={"permit_type": ["VOA", "ITAP"], "activity": ["wisata", "keagamaan"]},
    ),
    Case(
        "row_record_id_too_long",
        "presence",
        "id_panjang.csv",
        T(lines("no_register;" + P_ID, f"{LONG_ID};{OK_ID}", f"R2;{OK_ID}")),
        "partial",
        2,
        1,
        1,
        errors=((2, "record_id", "too_long"),),
        stored={"record_id": ["R2"]},
    ),
    Case(
        "row_same_sender_id_twice",
        "presence",
        "id_ganda.csv",
        T(
            lines(
                "no_register;" + P_ID,
                "R1;27/11/2024;Lobar;AUS;VOA;wisata",
                "R1;27/11/2024;Lobar;AUS;VOA;bisnis",
            )
        ),
        # same sender id: the later row updates the earlier one; one row stored
        "imported",
        2,
        1,
        0,
        duplicates=1,
        stored={"record_id": ["R1"], "activity": ["bisnis"]},
    ),
    Case(
        "row_every_row_invalid",
        "presence",
        "semua_salah.csv",
        T(lines(P_ID, "31/02/2024;Lobar;AUS;VOA;wisata", "27/11/2024;Atlantis;AUS;VOA;wisata")),
        "rejected",
        2,
        0,
        2,
        code="no_valid_rows",
        errors=((2, "report_date", "bad_date"), (3, "regency", "unknown_regency")),
    ),
    # --- incidents ----------------------------------------------------------------------------
    Case(
        "inc_severity_and_boolean_words",
        "incidents",
        "kejadian.csv",
        T(
            lines(
                "tanggal_kejadian,kabupaten_kota,kategori,tingkat,no_kejadian,terkait_pilkada,tindakan,status",
                "25/11/2024,Kota Mataram,kegiatan_politik,tinggi,K1,ya,pemantauan,baru",
                "25/11/2024,KSB,pertambangan_ilegal,3,K2,tidak,,",
                "25/11/2024,Lobar,overstay,rendah,K3,yes,deportasi,selesai",
                "25/11/2024,Lobar,bekerja_tanpa_izin,kritis,K4,no,,ditelaah",
                "25/11/2024,Bima,narkotika,critical,K5,true,detensi,",
                "25/11/2024,Kota Bima,lainnya,medium,K6,false,,",
                "25/11/2024,Dompu,kepabeanan,1,K7,1,,",
                "25/11/2024,Lotim,lingkungan,low,K8,0,,",
                "25/11/2024,Loteng,dokumen_palsu,high,K9,,,",
            )
        ),
        "imported",
        9,
        9,
        0,
        stored={
            "record_id": [f"K{i}" for i in range(1, 10)],
            "severity": [4, 3, 2, 5, 5, 3, 1, 2, 4],
            "election_related": [True, False, True, False, True, False, True, False, False],
            "status": [
                "baru",
                "baru",
                "selesai",
                "ditelaah",
                "baru",
                "baru",
                "baru",
                "baru",
                "baru",
            ],
            "action": ["pemantauan", None, "deportasi", None, "detensi", None, None, None, None],
            "regency_code": [
                "52.71",
                "52.07",
                "52.01",
                "52.01",
                "52.06",
                "52.72",
                "52.05",
                "52.03",
                "52.02",
            ],
            "incident_date": [D(2024, 11, 25)] * 9,
            "persons": [1] * 9,
        },
    ),
    Case(
        "inc_responsible_agency_derived",
        "incidents",
        "instansi.csv",
        T(
            lines(
                "tanggal_kejadian;kabupaten_kota;kategori;tingkat;instansi_penindak",
                "25/11/2024;Lobar;overstay;2;",
                "25/11/2024;Lobar;penyalahgunaan_izin;2;",
                "25/11/2024;Lobar;bekerja_tanpa_izin;2;",
                "25/11/2024;Lobar;kepabeanan;2;",
                "25/11/2024;Lobar;pertambangan_ilegal;2;",
                "25/11/2024;Lobar;lingkungan;2;",
                "25/11/2024;Lobar;kriminal_lain;2;",
                "25/11/2024;Lobar;ketertiban_umum;2;",
                "25/11/2024;Lobar;bekerja_tanpa_izin;3;Disnakertrans",
            )
        ),  # named by the sender: kept
        "imported",
        9,
        9,
        0,
        # the lead agency (docs/domain-facts.md, Who acts): work without a permit is permit misuse,
        # led by Imigrasi; illegal mining is led by the police
        stored={
            "responsible_agency": [
                "Imigrasi",
                "Imigrasi",
                "Imigrasi",
                "Bea Cukai",
                "Polda NTB",
                "DLHK",
                "Polda NTB",
                "Polda NTB",
                "Disnakertrans",
            ]
        },
    ),
    Case(
        "inc_bad_values",
        "incidents",
        "kejadian_salah.csv",
        T(
            lines(
                "tanggal_kejadian;kabupaten_kota;kategori;tingkat;terkait_pilkada;status",
                "25/11/2024;Lobar;overstay;parah;;",
                "25/11/2024;Lobar;overstay;6;;",
                "25/11/2024;Lobar;overstay;2;mungkin;",
                "25/11/2024;Lobar;pencurian;2;;",
                "25/11/2024;Lobar;overstay;2;;tertunda",
                "25/11/2024;Lobar;overstay;0;;",
                "25/11/2024;Lobar;overstay;sedang;ya;ditindaklanjuti",
            )
        ),
        "partial",
        7,
        1,
        6,
        errors=(
            (2, "severity", "bad_severity"),
            (3, "severity", "bad_severity"),
            (4, "election_related", "bad_bool"),
            (5, "category", "bad_value"),
            (6, "status", "bad_value"),
            (7, "severity", "bad_severity"),
        ),
        values={
            (2, "severity"): "parah",
            (3, "severity"): "6",
            (4, "election_related"): "mungkin",
            (5, "category"): "pencurian",
            (6, "status"): "tertunda",
            (7, "severity"): "0",
        },
        stored={"severity": [3], "election_related": [True], "status": ["ditindaklanjuti"]},
    ),
    Case(
        "inc_english_header_multiline_crlf",
        "incidents",
        "incidents.csv",
        T(
            "incident_date,regency,category,severity,incident_id,nationality,persons,description,lat,lon,"
            "reported_by,action,election_related\r\n"
            '2024-11-25,KLU,overstay,high,INC-1,Rusia,3,"Tiga WNA melebihi izin tinggal,\nditemukan di ""Gili T""",'
            "-8.3506,116.0420,Polres,peringatan,no\r\n"
            "2024-11-26,KLU,ketertiban_umum,2,INC-2,,,=1+1,,,,,\r\n"
            "2024-11-26,KLU,overstay,2,INC-3,Atlantis,-1,,,,,,\r\n",
            "utf-8-sig",
        ),
        "partial",
        3,
        2,
        1,
        errors=((4, "nationality", "unknown_nationality"), (4, "persons", "bad_count")),
        stored={
            "record_id": ["INC-1", "INC-2"],
            "persons": [3, 1],
            "nationality": ["RUS", None],
            "severity": [4, 2],
            "lat": [-8.3506, None],
            "reported_by": ["Polres", None],
            "description": ['Tiga WNA melebihi izin tinggal,\nditemukan di "Gili T"', "=1+1"],
            "election_related": [False, False],
            "status": ["baru", "baru"],
        },
    ),
    Case(
        "inc_missing_required_column",
        "incidents",
        "kejadian_kurang.csv",
        T(lines("tanggal_kejadian;kabupaten_kota;kategori", "25/11/2024;Lobar;overstay")),
        "rejected",
        code="missing_columns",
    ),
    # --- crossings ----------------------------------------------------------------------------
    Case(
        "cro_ports_by_id_and_name",
        "crossings",
        "perlintasan.csv",
        T(
            lines(
                "tanggal;tpi;arah;kewarganegaraan;jumlah",
                "01/11/2024;lop_lombok_airport;datang;MYS;100",
                "01/11/2024;Bandara Internasional Lombok Zainuddin Abdul Madjid (LOP);berangkat;MYS;1.234",
                "01/11/2024;Pelabuhan Lembar / Gili Mas cruise terminal;arrival;;50",
                "02/11/2024;lembar_port;departure;Australia;0",
            )
        ),
        "imported",
        4,
        4,
        0,
        stored={
            "port_id": ["lop_lombok_airport", "lop_lombok_airport", "lembar_port", "lembar_port"],
            "direction": ["datang", "berangkat", "datang", "berangkat"],
            "nationality": ["MYS", "MYS", None, "AUS"],
            "count": [100, 1234, 50, 0],
            "date": [D(2024, 11, 1)] * 3 + [D(2024, 11, 2)],
        },
    ),
    Case(
        "cro_bad_values",
        "crossings",
        "crossings_bad.csv",
        T(
            lines(
                "date,port,direction,nationality,count",
                "2024-11-01,Pelabuhan Atlantis,datang,,10",
                "2024-11-01,lop_lombok_airport,masuk,,10",
                "2024-11-01,lop_lombok_airport,datang,,-5",
                "2024-11-01,lop_lombok_airport,datang,,",
                "2024-11-01,lop_lombok_airport,datang,Wakanda,5",
                "2024-11-01,lop_lombok_airport,datang,,7",
            )
        ),
        "partial",
        6,
        1,
        5,
        errors=(
            (2, "port", "unknown_port"),
            (3, "direction", "bad_value"),
            (4, "count", "bad_count"),
            (5, "count", "required"),
            (6, "nationality", "unknown_nationality"),
        ),
        stored={"count": [7], "nationality": [None]},
    ),
    Case(
        "cro_missing_count_column",
        "crossings",
        "tanpa_jumlah.csv",
        T(lines("tanggal;tpi;arah", "01/11/2024;lop_lombok_airport;datang")),
        "rejected",
        code="missing_columns",
    ),
    # --- sizes --------------------------------------------------------------------------------
    Case("size_empty_file", "presence", "kosong.csv", T(""), "rejected", code="empty_file"),
    Case(
        "size_bom_only",
        "presence",
        "bom.csv",
        lambda: b"\xef\xbb\xbf",
        "rejected",
        code="empty_file",
    ),
    Case(
        "size_whitespace_only",
        "presence",
        "spasi.csv",
        T("\r\n  \r\n\t\r\n"),
        "rejected",
        code="empty_file",
    ),
    Case(
        "size_header_only", "presence", "judul_saja.csv", T(lines(P_ID)), "rejected", code="no_rows"
    ),
    Case(
        "size_header_only_utf16_blank_rows",
        "incidents",
        "judul_saja16.csv",
        T(
            lines("tanggal_kejadian;kabupaten_kota;kategori;tingkat", "", ";;;", ""),
            "utf-16-le-bom",
        ),
        "rejected",
        code="no_rows",
    ),
    Case(
        "size_file_over_limit",
        "presence",
        "besar.csv",
        T(_BIG),
        "rejected",
        code="file_too_large",
        limits=Limits(max_bytes=1024),
    ),
    Case(
        "size_too_many_rows",
        "presence",
        "banyak.csv",
        T(_many(6)),
        "rejected",
        code="too_many_rows",
        limits=Limits(max_rows=5),
    ),
    Case(
        "size_rows_at_limit_with_blank_lines",
        "presence",
        "pas.csv",
        T(_many(5) + "\n\n"),
        "imported",
        5,
        5,
        0,
        limits=Limits(max_rows=5),
    ),
    Case(
        "size_field_too_long",
        "presence",
        "panjang.csv",
        T(lines(P_ID + ";penjamin", OK_ID + ";" + "S" * 51)),
        "rejected",
        code="field_too_long",
        limits=Limits(max_field_chars=50),
    ),
    Case(
        "size_field_at_limit",
        "presence",
        "pas_panjang.csv",
        T(lines(P_ID + ";penjamin", OK_ID + ";" + "S" * 50)),
        "imported",
        1,
        1,
        0,
        limits=Limits(max_field_chars=50),
        stored={"sponsor": ["S" * 50]},
    ),
    # --- binary and disguised files -------------------------------------------------------------
    Case("bin_png_named_csv", "presence", "foto.csv", lambda: PNG, "rejected", code="binary_file"),
    Case(
        "bin_pdf_named_csv", "presence", "laporan.csv", lambda: PDF, "rejected", code="binary_file"
    ),
    Case(
        "bin_xlsx_renamed_csv",
        "presence",
        "disamarkan.csv",
        X([P_ID.split(";"), OK_ID.split(";")]),
        "rejected",
        code="disguised_file",
    ),
    Case("bin_xls_ole2", "presence", "laporan.xls", lambda: OLE2, "rejected", code="binary_file"),
    Case(
        "bin_xls_ole2_renamed_csv",
        "presence",
        "laporan_xls.csv",
        lambda: OLE2,
        "rejected",
        code="binary_file",
    ),
    Case(
        "bin_nul_bytes",
        "presence",
        "nul.csv",
        T(lines(P_ID, OK_ID + "\x00", OK_ID)),
        "rejected",
        code="binary_file",
    ),
    Case("bin_zip_named_csv", "presence", "arsip.csv", plain_zip, "rejected", code="binary_file"),
    Case(
        "bin_csv_text_named_xlsx",
        "presence",
        "teks.xlsx",
        T(lines(P_ID, OK_ID)),
        "rejected",
        code="disguised_file",
    ),
    # --- XLSX (openpyxl) ----------------------------------------------------------------------
    Case(
        "xlsx_valid_presence",
        "presence",
        "keberadaan.xlsx",
        X(
            [
                [
                    "tanggal_laporan",
                    "kabupaten_kota",
                    "kewarganegaraan",
                    "jenis_izin",
                    "kegiatan",
                    "no_paspor",
                    "jumlah_orang",
                    "Nama Lengkap",
                    "catatan",
                ],
                ["27/11/2024", "Lobar", "NA", "VOA", "wisata", "0012345", 2, "Jane Roe", "ok"],
                [
                    "2024-11-28",
                    "Kota Bima",
                    "Amerika Serikat",
                    "ITAS",
                    "bekerja",
                    "A7654321",
                    None,
                    "Max Mustermann",
                ],
            ]
        ),
        "imported",
        2,
        2,
        0,
        dropped=("catatan", "Nama Lengkap"),
        personal=("Nama Lengkap",),
        stored={
            "nationality": ["NAM", "USA"],
            "regency_code": ["52.01", "52.72"],
            "person_count": [2, 1],
            "report_date": [NOV27, D(2024, 11, 28)],
            "passport_hash": [Passport("0012345"), Passport("A7654321")],
        },
        absent=("Jane Roe", "Max Mustermann", "0012345", "A7654321"),
    ),
    Case(
        "xlsx_date_cells",
        "presence",
        "tanggal_sel.xlsx",
        X(
            [
                [
                    "report_date",
                    "regency",
                    "nationality",
                    "permit_type",
                    "activity",
                    "arrival_date",
                    "permit_expiry",
                ],
                [
                    dt.datetime(2024, 11, 27),
                    "KLU",
                    "AUS",
                    "VOA",
                    "wisata",
                    dt.date(2024, 8, 17),
                    dt.datetime(2024, 9, 15),
                ],
                [dt.datetime(2024, 12, 1), "Lotim", "NZL", "ITAS", "bekerja", None, None],
            ],
            formats={(2, 1): "dd/mm/yyyy", (2, 6): "d mmmm yyyy", (3, 1): "yyyy-mm-dd"},
        ),
        "imported",
        2,
        2,
        0,
        stored={
            "report_date": [NOV27, D(2024, 12, 1)],
            "arrival_date": [D(2024, 8, 17), None],
            "permit_expiry": [D(2024, 9, 15), None],
        },
    ),
    Case(
        "xlsx_passport_as_text_and_padded_number",
        "presence",
        "paspor.xlsx",
        X(
            [
                [
                    "tanggal_laporan",
                    "kabupaten_kota",
                    "kewarganegaraan",
                    "jenis_izin",
                    "kegiatan",
                    "no_paspor",
                ],
                [
                    "27/11/2024",
                    "Lobar",
                    "AUS",
                    "VOA",
                    "wisata",
                    "0012345",
                ],  # number typed in a text cell
                ["27/11/2024", "Loteng", "AUS", "VOA", "wisata", 12345],  # number shown as 0012345
                ["27/11/2024", "Lotim", "AUS", "VOA", "wisata", 7654321],
            ],
            formats={(2, 6): "@", (3, 6): "0000000"},
        ),
        "imported",
        3,
        3,
        0,
        stored={"passport_hash": [Passport("0012345"), Passport("0012345"), Passport("7654321")]},
        absent=("0012345", "7654321"),
    ),
    Case(
        "xlsx_row_errors_and_blank_row",
        "presence",
        "salah.xlsx",
        X(
            [
                ["report_date", "regency", "nationality", "permit_type", "activity", "lat", "lon"],
                ["2024-11-27", "KLU", "AUS", "VOA", "wisata", -8.3506, 116.042],
                None,  # blank row 3
                ["31/02/2024", "KLU", "AUS", "VOA", "wisata"],
                ["2024-11-27", "KLU", "AUS", "VOA", "wisata", -6.2, 106.8166],
            ]
        ),
        "partial",
        3,
        1,
        2,
        errors=((4, "report_date", "bad_date"), (5, "lat", "outside_ntb")),
        stored={"lat": [-8.3506], "lon": [116.042]},
    ),
    Case(
        "xlsx_decimal_comma_text",
        "presence",
        "koma.xlsx",
        X(
            [
                ["report_date", "regency", "nationality", "permit_type", "activity", "lat", "lon"],
                ["2024-11-27", "KLU", "AUS", "VOA", "wisata", "-8,3506", "116,0420"],
            ]
        ),
        # an XLSX has no delimiter, so in particular not ",": the decimal comma is accepted
        "imported",
        1,
        1,
        0,
        stored={"lat": [-8.3506], "lon": [116.042]},
    ),
    Case(
        "xlsx_header_only",
        "presence",
        "judul.xlsx",
        X([P_ID.split(";")]),
        "rejected",
        code="no_rows",
    ),
    Case(
        "xlsx_empty_workbook",
        "presence",
        "kosong.xlsx",
        empty_workbook,
        "rejected",
        code="empty_file",
    ),
    Case(
        "xlsx_incidents_bool_and_number_cells",
        "incidents",
        "kejadian.xlsx",
        X(
            [
                [
                    "tanggal_kejadian",
                    "kabupaten_kota",
                    "kategori",
                    "tingkat",
                    "terkait_pilkada",
                    "jumlah_orang",
                    "lat",
                    "lon",
                ],
                [
                    dt.date(2024, 11, 25),
                    "Kota Mataram",
                    "kegiatan_politik",
                    3,
                    True,
                    4,
                    -8.5833,
                    116.1167,
                ],
                [dt.date(2024, 11, 26), "Lobar", "overstay", 4, False, None, None, None],
            ]
        ),
        "imported",
        2,
        2,
        0,
        stored={
            "severity": [3, 4],
            "election_related": [True, False],
            "persons": [4, 1],
            "lat": [-8.5833, None],
            "incident_date": [D(2024, 11, 25), D(2024, 11, 26)],
        },
    ),
    Case(
        "xlsx_crossings_first_sheet_only",
        "crossings",
        "perlintasan.xlsx",
        X(
            [
                ["tanggal", "tpi", "arah", "kewarganegaraan", "jumlah"],
                [
                    dt.date(2024, 11, 1),
                    "Bandara Internasional Lombok Zainuddin Abdul Madjid (LOP)",
                    "datang",
                    "Tiongkok",
                    321,
                ],
                [dt.date(2024, 11, 1), "lop_lombok_airport", "berangkat", None, 1200],
            ],
            extra_sheet=[["bukan", "data"], ["x", "y"]],
        ),
        "imported",
        2,
        2,
        0,
        stored={
            "port_id": ["lop_lombok_airport"] * 2,
            "nationality": ["CHN", None],
            "count": [321, 1200],
            "direction": ["datang", "berangkat"],
        },
    ),
]

# --- NIKs and voter lists (issue 25) ----------------------------------------------------------
V_ID = "nik;kabupaten_kota;tps;jenis_daftar;tanggal_daftar"
SEP22 = D(2024, 9, 22)

CASES += [
    Case(
        "nik_voters_digits_separators_and_region",
        "voters",
        "dpt.csv",
        T(
            lines(
                V_ID,
                "5201.0123.4567.0001;Lobar;12;DPT;22/09/2024",  # dots: read as 16 digits
                "5201 0123 4567 0002;Lobar;TPS 3;DPT;22/09/2024",  # spaces
                "520101234567000;Lobar;1;DPT;22/09/2024",  # 15 digits
                "52010123456700011;Lobar;1;DPT;22/09/2024",  # 17 digits
                "5201A12345670001;Lobar;1;DPT;22/09/2024",  # a letter
                "5299012345670001;Lobar;1;DPT;22/09/2024",  # claims NTB (52), regency 99 is none of NTB's
                "3171012345670001;Kota Mataram;x;DPT;22/09/2024",  # a Jakarta NIK is a NIK; "x" is no TPS
            )
        ),
        "partial",
        7,
        2,
        5,
        errors=(
            (4, "nik", "bad_nik"),
            (5, "nik", "bad_nik"),
            (6, "nik", "bad_nik"),
            (7, "nik", "nik_region"),
            (8, "tps", "bad_tps"),
        ),
        stored={
            "nik_hash": [Nik("5201012345670001"), Nik("5201012345670002")],
            "tps": ["012", "003"],
            "list_name": ["DPT", "DPT"],
            "list_date": [SEP22, SEP22],
            "regency_code": ["52.01", "52.01"],
        },
        masked={
            (4, "nik"): "520101234567000",
            (5, "nik"): "52010123456700011",
            (6, "nik"): "5201A12345670001",
            (7, "nik"): "5299012345670001",
        },
        absent=(
            "5201012345670001",
            "5201012345670002",
            "520101234567000",
            "52010123456700011",
            "5201A12345670001",
            "5299012345670001",
        ),
    ),
    Case(
        "nik_voters_names_and_addresses_dropped",
        "voters",
        "dps_lengkap.csv",
        T(
            lines(
                "NIK;Nama;Tanggal Lahir;Alamat;Kabupaten;Kecamatan;Desa;TPS;Daftar;Tanggal Daftar",
                "5271014107800009;Siti Aminah;01/07/1980;Jl. Pejanggik 12;Kota Mataram;Cakranegara;Cakra Barat;007;DPS;20/06/2024",
                "5271015507850004;Made Wirata;15/07/1985;Jl. Majapahit 3;Kota Mataram;Cakranegara;Cakra Barat;007;DPS;20/06/2024",
            )
        ),
        "imported",
        2,
        2,
        0,
        dropped=("Nama", "Tanggal Lahir", "Alamat"),
        personal=("Nama", "Tanggal Lahir", "Alamat"),
        stored={
            "nik_hash": [Nik("5271014107800009"), Nik("5271015507850004")],
            "kecamatan": ["Cakranegara"] * 2,
            "village": ["Cakra Barat"] * 2,
            "tps": ["007", "007"],
            "list_name": ["DPS", "DPS"],
        },
        absent=(
            "Siti Aminah",
            "Made Wirata",
            "Pejanggik",
            "Majapahit",
            "01/07/1980",
            "1980-07-01",
            "5271014107800009",
            "5271015507850004",
        ),
    ),
    Case(
        "nik_voters_empty_list",
        "voters",
        "dpt_kosong.csv",
        T(lines(V_ID)),
        "rejected",
        code="no_rows",
    ),
    Case(
        "nik_presence_optional_column",
        "presence",
        "itap.csv",
        T(
            lines(
                P_ID + ";nik_ktp",
                "27/11/2024;Lobar;AUS;ITAP;keluarga;5201.4107.8000.0001",
                "27/11/2024;Lobar;NLD;ITAP;keluarga;",  # a NIK is optional
                "27/11/2024;Lobar;JPN;ITAP;keluarga;52014107800000",  # 14 digits
            )
        ),
        "partial",
        3,
        2,
        1,
        errors=((4, "nik", "bad_nik"),),
        stored={"nik_hash": [Nik("5201410780000001"), None], "nationality": ["AUS", "NLD"]},
        masked={(4, "nik"): "52014107800000"},
        absent=("5201410780000001", "52014107800000"),
    ),
]

BY_NAME = {c.name: c for c in CASES}
assert len(BY_NAME) == len(CASES), "case names must be unique"
