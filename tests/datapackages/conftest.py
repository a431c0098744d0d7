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
