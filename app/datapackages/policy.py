"""Who may see and change data packages, imports and the data settings.

Confidential figures inside a package are not decided here: app/confidential.py decides,
for the whole app, and the service asks it before it reads a confidential value.
"""

from sqlmodel import Session, select

from app.accounts.access import Principal
from app.cycles.models import SchoolYear
from app.datapackages.models import Package, PackageStatus
from app.meetings.models import Meeting, MeetingParticipant, MeetingType
from app.schools import policy as schools_policy
from app.schools.models import School


def can_manage_data(p: Principal, municipality_id: int) -> bool:
    """The administration: imports, packages, settings."""
    return schools_policy.can_manage_municipality(p, municipality_id)


def is_dialogue_participant(session: Session, p: Principal, school: School,
                            year: SchoolYear) -> bool:
    """Invited to this school's dialogue (or one of its dialogue meetings) this school year."""
    if p.user is None or p.user.person_id is None:
        return False
    return session.exec(
        select(MeetingParticipant.id)
        .join(Meeting, Meeting.id == MeetingParticipant.meeting_id)
        .where(MeetingParticipant.person_id == p.user.person_id,
               Meeting.school_id == school.id, Meeting.school_year_id == year.id,
               Meeting.meeting_type.in_([MeetingType.DIALOGUE, MeetingType.DEVELOPMENT_TALK,
                                         MeetingType.GRUS]))
    ).first() is not None


def can_open_package(session: Session, p: Principal, school: School, year: SchoolYear,
                     package: Package | None) -> bool:
    """May see the package page at all (its contents may still be withheld until ready)."""
    if year.municipality_id != school.municipality_id:
        return False
    if can_manage_data(p, school.municipality_id) or school.id in p.school_ids():
        return True
    return is_dialogue_participant(session, p, school, year)


def can_read_package(session: Session, p: Principal, school: School, year: SchoolYear,
                     package: Package | None) -> bool:
    """The figures: the administration always; the dialogue's participants (the school's
    leadership among them) once the consultant has marked the package ready."""
    if can_manage_data(p, school.municipality_id):
        return True
    if package is None or package.status is not PackageStatus.READY:
        return False
    return can_open_package(session, p, school, year, package)


def can_edit_highlights(p: Principal, school: School) -> bool:
    """The school chooses its three highlights; the administration may help."""
    return can_manage_data(p, school.municipality_id) or school.id in p.school_ids()


def can_add_own_data(p: Principal, school: School) -> bool:
    """Files and figures the school brings itself (special schools)."""
    return can_edit_highlights(p, school)
