"""Confidential figures never reach the public: the canary test, for the whole app.

Canary values are planted in every confidential indicator (national tests, § 55 b) for a
school and its municipality, with three decimals so that they are unmistakable. Then:

- every route declared public (walked from the app's routes and their Access, as
  tests/test_route_access.py does) is requested with every plausible id, anonymously and
  as a signed-in person without the right, and every link on those pages is followed;
- every output meant for the public that is not a route (exports, calendar texts, e-mails)
  is read through the probes in `app.confidential.public_probes`;

and no canary may appear. New public pages, published notes and feeds are covered as they
are added: their routes are public, so they are walked; a feed behind a secret token
registers a probe that renders it. The same canary does appear for the school's leadership,
so the test can fail.
"""

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

import pytest
from sqlmodel import select

from app import confidential
from app.datapackages import importer, service
from app.datapackages.catalog import ensure_loaded
from app.datapackages.models import Indicator
from tests.conftest import login, make_person, make_year
from tests.datapackages.conftest import csv_bytes
from tests.test_route_access import _accesses, _routes

CANARIES = ["31,417", "31.417", "27,183", "27.183", "16,181", "16.181", "Kanariekommentar"]
"""How the planted values (31.417, 27.183, 16.181) would read on a page or in a file, and the
school's comment on its note (kept in the note's history, never published)."""


def _found(text: str) -> list[str]:
    return [c for c in CANARIES if c in text]


@pytest.fixture
def planted(db, factory):
    ensure_loaded(db)
    m = factory.municipality(name="Kanariekommune", kommunekode="731")
    school = factory.school(m, name="Kanarieskolen", institution_number="731001")
    year = make_year(db, m, 2025)
    secret = [i for i in db.exec(select(Indicator)) if i.confidential]
    assert len(secret) >= 10
    for ind in secret:
        ind.decimals = 3  # so that a leaked value is unmistakable on any page
        db.add(ind)
    db.commit()
    rows = []
    for ind in secret:
        label = "2026/27" if ind.first_year and ind.first_year >= 2026 else "2025/26"
        rows += [f"{label};731001;{ind.key};;31,417;40", f"{label};731001;{ind.key};;27,183;40"
                 .replace(";;", ";3. klasse;"),
                 f"{label};731;{ind.key};;16,181;900"]
    analysis, imp = importer.import_file(db, csv_bytes(*rows), "canary.csv")
    assert imp is not None, [str(p) for p in analysis.problems]
    if not any(i.first_year and i.first_year >= 2026 for i in secret):
        pytest.fail("the catalogue should hold the skills tests from 2026/27")
    next_year = make_year(db, m, 2026)
    package = service.get_or_create_package(db, school, year)
    service.mark_ready(db, package, None)
    service.mark_ready(db, service.get_or_create_package(db, school, next_year), None)
    # A board representative of the school, and a participant invited to nothing.
    rep_person = make_person(db, m, "Bestyrelsesrepræsentant", function="board_representative",
                             school=school, email="rep@kanarie.dk")
    rep = factory.user("participant", municipality=m)
    rep.person_id = rep_person.id
    db.add(rep)
    # A participant invited to the school's dialogue: may read the package, not the tests.
    from app.meetings import service as meetings
    from app.meetings.models import MeetingType

    chief = make_person(db, m, "Skolechef", function="chief", email="chef@kanarie.dk")
    participant = factory.user("participant", municipality=m)
    participant.person_id = chief.id
    db.add(participant)
    db.commit()
    dialogues = []
    for y in (year, next_year):
        # Booked, so they are events in the feeds the sweep reads too.
        starts = datetime(y.start_year + 1, 4, 20, 8, tzinfo=timezone.utc)
        dialogues.append(meetings.create_meeting(
            db, school_year=y, school=school, title="Skoleudviklingssamtale",
            meeting_type=MeetingType.DIALOGUE, starts_at=starts,
            ends_at=starts + timedelta(hours=2), participants=[(chief.id, "chief", True)]))
    note, published = _published_note(db, dialogues[0])
    return {"m": m, "school": school, "year": year, "next_year": next_year, "package": package,
            "note": note, "published": published,
            "rep": rep, "participant": participant,
            "leader": factory.user("school_leader", school=school),
            "consultant": factory.user("consultant", municipality=m),
            "urls": [service.package_url(school.id, year.id),
                     service.package_url(school.id, next_year.id)]}


def _published_note(db, meeting):
    """The dialogue's note with the canary in its confidential test-results section, approved
    and published by a municipality that publishes."""
    from app.notes import agreements, comments, publication
    from app.notes import service as notes
    from app.notes.models import NoteStatus

    settings = notes.municipality_settings(db, meeting.municipality_id)
    assert settings.publishes and settings.template_key == "stevns"
    note = notes.create_note(db, meeting)
    secret = next(s for s in notes.sections(db, note.id) if s.confidential)
    notes.save_section(db, secret, {secret.fields[0]["key"]: "Dansk 8. klasse: 31,417."},
                       expected_version=secret.version, author_id=None)
    agreements.add(db, note, agreements.AgreementForm(text="Kanarieaftalen"))
    db.refresh(note)
    # Out for the school's comments: one comment answered and resolved, one left open.
    notes.set_status(db, note, NoteStatus.COMMENTS, expected_version=note.version)
    public_section = next(s for s in notes.sections(db, note.id) if not s.confidential)
    first = comments.add(db, note, public_section, "Kanariekommentar: ret datoen",
                         author_id=None)
    comments.answer(db, first, "Kanariekommentar besvaret", author_id=None)
    comments.resolve(db, first, user_id=None)
    comments.add(db, note, public_section, "Kanariekommentar åben", author_id=None)
    db.refresh(note)
    notes.set_status(db, note, NoteStatus.APPROVED, expected_version=note.version)
    published = publication.publish(db, note, expected_version=note.version, user_id=None)
    return note, published


def _public_paths(app, ids: list[int]) -> list[str]:
    """Every public GET route, with each path parameter tried with every planted id."""
    paths = []
    for route in _routes(app):
        (access,) = _accesses(route.dependant)
        if not access.public or "GET" not in route.methods:
            continue
        params = re.findall(r"\{([^}:]+)(?::[^}]+)?\}", route.path)
        candidates = [route.path]
        for name in params:
            candidates = [re.sub(r"\{" + name + r"(?::[^}]+)?\}", str(v), c, count=1)
                          for c in candidates for v in ids]
        paths += candidates
    return paths


def _crawl(client, start: list[str], limit: int = 400) -> dict[str, str]:
    """GET every page reachable from `start` on this site; returns path → body."""
    seen: dict[str, str] = {}
    queue = list(dict.fromkeys(start))
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        r = client.get(path)
        seen[path] = r.text if r.headers.get("content-type", "").startswith(
            ("text/", "application/json", "application/xml", "application/xhtml")) \
            else r.content.decode("latin-1")
        if r.status_code in (301, 302, 303, 307, 308):
            queue.append(urlsplit(urljoin(path, r.headers["location"])).path)
        for link in re.findall(r'(?:href|src|hx-get|action)="([^"#]+)', r.text):
            parts = urlsplit(urljoin(path, link))
            if parts.netloc in ("", "testserver") and parts.path not in seen:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def test_no_canary_on_any_public_route_feed_or_public_output(app, client, db, planted):
    p = planted
    ids = sorted({p["m"].id, p["school"].id, p["year"].id, p["next_year"].id, p["package"].id,
                  p["note"].id, p["published"].id, 1, 2, 3})
    paths = _public_paths(app, ids)
    assert "/login" in paths and "/healthz" in paths  # the walk found the public routes

    pages = _crawl(client, paths)
    leaks = {path: _found(body) for path, body in pages.items() if _found(body)}
    assert leaks == {}, f"confidential values on public pages: {leaks}"
    # The published note's public pages were among them, and showed the note.
    school_notes = f"/public/schools/{p['school'].id}/notes"
    for path in (school_notes, school_notes + "/embed", f"/public/notes/{p['published'].id}"):
        assert p["note"].title in pages[path] and "Kanarieaftalen" in pages[path], path

    # The same public routes, and the package itself, for a dialogue participant without
    # the right to the test results.
    login(client, db, p["participant"])
    pages = _crawl(client, paths + p["urls"])
    assert "Kanarieskolen" in pages[p["urls"][0]]  # the package was readable
    leaks = {path: _found(body) for path, body in pages.items() if _found(body)}
    assert leaks == {}, f"confidential values shown to a participant: {leaks}"

    probed: dict[str, int] = {}
    for name, probe in confidential.public_probes:
        for label, text in probe(db):
            probed[name.split(":")[0]] = probed.get(name.split(":")[0], 0) + 1
            assert not _found(text), f"{name}: {label}"
    assert probed.get("datapackages", 0) >= 1  # the package links a calendar event carries
    # Every feed, rendered as each subscriber (the board representative and the invited
    # chief among them), and each meeting's .ics.
    assert probed.get("feeds", 0) >= 4
    assert probed.get("notes", 0) >= 1  # every published snapshot, shown or not


def test_canary_appears_for_the_leadership_so_the_test_can_fail(client, db, planted):
    p = planted
    for who in ("leader", "consultant"):
        client.cookies.clear()
        login(client, db, p[who])
        for url in p["urls"]:
            page = client.get(url).text
            assert "31,417" in page and "16,181" in page, (who, url)
            assert "27,183" in page, (who, url)  # the grade-level group of the skills tests


def test_board_representative_only_if_the_municipality_decides(client, db, planted):
    p = planted
    login(client, db, p["rep"])
    # Not invited and not leadership: the package is not theirs to open at all…
    assert client.get(p["urls"][0]).status_code == 403
    # …and even invited to the dialogue, the figures stay hidden until the municipality
    # decides otherwise.
    from app.meetings import service as meetings
    from app.meetings.models import MeetingType

    meetings.create_meeting(db, school_year=p["year"], school=p["school"], title="Samtale",
                            meeting_type=MeetingType.DIALOGUE,
                            participants=[(p["rep"].person_id, "board_representative", True)])
    page = client.get(p["urls"][0]).text
    assert _found(page) == [] and "fortrolige under landsniveau" in page
    service.save_settings(db, p["m"].id, board_representative=True, expected_version=None)
    page = client.get(p["urls"][0]).text
    assert "31,417" in page


def test_canary_in_the_note_for_the_administration_so_the_test_can_fail(client, db, planted):
    login(client, db, planted["consultant"])
    assert "31,417" in client.get(f"/notes/{planted['note'].id}/print").text
    assert "31,417" not in str(planted["published"].content)  # never in the snapshot
    # The school's comments are on the note page for the administration, never published.
    page = client.get(f"/notes/{planted['note'].id}").text
    assert "Kanariekommentar åben" in page and "Kanariekommentar besvaret" in page
    assert "Kanariekommentar" not in str(planted["published"].content)


def test_outside_signed_in_pages_nobody_sees_confidential(db, planted):
    from app.accounts.access import Grant, Principal
    from app.accounts.models import Role

    admin = Principal(user=planted["consultant"], grants=(Grant(Role.ADMIN, None, None),))
    for audience in (confidential.Audience.PUBLIC, confidential.Audience.FEED):
        assert not confidential.can_see_confidential(
            admin, audience=audience, municipality_id=planted["m"].id,
            school_id=planted["school"].id, session=db)


def test_the_board_representative_sees_their_dialogue_its_agenda_and_nothing_more(
        client, db, factory, planted):
    """A representative with a login and no role: invited by the municipality's default, they
    read the meeting, its agenda and what follows from it (package, note) — never the test
    results unless the municipality decides so, never another school's or a LUS meeting,
    and nothing they could change."""
    from app.agendas import build as agendas
    from app.cycles import planning
    from app.meetings import service as meetings
    from app.meetings.models import MeetingType

    p = planted
    rep_person = make_person(db, p["m"], "Forældrerepræsentant", function="board_representative",
                             school=p["school"], email="forælder@kanarie.dk")
    rep = factory.user("none", email="forælder@kanarie.dk")
    rep.person_id = rep_person.id
    db.add(rep)
    db.commit()
    dialogue = meetings.create_meeting(db, school_year=p["year"], school=p["school"],
                                       title="Skoleudviklingssamtale 2",
                                       meeting_type=MeetingType.DIALOGUE)
    agenda = agendas.ensure_agenda(db, dialogue)
    db.commit()
    assert agenda is not None
    other_school = factory.school(p["m"], name="Naboskolen")
    elsewhere = meetings.create_meeting(db, school_year=p["year"], school=other_school,
                                        title="Naboskolens samtale",
                                        meeting_type=MeetingType.DIALOGUE)
    lus = meetings.create_meeting(db, school_year=p["year"], school=p["school"],
                                  title="LUS Kanarieskolen", meeting_type=MeetingType.LUS,
                                  confidential=True)
    assert planning.set_board_representative_invitations(
        db, p["m"], True, expected_version=p["m"].version) >= 2
    login(client, db, rep)

    page = client.get(f"/meetings/{dialogue.id}")
    assert page.status_code == 200 and "Forældrerepræsentant" in page.text
    assert client.get(f"/agendas/{agenda.id}").status_code == 200
    for url in (f"/meetings/{elsewhere.id}", f"/meetings/{lus.id}",
                f"/meetings/{dialogue.id}/move", f"/meetings/{dialogue.id}/find-time",
                f"/municipalities/{p['m'].id}/scheduling"):
        assert client.get(url).status_code in (403, 404), url
    # Nothing to change on the meeting's page: no move, cancel or participant forms.
    assert "/move" not in page.text and "/cancel" not in page.text
    assert f"/meetings/{dialogue.id}/participants" not in page.text

    # Everything reachable from their meeting, their home and the package: no figures, no
    # other school's or the LUS meeting's title.
    start = ["/", f"/meetings/{dialogue.id}", f"/agendas/{agenda.id}", *p["urls"]]
    pages = _crawl(client, start, limit=150)
    assert "Kanarieskolen" in pages[p["urls"][0]]  # the package is theirs to read
    leaks = {path: _found(body) for path, body in pages.items() if _found(body)}
    assert leaks == {}, f"confidential values shown to the representative: {leaks}"
    for path, body in pages.items():
        assert "Naboskolens samtale" not in body and "LUS Kanarieskolen" not in body, path

    # The municipality decides they may see the figures: now their package shows them.
    service.save_settings(db, p["m"].id, board_representative=True, expected_version=None)
    assert "31,417" in client.get(p["urls"][0]).text
