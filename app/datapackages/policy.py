"""Who may see and change data packages, imports and the data settings.

Confidential figures inside a package are not decided here: app/confidential.py decides,
for the whole app, and the service asks it before it reads a confidential value.

`openable_packages` is the one rule of which package pages (a school in a school year, whether
or not its package exists yet) a principal may open; `can_open_package` runs it on one.
"""

from sqlalchemy import and_, exists, false, or_, true
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from app.accounts.access import Principal
from app.accounts.models import Role
from app.cycles.models import SchoolYear
from app.datapackages.models import Package, PackageStatus
from app.meetings.models import Meeting, MeetingParticipant, MeetingType
from app.schools import policy as schools_policy
from app.schools.models import School

DIALOGUE_TYPES = (MeetingType.DIALOGUE, MeetingType.DEVELOPMENT_TALK, MeetingType.GRUS)


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
               Meeting.meeting_type.in_(DIALOGUE_TYPES))
    ).first() is not None


def openable_packages(p: Principal) -> ColumnElement[bool]:
    """WHERE clause over School joined with SchoolYear of its municipality: the package pages
    `p` may open. The administration, the school's leadership, and those invited to the
    school's dialogue (or one of its dialogue meetings) that school year."""
    if p.is_admin:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if managed := p.municipality_ids(Role.CONSULTANT):
        clauses.append(col(School.municipality_id).in_(managed))
    if schools := p.school_ids():
        clauses.append(col(School.id).in_(schools))
    if p.user is not None and p.user.person_id is not None:
        clauses.append(exists().where(
            MeetingParticipant.meeting_id == Meeting.id,
            MeetingParticipant.person_id == p.user.person_id,
            Meeting.school_id == School.id, Meeting.school_year_id == SchoolYear.id,
            col(Meeting.meeting_type).in_(DIALOGUE_TYPES)))
    return or_(*clauses) if clauses else false()


def openable_years(p: Principal, school: School):
    """The school years whose package page of `school` `p` may open, oldest first."""
    return (select(SchoolYear)
            .join(School, and_(School.municipality_id == SchoolYear.municipality_id,
                               School.id == school.id))
            .where(openable_packages(p)).order_by(SchoolYear.start_year))


def can_open_package(session: Session, p: Principal, school: School, year: SchoolYear,
                     package: Package | None) -> bool:
    """May see the package page at all (its contents may still be withheld until ready):
    `openable_packages` on this school and year."""
    return session.exec(openable_years(p, school).where(SchoolYear.id == year.id)
                        ).first() is not None


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
