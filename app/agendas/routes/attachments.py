"""The agenda's appendices: upload, link, download, remove.
"""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from starlette.datastructures import UploadFile

from app import confirm
from app.accounts.access import SignedIn, require
from app.agendas import attachments as agenda_attachments
from app.agendas import build as agenda_build
from app.agendas import policy
from app.agendas import themes as agenda_themes
from app.agendas.models import AgendaTheme
from app.agendas.routes.agenda import OpenAgenda, load_agenda, render_agenda
from app.agendas.routes.items import item_or_404
from app.agendas.routes.themes import closed_message, theme_guard, theme_or_404
from app.db import SessionDep
from app.forms import FieldError, FormDep, parse_form
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.web import redirect

router = APIRouter()

# --- appendices --------------------------------------------------------------------------------


@router.post("/agendas/{agenda_id}/attachments")
def add_attachment(request: Request, opened: OpenAgenda, principal: SignedIn,
                   session: SessionDep, form: FormDep):
    agenda, meeting = opened
    can_manage = policy.can_manage_agenda(principal, meeting)
    item = theme = None
    if form.get("theme_id"):
        theme = theme_or_404(session, agenda, form.get("theme_id"))
        if not can_manage and not theme_guard(session, principal, agenda, meeting, theme):
            return redirect(request, f"/agendas/{agenda.id}", message=closed_message(),
                            level="error")
    elif form.get("item_id"):
        require(can_manage)
        item = item_or_404(session, agenda, form.get("item_id"))
    else:
        raise HTTPException(400)
    upload = form.get("file")
    target = f"theme-{theme.id}" if theme else f"item-{item.id}"
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            # One byte over the limit is enough to refuse it; never more in memory.
            content = upload.file.read(agenda_attachments.MAX_FILE_MB * 1024 * 1024 + 1)
            agenda_attachments.add_file(session, agenda, file_name=upload.filename, content=content,
                             title=str(form.get("title") or "") or None, item=item, theme=theme,
                             from_school=not can_manage)
        else:
            result = parse_form(agenda_attachments.LinkForm, form)
            if not result.ok:
                raise FieldError(next(iter(result.errors)), next(iter(result.errors.values())))
            agenda_attachments.add_link(session, agenda, result.data, item=item, theme=theme,
                             from_school=not can_manage)
    except FieldError as err:
        return render_agenda(request, session, principal, agenda, meeting, status_code=422,
                     attachment_error=(target, err.message))
    return redirect(request, f"/agendas/{agenda.id}#{target}",
                    message=_("The appendix is attached."))


@router.get("/attachments/{attachment_id}")
def download_attachment(attachment_id: int, principal: SignedIn, session: SessionDep):
    row = agenda_attachments.get_attachment(session, attachment_id)
    if row is None:
        raise HTTPException(404)
    agenda = agenda_build.get_agenda(session, row.agenda_id)
    meeting = meetings.get_meeting(session, agenda.meeting_id)
    require(policy.can_view_agenda(session, principal, meeting))
    path = agenda_attachments.attachment_path(row)
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, media_type=row.content_type, filename=row.file_name,
                        content_disposition_type="attachment",
                        headers={"Cache-Control": "private, no-store"})


@router.post("/attachments/{attachment_id}/delete")
def delete_attachment(request: Request, attachment_id: int, principal: SignedIn,
                      session: SessionDep, form: FormDep):
    row = agenda_attachments.get_attachment(session, attachment_id)
    if row is None:
        raise HTTPException(404)
    agenda, meeting = load_agenda(row.agenda_id, session, principal)
    theme = session.get(AgendaTheme, row.theme_id) if row.theme_id else None
    open_ = agenda_themes.school_input_open(session, agenda)
    require(policy.can_remove_attachment(principal, meeting, agenda, row, theme, open_=open_))
    if not confirm.confirmed(form):
        return confirm.ask(
            request, form, action=f"/attachments/{row.id}/delete",
            title=_("Remove the appendix \"%(title)s\"?", title=row.title),
            consequences=agenda_attachments.what_removing_does(row),
            back=f"/agendas/{agenda.id}", button=_("Yes, remove the appendix"))
    agenda_attachments.delete_attachment(session, row)
    return redirect(request, f"/agendas/{agenda.id}", message=_("The appendix is removed."))
