"""The note's print view and Word document, for those signed in who may read the note."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.accounts.access import SignedIn, require
from app.db import SessionDep
from app.meetings.models import Meeting
from app.notes import export, policy, service
from app.notes.models import NOTE_STATUS_LABELS, NoteStatus
from app.schools import service as schools
from app.web import render

router = APIRouter()


def _note_or_404(session, principal, note_id: int):
    note = service.get_note(session, note_id)
    if note is None:
        raise HTTPException(404)
    meeting = session.get(Meeting, note.meeting_id)
    require(policy.can_view_note(session, principal, meeting))
    return note, meeting


@router.get("/notes/{note_id}/print")
def print_view(request: Request, note_id: int, principal: SignedIn, session: SessionDep):
    note, meeting = _note_or_404(session, principal, note_id)
    return render(request, "notes/print.html", {
        "note": note, "meeting": meeting, "school": schools.get_school(session, note.school_id),
        "content": export.note_content(session, note, principal),
        "status_label": NOTE_STATUS_LABELS[note.status],
        "final": note.status in (NoteStatus.APPROVED, NoteStatus.PUBLISHED),
        **export.TEMPLATE_HELPERS}, headers={"Cache-Control": "private, no-store"})


@router.get("/notes/{note_id:int}.docx")
def docx(note_id: int, principal: SignedIn, session: SessionDep):
    note, _meeting = _note_or_404(session, principal, note_id)
    content, name = export.note_docx(session, note, principal)
    return Response(content, media_type=export.DOCX_TYPE, headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"",
        "Cache-Control": "private, no-store"})
