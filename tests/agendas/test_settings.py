"""A municipality's agenda settings: the conditions the sources leave open (Aalborg's
village-school item, "store skoler", "stor specialafdeling") with the source's reading as the
default, the ministry's name, and the Word documents' margins; saved stale-safe."""

import io

from bs4 import BeautifulSoup
from docx import Document

from app.agendas import build as agenda_build
from app.agendas import export
from app.agendas import items as agenda_items
from app.agendas import settings as agenda_settings
from app.agendas.models import LargeSpecialDepartment, MinistryName, VillageItemFor
from app.notes import export as note_export
from app.notes import service as notes
from app.schools.models import SchoolKind
from tests.agendas.test_pdf import pdf_text
from tests.conftest import login, post_form
from tests.notes.test_export import _principal


def _titles(db, agenda) -> dict[str, int | None]:
    return {i.title: i.minutes for i in agenda_items.list_items(db, agenda.id)}


def _form(row, **changes) -> dict:
    values = {f: getattr(row, f) for f in agenda_settings.FIELDS}
    values = {k: (v.value if hasattr(v, "value") else "" if v is None else str(v))
              for k, v in values.items()}
    return {**values, **{k: str(v) for k, v in changes.items()}, "version": row.version}


def test_defaults_are_the_sources_reading(db, dialogue):
    row = dialogue.settings("aalborg")
    assert (row.village_item_for, row.large_special_department, row.ministry_name) == (
        VillageItemFor.ALL, LargeSpecialDepartment.SPECIAL_CLASSES, MinistryName.SOURCE)
    agenda = agenda_build.ensure_agenda(db, dialogue.meeting(pupils=300))
    assert _titles(db, agenda)["Landsbyordninger"] == 20  # the seed lists it for every school


def test_village_item_only_for_village_schools_when_the_municipality_says_so(db, dialogue):
    dialogue.settings("aalborg", village_item_for=VillageItemFor.VILLAGE)
    town = agenda_build.ensure_agenda(db, dialogue.meeting(pupils=300))
    village = agenda_build.ensure_agenda(db, dialogue.meeting(
        name="Veng Skole & Børnehus", kind=SchoolKind.VILLAGE, pupils=121))
    assert "Landsbyordninger" not in _titles(db, town)
    assert _titles(db, village)["Landsbyordninger"] == 20


def test_a_changed_setting_rebuilds_the_unedited_items(db, dialogue):
    row = dialogue.settings("aalborg")
    meeting = dialogue.meeting(pupils=300, special_classes=True)
    agenda = agenda_build.ensure_agenda(db, meeting)
    assert _titles(db, agenda)["Specialklasser"] == 40
    agenda_settings.update_settings(db, row, agenda_settings.SettingsForm(
        template_key="aalborg", village_item_for=VillageItemFor.VILLAGE,
        large_special_department=LargeSpecialDepartment.NONE), expected_version=row.version)
    agenda = agenda_build.ensure_agenda(db, meeting)
    titles = _titles(db, agenda)
    assert titles["Specialklasser"] == 30 and "Landsbyordninger" not in titles


def test_antaget_marks_go_once_the_municipality_changes_the_setting(client, db, dialogue,
                                                                    factory):
    row = dialogue.settings("aalborg")
    agenda = agenda_build.ensure_agenda(db, dialogue.meeting(pupils=700, special_classes=True))
    login(client, db, factory.user("consultant", municipality=dialogue.municipality))

    def marks(url):
        soup = BeautifulSoup(client.get(url).text, "html.parser")
        return [m["title"] for m in soup.select(".assumed")]

    settings_url = f"/municipalities/{dialogue.municipality.id}/agenda-settings"
    assert len(marks(f"/agendas/{agenda.id}")) == 2
    on_settings = marks(settings_url)
    assert any("600 elever" in m for m in on_settings)
    assert any("specialafdeling" in m for m in on_settings)
    r = post_form(client, settings_url, _form(row, large_school_threshold=550))
    assert r.status_code == 303
    left = marks(f"/agendas/{agenda.id}")
    assert len(left) == 1 and "specialafdeling" in left[0]
    assert not any("600 elever" in m for m in marks(settings_url))


def test_the_ministrys_current_name_in_agenda_docx_and_pdf(client, db, dialogue, factory):
    dialogue.settings("stevns", ministry_name=MinistryName.CURRENT)
    meeting = dialogue.meeting()
    agenda = agenda_build.ensure_agenda(db, meeting)
    assert "Børne- og Undervisningsministeriet" in _titles(db, agenda)
    content, _name = export.agenda_docx(db, agenda, meeting)
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "Børne- og Undervisningsministeriet" in text
    assert "Undervisningsministeriet" not in text.replace("Børne- og Undervisningsministeriet", "")
    login(client, db, factory.user("consultant", municipality=dialogue.municipality))
    pdf = " ".join(pdf_text(client.get(f"/agendas/{agenda.id}/agenda.pdf").content).split())
    assert "Børne- og Undervisningsministeriet" in pdf


def test_the_ministrys_name_as_the_source_by_default_and_in_roskildes_intro(db, dialogue):
    dialogue.settings("stevns", special="roskilde")
    meeting = dialogue.meeting(kind=SchoolKind.INTERNAL)
    agenda = agenda_build.ensure_agenda(db, meeting)
    assert "Undervisningsministeriet har oplyst" in agenda.intro
    row = agenda_settings.municipality_settings(db, dialogue.municipality.id)
    row.ministry_name = MinistryName.CURRENT
    db.add(row)
    db.commit()
    agenda = agenda_build.ensure_agenda(db, meeting)
    assert "Børne- og Undervisningsministeriet har oplyst" in agenda.intro


def test_word_documents_have_the_municipalitys_margins(db, dialogue, factory):
    dialogue.settings("stevns", margin_top_mm=30, margin_bottom_mm=20, margin_left_mm=35,
                      margin_right_mm=15)
    meeting = dialogue.meeting()
    agenda = agenda_build.ensure_agenda(db, meeting)
    content, _name = export.agenda_docx(db, agenda, meeting)
    note = notes.create_note(db, meeting, template_key="stevns")
    consultant = factory.user("consultant", municipality=dialogue.municipality)
    note_content, _name = note_export.note_docx(db, note, _principal(db, consultant))
    for raw in (content, note_content):
        section = Document(io.BytesIO(raw)).sections[0]
        assert [round(m.cm, 2) for m in (section.top_margin, section.bottom_margin,
                                         section.left_margin, section.right_margin)] == [
            3.0, 2.0, 3.5, 1.5]
        assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21, 29.7)


def test_settings_page_saves_refuses_bad_margins_and_stale_saves(client, db, dialogue, factory):
    row = dialogue.settings("aalborg")
    login(client, db, factory.user("consultant", municipality=dialogue.municipality))
    url = f"/municipalities/{dialogue.municipality.id}/agenda-settings"
    r = post_form(client, url, _form(row, margin_left_mm=90, margin_right_mm=80))
    assert r.status_code == 422 and 'value="90"' in r.text
    r = post_form(client, url, _form(row, margin_left_mm=2))
    assert r.status_code == 422 and 'value="2"' in r.text
    r = post_form(client, url, _form(row, ministry_name="current", margin_left_mm=30,
                                     village_item_for="village"))
    assert r.status_code == 303
    db.refresh(row)
    assert (row.ministry_name, row.margin_left_mm, row.village_item_for) == (
        MinistryName.CURRENT, 30, VillageItemFor.VILLAGE)
    stale = _form(row, margin_top_mm=40)
    stale["version"] = row.version - 1
    r = post_form(client, url, stale)
    assert r.status_code == 409 and 'value="40"' in r.text
    db.refresh(row)
    assert row.margin_top_mm == 25
