"""The consultants' debrief keywords, written on the debrief meeting after a dialogue (or on
the dialogue itself where the year plans no debrief meetings)."""

from sqlmodel import Session, select

from app.meetings.models import Meeting, MeetingType
from app.summary.models import DebriefKeywords

KEYWORD_MEETINGS = (MeetingType.DEBRIEF, MeetingType.DIALOGUE)
MAX_LENGTH = 4000


def text_for(session: Session, meeting_id: int) -> str:
    row = session.exec(select(DebriefKeywords).where(DebriefKeywords.meeting_id == meeting_id)).first()
    return row.text if row else ""


def year_has_debriefs(session: Session, meeting: Meeting) -> bool:
    return session.exec(select(Meeting.id).where(
        Meeting.school_year_id == meeting.school_year_id,
        Meeting.meeting_type == MeetingType.DEBRIEF)).first() is not None


def save(session: Session, meeting: Meeting, text: str) -> DebriefKeywords:
    row = session.exec(select(DebriefKeywords).where(
        DebriefKeywords.meeting_id == meeting.id)).first()
    if row is None:
        row = DebriefKeywords(meeting_id=meeting.id, school_year_id=meeting.school_year_id,
                              school_id=meeting.school_id)
    row.text = text.strip()[:MAX_LENGTH]
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
