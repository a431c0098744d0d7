"""Who may read and write notes and agreements.

A note is read by those who may read its dialogue: `readable_notes` is the meetings rule
(app.meetings.policy.readable_meetings) carried over, and `can_view_note` is that rule on one
meeting. An agreement is read by those who may read its note, and by everyone who sees the
school once the note is published by a municipality that publishes (it is then public):
`readable_agreements`; every list of agreements selects through it."""

from sqlalchemy import and_, exists, or_, true
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, select

from app.accounts.access import Principal
from app.meetings import policy as meetings_policy
from app.meetings.models import Meeting
from app.notes.models import Agreement, Note, NoteSection, NoteSettings, NoteStatus, SectionWriter
from app.schools import policy as schools_policy
from app.schools.models import Person, PersonFunction


def can_view_note(session: Session, p: Principal, meeting: Meeting) -> bool:
    """Those who may see the dialogue read its note (its confidential sections only if
    app.confidential lets them)."""
    return meetings_policy.can_view_meeting(session, p, meeting)


def readable_notes(p: Principal) -> ColumnElement[bool]:
    """WHERE clause on Note: the notes `p` may read (those of the dialogues they may read).
    Correlated (EXISTS on the note's own meeting), never `IN (every readable meeting)`: that
    list is every meeting in the country for an administrator."""
    return exists(select(Meeting.id).where(Meeting.id == Note.meeting_id,
                                           meetings_policy.readable_meetings(p))
                  .correlate_except(Meeting))


def readable_agreements(p: Principal) -> ColumnElement[bool]:
    """WHERE clause on Agreement: those of notes `p` may read, and those of published notes
    of a municipality that publishes, for those who may see the school."""
    public = exists().where(
        NoteSettings.municipality_id == Agreement.municipality_id,
        NoteSettings.publishes.is_(True))
    published = exists(select(Note.id).where(Note.id == Agreement.note_id,
                                             Note.status == NoteStatus.PUBLISHED)
                       .correlate_except(Note))
    readable = exists(select(Note.id).where(Note.id == Agreement.note_id, readable_notes(p))
                      .correlate_except(Note))
    sees_school = true() if p.is_admin else Agreement.municipality_id.in_(p.municipality_ids())
    return or_(readable, and_(published, public, sees_school))


def can_manage_note(p: Principal, note: Note | Meeting) -> bool:
    """The administration writes the note, moves it through its workflow and publishes it."""
    return schools_policy.can_manage_municipality(p, note.municipality_id)


def is_board_representative(session: Session, p: Principal, school_id: int) -> bool:
    if p.user is None or p.user.person_id is None:
        return False
    person = session.get(Person, p.user.person_id)
    return (person is not None and person.school_id == school_id
            and person.function is PersonFunction.BOARD_REPRESENTATIVE)


def can_write_section(session: Session, p: Principal, note: Note, section: NoteSection) -> bool:
    """The administration writes every section until the note is published (then through a
    correction); while the note is out for comments the school leadership writes its own
    sections, and the board's comments are written by leadership or the board's
    representative."""
    if can_manage_note(p, note):
        return True
    if note.status is not NoteStatus.COMMENTS:
        return False
    if section.writer is SectionWriter.SCHOOL:
        return note.school_id in p.school_ids()
    if section.writer is SectionWriter.BOARD:
        return note.school_id in p.school_ids() or is_board_representative(session, p,
                                                                            note.school_id)
    return False


def can_comment(p: Principal, note: Note) -> bool:
    """While the note is out for comments, the school's leadership comments on any section it
    may read (app.notes.comments)."""
    return note.status is NoteStatus.COMMENTS and note.school_id in p.school_ids()


def can_answer_comments(p: Principal, note: Note) -> bool:
    """The administration answers and resolves the school's comments until it publishes."""
    return can_manage_note(p, note) and note.status is not NoteStatus.PUBLISHED


def can_read_comments(p: Principal, note: Note) -> bool:
    """The comments are between the school's leadership and the administration: others who
    read the note (participants, the board) do not see them, and the public never does."""
    return can_manage_note(p, note) or note.school_id in p.school_ids()


def can_update_agreement_status(p: Principal, note: Note) -> bool:
    """At next year's dialogue the administration records how each agreement went."""
    return can_manage_note(p, note)


def can_manage_settings(p: Principal, municipality_id: int) -> bool:
    return schools_policy.can_manage_municipality(p, municipality_id)
