"""Querying, exporting and expiring the audit log. No HTTP here."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.audit.models import AuditAction, AuditEntry
from app.config import get_settings
from app.db import utcnow
from app.schools.models import Person, School

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
PAGE_SIZE = 200


def now() -> datetime:
    return utcnow()


def record(session: Session, action: AuditAction, record: str, *, user_id: int | None = None,
           user_email: str | None = None, person_id: int | None = None,
           school_id: int | None = None, details: str | None = None,
           address: str | None = None, path: str | None = None) -> None:
    """One entry, in the caller's transaction (the caller commits)."""
    session.add(AuditEntry(action=action, record=record[:80], user_id=user_id,
                           user_email=user_email, person_id=person_id, school_id=school_id,
                           details=details[:1000] if details else None, address=address,
                           path=path[:300] if path else None))


def purge_expired(session: Session, *, days: int | None = None) -> int:
    """Delete entries older than the retention (SUS_AUDIT_RETENTION_DAYS); the caller commits.
    The deletion itself is logged (one entry with the count), in the same transaction."""
    days = get_settings().audit_retention_days if days is None else days
    result = session.exec(sa.delete(AuditEntry).where(col(AuditEntry.at) < now() - timedelta(days=days)))
    deleted = result.rowcount or 0
    if deleted:
        record(session, AuditAction.DELETE, "auditentry:*",
               details=f"retention: {deleted} entries older than {days} days")
    return deleted


@dataclass
class Filters:
    person: str = ""
    """A person's id, or part of their name or e-mail address."""
    record: str = ""
    """"school:12", or a kind ("note") for every record of it."""
    user: str = ""
    """Part of the user's e-mail address."""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def criteria(self) -> str:
        given = [("person", self.person), ("record", self.record), ("user", self.user),
                 ("action", self.action), ("from", self.date_from and self.date_from.isoformat()),
                 ("to", self.date_to and self.date_to.isoformat())]
        return "; ".join(f"{k}={v}" for k, v in given if v)


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=COPENHAGEN)


def _statement(session: Session, f: Filters, municipality_ids: set[int] | None = None):
    stmt = select(AuditEntry)
    if municipality_ids is not None:
        # A municipality's own administration sees the entries about its schools, its people
        # and its own records; an administrator (None) sees all.
        scope = sorted(municipality_ids)
        stmt = stmt.where(sa.or_(
            col(AuditEntry.school_id).in_(select(School.id).where(col(School.municipality_id).in_(scope))),
            col(AuditEntry.person_id).in_(select(Person.id).where(col(Person.municipality_id).in_(scope))),
            col(AuditEntry.record).in_([f"municipality:{i}" for i in scope])))
    if f.person.strip():
        term = f.person.strip()
        if term.isdigit():
            stmt = stmt.where(AuditEntry.person_id == int(term))
        else:
            like = f"%{term.lower()}%"
            ids = select(Person.id).where(sa.or_(sa.func.lower(Person.name).like(like),
                                                 sa.func.lower(Person.email).like(like)))
            stmt = stmt.where(col(AuditEntry.person_id).in_(ids))
    if f.record.strip():
        term = f.record.strip().lower()
        if ":" in term:
            stmt = stmt.where(AuditEntry.record == term)
        else:
            stmt = stmt.where(col(AuditEntry.record).like(f"{term}:%"))
    if f.user.strip():
        stmt = stmt.where(sa.func.lower(AuditEntry.user_email).like(f"%{f.user.strip().lower()}%"))
    if f.action in {a.value for a in AuditAction}:
        stmt = stmt.where(AuditEntry.action == AuditAction(f.action))
    if f.date_from:
        stmt = stmt.where(col(AuditEntry.at) >= _start_of(f.date_from))
    if f.date_to:
        stmt = stmt.where(col(AuditEntry.at) < _start_of(f.date_to + timedelta(days=1)))
    return stmt.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())


def search(session: Session, f: Filters, *, limit: int = PAGE_SIZE,
           municipality_ids: set[int] | None = None) -> tuple[list[AuditEntry], bool]:
    """The newest entries that match (of those municipalities' schools and people, unless
    None: all), and whether there are more than `limit`."""
    rows = list(session.exec(_statement(session, f, municipality_ids).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def names(session: Session, entries: Iterable[AuditEntry]) -> tuple[dict, dict]:
    """Names of the people and schools the entries concern (those still there)."""
    entries = list(entries)
    person_ids = {e.person_id for e in entries if e.person_id}
    school_ids = {e.school_id for e in entries if e.school_id}
    people = dict(session.exec(select(Person.id, Person.name).where(col(Person.id).in_(person_ids))).all()) \
        if person_ids else {}
    schools = dict(session.exec(select(School.id, School.name).where(col(School.id).in_(school_ids))).all()) \
        if school_ids else {}
    return people, schools


CSV_HEADER = ["time", "user_id", "user_email", "action", "record", "person_id", "person",
              "school_id", "school", "details", "address", "path"]


def csv_rows(session: Session, f: Filters, *, batch: int = 1000,
             municipality_ids: set[int] | None = None) -> Iterator[str]:
    """The matching entries as CSV (UTF-8, times in Europe/Copenhagen), in batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    offset = 0
    while True:
        chunk = list(session.exec(_statement(session, f, municipality_ids).offset(offset).limit(batch)))
        people, schools = names(session, chunk)
        for e in chunk:
            writer.writerow([e.at.astimezone(COPENHAGEN).isoformat(timespec="seconds"), e.user_id or "",
                             e.user_email or "", e.action.value, e.record, e.person_id or "",
                             people.get(e.person_id, ""), e.school_id or "", schools.get(e.school_id, ""),
                             e.details or "", e.address or "", e.path or ""])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(chunk) < batch:
            return
        offset += batch
