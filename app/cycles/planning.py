"""The meetings of a year's steps: planned per school (or one for all) with their participants,
and kept in step when a school's people change.
"""

from sqlmodel import Session, col, select

from app.cycles.models import SchoolAssignment, SchoolYear, Step, StepScope
from app.cycles.years import list_steps
from app.db import check_version, utcnow
from app.meetings.models import MeetingType
from app.schools.models import Municipality, Person, PersonFunction, School

# --- meetings of a year's steps -----------------------------------------------------------

ASSIGNED_FUNCTIONS = {PersonFunction.CONSULTANT.value, PersonFunction.PSYCHOLOGIST.value,
                      PersonFunction.PEDAGOGICAL_CONSULTANT.value}
"""Per school these come from the year's assignments ("fordeling af skoler")."""
SCHOOL_FUNCTIONS = {PersonFunction.SCHOOL_LEADER.value, PersonFunction.LEADERSHIP_TEAM.value,
                    PersonFunction.BOARD_REPRESENTATIVE.value}
"""These are the people of the school itself."""


def resolve_participants(session: Session, year: SchoolYear, step: Step,
                         school: School | None) -> list[tuple[int, str, bool]]:
    """(person_id, function, required) for a meeting of `step` at `school` (None: internal).

    The school's own leadership by the school; consultants, psychologists and pedagogical
    consultants by the year's assignments; the chief, the director, the head of PPR … by
    their function in the municipality. An internal meeting invites everyone in the
    municipality with the function.
    """
    people = list(session.exec(select(Person).where(
        Person.municipality_id == year.municipality_id).order_by(Person.name)))
    assigned: dict[str, list[int]] = {}
    if school is not None:
        for a in session.exec(select(SchoolAssignment).where(
                SchoolAssignment.school_year_id == year.id,
                SchoolAssignment.school_id == school.id)):
            assigned.setdefault(a.function, []).append(a.person_id)
    found: dict[int, tuple[int, str, bool]] = {}
    for spec in step.participant_functions:
        function, required = spec.rstrip("?"), not spec.endswith("?")
        if school is not None and function in ASSIGNED_FUNCTIONS:
            ids = assigned.get(function, [])
        elif school is not None and function in SCHOOL_FUNCTIONS:
            ids = [p.id for p in people if p.school_id == school.id and p.function == function]
        elif function in SCHOOL_FUNCTIONS:
            ids = []
        else:
            ids = [p.id for p in people if p.function == function and p.school_id is None]
        for pid in ids:
            found.setdefault(pid, (pid, function, required))
    if school is not None and invites_board_representative(session, year, step):
        for p in board_representatives(people, school.id):
            found.setdefault(p.id, (p.id, PersonFunction.BOARD_REPRESENTATIVE.value, False))
    return list(found.values())


# --- the school board's parent representative (folkeskoleloven § 40 a) --------------------


def board_representatives(people: list[Person], school_id: int) -> list[Person]:
    return [p for p in people if p.school_id == school_id
            and p.function is PersonFunction.BOARD_REPRESENTATIVE]


def invites_board_representative(session: Session, year: SchoolYear, step: Step) -> bool:
    """The dialogue invites the school's board representative when the municipality has
    chosen so (optional: the time is not chosen around a parent's day), unless the step
    names them itself."""
    if step.meeting_type != MeetingType.DIALOGUE.value or any(
            f.rstrip("?") == PersonFunction.BOARD_REPRESENTATIVE.value
            for f in step.participant_functions):
        return False
    municipality = session.get(Municipality, year.municipality_id)
    return bool(municipality and municipality.invites_board_representative)


def set_board_representative_invitations(session: Session, municipality: Municipality,
                                         invite: bool, *, expected_version: int | None) -> int:
    """The municipality's choice, applied to the dialogues not yet held: each school's
    representative invited (where invitations are on they get one by e-mail) or, when the
    choice is undone, taken off again where the default put them. Returns how many
    dialogues changed."""
    from app.meetings import service as meetings
    from app.meetings.models import Meeting, MeetingParticipant, MeetingStatus

    check_version(municipality, expected_version)
    municipality.invites_board_representative = invite
    session.add(municipality)
    people = list(session.exec(select(Person).where(
        Person.municipality_id == municipality.id,
        Person.function == PersonFunction.BOARD_REPRESENTATIVE)))
    changed = 0
    for m in session.exec(select(Meeting).where(
            Meeting.municipality_id == municipality.id,
            Meeting.meeting_type == MeetingType.DIALOGUE, col(Meeting.school_id).is_not(None),
            col(Meeting.status).in_([MeetingStatus.PLANNED, MeetingStatus.BOOKED]))):
        step = session.get(Step, m.step_id) if m.step_id else None
        if step is not None and any(f.rstrip("?") == PersonFunction.BOARD_REPRESENTATIVE.value
                                    for f in step.participant_functions):
            continue  # the step invites them itself: not the default's to change
        rows = {r.person_id: r for r in session.exec(select(MeetingParticipant).where(
            MeetingParticipant.meeting_id == m.id))}
        touched = False
        for p in board_representatives(people, m.school_id):
            row = rows.get(p.id)
            if invite and row is None:
                meetings.add_participant(session, m, p.id, required=False, commit=False,
                                         function=PersonFunction.BOARD_REPRESENTATIVE.value)
                touched = True
            elif not invite and row is not None \
                    and row.function == PersonFunction.BOARD_REPRESENTATIVE.value:
                meetings.remove_participant(session, m, p.id, commit=False)
                touched = True
        changed += touched
    session.commit()
    session.refresh(municipality)
    return changed


def meeting_title(step: Step, school: School | None, index: int | None = None) -> str:
    title = step.title if school is None else f"{step.title}: {school.name}"
    if index is not None and step.occurrences > 1:
        title += f" ({index}/{step.occurrences})"
    return title


def plan_meetings(session: Session, year: SchoolYear) -> int:
    """Create the missing meetings of the year's steps (PLANNED: no time yet); idempotent.

    Per-school steps make one meeting per school (or a series of `occurrences`); municipal
    steps with a meeting type make one internal meeting. A school added during the year gets
    its meetings by running this again.
    """
    from app.meetings import service as meetings
    from app.meetings.models import Meeting

    schools = list(session.exec(select(School).where(
        School.municipality_id == year.municipality_id).order_by(School.name)))
    have = {(m.step_id, m.school_id, m.series_index or 1) for m in session.exec(
        select(Meeting).where(Meeting.school_year_id == year.id))}
    created = 0
    for step in list_steps(session, year.id):
        if not step.meeting_type:
            continue
        targets = schools if step.scope is StepScope.PER_SCHOOL else [None]
        for school in targets:
            for index in range(1, step.occurrences + 1):
                if (step.id, school.id if school else None, index) in have:
                    continue
                meetings.create_meeting(
                    session, school_year=year, step=step, school=school,
                    title=meeting_title(step, school, index),
                    meeting_type=MeetingType(step.meeting_type),
                    location_kind=step.location_kind,
                    location=(school.address or school.name) if school is not None
                    and step.location_kind == "school" else None,
                    confidential=step.confidential,
                    series_key=step.key if step.occurrences > 1 else None,
                    series_index=index if step.occurrences > 1 else None,
                    participants=resolve_participants(session, year, step, school),
                    commit=False)
                created += 1
    session.flush()
    return created


def sync_school_participants(session: Session, year: SchoolYear, school_id: int) -> None:
    """After the school's assignments changed: re-invite by assignment on open meetings.

    Only the assigned functions (consultant, psychologist, pedagogical consultant) change;
    anyone invited by hand stays. Held and cancelled meetings keep who was there.
    """
    from app.meetings.models import Meeting, MeetingParticipant, MeetingStatus

    school = session.get(School, school_id)
    for m in session.exec(select(Meeting).where(
            Meeting.school_year_id == year.id, Meeting.school_id == school_id,
            col(Meeting.status).in_([MeetingStatus.PLANNED, MeetingStatus.BOOKED]))):
        step = session.get(Step, m.step_id) if m.step_id else None
        if step is None:
            continue
        wanted = {pid: (f, r) for pid, f, r in resolve_participants(session, year, step, school)
                  if f in ASSIGNED_FUNCTIONS}
        rows = list(session.exec(select(MeetingParticipant).where(
            MeetingParticipant.meeting_id == m.id)))
        changed = False
        for row in rows:
            if row.function in ASSIGNED_FUNCTIONS and row.person_id not in wanted:
                session.delete(row)
                changed = True
        present = {row.person_id for row in rows}
        for pid, (function, required) in wanted.items():
            if pid not in present:
                session.add(MeetingParticipant(meeting_id=m.id, person_id=pid,
                                               function=function, required=required))
                changed = True
        if changed:
            m.changed_at = max(utcnow(), m.changed_at)
            session.add(m)
    session.flush()
