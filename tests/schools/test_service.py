"""Rules for schools, exercised through the service."""

import pytest
from sqlalchemy.exc import IntegrityError

from app.db import StaleVersion
from app.forms import FieldError, parse_form
from app.schools import service
from app.schools.models import SchoolKind
from app.schools.service import SchoolForm


def test_create_and_list_schools_by_name_and_kind(db, factory):
    m = factory.municipality()
    factory.school(m, name="Bakkeskolen")
    factory.school(m, name="Veng Skole & Børnehus", kind=SchoolKind.VILLAGE)
    factory.school(m, name="Åskolen")
    names = [s.name for s in service.list_schools(db, m.id)]
    assert names == sorted(names) and len(names) == 3
    assert [s.name for s in service.list_schools(db, m.id, query="veng")] == ["Veng Skole & Børnehus"]
    assert [s.name for s in service.list_schools(db, m.id, kind=SchoolKind.VILLAGE)] == [
        "Veng Skole & Børnehus"]
    counts = service.school_counts_by_kind(db, m.id)
    assert counts[SchoolKind.ORDINARY] == 2 and counts[SchoolKind.VILLAGE] == 1
    assert counts[SchoolKind.SPECIAL] == 0


def test_institution_number_must_be_unique(db, factory):
    m = factory.municipality()
    factory.school(m, name="A", institution_number="745002")
    with pytest.raises(FieldError) as err:
        service.create_school(db, m.id, SchoolForm(name="B", institution_number="745002"))
    assert err.value.field == "institution_number"
    assert "745002" in err.value.message and "A" in err.value.message


def test_school_names_are_unique_within_a_municipality(db, factory):
    m1, m2 = factory.municipality(), factory.municipality()
    factory.school(m1, name="Centralskolen")
    factory.school(m2, name="Centralskolen")  # another municipality may use the name
    with pytest.raises(FieldError) as err:
        factory.school(m1, name="Centralskolen")
    assert err.value.field == "name"


def test_update_with_stale_version_is_refused(db, factory):
    m = factory.municipality()
    school = factory.school(m, student_count=100)
    opened_version = school.version
    service.update_school_field(db, school, "student_count", 110, expected_version=opened_version)
    with pytest.raises(StaleVersion):
        service.update_school_field(db, school, "student_count", 999,
                                    expected_version=opened_version)
    db.refresh(school)
    assert school.student_count == 110


def test_database_refuses_negative_pupil_counts(db, factory):
    m = factory.municipality()
    school = factory.school(m)
    school.student_count = -1
    db.add(school)
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_form_errors_are_danish_and_keep_input():
    from app import i18n

    i18n.set_locale("da")
    result = parse_form(SchoolForm, {"name": "", "institution_number": "12x", "kind": "castle",
                                     "student_count": "mange", "website": "skolen.dk"})
    assert not result.ok
    assert result.errors["name"] == "Feltet skal udfyldes."
    assert result.errors["institution_number"] == "Ugyldigt format."
    assert result.errors["kind"] == "Vælg en af mulighederne."
    assert result.errors["student_count"] == "Skal være et helt tal."
    assert result.errors["website"].startswith("Skal være en webadresse")
    assert result.values["student_count"] == "mange" and result.values["website"] == "skolen.dk"
