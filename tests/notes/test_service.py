"""Notes: pre-filled from the dialogue, nothing lost between editors, the workflow, and
immutable publication that never carries confidential content."""

from datetime import date

import pytest
from sqlmodel import select

from app.agendas import build as agenda_build
from app.agendas import themes as agenda_themes
from app.agendas import timeline as agenda_timeline
from app.cycles import years as cycle_years
from app.forms import FieldError
from app.notes import agreements, publication, service
from app.notes.models import (
    AgreementStatus,
    NoteRevision,
    NoteStatus,
    PublishedNote,
    Responsible,
    SectionKind,
)
from app.schools.models import SchoolKind
from tests.agendas.conftest import Dialogue


@pytest.fixture
def dialogue(db, factory):
    d = Dialogue(db, factory)
    d.settings("stevns")
    return d


def _note_settings(db, municipality, template="stevns", publishes=True):
    row = service.municipality_settings(db, municipality.id)
    row.template_key, row.publishes = template, publishes
    db.add(row)
    db.commit()
    return row


def _by_key(db, note):
    return {s.key: s for s in service.sections(db, note.id)}


def _approved(db, note):
    return service.set_status(db, note, NoteStatus.APPROVED, expected_version=note.version)


def test_prefill_from_the_agenda_participants_and_last_years_agreements(db, dialogue, factory):
    _note_settings(db, dialogue.municipality)
    old = dialogue.meeting(start_year=2025)
    last = service.create_note(db, old)
    agreements.add(db, last, agreements.AgreementForm(text="Læseindsats i 4. klasse"))
    school = db.get(type(factory.school(dialogue.municipality)), old.school_id)
    meeting = dialogue.meeting(start_year=2026, school=school)
    agenda = agenda_build.ensure_agenda(db, meeting)
    agenda_themes.add_theme(db, agenda, agenda_themes.ThemeForm(title="Trivsel i udskolingen"),
                      from_school=True)
    note = service.create_note(db, meeting)
    s = _by_key(db, note)
    assert s["school"].values["text"] == school.name
    assert "20. april 2027" in s["datetime"].values["text"]
    assert "Trivsel i udskolingen" in s["themes_school"].values["text"]
    assert s["themes_school"].values["text"].startswith("Følgende blev drøftet:")
    assert "Læseindsats i 4. klasse (ny)" in s["evaluation"].values["text"]
    assert s["national_tests"].confidential and s["agreements"].kind is SectionKind.AGREEMENTS
    assert [a.text for a in agreements.previous_year(db, school.id, 2026)] == \
        ["Læseindsats i 4. klasse"]
    # Asking again gives the same note.
    assert service.create_note(db, meeting).id == note.id


def test_roskilde_has_a_section_per_agenda_item(db, dialogue):
    _note_settings(db, dialogue.municipality, template="roskilde")
    meeting = dialogue.meeting()
    items = [r for r in agenda_timeline.timeline(db, agenda_build.ensure_agenda(db, meeting), meeting).rows
             if r.item.kind.value != "pause"]
    slots = [s for s in service.sections(db, service.create_note(db, meeting).id)
             if s.key.startswith("slot-")]
    assert len(slots) == len(items) > 1
    assert slots[0].title.startswith("08:00–") and slots[0].title.endswith(items[0].item.title)
    assert slots[0].fields == [{"key": "minutes", "label": "Referat"}]


def test_special_schools_get_the_special_template(db, dialogue):
    row = _note_settings(db, dialogue.municipality)
    row.special_template_key = "roskilde"
    db.add(row)
    db.commit()
    note = service.create_note(db, dialogue.meeting(kind=SchoolKind.SPECIAL))
    assert note.template_key == "roskilde"


def test_a_save_on_an_old_version_keeps_both_texts_and_is_resolved(db, dialogue, factory):
    _note_settings(db, dialogue.municipality)
    note = service.create_note(db, dialogue.meeting())
    a, b = (factory.user("consultant", municipality=dialogue.municipality) for _ in range(2))
    section = _by_key(db, note)["purpose"]
    seen = section.version
    first = service.save_section(db, section, {"text": "Annes tekst"}, expected_version=seen,
                                 author_id=a.id)
    assert first.values == {"text": "Annes tekst"} and first.version == seen + 1
    conflict = service.save_section(db, section, {"text": "Bos tekst"}, expected_version=seen,
                                    author_id=b.id)
    assert isinstance(conflict, service.Conflict)
    assert conflict.mine == {"text": "Bos tekst"} and conflict.theirs == {"text": "Annes tekst"}
    db.refresh(section)
    assert section.values == {"text": "Annes tekst"}  # not overwritten
    assert [r.values["text"] for r in service.pending_revisions(db, section.id, b.id)] == \
        ["Bos tekst"]
    merged = service.resolve_conflict(db, section, conflict.revision,
                                      {"text": "Annes tekst\n\nBos tekst"},
                                      expected_version=section.version, author_id=b.id)
    assert merged.values == {"text": "Annes tekst\n\nBos tekst"}
    assert service.pending_revisions(db, section.id, b.id) == []
    texts = [r.values["text"] for r in service.history(db, section.id)]
    assert texts == ["Annes tekst\n\nBos tekst", "Bos tekst", "Annes tekst"]  # nothing lost
    unapplied = db.exec(select(NoteRevision).where(NoteRevision.applied.is_(False))).one()
    assert unapplied.resolved_at is not None


def test_an_autosave_of_nothing_new_makes_no_version(db, dialogue):
    _note_settings(db, dialogue.municipality)
    section = _by_key(db, service.create_note(db, dialogue.meeting()))["purpose"]
    version = section.version
    same = service.save_section(db, section, dict(section.values), expected_version=version,
                                author_id=None)
    assert same.version == version and service.history(db, section.id) == []


def test_workflow_transitions(db, dialogue):
    _note_settings(db, dialogue.municipality)
    note = service.create_note(db, dialogue.meeting())
    assert note.status is NoteStatus.DRAFT
    note = service.set_status(db, note, NoteStatus.COMMENTS, expected_version=note.version)
    note = service.set_status(db, note, NoteStatus.DRAFT, expected_version=note.version)
    note = _approved(db, note)
    with pytest.raises(FieldError):  # publishing goes through publication.publish
        service.set_status(db, note, NoteStatus.PUBLISHED, expected_version=note.version)
    from app.db import StaleVersion

    with pytest.raises(StaleVersion):
        service.set_status(db, note, NoteStatus.DRAFT, expected_version=note.version - 1)


def test_publish_makes_immutable_versions_and_a_correction_needs_a_reason(db, dialogue, factory):
    _note_settings(db, dialogue.municipality)
    note = service.create_note(db, dialogue.meeting())
    s = _by_key(db, note)
    service.save_section(db, s["national_tests"], {"text": "CANARY testresultater 7,2"},
                         expected_version=s["national_tests"].version, author_id=None)
    agreements.add(db, note, agreements.AgreementForm(
        text="Fælles læsestrategi", responsible=Responsible.SCHOOL, due_date=date(2027, 6, 1)))
    assert publication.can_publish(db, note) == "Godkend notatet, før det offentliggøres."
    note = _approved(db, note)
    v1 = publication.publish(db, note, expected_version=note.version, user_id=None)
    assert v1.number == 1 and note.status is NoteStatus.PUBLISHED
    assert "CANARY" not in str(v1.content)
    assert "Drøftelser vedrørende resultater" not in str(v1.content)
    assert v1.content["agreements"][0]["text"] == "Fælles læsestrategi"
    assert not publication.changed_since_published(db, note)

    purpose = s["purpose"]
    db.refresh(purpose)
    service.save_section(db, purpose, {"text": "Rettet formål"}, expected_version=purpose.version,
                         author_id=None)
    assert publication.changed_since_published(db, note)
    with pytest.raises(FieldError) as err:
        publication.publish(db, note, expected_version=note.version, user_id=None)
    assert err.value.field == "correction"
    v2 = publication.publish(db, note, expected_version=note.version, user_id=None,
                             correction="Formålet er præciseret.")
    assert v2.number == 2 and v2.correction == "Formålet er præciseret."
    rows = publication.versions(db, note.id)
    assert [r.number for r in rows] == [2, 1]
    db.refresh(v1)
    assert "Rettet formål" not in str(v1.content)  # the first version is unchanged
    assert "Rettet formål" in str(v2.content)


def test_a_confidential_meeting_or_a_municipality_that_does_not_publish(db, dialogue):
    row = _note_settings(db, dialogue.municipality)
    meeting = dialogue.meeting()
    meeting.confidential = True
    db.add(meeting)
    db.commit()
    note = _approved(db, service.create_note(db, meeting))
    assert "fortroligt møde" in publication.can_publish(db, note)
    with pytest.raises(FieldError):
        publication.publish(db, note, expected_version=note.version, user_id=None)
    meeting.confidential = False
    db.add(meeting)
    row.publishes = False
    db.add(row)
    db.commit()
    assert "offentliggør ikke" in publication.can_publish(db, note)
    with pytest.raises(FieldError):
        publication.publish(db, note, expected_version=note.version, user_id=None)
    assert db.exec(select(PublishedNote)).all() == []


def test_agreements_are_versioned_records(db, dialogue):
    _note_settings(db, dialogue.municipality)
    note = service.create_note(db, dialogue.meeting())
    row = agreements.add(db, note, agreements.AgreementForm(text="  Trivselsmåling  "))
    assert row.text == "Trivselsmåling" and row.responsible is Responsible.BOTH
    row = agreements.set_status(db, row, agreements.StatusForm(
        status=AgreementStatus.IN_PROGRESS, status_comment="Halvvejs"),
        expected_version=row.version)
    from app.db import StaleVersion

    with pytest.raises(StaleVersion):
        agreements.update(db, row, agreements.AgreementForm(text="x"), expected_version=1)
    year = cycle_years.get_school_year(db, note.school_year_id)
    from app.accounts.access import Grant, Principal
    from app.accounts.models import Role

    admin = Principal(grants=(Grant(Role.ADMIN, None, None),))
    assert agreements.for_school(db, note.school_id, admin)[0][0].id == year.id
