"""Logging, and an access log that never records secrets.

Query strings are dropped (only their parameter names are kept) and any path segment that
looks like a token is masked; cookies and form bodies are never logged.
"""

import logging
import re
import time

log = logging.getLogger("sus.access")

# Long runs of URL-safe characters: feed tokens, signed links.
_TOKENISH = re.compile(r"(?<=/)[A-Za-z0-9_\-]{20,}(?=/|\.|$)")


def redact_path(path: str) -> str:
    return _TOKENISH.sub("[redacted]", path)


def describe_query(query_string: bytes) -> str:
    if not query_string:
        return ""
    names = sorted({p.split(b"=", 1)[0].decode("latin-1") for p in query_string.split(b"&") if p})
    return "?" + "&".join(f"{n}=…" for n in names)


def configure(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


class AccessLogMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 500

        async def capture(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            log.info(
                "%s %s%s %s %.1fms",
                scope["method"],
                redact_path(scope["path"]),
                describe_query(scope.get("query_string", b"")),
                status,
                (time.perf_counter() - start) * 1000,
            )
