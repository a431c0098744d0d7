"""The agenda as Word reads it back: A4, the municipality's margins, Danish on every style,
title and author; only real time slots; themes and their points as lists; one line per
appendix; no owner labels the template doesn't have; "Deltagere" once."""

import io

from docx import Document
from docx.oxml.ns import qn

from app.agendas import build as agenda_build
from app.agendas import export
from app.agendas import themes as agenda_themes
from app.agendas.word import LANGUAGE
from app.schools.models import SchoolKind


def _doc(db, meeting):
    agenda = agenda_build.ensure_agenda(db, meeting)
    content, _name = export.agenda_docx(db, agenda, meeting)
    return agenda, Document(io.BytesIO(content))


def _languages(doc) -> set[str]:
    """The language of every style (and of the document's defaults)."""
    out = set()
    for style in doc.styles:
        if not hasattr(style, "font"):
            continue
        rpr = style.element.find(qn("w:rPr"))
        lang = rpr.find(qn("w:lang")) if rpr is not None else None
        out.add(lang.get(qn("w:val")) if lang is not None else None)
    return out


def test_a4_danish_margins_title_and_author(db, dialogue):
    dialogue.settings("stevns")
    meeting = dialogue.meeting()
    agenda, doc = _doc(db, meeting)
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert (round(section.left_margin.cm, 2), round(section.right_margin.cm, 2)) == (2.5, 2.0)
    assert round(section.top_margin.cm, 2) == 2.5
    assert _languages(doc) == {LANGUAGE}
    assert doc.core_properties.title == agenda.heading
    assert doc.core_properties.author == dialogue.municipality.name
    assert doc.core_properties.language == "da-DK"


def test_stevns_agenda_only_real_time_slots_and_one_line_per_appendix(db, dialogue):
    dialogue.settings("stevns")
    meeting = dialogue.meeting()
    agenda, doc = _doc(db, meeting)
    text = [p.text for p in doc.paragraphs]
    assert any(t.startswith("08:00–08:15  1. Evaluering") for t in text)
    ministry = [t for t in text if "Undervisningsministeriet" in t]
    assert ministry and all("–" not in t.split("Undervisningsministeriet")[0] for t in ministry)
    assert "Trivsel – se bilag" in text
    assert not any(t == "Bilag: Trivsel" for t in text)  # the sub-point names it already
    assert not any("Fælles" in t for t in text)  # the seed has no owner labels


def test_svendborg_items_without_minutes_have_no_clock_time(db, dialogue):
    dialogue.settings("svendborg")
    meeting = dialogue.meeting()
    _agenda, doc = _doc(db, meeting)
    assert not any("08:00–08:00" in p.text for p in doc.paragraphs)


def test_themes_and_their_points_are_bullet_lists(db, dialogue):
    dialogue.settings("stevns")
    meeting = dialogue.meeting()
    agenda = agenda_build.ensure_agenda(db, meeting)
    agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(
        title="Læsning", description="Mere læsning for borgerne.\n- At læse hver dag - At låne bøger"),
        from_school=True)
    _agenda, doc = _doc(db, meeting)
    styles = {p.text: p.style.name for p in doc.paragraphs}
    assert styles["Læsning"] == "List Bullet"
    assert styles["At læse hver dag"] == "List Bullet 2" and styles["At låne bøger"] == "List Bullet 2"
    assert not any("borgerne.:" in p.text for p in doc.paragraphs)


def test_roskilde_prints_participants_once_and_every_appendix_on_its_own_line(db, dialogue):
    dialogue.settings("stevns", special="roskilde")
    meeting = dialogue.meeting(kind=SchoolKind.INTERNAL)
    _agenda, doc = _doc(db, meeting)
    text = [p.text for p in doc.paragraphs]
    assert sum(t.startswith("Deltagere") for t in text) <= 1
    bullets = [p.text for p in doc.paragraphs if p.style.name == "List Bullet"]
    assert any(b.startswith("Fire eksempler på statusskrivelser") for b in bullets)
    assert any(b.startswith("Et skrift om behandlingstilgange") for b in bullets)
    assert any(b.startswith("En oversigt over skolefravær") for b in bullets)
    assert any(b.startswith("En udskrift af den seneste trivselsmålings") for b in bullets)
    assert any("nationale test" in t and "slutningen af august" in t for t in text)
