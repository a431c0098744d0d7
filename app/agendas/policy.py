"""Who may see and change agendas, themes, appendices and development goals."""

from sqlmodel import Session

from app.accounts.access import Principal
from app.agendas.models import Agenda, AgendaTheme, Attachment
from app.meetings import policy as meetings_policy
from app.meetings.models import Meeting
from app.schools import policy as schools_policy
from app.schools.models import School


def can_view_agenda(session: Session, p: Principal, meeting: Meeting) -> bool:
    return meetings_policy.can_view_meeting(session, p, meeting)


def can_manage_agenda(p: Principal, meeting: Meeting) -> bool:
    """Consultants edit everything: items, order, every theme, acceptance."""
    return meetings_policy.can_manage_meeting(p, meeting)


def is_school_leadership(p: Principal, agenda: Agenda) -> bool:
    return agenda.school_id is not None and agenda.school_id in p.school_ids()


def can_propose_theme(p: Principal, agenda: Agenda, *, open_: bool) -> bool:
    """School leadership adds themes until the step's deadline."""
    return is_school_leadership(p, agenda) and open_


def can_change_theme(p: Principal, meeting: Meeting, agenda: Agenda, theme: AgendaTheme, *,
                     open_: bool) -> bool:
    if can_manage_agenda(p, meeting):
        return True
    return theme.from_school and can_propose_theme(p, agenda, open_=open_)


def can_remove_attachment(p: Principal, meeting: Meeting, agenda: Agenda, row: Attachment,
                          theme: AgendaTheme | None, *, open_: bool) -> bool:
    if can_manage_agenda(p, meeting):
        return True
    return (row.from_school and theme is not None
            and can_change_theme(p, meeting, agenda, theme, open_=open_))


def can_view_goals(p: Principal, school: School) -> bool:
    return schools_policy.can_view_school(p, school)


def can_edit_goals(p: Principal, school: School) -> bool:
    """The school's leadership and the administration import and remove contracts."""
    return schools_policy.can_edit_school(p, school)


def can_manage_settings(p: Principal, municipality_id: int) -> bool:
    return schools_policy.can_manage_municipality(p, municipality_id)
