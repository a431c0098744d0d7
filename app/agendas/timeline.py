"""The agenda's timeline. Clock times are never stored: they are computed from the meeting's
start whenever the agenda is shown, so moving the meeting moves every item with it. The
agenda's length is the meeting's (duration_provider).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.agendas.build import agenda_for_meeting, build_context, build_items
from app.agendas.items import list_items
from app.agendas.models import Agenda, AgendaItem, AgendaTheme, Attachment, ItemKind
from app.meetings.models import Meeting, MeetingType

# --- the timeline ------------------------------------------------------------------------------


@dataclass
class Row:
    item: AgendaItem
    number: str
    """"1", "2" … per entry; the items of a group share their group's number."""
    group_start: bool
    """The first item of a group: the group's heading goes above it."""
    starts: datetime | None
    ends: datetime | None
    themes: list[tuple[AgendaTheme, list[Attachment]]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class Timeline:
    rows: list[Row]
    total_minutes: int
    meeting_minutes: int | None
    untimed: int
    """Items without minutes (they take no time in the clock times)."""

    @property
    def overrun(self) -> int:
        if self.meeting_minutes is None:
            return 0
        return max(0, self.total_minutes - self.meeting_minutes)


def timeline(session: Session, agenda: Agenda, meeting: Meeting) -> Timeline:
    items = list_items(session, agenda.id)
    ids = [i.id for i in items]
    themes: dict[int, list[AgendaTheme]] = {i: [] for i in ids}
    for t in session.exec(select(AgendaTheme).where(col(AgendaTheme.item_id).in_(ids))
                          .order_by(AgendaTheme.position, AgendaTheme.id)):
        themes[t.item_id].append(t)
    attachments: dict[tuple[str, int], list[Attachment]] = {}
    for a in session.exec(select(Attachment).where(Attachment.agenda_id == agenda.id)
                          .order_by(Attachment.id)):
        attachments.setdefault(("theme", a.theme_id) if a.theme_id else ("item", a.item_id),
                               []).append(a)

    rows, number, previous_group = [], 0, None
    clock = meeting.starts_at if meeting.starts_at and not meeting.all_day else None
    total = untimed = 0
    for item in items:
        group_start = bool(item.group) and item.group != previous_group
        lone_pause = item.kind is ItemKind.PAUSE and not item.group
        if (group_start or not item.group) and not lone_pause:
            number += 1  # the items of a group share their group's number
        previous_group = item.group or None
        label = "" if lone_pause else str(number)
        minutes = item.minutes or 0
        if item.minutes is None:
            untimed += 1
        starts = clock
        ends = clock + timedelta(minutes=minutes) if clock is not None else None
        if clock is not None:
            clock = ends
        total += minutes
        rows.append(Row(item, label, group_start, starts, ends,
                        [(t, attachments.get(("theme", t.id), [])) for t in themes[item.id]],
                        attachments.get(("item", item.id), [])))
    length = None
    if meeting.starts_at and meeting.ends_at and not meeting.all_day:
        length = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    return Timeline(rows, total, length, untimed)


def total_minutes(session: Session, agenda: Agenda) -> int:
    return sum(i.minutes or 0 for i in list_items(session, agenda.id))


def duration_provider(session: Session, meeting: Meeting) -> int | None:
    """How long a dialogue needs: its agenda's minutes (or its template's, before it has one).

    Registered with app.meetings.service so the scheduler books the agenda's length."""
    if meeting.meeting_type is not MeetingType.DIALOGUE:
        return None
    agenda = agenda_for_meeting(session, meeting.id)
    if agenda is not None:
        return total_minutes(session, agenda) or None
    _, template, facts, _settings = build_context(session, meeting)
    return sum(i["minutes"] or 0 for i in build_items(template.data, facts)) or None
