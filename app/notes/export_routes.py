"""The note's print view and Word document, for those signed in who may read the note."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.access import SignedIn
from app.db import SessionDep
from app.notes import export
from app.notes.loaders import NoteDep
from app.notes.models import NOTE_STATUS_LABELS, NoteStatus
from app.schools import service as schools
from app.web import render

router = APIRouter()


@router.get("/notes/{note_id}/print")
def print_view(request: Request, note_and_meeting: NoteDep, principal: SignedIn,
               session: SessionDep):
    note, meeting = note_and_meeting
    return render(request, "notes/print.html", {
        "note": note, "meeting": meeting, "school": schools.get_school(session, note.school_id),
        "content": export.note_content(session, note, principal),
        "status_label": NOTE_STATUS_LABELS[note.status],
        "final": note.status in (NoteStatus.APPROVED, NoteStatus.PUBLISHED),
        **export.TEMPLATE_HELPERS}, headers={"Cache-Control": "private, no-store"})


@router.get("/notes/{note_id:int}.docx")
def docx(note_and_meeting: NoteDep, principal: SignedIn, session: SessionDep):
    note, _meeting = note_and_meeting
    content, name = export.note_docx(session, note, principal)
    return Response(content, media_type=export.DOCX_TYPE, headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"",
        "Cache-Control": "private, no-store"})
