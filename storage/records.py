"""Person-level presence records (data rinci) for analysts: filtered, sorted and paged in the
database (never the whole table in memory), and exported whole up to a cap. Every read is checked
against the role and written to the audit trail. Names and addresses are never stored; the
passport appears only as a shortened pseudonym."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from domain.regions import regencies
from domain.roles import require
from domain.scope import PROVINCE, Scope
from storage.audit import log
from storage.engine import read_tx
from storage.models import Presence, UploadBatch
from storage.queries import _frame, scope_condition

EXPORT_CAP = 50_000  # rows in one export: more is a reason to narrow the filters, not a spreadsheet
SORTS = (
    "report_date",
    "regency_code",
    "nationality",
    "permit_type",
    "activity",
    "person_count",
    "arrival_date",
    "permit_expiry",
    "record_id",
    "batch_id",
)
COLUMNS = (
    "record_id",
    "report_date",
    "regency_code",
    "nationality",
    "permit_type",
    "activity",
    "passport_pseudonym",
    "person_count",
    "arrival_date",
    "permit_expiry",
    "sponsor",
    "location",
    "lat",
    "lon",
    "source",
    "batch_id",
)


class TooManyRows(ValueError):
    """An export above EXPORT_CAP rows: the filters must narrow it first."""

    def __init__(self, total: int, cap: int = EXPORT_CAP):
        super().__init__(f"{total} rows, at most {cap} in one export")
        self.total, self.cap = total, cap


@dataclass(frozen=True)
class RecordFilter:
    """What the analyst searches for. Empty tuples mean every value. `scope` is the account's
    (domain/scope.py, set from the signed-in user): a row is matched only when its regency is in
    that area on the row's report date, whatever `regencies` says."""

    start: dt.date
    end: dt.date
    regencies: tuple[str, ...]
    nationalities: tuple[str, ...] = ()
    permits: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    batch_id: int | None = None
    sender_id: str = ""  # the sender's record_id (no_register): its beginning, any case
    sort: str = "report_date"
    descending: bool = True
    scope: Scope = PROVINCE

    def audit_detail(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in ((), None, "") and k != "scope"}


def _where(rf: RecordFilter) -> list:
    p = Presence
    where = [
        p.replaced_by_batch.is_(None),
        p.report_date.between(rf.start, rf.end),
        scope_condition(rf.scope, rf.start, rf.end, rf.regencies, p.regency_code, p.report_date),
    ]
    for column, chosen in (
        (p.nationality, rf.nationalities),
        (p.permit_type, rf.permits),
        (p.activity, rf.activities),
    ):
        if chosen:
            where.append(column.in_(chosen))
    if rf.batch_id is not None:
        where.append(p.batch_id == rf.batch_id)
    if rf.sender_id.strip():
        text = rf.sender_id.strip()
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(p.record_id.ilike(escaped + "%", escape="\\"))  # same on SQLite and PostgreSQL
    return where


def _select(rf: RecordFilter):
    p = Presence
    if rf.sort not in SORTS:
        raise ValueError(rf.sort)
    key = getattr(p, rf.sort)
    cols = [getattr(p, c) for c in COLUMNS if c != "passport_pseudonym"]
    cols.insert(
        COLUMNS.index("passport_pseudonym"),
        func.substr(p.passport_hash, 1, 12).label("passport_pseudonym"),
    )
    order = [key.desc(), p.id.desc()] if rf.descending else [key.asc(), p.id.asc()]
    return select(*cols).where(*_where(rf)).order_by(*order)


def count(engine: Engine, rf: RecordFilter) -> int:
    with read_tx(engine) as conn:
        return int(conn.scalar(select(func.count()).select_from(Presence).where(*_where(rf))) or 0)


def page(
    engine: Engine,
    rf: RecordFilter,
    role: str | None,
    actor: str,
    limit: int = 100,
    offset: int = 0,
    total: int | None = None,
) -> tuple[pd.DataFrame, int]:
    """One page of the filtered records and the number of all of them (`total` when the caller
    counted already); the view is audited."""
    require(role, "view_person_level")
    total = count(engine, rf) if total is None else total
    rows = _frame(engine, _select(rf).limit(limit).offset(offset))
    log(
        engine,
        actor,
        "person_level_view",
        "presence",
        {**rf.audit_detail(), "offset": offset, "rows": len(rows), "total": total},
        scope=rf.scope,
    )
    return rows, total


def export_rows(
    engine: Engine, rf: RecordFilter, role: str | None, cap: int = EXPORT_CAP
) -> pd.DataFrame:
    """Every filtered record (not one page), or TooManyRows above `cap`. The export itself is
    audited where the file is made (its digest and marking: ui.components)."""
    require(role, "view_person_level")
    total = count(engine, rf)
    if total > cap:
        raise TooManyRows(total, cap)
    return _frame(engine, _select(rf))


def for_people(rows: pd.DataFrame, coordinates_as_text: bool = False) -> pd.DataFrame:
    """Stored values as people read them: dates as dd/mm/yyyy text, coordinates to 5 decimals
    (about 1 m; the stored float's last digits are noise), counts as whole numbers, blanks for
    missing values. Coordinates stay numbers for a file (a spreadsheet computes with them) and
    become text with exactly 5 decimals on screen (a column of numbers and blanks is not a table
    column of one type)."""
    out = rows.copy()
    for col in ("report_date", "arrival_date", "permit_expiry"):
        if col in out:
            out[col] = out[col].map(
                lambda d: "" if d is None or pd.isna(d) else pd.Timestamp(d).strftime("%d/%m/%Y")
            )
    for col in ("lat", "lon"):
        if col in out:
            values = pd.to_numeric(out[col], errors="coerce").round(5)
            out[col] = (
                values.map(lambda v: "" if pd.isna(v) else f"{v:.5f}")
                if coordinates_as_text
                else values.astype(object)
            )
    if "person_count" in out:
        out["person_count"] = pd.to_numeric(out["person_count"]).astype("Int64").astype(object)
    return out.astype(object).where(out.notna(), "")


# Every day a row can carry: the office-area spans cover the whole range.
_ALL_DAYS = (dt.date(1900, 1, 1), dt.date(2999, 12, 31))


def _in_scope(account: Scope):
    """Active presence rows in the account's area on each row's own day."""
    p = Presence
    return and_(
        p.replaced_by_batch.is_(None),
        scope_condition(account, *_ALL_DAYS, regencies().index, p.regency_code, p.report_date),
    )


def nationalities(engine: Engine, account: Scope = PROVINCE) -> list[str]:
    """Nationalities present in the stored records the account may see (the nationality filter's
    choices: a scoped account learns nothing of other areas from them)."""
    with read_tx(engine) as conn:
        return list(
            conn.scalars(
                select(Presence.nationality)
                .where(_in_scope(account))
                .distinct()
                .order_by(Presence.nationality)
            )
        )


def presence_batches(engine: Engine, limit: int = 500, account: Scope = PROVINCE) -> dict[int, str]:
    """Committed presence uploads, newest first: id -> file name; for an office-scoped account only
    those holding rows of its area."""
    b = UploadBatch
    stmt = select(b.id, b.file_name).where(b.kind == "presence", b.status == "committed")
    if not account.province:
        stmt = stmt.where(
            select(Presence.id).where(Presence.batch_id == b.id, _in_scope(account)).exists()
        )
    with read_tx(engine) as conn:
        return dict(conn.execute(stmt.order_by(b.id.desc()).limit(limit)).all())
