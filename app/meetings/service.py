"""Creating, moving, cancelling and finding meetings. No HTTP here.

The calendar identity (uid, sequence, changed_at) is kept by the hook in models.py; these
functions only say what changed.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.accounts.access import Principal
from app.cycles.models import SchoolYear, Step
from app.db import check_version, utcnow
from app.meetings import policy
from app.meetings.models import Meeting, MeetingParticipant, MeetingStatus, MeetingType
from app.registry import Registry
from app.schools.models import Person, PersonFunction, School


def create_meeting(
    session: Session,
    *,
    school_year: SchoolYear,
    title: str,
    meeting_type: MeetingType = MeetingType.OTHER,
    step: Step | None = None,
    school: School | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    all_day: bool = False,
    location: str | None = None,
    location_kind: str | None = None,
    confidential: bool = False,
    series_key: str | None = None,
    series_index: int | None = None,
    participants: Iterable[tuple[int, str | None, bool]] = (),
    commit: bool = True,
) -> Meeting:
    """participants: (person_id, function, required)."""
    meeting = Meeting(
        municipality_id=school_year.municipality_id,
        school_year_id=school_year.id,
        step_id=step.id if step else None,
        school_id=school.id if school else None,
        meeting_type=meeting_type,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        location=location,
        location_kind=location_kind,
        confidential=confidential,
        series_key=series_key,
        series_index=series_index,
        status=MeetingStatus.BOOKED if starts_at else MeetingStatus.PLANNED,
    )
    session.add(meeting)
    session.flush()
    for person_id, function, required in participants:
        session.add(MeetingParticipant(meeting_id=meeting.id, person_id=person_id,
                                       function=function, required=required))
    if commit:
        session.commit()
        session.refresh(meeting)
    return meeting


def get_meeting(session: Session, meeting_id: int) -> Meeting | None:
    return session.get(Meeting, meeting_id)


def get_by_uid(session: Session, uid: str) -> Meeting | None:
    return session.exec(select(Meeting).where(Meeting.uid == uid)).first()


def reschedule(session: Session, meeting: Meeting, *, starts_at: datetime, ends_at: datetime,
               location: str | None = None, location_kind: str | None = None,
               expected_version: int | None = None, commit: bool = True) -> Meeting:
    """Give a meeting a (new) time, and optionally a place. Booked from then on."""
    if expected_version is not None:
        check_version(meeting, expected_version)
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    if location is not None:
        meeting.location = location
    if location_kind is not None:
        meeting.location_kind = location_kind
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.CANCELLED):
        meeting.status = MeetingStatus.BOOKED
        meeting.cancelled_at = None
        meeting.cancel_reason = None
    session.add(meeting)
    if commit:
        session.commit()
        session.refresh(meeting)
    return meeting


def cancel(session: Session, meeting: Meeting, *, reason: str | None = None,
           expected_version: int | None = None, commit: bool = True) -> Meeting:
    """Cancelled, with the reason the consultant gave; feeds show it as cancelled and the
    invitations hook sends CANCEL. Booking it again (`reschedule`) clears both."""
    if expected_version is not None:
        check_version(meeting, expected_version)
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = utcnow()
    meeting.cancel_reason = (reason or "").strip()[:300] or None
    session.add(meeting)
    if commit:
        session.commit()
        session.refresh(meeting)
    return meeting


def mark_held(session: Session, meeting: Meeting) -> Meeting:
    meeting.status = MeetingStatus.HELD
    session.add(meeting)
    session.commit()
    session.refresh(meeting)
    return meeting


def set_participants(session: Session, meeting: Meeting,
                     participants: Iterable[tuple[int, str | None, bool]]) -> None:
    """Replace the participant list; personal feeds change, so changed_at moves."""
    wanted = {pid: (function, required) for pid, function, required in participants}
    existing = {p.person_id: p for p in session.exec(
        select(MeetingParticipant).where(MeetingParticipant.meeting_id == meeting.id))}
    for pid, row in existing.items():
        if pid not in wanted:
            session.delete(row)
    for pid, (function, required) in wanted.items():
        row = existing.get(pid) or MeetingParticipant(meeting_id=meeting.id, person_id=pid)
        row.function, row.required = function, required
        session.add(row)
    meeting.changed_at = max(utcnow(), meeting.changed_at)
    session.add(meeting)
    session.commit()


def participants(session: Session, meeting_id: int) -> list[tuple[Person, MeetingParticipant]]:
    return list(session.exec(
        select(Person, MeetingParticipant)
        .join(MeetingParticipant, MeetingParticipant.person_id == Person.id)
        .where(MeetingParticipant.meeting_id == meeting_id).order_by(Person.name)
    ).all())


def set_place(session: Session, meeting: Meeting, *, kind: str, location: str | None,
              commit: bool = True) -> Meeting:
    """Where it is held: "school", "administration", "online" or "other", with the room,
    the link or the address. SEQUENCE rises (models.py), so calendars update."""
    meeting.location_kind = kind
    meeting.location = (location or "").strip()[:300] or None
    session.add(meeting)
    if commit:
        session.commit()
        session.refresh(meeting)
    return meeting


def add_participant(session: Session, meeting: Meeting, person_id: int, *,
                    function: str | None = None, required: bool = True,
                    commit: bool = True) -> MeetingParticipant:
    """Invite one more person (or change whether they are required). Their feed and, where
    invitations are on, their invitation follow (app.feeds.hooks)."""
    row = session.exec(select(MeetingParticipant).where(
        MeetingParticipant.meeting_id == meeting.id,
        MeetingParticipant.person_id == person_id)).first()
    if row is None:
        row = MeetingParticipant(meeting_id=meeting.id, person_id=person_id, function=function)
    row.required = required
    session.add(row)
    meeting.changed_at = max(utcnow(), meeting.changed_at)
    session.add(meeting)
    if commit:
        session.commit()
    return row


def remove_participant(session: Session, meeting: Meeting, person_id: int, *,
                       commit: bool = True) -> bool:
    """Take a person off the meeting: they get a CANCEL where invitations are on."""
    row = session.exec(select(MeetingParticipant).where(
        MeetingParticipant.meeting_id == meeting.id,
        MeetingParticipant.person_id == person_id)).first()
    if row is None:
        return False
    session.delete(row)
    meeting.changed_at = max(utcnow(), meeting.changed_at)
    session.add(meeting)
    if commit:
        session.commit()
    return True


def guest(session: Session, meeting: Meeting, *, name: str, email: str) -> Person:
    """A person from outside (a guest by name and e-mail): the existing person with that
    address, else a new one under the meeting's municipality."""
    email = email.strip().lower()
    person = session.exec(select(Person).where(Person.email == email)).first()
    if person is None:
        person = Person(municipality_id=meeting.municipality_id, name=name.strip()[:160],
                        email=email, function=PersonFunction.OTHER)
        session.add(person)
        session.flush()
    return person


def list_meetings(
    session: Session,
    *,
    municipality_id: int | None = None,
    school_year_id: int | None = None,
    school_id: int | None = None,
    step_id: int | None = None,
    person_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    include_cancelled: bool = True,
    readable_by: Principal | None = None,
    ids: list[int] | None = None,
) -> list[Meeting]:
    """Meetings matching every given filter, in time order (unbooked ones last). A page lists
    with `readable_by` (the meetings rule, app.meetings.policy); without it, every meeting
    (for the services' own work, never for showing)."""
    stmt = select(Meeting)
    if readable_by is not None:
        stmt = stmt.where(policy.readable_meetings(readable_by))
    if ids is not None:
        stmt = stmt.where(col(Meeting.id).in_(ids))
    if municipality_id is not None:
        stmt = stmt.where(Meeting.municipality_id == municipality_id)
    if school_year_id is not None:
        stmt = stmt.where(Meeting.school_year_id == school_year_id)
    if school_id is not None:
        stmt = stmt.where(Meeting.school_id == school_id)
    if step_id is not None:
        stmt = stmt.where(Meeting.step_id == step_id)
    if person_id is not None:
        stmt = stmt.join(MeetingParticipant, MeetingParticipant.meeting_id == Meeting.id).where(
            MeetingParticipant.person_id == person_id)
    if start is not None:
        stmt = stmt.where(or_(col(Meeting.ends_at) >= start, col(Meeting.starts_at).is_(None)))
    if end is not None:
        stmt = stmt.where(col(Meeting.starts_at) < end)
    if not include_cancelled:
        stmt = stmt.where(Meeting.status != MeetingStatus.CANCELLED)
    stmt = stmt.order_by(col(Meeting.starts_at).is_(None), Meeting.starts_at, Meeting.id)
    return list(session.exec(stmt))


# --- planned duration: the agenda's length where one exists, else the step's default -------

duration_providers: Registry[Callable[[Session, Meeting], int | None]] = Registry(
    "meetings.duration_providers")
"""Another domain (agendas) says how long a meeting needs: first answer wins."""


def planned_duration(session: Session, meeting: Meeting) -> int:
    """Minutes the meeting needs: a registered provider's answer, the step's default, or 60."""
    for provider in duration_providers:
        minutes = provider(session, meeting)
        if minutes:
            return minutes
    if meeting.step_id:
        step = session.get(Step, meeting.step_id)
        if step and step.duration_minutes:
            return step.duration_minutes
    if meeting.starts_at and meeting.ends_at:
        return int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    return 60
