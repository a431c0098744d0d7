"""The note pages: who may write what and when, autosave with HTMX and submit without,
conflicts shown side by side (409), agreements, workflow, publication and settings."""

import re

import pytest
from bs4 import BeautifulSoup

from app.notes import agreements, publication, service
from app.notes.models import Agreement, NoteStatus
from tests.agendas.conftest import Dialogue
from tests.confirming import asks_first
from tests.conftest import login, post_form


@pytest.fixture
def setup(db, factory):
    d = Dialogue(db, factory)
    d.settings("stevns")
    row = service.municipality_settings(db, d.municipality.id)
    row.template_key = "svendborg"  # it has the school board's comments
    db.add(row)
    db.commit()
    meeting = d.meeting()
    from app.schools.models import School


    school = db.get(School, meeting.school_id)
    consultant = factory.user("consultant", municipality=d.municipality, name="Konsulent Anne")
    leader = factory.user("school_leader", school=school, name="Leder Bo")
    return d, meeting, school, consultant, leader


def _soup(r):
    return BeautifulSoup(r.text, "html.parser")


def _sections(db, note):
    return {s.key: s for s in service.sections(db, note.id)}


def test_anonymous_is_sent_to_login_and_posts_need_csrf(client, db, setup):
    _, meeting, _, consultant, _ = setup
    note = service.create_note(db, meeting)
    r = client.get(f"/notes/{note.id}", follow_redirects=False)
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]
    login(client, db, consultant)
    section = _sections(db, note)["theme1"]
    r = client.post(f"/notes/{note.id}/sections/{section.id}",
                    data={"field-background": "x", "version": section.version})
    assert r.status_code == 403  # no CSRF token
    db.refresh(section)
    assert section.values["background"] == ""


def test_consultant_writes_the_note_from_the_meeting_page(client, db, setup):
    _, meeting, school, consultant, _ = setup
    login(client, db, consultant)
    page = _soup(client.get(f"/meetings/{meeting.id}"))
    form = page.select_one(f"form[action='/meetings/{meeting.id}/note']")
    assert form is not None and "Skriv notatet" in form.get_text()
    r = post_form(client, f"/meetings/{meeting.id}/note")
    assert r.status_code == 303
    note = service.note_for_meeting(db, meeting.id)
    assert r.headers["location"] == f"/notes/{note.id}"
    page = _soup(client.get(f"/notes/{note.id}"))
    assert page.h1.get_text(strip=True) == note.title
    assert page.select_one("#note-status").get_text(strip=True) == "Kladde"
    assert [b.get_text(strip=True) for b in page.select("#workflow button")] == \
        ["Send til skolen til kommentering", "Godkend notatet"]
    assert "Godkend notatet, før det offentliggøres." in page.select_one("#cannot-publish").text
    # The meeting and school pages now link the note with its status.
    assert f"/notes/{note.id}" in client.get(f"/meetings/{meeting.id}").text
    school_page = _soup(client.get(f"/schools/{school.id}"))
    assert "Kladde" in school_page.find(id="notes-section-heading").parent.get_text()


def test_save_without_js_redirects_and_with_htmx_answers_saved_at(client, db, setup):
    _, meeting, _, consultant, _ = setup
    note = service.create_note(db, meeting)
    login(client, db, consultant)
    s = _sections(db, note)["theme1"]
    url = f"/notes/{note.id}/sections/{s.id}"
    r = post_form(client, url, {"field-background": "Læsning", "field-initiatives": "Kurser",
                                "version": s.version})
    assert r.status_code == 303 and r.headers["location"] == f"/notes/{note.id}#section-{s.id}"
    db.refresh(s)
    assert s.values == {"background": "Læsning", "initiatives": "Kurser"}
    r = post_form(client, url, {"field-background": "Læsning og skrivning",
                                "field-initiatives": "Kurser", "version": s.version}, htmx=True)
    assert r.status_code == 200
    soup = _soup(r)
    assert re.fullmatch(r"Gemt kl\. \d\d:\d\d", soup.select_one(f"#section-{s.id}-status").text)
    db.refresh(s)
    assert soup.select_one(f"#section-{s.id}-version")["value"] == str(s.version)
    assert "<textarea" not in r.text  # the text being typed is not replaced


def test_conflict_gives_409_with_both_texts_and_resolves_by_merging(client, db, factory, setup):
    _, meeting, _, consultant, _ = setup
    note = service.create_note(db, meeting)
    s = _sections(db, note)["theme1"]
    seen = s.version
    service.save_section(db, s, {"background": "Annes tekst", "initiatives": ""},
                         expected_version=seen, author_id=consultant.id)
    other = factory.user("consultant", municipality=setup[0].municipality, name="Konsulent Carl")
    login(client, db, other)
    r = post_form(client, f"/notes/{note.id}/sections/{s.id}",
                  {"field-background": "Carls tekst", "field-initiatives": "", "version": seen},
                  htmx=True)
    assert r.status_code == 409
    assert r.headers["HX-Retarget"] == f"#section-{s.id}"
    soup = _soup(r)
    assert soup.select_one("[data-which=mine]").text == "Carls tekst"
    assert soup.select_one("[data-which=theirs]").text == "Annes tekst"
    assert "Den gemte tekst (af Konsulent Anne, kl." in soup.text
    merge = soup.select_one("textarea[name=merge-background]").text
    assert "Annes tekst" in merge and "Carls tekst" in merge
    # Loading the page again shows the choice still waiting.
    page = _soup(client.get(f"/notes/{note.id}"))
    assert page.select_one(f"#section-{s.id} [data-which=mine]").text == "Carls tekst"
    form = page.select_one(f"#section-{s.id} form[action$='/resolve']")
    fields = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    fields.update({"choice": "merge", "merge-background": "Annes tekst\nCarls tekst",
                   "merge-initiatives": ""})
    r = post_form(client, form["action"], fields)
    assert r.status_code == 303
    db.refresh(s)
    assert s.values["background"] == "Annes tekst\nCarls tekst"
    page = _soup(client.get(f"/notes/{note.id}"))
    assert page.select_one(f"#section-{s.id} [data-which=mine]") is None
    history = page.select_one(f"#section-{s.id} details").get_text()
    assert "Annes tekst" in history and "Carls tekst" in history and "konflikten er løst" in history


def test_school_leader_writes_school_sections_only_while_out_for_comments(client, db, setup):
    _, meeting, _, consultant, leader = setup
    note = service.create_note(db, meeting)
    board, theme = _sections(db, note)["board"], _sections(db, note)["theme1"]
    login(client, db, leader)

    def save(section, text):
        return post_form(client, f"/notes/{note.id}/sections/{section.id}",
                         {f"field-{section.fields[0]['key']}": text, "version": section.version})

    assert save(board, "For tidligt").status_code == 403
    page = _soup(client.get(f"/notes/{note.id}"))
    assert page.select_one(f"#section-{board.id} textarea") is None
    assert page.select_one("#workflow form") is None  # the school moves no status
    service.set_status(db, note, NoteStatus.COMMENTS, expected_version=note.version)
    page = _soup(client.get(f"/notes/{note.id}"))
    assert page.select_one(f"#section-{board.id} textarea[name^=field-]") is not None
    assert page.select_one(f"#section-{theme.id} textarea[name^=field-]") is None  # comments only
    assert save(board, "Bestyrelsen bakker op").status_code == 303
    assert save(theme, "Skolen retter forvaltningens afsnit").status_code == 403
    db.refresh(board)
    assert board.values["text"] == "Bestyrelsen bakker op"
    assert post_form(client, f"/notes/{note.id}/status",
                     {"status": "approved", "version": note.version}).status_code == 403
    assert post_form(client, f"/notes/{note.id}/agreements", {"text": "x"}).status_code == 403


def test_confidential_section_is_labelled_and_hidden_from_others(client, db, factory, setup):
    d, _, _, consultant, _ = setup
    row = service.municipality_settings(db, d.municipality.id)
    row.template_key = "stevns"
    db.add(row)
    db.commit()
    note = service.create_note(db, d.meeting(name="Søskolen"))
    tests = _sections(db, note)["national_tests"]
    login(client, db, consultant)
    section = _soup(client.get(f"/notes/{note.id}")).select_one(f"#section-{tests.id}")
    assert "Fortroligt – offentliggøres aldrig" in section.get_text()
    # A participant (e.g. a head of department) reads the note, but not the test results.
    participant = factory.user("participant", municipality=d.municipality)
    client.cookies.clear()
    login(client, db, participant)
    r = client.get(f"/notes/{note.id}")
    assert r.status_code == 200
    assert _soup(r).select_one(f"#section-{tests.id}") is None
    assert "Drøftelser vedrørende resultater" not in r.text
    assert post_form(client, f"/notes/{note.id}/sections/{tests.id}",
                     {"field-text": "x", "version": tests.version}).status_code in (403, 404)


def test_approve_publish_and_correct_with_a_reason(client, db, setup):
    _, meeting, _, consultant, _ = setup
    note = service.create_note(db, meeting)
    login(client, db, consultant)
    r = post_form(client, f"/notes/{note.id}/status", {"status": "approved",
                                                        "version": note.version})
    assert r.status_code == 303
    db.refresh(note)
    r = post_form(client, f"/notes/{note.id}/publish", {"version": note.version,
                                                         "confirmed": "1"})
    assert r.status_code == 303 and r.headers["location"].endswith("#versions")
    db.refresh(note)
    assert note.status is NoteStatus.PUBLISHED and len(publication.versions(db, note.id)) == 1
    s = _sections(db, note)["theme1"]
    service.save_section(db, s, {"background": "Rettet", "initiatives": ""},
                         expected_version=s.version, author_id=consultant.id)
    page = _soup(client.get(f"/notes/{note.id}"))
    assert page.find("button", string="Offentliggør rettelse") is not None
    r = post_form(client, f"/notes/{note.id}/publish", {"version": note.version, "correction": ""})
    assert r.status_code == 422 and "Skriv kort, hvad rettelsen ændrer." in r.text
    r = post_form(client, f"/notes/{note.id}/publish",
                  {"version": note.version, "correction": "Tematik 1 er uddybet.",
                   "confirmed": "1"})
    assert r.status_code == 303
    page = _soup(client.get(f"/notes/{note.id}"))
    versions = page.select_one("#versions").find_next("ul").get_text(" ", strip=True)
    assert "Version 2" in versions and "Version 1" in versions
    assert "Tematik 1 er uddybet." in versions


def test_agreements_add_edit_validation_and_delete(client, db, setup):
    _, meeting, _, consultant, _ = setup
    note = service.create_note(db, meeting)
    login(client, db, consultant)
    r = post_form(client, f"/notes/{note.id}/agreements",
                  {"text": "Læsebånd", "responsible": "school", "due_date": "juni"})
    assert r.status_code == 422 and "Skal være en dato" in r.text
    assert _soup(r).select_one("#f-text").text == "Læsebånd"  # input kept
    r = post_form(client, f"/notes/{note.id}/agreements",
                  {"text": "Læsebånd", "responsible": "school", "due_date": "2027-06-01"})
    assert r.status_code == 303
    row = agreements.for_note(db, note.id)[0]
    page = _soup(client.get(f"/notes/{note.id}"))
    cells = [c.get_text(" ", strip=True) for c in page.select(f"#agreement-{row.id} td")]
    assert cells[:4] == ["Læsebånd", "Skolen", "1. juni 2027", "Ny"]
    r = post_form(client, f"/notes/{note.id}/agreements/{row.id}",
                  {"text": "Læsebånd hver dag", "responsible": "both", "version": row.version - 1})
    assert r.status_code == 409 and "En anden gemte aftalen" in r.text
    r = post_form(client, f"/notes/{note.id}/agreements/{row.id}",
                  {"text": "Læsebånd hver dag", "responsible": "both", "version": row.version})
    assert r.status_code == 303
    db.refresh(row)
    assert row.text == "Læsebånd hver dag"
    assert post_form(client, f"/notes/{note.id}/agreements/{row.id}/delete",
                     {"confirmed": "1"}).status_code == 303
    db.expire_all()
    assert db.get(Agreement, row.id) is None


def test_publishing_and_deleting_an_agreement_ask_first(client, db, setup):
    _, meeting, _, consultant, _ = setup
    note = service.create_note(db, meeting)
    service.set_status(db, note, NoteStatus.APPROVED, expected_version=note.version)
    row = agreements.add(db, note, agreements.AgreementForm(text="Læsebånd hver dag",
                                                            responsible="school"))
    login(client, db, consultant)
    url = f"/notes/{note.id}"

    def unpublished():
        db.expire_all()
        assert publication.versions(db, note.id) == []

    fields = asks_first(client, url, f"{url}/publish", title=f'Offentliggør "{note.title}"?',
                        says=["Alle kan læse notatet på kommunens offentlige sider",
                              "Det kan ikke trækkes tilbage"], unchanged=unpublished)
    r = post_form(client, f"{url}/publish", fields)
    assert r.status_code == 303 and len(publication.versions(db, note.id)) == 1

    def still_there():
        db.expire_all()
        assert db.get(Agreement, row.id) is not None

    fields = asks_first(client, url, f"{url}/agreements/{row.id}/delete",
                        title='Slet aftalen "Læsebånd hver dag"?',
                        says=["næste års samtale følger ikke længere op på den",
                              "Allerede offentliggjorte versioner beholder den"],
                        unchanged=still_there)
    assert post_form(client, f"{url}/agreements/{row.id}/delete", fields).status_code == 303
    db.expire_all()
    assert db.get(Agreement, row.id) is None


def test_a_correction_without_a_reason_is_refused_before_asking(client, db, setup):
    _, meeting, _, consultant, _ = setup
    note = service.create_note(db, meeting)
    service.set_status(db, note, NoteStatus.APPROVED, expected_version=note.version)
    publication.publish(db, note, expected_version=note.version, user_id=None)
    s = _sections(db, note)["theme1"]
    service.save_section(db, s, {"background": "Rettet", "initiatives": ""},
                         expected_version=s.version, author_id=consultant.id)
    login(client, db, consultant)
    # With htmx the page keeps what was typed and a dialog says why; without, the page again.
    r = post_form(client, f"/notes/{note.id}/publish", {"version": note.version,
                                                         "correction": " "}, htmx=True)
    dialog = _soup(r).select_one("dialog.confirm-dialog")
    assert r.status_code == 422 and dialog.select_one("form") is None
    assert "Skriv kort, hvad rettelsen ændrer." in dialog.get_text()
    assert dialog.select_one("[data-close-dialog]").get_text(strip=True) == "Tilbage"
    r = post_form(client, f"/notes/{note.id}/publish", {"version": note.version,
                                                         "correction": " "})
    assert r.status_code == 422 and "Skriv kort, hvad rettelsen ændrer." in r.text
    r = post_form(client, f"/notes/{note.id}/publish", {"version": note.version,
                                                         "correction": "Tema 1 er uddybet."})
    said = " ".join(li.get_text(" ", strip=True) for li in _soup(r).select(".confirm-page li"))
    assert 'offentliggøres som version 2 med jeres forklaring: "Tema 1 er uddybet."' in said
    assert len(publication.versions(db, note.id)) == 1


def test_note_settings(client, db, factory, setup):
    d, *_ = setup
    login(client, db, setup[3])
    r = client.get(f"/municipalities/{d.municipality.id}/note-settings")
    assert r.status_code == 200
    row = service.municipality_settings(db, d.municipality.id)
    r = post_form(client, f"/municipalities/{d.municipality.id}/note-settings",
                  {"template_key": "nyborg", "special_template_key": "roskilde",
                   "publication_place": "på skolens hjemmeside", "version": row.version})
    assert r.status_code == 303
    db.refresh(row)
    assert (row.template_key, row.special_template_key, row.publishes, row.publication_place) \
        == ("nyborg", "roskilde", False, "på skolens hjemmeside")
    assert f"/municipalities/{d.municipality.id}/note-settings" in \
        client.get(f"/municipalities/{d.municipality.id}").text
    client.cookies.clear()
    login(client, db, setup[4])
    assert client.get(f"/municipalities/{d.municipality.id}/note-settings").status_code == 403


def test_step_page_counts_notes(db, setup):
    from app.accounts.access import Grant, Principal
    from app.accounts.models import Role
    from app.cycles import progress as cycle_progress
    from app.cycles.models import Step

    admin = Principal(grants=(Grant(Role.ADMIN, None, None),))
    _, meeting, school, *_ = setup
    note = service.create_note(db, meeting)
    step = db.get(Step, meeting.step_id)
    rows, counts = cycle_progress.step_progress(db, step, admin)
    row = next(r for r in rows if r.school.id == school.id)
    assert row.extra["note_written"] and not row.extra["note_published"]
    note = service.set_status(db, note, NoteStatus.APPROVED, expected_version=note.version)
    publication.publish(db, note, expected_version=note.version, user_id=None)
    rows, counts = cycle_progress.step_progress(db, step, admin)
    assert counts["note_published"] == 1
