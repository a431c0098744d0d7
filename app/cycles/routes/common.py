"""What the annual cycle's pages share: today's date, the municipality and school year looked
up, their addresses.
"""

from datetime import date, datetime

from fastapi import HTTPException

from app.accounts.access import require
from app.cycles import years as cycle_years
from app.cycles.models import SchoolYear
from app.i18n import TZ
from app.schools import policy as schools_policy
from app.schools import service as schools


def today() -> date:
    """Today in Denmark (the server may run in UTC); tests replace it."""
    return datetime.now(TZ).date()


# --- helpers -----------------------------------------------------------------------------


def municipality_or_404(session, principal, municipality_id: int):
    m = schools.get_municipality(session, municipality_id)
    if m is None:
        raise HTTPException(404)
    require(schools_policy.can_view_municipality(principal, m.id))
    return m


def year_or_404(session, principal, municipality_id: int, start_year: int):
    m = municipality_or_404(session, principal, municipality_id)
    year = cycle_years.find_school_year(session, m.id, start_year)
    if year is None:
        raise HTTPException(404)
    return m, year


def year_url(year: SchoolYear, tail: str = "") -> str:
    return f"/municipalities/{year.municipality_id}/years/{year.start_year}{tail}"
