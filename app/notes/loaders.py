"""The note, section and agreement a route is about: loaded once, 404 when missing, refused
unless the user may view it (see app/loading.py). A note comes with its meeting, which its
policies ask about."""

from typing import Annotated

from fastapi import Depends

from app.accounts.access import Principal, SignedIn, Staff, require
from app.confidential import Audience
from app.db import SessionDep
from app.loading import checked_id, found
from app.meetings import service as meetings
from app.meetings.models import Meeting
from app.notes import agreements, comments, policy, publication, service
from app.notes.models import Agreement, Note, NoteComment, NoteSection
from app.schools import service as schools
from app.schools.models import Municipality


def _note(session, principal: Principal, note_id: int) -> tuple[Note, Meeting]:
    note = found(service.get_note(session, checked_id(note_id)))
    meeting = found(meetings.get_meeting(session, note.meeting_id))
    require(policy.can_view_note(session, principal, meeting))
    return note, meeting


def load_note(note_id: int, session: SessionDep, principal: SignedIn) -> tuple[Note, Meeting]:
    return _note(session, principal, note_id)


def load_staff_note(note_id: int, session: SessionDep,
                    principal: Staff) -> tuple[Note, Meeting]:
    """The same, on the routes only the administration uses (the agreements' editing)."""
    return _note(session, principal, note_id)


NoteDep = Annotated[tuple[Note, Meeting], Depends(load_note)]
StaffNoteDep = Annotated[tuple[Note, Meeting], Depends(load_staff_note)]


def section_visible(session, principal: Principal, note: Note, section: NoteSection) -> bool:
    return publication.section_visible(section, principal=principal, note=note,
                                       audience=Audience.SIGNED_IN, session=session)


def load_section(section_id: int, note_and_meeting: NoteDep, session: SessionDep,
                 principal: SignedIn) -> NoteSection:
    """A section of the note, 404 also when the user may not see it."""
    note, _meeting = note_and_meeting
    section = found(service.get_section(session, note, checked_id(section_id)))
    return found(section if section_visible(session, principal, note, section) else None)


SectionDep = Annotated[NoteSection, Depends(load_section)]


def load_note_agreement(agreement_id: int, note_and_meeting: StaffNoteDep,
                        session: SessionDep) -> Agreement:
    """An agreement of the note (administration only)."""
    note, _meeting = note_and_meeting
    row = agreements.get(session, checked_id(agreement_id))
    return found(row if row is not None and row.note_id == note.id else None)


NoteAgreementDep = Annotated[Agreement, Depends(load_note_agreement)]


def load_settings_municipality(municipality_id: int, session: SessionDep,
                               principal: SignedIn) -> Municipality:
    """A municipality whose note settings the user manages."""
    municipality = found(schools.get_municipality(session, checked_id(municipality_id)))
    require(policy.can_manage_settings(principal, municipality.id))
    return municipality


SettingsMunicipalityDep = Annotated[Municipality, Depends(load_settings_municipality)]


def load_comment(comment_id: int, note_and_meeting: NoteDep, session: SessionDep,
                 principal: SignedIn) -> NoteComment:
    """A comment of the note, for the administration that answers and resolves it; 404 when
    its section is hidden from the user (a confidential one)."""
    note, _meeting = note_and_meeting
    require(policy.can_answer_comments(principal, note))
    row = found(comments.get(session, note, checked_id(comment_id)))
    section = found(session.get(NoteSection, row.section_id))
    return found(row if section_visible(session, principal, note, section) else None)


CommentDep = Annotated[NoteComment, Depends(load_comment)]
