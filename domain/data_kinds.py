"""The kinds of data the app takes (presence, incidents, crossings): ONE record per kind, read by
the importer (loaders/), the store (storage/), the caches and pages (ui/) and the templates.

A record holds every fact about its kind: the upload contract's columns (English and Indonesian
names), the storage table and how each stored column is made, the date column, what identifies a
re-sent row, the roll-ups, the template's example row and what the upload page shows. Its name is
also the kind in `upload_batch.kind`, its change-counter scope (the counter row is made from this
registry at schema upgrade: storage/versions.ensure_counters) and its catalogue key
(`uploadpage.kind_<name>`).

It lives in domain/ because every other layer may import domain and domain imports none of them:
the record names its tables, and storage turns the names into SQLAlchemy tables (storage/tables.py).
Adding a kind: README, "Adding a data kind".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pandas as pd

from domain.agencies import fill_agencies


@dataclass(frozen=True)
class Column:
    """A column of the upload contract (docs/upload-contract.md)."""

    name: str  # stored/English name
    id_name: str  # Indonesian name
    required: bool
    type: str  # date | regency | nationality | enum:<vocabulary> | count | coord | text | passport | nik | tps | bool | severity | port | id
    max_len: int = 200
    aliases: tuple[str, ...] = ()

    @property
    def secret(self) -> bool:
        """Kept only as a keyed hash (loaders/pseudonym.py), masked in error reports, never shown."""
        return self.type in SECRET_TYPES


# Column types stored only as their keyed hash: passport numbers and NIKs (e-KTP numbers).
SECRET_TYPES = ("passport", "nik")


@dataclass(frozen=True)
class Stored:
    """A column of the kind's storage table and where its value comes from: the validated contract
    column `source`, with `default` for a blank cell (count and severity columns are stored as
    integers, bool columns as flags, passport and NIK columns as their keyed hash), or `fill(rows)`.
    `added_later`: appended after the kind had data; a blank leaves a row's fingerprint (row_hash)
    as it was before the column existed, so re-sent old rows are still found the same. `raw`: a
    keyed hash stored as its 32 bytes (BLOB / bytea), not 64 hex characters (a voter list's
    millions of NIKs: half the bytes to write and index); its fingerprint is still the hex one's."""

    name: str
    source: str
    default: object = None
    fill: Callable[[pd.DataFrame], pd.Series] | None = field(default=None, compare=False)
    added_later: bool = False
    raw: bool = False


@dataclass(frozen=True)
class Rollup:
    """An aggregate table the pages read instead of the rows: the kind's date column as `day`
    (or `month`, its first day, when monthly), grouped by `keys`, with `sums`:
    roll-up column -> (stored column, "sum" | "size")."""

    table: str
    keys: tuple[str, ...]
    sums: dict = field(hash=False)
    monthly: bool = False

    @property
    def period(self) -> str:
        return "month" if self.monthly else "day"


@dataclass(frozen=True)
class DataKind:
    name: str  # upload_batch.kind, cache scope, catalogue key uploadpage.kind_<name>
    table: str  # its storage table (a migration; columns id, batch_id,
    # replaced_by_batch, record_id, row_hash and `stored`)
    columns: tuple[Column, ...]  # the upload contract, in the template's order
    stored: tuple[Stored, ...]  # the table's data columns besides record_id, in the order
    # row_hash combines them: never reorder a kind that has data
    date: str  # stored date column: roll-ups' day, re-send spans, undo
    identity: str | tuple[str, ...] | None  # what makes a re-sent row the same row: the contract
    # column with the sender's id (str), or, for aggregated figures
    # that carry none, the stored columns whose values identify one;
    # None: nothing but identical content (a list snapshot)
    rollups: tuple[Rollup, ...] = ()
    example: dict = field(default_factory=dict, hash=False)  # template row: Indonesian name -> text
    preview: tuple[str, ...] = ()  # contract columns whose reading the upload page shows
    date_order: tuple[
        tuple[str, str, str], ...
    ] = ()  # (earlier, later, error code) checked per row

    @property
    def scope(self) -> str:
        """Its change counter (storage/versions.py), which its caches are keyed by."""
        return self.name

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def vocabularies(self) -> tuple[str, ...]:
        """The coded columns' vocabularies (data/reference/vocabularies.toml), listed on the upload page."""
        return tuple(c.type.split(":", 1)[1] for c in self.columns if c.type.startswith("enum:"))

    def contract_name(self, stored: str) -> str | None:
        """The contract column a storage column holds (None: no column, or a keyed hash)."""
        if stored == "record_id":
            return self.identity if isinstance(self.identity, str) else None
        s = next((s for s in self.stored if s.name == stored), None)
        return None if s is None or self.column(s.source).secret else s.source

    def stored_name(self, contract: str) -> str:
        """The storage column a contract column is kept in (the sender's id: record_id)."""
        if self.identity == contract:
            return "record_id"
        return next((s.name for s in self.stored if s.source == contract), contract)


_REGISTRY: dict[str, DataKind] = {}


def register(kind: DataKind) -> DataKind:
    """Add a kind (this module does it for the shipped kinds; a test may add a dummy one)."""
    if kind.name in _REGISTRY:
        raise ValueError(f"data kind {kind.name!r} is registered already")
    if len(kind.name) > 16:  # upload_batch.kind and change_counter.scope are 16 characters
        raise ValueError(f"data kind {kind.name!r}: a name of at most 16 characters")
    names = {c.name for c in kind.columns}
    unknown = [s.source for s in kind.stored if s.source not in names]
    if isinstance(kind.identity, str) and kind.identity not in names:
        unknown.append(kind.identity)
    if unknown:
        raise ValueError(f"data kind {kind.name!r}: no contract column {', '.join(unknown)}")
    _REGISTRY[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def kinds() -> tuple[str, ...]:
    """The registered kinds' names, in the order the upload page offers them."""
    return tuple(_REGISTRY)


def kind(name: str) -> DataKind:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown data kind {name!r}; known: {', '.join(_REGISTRY)}") from None


def _same(*names: str) -> tuple[Stored, ...]:
    """Contract columns stored under their own name, unchanged."""
    return tuple(Stored(n, n) for n in names)


# NIK (Nomor Induk Kependudukan, the e-KTP number): 16 digits; citizens and foreign residents
# with a permanent stay permit (ITAP) hold one. Kept only as a keyed hash with its own purpose label.
_NIK = Column("nik", "nik_ktp", False, "nik", max_len=40, aliases=("no_nik", "nomor_nik", "no_ktp"))

_PERSONS = {"persons": ("person_count", "sum"), "reports": ("person_count", "size")}
_INCIDENTS = {"incidents": ("persons", "size"), "persons": ("persons", "sum")}

register(
    DataKind(
        name="presence",
        table="presence",
        date="report_date",
        identity="record_id",
        columns=(
            Column(
                "report_date", "tanggal_laporan", True, "date", aliases=("tanggal", "tgl_laporan")
            ),
            Column(
                "regency",
                "kabupaten_kota",
                True,
                "regency",
                aliases=("kabupaten", "kab_kota", "kota", "regency_city"),
            ),
            Column(
                "nationality",
                "kewarganegaraan",
                True,
                "nationality",
                aliases=("negara", "country", "warga_negara"),
            ),
            Column(
                "permit_type",
                "jenis_izin",
                True,
                "enum:permit_type",
                aliases=("izin", "permit", "izin_tinggal"),
            ),
            Column("activity", "kegiatan", True, "enum:activity", aliases=("aktivitas",)),
            Column(
                "passport_no",
                "no_paspor",
                False,
                "passport",
                aliases=("passport", "paspor", "nomor_paspor", "passport_number"),
            ),
            Column("person_count", "jumlah_orang", False, "count", aliases=("persons", "jumlah")),
            Column(
                "arrival_date", "tanggal_masuk", False, "date", aliases=("tgl_masuk", "entry_date")
            ),
            Column(
                "permit_expiry",
                "tanggal_habis_izin",
                False,
                "date",
                aliases=("tgl_habis_izin", "expiry_date", "permit_expiry_date"),
            ),
            Column("sponsor", "penjamin", False, "text"),
            Column("location", "lokasi", False, "text"),
            Column("lat", "lintang", False, "coord", aliases=("latitude",)),
            Column("lon", "bujur", False, "coord", aliases=("longitude", "lng")),
            Column("source", "sumber", False, "text", max_len=64),
            Column(
                "record_id", "no_register", False, "id", max_len=64, aliases=("id", "no_registrasi")
            ),
            _NIK,  # a foreign resident's e-KTP number (ITAP holders): matched against voter lists
        ),
        stored=(
            *_same("report_date"),
            Stored("regency_code", "regency"),
            *_same("nationality", "permit_type", "activity"),
            Stored("passport_hash", "passport_no"),
            Stored("person_count", "person_count", default=1),
            *_same("arrival_date", "permit_expiry", "sponsor", "location", "lat", "lon", "source"),
            Stored("nik_hash", "nik", added_later=True),
        ),
        rollups=(
            Rollup("presence_regency_daily", ("regency_code",), _PERSONS),
            Rollup("presence_nationality_daily", ("regency_code", "nationality"), _PERSONS),
            Rollup(
                "presence_nationality_monthly",
                ("regency_code", "nationality"),
                _PERSONS,
                monthly=True,
            ),
            Rollup(
                "presence_daily",
                ("regency_code", "nationality", "permit_type", "activity"),
                _PERSONS,
            ),
        ),
        example={
            "tanggal_laporan": "27/11/2024",
            "kabupaten_kota": "Lombok Utara",
            "kewarganegaraan": "AUS",
            "jenis_izin": "VOA",
            "kegiatan": "wisata",
            "no_paspor": "PA1234567",
            "jumlah_orang": "2",
            "tanggal_masuk": "20/11/2024",
            "tanggal_habis_izin": "19/12/2024",
            "penjamin": "",
            "lokasi": "Gili Trawangan",
            "lintang": "-8.351",
            "bujur": "116.038",
            "sumber": "hotel",
            "no_register": "HTL-2024-0001",
        },
        preview=(
            "report_date",
            "regency",
            "nationality",
            "permit_type",
            "activity",
            "passport_no",
            "arrival_date",
            "permit_expiry",
            "lat",
            "lon",
        ),
        date_order=(("arrival_date", "permit_expiry", "expiry_before_arrival"),),
    )
)

register(
    DataKind(
        name="incidents",
        table="incident",
        date="incident_date",
        identity="incident_id",
        columns=(
            Column("incident_date", "tanggal_kejadian", True, "date", aliases=("tanggal", "date")),
            Column(
                "regency",
                "kabupaten_kota",
                True,
                "regency",
                aliases=("kabupaten", "kab_kota", "kota"),
            ),
            Column("category", "kategori", True, "enum:category"),
            Column("severity", "tingkat", True, "severity", aliases=("tingkat_kerawanan", "level")),
            Column("incident_id", "no_kejadian", False, "id", max_len=64, aliases=("id",)),
            Column(
                "nationality",
                "kewarganegaraan",
                False,
                "nationality",
                aliases=("negara", "country"),
            ),
            Column("persons", "jumlah_orang", False, "count", aliases=("person_count", "jumlah")),
            Column(
                "description",
                "uraian",
                False,
                "text",
                max_len=2000,
                aliases=("keterangan", "deskripsi"),
            ),
            Column("lat", "lintang", False, "coord", aliases=("latitude",)),
            Column("lon", "bujur", False, "coord", aliases=("longitude", "lng")),
            Column("reported_by", "pelapor", False, "text", max_len=120),
            Column(
                "responsible_agency",
                "instansi_penindak",
                False,
                "text",
                max_len=120,
                aliases=("instansi",),
            ),
            Column("action", "tindakan", False, "enum:action"),
            Column(
                "status", "status_tindak_lanjut", False, "enum:status", aliases=("tindak_lanjut",)
            ),
            Column(
                "election_related", "terkait_pilkada", False, "bool", aliases=("terkait_pemilu",)
            ),
        ),
        stored=(
            *_same("incident_date"),
            Stored("regency_code", "regency"),
            *_same("category", "severity", "nationality"),
            Stored("persons", "persons", default=1),
            *_same("description", "lat", "lon", "reported_by"),
            # blank: the lead agency of the category's route (data/reference/agency_routing.csv)
            Stored(
                "responsible_agency",
                "responsible_agency",
                fill=lambda rows: fill_agencies(rows["category"], rows["responsible_agency"]),
            ),
            *_same("action"),
            Stored("status", "status", default="baru"),
            Stored("election_related", "election_related", default=False),
        ),
        rollups=(
            Rollup(
                "incident_regency_daily", ("regency_code", "election_related", "status"), _INCIDENTS
            ),
            Rollup(
                "incident_regency_monthly",
                ("regency_code", "election_related", "status"),
                _INCIDENTS,
                monthly=True,
            ),
            Rollup(
                "incident_daily",
                ("regency_code", "category", "severity", "status", "election_related"),
                _INCIDENTS,
            ),
        ),
        example={
            "tanggal_kejadian": "25/11/2024",
            "kabupaten_kota": "Kota Mataram",
            "kategori": "kegiatan_politik",
            "tingkat": "tinggi",
            "no_kejadian": "KJD-2024-001",
            "kewarganegaraan": "Tiongkok",
            "jumlah_orang": "1",
            "uraian": "WNA terlihat dalam kegiatan kampanye",
            "lintang": "-8.583",
            "bujur": "116.116",
            "pelapor": "Polda NTB",
            "instansi_penindak": "",
            "tindakan": "pemantauan",
            "status_tindak_lanjut": "baru",
            "terkait_pilkada": "ya",
        },
        preview=(
            "incident_date",
            "regency",
            "category",
            "severity",
            "nationality",
            "action",
            "status",
        ),
    )
)

register(
    DataKind(
        name="crossings",
        table="crossing",
        date="date",
        # Aggregated figures have no sender id: date, port, direction and nationality identify them,
        # so a corrected figure replaces the old one instead of adding to it.
        identity=("date", "port_id", "direction", "nationality"),
        columns=(
            Column("date", "tanggal", True, "date"),
            Column("port", "tpi", True, "port", aliases=("pelabuhan", "bandara", "port_id")),
            Column("direction", "arah", True, "enum:direction"),
            Column(
                "nationality",
                "kewarganegaraan",
                False,
                "nationality",
                aliases=("negara", "country"),
            ),
            Column("count", "jumlah", True, "count", aliases=("jumlah_orang", "persons")),
        ),
        stored=(
            *_same("date"),
            Stored("port_id", "port"),
            *_same("direction", "nationality", "count"),
        ),
        rollups=(
            Rollup("crossing_daily", ("port_id", "direction"), {"persons": ("count", "sum")}),
        ),
        example={
            "tanggal": "01/11/2024",
            "tpi": "lop_lombok_airport",
            "arah": "datang",
            "kewarganegaraan": "MYS",
            "jumlah": "1920",
        },
        preview=("date", "port", "direction", "nationality", "count"),
    )
)

register(
    DataKind(
        # A voter-list extract (daftar pemilih) from the regency's KPU: one row per voter, only to find
        # foreign residents' NIKs on it (the "foreigner on the voter list" alert). The NIK is kept only as
        # its keyed hash; names and addresses are dropped at import. A list is a snapshot: a row is the
        # same row only when everything is the same (no sender id); a corrected list replaces the old
        # one by undoing its batch. docs/voter-list-check.md.
        name="voters",
        table="voter_list",
        date="list_date",
        identity=None,
        columns=(
            replace(_NIK, required=True),
            Column(
                "regency",
                "kabupaten_kota",
                True,
                "regency",
                aliases=("kabupaten", "kab_kota", "kota"),
            ),
            Column("kecamatan", "kecamatan", False, "text", max_len=80, aliases=("district",)),
            Column(
                "village",
                "desa_kelurahan",
                False,
                "text",
                max_len=80,
                aliases=("desa", "kelurahan"),
            ),
            Column(
                "tps",
                "tps",
                True,
                "tps",
                max_len=16,
                aliases=("no_tps", "nomor_tps", "polling_station"),
            ),
            Column(
                "list", "jenis_daftar", True, "enum:voter_list", aliases=("daftar", "jenis_dpt")
            ),
            Column("list_date", "tanggal_daftar", True, "date", aliases=("tanggal", "tgl_daftar")),
        ),
        stored=(
            *_same("list_date"),
            Stored("regency_code", "regency"),
            Stored("list_name", "list"),
            *_same("tps"),
            Stored("nik_hash", "nik", raw=True),  # 32 bytes (migration 0020)
            *_same("kecamatan", "village"),
        ),
        rollups=(
            Rollup(
                "voter_list_daily", ("regency_code", "list_name"), {"voters": ("nik_hash", "size")}
            ),
        ),
        example={
            "nik_ktp": "5201012345670001",
            "kabupaten_kota": "Lombok Barat",
            "kecamatan": "Batu Layar",
            "desa_kelurahan": "Senggigi",
            "tps": "012",
            "jenis_daftar": "DPT",
            "tanggal_daftar": "22/09/2024",
        },
        preview=("nik", "regency", "tps", "list", "list_date"),
    )
)
