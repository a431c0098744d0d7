"""/admin/people: the searchable list, creating and editing people, and their logins:
invitation, password reset, roles, deactivation."""

from fastapi import APIRouter, Request
from sqlmodel import col, select

from app.accounts.access import Principal, Staff, require
from app.accounts.models import ROLE_LABELS, Role, RoleAssignment
from app.admin import people as service
from app.admin import policy, tokens
from app.admin.loaders import AdminPersonDep
from app.admin.models import TokenPurpose
from app.admin.people import PersonForm
from app.db import SessionDep
from app.forms import FieldError, FormDep, int_or_none, parse_form
from app.i18n import gettext as _
from app.loading import checked_id, found
from app.schools.models import PERSON_FUNCTION_LABELS, Municipality, Person, PersonFunction, School
from app.web import redirect, render

router = APIRouter()


def _municipalities(session, principal: Principal) -> list[Municipality]:
    ids = policy.administered_municipalities(principal)
    stmt = select(Municipality).order_by(Municipality.name)
    if ids is not None:
        stmt = stmt.where(col(Municipality.id).in_(ids or {-1}))
    return list(session.exec(stmt))


def _schools(session, municipalities: list[Municipality]) -> list[School]:
    ids = [m.id for m in municipalities]
    return list(session.exec(select(School).where(col(School.municipality_id).in_(ids or [-1]))
                             .order_by(School.name)))


def _options(session, principal):
    municipalities = _municipalities(session, principal)
    names = {m.id: m.name for m in municipalities}
    return {
        "municipality_options": [(m.id, m.name) for m in municipalities],
        "school_options": [(s.id, f"{s.name} ({names[s.municipality_id]})")
                           for s in _schools(session, municipalities)],
        "function_options": [(f.value, _(PERSON_FUNCTION_LABELS[f])) for f in PersonFunction],
        "role_options": [(r.value, _(ROLE_LABELS[r])) for r in Role
                         if r is not Role.ADMIN or principal.is_admin],
    }


@router.get("/admin/people")
def people_list(request: Request, principal: Staff, session: SessionDep, q: str | None = None,
                municipality: str | None = None):
    require(policy.can_use_admin(principal))
    options = _options(session, principal)
    chosen = int_or_none(municipality)
    if chosen not in {m for m, _name in options["municipality_options"]}:
        chosen = None
    rows = service.search_people(session, municipality_ids=policy.administered_municipalities(
        principal), query=(q or "")[:100], municipality_id=chosen)
    return render(request, "admin/people.html", {
        "rows": rows, "q": (q or "")[:100], "municipality_id": chosen, **options,
        "function_labels": PERSON_FUNCTION_LABELS,
    }, partial="admin/_people_rows.html" if request.headers.get("hx-target") == "people-rows"
        else None)


def _new_page(request, session, principal, *, values, errors=None, status_code=200):
    return render(request, "admin/person_new.html", {
        "values": values, "errors": errors or {}, **_options(session, principal)},
        status_code=status_code)


@router.get("/admin/people/new")
def new_person_form(request: Request, principal: Staff, session: SessionDep,
                    municipality: str | None = None):
    require(policy.can_use_admin(principal))
    return _new_page(request, session, principal, values={"municipality_id": municipality})


def _check_scope(principal: Principal, data: PersonForm) -> None:
    if not policy.can_manage_people_in(principal, data.municipality_id):
        raise FieldError("municipality_id", _("You do not administer this municipality."))


@router.post("/admin/people/new")
def create_person(request: Request, principal: Staff, session: SessionDep, form: FormDep):
    require(policy.can_use_admin(principal))
    result = parse_form(PersonForm, form)
    if result.ok:
        try:
            _check_scope(principal, result.data)
            person = service.create_person(session, result.data)
        except FieldError as err:
            result.add(err)
        else:
            return redirect(request, f"/admin/people/{person.id}",
                            message=_("%(name)s is created.", name=person.name))
    return _new_page(request, session, principal, values=result.values, errors=result.errors,
                     status_code=422)


def _person_values(person: Person) -> dict:
    values = person.model_dump()
    values["function"] = person.function.value if person.function else None
    return values


def _person_page(request, session, principal: Principal, person: Person, *, values=None,
                 errors=None, role_values=None, role_errors=None, link=None, status_code=200):
    user = service.login_of(session, person)
    grants = service.grants_of(session, user) if user else []
    school_municipality = service.school_municipalities(session, grants)
    names = {**{m.id: m.name for m in session.exec(select(Municipality))}}
    schools = {s.id: s.name for s in session.exec(select(School).where(
        col(School.id).in_([g.school_id for g in grants if g.school_id] or [-1])))}
    shown = []
    for g in grants:
        scope = schools.get(g.school_id) if g.school_id else names.get(g.municipality_id)
        mid = g.municipality_id or school_municipality.get(g.school_id)
        shown.append({"id": g.id, "label": _(ROLE_LABELS[g.role]), "scope": scope,
                      "can_remove": policy.can_give_role(principal, g.role, mid)})
    return render(request, "admin/person.html", {
        "person": person, "login": user, "grants": shown,
        "municipality_name": names.get(person.municipality_id),
        "pending": tokens.pending(session, user) if user else None,
        "can_manage_login": policy.can_manage_login(principal, person.municipality_id, grants,
                                                    school_municipality),
        "values": values if values is not None else _person_values(person),
        "errors": errors or {},
        "role_values": role_values or {"municipality_id": person.municipality_id,
                                       "school_id": person.school_id},
        "role_errors": role_errors or {}, "link": link,
        "mail_configured": tokens.mail_configured(), **_options(session, principal),
    }, status_code=status_code)


@router.get("/admin/people/{person_id}")
def person_page(request: Request, person: AdminPersonDep, principal: Staff, session: SessionDep):
    return _person_page(request, session, principal, person)


@router.post("/admin/people/{person_id}")
def edit_person(request: Request, person: AdminPersonDep, principal: Staff, session: SessionDep,
                form: FormDep):
    result = parse_form(PersonForm, form)
    if result.ok:
        try:
            _check_scope(principal, result.data)
            service.update_person(session, person, result.data)
        except FieldError as err:
            result.add(err)
        else:
            return redirect(request, f"/admin/people/{person.id}", message=_("Changes saved."))
    return _person_page(request, session, principal, person, values=result.values,
                        errors=result.errors, status_code=422)


def _login_of(session, principal, person):
    """The person's login, which the principal must be allowed to manage."""
    user = service.login_of(session, person)
    grants = service.grants_of(session, user) if user else []
    require(policy.can_manage_login(principal, person.municipality_id, grants,
                                    service.school_municipalities(session, grants)))
    return user


@router.post("/admin/people/{person_id}/invite")
def invite(request: Request, person: AdminPersonDep, principal: Staff, session: SessionDep):
    user = _login_of(session, principal, person)
    if user is not None and not user.is_active:
        return _person_page(request, session, principal, person, status_code=409, errors={
            "login": _("The login is deactivated. Reactivate it first.")})
    try:
        user = service.ensure_login(session, person)
    except service.NoEmail:
        return _person_page(request, session, principal, person, status_code=422, errors={
            "login": _("Give the person an e-mail address first: the invitation goes there.")})
    purpose = TokenPurpose.RESET if user.password_hash else TokenPurpose.INVITATION
    token = tokens.send(session, user, purpose, by=principal.user)
    return _person_page(request, session, principal, person, link=tokens.link(token))


@router.post("/admin/people/{person_id}/deactivate")
def deactivate(request: Request, person: AdminPersonDep, principal: Staff, session: SessionDep):
    user = found(_login_of(session, principal, person))
    if user.id == principal.user.id:
        return _person_page(request, session, principal, person, status_code=409, errors={
            "login": _("You cannot deactivate your own login.")})
    service.deactivate(session, user)
    return redirect(request, f"/admin/people/{person.id}",
                    message=_("The login is deactivated: its sessions and calendar links have "
                              "stopped."))


@router.post("/admin/people/{person_id}/reactivate")
def reactivate(request: Request, person: AdminPersonDep, principal: Staff, session: SessionDep):
    user = found(_login_of(session, principal, person))
    service.reactivate(session, user)
    return redirect(request, f"/admin/people/{person.id}", message=_("The login is active again."))


@router.post("/admin/people/{person_id}/roles")
def add_role(request: Request, person: AdminPersonDep, principal: Staff, session: SessionDep,
             form: FormDep):
    _login_of(session, principal, person)
    values = {k: form.get(k) for k in ("role", "municipality_id", "school_id")}
    errors: dict[str, str] = {}
    try:
        role = Role(values["role"])
    except ValueError:
        errors["role"] = _("Choose a role.")
    else:
        municipality_id = int_or_none(values["municipality_id"])
        school_id = int_or_none(values["school_id"])
        school = session.get(School, school_id) if school_id else None
        scope = school.municipality_id if role is Role.SCHOOL_LEADER and school else \
            None if role is Role.ADMIN else municipality_id
        if role is Role.SCHOOL_LEADER and school is None:
            errors["school_id"] = _("Choose the school.")
        elif role not in (Role.ADMIN, Role.SCHOOL_LEADER) and municipality_id is None:
            errors["municipality_id"] = _("Choose the municipality.")
        elif not policy.can_give_role(principal, role, scope):
            errors["role"] = _("You may not give this role there.")
        else:
            try:
                user = service.ensure_login(session, person)
                service.give_role(session, user, role, municipality_id=municipality_id,
                                  school_id=school_id)
            except service.NoEmail:
                errors["role"] = _("Give the person an e-mail address first: it is the login "
                                   "name.")
            except FieldError as err:
                errors[err.field] = err.message
            else:
                return redirect(request, f"/admin/people/{person.id}",
                                message=_("The role is given."))
    return _person_page(request, session, principal, person, role_values=values,
                        role_errors=errors, status_code=422)


@router.post("/admin/people/{person_id}/roles/{assignment_id}/delete")
def remove_role(request: Request, person: AdminPersonDep, assignment_id: int, principal: Staff,
                session: SessionDep):
    user = found(_login_of(session, principal, person))
    assignment = found(session.get(RoleAssignment, checked_id(assignment_id)))
    require(assignment.user_id == user.id)
    mid = assignment.municipality_id
    if assignment.school_id:
        school = session.get(School, assignment.school_id)
        mid = school.municipality_id if school else None
    require(policy.can_give_role(principal, assignment.role, mid))
    if assignment.role is Role.ADMIN and user.id == principal.user.id:
        return _person_page(request, session, principal, person, status_code=409, errors={
            "login": _("You cannot take away your own administrator role.")})
    service.take_role(session, assignment)
    return redirect(request, f"/admin/people/{person.id}", message=_("The role is taken away."))
