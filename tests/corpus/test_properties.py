"""Property tests (hypothesis) of the import path.

(a) Round trip: valid presence frames, written as CSV in every delimiter x encoding and as
    XLSX, imported into a fresh SQLite file, come back exactly: regency codes, ISO alpha-3
    nationalities, dates, counts, text, coordinates, and the passport only as the keyed hash of
    the normalised number.
(b) Robustness: no input makes `loaders.pipeline.prepare` raise anything but ImportRejected
    (arbitrary bytes; arbitrary text under a valid header; arbitrary cells in a valid file).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import string
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from loaders.columns import SPECS
from loaders.errors import ImportRejected
from loaders.pipeline import import_file, prepare
from loaders.pseudonym import pseudonymise
from loaders.reader import Limits
from storage.engine import make_engine
from storage.models import Presence
from tests.corpus.cases import encode

# --- accepted spellings, from the contract (not from the importer's tables) -----------------

NAMES = {
    "52.01": "Lombok Barat",
    "52.02": "Lombok Tengah",
    "52.03": "Lombok Timur",
    "52.04": "Sumbawa",
    "52.05": "Dompu",
    "52.06": "Bima",
    "52.07": "Sumbawa Barat",
    "52.08": "Lombok Utara",
    "52.71": "Mataram",
    "52.72": "Bima",
}
SHORT = {
    "52.01": ["Lobar"],
    "52.02": ["Loteng"],
    "52.03": ["Lotim"],
    "52.08": ["KLU"],
    "52.07": ["KSB"],
    "52.71": ["Mataram"],
    "52.06": ["Bima"],
}


def regency_spellings(code: str) -> list[str]:
    name = NAMES[code]
    out = [code, code.replace(".", "")]
    if code.startswith("52.7"):
        out += [f"Kota {name}"]
    else:
        out += [name, f"Kab. {name}", f"Kabupaten {name}", f"Kab {name}"]
    return out + SHORT.get(code, [])


CASINGS = (str, str.upper, str.lower, str.title)

NATIONALITIES = [
    ("NA", "NAM"),
    ("NAM", "NAM"),
    ("Namibia", "NAM"),
    ("AU", "AUS"),
    ("AUS", "AUS"),
    ("Australia", "AUS"),
    ("Tiongkok", "CHN"),
    ("China", "CHN"),
    ("CN", "CHN"),
    ("CHN", "CHN"),
    ("Amerika Serikat", "USA"),
    ("US", "USA"),
    ("USA", "USA"),
    ("United States", "USA"),
    ("DE", "DEU"),
    ("Germany", "DEU"),
    ("Jerman", "DEU"),
    ("JP", "JPN"),
    ("Jepang", "JPN"),
    ("Japan", "JPN"),
    ("MY", "MYS"),
    ("Malaysia", "MYS"),
    ("GB", "GBR"),
    ("Inggris", "GBR"),
    ("United Kingdom", "GBR"),
    ("FR", "FRA"),
    ("France", "FRA"),
    ("Prancis", "FRA"),
    ("RU", "RUS"),
    ("Rusia", "RUS"),
    ("NZ", "NZL"),
    ("Selandia Baru", "NZL"),
    ("New Zealand", "NZL"),
    ("SG", "SGP"),
    ("Singapura", "SGP"),
    ("Singapore", "SGP"),
    ("NL", "NLD"),
    ("Belanda", "NLD"),
    ("KOR", "KOR"),
    ("Korea Selatan", "KOR"),
]
PERMITS = ["BVK", "VOA", "ITK", "ITAS", "ITAP", "DIPLOMATIK", "DINAS"]
ACTIVITIES = [
    ("wisata", "tourism"),
    ("bisnis", "business"),
    ("bekerja", "work"),
    ("investasi", "investment"),
    ("keluarga", "family"),
    ("pendidikan", "study"),
    ("penelitian", "research"),
    ("keagamaan", "religious"),
    ("sosial", "social"),
    ("jurnalistik", "journalism"),
    ("politik", "political"),
    ("lainnya", "other"),
]
MONTHS = {
    1: ["Januari", "January", "Jan"],
    2: ["Februari", "February", "Feb"],
    3: ["Maret", "March", "Mar"],
    4: ["April", "Apr"],
    5: ["Mei", "May"],
    6: ["Juni", "June", "Jun"],
    7: ["Juli", "July", "Jul"],
    8: ["Agustus", "August", "Aug"],
    9: ["September", "Sep"],
    10: ["Oktober", "October", "Okt", "Oct"],
    11: ["November", "Nopember", "Nov"],
    12: ["Desember", "December", "Des", "Dec"],
}
HEADERS = {  # contract column -> (English, Indonesian)
    "report_date": ("report_date", "tanggal_laporan"),
    "regency": ("regency", "kabupaten_kota"),
    "nationality": ("nationality", "kewarganegaraan"),
    "permit_type": ("permit_type", "jenis_izin"),
    "activity": ("activity", "kegiatan"),
    "passport_no": ("passport_no", "no_paspor"),
    "person_count": ("person_count", "jumlah_orang"),
    "arrival_date": ("arrival_date", "tanggal_masuk"),
    "permit_expiry": ("permit_expiry", "tanggal_habis_izin"),
    "sponsor": ("sponsor", "penjamin"),
    "location": ("location", "lokasi"),
    "lat": ("lat", "lat"),
    "lon": ("lon", "lon"),
    "source": ("source", "sumber"),
    "record_id": ("record_id", "no_register"),
}
REQUIRED = ["report_date", "regency", "nationality", "permit_type", "activity"]
OPTIONAL = [
    "passport_no",
    "person_count",
    "arrival_date",
    "permit_expiry",
    "sponsor",
    "location",
    "coords",
    "source",
    "record_id",
]
DELIMITERS = [",", ";", "\t"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16-le-bom", "utf-16-be-bom", "cp1252"]
# Free text: cp1252-encodable letters (all non-ASCII ones >= 0xC0 there, so a cp1252 file is
# never valid UTF-8 by accident), delimiters, quotes and newlines inside values.
TEXT_ALPHABET = string.ascii_letters + string.digits + " .,;:'\"/()&-" + "éüñçàÉÜÑôß" + "\n"


@lru_cache(maxsize=1)
def interior_points() -> dict[str, list[tuple[float, float]]]:
    """Regency code -> (lat, lon) points well inside it (4 decimals), from the boundaries."""
    import shapely

    from domain.regions import regency_geometries

    out = {}
    for code, geom in regency_geometries().items():
        inner = geom.buffer(-0.005)
        x0, y0, x1, y1 = inner.bounds
        pts = []
        steps = 12
        for i in range(steps + 1):
            for j in range(steps + 1):
                lon = round(x0 + (x1 - x0) * i / steps, 4)
                lat = round(y0 + (y1 - y0) * j / steps, 4)
                if inner.contains(shapely.Point(lon, lat)):
                    pts.append((lat, lon))
        rp = inner.representative_point()
        pts.append((round(rp.y, 4), round(rp.x, 4)))
        out[code] = [p for p in pts if inner.contains(shapely.Point(p[1], p[0]))]
        assert out[code], code
    return out


# --- strategies -----------------------------------------------------------------------------


@dataclass
class Row:
    report_date: dt.date
    date_text: str
    regency: str
    regency_code: str
    nationality: str
    alpha3: str
    permit: str
    activity: str
    activity_stored: str
    passport: str | None
    person_count: int | None
    arrival: dt.date | None
    expiry: dt.date | None
    sponsor: str | None
    location: str | None
    coords: tuple[float, float] | None
    source: str | None
    record_id: str | None


dates = st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))


@st.composite
def date_text(draw, d: dt.date) -> str:
    style = draw(st.sampled_from(["iso", "dmy", "dmy-dash", "d/m/y", "named"]))
    if style == "iso":
        return d.isoformat()
    if style == "dmy":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "dmy-dash":
        return f"{d.day:02d}-{d.month:02d}-{d.year}"
    if style == "d/m/y":
        return f"{d.day}/{d.month}/{d.year}"
    return f"{d.day} {draw(st.sampled_from(MONTHS[d.month]))} {d.year}"


free_text = st.text(TEXT_ALPHABET, min_size=1, max_size=30).map(str.strip).filter(
    bool
) | st.sampled_from(["NA", "null", "N/A", "-", "0012", "None", "nan", "#N/A"])
passports = st.from_regex(r"0{0,3}[A-Z0-9]{5,12}", fullmatch=True)


@st.composite
def rows(draw, index: int) -> Row:
    code = draw(st.sampled_from(sorted(NAMES)))
    regency = draw(st.sampled_from(regency_spellings(code)))
    if not regency[0].isdigit():
        regency = draw(st.sampled_from(CASINGS))(regency)
    nat, alpha3 = draw(st.sampled_from(NATIONALITIES))
    act_id, act_en = draw(st.sampled_from(ACTIVITIES))
    d = draw(dates)
    arrival = draw(st.none() | dates)
    expiry = draw(st.none() | (st.dates(arrival, dt.date(2031, 12, 31)) if arrival else dates))
    has_id = draw(st.booleans())
    return Row(
        report_date=d,
        date_text=draw(date_text(d)),
        regency=regency,
        regency_code=code,
        nationality=nat,
        alpha3=alpha3,
        permit=draw(st.sampled_from(PERMITS)),
        activity=draw(st.sampled_from([act_id, act_en])),
        activity_stored=act_id,
        passport=draw(st.none() | passports),
        person_count=draw(st.none() | st.integers(0, 999)),
        arrival=arrival,
        expiry=expiry,
        sponsor=draw(st.none() | free_text),
        location=draw(st.none() | free_text),
        coords=draw(st.none() | st.sampled_from(interior_points()[code])),
        source=draw(st.none() | st.sampled_from(["APOA", "hotel", "patroli", "laporan"])),
        record_id=(f"{index:06d}" if has_id else None),  # leading zeros: kept as text
    )


@st.composite
def frames(draw):
    n = draw(st.integers(1, 6))
    body = [draw(rows(i)) for i in range(n)]
    optional = draw(st.lists(st.sampled_from(OPTIONAL), unique=True))
    columns = (
        REQUIRED
        + [c for c in optional if c != "coords"]
        + (["lat", "lon"] if "coords" in optional else [])
    )
    columns = draw(st.permutations(columns))
    headers = []
    for c in columns:
        name = draw(st.sampled_from(HEADERS[c]))
        name = draw(st.sampled_from([name, name.replace("_", " "), name.replace("_", "-")]))
        name = draw(st.sampled_from(CASINGS))(name)
        headers.append(draw(st.sampled_from(["", " "])) + name)
    return columns, headers, body


def cell(row: Row, column: str, *, decimal_comma: bool, xlsx: bool, native: bool):
    """The value written for a column (text; with `native`, XLSX cells get dates and numbers)."""
    if column == "report_date":
        return row.report_date if native else row.date_text
    value = {
        "regency": row.regency,
        "nationality": row.nationality,
        "permit_type": row.permit,
        "activity": row.activity,
        "passport_no": row.passport,
        "sponsor": row.sponsor,
        "location": row.location,
        "source": row.source,
        "record_id": row.record_id,
    }.get(column, "")
    if column == "person_count":
        value = (
            row.person_count
            if (native and row.person_count is not None)
            else ("" if row.person_count is None else str(row.person_count))
        )
    elif column in ("arrival_date", "permit_expiry"):
        d = row.arrival if column == "arrival_date" else row.expiry
        value = (
            d if (native and d) else ("" if d is None else f"{d.day:02d}/{d.month:02d}/{d.year}")
        )
    elif column in ("lat", "lon"):
        if row.coords is None:
            value = ""
        else:
            v = row.coords[0] if column == "lat" else row.coords[1]
            value = v if native else (f"{v:.4f}".replace(".", ",") if decimal_comma else f"{v:.4f}")
    if value is None:
        value = ""
    if xlsx and value == "":
        return None
    return value


def to_csv(
    columns, headers, body, delimiter: str, encoding: str, eol: str, comma_coords: bool
) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator=eol, quoting=csv.QUOTE_MINIMAL)
    w.writerow(headers)
    for r in body:
        w.writerow(
            [
                cell(
                    r, c, decimal_comma=comma_coords and delimiter != ",", xlsx=False, native=False
                )
                for c in columns
            ]
        )
    return encode(out.getvalue(), encoding)


def to_xlsx(columns, headers, body, native: bool) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in body:
        ws.append([cell(r, c, decimal_comma=False, xlsx=True, native=native) for c in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def expected_rows(columns, body) -> list[dict]:
    present = set(columns)
    out = []
    for r in body:

        def opt(col, value):
            return value if col in present else None

        passport = opt("passport_no", r.passport)
        out.append(
            {
                "record_id": opt("record_id", r.record_id),
                "report_date": r.report_date,
                "regency_code": r.regency_code,
                "nationality": r.alpha3,
                "permit_type": r.permit,
                "activity": r.activity_stored,
                "passport_hash": None
                if passport is None
                else pseudonymise(pd.Series([passport], dtype=object))[0],
                "person_count": 1
                if opt("person_count", r.person_count) is None
                else r.person_count,
                "arrival_date": opt("arrival_date", r.arrival),
                "permit_expiry": opt("permit_expiry", r.expiry),
                "sponsor": opt("sponsor", r.sponsor),
                "location": opt("location", r.location),
                "lat": opt("lat", r.coords and r.coords[0]),
                "lon": opt("lon", r.coords and r.coords[1]),
                "source": opt("source", r.source),
            }
        )
    return out


STORED = [
    "record_id",
    "report_date",
    "regency_code",
    "nationality",
    "permit_type",
    "activity",
    "passport_hash",
    "person_count",
    "arrival_date",
    "permit_expiry",
    "sponsor",
    "location",
    "lat",
    "lon",
    "source",
]


# --- a fresh SQLite database per import (a copy of one upgraded template) ---------------------


@pytest.fixture(scope="module")
def template_db(databases) -> Path:
    return databases.sqlite_template()


def import_fresh(template: Path, data: bytes, name: str):
    """Import into a fresh copy of the template; return (result, stored rows in order)."""
    workdir = Path(tempfile.mkdtemp(prefix="ntb_prop_"))
    try:
        db = workdir / "db.sqlite"
        shutil.copyfile(template, db)
        engine = make_engine(f"sqlite:///{db}")
        try:
            res = import_file(engine, data, name, "presence", mode="all_or_nothing")
            with engine.connect() as conn:
                got = [
                    dict(r._mapping)
                    for r in conn.execute(
                        select(*[getattr(Presence, c) for c in STORED]).order_by(Presence.id)
                    )
                ]
        finally:
            engine.dispose()
        return res, got
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def check_round_trip(template: Path, data: bytes, name: str, columns, body, what: str) -> None:
    res, got = import_fresh(template, data, name)
    assert (res.status, res.rows_imported, res.rows_rejected) == ("imported", len(body), 0), (
        what,
        res.summary("en"),
        [(e.line, e.column, e.value, e.code) for e in res.errors],
    )
    # No error; the only warnings are rows without a passport number (every point is inside its regency).
    no_passport = [
        (n + 2, "passport_no", "no_passport", "warning")
        for n, r in enumerate(body)
        if "passport_no" in columns and r.passport is None
    ]
    assert [(e.line, e.column, e.code, e.level) for e in res.errors] == no_passport, what
    assert got == expected_rows(columns, body), what


ROUND_TRIP = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ROUND_TRIP
@given(frame=frames(), eol=st.sampled_from(["\n", "\r\n"]), comma_coords=st.booleans())
def test_round_trip_csv_every_delimiter_and_encoding(template_db, frame, eol, comma_coords):
    columns, headers, body = frame
    for delimiter in DELIMITERS:
        for encoding in ENCODINGS:
            data = to_csv(columns, headers, body, delimiter, encoding, eol, comma_coords)
            check_round_trip(
                template_db,
                data,
                "keberadaan.csv",
                columns,
                body,
                f"delimiter={delimiter!r} encoding={encoding}",
            )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames(), native=st.booleans())
def test_round_trip_xlsx(template_db, frame, native):
    columns, headers, body = frame
    data = to_xlsx(columns, headers, body, native)
    check_round_trip(template_db, data, "keberadaan.xlsx", columns, body, f"xlsx native={native}")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    frame=frames(),
    delimiter=st.sampled_from(DELIMITERS),
    encoding=st.sampled_from(ENCODINGS),
    eol=st.sampled_from(["\n", "\r\n"]),
    comma_coords=st.booleans(),
)
def test_round_trip_csv_one_dialect_many_frames(
    template_db, frame, delimiter, encoding, eol, comma_coords
):
    """More frames, one random dialect each (the test above covers every dialect per frame)."""
    columns, headers, body = frame
    data = to_csv(columns, headers, body, delimiter, encoding, eol, comma_coords)
    check_round_trip(
        template_db, data, "keberadaan.csv", columns, body, f"{delimiter!r} {encoding}"
    )


# --- (b) nothing but ImportRejected ----------------------------------------------------------


def header_line(kind: str, delimiter: str, indonesian: bool) -> str:
    return delimiter.join((c.id_name if indonesian else c.name) for c in SPECS[kind])


SMALL = Limits(max_bytes=64 * 1024, max_rows=40, max_field_chars=300, max_columns=30)
limits = st.sampled_from([Limits(), SMALL])
kinds = st.sampled_from(["presence", "incidents", "crossings"])
names = st.sampled_from(["a.csv", "a.tsv", "a.txt", "a.xlsx", "a.xls", "a", "A.CSV", "a.json"])
MAGIC = [
    b"",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"\x89PNG\r\n\x1a\n",
    b"%PDF-",
    b'"',
    b"\x00",
]


def survives(data: bytes, name: str, kind: str, lim: Limits) -> None:
    """prepare() either returns a consistent Prepared or raises ImportRejected; nothing else."""
    try:
        prep = prepare(data, name, kind, lim)
    except ImportRejected as exc:
        assert exc.message("id") and exc.message("en")
        return
    assert len(prep.rows) + prep.rows_rejected == prep.rows_read
    assert all(isinstance(e.line, int) and e.line >= 1 for e in prep.errors)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from(MAGIC), data=st.binary(max_size=3000), name=names, kind=kinds, lim=limits
)
def test_arbitrary_bytes_only_import_rejected(prefix, data, name, kind, lim):
    survives(prefix + data, name, kind, lim)


@FUZZ
@given(
    kind=kinds,
    delimiter=st.sampled_from(DELIMITERS),
    indonesian=st.booleans(),
    body=st.text(max_size=1500),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16-le-bom", "cp1252"]),
    name=st.sampled_from(["a.csv", "a.tsv", "a.txt"]),
    lim=limits,
)
def test_arbitrary_text_under_a_valid_header_only_import_rejected(
    kind, delimiter, indonesian, body, encoding, name, lim
):
    text = header_line(kind, delimiter, indonesian) + "\n" + body
    data = (
        text.encode("cp1252", errors="replace") if encoding == "cp1252" else encode(text, encoding)
    )
    survives(data, name, kind, lim)


tricky = st.sampled_from(
    [
        "",
        " ",
        "NA",
        "0",
        "-0",
        "1e5",
        "1.234",
        "1.234.567",
        "9" * 30,
        "-8,5",
        "116,1",
        "nan",
        "inf",
        "-inf",
        "31/02/2024",
        "0/0/0",
        "2024-13-45",
        "99 Nopember 2024",
        "Kota",
        "Kab.",
        "Kab. Kota Bima",
        "52.",
        "5",
        '"',
        '""',
        "=1+1",
        "\u00a0",
        "\ufeff",
        "\u200b",
        "0012345",
        "ya",
        "TRUE",
        "lop_lombok_airport",
        "-",
        "  Lobar  ",
    ]
)
cells = tricky | st.text(max_size=25)


@FUZZ
@given(
    kind=kinds,
    delimiter=st.sampled_from(DELIMITERS),
    indonesian=st.booleans(),
    data=st.data(),
    n=st.integers(1, 8),
    lim=limits,
)
def test_arbitrary_cells_in_a_valid_csv_only_import_rejected(
    kind, delimiter, indonesian, data, n, lim
):
    header = header_line(kind, delimiter, indonesian).split(delimiter)
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    for _ in range(n):
        w.writerow([data.draw(cells) for _ in header])
    survives(out.getvalue().encode("utf-8", errors="surrogatepass"), "a.csv", kind, lim)


xlsx_cells = (
    st.none()
    | cells
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
    | st.dates(dt.date(1900, 3, 1), dt.date(2200, 1, 1))
    | st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2200, 1, 1))
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=kinds, indonesian=st.booleans(), data=st.data(), n=st.integers(1, 6), lim=limits)
def test_arbitrary_cells_in_a_valid_xlsx_only_import_rejected(kind, indonesian, data, n, lim):
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    header = header_line(kind, ",", indonesian).split(",")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for _ in range(n):
        row = []
        for _ in header:
            v = data.draw(xlsx_cells)
            if isinstance(v, str):
                v = ILLEGAL_CHARACTERS_RE.sub("", v)
            row.append(v)
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    survives(out.getvalue(), "a.xlsx", kind, lim)
