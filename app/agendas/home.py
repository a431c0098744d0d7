"""Sections of the home page (and the person page) that agendas can fill: "My meetings" with
their agenda links, and for school leadership the school's next dialogue with what the school
must do before it. Each runs a fixed number of queries, however many schools and years."""

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app.accounts.access import Principal
from app.agendas.models import Agenda, AgendaItem, AgendaTheme
from app.cycles.models import SchoolYear, Step
from app.i18n import TZ
from app.meetings import policy as meetings_policy
from app.meetings.models import Meeting, MeetingParticipant, MeetingStatus, MeetingType
from app.schools.models import Person, School


def today() -> date:
    return datetime.now(TZ).date()


def school_year_of(day: date) -> int:
    """The start year of the school year `day` falls in (a school year starts 1 August)."""
    return day.year if day.month >= 8 else day.year - 1


def _meeting_rows(session: Session, principal: Principal, person_id: int) -> list[dict]:
    """The person's meetings of this and next school year that `principal` may read, with
    their agenda ids and schools: three queries."""
    first = school_year_of(today())
    rows = session.exec(
        select(Meeting, SchoolYear.start_year)
        .join(SchoolYear, SchoolYear.id == Meeting.school_year_id)
        .where(col(Meeting.id).in_(select(MeetingParticipant.meeting_id).where(
                   MeetingParticipant.person_id == person_id)),
               col(SchoolYear.start_year).in_([first, first + 1]),
               meetings_policy.readable_meetings(principal))
        .order_by(col(Meeting.starts_at).is_(None), Meeting.starts_at, Meeting.id)).all()
    ids = [m.id for m, _y in rows]
    agendas = dict(session.exec(select(Agenda.meeting_id, Agenda.id).where(
        col(Agenda.meeting_id).in_(ids))).all()) if ids else {}
    school_ids = {m.school_id for m, _y in rows if m.school_id}
    schools = {s.id: s for s in session.exec(select(School).where(
        col(School.id).in_(school_ids)))} if school_ids else {}
    now = datetime.now(TZ)
    return [{"meeting": m, "start_year": y, "agenda_id": agendas.get(m.id),
             "school": schools.get(m.school_id) if m.school_id else None,
             "past": m.ends_at is not None and m.ends_at < now} for m, y in rows]


def my_meetings(session: Session, principal: Principal, _obj) -> dict | None:
    """Home: "My meetings", this and next school year, for everyone linked to a person."""
    person_id = principal.user.person_id if principal.user else None
    if person_id is None:
        return None
    first = school_year_of(today())
    rows = _meeting_rows(session, principal, person_id)
    return {"rows": rows, "years": [(y, f"{y}/{(y + 1) % 100:02d}") for y in (first, first + 1)],
            "heading_id": "my-meetings-heading", "own": True}


def person_meetings(session: Session, principal: Principal, person: Person) -> dict | None:
    """The person page: the person's meetings this and next school year (those the reader may
    see)."""
    first = school_year_of(today())
    rows = _meeting_rows(session, principal, person.id)
    return {"rows": rows, "years": [(y, f"{y}/{(y + 1) % 100:02d}") for y in (first, first + 1)],
            "heading_id": "person-meetings-heading", "own": False, "person": person}


def next_dialogues(session: Session, principal: Principal, _obj) -> dict | None:
    """Home, school leadership: each led school's next dialogue — when, where, who comes —
    and the school's themes deadline. A fixed number of queries for any number of schools."""
    school_ids = principal.school_ids()
    if not school_ids:
        return None
    now = datetime.now(TZ)
    schools = list(session.exec(select(School).where(col(School.id).in_(school_ids))
                                .order_by(School.name)))
    meetings = session.exec(
        select(Meeting).where(
            col(Meeting.school_id).in_(school_ids),
            Meeting.meeting_type == MeetingType.DIALOGUE,
            Meeting.status != MeetingStatus.CANCELLED,
            meetings_policy.readable_meetings(principal),
            (col(Meeting.ends_at) >= now) | col(Meeting.starts_at).is_(None))
        .order_by(col(Meeting.starts_at).is_(None), Meeting.starts_at)).all()
    nxt: dict[int, Meeting] = {}
    for m in meetings:
        nxt.setdefault(m.school_id, m)
    ids = [m.id for m in nxt.values()]
    people: dict[int, list[Person]] = {i: [] for i in ids}
    agendas: dict[int, Agenda] = {}
    steps: dict[int, Step] = {}
    themes: dict[int, int] = {}
    if ids:
        for person, meeting_id in session.exec(
                select(Person, MeetingParticipant.meeting_id)
                .join(MeetingParticipant, MeetingParticipant.person_id == Person.id)
                .where(col(MeetingParticipant.meeting_id).in_(ids)).order_by(Person.name)):
            people[meeting_id].append(person)
        agendas = {a.meeting_id: a for a in session.exec(
            select(Agenda).where(col(Agenda.meeting_id).in_(ids)))}
        step_ids = {m.step_id for m in nxt.values() if m.step_id}
        steps = {s.id: s for s in session.exec(select(Step).where(col(Step.id).in_(step_ids)))} \
            if step_ids else {}
        agenda_ids = [a.id for a in agendas.values()]
        if agenda_ids:
            for agenda_id, _theme_id in session.exec(
                    select(AgendaItem.agenda_id, AgendaTheme.id)
                    .join(AgendaTheme, AgendaTheme.item_id == AgendaItem.id)
                    .where(col(AgendaItem.agenda_id).in_(agenda_ids),
                           AgendaTheme.from_school.is_(True))):
                themes[agenda_id] = themes.get(agenda_id, 0) + 1
    day = today()
    entries = []
    for school in schools:
        meeting = nxt.get(school.id)
        agenda = agendas.get(meeting.id) if meeting else None
        step = steps.get(meeting.step_id) if meeting and meeting.step_id else None
        deadline = step.school_input_deadline if step else None
        entries.append({
            "school": school, "meeting": meeting, "agenda": agenda,
            "people": people.get(meeting.id, []) if meeting else [],
            "deadline": deadline,
            "deadline_open": deadline is not None and day <= deadline,
            "deadline_soon": deadline is not None and day <= deadline <= day + timedelta(days=14),
            "themes": themes.get(agenda.id, 0) if agenda else 0,
            "package_url": (f"/schools/{school.id}/years/{meeting.school_year_id}/package"
                            if meeting else None),
        })
    return {"entries": entries}
