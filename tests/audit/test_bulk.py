r"""Bulk statements reach the audit log in their own transaction: each bulk path in `app/`
(`grep -rnE "sa.update|sa.delete|delete\(|insert\(" app`) is exercised here or, for the SSO
role sync, in tests/sso/test_oidc_login.py. Paths on untracked tables (sessions, the login
throttle, the outbox) are checked to stay out of the log."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.accounts import service as accounts
from app.accounts.models import User, UserSession
from app.admin import people, tokens
from app.admin.models import AccountToken, TokenPurpose
from app.audit import bulk, service
from app.audit.models import AuditAction, AuditEntry
from app.audit.recording import RequestContext
from app.config import get_settings
from app.datapackages import importer
from app.datapackages.catalog import ensure_loaded
from app.db import utcnow
from app.schools.models import Person
from tests.conftest import login, make_person, post_form
from tests.datapackages.conftest import csv_bytes


@pytest.fixture
def audited(db, factory):
    """`db` as a request's session, by an administrator, from 10.1.2.3."""
    admin = factory.user("admin", email="admin@test.dk")
    request = SimpleNamespace(state=SimpleNamespace(principal=SimpleNamespace(user=admin)),
                              client=SimpleNamespace(host="10.1.2.3"),
                              url=SimpleNamespace(path="/bulk"))
    db.info["audit"] = RequestContext(request)
    yield admin
    db.info.pop("audit", None)


def _entries(db, **where):
    db.expire_all()
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, key) == value)
    return list(db.exec(stmt))


def test_a_bulk_update_logs_each_row_with_its_fields_person_and_school(db, factory, audited):
    m = factory.municipality()
    school = factory.school(m)
    a = make_person(db, m, "Anna", school=school)
    b = make_person(db, m, "Bo")
    db.execute(sa.update(Person).where(Person.id.in_([a.id, b.id])).values(organisation="PPR"))
    db.commit()
    entries = _entries(db, action=AuditAction.UPDATE)
    assert [(e.record, e.person_id, e.school_id, e.details) for e in entries] == [
        (f"person:{a.id}", a.id, school.id, "organisation"), (f"person:{b.id}", b.id, None, "organisation")]
    assert {(e.user_email, e.address, e.path) for e in entries} == {("admin@test.dk", "10.1.2.3", "/bulk")}


def test_a_bulk_delete_logs_each_row_and_one_that_matches_nothing_logs_nothing(db, factory, audited):
    m = factory.municipality()
    person = make_person(db, m, "Slettes")
    db.execute(sa.delete(Person).where(Person.name == "Findes ikke"))
    db.execute(sa.delete(Person).where(Person.id == person.id))
    db.commit()
    assert [(e.record, e.person_id) for e in _entries(db, action=AuditAction.DELETE)] == [
        (f"person:{person.id}", person.id)]


def test_a_bulk_change_rolled_back_leaves_no_entry(db, factory, audited):
    m = factory.municipality()
    person = make_person(db, m, "Bliver")
    db.execute(sa.update(Person).where(Person.id == person.id).values(organisation="X"))
    db.rollback()
    assert _entries(db, action=AuditAction.UPDATE) == []


def test_outside_a_request_nothing_is_logged(db, factory):
    m = factory.municipality()
    person = make_person(db, m, "Kommandolinje")
    db.execute(sa.update(Person).where(Person.id == person.id).values(organisation="X"))
    db.commit()
    assert _entries(db) == []


def test_untracked_tables_stay_out_of_the_log(db, factory, audited):
    user = factory.user("participant", municipality=factory.municipality())
    accounts.start_session(db, get_settings(), user)  # its housekeeping DELETE of sessions
    people.end_sessions(db, user)
    db.commit()
    assert db.exec(select(UserSession).where(UserSession.user_id == user.id)).all() == []
    assert [e for e in _entries(db) if e.record.startswith(("usersession", "loginthrottle"))] == []


def test_a_new_invitation_deletes_the_old_link_and_using_it_updates_it(db, factory, audited):
    m = factory.municipality()
    user = factory.user("participant", municipality=m)
    tokens.issue(db, user, TokenPurpose.INVITATION)
    [old] = db.exec(select(AccountToken).where(AccountToken.user_id == user.id)).all()
    old_id = old.id
    token = tokens.issue(db, user, TokenPurpose.INVITATION)
    assert (f"accounttoken:{old_id}", AuditAction.DELETE) in \
        [(e.record, e.action) for e in _entries(db, action=AuditAction.DELETE)]
    assert tokens.use(db, token, "et langt nyt kodeord") is not None
    [new] = db.exec(select(AccountToken).where(AccountToken.user_id == user.id)).all()
    assert [(e.record, e.details) for e in _entries(db, record=f"accounttoken:{new.id}",
                                                     action=AuditAction.UPDATE)] == [
        (f"accounttoken:{new.id}", "used_at")]


def test_deactivating_deletes_the_unused_links_in_the_log(db, factory, audited):
    user = factory.user("participant", municipality=factory.municipality())
    tokens.issue(db, user, TokenPurpose.RESET)
    [row] = db.exec(select(AccountToken).where(AccountToken.user_id == user.id)).all()
    row_id = row.id
    people.deactivate(db, user)
    assert [e.record for e in _entries(db, action=AuditAction.DELETE)] == [f"accounttoken:{row_id}"]
    assert any(e.record == f"user:{user.id}" and "is_active" in e.details
               for e in _entries(db, action=AuditAction.UPDATE))


def test_a_password_login_logs_the_bulk_update_of_the_user(client, db, factory):
    user = factory.user("participant", municipality=factory.municipality(), email="p@test.dk")
    password_hash = accounts.hash_password("hemmelig-kode")
    db.exec(sa.update(User).where(User.id == user.id).values(password_hash=password_hash))
    db.commit()
    r = post_form(client, "/login", {"email": "p@test.dk", "password": "hemmelig-kode"})
    assert r.status_code == 303
    [entry] = _entries(db, record=f"user:{user.id}", action=AuditAction.UPDATE)
    assert entry.user_id is None and entry.details == "last_login_at" and entry.address == "testclient"


def test_the_retention_purge_logs_what_it_deleted(db, audited):
    db.add(AuditEntry(action=AuditAction.READ, record="school:1", at=utcnow() - timedelta(days=40)))
    db.commit()
    assert service.purge_expired(db, days=30) == 1
    db.commit()
    [entry] = _entries(db, action=AuditAction.DELETE)
    assert entry.record == "auditentry:*" and entry.details == "retention: 1 entries older than 30 days"


def test_a_data_import_logs_its_bulk_writes_per_school_and_its_claim(db, factory, audited):
    ensure_loaded(db)
    m = factory.municipality(kommunekode="701")
    school = factory.school(m, name="Bakkeskolen", institution_number="701001")
    first = csv_bytes("2025/26;701001;trivsel_social;;4,1;300")
    imp, _ = importer.create_preview(db, first, "a.csv", municipality_id=m.id, user_id=audited.id)
    importer.commit(db, imp)
    created = [(e.record.split(":")[0], e.school_id) for e in _entries(db, action=AuditAction.CREATE)]
    assert ("indicatorvalue", school.id) in created
    assert any(e.record == f"dataimport:{imp.id}" and "status" in e.details
               for e in _entries(db, action=AuditAction.UPDATE))
    second, _ = importer.create_preview(db, csv_bytes("2025/26;701001;trivsel_social;;4,3;300"),
                                        "b.csv", municipality_id=m.id, user_id=audited.id)
    importer.commit(db, second)
    changed = [e for e in _entries(db, action=AuditAction.UPDATE)
               if e.record.startswith("indicatorvalue:")]
    assert [(e.school_id, "value" in e.details) for e in changed] == [(school.id, True)]
    assert ("indicatorvaluehistory", school.id) in \
        [(e.record.split(":")[0], e.school_id) for e in _entries(db, action=AuditAction.CREATE)]
    third, _ = importer.create_preview(db, csv_bytes("2025/26;701001;trivsel_social;;4,4;300"),
                                       "c.csv", municipality_id=m.id, user_id=audited.id)
    importer.discard(db, third)
    assert any(e.record == f"dataimport:{third.id}" and "status" in e.details
               for e in _entries(db, action=AuditAction.UPDATE))


def test_a_statement_of_many_rows_gets_one_entry_per_school_with_the_count(db, factory, audited,
                                                                         monkeypatch):
    from app.accounts.models import RoleAssignment

    monkeypatch.setattr(bulk, "GROUP_OVER", 2)
    m = factory.municipality()
    school = factory.school(m)
    for _ in range(3):
        factory.user("school_leader", school=school)
    db.execute(sa.delete(RoleAssignment).where(RoleAssignment.school_id == school.id))
    db.commit()
    [entry] = _entries(db, action=AuditAction.DELETE)
    assert (entry.record, entry.school_id, entry.details) == ("roleassignment:*", school.id, "3 rows")


def test_an_admin_deactivation_through_the_page_is_logged_in_one_transaction(client, db, factory):
    m = factory.municipality()
    person = make_person(db, m, "Dorte Deaktiv", email="dorte@test.dk")
    user = people.ensure_login(db, person)
    tokens.issue(db, user, TokenPurpose.INVITATION)
    login(client, db, factory.user("admin"))
    r = post_form(client, f"/admin/people/{person.id}/deactivate", {})
    assert r.status_code in (200, 303), r.text
    assert [e.record.split(":")[0] for e in _entries(db, action=AuditAction.DELETE)] == ["accounttoken"]
