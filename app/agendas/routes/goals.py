"""A school's development goals: the goals page, importing a development contract; and the
goals' section on the school page.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from app import confirm
from app.accounts.access import SignedIn, require
from app.agendas import goals as agenda_goals
from app.agendas import policy
from app.agendas.contracts import SECTION_KEYS, SECTION_LABELS, parse_contract
from app.db import SessionDep
from app.forms import FieldError, FormDep
from app.i18n import gettext as _
from app.loading import checked_id, found
from app.meetings import service as meetings
from app.schools import service as schools
from app.schools.models import School
from app.web import redirect, render

router = APIRouter()

def school_goals(session, principal, school: School):
    goals = agenda_goals.list_goals(session, school.id)
    return {"school": school, "goals": goals,
            "can_edit_goals": policy.can_edit_goals(principal, school)}


# --- development goals -------------------------------------------------------------------------


def load_goals_school(school_id: int, session: SessionDep, principal: SignedIn) -> School:
    """The school, if the principal may see its development goals."""
    school = found(schools.get_school(session, checked_id(school_id)))
    require(policy.can_view_goals(principal, school))
    return school


GoalsSchool = Annotated[School, Depends(load_goals_school)]


def _goals_page(request, session, principal, school, *, status_code=200, **extra):
    return render(request, "agendas/goals.html", {
        "school": school,
        "municipality": schools.get_municipality(session, school.municipality_id),
        "contracts": [(c, [g for g in agenda_goals.list_goals(session, school.id)
                           if g.contract_id == c.id])
                      for c in agenda_goals.list_contracts(session, school.id)],
        "section_keys": SECTION_KEYS, "section_labels": SECTION_LABELS,
        "can_edit": policy.can_edit_goals(principal, school),
        "agendas": [(a, meetings.get_meeting(session, a.meeting_id))
                    for a in agenda_goals.agendas_for_school(session, school.id)],
        "values": {}, "errors": {}, "parsed": None, **extra,
    }, status_code=status_code)


@router.get("/schools/{school_id}/goals")
def goals_page(request: Request, school: GoalsSchool, principal: SignedIn, session: SessionDep):
    return _goals_page(request, session, principal, school)


@router.post("/schools/{school_id}/goals/preview")
def preview_contract(request: Request, school: GoalsSchool, principal: SignedIn,
                     session: SessionDep, form: FormDep):
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
def import_contract(request: Request, school: GoalsSchool, principal: SignedIn, session: SessionDep,
                    form: FormDep):
    require(policy.can_edit_goals(principal, school))
    text = str(form.get("text") or "")
    try:
        contract = agenda_goals.import_contract(session, school, text)
    except FieldError as err:
        return _goals_page(request, session, principal, school, status_code=422,
                           values={"text": text}, errors={err.field: err.message})
    count = len([g for g in agenda_goals.list_goals(session, school.id)
                 if g.contract_id == contract.id])
    return redirect(request, f"/schools/{school.id}/goals",
                    message=_("%(n)s development goals are imported.", n=count))


@router.post("/schools/{school_id}/goals/contracts/{contract_id}/delete")
def delete_contract(request: Request, school: GoalsSchool, contract_id: int, principal: SignedIn,
                    session: SessionDep, form: FormDep):
    require(policy.can_edit_goals(principal, school))
    contract = agenda_goals.get_contract(session, contract_id)
    if contract is None or contract.school_id != school.id:
        raise HTTPException(404)
    if not confirm.confirmed(form):
        return confirm.ask(
            request, form, action=f"/schools/{school.id}/goals/contracts/{contract.id}/delete",
            title=_("Remove the contract \"%(title)s\"?", title=contract.title),
            consequences=[_("The contract and all its goals leave %(school)s; agendas no "
                            "longer offer them as themes. The pasted text goes too: paste it "
                            "again to bring them back.", school=school.name)],
            back=f"/schools/{school.id}/goals", button=_("Yes, remove the contract"))
    agenda_goals.delete_contract(session, contract)
    return redirect(request, f"/schools/{school.id}/goals",
                    message=_("The contract and its goals are removed."))
