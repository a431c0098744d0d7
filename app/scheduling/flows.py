"""Scheduling's work across domains, kept out of the routes: what the review of a proposal
reads from meetings (participants), schools and the year wheel (holidays).
"""

from collections import defaultdict
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app.cycles import holiday_periods as cycle_holiday_periods
from app.feeds.models import InvitationPreference
from app.i18n import TZ
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingParticipant
from app.scheduling import proposals
from app.scheduling.models import Proposal
from app.schools.models import Person, School


def proposal_review(session: Session, proposal: Proposal) -> dict:
    """The proposal as the review page shows it: by week, with holidays, and per person with
    the schools' names (it reads the meetings' participants and the schools)."""
    items = proposals.proposal_items(session, proposal)
    meeting_ids = [m.id for _item, m in items]
    people: dict[int, Person] = {}
    attending: dict[int, list[int]] = defaultdict(list)
    if meeting_ids:
        rows = session.exec(select(MeetingParticipant, Person)
                            .join(Person, Person.id == MeetingParticipant.person_id)
                            .where(col(MeetingParticipant.meeting_id).in_(meeting_ids))).all()
        for mp, person in rows:
            people[person.id] = person
            attending[person.id].append(mp.meeting_id)
    school_ids = {m.school_id for _item, m in items if m.school_id}
    school_names = {s.id: s.name for s in session.exec(
        select(School).where(School.id.in_(school_ids)))} if school_ids else {}
    # Every week of the window, also empty ones, with holidays named in their days.
    first = proposal.window_start.astimezone(TZ).date()
    last = proposal.window_end.astimezone(TZ).date()
    closed = cycle_holiday_periods.non_working_days(session, proposal.municipality_id, first, last)
    weeks: dict[tuple[int, int], dict[int, list]] = {}
    d = first
    while d <= last:
        iso = d.isocalendar()
        weeks.setdefault((iso.year, iso.week), {i: [] for i in range(5)})
        d += timedelta(days=1)
    for item, m in items:
        d = item.starts_at.astimezone(TZ).date()
        iso = d.isocalendar()
        week = weeks.setdefault((iso.year, iso.week), {i: [] for i in range(5)})
        if d.weekday() < 5:
            week[d.weekday()].append((item, m, school_names.get(m.school_id, "")))
    week_rows = []
    for (y, w), days in sorted(weeks.items()):
        monday = date.fromisocalendar(y, w, 1)
        cells = []
        for i in range(5):
            day = date.fromisocalendar(y, w, i + 1)
            outside = not (first <= day <= last)
            cells.append((day, days[i], closed.get(day) or None, outside))
        week_rows.append({"week": w, "monday": monday, "days": cells})
    by_meeting = {m.id: (item, m) for item, m in items}
    per_person = []
    for pid, mids in attending.items():
        entries = sorted((by_meeting[mid] for mid in mids), key=lambda e: e[0].starts_at)
        by_day: dict[date, list] = defaultdict(list)
        for item, m in entries:
            by_day[item.starts_at.astimezone(TZ).date()].append(
                (item, m, school_names.get(m.school_id, "")))
        per_person.append((people[pid], sorted(by_day.items()), len(entries)))
    per_person.sort(key=lambda e: (-e[2], e[0].name))
    return {"items": items, "weeks": week_rows, "per_person": per_person}


def invite_guest(session: Session, meeting: Meeting, *, name: str, email: str,
                 required: bool = True) -> Person:
    """A guest by name and e-mail on the meeting (not committed). A guest has no login and no
    feed: the e-mailed invitation is how they know, so they get one where invitations are on."""
    person = meetings.guest(session, meeting, name=name, email=email)
    if session.get(InvitationPreference, person.id) is None:
        session.add(InvitationPreference(person_id=person.id, wants_invitations=True))
    meetings.add_participant(session, meeting, person.id, required=required, commit=False)
    return person
