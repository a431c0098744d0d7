"""Onboarding by file: schools and staff from CSV or XLSX, all or nothing, with a preview."""

import base64
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.admin import onboarding
from app.paths import STATIC
from app.schools.models import Person, PersonFunction, School, SchoolKind
from tests.conftest import login, post_form

SAMPLES = Path(STATIC) / "samples" / "admin"


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture
def empty(db, factory):
    return factory.municipality(name="Æblerød Kommune", kommunekode="999")


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_the_samples_import_and_a_second_import_changes_nothing(db, empty, ext):
    a = onboarding.import_file(db, "schools", _sample(f"skoler.{ext}"), f"skoler.{ext}", empty)
    assert a.ok and a.counts == {"new": 4}
    schools = {s.institution_number: s for s in db.exec(select(School).where(
        School.municipality_id == empty.id))}
    s = schools["999003"]
    assert (s.name, s.kind, s.student_count, s.has_special_classes) == (
        "Bøgely Skole og Børnehus", SchoolKind.VILLAGE, 118, False)
    assert schools["999001"].has_special_classes
    # The leadership's e-mails make people at the school, named from the address until the
    # staff file names them.
    leader = db.exec(select(Person).where(Person.email == "leder@boegely.eksempel.dk")).one()
    assert (leader.school_id, leader.function) == (s.id, PersonFunction.SCHOOL_LEADER)

    b = onboarding.import_file(db, "people", _sample(f"personer.{ext}"), "p", empty)
    assert b.ok and b.counts == {"new": 4, "changed": 4}
    db.refresh(leader)
    assert leader.name == "Hanne Bøg" and leader.title == "Skoleleder"
    chief = db.exec(select(Person).where(Person.email == "chef@aeblerod.eksempel.dk")).one()
    assert (chief.function, chief.school_id, chief.organisation) == (
        PersonFunction.CHIEF, None, "Skole og Uddannelse")

    for kind, name in (("schools", "skoler"), ("people", "personer")):
        again = onboarding.import_file(db, kind, _sample(f"{name}.{ext}"), name, empty)
        assert again.ok and set(again.counts) == {"unchanged"}


def test_the_csv_and_xlsx_samples_hold_the_same(db, empty, factory):
    for name in ("skoler", "personer"):
        kind = "schools" if name == "skoler" else "people"
        csv_rows = onboarding.analyse(db, kind, _sample(f"{name}.csv"), "x", empty).outcomes
        xlsx_rows = onboarding.analyse(db, kind, _sample(f"{name}.xlsx"), "x", empty).outcomes
        assert csv_rows == xlsx_rows and len(csv_rows) >= 4


def test_row_and_column_errors_in_danish_and_nothing_imported(db, empty, factory):
    other = factory.municipality(name="Anden Kommune")
    factory.school(other, name="Fremmed Skole", institution_number="777777")
    content = ("institutionsnummer;navn;type;elevtal;specialklasser;ledelse\n"
               "999001;Ny Skole;almen;300;ja;a@b.dk\n"
               "12345;Kort Nummer;almen;300;nej;\n"
               "777777;Stjålet;almen;;;\n"
               "999002;Ny Skole;friskole;mange;måske;ikke-en-mail\n").encode()
    a = onboarding.import_file(db, "schools", content, "skoler.csv", empty)
    assert not a.ok
    messages = [str(p) for p in a.problems]
    assert messages == [
        "Række 3, kolonne “institutionsnummer”: Skal være ministeriets sekscifrede "
        "institutionsnummer.",
        "Række 4, kolonne “institutionsnummer”: Institutionsnummeret tilhører Fremmed Skole i "
        "en anden kommune.",
        "Række 5, kolonne “navn”: Navnet står også i række 2.",
        "Række 5, kolonne “type”: Ukendt skoletype “friskole”: skriv almen, specialskole, "
        "landsbyordning eller intern skole.",
        "Række 5, kolonne “elevtal”: Skal være et helt antal elever (0–5000).",
        "Række 5, kolonne “specialklasser”: Skriv ja eller nej.",
        "Række 5, kolonne “ledelse”: “ikke-en-mail” er ikke en e-mailadresse.",
    ]
    assert [o["outcome"] for o in a.outcomes] == ["new", "error", "error", "error"]
    assert db.exec(select(School).where(School.municipality_id == empty.id)).all() == []
    assert db.exec(select(Person).where(Person.email == "a@b.dk")).first() is None


def test_a_missing_column_and_unknown_school_and_function(db, empty, factory):
    a = onboarding.analyse(db, "people", b"navn;funktion\nA;skoleleder\n", "p", empty)
    assert [str(p) for p in a.problems] == [
        "Række 1, kolonne “e-mail”: Kolonnen mangler. Første række skal navngive kolonnerne: "
        "navn, e-mail, funktion, titel, skole, organisation."]
    factory.school(empty, name="Æblerød Skole", institution_number="999001")
    content = ("navn,e-mail,funktion,skole\n"
               "Anne,anne@x.dk,rektor,Æblerød Skole\n"
               "Bo,bo@x.dk,konsulent,Ukendt Skole\n"
               "Cy,anne@x.dk,,999001\n").encode()
    a = onboarding.analyse(db, "people", content, "p.csv", empty)
    assert [str(p) for p in a.problems] == [
        "Række 2, kolonne “funktion”: Ukendt funktion “rektor”: skriv fx skoleleder, konsulent, "
        "skolechef, PPR-leder, psykolog.",
        "Række 3, kolonne “skole”: Ingen skole i Æblerød Kommune har institutionsnummeret eller "
        "navnet “Ukendt Skole”. Importér skolerne først.",
        "Række 4, kolonne “e-mail”: E-mailadressen står også i række 2.",
    ]


def test_a_changed_file_shows_what_changes(db, empty):
    onboarding.import_file(db, "schools", _sample("skoler.csv"), "s", empty)
    content = ("institutionsnummer;navn;elevtal\n999001;Æblerød Skole;655\n"
               "999002;Pæregård Skole;412\n").encode()
    a = onboarding.import_file(db, "schools", content, "s", empty)
    assert a.counts == {"changed": 1, "unchanged": 1}
    assert a.outcomes[0]["changes"] == ["elevtal: “640” → “655”"]
    school = db.exec(select(School).where(School.institution_number == "999001")).one()
    assert school.student_count == 655 and school.address == "Skolevej 1, 9990 Æblerød"


def test_upload_preview_and_commit_in_the_browser_flow(client, db, empty, factory):
    login(client, db, factory.user("consultant", municipality=empty))
    client.get("/admin/import")
    r = client.post("/admin/import", data={"csrf_token": client.cookies.get("sus_csrf"),
                                           "kind": "schools", "municipality_id": empty.id},
                    files={"file": ("skoler.xlsx", _sample("skoler.xlsx"))})
    assert r.status_code == 200
    soup = BeautifulSoup(r.text, "html.parser")
    assert "Forhåndsvisning af skoler.xlsx: intet er gemt endnu" in soup.text
    assert len(soup.select("tbody tr")) == 4
    assert db.exec(select(School).where(School.municipality_id == empty.id)).all() == []
    form = {i["name"]: i.get("value", "") for i in
            soup.select("form[action='/admin/import/commit'] input")}
    assert base64.b64decode(form["content"]) == _sample("skoler.xlsx")
    r = post_form(client, "/admin/import/commit", form)
    assert r.status_code == 303 and r.headers["location"] == f"/municipalities/{empty.id}/schools"
    assert len(db.exec(select(School).where(School.municipality_id == empty.id)).all()) == 4
    # Committing the same preview again changes nothing.
    r = post_form(client, "/admin/import/commit", form)
    assert r.status_code == 303
    assert len(db.exec(select(School).where(School.municipality_id == empty.id)).all()) == 4


def test_upload_errors_show_each_row_and_import_nothing(client, db, empty, factory):
    login(client, db, factory.user("admin"))
    client.get("/admin/import")
    token = client.cookies.get("sus_csrf")
    r = client.post("/admin/import", data={"csrf_token": token, "kind": "people",
                                           "municipality_id": empty.id},
                    files={"file": ("p.csv", b"navn;e-mail\nAnne;anne-at-x\n")})
    assert r.status_code == 422
    soup = BeautifulSoup(r.text, "html.parser")
    assert "Intet er importeret: 1 fejl i p.csv" in soup.text
    assert "Række 2, kolonne “e-mail”: Skal være en e-mailadresse, fx navn@kommune.dk." in soup.text
    assert soup.select_one("form[action='/admin/import/commit']") is None
    # No file, no municipality: a Danish message.
    r = post_form(client, "/admin/import", {"kind": "people", "municipality_id": empty.id})
    assert r.status_code == 422 and "Vælg en fil." in r.text
    r = post_form(client, "/admin/import", {"kind": "people", "municipality_id": ""})
    assert r.status_code == 422 and "Vælg kommunen." in r.text
    r = post_form(client, "/admin/import/commit", {"kind": "people", "municipality_id": empty.id,
                                                   "content": "###"})
    assert r.status_code == 422 and "Forhåndsvisningen er udløbet" in r.text


def test_a_consultant_cannot_import_into_another_municipality(client, db, empty, factory):
    other = factory.municipality()
    login(client, db, factory.user("consultant", municipality=other))
    content = base64.b64encode(_sample("skoler.csv")).decode()
    r = post_form(client, "/admin/import/commit", {"kind": "schools", "municipality_id": empty.id,
                                                   "content": content, "filename": "s.csv"})
    assert r.status_code == 422 and "Vælg kommunen." in r.text
    assert db.exec(select(School).where(School.municipality_id == empty.id)).all() == []
