"""A time the spring clock change skips (02:00-02:59 on the last Sunday of March) is refused
with a Danish message, never stored as an hour later; the repeated autumn hour is accepted."""

from datetime import datetime, timezone

from app.i18n import TZ
from app.meetings.models import Meeting
from app.scheduling import availability
from tests.conftest import htmx_get, post_form
from tests.scheduling.test_routes import _booked, _consultant

MESSAGE = "Det tidspunkt findes ikke i Danmark"


def test_moving_a_meeting_to_0230_on_the_spring_change_is_refused(client, db, factory, svendborg):
    y = svendborg
    a = _booked(db, y)[0]
    before = a.starts_at
    _consultant(client, db, factory, y)
    check = htmx_get(client, f"/meetings/{a.id}/move/check?day=2027-03-28&start=02:30")
    assert MESSAGE in check.text
    r = post_form(client, f"/meetings/{a.id}/move", {
        "day": "2027-03-28", "start": "02:30", "version": a.version})
    assert r.status_code == 422 and MESSAGE in r.text and 'value="02:30"' in r.text
    db.expire_all()
    assert db.get(Meeting, a.id).starts_at == before
    # The second 02:30 of the autumn change exists (twice): accepted.
    r = post_form(client, f"/meetings/{a.id}/move", {
        "day": "2027-10-31", "start": "03:30", "version": a.version, "force": "on"})
    assert r.status_code == 303
    db.expire_all()
    moved = db.get(Meeting, a.id).starts_at.astimezone(TZ)
    assert (moved.hour, moved.minute) == (3, 30)


def test_a_busy_period_in_the_skipped_hour_is_refused(client, db, factory, svendborg):
    y = svendborg
    _consultant(client, db, factory, y)
    r = post_form(client, f"/people/{y.chief.id}/busy", {
        "day": "2027-03-28", "start": "02:15", "end": "04:00"})
    assert r.status_code == 422 and MESSAGE in r.text
    assert availability.list_busy(db, [y.chief.id], datetime(2027, 3, 27, tzinfo=timezone.utc),
                                  datetime(2027, 3, 29, tzinfo=timezone.utc)) == []
