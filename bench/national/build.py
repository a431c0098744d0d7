"""A national database from the demo: the demo is built through the app's services (`sus demo`);
its first municipality gets earlier school years copied from a full one, a thirteenth school,
and is then copied as a whole into as many municipalities as asked (bench/national/clone.py)."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bench.national.clone import Source, insert_copy, reset_sequences


def _one(conn: Connection, sql: str, **kw):
    return conn.execute(sa.text(sql), kw).scalar()


def fullest_year(conn: Connection, municipality_id: int) -> int:
    """The start year of the municipality's school year with the most notes (then meetings)."""
    return _one(conn, """
        SELECT y.start_year FROM schoolyear y
        WHERE y.municipality_id = :m
        ORDER BY (SELECT COUNT(*) FROM note n WHERE n.school_year_id = y.id) DESC,
                 (SELECT COUNT(*) FROM meeting t WHERE t.school_year_id = y.id) DESC,
                 y.start_year DESC LIMIT 1""", m=municipality_id)


def add_years(conn: Connection, municipality_id: int, years: int) -> list[int]:
    """Copies of the fullest school year (meetings, agendas, notes, agreements, packages and
    the year's indicator values) into earlier years, until the municipality has `years`."""
    have = [r[0] for r in conn.execute(sa.text(
        "SELECT start_year FROM schoolyear WHERE municipality_id = :m ORDER BY start_year"),
        {"m": municipality_id})]
    source_year = fullest_year(conn, municipality_id)
    year_id = _one(conn, "SELECT id FROM schoolyear WHERE municipality_id = :m AND "
                   "start_year = :y", m=municipality_id, y=source_year)
    values = [r[0] for r in conn.execute(sa.text(
        "SELECT v.id FROM indicatorvalue v LEFT JOIN school s ON s.id = v.school_id "
        "WHERE v.start_year = :y AND (v.municipality_id = :m OR s.municipality_id = :m)"),
        {"y": source_year, "m": municipality_id})]
    source = Source(conn, {"schoolyear": [year_id], "indicatorvalue": values})
    added = []
    target = min(have) - 1
    while len(have) + len(added) < years:
        insert_copy(conn, source, f"y{target}", years=target - source_year)
        added.append(target)
        target -= 1
    reset_sequences(conn)
    return added


def copy_municipalities(conn: Connection, municipality_id: int, n: int,
                        progress=None) -> list[int]:
    """`n` copies of the municipality, each with its own name, code, schools' institution
    numbers, people's e-mails and logins."""
    source = Source(conn, {"municipality": [municipality_id]})
    used = {r[0] for r in conn.execute(sa.text("SELECT kommunekode FROM municipality"))}
    used_numbers = {r[0] for r in conn.execute(sa.text("SELECT institution_number FROM school"))}
    kommunekoder = (f"{c:03d}" for c in range(100, 1000) if f"{c:03d}" not in used)
    numbers = (f"{c:06d}" for c in range(100000, 1000000) if f"{c:06d}" not in used_numbers)
    created = []
    name = source.rows["municipality"][0]["name"]
    for k in range(n):
        code = next(kommunekoder)
        codes = {source.rows["municipality"][0]["kommunekode"]: code}
        codes.update({s["institution_number"]: next(numbers) for s in source.rows["school"]})
        maps = insert_copy(conn, source, f"k{code}", codes=codes, overrides={
            "municipality": {"name": f"{name} {code}", "kommunekode": code, "is_demo": False}})
        created.append(maps["municipality"][municipality_id])
        if progress:
            progress(k + 1)
    reset_sequences(conn)
    return created
