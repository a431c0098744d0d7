"""The school's themes on the agenda: proposed, edited, accepted, reordered.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from app import confirm
from app.accounts.access import SignedIn, require
from app.agendas import goals as agenda_goals
from app.agendas import policy
from app.agendas import themes as agenda_themes
from app.agendas.models import AgendaTheme
from app.agendas.routes.agenda import OpenAgenda, agenda_context, render_agenda
from app.db import SessionDep
from app.forms import FieldError, FormDep, int_or_none, parse_form
from app.i18n import gettext as _
from app.versioned import save_versioned
from app.web import is_htmx, redirect, render

router = APIRouter()

# --- themes ------------------------------------------------------------------------------------


def theme_or_404(session, agenda, theme_id) -> AgendaTheme:
    """The agenda's theme; 404 for an id that is missing, not a number or out of range."""
    number = int_or_none(theme_id)
    theme = agenda_themes.get_theme(session, agenda, number) if number is not None else None
    if theme is None:
        raise HTTPException(404)
    return theme


def load_theme(opened: OpenAgenda, theme_id: int, session: SessionDep) -> AgendaTheme:
    """The theme of the agenda in the path; the agenda's own loader applies its policy."""
    return theme_or_404(session, opened[0], theme_id)


ThemeDep = Annotated[AgendaTheme, Depends(load_theme)]


def closed_message() -> str:
    return _("The deadline for the school's themes has passed: they can no longer be changed "
             "here. Contact the administration.")


@router.post("/agendas/{agenda_id}/themes")
def add_theme(request: Request, opened: OpenAgenda, principal: SignedIn, session: SessionDep,
              form: FormDep):
    agenda, meeting = opened
    can_manage = policy.can_manage_agenda(principal, meeting)
    open_ = agenda_themes.school_input_open(session, agenda)
    if not can_manage and policy.is_school_leadership(principal, agenda) and not open_:
        return render_agenda(request, session, principal, agenda, meeting, status_code=403,
                     values=dict(form), errors={"title": closed_message()}, refused=True)
    require(can_manage or policy.can_propose_theme(principal, agenda, open_=open_))
    result = parse_form(agenda_themes.ThemeForm, form)
    if result.ok:
        try:
            agenda_themes.add_theme(session, agenda, result.data, from_school=not can_manage)
        except FieldError as err:
            result.add(err)
        else:
            return redirect(request, f"/agendas/{agenda.id}#themes",
                            message=_("The theme is added."))
    return render_agenda(request, session, principal, agenda, meeting, status_code=422,
                 values=result.values, errors=result.errors)


@router.post("/agendas/{agenda_id}/goals/{goal_id}/theme")
def theme_from_goal(request: Request, opened: OpenAgenda, goal_id: int, principal: SignedIn,
                    session: SessionDep):
    agenda, meeting = opened
    can_manage = policy.can_manage_agenda(principal, meeting)
    open_ = agenda_themes.school_input_open(session, agenda)
    require(can_manage or policy.can_propose_theme(principal, agenda, open_=open_))
    goal = agenda_goals.get_goal(session, goal_id)
    if goal is None or goal.school_id != agenda.school_id:
        raise HTTPException(404)
    try:
        agenda_themes.theme_from_goal(session, agenda, goal, from_school=not can_manage)
    except FieldError as err:
        return redirect(request, f"/agendas/{agenda.id}", message=err.message, level="error")
    return redirect(request, f"/agendas/{agenda.id}#themes",
                    message=_("The development goal is on the agenda as a theme."))


def theme_guard(session, principal, agenda, meeting, theme) -> bool:
    """May change it; raises Forbidden if never; False if only the deadline stops it."""
    open_ = agenda_themes.school_input_open(session, agenda)
    if policy.can_change_theme(principal, meeting, agenda, theme, open_=open_):
        return True
    require(policy.is_school_leadership(principal, agenda) and theme.from_school)
    return False


@router.get("/agendas/{agenda_id}/themes/{theme_id}/edit")
def edit_theme_form(request: Request, opened: OpenAgenda, theme: ThemeDep, principal: SignedIn,
                    session: SessionDep):
    agenda, meeting = opened
    if not theme_guard(session, principal, agenda, meeting, theme):
        return render_agenda(request, session, principal, agenda, meeting, status_code=403,
                     refused=True)
    return render(request, "agendas/theme_form.html", {
        **agenda_context(session, principal, agenda, meeting), "theme": theme,
        "values": {"title": theme.title, "description": theme.description}, "errors": {},
        "conflict": None})


@router.post("/agendas/{agenda_id}/themes/{theme_id}")
def save_theme(request: Request, opened: OpenAgenda, theme: ThemeDep, principal: SignedIn,
               session: SessionDep, form: FormDep):
    agenda, meeting = opened
    result = parse_form(agenda_themes.ThemeForm, form)
    if not theme_guard(session, principal, agenda, meeting, theme):
        return render(request, "agendas/theme_form.html", {
            **agenda_context(session, principal, agenda, meeting), "theme": theme,
            "values": result.values, "errors": {"title": closed_message()},
            "conflict": None}, status_code=403)
    return save_versioned(
        session, form, theme, result,
        apply=lambda data, version: agenda_themes.update_theme(session, theme, data,
                                                               expected_version=version),
        done=lambda _saved: redirect(request, f"/agendas/{agenda.id}#theme-{theme.id}",
                                     message=_("The theme is saved.")),
        again=lambda values, errors, conflict, status_code: render(
            request, "agendas/theme_form.html", {
                **agenda_context(session, principal, agenda, meeting), "theme": theme,
                "values": values, "errors": errors, "conflict": conflict},
            status_code=status_code),
        theirs=lambda row: {"title": row.title, "description": row.description})


@router.post("/agendas/{agenda_id}/themes/{theme_id}/delete")
def delete_theme(request: Request, opened: OpenAgenda, theme: ThemeDep, principal: SignedIn,
                 session: SessionDep, form: FormDep):
    agenda, meeting = opened
    if not theme_guard(session, principal, agenda, meeting, theme):
        return redirect(request, f"/agendas/{agenda.id}", message=closed_message(),
                        level="error")
    if not confirm.confirmed(form):
        said = [_("The theme \"%(title)s\" is removed from the agenda, with its appendices.",
                  title=theme.title)]
        if theme.from_school:
            said.append(_("The school proposed it: tell the school leadership why."))
        return confirm.ask(request, form,
                           action=f"/agendas/{agenda.id}/themes/{theme.id}/delete",
                           title=_("Remove the theme \"%(title)s\"?", title=theme.title),
                           consequences=said, back=f"/agendas/{agenda.id}#theme-{theme.id}",
                           button=_("Yes, remove the theme"))
    agenda_themes.delete_theme(session, theme)
    return redirect(request, f"/agendas/{agenda.id}#themes", message=_("The theme is removed."))


@router.post("/agendas/{agenda_id}/themes/{theme_id}/accept")
def accept_theme(request: Request, opened: OpenAgenda, theme: ThemeDep, principal: SignedIn,
                 session: SessionDep, form: FormDep):
    agenda, meeting = opened
    require(policy.can_manage_agenda(principal, meeting))
    agenda_themes.set_accepted(session, theme, form.get("accepted") == "1")
    if is_htmx(request):
        return render_agenda(request, session, principal, agenda, meeting,
                     partial="agendas/_items.html")
    return redirect(request, f"/agendas/{agenda.id}#theme-{theme.id}")


@router.post("/agendas/{agenda_id}/themes/{theme_id}/move")
def move_theme(request: Request, opened: OpenAgenda, theme: ThemeDep, principal: SignedIn,
               session: SessionDep, form: FormDep):
    agenda, meeting = opened
    require(policy.can_manage_agenda(principal, meeting))
    direction = "up" if form.get("direction") == "up" else "down"
    agenda_themes.move_theme(session, theme, direction)
    if is_htmx(request):
        return render_agenda(request, session, principal, agenda, meeting,
                     partial="agendas/_items.html", moved_theme=(theme.id, direction))
    return redirect(request, f"/agendas/{agenda.id}#theme-{theme.id}")
