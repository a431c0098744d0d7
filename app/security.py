"""CSRF verification and the headers every response carries."""

import secrets
from http.cookies import SimpleCookie

from fastapi import Request

from app.config import get_settings
from app.web import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, new_csrf_token

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Responses that never set a cookie: static files, probes, and calendar feeds (calendar
# clients keep no cookies, and a feed URL must not start a browser session).
# The public notes pages too: cacheable, and the embed is read from schools' websites.
COOKIELESS_PATHS = ("/static/", "/healthz", "/feeds/", "/public/")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'; frame-ancestors 'none'"
)
# A page meant to be embedded on a school's website sets this instead.
EMBEDDABLE_CSP = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")

SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class CSRFError(Exception):
    """The form's token does not match the browser's cookie."""


async def verify_csrf(request: Request) -> None:
    """App-wide dependency: every state-changing request carries the CSRF token."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get(CSRF_FIELD)
    if not cookie or not isinstance(sent, str) or not secrets.compare_digest(cookie, sent):
        raise CSRFError()


class SecurityMiddleware:
    """Gives each browser a CSRF cookie and each response the security headers."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        new_token = None
        cookie_header = next((v for k, v in scope["headers"] if k == b"cookie"), b"")
        jar = SimpleCookie()
        try:
            jar.load(cookie_header.decode("latin-1"))
        except Exception:  # a malformed Cookie header is the client's problem, not a 500
            jar = SimpleCookie()
        if CSRF_COOKIE not in jar and not scope["path"].startswith(COOKIELESS_PATHS):
            new_token = new_csrf_token()
            scope.setdefault("state", {})["csrf_token"] = new_token
        secure = "; Secure" if get_settings().secure_cookies else ""

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                if (b"content-security-policy", EMBEDDABLE_CSP.encode()) in headers:
                    # Meant to be framed: frame-ancestors says so; DENY would contradict it.
                    present.add(b"x-frame-options")
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                if new_token:
                    headers.append((
                        b"set-cookie",
                        f"{CSRF_COOKIE}={new_token}; Path=/; HttpOnly; SameSite=Lax{secure}".encode(),
                    ))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
