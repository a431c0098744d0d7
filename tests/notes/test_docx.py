"""A note as Word reads it back: A4 and Danish, every section of its template in order (empty
ones as room to write in), and the seeds' tables as Word tables."""

import io

from docx import Document

from app.notes import export, service
from tests.agendas.conftest import Dialogue
from tests.notes.test_export import _principal


def _note_docx(db, factory, template: str):
    d = Dialogue(db, factory)
    d.settings("stevns")
    meeting = d.meeting()
    note = service.create_note(db, meeting, template_key=template)
    consultant = factory.user("consultant", municipality=d.municipality)
    content, _name = export.note_docx(db, note, _principal(db, consultant))
    return note, Document(io.BytesIO(content))


def _headings(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]


def test_a_new_nyborg_note_is_the_form_with_its_table(db, factory):
    note, doc = _note_docx(db, factory, "nyborg")
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert doc.core_properties.title == note.title
    assert len(doc.tables) == 1
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert rows[0] == ["Fokusområde", "Situationsbillede", "Indsatser"]
    assert [r[0] for r in rows[1:]] == ["Anerkendelse/hvad fungerer godt?", "Data", "Ledelse"]
    assert _headings(doc)[1:] == ["Dato", "Deltagere", "Aftalte indsatser"]


def test_a_new_svendborg_note_keeps_its_three_themes_and_the_boards_comments(db, factory):
    _note, doc = _note_docx(db, factory, "svendborg")
    headings = _headings(doc)
    assert headings[1:] == ["Skolens navn", "Dato og år",
                            "De næste år har skolen fokus på følgende udviklingsområder",
                            "Tematik 1", "Tematik 2", "Tematik 3",
                            "Skolebestyrelsens kommentarer", "Aftaler"]
    assert len(doc.tables) == 3
    for table in doc.tables:
        assert [c.text for c in table.rows[0].cells] == [
            "Baggrund for udviklingsområder", "Beskrivelse af indsatser/tiltag"]


def test_a_new_kolding_note_keeps_fravaerende(db, factory):
    _note, doc = _note_docx(db, factory, "kolding")
    assert "Fraværende" in _headings(doc)
