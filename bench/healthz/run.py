"""GET /healthz: work per request inside the app, against a bare ASGI "ok" in the same run.

Calls the ASGI app directly (no sockets), so the figure is the app's own work: the middleware
stack, routing, the session and the database round trip (SELECT 1). Database: a temporary
SQLite file, or SUS_DATABASE_URL if set (e.g. PostgreSQL).
Usage: python bench/healthz/run.py [N]
"""

import asyncio
import os
import statistics
import sys
import tempfile
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
tmp = tempfile.mkdtemp(prefix="sus-bench-")
os.environ.setdefault("SUS_VAR_DIR", tmp)
os.environ.setdefault("SUS_DATABASE_URL", f"sqlite:///{tmp}/bench.db")
os.environ.setdefault("SUS_SECRET_KEY", "bench-secret-key-long-enough-0123456789abcdef")

from app import migrate  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.main import create_app  # noqa: E402

SCOPE = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
         "scheme": "http", "path": "/healthz", "raw_path": b"/healthz", "query_string": b"",
         "root_path": "", "headers": [(b"host", b"bench")], "client": ("127.0.0.1", 1),
         "server": ("127.0.0.1", 8000)}


async def baseline(scope, receive, send):
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok\n"})


async def measure(app, n: int) -> list[float]:
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    status = []

    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])

    times = []
    for _ in range(n):
        start = time.perf_counter()
        await app(dict(SCOPE), receive, send)
        times.append(time.perf_counter() - start)
    assert set(status) == {200}, set(status)
    return times


def summary(name: str, times: list[float]) -> float:
    us = sorted(t * 1e6 for t in times)
    mean = statistics.fmean(us)
    print(f"{name:<28} mean {mean:8.1f} µs   p50 {us[len(us) // 2]:8.1f} µs   "
          f"p99 {us[int(len(us) * 0.99)]:8.1f} µs")
    return mean


def main() -> None:
    migrate.upgrade(get_settings().database_url)
    app = create_app()
    import logging

    logging.getLogger("sus.access").setLevel(logging.WARNING)

    async def run():
        await measure(app, 200)  # warm up: pool, caches
        await measure(baseline, 200)
        return await measure(app, N), await measure(baseline, N)

    app_times, base_times = asyncio.run(run())
    print(f"/healthz, {N} requests, database: {get_settings().database_url.split(':')[0]}")
    a = summary("sus /healthz", app_times)
    b = summary("bare ASGI 'ok' (baseline)", base_times)
    print(f"ratio sus/baseline: {a / b:.1f}×   (target: mean well under 1000 µs)")


if __name__ == "__main__":
    main()
