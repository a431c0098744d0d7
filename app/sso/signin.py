"""Who an identity from a municipality's provider is in SUS: matched by e-mail address to a
login or a person, or refused; their roles in the municipality follow the provider's groups
when the municipality maps them. No HTTP here."""

from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.accounts.models import Role, RoleAssignment, User
from app.i18n import gettext as _
from app.schools.models import Municipality, Person, School
from app.sso import service
from app.sso.models import SsoSettings
from app.sso.oidc import Identity


class Refused(Exception):
    """The identity may not log in; `message` (Danish) is shown, `reason` logged."""

    def __init__(self, message: str, reason: str):
        super().__init__(reason)
        self.message = message
        self.reason = reason


def _claim_values(identity: Identity, claim: str) -> list[str]:
    value = identity.claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def mapped_roles(row: SsoSettings, identity: Identity) -> set[Role]:
    mapping = service.role_map(row.role_map)
    return {mapping[v] for v in _claim_values(identity, row.role_claim) if v in mapping}


def match(session: Session, row: SsoSettings, municipality: Municipality, identity: Identity) -> User:
    """The user the identity logs in as (made for a matching person, or when allowed)."""
    domain = identity.email.rpartition("@")[2]
    if domain not in service.domains(row):
        raise Refused(_("%(municipality)s does not let addresses at %(domain)s log in to SUS.",
                        municipality=municipality.name, domain=domain), f"domain {domain} not allowed")
    user = accounts.get_user_by_email(session, identity.email)
    person = session.exec(select(Person).where(Person.email == identity.email)).first()
    if person is not None and person.municipality_id not in (None, municipality.id):
        raise Refused(_("Your e-mail address belongs to another municipality in SUS. Log in through "
                        "that municipality, or ask its administration."), "person of another municipality")
    if user is None:
        if person is None:
            if not row.allow_create:
                raise Refused(_(
                    "Your e-mail address %(email)s is not known in SUS for %(municipality)s. Ask the "
                    "municipality's SUS administration to add you; then log in again.",
                    email=identity.email, municipality=municipality.name), "no person with the address")
            person = Person(municipality_id=municipality.id, name=identity.name, email=identity.email)
            session.add(person)
            session.flush()
        user = User(email=identity.email, name=person.name, person_id=person.id)
        session.add(user)
        session.flush()
    if not user.is_active:
        raise Refused(_("Your login is deactivated. Ask the municipality's SUS administration."),
                      "user deactivated")
    if row.role_map.strip():
        _sync_roles(session, user, municipality, person, mapped_roles(row, identity))
    return user


def _sync_roles(session: Session, user: User, municipality: Municipality, person: Person | None,
                roles: set[Role]) -> None:
    """The user's roles in this municipality become what the provider says (never admin).
    Only what differs is written: a role change raises the municipality's feed counter (who
    sees what), and a login that changes nothing must not make every feed render again."""
    schools = select(School.id).where(School.municipality_id == municipality.id)
    held = session.exec(select(RoleAssignment).where(
        RoleAssignment.user_id == user.id,
        (col(RoleAssignment.municipality_id) == municipality.id)
        | col(RoleAssignment.school_id).in_(schools))).all()
    wanted: set[tuple[Role, int | None, int | None]] = set()
    for role in roles:
        if role is Role.SCHOOL_LEADER:
            if person is not None and person.school_id is not None:
                wanted.add((role, None, person.school_id))
        else:
            wanted.add((role, municipality.id, None))
    for ra in held:
        key = (ra.role, ra.municipality_id, ra.school_id)
        if key in wanted:
            wanted.discard(key)
        else:
            session.delete(ra)
    for role, municipality_id, school_id in sorted(wanted, key=repr):
        session.add(RoleAssignment(user_id=user.id, role=role, municipality_id=municipality_id,
                                   school_id=school_id))
    session.flush()
