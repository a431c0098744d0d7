"""Templates can be looked at before they are chosen (issue 15.8): every cycle, agenda, note
and data-package template of the catalogue has a read-only page with every step, item,
minutes, condition and section; values the source doesn't give are marked "antaget" with
their reason; the settings pages where one is chosen link to them."""

import pytest
from bs4 import BeautifulSoup

from app.catalog import read
from tests.conftest import login, post_form

KINDS = ["cycles", "agendas", "notes", "packages"]


def _all():
    return [(kind, e) for kind in KINDS for e in read(kind)]


def _text(r) -> str:
    return BeautifulSoup(r.text, "html.parser").get_text(" ", strip=True)


def _titles(kind, data) -> list[str]:
    if kind == "cycles":
        return [s["title"] for s in data["steps"]]
    if kind == "agendas":
        return [i["title"] for i in data["items"]]
    if kind == "notes":
        return [s["title"] for s in data["sections"] if s.get("title")]
    return [e["text"] for part in data["structure"] for e in part["elements"]]


@pytest.fixture
def signed_in(client, db, factory):
    login(client, db, factory.user("school_leader", school=factory.school(factory.municipality())))
    return client


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("kind,entry", _all(), ids=lambda v: getattr(v, "key", v))
def test_every_template_has_a_preview_with_all_its_parts(signed_in, kind, entry, htmx):
    r = signed_in.get(f"/catalog/{kind}/{entry.key}", headers={"HX-Request": "true"} if htmx else {})
    assert r.status_code == 200
    assert ("<html" in r.text) is not htmx
    text = _text(r)
    assert entry.data["name"] in text
    for title in _titles(kind, entry.data):
        assert " ".join(title.split()) in text, title
    main = BeautifulSoup(r.text, "html.parser")
    main = main.select_one("main") or main
    assert main.select("form") == []  # read-only


@pytest.mark.parametrize("kind,entry", [(k, e) for k, e in _all()
                                        if any(s.get("assumed") for s in
                                               e.data.get("steps", []) + e.data.get("items", []))],
                         ids=lambda v: getattr(v, "key", v))
def test_assumed_values_are_marked_with_their_reason_visible_and_on_hover(signed_in, kind, entry):
    soup = BeautifulSoup(signed_in.get(f"/catalog/{kind}/{entry.key}").text, "html.parser")
    specs = [s for s in entry.data.get("steps", []) + entry.data.get("items", [])
             if s.get("assumed")]
    marks = soup.select(".assumed-note")
    assert len(marks) == len(specs)
    for spec, mark in zip(specs, marks, strict=True):
        assert mark.select_one(".assumed").get_text(strip=True) == "antaget"
        assert mark.select_one(".assumed")["title"] == spec["assumed_reason"]  # on hover
        assert mark.select_one(".assumed-note__reason").get_text(strip=True) == spec["assumed_reason"]
    # Only what is assumed is marked.
    given = [s for s in entry.data.get("steps", []) + entry.data.get("items", [])
             if not s.get("assumed")]
    for spec in given:
        key = ("step-" if kind == "cycles" else "item-") + spec["key"]
        assert soup.select_one(f"#{key} .assumed") is None


def test_agenda_preview_shows_minutes_and_every_condition(signed_in):
    text = _text(signed_in.get("/catalog/agendas/aalborg"))
    assert "+10 min. for store skoler" in text
    assert "+10 min. for skoler med specialklasser" in text
    # Aalborg's village item follows the municipality's setting (issue 17.3).
    assert "Kun for de skoler, kommunens indstilling angiver (kilden: alle skoler)" in text
    assert "En skole er stor fra 600 elever" in text
    # Aalborg for an ordinary school, as the agenda is built with the default settings: every
    # item, the village item included (the source lists it for every school).
    assert "En almindelig skoles dagsorden varer 205 minutter." in text
    stevns = _text(signed_in.get("/catalog/agendas/stevns"))
    assert "Dagsorden for skolens skoleudviklingssamtale" in stevns
    assert "Trivsel – se bilag (Ikke for specialskole, intern skole)" in stevns
    assert "Trivsel – skolen indhenter egen data (Kun for specialskole, intern skole)" in stevns
    assert "ingen tid sat" in stevns  # the pause and the ministry's item, as in the seed
    assert "Skolen tilføjer sine egne temaer her inden fristen." in stevns


def test_cycle_preview_says_when_who_and_how_long(signed_in):
    text = _text(signed_in.get("/catalog/cycles/minimal"))
    assert "marts–maj" in text and "Et møde med hver skole" in text and "90 minutter" in text
    assert "14 dage efter \"Skoleudviklingssamtale\"" in text
    assert "Skolechef (ved behov)" in text and "På skolen" in text


def test_note_preview_says_what_is_filled_in_who_writes_and_what_is_confidential(signed_in):
    soup = BeautifulSoup(signed_in.get("/catalog/notes/stevns").text, "html.parser")
    tests = soup.select_one("#section-national_tests")
    assert "Fortroligt" in tests.get_text()
    assert "Udfyldes med dagsordenens temaer fra skolen." in soup.select_one(
        "#section-themes_school").get_text()
    assert "Notat – skoleudviklingssamtale 2026/27, skolen" in soup.get_text()
    board = BeautifulSoup(signed_in.get("/catalog/notes/svendborg").text,
                          "html.parser").select_one("#section-board")
    assert "Skolebestyrelsens kommentarer: skrives" in board.get_text()
    roskilde = _text(signed_in.get("/catalog/notes/roskilde"))
    assert "Kl. 9:30–9:50 Præsentationsrunde" in roskilde


def test_package_preview_names_indicators_gaps_and_when_data_arrive(signed_in):
    text = _text(signed_in.get("/catalog/packages/svendborg"))
    assert "Generel trivsel (samlet)" in text
    assert "Kan ikke findes på skoleniveau: Løfteevne i de nationale test" in text
    assert "standpunktskarakter" in text.lower()  # now an indicator of the catalogue (issue 17.4)
    assert "Endnu ikke i indikatorkataloget: Standpunktskarakterer" not in text
    assert "Trivselsmålingen besvares januar–marts" in text
    assert "Hvorfor er I optaget af netop disse data?" in text


def test_previews_are_for_signed_in_users_and_unknown_keys_are_404(client, signed_in):
    assert signed_in.get("/catalog/agendas/findes-ikke").status_code == 404
    assert signed_in.get("/catalog").status_code == 200
    client.cookies.clear()
    r = client.get("/catalog/agendas/stevns")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


@pytest.mark.parametrize("htmx", [False, True])
def test_the_index_lists_every_template(signed_in, htmx):
    soup = BeautifulSoup(signed_in.get("/catalog", headers={"HX-Request": "true"} if htmx
                                       else {}).text, "html.parser")
    links = {a["href"] for a in soup.select("a[href^='/catalog/']")}
    assert links == {f"/catalog/{kind}/{e.key}" for kind, e in _all()}


def test_settings_pages_link_to_the_previews(client, db, factory):
    m = factory.municipality()
    login(client, db, factory.user("admin"))
    soup = BeautifulSoup(client.get(f"/municipalities/{m.id}/agenda-settings").text, "html.parser")
    assert {a["href"] for a in soup.select(".preview-links a[href^='/catalog/agendas/']")} == {
        f"/catalog/agendas/{e.key}" for e in read("agendas")}
    soup = BeautifulSoup(client.get(f"/municipalities/{m.id}/note-settings").text, "html.parser")
    assert {a["href"] for a in soup.select(".preview-links a[href^='/catalog/notes/']")} == {
        f"/catalog/notes/{e.key}" for e in read("notes")}
    soup = BeautifulSoup(client.get(f"/municipalities/{m.id}/data/settings").text, "html.parser")
    assert soup.select_one("a[href='/catalog/packages/svendborg']") is not None
    from app.cycles import catalog as cycle_catalog

    cycle_catalog.list_templates(db)  # loaded by the demo or `sus catalog load`
    for _ in cycle_catalog.load_catalog(db, read("cycles")):
        pass
    soup = BeautifulSoup(client.get(f"/municipalities/{m.id}/years/new").text, "html.parser")
    assert {a["href"] for a in soup.select(".preview-links a[href^='/catalog/cycles/']")} == {
        f"/catalog/cycles/{e.key}" for e in read("cycles")}
    # A bad save keeps the links (the page is rendered again).
    r = post_form(client, f"/municipalities/{m.id}/years/new", {"start_year": "abc"})
    assert r.status_code == 422 and "/catalog/cycles/minimal" in r.text
