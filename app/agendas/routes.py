"""Pages of agendas and development goals; their sections on the meeting and school pages."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from app.accounts.access import SignedIn, require
from app.agendas import export, policy, service
from app.agendas.contracts import SECTION_KEYS, SECTION_LABELS, parse_contract
from app.agendas.models import OWNER_LABELS, Agenda, AgendaItem, AgendaTheme, ItemKind, Owner
from app.cycles import service as cycles
from app.db import SessionDep, StaleVersion
from app.forms import FieldError, FormDep, parse_form
from app.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.models import Meeting
from app.schools import service as schools
from app.schools.models import School
from app.web import is_htmx, redirect, render

router = APIRouter()

# --- sections on other domains' pages ----------------------------------------------------------


def meeting_agenda(session, principal, meeting: Meeting):
    agenda = service.ensure_agenda(session, meeting)
    if agenda is None:
        return None
    return {"agenda": agenda, "line": service.timeline(session, agenda, meeting)}


def school_goals(session, principal, school: School):
    goals = service.list_goals(session, school.id)
    return {"school": school, "goals": goals,
            "can_edit_goals": policy.can_edit_goals(principal, school)}




# --- helpers -----------------------------------------------------------------------------------


def _agenda_or_404(session, principal, agenda_id: int) -> tuple[Agenda, Meeting]:
    agenda = service.get_agenda(session, agenda_id)
    if agenda is None:
        raise HTTPException(404)
    meeting = meetings.get_meeting(session, agenda.meeting_id)
    require(policy.can_view_agenda(session, principal, meeting))
    # Bring it up to date with its template and the school's facts before showing it.
    return service.ensure_agenda(session, meeting), meeting


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _owner_options():
    return [(o.value, _(OWNER_LABELS[o])) for o in Owner]


def _agenda_context(session, principal, agenda: Agenda, meeting: Meeting, **extra) -> dict:
    open_ = service.school_input_open(session, agenda)
    school = schools.get_school(session, agenda.school_id) if agenda.school_id else None
    line = service.timeline(session, agenda, meeting)
    can_manage = policy.can_manage_agenda(principal, meeting)
    is_leader = policy.is_school_leadership(principal, agenda)
    goals = service.list_goals(session, school.id) if school else []
    used_goals = {t.goal_id for r in line.rows for t, _ in r.themes if t.goal_id}
    urls = {a.id: service.attachment_url(session, agenda, a)
            for r in line.rows for a in r.attachments + [x for _, xs in r.themes for x in xs]}
    context = {
        "agenda": agenda,
        "meeting": meeting,
        "school": school,
        "municipality": schools.get_municipality(session, meeting.municipality_id),
        "school_year": cycles.get_school_year(session, meeting.school_year_id),
        "participants": meetings.participants(session, meeting.id),
        "line": line,
        "owner_labels": OWNER_LABELS,
        "owner_options": _owner_options(),
        "can_manage": can_manage,
        "is_leader": is_leader,
        "school_open": open_,
        "deadline": service.school_input_deadline(session, agenda),
        "can_propose": can_manage or policy.can_propose_theme(principal, agenda, open_=open_),
        "goals": goals,
        "used_goals": used_goals,
        "attachment_urls": urls,
        "followup": service.followup(session, agenda),
        "templates": service.list_templates(session),
        "theme_item": service.theme_item(session, agenda),
        "values": {},
        "errors": {},
        "editing_item": None,
        "editing_theme": None,
        "conflict": None,
        "max_file_mb": service.MAX_FILE_MB,
        "ItemKind": ItemKind,
    }
    context.update(extra)
    return context


def _page(request, session, principal, agenda, meeting, *, status_code=200, partial=None,
          **extra):
    return render(request, "agendas/agenda.html",
                  _agenda_context(session, principal, agenda, meeting, **extra),
                  partial=partial, status_code=status_code)


# --- the agenda --------------------------------------------------------------------------------


@router.get("/meetings/{meeting_id}/agenda")
def meeting_agenda_page(request: Request, meeting_id: int, principal: SignedIn,
                        session: SessionDep):
    meeting = meetings.get_meeting(session, meeting_id)
    if meeting is None:
        raise HTTPException(404)
    require(policy.can_view_agenda(session, principal, meeting))
    agenda = service.ensure_agenda(session, meeting)
    if agenda is None:
        raise HTTPException(404)
    return redirect(request, f"/agendas/{agenda.id}")


@router.get("/agendas/{agenda_id}")
def agenda_page(request: Request, agenda_id: int, principal: SignedIn, session: SessionDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    return _page(request, session, principal, agenda, meeting)


@router.post("/agendas/{agenda_id}/template")
def change_template(request: Request, agenda_id: int, principal: SignedIn, session: SessionDep,
                    form: FormDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    require(policy.can_manage_agenda(principal, meeting))
    try:
        service.change_template(session, agenda, str(form.get("template_key", "")),
                                expected_version=_int(form.get("version")))
    except FieldError as err:
        return _page(request, session, principal, agenda, meeting, status_code=422,
                     errors={err.field: err.message})
    except StaleVersion:
        return redirect(request, f"/agendas/{agenda.id}", level="warning",
                        message=_("Someone else changed the agenda meanwhile. Try again."))
    return redirect(request, f"/agendas/{agenda.id}",
                    message=_("The agenda now follows the chosen template. Edited items are kept."))


# --- items -------------------------------------------------------------------------------------


def _item_or_404(session, agenda, item_id) -> AgendaItem:
    item = service.get_item(session, agenda, item_id)
    if item is None:
        raise HTTPException(404)
    return item


def _item_values(item: AgendaItem) -> dict:
    return {"title": item.title, "description": item.description,
            "owner": item.owner.value if item.owner else "", "minutes": item.minutes,
            "sub_points": "\n".join(item.sub_points), "group": item.group}


@router.get("/agendas/{agenda_id}/items/{item_id}/edit")
def edit_item_form(request: Request, agenda_id: int, item_id: int, principal: SignedIn,
                   session: SessionDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    require(policy.can_manage_agenda(principal, meeting))
    item = _item_or_404(session, agenda, item_id)
    return render(request, "agendas/item_form.html", {
        **_agenda_context(session, principal, agenda, meeting),
        "item": item, "values": _item_values(item), "errors": {}, "conflict": None,
    })


@router.post("/agendas/{agenda_id}/items/{item_id}")
def save_item(request: Request, agenda_id: int, item_id: int, principal: SignedIn,
              session: SessionDep, form: FormDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    require(policy.can_manage_agenda(principal, meeting))
    item = _item_or_404(session, agenda, item_id)
    result = parse_form(service.ItemForm, form)
    conflict = None
    if result.ok:
        try:
            service.update_item(session, item, result.data,
                                expected_version=_int(form.get("version")))
        except StaleVersion:
            session.refresh(item)
            conflict = _item_values(item)
        else:
            return redirect(request, f"/agendas/{agenda.id}#item-{item.id}",
                            message=_("The item is saved."))
    return render(request, "agendas/item_form.html", {
        **_agenda_context(session, principal, agenda, meeting),
        "item": item, "values": result.values, "errors": result.errors, "conflict": conflict,
    }, status_code=409 if conflict else 422)


@router.post("/agendas/{agenda_id}/items")
def add_item(request: Request, agenda_id: int, principal: SignedIn, session: SessionDep,
             form: FormDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    require(policy.can_manage_agenda(principal, meeting))
    result = parse_form(service.ItemForm, form)
    if result.ok:
        item = service.add_item(session, agenda, result.data)
        return redirect(request, f"/agendas/{agenda.id}#item-{item.id}",
                        message=_("The item is added."))
    return _page(request, session, principal, agenda, meeting, status_code=422,
                 values=result.values, errors=result.errors)


@router.post("/agendas/{agenda_id}/items/{item_id}/delete")
def delete_item(request: Request, agenda_id: int, item_id: int, principal: SignedIn,
                session: SessionDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    require(policy.can_manage_agenda(principal, meeting))
    service.delete_item(session, _item_or_404(session, agenda, item_id))
    return redirect(request, f"/agendas/{agenda.id}", message=_("The item is removed."))


@router.post("/agendas/{agenda_id}/items/{item_id}/move")
def move_item(request: Request, agenda_id: int, item_id: int, principal: SignedIn,
              session: SessionDep, form: FormDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    require(policy.can_manage_agenda(principal, meeting))
    item = _item_or_404(session, agenda, item_id)
    direction = "up" if form.get("direction") == "up" else "down"
    service.move_item(session, agenda, item, direction)
    if is_htmx(request):
        # The list alone; focus stays on the moved item's button (see static/js/app.js).
        return _page(request, session, principal, agenda, meeting,
                     partial="agendas/_items.html", moved=(item.id, direction))
    return redirect(request, f"/agendas/{agenda.id}#item-{item.id}")


# --- themes ------------------------------------------------------------------------------------


def _theme_or_404(session, agenda, theme_id) -> AgendaTheme:
    theme = service.get_theme(session, agenda, theme_id)
    if theme is None:
        raise HTTPException(404)
    return theme


def _closed_message() -> str:
    return _("The deadline for the school's themes has passed: they can no longer be changed "
             "here. Contact the administration.")


@router.post("/agendas/{agenda_id}/themes")
def add_theme(request: Request, agenda_id: int, principal: SignedIn, session: SessionDep,
              form: FormDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    can_manage = policy.can_manage_agenda(principal, meeting)
    open_ = service.school_input_open(session, agenda)
    if not can_manage and policy.is_school_leadership(principal, agenda) and not open_:
        return _page(request, session, principal, agenda, meeting, status_code=403,
                     values=dict(form), errors={"title": _closed_message()}, refused=True)
    require(can_manage or policy.can_propose_theme(principal, agenda, open_=open_))
    result = parse_form(service.ThemeForm, form)
    if result.ok:
        try:
            service.add_theme(session, agenda, result.data, from_school=not can_manage)
        except FieldError as err:
            result.add(err)
        else:
            return redirect(request, f"/agendas/{agenda.id}#themes",
                            message=_("The theme is added."))
    return _page(request, session, principal, agenda, meeting, status_code=422,
                 values=result.values, errors=result.errors)


@router.post("/agendas/{agenda_id}/goals/{goal_id}/theme")
def theme_from_goal(request: Request, agenda_id: int, goal_id: int, principal: SignedIn,
                    session: SessionDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    can_manage = policy.can_manage_agenda(principal, meeting)
    open_ = service.school_input_open(session, agenda)
    require(can_manage or policy.can_propose_theme(principal, agenda, open_=open_))
    goal = service.get_goal(session, goal_id)
    if goal is None or goal.school_id != agenda.school_id:
        raise HTTPException(404)
    try:
        service.theme_from_goal(session, agenda, goal, from_school=not can_manage)
    except FieldError as err:
        return redirect(request, f"/agendas/{agenda.id}", message=err.message, level="error")
    return redirect(request, f"/agendas/{agenda.id}#themes",
                    message=_("The development goal is on the agenda as a theme."))


def _theme_guard(session, principal, agenda, meeting, theme) -> bool:
    """May change it; raises Forbidden if never; False if only the deadline stops it."""
    open_ = service.school_input_open(session, agenda)
    if policy.can_change_theme(principal, meeting, agenda, theme, open_=open_):
        return True
    require(policy.is_school_leadership(principal, agenda) and theme.from_school)
    return False


@router.get("/agendas/{agenda_id}/themes/{theme_id}/edit")
def edit_theme_form(request: Request, agenda_id: int, theme_id: int, principal: SignedIn,
                    session: SessionDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    theme = _theme_or_404(session, agenda, theme_id)
    if not _theme_guard(session, principal, agenda, meeting, theme):
        return _page(request, session, principal, agenda, meeting, status_code=403,
                     refused=True)
    return render(request, "agendas/theme_form.html", {
        **_agenda_context(session, principal, agenda, meeting), "theme": theme,
        "values": {"title": theme.title, "description": theme.description}, "errors": {},
        "conflict": None})


@router.post("/agendas/{agenda_id}/themes/{theme_id}")
def save_theme(request: Request, agenda_id: int, theme_id: int, principal: SignedIn,
               session: SessionDep, form: FormDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    theme = _theme_or_404(session, agenda, theme_id)
    result = parse_form(service.ThemeForm, form)
    if not _theme_guard(session, principal, agenda, meeting, theme):
        return render(request, "agendas/theme_form.html", {
            **_agenda_context(session, principal, agenda, meeting), "theme": theme,
            "values": result.values, "errors": {"title": _closed_message()},
            "conflict": None}, status_code=403)
    conflict = None
    if result.ok:
        try:
            service.update_theme(session, theme, result.data,
                                 expected_version=_int(form.get("version")))
        except StaleVersion:
            session.refresh(theme)
            conflict = {"title": theme.title, "description": theme.description}
        else:
            return redirect(request, f"/agendas/{agenda.id}#theme-{theme.id}",
                            message=_("The theme is saved."))
    return render(request, "agendas/theme_form.html", {
        **_agenda_context(session, principal, agenda, meeting), "theme": theme,
        "values": result.values, "errors": result.errors, "conflict": conflict},
        status_code=409 if conflict else 422)


@router.post("/agendas/{agenda_id}/themes/{theme_id}/delete")
def delete_theme(request: Request, agenda_id: int, theme_id: int, principal: SignedIn,
                 session: SessionDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    theme = _theme_or_404(session, agenda, theme_id)
    if not _theme_guard(session, principal, agenda, meeting, theme):
        return redirect(request, f"/agendas/{agenda.id}", message=_closed_message(),
                        level="error")
    service.delete_theme(session, theme)
    return redirect(request, f"/agendas/{agenda.id}#themes", message=_("The theme is removed."))


@router.post("/agendas/{agenda_id}/themes/{theme_id}/accept")
def accept_theme(request: Request, agenda_id: int, theme_id: int, principal: SignedIn,
                 session: SessionDep, form: FormDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    require(policy.can_manage_agenda(principal, meeting))
    theme = _theme_or_404(session, agenda, theme_id)
    service.set_accepted(session, theme, form.get("accepted") == "1")
    if is_htmx(request):
        return _page(request, session, principal, agenda, meeting,
                     partial="agendas/_items.html")
    return redirect(request, f"/agendas/{agenda.id}#theme-{theme.id}")


@router.post("/agendas/{agenda_id}/themes/{theme_id}/move")
def move_theme(request: Request, agenda_id: int, theme_id: int, principal: SignedIn,
               session: SessionDep, form: FormDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    require(policy.can_manage_agenda(principal, meeting))
    theme = _theme_or_404(session, agenda, theme_id)
    direction = "up" if form.get("direction") == "up" else "down"
    service.move_theme(session, theme, direction)
    if is_htmx(request):
        return _page(request, session, principal, agenda, meeting,
                     partial="agendas/_items.html", moved_theme=(theme.id, direction))
    return redirect(request, f"/agendas/{agenda.id}#theme-{theme.id}")


# --- appendices --------------------------------------------------------------------------------


@router.post("/agendas/{agenda_id}/attachments")
def add_attachment(request: Request, agenda_id: int, principal: SignedIn,
                   session: SessionDep, form: FormDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    can_manage = policy.can_manage_agenda(principal, meeting)
    item = theme = None
    if _int(form.get("theme_id")):
        theme = _theme_or_404(session, agenda, _int(form.get("theme_id")))
        if not can_manage and not _theme_guard(session, principal, agenda, meeting, theme):
            return redirect(request, f"/agendas/{agenda.id}", message=_closed_message(),
                            level="error")
    elif _int(form.get("item_id")):
        require(can_manage)
        item = _item_or_404(session, agenda, _int(form.get("item_id")))
    else:
        raise HTTPException(400)
    upload = form.get("file")
    target = f"theme-{theme.id}" if theme else f"item-{item.id}"
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            # One byte over the limit is enough to refuse it; never more in memory.
            content = upload.file.read(service.MAX_FILE_MB * 1024 * 1024 + 1)
            service.add_file(session, agenda, file_name=upload.filename, content=content,
                             title=str(form.get("title") or "") or None, item=item, theme=theme,
                             from_school=not can_manage)
        else:
            result = parse_form(service.LinkForm, form)
            if not result.ok:
                raise FieldError(next(iter(result.errors)), next(iter(result.errors.values())))
            service.add_link(session, agenda, result.data, item=item, theme=theme,
                             from_school=not can_manage)
    except FieldError as err:
        return _page(request, session, principal, agenda, meeting, status_code=422,
                     attachment_error=(target, err.message))
    return redirect(request, f"/agendas/{agenda.id}#{target}",
                    message=_("The appendix is attached."))


@router.get("/attachments/{attachment_id}")
def download_attachment(attachment_id: int, principal: SignedIn, session: SessionDep):
    row = service.get_attachment(session, attachment_id)
    if row is None:
        raise HTTPException(404)
    agenda = service.get_agenda(session, row.agenda_id)
    meeting = meetings.get_meeting(session, agenda.meeting_id)
    require(policy.can_view_agenda(session, principal, meeting))
    path = service.attachment_path(row)
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, media_type=row.content_type, filename=row.file_name,
                        content_disposition_type="attachment",
                        headers={"Cache-Control": "private, no-store"})


@router.post("/attachments/{attachment_id}/delete")
def delete_attachment(request: Request, attachment_id: int, principal: SignedIn,
                      session: SessionDep):
    row = service.get_attachment(session, attachment_id)
    if row is None:
        raise HTTPException(404)
    agenda, meeting = _agenda_or_404(session, principal, row.agenda_id)
    theme = session.get(AgendaTheme, row.theme_id) if row.theme_id else None
    open_ = service.school_input_open(session, agenda)
    require(policy.can_remove_attachment(principal, meeting, agenda, row, theme, open_=open_))
    service.delete_attachment(session, row)
    return redirect(request, f"/agendas/{agenda.id}", message=_("The appendix is removed."))


# --- export ------------------------------------------------------------------------------------


@router.get("/agendas/{agenda_id}/print")
def print_view(request: Request, agenda_id: int, principal: SignedIn, session: SessionDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    return render(request, "agendas/print.html",
                  _agenda_context(session, principal, agenda, meeting))


@router.get("/agendas/{agenda_id}/agenda.docx")
def docx(agenda_id: int, principal: SignedIn, session: SessionDep):
    agenda, meeting = _agenda_or_404(session, principal, agenda_id)
    content, name = export.agenda_docx(session, agenda, meeting)
    return Response(content, media_type=export.DOCX_TYPE, headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"",
        "Cache-Control": "private, no-store"})


# --- development goals -------------------------------------------------------------------------


def _school_or_404(session, principal, school_id) -> School:
    school = schools.get_school(session, school_id)
    if school is None:
        raise HTTPException(404)
    require(policy.can_view_goals(principal, school))
    return school


def _goals_page(request, session, principal, school, *, status_code=200, **extra):
    return render(request, "agendas/goals.html", {
        "school": school,
        "municipality": schools.get_municipality(session, school.municipality_id),
        "contracts": [(c, [g for g in service.list_goals(session, school.id)
                           if g.contract_id == c.id])
                      for c in service.list_contracts(session, school.id)],
        "section_keys": SECTION_KEYS, "section_labels": SECTION_LABELS,
        "can_edit": policy.can_edit_goals(principal, school),
        "agendas": [(a, meetings.get_meeting(session, a.meeting_id))
                    for a in service.agendas_for_school(session, school.id)],
        "values": {}, "errors": {}, "parsed": None, **extra,
    }, status_code=status_code)


@router.get("/schools/{school_id}/goals")
def goals_page(request: Request, school_id: int, principal: SignedIn, session: SessionDep):
    school = _school_or_404(session, principal, school_id)
    return _goals_page(request, session, principal, school)


@router.post("/schools/{school_id}/goals/preview")
def preview_contract(request: Request, school_id: int, principal: SignedIn,
                     session: SessionDep, form: FormDep):
    school = _school_or_404(session, principal, school_id)
    require(policy.can_edit_goals(principal, school))
    text = str(form.get("text") or "")
    parsed = parse_contract(text)
    if not text.strip() or not parsed.goals:
        return _goals_page(request, session, principal, school, status_code=422,
                           values={"text": text}, errors={"text": _(
                               "No development goals were found in the text. Each goal needs "
                               "headings such as \"Baggrund og formål\".")})
    return _goals_page(request, session, principal, school, values={"text": text},
                       parsed=parsed)


@router.post("/schools/{school_id}/goals")
def import_contract(request: Request, school_id: int, principal: SignedIn, session: SessionDep,
                    form: FormDep):
    school = _school_or_404(session, principal, school_id)
    require(policy.can_edit_goals(principal, school))
    text = str(form.get("text") or "")
    try:
        contract = service.import_contract(session, school, text)
    except FieldError as err:
        return _goals_page(request, session, principal, school, status_code=422,
                           values={"text": text}, errors={err.field: err.message})
    count = len([g for g in service.list_goals(session, school.id)
                 if g.contract_id == contract.id])
    return redirect(request, f"/schools/{school.id}/goals",
                    message=_("%(n)s development goals are imported.", n=count))


@router.post("/schools/{school_id}/goals/contracts/{contract_id}/delete")
def delete_contract(request: Request, school_id: int, contract_id: int, principal: SignedIn,
                    session: SessionDep):
    school = _school_or_404(session, principal, school_id)
    require(policy.can_edit_goals(principal, school))
    contract = service.get_contract(session, contract_id)
    if contract is None or contract.school_id != school.id:
        raise HTTPException(404)
    service.delete_contract(session, contract)
    return redirect(request, f"/schools/{school.id}/goals",
                    message=_("The contract and its goals are removed."))


# --- the municipality's settings ---------------------------------------------------------------


def _settings_page(request, session, municipality, row, *, values=None, errors=None,
                   status_code=200):
    templates = service.list_templates(session)
    return render(request, "agendas/settings.html", {
        "municipality": municipality, "settings": row,
        "template_options": [(t.key, t.name) for t in templates],
        "values": values or {"template_key": row.template_key,
                             "special_template_key": row.special_template_key or "",
                             "large_school_threshold": row.large_school_threshold},
        "errors": errors or {},
    }, status_code=status_code)


@router.get("/municipalities/{municipality_id}/agenda-settings")
def settings_page(request: Request, municipality_id: int, principal: SignedIn,
                  session: SessionDep):
    municipality = schools.get_municipality(session, municipality_id)
    if municipality is None:
        raise HTTPException(404)
    require(policy.can_manage_settings(principal, municipality.id))
    row = service.municipality_settings(session, municipality.id)
    return _settings_page(request, session, municipality, row)


@router.post("/municipalities/{municipality_id}/agenda-settings")
def save_settings(request: Request, municipality_id: int, principal: SignedIn,
                  session: SessionDep, form: FormDep):
    municipality = schools.get_municipality(session, municipality_id)
    if municipality is None:
        raise HTTPException(404)
    require(policy.can_manage_settings(principal, municipality.id))
    row = service.municipality_settings(session, municipality.id)
    result = parse_form(service.SettingsForm, form)
    if result.ok:
        try:
            service.update_settings(session, row, result.data,
                                    expected_version=_int(form.get("version")))
        except FieldError as err:
            result.add(err)
        except StaleVersion:
            result.errors["template_key"] = _(
                "Someone else changed the settings meanwhile. Check them and save again.")
            session.refresh(row)
        else:
            return redirect(request, f"/municipalities/{municipality.id}/agenda-settings",
                            message=_("Changes saved."))
    return _settings_page(request, session, municipality, row, values=result.values,
                          errors=result.errors, status_code=422)
