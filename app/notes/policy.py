"""Who may read and write notes and agreements."""

from sqlmodel import Session

from app.accounts.access import Principal
from app.meetings import policy as meetings_policy
from app.meetings.models import Meeting
from app.notes.models import Note, NoteSection, NoteStatus, SectionWriter
from app.schools import policy as schools_policy
from app.schools.models import Person, PersonFunction


def can_view_note(session: Session, p: Principal, meeting: Meeting) -> bool:
    """Those who may see the dialogue read its note (its confidential sections only if
    app.confidential lets them)."""
    return meetings_policy.can_view_meeting(session, p, meeting)


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


def can_update_agreement_status(p: Principal, note: Note) -> bool:
    """At next year's dialogue the administration records how each agreement went."""
    return can_manage_note(p, note)


def can_manage_settings(p: Principal, municipality_id: int) -> bool:
    return schools_policy.can_manage_municipality(p, municipality_id)
