"""The app as `sus serve` runs it, plus one minimal static .ics route: the benchmark's
baseline, served by the same server, middleware and all, in the same run."""

import os
from pathlib import Path

from fastapi.responses import Response

from app.main import create_app

STATIC_ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//SUS//bench//DA\r\nBEGIN:VEVENT\r\n"
    b"UID:static@sus\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T090000Z\r\n"
    b"DTEND:20260101T100000Z\r\nSUMMARY:Static\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def app():
    application = create_app()
    same: dict[str, bytes] = {}

    @application.get("/bench/same/{name}.ics", include_in_schema=False)
    def same_bytes(name: str):
        """A feed's bytes served as a static file would be (read once from the directory the
        benchmark wrote them to): the baseline of an unchanged full response."""
        if name not in same:
            same[name] = (Path(os.environ["SUS_BENCH_SAME_DIR"]) / f"{name}.ics").read_bytes()
        return Response(same[name], headers={"Content-Type": "text/calendar; charset=utf-8"})

    @application.get("/bench/static.ics", include_in_schema=False)
    def static_ics():
        return Response(STATIC_ICS, headers={"Content-Type": "text/calendar; charset=utf-8"})

    return application
