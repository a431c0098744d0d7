"""/admin/import: schools and staff from a file, upload → preview → commit (all or nothing).

The preview form carries the file itself back (base64, the files are small); the commit
checks it again from scratch, so nothing the preview showed can have drifted."""

import base64
import binascii

from fastapi import APIRouter, Request

from app.accounts.access import Principal, Staff, require
from app.admin import onboarding, policy
from app.admin.routes.people import _municipalities
from app.db import SessionDep
from app.forms import FormDep, int_or_none
from app.i18n import gettext as _
from app.schools.models import Municipality
from app.web import redirect, render

router = APIRouter()



def _page(request, session, principal: Principal, *, values=None, error=None, analysis=None,
          content=None, status_code=200):
    return render(request, "admin/import.html", {
        "values": values or {}, "error": error, "analysis": analysis,
        "content": base64.b64encode(content).decode() if content is not None else None,
        "municipality_options": [(m.id, m.name) for m in _municipalities(session, principal)],
        "outcomes": onboarding.OUTCOMES,
    }, status_code=status_code)


@router.get("/admin/import")
def import_form(request: Request, principal: Staff, session: SessionDep,
                kind: str | None = None, municipality: str | None = None):
    require(policy.can_use_admin(principal))
    return _page(request, session, principal, values={
        "kind": kind if kind in onboarding.KINDS else "schools", "municipality_id": municipality})


def _target(session, principal, form) -> tuple[dict, Municipality | None, str | None]:
    values = {"kind": form.get("kind"), "municipality_id": form.get("municipality_id")}
    m = session.get(Municipality, int_or_none(values["municipality_id"]) or 0)
    if values["kind"] not in onboarding.KINDS:
        return values, None, _("Choose what the file holds: schools or staff.")
    if m is None or not policy.can_manage_people_in(principal, m.id):
        return values, None, _("Choose the municipality.")
    return values, m, None


@router.post("/admin/import")
def upload(request: Request, principal: Staff, session: SessionDep, form: FormDep):
    require(policy.can_use_admin(principal))
    values, m, error = _target(session, principal, form)
    upload = form.get("file")
    if error is None and (upload is None or isinstance(upload, str) or not upload.filename):
        error = _("Choose a file.")
    if error is not None:
        return _page(request, session, principal, values=values, error=error, status_code=422)
    content = upload.file.read()
    values["filename"] = upload.filename[:255]
    analysis = onboarding.analyse(session, values["kind"], content, values["filename"], m)
    return _page(request, session, principal, values=values, analysis=analysis,
                 content=content if analysis.ok else None,
                 status_code=200 if analysis.ok else 422)


@router.post("/admin/import/commit")
def commit(request: Request, principal: Staff, session: SessionDep, form: FormDep):
    require(policy.can_use_admin(principal))
    values, m, error = _target(session, principal, form)
    values["filename"] = str(form.get("filename") or "")[:255]
    try:
        content = base64.b64decode(str(form.get("content") or ""), validate=True)
    except (binascii.Error, ValueError):
        content = b""
    if error is None and not content:
        error = _("The preview has expired. Upload the file again.")
    if error is not None:
        return _page(request, session, principal, values=values, error=error, status_code=422)
    analysis = onboarding.analyse(session, values["kind"], content, values["filename"], m)
    if not analysis.ok:
        return _page(request, session, principal, values=values, analysis=analysis,
                     error=_("Nothing is imported: the file has errors. Correct them and upload "
                             "it again."), status_code=422)
    onboarding.apply(session, analysis)
    counts = analysis.counts
    return redirect(request, f"/admin/people?municipality={m.id}" if values["kind"] == "people"
                    else f"/municipalities/{m.id}/schools",
                    message=_("Imported: %(new)s new, %(changed)s changed, %(unchanged)s "
                              "unchanged.", new=counts.get("new", 0),
                              changed=counts.get("changed", 0),
                              unchanged=counts.get("unchanged", 0)))
