"""One wiring: every entry point installs the same registries, providers, sections and
session events through app.wiring.bootstrap(), and no import does it by a side effect."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import drop_database, provision_database

ROOT = Path(__file__).resolve().parent.parent

# Run in a fresh interpreter that imports only app.cli, as `sus demo` does; then report what
# the wiring installed and every demo dialogue whose agenda is longer than its booking.
CHECK = """
import json
import app.cli

app.cli.main(["demo"], standalone_mode=False)

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from app.agendas import timeline as agenda_timeline
from app.agendas.models import Agenda
from app.config import get_settings
from app.db import make_engine
from app.feeds import hooks
from app.meetings import models as meetings
from app.meetings.models import Meeting
from app.registry import Registry

events = [name for name, fn in hooks.EVENTS + (("before_flush", meetings.maintain_calendar_identity),)
          if not event.contains(OrmSession, name, fn)]
overruns, misfits, booked = [], [], 0
with Session(make_engine(get_settings().database_url)) as s:
    rows = s.exec(select(Agenda, Meeting).join(Meeting, Meeting.id == Agenda.meeting_id))
    for agenda, meeting in rows:
        if meeting.starts_at is not None:
            line = agenda_timeline.timeline(s, agenda, meeting)
            if line.overrun:
                overruns.append(f"{meeting.title} ({meeting.starts_at:%Y-%m-%d}): {line.overrun} min")
            if meeting.status.value == "booked" and not meeting.all_day:
                booked += 1
                if line.meeting_minutes != line.total_minutes:
                    misfits.append(f"{meeting.title} ({meeting.starts_at:%Y-%m-%d}): booked "
                                   f"{line.meeting_minutes}, agenda {line.total_minutes} min")
command_line = {r.name: len(r) for r in Registry.all()}
from app.main import create_app

create_app()
print("RESULT " + json.dumps({"command_line": command_line,
                              "registries": {r.name: len(r) for r in Registry.all()},
                              "missing_events": events, "overruns": overruns,
                              "misfits": misfits, "booked": booked,
                              "agendas": s.exec(select(Agenda)).all().__len__()}))
"""


def _run_demo_check(tmp_path) -> dict:
    url = provision_database("wiring")
    try:
        env = {**os.environ, "SUS_DATABASE_URL": url, "SUS_VAR_DIR": str(tmp_path / "var"),
               "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", CHECK], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
        return json.loads(line[len("RESULT "):])
    finally:
        drop_database(url)


def test_the_command_line_installs_every_registry_and_the_demo_fits_its_agendas(tmp_path):
    found = _run_demo_check(tmp_path)
    assert found["registries"], "no registry declared"
    empty = [name for name, n in found["registries"].items() if n == 0]
    assert empty == []
    # The command line leaves out only what pages use (sections, menu, public probes).
    left_out = {name for name, n in found["command_line"].items() if n == 0}
    assert left_out == {"sections.page_sections", "sections.nav_items", "sections.site_items",
                        "confidential.public_probes"}
    assert found["missing_events"] == []
    assert found["agendas"] > 20  # the demo has agendas for both years' dialogues
    assert found["overruns"] == []
    # Each booked dialogue is booked for its own agenda's length, not a default.
    assert found["booked"] > 10 and found["misfits"] == []


def test_importing_a_domain_wires_nothing():
    # A fresh interpreter that imports every module of the app but calls no bootstrap().
    code = """
import importlib, json, pkgutil
import app
for m in pkgutil.walk_packages(app.__path__, "app."):
    if m.name != "app.main" and not m.name.startswith("app.translations"):
        importlib.import_module(m.name)
import app.main
from app.registry import Registry
print(json.dumps({r.name: len(r) for r in Registry.all()}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(counts) >= 9 and set(counts.values()) == {0}


def test_bootstrap_twice_changes_nothing():
    from app.registry import Registry
    from app.wiring import bootstrap

    before = {r.name: len(r) for r in Registry.all()}
    import app.wiring as wiring

    wiring._installed.clear()
    bootstrap()
    assert {r.name: len(r) for r in Registry.all()} == before
