"""Find a time for one meeting: each slot offered respects every rule the scheduler knows —
working hours and days, busy times, holidays, travel between places, daily caps, the step's
period, the debrief that rides along — and booking one finds no conflict."""

from datetime import date, datetime, time, timedelta, timezone

from app.meetings import service as meetings
from app.meetings.models import MeetingStatus, MeetingType
from app.scheduling import availability, conflicts, findtime
from app.scheduling.availability import local_to_utc
from app.scheduling.conflicts import MoveForm

NOW = datetime(2027, 4, 1, 10, tzinfo=timezone.utc)
MONDAY = date(2027, 4, 12)  # the first day of the fixture's dialogue window


def _dialogue(db, y, i=0):
    (d,) = meetings.list_meetings(db, step_id=y.dialogue.id, school_id=y.schools[i].id)
    return d


def _starts(search):
    return [(s.day, s.start) for s in search.slots]


def _busy(db, person, day, start, end):
    availability.add_busy(db, person, availability.BusyForm(day=day, start=start, end=end))


def test_free_days_offer_the_first_morning_and_afternoon_slot_of_each_day(db, svendborg):
    d = _dialogue(db, svendborg)
    search = findtime.find_slots(db, d, first=MONDAY, now=NOW)
    assert _starts(search) == [(MONDAY, time(8)), (MONDAY, time(12)),
                               (MONDAY + timedelta(1), time(8)), (MONDAY + timedelta(1), time(12)),
                               (MONDAY + timedelta(2), time(8)), (MONDAY + timedelta(2), time(12))]
    # As long as the meeting needs (its agenda's length, as booking it would make it).
    need = timedelta(minutes=meetings.planned_duration(db, d))
    assert all(s.ends_at - s.starts_at == need for s in search.slots)
    # The afternoon slot leaves room for the debrief before the day ends at 16:00, and a
    # slot taken is a booking without conflicts, the debrief right after it.
    slot = search.slots[0]
    assert conflicts.move(db, d, MoveForm(day=slot.day, start=slot.start), d.version) == []
    assert d.status is MeetingStatus.BOOKED and d.starts_at == slot.starts_at


def test_a_busy_participant_moves_the_slot_past_their_busy_time(db, svendborg):
    d = _dialogue(db, svendborg)
    _busy(db, svendborg.chief, MONDAY, time(8), time(10))
    assert _starts(findtime.find_slots(db, d, first=MONDAY, count=1, now=NOW)) == [
        (MONDAY, time(10))]


def test_the_debrief_riding_along_needs_its_consultant_free_too(db, svendborg):
    d = _dialogue(db, svendborg)
    consultant = svendborg.consultants[0]
    # 08:00–09:30 would put the debrief at 09:30–09:45, when the consultant is busy.
    _busy(db, consultant, MONDAY, time(9, 30), time(9, 45))
    assert _starts(findtime.find_slots(db, d, first=MONDAY, count=1, now=NOW)) == [
        (MONDAY, time(9, 45))]


def test_working_hours_and_days_of_every_required_participant(db, svendborg):
    d = _dialogue(db, svendborg)
    leader = svendborg.leaders[svendborg.schools[0].id]
    availability.save_availability(db, leader, availability.AvailabilityForm(
        weekdays=[1, 2, 3, 4], day_start=time(9), day_end=time(13)), None)
    slots = findtime.find_slots(db, d, first=MONDAY, count=2, now=NOW).slots
    # Not on Monday, not before nine, and no afternoon: the leader goes home at one.
    assert [(s.day, s.start) for s in slots] == [(MONDAY + timedelta(1), time(9)),
                                                 (MONDAY + timedelta(2), time(9))]
    # An optional participant (the head of PPR) blocks nothing.
    availability.save_availability(db, svendborg.ppr, availability.AvailabilityForm(
        weekdays=[4], day_start=time(8), day_end=time(9)), None)
    assert findtime.find_slots(db, d, first=MONDAY, count=2, now=NOW).slots == slots


def test_holidays_and_weekends_are_skipped(db, svendborg):
    d = _dialogue(db, svendborg)
    # Kristi himmelfartsdag and the Friday after, then the weekend.
    assert _starts(findtime.find_slots(db, d, first=date(2027, 5, 6), count=1, now=NOW)) == [
        (date(2027, 5, 10), time(8))]


def test_travel_from_a_meeting_at_a_school_is_kept_free(db, svendborg):
    d = _dialogue(db, svendborg)
    consultant = svendborg.consultants[0]
    school = svendborg.schools[3]
    meetings.create_meeting(
        db, school_year=svendborg.year, school=school, title="Besøg på skolen",
        meeting_type=MeetingType.OTHER, location_kind="school",
        starts_at=local_to_utc(MONDAY, time(8)), ends_at=local_to_utc(MONDAY, time(9)),
        participants=[(consultant.id, "consultant", True)])
    # The dialogue is at the administration: 30 minutes' travel (more than the buffer).
    assert _starts(findtime.find_slots(db, d, first=MONDAY, count=1, now=NOW)) == [
        (MONDAY, time(9, 30))]


def test_a_full_day_by_the_daily_cap_is_skipped(db, svendborg):
    d = _dialogue(db, svendborg)
    chief = svendborg.chief
    availability.save_availability(db, chief, availability.AvailabilityForm(
        weekdays=[0, 1, 2, 3, 4], day_start=time(8), day_end=time(16), max_per_day=1,
        buffer_minutes=15), None)
    other = _dialogue(db, svendborg, 1)
    assert conflicts.move(db, other, MoveForm(day=MONDAY, start=time(8)), other.version) == []
    assert _starts(findtime.find_slots(db, d, first=MONDAY, count=1, now=NOW)) == [
        (MONDAY + timedelta(1), time(8))]


def test_the_steps_period_bounds_the_search_and_the_past_is_never_offered(db, svendborg):
    d = _dialogue(db, svendborg)
    # Before the period: the first slot is on its first day.
    assert findtime.find_slots(db, d, first=date(2027, 4, 2), count=1, now=NOW).slots[0].day \
        == MONDAY
    # After it: nothing, and the search says which period bounds it.
    after = findtime.find_slots(db, d, first=date(2027, 6, 1), now=NOW)
    assert after.slots == [] and after.step_period == (MONDAY, date(2027, 5, 28))
    # Today, at 10:30 on Monday: the morning is nearly gone.
    now = local_to_utc(MONDAY, time(10, 20))
    assert _starts(findtime.find_slots(db, d, count=1, now=now)) == [(MONDAY, time(10, 30))]


def test_a_longer_length_needs_a_longer_free_stretch(db, svendborg):
    d = _dialogue(db, svendborg)
    _busy(db, svendborg.chief, MONDAY, time(10, 30), time(11))
    assert meetings.planned_duration(db, d) <= 150
    assert _starts(findtime.find_slots(db, d, first=MONDAY, count=1, now=NOW)) == [
        (MONDAY, time(8))]
    longer = findtime.find_slots(db, d, first=MONDAY, count=1, minutes=180, now=NOW)
    assert _starts(longer) == [(MONDAY, time(11))] and longer.minutes == 180


def test_an_internal_meeting_without_a_step_finds_its_participants_free_time(db, svendborg):
    a, b = svendborg.consultants
    m = meetings.create_meeting(db, school_year=svendborg.year, title="Opsamlingsmøde",
                                meeting_type=MeetingType.INTERNAL,
                                participants=[(a.id, "consultant", True),
                                              (b.id, "consultant", True)])
    _busy(db, a, MONDAY, time(8), time(12))
    _busy(db, b, MONDAY, time(12), time(16))
    slots = findtime.find_slots(db, m, first=MONDAY, count=1, now=NOW).slots
    assert [(s.day, s.start) for s in slots] == [(MONDAY + timedelta(1), time(8))]


def test_an_internal_meeting_of_the_cycle_is_planned_in_a_scheduler_run(db, svendborg):
    from app.cycles.models import Step, StepScope
    from app.scheduling import problem, proposals

    y = svendborg
    step = Step(school_year_id=y.year.id, position=12, key="opsamlingsmode",
                title="Opsamlingsmøde for konsulenter", scope=StepScope.MUNICIPAL,
                meeting_type="internal", start_date=date(2027, 6, 1),
                end_date=date(2027, 6, 25), duration_minutes=120,
                participant_functions=["consultant", "chief?"])
    db.add(step)
    db.commit()
    a, b = y.consultants
    m = meetings.create_meeting(db, school_year=y.year, step=step, title=step.title,
                                meeting_type=MeetingType.INTERNAL,
                                participants=[(a.id, "consultant", True),
                                              (b.id, "consultant", True),
                                              (y.chief.id, "chief", False)])
    # Tuesday 1 June: one consultant away all day.
    _busy(db, a, date(2027, 6, 1), time(8), time(16))
    assert step.id in {s.id for s in problem.schedulable_steps(db, y.year)}
    proposal = proposals.run(db, problem.PlanRequest(
        step=step, window_start=step.start_date, window_end=step.end_date), time_limit=2)
    assert proposal.placed == 1
    assert proposals.commit(db, proposal) == 1
    db.refresh(m)
    assert m.status is MeetingStatus.BOOKED and m.ends_at - m.starts_at == timedelta(hours=2)
    assert m.starts_at.astimezone(findtime.TZ).date() != date(2027, 6, 1)
    assert date(2027, 6, 1) <= m.starts_at.astimezone(findtime.TZ).date() <= date(2027, 6, 25)
    assert conflicts.check(db, [m]) == {}
