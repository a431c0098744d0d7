"""The audit log: reads, searches, changes, exports and deletions of personal data, who and
from where; the administration's page and CSV; the retention."""

import csv
import io
from datetime import timedelta

from bs4 import BeautifulSoup
from sqlmodel import select

from app.audit import service
from app.audit.models import AuditAction, AuditEntry
from app.db import utcnow
from app.paths import ROOT
from tests.conftest import htmx_get, login, make_person, make_year, post_form


def _entries(db, **where):
    db.expire_all()
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, key) == value)
    return list(db.exec(stmt))


def test_reading_a_school_page_is_logged_with_who_and_from_where(client, db, factory):
    m = factory.municipality()
    school = factory.school(m)
    user = factory.user("consultant", municipality=m, email="k@test.dk")
    login(client, db, user)
    assert client.get(f"/schools/{school.id}").status_code == 200
    [entry] = _entries(db, record=f"school:{school.id}")
    assert entry.action is AuditAction.READ
    assert (entry.user_id, entry.user_email) == (user.id, "k@test.dk")
    assert entry.school_id == school.id
    assert entry.address == "testclient" and entry.path == f"/schools/{school.id}"


def test_a_refused_or_missing_page_is_not_logged_as_read(client, db, factory):
    m, other = factory.municipality(), factory.municipality()
    school = factory.school(other)
    login(client, db, factory.user("consultant", municipality=m))
    assert client.get(f"/schools/{school.id}").status_code == 403
    assert client.get("/schools/999999").status_code == 404
    assert _entries(db, action=AuditAction.READ) == []


def test_reading_a_person_names_the_person_and_their_school(client, db, factory):
    m = factory.municipality()
    school = factory.school(m)
    person = make_person(db, m, "Lise Leder", school=school)
    login(client, db, factory.user("consultant", municipality=m))
    assert client.get(f"/people/{person.id}").status_code == 200
    [entry] = _entries(db, record=f"person:{person.id}")
    assert (entry.person_id, entry.school_id) == (person.id, school.id)


def test_a_search_is_logged_with_its_criteria_with_and_without_htmx(client, db, factory):
    m = factory.municipality()
    login(client, db, factory.user("consultant", municipality=m))
    client.get(f"/municipalities/{m.id}/schools")  # no criteria: a list, not a search
    client.get(f"/municipalities/{m.id}/schools?q=bakke&kind=ordinary")
    htmx_get(client, f"/municipalities/{m.id}/schools?q=veng", **{"HX-Target": "school-rows"})
    searches = _entries(db, action=AuditAction.SEARCH)
    assert [e.details for e in searches] == ["q=bakke; kind=ordinary", "q=veng"]
    assert searches[0].record == f"municipality:{m.id}"


def test_a_change_is_logged_in_its_own_transaction_with_the_changed_fields(client, db, factory):
    m = factory.municipality()
    school = factory.school(m)
    user = factory.user("consultant", municipality=m)
    login(client, db, user)
    r = post_form(client, f"/schools/{school.id}/fields/student_count",
                  {"student_count": "321", "version": school.version})
    assert r.status_code in (200, 303)
    [entry] = _entries(db, action=AuditAction.UPDATE, record=f"school:{school.id}")
    assert entry.user_id == user.id and entry.school_id == school.id
    assert "student_count" in entry.details and "321" not in entry.details


def test_a_change_that_fails_leaves_no_entry(client, db, factory):
    m = factory.municipality()
    school = factory.school(m)
    login(client, db, factory.user("consultant", municipality=m))
    r = post_form(client, f"/schools/{school.id}/fields/student_count",
                  {"student_count": "-5", "version": school.version})
    assert r.status_code == 422
    assert _entries(db, action=AuditAction.UPDATE) == []


def test_the_flush_event_logs_creations_and_deletions_of_a_request_session(db, factory):
    from types import SimpleNamespace

    from app.audit.recording import RequestContext

    m = factory.municipality()
    request = SimpleNamespace(state=SimpleNamespace(), client=SimpleNamespace(host="10.1.2.3"),
                              url=SimpleNamespace(path="/x"))
    db.info["audit"] = RequestContext(request)
    try:
        person = make_person(db, m, "Slettes Snart")
        db.delete(person)
        db.commit()
    finally:
        del db.info["audit"]
    actions = [(e.action, e.person_id) for e in _entries(db, record=f"person:{person.id}")]
    assert actions == [(AuditAction.CREATE, person.id), (AuditAction.DELETE, person.id)]


def test_exports_are_logged(client, db, factory):
    from app.meetings.models import Meeting

    m = factory.municipality()
    school = factory.school(m)
    login(client, db, factory.user("consultant", municipality=m))
    year = make_year(db, m)
    meeting = Meeting(title="Skoleudviklingssamtale", school_id=school.id, municipality_id=m.id,
                      school_year_id=year.id, starts_at=utcnow() + timedelta(days=3),
                      ends_at=utcnow() + timedelta(days=3, hours=1))
    db.add(meeting)
    db.commit()
    r = client.get(f"/meetings/{meeting.id}/calendar.ics")
    assert r.status_code == 200
    [entry] = _entries(db, action=AuditAction.EXPORT)
    assert entry.record == f"meeting:{meeting.id}" and entry.school_id == school.id


def _seed(db, **kw):
    entry = AuditEntry(**{"action": AuditAction.READ, "record": "school:1", **kw})
    db.add(entry)
    db.commit()
    return entry


def test_admin_page_filters_by_person_record_user_and_period(client, db, factory):
    m = factory.municipality()
    person = make_person(db, m, "Birthe Bruun")
    _seed(db, record="person:%d" % person.id, person_id=person.id, user_email="a@x.dk")
    _seed(db, record="note:4", user_email="b@x.dk", at=utcnow() - timedelta(days=10))
    login(client, db, factory.user("admin"))
    def rows(query):
        soup = BeautifulSoup(client.get("/admin/audit?" + query).text, "html.parser")
        return [tr.get_text(" ", strip=True) for tr in soup.select("#audit-rows tr")]
    assert any("Birthe Bruun" in r for r in rows("person=birthe"))
    assert not any("note:4" in r for r in rows("person=birthe"))
    assert any("note:4" in r for r in rows("record=note"))
    assert any("b@x.dk" in r for r in rows("user=b%40x"))
    today = utcnow().date().isoformat()
    assert not any("note:4" in r for r in rows(f"date_from={today}&record=note"))
    # The page's own search is logged with its criteria.
    assert _entries(db, action=AuditAction.SEARCH)[-1].details == f"record=note; date_from={today}"
    # The HTMX filter swaps only the rows.
    r = htmx_get(client, "/admin/audit?record=note", **{"HX-Target": "audit-rows"})
    assert r.text.lstrip().startswith('<tbody id="audit-rows"')


def test_admin_page_refuses_a_bad_date_in_danish_and_keeps_the_input(client, db, factory):
    login(client, db, factory.user("admin"))
    r = client.get("/admin/audit?date_from=31-12-2026&user=kim")
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    assert "ÅÅÅÅ-MM-DD" in soup.select_one("#f-date_from-error").text
    assert soup.select_one("#f-user")["value"] == "kim"


def test_csv_export_holds_the_filtered_entries_and_is_itself_logged(client, db, factory):
    m = factory.municipality()
    school = factory.school(m, name="Eksportskolen")
    _seed(db, record=f"school:{school.id}", school_id=school.id, user_email="a@x.dk")
    _seed(db, record="note:9", user_email="b@x.dk")
    login(client, db, factory.user("admin", email="admin@x.dk"))
    r = client.get(f"/admin/audit.csv?record=school:{school.id}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [(row["record"], row["school"], row["user_email"]) for row in rows] == [
        (f"school:{school.id}", "Eksportskolen", "a@x.dk")]
    assert _entries(db, action=AuditAction.EXPORT)[-1].user_email == "admin@x.dk"


def test_a_municipalitys_administration_sees_only_its_own_municipality(client, db, factory):
    m, other = factory.municipality(), factory.municipality()
    ours, theirs = factory.school(m, name="Vores Skole"), factory.school(other, name="Deres Skole")
    person = make_person(db, m, "Vores Person")
    _seed(db, record=f"school:{ours.id}", school_id=ours.id, user_email="a@x.dk")
    _seed(db, record=f"person:{person.id}", person_id=person.id, user_email="a@x.dk")
    _seed(db, record=f"school:{theirs.id}", school_id=theirs.id, user_email="a@x.dk")
    login(client, db, factory.user("consultant", municipality=m))
    soup = BeautifulSoup(client.get("/admin/audit?user=a%40x").text, "html.parser")
    text = soup.select_one("#audit-rows").get_text(" ")
    assert "Vores Skole" in text and "Vores Person" in text and "Deres Skole" not in text
    r = client.get(f"/admin/audit.csv?record=school:{theirs.id}")
    assert r.status_code == 200
    assert list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")))) == []
    login(client, db, factory.user("admin"))
    assert "Deres Skole" in client.get("/admin/audit?user=a%40x").text


def test_other_roles_are_refused_the_audit_log(client, db, factory):
    m = factory.municipality()
    for role, kw in [("participant", {"municipality": m}), ("school_leader", {"school": factory.school(m)})]:
        login(client, db, factory.user(role, **kw))
        assert client.get("/admin/audit").status_code == 403
        assert htmx_get(client, "/admin/audit?record=x", **{"HX-Target": "audit-rows"}).status_code == 403
        assert client.get("/admin/audit.csv").status_code == 403
    client.cookies.clear()
    assert client.get("/admin/audit").status_code == 303
    assert client.get("/admin/audit.csv").status_code == 303


def test_the_administration_pages_are_logged(client, db, factory):
    m = factory.municipality()
    school = factory.school(m)
    person = make_person(db, m, "Pia Person", school=school, email="pia@test.dk")
    login(client, db, factory.user("admin"))
    client.get("/admin/people")  # no criteria: a list, not a search
    client.get(f"/admin/people?q=pia&municipality={m.id}")
    htmx_get(client, "/admin/people?q=pi", **{"HX-Target": "people-rows"})
    assert [e.details for e in _entries(db, action=AuditAction.SEARCH)] == [
        f"q=pia; municipality={m.id}", "q=pi"]
    assert client.get(f"/admin/people/{person.id}").status_code == 200
    r = post_form(client, f"/admin/people/{person.id}/invite", {})
    assert r.status_code in (200, 303)
    reads = [(e.record, e.person_id, e.school_id, e.path) for e in _entries(db, action=AuditAction.READ)]
    assert reads == [(f"person:{person.id}", person.id, school.id, f"/admin/people/{person.id}"),
                     (f"person:{person.id}", person.id, school.id, f"/admin/people/{person.id}/invite")]
    sample = (ROOT / "static/samples/admin").glob("*")
    staff = next(p for p in sample if p.name == "personer.csv")
    r = client.post("/admin/import", data={"csrf_token": client.cookies.get("sus_csrf"), "kind": "people",
                                           "municipality_id": m.id},
                    files={"file": (staff.name, staff.read_bytes())})
    assert r.status_code in (200, 422)
    assert [e.path for e in _entries(db, record="import:")] == ["/admin/import"]


def test_the_retention_is_180_days_unless_configured(monkeypatch):
    from app.config import Settings

    assert Settings().audit_retention_days == 180
    monkeypatch.setenv("SUS_AUDIT_RETENTION_DAYS", "30")
    assert Settings().audit_retention_days == 30


def test_entries_past_the_retention_are_deleted(db):
    old = _seed(db, at=utcnow() - timedelta(days=31)).id
    recent = _seed(db, at=utcnow() - timedelta(days=29)).id
    assert service.purge_expired(db, days=30) == 1
    db.commit()
    ids = {e.id for e in _entries(db)}
    assert old not in ids and recent in ids


def test_retention_runs_by_itself_when_reads_are_logged(client, db, factory, monkeypatch):
    from app.audit import recording

    monkeypatch.setattr(recording, "_last_purge", None)
    old = _seed(db, at=utcnow() - timedelta(days=181)).id
    m = factory.municipality()
    school = factory.school(m)
    login(client, db, factory.user("consultant", municipality=m))
    client.get(f"/schools/{school.id}")
    assert old not in {e.id for e in _entries(db)}
