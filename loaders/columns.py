"""The columns of the upload contract (docs/upload-contract.md) for each kind of file.

Header names are matched case-insensitively after trimming, with spaces and hyphens as `_`.
Each column has an English and an Indonesian name; both are accepted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("presence", "incidents", "crossings")


@dataclass(frozen=True)
class Column:
    name: str            # stored/English name
    id_name: str         # Indonesian name
    required: bool
    type: str            # date | regency | nationality | enum:<vocabulary> | count | coord | text | passport | bool | severity | port | id
    max_len: int = 200
    aliases: tuple[str, ...] = ()


PRESENCE = (
    Column("report_date", "tanggal_laporan", True, "date", aliases=("tanggal", "tgl_laporan")),
    Column("regency", "kabupaten_kota", True, "regency", aliases=("kabupaten", "kab_kota", "kota", "regency_city")),
    Column("nationality", "kewarganegaraan", True, "nationality", aliases=("negara", "country", "warga_negara")),
    Column("permit_type", "jenis_izin", True, "enum:permit_type", aliases=("izin", "permit", "izin_tinggal")),
    Column("activity", "kegiatan", True, "enum:activity", aliases=("aktivitas",)),
    Column("passport_no", "no_paspor", False, "passport", aliases=("passport", "paspor", "nomor_paspor", "passport_number")),
    Column("person_count", "jumlah_orang", False, "count", aliases=("persons", "jumlah")),
    Column("arrival_date", "tanggal_masuk", False, "date", aliases=("tgl_masuk", "entry_date")),
    Column("permit_expiry", "tanggal_habis_izin", False, "date", aliases=("tgl_habis_izin", "expiry_date", "permit_expiry_date")),
    Column("sponsor", "penjamin", False, "text"),
    Column("location", "lokasi", False, "text"),
    Column("lat", "lintang", False, "coord", aliases=("latitude",)),
    Column("lon", "bujur", False, "coord", aliases=("longitude", "lng")),
    Column("source", "sumber", False, "text", max_len=64),
    Column("record_id", "no_register", False, "id", max_len=64, aliases=("id", "no_registrasi")),
)

INCIDENTS = (
    Column("incident_date", "tanggal_kejadian", True, "date", aliases=("tanggal", "date")),
    Column("regency", "kabupaten_kota", True, "regency", aliases=("kabupaten", "kab_kota", "kota")),
    Column("category", "kategori", True, "enum:category"),
    Column("severity", "tingkat", True, "severity", aliases=("tingkat_kerawanan", "level")),
    Column("incident_id", "no_kejadian", False, "id", max_len=64, aliases=("id",)),
    Column("nationality", "kewarganegaraan", False, "nationality", aliases=("negara", "country")),
    Column("persons", "jumlah_orang", False, "count", aliases=("person_count", "jumlah")),
    Column("description", "uraian", False, "text", max_len=2000, aliases=("keterangan", "deskripsi")),
    Column("lat", "lintang", False, "coord", aliases=("latitude",)),
    Column("lon", "bujur", False, "coord", aliases=("longitude", "lng")),
    Column("reported_by", "pelapor", False, "text", max_len=120),
    Column("responsible_agency", "instansi_penindak", False, "text", max_len=120, aliases=("instansi",)),
    Column("action", "tindakan", False, "enum:action"),
    Column("status", "status_tindak_lanjut", False, "enum:status", aliases=("tindak_lanjut",)),
    Column("election_related", "terkait_pilkada", False, "bool", aliases=("terkait_pemilu",)),
)

CROSSINGS = (
    Column("date", "tanggal", True, "date"),
    Column("port", "tpi", True, "port", aliases=("pelabuhan", "bandara", "port_id")),
    Column("direction", "arah", True, "enum:direction"),
    Column("nationality", "kewarganegaraan", False, "nationality", aliases=("negara", "country")),
    Column("count", "jumlah", True, "count", aliases=("jumlah_orang", "persons")),
)

SPECS = {"presence": PRESENCE, "incidents": INCIDENTS, "crossings": CROSSINGS}

# Personal data the contract does not take: dropped at import, and the summary says so.
PERSONAL = {
    "name", "nama", "nama_lengkap", "full_name", "first_name", "last_name", "surname",
    "tanggal_lahir", "tgl_lahir", "date_of_birth", "birth_date", "birthdate", "dob",
    "tempat_lahir", "place_of_birth", "alamat", "address", "alamat_tinggal", "home_address",
    "telepon", "phone", "no_hp", "email",
}


def header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(text).strip().lower()).strip("_")


@dataclass
class HeaderMap:
    rename: dict[str, str]          # header as in the file -> column name
    unknown: list[str]              # dropped, reported
    personal: list[str]             # dropped because personal data, reported
    missing: list[str]              # required columns absent (file rejected)


def map_headers(headers: list[str], kind: str) -> HeaderMap:
    spec = SPECS[kind]
    lookup: dict[str, str] = {}
    for col in spec:
        for name in (col.name, col.id_name, *col.aliases):
            lookup.setdefault(header_key(name), col.name)
    rename, unknown, personal = {}, [], []
    for h in headers:
        key = header_key(h)
        target = lookup.get(key)
        if target and target not in rename.values():
            rename[h] = target
        elif key in PERSONAL:
            personal.append(h)
        else:
            unknown.append(h)
    found = set(rename.values())
    missing = [c.name for c in spec if c.required and c.name not in found]
    return HeaderMap(rename, unknown, personal, missing)


def column(kind: str, name: str) -> Column:
    return next(c for c in SPECS[kind] if c.name == name)
