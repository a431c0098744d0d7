"""The distribution of schools among the consultants for a school year.
"""

from fastapi import APIRouter, Request

from app.accounts.access import SignedIn, require
from app.cycles import assignments as cycle_assignments
from app.cycles import policy
from app.cycles import years as cycle_years
from app.cycles.routes.common import OpenYear, year_url
from app.db import SessionDep
from app.forms import FormDep, int_or_none
from app.i18n import gettext as _
from app.schools import service as schools
from app.schools.models import PersonFunction, function_label
from app.web import redirect, render

router = APIRouter()

# --- distribution of schools ------------------------------------------------------------

ASSIGNABLE = [PersonFunction.CONSULTANT, PersonFunction.PSYCHOLOGIST,
              PersonFunction.PEDAGOGICAL_CONSULTANT]


def _assignment_page(request, session, principal, m, year):
    people = schools.list_people(session, municipality_id=m.id)
    options = {f.value: [p for p in people if p.function is f] for f in ASSIGNABLE}
    return render(request, "cycles/assignments.html", {
        "municipality": m, "school_year": year,
        "schools": schools.list_schools(session, m.id),
        "functions": [(f.value, function_label(f.value)) for f in ASSIGNABLE
                      if options[f.value]],
        "options": options,
        "current": cycle_assignments.assignments(session, year),
        "years": cycle_years.list_school_years(session, m.id),
        "can_manage": policy.can_manage_year(principal, year),
        "view": "assignments", "has_next": True,
    })


@router.get("/municipalities/{municipality_id}/years/{start_year}/assignments")
def assignments_page(request: Request, opened: OpenYear, principal: SignedIn, session: SessionDep):
    m, year = opened
    return _assignment_page(request, session, principal, m, year)


@router.post("/municipalities/{municipality_id}/years/{start_year}/assignments")
def save_assignments(request: Request, opened: OpenYear, principal: SignedIn,
                     session: SessionDep, form: FormDep):
    m, year = opened
    require(policy.can_manage_year(principal, year))
    allowed = {p.id: p.function.value for p in schools.list_people(session, municipality_id=m.id)
               if p.function in ASSIGNABLE}
    wanted: dict[tuple[int, str], list[int]] = {}
    for school in schools.list_schools(session, m.id):
        for f in ASSIGNABLE:
            name = f"s{school.id}-{f.value}"
            ids = [int_or_none(v) for v in form.getlist(name) if v]
            wanted[(school.id, f.value)] = [i for i in ids if allowed.get(i) == f.value]
    changed = cycle_assignments.set_assignments(session, year, wanted)
    return redirect(request, year_url(year, "/assignments"), message=_(
        "The distribution of schools is saved (%(count)s schools changed).", count=changed))
