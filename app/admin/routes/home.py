"""/admin: the administration's home, and the municipalities pages (administrators)."""

from fastapi import APIRouter, Request
from sqlmodel import select

from app import sections
from app.accounts.access import AdminOnly, Staff, require
from app.admin import municipalities as service
from app.admin import policy
from app.admin.loaders import AdminMunicipalityDep
from app.admin.municipalities import MunicipalityForm
from app.db import SessionDep
from app.forms import FieldError, FormDep, parse_form
from app.i18n import gettext as _
from app.schools.models import Municipality
from app.versioned import save_versioned
from app.web import redirect, render

router = APIRouter()


@router.get("/admin")
def admin_home(request: Request, principal: Staff, session: SessionDep):
    require(policy.can_use_admin(principal))
    ids = policy.administered_municipalities(principal)
    stmt = select(Municipality).order_by(Municipality.name)
    if ids is not None:
        stmt = stmt.where(Municipality.id.in_(ids or {-1}))
    return render(request, "admin/home.html", {
        "municipalities": session.exec(stmt).all(),
        "can_manage_municipalities": policy.can_manage_municipalities(principal),
    })


@router.get("/admin/municipalities")
def municipality_list(request: Request, principal: AdminOnly, session: SessionDep):
    return render(request, "admin/municipalities.html", {
        "municipalities": session.exec(select(Municipality).order_by(Municipality.name)).all()})


def _form_page(request, *, municipality=None, values=None, errors=None, conflict=None,
               status_code=200, principal=None):
    return render(request, "admin/municipality_form.html", {
        "item": municipality, "values": values or {}, "errors": errors or {},
        "conflict": conflict,
        "settings_links": sections.menu(principal, municipality, settings=True)
        if municipality else [],
    }, status_code=status_code)


@router.get("/admin/municipalities/new")
def new_municipality_form(request: Request, principal: AdminOnly):
    return _form_page(request)


@router.post("/admin/municipalities/new")
def create_municipality(request: Request, principal: AdminOnly, session: SessionDep,
                        form: FormDep):
    result = parse_form(MunicipalityForm, form)
    if result.ok:
        try:
            m = service.create(session, result.data)
        except FieldError as err:
            result.add(err)
        else:
            return redirect(request, f"/admin/municipalities/{m.id}",
                            message=_("%(name)s is created.", name=m.name))
    return _form_page(request, values=result.values, errors=result.errors, status_code=422)


@router.get("/admin/municipalities/{municipality_id}")
def edit_municipality_form(request: Request, municipality: AdminMunicipalityDep,
                           principal: AdminOnly, session: SessionDep):
    return _form_page(request, municipality=municipality, principal=principal,
                      values=service.form_values(session, municipality))


@router.post("/admin/municipalities/{municipality_id}")
def edit_municipality(request: Request, municipality: AdminMunicipalityDep, principal: AdminOnly,
                      session: SessionDep, form: FormDep):
    return save_versioned(
        session, form, municipality, parse_form(MunicipalityForm, form),
        apply=lambda data, version: service.update(session, municipality, data,
                                                   expected_version=version),
        done=lambda saved: redirect(request, f"/admin/municipalities/{saved.id}",
                                    message=_("Changes saved.")),
        again=lambda **kw: _form_page(request, municipality=municipality, principal=principal,
                                      **kw),
        theirs=lambda m: service.form_values(session, m),
    )
