"""Agreements followed up: under the evaluation item of the same school's next agenda (where
the administration records their status), and listed per school and per municipality."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session

from app.accounts.access import Principal, SignedIn, Staff, require
from app.agendas.models import Agenda
from app.cycles import years as cycle_years
from app.cycles.models import SchoolYear
from app.db import SessionDep
from app.forms import FormDep, int_or_none, parse_form
from app.i18n import gettext as _
from app.loading import checked_id, found
from app.meetings.models import Meeting
from app.notes import agreements, policy
from app.notes.models import (
    AGREEMENT_STATUS_LABELS,
    RESPONSIBLE_LABELS,
    Agreement,
    AgreementStatus,
    Note,
)
from app.schools import policy as schools_policy
from app.schools import service as schools
from app.schools.loaders import SchoolDep
from app.schools.models import School
from app.versioned import save_versioned
from app.web import is_htmx, redirect, render

router = APIRouter()

LABELS = {"status_labels": AGREEMENT_STATUS_LABELS, "responsible_labels": RESPONSIBLE_LABELS,
          "statuses": list(AgreementStatus)}


# --- under the evaluation item of next year's agenda -------------------------------------------


def _may_update(session: Session):
    """For the template, which knows the principal: may they record this agreement's status?"""
    def check(principal, agreement: Agreement) -> bool:
        note = session.get(Note, agreement.note_id)
        return principal is not None and note is not None \
            and policy.can_update_agreement_status(principal, note)
    return check


def agenda_followup(session: Session, agenda: Agenda, principal: Principal
                    ) -> tuple[str, dict] | None:
    """Last school year's agreements of the school that `principal` may read; None (last
    year's agenda shows instead) when there are none."""
    if agenda.school_id is None:
        return None
    year = session.get(SchoolYear, agenda.school_year_id)
    rows = agreements.previous_year(session, agenda.school_id, year.start_year,
                                    readable_by=principal)
    if not rows:
        return None
    note = session.get(Note, rows[0].note_id)
    meeting = session.get(Meeting, note.meeting_id) if note else None
    return "notes/_followup.html", {"agreements": rows, "note": note, "meeting": meeting,
                                    "agenda_id": agenda.id, "may_update": _may_update(session),
                                    **LABELS}


def load_agreement(agreement_id: int, session: SessionDep, principal: SignedIn) -> Agreement:
    """An agreement whose status the user may record."""
    row = found(agreements.get(session, checked_id(agreement_id)))
    require(policy.can_update_agreement_status(principal, session.get(Note, row.note_id)))
    return row


AgreementDep = Annotated[Agreement, Depends(load_agreement)]


@router.post("/agreements/{agreement_id}/status")
def update_status(request: Request, row: AgreementDep, principal: SignedIn, session: SessionDep,
                  form: FormDep):
    agenda_id = int_or_none(form.get("agenda_id"))
    back = f"/agendas/{agenda_id}#agreement-{row.id}" if agenda_id \
        else f"/schools/{row.school_id}/agreements"
    result = parse_form(agreements.StatusForm, form)

    def saved(_saved):
        if is_htmx(request):
            return _row(request, session, row, agenda_id, saved=True)
        return redirect(request, back, message=_("The agreement's status is saved."))

    return save_versioned(
        session, form, row, result,
        apply=lambda data, version: agreements.set_status(session, row, data,
                                                          expected_version=version),
        done=saved,
        again=lambda **kw: _row(request, session, row, agenda_id, back=back, **kw),
        # The row shows the stored status; the conflict note repeats what the user chose.
        theirs=lambda _stored: result.values)


def _row(request, session, row: Agreement, agenda_id: int | None, *, saved=False, values=None,
         errors=None, conflict=None, status_code=200, back=None):
    """The agreement's row (HTMX), or a small page around it (without JS)."""
    context = {"agreement": row, "agenda_id": agenda_id, "row_saved": saved,
               "row_values": values or {}, "row_errors": errors or {}, "row_conflict": conflict,
               "may_update": _may_update(session), "back": back,
               "school": schools.get_school(session, row.school_id),
               "municipality": schools.get_municipality(session, row.municipality_id),
               **LABELS}
    return render(request, "notes/agreements_status.html", context,
                  partial="notes/agreements_row.html", status_code=status_code)


# --- lists -------------------------------------------------------------------------------------


@router.get("/schools/{school_id}/agreements")
def school_agreements(request: Request, school: SchoolDep, principal: SignedIn,
                      session: SessionDep):
    return render(request, "notes/agreements_school.html", {
        "school": school, "municipality": schools.get_municipality(session, school.municipality_id),
        "years": agreements.for_school(session, school.id, principal), **LABELS})


@router.get("/municipalities/{municipality_id}/agreements")
def municipality_agreements(request: Request, municipality_id: int, principal: Staff,
                            session: SessionDep, year: str = "", status: str = ""):
    municipality = found(schools.get_municipality(session, checked_id(municipality_id)))
    require(schools_policy.can_manage_municipality(principal, municipality.id))
    years = cycle_years.list_school_years(session, municipality_id)
    year_id = int_or_none(year)
    if year_id not in {y.id for y in years}:
        year_id = None
    chosen = next((s for s in AgreementStatus if s.value == status), None)
    rows = agreements.for_municipality(session, municipality_id, principal, school_year_id=year_id,
                                       status=chosen)
    names = {s.id: s.name for s in schools.list_schools(session, municipality_id)}
    by_school: dict[int, list[Agreement]] = {}
    for row in sorted(rows, key=lambda r: (names.get(r.school_id, ""), r.school_year_id,
                                           r.position)):
        by_school.setdefault(row.school_id, []).append(row)
    return render(request, "notes/agreements_municipality.html", {
        "municipality": municipality, "years": years, "year_labels": {y.id: y.label for y in years},
        "by_school": by_school, "names": names, "filters": {"year": year_id, "status": chosen},
        "count": len(rows), **LABELS})


def school_section(session, principal, school: School):
    from app.notes.public import school_notes

    found = agreements.for_school(session, school.id, principal)
    published = len(school_notes(session, school))
    if not found and not published:
        return None
    return {"school": school, "count": sum(len(rows) for _y, rows in found),
            "open": sum(1 for _y, rows in found for a in rows
                        if a.status in (AgreementStatus.NEW, AgreementStatus.IN_PROGRESS)),
            "published": published}


