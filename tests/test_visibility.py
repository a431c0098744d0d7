"""Every list shows only what its reader may open: each demo user walks every page that lists
meetings, notes, agreements or data packages, and everything listed must open for them (GET
answers 200); LUS talks of other schools and agreements of unpublished notes never show."""

import re
from functools import cache

import pytest
from sqlmodel import Session, select

from tests.demo_site import client_for, demo_app, demo_users, principal_for

MEETING = re.compile(r'href="/meetings/(\d+)[#"/?]')
NOTE = re.compile(r'href="/notes/(\d+)[#"/?]')
PACKAGE = re.compile(r'href="(/schools/\d+/years/\d+/package)[#"?]')
AGREEMENT = re.compile(r'id="agreement-(\d+)"')


def _listing_pages(email: str) -> list[str]:
    """Every page that lists meetings, notes, agreements or packages, in every municipality
    (the user's own and the others: those answer 403 and list nothing)."""
    from app.cycles.models import SchoolYear, Step
    from app.schools.models import Municipality, Person, School

    _app, engine = demo_app()
    pages = ["/"]
    with Session(engine) as s:
        for m in s.exec(select(Municipality)):
            pages += [f"/municipalities/{m.id}{tail}" for tail in
                      ("", "/years", "/agreements", "/calendars", "/data")]
        for y in s.exec(select(SchoolYear)):
            pages += [f"/municipalities/{y.municipality_id}/years/{y.start_year}",
                      f"/municipalities/{y.municipality_id}/years/{y.start_year}/timeline"]
        pages += [f"/steps/{st.id}" for st in s.exec(select(Step))]
        for school in s.exec(select(School)):
            pages += [f"/schools/{school.id}", f"/schools/{school.id}/agreements"]
        user_person = principal_for(email).user.person_id
        pages += [f"/people/{p.id}" for p in s.exec(select(Person)) if
                  p.school_id is None or p.id == user_person]
    return pages


@cache
def listed(email: str) -> dict[str, dict[int, str]]:
    """Kind → id → the first page that lists it."""
    client = client_for(email)
    found: dict[str, dict[int, str]] = {"meeting": {}, "note": {}, "package": {},
                                        "agreement": {}}
    for url in _listing_pages(email):
        response = client.get(url, follow_redirects=True)
        assert response.status_code < 500, url
        if response.status_code != 200 or "text/html" not in response.headers["content-type"]:
            continue
        body = response.text
        for kind, pattern in (("meeting", MEETING), ("note", NOTE), ("package", PACKAGE),
                              ("agreement", AGREEMENT)):
            for key in pattern.findall(body):
                found[kind].setdefault(key if kind == "package" else int(key), url)
    return found


USERS = demo_users()


@pytest.mark.parametrize("email", USERS)
def test_everything_listed_opens(email):
    client = client_for(email)
    found = listed(email)
    refused = []
    for meeting_id, where in found["meeting"].items():
        if client.get(f"/meetings/{meeting_id}").status_code != 200:
            refused.append(f"/meetings/{meeting_id} listed on {where}")
    for note_id, where in found["note"].items():
        if client.get(f"/notes/{note_id}").status_code != 200:
            refused.append(f"/notes/{note_id} listed on {where}")
    for url, where in found["package"].items():
        if client.get(url).status_code != 200:
            refused.append(f"{url} listed on {where}")
    assert refused == []


@pytest.mark.parametrize("email", USERS)
def test_no_confidential_meeting_of_another_school(email):
    """Unless they hold the talk (invited to it) or run the municipality."""
    from app.meetings.models import Meeting, MeetingParticipant
    from app.schools.policy import can_manage_municipality

    p = principal_for(email)
    _app, engine = demo_app()
    with Session(engine) as s:
        invited = set(s.exec(select(MeetingParticipant.meeting_id).where(
            MeetingParticipant.person_id == p.user.person_id))) if p.user.person_id else set()
        wrong = [f"{m.title} (/meetings/{m.id}) on {where}"
                 for m_id, where in listed(email)["meeting"].items()
                 for m in [s.get(Meeting, m_id)]
                 if m.confidential and m.school_id not in p.school_ids() and m.id not in invited
                 and not can_manage_municipality(p, m.municipality_id)]
    assert wrong == []


@pytest.mark.parametrize("email", USERS)
def test_agreements_only_of_notes_the_user_may_read_or_published(email):
    from app.notes.models import Agreement, Note, NoteStatus
    from app.notes.public import publishes

    client = client_for(email)
    _app, engine = demo_app()
    wrong = []
    with Session(engine) as s:
        for agreement_id, where in listed(email)["agreement"].items():
            note = s.get(Note, s.get(Agreement, agreement_id).note_id)
            public = note.status is NoteStatus.PUBLISHED and publishes(s, note.municipality_id)
            if not public and client.get(f"/notes/{note.id}").status_code != 200:
                wrong.append(f"agreement {agreement_id} of /notes/{note.id} "
                             f"({note.status.value}) on {where}")
    assert wrong == []


def test_the_walk_can_see_what_it_must_hide():
    """The demo holds what the tests above look for: LUS talks at other schools than a
    leader's own, listed for the consultant; agreements of unpublished notes, listed for the
    administration."""
    from app.meetings.models import Meeting
    from app.notes.models import Agreement, Note, NoteStatus

    _app, engine = demo_app()
    with Session(engine) as s:
        lus = {m.id for m in s.exec(select(Meeting).where(Meeting.confidential.is_(True)))}
        unpublished = {a.id for a, _n in s.exec(
            select(Agreement, Note).join(Note, Note.id == Agreement.note_id)
            .where(Note.status != NoteStatus.PUBLISHED))}
    assert lus & set(listed("konsulent@ringsted.demo")["meeting"])
    assert unpublished & set(listed("konsulent@skanderborg.demo")["agreement"])


def test_a_scheduling_conflict_does_not_name_a_meeting_the_reader_may_not_read():
    """A clash with another school's LUS talk is shown to this school's leader as a clash with
    "another meeting"; the consultant, who may read the talk, sees its title."""
    from app.meetings.models import Meeting
    from app.scheduling import conflicts

    _app, engine = demo_app()
    leader = principal_for("leder@byskovskolen.demo")
    consultant = principal_for("konsulent@ringsted.demo")
    with Session(engine) as s:
        lus = next(m for m in s.exec(select(Meeting).where(Meeting.confidential.is_(True)))
                   if m.school_id not in leader.school_ids()
                   and m.municipality_id in leader.municipality_ids())
        own = next(m for m in s.exec(select(Meeting).where(
            Meeting.school_id.in_(leader.school_ids()), Meeting.confidential.is_(False))))
        found = {own.id: [conflicts.Conflict(own.id, "overlap", "Skolechefen", lus.title,
                                             other_id=lus.id)]}
        (for_leader,) = conflicts.for_reader(s, found, leader)[own.id]
        (for_consultant,) = conflicts.for_reader(s, found, consultant)[own.id]
    assert lus.title not in for_leader.text and "et andet møde" in for_leader.text
    assert lus.title in for_consultant.text


def test_another_schools_page_says_what_the_reader_sees_and_shows_no_empty_box():
    """Byskovskolen's leader on Dagmarskolen's page: no meetings they may open are listed,
    the page says so as such, and the scheduling box with nothing in it is left out."""
    page = client_for("leder@byskovskolen.demo").get("/schools/14")
    assert page.status_code == 200 and "Dagmarskolen" in page.text
    assert "Ingen møder i dette skoleår, som du har adgang til." in page.text
    assert "Mødetider" not in page.text
    own = client_for("konsulent@ringsted.demo").get("/schools/14")
    assert "Mødetider" in own.text  # the consultant may set the school's meeting times
