"""How every use of personal data reaches the audit log: one mechanism for all routes.

- **Reads, searches and exports**: the app-wide dependency `audit_request` looks the matched
  route up in `rules` (written in `app/wiring.py`, one line per page or export) and, when the
  handler answered without an error, writes one entry (`_write_read`, cheap: see there).
- **Changes and deletions**: a session event (`install`, called by `bootstrap()`) writes one
  entry per inserted, changed or deleted row of every table except those in `untracked`, in
  the same flush and so the same transaction as the change: a change that is rolled back
  leaves no entry, and no change is committed without one. Only sessions that serve a request
  are recorded (`sus demo` and migrations are not users).
- **Bulk statements** (`session.execute(update/delete/insert(...))`): app.audit.bulk, the
  same entries from the `do_orm_execute` event, in the statement's transaction.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from app.audit import service
from app.audit.models import AuditAction, AuditEntry
from app.db import SESSION, begin_write
from app.forms import int_or_none
from app.logs import redact_path
from app.registry import Registry

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Concerns = Callable[[Session, int], tuple[int | None, int | None]]
"""(session, the record's id) -> (person id, school id) the record concerns."""


@dataclass(frozen=True)
class Rule:
    """A route whose successful GET is recorded: `path` as declared on the router."""

    path: str
    action: AuditAction
    kind: str
    """The record's kind ("school", "note", …); its id is the path parameter `param`."""
    param: str
    concerns: Concerns | None = None
    criteria: tuple[str, ...] = ()
    """For searches: the query parameters that are the criteria (no entry without one)."""
    method: str = "GET"
    """"POST" for a form whose answer shows personal data (an import's preview)."""


rules: Registry[Rule] = Registry("audit.rules", key=lambda r: (r.path, r.method))
untracked: Registry[str] = Registry("audit.untracked")
"""Tables whose changes are no one's personal data (sessions, counters, the audit log)."""


def _rule_for(path: str, method: str) -> Rule | None:
    method = "GET" if method in SAFE_METHODS else method
    return next((r for r in rules if r.path == path and r.method == method), None)


def school_concerns(session: Session, school_id: int) -> tuple[int | None, int | None]:
    return None, school_id


def by_school_column(model) -> Concerns:
    """The school of a row that has a `school_id` column."""
    def concerns(session: Session, record_id: int) -> tuple[int | None, int | None]:
        school_id = session.exec(select(model.school_id).where(model.id == record_id)).first()
        return None, school_id
    return concerns


@dataclass
class RequestContext:
    request: Request

    def actor(self) -> tuple[int | None, str | None]:
        principal = getattr(self.request.state, "principal", None)
        user = getattr(principal, "user", None)
        return (user.id, user.email) if user is not None else (None, None)

    def address(self) -> str | None:
        return self.request.client.host if self.request.client else None

    def common(self) -> dict:
        """The columns every entry of this request shares. Read them before a commit: the
        commit expires the user, and reading it again would cost a query."""
        user_id, email = self.actor()
        return {"at": service.now(), "user_id": user_id, "user_email": email,
                "address": self.address(),
                "path": redact_path(self.request.url.path)[:300]}  # no set-password token in the log


def context_of(session: Session) -> RequestContext | None:
    return session.info.get("audit")


def audit_request(request: Request, session: Session = SESSION) -> Iterator[None]:
    """App-wide: marks the request's session as a user's, and records the read afterwards."""
    session.info["audit"] = RequestContext(request)
    yield
    route = request.scope.get("route")
    rule = _rule_for(getattr(route, "path", ""), request.method)
    if rule is None:
        return
    details = None
    if rule.criteria:
        given = [(k, request.query_params.get(k, "").strip()) for k in rule.criteria]
        given = [(k, v) for k, v in given if v]
        if not given:
            return
        details = "; ".join(f"{k}={v}" for k, v in given)[:1000]
    record_id = int_or_none(request.path_params.get(rule.param))
    person_id, school_id = (None, None)
    if rule.concerns is not None and record_id is not None:
        person_id, school_id = rule.concerns(session, record_id)
    _write_read(session, [{"action": rule.action,
                           "record": f"{rule.kind}:{'' if record_id is None else record_id}",
                           "person_id": person_id, "school_id": school_id, "details": details}])


def _write_read(session: Session, rows: list[dict]) -> None:
    """A read's entry, as cheaply as a durable row can be written (bench/audit): one Core
    INSERT, no ORM flush (whose hooks for other tables cost more than the insert).
    SQLite: in a short transaction that takes the write lock first (a reading transaction
    cannot safely become a writing one). PostgreSQL: in the request's own transaction,
    committed without waiting for the WAL flush (`synchronous_commit` off for this
    transaction only): a crash of the database server may lose the last fraction of a second
    of read entries, never a change's (those are in the change's transaction), and never
    leaves the log inconsistent."""
    common = context_of(session).common()
    if session.get_bind().dialect.name == "sqlite":
        begin_write(session)
    else:
        session.execute(_ASYNC_COMMIT)
    _insert(session, common, rows)
    _purge_now_and_then(session)
    session.commit()


_ASYNC_COMMIT = sa.text("SET LOCAL synchronous_commit TO OFF")


AUDIT_REQUEST = Depends(audit_request, scope="function")

_PURGE_EVERY = 3600.0
_last_purge: float | None = None


def _purge_now_and_then(session: Session) -> None:
    """Entries past the retention go automatically, at most once an hour per process."""
    global _last_purge
    if _last_purge is not None and time.monotonic() - _last_purge < _PURGE_EVERY:
        return
    _last_purge = time.monotonic()
    service.purge_expired(session)


# --- changes, in the flush that makes them ------------------------------------------------

def _concerns_of(table: str, state) -> tuple[int | None, int | None]:
    values = state.dict
    person_id = values.get("id") if table == "person" else values.get("person_id")
    school_id = values.get("id") if table == "school" else values.get("school_id")
    return (person_id if isinstance(person_id, int) else None,
            school_id if isinstance(school_id, int) else None)


def _changed_fields(state) -> str:
    return ", ".join(sorted(a.key for a in state.attrs if a.history.has_changes()))[:1000]


def _after_flush(session: OrmSession, _flush_context) -> None:
    ctx = session.info.get("audit")
    if ctx is None:
        return
    skip = set(untracked)
    rows = []
    for objects, action in ((session.new, AuditAction.CREATE), (session.dirty, AuditAction.UPDATE),
                            (session.deleted, AuditAction.DELETE)):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if not table or table in skip:
                continue
            state = sa.inspect(obj)
            details = None
            if action is AuditAction.UPDATE:
                if not session.is_modified(obj, include_collections=False):
                    continue
                details = _changed_fields(state)
            person_id, school_id = _concerns_of(table, state)
            pk = state.mapper.primary_key_from_instance(obj)
            key = pk[0] if len(pk) == 1 else ",".join(map(str, pk))
            rows.append({"action": action, "record": f"{table}:{key}"[:80], "person_id": person_id,
                         "school_id": school_id, "details": details})
    write_entries(session, ctx, rows)


def write_entries(session: OrmSession, ctx: RequestContext, rows: list[dict]) -> None:
    """The entries (action, record, person_id, school_id, details), by `ctx`'s user, in the
    session's transaction: one Core INSERT, no flush."""
    if rows:
        _insert(session, ctx.common(), rows)


def _insert(session: OrmSession, common: dict, rows: list[dict]) -> None:
    session.connection().execute(sa.insert(AuditEntry), [{**common, **r} for r in rows])


def install() -> None:
    if not event.contains(OrmSession, "after_flush", _after_flush):
        event.listen(OrmSession, "after_flush", _after_flush)
