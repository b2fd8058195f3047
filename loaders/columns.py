"""The columns of the upload contract (docs/upload-contract.md) for each kind of file, as the
data kinds' records hold them (domain/data_kinds.py), and how a file's headers are matched to them.

Header names are matched case-insensitively after trimming, with spaces and hyphens as `_`.
Each column has an English and an Indonesian name; both are accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from domain import data_kinds
from domain.data_kinds import Column  # noqa: F401 - the contract's column, imported from here by the loaders


class _Specs(Mapping):
    """kind -> its contract columns, read live from the registry (domain/data_kinds.py)."""

    def __getitem__(self, name: str) -> tuple[Column, ...]:
        return data_kinds.kind(name).columns

    def __iter__(self):
        return iter(data_kinds.kinds())

    def __len__(self) -> int:
        return len(data_kinds.kinds())


SPECS = _Specs()


def __getattr__(name: str):
    if name == "KINDS":  # the registered kinds at the time of asking (a test may register one)
        return data_kinds.kinds()
    raise AttributeError(name)


# Personal data the contract does not take: dropped at import, and the summary says so.
PERSONAL = {
    "name",
    "nama",
    "nama_lengkap",
    "full_name",
    "first_name",
    "last_name",
    "surname",
    "tanggal_lahir",
    "tgl_lahir",
    "date_of_birth",
    "birth_date",
    "birthdate",
    "dob",
    "tempat_lahir",
    "place_of_birth",
    "alamat",
    "address",
    "alamat_tinggal",
    "home_address",
    "telepon",
    "phone",
    "no_hp",
    "email",
}


def header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(text).strip().lower()).strip("_")


@dataclass
class HeaderMap:
    rename: dict[str, str]  # header as in the file -> column name
    unknown: list[str]  # dropped, reported
    personal: list[str]  # dropped because personal data, reported
    missing: list[str]  # required columns absent (file rejected)


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
