"""Feeds in the confidentiality sweep (tests/test_confidential.py).

Feeds are Audience.FEED: no confidential data may travel in them, not even to someone who may
see it on a page. So the probe renders, for every person, every feed they could subscribe to
— rendered as them — plus each meeting's own .ics and the public feeds, and hands the text
to the canary test.
"""

from collections.abc import Iterator

from sqlmodel import Session, select

from app.feeds import service
from app.feeds.models import FeedKind
from app.feeds.policy import PUBLIC, may_open, viewer_for
from app.meetings.models import Meeting
from app.schools.models import Person, School


def _render(session: Session, kind: FeedKind, target_id: int, viewer) -> str | None:
    target = service.resolve_target(session, kind, target_id)
    if target is None or viewer is None or not may_open(viewer, kind, target.municipality.id,
                                                          target_id):
        return None
    spec = service.FeedSpec(target, viewer, full_history=True)
    return service.render(session, spec).decode("utf-8")


def every_feed(session: Session) -> Iterator[tuple[str, str]]:
    for person in session.exec(select(Person).where(Person.municipality_id.is_not(None))):
        viewer = viewer_for(session, person)
        targets = [(FeedKind.PERSON, person.id), (FeedKind.CONSULTANT, person.id),
                   (FeedKind.MUNICIPALITY, person.municipality_id)]
        if person.school_id:
            targets.append((FeedKind.SCHOOL, person.school_id))
        for kind, target_id in targets:
            text = _render(session, kind, target_id, viewer)
            if text is not None:
                yield f"{kind.value} feed {target_id} as {person.name}", text
    for school in session.exec(select(School)):
        text = _render(session, FeedKind.SCHOOL, school.id, PUBLIC)
        if text is not None:
            yield f"public school feed {school.id}", text
    for meeting in session.exec(select(Meeting).where(Meeting.starts_at.is_not(None))):
        yield (f"meeting {meeting.id} .ics",
               service.render_meeting(session, meeting, with_people=True).decode("utf-8"))
