"""Who may administer what.

Two levels (README, "Administration"):

- an **administrator** (role admin) administers everything: municipalities, every person and
  login, every role including administrator;
- a municipality's own **administration** (its consultants, role consultant) administers its
  own municipality's people and logins and imports its schools and staff: it may give the
  roles consultant and participant of that municipality and school leadership of its schools,
  but never administrator, and never touches a login that holds an administrator role or a
  role elsewhere (so no one can take over an account beyond their own municipality by
  resetting its password). Creating and editing municipalities is for administrators.
"""

from app.accounts.access import Principal
from app.accounts.models import Role, RoleAssignment


def can_use_admin(p: Principal) -> bool:
    return p.is_admin or p.has_role(Role.CONSULTANT)


def can_manage_municipalities(p: Principal) -> bool:
    return p.is_admin


def administered_municipalities(p: Principal) -> set[int] | None:
    """The municipalities whose people this principal administers; None means all."""
    if p.is_admin:
        return None
    return p.municipality_ids(Role.CONSULTANT)


def can_manage_people_in(p: Principal, municipality_id: int | None) -> bool:
    if p.is_admin:
        return True
    return municipality_id is not None and municipality_id in p.municipality_ids(Role.CONSULTANT)


def _grant_municipality(ra: RoleAssignment, school_municipality: dict[int, int]) -> int | None:
    if ra.municipality_id is not None:
        return ra.municipality_id
    return school_municipality.get(ra.school_id) if ra.school_id else None


def can_manage_login(p: Principal, person_municipality_id: int | None,
                     grants: list[RoleAssignment], school_municipality: dict[int, int]) -> bool:
    """May change this person's login (invite, reset, roles, deactivate)? `grants` are the
    login's roles; `school_municipality` maps their schools to municipalities."""
    if p.is_admin:
        return True
    if not can_manage_people_in(p, person_municipality_id):
        return False
    for ra in grants:
        if ra.role is Role.ADMIN or _grant_municipality(ra, school_municipality) != \
                person_municipality_id:
            return False
    return True


def can_give_role(p: Principal, role: Role, municipality_id: int | None) -> bool:
    """May give (or take away) `role` scoped to `municipality_id` (a school's municipality
    for school leadership; None for administrator)?"""
    if p.is_admin:
        return True
    return role is not Role.ADMIN and can_manage_people_in(p, municipality_id)
