"""The note's print view and Word document: what the reader may see, confidential sections
only for those allowed, and the agreements."""

import io

from bs4 import BeautifulSoup
from docx import Document

from app.notes import export
from app.notes.models import NoteStatus
from tests.conftest import login
from tests.notes.conftest import CANARY


def _principal(db, user):
    from app.accounts import service
    from app.accounts.access import load_principal
    from app.config import get_settings

    return load_principal(db, service.start_session(db, get_settings(), user))


def test_content_holds_confidential_sections_only_for_those_allowed(db, world, factory):
    consultant = export.note_content(db, world.note, _principal(db, world.consultant))
    titles = [s["title"] for s in consultant["sections"]]
    assert "Drøftelser vedrørende resultater af Nationale overgangstests" in titles
    assert CANARY in str(consultant)
    assert [a["status"] for a in consultant["agreements"]] == ["Ny", "Ny"]
    # A participant of the municipality who is not the school's leadership: no test results.
    participant = factory.user("participant", municipality=world.municipality)
    content = export.note_content(db, world.note, _principal(db, participant))
    assert CANARY not in str(content)
    assert len(content["sections"]) == len(consultant["sections"]) - 1


def test_docx_opens_and_holds_the_note(client, db, world):
    login(client, db, world.consultant)
    r = client.get(f"/notes/{world.note.id}.docx")
    assert r.status_code == 200 and r.headers["content-type"] == export.DOCX_TYPE
    assert r.headers["content-disposition"] == 'attachment; filename="notat-bakkeskolen-2025.docx"'
    assert r.headers["cache-control"] == "private, no-store"
    doc = Document(io.BytesIO(r.content))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == world.note.title
    assert "Vi drøftede læsning i indskolingen." in paragraphs
    assert any(CANARY in p for p in paragraphs)  # the administration reads the test results
    agreed = [p for p in doc.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in agreed] == [
        "Læseindsats i indskolingen (Ansvarlig: Skolen, frist 1. december 2026, status: Ny)",
        "Trivselsmålingen følges op (Ansvarlig: Forvaltningen, status: Ny)"]
    assert not doc.sections[0].header.paragraphs[0].text  # plain: for the letterhead


def test_print_view_shows_the_note_without_menus(client, db, world):
    login(client, db, world.consultant)
    r = client.get(f"/notes/{world.note.id}/print")
    assert r.status_code == 200
    soup = BeautifulSoup(r.text, "html.parser")
    assert soup.h1.get_text(strip=True) == world.note.title
    assert soup.select_one(".main-nav") is None and soup.select_one("form") is None
    headings = [h.get_text(strip=True) for h in soup.select("h2")]
    assert "Temaer valgt af skolen" in headings and "Aftaler for det kommende skoleår" in headings
    assert CANARY in r.text
    assert "Fortroligt" in soup.select_one(".note-section--confidential").get_text()
    items = [li.get_text(" ", strip=True) for li in soup.select(".note-agreements li")]
    assert items[0].startswith(
        "Læseindsats i indskolingen (Ansvarlig: Skolen; frist 1. december 2026")
    assert "Endnu ikke godkendt" not in r.text  # published


def test_print_and_docx_hide_confidential_from_a_participant(client, db, world, factory):
    # A participant of the municipality reads the dialogue's note, not the school's test results.
    login(client, db, factory.user("participant", municipality=world.municipality))
    r = client.get(f"/notes/{world.note.id}/print")
    assert r.status_code == 200 and "Læseindsats i indskolingen" in r.text
    assert CANARY not in r.text and "Drøftelser vedrørende resultater" not in r.text
    doc = client.get(f"/notes/{world.note.id}.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(doc.content)).paragraphs)
    assert doc.status_code == 200 and "Læseindsats" in text and CANARY not in text


def test_print_view_of_a_draft_says_so(client, db, world):
    from app.notes import service

    note = service.create_note(db, world.meeting)
    assert note.status is NoteStatus.DRAFT
    login(client, db, world.consultant)
    assert "Endnu ikke godkendt: Kladde" in client.get(f"/notes/{note.id}/print").text


def test_export_permissions_and_404(client, db, world):
    assert client.get(f"/notes/{world.note.id}/print").status_code in (303, 401)
    login(client, db, world.outsider)
    assert client.get(f"/notes/{world.note.id}/print").status_code == 403
    assert client.get(f"/notes/{world.note.id}.docx").status_code == 403
    login(client, db, world.leader)
    assert client.get(f"/notes/{world.note.id}.docx").status_code == 200
    assert client.get("/notes/999999/print").status_code == 404
    assert client.get("/notes/999999.docx").status_code == 404
