"""The calmer agenda page (issue 15.9): minutes edited in place (HTMX and a plain form, stale
saves refused), an item's and a theme's edit controls behind one menu, removing asks first,
and a development goal on the agenda keeps its lines and points."""

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from app.agendas import build as agenda_build
from app.agendas import goals as agenda_goals
from app.agendas import items as agenda_items
from app.agendas import themes as agenda_themes
from app.agendas.models import AgendaItem, AgendaTheme
from tests.conftest import htmx_get, login, post_form

CONTRACT = "app/catalog/contracts/bakkeskolen.txt"


@pytest.fixture
def setup(db, factory, dialogue):
    dialogue.settings("stevns")
    meeting = dialogue.meeting(deadline=date.today() + timedelta(days=10))
    agenda = agenda_build.ensure_agenda(db, meeting)
    consultant = factory.user("consultant", municipality=dialogue.municipality)
    school = meeting.school_id
    from app.schools.models import School

    leader = factory.user("school_leader", school=db.get(School, school))
    return agenda, consultant, leader


def _soup(r):
    return BeautifulSoup(r.text, "html.parser")


def _times(r) -> list[str]:
    return [d.get_text(" ", strip=True) for d in _soup(r).select(".agenda-item__time")]


def test_minutes_in_place_without_javascript(client, db, setup):
    agenda, consultant, _ = setup
    login(client, db, consultant)
    first = agenda_items.list_items(db, agenda.id)[0]
    page = _soup(client.get(f"/agendas/{agenda.id}"))
    link = page.select_one(f"#item-{first.id}-time a.minutes-link")
    assert link.get_text(" ", strip=True).startswith("15 min.")
    assert link["href"] == f"/agendas/{agenda.id}/items/{first.id}/minutes/edit#item-{first.id}-time"
    r = client.get(link["href"].split("#")[0])
    assert r.status_code == 200 and "<html" in r.text  # the whole agenda, with the form open
    form = _soup(r).select_one(f"#item-{first.id}-time form")
    assert form["action"] == f"/agendas/{agenda.id}/items/{first.id}/minutes"
    assert form.select_one("input[name=minutes]")["value"] == "15"
    r = post_form(client, form["action"], {"minutes": "25", "version": first.version})
    assert r.status_code == 303 and r.headers["location"] == f"/agendas/{agenda.id}#item-{first.id}"
    db.refresh(first)
    assert first.minutes == 25 and first.edited
    # Every later item starts ten minutes later.
    times = _times(client.get(f"/agendas/{agenda.id}"))
    assert times[0].startswith("08:00–08:25") and times[1].startswith("08:25–")


def test_minutes_in_place_with_htmx_answers_the_cell_then_the_whole_list(client, db, setup):
    agenda, consultant, _ = setup
    login(client, db, consultant)
    first = agenda_items.list_items(db, agenda.id)[0]
    r = htmx_get(client, f"/agendas/{agenda.id}/items/{first.id}/minutes/edit")
    assert r.status_code == 200 and "<html" not in r.text
    cell = _soup(r).select_one(f"#item-{first.id}-time")
    assert cell.select_one("form")["hx-target"] == f"#item-{first.id}-time"
    assert cell.select_one("input[name=minutes]").has_attr("autofocus")
    cancel = htmx_get(client, f"/agendas/{agenda.id}/items/{first.id}/minutes")
    assert _soup(cancel).select_one("a.minutes-link[data-focus-after-swap]") is not None
    assert client.get(f"/agendas/{agenda.id}/items/{first.id}/minutes").status_code == 303
    r = post_form(client, f"/agendas/{agenda.id}/items/{first.id}/minutes",
                  {"minutes": "5", "version": first.version}, htmx=True)
    assert r.status_code == 200
    assert r.headers["hx-retarget"] == "#agenda-items" and r.headers["hx-reswap"] == "outerHTML"
    soup = _soup(r)
    assert soup.select_one("#agenda-items") is not None and "<html" not in r.text
    assert soup.select_one(f"#item-{first.id}-time").get_text(" ", strip=True).startswith("08:00–08:05")
    assert soup.select_one(f"#item-{first.id}-time [role=status]").get_text(strip=True) == "Gemt"
    assert soup.select_one(f"#item-{first.id}-time a[data-focus-after-swap]") is not None
    db.refresh(first)
    assert first.minutes == 5
    # Emptied: no time set.
    post_form(client, f"/agendas/{agenda.id}/items/{first.id}/minutes",
              {"minutes": "", "version": first.version}, htmx=True)
    db.refresh(first)
    assert first.minutes is None


@pytest.mark.parametrize("htmx", [False, True])
def test_a_stale_minutes_save_is_refused_and_keeps_what_was_typed(client, db, setup, htmx):
    agenda, consultant, _ = setup
    login(client, db, consultant)
    first = agenda_items.list_items(db, agenda.id)[0]
    opened_version = first.version
    # Someone else changes the item meanwhile.
    agenda_items.set_minutes(db, first, agenda_items.MinutesForm(minutes=40),
                             expected_version=opened_version)
    r = post_form(client, f"/agendas/{agenda.id}/items/{first.id}/minutes",
                  {"minutes": "20", "version": opened_version}, htmx=htmx)
    assert r.status_code == 409
    cell = _soup(r).select_one(f"#item-{first.id}-time")
    assert "En anden har ændret punktet imens: det har nu 40 min." in cell.get_text(" ", strip=True)
    assert cell.select_one("input[name=minutes]")["value"] == "20"  # mine, not lost
    assert ("<html" in r.text) is not htmx
    db.refresh(first)
    assert first.minutes == 40  # theirs, not overwritten


@pytest.mark.parametrize("bad", ["abc", "-5", "601"])
def test_bad_minutes_get_a_danish_error_and_keep_the_input(client, db, setup, bad):
    agenda, consultant, _ = setup
    login(client, db, consultant)
    first = agenda_items.list_items(db, agenda.id)[0]
    r = post_form(client, f"/agendas/{agenda.id}/items/{first.id}/minutes",
                  {"minutes": bad, "version": first.version}, htmx=True)
    assert r.status_code == 422
    cell = _soup(r).select_one(f"#item-{first.id}-time")
    error = cell.select_one(".field-error").get_text(strip=True)
    assert error and "Input" not in error and "valid" not in error  # Danish, not pydantic's
    assert cell.select_one("input[name=minutes]")["value"] == bad
    assert cell.select_one("input[name=minutes]")["aria-invalid"] == "true"
    db.refresh(first)
    assert first.minutes == 15


def test_only_the_administration_edits_minutes(client, db, setup):
    agenda, _, leader = setup
    login(client, db, leader)
    first = agenda_items.list_items(db, agenda.id)[0]
    page = _soup(client.get(f"/agendas/{agenda.id}"))
    assert page.select_one("a.minutes-link") is None
    assert page.select_one(f"#item-{first.id}-time").get_text(" ", strip=True).endswith("15 min.")
    assert client.get(f"/agendas/{agenda.id}/items/{first.id}/minutes/edit").status_code == 403
    assert post_form(client, f"/agendas/{agenda.id}/items/{first.id}/minutes",
                     {"minutes": "1", "version": first.version}).status_code == 403


@pytest.mark.parametrize("htmx", [False, True])
def test_each_item_has_its_edit_controls_behind_one_menu(client, db, setup, htmx):
    agenda, consultant, _ = setup
    login(client, db, consultant)
    r = client.get(f"/agendas/{agenda.id}", headers={"HX-Request": "true"} if htmx else {})
    soup = _soup(r)
    items = agenda_items.list_items(db, agenda.id)
    for item in items:
        article = soup.select_one(f"#item-{item.id}")
        menus = article.select(f"details.menu#item-{item.id}-menu")
        assert len(menus) == 1
        menu = menus[0]
        assert menu.summary.get_text(" ", strip=True) == f"Handlinger : {item.title}"
        assert not menu.has_attr("open")  # closed until asked
        assert menu.select_one(f"a[href='/agendas/{agenda.id}/items/{item.id}/edit']")
        assert menu.select_one(f"form[action='/agendas/{agenda.id}/items/{item.id}/delete']")
        assert menu.select_one("details.attach")
        # Nothing of the item's editing outside its menu.
        outside = [f for f in article.select("form[action*='/items/']")
                   if not f.find_parent("details", class_="menu")]
        assert outside == []
    first_menu = soup.select_one(f"#item-{items[0].id}-menu")
    last_menu = soup.select_one(f"#item-{items[-1].id}-menu")
    assert "Flyt op" not in first_menu.get_text() and "Flyt ned" in first_menu.get_text()
    assert "Flyt ned" not in last_menu.get_text() and "Flyt op" in last_menu.get_text()


def test_after_a_move_the_moved_items_menu_stays_open_for_the_keyboard(client, db, setup):
    agenda, consultant, _ = setup
    login(client, db, consultant)
    second = agenda_items.list_items(db, agenda.id)[1]
    r = post_form(client, f"/agendas/{agenda.id}/items/{second.id}/move", {"direction": "up"},
                  htmx=True)
    menu = _soup(r).select_one(f"#item-{second.id}-menu")
    assert menu.has_attr("open") and menu.select_one("[data-focus-after-swap]") is not None


@pytest.mark.parametrize("htmx", [False, True])
def test_removing_an_item_asks_first(client, db, setup, htmx):
    agenda, consultant, _ = setup
    login(client, db, consultant)
    school_item = next(i for i in agenda_items.list_items(db, agenda.id) if i.accepts_themes)
    agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(title="Læsning"), from_school=True)
    r = post_form(client, f"/agendas/{agenda.id}/items/{school_item.id}/delete", htmx=htmx)
    assert r.status_code == 200
    soup = _soup(r)
    box = soup.select_one("dialog.confirm-dialog") if htmx else soup.select_one(".confirm-page")
    assert box is not None
    text = box.get_text(" ", strip=True)
    assert f'Fjern "{school_item.title}"?' in text
    assert "Punktets 1 tema fra skolen fjernes med det." in text
    assert box.select_one("input[name=confirmed][value='1']") is not None
    assert db.get(AgendaItem, school_item.id) is not None  # nothing removed by asking
    r = post_form(client, f"/agendas/{agenda.id}/items/{school_item.id}/delete",
                  {"confirmed": "1"})
    assert r.status_code == 303
    db.expire_all()
    assert db.get(AgendaItem, school_item.id) is None


def test_removing_a_theme_asks_first_from_its_menu(client, db, setup):
    agenda, consultant, leader = setup
    theme = agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(title="Trivsel"),
                                    from_school=True)
    login(client, db, leader)  # the school may remove its own theme before the deadline
    menu = _soup(client.get(f"/agendas/{agenda.id}")).select_one(f"#theme-{theme.id}-menu")
    form = menu.select_one(f"form[action='/agendas/{agenda.id}/themes/{theme.id}/delete']")
    assert form is not None and form.get("hx-post") == form["action"]
    assert "Godkend" not in menu.get_text()  # accepting is the administration's
    r = post_form(client, form["action"], htmx=True)
    dialog = _soup(r).select_one("dialog.confirm-dialog")
    assert 'Fjern temaet "Trivsel"?' in dialog.get_text(" ", strip=True)
    assert db.get(AgendaTheme, theme.id) is not None
    assert post_form(client, form["action"], {"confirmed": "1"}).status_code == 303
    db.expire_all()
    assert db.get(AgendaTheme, theme.id) is None


def test_a_development_goal_on_the_agenda_keeps_its_lines_and_points(client, db, setup):
    agenda, consultant, _ = setup
    from app.schools.models import School

    school = db.get(School, agenda.school_id)
    agenda_goals.import_contract(db, school, open(CONTRACT, encoding="utf-8").read())
    goal = agenda_goals.list_goals(db, school.id)[0]
    assert goal.sections["goal"].count("\n- ") >= 2  # the contract's goal has points
    theme = agenda_themes.theme_from_goal(db, agenda, goal, from_school=False)
    assert theme.description.splitlines() == [
        " ".join(line.split()) for line in goal.sections["goal"].splitlines() if line.strip()]
    login(client, db, consultant)
    li = _soup(client.get(f"/agendas/{agenda.id}")).select(f"#theme-{theme.id} ul.theme__points li")
    expected = [line.strip()[2:].strip() for line in goal.sections["goal"].splitlines()
                if line.strip().startswith("- ")]
    assert [x.get_text(strip=True) for x in li] == expected and len(expected) >= 2
