"""Logging in with the municipality's identity provider, and the administrator's settings page.

GET /login/sso/{municipality_id} sends the browser to the provider with a fresh state, nonce
and PKCE verifier, which travel back in a signed, short-lived, HttpOnly cookie; the provider
returns it to GET /login/sso/callback, where the code is exchanged, the ID token checked and
the user matched (app.sso.signin), or refused with a page that says why."""

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.accounts import service as accounts
from app.accounts.access import AdminOnly, Public
from app.accounts.routes import _safe_next, set_session_cookie
from app.audit import service as audit
from app.audit.models import AuditAction
from app.config import get_settings
from app.db import SessionDep, begin_write
from app.forms import FormDep, parse_form
from app.i18n import gettext as _
from app.loading import checked_id, found
from app.schools import service as schools
from app.schools.models import Municipality
from app.sso import oidc, service, signin
from app.versioned import save_versioned, stale_settings
from app.web import redirect, render

router = APIRouter()
log = logging.getLogger("sus.sso")
COOKIE = "sus_sso"
COOKIE_PATH = "/login/sso"
MAX_AGE = 600
"""Seconds a user has at the provider before the login must start over."""


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="sso-login")


def _redirect_uri() -> str:
    return get_settings().base_url.rstrip("/") + "/login/sso/callback"


def login_section(session, principal, _obj):
    """The login page's "Log ind med <kommune>" buttons."""
    providers = service.enabled_providers(session)
    return {"providers": [m for _row, m in providers]} if providers else None


def _refused(request: Request, session, message: str, reason: str, *, municipality=None,
             email: str | None = None, status_code: int = 403):
    log.info("single sign-on refused: %s", reason)
    begin_write(session)
    audit.record(session, AuditAction.LOGIN_REFUSED,
                 f"municipality:{municipality.id}" if municipality else "sso:", user_email=email,
                 details=reason, address=request.client.host if request.client else None,
                 path=request.url.path)
    session.commit()
    response = render(request, "sso/refused.html", {"message": message, "sso_municipality": municipality},
                      status_code=status_code)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


@router.get("/login/sso/{municipality_id:int}")
def start(request: Request, municipality_id: int, principal: Public, session: SessionDep,
          next: str | None = None):
    municipality = found(schools.get_municipality(session, checked_id(municipality_id)))
    row = service.settings_for(session, municipality)
    if not row.enabled:
        return _refused(request, session, _("%(municipality)s does not use single sign-on in SUS.",
                                            municipality=municipality.name), "not enabled",
                        municipality=municipality, status_code=404)
    try:
        url, pending = oidc.begin(row.issuer, row.client_id, _redirect_uri())
    except oidc.OidcError as err:
        return _refused(request, session, _("The municipality's login service does not answer. Try "
                                            "again in a moment, or log in with your password."),
                        err.reason, municipality=municipality, status_code=502)
    response = RedirectResponse(url, status_code=303)
    value = _signer().dumps({"m": municipality.id, "s": pending.state, "n": pending.nonce,
                             "v": pending.verifier, "next": _safe_next(next)})
    settings = get_settings()
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="lax",
                        secure=settings.secure_cookies, path=COOKIE_PATH)
    return response


@router.get("/login/sso/callback", include_in_schema=False)
def callback(request: Request, principal: Public, session: SessionDep, code: str | None = None,
             state: str | None = None, error: str | None = None):
    start_again = _("Start the login again from the login page.")
    try:
        remembered = _signer().loads(request.cookies.get(COOKIE, ""), max_age=MAX_AGE)
    except BadSignature:
        return _refused(request, session, _("The login took too long or was not started here.") + " "
                        + start_again, "no or expired state cookie", status_code=400)
    municipality = session.get(Municipality, remembered["m"])
    row = service.settings_for(session, municipality) if municipality else None
    if municipality is None or row is None or not row.enabled:
        return _refused(request, session, start_again, "settings gone", status_code=400)
    if error:
        return _refused(request, session, _("The municipality's login service did not let you in.") + " "
                        + start_again, f"provider error {error[:60]}", municipality=municipality)
    if not state or state != remembered["s"]:
        return _refused(request, session, _("The login answer does not belong to this login.") + " "
                        + start_again, "wrong state", municipality=municipality, status_code=400)
    if not code:
        return _refused(request, session, start_again, "no code", municipality=municipality,
                        status_code=400)
    pending = oidc.Pending(state=remembered["s"], nonce=remembered["n"], verifier=remembered["v"])
    try:
        tokens = oidc.exchange_code(row.issuer, row.client_id, service.client_secret(row),
                                    _redirect_uri(), code, pending)
        claims = oidc.verify_id_token(row.issuer, row.client_id, tokens.get("id_token"), pending.nonce)
        identity = oidc.identity_of(claims)
    except oidc.OidcError as err:
        return _refused(request, session, _("The municipality's login service sent an answer SUS cannot "
                                            "accept.") + " " + start_again, err.reason,
                        municipality=municipality)
    begin_write(session)
    try:
        user = signin.match(session, row, municipality, identity)
    except signin.Refused as refusal:
        session.rollback()
        return _refused(request, session, refusal.message, refusal.reason, municipality=municipality,
                        email=identity.email)
    audit.record(session, AuditAction.LOGIN, f"user:{user.id}", user_id=user.id, user_email=user.email,
                 person_id=user.person_id, details=f"single sign-on, {municipality.name}",
                 address=request.client.host if request.client else None, path=request.url.path)
    settings = get_settings()
    token = accounts.start_session(session, settings, user)
    response = redirect(request, remembered.get("next") or "/")
    set_session_cookie(response, settings, token)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


# --- the administrator's settings page ---------------------------------------------------------

def load_sso_municipality(municipality_id: int, session: SessionDep, principal: AdminOnly) -> Municipality:
    return found(schools.get_municipality(session, checked_id(municipality_id)))


SsoMunicipality = Annotated[Municipality, Depends(load_sso_municipality)]


def _page(request, municipality, row, *, values=None, errors=None, status_code=200):
    return render(request, "sso/settings.html", {
        "municipality": municipality, "settings": row,
        "values": values or {f: getattr(row, f) for f in service.SsoForm.model_fields},
        "errors": errors or {}, "redirect_uri": _redirect_uri(),
        "secret_present": service.client_secret(row) is not None,
    }, status_code=status_code)


@router.get("/admin/municipalities/{municipality_id}/sso")
def settings_page(request: Request, municipality: SsoMunicipality, principal: AdminOnly,
                  session: SessionDep):
    return _page(request, municipality, service.settings_for(session, municipality))


@router.post("/admin/municipalities/{municipality_id}/sso")
def save_settings(request: Request, municipality: SsoMunicipality, principal: AdminOnly,
                  session: SessionDep, form: FormDep):
    row = service.settings_for(session, municipality)
    return save_versioned(
        session, form, row, parse_form(service.SsoForm, form),
        apply=lambda data, version: service.update(session, row, data, expected_version=version),
        done=lambda _saved: redirect(request, f"/admin/municipalities/{municipality.id}/sso",
                                     message=_("Changes saved.")),
        again=lambda values, errors, conflict, status_code: _page(
            request, municipality, row, values=values,
            errors=stale_settings(errors, conflict, "issuer"), status_code=status_code))
