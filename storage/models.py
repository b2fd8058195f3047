"""SQLAlchemy 2 models. The schema is created and changed only by Alembic (storage/migrations).

Rows are never edited in place by an import: a re-sent row (same sender id, new content) inserts
a new version and marks the old one `replaced_by_batch`, so undoing a batch restores exactly what
was there before. Queries read active rows (`replaced_by_batch IS NULL`) or the roll-ups.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def code(length: int) -> String:
    """A code or sender id: compared in byte order on PostgreSQL too (COLLATE "C", as SQLite's
    BINARY), not by the language's rules; its indexes build in half the time (migration 0010)."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def batch_index(table: str) -> Index:
    """A data table's rows of one batch (undo). The ids grow with the rows: on PostgreSQL a BRIN
    index of block ranges serves as a B-tree does at a fraction of the build (migration 0010)."""
    return Index(
        f"ix_{table}_batch_id",
        "batch_id",
        postgresql_using="brin",
        postgresql_with={"autosummarize": "on"},
    )


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class UploadBatch(Base):
    """One imported file (batch = unggahan). Every data row points to the batch that brought it."""

    __tablename__ = "upload_batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # presence | incidents | crossings
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)  # UTC
    uploaded_by: Mapped[str] = mapped_column(String(120), default="")
    mode: Mapped[str] = mapped_column(String(16))  # partial | all_or_nothing
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_imported: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    dropped_columns: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="committed")  # committed | undone
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    undone_by: Mapped[str | None] = mapped_column(String(120), nullable=True)


class BatchError(Base):
    """Row-level problems found in a batch (kept with the batch, same transaction)."""

    __tablename__ = "batch_error"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("upload_batch.id", ondelete="CASCADE"), index=True
    )
    line: Mapped[int | None] = mapped_column(Integer, nullable=True)
    column: Mapped[str] = mapped_column(String(64), default="")
    value: Mapped[str] = mapped_column(String(300), default="")  # passport numbers masked
    code: Mapped[str] = mapped_column(String(48))  # message key in i18n
    level: Mapped[str] = mapped_column(String(8), default="error")  # error | warning


class Presence(Base):
    """Foreign nationals present (keberadaan orang asing): one row per person or group."""

    __tablename__ = "presence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("upload_batch.id"))
    replaced_by_batch: Mapped[int | None] = mapped_column(Integer, nullable=True)
    record_id: Mapped[str | None] = mapped_column(
        code(64), nullable=True
    )  # sender's id (no_register)
    row_hash: Mapped[int] = mapped_column(BigInteger)
    report_date: Mapped[dt.date] = mapped_column(Date)
    regency_code: Mapped[str] = mapped_column(code(5))
    nationality: Mapped[str] = mapped_column(code(3))
    permit_type: Mapped[str] = mapped_column(code(24))
    activity: Mapped[str] = mapped_column(code(16))
    passport_hash: Mapped[str | None] = mapped_column(
        String(64), nullable=True
    )  # HMAC-SHA256, never clear
    person_count: Mapped[int] = mapped_column(Integer, default=1)
    arrival_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    permit_expiry: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    sponsor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    source: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The kecamatan when the regency was resolved from a place (loaders/places.py; migration 0016).
    kecamatan_code: Mapped[str | None] = mapped_column(code(8), nullable=True)
    # A foreign resident's NIK (e-KTP), HMAC-SHA256 with the NIK purpose label, never clear (0019).
    nik_hash: Mapped[str | None] = mapped_column(code(64), nullable=True)

    __table_args__ = (
        batch_index("presence"),
        Index("ix_presence_record", "record_id", "replaced_by_batch"),
        Index("ix_presence_date_regency", "report_date", "regency_code"),
        # few rows carry a NIK (permanent residents): the index holds only those
        Index(
            "ix_presence_nik_hash",
            "nik_hash",
            sqlite_where=text("nik_hash IS NOT NULL"),
            postgresql_where=text("nik_hash IS NOT NULL"),
        ),
    )


class VoterList(Base):
    """A voter-list extract (daftar pemilih: DPS, DPSHP, DPT, DPTb) from a regency's KPU: per voter
    only the NIK's keyed hash and where the voter votes; names and addresses are never stored.
    No sender id: a list is a snapshot (domain/data_kinds.py, "voters"; migrations 0019, 0020).
    No batch index (0020): a list's rows are found by scanning for its batch when it is undone
    (rare), instead of every import building an index of millions of batch ids. On PostgreSQL the
    table is partitioned by batch, a partition per list (0022, storage/partitions.py), and its
    primary key is (nik_key, id, batch_id): a partitioned table's keys must hold the partition
    key, and led by nik_key it is the match's lookup index too (0023)."""

    __tablename__ = "voter_list"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("upload_batch.id"))
    replaced_by_batch: Mapped[int | None] = mapped_column(Integer, nullable=True)
    record_id: Mapped[str | None] = mapped_column(
        code(64), nullable=True
    )  # always empty: no sender id
    row_hash: Mapped[int] = mapped_column(BigInteger)
    list_date: Mapped[dt.date] = mapped_column(Date)
    regency_code: Mapped[str] = mapped_column(code(5))
    list_name: Mapped[str] = mapped_column(code(8))  # DPS | DPSHP | DPT | DPTb
    tps: Mapped[str] = mapped_column(code(8))  # polling station number, "012"
    # HMAC-SHA256 (NIK purpose), never clear: its 32 bytes (BLOB / bytea), not the 64 hex
    # characters presence.nik_hash holds (storage/voter_lists.py converts where they meet)
    nik_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    # the hash's first 8 bytes as a signed big-endian integer: the match's lookup key (below)
    nik_key: Mapped[int] = mapped_column(BigInteger)
    kecamatan: Mapped[str | None] = mapped_column(String(80), nullable=True)
    village: Mapped[str | None] = mapped_column(String(80), nullable=True)


# The match with foreign residents' hashes (storage/voter_lists.py) looks voters up by nik_key,
# the first 8 bytes of the hash as an integer (64 bits: a handful of false candidates in billions,
# which the full hash then drops). An integer sorts faster than the bytes it is made of: building
# the index for 4M voters took 2.5-3.2 s as substr(nik_hash, 1, 8) on SQLite, 1.6-2.2 s as an
# integer (PostgreSQL: 3.9-5.2 s, 3.0-3.2 s). Migration 0021. No other index: each costs seconds
# per million rows, and the lists a regency holds are read from voter_list_daily. On PostgreSQL
# the primary key (nik_key, id, batch_id) is that index (migration 0023: one index built per list
# instead of two); SQLite's key is the rowid, and the index is its own.
Index("ix_voter_list_nik_key", VoterList.__table__.c.nik_key, info={"engines": {"sqlite"}})


def on_engine(dialect: str):
    """Alembic's include_object for a database of `dialect` (migrations' autogenerate, the test that
    head matches the models): a schema item whose info names its engines is compared only there."""

    def include(obj, name, type_, reflected, compare_to) -> bool:
        engines = getattr(obj, "info", {}).get("engines")
        return engines is None or dialect in engines

    return include


class VoterListDaily(Base):
    """Voters per list, regency and list date (the lists each regency has sent)."""

    __tablename__ = "voter_list_daily"
    __table_args__ = {"sqlite_with_rowid": False}
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    regency_code: Mapped[str] = mapped_column(code(5), primary_key=True)
    list_name: Mapped[str] = mapped_column(code(8), primary_key=True)
    voters: Mapped[int] = mapped_column(Integer)


class Incident(Base):
    """Incidents (kejadian) with the agency that acts and the follow-up status."""

    __tablename__ = "incident"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("upload_batch.id"))
    replaced_by_batch: Mapped[int | None] = mapped_column(Integer, nullable=True)
    record_id: Mapped[str | None] = mapped_column(code(64), nullable=True)  # no_kejadian
    row_hash: Mapped[int] = mapped_column(BigInteger)
    incident_date: Mapped[dt.date] = mapped_column(Date)
    regency_code: Mapped[str] = mapped_column(code(5))
    category: Mapped[str] = mapped_column(code(32))
    severity: Mapped[int] = mapped_column(Integer)
    nationality: Mapped[str | None] = mapped_column(code(3), nullable=True)
    persons: Mapped[int] = mapped_column(Integer, default=1)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    reported_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    responsible_agency: Mapped[str] = mapped_column(String(120))
    action: Mapped[str | None] = mapped_column(String(16), nullable=True)
    status: Mapped[str] = mapped_column(code(16), default="baru")
    election_related: Mapped[bool] = mapped_column(Boolean, default=False)
    # The kecamatan when the regency was resolved from a place (loaders/places.py; migration 0016).
    kecamatan_code: Mapped[str | None] = mapped_column(code(8), nullable=True)

    __table_args__ = (
        batch_index("incident"),
        Index("ix_incident_record", "record_id", "replaced_by_batch"),
        Index("ix_incident_date_regency", "incident_date", "regency_code"),
        # Covering index for date-range reads of incidents (who acts, drill-down): no table rows touched.
        Index(
            "ix_incident_markers",
            "incident_date",
            "regency_code",
            "severity",
            "replaced_by_batch",
            "category",
            "status",
            "election_related",
            "lat",
            "lon",
            "responsible_agency",
            "persons",
            "record_id",
        ),
        # The map's markers, most severe and newest first: read in index order, stopping at the
        # limit, with no sort (see queries.incident_markers).
        Index(
            "ix_incident_severity",
            "severity",
            "incident_date",
            "id",
            "regency_code",
            "replaced_by_batch",
            "category",
            "status",
            "election_related",
            "lat",
            "lon",
            "responsible_agency",
            "persons",
            "record_id",
        ),
        # Incident counts when nationalities are chosen (the roll-ups have none): only the chosen
        # nationalities' entries are read, and no table rows (see queries.incident_rollup).
        Index(
            "ix_incident_nationality",
            "nationality",
            "incident_date",
            "regency_code",
            "category",
            "severity",
            "status",
            "election_related",
            "replaced_by_batch",
        ),
    )


class Crossing(Base):
    """Arrivals and departures at ports of entry (perlintasan), already aggregated by the sender."""

    __tablename__ = "crossing"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("upload_batch.id"))
    replaced_by_batch: Mapped[int | None] = mapped_column(Integer, nullable=True)
    record_id: Mapped[str | None] = mapped_column(
        code(64), nullable=True
    )  # natural key date|port|dir|nat
    row_hash: Mapped[int] = mapped_column(BigInteger)
    date: Mapped[dt.date] = mapped_column(Date)
    port_id: Mapped[str] = mapped_column(code(32))
    direction: Mapped[str] = mapped_column(code(10))  # datang | berangkat
    nationality: Mapped[str | None] = mapped_column(code(3), nullable=True)  # None = all
    count: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        batch_index("crossing"),
        Index("ix_crossing_record", "record_id", "replaced_by_batch"),
        Index("ix_crossing_date_port", "date", "port_id"),
    )


# --- Roll-ups: what the pages read. Rebuilt for the touched dates inside each import. ---------


class PresenceDaily(Base):
    __tablename__ = "presence_daily"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered by the key (migration 0008)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    regency_code: Mapped[str] = mapped_column(code(5), primary_key=True)
    nationality: Mapped[str] = mapped_column(code(3), primary_key=True)
    permit_type: Mapped[str] = mapped_column(code(24), primary_key=True)
    activity: Mapped[str] = mapped_column(code(16), primary_key=True)
    persons: Mapped[int] = mapped_column(Integer)
    reports: Mapped[int] = mapped_column(Integer)


class IncidentDaily(Base):
    __tablename__ = "incident_daily"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered by the key (migration 0008)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    regency_code: Mapped[str] = mapped_column(code(5), primary_key=True)
    category: Mapped[str] = mapped_column(code(32), primary_key=True)
    severity: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(code(16), primary_key=True)
    election_related: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    incidents: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)


class CrossingDaily(Base):
    __tablename__ = "crossing_daily"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered by the key (migration 0008)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    port_id: Mapped[str] = mapped_column(code(32), primary_key=True)
    direction: Mapped[str] = mapped_column(code(10), primary_key=True)
    persons: Mapped[int] = mapped_column(Integer)


class AuditEvent(Base):
    """Append-only audit trail (jejak audit). Updates and deletes are refused by triggers."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)  # UTC
    actor: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON, never personal data in clear
    # The acting account's scope (domain/scope.py): an office id or "ntb"; None when no account
    # acted (the system, a command line, a failed sign-in). Migration 0018.
    scope: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)


class AppUser(Base):
    """Local accounts (used when no identity provider is configured). Passwords: argon2id hashes."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # viewer | analyst | admin
    office_id: Mapped[str | None] = mapped_column(
        String(40), nullable=True
    )  # its scope; None = NTB (0018)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SigninThrottle(Base):
    """Failed sign-ins counted per (client, user name) and per client, each with the delay it
    imposes on that client (storage/users.py; migration 0014). Names as typed, known or not, so
    the delay tells nothing about which accounts exist. Forgotten once stale (not an audit)."""

    __tablename__ = "signin_throttle"
    scope: Mapped[str] = mapped_column(String(8), primary_key=True)  # account | client
    client: Mapped[str] = mapped_column(String(64), primary_key=True)  # IP address, "-" if unknown
    username: Mapped[str] = mapped_column(String(80), primary_key=True)  # "" for scope client
    failures: Mapped[int] = mapped_column(Integer)
    last_failure: Mapped[dt.datetime] = mapped_column(DateTime, index=True)  # UTC


class PresenceRegencyDaily(Base):
    """Coarse roll-up (day × regency): what the unfiltered map, KPIs and trends read."""

    __tablename__ = "presence_regency_daily"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered by the key (migration 0008)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    regency_code: Mapped[str] = mapped_column(code(5), primary_key=True)
    persons: Mapped[int] = mapped_column(Integer)
    reports: Mapped[int] = mapped_column(Integer)


class PresenceNationalityDaily(Base):
    """Roll-up by day × regency × nationality (top nationalities, nationality filter)."""

    __tablename__ = "presence_nationality_daily"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered by the key (migration 0008)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    regency_code: Mapped[str] = mapped_column(code(5), primary_key=True)
    nationality: Mapped[str] = mapped_column(code(3), primary_key=True)
    persons: Mapped[int] = mapped_column(Integer)
    reports: Mapped[int] = mapped_column(Integer)


class Alert(Base):
    """An alert (peringatan) produced by the rules in domain/alerts.py. `key` identifies it, so
    re-running the rules updates instead of duplicating. Follow-up status: baru -> ditelaah ->
    ditindaklanjuti -> selesai, each change kept in alert_status_change and the audit trail."""

    __tablename__ = "alert"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    rule: Mapped[str] = mapped_column(String(48), index=True)
    regency_code: Mapped[str | None] = mapped_column(String(5), nullable=True)
    office_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    port_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    severity: Mapped[str] = mapped_column(String(8))
    phase: Mapped[str] = mapped_column(String(32))
    agency: Mapped[str] = mapped_column(String(120))
    trigger_ids: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of row ids
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON, explanation parameters
    status: Mapped[str] = mapped_column(String(16), default="baru")
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    status_changed_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    stale: Mapped[bool] = mapped_column(Boolean, default=False)  # no longer produced by the rules
    assigned_to: Mapped[str | None] = mapped_column(
        String(80), nullable=True
    )  # who holds it (migration 0015)
    assigned_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    assigned_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    first_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    evaluated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AlertStatusChange(Base):
    __tablename__ = "alert_status_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    changed_by: Mapped[str] = mapped_column(String(120))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    # set for an assignment (status unchanged): the holder after it, "" when released
    assigned_to: Mapped[str | None] = mapped_column(String(80), nullable=True)


class ChangeCounter(Base):
    """One counter per kind of data (presence, incidents, crossings, alerts), bumped in the same
    transaction as every change to it: the cache key of exactly what a change touched."""

    __tablename__ = "change_counter"
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class IncidentRegencyDaily(Base):
    """Coarse incident roll-up (day × regency × election-related × status): what the unfiltered
    map and KPIs read."""

    __tablename__ = "incident_regency_daily"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered by the key (migration 0008)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    regency_code: Mapped[str] = mapped_column(code(5), primary_key=True)
    election_related: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    status: Mapped[str] = mapped_column(code(16), primary_key=True)
    incidents: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)


class PresenceNationalityMonthly(Base):
    """presence_nationality_daily summed by calendar month (`month` = its first day): a period of
    whole months reads a row per month instead of thirty (top nationalities over half a year)."""

    __tablename__ = "presence_nationality_monthly"
    __table_args__ = {"sqlite_with_rowid": False}
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    regency_code: Mapped[str] = mapped_column(code(5), primary_key=True)
    nationality: Mapped[str] = mapped_column(code(3), primary_key=True)
    persons: Mapped[int] = mapped_column(Integer)
    reports: Mapped[int] = mapped_column(Integer)


class IncidentRegencyMonthly(Base):
    """incident_regency_daily summed by calendar month (`month` = its first day): the map's and
    KPIs' incident counts over whole months."""

    __tablename__ = "incident_regency_monthly"
    __table_args__ = {"sqlite_with_rowid": False}
    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    regency_code: Mapped[str] = mapped_column(code(5), primary_key=True)
    election_related: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    status: Mapped[str] = mapped_column(code(16), primary_key=True)
    incidents: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)


class MappingProfile(Base):
    """A column mapping saved on the upload page (loaders/profiles.py): the TOML text as exported,
    and the normalised header set of the file it was made for, so that a file with the same
    headers is offered it again (migration 0016)."""

    __tablename__ = "mapping_profile"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    headers_sha: Mapped[str] = mapped_column(
        String(64), index=True
    )  # loaders.profiles.headers_signature
    body: Mapped[str] = mapped_column(Text)  # the profile as TOML
    saved_by: Mapped[str] = mapped_column(String(120), default="")
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)  # UTC


class SitrepPack(Base):
    """A situation report pack (laporan situasi, services/sitrep.py; migration 0017): the figures it
    showed as canonical JSON (the next pack says what changed against them) and their SHA-256 (printed
    in its footer), what it compared with, the PDF itself (the overview offers the latest for
    download) with the file's SHA-256, and the audit event that records it."""

    __tablename__ = "sitrep_pack"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)  # file stem, unique per pack
    made_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)  # UTC
    made_by: Mapped[str] = mapped_column(String(120), default="")
    as_of: Mapped[dt.date] = mapped_column(Date)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    office_id: Mapped[str | None] = mapped_column(String(40), nullable=True)  # None = all of NTB
    lang: Mapped[str] = mapped_column(String(2))
    marking: Mapped[str] = mapped_column(String(8))
    figures: Mapped[str] = mapped_column(Text)  # canonical JSON, numbers only
    figures_sha256: Mapped[str] = mapped_column(String(64))  # SHA-256 of `figures` (UTF-8)
    compared_with: Mapped[int | None] = mapped_column(Integer, nullable=True)  # earlier pack's id
    baseline: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the figures compared against
    pages: Mapped[int] = mapped_column(Integer)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    audit_event_id: Mapped[int] = mapped_column(Integer)
