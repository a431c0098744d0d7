"""The main pages of one municipality, as addresses a user opens: every page of the menu and
its settings pages, and the pages of one school's current year (school, meeting, agenda,
package, note, step). Used by bench/national and by tests/test_query_counts.py."""

import sqlalchemy as sa
from sqlalchemy.engine import Connection

ROLES = {
    "administrator": "admin@sus.demo",
    "consultant": "konsulent@skanderborg.demo",
    "school leader": "leder@bakkeskolen.demo",
    "chief (participant)": "chef@skanderborg.demo",
    "PPR leader (participant)": "ppr@skanderborg.demo",
}
"""Demo logins of the demo's first municipality, one per role (password `demo`)."""


def _first(conn: Connection, sql: str, **kw):
    return conn.execute(sa.text(sql), kw).scalar()


def main_pages(conn: Connection, municipality_id: int) -> dict[str, str]:
    """Page name → address: the municipality's pages in its newest school year, and of its
    first school (by name) with a note: its newest dialogue, agenda, note and package."""
    m = municipality_id
    year = _first(conn, "SELECT MAX(start_year) FROM schoolyear WHERE municipality_id = :m", m=m)
    year_id = _first(conn, "SELECT id FROM schoolyear WHERE municipality_id = :m AND "
                     "start_year = :y", m=m, y=year)
    school = _first(conn, "SELECT s.id FROM school s WHERE s.municipality_id = :m AND EXISTS "
                    "(SELECT 1 FROM note n WHERE n.school_id = s.id) ORDER BY s.name LIMIT 1",
                    m=m)
    meeting = _first(conn, "SELECT t.id FROM meeting t JOIN schoolyear y ON y.id = "
                     "t.school_year_id WHERE t.school_id = :s AND t.meeting_type = 'dialogue' "
                     "ORDER BY y.start_year DESC, t.id LIMIT 1", s=school)
    agenda = _first(conn, "SELECT id FROM agenda WHERE meeting_id = :t", t=meeting)
    note = _first(conn, "SELECT n.id FROM note n JOIN schoolyear y ON y.id = n.school_year_id "
                  "WHERE n.school_id = :s ORDER BY y.start_year DESC, n.id LIMIT 1", s=school)
    step = _first(conn, "SELECT step_id FROM meeting WHERE id = :t", t=meeting)
    package_year = _first(conn, "SELECT p.school_year_id FROM package p JOIN schoolyear y ON "
                          "y.id = p.school_year_id WHERE p.school_id = :s "
                          "ORDER BY y.start_year DESC LIMIT 1", s=school) or year_id
    base = f"/municipalities/{m}"
    pages = {
        "home": "/",
        "municipality": base,
        "year wheel": f"{base}/years/{year}",
        "schools": f"{base}/schools",
        "data packages": f"{base}/data",
        "agreements": f"{base}/agreements",
        "year summary": f"{base}/years/{year}/summary",
        "calendars": f"{base}/calendars",
        "audit log": "/admin/audit",
        "administration": "/admin",
        "agenda settings": f"{base}/agenda-settings",
        "scheduling settings": f"{base}/scheduling",
        "data settings": f"{base}/data/settings",
        "note settings": f"{base}/note-settings",
        "school": f"/schools/{school}",
        "meeting": f"/meetings/{meeting}",
        "agenda": f"/agendas/{agenda}",
        "package": f"/schools/{school}/years/{package_year}/package",
        "note": f"/notes/{note}",
        "step": f"/steps/{step}",
    }
    return pages
