"""Sections of the home page that need notes (the highest domain): what waits for me, last
year's agreements of the school, and the consultant's schools of the year with the state of
each dialogue. Each runs a fixed number of queries, however many schools and years."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.accounts.access import Principal
from app.accounts.models import Role
from app.agendas.home import school_year_of, today
from app.agendas.models import Agenda
from app.cycles.models import SchoolAssignment, SchoolYear, Step
from app.datapackages.models import Package, PackageStatus
from app.i18n import TZ
from app.i18n import gettext as _
from app.meetings import policy as meetings_policy
from app.meetings.models import Meeting, MeetingParticipant, MeetingStatus, MeetingType
from app.notes import policy
from app.notes.models import (
    AGREEMENT_STATUS_LABELS,
    NOTE_STATUS_LABELS,
    Agreement,
    AgreementStatus,
    Note,
    NoteStatus,
)
from app.schools.models import School

TASK_DAYS = 14
"""A theme deadline this close, or a meeting moved or cancelled this recently, is a task."""


def tasks(session: Session, principal: Principal, _obj) -> dict | None:
    """"What waits for me": a note out for the school's comments, a themes deadline within
    14 days, a meeting of mine moved or cancelled in the last 14 days. Each task has a `key`
    that names the event, so the e-mail about it goes once (app.notes.task_mail)."""
    items: list[dict] = []
    day = today()
    if school_ids := principal.school_ids():
        for note, school in session.exec(
                select(Note, School).join(School, School.id == Note.school_id)
                .where(col(Note.school_id).in_(school_ids), Note.status == NoteStatus.COMMENTS,
                       policy.readable_notes(principal)).order_by(School.name)):
            items.append({"kind": "note", "url": f"/notes/{note.id}",
                          # Sent again for a second round of comments: a new task.
                          "key": f"note:{note.id}:comments:{note.status_changed_at:%Y-%m-%dT%H:%M:%S}",
                          "text": _("The note of %(school)s waits for the school's comments",
                                    school=school.name)})
        for agenda, step, school in session.exec(
                select(Agenda, Step, School)
                .join(Meeting, Meeting.id == Agenda.meeting_id)
                .join(Step, Step.id == Meeting.step_id)
                .join(School, School.id == Agenda.school_id)
                .where(col(Agenda.school_id).in_(school_ids),
                       Meeting.status != MeetingStatus.CANCELLED,
                       col(Step.school_input_deadline) >= day,
                       col(Step.school_input_deadline) <= day + timedelta(days=TASK_DAYS),
                       meetings_policy.readable_meetings(principal))
                .order_by(Step.school_input_deadline)):
            items.append({"kind": "themes", "url": f"/agendas/{agenda.id}",
                          "key": f"themes:{agenda.id}:{step.school_input_deadline.isoformat()}",
                          "due": step.school_input_deadline,
                          "text": _("Add the school's themes to the agenda (%(school)s)",
                                    school=school.name)})
    person_id = principal.user.person_id if principal.user else None
    if person_id is not None:
        now = datetime.now(TZ)
        since = now - timedelta(days=TASK_DAYS)
        for meeting in session.exec(
                select(Meeting)
                .where(col(Meeting.id).in_(select(MeetingParticipant.meeting_id).where(
                           MeetingParticipant.person_id == person_id)),
                       Meeting.changed_at >= since,
                       (Meeting.status == MeetingStatus.CANCELLED) | (Meeting.sequence > 0),
                       meetings_policy.readable_meetings(principal))
                .order_by(col(Meeting.changed_at).desc())):
            cancelled = meeting.status is MeetingStatus.CANCELLED
            # Booked when it was made (the scheduler's first booking) is no news; nor is a
            # meeting moved into the past.
            if meeting.changed_at - meeting.created_at < timedelta(hours=1):
                continue
            if not cancelled and (meeting.starts_at is None or meeting.starts_at < now):
                continue
            items.append({"kind": "cancelled" if cancelled else "moved",
                          "url": f"/meetings/{meeting.id}", "when": meeting.starts_at,
                          "key": (f"meeting:{meeting.id}:cancelled" if cancelled
                                  else f"meeting:{meeting.id}:moved:{meeting.sequence}"),
                          "text": (_("Cancelled: %(title)s", title=meeting.title) if cancelled
                                   else _("Moved: %(title)s", title=meeting.title))})
    if principal.is_admin and not items:
        return None
    return {"tasks": items}


def school_agreements(session: Session, principal: Principal, _obj) -> dict | None:
    """School leadership: last year's agreements of each led school, with their status."""
    school_ids = principal.school_ids()
    if not school_ids:
        return None
    last = school_year_of(today()) - 1
    rows = session.exec(
        select(Agreement, School).join(SchoolYear, SchoolYear.id == Agreement.school_year_id)
        .join(School, School.id == Agreement.school_id)
        .where(col(Agreement.school_id).in_(school_ids), SchoolYear.start_year == last,
               policy.readable_agreements(principal))
        .order_by(School.name, Agreement.position, Agreement.id)).all()
    by_school: dict[int, tuple[School, list[Agreement]]] = {}
    for agreement, school in rows:
        by_school.setdefault(school.id, (school, []))[1].append(agreement)
    return {"schools": list(by_school.values()),
            "year": f"{last}/{(last + 1) % 100:02d}",
            "open": (AgreementStatus.NEW, AgreementStatus.IN_PROGRESS),
            "labels": AGREEMENT_STATUS_LABELS}


def my_schools(session: Session, principal: Principal, _obj) -> dict | None:
    """Consultants: "My schools this year" — each school assigned to me this school year with
    booked / agenda ready / package ready / note status; and the year wheel's steps due this
    and next week."""
    if not principal.has_role(Role.CONSULTANT) or principal.user is None:
        return None
    managed = principal.municipality_ids(Role.CONSULTANT)
    person_id = principal.user.person_id
    start = school_year_of(today())
    years = list(session.exec(select(SchoolYear).where(
        col(SchoolYear.municipality_id).in_(managed), SchoolYear.start_year == start)))
    year_ids = [y.id for y in years]
    schools: list[School] = []
    if year_ids and person_id is not None:
        schools = list(session.exec(
            select(School).join(SchoolAssignment, SchoolAssignment.school_id == School.id)
            .where(col(SchoolAssignment.school_year_id).in_(year_ids),
                   SchoolAssignment.person_id == person_id).distinct().order_by(School.name)))
    ids = [s.id for s in schools]
    dialogues: dict[int, Meeting] = {}
    agendas: set[int] = set()
    packages: dict[int, Package] = {}
    notes: dict[int, Note] = {}
    if ids:
        for m in session.exec(select(Meeting).where(
                col(Meeting.school_id).in_(ids), col(Meeting.school_year_id).in_(year_ids),
                Meeting.meeting_type == MeetingType.DIALOGUE,
                Meeting.status != MeetingStatus.CANCELLED).order_by(Meeting.starts_at)):
            dialogues.setdefault(m.school_id, m)
        meeting_ids = [m.id for m in dialogues.values()]
        if meeting_ids:
            agendas = set(session.exec(select(Agenda.meeting_id).where(
                col(Agenda.meeting_id).in_(meeting_ids))))
            notes = {n.meeting_id: n for n in session.exec(select(Note).where(
                col(Note.meeting_id).in_(meeting_ids)))}
        packages = {p.school_id: p for p in session.exec(select(Package).where(
            col(Package.school_id).in_(ids), col(Package.school_year_id).in_(year_ids)))}
    rows = []
    for school in schools:
        meeting = dialogues.get(school.id)
        note = notes.get(meeting.id) if meeting else None
        package = packages.get(school.id)
        rows.append({
            "school": school, "meeting": meeting,
            "booked": meeting is not None and meeting.starts_at is not None,
            "agenda": meeting is not None and meeting.id in agendas,
            "package": package is not None and package.status is PackageStatus.READY,
            "package_url": (f"/schools/{school.id}/years/{meeting.school_year_id}/package"
                            if meeting else None),
            "note": note, "note_status": _(NOTE_STATUS_LABELS[note.status]) if note else None,
        })
    day = today()
    monday = day - timedelta(days=day.weekday())
    until = monday + timedelta(days=13)
    steps = list(session.exec(
        select(Step).where(col(Step.school_year_id).in_(year_ids),
                           col(Step.start_date) <= until,
                           col(Step.end_date) >= monday)
        .order_by(Step.start_date, Step.position))) if year_ids else []
    return {"rows": rows, "steps": steps, "year": f"{start}/{(start + 1) % 100:02d}"}
