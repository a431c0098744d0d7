"""Who may see confidential data: one decision, used by every page, export and feed.

Confidential by law or by nature: school-level results of the national tests (folkeskoleloven
§ 55 b) and the content of LUS talks. They never reach a public page, a published note, a
calendar feed or an export meant for the public, whoever asks; inside the app only the
administration and the school's own leadership see them, and the school board's parent
representative of that school if the municipality has decided so (data packages' settings).

Outputs meant for the public that are not pages (exports, e-mails, embeds) have a probe
in `public_probes` (added by app.wiring) so that the canary test (tests/test_confidential.py) reads them too.
"""

from collections.abc import Callable, Iterable
from enum import Enum

from sqlmodel import Session

from app.accounts.access import Principal
from app.accounts.models import Role
from app.registry import Registry


class Audience(str, Enum):
    PUBLIC = "public"
    """Anonymous pages, published notes, public exports and embeds."""
    FEED = "feed"
    """Calendar feeds and e-mailed invitations: titles, times, places and links only."""
    SIGNED_IN = "signed_in"
    """A page shown to the signed-in principal."""


def can_see_confidential(
    principal: Principal | None, *, audience: Audience, municipality_id: int,
    school_id: int | None, session: Session | None = None,
) -> bool:
    """May `principal` see this school's (or municipality's) confidential data here?

    Without a `session` the board representative's exception cannot be checked, and the
    answer is the safe one: no."""
    if audience is not Audience.SIGNED_IN or principal is None or not principal.is_authenticated:
        return False
    if principal.is_admin or municipality_id in principal.municipality_ids(Role.CONSULTANT):
        return True
    if school_id is not None and school_id in principal.school_ids():
        return True
    if session is not None and school_id is not None:
        return _board_representative_allowed(session, principal, municipality_id, school_id)
    return False


def _board_representative_allowed(session: Session, principal: Principal,
                                  municipality_id: int, school_id: int) -> bool:
    from app.datapackages.models import DataSettings
    from app.schools.models import Person, PersonFunction

    if principal.user is None or principal.user.person_id is None:
        return False
    person = session.get(Person, principal.user.person_id)
    if person is None or person.function is not PersonFunction.BOARD_REPRESENTATIVE \
            or person.school_id != school_id or person.municipality_id != municipality_id:
        return False
    settings = session.get(DataSettings, municipality_id)
    return bool(settings and settings.board_representative_sees_confidential)


# --- outputs meant for the public that are not routes ------------------------------------

PublicProbe = Callable[[Session], Iterable[tuple[str, str]]]
"""Given a session, yields (label, text) of every public output it can make from the data."""

public_probes: Registry[tuple[str, PublicProbe]] = Registry("confidential.public_probes")
"""(name, probe) of every output meant for the public that is not a route (export, e-mail,
embed); app.wiring adds each domain's."""


def value_is_confidential(indicator_confidential: bool, *, national: bool) -> bool:
    """§ 55 b: a confidential indicator is confidential below national level only."""
    return indicator_confidential and not national
