"""Editing the agenda's items.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from app.accounts.access import SignedIn, require
from app.agendas import items as agenda_items
from app.agendas import policy
from app.agendas.models import AgendaItem
from app.agendas.routes.agenda import OpenAgenda, agenda_context, render_agenda
from app.db import SessionDep
from app.forms import FormDep, int_or_none, parse_form
from app.i18n import gettext as _
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
                session: SessionDep):
    agenda, meeting = opened
    require(policy.can_manage_agenda(principal, meeting))
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
