"""Demo municipality: Skanderborg Kommune with the three schools of the seed contracts.

Names of the three seed schools and Morten Børup Skolen's institution number come from the
seed documents; every other figure here is invented, and the municipality is flagged
`is_demo`, so the UI labels it as demo data. Loading twice changes nothing: existing rows
are found by their natural keys and left as they are.
"""

from collections.abc import Iterator

from sqlmodel import Session

from app.schools import service
from app.schools.models import Person, PersonFunction, SchoolKind
from app.schools.service import SchoolForm

SKANDERBORG = {"name": "Skanderborg Kommune", "kommunekode": "740"}

# name, institution number, kind, pupils, special-class department, address
SCHOOLS = [
    ("Morten Børup Skolen", "745002", SchoolKind.ORDINARY, 812, True, "Kaj Munks Vej 1, 8660 Skanderborg"),
    ("Bakkeskolen", "745004", SchoolKind.ORDINARY, 644, False, "Bakkevej 2, 8362 Hørning"),
    ("Veng Skole & Børnehus", "745031", SchoolKind.VILLAGE, 121, False, "Vengvej 10, 8660 Skanderborg"),
    ("Niels Ebbesen Skolen", "745006", SchoolKind.ORDINARY, 705, True, "Skolevej 8, 8660 Skanderborg"),
    ("Skovbyskolen", "745011", SchoolKind.ORDINARY, 589, False, "Skovby Skolevej 4, 8464 Galten"),
    ("Stilling Skole", "745013", SchoolKind.ORDINARY, 498, False, "Stilling Skolevej 1, 8660 Skanderborg"),
    ("Ry Skole", "745015", SchoolKind.ORDINARY, 730, True, "Skolevej 29, 8680 Ry"),
    ("Gl. Rye Skole", "745017", SchoolKind.ORDINARY, 262, False, "Skolevej 2, 8680 Ry"),
    ("Låsby Skole", "745019", SchoolKind.ORDINARY, 301, False, "Låsbyvej 7, 8670 Låsby"),
    ("Hylke Skole & Børnehus", "745033", SchoolKind.VILLAGE, 96, False, "Hylkevej 40, 8660 Skanderborg"),
    ("Rønbækskolen", "745021", SchoolKind.ORDINARY, 612, False, "Rønbækvej 1, 8464 Galten"),
    ("Skanderborg Heldagsskole", "745041", SchoolKind.SPECIAL, 58, False, "Ringvejen 3, 8660 Skanderborg"),
]

# name, e-mail, title, organisation, function
STAFF = [
    ("Lene Skov", "chef@skanderborg.demo", "Skolechef", "Skole og Uddannelse", PersonFunction.CHIEF),
    ("Mette Holm", "konsulent@skanderborg.demo", "Skolekonsulent", "Skole og Uddannelse",
     PersonFunction.CONSULTANT),
    ("Jens Kirk", "konsulent2@skanderborg.demo", "Skolekonsulent", "Skole og Uddannelse",
     PersonFunction.CONSULTANT),
    ("Thomas Brandt", "ppr@skanderborg.demo", "PPR-leder", "PPR", PersonFunction.PPR_LEADER),
    ("Anne Lund", "psykolog1@skanderborg.demo", "Skolepsykolog", "PPR",
     PersonFunction.PSYCHOLOGIST),
    ("Peter Vinther", "psykolog2@skanderborg.demo", "Skolepsykolog", "PPR",
     PersonFunction.PSYCHOLOGIST),
    ("Camilla Dahl", "paedkons@skanderborg.demo", "Pædagogisk konsulent", "PPR",
     PersonFunction.PEDAGOGICAL_CONSULTANT),
]

# school → (leader name, e-mail)
LEADERS = {
    "Bakkeskolen": ("Susanne Bak", "leder@bakkeskolen.demo"),
    "Morten Børup Skolen": ("Henrik Mørk", "leder@mortenboerup.demo"),
    "Veng Skole & Børnehus": ("Karen Veng", "leder@veng.demo"),
    "Niels Ebbesen Skolen": ("Ole Nielsen", "leder@nielsebbesen.demo"),
}


# school → (name, e-mail) of the school board's parent representative (§ 40 a, from 1 August
# 2025), who comes to the dialogue when the municipality invites them (it does in the demo).
BOARD_REPRESENTATIVES = {
    "Bakkeskolen": ("Lars Møller", "bestyrelse@bakkeskolen.demo"),
}


def _person(session: Session, *, municipality_id: int, email: str, **fields) -> Person:
    person = service.get_person_by_email(session, email)
    if person is None:
        person = Person(municipality_id=municipality_id, email=email, **fields)
        session.add(person)
        session.commit()
        session.refresh(person)
    return person


def load(session: Session) -> Iterator[str]:
    m = service.get_municipality_by_code(session, SKANDERBORG["kommunekode"])
    if m is None:
        m = service.create_municipality(session, **SKANDERBORG, is_demo=True)
        yield f"Created {m.name}."
    created = 0
    for name, number, kind, pupils, special, address in SCHOOLS:
        if service.get_school_by_institution_number(session, number) is None:
            service.create_school(session, m.id, SchoolForm(
                name=name, institution_number=number, kind=kind, student_count=pupils,
                has_special_classes=special, address=address,
                website=f"https://{number}.skanderborg.demo",
            ))
            created += 1
    if created:
        yield f"Created {created} schools in {m.name}."
    for name, email, title, organisation, function in STAFF:
        _person(session, municipality_id=m.id, email=email, name=name, title=title,
                organisation=organisation, function=function)
    for school_name, (name, email) in LEADERS.items():
        school = next(s for s in service.list_schools(session, m.id) if s.name == school_name)
        _person(session, municipality_id=m.id, email=email, name=name, title="Skoleleder",
                organisation=school_name, school_id=school.id,
                function=PersonFunction.SCHOOL_LEADER)
    for school_name, (name, email) in BOARD_REPRESENTATIVES.items():
        school = next(s for s in service.list_schools(session, m.id) if s.name == school_name)
        _person(session, municipality_id=m.id, email=email, name=name,
                title="Forældrerepræsentant i skolebestyrelsen", organisation=school_name,
                school_id=school.id, function=PersonFunction.BOARD_REPRESENTATIVE)
