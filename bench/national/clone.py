"""Copies of rows in SQL: a school year of a municipality into earlier school years, and a
whole municipality into new ones, on SQLite and PostgreSQL alike.

What a copy holds is found from the foreign keys: every row of the root (a school year, a
municipality) and, table by table in dependency order, every row whose foreign key points at
a row already copied (a meeting of the year, its participants, its agenda's items...). Foreign
keys into the copy are remapped to the new ids, the others kept (a copied meeting keeps its
school when a year is copied). Unique text (e-mails, codes, uids) gets a copy tag; dates move
by whole years when a year is copied. Sessions, tokens, feed links, audit and outbox rows are
never copied: they belong to a person's use of the app, not to the data being measured.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401  every domain's tables on the metadata

SKIP = {"usersession", "accounttoken", "feedlink", "feedstate", "feedcounter", "auditentry",
        "outboxmessage", "loginthrottle", "alembic_version", "indicatorvaluehistory"}
OWNERS = {"indicatorvalue": ("school_id", "municipality_id")}
"""Tables copied only by these foreign keys (a country value imported by a municipality stays)."""
CHUNK = 2000


def _tables() -> list[sa.Table]:
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in SKIP]


def _unique_text(table: sa.Table) -> set[str]:
    cols: set[str] = set()
    groups = [list(c.columns) for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
    groups += [list(i.columns) for i in table.indexes if i.unique]
    groups += [[c] for c in table.columns if c.unique]
    for group in groups:
        kind = getattr(group[0].type, "impl", group[0].type)
        if len(group) == 1 and isinstance(kind, sa.String):
            cols.add(group[0].name)
    return cols


def _shift(value, years: int):
    if not years or value is None:
        return value
    if isinstance(value, datetime | date):
        return value + timedelta(days=round(365.25 * years))
    return value


class Source:
    """The rows a copy is made of, read once (a copy can be inserted many times)."""

    def __init__(self, conn: Connection, roots: dict[str, Iterable[int]]):
        self.rows: dict[str, list[dict]] = {}
        picked: dict[str, set[int]] = {name: set(ids) for name, ids in roots.items()}
        for table in _tables():
            if "id" not in table.c:
                continue
            if table.name in picked and table.name in roots:
                ids = sorted(picked[table.name])
                rows = [dict(r._mapping) for i in range(0, len(ids), CHUNK) for r in conn.execute(
                    sa.select(table).where(table.c.id.in_(ids[i:i + CHUNK])))]
            else:
                fks = [fk for fk in table.foreign_keys if fk.column.table.name in picked
                       and fk.parent.name in OWNERS.get(table.name, (fk.parent.name,))]
                if not fks:
                    continue
                rows = [dict(r._mapping) for r in conn.execute(sa.select(table))
                        if any(r._mapping[fk.parent.name] in picked[fk.column.table.name]
                               for fk in fks)]
            if rows:
                self.rows[table.name] = rows
                picked[table.name] = {r["id"] for r in rows}

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def insert_copy(conn: Connection, source: Source, tag: str, *, years: int = 0,
                overrides: dict[str, dict[str, object]] | None = None,
                codes: dict[str, str] | None = None) -> dict[str, dict[int, int]]:
    """Insert one copy of `source`; returns the id maps (table -> old id -> new id).
    `overrides` sets columns of a table's copied rows (a new municipality's name); `codes`
    maps old school and municipality codes to new ones (the indicator values' `code`)."""
    tables = {t.name: t for t in _tables()}
    maps: dict[str, dict[int, int]] = {}
    overrides = overrides or {}
    codes = codes or {}
    for name, rows in source.rows.items():
        table = tables[name]
        start = (conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1
        ids = {r["id"]: start + i for i, r in enumerate(rows)}
        maps[name] = ids
        fks = [(fk.parent.name, fk.column.table.name) for fk in table.foreign_keys]
        unique = _unique_text(table)
        out = []
        for r in rows:
            new = {k: _shift(v, years) for k, v in r.items()}
            new["id"] = ids[r["id"]]
            for col, target in fks:
                if r[col] is not None and target in maps:
                    new[col] = maps[target].get(r[col], r[col])
            for col in unique:
                if r[col] is None:
                    continue
                if col in ("institution_number", "kommunekode"):
                    new[col] = codes[r[col]]
                else:
                    new[col] = f"{r[col]}~{tag}"
            if "start_year" in new and years:
                new["start_year"] = r["start_year"] + years
            if name == "indicatorvalue" and r["level"] != "country":
                new["code"] = codes.get(r["code"], r["code"])
            new.update(overrides.get(name, {}))
            out.append(new)
        for i in range(0, len(out), CHUNK):
            conn.execute(table.insert(), out[i:i + CHUNK])
    return maps


def reset_sequences(conn: Connection) -> None:
    """PostgreSQL: the id sequences past the ids the copies set explicitly."""
    if conn.dialect.name != "postgresql":
        return
    for table in _tables():
        if "id" in table.c and isinstance(table.c.id.type, sa.Integer):
            conn.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 1))"))
