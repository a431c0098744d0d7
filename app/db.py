"""Engine, sessions and the column types every domain shares."""

from collections.abc import Iterator
from datetime import datetime, timezone
from enum import Enum
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy import event
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
    def __mapper_args__(cls) -> dict:  # noqa: N805 - SQLAlchemy's declared_attr signature
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


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    # Let SQLAlchemy own transactions (pysqlite's implicit ones break SAVEPOINT and
    # transactional DDL), then set the pragmas every connection needs.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_on_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(url: str, **kw: Any) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and "/" in path:
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False}, **kw)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kw)


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; plain `def` routes use it from the thread pool."""
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


class StaleVersion(Exception):
    """Someone saved the record after the user opened it: their save is not applied."""

    def __init__(self, current: SQLModel):
        super().__init__("stale version")
        self.current = current


def check_version(obj: Versioned, expected: int | None) -> None:
    """Compare the version a form was based on with the stored one."""
    if expected is None or obj.version != expected:
        raise StaleVersion(obj)
