"""The school comments on its note: while it is out for comments, the leadership writes the
sections meant for the school (in every template, the default included) and comments on any
section; the administration answers and resolves; approving asks about open comments; the
comments stay in the note's history and are never published."""

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.notes import comments, publication, service
from app.notes.models import NoteComment, NoteStatus, SectionWriter
from tests.agendas.conftest import Dialogue
from tests.conftest import login, post_form


@pytest.fixture
def setup(db, factory):
    d = Dialogue(db, factory)
    meeting = d.meeting()
    from app.schools.models import School

    school = db.get(School, meeting.school_id)
    note = service.create_note(db, meeting)  # the municipality's default: Stevns
    assert note.template_key == "stevns"
    return {"d": d, "note": note, "school": school,
            "consultant": factory.user("consultant", municipality=d.municipality,
                                       name="Konsulent Anne"),
            "leader": factory.user("school_leader", school=school, name="Leder Bo"),
            "participant": factory.user("participant", municipality=d.municipality)}


def _soup(r):
    return BeautifulSoup(r.text, "html.parser")


def _sections(db, note):
    return {s.key: s for s in service.sections(db, note.id)}


def _send(db, note):
    service.set_status(db, note, NoteStatus.COMMENTS, expected_version=note.version)


@pytest.mark.parametrize("template", ["stevns", "nyborg", "kolding", "svendborg", "roskilde"])
def test_every_template_has_a_section_the_school_writes(db, factory, template):
    d = Dialogue(db, factory)
    from app.schools.models import SchoolKind

    kind = SchoolKind.SPECIAL if template == "roskilde" else SchoolKind.ORDINARY
    note = service.create_note(db, d.meeting(kind=kind), template_key=template)
    writers = {s.writer for s in service.sections(db, note.id)}
    assert writers & {SectionWriter.SCHOOL, SectionWriter.BOARD}, template


def test_the_leader_writes_the_schools_section_of_the_default_note(client, db, setup):
    note, leader = setup["note"], setup["leader"]
    themes = _sections(db, note)["themes_school"]
    assert themes.writer is SectionWriter.SCHOOL
    login(client, db, leader)
    assert _soup(client.get(f"/notes/{note.id}")).select_one(
        f"#section-{themes.id} textarea") is None  # a draft is the administration's
    _send(db, note)
    page = _soup(client.get(f"/notes/{note.id}"))
    assert page.select_one(f"#section-{themes.id} textarea[name=field-text]") is not None
    r = post_form(client, f"/notes/{note.id}/sections/{themes.id}",
                  {"field-text": "Vi vil også drøfte skolevejen.", "version": themes.version})
    assert r.status_code == 303
    db.refresh(themes)
    assert themes.values["text"] == "Vi vil også drøfte skolevejen."
    # The administration's sections stay closed to the school.
    purpose = _sections(db, note)["purpose"]
    assert post_form(client, f"/notes/{note.id}/sections/{purpose.id}",
                     {"field-text": "x", "version": purpose.version}).status_code == 403


def test_roskilde_opens_the_schools_own_agenda_slots(db, factory):
    from app.schools.models import SchoolKind

    d = Dialogue(db, factory)
    note = service.create_note(db, d.meeting(kind=SchoolKind.SPECIAL), template_key="roskilde")
    slots = [s for s in service.sections(db, note.id) if s.key.startswith("slot-")]
    school = [s.title for s in slots if s.writer is SectionWriter.SCHOOL]
    assert school == ["Kl. 9:50–10:40 Spændende projekter fra skolen",
                      "Kl. 10:40–11:00 Skolens målgruppe og arbejdet med skolevægring"]


@pytest.mark.parametrize("htmx", [False, True])
def test_leader_comments_on_any_section_only_while_out_for_comments(client, db, setup, htmx):
    note, leader = setup["note"], setup["leader"]
    purpose = _sections(db, note)["purpose"]
    url = f"/notes/{note.id}/sections/{purpose.id}/comments"
    login(client, db, leader)
    assert post_form(client, url, {"text": "For tidligt"}, htmx=htmx).status_code == 403
    assert _soup(client.get(f"/notes/{note.id}")).select_one(f"form[action='{url}']") is None
    _send(db, note)
    page = _soup(client.get(f"/notes/{note.id}"))
    form = page.select_one(f"form[action='{url}']")
    assert form is not None and "Kommentér" in form.get_text()
    r = post_form(client, url, {"text": "Formålet bør nævne forældresamarbejdet."}, htmx=htmx)
    if htmx:
        assert r.status_code == 200
        block = _soup(r).select_one(f"#comments-{purpose.id}")
        assert "Formålet bør nævne forældresamarbejdet." in block.get_text()
        assert "<html" not in r.text
    else:
        assert r.status_code == 303 and r.headers["location"].endswith(f"#comments-{purpose.id}")
        page = _soup(client.get(f"/notes/{note.id}"))
        block = page.select_one(f"#comments-{purpose.id}")
        assert "Formålet bør nævne forældresamarbejdet." in block.get_text()
        assert "Leder Bo" in block.get_text()
    (row,) = db.exec(select(NoteComment)).all()
    assert row.section_id == purpose.id and row.author_id == leader.id


@pytest.mark.parametrize("htmx", [False, True])
def test_an_empty_comment_is_refused_in_danish_and_keeps_nothing_lost(client, db, setup, htmx):
    note, leader = setup["note"], setup["leader"]
    _send(db, note)
    section = _sections(db, note)["evaluation"]
    login(client, db, leader)
    r = post_form(client, f"/notes/{note.id}/sections/{section.id}/comments", {"text": "   "},
                  htmx=htmx)
    assert r.status_code == 422 and "Skriv kommentaren først." in r.text
    assert db.exec(select(NoteComment)).all() == []
    long = "x" * (comments.MAX_LENGTH + 1)
    r = post_form(client, f"/notes/{note.id}/sections/{section.id}/comments", {"text": long},
                  htmx=htmx)
    assert r.status_code == 422
    assert _soup(r).select_one(f"#comment-new-{section.id}").get_text() == long


@pytest.mark.parametrize("htmx", [False, True])
def test_consultant_answers_and_resolves_and_the_thread_stays(client, db, setup, htmx):
    note, leader, consultant = setup["note"], setup["leader"], setup["consultant"]
    _send(db, note)
    section = _sections(db, note)["themes_committee"]
    first = comments.add(db, note, section, "Udvalgets tema mangler.", author_id=leader.id)
    second = comments.add(db, note, section, "Og datoen er forkert.", author_id=leader.id)
    login(client, db, consultant)
    page = _soup(client.get(f"/notes/{note.id}"))
    assert "2 åbne" in page.select_one(f"#comments-{section.id} h3").get_text()
    assert "2 kommentarer fra skolen er ikke løst." in page.select_one("#open-comments").get_text()
    # The school's comments are the administration's to answer, not to write.
    assert page.select_one(f"form[action='/notes/{note.id}/sections/{section.id}/comments']") \
        is None
    r = post_form(client, f"/notes/{note.id}/comments/{first.id}/answer",
                  {"text": "Tilføjet – tak.", "resolve": "1"}, htmx=htmx)
    assert r.status_code == (200 if htmx else 303)
    r = post_form(client, f"/notes/{note.id}/comments/{second.id}/resolve", htmx=htmx)
    assert r.status_code == (200 if htmx else 303)
    if htmx:  # the count above the workflow's buttons follows, out of band
        oob = _soup(r).select_one("#open-comments[hx-swap-oob]")
        assert oob is not None and oob.get_text(strip=True) == ""
    db.refresh(first)
    db.refresh(second)
    assert first.resolved_by_id == consultant.id and second.resolved_at is not None
    assert comments.unresolved_count(db, note.id) == 0
    page = _soup(client.get(f"/notes/{note.id}"))
    resolved = page.select_one(f"#comments-{section.id} details")
    text = resolved.get_text(" ", strip=True)
    assert "2 løste kommentarer" in text and "Udvalgets tema mangler." in text
    assert "Tilføjet – tak." in text and "Løst af Konsulent Anne" in text
    # The leader reads the answer too.
    client.cookies.clear()
    login(client, db, leader)
    assert "Tilføjet – tak." in client.get(f"/notes/{note.id}").text


def test_the_school_cannot_answer_or_resolve_and_others_do_not_see_comments(client, db, setup):
    note, leader = setup["note"], setup["leader"]
    _send(db, note)
    section = _sections(db, note)["purpose"]
    row = comments.add(db, note, section, "Kun mellem skole og forvaltning", author_id=leader.id)
    login(client, db, leader)
    assert post_form(client, f"/notes/{note.id}/comments/{row.id}/resolve").status_code == 403
    assert post_form(client, f"/notes/{note.id}/comments/{row.id}/answer",
                     {"text": "x"}).status_code == 403
    client.cookies.clear()
    login(client, db, setup["participant"])
    r = client.get(f"/notes/{note.id}")
    assert r.status_code == 200 and "Kun mellem skole og forvaltning" not in r.text


@pytest.mark.parametrize("htmx", [False, True])
def test_approving_asks_about_unresolved_comments(client, db, setup, htmx):
    note, leader, consultant = setup["note"], setup["leader"], setup["consultant"]
    _send(db, note)
    db.refresh(note)
    section = _sections(db, note)["purpose"]
    comments.add(db, note, section, "Ikke løst endnu", author_id=leader.id)
    login(client, db, consultant)
    page = _soup(client.get(f"/notes/{note.id}"))
    assert page.select_one("#confirm-approve") is not None  # the button asks first
    data = {"status": "approved", "version": note.version}
    r = post_form(client, f"/notes/{note.id}/status", data, htmx=htmx)
    assert r.status_code == 200
    assert "1 kommentar fra skolen er ikke løst." in r.text
    assert ("<dialog" in r.text) is htmx
    db.refresh(note)
    assert note.status is NoteStatus.COMMENTS
    r = post_form(client, f"/notes/{note.id}/status", {**data, "confirmed": "1"})
    assert r.status_code == 303
    db.refresh(note)
    assert note.status is NoteStatus.APPROVED


def test_approving_without_open_comments_asks_nothing(client, db, setup):
    note, consultant = setup["note"], setup["consultant"]
    login(client, db, consultant)
    assert _soup(client.get(f"/notes/{note.id}")).select_one("#confirm-approve") is None
    r = post_form(client, f"/notes/{note.id}/status",
                  {"status": "approved", "version": note.version})
    assert r.status_code == 303


def test_comments_are_never_in_the_published_note(client, db, setup):
    note, leader = setup["note"], setup["leader"]
    _send(db, note)
    db.refresh(note)
    section = _sections(db, note)["purpose"]
    row = comments.add(db, note, section, "Kanariekommentaren", author_id=leader.id)
    comments.resolve(db, row, user_id=None)
    db.refresh(note)
    service.set_status(db, note, NoteStatus.APPROVED, expected_version=note.version)
    published = publication.publish(db, note, expected_version=note.version, user_id=None)
    assert "Kanariekommentaren" not in str(published.content)
    r = client.get(f"/public/notes/{published.id}")
    assert r.status_code == 200 and note.title in r.text
    assert "Kanariekommentaren" not in r.text
    # Published: the thread is history, nobody answers any more.
    login(client, db, setup["consultant"])
    page = _soup(client.get(f"/notes/{note.id}"))
    assert "Kanariekommentaren" in page.get_text()
    assert post_form(client, f"/notes/{note.id}/comments/{row.id}/answer",
                     {"text": "sent"}).status_code == 403
