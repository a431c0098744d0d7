"""The note's print view and Word document, for those signed in who may read the note."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from app.accounts.access import SignedIn
from app.db import SessionDep
from app.loading import checked_id
from app.notes import export, public, publication
from app.notes.loaders import NoteDep
from app.notes.models import NOTE_STATUS_LABELS, NoteStatus
from app.pdf import pdf_response
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


@router.get("/notes/{note_id:int}.pdf")
def pdf(request: Request, note_and_meeting: NoteDep, principal: SignedIn, session: SessionDep):
    """The note as the reader may see it, as PDF (the print view's template)."""
    note, meeting = note_and_meeting
    school = schools.get_school(session, note.school_id)
    _content, name = export.note_docx(session, note, principal)
    return pdf_response(request, "notes/print.html", {
        "note": note, "meeting": meeting, "school": school,
        "doc_author": schools.get_municipality(session, school.municipality_id).name,
        "content": export.note_content(session, note, principal),
        "status_label": NOTE_STATUS_LABELS[note.status],
        "final": note.status in (NoteStatus.APPROVED, NoteStatus.PUBLISHED),
        **export.TEMPLATE_HELPERS}, filename=name.removesuffix(".docx") + ".pdf")


@router.get("/notes/{note_id}/versions/{published_id}.pdf")
def version_pdf(request: Request, note_and_meeting: NoteDep, published_id: int,
                principal: SignedIn, session: SessionDep):
    """A published version as PDF/A-3b for the records system, whether or not the
    municipality publishes its notes on the web: the published snapshot, without the
    confidential sections."""
    note, _meeting = note_and_meeting
    row = publication.get_version(session, checked_id(published_id))
    if row is None or row.note_id != note.id:
        raise HTTPException(404)
    return public.version_pdf_response(request, session, row, cache="private, no-store")


@router.get("/notes/{note_id:int}.docx")
def docx(note_and_meeting: NoteDep, principal: SignedIn, session: SessionDep):
    note, _meeting = note_and_meeting
    content, name = export.note_docx(session, note, principal)
    return Response(content, media_type=export.DOCX_TYPE, headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"",
        "Cache-Control": "private, no-store"})
