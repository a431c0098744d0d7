"""Bulk statements in the audit log: `session.execute(update(…)/delete(…)/insert(…))`.

The flush event (app.audit.recording) sees only objects; a bulk statement changes rows the
session never loaded. The `do_orm_execute` event (`install`, called by `bootstrap()`) sees
every statement a request's session executes: for an UPDATE or DELETE of a tracked table it
first selects the rows the statement will change (`FOR UPDATE` on PostgreSQL, so that a
concurrent change cannot make them differ; on SQLite a writing transaction already holds the
write lock), runs the statement, and writes one entry per row in the same transaction. A
statement that changes nothing leaves no entry. INSERTs are logged from their parameters.

A statement of more than `GROUP_OVER` rows (a data import's thousands of indicator values)
gets one entry per person and school it concerns, record "<table>:*", with the row count.
"""

from collections import Counter

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession

from app.audit import recording
from app.audit.models import AuditAction

GROUP_OVER = 50


def _table(statement) -> sa.Table | None:
    table = getattr(statement, "table", None)
    return table if isinstance(table, sa.Table) else None


def _concern_columns(table: sa.Table) -> tuple[sa.Column | None, sa.Column | None]:
    cols = table.c
    person = cols.get("id") if table.name == "person" else cols.get("person_id")
    school = cols.get("id") if table.name == "school" else cols.get("school_id")
    return person, school


def _key_of(key) -> str:
    return str(getattr(key, "key", key))


def _fields(statement, params) -> str | None:
    keys = {_key_of(k) for k in getattr(statement, "_values", None) or {}}
    if isinstance(params, list) and params and isinstance(params[0], dict):
        keys |= set(params[0])
    return ", ".join(sorted(keys))[:1000] or None


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _targets(state: ORMExecuteState, table: sa.Table) -> list[tuple[str, int | None, int | None]]:
    """(primary key, person id, school id) of each row the UPDATE or DELETE will change."""
    pk = list(table.primary_key.columns)
    person, school = _concern_columns(table)
    columns = [*pk, person if person is not None else sa.null(), school if school is not None
               else sa.null()]
    params = state.parameters
    if isinstance(params, list):
        # executemany: by primary key (the ORM's bulk UPDATE by primary key).
        names = [c.key for c in pk]
        keys = [tuple(p.get(n) for n in names) for p in params]
        if not all(None not in k for k in keys):
            return [("*", None, None)] * len(params)
        if len(pk) == 1:
            where = pk[0].in_([k[0] for k in keys])
        else:
            where = sa.tuple_(*pk).in_(keys)
    else:
        where = state.statement.whereclause
    select = sa.select(*columns)
    if where is not None:
        select = select.where(where)
    if state.session.get_bind().dialect.name == "postgresql":
        select = select.with_for_update(of=table)
    rows = state.session.connection().execute(select, params if isinstance(params, dict) else {})
    out = []
    for row in rows:
        key = ",".join(str(v) for v in row[:len(pk)])
        out.append((key, _int(row[len(pk)]), _int(row[len(pk) + 1])))
    return out


def _inserted(state: ORMExecuteState, table: sa.Table) -> list[tuple[str, int | None, int | None]]:
    person, school = _concern_columns(table)
    params = state.parameters
    rows = params if isinstance(params, list) else [params or {}]
    values = getattr(state.statement, "_values", None) or {}
    multi = getattr(state.statement, "_multi_values", None) or ()
    if multi:
        rows = [{_key_of(k): v for k, v in r.items()} if isinstance(r, dict) else {}
                for group in multi for r in group]
    elif values:
        rows = [{**{_key_of(k): getattr(v, "value", v) for k, v in values.items()}, **rows[0]}]
    pk = [c.key for c in table.primary_key.columns]
    out = []
    for r in rows:
        key = ",".join(str(r[n]) for n in pk) if all(n in r for n in pk) else "*"
        out.append((key, _int(r.get(person.key)) if person is not None else None,
                    _int(r.get(school.key)) if school is not None else None))
    return out


def _entries(table: str, action: AuditAction, targets, details: str | None) -> list[dict]:
    if len(targets) <= GROUP_OVER:
        return [{"action": action, "record": f"{table}:{key}"[:80], "person_id": person_id,
                 "school_id": school_id, "details": details} for key, person_id, school_id in targets]
    groups: Counter = Counter((p, s) for _key, p, s in targets)
    return [{"action": action, "record": f"{table}:*", "person_id": p, "school_id": s,
             "details": (f"{n} rows" + (f"; {details}" if details else ""))[:1000]}
            for (p, s), n in sorted(groups.items(), key=lambda g: (g[0][0] or 0, g[0][1] or 0))]


def _on_execute(state: ORMExecuteState):
    ctx = recording.context_of(state.session)
    if ctx is None or not (state.is_update or state.is_delete or state.is_insert):
        return None
    table = _table(state.statement)
    if table is None or table.name in set(recording.untracked):
        return None
    if state.is_insert:
        result = state.invoke_statement()
        targets = _inserted(state, table)
        action, details = AuditAction.CREATE, None
    else:
        targets = _targets(state, table)
        result = state.invoke_statement()
        if not getattr(result, "rowcount", 1):
            return result
        action = AuditAction.UPDATE if state.is_update else AuditAction.DELETE
        details = _fields(state.statement, state.parameters) if state.is_update else None
    recording.write_entries(state.session, ctx, _entries(table.name, action, targets, details))
    return result


def record_rows(session, table: str, action: str, rows: list[tuple[str, int | None]]) -> None:
    """Rows a domain wrote through the driver (the data import's chunks): logged as if by
    a statement, grouped per school past GROUP_OVER rows."""
    ctx = recording.context_of(session)
    if ctx is None or not rows:
        return
    targets = [(key, None, school_id) for key, school_id in rows]
    recording.write_entries(session, ctx, _entries(table, AuditAction(action), targets,
                                                   "value, n" if action == "update" else None))


def install() -> None:
    if not event.contains(OrmSession, "do_orm_execute", _on_execute):
        event.listen(OrmSession, "do_orm_execute", _on_execute)
