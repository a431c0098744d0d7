"""The agenda page: its template, print view and .docx, and its section on the meeting page; and
what the item, theme and appendix forms share (the agenda looked up, the page rendered again).
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from app.accounts.access import SignedIn, require
from app.agendas import attachments as agenda_attachments
from app.agendas import build as agenda_build
from app.agendas import export, policy
from app.agendas import followup as agenda_followup
from app.agendas import goals as agenda_goals
from app.agendas import settings as agenda_settings
from app.agendas import themes as agenda_themes
from app.agendas import timeline as agenda_timeline
from app.agendas.models import OWNER_LABELS, Agenda, ItemKind, Owner
from app.agendas.word import bullet_lines
from app.cycles import years as cycle_years
from app.db import SessionDep, StaleVersion
from app.forms import FieldError, FormDep, int_or_none
from app.i18n import gettext as _
from app.loading import checked_id, found
from app.meetings import service as meetings
from app.meetings.models import Meeting
from app.pdf import pdf_response
from app.schools import service as schools
from app.web import redirect, render

router = APIRouter()

def meeting_agenda(session, principal, meeting: Meeting):
    agenda = agenda_build.ensure_agenda(session, meeting)
    if agenda is None:
        return None
    return {"agenda": agenda, "line": agenda_timeline.timeline(session, agenda, meeting)}


# --- helpers -----------------------------------------------------------------------------------


def load_agenda(agenda_id: int, session: SessionDep, principal: SignedIn) -> tuple[Agenda, Meeting]:
    """The agenda and its meeting, if the principal may see it; brought up to date with its
    template and the school's facts before it is shown."""
    agenda = found(agenda_build.get_agenda(session, checked_id(agenda_id)))
    meeting = meetings.get_meeting(session, agenda.meeting_id)
    require(policy.can_view_agenda(session, principal, meeting))
    return agenda_build.ensure_agenda(session, meeting), meeting


OpenAgenda = Annotated[tuple[Agenda, Meeting], Depends(load_agenda)]


def _owner_options():
    return [(o.value, _(OWNER_LABELS[o])) for o in Owner]


def agenda_context(session, principal, agenda: Agenda, meeting: Meeting, **extra) -> dict:
    open_ = agenda_themes.school_input_open(session, agenda)
    school = schools.get_school(session, agenda.school_id) if agenda.school_id else None
    line = agenda_timeline.timeline(session, agenda, meeting)
    can_manage = policy.can_manage_agenda(principal, meeting)
    is_leader = policy.is_school_leadership(principal, agenda)
    goals = agenda_goals.list_goals(session, school.id) if school else []
    used_goals = {t.goal_id for r in line.rows for t, _ in r.themes if t.goal_id}
    urls = {a.id: agenda_attachments.attachment_url(session, agenda, a)
            for r in line.rows for a in r.attachments + [x for _, xs in r.themes for x in xs]}
    context = {
        "agenda": agenda,
        "meeting": meeting,
        "school": school,
        "municipality": schools.get_municipality(session, meeting.municipality_id),
        "school_year": cycle_years.get_school_year(session, meeting.school_year_id),
        "participants": meetings.participants(session, meeting.id),
        "line": line,
        "owner_labels": OWNER_LABELS,
        "owner_options": _owner_options(),
        "can_manage": can_manage,
        "is_leader": is_leader,
        "school_open": open_,
        "deadline": agenda_themes.school_input_deadline(session, agenda),
        "can_propose": can_manage or policy.can_propose_theme(principal, agenda, open_=open_),
        "goals": goals,
        "used_goals": used_goals,
        "attachment_urls": urls,
        "followup": agenda_followup.followup(session, agenda, principal),
        "templates": agenda_settings.list_templates(session),
        "assumed": agenda_settings.assumed_items(
            session, agenda.template_key,
            agenda_settings.municipality_settings(session, meeting.municipality_id)),
        "theme_item": agenda_themes.theme_item(session, agenda),
        "values": {},
        "errors": {},
        "editing_item": None,
        "editing_theme": None,
        "conflict": None,
        "max_file_mb": agenda_attachments.MAX_FILE_MB,
        "ItemKind": ItemKind,
        "bullet_lines": bullet_lines,
    }
    context.update(extra)
    return context


def render_agenda(request, session, principal, agenda, meeting, *, status_code=200, partial=None,
          **extra):
    return render(request, "agendas/agenda.html",
                  agenda_context(session, principal, agenda, meeting, **extra),
                  partial=partial, status_code=status_code)


# --- the agenda --------------------------------------------------------------------------------


@router.get("/meetings/{meeting_id}/agenda")
def meeting_agenda_page(request: Request, meeting_id: int, principal: SignedIn,
                        session: SessionDep):
    meeting = meetings.get_meeting(session, meeting_id)
    if meeting is None:
        raise HTTPException(404)
    require(policy.can_view_agenda(session, principal, meeting))
    agenda = agenda_build.ensure_agenda(session, meeting)
    if agenda is None:
        raise HTTPException(404)
    return redirect(request, f"/agendas/{agenda.id}")


@router.get("/agendas/{agenda_id}")
def agenda_page(request: Request, opened: OpenAgenda, principal: SignedIn, session: SessionDep):
    agenda, meeting = opened
    return render_agenda(request, session, principal, agenda, meeting)


@router.post("/agendas/{agenda_id}/template")
def change_template(request: Request, opened: OpenAgenda, principal: SignedIn, session: SessionDep,
                    form: FormDep):
    agenda, meeting = opened
    require(policy.can_manage_agenda(principal, meeting))
    try:
        agenda_build.change_template(session, agenda, str(form.get("template_key", "")),
                                expected_version=int_or_none(form.get("version")))
    except FieldError as err:
        return render_agenda(request, session, principal, agenda, meeting, status_code=422,
                     errors={err.field: err.message})
    except StaleVersion:
        return redirect(request, f"/agendas/{agenda.id}", level="warning",
                        message=_("Someone else changed the agenda meanwhile. Try again."))
    return redirect(request, f"/agendas/{agenda.id}",
                    message=_("The agenda now follows the chosen template. Edited items are kept."))


# --- export ------------------------------------------------------------------------------------


@router.get("/agendas/{agenda_id}/print")
def print_view(request: Request, opened: OpenAgenda, principal: SignedIn, session: SessionDep):
    agenda, meeting = opened
    return render(request, "agendas/print.html",
                  {**agenda_context(session, principal, agenda, meeting),
                   "bullet_lines": bullet_lines})


@router.get("/agendas/{agenda_id}/agenda.pdf")
def pdf(request: Request, opened: OpenAgenda, principal: SignedIn, session: SessionDep):
    agenda, meeting = opened
    context = agenda_context(session, principal, agenda, meeting)
    return pdf_response(request, "agendas/print.html",
                        {**context, "doc_author": export.author(session, agenda),
                         "bullet_lines": bullet_lines},
                        filename=export.file_name(session, agenda, "pdf"))


@router.get("/agendas/{agenda_id}/agenda.docx")
def docx(opened: OpenAgenda, principal: SignedIn, session: SessionDep):
    agenda, meeting = opened
    content, name = export.agenda_docx(session, agenda, meeting)
    return Response(content, media_type=export.DOCX_TYPE, headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"",
        "Cache-Control": "private, no-store"})
