"""Follow-up on last year, under the evaluation item: last year's agenda, and what other domains
add (followup_providers).
"""

from collections.abc import Callable

from sqlmodel import Session, col, select

from app.accounts.access import Principal
from app.agendas.items import list_items
from app.agendas.models import Agenda
from app.agendas.themes import list_themes
from app.cycles.models import SchoolYear
from app.meetings.models import Meeting
from app.registry import Registry

# --- follow-up on last year: under the evaluation item -----------------------------------------

followup_providers: Registry[Callable[[Session, Agenda, Principal], tuple[str, dict] | None]] = \
    Registry("agendas.followup_providers")
"""The notes domain shows last year's agreements with their status here:
provider(session, agenda, principal) → (template, context) or None, showing only what the
principal may read. The first answer wins; the agendas
domain's own fallback (last year's agenda) is asked after every registered provider."""


def previous_agenda(session: Session, agenda: Agenda) -> Agenda | None:
    """The same school's agenda in the school year before."""
    if agenda.school_id is None:
        return None
    year = session.get(SchoolYear, agenda.school_year_id)
    return session.exec(
        select(Agenda).join(SchoolYear, SchoolYear.id == Agenda.school_year_id)
        .where(Agenda.school_id == agenda.school_id,
               SchoolYear.start_year == year.start_year - 1)
        .order_by(col(Agenda.id).desc())
    ).first()


def last_years_agenda(session: Session, agenda: Agenda, principal: Principal
                      ) -> tuple[str, dict] | None:
    """Until notes exist: last year's agenda, its items and the school's themes."""
    previous = previous_agenda(session, agenda)
    if previous is None:
        return None
    meeting = session.get(Meeting, previous.meeting_id)
    items = [(i, list_themes(session, i.id)) for i in list_items(session, previous.id)]
    return "agendas/_followup_last_agenda.html", {"previous": previous, "meeting": meeting,
                                                  "items": items}


def followup(session: Session, agenda: Agenda, principal: Principal) -> tuple[str, dict] | None:
    for provider in [*followup_providers, last_years_agenda]:
        found = provider(session, agenda, principal)
        if found is not None:
            return found
    return None
