"""Danish error pages for every refusal and failure, as a whole page or an HTMX fragment."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import i18n
from app.accounts.access import Forbidden, NotAuthenticated
from app.i18n import N_
from app.security import SECURITY_HEADERS, CSRFError
from app.web import is_htmx, render, url_with_query

log = logging.getLogger("sus.errors")

_TEXTS = {
    400: (N_("The request could not be understood"),
          N_("Something in the address or the form was not as expected.")),
    401: (N_("Please log in"), N_("You must log in to see this page.")),
    403: (N_("Access denied"), N_("You do not have access to this page or action.")),
    404: (N_("Page not found"), N_("The page does not exist, or it has been moved.")),
    405: (N_("Not allowed"), N_("This action cannot be performed here.")),
    409: (N_("Someone else saved first"),
          N_("The record was changed while you worked on it. Reload the page and try again.")),
    413: (N_("The file is too large"), N_("The upload is larger than allowed.")),
    429: (N_("Too many requests"), N_("Wait a moment and try again.")),
    500: (N_("Something went wrong"),
          N_("An error occurred on our side. It has been logged. Try again in a moment.")),
}


def error_response(request: Request, status: int, detail: str | None = None) -> Response:
    title, text = _TEXTS.get(status, _TEXTS[500] if status >= 500 else _TEXTS[400])
    context = {"status": status, "title": i18n.gettext(title),
               "text": detail or i18n.gettext(text)}
    headers = {}
    if is_htmx(request):
        # htmx swaps error responses (see htmx-config); show them in the message area.
        headers = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
    return render(request, "errors/error.html", context, partial="errors/_message.html",
                  status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        _locale_from_browser(request)
        return error_response(request, exc.status_code)

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated):
        login = url_with_query("/login", next=request.url.path)
        if request.method == "GET" and not is_htmx(request):
            return RedirectResponse(login, status_code=303)
        response = error_response(request, 401)
        if is_htmx(request):
            response.headers["HX-Redirect"] = login
        return response

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        return error_response(request, 403)

    @app.exception_handler(CSRFError)
    async def csrf_failed(request: Request, exc: CSRFError):
        _locale_from_browser(request)
        return error_response(
            request, 403,
            i18n.gettext("The form has expired. Reload the page and submit it again."),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        _locale_from_browser(request)
        # A malformed id in the address is a page that does not exist.
        in_path = any(err.get("loc", ("",))[0] == "path" for err in exc.errors())
        return error_response(request, 404 if in_path else 400)

    @app.exception_handler(StaleDataError)
    async def stale(request: Request, exc: StaleDataError):
        return error_response(request, 409)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        try:
            response = error_response(request, 500)
        except Exception:  # the error page itself must never fail
            log.exception("error page failed")
            response = Response("Der opstod en fejl.", status_code=500, media_type="text/plain")
        # This handler runs outside the middleware stack: add the headers here.
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def _locale_from_browser(request: Request) -> None:
    """Errors raised before any Access dependency ran still speak the browser's language."""
    principal = getattr(request.state, "principal", None)
    preferred = principal.user.locale if principal and principal.user else None
    i18n.set_locale(i18n.negotiate(request.headers.get("accept-language"), preferred))
