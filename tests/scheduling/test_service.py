"""The scheduler against the database: plan, review, commit, move, and later conflicts."""

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlmodel import select

from app.cycles.models import HolidayKind, HolidayPeriod
from app.i18n import TZ
from app.meetings import service as meetings
from app.meetings.models import MeetingParticipant, MeetingStatus
from app.scheduling import availability, checking, conflicts, problem, proposals, solver
from app.scheduling.models import Availability, ProposalStatus


def _plan(db, y, **kw):
    req = problem.PlanRequest(step=y.dialogue, window_start=y.dialogue.start_date,
                              window_end=y.dialogue.end_date, **kw)
    return proposals.run(db, req, time_limit=0.5)


def test_proposal_places_every_dialogue_with_its_debrief_right_after(db, svendborg):
    y = svendborg
    proposal = _plan(db, y)
    assert proposal.total == 6 and proposal.placed == 6
    items = {m.id: item for item, m in proposals.proposal_items(db, proposal)}
    assert len(items) == 12  # six dialogues, six debriefs
    for school in y.schools:
        (dialogue,) = meetings.list_meetings(db, step_id=y.dialogue.id, school_id=school.id)
        (debrief,) = meetings.list_meetings(db, step_id=y.debrief.id, school_id=school.id)
        assert items[debrief.id].starts_at == items[dialogue.id].ends_at
        # As long as the meeting needs: the agenda's length where the agendas domain is
        # loaded, otherwise the step's default.
        needed = meetings.planned_duration(db, dialogue)
        assert items[dialogue.id].ends_at - items[dialogue.id].starts_at == timedelta(minutes=needed)
        local = items[dialogue.id].starts_at.astimezone(TZ)
        assert local.weekday() < 5 and time(8) <= local.time()
        assert local.date() not in (date(2027, 5, 6), date(2027, 5, 7), date(2027, 5, 17))
    # Nothing is booked before the consultant says so.
    assert all(m.status is MeetingStatus.PLANNED
               for m in meetings.list_meetings(db, step_id=y.dialogue.id))


def test_commit_books_all_in_one_go_with_same_uid_and_higher_sequence(db, svendborg):
    y = svendborg
    before = {m.id: (m.uid, m.sequence) for m in meetings.list_meetings(db, school_year_id=y.year.id)}
    proposal = _plan(db, y)
    assert proposals.commit(db, proposal) == 12
    assert proposal.status is ProposalStatus.COMMITTED
    booked = [m for m in meetings.list_meetings(db, school_year_id=y.year.id)
              if m.status is MeetingStatus.BOOKED]
    assert len(booked) == 12
    for m in booked:
        uid, seq = before[m.id]
        assert m.uid == uid and m.sequence > seq
        assert m.location  # the administration's place or the school's address
    assert conflicts.conflicts_for_step(db, y.dialogue) == {}
    # Moving one keeps the uid and raises the sequence again.
    m = booked[0]
    uid, seq = m.uid, m.sequence
    local = m.starts_at.astimezone(TZ)
    new = time(14, 0) if local.time() != time(14, 0) else time(13, 0)
    conflicts.move(db, m, conflicts.MoveForm(day=local.date(), start=new, force=True), m.version)
    assert m.uid == uid and m.sequence == seq + 1


def test_a_stale_proposal_books_nothing(db, svendborg):
    y = svendborg
    proposal = _plan(db, y)
    m = meetings.list_meetings(db, step_id=y.dialogue.id)[0]
    meetings.reschedule(db, m, starts_at=datetime(2027, 4, 20, 6, tzinfo=timezone.utc),
                        ends_at=datetime(2027, 4, 20, 8, tzinfo=timezone.utc))
    with pytest.raises(proposals.ProposalStale) as err:
        proposals.commit(db, proposal)
    assert m.title in err.value.titles
    assert sum(1 for x in meetings.list_meetings(db, school_year_id=y.year.id)
               if x.status is MeetingStatus.BOOKED) == 1


def test_prep_meetings_come_before_their_dialogues(db, svendborg):
    y = svendborg
    proposal = proposals.run(db, problem.PlanRequest(
        step=y.dialogue, window_start=date(2027, 4, 12), window_end=date(2027, 4, 16),
        also=[y.prep]), time_limit=0.5)
    items = {m.id: (item, m) for item, m in proposals.proposal_items(db, proposal)}
    assert proposal.placed == proposal.total == 12
    by_school = {}
    for item, m in items.values():
        by_school.setdefault(m.school_id, {})[m.meeting_type.value] = item
    for kinds in by_school.values():
        assert kinds["prep"].ends_at <= kinds["dialogue"].starts_at


def test_caps_and_busy_times_are_held_and_explained(db, svendborg):
    y = svendborg
    db.add(Availability(person_id=y.chief.id, max_per_day=1))
    db.commit()
    # One week with a holiday on Thursday and Friday: three days, one dialogue a day.
    proposal = proposals.run(db, problem.PlanRequest(
        step=y.dialogue, window_start=date(2027, 5, 3), window_end=date(2027, 5, 7)),
        time_limit=0.5)
    assert proposal.placed == 3
    texts = [proposals.describe_shortfall(sf) for sf in proposal.report["shortfalls"]]
    assert any("Lene Skov" in t and "6" in t and "3" in t for t in texts), texts
    assert "Kristi himmelfartsdag" in texts[0]
    assert len(proposal.report["unplaced"]) == 3
    reasons = [proposals.describe_reason(r) for r in proposal.report["unplaced"][0]["reasons"]]
    assert any("Lene Skov" in r and "1" in r for r in reasons), reasons
    assert any("Kristi himmelfartsdag" in r for r in reasons), reasons


def test_later_busy_period_and_holiday_are_flagged(db, svendborg):
    y = svendborg
    proposals.commit(db, _plan(db, y))
    dialogue = meetings.list_meetings(db, step_id=y.dialogue.id)[0]
    local = dialogue.starts_at.astimezone(TZ)
    leader = y.leaders[dialogue.school_id]
    availability.add_busy(db, leader, availability.BusyForm(day=local.date(), start=time(0, 0),
                                                  end=time(23, 0), note="Tandlæge"))
    found = conflicts.conflicts_for_step(db, y.dialogue)
    assert [c.kind for c in found[dialogue.id]] == ["busy"]
    assert leader.name in found[dialogue.id][0].text
    assert "Tandlæge" not in found[dialogue.id][0].text
    db.add(HolidayPeriod(municipality_id=y.municipality.id, school_year_id=y.year.id,
                         name="Ekstra fridag", kind=HolidayKind.SCHOOL,
                         start_date=local.date(), end_date=local.date()))
    db.commit()
    school = next(s for s in y.schools if s.id == dialogue.school_id)
    with_school = conflicts.check(db, meetings.list_meetings(db, school_id=school.id))
    texts = [c.text for c in with_school[dialogue.id]]
    assert any("Ekstra fridag" in t for t in texts), texts


def test_moving_onto_a_busy_slot_is_refused_and_explained(db, svendborg):
    y = svendborg
    proposals.commit(db, _plan(db, y))
    a, b = meetings.list_meetings(db, step_id=y.dialogue.id)[:2]
    target = b.starts_at.astimezone(TZ)
    found = conflicts.check_move(db, a, target.date(), target.time())
    kinds = {c.kind for c in found}
    assert "overlap" in kinds
    assert any("Lene Skov" in c.text and b.title in c.text for c in found)
    with pytest.raises(conflicts.MoveConflicts):
        conflicts.move(db, a, conflicts.MoveForm(day=target.date(), start=target.time()), a.version)
    # A free slot: the debrief moves along, right after.
    (debrief,) = meetings.list_meetings(db, step_id=y.debrief.id, school_id=a.school_id)
    free_day = date(2027, 5, 28)
    assert conflicts.check_move(db, a, free_day, time(13, 0)) == []
    conflicts.move(db, a, conflicts.MoveForm(day=free_day, start=time(13, 0)), a.version)
    db.refresh(debrief)
    assert debrief.starts_at == a.ends_at
    assert conflicts.conflicts_for_step(db, y.dialogue) == {}


def test_busy_times_from_a_calendar_keep_no_titles(db, svendborg):
    y = svendborg
    data = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:a@test
DTSTART;TZID=Europe/Copenhagen:20270420T090000
DTEND;TZID=Europe/Copenhagen:20270420T120000
SUMMARY:Hemmeligt personalem\xc3\xb8de
RRULE:FREQ=WEEKLY;COUNT=3
END:VEVENT
BEGIN:VEVENT
UID:b@test
DTSTART;VALUE=DATE:20270423
DTEND;VALUE=DATE:20270424
SUMMARY:Ferie
END:VEVENT
BEGIN:VEVENT
UID:c@test
DTSTART:20270421T080000Z
DTEND:20270421T090000Z
TRANSP:TRANSPARENT
SUMMARY:Fri tid
END:VEVENT
END:VCALENDAR
"""
    from app.scheduling.models import BusySource

    now = datetime(2027, 4, 1, tzinfo=timezone.utc)
    assert availability.import_ics(db, y.chief, data, BusySource.ICS_FILE, now=now) == 4
    busy = availability.list_busy(db, [y.chief.id])
    assert all(b.note == "" for b in busy)
    assert busy[0].starts_at == datetime(2027, 4, 20, 7, tzinfo=timezone.utc)
    # Importing again replaces rather than duplicates.
    assert availability.import_ics(db, y.chief, data, BusySource.ICS_FILE, now=now) == 4
    assert len(availability.list_busy(db, [y.chief.id])) == 4
    proposal = _plan(db, y)
    for item, m in proposals.proposal_items(db, proposal):
        local = item.starts_at.astimezone(TZ)
        if m.meeting_type.value == "dialogue":
            assert local.date() != date(2027, 4, 23)
            if local.date() in (date(2027, 4, 20), date(2027, 4, 27), date(2027, 5, 4)):
                assert local.time() >= time(12) or item.ends_at.astimezone(TZ).time() <= time(9)


def test_refresh_reads_the_calendar_address_again(db, svendborg, monkeypatch):
    y = svendborg
    calls = []

    def fake_fetch(url):
        calls.append(url)
        return (b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:x\nDTSTART:20990101T080000Z\n"
                b"DTEND:20990101T090000Z\nSUMMARY:Privat\nEND:VEVENT\nEND:VCALENDAR\n")

    from app.scheduling import ics

    monkeypatch.setattr(ics, "fetch", fake_fetch)
    availability.set_ics_url(db, y.chief, "webcal://calendar.example.org/lene.ics")
    assert availability.get_availability(db, y.chief).ics_url == "https://calendar.example.org/lene.ics"
    availability.refresh_ics(db, y.chief)
    assert calls == ["https://calendar.example.org/lene.ics"]
    with pytest.raises(ics.CalendarError):
        availability.set_ics_url(db, y.chief, "http://169.254.169.254/latest")


def test_solver_problem_from_the_database_is_conflict_free(db, svendborg):
    y = svendborg
    ctx = problem.build_problem(db, problem.PlanRequest(
        step=y.dialogue, window_start=y.dialogue.start_date, window_end=y.dialogue.end_date))
    result = solver.solve(ctx.problem, time_limit=0.5)
    assert result.unplaced == [] and checking.violations(ctx.problem, result.placement) == []


def test_calendar_addresses_inside_our_network_are_refused():
    from app.scheduling import ics

    for url in ("https://127.0.0.1/cal.ics", "https://localhost/cal.ics",
                "https://10.0.0.5/cal.ics", "ftp://example.org/cal.ics"):
        with pytest.raises(ics.CalendarError):
            ics.fetch(url)


def test_meetings_at_the_schools_keep_travel_time_between_them(db, factory):
    from tests.scheduling.conftest import build_year

    y = build_year(db, factory, schools=6, location="school",
                   dialogue_window=(date(2027, 4, 12), date(2027, 4, 13)))
    db.add(Availability(person_id=y.chief.id, buffer_minutes=0))
    db.commit()
    settings = availability.get_settings(db, y.municipality.id)
    assert settings.travel_minutes == 30
    proposal = _plan(db, y)
    items = [(item, m) for item, m in proposals.proposal_items(db, proposal)
             if m.meeting_type.value == "dialogue"]
    assert proposal.placed == len(items) >= 4
    assert all(item.location.startswith(m.title.split(": ")[1]) for item, m in items)
    by_day = {}
    for item, _m in items:
        by_day.setdefault(item.starts_at.astimezone(TZ).date(), []).append(item)
    for day_items in by_day.values():
        day_items.sort(key=lambda i: i.starts_at)
        for a, b in zip(day_items, day_items[1:]):
            assert b.starts_at - a.ends_at >= timedelta(minutes=30)


def test_svendborg_prep_meetings_on_two_mornings(db, factory):
    """Formøder runde 1: 30 minutes per school, two contiguous half-days, the psychologists
    taking turns by school group while the consultants are in all of them."""
    from app.cycles.models import Step, StepScope
    from app.meetings.models import MeetingType
    from app.schools.models import PersonFunction
    from tests.conftest import make_person, make_year

    m = factory.municipality()
    year = make_year(db, m, 2026)
    step = Step(school_year_id=year.id, position=6, key="formoder-1", title="Formøder runde 1",
                scope=StepScope.PER_SCHOOL, meeting_type="prep", start_date=date(2027, 2, 1),
                end_date=date(2027, 2, 2), duration_minutes=30)
    db.add(step)
    db.commit()
    consultant = make_person(db, m, "Konsulent", PersonFunction.CONSULTANT)
    psychologists = [make_person(db, m, f"Psykolog {i}", PersonFunction.PSYCHOLOGIST)
                     for i in range(2)]
    for p in [consultant, *psychologists]:
        db.add(Availability(person_id=p.id, day_start=time(8), day_end=time(12),
                            buffer_minutes=0))
    db.commit()
    for i in range(16):
        school = factory.school(m, name=f"Skole {i}")
        meetings.create_meeting(db, school_year=year, step=step, school=school,
                                meeting_type=MeetingType.PREP, title=f"Formøde: {school.name}",
                                participants=[(consultant.id, "consultant", True),
                                              (psychologists[i // 8].id, "psychologist", True)])
    proposal = proposals.run(db, problem.PlanRequest(step=step, window_start=step.start_date,
                                                   window_end=step.end_date), time_limit=1)
    assert proposal.placed == 16
    starts = sorted(item.starts_at.astimezone(TZ) for item, _ in proposals.proposal_items(db, proposal))
    assert {s.date() for s in starts} == {date(2027, 2, 1), date(2027, 2, 2)}
    assert all(time(8) <= s.time() < time(12) for s in starts)


def test_a_scheduler_run_books_each_dialogue_for_its_agendas_length(db, svendborg):
    """Agendas of different lengths (one item added to one school's): every dialogue is
    booked as long as its own agenda, and no agenda outlasts its booking."""
    from app.agendas import build as agenda_build
    from app.agendas import items as agenda_items
    from app.agendas import timeline as agenda_timeline

    y = svendborg
    dialogues = [meetings.list_meetings(db, step_id=y.dialogue.id, school_id=s.id)[0]
                 for s in y.schools]
    agendas = {d.id: agenda_build.ensure_agenda(db, d) for d in dialogues}
    longer = agendas[dialogues[0].id]
    agenda_items.add_item(db, longer, agenda_items.ItemForm(title="Specialklasserne",
                                                            minutes=25))
    lengths = {d.id: agenda_timeline.total_minutes(db, agendas[d.id]) for d in dialogues}
    assert lengths[dialogues[0].id] == lengths[dialogues[1].id] + 25  # they differ
    proposal = _plan(db, y)
    assert proposals.commit(db, proposal) == 12
    for d in dialogues:
        db.refresh(d)
        assert d.status is MeetingStatus.BOOKED
        assert d.ends_at - d.starts_at == timedelta(minutes=lengths[d.id])
        assert agenda_timeline.timeline(db, agendas[d.id], d).overrun == 0


def test_people_who_must_all_attend_are_named_when_their_days_together_are_short(db, svendborg):
    """The chief works Monday to Wednesday, the PPR leader Wednesday to Friday, two meetings
    a day each: each alone has room for all six dialogues in the week, together only for
    Wednesday's two. The consultant is told so, and exactly that many are left out."""
    y = svendborg
    for mp in db.exec(select(MeetingParticipant).where(MeetingParticipant.person_id == y.ppr.id)):
        mp.required = True
        db.add(mp)
    db.add(Availability(person_id=y.chief.id, weekdays=[0, 1, 2], max_per_day=2))
    db.add(Availability(person_id=y.ppr.id, weekdays=[2, 3, 4], max_per_day=2))
    db.commit()
    proposal = proposals.run(db, problem.PlanRequest(
        step=y.dialogue, window_start=date(2027, 4, 12), window_end=date(2027, 4, 16)),
        time_limit=1)
    (short,) = proposal.report["shortfalls"]
    text = proposals.describe_shortfall(short)
    assert "Lene Skov" in text and "Thomas Brandt" in text, text
    assert (short["demand"], short["capacity"], short["usable_days"]) == (6, 2, 1)
    assert proposal.placed == 2
    assert len(proposal.report["unplaced"]) == short["demand"] - short["capacity"]
    days = {item.starts_at.astimezone(TZ).date() for item, _ in
            proposals.proposal_items(db, proposal)}
    assert days == {date(2027, 4, 14)}
