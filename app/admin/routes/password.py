"""Public pages: "Glemt adgangskode" and setting a password from an e-mailed link."""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from app.accounts import service as accounts
from app.accounts.access import Public
from app.admin import tokens
from app.admin.models import TokenPurpose
from app.config import get_settings
from app.db import SessionDep
from app.i18n import gettext as _
from app.i18n import ngettext
from app.web import redirect, render

router = APIRouter()


@router.get("/password/forgot")
def forgot_form(request: Request, principal: Public):
    return render(request, "admin/forgot.html", {"email": "", "error": None, "sent": False})


@router.post("/password/forgot")
def forgot(request: Request, principal: Public, session: SessionDep,
           email: Annotated[str, Form()] = ""):
    email = email.strip()[:254]
    ip = request.client.host if request.client else "unknown"
    try:
        tokens.count_reset_request(session, get_settings(), email, ip)
    except accounts.TooManyAttempts as exc:
        error = ngettext("Too many requests. Wait %(num)s minute and try again.",
                         "Too many requests. Wait %(num)s minutes and try again.", exc.minutes)
        response = render(request, "admin/forgot.html", {"email": email, "error": error,
                                                         "sent": False}, status_code=429)
        response.headers["Retry-After"] = str(exc.seconds)
        return response
    user = accounts.get_user_by_email(session, email) if email else None
    if user is not None and user.is_active:
        tokens.send(session, user, TokenPurpose.RESET)
    # The same answer whether or not the address has a login.
    return render(request, "admin/forgot.html", {"email": email, "error": None, "sent": True})


@router.get("/password/{token}")
def set_password_form(request: Request, token: str, principal: Public, session: SessionDep):
    row = tokens.find(session, token)
    return render(request, "admin/set_password.html", {
        "token": token, "valid": row is not None, "error": None,
        "invitation": row is not None and row.purpose is TokenPurpose.INVITATION},
        status_code=200 if row else 404)


@router.post("/password/{token}")
def set_password(request: Request, token: str, principal: Public, session: SessionDep,
                 password: Annotated[str, Form()] = "", repeated: Annotated[str, Form()] = ""):
    row = tokens.find(session, token)
    if row is None:
        return render(request, "admin/set_password.html", {
            "token": token, "valid": False, "error": None, "invitation": False}, status_code=404)
    invitation = row.purpose is TokenPurpose.INVITATION
    try:
        tokens.check_password(password, repeated)
    except tokens.PasswordProblem as exc:
        return render(request, "admin/set_password.html", {
            "token": token, "valid": True, "error": str(exc), "invitation": invitation},
            status_code=422)
    user = tokens.use(session, token, password)
    if user is None:
        return render(request, "admin/set_password.html", {
            "token": token, "valid": False, "error": None, "invitation": False}, status_code=404)
    return redirect(request, "/login", message=_("Your password is saved. Log in with it."))
