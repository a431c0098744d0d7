"""Danish error pages for every refusal and failure, as a whole page or an HTMX fragment."""

import logging
import secrets

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import i18n
from app.accounts.access import Forbidden, NotAuthenticated
from app.forms import int_or_none
from app.i18n import N_
from app.logs import redact_path
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


def error_response(request: Request, status: int, detail: str | None = None, *,
                   request_id: str | None = None) -> Response:
    title, text = _TEXTS.get(status, _TEXTS[500] if status >= 500 else _TEXTS[400])
    context = {"status": status, "title": i18n.gettext(title),
               "text": detail or i18n.gettext(text), "request_id": request_id}
    headers = {"X-Request-ID": request_id} if request_id else {}
    if is_htmx(request):
        # htmx swaps error responses (see htmx-config); show them in the message area.
        headers.update({"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"})
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

    @app.exception_handler(OverflowError)
    async def overflow(request: Request, exc: OverflowError):
        # SQLite: "Python int too large to convert to SQLite INTEGER", a number from a form
        # field that no row can have. (Date arithmetic past year 9999 also lands here.)
        _locale_from_browser(request)
        log.warning("number out of range on %s %s: %s", request.method,
                    redact_path(request.url.path), exc)
        return error_response(request, 404 if "SQLite INTEGER" in str(exc) else 400)

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError):
        # PostgreSQL refuses what SQLite stores: a number beyond an INTEGER column (an id no
        # row can have: 404), a text beyond its column, a control character it cannot hold.
        _locale_from_browser(request)
        log.warning("value refused by the database on %s %s: %s", request.method,
                    redact_path(request.url.path), type(getattr(exc, "orig", exc)).__name__)
        out_of_range = type(getattr(exc, "orig", None)).__name__ == "NumericValueOutOfRange"
        return error_response(request, 404 if out_of_range else 400, None if out_of_range else
                              i18n.gettext("A value is too long or not allowed here."))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        # Only errors in the outer middleware get here: ErrorPageMiddleware answers the rest.
        log.exception("unhandled error on %s %s", request.method, redact_path(request.url.path))
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


async def ids_in_range(request: Request) -> None:
    """App-wide dependency: a whole-number path parameter beyond what an id column holds
    (PostgreSQL's INTEGER) names a page that does not exist, on every route alike. Without
    it the database's overflow error would answer such an address with a 500."""
    route = request.scope.get("route")
    for name in _int_path_params(route):
        raw = request.path_params.get(name)  # a str, or an int from a {name:int} path
        try:
            int(raw)
        except (TypeError, ValueError):
            continue  # not a number at all: the path validation answers 404
        if int_or_none(raw) is None:
            raise StarletteHTTPException(404)


_INT_PARAMS: dict[int, tuple[str, ...]] = {}


def _int_path_params(route) -> tuple[str, ...]:
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return ()
    key = id(dependant)
    if key not in _INT_PARAMS:
        names: list[str] = []

        def walk(dep):
            for field in dep.path_params:
                if field.field_info.annotation in (int, int | None):
                    names.append(field.alias or field.name)
            for sub in dep.dependencies:
                walk(sub)

        walk(dependant)
        _INT_PARAMS[key] = tuple(dict.fromkeys(names))
    return _INT_PARAMS[key]


class ErrorPageMiddleware:
    """An unhandled error is answered here with the Danish 500 page, logged once with a
    request id that the page shows.

    Starlette's ServerErrorMiddleware would answer too, but it then re-raises the error for the
    server to log, and uvicorn closes a connection whose application raised: the client's next
    request on that kept-alive connection failed as well. Added innermost, so the page still
    passes the security headers and the access log."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            request_id = secrets.token_hex(6)
            log.exception("unhandled error [%s] on %s %s", request_id, scope.get("method"),
                          redact_path(scope.get("path", "")))
            if started:
                raise  # half a response is out: closing the connection is all that is left
            request = Request(scope)
            try:
                _locale_from_browser(request)
                response = error_response(request, 500, request_id=request_id)
            except Exception:  # the error page itself must never fail
                log.exception("error page failed [%s]", request_id)
                response = Response(f"Der opstod en fejl ({request_id}).", status_code=500,
                                    media_type="text/plain")
            await response(scope, receive, send)


class BodyLimitMiddleware:
    """Refuses a request body over `max_bytes` with the Danish 413 page.

    FastAPI's own max_body_size answers from outside every middleware of ours, in English and
    without the security headers. Added inside SecurityMiddleware, this one's page has them."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            request = Request(scope)
            _locale_from_browser(request)
            return await error_response(request, 413)(scope, receive, send)
        total = 0

        async def limited_receive():
            nonlocal total
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > self.max_bytes:
                    # Reading the form raises this; the 413 handler above answers it.
                    raise StarletteHTTPException(413)
            return message

        await self.app(scope, limited_receive, send)
