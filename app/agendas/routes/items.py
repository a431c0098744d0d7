"""Editing the agenda's items.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from app import confirm
from app.accounts.access import SignedIn, require
from app.agendas import items as agenda_items
from app.agendas import policy
from app.agendas import themes as agenda_themes
from app.agendas import timeline as agenda_timeline
from app.agendas.models import AgendaItem
from app.agendas.routes.agenda import OpenAgenda, agenda_context, render_agenda
from app.db import SessionDep
from app.forms import FormDep, int_or_none, parse_form
from app.i18n import gettext as _
from app.i18n import ngettext
from app.versioned import save_versioned
from app.web import is_htmx, redirect, render

router = APIRouter()

# --- items -------------------------------------------------------------------------------------


def item_or_404(session, agenda, item_id) -> AgendaItem:
    """The agenda's item; 404 for an id that is missing, not a number or out of range."""
    number = int_or_none(item_id)
    item = agenda_items.get_item(session, agenda, number) if number is not None else None
    if item is None:
        raise HTTPException(404)
    return item


def load_item(opened: OpenAgenda, item_id: int, session: SessionDep) -> AgendaItem:
    """The item of the agenda in the path; the agenda's own loader applies its policy."""
    return item_or_404(session, opened[0], item_id)


ItemDep = Annotated[AgendaItem, Depends(load_item)]


def _item_values(item: AgendaItem) -> dict:
    return {"title": item.title, "description": item.description,
            "owner": item.owner.value if item.owner else "", "minutes": item.minutes,
            "sub_points": "\n".join(item.sub_points), "group": item.group}


@router.get("/agendas/{agenda_id}/items/{item_id}/edit")
def edit_item_form(request: Request, opened: OpenAgenda, item: ItemDep, principal: SignedIn,
                   session: SessionDep):
    agenda, meeting = opened
    require(policy.can_manage_agenda(principal, meeting))
    return render(request, "agendas/item_form.html", {
        **agenda_context(session, principal, agenda, meeting),
        "item": item, "values": _item_values(item), "errors": {}, "conflict": None,
    })


@router.post("/agendas/{agenda_id}/items/{item_id}")
def save_item(request: Request, opened: OpenAgenda, item: ItemDep, principal: SignedIn,
              session: SessionDep, form: FormDep):
    agenda, meeting = opened
    require(policy.can_manage_agenda(principal, meeting))
    result = parse_form(agenda_items.ItemForm, form)
    return save_versioned(
        session, form, item, result,
        apply=lambda data, version: agenda_items.update_item(session, item, data,
                                                             expected_version=version),
        done=lambda _saved: redirect(request, f"/agendas/{agenda.id}#item-{item.id}",
                                     message=_("The item is saved.")),
        again=lambda values, errors, conflict, status_code: render(
            request, "agendas/item_form.html", {
                **agenda_context(session, principal, agenda, meeting),
                "item": item, "values": values, "errors": errors, "conflict": conflict,
            }, status_code=status_code),
        theirs=_item_values)


@router.post("/agendas/{agenda_id}/items")
def add_item(request: Request, opened: OpenAgenda, principal: SignedIn, session: SessionDep,
             form: FormDep):
    agenda, meeting = opened
    require(policy.can_manage_agenda(principal, meeting))
    result = parse_form(agenda_items.ItemForm, form)
    if result.ok:
        item = agenda_items.add_item(session, agenda, result.data)
        return redirect(request, f"/agendas/{agenda.id}#item-{item.id}",
                        message=_("The item is added."))
    return render_agenda(request, session, principal, agenda, meeting, status_code=422,
                 values=result.values, errors=result.errors)


@router.post("/agendas/{agenda_id}/items/{item_id}/delete")
def delete_item(request: Request, opened: OpenAgenda, item: ItemDep, principal: SignedIn,
                session: SessionDep, form: FormDep):
    agenda, meeting = opened
    require(policy.can_manage_agenda(principal, meeting))
    if not confirm.confirmed(form):
        said = [_("\"%(title)s\" is removed from the agenda.", title=item.title)]
        themes = agenda_themes.list_themes(session, item.id)
        if themes:
            said.append(ngettext("Its %(num)s theme from the school is removed with it.",
                                 "Its %(num)s themes from the school are removed with it.",
                                 len(themes)))
        if not item.edited and item.key:
            said.append(_("Changing the template later can bring the item back."))
        return confirm.ask(request, form, action=f"/agendas/{agenda.id}/items/{item.id}/delete",
                           title=_("Remove \"%(title)s\"?", title=item.title),
                           consequences=said, back=f"/agendas/{agenda.id}#item-{item.id}",
                           button=_("Yes, remove the item"))
    agenda_items.delete_item(session, item)
    return redirect(request, f"/agendas/{agenda.id}", message=_("The item is removed."))


@router.post("/agendas/{agenda_id}/items/{item_id}/move")
def move_item(request: Request, opened: OpenAgenda, item: ItemDep, principal: SignedIn,
              session: SessionDep, form: FormDep):
    agenda, meeting = opened
    require(policy.can_manage_agenda(principal, meeting))
    direction = "up" if form.get("direction") == "up" else "down"
    agenda_items.move_item(session, agenda, item, direction)
    if is_htmx(request):
        # The list alone; focus stays on the moved item's button (see static/js/app.js).
        return render_agenda(request, session, principal, agenda, meeting,
                     partial="agendas/_items.html", moved=(item.id, direction))
    return redirect(request, f"/agendas/{agenda.id}#item-{item.id}")


# --- an item's minutes, edited in place ----------------------------------------------------------
# Without JavaScript the minutes are a link to the agenda page with that item's minutes as a
# form; with HTMX the same URLs answer the item's time cell alone, and a save answers the
# whole list (every later item's clock time moves with it).


def _minutes_cell(request, session, principal, agenda, meeting, item, *, status_code=200,
                  **extra):
    line = agenda_timeline.timeline(session, agenda, meeting)
    row = next(r for r in line.rows if r.item.id == item.id)
    return render_agenda(request, session, principal, agenda, meeting,
                         partial="agendas/_item_time.html", status_code=status_code,
                         row=row, item=item, **extra)


@router.get("/agendas/{agenda_id}/items/{item_id}/minutes/edit")
def edit_minutes(request: Request, opened: OpenAgenda, item: ItemDep, principal: SignedIn,
                 session: SessionDep):
    agenda, meeting = opened
    require(policy.can_manage_agenda(principal, meeting))
    return _minutes_cell(request, session, principal, agenda, meeting, item,
                         editing_minutes=item.id, minutes_values={"minutes": item.minutes})


@router.get("/agendas/{agenda_id}/items/{item_id}/minutes")
def show_minutes(request: Request, opened: OpenAgenda, item: ItemDep, principal: SignedIn,
                 session: SessionDep):
    """"Cancel": the minutes as they are saved."""
    agenda, meeting = opened
    require(policy.can_manage_agenda(principal, meeting))
    if not is_htmx(request):
        return redirect(request, f"/agendas/{agenda.id}#item-{item.id}")
    return _minutes_cell(request, session, principal, agenda, meeting, item,
                         minutes_focus=item.id)


@router.post("/agendas/{agenda_id}/items/{item_id}/minutes")
def save_minutes(request: Request, opened: OpenAgenda, item: ItemDep, principal: SignedIn,
                 session: SessionDep, form: FormDep):
    agenda, meeting = opened
    require(policy.can_manage_agenda(principal, meeting))

    def done(_saved):
        if is_htmx(request):  # the form sits in the item's time cell: the whole list goes
            return render(request, "agendas/agenda.html", agenda_context(
                session, principal, agenda, meeting, minutes_focus=item.id,
                minutes_saved=item.id), partial="agendas/_items.html",
                headers={"HX-Retarget": "#agenda-items", "HX-Reswap": "outerHTML"})
        return redirect(request, f"/agendas/{agenda.id}#item-{item.id}",
                        message=_("The minutes are saved."))

    def again(values, errors, conflict, status_code):
        extra = {"editing_minutes": item.id, "minutes_values": values,
                 "minutes_errors": errors, "minutes_conflict": conflict}
        if is_htmx(request):
            return _minutes_cell(request, session, principal, agenda, meeting, item,
                                 status_code=status_code, **extra)
        return render_agenda(request, session, principal, agenda, meeting,
                             status_code=status_code, **extra)

    return save_versioned(
        session, form, item, parse_form(agenda_items.MinutesForm, form),
        apply=lambda data, version: agenda_items.set_minutes(session, item, data,
                                                             expected_version=version),
        done=done, again=again, theirs=lambda row: {"minutes": row.minutes})
