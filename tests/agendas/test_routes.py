"""The agenda pages: who may do what, with and without HTMX, conflicts, uploads, export."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.agendas import attachments as agenda_attachments
from app.agendas import build as agenda_build
from app.agendas import goals as agenda_goals
from app.agendas import items as agenda_items
from app.agendas import settings as agenda_settings
from app.agendas import themes as agenda_themes
from app.agendas import timeline as agenda_timeline
from app.agendas.models import AgendaTheme
from tests.conftest import htmx_get, login, post_form

CONTRACT = "app/catalog/contracts/veng.txt"


@pytest.fixture
def setup(db, factory, dialogue):
    dialogue.settings("stevns")
    meeting = dialogue.meeting(pupils=700, special_classes=True,
                               deadline=date.today() + timedelta(days=10))
    agenda = agenda_build.ensure_agenda(db, meeting)
    school = db.get(type(factory.school(dialogue.municipality)), meeting.school_id)
    consultant = factory.user("consultant", municipality=dialogue.municipality)
    leader = factory.user("school_leader", school=school)
    return dialogue, meeting, agenda, school, consultant, leader


def _soup(response):
    return BeautifulSoup(response.text, "html.parser")


def _set_deadline(db, meeting, day):
    from app.cycles.models import Step

    step = db.get(Step, meeting.step_id)
    step.school_input_deadline = day
    db.add(step)
    db.commit()


def test_agenda_page_whole_and_as_fragment(client, db, setup):
    _, meeting, agenda, school, consultant, _ = setup
    login(client, db, consultant)
    page = client.get(f"/agendas/{agenda.id}")
    assert page.status_code == 200 and "<html" in page.text
    soup = _soup(page)
    assert soup.h1.get_text(strip=True) == f"Dagsorden for {school.name}s skoleudviklingssamtale"
    titles = [h.get_text(" ", strip=True) for h in soup.select(".agenda-item__title")]
    assert titles[0] == "1. Evaluering" and titles[-1] == "3. Aftaler for det kommende skoleår"
    assert soup.select_one("#item-%d" % agenda_items.list_items(db, agenda.id)[0].id).get_text(
        " ", strip=True).startswith("08:00–08:15 15 min")
    frag = htmx_get(client, f"/agendas/{agenda.id}")
    assert "<html" not in frag.text and "Evaluering" in frag.text
    # The meeting page shows the agenda section, and /meetings/{id}/agenda leads to it.
    assert f"/agendas/{agenda.id}" in client.get(f"/meetings/{meeting.id}").text
    r = client.get(f"/meetings/{meeting.id}/agenda")
    assert r.status_code == 303 and r.headers["location"] == f"/agendas/{agenda.id}"


def test_other_municipality_sees_nothing(client, db, factory, setup):
    _, meeting, agenda, *_ = setup
    login(client, db, factory.user("consultant", municipality=factory.municipality()))
    assert client.get(f"/agendas/{agenda.id}").status_code == 403
    assert client.get(f"/agendas/{agenda.id}/agenda.docx").status_code == 403
    assert client.get(f"/agendas/{agenda.id}/print").status_code == 403


def test_school_leader_adds_edits_and_removes_a_theme_before_the_deadline(client, db, setup):
    _, meeting, agenda, school, _, leader = setup
    login(client, db, leader)
    page = _soup(client.get(f"/agendas/{agenda.id}"))
    assert page.select_one("form[action$='/themes']") is not None
    r = post_form(client, f"/agendas/{agenda.id}/themes",
                  {"title": "Læsning på mellemtrinnet", "description": "Vi vil drøfte …"})
    assert r.status_code == 303
    theme = db.exec(select(AgendaTheme).order_by(AgendaTheme.id)).all()[-1]
    assert theme.title == "Læsning på mellemtrinnet" and theme.from_school
    r = post_form(client, f"/agendas/{agenda.id}/themes/{theme.id}",
                  {"title": "Læsning", "description": "", "version": theme.version})
    assert r.status_code == 303
    db.refresh(theme)
    assert theme.title == "Læsning"
    # Leaders may not edit items, reorder or accept.
    item = agenda_items.list_items(db, agenda.id)[0]
    assert post_form(client, f"/agendas/{agenda.id}/items/{item.id}/move",
                     {"direction": "down"}).status_code == 403
    assert post_form(client, f"/agendas/{agenda.id}/themes/{theme.id}/accept",
                     {"accepted": "1"}).status_code == 403
    assert client.get(f"/agendas/{agenda.id}/items/{item.id}/edit").status_code == 403
    asked = post_form(client, f"/agendas/{agenda.id}/themes/{theme.id}/delete")
    assert asked.status_code == 200 and 'Fjern temaet &#34;Læsning&#34;?' in asked.text
    assert db.get(AgendaTheme, theme.id) is not None  # asked first, nothing removed yet
    assert post_form(client, f"/agendas/{agenda.id}/themes/{theme.id}/delete",
                     {"confirmed": "1"}).status_code == 303
    assert db.get(AgendaTheme, theme.id) is None


def test_after_the_deadline_the_school_is_read_only_and_told_so(client, db, setup):
    _, meeting, agenda, school, consultant, leader = setup
    theme = agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(title="Trivsel"), from_school=True)
    _set_deadline(db, meeting, date.today() - timedelta(days=1))
    login(client, db, leader)
    page = _soup(client.get(f"/agendas/{agenda.id}"))
    assert page.select_one("form[action$='/themes']") is None
    assert "Fristen for skolens temaer var" in page.select_one("#deadline").get_text()
    assert page.select_one(f"#theme-{theme.id} a[href$='/edit']") is None
    r = post_form(client, f"/agendas/{agenda.id}/themes", {"title": "For sent"})
    assert r.status_code == 403 and "Fristen for skolens temaer er udløbet" in r.text
    assert _soup(r).select_one('#refused-text').get_text() == "For sent"  # not lost
    r = post_form(client, f"/agendas/{agenda.id}/themes/{theme.id}",
                  {"title": "Ændret", "version": theme.version})
    assert r.status_code == 403
    post_form(client, f"/agendas/{agenda.id}/themes/{theme.id}/delete", {"confirmed": "1"})
    db.refresh(theme)
    assert theme.title == "Trivsel"
    # The consultant still edits everything, and accepts the theme.
    client.cookies.clear()
    login(client, db, consultant)
    assert post_form(client, f"/agendas/{agenda.id}/themes/{theme.id}/accept",
                     {"accepted": "1"}).status_code == 303
    db.refresh(theme)
    assert theme.accepted


def test_reorder_with_and_without_htmx(client, db, setup):
    _, meeting, agenda, _, consultant, _ = setup
    login(client, db, consultant)
    first, second = agenda_items.list_items(db, agenda.id)[:2]
    r = post_form(client, f"/agendas/{agenda.id}/items/{first.id}/move", {"direction": "down"})
    assert r.status_code == 303 and r.headers["location"].endswith(f"#item-{first.id}")
    assert [i.id for i in agenda_items.list_items(db, agenda.id)[:2]] == [second.id, first.id]
    r = post_form(client, f"/agendas/{agenda.id}/items/{first.id}/move", {"direction": "up"},
                  htmx=True)
    assert r.status_code == 200 and "<html" not in r.text
    soup = _soup(r)
    assert soup.select_one("#agenda-items") is not None
    # Focus returns to the same button after the swap (keyboard users keep their place).
    focused = soup.select_one("[data-focus-after-swap]")
    assert focused is not None and focused.find_parent("article")["id"] == f"item-{first.id}"
    assert [i.id for i in agenda_items.list_items(db, agenda.id)[:2]] == [first.id, second.id]


def test_concurrent_item_edits_are_detected(client, db, setup):
    _, meeting, agenda, _, consultant, _ = setup
    login(client, db, consultant)
    item = agenda_items.list_items(db, agenda.id)[0]
    opened = item.version
    form = {"title": "Evaluering af sidste år", "minutes": "20", "owner": "joint",
            "description": "", "sub_points": "", "group": ""}
    assert post_form(client, f"/agendas/{agenda.id}/items/{item.id}",
                     {**form, "version": opened}).status_code == 303
    r = post_form(client, f"/agendas/{agenda.id}/items/{item.id}",
                  {**form, "title": "Opfølgning", "minutes": "25", "version": opened})
    assert r.status_code == 409
    soup = _soup(r)
    conflict = soup.select_one(".conflict").get_text(" ", strip=True)
    assert "Evaluering af sidste år" in conflict and "Opfølgning" in conflict
    assert soup.select_one("#f-title")["value"] == "Opfølgning"
    db.refresh(item)
    assert item.title == "Evaluering af sidste år" and item.minutes == 20 and item.edited


def test_invalid_item_keeps_input(client, db, setup):
    _, meeting, agenda, _, consultant, _ = setup
    login(client, db, consultant)
    item = agenda_items.list_items(db, agenda.id)[1]
    r = post_form(client, f"/agendas/{agenda.id}/items/{item.id}",
                  {"title": "Skolen", "minutes": "mange", "version": item.version})
    assert r.status_code == 422
    soup = _soup(r)
    assert soup.select_one("#f-minutes")["value"] == "mange"
    assert soup.select_one("#f-minutes-error").get_text(strip=True) == "Skal være et helt tal."


def _docx_bytes() -> bytes:
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


def test_upload_accepts_real_files_and_refuses_wrong_types_and_sizes(client, db, setup,
                                                                     monkeypatch):
    _, meeting, agenda, _, consultant, leader = setup
    login(client, db, consultant)
    item = agenda_items.list_items(db, agenda.id)[1]
    url = f"/agendas/{agenda.id}/attachments"

    def upload(name, content, **data):
        from tests.conftest import csrf

        return client.post(url, data={"csrf_token": csrf(client), "item_id": item.id, **data},
                           files={"file": (name, content, "application/octet-stream")})

    assert upload("plan.pdf", b"%PDF-1.7\n...").status_code == 303
    assert upload("data.docx", _docx_bytes()).status_code == 303
    # A renamed executable, a zip that is no Office file, a PDF called .docx: refused.
    for name, content in [("virus.pdf", b"MZ\x90\x00"), ("arkiv.xlsx", _zip()),
                          ("plan.docx", b"%PDF-1.7"), ("noter.txt", b"hej")]:
        r = upload(name, content)
        assert r.status_code == 422, name
        assert "Kun PDF, Word (.docx) og Excel (.xlsx)" in r.text
    monkeypatch.setattr(agenda_attachments, "MAX_FILE_MB", 0)
    r = upload("stor.pdf", b"%PDF-1.7 and more")
    assert r.status_code == 422 and "Filen er for stor" in r.text
    files = list(agenda_timeline.timeline(db, agenda, meeting).rows[1].attachments)
    assert [a.file_name for a in files] == ["plan.pdf", "data.docx"]
    # Served only to those who may see the agenda, as a download, from outside static/.
    r = client.get(f"/attachments/{files[0].id}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["content-type"] == "application/pdf"
    assert "static" not in str(agenda_attachments.attachment_path(files[0]))
    client.cookies.clear()
    from tests.conftest import login as login_again

    other = setup[0].factory.user("consultant", municipality=setup[0].factory.municipality())
    login_again(client, db, other)
    assert client.get(f"/attachments/{files[0].id}").status_code == 403


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "hej")
    return buffer.getvalue()


def test_links_and_data_sections_are_listed(client, db, setup):
    _, meeting, agenda, _, consultant, _ = setup
    def provider(s, school_id, year_id, key):
        return f"/data/{school_id}/{year_id}#{key}" if key == "wellbeing" else None

    agenda_attachments.data_section_urls.add(provider)
    try:
        login(client, db, consultant)
        item = agenda_items.list_items(db, agenda.id)[1]
        r = post_form(client, f"/agendas/{agenda.id}/attachments",
                      {"item_id": item.id, "title": "Skolens handleplan",
                       "url": "https://skole.example/plan"})
        assert r.status_code == 303
        soup = _soup(client.get(f"/agendas/{agenda.id}"))
        links = {a.get_text(" ", strip=True): a["href"] for a in soup.select(".attachments a")}
        assert links["Bilag: Skolens handleplan"] == "https://skole.example/plan"
        assert links["Bilag: Trivsel"].startswith(f"/data/{agenda.school_id}/")
        assert "Bilag: Fravær" not in links  # no package section published for it yet
        assert "Bilag: Fravær" in soup.get_text(" ", strip=True)
        r = post_form(client, f"/agendas/{agenda.id}/attachments",
                      {"item_id": item.id, "title": "Ondt", "url": "javascript:alert(1)"})
        assert r.status_code == 422
    finally:
        agenda_attachments.data_section_urls.remove(provider)


def test_print_view_and_docx(client, db, setup):
    _, meeting, agenda, school, consultant, _ = setup
    agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(title="Læsning"), from_school=True)
    login(client, db, consultant)
    r = client.get(f"/agendas/{agenda.id}/print")
    soup = _soup(r)
    assert r.status_code == 200 and soup.select_one(".site-header") is None
    assert "Læsning" in soup.get_text() and "Vi ser frem til en god samtale!" in soup.get_text()
    r = client.get(f"/agendas/{agenda.id}/agenda.docx")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="dagsorden-bakkeskolen.docx"'
    from docx import Document

    doc = Document(io.BytesIO(r.content))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == f"Dagsorden for {school.name}s skoleudviklingssamtale"
    assert any(t.startswith("08:00–08:15  1. Evaluering (15 min") for t in text)
    assert "Læsning" in text and "sammen MED børnene" in text
    assert doc.sections[0].header.paragraphs[0].text == ""  # room for the letterhead


def test_goals_import_flow_preview_then_save(client, db, setup):
    _, meeting, agenda, school, _, leader = setup
    login(client, db, leader)
    text = open(CONTRACT, encoding="utf-8").read()
    r = post_form(client, f"/schools/{school.id}/goals/preview", {"text": text})
    assert r.status_code == 200
    soup = _soup(r)
    assert [h.get_text(strip=True) for h in soup.select(".goal-review h3")][0] == \
        "Trivsel i dagtilbud, skole og fritidstilbud"
    assert agenda_goals.list_goals(db, school.id) == []  # nothing saved before confirming
    assert soup.select_one("input[name=text]")["value"] == text
    r = post_form(client, f"/schools/{school.id}/goals", {"text": text})
    assert r.status_code == 303
    goals = agenda_goals.list_goals(db, school.id)
    assert len(goals) == 4
    # The school section and the agenda offer them ("husk udviklingspunkter").
    assert goals[0].title in client.get(f"/schools/{school.id}").text
    r = post_form(client, f"/agendas/{agenda.id}/goals/{goals[1].id}/theme")
    assert r.status_code == 303
    themes = agenda_themes.list_themes(db, agenda_themes.theme_item(db, agenda).id)
    assert themes[0].goal_id == goals[1].id and themes[0].from_school
    r = post_form(client, f"/schools/{school.id}/goals/preview", {"text": "ingenting"})
    assert r.status_code == 422 and "ingenting" in r.text


def test_school_leader_attaches_a_file_to_own_theme_until_the_deadline(client, db, setup):
    _, meeting, agenda, school, _, leader = setup
    theme = agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(title="Læsning"), from_school=True)
    login(client, db, leader)
    from tests.conftest import csrf

    def upload():
        return client.post(f"/agendas/{agenda.id}/attachments",
                           data={"csrf_token": csrf(client), "theme_id": theme.id},
                           files={"file": ("plan.pdf", b"%PDF-1.4 plan", "application/pdf")})

    assert upload().status_code == 303
    item = agenda_items.list_items(db, agenda.id)[0]
    r = client.post(f"/agendas/{agenda.id}/attachments",
                    data={"csrf_token": csrf(client), "item_id": item.id},
                    files={"file": ("plan.pdf", b"%PDF-1.4 plan", "application/pdf")})
    assert r.status_code == 403  # items are the administration's
    _set_deadline(db, meeting, date.today() - timedelta(days=1))
    upload()
    rows = agenda_timeline.timeline(db, agenda, meeting).rows[1].themes[0][1]
    assert [a.file_name for a in rows] == ["plan.pdf"]


def test_participant_reads_but_cannot_import(client, db, factory, setup):
    dialogue, meeting, agenda, school, *_ = setup
    login(client, db, factory.user("participant", municipality=dialogue.municipality))
    assert client.get(f"/schools/{school.id}/goals").status_code == 200
    assert post_form(client, f"/schools/{school.id}/goals",
                     {"text": open(CONTRACT).read()}).status_code == 403
    assert post_form(client, f"/agendas/{agenda.id}/themes", {"title": "X"}).status_code == 403


def test_settings_page(client, db, setup):
    dialogue, meeting, agenda, school, consultant, leader = setup
    login(client, db, consultant)
    url = f"/municipalities/{dialogue.municipality.id}/agenda-settings"
    assert client.get(url).status_code == 200
    row = agenda_settings.municipality_settings(db, dialogue.municipality.id)
    r = post_form(client, url, {"template_key": "aalborg", "special_template_key": "roskilde",
                                "large_school_threshold": "650", "version": row.version})
    assert r.status_code == 303
    # The agenda follows the municipality's template only when made; the page still works.
    assert client.get(f"/agendas/{agenda.id}").status_code == 200
    r = post_form(client, url, {"template_key": "nope", "large_school_threshold": "0",
                                "version": row.version + 1})
    assert r.status_code == 422
    # A save based on the version before someone else's: refused, the input kept.
    db.refresh(row)
    r = post_form(client, url, {"template_key": "stevns", "large_school_threshold": "700",
                                "version": row.version - 1})
    assert r.status_code == 409
    assert "En anden har ændret indstillingerne imens" in r.text and 'value="700"' in r.text
    db.refresh(row)
    assert row.template_key == "aalborg" and row.large_school_threshold == 650
    client.cookies.clear()
    login(client, db, leader)
    assert client.get(url).status_code == 403


def test_template_change_from_the_page(client, db, setup):
    _, meeting, agenda, _, consultant, _ = setup
    login(client, db, consultant)
    r = post_form(client, f"/agendas/{agenda.id}/template",
                  {"template_key": "aalborg", "version": agenda.version})
    assert r.status_code == 303
    db.refresh(agenda)
    assert agenda.template_key == "aalborg"
    assert agenda_items.list_items(db, agenda.id)[0].title == "Skolens strategiske handleplan"


def test_followup_shows_last_years_agenda(client, db, setup):
    dialogue, meeting, agenda, school, consultant, _ = setup
    agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(title="Læsning"), from_school=True)
    next_meeting = dialogue.meeting(school=school, start_year=2027,
                                    starts_at=meeting.starts_at + timedelta(days=365))
    new = agenda_build.ensure_agenda(db, next_meeting)
    login(client, db, consultant)
    soup = _soup(client.get(f"/agendas/{new.id}"))
    evaluation = soup.select_one(f"#item-{agenda_items.list_items(db, new.id)[0].id} .followup")
    assert evaluation.select_one(f"a[href='/agendas/{agenda.id}']") is not None
    assert "Skolen: Læsning" in evaluation.get_text(" ", strip=True)


def test_concurrent_theme_edits_are_detected(client, db, setup):
    _, meeting, agenda, school, consultant, leader = setup
    theme = agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(title="Læsning"), from_school=True)
    opened = theme.version
    login(client, db, leader)
    assert post_form(client, f"/agendas/{agenda.id}/themes/{theme.id}",
                     {"title": "Læsning i 4. klasse", "version": opened}).status_code == 303
    client.cookies.clear()
    login(client, db, consultant)
    r = post_form(client, f"/agendas/{agenda.id}/themes/{theme.id}",
                  {"title": "Læsefærdigheder", "version": opened})
    assert r.status_code == 409
    conflict = _soup(r).select_one(".conflict").get_text(" ", strip=True)
    assert "Læsning i 4. klasse" in conflict and "Læsefærdigheder" in conflict
    db.refresh(theme)
    assert theme.title == "Læsning i 4. klasse"


def test_goals_and_settings_pages_whole_and_as_fragments(client, db, setup):
    dialogue, meeting, agenda, school, consultant, _ = setup
    agenda_goals.import_contract(db, school, open(CONTRACT, encoding="utf-8").read())
    login(client, db, consultant)
    for url in (f"/schools/{school.id}/goals",
                f"/municipalities/{dialogue.municipality.id}/agenda-settings",
                f"/agendas/{agenda.id}/items/{agenda_items.list_items(db, agenda.id)[0].id}/edit"):
        whole, fragment = client.get(url), htmx_get(client, url)
        assert whole.status_code == fragment.status_code == 200, url
        assert "<html" in whole.text and "<html" not in fragment.text, url
        assert "<title>" in fragment.text, url
    soup = _soup(client.get(f"/schools/{school.id}/goals"))
    goal = soup.select(".goal")[0]
    labels = [dt.get_text(strip=True) for dt in goal.select("dt")]
    assert labels == ["Baggrund og formål", "Det politiske og strategiske afsæt", "Udviklingsmål",
                      "Forventede virkninger for borgeren", "Tidsperspektiv", "Aktiviteter",
                      "Opfølgning"]


def test_removing_an_appendix_asks_first_and_says_the_file_is_deleted(client, db, setup):
    from app.agendas.models import Attachment
    from tests.confirming import asks_first

    _, meeting, agenda, _, consultant, _ = setup
    item = agenda_items.list_items(db, agenda.id)[1]
    row = agenda_attachments.add_file(db, agenda, file_name="plan.pdf", content=b"%PDF-1.7\n..",
                                      title="Handleplan", item=item)
    path = agenda_attachments.attachment_path(row)
    login(client, db, consultant)

    def kept():
        db.expire_all()
        assert db.get(Attachment, row.id) is not None and path.is_file()

    fields = asks_first(client, f"/agendas/{agenda.id}", f"/attachments/{row.id}/delete",
                        title='Fjern bilaget "Handleplan"?',
                        says=["Filen plan.pdf slettes; den kan ikke hentes tilbage",
                              "De, der læser dagsordenen, ser det ikke længere."], unchanged=kept)
    r = post_form(client, f"/attachments/{row.id}/delete", fields)
    assert r.status_code == 303
    db.expire_all()
    assert db.get(Attachment, row.id) is None and not path.exists()
