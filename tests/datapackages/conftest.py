"""Shared set-up for data package tests: a municipality, schools and the catalogue."""

import pytest

from app.datapackages.catalog import ensure_loaded


@pytest.fixture
def data_setup(db, factory):
    ensure_loaded(db)
    m = factory.municipality(name="Datakommune", kommunekode="701")
    school = factory.school(m, name="Bakkeskolen", institution_number="701001", student_count=600)
    other = factory.school(m, name="Engskolen", institution_number="701002")
    foreign_m = factory.municipality(name="Nabokommune", kommunekode="702")
    foreign = factory.school(foreign_m, name="Naboskolen", institution_number="702001")
    return {"m": m, "school": school, "other": other, "foreign_m": foreign_m,
            "foreign": foreign}


def csv_bytes(*rows: str, header: str = "skoleår;kode;indikator;gruppe;værdi;antal") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def put(db, rows: list[tuple]) -> None:
    """Import (year, code, indicator, group, value, n) rows through the real importer."""
    from app.datapackages import importer

    lines = [";".join("" if c is None else str(c).replace(".", ",") for c in r) for r in rows]
    analysis, imp = importer.import_file(db, csv_bytes(*lines), "test.csv")
    assert imp is not None, [str(p) for p in analysis.problems]


@pytest.fixture
def package_setup(db, factory, data_setup):
    """Bakkeskolen with three years of figures, a school year, and people around it."""
    from datetime import datetime, timedelta, timezone

    from app.cycles import years as cycle_years
    from app.meetings import service as meetings
    from app.meetings.models import MeetingType
    from tests.conftest import make_person

    m, school = data_setup["m"], data_setup["school"]
    rows = []
    for year, social, absence, reading in ((2023, 4.0, 6.0, 55), (2024, 4.1, 7.5, 60),
                                           (2025, 4.4, 7.6, 64)):
        label = f"{year}/{(year + 1) % 100:02d}"
        rows += [(label, school.institution_number, "trivsel_social", "", social, 300),
                 (label, "701", "trivsel_social", "", 4.0, 3000),
                 (label, "DK", "trivsel_social", "", 3.9, None),
                 (label, school.institution_number, "fravaer_samlet", "", absence, 600),
                 (label, "DK", "fravaer_samlet", "", 7.0, None),
                 (label, school.institution_number, "overgang_laesning_2", "", reading, 60),
                 (label, "701", "overgang_laesning_2", "", 58, 600),
                 (label, "DK", "overgang_laesning_2", "", 57, None)]
    # A tiny group: stored, never shown.
    rows.append(("2024/25", school.institution_number, "kedsomhed_49", "", 41, 3))
    rows.append(("2025/26", school.institution_number, "kedsomhed_49", "", 33, 250))
    rows.append(("2025/26", school.institution_number, "trivsel_social", "piger", 4.6, 4))
    rows.append(("2025/26", school.institution_number, "trivsel_social", "drenge", 4.2, 150))
    put(db, rows)
    year = cycle_years.create_school_year(db, m, 2025)
    chief = make_person(db, m, "Lene Skov", function="chief", email="lene@test.dk")
    t0 = datetime(2026, 4, 20, 8, 0, tzinfo=timezone.utc)
    meeting = meetings.create_meeting(
        db, school_year=year, school=school, title="Skoleudviklingssamtale: Bakkeskolen",
        meeting_type=MeetingType.DIALOGUE, starts_at=t0, ends_at=t0 + timedelta(hours=2),
        participants=[(chief.id, "chief", True)])
    invited = factory.user("participant", municipality=m)
    invited.person_id = chief.id
    db.add(invited)
    db.commit()
    return {**data_setup, "year": year, "meeting": meeting, "invited": invited,
            "consultant": factory.user("consultant", municipality=m),
            "leader": factory.user("school_leader", school=school),
            "url": f"/schools/{school.id}/years/{year.id}/package"}
