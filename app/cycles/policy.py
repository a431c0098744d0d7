"""Who may see and change school years and their steps."""

from app.accounts.access import Principal
from app.cycles.models import SchoolYear
from app.schools import policy as schools_policy


def can_view_year(p: Principal, year: SchoolYear) -> bool:
    return schools_policy.can_view_municipality(p, year.municipality_id)


def can_manage_year(p: Principal, year: SchoolYear) -> bool:
    return schools_policy.can_manage_municipality(p, year.municipality_id)


def can_choose_invitations(p: Principal, municipality_id: int) -> bool:
    """Whom the municipality's meetings invite by default (the board's representative)."""
    return schools_policy.can_manage_municipality(p, municipality_id)
