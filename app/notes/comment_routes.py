"""The school's comments on its note (app.notes.comments): the leadership adds one to a
section while the note is out for comments; the administration answers and resolves. With
HTMX each form swaps the section's comments; without, it posts and redirects to the section
(or shows the page again with the refused text kept)."""

from fastapi import APIRouter, HTTPException, Request

from app.accounts.access import SignedIn, require
from app.db import SessionDep
from app.forms import FieldError, FormDep
from app.i18n import gettext as _
from app.notes import comments, policy
from app.notes.loaders import CommentDep, NoteDep, SectionDep
from app.notes.models import Note, NoteSection
from app.notes.routes import _page, _section_view
from app.web import is_htmx, redirect, render

router = APIRouter()


def _answer(request: Request, session, principal, note: Note, meeting, section: NoteSection, *,
            message: str, error: dict | None = None):
    """HTMX: the section's comments again; without: back to the section, or the page with
    the refused text kept (422)."""
    if error is None and not is_htmx(request):
        return redirect(request, f"/notes/{note.id}#comments-{section.id}", message=message)
    view = _section_view(session, principal, note, section, comment_error=error)
    status_code = 422 if error else 200
    if is_htmx(request):
        # The section's comments, and the count above the workflow's buttons (out of band).
        return render(request, "notes/_comments_answer.html", {
            "note": note, "view": view, "oob": True,
            "unresolved": comments.unresolved_count(session, note.id)},
            status_code=status_code)
    return _page(request, session, principal, note, meeting, status_code=status_code,
                 replace=[view])


@router.post("/notes/{note_id}/sections/{section_id}/comments")
def add_comment(request: Request, note_and_meeting: NoteDep, section: SectionDep,
                principal: SignedIn, session: SessionDep, form: FormDep):
    note, meeting = note_and_meeting
    require(policy.can_comment(principal, note))
    text = str(form.get("text") or "")
    try:
        comments.add(session, note, section, text, author_id=principal.user.id)
    except FieldError as err:
        return _answer(request, session, principal, note, meeting, section, message="",
                       error={"comment_id": None, "text": text, "message": err.message})
    return _answer(request, session, principal, note, meeting, section,
                   message=_("Your comment is added. The administration sees it."))


@router.post("/notes/{note_id}/comments/{comment_id}/answer")
def answer_comment(request: Request, note_and_meeting: NoteDep, comment: CommentDep,
                   principal: SignedIn, session: SessionDep, form: FormDep):
    note, meeting = note_and_meeting
    section = session.get(NoteSection, comment.section_id)
    text = str(form.get("text") or "")
    try:
        comments.answer(session, comment, text, author_id=principal.user.id)
    except FieldError as err:
        return _answer(request, session, principal, note, meeting, section, message="",
                       error={"comment_id": comment.id, "text": text, "message": err.message})
    if form.get("resolve") == "1":
        comments.resolve(session, comment, user_id=principal.user.id)
    return _answer(request, session, principal, note, meeting, section,
                   message=_("Your answer is added."))


@router.post("/notes/{note_id}/comments/{comment_id}/resolve")
def resolve_comment(request: Request, note_and_meeting: NoteDep, comment: CommentDep,
                    principal: SignedIn, session: SessionDep):
    note, meeting = note_and_meeting
    try:
        comments.resolve(session, comment, user_id=principal.user.id)
    except FieldError as err:
        raise HTTPException(400, err.message) from err
    return _answer(request, session, principal, note, meeting,
                   session.get(NoteSection, comment.section_id),
                   message=_("The comment is resolved. It stays in the note's history."))
