"""Demo logins, all with the password "demo"."""

from collections.abc import Iterator

from sqlmodel import Session

from app.accounts import service
from app.accounts.models import Role
from app.schools import service as schools
from app.schools.demo import BOARD_REPRESENTATIVES, LEADERS, SKANDERBORG

PASSWORD = "demo"


def load(session: Session) -> Iterator[str]:
    m = schools.get_municipality_by_code(session, SKANDERBORG["kommunekode"])
    wanted: list[tuple[str, str | None, Role | None, dict]] = [
        ("admin@sus.demo", "Administrator", Role.ADMIN, {}),
        ("konsulent@skanderborg.demo", None, Role.CONSULTANT, {"municipality_id": m.id}),
        ("konsulent2@skanderborg.demo", None, Role.CONSULTANT, {"municipality_id": m.id}),
        ("chef@skanderborg.demo", None, Role.PARTICIPANT, {"municipality_id": m.id}),
        ("ppr@skanderborg.demo", None, Role.PARTICIPANT, {"municipality_id": m.id}),
    ]
    for school_name, (_, email) in LEADERS.items():
        school = next(s for s in schools.list_schools(session, m.id) if s.name == school_name)
        wanted.append((email, None, Role.SCHOOL_LEADER, {"school_id": school.id}))
    # The board's representative signs in with no role: they see the meetings they are
    # invited to (and what those lead to), nothing more.
    wanted += [(email, None, None, {}) for _, email in BOARD_REPRESENTATIVES.values()]
    created = 0
    for email, name, role, scope in wanted:
        user = service.get_user_by_email(session, email)
        if user is None:
            person = schools.get_person_by_email(session, email)
            user = service.create_user(
                session, email=email, name=name or person.name, password=PASSWORD, person=person
            )
            created += 1
        if role is not None:
            service.grant(session, user, role, **scope)
    if created:
        yield f"Created {created} demo logins (password: {PASSWORD})."
