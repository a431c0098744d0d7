"""Who may see and change meetings."""

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


def can_view_meeting(session: Session, p: Principal, meeting: Meeting) -> bool:
    """The administration, the school's leadership, and the people invited."""
    if can_manage_meeting(p, meeting):
        return True
    if meeting.school_id is not None and meeting.school_id in p.school_ids() \
            and not meeting.confidential:
        return True
    if meeting.municipality_id in p.municipality_ids(Role.PARTICIPANT) and not meeting.confidential:
        return True
    return is_participant(session, p, meeting)
