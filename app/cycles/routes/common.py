"""What the annual cycle's pages share: today's date, the municipality and school year looked
up, their addresses.
"""

from datetime import date, datetime
from typing import Annotated

from fastapi import Depends

from app.accounts.access import SignedIn, require
from app.cycles import years as cycle_years
from app.cycles.models import SchoolYear
from app.db import SessionDep
from app.i18n import TZ
from app.loading import checked_id, found
from app.schools import policy as schools_policy
from app.schools import service as schools
from app.schools.models import Municipality


def today() -> date:
    """Today in Denmark (the server may run in UTC); tests replace it."""
    return datetime.now(TZ).date()


# --- helpers -----------------------------------------------------------------------------


def load_municipality(municipality_id: int, session: SessionDep,
                      principal: SignedIn) -> Municipality:
    """The municipality, if the principal may see it."""
    m = found(schools.get_municipality(session, checked_id(municipality_id)))
    require(schools_policy.can_view_municipality(principal, m.id))
    return m


ViewedMunicipality = Annotated[Municipality, Depends(load_municipality)]


def load_year(start_year: int, m: ViewedMunicipality,
              session: SessionDep) -> tuple[Municipality, SchoolYear]:
    """The municipality's school year that starts in `start_year`."""
    return m, found(cycle_years.find_school_year(session, m.id, checked_id(start_year)))


OpenYear = Annotated[tuple[Municipality, SchoolYear], Depends(load_year)]


def year_url(year: SchoolYear, tail: str = "") -> str:
    return f"/municipalities/{year.municipality_id}/years/{year.start_year}{tail}"
