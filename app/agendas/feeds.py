"""The agenda's item titles in calendar events' DESCRIPTION (see app/feeds/registry.py).

Titles and minutes only: never theme descriptions, appendices or anything confidential. The
feeds domain never asks about confidential meetings or for public feeds.
"""

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, select

from app.agendas.models import Agenda, AgendaItem, ItemKind
from app.feeds import registry
from app.i18n import gettext as _
from app.meetings.models import Meeting


def item_titles(session: Session, meeting_ids: Sequence[int]) -> dict[int, list[str]]:
    rows = session.exec(
        select(Agenda.meeting_id, AgendaItem)
        .join(AgendaItem, AgendaItem.agenda_id == Agenda.id)
        .where(Agenda.meeting_id.in_(list(meeting_ids)))
        .order_by(Agenda.meeting_id, AgendaItem.position)
    ).all()
    found: dict[int, list[str]] = {}
    for meeting_id, item in rows:
        title = f"{item.group}: {item.title}" if item.group else item.title
        if item.kind is not ItemKind.PAUSE and item.minutes:
            title = _("%(title)s (%(minutes)s min)", title=title, minutes=item.minutes)
        found.setdefault(meeting_id, []).append(title)
    return found


def version(session: Session, municipality_id: int) -> str:
    """Changes whenever any item of the municipality's agendas would read differently."""
    count, newest_item, newest_agenda = session.exec(
        select(func.count(AgendaItem.id), func.max(AgendaItem.updated_at),
               func.max(Agenda.updated_at))
        .select_from(Agenda)
        .join(Meeting, Meeting.id == Agenda.meeting_id)
        .join(AgendaItem, AgendaItem.agenda_id == Agenda.id, isouter=True)
        .where(Meeting.municipality_id == municipality_id)
    ).one()
    return f"agendas:{count}:{newest_item}:{newest_agenda}"


SOURCE = registry.AgendaSource(items=item_titles, version=version)


def _meeting_municipality(session, meeting_id: int | None) -> int | None:
    meeting = session.get(Meeting, meeting_id) if meeting_id is not None else None
    return meeting.municipality_id if meeting is not None else None


def _item_meeting(session, item: AgendaItem) -> int | None:
    agenda = session.get(Agenda, item.agenda_id) if item.agenda_id is not None else None
    return agenda.meeting_id if agenda is not None else None


def _item_municipality(session, item: AgendaItem) -> int | None:
    return _meeting_municipality(session, _item_meeting(session, item))


# An agenda or item that changes raises its municipality's feed counter (their titles show).
CHANGE_SOURCES = (
    registry.ChangeSource(Agenda, lambda s, a: _meeting_municipality(s, a.meeting_id),
                          lambda s, a: a.meeting_id),
    registry.ChangeSource(AgendaItem, _item_municipality, _item_meeting),
)
