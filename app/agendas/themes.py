"""The school's themes under the agenda's theme item: added by the school until its deadline or
by the consultant, from a development goal, accepted, reordered.
"""

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from app.agendas.attachments import remove_file
from app.agendas.items import list_items
from app.agendas.models import Agenda, AgendaItem, AgendaTheme, Attachment, DevelopmentGoal
from app.cycles.models import Step
from app.db import check_version
from app.forms import FieldError
from app.i18n import TZ
from app.i18n import gettext as _
from app.meetings.models import Meeting


def list_themes(session: Session, item_id: int) -> list[AgendaTheme]:
    return list(session.exec(select(AgendaTheme).where(AgendaTheme.item_id == item_id)
                             .order_by(AgendaTheme.position, AgendaTheme.id)))


def renumber_themes(session: Session, item_id: int) -> None:
    for pos, theme in enumerate(list_themes(session, item_id)):
        if theme.position != pos + 1:
            theme.position = pos + 1
            session.add(theme)


# --- the school's themes -----------------------------------------------------------------------


class ThemeForm(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=3000)
    goal_id: int | None = None


def theme_item(session: Session, agenda: Agenda) -> AgendaItem | None:
    """The item the school's themes go under."""
    return next((i for i in list_items(session, agenda.id) if i.accepts_themes), None)


def school_input_deadline(session: Session, agenda: Agenda) -> date | None:
    meeting = session.get(Meeting, agenda.meeting_id)
    step = session.get(Step, meeting.step_id) if meeting.step_id else None
    return step.school_input_deadline if step else None


def today() -> date:
    return datetime.now(TZ).date()


def school_input_open(session: Session, agenda: Agenda, on: date | None = None) -> bool:
    """School leadership may change its themes until the step's deadline (that day included);
    without a deadline, until the day of the meeting."""
    on = on or today()
    deadline = school_input_deadline(session, agenda)
    if deadline is not None:
        return on <= deadline
    meeting = session.get(Meeting, agenda.meeting_id)
    return meeting.starts_at is None or on <= meeting.starts_at.astimezone(TZ).date()


def add_theme(session: Session, agenda: Agenda, data: ThemeForm, *, from_school: bool,
              item: AgendaItem | None = None) -> AgendaTheme:
    item = item or theme_item(session, agenda)
    if item is None:
        raise FieldError("title", _("This agenda has no item for the school's themes."))
    goal_id = data.goal_id
    if goal_id is not None:
        goal = session.get(DevelopmentGoal, goal_id)
        if goal is None or goal.school_id != agenda.school_id:
            raise FieldError("goal_id", _("Choose one of the options."))
    position = len(list_themes(session, item.id)) + 1
    theme = AgendaTheme(item_id=item.id, position=position, title=data.title,
                        description=data.description, goal_id=goal_id, from_school=from_school)
    session.add(theme)
    session.commit()
    session.refresh(theme)
    return theme


def theme_from_goal(session: Session, agenda: Agenda, goal: DevelopmentGoal, *,
                    from_school: bool) -> AgendaTheme:
    existing = session.exec(select(AgendaTheme).join(AgendaItem).where(
        AgendaItem.agenda_id == agenda.id, AgendaTheme.goal_id == goal.id)).first()
    if existing is not None:
        return existing
    summary = goal.sections.get("goal", "")
    return add_theme(session, agenda, ThemeForm(title=_short(goal.title, 200),
                                                description=_short_lines(summary, 3000),
                                                goal_id=goal.id), from_school=from_school)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _short_lines(text: str, limit: int) -> str:
    """Like `_short`, but a goal's line breaks and its "- " points stay on their lines."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    text = "\n".join(line for line in lines if line)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def get_theme(session: Session, agenda: Agenda, theme_id: int) -> AgendaTheme | None:
    theme = session.get(AgendaTheme, theme_id)
    if theme is None:
        return None
    item = session.get(AgendaItem, theme.item_id)
    return theme if item is not None and item.agenda_id == agenda.id else None


def update_theme(session: Session, theme: AgendaTheme, data: ThemeForm, *,
                 expected_version: int | None) -> AgendaTheme:
    check_version(theme, expected_version)
    theme.title, theme.description = data.title, data.description
    session.add(theme)
    session.commit()
    session.refresh(theme)
    return theme


def delete_theme(session: Session, theme: AgendaTheme) -> None:
    for a in session.exec(select(Attachment).where(Attachment.theme_id == theme.id)):
        remove_file(a)
    session.delete(theme)
    session.commit()


def set_accepted(session: Session, theme: AgendaTheme, accepted: bool) -> AgendaTheme:
    theme.accepted = accepted
    session.add(theme)
    session.commit()
    session.refresh(theme)
    return theme


def move_theme(session: Session, theme: AgendaTheme, direction: str) -> None:
    themes = list_themes(session, theme.item_id)
    index = [t.id for t in themes].index(theme.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(themes):
        return
    themes[index], themes[other] = themes[other], themes[index]
    for pos, t in enumerate(themes):
        t.position = pos + 1
        session.add(t)
    session.commit()
