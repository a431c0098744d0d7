"""Rendering: one helper for whole pages and HTMX fragments, CSRF, flash messages.

A page template `{% extends layout %}`; for an HTMX request `layout` is the fragment layout
(just the content block and an out-of-band <title>), otherwise the whole page. A route may
also name a `partial` template that an HTMX request gets instead (an inline edit's field).
"""

import hashlib
import secrets
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import jinja2
import markupsafe
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.templating import Jinja2Templates

from app import i18n
from app.config import get_settings
from app.paths import STATIC, TEMPLATES

CSRF_COOKIE = "sus_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
FLASH_COOKIE = "sus_flash"

PAGE_LAYOUT = "base/page.html"
FRAGMENT_LAYOUT = "base/fragment.html"


@lru_cache
def static_version(path: str) -> str:
    try:
        return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


def static_url(path: str) -> str:
    return f"/static/{path}?v={static_version(path)}"


@jinja2.pass_context
def _template_gettext(context: jinja2.runtime.Context, message: str, **variables: Any) -> str:
    """Jinja's newstyle `_()`, without formatting a text that has nothing to format: Jinja
    always runs `Markup % variables`, which escapes and costs more than the lookup, and a
    page calls `_()` hundreds of times. A text with a `%` is formatted as before (`%%`)."""
    text = i18n.gettext(message)
    rv = markupsafe.Markup(text) if context.eval_ctx.autoescape else text
    return rv % variables if variables or "%" in text else rv


def _make_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    env.globals.update(gettext=_template_gettext, _=_template_gettext)
    from app import sections

    env.globals.update(static_url=static_url, N_=i18n.N_, menu=sections.menu,
                       accessibility_url=lambda: get_settings().accessibility_url or "/accessibility",
                       site_menu=sections.site_menu)
    env.filters.update(
        date=i18n.format_date,
        time=i18n.format_time,
        datetime=i18n.format_datetime,
        week=i18n.format_week,
        number=i18n.format_number,
    )
    return env


templates = Jinja2Templates(env=_make_env())


def is_htmx(request: Request) -> bool:
    # A history-restore request wants the whole page back.
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


# --- CSRF (double submit: an HttpOnly cookie and the same value in the form or header) ---


def csrf_token(request: Request) -> str:
    """The token the SecurityMiddleware provisioned for this client."""
    token = getattr(request.state, "csrf_token", None)
    if token is None:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
        request.state.csrf_token = token
    return token


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


# --- flash messages: a signed cookie read (and cleared) by the next render ---------------


def _flash_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt="flash")


def set_flash(response: Response, text: str, level: str = "success") -> None:
    value = _flash_serializer().dumps([[level, text]])
    response.set_cookie(
        FLASH_COOKIE, value, httponly=True, samesite="lax", secure=get_settings().secure_cookies
    )


def _read_flash(request: Request) -> list[dict[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        return [{"level": lvl, "text": txt} for lvl, txt in _flash_serializer().loads(raw)]
    except (BadSignature, ValueError, TypeError):
        return []


# --- responses ---------------------------------------------------------------------------


def base_context(request: Request) -> dict[str, Any]:
    principal = getattr(request.state, "principal", None)
    return {
        "request": request,
        "principal": principal,
        "user": principal.user if principal is not None else None,
        "csrf_token": csrf_token(request),
        "locale": i18n.get_locale(),
        "messages": _read_flash(request),
        "htmx": is_htmx(request),
    }


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    partial: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    htmx = is_htmx(request)
    ctx = base_context(request)
    ctx.update(context or {})
    ctx["layout"] = FRAGMENT_LAYOUT if htmx else PAGE_LAYOUT
    name = partial if (htmx and partial) else template
    response = templates.TemplateResponse(
        request, name, ctx, status_code=status_code, headers=headers
    )
    response.headers["Vary"] = "HX-Request"
    if ctx["messages"]:
        response.delete_cookie(FLASH_COOKIE)
    return response


def redirect(
    request: Request, url: str, *, message: str | None = None, level: str = "success"
) -> Response:
    """POST → redirect → GET, with or without HTMX."""
    if is_htmx(request):
        response: Response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if message:
        set_flash(response, message, level)
    return response


def url_with_query(path: str, **params: Any) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(clean)}" if clean else path
