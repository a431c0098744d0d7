"""The public pages of published notes: no login, only what was published, only where the
municipality publishes; versions and corrections; the embeddable fragment."""

from bs4 import BeautifulSoup

from app.notes import publication, service
from app.notes.public import publishes
from app.security import EMBEDDABLE_CSP
from tests.conftest import login
from tests.notes.conftest import CANARY, write_note


def _soup(r):
    return BeautifulSoup(r.text, "html.parser")


def _correct(db, world, text="Rettet stavefejl i temaet."):
    note = world.note
    write_note(db, note, {"themes_school": "Vi drøftede læsning og skrivning i indskolingen."})
    db.refresh(note)
    return publication.publish(db, note, expected_version=note.version, user_id=None,
                               correction=text)


def test_school_page_shows_the_published_note_to_anyone(client, db, world):
    r = client.get(f"/public/schools/{world.school.id}/notes")
    assert r.status_code == 200 and "set-cookie" not in r.headers
    soup = _soup(r)
    article = soup.select_one(f"#note-{world.note.id}")
    assert article.h2.get_text(strip=True) == world.note.title
    text = article.get_text(" ", strip=True)
    assert "Vi drøftede læsning i indskolingen." in text
    assert ("Læseindsats i indskolingen (Ansvarlig: Skolen; frist 1. december 2026; status: Ny)"
            in text)
    assert "Samtale 21. april 2026" in text and "Version 1" in text
    assert CANARY not in r.text and "Drøftelser vedrørende resultater" not in r.text
    assert soup.select_one(".main-nav") is None  # nobody signed in


def test_public_pages_show_the_snapshot_not_the_live_note(client, db, world):
    write_note(db, world.note, {"themes_school": "Ændret efter offentliggørelsen."})
    assert publication.changed_since_published(db, world.note)
    page = client.get(f"/public/schools/{world.school.id}/notes").text
    assert "Vi drøftede læsning i indskolingen." in page and "Ændret efter" not in page
    page = client.get(f"/public/notes/{world.published.id}").text
    assert "Ændret efter" not in page


def test_a_correction_is_the_newest_and_the_old_version_says_so(client, db, world):
    second = _correct(db, world)
    page = _soup(client.get(f"/public/schools/{world.school.id}/notes"))
    article = page.select_one(f"#note-{world.note.id}")
    assert "læsning og skrivning" in article.get_text()
    history = [li.get_text(" ", strip=True) for li in article.select(".note-history li")]
    assert history[0].startswith("Version 2 (vises her)")
    assert "Rettelse: Rettet stavefejl" in history[0]
    assert history[1].startswith("Version 1")
    old = client.get(f"/public/notes/{world.published.id}")
    assert old.status_code == 200
    warning = _soup(old).select_one(".message--warning")
    assert "nyere version" in warning.get_text() and \
        warning.a["href"] == f"/public/notes/{second.id}"
    assert "Vi drøftede læsning i indskolingen." in old.text  # the old text, as it was
    new = _soup(client.get(f"/public/notes/{second.id}"))
    assert new.select_one(".message--warning") is None
    assert "Rettet: Rettet stavefejl i temaet." in new.get_text(" ", strip=True)


def test_municipality_index_lists_schools_with_published_notes(client, db, world, factory):
    factory.school(world.municipality, name="Skolen uden notat")
    soup = _soup(client.get(f"/public/municipalities/{world.municipality.id}/notes"))
    cards = soup.select(".card")
    assert [c.a.get_text(strip=True) for c in cards] == ["Bakkeskolen"]
    assert cards[0].a["href"] == f"/public/schools/{world.school.id}/notes"
    assert "1 offentliggjort notat" in cards[0].get_text()


def test_a_municipality_that_stops_publishing_shows_nothing(client, db, world):
    settings = service.municipality_settings(db, world.municipality.id)
    service.update_settings(db, settings, service.SettingsForm(
        template_key=settings.template_key, publishes=False), expected_version=settings.version)
    assert not publishes(db, world.municipality.id)
    page = client.get(f"/public/schools/{world.school.id}/notes")
    assert page.status_code == 200 and world.note.title not in page.text
    assert "ikke offentliggjort notater" in page.text
    index = client.get(f"/public/municipalities/{world.municipality.id}/notes").text
    assert "offentliggør ikke" in index and "Bakkeskolen" not in index
    assert client.get(f"/public/notes/{world.published.id}").status_code == 404
    assert world.note.title not in client.get(
        f"/public/schools/{world.school.id}/notes/embed").text


def test_unknown_ids_are_404(client, db, world):
    for url in ("/public/municipalities/999999/notes", "/public/schools/999999/notes",
                "/public/notes/999999", "/public/schools/999999/notes/embed"):
        assert client.get(url).status_code == 404, url


def test_a_municipality_that_never_chose_writes_nothing_on_a_public_get(client, db, factory):
    from sqlmodel import select

    from app.notes.models import NoteSettings

    m = factory.municipality()
    assert client.get(f"/public/municipalities/{m.id}/notes").status_code == 200
    assert db.exec(select(NoteSettings).where(NoteSettings.municipality_id == m.id)).first() is None


def test_embed_is_a_framable_fragment_with_absolute_links(client, db, world):
    from app.config import get_settings

    base = get_settings().base_url.rstrip("/")
    r = client.get(f"/public/schools/{world.school.id}/notes/embed")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<html" not in r.text and "<body" not in r.text and "<script" not in r.text
    assert " style=" not in r.text
    assert r.headers["content-security-policy"] == EMBEDDABLE_CSP
    assert "x-frame-options" not in r.headers
    assert r.headers["access-control-allow-origin"] == "*"
    assert "set-cookie" not in r.headers
    soup = _soup(r)
    assert soup.h2.get_text(strip=True) == world.note.title
    assert CANARY not in r.text
    hrefs = [a["href"] for a in soup.select("a")] + [link["href"] for link in soup.select("link")]
    assert hrefs and all(h.startswith(base + "/") for h in hrefs), hrefs
    # Every other page still refuses to be framed.
    other = client.get(f"/public/schools/{world.school.id}/notes")
    assert other.headers["x-frame-options"] == "DENY"


def test_signed_in_school_page_links_to_the_public_page(client, db, world):
    login(client, db, world.leader)
    page = client.get(f"/schools/{world.school.id}").text
    assert f'href="/public/schools/{world.school.id}/notes"' in page


def test_unfilled_template_lines_are_not_published():
    from app.notes.publication import published_text

    # Stevns' rows start as "Følgende blev drøftet:" with empty bullets; Svendborg's as "1. 2. 3."
    assert published_text("Følgende blev drøftet:\n-\n-") == ""
    assert published_text("1.\n2.\n3.") == ""
    assert published_text("Følgende blev drøftet:\n- Læsning i 4. klasse\n-") == \
        "Følgende blev drøftet:\n- Læsning i 4. klasse"
    assert published_text("1. Trivsel\n2.\n3.") == "1. Trivsel"
