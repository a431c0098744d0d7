"""The feed counter: one number per municipality, raised in the transaction of every change that
can alter one of its feeds, and the only thing (with the viewer and the date) a feed's
conditional request reads."""

from datetime import timedelta

from sqlalchemy import event

from app.agendas import build as agenda_build
from app.agendas import items as agenda_items
from app.cycles.models import Step
from app.feeds import counter, service
from app.feeds.models import FeedKind
from app.meetings import service as meetings
from app.meetings.models import MeetingParticipant
from tests.feeds.conftest import enable_public, spec_for


def _count(db, world) -> int:
    return counter.current(db, world.municipality.id)


def test_every_kind_of_change_a_feed_shows_raises_the_counter(db, world, factory):
    other = factory.municipality(name="Andeby Kommune")
    other_before = counter.current(db, other.id)
    m = world.meetings["dialogue"]
    changes = {
        "meeting moved": lambda: meetings.reschedule(
            db, m, starts_at=m.starts_at + timedelta(hours=1), ends_at=m.ends_at + timedelta(hours=1)),
        "participant added": lambda: (db.add(MeetingParticipant(
            meeting_id=m.id, person_id=world.people["psych"].id)), db.commit()),
        "step renamed": lambda: (setattr(step, "title", "Dialogerne"), db.add(step), db.commit()),
        "school renamed": lambda: (setattr(school, "name", "Bakkeskolen Nord"), db.add(school),
                                   db.commit()),
        "person renamed": lambda: (setattr(chief, "name", "Lene Skov Hansen"), db.add(chief),
                                   db.commit()),
        "feed settings": lambda: enable_public(db, world),
        "agenda item edited": lambda: agenda_items.update_item(
            db, item, agenda_items.ItemForm(title="Trivsel, fravær og læring", minutes=40),
            expected_version=item.version),
    }
    step = db.get(Step, world.steps["dialogues"].id)
    school, chief = world.schools["bakke"], world.people["chief"]
    agenda = agenda_build.ensure_agenda(db, m)
    db.commit()
    item = agenda_items.list_items(db, agenda.id)[1]
    for name, change in changes.items():
        before = _count(db, world)
        change()
        assert _count(db, world) > before, name
    assert counter.current(db, other.id) == other_before


def test_a_rolled_back_change_raises_nothing(db, world):
    before = _count(db, world)
    school = world.schools["bakke"]
    school.name = "Ikke gemt"
    db.add(school)
    db.flush()
    assert _count(db, world) == before + 1  # in the transaction...
    db.rollback()
    assert _count(db, world) == before      # ...and gone with it


def test_a_304_reads_two_rows_however_big_the_feed(db, world):
    spec = spec_for(db, world, FeedKind.MUNICIPALITY, world.municipality.id, person="consultant",
                    full_history=True)
    service.snapshot(db, spec)  # stored
    _ = spec.viewer.principal.user.id  # loaded, as a request's principal is before the feed
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.startswith("SELECT"):  # not the test's own SAVEPOINTs
            statements.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        service.snapshot(db, spec)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 2, statements
    assert "feedcounter" in statements[0] and "feedstate" in statements[1]
    assert "body" not in statements[1]  # the bytes are not read for a 304


def test_a_change_is_seen_and_rendered_again(db, world):
    spec = spec_for(db, world, FeedKind.SCHOOL, world.schools["bakke"].id, person="consultant")
    first = service.snapshot(db, spec)
    m = world.meetings["dialogue"]
    meetings.reschedule(db, m, starts_at=m.starts_at + timedelta(days=2),
                        ends_at=m.ends_at + timedelta(days=2))
    second = service.snapshot(db, spec)
    assert second.etag != first.etag
    assert service.snapshot(db, spec).etag == second.etag


def test_another_process_serves_the_bytes_from_the_database(db, world, monkeypatch):
    spec = spec_for(db, world, FeedKind.SCHOOL, world.schools["bakke"].id, person="consultant")
    body = service.snapshot(db, spec).body()
    service.cache.clear()  # a new process: nothing in memory

    def refuse(*a, **kw):
        raise AssertionError("rendered although the database holds the bytes")

    monkeypatch.setattr(service, "render_full", refuse)
    monkeypatch.setattr(service, "render_updated", refuse)
    assert service.snapshot(db, spec).body() == body



