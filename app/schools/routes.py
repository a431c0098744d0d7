"""Pages for municipalities and schools."""

from fastapi import APIRouter, HTTPException, Request

from app import sections
from app.accounts.access import SignedIn, require
from app.db import SessionDep
from app.forms import FieldError, FormDep, parse_field, parse_form
from app.i18n import gettext as _
from app.schools import policy, service
from app.schools.loaders import MunicipalityDep, PersonDep, SchoolDep
from app.schools.models import SCHOOL_KIND_LABELS, School, SchoolKind, function_label
from app.schools.service import FIELD_LABELS, INLINE_FIELDS, SchoolForm
from app.versioned import save_versioned
from app.web import is_htmx, redirect, render

router = APIRouter()


@router.get("/people/{person_id}")
def person_page(request: Request, person: PersonDep, principal: SignedIn, session: SessionDep):
    return render(request, "schools/person.html", {
        "person": person,
        "municipality": service.get_municipality(session, person.municipality_id),
        "school": service.get_school(session, person.school_id) if person.school_id else None,
        "function": function_label(person.function),
        "sections": sections.collect("person", session, principal, person),
    })


def _kind_options():
    return [(k.value, _(SCHOOL_KIND_LABELS[k])) for k in SchoolKind]


@router.get("/")
def home(request: Request, principal: SignedIn, session: SessionDep):
    """The landing page after login: what waits for me, my meetings, my school or my schools.
    The administrator's home is the administration."""
    if principal.is_admin and not principal.user.person_id:
        return redirect(request, "/admin")
    municipalities = service.list_municipalities(session, principal)
    return render(request, "schools/home.html", {
        "municipalities": municipalities,
        "municipality": municipalities[0] if len(municipalities) == 1 else None,
        "sections": sections.collect("home", session, principal, principal),
    })


@router.get("/municipalities")
def municipality_list(request: Request, principal: SignedIn, session: SessionDep):
    municipalities = service.list_municipalities(session, principal)
    return render(request, "schools/municipality_list.html", {"municipalities": municipalities})


@router.get("/municipalities/{municipality_id}")
def municipality_overview(
    request: Request, municipality: MunicipalityDep, principal: SignedIn, session: SessionDep
):
    return render(
        request,
        "schools/municipality.html",
        {
            "municipality": municipality,
            "counts": service.school_counts_by_kind(session, municipality.id),
            "kind_labels": SCHOOL_KIND_LABELS,
            "schools": service.list_schools(session, municipality.id),
            "people": service.list_people(session, municipality_id=municipality.id),
            "can_manage": policy.can_manage_municipality(principal, municipality.id),
            "sections": sections.collect("municipality", session, principal, municipality),
        },
    )


@router.get("/municipalities/{municipality_id}/schools")
def school_list(
    request: Request,
    municipality: MunicipalityDep,
    principal: SignedIn,
    session: SessionDep,
    q: str | None = None,
    kind: str | None = None,
):
    kind_filter = SchoolKind(kind) if kind in {k.value for k in SchoolKind} else None
    schools = service.list_schools(session, municipality.id, query=q, kind=kind_filter)
    return render(
        request,
        "schools/school_list.html",
        {
            "municipality": municipality,
            "schools": schools,
            "q": q or "",
            "kind": kind_filter.value if kind_filter else "",
            "kind_options": _kind_options(),
            "kind_labels": SCHOOL_KIND_LABELS,
            "can_create": policy.can_create_school(principal, municipality.id),
        },
        # The search box swaps only the table's rows.
        partial="schools/_school_rows.html"
        if request.headers.get("hx-target") == "school-rows"
        else None,
    )


def _form_page(request, municipality, *, school=None, values=None, errors=None, conflict=None,
               status_code=200):
    return render(
        request,
        "schools/school_form.html",
        {
            "municipality": municipality,
            "school": school,
            "values": values or {},
            "errors": errors or {},
            "conflict": conflict,
            "kind_options": _kind_options(),
            "field_labels": FIELD_LABELS,
        },
        status_code=status_code,
    )


@router.get("/municipalities/{municipality_id}/schools/new")
def new_school_form(request: Request, municipality: MunicipalityDep, principal: SignedIn):
    require(policy.can_create_school(principal, municipality.id))
    return _form_page(request, municipality, values={"kind": SchoolKind.ORDINARY.value})


@router.post("/municipalities/{municipality_id}/schools/new")
def create_school(
    request: Request, municipality: MunicipalityDep, principal: SignedIn, session: SessionDep,
    form: FormDep,
):
    require(policy.can_create_school(principal, municipality.id))
    result = parse_form(SchoolForm, form)
    if result.ok:
        try:
            school = service.create_school(session, municipality.id, result.data)
        except FieldError as err:
            result.add(err)
        else:
            return redirect(request, f"/schools/{school.id}",
                            message=_("%(name)s is created.", name=school.name))
    return _form_page(request, municipality, values=result.values, errors=result.errors,
                      status_code=422)


@router.get("/schools/{school_id}")
def school_page(request: Request, school: SchoolDep, principal: SignedIn, session: SessionDep):
    return _school_page(request, session, principal, school)


@router.get("/schools/{school_id}/edit")
def edit_school_form(request: Request, school: SchoolDep, principal: SignedIn, session: SessionDep):
    require(policy.can_edit_school(principal, school))
    values = school.model_dump()
    values["kind"] = school.kind.value
    return _form_page(
        request, service.get_municipality(session, school.municipality_id), school=school,
        values=values,
    )


@router.post("/schools/{school_id}/edit")
def update_school(request: Request, school: SchoolDep, principal: SignedIn, session: SessionDep,
                  form: FormDep):
    require(policy.can_edit_school(principal, school))
    municipality = service.get_municipality(session, school.municipality_id)
    return save_versioned(
        session, form, school, parse_form(SchoolForm, form),
        apply=lambda data, version: service.update_school(session, school, data,
                                                          expected_version=version),
        done=lambda _saved: redirect(request, f"/schools/{school.id}",
                                     message=_("Changes saved.")),
        again=lambda **kw: _form_page(request, municipality, school=school, **kw),
    )


# --- inline edits: one field at a time, HTMX or plain forms -----------------------------
# Without JavaScript the same URLs give the whole school page with that field in edit mode.


def _school_page(request, session, principal, school: School, *, partial=None,
                 status_code=200, **extra):
    context = {
        "school": school,
        "municipality": service.get_municipality(session, school.municipality_id),
        "kind_labels": SCHOOL_KIND_LABELS,
        "people": service.list_people(session, school_id=school.id),
        "can_edit": policy.can_edit_school(principal, school),
        "inline_fields": INLINE_FIELDS,
        "field_labels": FIELD_LABELS,
        "editing": None,
        "field_value": None,
        "field_error": None,
        "saved": None,
        "sections": [] if partial else sections.collect("school", session, principal, school),
        **extra,
    }
    return render(request, "schools/school.html", context, partial=partial,
                  status_code=status_code)


def _inline_school(principal, school: School, name: str, *, edit: bool) -> School:
    if name not in INLINE_FIELDS:
        raise HTTPException(404)
    if edit:
        require(policy.can_edit_school(principal, school))
    return school


@router.get("/schools/{school_id}/fields/{name}")
def school_field(request: Request, school: SchoolDep, name: str, principal: SignedIn,
                 session: SessionDep):
    _inline_school(principal, school, name, edit=False)
    return _school_page(request, session, principal, school, partial="schools/_field.html",
                        field=name)


@router.get("/schools/{school_id}/fields/{name}/edit")
def edit_school_field(request: Request, school: SchoolDep, name: str, principal: SignedIn,
                      session: SessionDep):
    _inline_school(principal, school, name, edit=True)
    return _school_page(request, session, principal, school, partial="schools/_field.html",
                        field=name, editing=name, field_value=getattr(school, name))


@router.post("/schools/{school_id}/fields/{name}")
def save_school_field(request: Request, school: SchoolDep, name: str, principal: SignedIn,
                      session: SessionDep, form: FormDep):
    _inline_school(principal, school, name, edit=True)

    def saved(_saved):
        if not is_htmx(request):
            return redirect(request, f"/schools/{school.id}", message=_("Changes saved."))
        return _school_page(request, session, principal, school,
                            partial="schools/_field.html", field=name, saved=name)

    def again(*, values, errors, conflict, status_code):
        error = errors.get(name)
        if conflict is not None:
            theirs = getattr(conflict, name)
            if isinstance(theirs, bool):
                theirs = _("Yes") if theirs else _("No")
            error = _(
                "Someone else changed the school while you were editing (saved now: "
                "%(saved)s). Your value is still in the field: save again to use it.",
                saved=_("Not stated") if theirs is None else theirs,
            )
        return _school_page(request, session, principal, school, partial="schools/_field.html",
                            status_code=status_code, field=name, editing=name,
                            field_value=values.get(name), field_error=error)

    return save_versioned(
        session, form, school, parse_field(SchoolForm, name, form),
        apply=lambda data, version: service.update_school_field(
            session, school, name, getattr(data, name), expected_version=version),
        done=saved, again=again)
