"""Login, logout and the user's own account page."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app import i18n, sections
from app.accounts import service
from app.accounts.access import SESSION_COOKIE, Public, SignedIn
from app.accounts.models import ROLE_LABELS
from app.config import get_settings
from app.db import SessionDep
from app.i18n import gettext as _
from app.i18n import ngettext
from app.schools.models import Municipality, School
from app.web import redirect, render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    # Only local paths: never send a user off-site after login. Printable ASCII only: a
    # CR/LF or a character beyond latin-1 would break the Location or HX-Redirect header.
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and target.isascii() and target.isprintable()):
        return target
    return "/"


def login_page(request: Request, session, principal, context: dict, *, status_code: int = 200):
    """The login page; other ways of logging in (single sign-on) add sections "login"."""
    return render(request, "accounts/login.html",
                  {**context, "sections": sections.collect("login", session, principal, None)},
                  status_code=status_code)


def set_session_cookie(response: Response, settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


@router.get("/login")
def login_form(request: Request, principal: Public, session: SessionDep, next: str | None = None):
    if principal.is_authenticated:
        return redirect(request, _safe_next(next))
    return login_page(request, session, principal, {"next": _safe_next(next), "email": "", "error": None})


@router.post("/login")
def login(
    request: Request,
    principal: Public,
    session: SessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
):
    settings = get_settings()
    # The peer, or the client a trusted proxy names (SUS_TRUSTED_PROXIES, see app.main).
    ip = request.client.host if request.client else "unknown"
    device = service.device_of(settings, request.cookies.get(service.DEVICE_COOKIE), email)
    try:
        user = service.authenticate(session, settings, email, password, ip, device)
    except service.TooManyAttempts as exc:
        if exc.by_address:
            error = ngettext(
                "Too many failed logins from your network. Wait %(num)s minute and try again.",
                "Too many failed logins from your network. Wait %(num)s minutes and try again.",
                exc.minutes,
            )
        else:
            error = ngettext(
                "Too many failed attempts. Wait %(num)s minute and try again.",
                "Too many failed attempts. Wait %(num)s minutes and try again.",
                exc.minutes,
            )
        response = login_page(request, session, principal,
                              {"next": _safe_next(next), "email": email, "error": error}, status_code=429)
        response.headers["Retry-After"] = str(exc.seconds)
        return response
    if user is None:
        error = _("Wrong e-mail address or password.")
        return login_page(request, session, principal,
                          {"next": _safe_next(next), "email": email, "error": error}, status_code=400)
    token = service.start_session(session, settings, user)
    response = redirect(request, _safe_next(next))
    set_session_cookie(response, settings, token)
    # This browser is known to the account from now on: failed logins elsewhere never make
    # it wait (it keeps a count of its own).
    value, _device = service.device_cookie(settings, user.email, device)
    response.set_cookie(service.DEVICE_COOKIE, value, max_age=365 * 86400, httponly=True,
                        samesite="lax", secure=settings.secure_cookies, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, principal: Public, session: SessionDep) -> Response:
    service.end_session(session, request.cookies.get(SESSION_COOKIE))
    response = redirect(request, "/login", message=_("You are logged out."))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account")
def account(request: Request, principal: SignedIn, session: SessionDep):
    roles = []
    for ra in service.roles_of(session, principal.user):
        scope = None
        if ra.municipality_id:
            scope = session.get(Municipality, ra.municipality_id).name
        elif ra.school_id:
            scope = session.get(School, ra.school_id).name
        roles.append({"label": _(ROLE_LABELS[ra.role]), "scope": scope})
    return render(
        request, "accounts/account.html", {
            "roles": roles, "locales": i18n.LOCALES,
            "sections": sections.collect("account", session, principal, principal.user)}
    )


@router.post("/account/language")
def set_language(
    request: Request,
    principal: SignedIn,
    session: SessionDep,
    locale: Annotated[str, Form()] = "",
):
    chosen = locale if locale in i18n.LOCALES else None
    service.set_locale(session, principal.user, chosen)
    if chosen:
        i18n.set_locale(chosen)
    return redirect(request, "/account", message=_("Your language is saved."))


@router.get("/accessibility")
def accessibility(request: Request, principal: Public):
    """The built-in accessibility statement (the footer links here unless
    SUS_ACCESSIBILITY_URL names the municipality's own)."""
    return render(request, "accounts/accessibility.html", {})
