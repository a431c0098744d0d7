"""Note templates are catalogue data, faithful to STUK's examples (seeds/004, 4.1–4.4, 5.1),
and loading them again updates rather than duplicates."""

from dataclasses import replace

from sqlmodel import select

from app.catalog import read
from app.notes import service
from app.notes.models import NoteTemplate


def _template(db, key):
    return service.get_template(db, key).data


def _titles(data):
    return [s.get("title") for s in data["sections"]]


def test_the_five_municipal_templates_are_in_the_catalogue(db):
    assert {t.key for t in service.list_templates(db)} == {
        "stevns", "nyborg", "kolding", "svendborg", "roskilde"}


def test_stevns_has_every_row_of_section_4_3_in_order(db):
    data = _template(db, "stevns")
    assert _titles(data) == [
        "Skolens navn", "Dato og tidspunkt", "Deltagere", "Formålet med samtalen",
        "Materiale udsendt som grundlag for samtalen", "Evaluering fra sidste samtale",
        "Temaer valgt af skolen", "Temaer valgt af det politiske udvalg",
        "Temaer valgt af forvaltningen",
        "Drøftelser vedrørende resultater af Nationale overgangstests",
        "Aftaler for det kommende skoleår"]
    by_key = {s["key"]: s for s in data["sections"]}
    assert by_key["national_tests"]["confidential"] is True
    assert sum(bool(s.get("confidential")) for s in data["sections"]) == 1
    assert "Styrke dialogen, den fælles forståelse" in by_key["purpose"]["text"]
    assert by_key["agreements"]["kind"] == "agreements"


def test_nyborg_is_focus_area_by_situation_and_initiatives(db):
    data = _template(db, "nyborg")
    grid = [s for s in data["sections"] if s.get("fields")]
    assert [s["title"] for s in grid] == ["Anerkendelse/hvad fungerer godt?", "Data", "Ledelse"]
    assert all([f["label"] for f in s["fields"]] == ["Situationsbillede", "Indsatser"]
               for s in grid)


def test_kolding_has_the_school_leaders_points_and_the_minutes(db):
    titles = _titles(_template(db, "kolding"))
    for wanted in ("Møde dato", "Mødested", "Deltagere", "Fraværende",
                   "Referat fra skoleudviklingssamtalen"):
        assert wanted in titles
    assert any("Skolelederens punkter – skolens udfordringer og potentialer" in t for t in titles)


def test_svendborg_has_three_themes_and_the_boards_comments(db):
    data = _template(db, "svendborg")
    themes = [s for s in data["sections"] if s["title"].startswith("Tematik")]
    assert [s["title"] for s in themes] == ["Tematik 1", "Tematik 2", "Tematik 3"]
    assert all([f["label"] for f in s["fields"]] == [
        "Baggrund for udviklingsområder", "Beskrivelse af indsatser/tiltag"] for s in themes)
    board = next(s for s in data["sections"] if s["title"] == "Skolebestyrelsens kommentarer")
    assert board["writer"] == "board"


def test_roskilde_writes_minutes_per_agenda_slot_for_special_schools(db):
    data = _template(db, "roskilde")
    assert data["for_kinds"] == ["special", "internal"]
    slots = next(s for s in data["sections"] if s.get("per_agenda_item"))
    assert [f["label"] for f in slots["fields"]] == ["Referat"]
    assert slots["slots"][0].startswith("Kl. 9:30–9:50 Præsentationsrunde")
    assert slots["slots"][-1] == "Kl. 11:00–11:30 Åben diskussion"


def test_loading_again_updates_and_never_duplicates(db):
    entries = read("notes")
    service.load_templates(db, entries)
    assert service.load_templates(db, entries) == []  # unchanged files are skipped
    changed = [replace(e, data={**e.data, "name": "Stevns (ændret)"}, digest="x" * 64)
               if e.key == "stevns" else e for e in entries]
    assert service.load_templates(db, changed) == ["Note template stevns updated."]
    rows = db.exec(select(NoteTemplate).where(NoteTemplate.key == "stevns")).all()
    assert len(rows) == 1 and rows[0].name == "Stevns (ændret)"
