"""Fixtures for agendas: a dialogue meeting of a school, in a municipality with a template."""

from datetime import date, datetime, timedelta, timezone

import pytest

from app.agendas import settings as agenda_settings
from app.cycles.models import Step
from app.meetings import service as meetings
from app.meetings.models import MeetingType
from app.schools.models import SchoolKind
from tests.conftest import make_year

# 08:00 in Copenhagen (summer time)
T0 = datetime(2027, 4, 20, 6, 0, tzinfo=timezone.utc)


class Dialogue:
    def __init__(self, db, factory):
        self.db, self.factory = db, factory
        self.municipality = factory.municipality()

    def settings(self, template: str, special: str | None = None, threshold: int = 600,
                 **other):
        row = agenda_settings.municipality_settings(self.db, self.municipality.id)
        row.template_key, row.special_template_key = template, special
        row.large_school_threshold = threshold
        for field, value in other.items():
            setattr(row, field, value)
        self.db.add(row)
        self.db.commit()
        return row

    def meeting(self, *, name="Bakkeskolen", kind=SchoolKind.ORDINARY, pupils=400,
                special_classes=False, start_year=2026, starts_at=T0, minutes=180,
                deadline: date | None = None, school=None):
        db = self.db
        school = school or self.factory.school(self.municipality, name=name, kind=kind,
                                               student_count=pupils,
                                               has_special_classes=special_classes)
        from app.cycles import years as cycle_years

        year = cycle_years.find_school_year(db, self.municipality.id, start_year) or make_year(
            db, self.municipality, start_year)
        step = cycle_years.step_by_key(db, year.id, "dialogue")
        if step is None:
            step = Step(school_year_id=year.id, position=1, key="dialogue",
                        title="Skoleudviklingssamtaler", meeting_type="dialogue",
                        scope="per_school")
        step.school_input_deadline = deadline
        db.add(step)
        db.commit()
        return meetings.create_meeting(
            db, school_year=year, step=step, school=school, meeting_type=MeetingType.DIALOGUE,
            title=f"Skoleudviklingssamtale: {school.name}", starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes) if starts_at else None,
            location=school.name)


@pytest.fixture
def dialogue(db, factory):
    return Dialogue(db, factory)
