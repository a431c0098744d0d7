"""Last year's agreements under the evaluation item of this year's agenda, their status
recorded there (HTMX and without JS, with version conflicts), and the agreement lists."""

from bs4 import BeautifulSoup

from app.accounts.access import Grant, Principal
from app.accounts.models import Role
from app.agendas import build as agenda_build
from app.agendas import followup as agenda_followup
from app.notes import agreements
from app.notes import followup as notes_followup
from app.notes.models import AgreementStatus, NoteStatus
from tests.conftest import login, post_form

ADMIN = Principal(grants=(Grant(Role.ADMIN, None, None),))


def test_provider_gives_last_years_agreements_or_leaves_it_to_last_years_agenda(db, world):
    template, ctx = notes_followup.agenda_followup(db, world.agenda(db), ADMIN)
    assert template == "notes/_followup.html"
    assert [a.text for a in ctx["agreements"]] == ["Læseindsats i indskolingen",
                                                   "Trivselsmålingen følges op"]
    assert agenda_followup.followup(db, world.agenda(db), ADMIN)[0] == "notes/_followup.html"
    # Last year's own agenda has nothing from the year before: the provider steps aside.
    last = agenda_build.ensure_agenda(db, world.last_meeting)
    assert notes_followup.agenda_followup(db, last, ADMIN) is None


def test_the_followup_lists_only_agreements_the_reader_may_read(db, world, factory):
    # Someone who may read neither last year's dialogue nor the municipality (e.g. a guest
    # invited to this year's dialogue only) gets no agreements, published or not.
    stranger = Principal(grants=())
    assert notes_followup.agenda_followup(db, world.agenda(db), stranger) is None
    assert agreements.previous_year(db, world.school.id, 2026, readable_by=stranger) == []
    # Another school's leader reads them only once the note is published.
    other = factory.school(world.municipality, name="Nabo Skolen")
    neighbour = Principal(grants=(Grant(Role.SCHOOL_LEADER, world.municipality.id, other.id),))
    assert len(agreements.previous_year(db, world.school.id, 2026, readable_by=neighbour)) == 2
    world.note.status = NoteStatus.APPROVED
    db.add(world.note)
    db.flush()
    assert agreements.previous_year(db, world.school.id, 2026, readable_by=neighbour) == []
    assert len(agreements.previous_year(db, world.school.id, 2026, readable_by=ADMIN)) == 2


def test_agenda_shows_agreements_under_the_evaluation_item(client, db, world):
    login(client, db, world.consultant)
    page = client.get(f"/agendas/{world.agenda(db).id}")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    evaluation = soup.select_one(".followup")
    assert evaluation.find("h3").get_text(strip=True) == "Sidste års aftaler"
    rows = evaluation.select("li.agreement")
    assert [r.select_one(".agreement__text").get_text(strip=True) for r in rows] == [
        "Læseindsats i indskolingen", "Trivselsmålingen følges op"]
    assert "Skolen" in rows[0].get_text() and "1. december 2026" in rows[0].get_text()
    assert rows[0].select_one("select[name=status]") is not None


def test_school_leader_sees_the_status_but_cannot_change_it(client, db, world):
    login(client, db, world.leader)
    page = client.get(f"/agendas/{world.agenda(db).id}").text
    soup = BeautifulSoup(page, "html.parser")
    assert soup.select_one("#agreement-%d" % world.agreements[0].id).select_one("form") is None
    r = post_form(client, f"/agreements/{world.agreements[0].id}/status",
                  {"status": "done", "version": world.agreements[0].version})
    assert r.status_code == 403


def test_status_update_with_htmx_swaps_the_row(client, db, world):
    login(client, db, world.consultant)
    row = world.agreements[0]
    r = post_form(client, f"/agreements/{row.id}/status",
                  {"status": "in_progress", "status_comment": "Halvvejs",
                   "version": row.version, "agenda_id": world.agenda(db).id}, htmx=True)
    assert r.status_code == 200 and "<html" not in r.text
    soup = BeautifulSoup(r.text, "html.parser")
    li = soup.select_one(f"li#agreement-{row.id}")
    assert li.select_one(".chip").get_text(strip=True) == "I gang"
    assert "Halvvejs" in li.select_one(".agreement__comment").get_text()
    db.refresh(row)
    assert row.status is AgreementStatus.IN_PROGRESS and row.status_comment == "Halvvejs"


def test_status_update_without_js_redirects_back_to_the_agenda(client, db, world):
    login(client, db, world.consultant)
    row = world.agreements[1]
    agenda = world.agenda(db)
    r = post_form(client, f"/agreements/{row.id}/status",
                  {"status": "done", "version": row.version, "agenda_id": agenda.id})
    assert r.status_code == 303
    assert r.headers["location"] == f"/agendas/{agenda.id}#agreement-{row.id}"
    page = client.get(f"/agendas/{agenda.id}").text
    assert "Gennemført" in page and "Aftalens status er gemt." in page


def test_status_update_on_an_old_version_is_refused_with_both_kept(client, db, world):
    login(client, db, world.consultant)
    row = world.agreements[0]
    old = row.version
    agreements.set_status(db, row, agreements.StatusForm(status="dropped",
                                                         status_comment="Erstattet"),
                          expected_version=old)
    for htmx in (True, False):
        r = post_form(client, f"/agreements/{row.id}/status",
                      {"status": "done", "status_comment": "Min tekst", "version": old},
                      htmx=htmx)
        assert r.status_code == 409
        soup = BeautifulSoup(r.text, "html.parser")
        li = soup.select_one(f"li#agreement-{row.id}")
        assert li.select_one(".chip").get_text(strip=True) == "Opgivet"  # what is stored
        assert "Erstattet" in li.select_one(".agreement__comment").get_text()
        assert "ændret" in li.select_one("[role=alert]").get_text()
        # What I chose is kept in the form, on the current version: saving again applies it.
        assert li.select_one("textarea").get_text() == "Min tekst"
        assert li.select_one("option[selected]")["value"] == "done"
        db.refresh(row)
        assert li.select_one("input[name=version]")["value"] == str(row.version)
    assert row.status is AgreementStatus.DROPPED


def test_invalid_status_is_refused(client, db, world):
    login(client, db, world.consultant)
    row = world.agreements[0]
    r = post_form(client, f"/agreements/{row.id}/status", {"status": "maybe",
                                                           "version": row.version}, htmx=True)
    assert r.status_code == 422 and "field-error" in r.text
    assert post_form(client, "/agreements/999999/status", {"status": "done"}).status_code == 404


def test_school_agreements_grouped_by_year(client, db, world):
    login(client, db, world.leader)
    page = client.get(f"/schools/{world.school.id}/agreements")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert [h.get_text(strip=True) for h in soup.select("main h2")] == ["Skoleår 2025/26"]
    cells = [r.select("td") for r in soup.select("tbody tr")]
    assert [c[0].get_text(strip=True) for c in cells] == ["Læseindsats i indskolingen",
                                                         "Trivselsmålingen følges op"]
    assert cells[0][3].get_text(strip=True) == "Ny"
    # The school page links to the list.
    school_page = client.get(f"/schools/{world.school.id}").text
    assert f"/schools/{world.school.id}/agreements" in school_page
    login(client, db, world.outsider)
    assert client.get(f"/schools/{world.school.id}/agreements").status_code == 403
    assert client.get("/schools/999999/agreements").status_code == 404


def test_municipality_agreements_filter_by_year_and_status(client, db, world):
    agreements.set_status(db, world.agreements[0], agreements.StatusForm(status="done"),
                          expected_version=world.agreements[0].version)
    login(client, db, world.consultant)
    url = f"/municipalities/{world.municipality.id}/agreements"
    page = client.get(url).text
    assert "Læseindsats" in page and "Trivselsmålingen" in page and "Bakkeskolen" in page
    page = client.get(url, params={"status": "done"}).text
    assert "Læseindsats" in page and "Trivselsmålingen" not in page
    page = client.get(url, params={"year": world.note.school_year_id, "status": "new"}).text
    assert "Trivselsmålingen" in page and "Læseindsats" not in page
    page = client.get(url, params={"year": "x", "status": "?"}).text  # nonsense: no filter
    assert "Læseindsats" in page
    # In the municipality's menu, for its staff only.
    assert f'href="{url}"' in client.get(f"/municipalities/{world.municipality.id}").text
    login(client, db, world.leader)
    assert client.get(url).status_code == 403
    login(client, db, world.outsider)
    assert client.get(url).status_code == 403
