"""Who may see and change meetings.

`readable_meetings` is the one rule of who may read which meeting: every listing, page
section, feed and export selects through it, and `can_view_meeting` runs the same clause on
one meeting, so a list never shows a meeting its page would refuse (the pattern of Polar's
readable statements)."""

from sqlalchemy import and_, exists, false, or_, true
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, select

from app.accounts.access import Principal
from app.accounts.models import Role
from app.meetings.models import Meeting, MeetingParticipant
from app.schools import policy as schools_policy


def is_participant(session: Session, p: Principal, meeting: Meeting) -> bool:
    if p.user is None or p.user.person_id is None:
        return False
    return session.exec(select(MeetingParticipant.id).where(
        MeetingParticipant.meeting_id == meeting.id,
        MeetingParticipant.person_id == p.user.person_id)).first() is not None


def can_manage_meeting(p: Principal, meeting: Meeting) -> bool:
    return schools_policy.can_manage_municipality(p, meeting.municipality_id)


def readable_meetings(p: Principal, *, person_id: int | None = None) -> ColumnElement[bool]:
    """WHERE clause on Meeting: what `p` may read. The administration (admins, the
    municipality's consultants) everything; the school's leadership its school's meetings and
    the municipality's participants its meetings, confidential ones (LUS) excepted; and
    everyone the meetings they are invited to. `person_id` stands for the person of a
    principal without a login (a calendar feed's owner)."""
    if p.is_admin:
        return true()
    if person_id is None and p.user is not None:
        person_id = p.user.person_id
    open_ = Meeting.confidential.is_(False)
    clauses: list[ColumnElement[bool]] = []
    if managed := p.municipality_ids(Role.CONSULTANT):
        clauses.append(Meeting.municipality_id.in_(managed))
    if schools := p.school_ids():
        clauses.append(and_(Meeting.school_id.in_(schools), open_))
    if participating := p.municipality_ids(Role.PARTICIPANT):
        clauses.append(and_(Meeting.municipality_id.in_(participating), open_))
    if person_id is not None:
        clauses.append(exists().where(MeetingParticipant.meeting_id == Meeting.id,
                                      MeetingParticipant.person_id == person_id))
    return or_(*clauses) if clauses else false()


def readable_meeting_ids(p: Principal):
    """The ids `p` may read, as a subquery for other records' rules (notes, agreements)."""
    return select(Meeting.id).where(readable_meetings(p))


def can_view_meeting(session: Session, p: Principal, meeting: Meeting) -> bool:
    """The single-meeting form of `readable_meetings`: the same clause on this meeting."""
    if meeting.id is None:
        return False
    return session.exec(select(Meeting.id).where(
        Meeting.id == meeting.id, readable_meetings(p))).first() is not None
