"""Engine, sessions and the column types every domain shares."""

import sqlite3
import time
import weakref
from collections.abc import Iterator
from datetime import datetime, timezone
from enum import Enum
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, Session, SQLModel

# Named constraints, set before any table exists: SQLite batch migrations need names to
# find constraints again, and PostgreSQL and SQLite then agree on them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend.

    SQLite hands back naive datetimes even for DateTime(timezone=True); this converts to UTC
    on write and attaches UTC on read. Convert to Europe/Copenhagen only for display.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utc_column(*, nullable: bool = False, **kw: Any) -> Any:
    return Field(sa_type=UTCDateTime(), nullable=nullable, **kw)


class Timestamped(SQLModel):
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime(), nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime(),
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )


class Versioned(SQLModel):
    """Optimistic locking: every UPDATE checks and bumps `version`.

    Forms carry the version they were based on; services compare it first (a clear
    conflict for the user), and the mapper's version check catches the remaining race.
    """

    version: int = Field(default=1, nullable=False)

    @declared_attr
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


def enum_type(enum: type[Enum], name: str) -> sa.Enum:
    """Enums are stored as their values in a VARCHAR with a named CHECK constraint."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


SQLITE_BEGIN = "sus_sqlite_begin"
"""Execution option: how a SQLite transaction begins ("DEFERRED" unless "IMMEDIATE")."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class _SQLiteConnection(sqlite3.Connection):
    """Keeps its cursors, so that returning the connection to the pool can close them.

    A cursor left with rows unread keeps its statement active, and an active statement keeps
    its read snapshot through COMMIT and ROLLBACK (Python's sqlite3 no longer resets
    statements there): the next request on the pooled connection would read the database as
    it was then, e.g. without a session that has since logged in.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_cursors: weakref.WeakSet = weakref.WeakSet()

    def cursor(self, *args, **kwargs):
        cursor = super().cursor(*args, **kwargs)
        self.open_cursors.add(cursor)
        return cursor


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    # Let SQLAlchemy own transactions (pysqlite's implicit ones break SAVEPOINT and
    # transactional DDL), then set the pragmas every connection needs.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=20000")  # a writer waits up to 20 s for its turn
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_on_checkin(dbapi_conn, _record) -> None:
    if dbapi_conn is None:
        return
    for cursor in list(getattr(dbapi_conn, "open_cursors", ())):
        cursor.close()
    if dbapi_conn.in_transaction:
        dbapi_conn.rollback()


def _sqlite_on_begin(conn) -> None:
    # A writing transaction takes the write lock up front (BEGIN IMMEDIATE waits up to the
    # busy timeout for its turn). A deferred one that reads and then writes fails at once
    # with SQLITE_BUSY_SNAPSHOT when another writer committed in between: no timeout helps.
    mode = conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")


def make_engine(url: str, *, pool_timeout: float | None = None, **kw: Any) -> Engine:
    """The engine for `url`. `pool_timeout`: seconds a request waits for a pooled connection
    before sqlalchemy.exc.TimeoutError (answered 503, see `install`)."""
    if pool_timeout is not None:
        kw["pool_timeout"] = pool_timeout
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        memory = not path or path == ":memory:"
        if not memory and "/" in path:
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if memory:
            kw.pop("pool_timeout", None)  # one connection per thread: nothing to wait for
        engine = sa.create_engine(
            url, connect_args={"check_same_thread": False, "factory": _SQLiteConnection}, **kw)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "checkin", _sqlite_on_checkin)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    engine = sa.create_engine(url, **kw)
    _ping_when_idle(engine)
    return engine


PING_AFTER_IDLE_SECONDS = 10.0
"""A pooled server connection idle this long is pinged before use (a restarted database, a
firewall that dropped it); one used more recently is not. SQLAlchemy's pool_pre_ping pings
on every checkout: a round trip more on every request and every feed poll."""


def _ping_when_idle(engine: Engine) -> None:
    dialect = engine.dialect

    def checkin(dbapi_conn, record) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_conn, record, proxy) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # new, or used a moment ago
        try:
            alive = dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise sa_exc.DisconnectionError() from exc  # the pool connects anew, and retries
        if not alive:
            raise sa_exc.DisconnectionError()

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def writing(engine: Engine) -> Engine:
    """The same engine and pool, with SQLite transactions that begin IMMEDIATE."""
    return engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})


def get_session(request: Request) -> Iterator[Session]:
    """One session per request. A request that may change data (any method but GET, HEAD
    and OPTIONS) writes in turn on SQLite: each of its transactions holds the write lock from
    its start. Plain `def` routes use the session from the thread pool."""
    engine = request.app.state.engine
    if request.method not in SAFE_METHODS:
        engine = writing(engine)
    with Session(engine) as session:
        try:
            yield session
        except Exception:
            _keep_user_for_error_page(request, session)
            raise


def _keep_user_for_error_page(request: Request, session: Session) -> None:
    # The error page is rendered after this session is closed and shows the signed-in user:
    # load the user now (a rollback or commit expired it) rather than fail on the page.
    principal = getattr(request.state, "principal", None)
    user = getattr(principal, "user", None)
    try:
        session.rollback()
        if user is not None and user in session:
            session.refresh(user)
    except Exception:
        pass


# "function": the session is closed, and its connection back in the pool, when the handler
# returns, before the response is sent (a slow client then holds no connection or lock).
SESSION = Depends(get_session, scope="function")
SessionDep = Annotated[Session, SESSION]


def begin_write(session: Session) -> None:
    """Call before writing in a reading (GET) request: ends the reading transaction and
    begins one that takes SQLite's write lock first, so the write waits its turn instead of
    failing on a snapshot that another writer made old. Objects are reloaded on next use."""
    session.commit()
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


def is_busy(exc: BaseException) -> bool:
    """No connection free within the pool timeout, or SQLite's lock not got in busy_timeout."""
    if isinstance(exc, sa_exc.TimeoutError):
        return True
    return isinstance(exc, sa_exc.OperationalError) and "database is locked" in str(exc.orig)


def install(app) -> None:
    """A busy database answers 503 with Retry-After, not a 500 and not an endless wait."""
    from app.errors import error_response
    from app.i18n import gettext

    async def busy(request: Request, exc: Exception):
        if not is_busy(exc):
            raise exc
        response = error_response(
            request, 503, gettext("The service is busy right now. Try again in a moment."))
        response.headers["Retry-After"] = "2"
        return response

    app.add_exception_handler(sa_exc.TimeoutError, busy)
    app.add_exception_handler(sa_exc.OperationalError, busy)


class StaleVersion(Exception):
    """Someone saved the record after the user opened it: their save is not applied."""

    def __init__(self, current: SQLModel):
        super().__init__("stale version")
        self.current = current


def check_version(obj: Versioned, expected: int | None) -> None:
    """Compare the version a form was based on with the stored one."""
    if expected is None or obj.version != expected:
        raise StaleVersion(obj)
