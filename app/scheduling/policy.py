"""Who may plan meetings, see and change availability, and move meetings."""

from app.accounts.access import Principal
from app.cycles import policy as cycles_policy
from app.cycles.models import SchoolYear
from app.meetings import policy as meetings_policy
from app.meetings.models import Meeting
from app.schools import policy as schools_policy
from app.schools.models import Person, School


def can_schedule(p: Principal, year: SchoolYear) -> bool:
    """Consultants plan their municipality's meetings; administrators everything."""
    return cycles_policy.can_manage_year(p, year)


def is_self(p: Principal, person: Person) -> bool:
    return p.user is not None and p.user.person_id is not None and p.user.person_id == person.id


def can_edit_availability(p: Principal, person: Person) -> bool:
    """People keep their own; the administration keeps everyone's in its municipality."""
    if is_self(p, person):
        return True
    return person.municipality_id is not None and \
        schools_policy.can_manage_municipality(p, person.municipality_id)


def can_see_busy_notes(p: Principal, person: Person) -> bool:
    """What a busy period is about is the person's own business: others see "busy"."""
    return is_self(p, person)


def can_move(p: Principal, meeting: Meeting) -> bool:
    return meetings_policy.can_manage_meeting(p, meeting)


def can_edit_preference(p: Principal, school: School) -> bool:
    """The school's leadership states when it would rather meet; so may the administration."""
    return schools_policy.can_edit_school(p, school)


def can_manage_settings(p: Principal, municipality_id: int) -> bool:
    return schools_policy.can_manage_municipality(p, municipality_id)
